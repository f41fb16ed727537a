"""What moderators type becomes valid entries or a clear refusal; changes are described and diffed in words."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from bot.errors import UserFacingError
from bot.models import Character, Fact, LabelledFact, Person, Season2Role, Season2Status, Source
from bot.moderation_store import Revision
from bot.pack import Pack
from cogs.manage._edits import describe_update, fact_block, new_key
from cogs.manage._history import PER_PAGE, diff_lines, history_pages

KEY_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def make_source(
    name: str = "deadline.com", published: str | None = "2025-07-23", url: str | None = None
) -> Source:
    return Source(name=name, published=published, url=url)


def make_character(**changes: object) -> Character:
    character = Character(
        key="nam-on-jo",
        name="Nam On-jo",
        hangul="남온조",
        aliases=("On-jo", "Onjo"),
        actor="park-ji-hu",
        profile=Fact(text="Student of class 2-5", confidence="confirmed", sources=(make_source(),)),
        fate=Fact(
            text="Survives",
            confidence="confirmed",
            sources=(make_source("Netflix", None, "https://www.netflix.com/title/81237994"),),
            spoiler="s1",
        ),
        season2=Season2Role(
            text="Returns in Season 2",
            confidence="reported",
            sources=(make_source(),),
            spoiler="s2",
            status=Season2Status.RETURNING,
        ),
    )
    return msgspec.structs.replace(character, **changes)


def user_message(caught: pytest.ExceptionInfo[UserFacingError]) -> str:
    return caught.value.message


# --- new_key ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Ma-ru", "ma-ru"),
        ("Choi Nam-ra", "choi-nam-ra"),
        ("  Lee  Cheong-san!! ", "lee-cheong-san"),
        ("Éun-jí", "eun-ji"),
        ("Yoon Gwi-nam (귀남)", "yoon-gwi-nam"),
        ("S2 2026-12-05: Filming wraps", "s2-2026-12-05-filming-wraps"),
    ],
)
def test_a_key_is_an_ascii_slug_of_the_name(name: str, key: str) -> None:
    assert new_key(name, set()) == key


@pytest.mark.parametrize("name", ["남온조", "!!!", "  "])
def test_a_name_with_no_ascii_letters_gets_a_fallback_key(name: str) -> None:
    assert new_key(name, set()) == "entry"


def test_keys_are_made_unique_with_a_number() -> None:
    assert new_key("Ma-ru", {"ma-ru"}) == "ma-ru-2"
    assert new_key("Ma-ru", {"ma-ru", "ma-ru-2"}) == "ma-ru-3"
    assert new_key("남온조", {"entry"}) == "entry-2"
    assert new_key("이청산", {"entry", "entry-2"}) == "entry-3"


def test_keys_taken_by_the_bundled_characters_are_not_reused(pack: Pack) -> None:
    taken = {character.key for character in pack.characters}
    existing = pack.characters[0]
    key = new_key(existing.name, taken)
    assert key not in taken
    assert key.startswith(existing.key)


def test_a_long_name_gives_a_key_the_model_accepts() -> None:
    key = new_key("x" * 100, set())
    assert len(key) == 50
    msgspec.convert({"key": key, "name": "x"}, type=Person)


def test_a_key_cut_at_a_separator_does_not_end_with_a_hyphen() -> None:
    key = new_key("a" * 49 + " b", set())
    assert not key.endswith("-")
    msgspec.convert({"key": key, "name": "x"}, type=Person)


# --- fact_block -------------------------------------------------------------------------------------------


def test_a_spoiler_fact_is_hidden_behind_a_spoiler_tag() -> None:
    fact = Fact(text="Survives", confidence="confirmed", sources=(make_source(),), spoiler="s1")
    # Its sources go behind the same spoiler: a source's name or address can tell the fact.
    shown, provenance = fact_block(fact).split("\n")
    assert shown == "||Survives"
    assert provenance.startswith("_confirmed_ · ")
    assert provenance.endswith("||")


def test_a_season_two_spoiler_is_hidden_too() -> None:
    fact = Fact(text="Returns", confidence="reported", sources=(make_source(),), spoiler="s2")
    assert fact_block(fact) == "||Returns\n_reported_ · deadline.com, 2025-07-23||"


def test_a_fact_without_spoilers_is_plain() -> None:
    fact = Fact(text="Student of class 2-5", confidence="unconfirmed", sources=(make_source(),))
    shown, provenance = fact_block(fact).split("\n")
    assert shown == "Student of class 2-5"
    assert "||" not in fact_block(fact)
    assert provenance.startswith("_unconfirmed_ · ")


def test_the_provenance_line_links_each_source() -> None:
    fact = Fact(
        text="Filming wrapped",
        confidence="reported",
        sources=(
            make_source("Sports Chosun", "2025-07-23", "https://sports.chosun.com/a/1"),
            make_source("deadline.com", None),
            make_source("Project research notes", None),
        ),
    )
    provenance = fact_block(fact).split("\n")[1]
    # A link shows its site; a source without an article is its publication, not a link to a home page.
    assert provenance == (
        "_reported_ · [Sports Chosun (sports.chosun.com), 2025-07-23](https://sports.chosun.com/a/1); "
        "deadline.com; Project research notes"
    )


@pytest.mark.parametrize("spoiler", ["none", "s1"])
def test_mentions_in_a_fact_cannot_ping(spoiler: str) -> None:
    fact = msgspec.convert(
        {
            "text": "@everyone @here <@123456789012345678> <@&123456789012345678> **not bold**",
            "confidence": "reported",
            "sources": [{"name": "a.com"}],
            "spoiler": spoiler,
        },
        type=Fact,
    )
    shown = fact_block(fact).split("\n")[0]
    for mention in ("@everyone", "@here", "<@123456789012345678>", "<@&123456789012345678>"):
        assert mention not in shown
    assert "**not bold**" not in shown


def test_a_moderators_spoiler_marks_stay_spoilers_and_nothing_else_is_markup() -> None:
    fact = Fact(
        text="Cheong-san ||comes back|| <#123> **bold** [x](https://e.x)",
        confidence="confirmed",
        sources=(make_source(),),
    )
    shown = fact_block(fact).split("\n")[0]
    assert shown.startswith("Cheong-san ||comes back|| ")
    assert "\\<#123>" in shown
    assert "**bold**" not in shown
    assert "\\[x](https://e.x)" in shown  # a masked link drawn as typed, not as a link


def test_a_mark_dropped_inside_a_hidden_text_does_not_glue_a_link_to_the_next_word() -> None:
    fact = Fact(
        text="Back https://x.example/a||as a|| soldier",
        confidence="confirmed",
        sources=(make_source(),),
        spoiler="s1",
    )
    shown = fact_block(fact)
    assert "https://x.example/a as a soldier" in shown, shown
    assert shown.count("||") == 2


def test_a_spoiler_cannot_be_broken_out_of() -> None:
    fact = Fact(text="a|| revealed ||b", confidence="confirmed", sources=(make_source(),), spoiler="s1")
    shown = fact_block(fact)
    assert shown.startswith("||a revealed b\n")
    assert shown.endswith("||")
    assert shown[2:-2].count("||") == 0


# --- describe_update --------------------------------------------------------------------------------------


def test_editing_a_fate_names_it_in_words() -> None:
    before = make_character()
    assert before.fate is not None
    after = msgspec.structs.replace(
        before, fate=msgspec.structs.replace(before.fate, text="Turns into a zombie")
    )
    title, body = describe_update(before, after)
    assert title == "Updated: Nam On-jo (Season 1 fate)"
    assert body.startswith("**Season 1 fate:** ||Turns into a zombie\n_confirmed_ · ")


def test_editing_a_bundled_characters_fate_names_it_in_words(pack: Pack) -> None:
    before = next(character for character in pack.characters if character.fate is not None)
    assert before.fate is not None
    after = msgspec.structs.replace(before, fate=msgspec.structs.replace(before.fate, text="Something else"))
    title, _ = describe_update(before, after)
    assert title == f"Updated: {before.name} (Season 1 fate)"


def test_several_changed_parts_are_named_in_field_order() -> None:
    before = make_character()
    after = msgspec.structs.replace(before, aliases=("On-jo",), hangul="온조", fate=None)
    title, body = describe_update(before, after)
    assert title == "Updated: Nam On-jo (Hangul name, aliases, Season 1 fate)"
    assert body.split("\n") == ["**Hangul name:** 온조", "**Aliases:** On-jo", "**Season 1 fate:** removed"]


def test_season_two_and_profile_are_named_in_words() -> None:
    before = make_character()
    assert before.season2 is not None
    after = msgspec.structs.replace(
        before,
        profile=msgspec.structs.replace(before.profile, text="Class president"),
        season2=msgspec.structs.replace(before.season2, status=Season2Status.NOT_RETURNING, text="Not back"),
    )
    title, body = describe_update(before, after)
    # Nam On-jo is a Season 1 character: a title naming "Season 2" would tell that she comes back.
    assert title == "Updated: Nam On-jo (who they are)"
    assert "**Who they are:** Class president\n" in body
    assert body.endswith("\n||Season 2: Not back\n_reported_ · deadline.com, 2025-07-23||")


def test_emptied_aliases_show_a_dash() -> None:
    before = make_character()
    _, body = describe_update(before, msgspec.structs.replace(before, aliases=()))
    assert body == "**Aliases:** —"


def test_a_person_s_variants_are_called_spellings() -> None:
    before = Person(key="park-ji-hu", name="Park Ji-hu", variants=("Park Jihu",))
    after = msgspec.structs.replace(before, variants=("Park Jihu", "Park Ji-hoo"))
    title, body = describe_update(before, after)
    assert title == "Updated: Park Ji-hu (spellings)"
    assert body == "**Spellings:** Park Jihu, Park Ji-hoo"


def test_a_new_name_is_escaped_in_the_body() -> None:
    before = make_character()
    _, body = describe_update(before, msgspec.structs.replace(before, name="@everyone *On-jo*"))
    assert "@everyone" not in body
    assert "*On-jo*" not in body


# --- diff_lines -------------------------------------------------------------------------------------------


def test_a_new_entry_is_created_and_a_deleted_one_removed() -> None:
    character = make_character()
    assert diff_lines(None, character) == ["created"]
    assert diff_lines(character, None) == ["removed"]
    assert diff_lines(None, None) == []


def test_an_unchanged_entry_has_no_visible_change() -> None:
    assert diff_lines(make_character(), make_character()) == ["no visible change"]


def test_a_changed_nested_field_is_shown_by_its_path() -> None:
    before = make_character()
    assert before.fate is not None
    after = msgspec.structs.replace(before, fate=msgspec.structs.replace(before.fate, text="Dies"))
    assert diff_lines(before, after) == ["`fate.text`: ~~Survives~~ → Dies"]


def test_changed_fields_are_listed_in_path_order() -> None:
    before = make_character()
    assert before.fate is not None
    after = msgspec.structs.replace(
        before, name="On-jo", fate=msgspec.structs.replace(before.fate, confidence="reported", spoiler="none")
    )
    assert diff_lines(before, after) == [
        "`fate.confidence`: ~~confirmed~~ → reported",
        "`fate.spoiler`: ~~s1~~ → none",
        "`name`: ~~Nam On-jo~~ → On-jo",
    ]


def test_an_empty_side_is_shown_as_the_empty_set() -> None:
    before = make_character(hangul=None)
    after = make_character()
    assert diff_lines(before, after) == ["`hangul`: ~~∅~~ → 남온조"]
    assert diff_lines(after, before) == ["`hangul`: ~~남온조~~ → ∅"]


def test_a_removed_fact_shows_each_of_its_fields_going() -> None:
    before = make_character()
    lines = diff_lines(before, make_character(fate=None))
    assert "`fate.text`: ~~Survives~~ → ∅" in lines
    assert "`fate.confidence`: ~~confirmed~~ → ∅" in lines
    assert "`fate.spoiler`: ~~s1~~ → ∅" in lines


def test_long_values_are_cut_and_markdown_is_escaped() -> None:
    before = make_character()
    assert before.fate is not None
    long_text = "**" + "z" * 200
    after = msgspec.structs.replace(before, fate=msgspec.structs.replace(before.fate, text=long_text))
    [line] = diff_lines(before, after)
    assert line.startswith("`fate.text`: ~~Survives~~ → \\*\\*zzz")
    assert line.endswith("…")
    assert len(line) < 120


def test_mentions_in_a_diff_cannot_ping() -> None:
    before = make_character()
    [line] = diff_lines(before, msgspec.structs.replace(before, name="@everyone"))
    assert "@everyone" not in line


def test_a_list_field_is_shown_as_comma_separated_names() -> None:
    before = make_character()
    assert diff_lines(before, msgspec.structs.replace(before, aliases=("On-jo",))) == [
        "`aliases`: ~~On-jo, Onjo~~ → On-jo"
    ]


def test_a_changed_source_is_shown_by_its_index() -> None:
    before = make_character()
    assert before.fate is not None
    source = msgspec.structs.replace(before.fate.sources[0], name="Netflix Tudum")
    after = msgspec.structs.replace(before, fate=msgspec.structs.replace(before.fate, sources=(source,)))
    assert diff_lines(before, after) == ["`fate.sources[1].name`: ~~Netflix~~ → Netflix Tudum"]


# --- history_pages ----------------------------------------------------------------------------------------

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def make_revision(number: int, *, reverts: int | None = None, author: str = "Mod") -> Revision:
    before = make_character()
    return Revision(
        id=number,
        guild_id=111111111111111111,
        kind="character",
        key="nam-on-jo",
        before=before,
        after=msgspec.structs.replace(before, name=f"On-jo {number}"),
        summary=f"Updated: On-jo {number} (name)",
        author_id=222222222222222222,
        author_name=author,
        created_at=WHEN,
        reverts=reverts,
    )


def test_no_history_is_one_page_saying_so() -> None:
    [page] = history_pages([], "History of Nam On-jo")
    assert page.title == "History of Nam On-jo"
    assert page.description == "No changes recorded yet."
    assert not page.fields


def test_history_is_paged_five_at_a_time_with_the_page_count_in_the_title() -> None:
    revisions = [make_revision(n) for n in range(12, 0, -1)]
    pages = history_pages(revisions, "History")
    assert PER_PAGE == 5
    assert [page.title for page in pages] == ["History (1/3)", "History (2/3)", "History (3/3)"]
    assert [len(page.fields) for page in pages] == [5, 5, 2]
    assert [field.name for field in pages[0].fields] == [
        f"#{n} · character:nam-on-jo" for n in range(12, 7, -1)
    ]
    assert pages[2].fields[-1].name == "#1 · character:nam-on-jo"
    for page in pages:
        assert page.footer.text == "Undo a change with /manage revert revision:<number>"


def test_exactly_one_page_worth_is_one_page() -> None:
    pages = history_pages([make_revision(n) for n in range(PER_PAGE)], "History")
    assert [page.title for page in pages] == ["History (1/1)"]


def test_a_history_entry_says_what_who_when_and_the_diff() -> None:
    [page] = history_pages([make_revision(7)], "History")
    [field] = page.fields
    assert field.value is not None
    summary, author, diff = field.value.split("\n")
    assert summary == "Updated: On-jo 7 (name)"
    assert author == f"by Mod <t:{int(WHEN.timestamp())}:R>"
    assert diff == "`name`: ~~Nam On-jo~~ → On-jo 7"


def test_a_revert_says_which_revision_it_undid() -> None:
    [page] = history_pages([make_revision(9, reverts=4)], "History")
    assert page.fields[0].name == "#9 · character:nam-on-jo (reverts #4)"


def test_author_names_cannot_ping_or_format() -> None:
    [page] = history_pages([make_revision(1, author="@everyone **boss**")], "History")
    value = page.fields[0].value or ""
    assert "@everyone" not in value
    assert "**boss**" not in value


def test_a_long_diff_is_cut_to_eight_lines() -> None:
    before = make_character()
    after = Character(
        key="nam-on-jo",
        name="Another name",
        hangul="다른",
        aliases=(),
        actor=None,
        seasons=(1, 2),
        profile=Fact(text="Different", confidence="reported", sources=(make_source("b.com", None),)),
    )
    assert len(diff_lines(before, after)) > 8
    [page] = history_pages(
        [
            Revision(
                id=1,
                guild_id=1,
                kind="character",
                key="nam-on-jo",
                before=before,
                after=after,
                summary="Big edit",
                author_id=2,
                author_name="Mod",
                created_at=WHEN,
                reverts=None,
            )
        ],
        "History",
    )
    value = page.fields[0].value or ""
    lines = value.split("\n")
    assert len(lines) == 2 + 8
    # The cut is said, with how many lines it left out.
    assert lines[-1] == f"…and {len(diff_lines(before, after)) - 7} more"


def test_the_label_of_a_hidden_season_fact_is_hidden_in_an_update(pack: Pack) -> None:
    season = next(s for s in pack.seasons if s.number == 2)
    secret = LabelledFact(
        text="He is back",
        confidence="reported",
        sources=(Source(name="x.com", published="2025-07-23"),),
        spoiler="s2",
        label="Cheong-san's return",
    )
    plain = msgspec.structs.replace(secret, spoiler="none", label="Filming", text="It wrapped")
    after = msgspec.structs.replace(season, facts=(plain, secret))
    title, body = describe_update(season, after)
    assert "Cheong-san" not in title
    assert "**Facts:** Filming, ||Cheong-san's return||" in body
