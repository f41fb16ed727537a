"""/manage character | cast add and remove: what a moderator typed, read by the rules, as a pending change.

(`edit` opens the forms in `cogs.manage._forms`.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import msgspec

from bot.errors import UserFacingError
from bot.i18n import ENGLISH, Lang, Message
from bot.models import Character, Fact, Person, Season2Status, Source, SpoilerLevel
from bot.moderation_store import Change, StoredEntry
from bot.render import escape, truncate
from bot.rules import (
    NAME_LIMIT,
    TEXT_LIMIT,
    Problems,
    apply_changes,
    casting_field,
    effective_level,
    removal_problems,
    season2_role,
    typed_confidence,
    typed_names,
    typed_text,
)
from cogs.manage._edits import (
    STAND_IN,
    PendingEdit,
    assumed_confidence_note,
    catalog_entries,
    check_changes,
    fact_block,
    new_key,
    with_spoiler_rules,
)
from cogs.manage._options import Typed, option

if TYPE_CHECKING:
    from bot.client import AoadBot

KOREAN = Lang("ko")


async def stored(bot: AoadBot, guild_id: int, kind: str, key: str) -> StoredEntry:
    """The entry and its version, read together, so the change starts from exactly what was read."""
    found = await bot.store.get_entry(guild_id, kind, key)
    if found is None:
        raise UserFacingError("That entry was removed meanwhile. Nothing was changed.")
    return found


async def character_add(
    bot: AoadBot,
    guild_id: int,
    server: Lang,
    *,
    name: str,
    description: str,
    source: Typed[tuple[Source, ...]],
    confidence: str | None,
    hangul: str | None,
    aliases: str | None,
    actor: Typed[str | None] | None,
    spoiler: str,
    season: int,
    description_ko: str | None,
) -> PendingEdit:
    catalog = await bot.store.catalog(guild_id)
    problems = Problems()
    clean_name = typed_text(name, option("name"), NAME_LIMIT, problems, name=True)
    profile_text = typed_text(description, option("description"), TEXT_LIMIT, problems, spoilers=True)
    profile_ko = typed_text(
        description_ko, option("description_ko"), TEXT_LIMIT, problems, required=False, spoilers=True
    )
    sources = source.into(problems)
    chosen, assumed = typed_confidence(confidence, option("confidence"), problems)
    clean_hangul = typed_text(hangul, option("hangul"), NAME_LIMIT, problems, required=False, name=True)
    clean_aliases = typed_names(aliases, option("aliases"), problems)
    actor_key = actor.into(problems) if actor is not None else None
    person = catalog.person(actor_key) if actor_key else None
    notes: list[Message] = []
    character = Character(
        key=new_key(clean_name or "entry", await bot.store.used_keys(guild_id, "character")),
        name=clean_name or STAND_IN.text,
        hangul=clean_hangul,
        aliases=clean_aliases,
        actor=actor_key,
        seasons=(season,),
        profile=Fact(
            text=profile_text or STAND_IN.text,
            text_ko=profile_ko,
            confidence=chosen,
            sources=sources or STAND_IN.sources,
            spoiler=cast(SpoilerLevel, spoiler),
        ),
    )
    character = cast(Character, with_spoiler_rules(character, notes))
    if assumed:
        notes.append(assumed_confidence_note(Message.of("who they are")))
    change = Change("character", character.key, None, character, None)
    await check_changes(
        catalog_entries(catalog),
        [change],
        {
            "name": option("name"),
            "hangul": option("hangul"),
            "aliases": option("aliases"),
            "actor": option("actor"),
            "profile.sources": option("source"),
            "profile.text_ko": option("description_ko"),
            "profile": option("description"),
        },
        problems,
        stand_ins=[*(() if clean_name else ("name",)), *(() if profile_text and sources else ("profile",))],
    )
    problems.check()
    assert clean_name is not None

    def title(lang: Lang) -> str:
        if person:
            return lang.t("New cast: {actor} as {character}", actor=person.name, character=clean_name)
        return lang.t("New character: {name}", name=clean_name)

    return PendingEdit(
        guild_id,
        [change],
        title(server),
        fact_block(character.profile, server),
        summary=title(ENGLISH),
        notes=notes,
    )


async def character_remove(
    bot: AoadBot, guild_id: int, server: Lang, *, name: Typed[str | None]
) -> PendingEdit:
    problems = Problems()
    key = name.into(problems)
    problems.check()
    found = await stored(bot, guild_id, "character", cast(str, key))
    character = cast(Character, found.entry)
    return PendingEdit(
        guild_id,
        [Change("character", character.key, character, None, found.version)],
        server.t("Removed: {name}", name=character.name),
        server.t("Removed from this server's data. `/manage revert` brings it back."),
        announce_by_default=False,
        summary=ENGLISH.t("Removed: {name}", name=character.name),
    )


async def cast_add(
    bot: AoadBot,
    guild_id: int,
    server: Lang,
    *,
    name: str,
    source: Typed[tuple[Source, ...]],
    confidence: str | None,
    hangul: str | None,
    variants: str | None,
    plays: Typed[str | None] | None,
) -> PendingEdit:
    catalog = await bot.store.catalog(guild_id)
    problems = Problems()
    clean_name = typed_text(name, option("name"), NAME_LIMIT, problems, name=True)
    clean_hangul = typed_text(hangul, option("hangul"), NAME_LIMIT, problems, required=False, name=True)
    clean_variants = typed_names(variants, option("variants"), problems)
    sources = source.into(problems)
    chosen, assumed = typed_confidence(confidence, option("confidence"), problems)
    role_key = plays.into(problems) if plays is not None else None
    named = clean_name is not None
    clean_name = clean_name or STAND_IN.text
    person = Person(
        key=new_key(clean_name, await bot.store.used_keys(guild_id, "person")),
        name=clean_name,
        hangul=clean_hangul,
        variants=clean_variants,
    )
    changes = [Change("person", person.key, None, person, None)]
    fact = Fact(
        text=ENGLISH.t("{actor} joins the cast", actor=clean_name),
        text_ko=KOREAN.t("{actor} joins the cast", actor=clean_name),
        confidence=chosen,
        sources=sources or STAND_IN.sources,
    )
    notes = [assumed_confidence_note(Message.of("the casting"))] if assumed else []
    title = server.t("New cast: {actor}", actor=clean_name)
    summary = ENGLISH.t("New cast: {actor}", actor=clean_name)
    if role_key is not None:
        found = await stored(bot, guild_id, "character", role_key)
        role = cast(Character, found.entry)
        fact = msgspec.structs.replace(
            fact,
            text=ENGLISH.t("{actor} plays {character}", actor=clean_name, character=role.name),
            text_ko=KOREAN.t("{actor} plays {character}", actor=clean_name, character=role.name),
        )
        field = casting_field(role)
        recast = msgspec.structs.replace(role, **{field: person.key})
        previous = catalog.person(getattr(role, field)) if getattr(role, field) else None
        if field == "season2_actor":
            # Someone playing a Season 1 character now tells that the character is back: Season 2 news, with
            # this casting's sources when they have no Season 2 news yet. The title, shown to everyone, does
            # not name them.
            fact = msgspec.structs.replace(fact, spoiler=effective_level(recast, field, fact))
            if role.season2 is None:
                recast = msgspec.structs.replace(recast, season2=season2_role(fact, Season2Status.RETURNING))
            notes.append(
                Message.of(
                    "{character} is a Season 1 character: that someone new plays them tells they are back, so "
                    "{actor} is saved as who plays them from Season 2 on, a Season 2 spoiler, and announced as "
                    "one. Who played them in Season 1 stays as it was.",
                    character=escape(role.name),
                    actor=escape(clean_name),
                )
            )
        else:
            title = server.t("New cast: {actor} as {character}", actor=clean_name, character=role.name)
            summary = ENGLISH.t("New cast: {actor} as {character}", actor=clean_name, character=role.name)
        if previous is not None:
            notes.append(
                Message.of(
                    "{character} was played by {previous} until now: this makes {actor} their actor instead.",
                    character=escape(role.name),
                    previous=escape(previous.name),
                    actor=escape(clean_name),
                )
            )
        changes.append(Change("character", role.key, role, recast, found.version))
    await check_changes(
        catalog_entries(catalog),
        changes,
        {"name": option("name"), "hangul": option("hangul"), "variants": option("variants")},
        problems,
        stand_ins=() if named else ("name",),
    )
    problems.check()
    return PendingEdit(guild_id, changes, title, fact_block(fact, server), summary=summary, notes=notes)


# How many of an actor's roles a refusal to remove them names.
REFUSAL_ROLES = 10


async def cast_remove(bot: AoadBot, guild_id: int, server: Lang, *, name: Typed[str | None]) -> PendingEdit:
    catalog = await bot.store.catalog(guild_id)
    problems = Problems()
    key = name.into(problems)
    problems.check()
    person = cast(Person, catalog.person(cast(str, key)))
    # Someone who only plays a character from Season 2 on goes with their casting: who played that character
    # in Season 1 stays, and so does the character's Season 2 news (a moderator edits or reverts it).
    recasts = [
        msgspec.structs.replace(role, season2_actor=None) for role in catalog.season2_roles_of(person.key)
    ]
    after = apply_changes(catalog_entries(catalog), [("character", role.key, role) for role in recasts])
    roles = catalog.roles_of(person.key)
    if removal_problems(after, {("person", person.key)}):
        # Name a few roles, not all: an actor of a hundred roles must not push the refusal past Discord's limit.
        shown = [truncate(role.name, 60) for role in roles[:REFUSAL_ROLES]]
        values = {"name": escape(truncate(person.name, 60)), "roles": escape(", ".join(shown))}
        if len(roles) > REFUSAL_ROLES:
            raise UserFacingError(
                Message.counted(
                    "{name} still plays {roles} and {count} more character. Change or remove those characters "
                    "first (`/manage character edit`), then remove the actor.",
                    "{name} still plays {roles} and {count} more characters. Change or remove those characters "
                    "first (`/manage character edit`), then remove the actor.",
                    len(roles) - REFUSAL_ROLES,
                    **values,
                )
            )
        raise UserFacingError(
            "{name} still plays {roles}. Change or remove those characters first (`/manage character edit`), "
            "then remove the actor.",
            **values,
        )
    found = await stored(bot, guild_id, "person", person.key)
    changes = [Change("person", person.key, found.entry, None, found.version)]
    for role in recasts:
        was = await stored(bot, guild_id, "character", role.key)
        changes.append(Change("character", role.key, was.entry, role, was.version))
    notes = [
        Message.of(
            "{name} is no longer who plays {character} from Season 2 on; their Season 2 news stays as it was "
            "(`/manage character edit part:season2` changes it).",
            name=escape(truncate(person.name, 60)),
            character=escape(truncate(role.name, 60)),
        )
        for role in recasts[:REFUSAL_ROLES]
    ]
    return PendingEdit(
        guild_id,
        changes,
        server.t("Removed from the cast: {name}", name=person.name),
        server.t("Removed from this server's data. `/manage revert` brings them back."),
        notes=notes,
        announce_by_default=False,
        summary=ENGLISH.t("Removed from the cast: {name}", name=person.name),
    )
