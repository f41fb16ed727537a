"""English and Korean: every string a person reads comes from a gettext catalogue, in their language.

The English text is the message id (`lang.t("Season {number}", number=2)`), so code reads naturally and
English needs no catalogue. Other languages live in `data/locales/<code>/LC_MESSAGES/messages.po`, read with
Babel at start-up. A missing translation falls back to English, and the test suite fails when a message has
no translation or a translation's `{placeholders}` differ from the English ones.

Commands are localised through discord.py's own `app_commands.Translator`: names with the message context
"command name", descriptions and choices without one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import discord
from babel.messages.pofile import read_po
from discord import app_commands

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "data" / "locales"
DEFAULT = "en"
# Language codes the bot speaks, and the Discord locales that choose them.
LANGUAGES: dict[str, tuple[discord.Locale, ...]] = {"en": (), "ko": (discord.Locale.korean,)}
NAME_CONTEXT = "command name"


def N_(message: str) -> str:
    """Mark a string for the catalogue where it is defined; it is translated where it is shown."""
    return message


@cache
def catalogue(code: str) -> dict[tuple[str | None, str], str]:
    """A language's translations by (context, English text). Empty for English."""
    if code == DEFAULT:
        return {}
    path = LOCALES_DIR / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        # No locale: Babel would load that language's whole CLDR data, which only plural rules need.
        parsed = read_po(file)
    entries: dict[tuple[str | None, str], str] = {}
    for message in parsed:
        if not message.id or message.fuzzy or not isinstance(message.id, str):
            continue
        if isinstance(message.string, str) and message.string:
            entries[(message.context, message.id)] = message.string
    return entries


@dataclass(frozen=True)
class Lang:
    """One language: translates and fills in a message."""

    code: str = DEFAULT

    def t(self, message: str, /, **values: Any) -> str:
        text = catalogue(self.code).get((None, message), message)
        if not values:
            return text
        # A value may itself be a message (a field's name, say): it is put in the same language.
        return text.format(**{k: v.render(self) if isinstance(v, Message) else v for k, v in values.items()})

    def pick(self, english: str | None, korean: str | None) -> str | None:
        """Data that carries both languages: the reader's, or English where the other is missing."""
        if self.code == "ko" and korean:
            return korean
        return english

    @classmethod
    def of(cls, locale: discord.Locale | str | None) -> Lang:
        """The language for a Discord locale: Korean for "ko", English otherwise."""
        value = str(locale.value if isinstance(locale, discord.Locale) else locale or "")
        for code, locales in LANGUAGES.items():
            if any(value == known.value for known in locales):
                return cls(code)
        return cls(DEFAULT)


ENGLISH = Lang("en")


@dataclass(frozen=True)
class Message:
    """A catalogue text and its values, to be put in whichever language its reader turns out to use."""

    template: str
    values: dict[str, Any]

    @classmethod
    def of(cls, template: str, /, **values: Any) -> Message:
        return cls(template, values)

    def render(self, lang: Lang) -> str:
        return lang.t(self.template, **self.values)


def lang_of(interaction: discord.Interaction) -> Lang:
    """The language of the person who acted: their Discord client's language."""
    return Lang.of(interaction.locale)


class CatalogueTranslator(app_commands.Translator):
    """Gives Discord the Korean names and descriptions of every command, option and choice."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        lang = Lang.of(locale)
        if lang.code == DEFAULT:
            return None
        names = (
            app_commands.TranslationContextLocation.command_name,
            app_commands.TranslationContextLocation.group_name,
            app_commands.TranslationContextLocation.parameter_name,
        )
        key = (NAME_CONTEXT if context.location in names else None, string.message)
        return catalogue(lang.code).get(key)
