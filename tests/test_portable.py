"""The portable data file (bot.portable) and the store's batch revisions, on real SQLite files."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import msgspec
import pytest

from bot.i18n import ENGLISH, Lang
from bot.models import Character, Fact, NewsItem, Season, Source
from bot.moderation_store import BATCH, Change, ConflictError
from bot.pack import Pack
from bot.portable import (
    FORMAT,
    IMPORT_SIZE_LIMIT,
    ImportProblems,
    decode_file,
    encode_file,
    export_data,
    plan_import,
)
from bot.store import Store

GUILD = 111
OTHER = 222
NOW = dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC)


async def exported(store: Store, guild_id: int = GUILD) -> bytes:
    snapshot = await store.snapshot(guild_id)
    return encode_file(export_data(snapshot, guild_id, fallback_show=store.pack.show, now=NOW))


def problems_of(data: bytes, lang: Lang = ENGLISH) -> list[str]:
    with pytest.raises(ImportProblems) as caught:
        decode_file(data)
    return [problem.render(lang) for problem in caught.value.problems]


def edited(data: bytes, change: Any) -> bytes:
    document = json.loads(data)
    change(document)
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def new_character(key: str, name: str) -> Character:
    source = Source(name="deadline.com", published="2026-11-20", url="https://deadline.com/a")
    return Character(
        key=key,
        name=name,
        hangul="마루",
        seasons=(2,),
        profile=Fact(text="A new student", text_ko="새 학생", confidence="reported", sources=(source,)),
    )


# -- the file ------------------------------------------------------------------------------------------------


async def test_the_export_holds_every_entry_in_order_as_readable_utf8(store: Store, pack: Pack) -> None:
    data = await exported(store)
    text = data.decode("utf-8")
    assert "지금 우리 학교는" in text  # Korean as text, not \u escapes
    assert text.startswith('{\n  "format": "aoad-server-data",\n  "version": 1,\n')
    document = json.loads(data)
    assert list(document) == [
        "format",
        "version",
        "exported_at",
        "guild_id",
        "show",
        "people",
        "characters",
        "seasons",
        "news",
    ]
    assert document["exported_at"] == "2026-11-21T09:30:00Z"
    assert document["guild_id"] == str(GUILD)
    assert [c["key"] for c in document["characters"]] == [c.key for c in pack.characters]
    assert [p["key"] for p in document["people"]] == [p.key for p in pack.people]
    assert [s["number"] for s in document["seasons"]] == [s.number for s in pack.seasons]
    assert len(document["news"]) == len(pack.news)
    first_fact = document["characters"][0]["profile"]
    assert {"text", "confidence", "sources", "spoiler", "text_ko"} <= set(first_fact)
    assert await exported(store) == data  # deterministic
    assert plan_import(await store.snapshot(GUILD), decode_file(data)) == []


def test_a_file_that_is_not_json_or_not_ours_gets_one_clear_problem() -> None:
    assert problems_of(b'{"format": "aoad-server-data",\n "version": 1,,}') == [
        "The file is not valid JSON: Expecting property name enclosed in double quotes at line 2, column 15."
    ]
    assert problems_of(b"\xff\xfe{}") == ["The file is not UTF-8 text (byte 0 cannot be read)."]
    assert problems_of(b"[1, 2]") == ["The file must hold one JSON object, { … }."]
    assert problems_of(b'{"format": "something-else"}') == [
        "This is not a server data file from `/manage export`: its “format” should be “aoad-server-data”."
    ]
    assert problems_of(b'{"format": "aoad-server-data", "version": 2}') == [
        "This file is format version 2, and this bot reads version 1. Export the data again with this bot's "
        "`/manage export`."
    ]
    assert problems_of(b"x" * (IMPORT_SIZE_LIMIT + 1)) == [
        "The file is 2048 KiB; it can be at most 2048 KiB."
    ]
    assert problems_of(b'{"a": NaN}') == [
        "The file is not valid JSON: NaN and Infinity are not numbers JSON allows."
    ]


async def test_every_problem_is_named_with_its_entry_and_field(store: Store) -> None:
    good = await exported(store)

    def break_it(document: dict[str, Any]) -> None:
        document["extra"] = 1
        characters = document["characters"]
        characters[0]["profile"]["confidence"] = "certain"
        characters[1]["nickname"] = "x"
        characters[2]["name"] = "n" * 101
        characters[3]["key"] = characters[4]["key"]
        characters[5]["profile"]["sources"][0]["published"] = "2026-02-30"
        characters[6]["actor"] = "nobody-at-all"
        characters[7]["profile"]["text"] = "   "
        document["news"][0]["date"] = "yesterday"
        document["seasons"][0]["release"] = "2026-13"
        document["people"][0]["name"] = 5
        del document["seasons"][1]["stage"]

    keys = [c["key"] for c in json.loads(good)["characters"]]
    news_key = json.loads(good)["news"][0]["key"]
    person_key = json.loads(good)["people"][0]["key"]
    assert problems_of(edited(good, break_it)) == [
        "`extra`: unknown field (check its spelling)",
        f"cast member “{person_key}”, field `name`: should be text, not a whole number",
        f"character “{keys[0]}”, field `profile.confidence`: certain is not one of: confirmed, reported, "
        "unconfirmed",
        f"character “{keys[1]}”, field `nickname`: unknown field (check its spelling)",
        f"character “{keys[2]}”, field `name`: is too long: at most 100 characters",
        f"character “{keys[4]}”, field `key`: another entry of this kind has the same key; keys must be unique",
        f"character “{keys[5]}”, field `profile.sources[0].published`: 2026-02-30 is not a real date.",
        f"character “{keys[6]}”, field `actor`: no cast member has the key “nobody-at-all”: add (or restore) the cast member first",
        f"character “{keys[7]}”, field `profile.text`: can't be empty or only spaces",
        "season “1”, field `release`: “2026-13” is not a release date.",
        "season “2”, field `stage`: the required field is missing",
        f"news “{news_key}”, field `date`: is not a date: use 2026-11-20, or 2026-11 if only the month is "
        "known",
    ]


async def test_references_between_entries_and_repeated_fields_are_problems_too(store: Store) -> None:
    good = await exported(store)
    document = json.loads(good)
    document["characters"][0]["actor"] = "nobody-at-all"
    document["news"][0]["season"] = 42
    assert problems_of(json.dumps(document).encode()) == [
        f"character “{document['characters'][0]['key']}”, field `actor`: no cast member has the key "
        "“nobody-at-all”: add (or restore) the cast member first",
        f"news “{document['news'][0]['key']}”, field `season`: there is no Season 42 in the data: a news item belongs to a season "
        "there (restore or import the season first)",
    ]
    text = good.decode().replace('"title": "All of Us Are Dead",', '"title": "A", "title": "B",', 1)
    assert problems_of(text.encode()) == [
        "the show “all-of-us-are-dead”, field `title`: the field appears more than once"
    ]


async def test_one_reading_finds_every_problem_of_the_file(store: Store) -> None:
    """Every wrong, missing or unknown field of every entry (nested ones too), every value, every repeated
    field and key, the header and the references, in file order: nothing waits for the next try."""
    good = await exported(store)
    document = json.loads(good)
    people, characters, seasons, news = (
        document[name] for name in ("people", "characters", "seasons", "news")
    )
    person, person_1 = people[0]["key"], people[1]["key"]
    keys = [c["key"] for c in characters]
    news_keys = [n["key"] for n in news]
    assert [n["season"] for n in news[:4]] == [2, 2, 2, 2]
    assert list(characters[1])[4:8] == ["actor", "season2_actor", "seasons", "profile"]

    document["exported_at"] = "yesterday"
    document["guild_id"] = "my server"
    document["colour"] = "red"
    document["show"]["title"] = "t" * 101
    document["show"]["facts"][0]["sources"] = []
    document["show"]["facts"][0]["spoiler"] = "all"
    people[0]["name"] = 5  # broken, yet its key is there: the character playing them is fine
    people[0]["hangul"] = ""
    people[1]["variants"] = ["Kim", "Kim"]
    people.append("Lee Jae-in")
    characters[0]["name"] = "n" * 101
    characters[0]["profile"]["confidence"] = "certain"
    characters[0]["profile"]["sources"][0]["url"] = "ftp://example.com"
    characters[1]["actor"] = "nobody-at-all"
    characters[1]["profile"]["text"] = "   "
    del characters[2]["profile"]
    characters[2]["nickname"] = "x"
    characters[2]["season2"] = {
        "text": "Back",
        "confidence": "reported",
        "sources": [{"name": "x", "published": "2026"}],
        "status": "maybe",
    }
    characters[3]["key"] = keys[2]
    characters[4]["actor"] = person
    characters[5]["fate"] = dict(characters[5]["profile"], spoiler="none")
    characters[6]["season2_actor"] = "nobody-either"
    seasons[0]["release"] = "2026-13"
    seasons[0]["facts"] = [
        {
            "label": "",
            "text": "x",
            "confidence": "confirmed",
            "sources": [{"name": "a", "published": "2026-02-30"}],
        }
    ]
    del seasons[0]["stage"]
    seasons[1]["stage_fact"]["sources"][0]["published"] = "someday"  # broken: news of season 2 are fine
    news[0]["season"] = 42
    news[0]["date"] = "2026-02-30"
    news[1]["text"] = ""
    news[2]["season"] = "2"
    text = json.dumps(document, ensure_ascii=False, indent=2)
    text = text.replace('"streaming_service": ', '"streaming_service": "Netflix", "streaming_service": ', 1)
    text = text.replace('"guild_id": ', '"guild_id": "1", "guild_id": ', 1)

    assert problems_of(text.encode()) == [
        "`guild\\_id`: the field appears more than once",
        "`colour`: unknown field (check its spelling)",
        "`exported\\_at`: is not a date and time like 2026-11-20T09:00:00Z",
        "`guild\\_id`: is not a server id (digits only)",
        "the show “all-of-us-are-dead”, field `title`: is too long: at most 100 characters",
        "the show “all-of-us-are-dead”, field `streaming\\_service`: the field appears more than once",
        "the show “all-of-us-are-dead”, field `facts[0].sources`: needs at least one item",
        "the show “all-of-us-are-dead”, field `facts[0].spoiler`: all is not one of: none, s1, s2",
        f"cast member “{person}”, field `name`: should be text, not a whole number",
        f"cast member “{person}”, field `hangul`: can't be empty",
        f"cast member “{person_1}”, field `variants`: a name is listed twice",
        f"cast member “#{len(people)}”: should be an object, {{ … }}",
        f"character “{keys[0]}”, field `name`: is too long: at most 100 characters",
        f"character “{keys[0]}”, field `profile.confidence`: certain is not one of: confirmed, reported, "
        "unconfirmed",
        f"character “{keys[0]}”, field `profile.sources[0].url`: is not a web link: it must start with http:// "
        "or https://",
        # A reference goes with its entry, where its field is.
        f"character “{keys[1]}”, field `actor`: no cast member has the key “nobody-at-all”: add (or restore) the cast member first",
        f"character “{keys[1]}”, field `profile.text`: can't be empty or only spaces",
        f"character “{keys[2]}”, field `season2.status`: maybe is not one of: returning, new, not-returning",
        f"character “{keys[2]}”, field `nickname`: unknown field (check its spelling)",
        f"character “{keys[2]}”, field `profile`: the required field is missing",
        f"character “{keys[2]}”, field `key`: another entry of this kind has the same key; keys must be unique",
        f"character “{keys[5]}”, field `fate.spoiler`: a Season 1 fate reveals how Season 1 ends: set its "
        "spoiler level to s1 (or higher)",
        f"character “{keys[6]}”, field `season2_actor`: no cast member has the key “nobody-either”: add (or "
        "restore) the cast member first",
        "season “1”, field `release`: “2026-13” is not a release date.",
        "season “1”, field `facts[0].label`: can't be empty",
        "season “1”, field `facts[0].sources[0].published`: 2026-02-30 is not a real date.",
        "season “1”, field `stage`: the required field is missing",
        "season “2”, field `stage\\_fact.sources[0].published`: is not a date: use 2026-11-20, or 2026-11 if "
        "only the month is known",
        f"news “{news_keys[0]}”, field `season`: there is no Season 42 in the data: a news item belongs to a season "
        "there (restore or import the season first)",
        f"news “{news_keys[0]}”, field `date`: 2026-02-30 is not a real date.",
        f"news “{news_keys[1]}”, field `text`: can't be empty",
        f"news “{news_keys[2]}”, field `season`: should be a whole number, not text",
    ]


async def test_hostile_files_get_a_problem_each_never_an_error(store: Store) -> None:
    good = await exported(store)
    text = good.decode()
    # Nested thousands deep: refused before the JSON is parsed (it would exhaust Python's recursion).
    assert problems_of(b"[" * 5000) == [
        "The file nests lists and objects more than 32 levels deep (at line 1, column 33); a file from "
        "`/manage export` never does."
    ]
    deep = text.replace('"version": 1,', '"version": 1,\n  "x": ' + '[{"a": ' * 16 + "1" + "}]" * 16 + ",", 1)
    assert problems_of(deep.encode()) == [
        "The file nests lists and objects more than 32 levels deep (at line 4, column 114); a file from "
        "`/manage export` never does."
    ]
    # 32 levels are let through (and then refused for what they are); brackets in text are text.
    deep = text.replace(
        '"version": 1,', '"version": 1,\n  "x": ' + '[{"a": ' * 15 + "[1]" + "}]" * 15 + ",", 1
    )
    assert problems_of(deep.encode()) == ["`x`: unknown field (check its spelling)"]
    assert (
        decode_file(edited(good, lambda d: d["news"][0].update(text="[{" * 500))).news[0].text == "[{" * 500
    )

    # A 5,000-digit number: Python would refuse to read it as an integer; the field it is in is named.
    huge = "7" * 5000

    def number(at: str, value: str) -> bytes:
        return re.sub(rf'"{at}": \d+', f'"{at}": {value}', text, count=1).encode()

    assert problems_of(number("number", huge)) == [
        "season “#1”, field `number`: is a number 5000 digits long; no number in a server data file has more "
        "than 20"
    ]
    assert problems_of(number("season", f"-{huge}.5e3")) == [
        f"news “{json.loads(good)['news'][0]['key']}”, field `season`: is a number 5002 digits long; no number "
        "in a server data file has more than 20"
    ]
    assert problems_of(number("version", huge)) == [
        "`version`: is a number 5000 digits long; no number in a server data file has more than 20"
    ]

    # Instants of the right form that never were.
    assert problems_of(edited(good, lambda d: d.update(exported_at="2026-02-30T10:00:00Z"))) == [
        "`exported\\_at`: 2026-02-30T10:00:00Z is not a real date and time."
    ]
    assert problems_of(
        edited(good, lambda d: d["seasons"][0].update(release="2026-02-30T17:00:00+09:00"))
    ) == ["season “1”, field `release`: 2026-02-30T17:00:00+09:00 is not a real date and time."]
    assert problems_of(
        edited(good, lambda d: d["seasons"][0].update(release="2026-12-05T24:30:00+09:00"))
    ) == ["season “1”, field `release`: 2026-12-05T24:30:00+09:00 is not a real date and time."]


async def test_problems_are_said_in_korean_and_user_text_cannot_ping(store: Store) -> None:
    good = await exported(store)

    def break_it(document: dict[str, Any]) -> None:
        document["characters"][0]["key"] = "@everyone"

    [problem] = problems_of(edited(good, break_it), Lang("ko"))
    assert problem == (
        "캐릭터 “@\u200beveryone”, 필드 `key`: 키가 아니에요. choi-nam-ra처럼 영어 소문자와 숫자를 하이픈 하나로 "
        "이어 써 주세요"
    )


async def test_the_plan_adds_changes_and_removes_to_match_the_file(store: Store) -> None:
    data = decode_file(await exported(store))
    snapshot = await store.snapshot(GUILD)
    season = next(s.entry for s in snapshot.entries if s.kind == "season" and s.key == "2")
    assert isinstance(season, Season)
    removed = next(s for s in snapshot.entries if s.kind == "news")
    await store.commit_change(
        GUILD,
        [
            Change("season", "2", season, msgspec.structs.replace(season, release="2027"), 1),
            Change("character", "han-gyeo-ul", None, new_character("han-gyeo-ul", "Han Gyeo-ul"), None),
            Change("news", removed.key, removed.entry, None, removed.version),
        ],
        summary="edits",
        author_id=7,
        author_name="Mod",
    )
    changes = plan_import(await store.snapshot(GUILD), data)
    assert [(c.kind, c.key, c.before is None, c.after is None) for c in changes] == [
        ("season", "2", False, False),
        ("news", removed.key, True, False),
        ("character", "han-gyeo-ul", False, True),
    ]


# -- batch revisions in the store ----------------------------------------------------------------------------


async def test_an_import_is_one_revision_written_in_one_transaction(tmp_path: Path, pack: Pack) -> None:
    path = tmp_path / "bot.db"
    async with Store.open(path, pack) as store:
        file = decode_file(await exported(store))
        snapshot = await store.snapshot(GUILD)
        # The other server: a character added, a season changed.
        other = await store.snapshot(OTHER)
        season = next(s for s in other.entries if s.kind == "season" and s.key == "2")
        assert isinstance(season.entry, Season)
        await store.commit_change(
            OTHER,
            [
                Change("character", "han-gyeo-ul", None, new_character("han-gyeo-ul", "Han Gyeo-ul"), None),
                Change(
                    "season",
                    "2",
                    season.entry,
                    msgspec.structs.replace(season.entry, release="2027-03-05T17:00:00+09:00"),
                    season.version,
                ),
            ],
            summary="edits",
            author_id=7,
            author_name="Mod",
        )
        other = await store.snapshot(OTHER)
        changes = plan_import(other, file)
        assert len(changes) == 2
        result = await store.commit_change(
            OTHER,
            changes,
            summary="Imported",
            batch=True,
            expected_state=other.state,
            author_id=7,
            author_name="Mod",
        )
        [revision] = result.revisions
        assert revision.kind == BATCH
        assert [(c.kind, c.key) for c in revision.changes] == [("season", "2"), ("character", "han-gyeo-ul")]
        assert plan_import(await store.snapshot(OTHER), file) == []
        assert await store.pending_reminders(OTHER) == []  # the imported date has no time: no reminders
        assert snapshot.state == (await store.snapshot(GUILD)).state  # the source server is untouched

    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT kind, key FROM revisions WHERE guild_id = ? ORDER BY id", (OTHER,)
        ).fetchall()
        assert rows == [("character", "han-gyeo-ul"), ("season", "2"), (BATCH, "")]
        assert db.execute("SELECT count(*) FROM revision_changes").fetchone() == (2,)

    async with Store.open(path, pack) as store:
        [latest, *_] = await store.revisions(OTHER)
        assert latest.id == revision.id
        assert latest.changes == revision.changes
        # The entry's own history includes the import that changed it.
        history = await store.revisions(OTHER, kind="character", key="han-gyeo-ul")
        assert [r.id for r in history] == [revision.id, revision.id - 2]
        assert await store.count_revisions(OTHER, kind="character", key="han-gyeo-ul") == 2
        assert (await store.revision(OTHER, revision.id)) == latest


async def test_a_batch_over_changed_data_writes_nothing(store: Store) -> None:
    file = decode_file(await exported(store))
    snapshot = await store.snapshot(GUILD)
    news = next(s for s in snapshot.entries if s.kind == "news")
    assert isinstance(news.entry, NewsItem)
    await store.commit_change(
        GUILD,
        [Change("character", "han-gyeo-ul", None, new_character("han-gyeo-ul", "Han Gyeo-ul"), None)],
        summary="a",
        author_id=7,
        author_name="Mod",
    )
    stale = await store.snapshot(GUILD)
    changes = plan_import(stale, file)
    # Another moderator edits an entry the import does not touch: the whole import is refused all the same.
    await store.commit_change(
        GUILD,
        [
            Change(
                "news", news.key, news.entry, msgspec.structs.replace(news.entry, text="Edited"), news.version
            )
        ],
        summary="b",
        author_id=7,
        author_name="Mod",
    )
    before = await store.snapshot(GUILD)
    with pytest.raises(ConflictError):
        await store.commit_change(
            GUILD,
            changes,
            summary="Imported",
            batch=True,
            expected_state=stale.state,
            author_id=7,
            author_name="Mod",
        )
    # A stale entry version inside the batch also rolls every earlier change back.
    fresh = await store.snapshot(GUILD)
    changes = plan_import(fresh, file)
    bad = [*changes[:-1], Change(changes[-1].kind, changes[-1].key, changes[-1].before, None, 999)]
    with pytest.raises(ConflictError):
        await store.commit_change(GUILD, bad, summary="Imported", batch=True, author_id=7, author_name="Mod")
    after = await store.snapshot(GUILD)
    assert after.state == before.state
    assert [s.entry for s in after.entries] == [s.entry for s in before.entries]
    assert len(await store.revisions(GUILD)) == 2
    with pytest.raises(ValueError, match="at least one change"):
        await store.commit_change(GUILD, [], summary="empty", batch=True, author_id=7, author_name="Mod")


async def test_a_removed_entry_comes_back_under_its_key_when_imported(store: Store) -> None:
    file = decode_file(await exported(store))
    snapshot = await store.snapshot(GUILD)
    news = next(s for s in snapshot.entries if s.kind == "news")
    await store.commit_change(
        GUILD,
        [Change("news", news.key, news.entry, None, news.version)],
        summary="removed",
        author_id=7,
        author_name="Mod",
    )
    stale = await store.snapshot(GUILD)
    [change] = plan_import(stale, file)
    assert (change.key, change.before, change.base_version) == (news.key, None, None)
    await store.commit_change(
        GUILD,
        [change],
        summary="Imported",
        batch=True,
        expected_state=stale.state,
        author_id=7,
        author_name="Mod",
    )
    restored = await store.snapshot(GUILD)
    assert [s.entry for s in restored.entries] == [s.entry for s in snapshot.entries]  # same place, too
    assert FORMAT == "aoad-server-data"


async def test_a_release_offset_no_time_zone_has_is_refused_and_a_zoneless_export_time_is_utc(
    store: Store,
) -> None:
    document = json.loads(await exported(store))
    document["seasons"][1]["release"] = "2027-03-05T17:00:00+23:00"
    assert problems_of(json.dumps(document).encode()) == [
        "season “2”, field `release`: +23:00 is not a time-zone offset (they run from -12:00 to +14:00)."
    ]
    document = json.loads(await exported(store))
    document["exported_at"] = "2026-11-21T09:30:00"
    assert decode_file(json.dumps(document).encode()).exported_at == NOW


async def test_half_a_character_is_refused_where_it_is(store: Store) -> None:
    """JSON can write half of a character ("\\ud800" without its pair): no text the bot could store or show."""
    text = (await exported(store)).decode()
    broken = text.replace('"exported_at": "', '"exported_at": "\\ud800', 1)
    assert problems_of(broken.encode()) == [
        "The file holds half of a character (an escaped \\ud800 … without its pair) at “exported\\_at”: remove it."
    ]
    # A whole character written as its two halves is that character.
    emoji = text.replace('"guild_id": "', '"x": "\\ud83d\\ude00", "guild_id": "', 1)
    assert problems_of(emoji.encode()) == ["`x`: unknown field (check its spelling)"]


async def test_a_text_that_draws_as_nothing_is_refused_but_an_emoji_is_kept(store: Store) -> None:
    good = await exported(store)
    for blank in ("\u3164", "\u2800\u2800", " \u034f "):
        found = problems_of(edited(good, lambda d, blank=blank: d["news"][0].update(text=blank)))
        assert any("can't be empty or only spaces" in problem for problem in found), found
    hearted = decode_file(edited(good, lambda d: d["news"][0].update(text="Back \u2764\ufe0f")))
    assert hearted.news[0].text == "Back \u2764\ufe0f"
