"""The forms (modals) `edit` opens, filled with the entry's current values, in the moderator's language: what
each form asks, and how what was submitted is read into the entry.

A field submitted as the form showed it keeps the stored value exactly (a source's note, an alias with a
comma in it): an edit changes what the moderator changed and nothing else. What they did change is read by
`bot.rules`, and every problem of the form is told at once, each naming its field. How a form is opened,
stored, submitted and reopened is `cogs.manage._form_flow`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

import discord
import msgspec

from bot.cards import PART_WORDS
from bot.errors import UserFacingError
from bot.i18n import N_, Lang, Message
from bot.models import Character, Entry, Fact, Person, Season2Status, SpoilerLevel
from bot.moderation_store import StoredEntry
from bot.render import escape, truncate
from bot.rules import (
    NAME_LIMIT,
    SPOILERS,
    TEXT_LIMIT,
    Problems,
    casting_field,
    season2_role,
    sources_text,
    typed_choice,
    typed_confidence,
    typed_names,
    typed_seasons,
    typed_sources,
    typed_text,
)
from bot.search import people_of
from cogs.manage._edits import (
    assumed_confidence_note,
)
from cogs.manage._options import find

if TYPE_CHECKING:
    from bot.client import AoadBot

log = logging.getLogger(__name__)

# Discord's limits: a form's title and a field's label, and a field's text.
TITLE_LIMIT = 45
LABEL_LIMIT = 45
FORM_LIMIT = 4000
FORM_ID = re.compile(r"^form:(\d+)$")


@dataclass(frozen=True)
class Label(Message):
    """A form field's label, as its reader sees it: named in bold in a problem."""

    def render(self, lang: Lang) -> str:
        return f"**{lang.t(self.template)[:LABEL_LIMIT]}**"


def label(text: str) -> Label:
    return Label(text, {})


@dataclass(frozen=True)
class Field:
    """One field of a form: its custom id (what its value is submitted under) and how it is drawn."""

    id: str
    label: str
    long: bool = False
    required: bool = True
    limit: int = NAME_LIMIT


class EntryForm:
    """A form over one stored entry: its fields, what they show, and the entry a submission makes of it.

    `values` are what was submitted and `shown` what the form showed, by field id: a field whose value is
    what it showed is left as it was.
    """

    def __init__(
        self, bot: AoadBot, guild_id: int, stored: StoredEntry, part: str, status: str | None
    ) -> None:
        self.bot = bot
        self.guild_id = guild_id
        self.stored = stored
        self.part = part
        self.status = status
        self.notes: list[Message] = []
        self.values: dict[str, str] = {}
        self.shown_values: dict[str, str] = {}
        self.problems = Problems()

    def fields(self) -> list[Field]:
        raise NotImplementedError

    def shown(self) -> dict[str, str]:
        """What each field shows for the entry as it is."""
        raise NotImplementedError

    def title(self, lang: Lang) -> str:
        raise NotImplementedError

    def labels(self) -> dict[str, Message]:
        """Which form field each field of the entry was typed in."""
        return {}

    def label_of(self, field_id: str) -> Label:
        return label(next(f.label for f in self.fields() if f.id == field_id))

    def value(self, field_id: str) -> str:
        return self.values.get(field_id, "")

    def untouched(self, field_id: str) -> bool:
        """The field was submitted exactly as the form showed it."""
        return self.value(field_id) == self.shown_values.get(field_id, "")

    def read(self, changes: dict[str, object], name: str, field_id: str, parse: Callable[[], object]) -> None:
        """Take a field's new value into `changes`, unless it was left as shown or `parse` found a problem."""
        if self.untouched(field_id):
            return
        found = len(self.problems)
        value = parse()
        if len(self.problems) == found:
            changes[name] = value

    async def edited(self) -> Entry:
        """The edited entry, with every field typed well (the problems of the others in `self.problems`)."""
        raise NotImplementedError

    def modal(self, form_id: int, lang: Lang, prefill: dict[str, str]) -> discord.ui.Modal:
        """The form as Discord draws it. It is answered by `submit_form`, from the store, never from memory."""
        modal = discord.ui.Modal(title=truncate(self.title(lang), TITLE_LIMIT), custom_id=f"form:{form_id}")
        for field in self.fields():
            modal.add_item(
                discord.ui.TextInput(
                    custom_id=field.id,
                    label=lang.t(field.label)[:LABEL_LIMIT],
                    default=prefill.get(field.id) or None,
                    style=discord.TextStyle.paragraph if field.long else discord.TextStyle.short,
                    required=field.required,
                    max_length=field.limit,
                )
            )
        # A stopped modal is not kept by discord.py: every submission comes to `submit_form`.
        modal.stop()
        return modal

    def check_shown(self, lang: Lang) -> dict[str, str]:
        """What the form shows; refused if a current value is longer than its field (cutting it would lose
        part of it on submit)."""
        shown = self.shown()
        for field in self.fields():
            current = shown.get(field.id, "")
            if len(current) > field.limit:
                raise UserFacingError(
                    "The current “{label}” is {length} characters long, more than a form can hold ({limit}).",
                    label=lang.t(field.label),
                    length=len(current),
                    limit=field.limit,
                )
        return shown


class CharacterIdentityForm(EntryForm):
    FIELDS: ClassVar[list[Field]] = [
        Field("name", N_("Name")),
        Field("hangul", N_("Hangul name"), required=False),
        Field("aliases", N_("Aliases (comma-separated)"), long=True, required=False, limit=FORM_LIMIT),
        Field("actor", N_("Actor (name or key; empty for none)"), required=False),
        Field("seasons", N_("Seasons (e.g. 1, 2)"), limit=20),
    ]

    def fields(self) -> list[Field]:
        return self.FIELDS

    def shown(self) -> dict[str, str]:
        character = cast(Character, self.stored.entry)
        return {
            "name": character.name,
            "hangul": character.hangul or "",
            "aliases": ", ".join(character.aliases),
            "actor": character.actor or "",
            "seasons": ", ".join(map(str, character.seasons)),
        }

    def title(self, lang: Lang) -> str:
        return lang.t("Edit {name}", name=cast(Character, self.stored.entry).name)

    def labels(self) -> dict[str, Message]:
        return {name: self.label_of(name) for name in ("name", "hangul", "aliases", "actor", "seasons")}

    async def edited(self) -> Entry:
        problems = self.problems
        changes: dict[str, object] = {}
        if not self.untouched("actor"):
            typed = self.value("actor").strip()
            changes["actor"] = None
            if typed:
                catalog = await self.bot.store.catalog(self.guild_id)
                key = find(people_of(catalog), "person", typed, self.label_of("actor"), problems)
                if key is None:
                    del changes["actor"]
                else:
                    changes["actor"] = key
            character = cast(Character, self.stored.entry)
            if (
                casting_field(character) == "season2_actor"
                and changes.get("actor", character.actor) != character.actor
            ):
                self.notes.append(
                    Message.of(
                        "This changes who played {character} in Season 1. If someone new plays them from Season 2 "
                        "on, cancel and use `/manage cast add plays:` instead: that is Season 2 news, kept as a "
                        "spoiler.",
                        character=escape(character.name),
                    )
                )
        self.read(
            changes,
            "name",
            "name",
            lambda: typed_text(self.value("name"), self.label_of("name"), NAME_LIMIT, problems, name=True),
        )
        self.read(
            changes,
            "hangul",
            "hangul",
            lambda: typed_text(
                self.value("hangul"), self.label_of("hangul"), NAME_LIMIT, problems, required=False, name=True
            ),
        )
        self.read(
            changes,
            "aliases",
            "aliases",
            lambda: typed_names(self.value("aliases"), self.label_of("aliases"), problems),
        )
        self.read(
            changes,
            "seasons",
            "seasons",
            lambda: typed_seasons(self.value("seasons"), self.label_of("seasons"), problems),
        )
        return msgspec.structs.replace(cast(Character, self.stored.entry), **changes)


class CharacterFactForm(EntryForm):
    """Who they are, their Season 1 fate or their Season 2 news: text in both languages, confidence, spoiler
    level, sources."""

    OPTIONAL: ClassVar[tuple[str, ...]] = ("fate", "season2")

    @property
    def fact(self) -> Fact | None:
        return cast(Fact | None, getattr(self.stored.entry, self.part))

    def fields(self) -> list[Field]:
        optional = self.part in self.OPTIONAL
        return [
            Field(
                "text",
                N_("Text (empty removes it)") if optional else N_("Text"),
                long=True,
                required=not optional,
                limit=TEXT_LIMIT,
            ),
            Field("text_ko", N_("Text in Korean (optional)"), long=True, required=False, limit=TEXT_LIMIT),
            Field("confidence", N_("Confidence: confirmed, reported, unconfirmed"), required=False, limit=20),
            Field("spoiler", N_("Spoiler level: none, s1, s2"), required=False, limit=10),
            Field(
                "sources",
                N_("Sources, one per line: link, or name, date"),
                long=True,
                required=False,
                limit=FORM_LIMIT,
            ),
        ]

    def shown(self) -> dict[str, str]:
        fact = self.fact
        return {
            "text": fact.text if fact else "",
            "text_ko": (fact.text_ko or "") if fact else "",
            "confidence": fact.confidence if fact else "",
            "spoiler": fact.spoiler if fact else ("s1" if self.part == "fate" else "none"),
            "sources": sources_text(fact.sources) if fact else "",
        }

    def title(self, lang: Lang) -> str:
        return f"{cast(Character, self.stored.entry).name}: {lang.t(PART_WORDS[self.part])}"

    def labels(self) -> dict[str, Message]:
        part = self.part
        return {
            f"{part}.text_ko": self.label_of("text_ko"),
            f"{part}.text": self.label_of("text"),
            f"{part}.confidence": self.label_of("confidence"),
            f"{part}.spoiler": self.label_of("spoiler"),
            f"{part}.sources": self.label_of("sources"),
        }

    async def edited(self) -> Entry:
        character = cast(Character, self.stored.entry)
        problems = self.problems
        fact = self.fact
        if self.part in self.OPTIONAL and not self.value("text").strip():
            return msgspec.structs.replace(character, **{self.part: None})
        text = (
            fact.text
            if fact is not None and self.untouched("text")
            else typed_text(self.value("text"), self.label_of("text"), TEXT_LIMIT, problems, spoilers=True)
        )
        text_ko = (
            fact.text_ko
            if fact is not None and self.untouched("text_ko")
            else typed_text(
                self.value("text_ko"),
                self.label_of("text_ko"),
                TEXT_LIMIT,
                problems,
                required=False,
                spoilers=True,
            )
        )
        if fact is not None and self.untouched("confidence"):
            confidence = fact.confidence
        else:
            confidence, assumed = typed_confidence(
                self.value("confidence"), self.label_of("confidence"), problems
            )
            if assumed:
                self.notes.append(assumed_confidence_note(Message.of(PART_WORDS[self.part])))
        spoiler: str
        if fact is not None and self.untouched("spoiler"):
            spoiler = fact.spoiler
        else:
            spoiler = typed_choice(self.value("spoiler"), SPOILERS, self.label_of("spoiler"), problems) or (
                "s1" if self.part == "fate" else "none"
            )
        if fact is not None and self.untouched("sources"):
            sources = fact.sources
        else:
            sources = typed_sources(
                self.value("sources"), self.label_of("sources"), problems, keep=fact.sources if fact else ()
            )
            shown = sources_text(sources)
            if len(shown) > FORM_LIMIT:
                # Saved, they could never be shown in this form again, so the fact could not be edited.
                problems.add(
                    Message.of(
                        "those sources are too long: the form would show them in {length} characters, and a form "
                        "field holds {limit}. Shorten some links, or drop a source.",
                        length=len(shown),
                        limit=FORM_LIMIT,
                    ),
                    self.label_of("sources"),
                )
        if problems or text is None:
            return character
        new = Fact(
            text=text,
            text_ko=text_ko,
            confidence=confidence,
            sources=sources,
            spoiler=cast(SpoilerLevel, spoiler),
        )
        if self.part == "season2":
            current = character.season2
            status = (
                Season2Status(self.status)
                if self.status
                else (current.status if current else Season2Status.RETURNING)
            )
            return msgspec.structs.replace(character, season2=season2_role(new, status))
        return msgspec.structs.replace(character, **{self.part: new})


class PersonForm(EntryForm):
    FIELDS: ClassVar[list[Field]] = [
        Field("name", N_("Name")),
        Field("hangul", N_("Hangul name"), required=False),
        Field(
            "variants", N_("Other spellings (comma-separated)"), long=True, required=False, limit=FORM_LIMIT
        ),
    ]

    def fields(self) -> list[Field]:
        return self.FIELDS

    def shown(self) -> dict[str, str]:
        person = cast(Person, self.stored.entry)
        return {"name": person.name, "hangul": person.hangul or "", "variants": ", ".join(person.variants)}

    def title(self, lang: Lang) -> str:
        return lang.t("Edit {name}", name=cast(Person, self.stored.entry).name)

    def labels(self) -> dict[str, Message]:
        return {name: self.label_of(name) for name in ("name", "hangul", "variants")}

    async def edited(self) -> Entry:
        problems = self.problems
        changes: dict[str, object] = {}
        self.read(
            changes,
            "name",
            "name",
            lambda: typed_text(self.value("name"), self.label_of("name"), NAME_LIMIT, problems, name=True),
        )
        self.read(
            changes,
            "hangul",
            "hangul",
            lambda: typed_text(
                self.value("hangul"), self.label_of("hangul"), NAME_LIMIT, problems, required=False, name=True
            ),
        )
        self.read(
            changes,
            "variants",
            "variants",
            lambda: typed_names(self.value("variants"), self.label_of("variants"), problems),
        )
        return msgspec.structs.replace(cast(Person, self.stored.entry), **changes)


def form_for(bot: AoadBot, guild_id: int, stored: StoredEntry, part: str, status: str | None) -> EntryForm:
    """The form for an entry's part: "identity", "profile", "fate", "season2" (characters), "person"."""
    if stored.kind == "person":
        return PersonForm(bot, guild_id, stored, "person", None)
    if part == "identity":
        return CharacterIdentityForm(bot, guild_id, stored, part, None)
    return CharacterFactForm(bot, guild_id, stored, part, status)


# -- opening and submitting --------------------------------------------------------------------------------
