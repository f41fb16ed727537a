"""Cards stay inside Discord's limits whatever they are given."""

from __future__ import annotations

from bot.models import Fact, Source
from bot.render import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    TITLE_LIMIT,
    Field,
    card,
    marked_text,
    provenance,
    truncate,
)
from tests.markdown import spoiler_split


def test_truncate_marks_the_cut() -> None:
    assert truncate("short", 10) == "short"
    assert truncate("abcdefghij", 5) == "abcd…"
    assert len(truncate("x" * 5000, 4096)) == 4096


def test_a_cut_inside_a_spoiler_ending_in_a_link_keeps_the_spoiler_closed() -> None:
    text = "||Cheong-san returns https://netflix.com/tudum/" + "a" * 100 + "||"
    for limit in range(20, 80):
        cut = truncate(text, limit)
        assert len(cut) <= limit
        shown, hidden = spoiler_split(cut)
        assert "Cheong-san" not in shown, cut
        assert "Cheong-san" in hidden, cut


def test_a_spoiler_mark_never_touches_a_link() -> None:
    for typed in ("https://e.x/a||secret||", "||secret https://e.x/a||", "https://e.x/a|b||secret||"):
        for hidden in (False, True):
            shown, _ = spoiler_split(marked_text(typed, hidden=hidden))
            assert "secret" not in shown, (typed, hidden)


def test_huge_cards_are_cut_to_every_limit() -> None:
    embed = card(
        title="T" * 1000,
        description="D" * 10_000,
        fields=[Field("N" * 500, "V" * 5000) for _ in range(40)],
        footer="F" * 3000,
    )
    assert len(embed.title or "") <= TITLE_LIMIT
    assert len(embed.description or "") <= DESCRIPTION_LIMIT
    assert len(embed.fields) <= 25
    for item in embed.fields:
        assert len(item.name or "") <= FIELD_NAME_LIMIT
        assert len(item.value or "") <= FIELD_VALUE_LIMIT
    assert len(embed) <= EMBED_TOTAL_LIMIT
    assert "more not shown" in (embed.footer.text or "")


def test_empty_values_are_never_sent() -> None:
    embed = card(title="", fields=[Field("", "")])
    assert embed.title
    assert embed.fields[0].name
    assert embed.fields[0].value


def test_provenance_says_confidence_in_words_and_links_known_articles() -> None:
    fact = Fact(
        text="x",
        confidence="reported",
        sources=(
            Source(name="deadline.com", published="2022-06-06"),
            Source(name="a [b]", url="https://e.x/1"),
        ),
    )
    # No article known: the publication and date, not a link to the site's home page. A link's text always
    # shows the site it goes to.
    assert provenance(fact) == "_reported_ · deadline.com, 2022-06-06; [a \\[b\\] (e.x)](https://e.x/1)"


def test_fields_are_cut_to_fit_the_total_and_the_rest_counted() -> None:
    embed = card(title="T", description="short", fields=[Field(f"Field {i}", "V" * 1000) for i in range(10)])
    assert 5 <= len(embed.fields) < 10
    assert all(len(f.value or "") <= FIELD_VALUE_LIMIT for f in embed.fields)
    assert len(embed) <= EMBED_TOTAL_LIMIT
    assert embed.footer.text == f"{10 - len(embed.fields)} more not shown"


def test_blank_values_become_visible_placeholders() -> None:
    embed = card(title="   ", fields=[Field("  ", "  ")])
    assert embed.title == "…"
    assert embed.fields[0].name == "\u200b"
    assert embed.fields[0].value == "\u200b"
