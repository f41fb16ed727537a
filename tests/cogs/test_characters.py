"""/character end to end: search on autocomplete and on submit, spoilers, Reveal, misses, DMs."""

from __future__ import annotations

import pytest

from bot.client import AoadBot
from tests.fakediscord import FakeDiscord
from tests.markdown import spoiler_split
from tests.test_search import CHARACTER_CASES

EPHEMERAL = 64
FATE = 'Bitten by Gwi-nam, she becomes a "halfbie" (half-infected, 절비), keeps her humanity and leaves the group'


def _fields(embed: dict[str, object]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed["fields"]}  # type: ignore[attr-defined]


def _buttons(components: list[dict[str, object]]) -> list[dict[str, object]]:
    return [button for row in components for button in row["components"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("typed", "key"), CHARACTER_CASES)
async def test_every_spelling_is_found_in_autocomplete_and_on_submit(
    bot: AoadBot, fake_discord: FakeDiscord, typed: str, key: str
) -> None:
    choices = await fake_discord.autocomplete("character", {"name": typed}, "name")
    assert choices[0]["value"] == key
    assert len(choices) <= 25
    assert all(1 <= len(choice["name"]) <= 100 for choice in choices)

    reply = await (await fake_discord.slash("character", {"name": typed})).response()
    assert reply.type == 4
    title = reply.embeds[0]["title"]
    assert title.startswith(
        bot.store.pack.characters[[c.key for c in bot.store.pack.characters].index(key)].name
    )


async def test_autocomplete_with_nothing_typed_lists_characters(
    bot: AoadBot, fake_discord: FakeDiscord
) -> None:
    choices = await fake_discord.autocomplete("character", {"name": ""}, "name")
    assert 1 <= len(choices) <= 25


async def test_a_none_fan_sees_fates_only_as_spoilers_and_reveal_is_private(
    bot: AoadBot, fake_discord: FakeDiscord
) -> None:
    fan = fake_discord.guild.member("fan")
    result = await fake_discord.slash("character", {"name": "Nam-ra"}, user=fan)
    reply = await result.response()
    assert not reply.ephemeral
    fields = _fields(reply.embeds[0])
    assert fields["Season 1 fate"].startswith(f"||{FATE}\n")
    assert FATE not in spoiler_split(fields["Season 1 fate"])[0]
    buttons = _buttons(reply.components)
    assert [b["custom_id"] for b in buttons] == [
        "reveal:character:choi-nam-ra:fate",
        "reveal:character:choi-nam-ra:season2",
    ]

    message = result.original
    assert message is not None
    other = fake_discord.guild.member("moderator")
    revealed = await (
        await fake_discord.click(message, "reveal:character:choi-nam-ra:fate", user=other)
    ).response()
    assert revealed.ephemeral
    assert revealed.embeds[0]["description"].startswith(FATE)
    assert "||" not in revealed.embeds[0]["description"]


async def test_an_s1_fan_sees_the_fate_in_a_private_reply(bot: AoadBot, fake_discord: FakeDiscord) -> None:
    fan = fake_discord.guild.member("fan")
    await (await fake_discord.slash("spoilers", {"level": "s1"}, user=fan)).response()
    reply = await (
        await fake_discord.slash("character", {"name": "최남라", "private": True}, user=fan)
    ).response()
    assert reply.flags & EPHEMERAL
    fields = _fields(reply.embeds[0])
    assert fields["Season 1 fate"].startswith(f"{FATE}\n_confirmed_")
    assert fields["Season 2"].startswith("||Returns in Season 2")
    assert [b["custom_id"] for b in _buttons(reply.components)] == ["reveal:character:choi-nam-ra:season2"]


async def test_a_public_reply_shows_the_channel_no_spoilers_whoever_asks(
    bot: AoadBot, fake_discord: FakeDiscord
) -> None:
    fan = fake_discord.guild.member("fan")
    await (await fake_discord.slash("spoilers", {"level": "s2"}, user=fan)).response()
    reply = await (await fake_discord.slash("character", {"name": "Cheong-san"}, user=fan)).response()
    fields = _fields(reply.embeds[0])
    assert fields["Season 1 fate"].startswith("||")
    assert fields["Season 2"].startswith("||")


async def test_an_unknown_name_offers_suggestions_that_open_the_card(
    bot: AoadBot, fake_discord: FakeDiscord
) -> None:
    result = await fake_discord.slash("character", {"name": "Cheongsun Leee"})
    reply = await result.response()
    assert reply.ephemeral
    assert reply.content is not None
    assert reply.content.startswith("I couldn't find a character called “Cheongsun Leee”. Did you mean")
    buttons = _buttons(reply.components)
    assert 1 <= len(buttons) <= 3
    assert buttons[0]["custom_id"] == "open:character:lee-cheong-san:0"

    assert result.original is not None
    opened = await (await fake_discord.click(result.original, "open:character:lee-cheong-san:0")).response()
    assert opened.embeds[0]["title"] == "Lee Cheong-san (이청산)"
    assert not opened.ephemeral


async def test_nonsense_says_so_kindly_and_pings_nobody(bot: AoadBot, fake_discord: FakeDiscord) -> None:
    reply = await (await fake_discord.slash("character", {"name": "@everyone qqqqxz"})).response()
    assert reply.ephemeral
    assert (
        reply.content
        == "I couldn't find a character called “@\u200beveryone qqqqxz”. Try /cast to browse them all."
    )
    assert reply.data["allowed_mentions"] == {"parse": []}


async def test_in_a_dm_the_pack_answers_at_the_fans_own_level(
    bot: AoadBot, fake_discord: FakeDiscord
) -> None:
    fan = fake_discord.guild.member("fan")
    await (await fake_discord.slash("spoilers", {"level": "s2"}, guild_id=None, user=fan)).response()
    reply = await (
        await fake_discord.slash("character", {"name": "Su-hyeok"}, guild_id=None, user=fan)
    ).response()
    fields = _fields(reply.embeds[0])
    assert reply.embeds[0]["title"] == "Lee Su-hyeok (이수혁)"
    assert fields["Season 1 fate"].startswith("Survives")
    assert fields["Season 2"].startswith("Returns in Season 2")
    assert bot.store._catalogs == {}
