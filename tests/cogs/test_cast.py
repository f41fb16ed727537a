"""/cast end to end: the paged list, its owner-only buttons and timeout, and an actor's card."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.client import AoadBot
from bot.pack import Pack
from tests.fakediscord import FakeDiscord
from tests.harness import running_bot
from tests.test_search import PERSON_CASES


def _buttons(message_components: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {b["label"]: b for row in message_components for b in row["components"]}  # type: ignore[attr-defined]


async def test_the_cast_pages_belong_to_the_asker(bot: AoadBot, fake_discord: FakeDiscord) -> None:
    fan = fake_discord.guild.member("fan")
    result = await fake_discord.slash("cast", user=fan)
    reply = await result.response()
    assert reply.embeds[0]["title"] == "All of Us Are Dead: the cast (1/2)"
    assert "**Park Ji-hu** (박지후) — Nam On-jo" in reply.embeds[0]["description"]
    buttons = _buttons(reply.components)
    assert buttons["Previous"]["disabled"] is True
    assert buttons["Next"]["disabled"] is False
    message = result.original
    assert message is not None

    stranger = fake_discord.guild.member("moderator")
    refused = await (
        await fake_discord.click(message, str(buttons["Next"]["custom_id"]), user=stranger)
    ).response()
    assert refused.ephemeral
    assert refused.content is not None
    assert refused.content.startswith("These buttons belong to the person who asked.")
    assert message.data["embeds"][0]["title"].endswith("(1/2)")

    turned = await (await fake_discord.click(message, str(buttons["Next"]["custom_id"]), user=fan)).response()
    assert turned.type == 7  # the message itself is updated
    assert turned.embeds[0]["title"] == "All of Us Are Dead: the cast (2/2)"
    assert _buttons(turned.components)["Next"]["disabled"] is True


async def test_the_pager_keeps_working_on_old_messages_and_after_a_restart(
    fake_discord: FakeDiscord, tmp_path: Path, pack: Pack
) -> None:
    fan = fake_discord.guild.member("fan")
    async with running_bot(fake_discord, tmp_path / "bot.db", pack):
        result = await fake_discord.slash("cast", {"private": True}, user=fan)
        reply = await result.response()
        assert reply.ephemeral
    message = result.original
    assert message is not None
    async with running_bot(fake_discord, tmp_path / "bot.db", pack):
        turned = await (
            await fake_discord.click(message, str(_buttons(reply.components)["Next"]["custom_id"]), user=fan)
        ).response()
        assert turned.type == 7
        assert turned.embeds[0]["title"] == "All of Us Are Dead: the cast (2/2)"
        back = await (
            await fake_discord.click(
                message, str(_buttons(turned.components)["Previous"]["custom_id"]), user=fan
            )
        ).response()
        assert back.embeds[0]["title"] == "All of Us Are Dead: the cast (1/2)"


@pytest.mark.parametrize(("typed", "key"), PERSON_CASES)
async def test_actors_are_found_however_typed(
    bot: AoadBot, fake_discord: FakeDiscord, typed: str, key: str
) -> None:
    choices = await fake_discord.autocomplete("cast", {"name": typed}, "name")
    assert choices[0]["value"] == key
    reply = await (await fake_discord.slash("cast", {"name": typed})).response()
    person = next(p for p in bot.store.pack.people if p.key == key)
    assert reply.embeds[0]["title"].startswith(person.name)


async def test_an_actor_card_shows_roles_and_season_two_with_confidence(
    bot: AoadBot, fake_discord: FakeDiscord
) -> None:
    reply = await (await fake_discord.slash("cast", {"name": "Ha Seung-ri"})).response()
    [role] = reply.embeds[0]["fields"]
    assert role["name"] == "As Jang Ha-ri (장하리) (S1)"
    status = "Not in Netflix's official Season 2 cast (23 July 2025): a return is unconfirmed"
    # Its sources are behind the spoiler with it.
    assert f"**Season 2:** ||{status}\n_unconfirmed_ · " in role["value"]
    assert role["value"].endswith("||")
    assert "_unconfirmed_ · [v.daum.net, 2025-07-23](https://v.daum.net/v/20250723080753223)" in role["value"]


async def test_private_sets_the_ephemeral_flag(bot: AoadBot, fake_discord: FakeDiscord) -> None:
    assert (await (await fake_discord.slash("cast", {"name": "Lomon", "private": True})).response()).ephemeral
    assert not (await (await fake_discord.slash("cast", {"name": "Lomon"})).response()).ephemeral


async def test_an_unknown_actor_gets_suggestions(bot: AoadBot, fake_discord: FakeDiscord) -> None:
    reply = await (await fake_discord.slash("cast", {"name": "Kim Taehyung", "private": True})).response()
    assert reply.ephemeral
    assert reply.content == "I couldn't find a cast member called “Kim Taehyung”. Did you mean one of these?"
    ids = [b["custom_id"] for row in reply.components for b in row["components"]]
    assert 1 <= len(ids) <= 3
    assert all(i.startswith("open:person:") and i.endswith(":1") for i in ids)
