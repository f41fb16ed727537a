"""English and Korean: every string a person reads comes from a gettext catalogue, in their language.

The English text is the message id (`lang.t("Season {number}", number=2)`), so code reads naturally and
English needs no catalogue. Other languages live in `data/locales/<code>/LC_MESSAGES/messages.po`, read with
Babel at start-up. A missing translation falls back to English, and the test suite fails when a message has
no translation or a translation's `{placeholders}` differ from the English ones.

A counted word goes through the plural forms (`lang.n("{count} entry", "{count} entries", count)`), so no
reply says "1 entries": English has the singular for 1 and the plural otherwise, and a catalogue has as many
forms as its Plural-Forms rule tells apart (Korean, whose counters do not change, has one).

Commands are localised through discord.py's own `app_commands.Translator`: names with the message context
"command name", descriptions and choices without one.
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import discord
from babel.messages.catalog import Catalog
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
def _parsed(code: str) -> Catalog:
    path = LOCALES_DIR / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        # No locale: Babel would load that language's whole CLDR data; the Plural-Forms header is enough.
        return read_po(file)


@cache
def catalogue(code: str) -> dict[tuple[str | None, str], str]:
    """A language's translations by (context, English text). Empty for English."""
    if code == DEFAULT:
        return {}
    entries: dict[tuple[str | None, str], str] = {}
    for message in _parsed(code):
        if not message.id or message.fuzzy or not isinstance(message.id, str):
            continue
        if isinstance(message.string, str) and message.string:
            entries[(message.context, message.id)] = message.string
    return entries


@cache
def plural_catalogue(code: str) -> dict[tuple[str | None, str, str], tuple[str, ...]]:
    """A language's counted messages by (context, English singular, English plural): every form, in the
    order its Plural-Forms rule numbers them. Only complete translations; empty for English."""
    if code == DEFAULT:
        return {}
    entries: dict[tuple[str | None, str, str], tuple[str, ...]] = {}
    for message in _parsed(code):
        if message.fuzzy or not isinstance(message.id, tuple) or not isinstance(message.string, tuple):
            continue
        singular, plural = message.id[0], message.id[1]
        if message.string and all(message.string):
            entries[(message.context, singular, plural)] = tuple(message.string)
    return entries


@cache
def plural_rule(code: str) -> Callable[[int], int]:
    """Which of a language's plural forms a count takes: its catalogue's Plural-Forms expression."""
    expression = "(n != 1)" if code == DEFAULT else _parsed(code).plural_expr
    return gettext.c2py(expression)


@dataclass(frozen=True)
class Lang:
    """One language: translates and fills in a message."""

    code: str = DEFAULT

    def t(self, message: str, /, **values: Any) -> str:
        text = catalogue(self.code).get((None, message), message)
        if not values:
            return text
        return self._fill(text, values)

    def n(self, singular: str, plural: str, count: int, /, **values: Any) -> str:
        """A counted message: the form of it that `count` takes in this language, with `{count}` filled in.

        English has `singular` for 1 and `plural` otherwise; an untranslated message falls back to them."""
        forms = plural_catalogue(self.code).get((None, singular, plural))
        if forms is None:
            text = singular if plural_rule(DEFAULT)(count) == 0 else plural
        else:
            text = forms[min(plural_rule(self.code)(count), len(forms) - 1)]
        return self._fill(text, {**values, "count": count})

    def _fill(self, text: str, values: dict[str, Any]) -> str:
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
    # A counted message: `template` is the English singular, this the plural, and values["count"] the count.
    plural: str | None = None

    @classmethod
    def of(cls, template: str, /, **values: Any) -> Message:
        return cls(template, values)

    @classmethod
    def counted(cls, singular: str, plural: str, count: int, /, **values: Any) -> Message:
        """A message with a counted word, put in the plural form its count takes (`Lang.n`)."""
        return cls(singular, {**values, "count": count}, plural)

    def render(self, lang: Lang) -> str:
        if self.plural is None:
            return lang.t(self.template, **self.values)
        values = dict(self.values)
        return lang.n(self.template, self.plural, values.pop("count"), **values)


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
