"""The options `/manage` commands share, each read in one place by a discord.py Transformer: a character or a
cast member (found however it is typed, or picked from autocomplete) and a source.

A Transformer that refused an option would stop the command before its other options were read, and a
moderator would learn one problem per try. These keep what they read with its problems instead (`Typed`), and
the command adds them to the rest: every problem of what was typed is answered at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar, cast

import discord
from discord import app_commands

from bot.errors import UserFacingError
from bot.i18n import Message
from bot.models import Source
from bot.render import escape
from bot.rules import NAME_LIMIT, OptionName, Problem, Problems, clean_text, typed_sources
from bot.search import NameIndex, characters_of, people_of

if TYPE_CHECKING:
    from bot.catalog import Catalog
    from bot.client import AoadBot

T = TypeVar("T")

# Seconds a command waits for a very large server's data loading for the first time before it defers (or, for
# a command that answers with a form, which must be the first answer, says so).
READY_WAIT = 1.5
# What a source option holds at most: a few sources, each a link or a publication and date.
SOURCE_LENGTH = 600


def option(name: str) -> OptionName:
    return OptionName.named(name)


@dataclass(frozen=True)
class Typed(Generic[T]):
    """An option as a Transformer read it: the value, and the problems that keep it from being one."""

    value: T
    problems: tuple[Problem, ...] = ()

    def into(self, problems: Problems) -> T:
        """The value, its problems joining the command's others."""
        problems.extend(self.problems)
        return self.value


def unknown(kind: str, typed: str, suggestions: list[str]) -> Message:
    """ "There is no character called …", with the names it might have meant."""
    name = escape(typed.strip()[:80])
    hint = "; ".join(escape(s) for s in suggestions[:3])
    if kind == "character":
        if hint:
            return Message.of(
                "there is no character called “{name}” in this server's data. Did you mean: {hint}?",
                name=name,
                hint=hint,
            )
        return Message.of("there is no character called “{name}” in this server's data.", name=name)
    if hint:
        return Message.of(
            "there is no cast member called “{name}” in this server's data. Did you mean: {hint}?",
            name=name,
            hint=hint,
        )
    return Message.of("there is no cast member called “{name}” in this server's data.", name=name)


def find(index: NameIndex, kind: str, typed: str, label: Message, problems: Problems) -> str | None:
    """The key of the entry a typed name (or a key from autocomplete) names; a problem when it names none."""
    if not clean_text(typed):
        problems.add(Message.of("type a name (or pick one from the list)."), label)
        return None
    key, suggestions = index.resolve(typed)
    if key is None:
        problems.add(unknown(kind, typed, [h.label for h in suggestions]), label)
    return key


class _TextOption(app_commands.Transformer):
    """A text option of 1 to `longest` characters (Discord checks the length before the bot sees it)."""

    longest = NAME_LIMIT

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        return 1

    @property
    def max_value(self) -> int:
        return self.longest


class _EntryOption(_TextOption):
    """An option naming an entry of the server's data, read to its key (`Typed[str | None]`)."""

    kind = ""

    def __init__(self, name: str = "name", *, opens_form: bool = False) -> None:
        self.name = name
        self.opens_form = opens_form

    def index(self, catalog: Catalog) -> NameIndex:
        raise NotImplementedError

    async def transform(self, interaction: discord.Interaction, value: str, /) -> Typed[str | None]:
        catalog = await ready_catalog(interaction, opens_form=self.opens_form)
        problems = Problems()
        key = find(self.index(catalog), self.kind, value, option(self.name), problems)
        return Typed(key, tuple(problems))

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str, /
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        bot = cast("AoadBot", interaction.client)
        catalog = await bot.store.catalog(interaction.guild_id)
        return [
            app_commands.Choice(name=hit.label, value=hit.key) for hit in self.index(catalog).search(value)
        ]


class CharacterOption(_EntryOption):
    """A character, by any of its names or its key."""

    kind = "character"

    def index(self, catalog: Catalog) -> NameIndex:
        return characters_of(catalog)


class PersonOption(_EntryOption):
    """A cast member, by any of their names or their key."""

    kind = "person"

    def index(self, catalog: Catalog) -> NameIndex:
        return people_of(catalog)


class SourceOption(_TextOption):
    """A source option: a link, or a publication and date (several on one line become several sources)."""

    longest = SOURCE_LENGTH

    def __init__(self, *, required: bool = True) -> None:
        self.required = required

    async def transform(self, interaction: discord.Interaction, value: str, /) -> Typed[tuple[Source, ...]]:
        problems = Problems()
        sources = typed_sources(value, option("source"), problems, required=self.required)
        return Typed(sources, tuple(problems))


async def ready_catalog(interaction: discord.Interaction, *, opens_form: bool = False) -> Catalog:
    """The server's data, for a command about to read it. A very large server's, loading for the first time,
    is waited for after deferring the answer (Discord's 3 s); a form must be the first answer, so a command
    that opens one says the data is still loading instead."""
    assert interaction.guild_id is not None
    bot = cast("AoadBot", interaction.client)
    catalog = await bot.store.lookup_catalog(interaction.guild_id, wait=READY_WAIT)
    if catalog is not None:
        return catalog
    if opens_form:
        raise UserFacingError(
            "This server's data is still loading (it is very large): try again in a few seconds."
        )
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)
    return await bot.store.catalog(interaction.guild_id)


Character = app_commands.Transform[Typed[str | None], CharacterOption]
Person = app_commands.Transform[Typed[str | None], PersonOption]
