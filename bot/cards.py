"""Cards for fans: characters, cast members, seasons and their timelines, drawn for one audience.

Pure functions of the data and of the audience's spoiler level: no I/O, so every card is tested without
Discord. A fact above the audience's level is drawn as a Discord spoiler (`||…||`) and listed in the card's
`hidden` parts, for which the caller adds Reveal buttons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import discord

from bot.catalog import Catalog
from bot.dates import parse_release
from bot.models import Character, Fact, NewsItem, Person, Season, Season2Status, Stage, covers
from bot.render import Field, card, escape, provenance

STAGE_WORDS: dict[Stage, str] = {
    Stage.ANNOUNCED: "Announced",
    Stage.IN_PRODUCTION: "In production",
    Stage.FILMING: "Filming",
    Stage.POST_PRODUCTION: "Post-production",
    Stage.RELEASE_DATE_SET: "Release date set",
    Stage.RELEASED: "Released",
}

SPOILER_WORDS = {"none": "no spoilers", "s1": "Season 1 spoilers", "s2": "Season 2 news"}

STATUS_WORDS: dict[Season2Status, str] = {
    Season2Status.RETURNING: "Returning",
    Season2Status.NEW: "New in Season 2",
    Season2Status.NOT_RETURNING: "Not returning",
}

TIMELINE_ON_CARD = 3
TIMELINE_PAGE = 6
CAST_PAGE = 10


@dataclass(frozen=True)
class HiddenPart:
    """A part of a card shown as a spoiler, and how to find it again for a Reveal button."""

    kind: str
    key: str
    part: str
    label: str


@dataclass
class Drawn:
    embed: discord.Embed
    hidden: list[HiddenPart] = field(default_factory=list)


def _text(fact: Fact, level: str) -> str:
    """A fact's text for this audience: plain, or behind a spoiler tag."""
    text = escape(fact.text)
    return text if covers(level, fact.spoiler) else f"||{text}||"


def _with_provenance(fact: Fact, level: str) -> str:
    return f"{_text(fact, level)}\n{provenance(fact)}"


def footer_for(catalog: Catalog, level: str) -> str:
    footer = f"Data as of {catalog.as_of.isoformat()}"
    if catalog.last_edited is not None:
        footer += f", updated by this server's moderators {catalog.last_edited.date().isoformat()}"
    footer += f" · Shown with {SPOILER_WORDS[level]}; set yours with /spoilers"
    return footer


def character_card(catalog: Catalog, character: Character, level: str) -> Drawn:
    hidden: list[HiddenPart] = []

    def note(fact: Fact, part: str, label: str) -> None:
        if not covers(level, fact.spoiler):
            hidden.append(HiddenPart("character", character.key, part, label))

    title = character.name + (f" ({character.hangul})" if character.hangul else "")
    fields: list[Field] = []
    actor = catalog.person(character.actor) if character.actor else None
    if actor is not None:
        fields.append(
            Field("Played by", actor.name + (f" ({actor.hangul})" if actor.hangul else ""), inline=True)
        )
    seasons = ", ".join(f"Season {n}" for n in character.seasons)
    if seasons:
        fields.append(Field("Appears in", seasons, inline=True))
    if character.aliases:
        fields.append(Field("Also known as", escape(", ".join(character.aliases)), inline=True))
    note(character.profile, "profile", "Who they are")
    if character.fate is not None:
        fields.append(Field("Season 1 fate", _with_provenance(character.fate, level)))
        note(character.fate, "fate", "Season 1 fate")
    if character.season2 is not None:
        fields.append(Field("Season 2", _with_provenance(character.season2, level)))
        note(character.season2, "season2", "Season 2")
    else:
        fields.append(Field("Season 2", "No news yet."))
    return Drawn(
        card(
            title=title,
            description=_with_provenance(character.profile, level),
            fields=fields,
            footer=footer_for(catalog, level),
        ),
        hidden,
    )


def person_card(catalog: Catalog, person: Person, level: str) -> Drawn:
    hidden: list[HiddenPart] = []
    title = person.name + (f" ({person.hangul})" if person.hangul else "")
    description = f"Also spelled {escape(', '.join(person.variants))}" if person.variants else ""
    fields: list[Field] = []
    for role in catalog.roles_of(person.key):
        role_name = role.name + (f" ({role.hangul})" if role.hangul else "")
        seasons = ", ".join(f"S{n}" for n in role.seasons)
        lines = [_text(role.profile, level)]
        if not covers(level, role.profile.spoiler):
            hidden.append(HiddenPart("character", role.key, "profile", f"{role.name}: who they are"))
        if role.season2 is not None:
            lines.append(f"**Season 2:** {_with_provenance(role.season2, level)}")
            if not covers(level, role.season2.spoiler):
                hidden.append(HiddenPart("character", role.key, "season2", f"{role.name}: Season 2"))
        else:
            lines.append("**Season 2:** no news yet.")
        fields.append(Field(f"As {role_name} ({seasons})", "\n".join(lines)))
    if not fields:
        fields.append(Field("Roles", "No role recorded yet."))
    return Drawn(
        card(title=title, description=description, fields=fields, footer=footer_for(catalog, level)),
        hidden,
    )


def _release_line(season: Season) -> str:
    if season.release is None:
        return "No date announced."
    when = parse_release(season.release).render()
    if season.release_fact is not None:
        when += f"\n{provenance(season.release_fact)}"
    return when


def news_line(item: NewsItem, level: str) -> str:
    return f"**{item.date}** — {_with_provenance(item, level)}"


def season_card(catalog: Catalog, season: Season, level: str, now: dt.datetime | None = None) -> Drawn:
    hidden: list[HiddenPart] = []
    stage = STAGE_WORDS[season.stage]
    release = parse_release(season.release) if season.release else None
    released = (
        release is not None
        and release.instant is not None
        and release.instant <= (now or discord.utils.utcnow())
    )
    if released and season.stage is not Stage.RELEASED:
        stage = STAGE_WORDS[Stage.RELEASED]
    fields = [
        Field("Stage", f"{stage}\n{provenance(season.stage_fact)}"),
        Field("Release", _release_line(season)),
    ]
    for fact in season.facts:
        fields.append(Field(escape(fact.label), _with_provenance(fact, level)))
        if not covers(level, fact.spoiler):
            hidden.append(
                HiddenPart("season", str(season.number), f"fact{season.facts.index(fact)}", fact.label)
            )
    timeline = [item for item in catalog.news if item.season == season.number]
    latest = timeline[-TIMELINE_ON_CARD:][::-1]
    if latest:
        fields.append(Field("Latest news", "\n".join(news_line(item, level) for item in latest)))
        hidden += [
            HiddenPart("news", item.key, "text", f"News of {item.date}")
            for item in latest
            if not covers(level, item.spoiler)
        ]
    return Drawn(
        card(
            title=f"{catalog.show.title}: Season {season.number}",
            fields=fields,
            footer=footer_for(catalog, level),
        ),
        hidden,
    )


def timeline_pages(catalog: Catalog, season_number: int, level: str) -> list[discord.Embed]:
    """The whole timeline of a season, oldest first, a page per embed."""
    items = [item for item in catalog.news if item.season == season_number]
    pages: list[discord.Embed] = []
    chunks = [items[i : i + TIMELINE_PAGE] for i in range(0, len(items), TIMELINE_PAGE)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        lines = "\n\n".join(news_line(item, level) for item in chunk) or "No news recorded yet."
        pages.append(
            card(
                title=f"Season {season_number} timeline ({number}/{len(chunks)})",
                description=lines,
                footer=footer_for(catalog, level),
            )
        )
    return pages


def cast_pages(catalog: Catalog) -> list[discord.Embed]:
    """The whole cast, a page per embed. Names and roles only: no spoilers."""
    people = list(catalog.people)
    chunks = [people[i : i + CAST_PAGE] for i in range(0, len(people), CAST_PAGE)] or [[]]
    pages: list[discord.Embed] = []
    for number, chunk in enumerate(chunks, start=1):
        lines = []
        for person in chunk:
            roles = ", ".join(role.name for role in catalog.roles_of(person.key)) or "role not recorded"
            hangul = f" ({person.hangul})" if person.hangul else ""
            lines.append(f"**{escape(person.name)}**{hangul} — {escape(roles)}")
        pages.append(
            card(
                title=f"{catalog.show.title}: the cast ({number}/{len(chunks)})",
                description="\n".join(lines) or "No cast recorded yet.",
                footer=f"Data as of {catalog.as_of.isoformat()} · /cast name: for an actor's card",
            )
        )
    return pages


def reveal_embed(catalog: Catalog, kind: str, key: str, part: str) -> discord.Embed | None:
    """The plain text of one hidden part, for the fan who pressed Reveal; None if it no longer exists."""
    fact: Fact | None = None
    title = ""
    if kind == "character":
        character = catalog.character(key)
        if character is not None:
            title = character.name
            fact = {"profile": character.profile, "fate": character.fate, "season2": character.season2}.get(
                part
            )
            title += {"profile": "", "fate": ": Season 1 fate", "season2": ": Season 2"}.get(part, "")
    elif kind == "news":
        item = next((n for n in catalog.news if n.key == key), None)
        if item is not None:
            fact, title = item, f"Season {item.season} news, {item.date}"
    elif kind == "season" and key.isdigit() and part.startswith("fact") and part[4:].isdigit():
        season = catalog.season(int(key))
        index = int(part[4:])
        if season is not None and index < len(season.facts):
            fact, title = season.facts[index], f"Season {season.number}: {season.facts[index].label}"
    if fact is None:
        return None
    return card(title=title, description=f"{escape(fact.text)}\n{provenance(fact)}")
