"""The forms (modals) `edit` opens, filled with the entry's current values, in the moderator's language.

A form remembers the version of the entry it was opened on. If another moderator saves the entry before this
form is submitted, the submitter is told it changed meanwhile and nothing is overwritten.

A field submitted as it was shown keeps the stored value exactly (a source's note, an alias with a comma in
it): an edit changes what the moderator changed and nothing else. What they did change is read by
`bot.rules`, and every problem of the form is told at once, each naming its field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, cast

import discord
import msgspec

from bot.cards import PART_WORDS
from bot.errors import UserFacingError
from bot.i18n import ENGLISH, N_, Lang, Message, lang_of
from bot.models import Character, Fact, Person, Season2Status, SpoilerLevel
from bot.moderation_store import Change, StoredEntry
from bot.rules import (
    NAME_LIMIT,
    SPOILERS,
    TEXT_LIMIT,
    Problems,
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
from cogs.manage._access import ensure_moderator, server_lang
from cogs.manage._edits import (
    PendingEdit,
    assumed_confidence_note,
    catalog_entries,
    check_changes,
    describe_update,
    with_spoiler_rules,
)
from cogs.manage._preview import GuardedModal, send_preview

if TYPE_CHECKING:
    from bot.client import AoadBot

FactPart = Literal["profile", "fate", "season2"]
# Discord's limits: a form's title and a field's label, and a field's text.
TITLE_LIMIT = 45
LABEL_LIMIT = 45
FORM_LIMIT = 4000


@dataclass(frozen=True)
class Label(Message):
    """A form field's label, as its reader sees it: named in bold in a problem."""

    def render(self, lang: Lang) -> str:
        return f"**{lang.t(self.template)[:LABEL_LIMIT]}**"


def label(text: str) -> Label:
    return Label(text, {})


def _input(
    form: EntryForm,
    lang: Lang,
    text: str,
    default: str | None,
    *,
    long: bool = False,
    required: bool = True,
    limit: int = NAME_LIMIT,
) -> discord.ui.TextInput[EntryForm]:
    if default and len(default) > limit:
        # Cutting a current value would silently lose part of it on submit.
        raise UserFacingError(
            "The current “{label}” is {length} characters long, more than a form can hold ({limit}).",
            label=lang.t(text),
            length=len(default),
            limit=limit,
        )
    field: discord.ui.TextInput[EntryForm] = discord.ui.TextInput(
        label=lang.t(text)[:LABEL_LIMIT],
        default=default or None,
        style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
        required=required,
        max_length=limit,
    )
    # The English label names the field in problems, translated for whoever reads them.
    form.english[id(field)] = text
    return field


def _untouched(field: discord.ui.TextInput[EntryForm]) -> bool:
    """The field was submitted exactly as the form showed it."""
    return (field.value or "") == (field.default or "")


class EntryForm(GuardedModal):
    """A form over one stored entry; subclasses turn the fields into the edited entry."""

    def __init__(self, bot: AoadBot, guild_id: int, stored: StoredEntry, title: str) -> None:
        super().__init__(title=title[:TITLE_LIMIT], timeout=900)
        self.bot = bot
        self.guild_id = guild_id
        self.stored = stored
        self.notes: list[Message] = []
        self.english: dict[int, str] = {}
        self.problems = Problems()

    def label_of(self, field: discord.ui.TextInput[EntryForm]) -> Label:
        return label(self.english.get(id(field)) or field.label or "")

    def edited(self, problems: Problems) -> Character | Person:
        raise NotImplementedError

    def labels(self) -> dict[str, Message]:
        """Which form field each field of the entry was typed in."""
        return {}

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await ensure_moderator(interaction)
        lang = lang_of(interaction)
        current = await self.bot.store.get_entry(self.guild_id, self.stored.kind, self.stored.key)
        if current is None or current.version != self.stored.version:
            await interaction.response.send_message(
                lang.t(
                    "⚠️ Someone changed this entry after you opened the form, so nothing was saved. Run the "
                    "command again to edit the current version."
                ),
                ephemeral=True,
            )
            return
        self.notes = []
        problems = Problems()
        # What was typed well is checked against the data even while other fields are refused: every
        # problem of the form is told at once.
        after = with_spoiler_rules(await self.resolve(problems), self.notes)
        change = Change(self.stored.kind, self.stored.key, current.entry, after, current.version)
        catalog = await self.bot.store.catalog(self.guild_id)
        check_changes(catalog_entries(catalog), [change], self.labels(), problems)
        problems.check()
        if after == current.entry:
            await interaction.response.send_message(
                lang.t("Nothing changed: the form had the same values."), ephemeral=True
            )
            return
        title, body = describe_update(current.entry, after, await server_lang(self.bot, interaction))
        pending = PendingEdit(
            guild_id=self.guild_id,
            changes=[change],
            title=title,
            body=body,
            announce_by_default=False,
            summary=describe_update(current.entry, after, ENGLISH)[0],
            notes=self.notes,
        )
        await send_preview(interaction, self.bot, pending)

    async def resolve(self, problems: Problems) -> Character | Person:
        """The edited entry, with every field typed well (the problems of the others in `problems`)."""
        return self.edited(problems)

    def read(
        self,
        changes: dict[str, object],
        name: str,
        field: discord.ui.TextInput[EntryForm],
        parse: Callable[[], object],
    ) -> None:
        """Take a field's new value into `changes`, unless it was left as shown or `parse` found a problem."""
        if _untouched(field):
            return
        found = len(self.problems)
        value = parse()
        if len(self.problems) == found:
            changes[name] = value


class CharacterIdentityForm(EntryForm):
    def __init__(self, bot: AoadBot, guild_id: int, stored: StoredEntry, lang: Lang) -> None:
        character = cast(Character, stored.entry)
        super().__init__(bot, guild_id, stored, lang.t("Edit {name}", name=character.name))
        self.name = _input(self, lang, N_("Name"), character.name)
        self.hangul = _input(self, lang, N_("Hangul name"), character.hangul, required=False)
        self.aliases = _input(
            self,
            lang,
            N_("Aliases (comma-separated)"),
            ", ".join(character.aliases),
            long=True,
            required=False,
            limit=FORM_LIMIT,
        )
        self.actor = _input(
            self, lang, N_("Actor (name or key; empty for none)"), character.actor, required=False
        )
        self.seasons = _input(
            self, lang, N_("Seasons (e.g. 1, 2)"), ", ".join(map(str, character.seasons)), limit=20
        )
        for item in (self.name, self.hangul, self.aliases, self.actor, self.seasons):
            self.add_item(item)
        self.resolved_actor: str | None = character.actor

    def labels(self) -> dict[str, Message]:
        return {
            "name": self.label_of(self.name),
            "hangul": self.label_of(self.hangul),
            "aliases": self.label_of(self.aliases),
            "actor": self.label_of(self.actor),
            "seasons": self.label_of(self.seasons),
        }

    def edited(self, problems: Problems) -> Character:
        self.problems = problems
        changes: dict[str, object] = {"actor": self.resolved_actor}
        self.read(
            changes,
            "name",
            self.name,
            lambda: typed_text(self.name.value, self.label_of(self.name), NAME_LIMIT, problems),
        )
        self.read(
            changes,
            "hangul",
            self.hangul,
            lambda: typed_text(
                self.hangul.value, self.label_of(self.hangul), NAME_LIMIT, problems, required=False
            ),
        )
        self.read(
            changes,
            "aliases",
            self.aliases,
            lambda: typed_names(self.aliases.value, self.label_of(self.aliases), problems),
        )
        self.read(
            changes,
            "seasons",
            self.seasons,
            lambda: typed_seasons(self.seasons.value, self.label_of(self.seasons), problems),
        )
        return msgspec.structs.replace(cast(Character, self.stored.entry), **changes)

    async def resolve(self, problems: Problems) -> Character | Person:
        typed = (self.actor.value or "").strip()
        if not _untouched(self.actor):
            self.resolved_actor = None
            if typed:
                catalog = await self.bot.store.catalog(self.guild_id)
                key, suggestions = people_of(catalog).resolve(typed)
                if key is None:
                    hint = ", ".join(h.label for h in suggestions)
                    problems.add(
                        Message.of(
                            "there is no cast member called “{name}” (did you mean: {hint}?); add them with "
                            "`/manage cast add` first.",
                            name=typed[:60],
                            hint=hint or "—",
                        ),
                        self.label_of(self.actor),
                    )
                self.resolved_actor = key
        return await super().resolve(problems)


class CharacterFactForm(EntryForm):
    """Who they are, their Season 1 fate or their Season 2 news: text in both languages, confidence, spoiler
    level, sources."""

    OPTIONAL: ClassVar[tuple[str, ...]] = ("fate", "season2")

    def __init__(
        self,
        bot: AoadBot,
        guild_id: int,
        stored: StoredEntry,
        part: FactPart,
        lang: Lang,
        status: str | None = None,
    ) -> None:
        character = cast(Character, stored.entry)
        super().__init__(bot, guild_id, stored, f"{character.name}: {lang.t(PART_WORDS[part])}")
        self.part = part
        self.status = status
        fact: Fact | None = getattr(character, part)
        self.fact = fact
        optional = part in self.OPTIONAL
        self.text = _input(
            self,
            lang,
            N_("Text (empty removes it)") if optional else N_("Text"),
            fact.text if fact else None,
            long=True,
            required=not optional,
            limit=TEXT_LIMIT,
        )
        self.text_ko = _input(
            self,
            lang,
            N_("Text in Korean (optional)"),
            fact.text_ko if fact else None,
            long=True,
            required=False,
            limit=TEXT_LIMIT,
        )
        self.confidence = _input(
            self,
            lang,
            N_("Confidence: confirmed, reported, unconfirmed"),
            fact.confidence if fact else None,
            required=False,
            limit=20,
        )
        default_spoiler = fact.spoiler if fact else ("s1" if part == "fate" else "none")
        self.spoiler = _input(
            self, lang, N_("Spoiler level: none, s1, s2"), default_spoiler, required=False, limit=10
        )
        self.sources = _input(
            self,
            lang,
            N_("Sources, one per line: link, or name, date"),
            sources_text(fact.sources) if fact else None,
            long=True,
            required=False,
            limit=FORM_LIMIT,
        )
        for item in (self.text, self.text_ko, self.confidence, self.spoiler, self.sources):
            self.add_item(item)

    def labels(self) -> dict[str, Message]:
        part = self.part
        return {
            f"{part}.text_ko": self.label_of(self.text_ko),
            f"{part}.text": self.label_of(self.text),
            f"{part}.confidence": self.label_of(self.confidence),
            f"{part}.spoiler": self.label_of(self.spoiler),
            f"{part}.sources": self.label_of(self.sources),
        }

    def edited(self, problems: Problems) -> Character:
        character = cast(Character, self.stored.entry)
        fact = self.fact
        if self.part in self.OPTIONAL and not (self.text.value or "").strip():
            return msgspec.structs.replace(character, **{self.part: None})
        text = (
            fact.text
            if fact is not None and _untouched(self.text)
            else typed_text(self.text.value, self.label_of(self.text), TEXT_LIMIT, problems, spoilers=True)
        )
        text_ko = (
            fact.text_ko
            if fact is not None and _untouched(self.text_ko)
            else typed_text(
                self.text_ko.value,
                self.label_of(self.text_ko),
                TEXT_LIMIT,
                problems,
                required=False,
                spoilers=True,
            )
        )
        if fact is not None and _untouched(self.confidence):
            confidence = fact.confidence
        else:
            confidence, assumed = typed_confidence(
                self.confidence.value, self.label_of(self.confidence), problems
            )
            if assumed:
                self.notes.append(assumed_confidence_note(Message.of(PART_WORDS[self.part])))
        spoiler: str
        if fact is not None and _untouched(self.spoiler):
            spoiler = fact.spoiler
        else:
            spoiler = typed_choice(self.spoiler.value, SPOILERS, self.label_of(self.spoiler), problems) or (
                "s1" if self.part == "fate" else "none"
            )
        if fact is not None and _untouched(self.sources):
            sources = fact.sources
        else:
            sources = typed_sources(
                self.sources.value, self.label_of(self.sources), problems, keep=fact.sources if fact else ()
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
                    self.label_of(self.sources),
                )
        if problems:
            return character
        assert text is not None
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
    def __init__(self, bot: AoadBot, guild_id: int, stored: StoredEntry, lang: Lang) -> None:
        person = cast(Person, stored.entry)
        super().__init__(bot, guild_id, stored, lang.t("Edit {name}", name=person.name))
        self.name = _input(self, lang, N_("Name"), person.name)
        self.hangul = _input(self, lang, N_("Hangul name"), person.hangul, required=False)
        self.variants = _input(
            self,
            lang,
            N_("Other spellings (comma-separated)"),
            ", ".join(person.variants),
            long=True,
            required=False,
            limit=FORM_LIMIT,
        )
        for item in (self.name, self.hangul, self.variants):
            self.add_item(item)

    def labels(self) -> dict[str, Message]:
        return {
            "name": self.label_of(self.name),
            "hangul": self.label_of(self.hangul),
            "variants": self.label_of(self.variants),
        }

    def edited(self, problems: Problems) -> Person:
        self.problems = problems
        changes: dict[str, object] = {}
        self.read(
            changes,
            "name",
            self.name,
            lambda: typed_text(self.name.value, self.label_of(self.name), NAME_LIMIT, problems),
        )
        self.read(
            changes,
            "hangul",
            self.hangul,
            lambda: typed_text(
                self.hangul.value, self.label_of(self.hangul), NAME_LIMIT, problems, required=False
            ),
        )
        self.read(
            changes,
            "variants",
            self.variants,
            lambda: typed_names(self.variants.value, self.label_of(self.variants), problems),
        )
        return msgspec.structs.replace(cast(Person, self.stored.entry), **changes)
