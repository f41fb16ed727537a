"""Per-member cooldowns: one member cannot flood the bot, and nobody else notices when one tries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.client import AoadBot
from bot.cooldowns import MemberCooldowns
from bot.pack import Pack
from bot.settings import Rate
from tests.fakediscord import FakeDiscord
from tests.harness import running_bot

EPHEMERAL = 64


@pytest.fixture
async def strict(fake_discord: FakeDiscord, tmp_path: Path, pack: Pack) -> AsyncIterator[AoadBot]:
    """The bot with small buckets: 2 lookups and 3 autocompletes per member per minute."""
    async with running_bot(
        fake_discord, tmp_path / "bot.db", pack, lookup_rate=Rate(2, 60), autocomplete_rate=Rate(3, 60)
    ) as running:
        yield running
    assert fake_discord.unknown_requests == []


async def test_the_third_lookup_in_a_minute_is_refused_kindly_and_runs_nothing(
    strict: AoadBot, fake_discord: FakeDiscord
) -> None:
    fan = fake_discord.guild.member("fan")
    for _ in range(2):
        reply = await (await fake_discord.slash("season", {}, user=fan)).response()
        assert reply.embeds
    result = await fake_discord.slash("character", {"name": "Nam-ra"}, user=fan)
    refused = await result.response()
    assert refused.ephemeral
    assert not refused.embeds
    assert (refused.content or "").startswith("Easy there! You can use this again in ")
    seconds = int(
        (refused.content or "").removeprefix("Easy there! You can use this again in ").removesuffix(" s.")
    )
    assert 1 <= seconds <= 60
    # Nobody else is slowed down by one member's flood, nor the member themself elsewhere (here: in DMs).
    other = await (
        await fake_discord.slash("season", {}, user=fake_discord.guild.member("moderator"))
    ).response()
    assert other.embeds
    elsewhere = await (await fake_discord.slash("season", {}, guild_id=None, user=fan)).response()
    assert elsewhere.embeds


async def test_buttons_share_the_lookup_bucket(strict: AoadBot, fake_discord: FakeDiscord) -> None:
    fan = fake_discord.guild.member("fan")
    first = await fake_discord.slash("character", {"name": "Nam-ra"}, user=fan)
    await first.response()
    assert first.original is not None
    reveal = next(
        button["custom_id"]
        for row in first.original.data["components"]
        for button in row["components"]
        if button["custom_id"].startswith("reveal:")
    )
    shown = await (await fake_discord.click(first.original, reveal, user=fan)).response()
    assert shown.embeds
    assert shown.ephemeral
    refused = await (await fake_discord.click(first.original, reveal, user=fan)).response()
    assert refused.ephemeral
    assert not refused.embeds
    assert (refused.content or "").startswith("Easy there!")


async def test_moderators_are_not_slowed_down_in_manage(strict: AoadBot, fake_discord: FakeDiscord) -> None:
    moderator = fake_discord.guild.member("moderator")
    for _ in range(4):
        shown = await (await fake_discord.slash("manage", {}, subcommand="setup", user=moderator)).response()
        assert shown.ephemeral
        assert not (shown.content or "").startswith("Easy there!")


async def test_autocomplete_goes_quiet_for_a_member_who_types_too_fast(
    strict: AoadBot, fake_discord: FakeDiscord
) -> None:
    fan = fake_discord.guild.member("fan")
    for typed in ("N", "Na", "Nam"):
        assert await fake_discord.autocomplete("character", {"name": typed}, "name", user=fan)
    assert await fake_discord.autocomplete("character", {"name": "Nam-"}, "name", user=fan) == []
    # Another member typing at the same time still gets suggestions, and the fan's command still works.
    moderator = fake_discord.guild.member("moderator")
    assert await fake_discord.autocomplete("character", {"name": "Nam"}, "name", user=moderator)
    reply = await (await fake_discord.slash("character", {"name": "Nam-ra"}, user=fan)).response()
    assert reply.embeds


async def test_the_refusal_is_in_the_members_language(strict: AoadBot, fake_discord: FakeDiscord) -> None:
    fan = fake_discord.guild.member("fan")
    for _ in range(2):
        await (await fake_discord.slash("season", {}, user=fan, locale="ko")).response()
    refused = await (await fake_discord.slash("season", {}, user=fan, locale="ko")).response()
    assert refused.ephemeral
    assert "Easy there" not in (refused.content or "")
    assert "초" in (refused.content or "")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_refills_after_its_window_and_is_then_forgotten() -> None:
    clock = Clock()
    buckets = MemberCooldowns(Rate(2, 10), clock)
    assert buckets.hit((5, 1)) is None
    assert buckets.hit((5, 1)) is None
    wait = buckets.hit((5, 1))
    assert wait is not None
    assert 9.9 <= wait <= 10
    assert buckets.hit((5, 2)) is None
    # The same person in another server, or in DMs, has a bucket of their own.
    assert buckets.hit((6, 1)) is None
    assert buckets.hit((None, 1)) is None
    clock.now += 10.5
    assert buckets.hit((5, 1)) is None
    # Memory stays bounded: members whose bucket is full again are dropped at the next pruning.
    clock.now += 120
    buckets.hit((5, 3))
    assert len(buckets) == 1


def test_no_rate_means_no_cooldown() -> None:
    buckets = MemberCooldowns(None)
    assert all(buckets.hit((5, 1)) is None for _ in range(1000))
    assert len(buckets) == 0
