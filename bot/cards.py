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
from bot.i18n import ENGLISH, N_, Lang
from bot.models import (
    Character,
    Entry,
    Fact,
    LabelledFact,
    NewsItem,
    Person,
    Season,
    Show,
    SpoilerLevel,
    Stage,
    covers,
)
from bot.render import Field, card, escape, marked_text, provenance, with_provenance
from bot.rules import effective_level, is_season_one_character, seasons_shown

STAGE_WORDS: dict[Stage, str] = {
    Stage.ANNOUNCED: N_("Announced"),
    Stage.IN_PRODUCTION: N_("In production"),
    Stage.FILMING: N_("Filming"),
    Stage.POST_PRODUCTION: N_("Post-production"),
    Stage.RELEASE_DATE_SET: N_("Release date set"),
    Stage.RELEASED: N_("Released"),
}

SPOILER_WORDS = {"none": N_("no spoilers"), "s1": N_("Season 1 spoilers"), "s2": N_("Season 2 news")}
PART_WORDS = {"profile": N_("Who they are"), "fate": N_("Season 1 fate"), "season2": N_("Season 2")}

# Data whose newest fact is older than this says so, and suggests asking the moderators.
STALE_AFTER = dt.timedelta(days=90)
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


def fact_text(fact: Fact, lang: Lang) -> str:
    return lang.pick(fact.text, fact.text_ko) or fact.text


def hidden_from(entry: Entry, path: str, fact: Fact, level: str) -> bool:
    """Whether a fact is above the reader's level, at the level its content demands (not only as stored)."""
    return not covers(level, effective_level(entry, path, fact))


def _text(entry: Entry, path: str, fact: Fact, level: str, lang: Lang) -> str:
    """A fact's text for this audience: plain (with the spoilers a moderator marked), or one spoiler."""
    return marked_text(fact_text(fact, lang), hidden=hidden_from(entry, path, fact, level))


def _with_provenance(entry: Entry, path: str, fact: Fact, level: str, lang: Lang) -> str:
    return with_provenance(fact_text(fact, lang), fact, lang, hidden=hidden_from(entry, path, fact, level))


def seasons_line(character: Character, level: SpoilerLevel, lang: Lang, short: bool = False) -> str:
    """The seasons a character appears in, as far as this reader may know them."""
    shown = seasons_shown(character, level)
    if short:
        return ", ".join(f"S{n}" for n in shown)
    return ", ".join(lang.t("Season {number}", number=n) for n in shown)


def display_name_inert(name: str, hangul: str | None, lang: Lang) -> str:
    """`display_name` for a field or a description, where markdown is drawn: as typed, never as markup."""
    return display_name(escape(name), escape(hangul) if hangul else None, lang)


def display_name(name: str, hangul: str | None, lang: Lang) -> str:
    """ "Choi Nam-ra (최남라)" for English readers, "최남라 (Choi Nam-ra)" for Korean ones."""
    if not hangul:
        return name
    return f"{hangul} ({name})" if lang.code == "ko" else f"{name} ({hangul})"


def show_title(show: Show, lang: Lang) -> str:
    return lang.pick(show.title, show.title_ko) or show.title


def label_text(fact: LabelledFact, lang: Lang) -> str:
    return lang.pick(fact.label, fact.label_ko) or fact.label


def footer_for(catalog: Catalog, level: str, lang: Lang = ENGLISH) -> str:
    footer = lang.t("Data as of {date}", date=catalog.as_of.isoformat())
    if catalog.last_edited is not None:
        footer += lang.t(
            ", updated by this server's moderators {date}", date=catalog.last_edited.date().isoformat()
        )
    footer += lang.t(" · Shown with {level}; set yours with /spoilers", level=lang.t(SPOILER_WORDS[level]))
    return footer


def staleness_note(catalog: Catalog, lang: Lang, now: dt.datetime | None = None) -> str | None:
    """Said plainly when the newest fact is old: news may have come out since."""
    newest = catalog.newest_date()
    now = now or discord.utils.utcnow()
    if newest is None or now.date() - newest <= STALE_AFTER:
        return None
    when = dt.datetime(newest.year, newest.month, newest.day, 12, tzinfo=dt.UTC)
    values = {"date": discord.utils.format_dt(when, "D"), "ago": discord.utils.format_dt(when, "R")}
    if catalog.guild_id is None:
        return lang.t(
            "⚠️ The newest fact here is from {date} ({ago}): there may be newer news. In a server, its moderators "
            "keep its data current.",
            **values,
        )
    return lang.t(
        "⚠️ The newest fact here is from {date} ({ago}): there may be newer news. Ask this server's moderators "
        "to check and update it.",
        **values,
    )


def character_card(
    catalog: Catalog, character: Character, level: SpoilerLevel, lang: Lang = ENGLISH
) -> Drawn:
    hidden: list[HiddenPart] = []

    def note(fact: Fact, part: str) -> None:
        if hidden_from(character, part, fact, level):
            hidden.append(HiddenPart("character", character.key, part, lang.t(PART_WORDS[part])))

    fields: list[Field] = []
    actor = catalog.person(character.actor) if character.actor else None
    if actor is not None:
        fields.append(
            Field(lang.t("Played by"), display_name_inert(actor.name, actor.hangul, lang), inline=True)
        )
    seasons = seasons_line(character, level, lang)
    if seasons:
        fields.append(Field(lang.t("Appears in"), seasons, inline=True))
    if character.aliases:
        fields.append(Field(lang.t("Also known as"), escape(", ".join(character.aliases)), inline=True))
    note(character.profile, "profile")
    if character.fate is not None:
        fields.append(
            Field(lang.t("Season 1 fate"), _with_provenance(character, "fate", character.fate, level, lang))
        )
        note(character.fate, "fate")
    casting = season2_casting(catalog, character, lang)
    if character.season2 is not None:
        shown = _with_provenance(character, "season2", character.season2, level, lang)
        if casting:
            shown = f"{marked_text(casting, hidden=hidden_from(character, 'season2', character.season2, level))}\n{shown}"
        fields.append(Field(lang.t("Season 2"), shown))
        note(character.season2, "season2")
    elif is_season_one_character(character) and not covers(level, "s2"):
        # Whether a Season 1 character has Season 2 news at all says whether they live on: hidden alike, with
        # a Reveal button alike.
        fields.append(Field(lang.t("Season 2"), marked_text(casting or lang.t("No news yet."), hidden=True)))
        hidden.append(HiddenPart("character", character.key, "season2", lang.t(PART_WORDS["season2"])))
    else:
        fields.append(Field(lang.t("Season 2"), marked_text(casting) if casting else lang.t("No news yet.")))
    return Drawn(
        card(
            title=display_name(character.name, character.hangul, lang),
            description=_with_provenance(character, "profile", character.profile, level, lang),
            fields=fields,
            footer=footer_for(catalog, level, lang),
            lang=lang,
        ),
        hidden,
    )


def season2_casting(catalog: Catalog, character: Character, lang: Lang) -> str | None:
    """ "Played by Kim New from Season 2 on", for a Season 1 character recast (Season 2 news, like the rest of
    their Season 2 part), as plain text."""
    actor = catalog.person(character.season2_actor) if character.season2_actor else None
    if actor is None:
        return None
    return lang.t("Played by {actor} from Season 2 on", actor=display_name(actor.name, actor.hangul, lang))


def person_card(catalog: Catalog, person: Person, level: SpoilerLevel, lang: Lang = ENGLISH) -> Drawn:
    hidden: list[HiddenPart] = []
    description = (
        lang.t("Also spelled {names}", names=escape(", ".join(person.variants))) if person.variants else ""
    )
    fields: list[Field] = []
    for role in catalog.roles_of(person.key):
        lines = [_text(role, "profile", role.profile, level, lang)]
        if hidden_from(role, "profile", role.profile, level):
            hidden.append(
                HiddenPart("character", role.key, "profile", f"{role.name}: {lang.t(PART_WORDS['profile'])}")
            )
        season2 = lang.t("Season 2")
        if role.season2 is not None:
            lines.append(f"**{season2}:** {_with_provenance(role, 'season2', role.season2, level, lang)}")
            if hidden_from(role, "season2", role.season2, level):
                hidden.append(HiddenPart("character", role.key, "season2", f"{role.name}: {season2}"))
        elif is_season_one_character(role) and not covers(level, "s2"):
            lines.append(f"**{season2}:** {marked_text(lang.t('no news yet.'), hidden=True)}")
            hidden.append(HiddenPart("character", role.key, "season2", f"{role.name}: {season2}"))
        else:
            lines.append(f"**{season2}:** {lang.t('no news yet.')}")
        name = lang.t(
            "As {name} ({seasons})",
            name=display_name(role.name, role.hangul, lang),
            seasons=seasons_line(role, level, lang, short=True),
        )
        fields.append(Field(name, "\n".join(lines)))
    for role in catalog.season2_roles_of(person.key):
        # That they play a Season 1 character from Season 2 on tells that character is back.
        name = lang.t("As {name} (from Season 2)", name=display_name(role.name, role.hangul, lang))
        if covers(level, "s2"):
            news = role.season2
            fields.append(
                Field(
                    name,
                    _with_provenance(role, "season2", news, level, lang) if news else lang.t("no news yet."),
                )
            )
        else:
            fields.append(Field(lang.t("A Season 2 role"), marked_text(name, hidden=True)))
            hidden.append(HiddenPart("character", role.key, "season2", lang.t("A Season 2 role")))
    if not fields:
        fields.append(Field(lang.t("Roles"), lang.t("No role recorded yet.")))
    return Drawn(
        card(
            title=display_name(person.name, person.hangul, lang),
            description=description,
            fields=fields,
            footer=footer_for(catalog, level, lang),
            lang=lang,
        ),
        hidden,
    )


def _release_line(season: Season, lang: Lang) -> str:
    if season.release is None:
        return lang.t("No date announced.")
    when = parse_release(season.release).render(lang)
    if season.release_fact is not None:
        when += f"\n{provenance(season.release_fact, lang)}"
    return when


def news_line(item: NewsItem, level: str, lang: Lang = ENGLISH) -> str:
    return f"**{item.date}** — {_with_provenance(item, '', item, level, lang)}"


def season_card(
    catalog: Catalog, season: Season, level: str, now: dt.datetime | None = None, lang: Lang = ENGLISH
) -> Drawn:
    hidden: list[HiddenPart] = []
    stage = lang.t(STAGE_WORDS[season.stage])
    release = parse_release(season.release) if season.release else None
    released = (
        release is not None
        and release.instant is not None
        and release.instant <= (now or discord.utils.utcnow())
    )
    if released and season.stage is not Stage.RELEASED:
        stage = lang.t(STAGE_WORDS[Stage.RELEASED])
    fields = [
        Field(lang.t("Stage"), f"{stage}\n{provenance(season.stage_fact, lang)}"),
        Field(lang.t("Release"), _release_line(season, lang)),
    ]
    for index, fact in enumerate(season.facts):
        path = f"facts[{index}]"
        if hidden_from(season, path, fact, level):
            # What a fact is about can tell as much as the fact: its label goes behind the spoiler with it.
            name = lang.t("Hidden fact {number}", number=index + 1)
            text = f"{label_text(fact, lang)}: {fact_text(fact, lang)}"
            fields.append(Field(name, with_provenance(text, fact, lang, hidden=True)))
            hidden.append(HiddenPart("season", str(season.number), f"fact{index}", name))
        else:
            fields.append(
                Field(escape(label_text(fact, lang)), _with_provenance(season, path, fact, level, lang))
            )
    timeline = [item for item in catalog.news if item.season == season.number]
    latest = timeline[-TIMELINE_ON_CARD:][::-1]
    if latest:
        fields.append(
            Field(lang.t("Latest news"), "\n".join(news_line(item, level, lang) for item in latest))
        )
        hidden += [
            HiddenPart("news", item.key, "text", lang.t("News of {date}", date=item.date))
            for item in latest
            if hidden_from(item, "", item, level)
        ]
    return Drawn(
        card(
            title=lang.t(
                "{show}: Season {number}", show=show_title(catalog.show, lang), number=season.number
            ),
            description=staleness_note(catalog, lang, now) or "",
            fields=fields,
            footer=footer_for(catalog, level, lang),
            lang=lang,
        ),
        hidden,
    )


def timeline_pages(
    catalog: Catalog, season_number: int, level: str, lang: Lang = ENGLISH
) -> list[discord.Embed]:
    """The whole timeline of a season, oldest first, a page per embed."""
    items = [item for item in catalog.news if item.season == season_number]
    pages: list[discord.Embed] = []
    chunks = [items[i : i + TIMELINE_PAGE] for i in range(0, len(items), TIMELINE_PAGE)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        lines = "\n\n".join(news_line(item, level, lang) for item in chunk) or lang.t("No news recorded yet.")
        pages.append(
            card(
                title=lang.t(
                    "Season {season} timeline ({page}/{pages})",
                    season=season_number,
                    page=number,
                    pages=len(chunks),
                ),
                description=lines,
                footer=footer_for(catalog, level, lang),
                lang=lang,
            )
        )
    return pages


def cast_pages(catalog: Catalog, lang: Lang = ENGLISH) -> list[discord.Embed]:
    """The whole cast, a page per embed. Names and roles only: no spoilers."""
    people = list(catalog.people)
    chunks = [people[i : i + CAST_PAGE] for i in range(0, len(people), CAST_PAGE)] or [[]]
    pages: list[discord.Embed] = []
    for number, chunk in enumerate(chunks, start=1):
        lines = []
        for person in chunk:
            roles = ", ".join(role.name for role in catalog.roles_of(person.key)) or (
                lang.t("a Season 2 role")
                if catalog.season2_roles_of(person.key)
                else lang.t("role not recorded")
            )
            hangul = f" ({escape(person.hangul)})" if person.hangul else ""
            lines.append(f"**{escape(person.name)}**{hangul} — {escape(roles)}")
        pages.append(
            card(
                title=lang.t(
                    "{show}: the cast ({page}/{pages})",
                    show=show_title(catalog.show, lang),
                    page=number,
                    pages=len(chunks),
                ),
                description="\n".join(lines) or lang.t("No cast recorded yet."),
                footer=lang.t(
                    "Data as of {date} · /cast name: for an actor's card", date=catalog.as_of.isoformat()
                ),
                lang=lang,
            )
        )
    return pages


def reveal_embed(
    catalog: Catalog, kind: str, key: str, part: str, lang: Lang = ENGLISH
) -> discord.Embed | None:
    """The plain text of one hidden part, for the fan who pressed Reveal; None if it no longer exists."""
    fact: Fact | None = None
    title = ""
    if kind == "character":
        character = catalog.character(key)
        if character is not None and part in PART_WORDS:
            fact = {"profile": character.profile, "fate": character.fate, "season2": character.season2}[part]
            title = f"{display_name(character.name, character.hangul, lang)}: {lang.t(PART_WORDS[part])}"
            casting = season2_casting(catalog, character, lang) if part == "season2" else None
            if fact is None and part == "season2":
                # Hidden alike whether there is news or not: revealed alike too.
                return card(
                    title=title, description=marked_text(casting or lang.t("No news yet.")), lang=lang
                )
            if casting and fact is not None:
                return card(
                    title=title,
                    description=f"{marked_text(casting)}\n{marked_text(fact_text(fact, lang))}\n{provenance(fact, lang)}",
                    lang=lang,
                )
    elif kind == "news":
        item = next((n for n in catalog.news if n.key == key), None)
        if item is not None:
            fact = item
            title = lang.t("Season {season} news, {date}", season=item.season, date=item.date)
    elif kind == "season" and key.isdigit() and part.startswith("fact") and part[4:].isdigit():
        season = catalog.season(int(key))
        index = int(part[4:])
        if season is not None and index < len(season.facts):
            fact = season.facts[index]
            title = (
                lang.t("Season {number}", number=season.number) + f": {label_text(season.facts[index], lang)}"
            )
    if fact is None:
        return None
    return card(
        title=title, description=f"{marked_text(fact_text(fact, lang))}\n{provenance(fact, lang)}", lang=lang
    )
