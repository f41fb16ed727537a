"""The forms (modals) `edit` opens, filled with the entry's current values, in the moderator's language.

A form is stored when it opens (`forms` table): which entry, at which version, and what each field showed.
Its submission names it by id and carries every value, so it is applied after a restart too. What was
submitted is kept: a form refused (the entry changed meanwhile, or a rule was broken) offers **Open the form
again**, filled with the moderator's text (and, for the fields they left alone, the entry's current values).

A field submitted as the form showed it keeps the stored value exactly (a source's note, an alias with a
comma in it): an edit changes what the moderator changed and nothing else. What they did change is read by
`bot.rules`, and every problem of the form is told at once, each naming its field.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

import discord
import msgspec

from bot.cards import PART_WORDS
from bot.drafts_store import StoredForm
from bot.errors import UserFacingError, report_error, send_ephemeral
from bot.i18n import ENGLISH, N_, Lang, Message, lang_of
from bot.models import Character, Entry, Fact, Person, Season2Status, SpoilerLevel
from bot.moderation_store import Change, StoredEntry
from bot.render import escape, truncate
from bot.rules import (
    NAME_LIMIT,
    SPOILERS,
    TEXT_LIMIT,
    Problems,
    RuleViolation,
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
from cogs.manage._access import ensure_moderator, server_lang
from cogs.manage._edits import (
    LARGE_STATE,
    PendingEdit,
    assumed_confidence_note,
    catalog_entries,
    check_changes,
    describe_update,
    with_spoiler_rules,
)
from cogs.manage._preview import send_preview

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
                key, suggestions = people_of(await self.bot.store.catalog(self.guild_id)).resolve(typed)
                if key is None:
                    problems.add(
                        Message.of(
                            "there is no cast member called “{name}” (did you mean: {hint}?); add them with "
                            "`/manage cast add` first.",
                            name=escape(truncate(typed, 60)),
                            hint=escape(", ".join(h.label for h in suggestions)) or "—",
                        ),
                        self.label_of("actor"),
                    )
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


async def open_form(
    interaction: discord.Interaction,
    bot: AoadBot,
    stored: StoredEntry,
    part: str,
    status: str | None = None,
    prefill: dict[str, str] | None = None,
) -> None:
    """Store the form (what it shows, the entry's version) and open it, filled with `prefill` or the
    current values."""
    assert interaction.guild_id is not None
    lang = lang_of(interaction)
    form = form_for(bot, interaction.guild_id, stored, part, status)
    shown = form.check_shown(lang)
    form_id = await bot.store.open_form(
        interaction.guild_id,
        interaction.user.id,
        stored.kind,
        stored.key,
        part,
        status,
        stored.version,
        shown,
    )
    await interaction.response.send_modal(
        form.modal(form_id, lang, prefill if prefill is not None else shown)
    )


def submitted_values(data: Any) -> dict[str, str]:
    """The values of a submitted form by field id, whatever layout Discord sent them in."""
    values: dict[str, str] = {}

    def walk(components: Any) -> Iterator[Any]:
        for component in components or []:
            yield component
            yield from walk(component.get("components"))
            if isinstance(component.get("component"), dict):
                yield from walk([component["component"]])

    for component in walk((data or {}).get("components")):
        if "custom_id" in component and isinstance(component.get("value"), str):
            values[str(component["custom_id"])] = component["value"]
    return values


class ReopenButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"reform:(?P<id>\d+)"):
    """Open a refused form again, with what the moderator typed in it."""

    def __init__(self, form_id: int, label: str = "Open the form again") -> None:
        super().__init__(
            discord.ui.Button(
                label=truncate(label, 80),
                emoji="📝",
                style=discord.ButtonStyle.primary,
                custom_id=f"reform:{form_id}",
            )
        )
        self.form_id = form_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReopenButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await reopen_form(interaction, self.form_id)
        except Exception as exc:
            await report_error(interaction, exc, "the reopen-form button")


def reopen_view(form_id: int, lang: Lang) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ReopenButton(form_id, lang.t("Open the form again")))
    return view


async def reopen_form(interaction: discord.Interaction, form_id: int) -> None:
    """The form again, on the entry as it is now: the fields the moderator changed hold what they typed, the
    others the current values."""
    bot: AoadBot = interaction.client  # type: ignore[assignment]
    lang = lang_of(interaction)
    old = await bot.store.form(form_id)
    if old is None or old.guild_id != interaction.guild_id or old.owner_id != interaction.user.id:
        await send_ephemeral(interaction, lang.t("This form is gone: run the command again."))
        return
    await ensure_moderator(interaction)
    current = await bot.store.get_entry(old.guild_id, old.kind, old.key)
    if current is None:
        await send_ephemeral(interaction, lang.t("That entry was removed meanwhile. Nothing was changed."))
        return
    fresh = form_for(bot, old.guild_id, current, old.part, old.status).check_shown(lang)
    typed = old.typed or {}
    prefill = {
        field: typed[field] if field in typed and typed[field] != old.shown.get(field, "") else value
        for field, value in fresh.items()
    }
    await open_form(interaction, bot, current, old.part, old.status, prefill)


async def submit_form(interaction: discord.Interaction, form_id: int) -> None:
    """A submitted form, from the store: applied after a restart too; refused ones give the text back."""
    bot: AoadBot = interaction.client  # type: ignore[assignment]
    lang = lang_of(interaction)
    stored_form = await bot.store.form(form_id)
    if stored_form is None or stored_form.guild_id != interaction.guild_id:
        await send_ephemeral(interaction, lang.t("This form is gone: run the command again."))
        return
    values = submitted_values(interaction.data)
    await bot.store.record_form(form_id, values)
    await ensure_moderator(interaction)
    current = await bot.store.get_entry(stored_form.guild_id, stored_form.kind, stored_form.key)
    if current is None:
        await send_ephemeral(interaction, lang.t("That entry was removed meanwhile. Nothing was changed."))
        return
    if current.version != stored_form.version:
        await interaction.response.send_message(
            lang.t(
                "⚠️ Someone changed this entry after you opened the form, so nothing was saved. **Open the form "
                "again** to make your changes to the current version: what you typed is in it."
            ),
            view=reopen_view(form_id, lang),
            ephemeral=True,
        )
        return
    catalog = await bot.store.lookup_catalog(stored_form.guild_id, wait=0.2)
    if catalog is None or catalog.size > LARGE_STATE:
        # Checking a very large server's data takes seconds: answered within Discord's 3 s first.
        await interaction.response.defer(ephemeral=True, thinking=True)
    try:
        await _apply(interaction, bot, stored_form, current, values)
    except RuleViolation as refused:
        send = (
            interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
        )
        await send(refused.render(lang), view=reopen_view(form_id, lang), ephemeral=True)


async def _apply(
    interaction: discord.Interaction,
    bot: AoadBot,
    stored_form: StoredForm,
    current: StoredEntry,
    values: dict[str, str],
) -> None:
    lang = lang_of(interaction)
    form = form_for(bot, stored_form.guild_id, current, stored_form.part, stored_form.status)
    form.values, form.shown_values = values, stored_form.shown
    # What was typed well is checked against the data even while other fields are refused: every problem of
    # the form is told at once.
    after = with_spoiler_rules(await form.edited(), form.notes)
    change = Change(current.kind, current.key, current.entry, after, current.version)
    catalog = await bot.store.catalog(stored_form.guild_id)
    await check_changes(catalog_entries(catalog), [change], form.labels(), form.problems)
    form.problems.check()
    if after == current.entry:
        await send_ephemeral(interaction, lang.t("Nothing changed: the form had the same values."))
        return
    names = {person.key: person.name for person in catalog.people}
    title, body = describe_update(current.entry, after, await server_lang(bot, interaction), names)
    pending = PendingEdit(
        guild_id=stored_form.guild_id,
        changes=[change],
        title=title,
        body=body,
        announce_by_default=False,
        summary=describe_update(current.entry, after, ENGLISH, names)[0],
        notes=form.notes,
    )
    await send_preview(interaction, bot, pending)
