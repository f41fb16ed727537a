"""Korean end to end: localised commands, Korean cards, errors, previews and announcements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.i18n import NAME_CONTEXT, Lang, catalogue
from tests.cogs.world import World

KO = Lang("ko")


@pytest.fixture(autouse=True)
def every_korean_text_is_in_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail when anything is put in Korean from a text the catalogue lacks (e.g. a template in a variable,
    which extraction cannot see)."""
    missing: list[str] = []
    original = Lang.t

    def checked(self: Lang, message: str, /, **values: Any) -> str:
        if self.code == "ko" and (None, message) not in catalogue("ko"):
            missing.append(message)
        return original(self, message, **values)

    monkeypatch.setattr(Lang, "t", checked)
    yield
    assert missing == []


def _fields(embed: dict[str, object]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed["fields"]}  # type: ignore[attr-defined]


async def test_the_synced_commands_carry_korean_names_and_descriptions(world: World) -> None:
    character = world.fake.synced_command("character")
    assert character is not None
    assert character["name_localizations"]["ko"] == catalogue("ko")[(NAME_CONTEXT, "character")]
    assert character["description_localizations"]["ko"] == KO.t(character["description"])
    [name_option, _private] = character["options"]
    assert name_option["name_localizations"]["ko"]
    assert name_option["description_localizations"]["ko"] == KO.t(name_option["description"])
    spoilers = world.fake.synced_command("spoilers")
    assert spoilers is not None
    choice = spoilers["options"][0]["choices"][1]
    assert choice["name_localizations"]["ko"] == KO.t(choice["name"])
    manage = world.fake.synced_command("manage")
    assert manage is not None
    assert all(option["name_localizations"]["ko"] for option in manage["options"])


async def test_a_korean_fan_gets_a_korean_card(world: World) -> None:
    reply = await (await world.fake.slash("character", {"name": "남라"}, locale="ko")).response()
    embed = reply.embeds[0]
    assert embed["title"] == "최남라 (Choi Nam-ra)"
    fields = _fields(embed)
    assert KO.t("Played by") != "Played by"
    assert fields[KO.t("Played by")] == "조이현 (Cho Yi-hyun)"
    assert fields[KO.t("Season 1 fate")].startswith("||")
    assert (
        "_확인됨_" in fields[KO.t("Season 1 fate")]
        or f"_{KO.t('confirmed')}_" in fields[KO.t("Season 1 fate")]
    )
    catalog = await world.bot.store.catalog(world.guild.id)
    profile = catalog.character("choi-nam-ra").profile  # type: ignore[union-attr]
    assert profile.text_ko
    assert embed["description"].startswith(profile.text_ko)
    buttons = [b["label"] for row in reply.components for b in row["components"]]
    assert buttons[0] == KO.t("Reveal: {part}", part=KO.t("Season 1 fate"))


async def test_errors_and_misses_are_in_korean(world: World) -> None:
    reply = await (await world.fake.slash("season", {"number": 7}, locale="ko")).response()
    assert reply.ephemeral
    assert reply.content == KO.t(
        "There is no Season {number} in the data yet. Seasons I know: {known}.", number=7, known="1, 2"
    )
    miss = await (await world.fake.slash("character", {"name": "qqqqxz"}, locale="ko")).response()
    assert (miss.content or "").startswith(
        KO.t("I couldn't find a character called “{name}”.", name="qqqqxz")
    )
    refused = await (
        await world.fake.slash(
            "manage",
            {"stage": "filming", "source": "https://e.x"},
            subcommand="season stage",
            user=world.fan,
            locale="ko",
        )
    ).response()
    assert refused.content == KO.t(
        "Only members with the Manage Server permission, or the server's moderator role, can change the data. "
        "Nothing was changed."
    )


async def test_a_korean_moderator_gets_a_korean_preview_and_a_korean_server_a_korean_announcement(
    world: World,
) -> None:
    await world.setup(language="ko")
    result = await world.fake.slash(
        "manage",
        {"stage": "filming", "source": "https://e.x/1"},
        subcommand="season stage",
        user=world.mod,
        locale="ko",
    )
    preview = await result.response()
    assert (preview.content or "").startswith(KO.t("**Preview.** Nothing is saved until you choose."))
    buttons = [b["label"] for row in preview.components for b in row["components"]]
    assert buttons == [KO.t("Post"), KO.t("Save without announcing"), KO.t("Cancel")]
    title = KO.t(
        "Season {season}: {before} → {after}",
        season=2,
        before=KO.t("Post-production"),
        after=KO.t("Filming"),
    )
    assert preview.embeds[0]["title"] == title
    await world.press(result, KO.t("Post"))
    [message] = await world.announcements(1)
    assert message.request["embeds"][0]["title"] == title
    assert KO.t("Season {season} is filming", season=2) in message.request["embeds"][0]["description"]
    assert [b["label"] for row in message.request["components"] for b in row["components"]] == [
        KO.t("Notify me")
    ]


async def test_an_english_server_announces_in_english_whoever_moderates(world: World) -> None:
    await world.setup(language="en")
    result = await world.fake.slash(
        "manage",
        {"stage": "filming", "source": "https://e.x/1"},
        subcommand="season stage",
        user=world.mod,
        locale="ko",
    )
    preview = await result.response()
    assert preview.embeds[0]["title"] == "Season 2: post-production → filming"
    assert (preview.content or "").startswith(KO.t("**Preview.** Nothing is saved until you choose."))
