"""The bundled pack: its content is what FACTS.md and FACTS-2026-12.md say, and a broken pack is named precisely."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import msgspec
import pytest

from bot.models import Character, Fact, LabelledFact, Person, Season2Status, Stage
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
    assert cheong_san.seasons == (1, 2)
    # The two fates the first sheet had no source for now have one, from a recap.
    for key in ("han-gyeong-su", "park-sun-hwa"):
        fate = by_key[key].fate
        assert fate is not None, key
        assert fate.text.startswith("Dies in episode 3")
        assert (fate.confidence, fate.spoiler) == ("reported", "s1")
        assert [s.name for s in fate.sources] == ["sportskeeda.com"]
    # Returning actors Netflix has not named stay in Season 1 only, their return unconfirmed.
    dae_su = by_key["yang-dae-su"]
    assert dae_su.seasons == (1,)
    assert dae_su.season2 is not None
    assert dae_su.season2.confidence == "unconfirmed"
    assert dae_su.season2.spoiler == "s2"
    ma_ru = by_key["ma-ru"]
    assert (ma_ru.name, ma_ru.hangul) == ("Yong Ma-ru", "용마루")
    assert "Ma-ru" in ma_ru.aliases
    assert ma_ru.season2 is not None
    assert ma_ru.season2.status is Season2Status.NEW
    assert ma_ru.seasons == (2,)
    # "On-jo's senior at university" says she survived Season 1.
    assert ma_ru.profile.spoiler == "s2"
    jong_a = by_key["jong-a"]
    assert jong_a.name == "Lee Jong-ah"
    assert "Jong-a" in jong_a.aliases
    assert "pinkvilla" not in jong_a.profile.text
    assert by_key["ju-ran"].name == "So Ju-ran"


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


# The only entries whose Hangul the research found in part: the given name, as Korean reports print it
# (소주란 and 이종아 were not found; 장우진 only in a wiki mirror). No character or cast member is without Hangul.
GIVEN_NAME_ONLY = {"ju-ran": "주란", "jong-a": "종아", "jang-woo-jin": "우진"}
WITHOUT_HANGUL: frozenset[str] = frozenset()


def test_every_character_and_actor_has_the_hangul_the_research_found(pack: Pack) -> None:
    hangul = {c.key: c.hangul for c in pack.characters} | {p.key: p.hangul for p in pack.people}
    assert len(hangul) == len(pack.characters) + len(pack.people), "no character and actor share a key"
    for key, name in hangul.items():
        if key in WITHOUT_HANGUL:
            assert name is None, key
            continue
        assert name, key
        assert all(is_hangul_syllable(char) for char in name), key
        if key in GIVEN_NAME_ONLY:
            assert name == GIVEN_NAME_ONLY[key]
    assert hangul["yoon-gwi-nam"] == "윤귀남"
    assert hangul["park-sun-hwa"] == "박선화"
    assert hangul["lee-sang-hee"] == "이상희"
    assert hangul["han-gyeong-su"] == "한경수"
    # Named only in a report before Netflix's announcement: news at most, never cast.
    names = {p.name for p in pack.people} | {c.name for c in pack.characters}
    assert not names & {"Seo Ji-hoon", "Kim Se-yoon"}


def _folded(name: str) -> str:
    return re.sub(r"[\s-]", "", name).casefold()


def test_no_two_characters_or_cast_members_share_a_name(pack: Pack) -> None:
    people = {p.key: p for p in pack.people}

    def person_names(person: Person) -> set[str]:
        return {_folded(n) for n in (person.name, *person.variants, person.hangul) if n}

    def character_names(character: Character) -> set[str]:
        return {_folded(n) for n in (character.name, *character.aliases, character.hangul) if n}

    # Every name of one character against every name of another character and of that character's actor.
    for character in pack.characters:
        for other in pack.characters:
            if other.key == character.key:
                continue
            theirs = character_names(other)
            if other.actor:
                theirs |= person_names(people[other.actor])
            assert not character_names(character) & theirs, (character.key, other.key)
    # The same for cast members: against another cast member and that cast member's characters.
    for person in pack.people:
        for other_person in pack.people:
            if other_person.key == person.key:
                continue
            theirs = person_names(other_person)
            for role in pack.characters:
                if role.actor == other_person.key:
                    theirs |= character_names(role)
            assert not person_names(person) & theirs, (person.key, other_person.key)


def test_every_source_is_an_article_or_a_dated_publication(pack: Pack) -> None:
    sources = pack.meta.sources
    assert "research-notes" not in sources
    assert not {"imbc", "bustle", "fan-article", "deadline", "joynews24"} & set(sources)
    for ident, source in sources.items():
        assert source.name != "Project research notes"
        if source.url is None:
            # A publication and a date, named as a publication rather than a web address.
            assert source.published, ident
            assert not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", source.name), ident
            continue
        parts = urlsplit(source.url)
        assert parts.scheme in {"http", "https"}, ident
        assert parts.path.strip("/") or parts.query, f"{ident} links to a home page"
        host = re.sub(r"^(www\d*|m)\.", "", parts.hostname or "")
        shown = source.name.split(",")[0]
        # The visible name is the site the link goes to (a subdomain may be left off).
        assert host == shown or host.endswith("." + shown), (ident, source.name, source.url)
    for fact in _all_facts(pack):
        assert all(source.url or source.published for source in fact.sources), fact


def test_spoiler_levels_follow_the_rules(pack: Pack) -> None:
    for character in pack.characters:
        if character.fate is not None:
            assert character.fate.spoiler in {"s1", "s2"}, character.key
        if character.season2 is not None and 1 in character.seasons:
            assert character.season2.spoiler == "s2", character.key
        if character.season2 is not None and character.season2.status is Season2Status.RETURNING:
            confirmed = character.season2.confidence == "confirmed"
            assert (2 in character.seasons) is confirmed, character.key
    news = {item.key: item for item in pack.news}
    assert news["s2-cast-announced"].spoiler == "s2"
    assert news["s2-returning-reported"].spoiler == "s2"
    assert news["s2-new-cast-announced"].spoiler == "none"


def test_the_december_2026_corrections_are_in(pack: Pack) -> None:
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

    by_key = {c.key: c for c in pack.characters}
    for key in ("jang-ha-ri", "park-mi-jin"):
        profile = by_key[key].profile
        assert profile.text.startswith("Third-year student"), key
        assert "archery club" in profile.text
        assert "양궁부" in (profile.text_ko or "")
    assert "English teacher" in by_key["park-sun-hwa"].profile.text
    assert "2-5" in by_key["park-sun-hwa"].profile.text
    assert "EMS team leader" in by_key["nam-so-ju"].profile.text
    assert "구급팀장" in (by_key["nam-so-ju"].profile.text_ko or "")
    byeong_chan = by_key["lee-byeong-chan"].fate
    assert byeong_chan is not None
    assert byeong_chan.text.startswith("Bitten")
    assert "dies" not in byeong_chan.text.lower()
    for key in ("yang-dae-su", "jang-ha-ri", "park-mi-jin", "seo-hyo-ryung"):
        fate = by_key[key].fate
        assert fate is not None
        assert fate.confidence == "confirmed", key


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("filename", "old", "new", "entry", "field", "problem"),
    [
        (
            "characters.toml",
            'confidence = "confirmed"\nsources = ["radiotimes-2022-02-02", "denofgeek-ending"]',
            'confidence = "certain"\nsources = ["radiotimes-2022-02-02", "denofgeek-ending"]',
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
            "no cast member has the key “nobody-at-all”: add (or restore) the cast member first",
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


# Each edit hits the first fate in characters.toml: Nam On-jo's.
@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        (
            'sources = ["radiotimes-2022-02-02", "denofgeek-ending"]\nspoiler = "s1"',
            'sources = ["radiotimes-2022-02-02", "denofgeek-ending"]\nspoilr = "s1"',
            "fate",
            "unknown field `spoilr`",
        ),
        (
            'confidence = "confirmed"\nsources = ["radiotimes-2022-02-02", "denofgeek-ending"]',
            'confidence = "confirmed"\nsources = []',
            "fate.sources",
            "length >= 1",
        ),
        (
            'sources = ["radiotimes-2022-02-02", "denofgeek-ending"]\nspoiler = "s1"',
            'sources = ["radiotimes-2022-02-02", "denofgeek-ending"]\nspoiler = "none"',
            "fate.spoiler",
            "a Season 1 fate reveals how Season 1 ends: set its spoiler level to s1",
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
