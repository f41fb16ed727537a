"""The bundled pack: its content is what FACTS.md and FACTS-2026-12.md say, and a broken pack is named precisely."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import msgspec
import pytest

from bot.models import Fact, LabelledFact, Season2Status, Stage
from bot.pack import Pack, PackError, load_pack
from bot.search import is_hangul_syllable


def test_bundled_pack_states_its_date_and_content(pack: Pack) -> None:
    # Checked again in December 2026; its newest item is older than that, and dated on its own.
    assert str(pack.meta.as_of) == "2026-12-01"
    assert max(item.date for item in pack.news) == "2026-02-23"
    assert pack.show.title == "All of Us Are Dead"
    assert pack.show.title_ko == "지금 우리 학교는"
    assert pack.show.streaming_service == "Netflix"
    assert len(pack.people) == 20
    assert len(pack.characters) == 20
    assert [s.number for s in pack.seasons] == [1, 2]


def _all_facts(pack: Pack) -> list[Fact]:
    facts: list[Fact] = [*pack.show.facts, *pack.news]
    for character in pack.characters:
        facts += [f for f in (character.profile, character.fate, character.season2) if f is not None]
    for season in pack.seasons:
        facts += [season.stage_fact, *season.facts]
        if season.release_fact:
            facts.append(season.release_fact)
    return facts


def test_every_fact_has_a_confidence_a_source_and_korean(pack: Pack) -> None:
    facts = _all_facts(pack)
    assert len(facts) > 60
    for fact in facts:
        assert fact.confidence in {"confirmed", "reported", "unconfirmed"}
        assert fact.sources, fact
        assert fact.text_ko, fact
        if isinstance(fact, LabelledFact):
            assert fact.label_ko, fact


def test_characters_follow_the_facts(pack: Pack) -> None:
    by_key = {c.key: c for c in pack.characters}
    cheong_san = by_key["lee-cheong-san"]
    assert cheong_san.hangul == "이청산"
    assert cheong_san.actor == "yoon-chan-young"
    assert cheong_san.fate is not None
    assert cheong_san.fate.spoiler == "s1"
    # His Season 2 return undoes a Season 1 death: that is a Season 2 spoiler.
    assert cheong_san.season2 is not None
    assert cheong_san.season2.spoiler == "s2"
    assert cheong_san.season2.status is Season2Status.RETURNING
    assert cheong_san.season2.confidence == "confirmed"
    # No sourced fate: none is seeded.
    assert by_key["han-gyeong-su"].fate is None
    assert by_key["park-sun-hwa"].fate is None
    # Hangul is left empty where no Korean source showed it.
    assert by_key["yoon-gwi-nam"].hangul is None
    # Returning actors named only by a fan article are unconfirmed.
    assert by_key["yang-dae-su"].season2 is not None
    assert by_key["yang-dae-su"].season2.confidence == "unconfirmed"
    ma_ru = by_key["ma-ru"]
    assert ma_ru.season2 is not None
    assert ma_ru.season2.status is Season2Status.NEW
    assert ma_ru.seasons == (2,)
    assert "reported by pinkvilla.com only" in by_key["jong-a"].profile.text


def test_season_two_has_no_guessed_date(pack: Pack) -> None:
    season2 = next(s for s in pack.seasons if s.number == 2)
    assert season2.release is None
    assert season2.release_fact is None
    assert season2.stage is Stage.POST_PRODUCTION
    assert season2.stage_fact.confidence == "unconfirmed"
    # What Netflix said is kept apart from what the press reports or guesses.
    labelled = {fact.label: fact for fact in season2.facts}
    assert labelled["Netflix has announced"].confidence == "confirmed"
    assert "No release date yet" in labelled["Netflix has announced"].text
    assert labelled["The press reports"].confidence == "unconfirmed"
    assert labelled["The press reports"].text.startswith("Not from Netflix")
    season1 = next(s for s in pack.seasons if s.number == 1)
    # The day, not an hour nobody could source again.
    assert season1.release == "2022-01-28"
    assert season1.release_fact is not None
    assert season1.release_fact.confidence == "confirmed"


def test_every_cast_member_has_the_hangul_the_research_found(pack: Pack) -> None:
    for person in pack.people:
        assert person.hangul, person.key
        assert all(is_hangul_syllable(char) for char in person.hangul), person.key
    # Named only in a report before Netflix's announcement: news at most, never cast.
    assert not {p.name for p in pack.people} & {"Seo Ji-hoon", "Kim Se-yoon"}


def test_sources_link_their_exact_article(pack: Pack) -> None:
    # Never recorded (research-notes, fan-article): still to be replaced. imbc and bustle, not found again,
    # are gone, and so are the duplicates of deadline-2022-06-06 and joynews24-2022-06-07.
    assert not {"imbc", "bustle", "deadline", "joynews24"} & set(pack.meta.sources)
    still_to_replace = {"research-notes", "fan-article"}
    for ident, source in pack.meta.sources.items():
        if ident in still_to_replace:
            assert source.url is None, ident
            continue
        assert source.url or source.published, ident
        if source.url is None:
            continue
        parts = urlsplit(source.url)
        assert parts.scheme in {"http", "https"}, ident
        assert parts.path.strip("/") or parts.query, f"{ident} links to a home page"
        # The visible name is the site the link goes to (a subdomain may be left off).
        host = re.sub(r"^(www\d*|m)\.", "", parts.hostname or "")
        shown = source.name.split(",")[0]
        assert host == shown or host.endswith("." + shown), (ident, source.name, source.url)


def test_the_december_2026_corrections_to_the_show_are_in(pack: Pack) -> None:
    show = {fact.label: fact for fact in pack.show.facts}
    assert "요나스 바이러스" in (show["Virus"].text_ko or "")
    assert "조나스" not in str(msgspec.to_builtins(pack.show))
    assert "Jigeum Uri Hakgyoneun" not in show["Title"].text
    assert [s.name for s in show["Virus origin"].sources] == ["slashfilm.com", "aliencompany.co.kr"]
    assert "philstar.com" in [s.name for s in show["Viewing, first 10 days"].sources]
    assert "361.02 million" in show["Viewing, first 10 days"].text
    for label in ("Viewing, first 28 days", "Webtoon serialised"):
        assert show[label].confidence == "confirmed"
        assert len(show[label].sources) == 2
    assert "news1.kr" in [s.name for s in show["Viewing, first 28 days"].sources]
    assert "17:00" not in show["Premiere"].text


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("filename", "old", "new", "entry", "field", "problem"),
    [
        (
            "characters.toml",
            'text = "Survives"\nconfidence = "confirmed"',
            'text = "Survives"\nconfidence = "certain"',
            "character 'nam-on-jo'",
            "fate.confidence",
            "Invalid enum value 'certain' (expected one of: confirmed, reported, unconfirmed)",
        ),
        (
            "characters.toml",
            'actor = "yoon-chan-young"',
            'actor = "nobody-at-all"',
            "character 'lee-cheong-san'",
            "actor",
            "no person with key 'nobody-at-all'",
        ),
        (
            "news.toml",
            'sources = ["deadline-2022-06-06", "outlookindia-2022-06-07", "philstar-2022-06-07"]',
            'sources = ["deadline-2022-06-06", "made-up-source"]',
            "news 's2-renewed'",
            "sources",
            "unknown source 'made-up-source'",
        ),
        (
            "cast.toml",
            'name = "Cho Yi-hyun"',
            "name = 42",
            "person 'cho-yi-hyun'",
            "name",
            "Expected `str`, got `int`",
        ),
        (
            "news.toml",
            'date = "2022-06-06"',
            'date = "June 2022"',
            "news 's2-renewed'",
            "date",
            "Expected `str` matching regex",
        ),
        (
            "cast.toml",
            'key = "lomon"',
            'key = "park-ji-hu"',
            "person 'park-ji-hu'",
            "key",
            "duplicate key",
        ),
    ],
)
def test_a_broken_pack_names_file_entry_and_field(
    pack_copy: Path, filename: str, old: str, new: str, entry: str, field: str, problem: str
) -> None:
    _edit(pack_copy / filename, old, new)
    with pytest.raises(PackError) as caught:
        load_pack(pack_copy)
    error = caught.value
    assert error.file == str(pack_copy / filename)
    assert error.entry == entry
    assert error.field is not None
    assert error.field.startswith(field)
    assert problem in error.problem
    assert str(error).startswith(f"{pack_copy / filename}: {entry}, field {error.field!r}: ")


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        (
            'sources = ["research-notes"]\nspoiler = "s1"',
            'sources = ["research-notes"]\nspoilr = "s1"',
            "fate",
            "unknown field `spoilr`",
        ),
        (
            'text = "Survives"\nconfidence = "confirmed"\nsources = ["research-notes"]',
            'text = "Survives"\nconfidence = "confirmed"\nsources = []',
            "fate.sources",
            "length >= 1",
        ),
        (
            'sources = ["research-notes"]\nspoiler = "s1"',
            'sources = ["research-notes"]\nspoiler = "none"',
            "fate.spoiler",
            "a Season 1 fate is a spoiler",
        ),
    ],
)
def test_typos_missing_sources_and_unmarked_spoilers_are_refused(
    pack_copy: Path, old: str, new: str, field: str, problem: str
) -> None:
    _edit(pack_copy / "characters.toml", old, new)
    with pytest.raises(PackError) as caught:
        load_pack(pack_copy)
    assert caught.value.entry == "character 'nam-on-jo'"
    assert caught.value.field == field
    assert problem in caught.value.problem


def test_invalid_toml_names_the_file_and_line(pack_copy: Path) -> None:
    _edit(pack_copy / "seasons.toml", "number = 1", "number = = 1")
    with pytest.raises(
        PackError, match=re.escape(str(pack_copy / "seasons.toml")) + r": not valid TOML.*line"
    ):
        load_pack(pack_copy)


def test_a_missing_file_is_named(pack_copy: Path) -> None:
    (pack_copy / "news.toml").unlink()
    with pytest.raises(PackError, match=r"news\.toml: file is missing"):
        load_pack(pack_copy)


def test_digest_changes_with_content(pack_copy: Path, pack: Pack) -> None:
    assert load_pack(pack_copy).digest == pack.digest
    _edit(pack_copy / "characters.toml", "School bully", "The school bully")
    assert load_pack(pack_copy).digest != pack.digest
