"""The forms (modals) `edit` opens, filled with the entry's current values, in the moderator's language.

A form remembers the version of the entry it was opened on. If another moderator saves the entry before this
form is submitted, the submitter is told it changed meanwhile and nothing is overwritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal, cast

import discord
import msgspec

from bot.cards import PART_WORDS
from bot.errors import UserFacingError
from bot.i18n import ENGLISH, N_, Lang, lang_of
from bot.models import Character, Person, Season2Role, Season2Status
from bot.moderation_store import Change, StoredEntry
from bot.search import people_of
from cogs.manage._access import ensure_moderator, server_lang
from cogs.manage._edits import (
    NAME_LIMIT,
    TEXT_LIMIT,
    PendingEdit,
    clean,
    describe_update,
    make_fact,
    names_list,
    sources_text,
)
from cogs.manage._preview import GuardedModal, send_preview

if TYPE_CHECKING:
    from bot.client import AoadBot

FactPart = Literal["profile", "fate", "season2"]
# Discord's limits: a form's title and a field's label, and a field's text.
TITLE_LIMIT = 45
LABEL_LIMIT = 45
FORM_LIMIT = 4000


def _input(
    lang: Lang,
    label: str,
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
            label=lang.t(label),
            length=len(default),
            limit=limit,
        )
    return discord.ui.TextInput(
        label=lang.t(label)[:LABEL_LIMIT],
        default=default or None,
        style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
        required=required,
        max_length=limit,
    )


class EntryForm(GuardedModal):
    """A form over one stored entry; subclasses turn the fields into the edited entry."""

    def __init__(self, bot: AoadBot, guild_id: int, stored: StoredEntry, title: str) -> None:
        super().__init__(title=title[:TITLE_LIMIT], timeout=900)
        self.bot = bot
        self.guild_id = guild_id
        self.stored = stored

    def edited(self) -> Character | Person:
        raise NotImplementedError

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
        after = self.edited()
        if after == current.entry:
            await interaction.response.send_message(
                lang.t("Nothing changed: the form had the same values."), ephemeral=True
            )
            return
        title, body = describe_update(current.entry, after, await server_lang(self.bot, interaction))
        pending = PendingEdit(
            guild_id=self.guild_id,
            changes=[Change(self.stored.kind, self.stored.key, current.entry, after, current.version)],
            title=title,
            body=body,
            announce_by_default=False,
            summary=describe_update(current.entry, after, ENGLISH)[0],
        )
        await send_preview(interaction, self.bot, pending)


class CharacterIdentityForm(EntryForm):
    def __init__(self, bot: AoadBot, guild_id: int, stored: StoredEntry, lang: Lang) -> None:
        character = cast(Character, stored.entry)
        super().__init__(bot, guild_id, stored, lang.t("Edit {name}", name=character.name))
        self.name = _input(lang, N_("Name"), character.name)
        self.hangul = _input(lang, N_("Hangul name"), character.hangul, required=False)
        self.aliases = _input(
            lang,
            N_("Aliases (comma-separated)"),
            ", ".join(character.aliases),
            long=True,
            required=False,
            limit=FORM_LIMIT,
        )
        self.actor = _input(lang, N_("Actor (name or key; empty for none)"), character.actor, required=False)
        self.seasons = _input(
            lang, N_("Seasons (e.g. 1, 2)"), ", ".join(map(str, character.seasons)), limit=20
        )
        for item in (self.name, self.hangul, self.aliases, self.actor, self.seasons):
            self.add_item(item)
        self.resolved_actor: str | None = None

    def edited(self) -> Character:
        character = cast(Character, self.stored.entry)
        seasons: list[int] = []
        for part in self.seasons.value.replace(" ", "").split(","):
            if not part.isdecimal() or not 1 <= int(part) <= 99:
                raise UserFacingError("Seasons must be numbers like 1, 2 (not “{value}”).", value=part[:10])
            seasons.append(int(part))
        return msgspec.structs.replace(
            character,
            name=cast(str, clean(self.name.value, N_("The name"), NAME_LIMIT)),
            hangul=clean(self.hangul.value, N_("The Hangul name"), NAME_LIMIT, required=False),
            aliases=names_list(self.aliases.value, N_("aliases")),
            actor=self.resolved_actor,
            seasons=tuple(dict.fromkeys(seasons)),
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        typed = (self.actor.value or "").strip()
        self.resolved_actor = None
        if typed:
            catalog = await self.bot.store.catalog(self.guild_id)
            key, suggestions = people_of(catalog).resolve(typed)
            if key is None:
                raise UserFacingError(
                    "There is no cast member called “{name}” (did you mean: {hint}?). Nothing was saved; add them "
                    "with `/manage cast add` first.",
                    name=typed[:60],
                    hint=", ".join(h.label for h in suggestions) or "—",
                )
            self.resolved_actor = key
        await super().on_submit(interaction)


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
        fact = getattr(character, part)
        optional = part in self.OPTIONAL
        self.text = _input(
            lang,
            N_("Text (empty removes it)") if optional else N_("Text"),
            fact.text if fact else None,
            long=True,
            required=not optional,
            limit=TEXT_LIMIT,
        )
        self.text_ko = _input(
            lang,
            N_("Text in Korean (optional)"),
            fact.text_ko if fact else None,
            long=True,
            required=False,
            limit=TEXT_LIMIT,
        )
        self.confidence = _input(
            lang,
            N_("Confidence: confirmed, reported, unconfirmed"),
            fact.confidence if fact else None,
            required=False,
            limit=20,
        )
        default_spoiler = fact.spoiler if fact else ("s1" if part == "fate" else "none")
        self.spoiler = _input(
            lang, N_("Spoiler level: none, s1, s2"), default_spoiler, required=False, limit=10
        )
        self.sources = _input(
            lang,
            N_("Sources, one per line: link, or name, date"),
            sources_text(fact.sources) if fact else None,
            long=True,
            required=False,
            limit=FORM_LIMIT,
        )
        for item in (self.text, self.text_ko, self.confidence, self.spoiler, self.sources):
            self.add_item(item)

    def edited(self) -> Character:
        character = cast(Character, self.stored.entry)
        if self.part in self.OPTIONAL and not self.text.value.strip():
            return msgspec.structs.replace(character, **{self.part: None})
        fact = make_fact(
            self.text.value,
            self.confidence.value,
            self.sources.value,
            self.spoiler.value,
            what=N_("The text"),
        )
        fact = msgspec.structs.replace(
            fact, text_ko=clean(self.text_ko.value, N_("The Korean text"), TEXT_LIMIT, required=False)
        )
        shown = sources_text(fact.sources)
        if len(shown) > FORM_LIMIT:
            # Saved, they could never be shown in this form again, so the fact could not be edited.
            raise UserFacingError(
                "Those sources are too long: the form would show them in {length} characters, and a form field "
                "holds {limit}. Shorten some links, or drop a source. Nothing was saved.",
                length=len(shown),
                limit=FORM_LIMIT,
            )
        if self.part == "fate" and fact.spoiler == "none":
            raise UserFacingError("A Season 1 fate is a spoiler: set its spoiler level to s1 (or s2).")
        if self.part == "season2":
            current = character.season2
            status = (
                Season2Status(self.status)
                if self.status
                else (current.status if current else Season2Status.RETURNING)
            )
            role = Season2Role(
                text=fact.text,
                text_ko=fact.text_ko,
                confidence=fact.confidence,
                sources=fact.sources,
                spoiler=fact.spoiler,
                status=status,
            )
            return msgspec.structs.replace(character, season2=role)
        return msgspec.structs.replace(character, **{self.part: fact})


class PersonForm(EntryForm):
    def __init__(self, bot: AoadBot, guild_id: int, stored: StoredEntry, lang: Lang) -> None:
        person = cast(Person, stored.entry)
        super().__init__(bot, guild_id, stored, lang.t("Edit {name}", name=person.name))
        self.name = _input(lang, N_("Name"), person.name)
        self.hangul = _input(lang, N_("Hangul name"), person.hangul, required=False)
        self.variants = _input(
            lang,
            N_("Other spellings (comma-separated)"),
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
            name=cast(str, clean(self.name.value, N_("The name"), NAME_LIMIT)),
            hangul=clean(self.hangul.value, N_("The Hangul name"), NAME_LIMIT, required=False),
            variants=names_list(self.variants.value, N_("spellings")),
        )
