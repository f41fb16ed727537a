# mypy: ignore-errors
"""Attacks on the data rules, as a hostile user or a careless moderator would make them (issue 12's review),
driven through the real bot and the fake Discord: each was a finding, and each must keep holding."""

from __future__ import annotations

import asyncio
import copy
import json
import re
from typing import Any

import pytest

from tests.cogs.test_rules import (
    announced,
    apply_import,
    card,
    edit_form,
    export_document,
    fields,
    import_document,
    korean_catalogue_is_complete,  # noqa: F401  (a fixture, used by name)
    labels,
    manage,
    open_form,
    press,
    revision_count,
    slash,
    stored_character,
    submit,
)
from tests.cogs.world import World

LIVE_LINK = re.compile(r"(?<!\\)\[[^\]]*\]\(https?://")


def dump(label: str, callback: Any) -> None:
    print(f"\n=== {label}\ncontent: {callback.content!r}")
    for embed in callback.embeds or []:
        print("embed:", json.dumps(embed, ensure_ascii=False, indent=1))


# -- spoilers ------------------------------------------------------------------------------------------------


async def test_season2_edit_of_a_season_one_character_does_not_name_season2_in_public_title(
    world: World,
) -> None:
    """README: 'whether such a character has Season 2 news at all is hidden'."""
    await world.setup(threads=True)
    result, preview = await edit_form(
        world,
        "character edit",
        {"name": "Han Gyeong-su", "part": "season2"},
        {
            "Text (empty removes it)": "Returns as a soldier",
            "Confidence: confirmed, reported, unconfirmed": "reported",
            "Sources, one per line: link, or name, date": "https://news.example/s2",
        },
    )
    dump("preview", preview)
    await press(world, result, "Post")
    [message] = await world.announcements(1)
    embed = message.request["embeds"][0]
    print("ANNOUNCED TITLE:", embed["title"])
    await asyncio.sleep(0.3)
    threads = [r for r in world.fake.requests if "threads" in r.path]
    print("THREADS:", [(r.path, r.json) for r in threads])
    assert "Season 2" not in embed["title"], embed["title"]


async def test_season_one_character_moved_to_season_two_only_leaks_nothing(world: World) -> None:
    await world.setup()
    _, refused = await edit_form(
        world, "character edit", {"name": "Han Gyeong-su"}, {"Seasons (e.g. 1, 2)": "2"}
    )
    # A Season 1 character stays one: dropping Season 1 would show their later seasons to everyone.
    assert "stays in it" in (refused.content or "")
    assert await revision_count(world) == 0
    public = await card(world, "character", "Han Gyeong-su")
    assert "Season 2" not in fields(public.embeds[0]).get("Appears in", "")


async def test_after_moving_to_season_two_only_a_season2_fact_typed_none_is_shown_plainly(
    world: World,
) -> None:
    _, refused = await edit_form(
        world, "character edit", {"name": "Han Gyeong-su"}, {"Seasons (e.g. 1, 2)": "2"}
    )
    assert "stays in it" in (refused.content or "")
    result, preview = await edit_form(
        world,
        "character edit",
        {"name": "Han Gyeong-su", "part": "season2"},
        {
            "Text (empty removes it)": "Survived and returns as a soldier",
            "Confidence: confirmed, reported, unconfirmed": "reported",
            "Spoiler level: none, s1, s2": "none",
            "Sources, one per line: link, or name, date": "https://news.example/s2",
        },
    )
    dump("preview", preview)
    await press(world, result, "Save without announcing")
    public = await card(world, "character", "Han Gyeong-su")
    dump("public", public)
    assert fields(public.embeds[0])["Season 2"].startswith("||")


# -- names -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["박미지", "함성미", "이은새", "박지수.", "박지수\u200b", "박 지 수"])
async def test_a_full_hangul_name_not_in_the_data_opens_no_card(world: World, typed: str) -> None:
    reply = await card(world, "character", typed)
    print(repr(typed), "->", reply.content, [e.get("title") for e in reply.embeds])
    assert reply.embeds == [], reply.embeds[0]["title"]


async def test_a_given_name_another_character_is_found_by_is_refused(world: World) -> None:
    """`남라` finds Choi Nam-ra (README); a new character with alias 남라 makes it ambiguous."""
    _, reply = await manage(
        world,
        "character add",
        {"name": "Ma-ru Jr", "description": "A freshman", "aliases": "남라", "source": "https://e.x/1"},
    )
    dump("add with alias 남라", reply)
    shown = await card(world, "character", "남라", user=world.guild.member("server-owner"))
    dump("남라 before saving", shown)
    assert not (reply.content or "").startswith("**Preview"), "accepted an alias that 최남라 is found by"


# -- sources -----------------------------------------------------------------------------------------------


async def test_two_links_joined_by_a_comma_are_two_sources_or_refused(world: World) -> None:
    result, preview = await manage(
        world,
        "character add",
        {
            "name": "Ma-ru Jr",
            "description": "A freshman",
            "source": "https://a.example/x,https://b.example/y",
            "confidence": "reported",
        },
    )
    dump("preview", preview)
    if (preview.content or "").startswith("**Preview"):
        await press(world, result, "Save without announcing")
        sources = (await stored_character(world, "ma-ru-jr")).profile.sources
        print("STORED:", sources)
        assert len(sources) == 2, sources


async def test_a_link_holding_spoiler_bars_does_not_unhide_the_next_news_item(world: World) -> None:
    """The field "Latest news" holds three items; a link with `||` in it shifts truncate()'s count."""
    secret = "SECRET " + "Cheong-san is alive and returns " * 30
    result, _ = await manage(
        world,
        "season news",
        {
            "text": secret[:1000],
            "source": "https://e.x/old",
            "confidence": "reported",
            "spoiler": "s2",
            "date": "2026-12-20",
        },
    )
    await press(world, result, "Save without announcing")
    result, preview = await manage(
        world,
        "season news",
        {
            "text": "Teaser poster",
            "source": "https://a.example/poster||",
            "confidence": "reported",
            "date": "2026-12-21",
        },
    )
    dump("preview", preview)
    await press(world, result, "Save without announcing")
    _, reply = await slash(world, "season", user=world.fan)
    latest = fields(reply.embeds[0])["Latest news"]
    print("LATEST NEWS FIELD:\n" + latest)
    # Every SECRET must be between a pair of marks that belongs to the text, not to a link.
    body = latest.split("\n**", 1)[1]
    assert body.count("||") % 2 == 0, body[:200]
    assert body.split("SECRET")[0].endswith("||"), body[:200]
    assert latest.rstrip().endswith("||"), latest[-40:]


async def test_invisible_characters_in_a_source_name_are_refused_or_removed(world: World) -> None:
    result, preview = await manage(
        world,
        "season news",
        {"text": "Teaser", "source": "dead\u200bline.com, 2026-12-01", "confidence": "reported"},
    )
    dump("preview", preview)
    if (preview.content or "").startswith("**Preview"):
        await press(world, result, "Save without announcing")
        news = (await world.bot.store.catalog(world.guild.id)).news[-1]
        print("STORED:", news.sources)
        assert "\u200b" not in news.sources[0].name


async def test_a_source_name_naming_another_site_with_a_lookalike_dot_is_refused(world: World) -> None:
    for name in ("variety\u3002com", "variety\uff0ecom", "v\u0430riety.com", "dead\u200bline.com"):
        _, preview = await manage(
            world,
            "season news",
            {"text": "Teaser", "source": f"{name}, https://evil.example/x", "confidence": "reported"},
        )
        print(
            repr(name), "->", preview.content[:60], preview.embeds[0]["description"] if preview.embeds else ""
        )
        assert not (preview.content or "").startswith("**Preview"), name


async def test_a_home_page_is_not_a_source(world: World) -> None:
    _, preview = await manage(
        world,
        "season news",
        {"text": "Teaser", "source": "www.netflix.com", "confidence": "reported"},
    )
    dump("preview", preview)
    assert not (preview.content or "").startswith("**Preview")


async def test_a_source_dated_in_the_future_is_refused(world: World) -> None:
    result, preview = await manage(
        world,
        "season stage",
        {"stage": "filming", "source": "Netflix, 2099-12-31", "confidence": "reported"},
    )
    dump("preview", preview)
    if (preview.content or "").startswith("**Preview"):
        await press(world, result, "Save without announcing")
        world.bot.store.forget(world.guild.id)
        print("NEWEST:", (await world.bot.store.catalog(world.guild.id)).newest_date())
    assert not (preview.content or "").startswith("**Preview")


# -- what a moderator types is inert --------------------------------------------------------------------------


async def test_a_cast_members_name_and_hangul_are_inert_on_cards(world: World) -> None:
    await world.setup()
    result, preview = await manage(
        world,
        "cast add",
        {
            "name": "[Lomon Jr](https://evil.example/login)",
            "hangul": "||몰래|| **굵게** [링크](https://evil.example/x)",
            "source": "https://e.x/1",
            "confidence": "reported",
            "plays": "Han Gyeong-su",
        },
    )
    dump("preview", preview)
    await press(world, result, "Post")
    [message] = await world.announcements(1)
    print("ANNOUNCED:", message.request["embeds"][0])
    shown = await card(world, "character", "Han Gyeong-su")
    dump("character card", shown)
    _, pages = await slash(world, "cast", user=world.fan)
    dump("cast list", pages)
    # Someone new playing a Season 1 character is their Season 2 news: drawn inert there.
    season2 = fields(shown.embeds[0])["Season 2"].split("\n_")[0]  # without the sources' own links
    assert not LIVE_LINK.search(season2), season2
    assert "**굵게**" not in season2
    assert not LIVE_LINK.search(pages.embeds[0]["description"])


# -- concurrent moderators -------------------------------------------------------------------------------------


async def owner_manage(world: World, subcommand: str, options: dict[str, Any]) -> tuple[Any, Any]:
    result = await world.fake.slash(
        "manage", options, subcommand=subcommand, user=world.guild.member("server-owner")
    )
    return result, await result.response()


async def owner_press(world: World, result: Any, label: str) -> Any:
    message = result.original
    for row in message.data["components"]:
        for button in row["components"]:
            if button.get("label") == label:
                click = await world.fake.click(
                    message, button["custom_id"], user=world.guild.member("server-owner")
                )
                return await click.response()
    raise AssertionError(label)


async def test_two_moderators_cannot_both_give_away_the_same_alias(world: World) -> None:
    a, pa = await manage(
        world,
        "character add",
        {"name": "Bo-ram", "description": "A freshman", "aliases": "The Kid", "source": "https://e.x/1"},
    )
    b, pb = await owner_manage(
        world,
        "character add",
        {
            "name": "Ji-min",
            "description": "Another freshman",
            "aliases": "The Kid",
            "source": "https://e.x/2",
        },
    )
    dump("A", pa)
    dump("B", pb)
    first = await press(world, a, "Save without announcing")
    second = await owner_press(world, b, "Save without announcing")
    print("FIRST:", first.content, "\nSECOND:", second.content)
    shown = await card(world, "character", "The Kid")
    dump("The Kid", shown)
    assert not (second.content or "").startswith("💾"), "both saved: 'The Kid' now leads to two entries"


async def test_an_actor_removed_while_another_moderator_gives_them_a_role(world: World) -> None:
    # A new cast member with no role yet.
    result, _ = await manage(world, "cast add", {"name": "Kim New", "source": "https://e.x/1"})
    await press(world, result, "Save without announcing")
    # Moderator A starts removing them (no roles: allowed) ...
    removal, preview = await owner_manage(world, "cast remove", {"name": "Kim New"})
    dump("removal preview", preview)
    # ... while moderator B makes them Han Gyeong-su's actor in the identity form.
    edited, _ = await edit_form(
        world, "character edit", {"name": "Han Gyeong-su"}, {"Actor (name or key; empty for none)": "Kim New"}
    )
    await press(world, edited, "Save without announcing")
    done = await owner_press(world, removal, "Save without announcing")
    print("REMOVAL:", done.content)
    character = await stored_character(world, "han-gyeong-su")
    catalog = await world.bot.store.catalog(world.guild.id)
    print("ACTOR:", character.actor, "exists:", catalog.person(character.actor or "") is not None)
    shown = await card(world, "character", "Han Gyeong-su")
    dump("card", shown)
    modal = await open_form(world, "character edit", {"name": "Han Gyeong-su"})
    print("form actor field:", [c.get("value") for c in modal.fields.values()])
    assert catalog.person(character.actor or "") is not None, "a character now points at a removed actor"


async def double_press(world: World, result: Any, label: str, user: Any = None) -> tuple[Any, Any]:
    """Two clicks on the same button before the first is answered (a double click, or two devices)."""
    message = result.original
    [custom_id] = [
        b["custom_id"]
        for row in message.data["components"]
        for b in row["components"]
        if b.get("label") == label
    ]
    user = user or world.mod
    first, second = await asyncio.gather(
        world.fake.click(message, custom_id, user=user), world.fake.click(message, custom_id, user=user)
    )
    return await first.response(), await second.response()


# -- stages and dates --------------------------------------------------------------------------------------


async def test_raising_the_confidence_of_a_stage_is_a_change(world: World) -> None:
    result, _ = await manage(
        world, "season stage", {"stage": "filming", "source": "https://e.x/1", "confidence": "unconfirmed"}
    )
    await press(world, result, "Save without announcing")
    _, again = await manage(
        world, "season stage", {"stage": "filming", "source": "https://e.x/1", "confidence": "confirmed"}
    )
    dump("confirmed now", again)
    assert not (again.content or "").startswith("Nothing changed"), again.content


async def test_raising_the_confidence_of_a_release_date_is_a_change(world: World) -> None:
    result, _ = await manage(
        world,
        "season release-date",
        {"date": "2027-06", "source": "https://e.x/1", "confidence": "unconfirmed"},
    )
    await press(world, result, "Save without announcing")
    _, again = await manage(
        world,
        "season release-date",
        {"date": "2027-06", "source": "https://e.x/1", "confidence": "confirmed"},
    )
    dump("confirmed now", again)
    assert not (again.content or "").startswith("Nothing changed"), again.content


async def test_a_release_date_before_season_one_is_refused_in_every_form(world: World) -> None:
    # Held up: every date that must fall on or before Season 1's premiere is refused (rough dates that may
    # fall after it, "early 2022" or "2022-01", are let through, as the rule says).
    for date in ("2022-01-28", "2021-12", "2021", "2022-01-28 08:00 KST"):
        _, reply = await manage(world, "season release-date", {"date": date, "source": "https://e.x/1"})
        print(repr(date), "->", (reply.content or "")[:160].replace("\n", " | "))
        assert (reply.content or "").startswith("Nothing was saved"), date


# -- revert chains --------------------------------------------------------------------------------------------


async def test_revert_chains_of_an_import(world: World) -> None:
    document = await export_document(world)
    edited = copy.deepcopy(document)
    next(s for s in edited["seasons"] if s["number"] == 2)["stage"] = "filming"
    await apply_import(world, edited)  # 1

    async def revert(number: int) -> str:
        result, preview = await manage(world, "revert", {"revision": number})
        print(f"\n--- revert {number}: {preview.content!r}")
        if preview.embeds:
            print("    embed:", preview.embeds[0].get("title"), preview.embeds[0].get("description"))
        if labels(preview)[:1] == ["Apply"]:
            done, again = await double_press(world, result, "Apply")
            print("    applied:", done.content)
            print("    pressed again:", again.content)
        elif labels(preview)[:2] == ["Post", "Save without announcing"]:
            done = await press(world, result, "Save without announcing")
            print("    saved:", done.content)
        return preview.content or ""

    await revert(1)  # 2: undoes the import
    await revert(2)  # 3: undoes the undo
    assert (await revert(2)).startswith("Nothing to revert: #2 was already undone by #3")
    await revert(3)  # 4
    # Held up, if terse: #1 was undone by #2, redone by #3 and undone again by #4; only #2 is named.
    assert (await revert(1)).startswith("Nothing to revert: #1 was already undone by #2")
    await revert(4)  # 5
    print("STAGE:", (await world.bot.store.catalog(world.guild.id)).season(2).stage)  # type: ignore[union-attr]
    history = await world.bot.store.revisions(world.guild.id)
    for revision in history:
        print("REV", revision.id, revision.summary, "reverts", revision.reverts)
    assert len(history) == 5
    assert (await world.bot.store.catalog(world.guild.id)).season(2).stage.value == "filming"  # type: ignore[union-attr]


# -- pressing every button twice -------------------------------------------------------------------------------


async def test_post_pressed_twice_says_it_was_saved_once(world: World) -> None:
    await world.setup()
    result, _ = await manage(
        world, "season stage", {"stage": "filming", "source": "https://e.x/1", "confidence": "reported"}
    )
    first, second = await double_press(world, result, "Post")
    print("FIRST:", first.content, "\nSECOND:", second.content)
    await asyncio.sleep(0.5)
    print("MESSAGE NOW:", result.original.data.get("content"))
    print("ANNOUNCEMENTS:", len(world.fake.messages[world.channel_id("announcements")]))
    assert await revision_count(world) == 1
    assert "nothing was saved" not in (result.original.data.get("content") or ""), result.original.data[
        "content"
    ]
    assert "nothing was saved" not in (second.content or "")


async def test_apply_pressed_twice_says_it_was_applied_once(world: World) -> None:
    document = await export_document(world)
    edited = copy.deepcopy(document)
    next(s for s in edited["seasons"] if s["number"] == 2)["stage"] = "filming"
    result = await import_document(world, edited)
    first, second = await double_press(world, result, "Apply")
    print("FIRST:", first.content, "\nSECOND:", second.content)
    await asyncio.sleep(0.3)
    print("MESSAGE NOW:", result.original.data.get("content"))
    assert await revision_count(world) == 1
    assert "nothing was saved" not in (result.original.data.get("content") or "")
    assert "nothing was saved" not in (second.content or "")


@pytest.mark.parametrize(
    "name",
    [
        "\u3164",
        "\u2800",
        "\u115f\u1160",
        "Ch\u043ei Nam-ra",
        "Choi Nam-ra\u0301",
        "Ｎａｍｒａ",
        "Choi\u00a0Nam-ra",
    ],
    ids=[
        "hangul-filler",
        "braille-blank",
        "jamo-fillers",
        "cyrillic-o",
        "combining-acute",
        "fullwidth",
        "nbsp",
    ],
)
async def test_a_name_that_is_invisible_or_looks_like_another_is_refused(world: World, name: str) -> None:
    _, reply = await manage(
        world, "character add", {"name": name, "description": "A freshman", "source": "https://e.x/1"}
    )
    print(repr(name), "->", (reply.content or "")[:200].replace("\n", " | "))
    assert not (reply.content or "").startswith("**Preview"), name


async def test_a_renamed_characters_old_name_cannot_lead_to_two_entries(world: World) -> None:
    result, _ = await edit_form(world, "character edit", {"name": "Song Jae-ik"}, {"Name": "Detective Song"})
    await press(world, result, "Save without announcing")
    result, reply = await manage(
        world,
        "character add",
        {"name": "Song Jae-ik", "description": "A namesake", "source": "https://e.x/1"},
    )
    dump("add namesake", reply)
    if (reply.content or "").startswith("**Preview"):
        await press(world, result, "Save without announcing")
    shown = await card(world, "character", "Song Jae-ik")
    dump("Song Jae-ik", shown)
    assert shown.embeds, "the name now leads nowhere"


# -- Korean everywhere ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("korean_catalogue_is_complete")
async def test_korean_moderator_sees_no_english(world: World) -> None:
    ko = "ko"
    await world.setup(language="ko")
    seen: list[str] = []

    async def run(sub: str, options: dict[str, Any]) -> Any:
        result, reply = await manage(world, sub, options, locale=ko)
        seen.append(f"{sub}: {reply.content}")
        return result, reply

    await run("season stage", {"stage": "filming", "source": "https://e.x/1"})
    await run("season stage", {"stage": "post-production", "source": "https://e.x/1 https://f.x/2, x"})
    _r, p = await run(
        "season release-date", {"date": "2027-03-05", "source": "https://e.x/1", "confidence": "reported"}
    )
    seen.append(f"buttons: {labels(p)}")
    await run("season release-date", {"date": "2021", "source": "https://e.x/1"})
    await run(
        "character add", {"name": "Ma-ru Jr", "description": "x", "source": "x.com", "aliases": "Namra, 남라"}
    )
    await run("cast add", {"name": "Kim New", "source": "https://e.x/1", "plays": "Han Gyeong-su"})
    await run("cast remove", {"name": "Lomon"})
    await run("character remove", {"name": "박지수"})
    await run("revert", {"revision": 99})
    result, _ = await run("season stage", {"stage": "filming", "source": "https://e.x/1"})
    click = await press(world, result, KO_SAVE, locale=ko)
    seen.append(f"save: {click.content}")
    await run("revert", {"revision": 1})
    result, _preview = await run("revert", {"revision": 1})
    await press(world, result, KO_SAVE, locale=ko)
    await run("revert", {"revision": 1})
    modal = await open_form(world, "character edit", {"name": "Han Gyeong-su", "part": "fate"}, locale=ko)
    _, reply = await submit(
        world, modal, {list(modal.fields.values())[4]["label"]: "bbc.com, https://evil.example/x"}, locale=ko
    )
    seen.append(f"form: {reply.content}")
    for line in seen:
        print(line)


KO_SAVE = "공지 없이 저장"


# -- import ----------------------------------------------------------------------------------------------------


async def test_an_imported_show_title_and_service_are_inert_in_about(world: World) -> None:
    document = await export_document(world)
    document["show"]["title"] = "All of Us Are Dead* [official site](https://evil.example/login) *"
    document["show"]["streaming_service"] = "[Netflix](https://evil.example/pay)"
    result = await import_document(world, document)
    print("IMPORT PREVIEW:", result.original.data.get("content", "")[:300])
    done = await press(world, result, "Apply")
    print("APPLIED:", done.content)
    _, about = await slash(world, "about", user=world.fan)
    dump("about", about)
    _, season = await slash(world, "season", user=world.fan)
    print("SEASON TITLE:", season.embeds[0]["title"])
    assert not LIVE_LINK.search(about.embeds[0]["description"])


async def test_an_import_with_two_links_glued_by_a_comma_is_two_sources_or_refused(world: World) -> None:
    document = await export_document(world)
    nam_ra = next(c for c in document["characters"] if c["key"] == "choi-nam-ra")
    nam_ra["profile"]["sources"] = [{"name": "a.example", "url": "https://a.example/x,https://b.example/y"}]
    result = await import_document(world, document)
    content = result.original.data.get("content", "")
    print("IMPORT:", content[:400])
    assert "Apply" not in labels(result.original)


# -- 3 seconds -------------------------------------------------------------------------------------------------


@pytest.mark.timeout(300)
@pytest.mark.parametrize("count", [1800])
async def test_undoing_a_large_import_is_answered_within_three_seconds(world: World, count: int) -> None:
    document = await export_document(world)
    template = next(c for c in document["characters"] if c["key"] == "song-jae-ik")
    for n in range(count):
        extra = copy.deepcopy(template)
        extra.update(
            key=f"extra-{n}", name=f"Extra Student {n}", hangul=None, aliases=[f"Extra {n}"], actor=None
        )
        extra["fate"] = None
        document["characters"].append(extra)
    file = world.fake.attachment("data.json", json.dumps(document).encode())
    import time

    t0 = time.monotonic()
    result = await world.fake.slash("manage", {"file": file}, subcommand="import", user=world.mod)
    await result.response()
    print("IMPORT ACK:", result.latency)
    await result.wait_original(lambda m: bool(m.data.get("components")), timeout=60)
    print("IMPORT PREVIEW after", time.monotonic() - t0)
    message = result.original
    [apply_id] = [
        b["custom_id"]
        for row in message.data["components"]
        for b in row["components"]
        if b.get("label") == "Apply"
    ]
    click = await world.fake.click(message, apply_id, user=world.mod)
    done = await click.response(timeout=30)
    print("APPLY:", click.latency, done.content)
    await asyncio.sleep(3)
    reverted = await world.fake.slash("manage", {"revision": 1}, subcommand="revert", user=world.mod)
    callback = await reverted.response(timeout=30)
    print("REVERT LATENCY:", reverted.latency, (callback.content or "")[:100])
    assert reverted.latency is not None
    assert reverted.latency < 3


# -- a newer bundled pack merged into a server's own data --------------------------------------------------------


async def test_a_newer_pack_cannot_bring_a_name_a_moderator_already_gave_away(
    tmp_path: Any, pack_copy: Any
) -> None:
    from bot.pack import load_pack
    from tests.cogs.world import new_guild, with_world
    from tests.conftest import DEFAULT_PACK_DIR
    from tests.fakediscord import FakeDiscord

    guild, ping, helpers = new_guild()
    database = tmp_path / "bot.db"
    async with FakeDiscord(guilds=[guild]) as fake:
        async for world in with_world(fake, guild, ping, helpers, database, load_pack(DEFAULT_PACK_DIR)):
            result, _ = await manage(
                world,
                "character add",
                {
                    "name": "Bo-ram",
                    "description": "A freshman",
                    "aliases": "The Kid",
                    "source": "https://e.x/1",
                },
            )
            await press(world, result, "Save without announcing")
    # The next release of the pack gives Jang Woo-jin (whom this server never edited) the alias "The Kid".
    characters = pack_copy / "characters.toml"
    text = characters.read_text()
    text = text.replace(
        'aliases = ["Woo-jin", "Wu-jin", "Jang Wu-jin"]',
        'aliases = ["Woo-jin", "Wu-jin", "Jang Wu-jin", "The Kid"]',
    )
    characters.write_text(text)
    newer = load_pack(pack_copy)
    async with FakeDiscord(guilds=[guild]) as fake:
        async for world in with_world(fake, guild, ping, helpers, database, newer):
            catalog = await world.bot.store.catalog(guild.id)
            print("Woo-jin aliases now:", catalog.character("jang-woo-jin").aliases)  # type: ignore[union-attr]
            from bot.rules import state_problems
            from cogs.manage._edits import catalog_entries

            problems = state_problems(catalog_entries(catalog))
            print("PROBLEMS:", [p.render(__import__("bot.i18n").i18n.ENGLISH) for p in problems])
            shown = await card(world, "character", "The Kid")
            dump("The Kid", shown)
            assert not problems


async def test_a_source_named_like_a_subdomain_of_its_link_does_not_name_another_site(world: World) -> None:
    await world.setup()
    result, preview = await manage(
        world,
        "season news",
        {
            "text": "Teaser",
            "source": "deadline.com.evil.example, https://evil.example/x",
            "confidence": "reported",
        },
    )
    dump("preview", preview)
    if (preview.content or "").startswith("**Preview"):
        await press(world, result, "Post")
        [message] = await world.announcements(1)
        print("ANNOUNCED:", message.request["embeds"][0]["description"])
        assert (
            "[deadline.com.evil.example](https://evil.example/x)"
            not in message.request["embeds"][0]["description"]
        )


async def test_the_reveal_buttons_do_not_tell_which_season_one_characters_have_season2_news(
    world: World,
) -> None:
    with_news = await card(world, "character", "Lee Cheong-san")
    without = await card(world, "character", "Han Gyeong-su")
    print("Cheong-san:", fields(with_news.embeds[0])["Season 2"][:30], labels(with_news))
    print("Gyeong-su:", fields(without.embeds[0])["Season 2"][:30], labels(without))
    cast_with = await card(world, "cast", "Yoon Chan-young")
    cast_without = await card(world, "cast", "Ham Sung-min")
    print("cast Chan-young:", labels(cast_with))
    print("cast Sung-min:", labels(cast_without))
    assert ("Reveal: Season 2" in labels(with_news)) == ("Reveal: Season 2" in labels(without))


# -- Discord's limits and mentions, after many hostile inputs -----------------------------------------------------


async def test_long_and_hostile_values_stay_within_discords_limits_and_ping_nobody(world: World) -> None:
    from tests.discord_limits import check_mentions, check_requests

    await world.setup(threads=True)
    everyone = "@everyone <@&" + str(world.ping.id) + "> "
    long_name = (everyone + "Ｚ" * 100)[:100]
    aliases = ", ".join(f"@here a{n:02d}" + "x" * 28 for n in range(25))
    result, preview = await manage(
        world,
        "character add",
        {
            "name": long_name,
            "description": ("||" + "ß" * 494 + "|| ") * 2,
            "source": " ".join(f"https://e{n}.example/" + "(" * 40 for n in range(10)),
            "aliases": aliases,
            "hangul": "한" * 100,
            "confidence": "reported",
            "season": 1,
        },
    )
    print("ADD:", (preview.content or "")[:300])
    if labels(preview)[:1] == ["Post"]:
        await press(world, result, "Post")
    # Thirty roles for one actor, with long names: then try to remove the actor.
    result, reply = await manage(world, "cast add", {"name": "Busy Actor", "source": "https://e.x/1"})
    await press(world, result, "Save without announcing")
    for n in range(30):
        result, reply = await manage(
            world,
            "character add",
            {
                "name": f"Role {n:02d} " + "q" * 88,
                "description": "x",
                "source": "https://e.x/1",
                "actor": "Busy Actor",
            },
        )
        await press(world, result, "Save without announcing")
    _, reply = await manage(world, "cast remove", {"name": "Busy Actor"})
    print("REMOVE:", len(reply.content or ""), (reply.content or "")[-80:])
    await card(world, "cast", "Busy Actor")
    await slash(world, "cast", user=world.fan)
    await card(world, "character", long_name)
    await slash(world, "about", user=world.fan)
    await asyncio.sleep(0.5)
    problems = check_requests(world.fake.requests, ping_roles=[world.ping.id])
    problems += check_mentions(world.fake.all_messages.values(), ping_roles=[world.ping.id])
    for problem in problems:
        print("LIMIT:", problem)
    assert not problems


async def test_every_problem_of_what_was_typed_is_told_at_once(world: World) -> None:
    _, reply = await manage(
        world,
        "character add",
        {
            "name": "Namra",
            "description": "Returns ||halfbie",
            "description_ko": "||절비",
            "source": "Variety",
            "hangul": "최남라",
            "aliases": "Lomon, " + "y" * 120,
            "actor": "Nobody At All",
        },
    )
    print(reply.content)
    modal = await open_form(world, "character edit", {"name": "Lee Cheong-san"})
    _, form = await submit(
        world,
        modal,
        {
            "Name": "Namra",
            "Hangul name": "로몬",
            "Aliases (comma-separated)": "Su-hyeok",
            "Actor (name or key; empty for none)": "Nobody At All",
            "Seasons (e.g. 1, 2)": "1, two",
        },
    )
    print(form.content)
    # The alias "Lomon" (Lee Su-hyeok's actor) is not reported because another alias in the field was too long.
    assert "“Lomon”" in (reply.content or ""), "a clash in a field with another problem is not told"
    assert (form.content or "").count("\n•") >= 5


async def test_bringing_back_a_removed_character_whose_name_was_taken_since_is_refused_kindly(
    world: World,
) -> None:
    result, _ = await manage(world, "character remove", {"name": "Song Jae-ik"})
    await press(world, result, "Save without announcing")  # 1
    result, _ = await manage(
        world,
        "character add",
        {"name": "Song Jae-ik", "description": "A namesake", "source": "https://e.x/1"},
    )
    await press(world, result, "Save without announcing")  # 2
    _, reply = await manage(world, "revert", {"revision": 1})
    print(reply.content)
    _, reply_ko = await manage(world, "revert", {"revision": 1}, locale="ko")
    print(reply_ko.content)
    assert (reply.content or "").startswith("Nothing was saved")


# -- kind errors -----------------------------------------------------------------------------------------------

ODD_INPUTS: list[tuple[str, dict[str, Any]]] = [
    ("season release-date", {"date": "2026-12-05 25:00 KST", "source": "https://e.x/1"}),
    ("season release-date", {"date": "2026-12-05 17:00 Mars/Olympus", "source": "https://e.x/1"}),
    ("season release-date", {"date": "2026-12-05 17:00 +14:30", "source": "https://e.x/1"}),
    ("season release-date", {"date": "2026-12-05 17:00", "source": "https://e.x/1"}),
    ("season release-date", {"date": "9999-12-31", "source": "https://e.x/1"}),
    ("season release-date", {"date": "late 2026", "clear": True}),
    ("season release-date", {"date": "2026-12-05T17:00:00+09:00", "source": "https://e.x/1"}),
    ("season release-date", {"date": "2026-W49", "source": "https://e.x/1"}),
    ("season release-date", {"date": "２０２６-１２-０５", "source": "https://e.x/1"}),
    ("season news", {"text": "x", "source": "https://e.x/1", "confidence": "reported", "date": "2026-02-30"}),
    ("season news", {"text": "x", "source": "https://e.x/1", "confidence": "reported", "season": 3}),
    ("season news", {"text": "\u200b\u200b", "source": "https://e.x/1", "confidence": "reported"}),
    ("season news", {"text": "||||", "source": "https://e.x/1", "confidence": "reported"}),
    ("season stage", {"stage": "filming", "source": "\u200b"}),
    ("season stage", {"stage": "filming", "source": ",,,"}),
    ("season stage", {"stage": "filming", "source": "https://"}),
    ("season stage", {"stage": "filming", "source": "https://e.x/1", "note": "||"}),
    ("history", {"entry": "season:abc"}),
    ("history", {"entry": "nonsense"}),
    ("character remove", {"name": "\u200b"}),
    ("cast add", {"name": "Kim New", "source": "https://e.x/1", "plays": "nobody here at all"}),
    ("character add", {"name": "x", "description": "y", "source": "https://e.x/1", "actor": "\u3164"}),
]


async def test_odd_inputs_get_kind_specific_answers(world: World) -> None:
    generic = []
    for sub, options in ODD_INPUTS:
        _, reply = await manage(world, sub, options)
        text = (reply.content or "").replace("\n", " | ")
        print(f"{sub} {options} -> {text[:220]}")
        if "Sorry, something went wrong" in text:
            generic.append((sub, options))
    assert not generic


@pytest.mark.parametrize("source", [",,,", " , ; ", "2026-01-01", ", 2026"])
async def test_a_source_line_of_only_commas_is_not_a_fact_without_sources(world: World, source: str) -> None:
    result, preview = await manage(
        world, "season stage", {"stage": "filming", "source": source, "confidence": "reported"}
    )
    dump("preview", preview)
    if labels(preview)[:2] == ["Post", "Save without announcing"]:
        done = await press(world, result, "Save without announcing")
        print("SAVED:", done.content)
        world.bot.store.forget(world.guild.id)
        catalog = await world.bot.store.catalog(world.guild.id)
        print("SEASON 2 NOW:", catalog.season(2))
        _, season = await slash(world, "season", user=world.fan)
        dump("/season", season)
        _, export = await manage(world, "export")
        print("EXPORT:", export.content)
        assert catalog.season(2) is not None, "Season 2 vanished from the server's data"
    assert not (preview.content or "").startswith("**Preview")


async def test_an_actor_change_is_announced_with_the_actors_name_not_its_key(world: World) -> None:
    await world.setup()
    result, _ = await manage(
        world, "cast add", {"name": "Kim New", "source": "https://e.x/1", "plays": "Lee Na-yeon"}
    )
    await press(world, result, "Post")
    result, _ = await edit_form(
        world, "character edit", {"name": "Han Gyeong-su"}, {"Actor (name or key; empty for none)": "Kim New"}
    )
    await press(world, result, "Post")
    messages = await world.announcements(2)
    for message in messages:
        print("ANNOUNCED:", announced(message))
    assert "kim-new" not in announced(messages[1])
