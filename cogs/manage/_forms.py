"""The forms (modals) `edit` opens, filled with the entry's current values.

A form remembers the version of the entry it was opened on. If another moderator saves the entry before this
form is submitted, the submitter is told it changed meanwhile and nothing is overwritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal, cast

import discord
import msgspec

from bot.errors import UserFacingError
from bot.models import Character, Fact, Person
from bot.moderation_store import Change, StoredEntry
from bot.search import people_of
from cogs.manage._access import ensure_moderator
from cogs.manage._edits import (
    NAME_LIMIT,
    TEXT_LIMIT,
    PendingEdit,
    clean,
    describe_update,
    make_fact,
    names_list,
    season2_role,
    sources_text,
)
from cogs.manage._preview import GuardedModal, send_preview

if TYPE_CHECKING:
    from bot.client import AoadBot

FactPart = Literal["profile", "fate", "season2"]
# Discord's limit for a form field's text.
FORM_LIMIT = 4000
CHANGED_MEANWHILE = (
    "⚠️ Someone changed this entry after you opened the form, so nothing was saved. Run the command again to "
    "edit the current version."
)


def _input(
    label: str,
    default: str | None,
    *,
    long: bool = False,
    required: bool = True,
    limit: int = NAME_LIMIT,
    placeholder: str | None = None,
) -> discord.ui.TextInput[EntryForm]:
    return discord.ui.TextInput(
        label=label,
        default=(default or "")[:limit] or None,
        style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
        required=required,
        max_length=limit,
        placeholder=placeholder,
    )


class EntryForm(GuardedModal):
    """A form over one stored entry; subclasses turn the fields into the edited entry."""

    def __init__(self, bot: AoadBot, guild_id: int, stored: StoredEntry, title: str) -> None:
        super().__init__(title=title[:45], timeout=900)
        self.bot = bot
        self.guild_id = guild_id
        self.stored = stored

    def edited(self) -> Character | Person:
        raise NotImplementedError

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await ensure_moderator(interaction)
        current = await self.bot.store.get_entry(self.guild_id, self.stored.kind, self.stored.key)
        if current is None or current.version != self.stored.version:
            await interaction.response.send_message(CHANGED_MEANWHILE, ephemeral=True)
            return
        after = self.edited()
        if after == current.entry:
            await interaction.response.send_message(
                "Nothing changed: the form had the same values.", ephemeral=True
            )
            return
        title, body = describe_update(current.entry, after)
        pending = PendingEdit(
            guild_id=self.guild_id,
            changes=[Change(self.stored.kind, self.stored.key, current.entry, after, current.version)],
            title=title,
            body=body,
            announce_by_default=False,
        )
        await send_preview(interaction, self.bot, pending)


class CharacterIdentityForm(EntryForm):
    def __init__(self, bot: AoadBot, guild_id: int, stored: StoredEntry) -> None:
        character = cast(Character, stored.entry)
        super().__init__(bot, guild_id, stored, f"Edit {character.name}")
        catalog_actor = character.actor or ""
        self.name = _input("Name", character.name)
        self.hangul = _input("Hangul name", character.hangul, required=False)
        self.aliases = _input(
            "Aliases (comma-separated)",
            ", ".join(character.aliases),
            long=True,
            required=False,
            limit=FORM_LIMIT,
        )
        self.actor = _input("Actor (name or key; empty for none)", catalog_actor, required=False)
        self.seasons = _input("Seasons (e.g. 1, 2)", ", ".join(map(str, character.seasons)), limit=20)
        for item in (self.name, self.hangul, self.aliases, self.actor, self.seasons):
            self.add_item(item)

    def edited(self) -> Character:
        character = cast(Character, self.stored.entry)
        seasons: list[int] = []
        for part in self.seasons.value.replace(" ", "").split(","):
            if not part.isdecimal() or not 1 <= int(part) <= 99:
                raise UserFacingError(f"Seasons must be numbers like 1, 2 (not “{part[:10]}”).")
            seasons.append(int(part))
        return msgspec.structs.replace(
            character,
            name=cast(str, clean(self.name.value, "The name", NAME_LIMIT)),
            hangul=clean(self.hangul.value, "The Hangul name", NAME_LIMIT, required=False),
            aliases=names_list(self.aliases.value, "aliases"),
            actor=self.resolved_actor,
            seasons=tuple(dict.fromkeys(seasons)),
        )

    resolved_actor: str | None = None

    async def on_submit(self, interaction: discord.Interaction) -> None:
        typed = (self.actor.value or "").strip()
        self.resolved_actor = None
        if typed:
            catalog = await self.bot.store.catalog(self.guild_id)
            key, suggestions = people_of(catalog).resolve(typed)
            if key is None:
                hint = ", ".join(h.label for h in suggestions) or "none close"
                raise UserFacingError(
                    f"There is no cast member called “{typed[:60]}” (did you mean: {hint}?). Nothing was saved; "
                    "add them with `/manage cast add` first."
                )
            self.resolved_actor = key
        await super().on_submit(interaction)


class CharacterFactForm(EntryForm):
    """Who they are, their Season 1 fate or their Season 2 news: text, confidence, spoiler level, sources."""

    WORDS: ClassVar[dict[str, str]] = {
        "profile": "who they are",
        "fate": "Season 1 fate",
        "season2": "Season 2",
    }

    def __init__(self, bot: AoadBot, guild_id: int, stored: StoredEntry, part: FactPart) -> None:
        character = cast(Character, stored.entry)
        super().__init__(bot, guild_id, stored, f"{character.name}: {self.WORDS[part]}")
        self.part = part
        fact: Fact | None = getattr(character, part)
        optional = part != "profile"
        self.text = _input(
            "Text" + (" (empty removes it)" if optional else ""),
            fact.text if fact else None,
            long=True,
            required=not optional,
            limit=TEXT_LIMIT,
        )
        self.confidence = _input(
            "Confidence: confirmed, reported, unconfirmed",
            fact.confidence if fact else None,
            required=False,
            limit=20,
        )
        self.spoiler = _input(
            "Spoiler level: none, s1, s2",
            fact.spoiler if fact else ("s1" if part == "fate" else "none"),
            required=False,
            limit=10,
        )
        self.sources = _input(
            "Sources, one per line: link, or name, date",
            sources_text(fact.sources) if fact else None,
            long=True,
            required=False,
            limit=FORM_LIMIT,
        )
        for item in (self.text, self.confidence, self.spoiler, self.sources):
            self.add_item(item)
        self.status: discord.ui.TextInput[EntryForm] | None = None
        if part == "season2":
            role = character.season2
            self.status = _input(
                "Status: returning, new, not-returning",
                role.status.value if role else None,
                required=False,
                limit=20,
            )
            self.add_item(self.status)

    def edited(self) -> Character:
        character = cast(Character, self.stored.entry)
        if self.part != "profile" and not self.text.value.strip():
            return msgspec.structs.replace(character, **{self.part: None})
        fact = make_fact(
            self.text.value,
            self.confidence.value,
            self.sources.value,
            self.spoiler.value,
            what=self.WORDS[self.part].capitalize(),
        )
        if self.part == "fate" and fact.spoiler == "none":
            raise UserFacingError("A Season 1 fate is a spoiler: set its spoiler level to s1 (or s2).")
        if self.part == "season2":
            assert self.status is not None
            return msgspec.structs.replace(character, season2=season2_role(self.status.value, fact))
        return msgspec.structs.replace(character, **{self.part: fact})


class PersonForm(EntryForm):
    def __init__(self, bot: AoadBot, guild_id: int, stored: StoredEntry) -> None:
        person = cast(Person, stored.entry)
        super().__init__(bot, guild_id, stored, f"Edit {person.name}")
        self.name = _input("Name", person.name)
        self.hangul = _input("Hangul name", person.hangul, required=False)
        self.variants = _input(
            "Other spellings (comma-separated)",
            ", ".join(person.variants),
            long=True,
            required=False,
            limit=FORM_LIMIT,
        )
        for item in (self.name, self.hangul, self.variants):
            self.add_item(item)

    def edited(self) -> Person:
        person = cast(Person, self.stored.entry)
        return msgspec.structs.replace(
            person,
            name=cast(str, clean(self.name.value, "The name", NAME_LIMIT)),
            hangul=clean(self.hangul.value, "The Hangul name", NAME_LIMIT, required=False),
            variants=names_list(self.variants.value, "spellings"),
        )
