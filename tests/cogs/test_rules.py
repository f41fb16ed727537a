"""The rules about the data (bot.rules), end to end: what moderators and fans see when each rule applies.

Every test drives the real bot through the fake Discord: a moderator types a command or fills a form, reads
the private preview, presses Post or Save; fans then look things up. The assertions are on what a Discord
user would see (replies, embeds, buttons, announcements and whom they pinged), in English and, where text is
involved, in Korean (a Korean moderator has `locale="ko"`; a Korean server is `/manage setup language:ko`).
The rules themselves, one by one, are tested in tests/test_rules.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

import msgspec
import pytest

from bot.i18n import NAME_CONTEXT, Lang, catalogue
from bot.models import Character, NewsItem, Person, Season, Source
from bot.rules import sources_text
from tests.cogs.world import World
from tests.fakediscord import Callback, InteractionResult, Member, StoredMessage
from tests.fakediscord.interactions import Modal
from tests.markdown import spoiler_split

KO = Lang("ko")
EN = Lang("en")
RETURN_REASON = "a Season 1 character's Season 2 news reveals how Season 1 ended for them"
FATE_REASON = "a Season 1 fate reveals how Season 1 ends"
ASSUMED = (
    "No confidence was chosen for {what}, so it is saved as _{confidence}_ (choose `confirmed` or "
    "`reported` when the sources say so)."
)
STALE = (
    "⚠️ The newest fact here is from {date} ({ago}): there may be newer news. Ask this server's moderators "
    "to check and update it."
)


# -- helpers -------------------------------------------------------------------------------------------------


@pytest.fixture
def korean_catalogue_is_complete(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail when anything is put in Korean from a text the catalogue lacks (English shown to a Korean reader)."""
    missing: list[str] = []
    original = Lang.t

    def checked(self: Lang, message: str, /, **values: Any) -> str:
        if self.code == "ko" and (None, message) not in catalogue("ko"):
            missing.append(message)
        return original(self, message, **values)

    monkeypatch.setattr(Lang, "t", checked)
    yield
    assert missing == []


def option_name(name: str, lang: Lang) -> str:
    """A command option's name as the reader's Discord shows it, as problems name it: `text`, `내용`."""
    return "`" + catalogue(lang.code).get((NAME_CONTEXT, name), name) + "`"


def refused(problem: str, lang: Lang = EN) -> str:
    """The reply to something that breaks one rule."""
    return lang.t("Nothing was saved: {problem}", problem=problem)


def at(field: str, problem: str, lang: Lang = EN) -> str:
    return lang.t("{field}: {problem}", field=field, problem=problem)


async def slash(
    world: World,
    name: str,
    options: Mapping[str, Any] | None = None,
    *,
    subcommand: str | None = None,
    user: Member | None = None,
    locale: str = "en-US",
) -> tuple[InteractionResult, Callback]:
    result = await world.fake.slash(
        name, dict(options or {}), subcommand=subcommand, user=user, locale=locale
    )
    return result, await result.response()


async def manage(
    world: World, subcommand: str, options: Mapping[str, Any] | None = None, *, locale: str = "en-US"
) -> tuple[InteractionResult, Callback]:
    return await slash(world, "manage", options, subcommand=subcommand, user=world.mod, locale=locale)


async def press(world: World, result: InteractionResult, label: str, *, locale: str = "en-US") -> Callback:
    """Press the button labelled `label` on the message `result` answered with, as the moderator."""
    message = result.original
    assert message is not None
    labels = []
    for row in message.data["components"]:
        for button in row["components"]:
            labels.append(button.get("label"))
            if button.get("label") == label:
                click = await world.fake.click(message, button["custom_id"], user=world.mod, locale=locale)
                return await click.response()
    raise AssertionError(f"no button {label!r} among {labels}")


async def open_form(
    world: World, subcommand: str, options: Mapping[str, Any], *, locale: str = "en-US"
) -> Modal:
    opened = await world.fake.slash(
        "manage", dict(options), subcommand=subcommand, user=world.mod, locale=locale
    )
    return await opened.wait_modal()


def form_field(modal: Modal, label: str) -> tuple[str, str | None]:
    """The custom id and current value of the form field labelled exactly `label`."""
    for custom_id, component in modal.fields.items():
        if component.get("label") == label:
            return custom_id, component.get("value")
    raise AssertionError(f"no field {label!r} in {[c.get('label') for c in modal.fields.values()]}")


async def submit(
    world: World, modal: Modal, values: Mapping[str, str], *, locale: str = "en-US"
) -> tuple[InteractionResult, Callback]:
    """Submit a form with the fields labelled as in `values` changed and every other one as it was shown."""
    typed = {custom_id: str(field.get("value") or "") for custom_id, field in modal.fields.items()}
    for label, value in values.items():
        typed[form_field(modal, label)[0]] = value
    result = await world.fake.submit_modal(modal, typed, user=world.mod, locale=locale)
    return result, await result.response()


async def edit_form(
    world: World,
    subcommand: str,
    options: Mapping[str, Any],
    values: Mapping[str, str],
    *,
    locale: str = "en-US",
) -> tuple[InteractionResult, Callback]:
    """Open a form, change the fields in `values`, submit: the preview."""
    modal = await open_form(world, subcommand, options, locale=locale)
    return await submit(world, modal, values, locale=locale)


def fields(embed: Mapping[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields", [])}


def labels(callback: Callback | StoredMessage) -> list[str]:
    components = callback.components
    return [str(b.get("label")) for row in components for b in row["components"]]


async def card(
    world: World,
    command: str,
    name: str,
    *,
    user: Member | None = None,
    private: bool = False,
    locale: str = "en-US",
) -> Callback:
    options: dict[str, Any] = {"name": name}
    if private:
        options["private"] = True
    _, reply = await slash(world, command, options, user=user or world.fan, locale=locale)
    return reply


async def watched(world: World, user: Member, level: str) -> None:
    """The fan says how far they have watched (/spoilers)."""
    await slash(world, "spoilers", {"level": level}, user=user)


async def stored_character(world: World, key: str) -> Character:
    found = (await world.bot.store.catalog(world.guild.id)).character(key)
    assert found is not None
    return found


async def stored_person(world: World, key: str) -> Person:
    found = (await world.bot.store.catalog(world.guild.id)).person(key)
    assert found is not None
    return found


async def stored_season(world: World, number: int = 2) -> Season:
    found = (await world.bot.store.catalog(world.guild.id)).season(number)
    assert found is not None
    return found


async def save_stage(world: World, stage: str, source: str, user: Member | None = None) -> None:
    """/manage season stage, saved without announcing, by `user` (the moderator by default)."""
    result = await world.fake.slash(
        "manage", {"stage": stage, "source": source}, subcommand="season stage", user=user or world.mod
    )
    await result.response()
    message = result.original
    assert message is not None
    [save] = [
        b for row in message.components for b in row["components"] if b["label"] == "Save without announcing"
    ]
    done = await (await world.fake.click(message, save["custom_id"], user=user or world.mod)).response()
    assert (done.content or "").startswith("💾 Saved as revision"), done.content


async def revision_count(world: World) -> int:
    return len(await world.bot.store.revisions(world.guild.id))


def announced(message: StoredMessage) -> str:
    """An announcement's embed, title and text, as one string."""
    embed = message.request["embeds"][0]
    return f"{embed['title']}\n{embed.get('description', '')}"


async def export_document(world: World) -> dict[str, Any]:
    result = await world.fake.slash("manage", subcommand="export", user=world.mod)
    await result.response()
    assert result.original is not None
    [upload] = result.original.uploads
    return dict(json.loads(upload.data))


async def import_document(
    world: World, document: Mapping[str, Any], *, locale: str = "en-US"
) -> InteractionResult:
    """/manage import of `document`, up to its preview (not applied)."""
    file = world.fake.attachment("data.json", json.dumps(document).encode())
    result = await world.fake.slash(
        "manage", {"file": file}, subcommand="import", user=world.mod, locale=locale
    )
    await result.response()
    await result.wait_original(lambda m: bool(m.data.get("components")) or bool(m.data.get("content")))
    return result


async def apply_import(world: World, document: Mapping[str, Any]) -> None:
    result = await import_document(world, document)
    done = await press(world, result, "Apply")
    assert (done.content or "").startswith("✅ Applied as revision"), done.content


def character_in(document: dict[str, Any], key: str) -> dict[str, Any]:
    return next(c for c in document["characters"] if c["key"] == key)


# -- 1. spoiler levels follow what a fact reveals ------------------------------------------------------------

SEASON2_NEWS = "Returns in Season 2 as a soldier"
FATE = "Survives the school and the quarantine zone"


async def test_season_two_news_of_a_season_one_character_saved_as_none_is_an_s2_spoiler_everywhere(
    world: World,
) -> None:
    await world.setup()
    result, preview = await edit_form(
        world,
        "character edit",
        {"name": "Han Gyeong-su", "part": "season2"},
        {
            "Text (empty removes it)": SEASON2_NEWS,
            "Confidence: confirmed, reported, unconfirmed": "reported",
            "Spoiler level: none, s1, s2": "none",
            "Sources, one per line: link, or name, date": "https://news.example/s2",
        },
    )
    assert preview.ephemeral
    assert f"🔒 **Season 2** is saved as s2 (Season 2 spoiler), not none: {RETURN_REASON}." in (
        preview.content or ""
    )
    # The line's label would tell that a Season 1 character comes back, so the whole line is hidden.
    hidden = f"||Season 2: {SEASON2_NEWS}\n"
    assert preview.embeds[0]["description"].startswith(hidden)

    await press(world, result, "Post")
    [message] = await world.announcements(1)
    text = announced(message)
    assert hidden in text
    shown, _ = spoiler_split(text)
    assert SEASON2_NEWS not in shown
    assert "Season 2" not in shown
    season2 = (await stored_character(world, "han-gyeong-su")).season2
    assert season2 is not None
    assert season2.spoiler == "s2"

    public = await card(world, "character", "Han Gyeong-su")
    assert fields(public.embeds[0])["Season 2"].startswith(f"||{SEASON2_NEWS}\n")
    assert "Reveal: Season 2" in labels(public)
    actor = await card(world, "cast", "Ham Sung-min")
    assert f"**Season 2:** ||{SEASON2_NEWS}\n" in fields(actor.embeds[0])["As Han Gyeong-su (한경수) (S1)"]
    await watched(world, world.fan, "s2")
    mine = await card(world, "character", "Han Gyeong-su", private=True)
    assert mine.ephemeral
    assert fields(mine.embeds[0])["Season 2"].startswith(f"{SEASON2_NEWS}\n_reported_")


async def test_a_fate_saved_as_none_is_an_s1_spoiler_everywhere(world: World) -> None:
    await world.setup()
    result, preview = await edit_form(
        world,
        "character edit",
        {"name": "Han Gyeong-su", "part": "fate"},
        {
            "Text (empty removes it)": FATE,
            "Confidence: confirmed, reported, unconfirmed": "reported",
            "Spoiler level: none, s1, s2": "none",
            "Sources, one per line: link, or name, date": "https://news.example/fate",
        },
    )
    assert f"🔒 **Season 1 fate** is saved as s1 (Season 1 spoiler), not none: {FATE_REASON}." in (
        preview.content or ""
    )
    assert preview.embeds[0]["description"].startswith(f"**Season 1 fate:** ||{FATE}\n")
    await press(world, result, "Post")
    [message] = await world.announcements(1)
    assert f"||{FATE}\n" in announced(message)
    assert FATE not in spoiler_split(announced(message))[0]
    fate = (await stored_character(world, "han-gyeong-su")).fate
    assert fate is not None
    assert fate.spoiler == "s1"

    public = await card(world, "character", "Gyeong-su")
    assert fields(public.embeds[0])["Season 1 fate"].startswith(f"||{FATE}\n")
    await watched(world, world.fan, "s1")
    mine = await card(world, "character", "Gyeong-su", private=True)
    assert fields(mine.embeds[0])["Season 1 fate"].startswith(f"{FATE}\n_reported_")


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_in_korean_the_preview_says_why_the_level_was_raised_and_the_announcement_hides_it(
    world: World,
) -> None:
    await world.setup(language="ko")
    result, preview = await edit_form(
        world,
        "character edit",
        {"name": "Han Gyeong-su", "part": "season2"},
        {
            KO.t("Text (empty removes it)"): SEASON2_NEWS,
            KO.t("Text in Korean (optional)"): "군인이 되어 시즌 2에 돌아온다",
            KO.t("Confidence: confirmed, reported, unconfirmed"): "reported",
            KO.t("Spoiler level: none, s1, s2"): "none",
            KO.t("Sources, one per line: link, or name, date"): "https://news.example/s2",
        },
        locale="ko",
    )
    raised = KO.t(
        "🔒 **{part}** is saved as {level}, not {typed}: {reason}.",
        part=KO.t("Season 2"),
        level=KO.t("s2 (Season 2 spoiler)"),
        typed="none",
        reason=KO.t(RETURN_REASON),
    )
    assert raised in (preview.content or "")
    hidden = f"||{KO.t('Season 2')}: 군인이 되어 시즌 2에 돌아온다\n"
    assert preview.embeds[0]["description"].startswith(hidden)
    await press(world, result, KO.t("Post"), locale="ko")
    [message] = await world.announcements(1)
    assert hidden in announced(message)
    assert KO.t("Season 2") not in spoiler_split(announced(message))[0]

    public = await card(world, "character", "Han Gyeong-su", locale="ko")
    assert fields(public.embeds[0])[KO.t("Season 2")].startswith("||군인이 되어 시즌 2에 돌아온다\n")


# -- 2. the seasons a Season 1 character appears in ----------------------------------------------------------


async def test_a_season_one_characters_later_seasons_are_a_season_two_spoiler(world: World) -> None:
    await world.setup()
    result, preview = await edit_form(
        world, "character edit", {"name": "Han Gyeong-su"}, {"Seasons (e.g. 1, 2)": "1, 2"}
    )
    # Even the word "Seasons" beside a Season 1 character tells that they come back: the whole line hides.
    assert preview.embeds[0]["description"] == "||Seasons: 1, 2||"
    await press(world, result, "Post")
    [message] = await world.announcements(1)
    assert message.request["embeds"][0]["description"] == "||Seasons: 1, 2||"
    assert "Seasons" not in message.request["embeds"][0]["title"]
    assert (await stored_character(world, "han-gyeong-su")).seasons == (1, 2)

    owner = world.guild.member("server-owner")
    public = await card(world, "character", "Han Gyeong-su", user=owner)
    assert fields(public.embeds[0])["Appears in"] == "Season 1"
    actor = await card(world, "cast", "Ham Sung-min", user=owner)
    assert [f["name"] for f in actor.embeds[0]["fields"]] == ["As Han Gyeong-su (한경수) (S1)"]

    for level in ("none", "s1"):
        await watched(world, world.fan, level)
        mine = await card(world, "character", "Han Gyeong-su", private=True)
        assert fields(mine.embeds[0])["Appears in"] == "Season 1", level
    await watched(world, world.fan, "s2")
    mine = await card(world, "character", "Han Gyeong-su", private=True)
    assert fields(mine.embeds[0])["Appears in"] == "Season 1, Season 2"
    theirs = await card(world, "cast", "Ham Sung-min", private=True)
    assert [f["name"] for f in theirs.embeds[0]["fields"]] == ["As Han Gyeong-su (한경수) (S1, S2)"]


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_in_korean_the_later_seasons_are_hidden_alike(world: World) -> None:
    await world.setup(language="ko")
    result, preview = await edit_form(
        world,
        "character edit",
        {"name": "Han Gyeong-su"},
        {KO.t("Seasons (e.g. 1, 2)"): "1, 2"},
        locale="ko",
    )
    assert preview.embeds[0]["description"] == f"||{KO.t('seasons')}: 1, 2||"
    await press(world, result, KO.t("Post"), locale="ko")
    [message] = await world.announcements(1)
    assert message.request["embeds"][0]["description"] == f"||{KO.t('seasons')}: 1, 2||"

    public = await card(world, "character", "Han Gyeong-su", locale="ko")
    assert fields(public.embeds[0])[KO.t("Appears in")] == KO.t("Season {number}", number=1)
    await watched(world, world.fan, "s2")
    mine = await card(world, "character", "Han Gyeong-su", private=True, locale="ko")
    assert fields(mine.embeds[0])[KO.t("Appears in")] == ", ".join(
        KO.t("Season {number}", number=n) for n in (1, 2)
    )


# -- 3. a moderator's text: their spoilers stay spoilers, everything else is inert ---------------------------

UNCLOSED = "a ||spoiler|| mark is opened but never closed: add the closing ||, or remove it"


def sneaky_text(world: World, spoiler: str = "Cheong-san returns") -> str:
    role = world.guild.role("Moderators").id
    general = world.channel_id("general")
    return f"||{spoiler}|| @everyone <@&{role}> <#{general}> <t:0:R> **bold** [masked](https://x.y)"


def inert_text(world: World, spoiler: str = "Cheong-san returns") -> str:
    """`sneaky_text` as Discord must draw it: the spoiler kept, the rest shown as typed. A zero-width space
    after "@" and a backslash before "<" keep mentions, channel links and timestamps from resolving; escaped
    stars and an escaped bracket keep bold and the masked link from forming."""
    role = world.guild.role("Moderators").id
    general = world.channel_id("general")
    return (
        f"||{spoiler}|| @\u200beveryone \\<@\u200b&{role}> \\<#{general}> \\<t:0:R> \\*\\*bold\\*\\* "
        "\\[masked](https://x.y)"
    )


async def assert_pinged_only_the_role(world: World, message: StoredMessage) -> None:
    assert message.request["allowed_mentions"] == {"parse": [], "roles": [world.ping.id]}
    assert message.mention_everyone is False
    assert message.data["mention_roles"] == [str(world.ping.id)]
    assert message.data["mentions"] == []


async def test_a_moderators_spoiler_marks_stay_spoilers_and_the_rest_of_the_text_is_inert(
    world: World,
) -> None:
    await world.setup()
    result, preview = await manage(
        world,
        "season news",
        {"text": sneaky_text(world), "source": "https://e.x/1", "confidence": "reported"},
    )
    assert preview.embeds[0]["description"].startswith(inert_text(world) + "\n_reported_")
    await press(world, result, "Post")
    [message] = await world.announcements(1)
    assert message.request["embeds"][0]["description"].startswith(inert_text(world) + "\n_reported_")
    await assert_pinged_only_the_role(world, message)
    logged = await world.fake.wait_message(world.channel_id("mod-log"), lambda m: True)
    assert logged.request["allowed_mentions"] == {"parse": []}
    assert (logged.mention_everyone, logged.data["mention_roles"], logged.data["mentions"]) == (False, [], [])

    season, reply = await slash(world, "season", user=world.fan)
    assert fields(reply.embeds[0])["Latest news"].startswith(
        f"**{news_date(reply)}** — {inert_text(world)}\n"
    )
    assert season.original is not None
    opened = await world.fake.click(season.original, "timeline:2", user=world.fan)
    await opened.response()
    newest = await last_page(world, opened, world.fan)
    assert inert_text(world) in newest["description"]


@pytest.mark.parametrize(
    "text",
    [
        "https://netflix.com/tudum/aoad||Cheong-san returns||",
        "[Teaser](https://netflix.com/tudum/aoad||Cheong-san returns||)",
        "||Cheong-san returns, says https://netflix.com/tudum/aoad||",
    ],
)
async def test_a_spoiler_mark_glued_to_a_link_still_hides_the_spoiler(world: World, text: str) -> None:
    """Discord links an address up to the next space, bars and all: the bot keeps a mark off the link."""
    await world.setup()
    result, preview = await manage(
        world, "season news", {"text": text, "source": "https://e.x/1", "confidence": "reported"}
    )
    await press(world, result, "Post")
    [message] = await world.announcements(1)
    _, season = await slash(world, "season", user=world.fan)
    for markdown in (
        preview.embeds[0]["description"],
        message.request["embeds"][0]["description"],
        fields(season.embeds[0])["Latest news"],
    ):
        shown, hidden = spoiler_split(markdown)
        assert "Cheong-san returns" not in shown, markdown
        assert "Cheong-san returns" in hidden, markdown
        assert "https://netflix.com/tudum/aoad" in shown + hidden, markdown


async def last_page(world: World, opened: InteractionResult, user: Member) -> dict[str, Any]:
    """The last page of a paged reply (a timeline: the newest news), pressing Next as `user`."""
    message = opened.original
    assert message is not None
    while True:
        [next_button] = [
            b for row in message.components for b in row["components"] if b.get("label") == "Next"
        ]
        if next_button.get("disabled"):
            return dict(message.embeds[0])
        click = await world.fake.click(message, next_button["custom_id"], user=user)
        await click.response()
        assert click.original is not None
        message = click.original


def news_date(reply: Callback) -> str:
    """The date of the newest news on a /season card (today's, for news added without a date)."""
    latest = fields(reply.embeds[0])["Latest news"]
    return latest.split("**")[1]


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_in_korean_the_korean_text_is_drawn_the_same_way(world: World) -> None:
    await world.setup(language="ko")
    result, _ = await manage(
        world,
        "season news",
        {
            "text": sneaky_text(world),
            "text_ko": sneaky_text(world, "청산이 돌아온다"),
            "source": "https://e.x/1",
            "confidence": "reported",
        },
        locale="ko",
    )
    await press(world, result, KO.t("Post"), locale="ko")
    [message] = await world.announcements(1)
    assert message.request["embeds"][0]["description"].startswith(inert_text(world, "청산이 돌아온다") + "\n")
    await assert_pinged_only_the_role(world, message)
    _, reply = await slash(world, "season", user=world.fan, locale="ko")
    assert inert_text(world, "청산이 돌아온다") in fields(reply.embeds[0])[KO.t("Latest news")]


async def test_an_unclosed_spoiler_mark_is_refused_naming_the_field(world: World) -> None:
    _, reply = await manage(
        world,
        "season news",
        {"text": "Cheong-san ||returns", "source": "https://e.x/1", "confidence": "reported"},
    )
    assert reply.ephemeral
    assert reply.content == refused(at("`text`", UNCLOSED))
    _, reply = await edit_form(
        world,
        "character edit",
        {"name": "Choi Nam-ra", "part": "season2"},
        {"Text (empty removes it)": "Returns ||still a halfbie"},
    )
    assert reply.content == refused(at("**Text (empty removes it)**", UNCLOSED))
    assert await revision_count(world) == 0


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_in_korean_an_unclosed_spoiler_mark_is_refused_naming_the_field(world: World) -> None:
    _, reply = await manage(
        world,
        "season news",
        {"text": "ok", "text_ko": "청산이 ||돌아온다", "source": "https://e.x/1", "confidence": "reported"},
        locale="ko",
    )
    assert reply.content == refused(at(option_name("text_ko", KO), KO.t(UNCLOSED), KO), KO)
    _, reply = await edit_form(
        world,
        "character edit",
        {"name": "Choi Nam-ra", "part": "fate"},
        {KO.t("Text in Korean (optional)"): "||절비가 된다"},
        locale="ko",
    )
    assert reply.content == refused(at(f"**{KO.t('Text in Korean (optional)')}**", KO.t(UNCLOSED), KO), KO)
    assert await revision_count(world) == 0


# -- 4. confidence is never assumed; sources say where they lead ---------------------------------------------


async def test_a_character_added_without_a_confidence_is_saved_unconfirmed_and_the_preview_says_so(
    world: World,
) -> None:
    await world.setup()
    result, preview = await manage(
        world, "character add", {"name": "Ma-ru Jr", "description": "A freshman", "source": "https://e.x/1"}
    )
    assert EN.t(ASSUMED, what="who they are", confidence="unconfirmed") in (preview.content or "")
    assert preview.embeds[0]["description"].startswith("A freshman\n_unconfirmed_ · ")
    await press(world, result, "Post")
    [message] = await world.announcements(1)
    assert "A freshman\n_unconfirmed_ · " in announced(message)
    assert (await stored_character(world, "ma-ru-jr")).profile.confidence == "unconfirmed"
    shown = await card(world, "character", "Ma-ru Jr")
    assert shown.embeds[0]["description"].startswith("A freshman\n_unconfirmed_ · ")


async def test_a_stage_set_without_a_confidence_is_saved_unconfirmed_and_the_preview_says_so(
    world: World,
) -> None:
    result, preview = await manage(world, "season stage", {"stage": "filming", "source": "https://e.x/1"})
    assert EN.t(ASSUMED, what="the stage", confidence="unconfirmed") in (preview.content or "")
    await press(world, result, "Save without announcing")
    assert (await stored_season(world)).stage_fact.confidence == "unconfirmed"
    _, shown = await slash(world, "season", user=world.fan)
    assert fields(shown.embeds[0])["Stage"].startswith("Filming\n_unconfirmed_ · ")


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_in_korean_the_preview_says_no_confidence_was_chosen(world: World) -> None:
    _, preview = await manage(
        world,
        "character add",
        {"name": "Ma-ru Jr", "description": "A freshman", "source": "https://e.x/1"},
        locale="ko",
    )
    assert KO.t(ASSUMED, what=KO.t("who they are"), confidence=KO.t("unconfirmed")) in (preview.content or "")
    _, preview = await manage(
        world, "season stage", {"stage": "filming", "source": "https://e.x/1"}, locale="ko"
    )
    assert KO.t(ASSUMED, what=KO.t("the stage"), confidence=KO.t("unconfirmed")) in (preview.content or "")


async def test_two_links_are_two_sources_each_named_after_its_own_site(world: World) -> None:
    await world.setup()
    result, preview = await manage(
        world,
        "character add",
        {
            "name": "Ma-ru Jr",
            "description": "A freshman",
            "source": "https://a.example/x, https://b.example/y",
            "confidence": "reported",
        },
    )
    links = "[a.example](https://a.example/x); [b.example](https://b.example/y)"
    assert preview.embeds[0]["description"] == f"A freshman\n_reported_ · {links}"
    await press(world, result, "Post")
    [message] = await world.announcements(1)
    assert message.request["embeds"][0]["description"] == f"A freshman\n_reported_ · {links}"
    assert (await stored_character(world, "ma-ru-jr")).profile.sources == (
        Source(name="a.example", url="https://a.example/x"),
        Source(name="b.example", url="https://b.example/y"),
    )
    shown = await card(world, "character", "Ma-ru Jr")
    assert shown.embeds[0]["description"].endswith(links)


@pytest.mark.usefixtures("korean_catalogue_is_complete")
@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_a_source_named_after_another_site_than_its_link_is_refused_naming_both(
    world: World, locale: str
) -> None:
    lang = Lang.of(locale)
    for subcommand, options in (
        ("character add", {"name": "Ma-ru Jr", "description": "A freshman"}),
        ("season stage", {"stage": "filming"}),
        ("season news", {"text": "Filming wrapped", "confidence": "reported"}),
    ):
        _, reply = await manage(
            world, subcommand, {**options, "source": "bbc.com, https://evil.example/x"}, locale=locale
        )
        problem = lang.t(
            "the name “{name}” names {named}, but the link goes to {host}",
            name="bbc.com",
            named="bbc.com",
            host="evil.example",
        )
        assert reply.content == refused(at(option_name("source", lang), problem, lang), lang), subcommand
    assert await revision_count(world) == 0


@pytest.mark.usefixtures("korean_catalogue_is_complete")
@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_a_publication_without_a_date_or_link_is_refused_with_an_example(
    world: World, locale: str
) -> None:
    lang = Lang.of(locale)
    _, reply = await manage(
        world,
        "character add",
        {"name": "Ma-ru Jr", "description": "A freshman", "source": "Variety"},
        locale=locale,
    )
    problem = lang.t(
        "“{source}” needs a link, or the date it was published (e.g. {example}).",
        source="Variety",
        example="Variety, 2026-11-20",
    )
    assert reply.content == refused(at(option_name("source", lang), problem, lang), lang)
    _, reply = await edit_form(
        world,
        "character edit",
        {"name": "Choi Nam-ra", "part": "fate"},
        {lang.t("Sources, one per line: link, or name, date"): "deadline.com"},
        locale=locale,
    )
    problem = lang.t(
        "“{source}” needs a link, or the date it was published (e.g. {example}).",
        source="deadline.com",
        example="deadline.com, 2026-11-20",
    )
    field = f"**{lang.t('Sources, one per line: link, or name, date')}**"
    assert reply.content == refused(at(field, problem, lang), lang)
    assert await revision_count(world) == 0


# -- 5. a name leads to one entry ----------------------------------------------------------------------------

CLASH = (
    "“{name}” is already a name of {other} ({kind}): a name can lead to one entry only. Choose another name, or "
    "change {other} first."
)
CLASH_VIA_ACTOR = (
    "“{name}” already leads to {other} ({kind}), whose actor {related} goes by it: a name can lead to one entry "
    "only. Choose another name."
)
CLASH_VIA_ROLE = (
    "“{name}” already leads to {other} ({kind}), who plays {related}: a name can lead to one entry only. Choose "
    "another name."
)


def clash(
    name: str, other: str, kind: str, lang: Lang = EN, *, via: str | None = None, related: str = ""
) -> str:
    """The refusal of a name another entry goes by (its own name, or its actor's or character's)."""
    template = {None: CLASH, "actor": CLASH_VIA_ACTOR, "role": CLASH_VIA_ROLE}[via]
    return lang.t(template, name=name, other=other, kind=lang.t(kind), related=related)


async def assert_the_readme_examples_still_work(world: World) -> None:
    owner = world.guild.member("server-owner")
    for typed in ("namra", "최남라"):
        shown = await card(world, "character", typed, user=owner)
        assert shown.embeds[0]["title"] == "Choi Nam-ra (최남라)", typed
    shown = await card(world, "cast", "Lomon", user=owner)
    assert shown.embeds[0]["title"] == "Lomon (로몬)"
    shown = await card(world, "character", "Lomon", user=owner)
    assert shown.embeds[0]["title"] == "Lee Su-hyeok (이수혁)"


@pytest.mark.parametrize(
    ("subcommand", "options", "problem"),
    [
        (
            "character add",
            {"name": "Ma-ru Jr", "description": "A freshman", "aliases": "Namra"},
            at("`aliases`", clash("Namra", "Choi Nam-ra", "character")),
        ),
        (
            "character add",
            {"name": "Ma-ru Jr", "description": "A freshman", "hangul": "최남라"},
            at("`hangul`", clash("최남라", "Choi Nam-ra", "character")),
        ),
        (
            "cast add",
            {"name": "Choi Nam-ra"},
            at(
                "`name`",
                clash("Choi Nam-ra", "Cho Yi-hyun", "cast member", via="role", related="Choi Nam-ra"),
            ),
        ),
        (
            "character add",
            {"name": "Lomon", "description": "A freshman"},
            at("`name`", clash("Lomon", "Lee Su-hyeok", "character", via="actor", related="Lomon")),
        ),
    ],
    ids=["alias", "hangul", "cast-member-named-like-a-character", "character-named-like-an-actor"],
)
async def test_a_name_another_entry_goes_by_is_refused_naming_it_and_nothing_is_saved(
    world: World, subcommand: str, options: dict[str, str], problem: str
) -> None:
    before = await world.bot.store.catalog(world.guild.id)
    _, reply = await manage(world, subcommand, {**options, "source": "https://e.x/1"})
    assert reply.ephemeral
    assert reply.content == refused(problem)
    after = await world.bot.store.catalog(world.guild.id)
    assert (after.characters, after.people) == (before.characters, before.people)
    assert await revision_count(world) == 0
    await assert_the_readme_examples_still_work(world)


async def test_a_form_that_gives_a_name_another_entry_goes_by_is_refused_too(world: World) -> None:
    _, reply = await edit_form(
        world,
        "character edit",
        {"name": "Lee Cheong-san"},
        {"Aliases (comma-separated)": "Cheong-san, Namra"},
    )
    assert reply.content == refused(
        at("**Aliases (comma-separated)**", clash("Namra", "Choi Nam-ra", "character"))
    )
    _, reply = await edit_form(world, "cast edit", {"name": "Park Ji-hu"}, {"Name": "Lomon"})
    # Park Ji-hu would be a second "Lomon": the refusal names the other one by its key too.
    assert reply.content == refused(at("**Name**", clash("Lomon", "Lomon (key `lomon`)", "cast member")))
    assert await revision_count(world) == 0
    await assert_the_readme_examples_still_work(world)


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_in_korean_a_name_clash_is_refused_naming_the_other_entry(world: World) -> None:
    _, reply = await manage(
        world,
        "character add",
        {"name": "Ma-ru Jr", "description": "A freshman", "aliases": "Namra", "source": "https://e.x/1"},
        locale="ko",
    )
    problem = at(option_name("aliases", KO), clash("Namra", "최남라 (Choi Nam-ra)", "character", KO), KO)
    assert reply.content == refused(problem, KO)
    _, reply = await manage(
        world, "cast add", {"name": "Choi Nam-ra", "source": "https://e.x/1"}, locale="ko"
    )
    problem = at(
        option_name("name", KO),
        clash(
            "Choi Nam-ra",
            "조이현 (Cho Yi-hyun)",
            "cast member",
            KO,
            via="role",
            related="최남라 (Choi Nam-ra)",
        ),
        KO,
    )
    assert reply.content == refused(problem, KO)
    assert await revision_count(world) == 0


async def test_a_full_hangul_name_not_in_the_data_opens_no_card(world: World) -> None:
    reply = await card(world, "character", "박지수")
    assert reply.ephemeral
    assert reply.embeds == []
    assert (reply.content or "").startswith("I couldn't find a character called “박지수”.")
    # It may suggest the character of the actor whose name is one syllable away, but only as a button.
    assert all(b["custom_id"].startswith("open:") for row in reply.components for b in row["components"])
    reply = await card(world, "cast", "박지수")
    assert reply.embeds == []
    assert (reply.content or "").startswith("I couldn't find a cast member called “박지수”.")
    shown = await card(world, "character", "박지후")  # the actor's own Hangul name still finds her role
    assert shown.embeds[0]["title"] == "Nam On-jo (남온조)"


# -- 6. stages and release dates -----------------------------------------------------------------------------


async def test_a_stage_without_a_note_reads_as_a_sentence_and_saying_it_again_changes_nothing(
    world: World,
) -> None:
    await world.setup()
    result, preview = await manage(
        world, "season stage", {"stage": "filming", "source": "https://e.x/1", "confidence": "reported"}
    )
    assert preview.embeds[0]["description"].startswith("Season 2 is filming\n_reported_")
    await press(world, result, "Post")
    [message] = await world.announcements(1)
    assert message.request["embeds"][0]["description"].startswith("Season 2 is filming\n_reported_")
    _, shown = await slash(world, "season", user=world.fan)
    assert fields(shown.embeds[0])["Stage"].startswith("Filming\n_reported_")

    _, again = await manage(
        world, "season stage", {"stage": "filming", "source": "https://e.x/1", "confidence": "reported"}
    )
    assert again.ephemeral
    assert again.content == "Nothing changed: Season 2 is filming, with the same sources."
    _, again = await manage(world, "season stage", {"stage": "filming", "source": "https://e.x/1"})
    assert again.content == "Nothing changed: Season 2 is filming, with the same sources."
    assert await revision_count(world) == 1


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_in_korean_the_stage_sentence_and_nothing_changed_are_korean(world: World) -> None:
    await world.setup(language="ko")
    filming = KO.t("Season {season} is filming", season=2)
    result, preview = await manage(
        world, "season stage", {"stage": "filming", "source": "https://e.x/1"}, locale="ko"
    )
    assert preview.embeds[0]["description"].startswith(filming + "\n")
    await press(world, result, KO.t("Post"), locale="ko")
    [message] = await world.announcements(1)
    assert message.request["embeds"][0]["description"].startswith(filming + "\n")
    assert (await stored_season(world)).stage_fact.text_ko == filming

    _, again = await manage(
        world, "season stage", {"stage": "filming", "source": "https://e.x/1"}, locale="ko"
    )
    assert again.content == KO.t("Nothing changed: {sentence}, with the same sources.", sentence=filming)
    assert await revision_count(world) == 1


@pytest.mark.usefixtures("korean_catalogue_is_complete")
@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_a_season_cannot_premiere_before_the_one_before_it(world: World, locale: str) -> None:
    lang = Lang.of(locale)
    _, reply = await manage(
        world, "season release-date", {"date": "2020-01-01", "source": "https://e.x/1"}, locale=locale
    )
    assert reply.ephemeral
    problem = lang.t(
        "Season {later} can't premiere {when}: Season {earlier} premiered {first}, and a season comes out after "
        "the one before it.",
        later=2,
        when="1 January 2020" if lang.code == "en" else "2020년 1월 1일",
        earlier=1,
        first="28 January 2022" if lang.code == "en" else "2022년 1월 28일",
    )
    assert reply.content == refused(at(option_name("date", lang), problem, lang), lang)
    assert (await stored_season(world)).release is None
    assert await revision_count(world) == 0


async def test_an_exact_release_date_offers_to_set_the_stage_too_in_one_revision(world: World) -> None:
    await world.setup()
    result, preview = await manage(
        world,
        "season release-date",
        {"date": "2027-03-05 17:00 KST", "source": "https://about.netflix.com/x", "confidence": "confirmed"},
    )
    assert labels(preview) == [
        "Post",
        "Save without announcing",
        "Cancel",
        "Also set the stage: release date set",
    ]
    both = await press(world, result, "Also set the stage: release date set")
    assert "The stage is set too: post-production → release date set." in (both.content or "")
    assert (
        both.embeds[0]["title"] == "Season 2 release date: 5 March 2027, 17:00 (UTC+09:00) (release date set)"
    )
    assert "Season 2 has a release date" in both.embeds[0]["description"]
    assert labels(both) == ["Post", "Save without announcing", "Cancel"]
    done = await press(world, result, "Post")
    assert (done.content or "").startswith("📣 Saved as revision #1 and queued for")

    season = await stored_season(world)
    assert (season.release, season.stage.value) == ("2027-03-05T17:00:00+09:00", "release-date-set")
    assert await revision_count(world) == 1
    [message] = await world.announcements(1)
    assert message.request["embeds"][0]["title"] == both.embeds[0]["title"]
    _, history = await manage(world, "history", {"entry": "season:2"})
    [entry] = history.embeds[0]["fields"]
    assert entry["name"] == "#1 · season:2"
    assert entry["value"].startswith(both.embeds[0]["title"] + "\nby moderator")
    assert "`release`: ~~∅~~ → 2027-03-05T17:00:00+09:00" in entry["value"]


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_in_korean_the_offer_to_set_the_stage_too_is_korean(world: World) -> None:
    await world.setup(language="ko")
    result, preview = await manage(
        world,
        "season release-date",
        {"date": "2027-03-05 17:00 KST", "source": "https://about.netflix.com/x", "confidence": "confirmed"},
        locale="ko",
    )
    offer = KO.t("Also set the stage: {stage}", stage=KO.t("Release date set"))
    assert labels(preview) == [KO.t("Post"), KO.t("Save without announcing"), KO.t("Cancel"), offer]
    both = await press(world, result, offer, locale="ko")
    stage_too = KO.t(
        "The stage is set too: {before} → {after}.",
        before=KO.t("Post-production"),
        after=KO.t("Release date set"),
    )
    assert stage_too in (both.content or "")
    await press(world, result, KO.t("Post"), locale="ko")
    [message] = await world.announcements(1)
    assert KO.t("Season {season} has a release date", season=2) in message.request["embeds"][0]["description"]
    assert await revision_count(world) == 1


# -- 7. revert -----------------------------------------------------------------------------------------------


def with_season_three(document: dict[str, Any]) -> dict[str, Any]:
    """An exported file with a Season 3 added (seasons can be created only by an import)."""
    changed = copy.deepcopy(document)
    three = copy.deepcopy(next(s for s in document["seasons"] if s["number"] == 2))
    three.update(number=3, stage="announced", release=None, release_fact=None, facts=[])
    changed["seasons"].append(three)
    return changed


async def test_reverting_a_revision_whose_entry_was_edited_since_names_the_later_revisions(
    world: World,
) -> None:
    owner = world.guild.member("server-owner")
    await save_stage(world, "filming", "https://e.x/1")
    await save_stage(world, "released", "https://e.x/2", owner)
    await save_stage(world, "released", "https://e.x/3")
    result, preview = await manage(world, "revert", {"revision": 1})
    assert (
        "⚠️ This also undoes what later revisions changed in the same entries: #2 (server-owner), #3 (moderator). "
        "Check them in `/manage history` first."
    ) in (preview.content or "")
    assert preview.embeds[0]["description"].startswith("**Stage:** post-production\n")
    await press(world, result, "Save without announcing")
    assert (await stored_season(world)).stage.value == "post-production"


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_in_korean_the_later_revisions_are_named_too(world: World) -> None:
    await save_stage(world, "filming", "https://e.x/1")
    await save_stage(world, "released", "https://e.x/2", world.guild.member("server-owner"))
    _, preview = await manage(world, "revert", {"revision": 1}, locale="ko")
    later = KO.t(
        "⚠️ This also undoes what later revisions changed in the same entries: {later}. Check them in "
        "`/manage history` first.",
        later="#2 (server-owner)",
    )
    assert later in (preview.content or "")


@pytest.mark.usefixtures("korean_catalogue_is_complete")
@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_reverting_a_revision_already_undone_says_so(world: World, locale: str) -> None:
    lang = Lang.of(locale)
    await save_stage(world, "filming", "https://e.x/1")
    result, _ = await manage(world, "revert", {"revision": 1})
    await press(world, result, "Save without announcing")
    _, again = await manage(world, "revert", {"revision": 1}, locale=locale)
    assert again.ephemeral
    assert again.content == lang.t(
        "Nothing to revert: #{number} was already undone by {by}, and its entries are still as they were "
        "before it.",
        number=1,
        by="#2 (moderator)",
    )
    # Changed again since: it can be reverted again, and the preview says it was undone once already.
    await save_stage(world, "released", "https://e.x/3")
    _, preview = await manage(world, "revert", {"revision": 1}, locale=locale)
    assert lang.t(
        "⚠️ #{number} was already undone by {by}: reverting it again puts back what it did.",
        number=1,
        by="#2 (moderator)",
    ) in (preview.content or "")
    assert await revision_count(world) == 3


async def test_undoing_an_import_shows_what_changes_field_by_field(world: World) -> None:
    document = await export_document(world)
    edited = copy.deepcopy(document)
    character_in(edited, "choi-nam-ra")["profile"]["text"] = "Class president, top of the year"
    next(s for s in edited["seasons"] if s["number"] == 2)["stage"] = "filming"
    await apply_import(world, edited)
    assert (await stored_season(world)).stage.value == "filming"

    result, preview = await manage(world, "revert", {"revision": 1})
    assert preview.ephemeral
    assert (preview.content or "").startswith(
        "**Preview.** This undoes revision #1 whole, as one new revision. Nothing changes until you press "
        "**Apply**, and nothing is announced."
    )
    embed = preview.embeds[0]
    assert embed["title"] == "0 added, 2 changed, 0 removed"
    assert embed["description"] == (
        "✏️ **Choi Nam-ra**\n**Who they are:** Class president of 2-5, top of the year\n"
        "_confirmed_ · All of Us Are Dead, Season 1 (Netflix), 2022-01-28\n"
        "✏️ **Season 2**\n**Stage:** post-production"
    )
    assert fields(embed) == {
        "Characters: 1 changed": "Choi Nam-ra (who they are)",
        "Seasons: 1 changed": "Season 2 (stage)",
    }
    assert labels(preview) == ["Apply", "Cancel"]
    await press(world, result, "Apply")
    assert (await stored_season(world)).stage.value == "post-production"
    assert (
        await stored_character(world, "choi-nam-ra")
    ).profile.text == "Class president of 2-5, top of the year"


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_in_korean_undoing_an_import_shows_what_changes_field_by_field(world: World) -> None:
    document = await export_document(world)
    edited = copy.deepcopy(document)
    next(s for s in edited["seasons"] if s["number"] == 2)["stage"] = "filming"
    await apply_import(world, edited)
    _, preview = await manage(world, "revert", {"revision": 1}, locale="ko")
    embed = preview.embeds[0]
    assert embed["title"] == KO.t(
        "{added} added, {changed} changed, {removed} removed", added=0, changed=1, removed=0
    )
    season = KO.t("Season {number}", number=2)
    stage = KO.t("stage")
    assert embed["description"] == f"✏️ **{season}**\n**{stage}:** {KO.t('Post-production')}"


async def test_a_revert_that_would_bring_back_news_of_a_season_no_longer_there_is_refused(
    world: World,
) -> None:
    document = await export_document(world)
    await apply_import(world, with_season_three(document))  # 1: Season 3 is added
    result, _ = await manage(
        world,
        "season news",
        {"text": "Season 3 rumoured", "source": "https://e.x/3", "confidence": "unconfirmed", "season": 3},
    )
    await press(world, result, "Save without announcing")  # 2: its news
    result, _ = await manage(world, "revert", {"revision": 2})
    await press(world, result, "Save without announcing")  # 3: the news is removed again
    await apply_import(world, document)  # 4: Season 3 is gone
    assert (await stored_season(world)).number == 2
    assert (await world.bot.store.catalog(world.guild.id)).season(3) is None
    revision = await world.bot.store.revision(world.guild.id, 2)
    assert revision is not None

    news = revision.after
    assert isinstance(news, NewsItem)
    _, reply = await manage(world, "revert", {"revision": 3})
    assert reply.ephemeral
    assert reply.content == refused(no_season_three(news, EN))
    _, reply = await manage(world, "revert", {"revision": 3}, locale="ko")
    assert reply.content == refused(no_season_three(news, KO), KO)
    assert await revision_count(world) == 4
    assert all(n.season != 3 for n in (await world.bot.store.catalog(world.guild.id)).news)


def no_season_three(news: NewsItem, lang: Lang) -> str:
    """The refusal of a change that would leave a news item of Season 3 without Season 3, named in words."""
    where = f"**{lang.t('Season {season} news of {date}', season=news.season, date=news.date)}** ({lang.t('season')})"
    problem = lang.t(
        "there is no Season {number} in the data: a news item belongs to a season there (restore or import the "
        "season first)",
        number=3,
    )
    return at(where, problem, lang)


async def test_undoing_an_import_that_would_bring_back_news_of_a_season_no_longer_there_is_refused(
    world: World,
) -> None:
    document = await export_document(world)
    three = with_season_three(document)
    news = copy.deepcopy(document["news"][-1])
    news.update(key="s3-rumoured", season=3, text="Season 3 rumoured", text_ko=None)
    with_news = copy.deepcopy(three)
    with_news["news"].append(news)
    await apply_import(world, with_news)  # 1: Season 3 and its news
    await apply_import(world, three)  # 2: the news is removed
    await apply_import(world, document)  # 3: Season 3 is removed
    _, reply = await manage(world, "revert", {"revision": 2})
    restored = msgspec.convert(news, type=NewsItem)
    assert reply.content == refused(no_season_three(restored, EN))
    assert await revision_count(world) == 3


# -- 8. an edit keeps what it does not touch -----------------------------------------------------------------

NOTE = "Checked against the episode credits"


async def with_noted_sources(world: World) -> None:
    """Give every source of Choi Nam-ra's facts a note, as only a file can (the forms show no notes)."""
    document = await export_document(world)
    nam_ra = character_in(document, "choi-nam-ra")
    for part in ("profile", "fate", "season2"):
        for source in nam_ra[part]["sources"]:
            source["note"] = NOTE
    await apply_import(world, document)
    stored = await stored_character(world, "choi-nam-ra")
    assert stored.fate is not None
    assert {s.note for s in stored.fate.sources} == {NOTE}


def replace(struct: Any, **changes: Any) -> Any:
    return msgspec.structs.replace(struct, **changes)


FORM_EDITS: list[tuple[str, dict[str, str], str, str, Any]] = [
    (
        "character edit",
        {"name": "Choi Nam-ra"},
        "Aliases (comma-separated)",
        "Nam-ra, Namra, Class president",
        lambda c: replace(c, aliases=("Nam-ra", "Namra", "Class president")),
    ),
    (
        "character edit",
        {"name": "Choi Nam-ra", "part": "profile"},
        "Text",
        "Class president of 2-5",
        lambda c: replace(c, profile=replace(c.profile, text="Class president of 2-5")),
    ),
    (
        "character edit",
        {"name": "Choi Nam-ra", "part": "fate"},
        "Confidence: confirmed, reported, unconfirmed",
        "reported",
        lambda c: replace(c, fate=replace(c.fate, confidence="reported")),
    ),
    (
        "character edit",
        {"name": "Choi Nam-ra", "part": "season2"},
        "Text in Korean (optional)",
        "시즌 2에 절비로 돌아온다",
        lambda c: replace(c, season2=replace(c.season2, text_ko="시즌 2에 절비로 돌아온다")),
    ),
]


@pytest.mark.usefixtures("korean_catalogue_is_complete")
@pytest.mark.parametrize("locale", ["en-US", "ko"])
@pytest.mark.parametrize(
    ("subcommand", "options", "label", "value", "expected"),
    FORM_EDITS,
    ids=["identity", "profile", "fate", "season2"],
)
async def test_a_form_changes_exactly_the_field_that_was_changed(
    world: World, locale: str, subcommand: str, options: dict[str, str], label: str, value: str, expected: Any
) -> None:
    await with_noted_sources(world)
    before = await stored_character(world, "choi-nam-ra")
    lang = Lang.of(locale)
    result, preview = await edit_form(world, subcommand, options, {lang.t(label): value}, locale=locale)
    assert labels(preview)[:2] == [lang.t("Post"), lang.t("Save without announcing")], preview.content
    await press(world, result, lang.t("Save without announcing"), locale=locale)
    assert await stored_character(world, "choi-nam-ra") == expected(before)


@pytest.mark.usefixtures("korean_catalogue_is_complete")
@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_a_source_line_left_as_it_was_keeps_its_note_when_another_is_added(
    world: World, locale: str
) -> None:
    await with_noted_sources(world)
    before = await stored_character(world, "choi-nam-ra")
    assert before.fate is not None
    lang = Lang.of(locale)
    modal = await open_form(world, "character edit", {"name": "Choi Nam-ra", "part": "fate"}, locale=locale)
    label = lang.t("Sources, one per line: link, or name, date")
    shown = form_field(modal, label)[1]
    assert shown == sources_text(before.fate.sources)
    result, _ = await submit(world, modal, {label: f"{shown}\nhttps://e.x/halfbie"}, locale=locale)
    await press(world, result, lang.t("Save without announcing"), locale=locale)
    added = Source(name="e.x", url="https://e.x/halfbie")
    assert await stored_character(world, "choi-nam-ra") == replace(
        before, fate=replace(before.fate, sources=(*before.fate.sources, added))
    )


@pytest.mark.usefixtures("korean_catalogue_is_complete")
@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_the_cast_member_form_changes_exactly_the_field_that_was_changed(
    world: World, locale: str
) -> None:
    lang = Lang.of(locale)
    before = await stored_person(world, "lomon")
    result, _ = await edit_form(
        world,
        "cast edit",
        {"name": "Lomon"},
        {lang.t("Other spellings (comma-separated)"): "Park Solomon, Lo Mon"},
        locale=locale,
    )
    await press(world, result, lang.t("Save without announcing"), locale=locale)
    assert await stored_person(world, "lomon") == replace(before, variants=("Park Solomon", "Lo Mon"))
    role = (await world.bot.store.catalog(world.guild.id)).character("lee-su-hyeok")
    assert role == (await world.bot.store.catalog(None)).character("lee-su-hyeok")


# -- 9. freshness --------------------------------------------------------------------------------------------


async def stale_note(world: World, lang: Lang) -> str:
    """What /season and /about say of data whose newest fact is more than 90 days old."""
    newest = (await world.bot.store.catalog(world.guild.id)).newest_date()
    assert newest is not None
    assert dt.datetime.now(dt.UTC).date() - newest > dt.timedelta(days=90), (
        f"the bundled pack's newest fact ({newest}) is less than 90 days old, so its data is not stale yet"
    )
    stamp = int(dt.datetime(newest.year, newest.month, newest.day, 12, tzinfo=dt.UTC).timestamp())
    return lang.t(STALE, date=f"<t:{stamp}:D>", ago=f"<t:{stamp}:R>")


@pytest.mark.usefixtures("korean_catalogue_is_complete")
@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_old_data_says_there_may_be_newer_news_until_a_moderator_saves_something(
    world: World, locale: str
) -> None:
    lang = Lang.of(locale)
    note = await stale_note(world, lang)
    _, season = await slash(world, "season", user=world.fan, locale=locale)
    assert season.embeds[0]["description"] == note
    _, about = await slash(world, "about", user=world.fan, locale=locale)
    assert fields(about.embeds[0])[lang.t("Data")].endswith("\n" + note)

    await save_stage(world, "filming", "https://e.x/1")
    _, season = await slash(world, "season", user=world.fan, locale=locale)
    assert "description" not in season.embeds[0]
    _, about = await slash(world, "about", user=world.fan, locale=locale)
    data = fields(about.embeds[0])[lang.t("Data")]
    assert "⚠️" not in data
    assert lang.t("Last updated by this server's moderators {when}", when="") in data


async def test_a_revert_clashing_with_an_entry_of_the_same_name_names_it_by_its_key(world: World) -> None:
    await world.setup()
    added = {
        "name": "Kim Min",
        "description": "A freshman",
        "source": "https://e.x/1",
        "confidence": "reported",
    }
    result, _ = await manage(world, "character add", added)
    await press(world, result, "Save without announcing")
    result, _ = await manage(world, "character remove", {"name": "Kim Min"})
    await press(world, result, "Save without announcing")
    result, _ = await manage(world, "character add", {**added, "description": "Another freshman"})
    await press(world, result, "Save without announcing")
    keys = [c.key for c in (await world.bot.store.catalog(world.guild.id)).characters if c.name == "Kim Min"]
    [newer] = keys
    _, reply = await manage(world, "revert", {"revision": 2})
    # Both are "Kim Min": only the key says which one stands in the way.
    assert f"is already a name of Kim Min (key `{newer}`) (character)" in (reply.content or ""), reply.content


async def test_a_release_day_already_past_offers_the_released_stage(world: World) -> None:
    await world.setup()
    _, preview = await manage(
        world,
        "season release-date",
        {"date": "2024-05-01", "source": "https://about.netflix.com/x", "confidence": "confirmed"},
    )
    assert labels(preview)[-1] == "Also set the stage: released", preview.content


async def test_removing_an_actor_of_many_roles_names_a_few_within_discords_limit(world: World) -> None:
    document = await export_document(world)
    template = character_in(document, "ju-ran")
    actor = next(p for p in document["people"] if p["key"] == template["actor"])
    for number in range(40):
        role = {**template, "key": f"role-{number}", "name": f"Role {number} " + "x" * 80, "aliases": []}
        role.pop("hangul", None)
        document["characters"].append(role)
    await apply_import(world, document)
    _, refused = await manage(world, "cast remove", {"name": actor["name"]})
    content = refused.content or ""
    assert "and 31 more characters" in content, content
    assert len(content) <= 2000


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_in_korean_a_same_named_entry_is_told_apart_by_key_in_korean(world: World) -> None:
    await world.setup()
    _, reply = await manage(
        world,
        "character add",
        {"name": "Choi Nam-ra", "description": "d", "source": "https://e.x/1"},
        locale="ko",
    )
    other = KO.t("{name} (key `{key}`)", name="최남라 (Choi Nam-ra)", key="choi-nam-ra")
    assert other == "최남라 (Choi Nam-ra) (키 `choi-nam-ra`)"
    problem = at(option_name("name", KO), clash("Choi Nam-ra", other, "character", KO), KO)
    assert reply.content == refused(problem, KO)


@pytest.mark.parametrize("link", ["https://:80/article", "https://;/x", "https://*/x", "https://\u3164/x"])
async def test_a_link_without_a_site_name_is_refused_when_typed(world: World, link: str) -> None:
    _, preview = await manage(
        world, "season news", {"text": "Teaser poster", "source": link, "confidence": "reported"}
    )
    assert "has no site name after the //" in (preview.content or ""), preview.content
    assert await revision_count(world) == 0


def plain_view(message: Mapping[str, Any] | Callback) -> str:
    """Everything a message shows without a spoiler pressed: its title and footer, and the plain parts of
    its content, description and fields."""
    if isinstance(message, Callback):
        message = {"content": message.content, "embeds": message.embeds}
    shown = [str(message.get("content") or "")]
    for embed in message.get("embeds") or []:
        shown += [str(embed.get("title") or ""), str((embed.get("footer") or {}).get("text") or "")]
        for markdown in [str(embed.get("description") or "")] + [
            part for item in embed.get("fields") or [] for part in (item["name"], item["value"])
        ]:
            shown.append(spoiler_split(markdown)[0])
    return "\n".join(shown)


async def test_someone_new_playing_a_season_one_character_is_season_two_news_everywhere(world: World) -> None:
    await world.setup(threads=True)
    result, preview = await manage(
        world, "cast add", {"name": "Kim New", "source": "https://e.x/1", "plays": "Han Gyeong-su"}
    )
    assert "Han Gyeong-su" not in preview.embeds[0]["title"]
    await press(world, result, "Post")
    [message] = await world.announcements(1)
    thread = await world.fake.wait_request("POST", "/channels/{channel_id}/messages/{message_id}/threads")
    assert "Gyeong-su" not in thread.json["name"]
    assert "Gyeong-su" not in plain_view(message.request)
    # Who played him in Season 1 stays; the new actor is his Season 2 news, with the casting's source.
    gyeong_su = await stored_character(world, "han-gyeong-su")
    assert (gyeong_su.actor, gyeong_su.season2_actor) == ("ham-sung-min", "kim-new")
    assert gyeong_su.season2 is not None
    assert gyeong_su.season2.spoiler == "s2"
    assert [s.url for s in gyeong_su.season2.sources] == ["https://e.x/1"]
    assert await revision_count(world) == 1

    for command, name, secret in (
        ("character", "Han Gyeong-su", "Kim New"),
        ("cast", "Kim New", "Gyeong-su"),
    ):
        reply = await card(world, command, name)
        assert secret not in plain_view(reply), reply.embeds
        assert any("Season 2" in label for label in labels(reply)), labels(reply)
    assert fields((await card(world, "character", "Han Gyeong-su")).embeds[0])["Played by"].startswith(
        "Ham Sung-min"
    )
    _, pages = await slash(world, "cast", user=world.fan)
    assert "Gyeong-su" not in plain_view(pages)

    await watched(world, world.fan, "s2")
    shown = fields((await card(world, "character", "Han Gyeong-su", private=True)).embeds[0])
    assert shown["Season 2"].startswith("Played by Kim New from Season 2 on\nKim New plays Han Gyeong-su")
    mine = await card(world, "cast", "Kim New", private=True)
    assert fields(mine.embeds[0])["As Han Gyeong-su (한경수) (from Season 2)"].startswith("Kim New plays")

    # One action, one revision: undoing it undoes both, quietly.
    result, preview = await manage(world, "revert", {"revision": 1})
    assert "Apply" in labels(preview)
    await press(world, result, "Apply")
    gyeong_su = await stored_character(world, "han-gyeong-su")
    assert (gyeong_su.actor, gyeong_su.season2_actor, gyeong_su.season2) == ("ham-sung-min", None, None)
    assert (await world.bot.store.catalog(world.guild.id)).person("kim-new") is None


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_reverting_a_hidden_change_announces_it_hidden_in_the_servers_language(world: World) -> None:
    await world.setup(threads=True, language="ko")
    result, _ = await edit_form(
        world,
        "character edit",
        {"name": "Han Gyeong-su", "part": "season2"},
        {
            KO.t("Text (empty removes it)"): SEASON2_NEWS,
            KO.t("Sources, one per line: link, or name, date"): "https://news.example/s2",
        },
        locale="ko",
    )
    await press(world, result, KO.t("Save without announcing"), locale="ko")
    result, _ = await manage(world, "revert", {"revision": 1}, locale="ko")
    await press(world, result, KO.t("Post"), locale="ko")
    [message] = await world.announcements(1)
    title = message.request["embeds"][0]["title"]
    assert title == KO.t("Reverted: {name}", name="Han Gyeong-su"), title
    assert SEASON2_NEWS not in plain_view(message.request)
    assert KO.t("Season 2") not in plain_view(message.request)
    thread = await world.fake.wait_request("POST", "/channels/{channel_id}/messages/{message_id}/threads")
    assert thread.json["name"] == title


async def test_changing_a_season_one_characters_actor_in_the_form_says_where_a_recast_goes(
    world: World,
) -> None:
    await world.setup()
    result, _ = await manage(world, "cast add", {"name": "Kim New", "source": "https://e.x/1"})
    await press(world, result, "Save without announcing")
    _, preview = await edit_form(
        world,
        "character edit",
        {"name": "Han Gyeong-su"},
        {"Actor (name or key; empty for none)": "Kim New"},
    )
    assert "use `/manage cast add plays:` instead" in (preview.content or "")
    assert preview.embeds[0]["description"] == "**Actor:** Kim New"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ({"name": "Variety"}, "needs a link, or the date it was published"),
        ({"name": "deadline.com", "url": "https://deadline.com/"}, "is a site's home page"),
        ({"name": "V\u0430riety", "published": "2025-07-23"}, "mixes letters of different alphabets"),
        ({"name": "Variety", "published": "2099-01-01"}, "which has not come yet"),
        ({"name": "\u3164", "published": "2025-07-23"}, "only spaces or characters that draw as nothing"),
        ({"name": "Vari\u3164ety", "published": "2025-07-23"}, "characters that draw as nothing"),
        ({"name": " Variety ", "published": "2025-07-23"}, "spaces at its ends"),
        ({"name": "\u0412\u0412\u0421", "published": "2025-07-23"}, "letters that look like Latin ones"),
        (
            {"name": "netflix.com", "url": "https://n\u0435tflix.com/x"},
            "mixes letters of different alphabets",
        ),
        ({"name": "deadline.com", "url": "https://deadline.com//"}, "is a site's home page"),
    ],
)
async def test_an_import_is_held_to_the_sources_a_form_accepts(
    world: World, source: dict[str, str], problem: str
) -> None:
    document = await export_document(world)
    character_in(document, "han-gyeong-su")["profile"]["sources"] = [source]
    result = await import_document(world, document)
    assert result.original is not None
    assert "Apply" not in labels(result.original)
    assert problem in (result.original.content or "") + json.dumps(result.original.embeds, ensure_ascii=False)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("\u0421hoi Nam-ra", "mixes letters of different alphabets"),
        ("Choi Nam-ra\u3164", "characters that draw as nothing"),
        ("\u3164", "only spaces or characters that draw as nothing"),
        ("Choi Nam-\u0433\u0430", "“\u0433\u0430” is written in Cyrillic letters that look like Latin ones"),
        ("Nam On-\u0458\u043e", "“\u0458\u043e” is written in Cyrillic letters that look like Latin ones"),
    ],
)
async def test_an_import_is_held_to_the_names_a_form_accepts(world: World, name: str, problem: str) -> None:
    document = await export_document(world)
    character_in(document, "han-gyeong-su")["aliases"] = [name]
    result = await import_document(world, document)
    assert result.original is not None
    assert "Apply" not in labels(result.original)
    assert problem in (result.original.content or "") + json.dumps(result.original.embeds, ensure_ascii=False)


async def test_a_stage_must_agree_with_the_release_date(world: World) -> None:
    await world.setup()
    _, reply = await manage(world, "season stage", {"stage": "release-date-set", "source": "https://e.x/1"})
    assert reply.ephemeral
    assert "Season 2 can't be `release-date-set` without a release date" in (reply.content or "")
    result, _ = await manage(world, "season release-date", {"date": "late 2027", "source": "https://e.x/1"})
    await press(world, result, "Save without announcing")
    _, reply = await manage(world, "season stage", {"stage": "released", "source": "https://e.x/1"})
    assert "Season 2 can't be `released` yet: its release date is Late 2027, which has not come" in (
        reply.content or ""
    )
    assert (await stored_season(world)).stage.value == "post-production"
    # A file is held to it too.
    document = await export_document(world)
    next(s for s in document["seasons"] if s["number"] == 2)["stage"] = "released"
    result = await import_document(world, document)
    assert result.original is not None
    assert "Apply" not in labels(result.original)


async def test_a_hidden_season_facts_label_is_hidden_with_it(world: World) -> None:
    document = await export_document(world)
    season = next(s for s in document["seasons"] if s["number"] == 2)
    season["facts"] = [
        {
            "label": "Cheong-san's return",
            "text": "He is back",
            "confidence": "reported",
            "sources": [{"name": "x.com", "published": "2025-07-23"}],
            "spoiler": "s2",
        }
    ]
    await apply_import(world, document)
    _, reply = await slash(world, "season", user=world.fan)
    assert "Cheong-san" not in plain_view(reply)
    assert "Reveal: Hidden fact 1" in labels(reply)
    assert not any("Cheong-san" in label for label in labels(reply))


# -- review of issue 12 ----------------------------------------------------------------------------------------

TWO_LINES = "Back in Season 2.\nHe returns as a soldier with Cheong-san"


@pytest.mark.usefixtures("korean_catalogue_is_complete")
@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_every_line_of_a_hidden_season_two_text_stays_hidden_when_posted_and_reverted(
    world: World, locale: str
) -> None:
    lang = KO if locale == "ko" else EN
    await world.setup(language="ko" if locale == "ko" else "en")
    result, _ = await edit_form(
        world,
        "character edit",
        {"name": "Han Gyeong-su", "part": "season2"},
        {
            lang.t("Text (empty removes it)"): TWO_LINES,
            # Its address tells the news as well: it goes behind the spoiler with the text.
            lang.t("Sources, one per line: link, or name, date"): "https://news.example/cheong-san-soldier",
        },
        locale=locale,
    )
    await press(world, result, lang.t("Post"), locale=locale)
    result, _ = await manage(world, "revert", {"revision": 1}, locale=locale)
    await press(world, result, lang.t("Post"), locale=locale)
    for message in await world.announcements(2):
        shown = plain_view(message.request)
        for secret in ("Back in", "soldier", "Cheong-san"):
            assert secret not in shown, shown


async def test_a_name_with_a_word_in_another_alphabet_is_refused_when_typed(world: World) -> None:
    await world.setup()
    _, reply = await manage(world, "cast add", {"name": "Nam On-\u0458\u043e", "source": "https://e.x/1"})
    assert reply.ephemeral
    assert "“\u0458\u043e” is written in Cyrillic letters that look like Latin ones" in (reply.content or "")
    assert await revision_count(world) == 0


async def test_removing_who_plays_a_character_from_season_two_on_takes_their_casting_with_them(
    world: World,
) -> None:
    await world.setup()
    result, _ = await manage(
        world, "cast add", {"name": "Kim New", "source": "https://e.x/1", "plays": "Han Gyeong-su"}
    )
    await press(world, result, "Save without announcing")
    [recast] = await world.bot.store.revisions(world.guild.id)
    assert "Gyeong-su" not in recast.summary  # the mod-log and history name no spoiler either
    result, preview = await manage(world, "cast remove", {"name": "Kim New"})
    assert "Kim New is no longer who plays Han Gyeong-su from Season 2 on" in (preview.content or "")
    done = await press(world, result, "Save without announcing")
    assert (done.content or "").startswith("💾 Saved as revision #2"), done.content
    gyeong_su = await stored_character(world, "han-gyeong-su")
    assert (gyeong_su.actor, gyeong_su.season2_actor) == ("ham-sung-min", None)
    assert gyeong_su.season2 is not None  # their Season 2 news is the moderators' to change
    assert (await world.bot.store.catalog(world.guild.id)).person("kim-new") is None
    # Someone who plays a Season 1 role still can't go.
    _, reply = await manage(world, "cast remove", {"name": "Ham Sung-min"})
    assert "Ham Sung-min still plays Han Gyeong-su" in (reply.content or "")
    # One revision: undoing it brings the casting back whole.
    result, _ = await manage(world, "revert", {"revision": 2})
    await press(world, result, "Apply")
    gyeong_su = await stored_character(world, "han-gyeong-su")
    assert gyeong_su.season2_actor == "kim-new"
    assert all("Gyeong-su" not in r.summary for r in await world.bot.store.revisions(world.guild.id))


async def test_clearing_the_release_date_of_a_season_whose_stage_needs_it_is_refused_at_once(
    world: World,
) -> None:
    await world.setup()
    result, _ = await manage(
        world,
        "season release-date",
        {"date": "2027-03-05", "source": "https://e.x/1", "confidence": "reported"},
    )
    await press(world, result, "Also set the stage: release date set")
    await press(world, result, "Save without announcing")
    _, reply = await manage(world, "season release-date", {"clear": True})
    assert reply.ephemeral
    assert not labels(reply)
    assert "first choose another stage (`/manage season stage`)" in (reply.content or "")
    assert (await stored_season(world)).release == "2027-03-05"


async def test_an_exact_premiere_is_released_only_from_its_moment_on(world: World) -> None:
    await world.setup()
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).strftime("%Y-%m-%d %H:%M UTC")
    result, _ = await manage(
        world, "season release-date", {"date": soon, "source": "https://e.x/1", "confidence": "confirmed"}
    )
    await press(world, result, "Save without announcing")
    _, reply = await manage(world, "season stage", {"stage": "released", "source": "https://e.x/2"})
    assert "Season 2 can't be `released` yet" in (reply.content or ""), reply.content


# -- second review of issue 12 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("https://deadline.com/\u200b", "characters that draw as nothing"),
        ("https://deadline.com/2025/x\u3164", "characters that draw as nothing"),
        ("https://deadline.com/?utm_source=discord", "is a site's home page"),
        ("https://deadline.com/index.html", "is a site's home page"),
        ("https://deadline.com/%2F", "is a site's home page"),
        ("https://xn--80ak6aa92e.com/a", "“\u0430\u0440\u0440\u04cf\u0435” is written in Cyrillic letters"),
        ("https://\u0261oogle.com/a", "mixes letters of different alphabets"),
    ],
)
async def test_a_source_typed_in_a_form_is_held_to_what_an_import_accepts(
    world: World, link: str, problem: str
) -> None:
    """What a form saves, the server's own export must import: both refuse the same links."""
    await world.setup()
    _, reply = await edit_form(
        world,
        "character edit",
        {"name": "Han Gyeong-su", "part": "profile"},
        {"Sources, one per line: link, or name, date": link},
    )
    assert reply.ephemeral
    assert problem in (reply.content or ""), reply.content
    assert await revision_count(world) == 0


async def test_a_batch_preview_names_cast_members_by_name_not_key(world: World) -> None:
    await world.setup()
    document = await export_document(world)
    document["people"].append({"key": "kim-new", "name": "Kim New"})
    character_in(document, "han-gyeong-su")["season2_actor"] = "kim-new"
    result = await import_document(world, document)
    assert result.original is not None
    # That Han Gyeong-su has an actor from Season 2 on tells he is back: no list names that part plainly.
    assert "Season 2" not in plain_view(result.original.data), plain_view(result.original.data)
    shown = json.dumps(result.original.embeds, ensure_ascii=False)
    assert "Kim New" in shown, shown
    assert "kim-new" not in shown
    await press(world, result, "Apply")
    logged = await world.fake.wait_message(world.channel_id("mod-log"), lambda m: "imported" in str(m.data))
    assert "Season 2" not in plain_view(logged.data), plain_view(logged.data)
    result, preview = await manage(world, "revert", {"revision": 1})
    assert "Season 2" not in plain_view(preview), plain_view(preview)
    shown = json.dumps(preview.embeds, ensure_ascii=False)
    assert "Kim New" in shown, shown
    assert "kim-new" not in shown


async def test_a_release_date_the_stage_disagrees_with_is_refused_as_the_dates_problem(world: World) -> None:
    await world.setup()
    result, _ = await manage(
        world,
        "season release-date",
        {"date": "2026-01-05", "source": "https://e.x/1", "confidence": "confirmed"},
    )
    await press(world, result, "Also set the stage: released")
    await press(world, result, "Save without announcing")
    assert (await stored_season(world)).stage.value == "released"
    _, reply = await manage(world, "season release-date", {"date": "late 2030", "source": "https://e.x/2"})
    assert reply.ephemeral
    assert at("`date`", "Season 2 can't be `released` yet") in (reply.content or ""), reply.content
    assert (await stored_season(world)).release == "2026-01-05"


async def test_a_hidden_news_item_changed_by_a_file_stays_hidden_in_every_preview(world: World) -> None:
    document = await export_document(world)
    item = next(n for n in document["news"] if n["key"] == "s2-cast-announced")
    item["text"] = "Nam-ra dies in episode 3"
    result = await import_document(world, document)
    assert result.original is not None
    assert "Nam-ra dies" not in plain_view(result.original.data)
    assert "Nam-ra dies" in json.dumps(result.original.embeds)  # behind its spoiler
    await press(world, result, "Apply")
    _, preview = await manage(world, "revert", {"revision": 1})
    assert "Announced cast" not in plain_view(preview)
    assert "Source(" not in json.dumps(preview.embeds)


def facts_in(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every fact of an exported document."""
    yield from document["show"].get("facts", [])
    for character in document["characters"]:
        yield from (character[part] for part in ("profile", "fate", "season2") if character.get(part))
    for season in document["seasons"]:
        yield from (season[part] for part in ("stage_fact", "release_fact") if season.get(part))
        yield from season.get("facts", [])
    yield from document["news"]


async def test_about_lists_no_source_of_a_hidden_fact(world: World) -> None:
    document = await export_document(world)
    # Every fact cites one publication but a fate, which cites a headline telling it: /about would list both.
    common = [{"name": "Netflix Tudum", "url": "https://www.netflix.com/tudum/articles/aoad"}]
    for fact in facts_in(document):
        fact["sources"] = common
    telling = {"name": "Gwi-nam dies, says Soompi", "url": "https://news.example/gwi-nam-dies-in-episode-3"}
    character_in(document, "nam-on-jo")["fate"]["sources"] = [telling]
    await apply_import(world, document)
    _, reply = await slash(world, "about", user=world.fan)
    shown = json.dumps(reply.embeds, ensure_ascii=False)
    assert "Netflix Tudum" in shown
    assert "Gwi-nam" not in shown
    assert "gwi-nam-dies" not in shown


# -- options read by Transformers (issue 13, item 9) ----------------------------------------------------------


async def test_an_unknown_character_and_a_bad_source_are_told_together(world: World) -> None:
    """The character and source options are read by Transformers before the command runs, and still every
    problem of what was typed is answered at once, each naming its option."""
    await world.setup()
    _, reply = await manage(
        world, "cast add", {"name": "Kim New", "source": "https://deadline.com/", "plays": "Nobody Atall"}
    )
    assert reply.ephemeral
    content = reply.content or ""
    assert at("`plays`", "there is no character called “Nobody Atall”") in content, content
    assert at("`source`", "“https://deadline.com/” is a site's home page") in content, content
    assert await revision_count(world) == 0


async def test_a_character_picked_from_autocomplete_is_found_by_its_key(world: World) -> None:
    await world.setup()
    choices = await world.fake.autocomplete(
        "manage", {"name": "namra"}, "name", subcommand="character remove", user=world.mod
    )
    assert choices[0] == {"name": "Choi Nam-ra (최남라) · Cho Yi-hyun", "value": "choi-nam-ra"}, choices
    _, preview = await manage(world, "character remove", {"name": choices[0]["value"]})
    assert "Removed: Choi Nam-ra" in json.dumps(preview.embeds, ensure_ascii=False)


async def test_a_batch_previews_spoiler_levels_hide_a_part_that_tells(world: World) -> None:
    document = await export_document(world)
    character_in(document, "han-gyeong-su")["season2"] = copy.deepcopy(
        character_in(document, "yoon-gwi-nam")["season2"]
    )
    result = await import_document(world, document)
    assert result.original is not None
    content = result.original.data["content"]
    assert "Han Gyeong-su, ||" in content, content
    assert "Season 2" not in spoiler_split(content)[0].split("Spoiler levels", 1)[1], content
