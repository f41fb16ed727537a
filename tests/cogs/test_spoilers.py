"""/spoilers end to end: a fan's level is kept, shown back, and private replies follow it."""

from __future__ import annotations

from bot.client import AoadBot
from tests.fakediscord import FakeDiscord


async def test_the_level_is_kept_per_fan(bot: AoadBot, fake_discord: FakeDiscord) -> None:
    fan = fake_discord.guild.member("fan")
    other = fake_discord.guild.member("moderator")
    shown = await (await fake_discord.slash("spoilers", user=fan)).response()
    assert shown.ephemeral
    assert shown.content is not None
    assert shown.content.startswith("Your spoiler level is **none**.")

    changed = await (await fake_discord.slash("spoilers", {"level": "s2"}, user=fan)).response()
    assert changed.ephemeral
    assert changed.content is not None
    assert changed.content.startswith("Got it: your spoiler level is now **s2**.")
    assert await bot.store.spoiler_level(fan.id) == "s2"
    assert await bot.store.spoiler_level(other.id) == "none"

    card = await (
        await fake_discord.slash("character", {"name": "Cheong-san", "private": True}, user=fan)
    ).response()
    assert "||" not in str(card.embeds)
    theirs = await (
        await fake_discord.slash("character", {"name": "Cheong-san", "private": True}, user=other)
    ).response()
    assert "||" in str(theirs.embeds)


async def test_the_levels_are_offered_as_choices(bot: AoadBot, fake_discord: FakeDiscord) -> None:
    command = fake_discord.synced_command("spoilers")
    assert command is not None
    [option] = command["options"]
    assert [c["value"] for c in option["choices"]] == ["none", "s1", "s2"]
