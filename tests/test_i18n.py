"""English and Korean: every message is translated, with the same placeholders, and commands obey Discord."""

from __future__ import annotations

import unicodedata
from collections import defaultdict

import discord
import pytest

from bot.i18n import NAME_CONTEXT, Lang, Message, catalogue
from bot.i18n_tools import Entry, all_messages, placeholders

KOREAN = Lang("ko")


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


def test_every_message_has_a_korean_translation(messages: list[Entry]) -> None:
    korean = catalogue("ko")
    missing = [f"{m.where}: {m.text!r}" for m in messages if not korean.get((m.context, m.text))]
    assert missing == [], f"{len(missing)} messages have no Korean translation:\n" + "\n".join(missing[:30])


def test_translations_keep_the_same_placeholders(messages: list[Entry]) -> None:
    korean = catalogue("ko")
    wrong = [
        f"{m.where}: {m.text!r} → {korean[(m.context, m.text)]!r}"
        for m in messages
        if (m.context, m.text) in korean and placeholders(m.text) != placeholders(korean[(m.context, m.text)])
    ]
    assert wrong == [], "\n".join(wrong)


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
