"""The rules about the data (bot.rules), each tested on its own: text, spoilers, confidence, sources, names,
stages and dates, references. Every write path calls these; the end-to-end tests show each path does."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from bot.dates import day_has_begun, day_is_over
from bot.i18n import ENGLISH, Lang
from bot.models import Character, Fact, NewsItem, Person, Season, Season2Role, Season2Status, Source, Stage
from bot.pack import Pack
from bot.rules import (
    NAME_LIMIT,
    SOURCES_LIMIT,
    TEXT_LIMIT,
    URL_LIMIT,
    OptionName,
    Problems,
    RuleViolation,
    effective_level,
    level_changes,
    name_problems,
    parse_source_line,
    raise_spoilers,
    reference_problems,
    release_order_problems,
    release_span,
    seasons_shown,
    source_problems,
    stage_sentence,
    state_problems,
    typed_confidence,
    typed_names,
    typed_sources,
    typed_text,
)

KO = Lang("ko")
LABEL = OptionName.named("source")


def source(
    name: str = "deadline.com", published: str | None = "2025-07-23", url: str | None = None
) -> Source:
    return Source(name=name, published=published, url=url)


def fact(text: str = "x", spoiler: str = "none") -> Fact:
    return msgspec.convert(
        {
            "text": text,
            "confidence": "reported",
            "sources": [{"name": "a.com", "published": "2025"}],
            "spoiler": spoiler,
        },
        type=Fact,
    )


def character(key: str = "nam-on-jo", name: str = "Nam On-jo", **changes: Any) -> Character:
    made = Character(key=key, name=name, seasons=(1,), profile=fact("Student"))
    return msgspec.structs.replace(made, **changes)


def typed(read: Callable[[Problems], Any]) -> Any:
    """What a typed_* function reads, failing the test on any problem."""
    problems = Problems()
    value = read(problems)
    assert not problems, [p.render(ENGLISH) for p in problems]
    return value


def refused(read: Callable[[Problems], Any]) -> list[str]:
    """The problems a typed_* function finds, rendered in English."""
    problems = Problems()
    read(problems)
    assert problems, "expected a problem"
    return [p.render(ENGLISH) for p in problems]


def line(text: str) -> list[Source]:
    return typed(lambda problems: parse_source_line(text, LABEL, problems))  # type: ignore[no-any-return]


def sources(text: str | None, **options: Any) -> tuple[Source, ...]:
    return typed(lambda problems: typed_sources(text, LABEL, problems, **options))  # type: ignore[no-any-return]


# -- sources ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("https://www.deadline.com/2025/07/all-of-us-are-dead-season-2", "deadline.com"),
        ("https://variety.com/2025/tv/news/x", "variety.com"),
        ("http://www.soompi.com/article/1", "soompi.com"),
        ("https://v.daum.net/v/20250723080753223", "v.daum.net"),
        ("https://www5.osen.co.kr/article/G1111766524", "osen.co.kr"),
        ("https://m.wikitree.co.kr/articles/732469", "wikitree.co.kr"),
    ],
)
def test_a_bare_link_is_named_after_its_site(text: str, name: str) -> None:
    [found] = line(text)
    assert found == Source(name=name, url=text)


def test_a_link_typed_without_a_scheme_gets_https() -> None:
    assert line("www.soompi.com/article/1") == [
        Source(name="soompi.com", url="https://www.soompi.com/article/1")
    ]


def test_a_publication_and_date_make_a_source_without_a_link() -> None:
    assert line("deadline.com, 2025-07-23") == [Source(name="deadline.com", published="2025-07-23")]


@pytest.mark.parametrize("published", ["2025", "2025-07", "2025-07-23"])
def test_the_date_may_be_as_rough_as_known(published: str) -> None:
    assert line(f"Netflix Tudum, {published}")[0].published == published


def test_a_publication_without_a_date_or_link_is_refused_with_an_example() -> None:
    [problem] = refused(lambda problems: parse_source_line("Osen", LABEL, problems))
    assert problem == "`source`: “Osen” needs a link, or the date it was published (e.g. Osen, 2026-11-20)."


def test_name_date_and_link_are_all_kept_and_the_typed_name_wins() -> None:
    assert line("Sports Chosun, 2025-07-23, https://www.sportschosun.com/a") == [
        Source(name="Sports Chosun", published="2025-07-23", url="https://www.sportschosun.com/a")
    ]
    assert line("https://x.y/z, 2025-07-23, Sports Chosun") == [
        Source(name="Sports Chosun", published="2025-07-23", url="https://x.y/z")
    ]


def test_two_links_on_one_line_are_two_sources_each_named_after_its_site() -> None:
    assert line("https://deadline.com/a, https://variety.com/b") == [
        Source(name="deadline.com", url="https://deadline.com/a"),
        Source(name="variety.com", url="https://variety.com/b"),
    ]
    assert sources("https://deadline.com/a https://www.variety.com/b, 2025-07-23") == (
        Source(name="deadline.com", published="2025-07-23", url="https://deadline.com/a"),
        Source(name="variety.com", published="2025-07-23", url="https://www.variety.com/b"),
    )


def test_two_links_with_one_name_are_refused() -> None:
    [problem] = refused(
        lambda p: parse_source_line("Deadline, https://deadline.com/a, https://variety.com/b", LABEL, p)
    )
    assert "holds 2 links and one name" in problem


@pytest.mark.parametrize(
    ("text", "named", "host"),
    [
        ("bbc.com, https://evil.example/x", "bbc.com", "evil.example"),
        ("Reported by netflix.com, https://fan-site.net/x", "netflix.com", "fan-site.net"),
    ],
)
def test_a_name_that_names_another_site_than_the_link_is_refused(text: str, named: str, host: str) -> None:
    [problem] = refused(lambda p: parse_source_line(text, LABEL, p))
    assert f"names {named}, but the link goes to {host}" in problem


def test_a_name_of_the_same_site_is_fine() -> None:
    assert line("osen.co.kr, https://www5.osen.co.kr/article/1")[0].name == "osen.co.kr"
    assert line("sportskeeda.com, citing OSEN, https://www.sportskeeda.com/x")[0].name == (
        "sportskeeda.com, citing OSEN"
    )


@pytest.mark.parametrize(
    "text", ["ftp://x", "ftp://files.example.com/a", "javascript://alert(1)", "file:///etc/x"]
)
def test_a_link_that_is_not_http_is_refused(text: str) -> None:
    [problem] = refused(lambda p: parse_source_line(text, LABEL, p))
    assert "must start with http:// or https://" in problem


@pytest.mark.parametrize("text", ["javascript:alert(1)", "data:text/html,hi", "mailto:press@netflix.com"])
def test_a_script_data_or_mail_link_is_refused_not_kept_as_a_name(text: str) -> None:
    assert "http://" in refused(lambda p: parse_source_line(text, LABEL, p))[0]


def test_a_name_with_a_colon_and_a_space_is_still_a_name() -> None:
    assert line("Soompi: exclusive, 2025-07-23") == [Source(name="Soompi: exclusive", published="2025-07-23")]


def test_a_link_over_the_limit_is_refused_with_its_length() -> None:
    url = "https://example.com/" + "a" * URL_LIMIT
    [problem] = refused(lambda p: parse_source_line(url, LABEL, p))
    assert str(len(url)) in problem
    assert str(URL_LIMIT) in problem


def test_a_link_at_the_limit_is_accepted() -> None:
    url = "https://example.com/" + "a" * (URL_LIMIT - len("https://example.com/"))
    assert line(url)[0].url == url


def test_a_date_that_does_not_exist_is_refused() -> None:
    assert "is not a real date" in refused(lambda p: parse_source_line("Soompi, 2025-13-45", LABEL, p))[0]


def test_a_source_name_over_the_limit_is_refused() -> None:
    assert (
        str(NAME_LIMIT)
        in refused(lambda p: parse_source_line("N" * (NAME_LIMIT + 1) + ", 2025", LABEL, p))[0]
    )


def test_a_refused_line_cannot_ping() -> None:
    assert "@everyone" not in refused(lambda p: parse_source_line("ftp://@everyone", LABEL, p))[0]


def test_a_link_with_a_comma_in_it_is_kept_whole() -> None:
    assert line("https://www.spiegel.de/kultur/a,b.html") == [
        Source(name="spiegel.de", url="https://www.spiegel.de/kultur/a,b.html")
    ]


def test_one_source_per_line_with_blank_lines_ignored() -> None:
    assert sources("\n  deadline.com, 2025-07-23\n\n   \nhttps://x.y/z\r\n\n") == (
        Source(name="deadline.com", published="2025-07-23"),
        Source(name="x.y", url="https://x.y/z"),
    )


@pytest.mark.parametrize("text", [None, "", "  \n\n \t"])
def test_no_sources_is_refused_when_required(text: str | None) -> None:
    assert "at least one source" in refused(lambda p: typed_sources(text, LABEL, p))[0]
    assert sources(text, required=False) == ()


def test_the_most_sources_a_fact_keeps_is_accepted_and_one_more_refused() -> None:
    text = "\n".join(f"https://source{n}.com/a" for n in range(SOURCES_LIMIT))
    assert len(sources(text)) == SOURCES_LIMIT
    [problem] = refused(lambda p: typed_sources(text + "\nhttps://one-more.com/a", LABEL, p))
    assert f"that is {SOURCES_LIMIT + 1} sources; a fact can keep at most {SOURCES_LIMIT}" in problem


def test_every_bad_line_is_told_at_once() -> None:
    problems = refused(
        lambda p: typed_sources("deadline.com, 2025\nftp://x\nOsen\nhttps://ok.com/a", LABEL, p)
    )
    assert len(problems) == 2
    assert "http://" in problems[0]
    assert "“Osen” needs a link" in problems[1]


def test_a_line_shown_as_it_was_keeps_its_source_note_and_all() -> None:
    kept = Source(
        name="deadline.com", published="2022-06-06", url="https://deadline.com/a", note="Geeked Week"
    )
    assert sources("deadline.com, 2022-06-06, https://deadline.com/a\nvariety.com, 2025", keep=[kept]) == (
        kept,
        Source(name="variety.com", published="2025"),
    )


def test_a_stored_source_naming_another_site_is_a_problem_wherever_it_comes_from() -> None:
    assert source_problems(source("bbc.com", None, "https://evil.example/x"))
    assert source_problems(source("https://b.example/x", None, "https://a.example/x"))
    assert not source_problems(source("v.daum.net", "2025-07-23", "https://v.daum.net/v/1"))


# -- text and names ----------------------------------------------------------------------------------------

NAME = OptionName.named("name")


def text_of(value: str | None, limit: int = NAME_LIMIT, **options: Any) -> str | None:
    return typed(lambda p: typed_text(value, NAME, limit, p, **options))  # type: ignore[no-any-return]


def test_text_is_trimmed_nfc_and_without_control_or_invisible_characters() -> None:
    assert text_of("  Nam On-jo \n") == "Nam On-jo"
    assert text_of("line one\x00\x07\r\nline\ttwo\x1b", TEXT_LIMIT) == "line one\nline\ttwo"
    assert text_of("On\u200bjo\u202e") == "Onjo"
    assert text_of(unicodedata.normalize("NFD", "Café 남온조")) == "Café 남온조"
    # The limit counts what is stored (NFC): decomposed Hangul is three times as long.
    assert text_of(unicodedata.normalize("NFD", "남" * NAME_LIMIT)) == "남" * NAME_LIMIT


def test_text_over_the_limit_is_refused_with_both_lengths() -> None:
    [problem] = refused(lambda p: typed_text("x" * (TEXT_LIMIT + 7), NAME, TEXT_LIMIT, p))
    assert problem == f"`name`: is {TEXT_LIMIT + 7} characters long; it can be at most {TEXT_LIMIT}."


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t ", "\x00\x07", "\u200b"])
def test_empty_text_is_refused_when_required_and_none_otherwise(value: str | None) -> None:
    assert refused(lambda p: typed_text(value, NAME, NAME_LIMIT, p)) == ["`name`: can't be empty"]
    assert text_of(value, required=False) is None


def test_spoiler_marks_must_pair_up_where_text_may_mark_them() -> None:
    assert (
        text_of("On-jo ||survives|| the school", TEXT_LIMIT, spoilers=True) == "On-jo ||survives|| the school"
    )
    [problem] = refused(lambda p: typed_text("On-jo ||survives", NAME, TEXT_LIMIT, p, spoilers=True))
    assert "mark is opened but never closed" in problem


def test_the_problem_names_the_option_in_the_readers_language() -> None:
    problems = Problems()
    typed_text("", OptionName.named("description"), TEXT_LIMIT, problems)
    korean = problems[0].render(KO)
    assert korean.startswith("`")
    assert "description" not in korean


def test_names_are_split_cleaned_deduplicated_and_bounded() -> None:
    assert typed(lambda p: typed_names("On-jo, Onjo\nClass 2-5 On-jo", NAME, p)) == (
        "On-jo",
        "Onjo",
        "Class 2-5 On-jo",
    )
    assert typed(lambda p: typed_names("B, A, B\nC, A", NAME, p)) == ("B", "A", "C")
    assert typed(lambda p: typed_names(" , ,\n\n", NAME, p)) == ()
    assert typed(lambda p: typed_names("On\u200bjo", NAME, p)) == ("Onjo",)
    assert "a name can be at most 100" in refused(lambda p: typed_names("ok, " + "x" * 101, NAME, p))[0]
    assert (
        "that is 26 names"
        in refused(lambda p: typed_names(", ".join(f"n{i}" for i in range(26)), NAME, p))[0]
    )


# -- confidence --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "  "])
def test_no_confidence_chosen_is_unconfirmed_and_said_to_be_assumed(value: str | None) -> None:
    assert typed(lambda p: typed_confidence(value, NAME, p)) == ("unconfirmed", True)


def test_a_chosen_confidence_is_kept_and_a_bad_one_refused() -> None:
    assert typed(lambda p: typed_confidence(" Confirmed ", NAME, p)) == ("confirmed", False)
    [problem] = refused(lambda p: typed_confidence("sure", NAME, p))
    assert "must be one of: confirmed, reported, unconfirmed" in problem


# -- spoilers ----------------------------------------------------------------------------------------------


def returning(spoiler: str = "none") -> Season2Role:
    return Season2Role(**msgspec.structs.asdict(fact("Returns", spoiler)), status=Season2Status.RETURNING)


def test_a_fate_is_at_least_s1_and_a_season_one_characters_season_two_at_least_s2() -> None:
    lived = character(fate=fact("Survives"), season2=returning())
    raised, notes = raise_spoilers(lived)
    assert isinstance(raised, Character)
    assert raised.fate is not None
    assert raised.season2 is not None
    assert (raised.fate.spoiler, raised.season2.spoiler) == ("s1", "s2")
    assert [(n.path, n.typed, n.level) for n in notes] == [("fate", "none", "s1"), ("season2", "none", "s2")]
    # Drawing follows the rule even for data saved before it.
    assert effective_level(lived, "season2", returning()) == "s2"
    assert effective_level(lived, "profile", lived.profile) == "none"


def test_a_new_season_two_characters_news_is_not_raised() -> None:
    new = character("ma-ru", "Ma-ru", seasons=(2,), season2=returning())
    assert raise_spoilers(new) == (new, [])


def test_the_seasons_of_a_season_one_character_say_no_more_than_season_one_below_s2() -> None:
    back = character(seasons=(1, 2))
    assert seasons_shown(back, "none") == (1,)
    assert seasons_shown(back, "s1") == (1,)
    assert seasons_shown(back, "s2") == (1, 2)
    assert seasons_shown(character("ma-ru", "Ma-ru", seasons=(2,)), "none") == (2,)


def test_files_are_taken_as_written_so_a_low_level_is_a_problem_there() -> None:
    problems = state_problems([character(season2=returning())])
    assert [(p.key, p.field) for p in problems] == [("nam-on-jo", "season2.spoiler")]
    assert "set its spoiler level to s2" in problems[0].render(ENGLISH)


def test_a_change_that_lowers_a_level_is_told() -> None:
    before = NewsItem(key="n", season=2, date="2025", **msgspec.structs.asdict(fact("News", "s2")))
    after = msgspec.structs.replace(before, spoiler="none")
    [change] = level_changes(before, after)
    assert (change.before, change.after, change.lowered) == ("s2", "none", True)
    assert level_changes(before, before) == []
    assert [c.after for c in level_changes(None, before)] == ["s2"]


# -- names -------------------------------------------------------------------------------------------------

ACTOR = Person(key="lomon", name="Lomon", hangul="로몬", variants=("Park Solomon",))
SU_HYEOK = character("lee-su-hyeok", "Lee Su-hyeok", hangul="이수혁", actor="lomon", aliases=("Su-hyeok",))
NAM_RA = character("choi-nam-ra", "Choi Nam-ra", hangul="최남라", aliases=("Namra",))


def clashes(*entries: Any, changed: set[tuple[str, str]] | None = None) -> list[str]:
    return [p.render(ENGLISH) for p in name_problems(entries, changed)]


def test_an_alias_that_leads_to_another_character_is_refused_naming_it() -> None:
    new = character("nam-ra-2", "Nam Ra Two", aliases=("NAM-RA",))
    [problem] = clashes(ACTOR, SU_HYEOK, NAM_RA, new, changed={("character", "nam-ra-2")})
    assert problem.startswith(
        "character “nam-ra-2”, field `aliases[0]`: “NAM-RA” is already a name of Choi Nam-ra"
    )


def test_a_name_that_is_another_characters_actor_is_refused() -> None:
    new = character("lomon-2", "Lomon")
    [problem] = clashes(ACTOR, SU_HYEOK, new, changed={("character", "lomon-2")})
    assert "“Lomon” already leads to Lee Su-hyeok" in problem


def test_two_roles_of_one_actor_share_the_actors_names() -> None:
    second = character("lee-su-hyeok-2", "Lee Su-hyeok Jr", actor="lomon")
    assert clashes(ACTOR, SU_HYEOK, second) == []


def test_a_shared_hangul_given_name_is_left_to_search() -> None:
    other = character("kim-nam-ra", "Kim Nam-ra", hangul="김남라")
    assert clashes(NAM_RA, other) == []


def test_a_cast_member_named_like_someone_elses_character_is_refused() -> None:
    person = Person(key="nam-on-jo-actor", name="Lee Su-hyeok")
    [problem] = clashes(ACTOR, SU_HYEOK, person, changed={("person", "nam-on-jo-actor")})
    assert "already leads to Lomon (cast member), who plays Lee Su-hyeok" in problem


def test_only_the_changed_entries_are_blamed() -> None:
    one, two = character("a", "Same"), character("b", "Same")
    assert len(clashes(one, two)) == 1
    assert clashes(one, two, changed={("character", "c")}) == []
    assert len(clashes(one, two, changed={("character", "b")})) == 1


def test_the_bundled_pack_gives_every_name_to_one_entry(pack: Pack) -> None:
    assert name_problems(entry for _, _, entry in pack.entries()) == []


# -- stages, dates and references ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "english"),
    [
        (Stage.ANNOUNCED, "Season 2 has been announced"),
        (Stage.IN_PRODUCTION, "Season 2 is in production"),
        (Stage.FILMING, "Season 2 is filming"),
        (Stage.POST_PRODUCTION, "Season 2 is in post-production"),
        (Stage.RELEASE_DATE_SET, "Season 2 has a release date"),
        (Stage.RELEASED, "Season 2 has been released"),
    ],
)
def test_every_stage_reads_as_a_sentence_in_both_languages(stage: Stage, english: str) -> None:
    assert stage_sentence(2, stage, ENGLISH) == english
    korean = stage_sentence(2, stage, KO)
    assert korean != english
    assert "2" in korean


def season(number: int, release: str | None) -> Season:
    return Season(number=number, stage=Stage.ANNOUNCED, stage_fact=fact(), release=release)


@pytest.mark.parametrize(
    ("first", "second", "refused_"),
    [
        ("2022-01-28T17:00:00+09:00", "2020-01-01", True),
        ("2022-01-28T17:00:00+09:00", "2022-01-28", True),
        ("2022-01-28T17:00:00+09:00", "2021", True),
        ("2022-01-28T17:00:00+09:00", "early 2022", False),
        ("2022-01-28T17:00:00+09:00", "2022", False),
        ("2022-01-28T17:00:00+09:00", "late 2026", False),
        ("2022-01-28", "2022-01-29", False),
    ],
)
def test_a_season_premieres_after_the_one_before_it(first: str, second: str, refused_: bool) -> None:
    problems = release_order_problems([season(1, first), season(2, second)])
    assert bool(problems) is refused_
    if refused_:
        assert (problems[0].key, problems[0].field) == ("2", "release")
        assert "Season 2 can't premiere" in problems[0].render(ENGLISH)


def test_a_rough_release_spans_its_days() -> None:
    assert [str(d) for d in release_span("late 2026")] == ["2026-09-01", "2026-12-31"]
    assert [str(d) for d in release_span("2026-02")] == ["2026-02-01", "2026-02-28"]
    assert [str(d) for d in release_span("2026")] == ["2026-01-01", "2026-12-31"]


def test_references_know_entries_a_file_holds_but_could_not_read() -> None:
    played = character(actor="park-ji-hu")
    assert [p.field for p in reference_problems([played])] == ["actor"]
    assert reference_problems([played], present={"person": {"park-ji-hu"}}) == []


def test_a_rule_violation_lists_every_problem_within_discords_limit() -> None:
    problems = Problems()
    for index in range(200):
        typed_text("", OptionName.named(f"field{index}"), 10, problems)
    text = RuleViolation(problems).render(ENGLISH)
    assert text.startswith("Nothing was saved. Please fix these 200 things and try again:")
    assert len(text) <= 2000
    assert text.endswith("more.")


# -- lookalike letters and links -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "blamed"),
    [
        ("Ch\u043ei", "Ch\u043ei"),  # a Cyrillic о
        ("Choi Nam-\u0433\u0430", "\u0433\u0430"),  # a Cyrillic word in a Latin name
        ("\u0412\u0412\u0421", "\u0412\u0412\u0421"),  # "BBC" in Cyrillic
        ("\u13bbello", "\u13bbello"),  # a Cherokee Ꮋ
        ("h\u0585me", "h\u0585me"),  # an Armenian օ
        ("\u0261oogle", "\u0261oogle"),  # a phonetic ɡ
        ("\u029cello", "\u029cello"),  # a small capital ʜ
        ("\u04bbello", "\u04bbello"),  # a Cyrillic һ
        ("\U0001d402\U0001d421\U0001d428\U0001d422", "\U0001d402\U0001d421\U0001d428\U0001d422"),  # bold 𝐂𝐡𝐨𝐢
        ("Kim \u0421\u04bb\u04cf\u043e\u0451", "\u0421\u04bb\u04cf\u043e\u0451"),  # accents too: "Сһӏоё"
        ("\u0474\u0406\u0420", "\u0474\u0406\u0420"),  # "ѴІР" reads "VIP"
        ("Kim \u15f0\u15e9\u144e", "\u15f0\u15e9\u144e"),  # "fancy text" in Canadian syllabics: "MAN"
        ("\u0421\u04bb\u043e\u0435 \u039b", "\u0421\u04bb\u043e\u0435"),  # beside a word of another alphabet
        (
            "Kim \u0421\u04bb\u043e\u0435 \u044a",
            "\u0421\u04bb\u043e\u0435",
        ),  # one real letter carries no word
        ("\u2ca4hoi", "\u2ca4hoi"),  # Coptic
        ("\ua4dahoi", "\ua4dahoi"),  # Lisu
        ("\ua4d0\ua4d0\ua4da", "\ua4d0\ua4d0\ua4da"),  # Lisu "BBC"
        ("\u1455hoi", "\u1455hoi"),  # Canadian syllabics
        ("\u03a5\u039d\u039d", "\u03a5\u039d\u039d"),  # Greek "YNN"
        ("\u03f9\u039d\u039d", "\u03f9\u039d\u039d"),  # Greek lunate sigma "CNN"
        ("\u216dhoi", "\u216dhoi"),  # a Roman numeral Ⅽ
        ("\u2102hoi", "\u2102hoi"),  # a double-struck ℂ
        ("\uff23hoi", "\uff23hoi"),  # a full-width Ｃ
    ],
)
def test_a_name_of_letters_that_look_latin_but_are_not_is_refused_naming_the_word(
    name: str, blamed: str
) -> None:
    problems = Problems()
    typed_names(name, LABEL, problems)
    assert len(problems) == 1
    assert f"“{blamed}”" in problems[0].what.render(ENGLISH)


@pytest.mark.parametrize(
    "name",
    [
        "Nikos (\u039d\u03af\u03ba\u03bf\u03c2)",
        "\u041f\u0430\u043a \u0425\u044d",
        "최남라",
        "Nam-ra",
        "Gwi-nam",
        # "Су" reads as Latin, but beside "Пак" the name is written in Cyrillic.
        "Park Hae-soo (\u041f\u0430\u043a \u0425\u044d \u0421\u0443)",
        "Maria (\u039c\u03b1\u03c1\u03af\u03b1)",  # Greek accents mark a real Greek word
        "M\u00aa Jos\u00e9",  # an ordinal indicator
        "\ufb01nal",  # a ligature pasted from a PDF
        "Henry \u2167",  # a Roman numeral of several letters
        "Nikos \u0106osi\u0107",
        "Hawai\u02bbi",  # the okina
        "H\u0259s\u0259nov",  # Azerbaijani ə
        "K\u0254fi \u0186s\u025bi",  # Akan ɔ, ɛ
        "BTS\ubc29\ud0c4\uc18c\ub144\ub2e8",
        "\u30b3\u30fc\u30d2\u30fc",  # katakana with its long-vowel mark
    ],
)
def test_a_name_in_another_alphabet_that_does_not_read_as_latin_stays(name: str) -> None:
    problems = Problems()
    assert typed_names(name, LABEL, problems) == (name,)
    assert not problems


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://deadline.com/\u200b", "draw as nothing"),
        ("https://deadline.com/?utm_source=x&fbclid=1", "home page"),
        ("https://deadline.com/./", "home page"),
        ("https://deadline.com/a/..", "home page"),
        ("https://deadline.com/index.php", "home page"),
        ("https://xn--80ak6aa92e.com/a", "Cyrillic letters"),
        ("https://xn--zz.com/a", "not one plain link"),
        ("https://xn--a.com/a", "not one plain link"),
        ("https://xn--abc-.de/x", "not one plain link"),  # "xn--" spelling plain ASCII
        ("https://a.com:abc/x", "not one plain link"),
        ("https://netflix.com%40evil.example/a", "not one plain link"),
        ("https://netf\u034flix.com/a", "draw as nothing"),
        ("https://deadline.com/a\ufe0f", "draw as nothing"),
        ("https://deadline.com/%20", "home page"),
        ("https://deadline.com/%252F", "home page"),
        ("https://deadline.com/?=", "home page"),
        ("https://deadline.com/%2525252F", "home page"),
        ("https://netflix.com\u3002evil.com/a", "not one plain link"),
    ],
)
def test_a_link_that_hides_what_it_is_is_refused(url: str, problem: str) -> None:
    [found] = source_problems(source(url=url))
    assert problem in found.render(ENGLISH)


@pytest.mark.parametrize(
    "url",
    [
        "https://deadline.com/?p=123",
        "https://xn--e1afmkfd.xn--p1ai/news/1",
        "https://deadline.com/2025/07/x",
        "https://x.com/#!/news/123",
        "https://xn--fa-hia.de/a",  # faß.de: a name of IDNA 2008
        "https://xn--mxac2c.gr/a",
        "https://deadline.com:8443/2025/x",
    ],
)
def test_an_article_link_stays(url: str) -> None:
    assert source_problems(source(name="a publication", url=url)) == []


def test_a_date_is_to_come_until_it_begins_anywhere_on_earth() -> None:
    day = dt.date(2026, 12, 8)
    # Midnight of the 8th at UTC+14 is 10:00 on the 7th in UTC.
    assert not day_has_begun(day, dt.datetime(2026, 12, 7, 9, 59, tzinfo=dt.UTC))
    assert day_has_begun(day, dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC))


def test_a_day_is_over_once_it_has_ended_everywhere_on_earth() -> None:
    day = dt.date(2026, 12, 8)
    # Midnight after the 8th at UTC-12 is noon on the 9th in UTC.
    assert not day_is_over(day, dt.datetime(2026, 12, 9, 11, 59, tzinfo=dt.UTC))
    assert day_is_over(day, dt.datetime(2026, 12, 9, 12, 0, tzinfo=dt.UTC))


def test_marks_that_draw_as_nothing_are_dropped_from_typed_names() -> None:
    problems = Problems()
    assert typed_names("Park Ji\u034f-hu, Park Ji-hu\ufe0f", LABEL, problems) == ("Park Ji-hu",)
    assert not problems
