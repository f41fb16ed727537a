"""English and Korean: every message is translated, with the same placeholders, and commands obey Discord."""

from __future__ import annotations

import unicodedata
from collections import defaultdict

import discord
import pytest

from bot.errors import UserFacingError
from bot.i18n import ENGLISH, NAME_CONTEXT, Lang, Message, catalogue, plural_catalogue
from bot.i18n_tools import Entry, all_messages, placeholders

KOREAN = Lang("ko")


def korean_forms(m: Entry) -> tuple[str, ...]:
    """The Korean text of a message: its one translation, or every plural form of a counted one."""
    if m.plural is None:
        text = catalogue("ko").get((m.context, m.text))
        return (text,) if text else ()
    return plural_catalogue("ko").get((m.context, m.text, m.plural), ())


@pytest.fixture(scope="module")
def messages() -> list[Entry]:
    return all_messages()


def test_the_extraction_finds_code_and_command_strings(messages: list[Entry]) -> None:
    texts = {(m.context, m.text) for m in messages}
    assert (None, "Played by") in texts  # a card label
    assert (NAME_CONTEXT, "character") in texts  # a command name
    assert (None, "Say how far you have watched, so spoilers stay hidden") in texts  # a command description
    assert (None, "s1: I've seen Season 1") in texts  # a choice
    assert (None, "There is no Season {number} in this server's data.") in texts  # an error
    assert len(messages) > 300
    counted = {(m.text, m.plural) for m in messages if m.plural is not None}
    assert ("{count} entry at once", "{count} entries at once") in counted  # lang.n
    assert (
        "That file has {count} problem; nothing was changed.",
        "That file has {count} problems; nothing was changed.",
    ) in counted  # Message.counted
    assert all("(s)" not in m.text for m in messages)


def test_every_message_has_a_korean_translation(messages: list[Entry]) -> None:
    missing = [f"{m.where}: {m.text!r}" for m in messages if not korean_forms(m)]
    assert missing == [], f"{len(missing)} messages have no Korean translation:\n" + "\n".join(missing[:30])


def test_translations_keep_the_same_placeholders(messages: list[Entry]) -> None:
    # A counted message's forms all have its plural's placeholders: Korean's one form serves every count.
    wrong = [
        f"{m.where}: {m.text!r} → {form!r}"
        for m in messages
        for form in korean_forms(m)
        if placeholders(form) != placeholders(m.plural or m.text)
    ]
    assert wrong == [], "\n".join(wrong)


def test_a_counted_messages_english_singular_leaves_out_only_the_count(messages: list[Entry]) -> None:
    # "Fix this problem" may leave out the 1; nothing else may be missing, and nothing added.
    wrong = [
        f"{m.where}: {m.text!r} / {m.plural!r}"
        for m in messages
        if m.plural is not None
        and not (
            placeholders(m.text) <= placeholders(m.plural)
            and placeholders(m.plural) - placeholders(m.text) <= {"count"}
        )
    ]
    assert wrong == [], "\n".join(wrong)


def test_counted_words_take_the_form_of_their_count() -> None:
    one, many = "{count} entry at once", "{count} entries at once"
    assert ENGLISH.n(one, many, 1) == "1 entry at once"
    assert ENGLISH.n(one, many, 2) == "2 entries at once"
    assert ENGLISH.n(one, many, 0) == "0 entries at once"
    # Korean counters do not change: one form, whatever the count.
    assert KOREAN.n(one, many, 1) == "항목 1개를 한 번에"
    assert KOREAN.n(one, many, 2) == "항목 2개를 한 번에"
    # An untranslated counted message falls back to English, with English's rule.
    assert KOREAN.n("{count} widget", "{count} widgets", 1) == "1 widget"
    assert KOREAN.n("{count} widget", "{count} widgets", 3) == "3 widgets"


def test_counted_messages_are_rendered_when_shown() -> None:
    retrying = Message.counted(
        "Retrying {count} message that had failed there.",
        "Retrying {count} messages that had failed there.",
        1,
    )
    assert retrying.render(ENGLISH) == "Retrying 1 message that had failed there."
    assert retrying.render(KOREAN) == "전송에 실패했던 메시지 1개를 다시 보내고 있어요."
    error = UserFacingError(
        Message.counted(
            "That file has {count} problem; nothing was changed.",
            "That file has {count} problems; nothing was changed.",
            1,
        )
    )
    assert str(error) == "That file has 1 problem; nothing was changed."
    assert error.render(KOREAN) == "그 파일에 문제가 1개 있어서 아무것도 바꾸지 않았어요."


def _valid_command_name(name: str) -> bool:
    """Discord: 1-32 characters, letters (any script), digits, - and _; lower case where the script has case."""
    if not 1 <= len(name) <= 32:
        return False
    for char in name:
        category = unicodedata.category(char)
        if char not in "-_" and category[0] not in ("L", "N"):
            return False
        if char != char.lower():
            return False
    return True


def test_korean_command_names_follow_discords_rules(messages: list[Entry]) -> None:
    korean = catalogue("ko")
    names = [m for m in messages if m.context == NAME_CONTEXT]
    bad = [
        (m.text, korean.get((m.context, m.text)))
        for m in names
        if not _valid_command_name(korean.get((m.context, m.text), ""))
    ]
    assert bad == []
    too_long = [
        m.text
        for m in messages
        if m.context is None and m.where.startswith("/") and len(korean.get((None, m.text), "")) > 100
    ]
    assert too_long == []


def test_korean_names_are_unique_among_siblings(messages: list[Entry]) -> None:
    korean = catalogue("ko")
    siblings: dict[str, dict[str, str]] = defaultdict(dict)
    for m in messages:
        if m.context != NAME_CONTEXT:
            continue
        parent = m.where.rsplit(" ", 1)[0] if " " in m.where else "/"
        translated = korean.get((m.context, m.text), m.text)
        clash = siblings[parent].get(translated)
        assert clash in (None, m.text), f"{parent}: {clash!r} and {m.text!r} are both {translated!r}"
        siblings[parent][translated] = m.text


def test_languages_follow_the_discord_locale() -> None:
    assert Lang.of(discord.Locale.korean).code == "ko"
    assert Lang.of("ko").code == "ko"
    for other in (discord.Locale.american_english, discord.Locale.japanese, None, "fr"):
        assert Lang.of(other).code == "en"


def test_messages_translate_and_fall_back() -> None:
    assert KOREAN.t("Played by") == catalogue("ko")[(None, "Played by")]
    assert KOREAN.t("A text no catalogue has {x}", x=1) == "A text no catalogue has 1"
    assert KOREAN.pick("English", None) == "English"
    assert KOREAN.pick("English", "한국어") == "한국어"
    assert Lang("en").pick("English", "한국어") == "English"
    nested = Message.of("{what} can't be empty.", what=Message.of("The name"))
    assert "{" not in nested.render(KOREAN)
