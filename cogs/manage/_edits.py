"""Turning what moderators type into validated entries, and describing a change in words.

Everything here is pure: it takes text and entries and returns entries, or raises UserFacingError with a
message that says exactly what to fix.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast as typing_cast

import msgspec

from bot.cards import STAGE_WORDS, label_text
from bot.dates import DateError, check_rough_date, parse_release
from bot.errors import UserFacingError
from bot.i18n import ENGLISH, N_, Lang, Message
from bot.models import (
    SPOILER_ORDER,
    Character,
    Confidence,
    Entry,
    Fact,
    LabelledFact,
    NewsItem,
    Person,
    Season,
    Season2Role,
    Season2Status,
    Source,
    SpoilerLevel,
    Stage,
    entry_key,
    entry_kind,
)
from bot.moderation_store import Change
from bot.render import escape, provenance

NAME_LIMIT = 100
TEXT_LIMIT = 1000
SOURCES_LIMIT = 10
URL_LIMIT = 512
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_DATE = re.compile(r"\b(\d{4}(?:-\d{2}(?:-\d{2})?)?)\b")
# Anything that looks like a link (a scheme, or "www."), so that "javascript:…" is refused, not kept as a name.
_ANY_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.\-]*:(?!\s)\S+|www\.\S+)$")
_KEY_CHARS = re.compile(r"[^a-z0-9]+")

CONFIDENCES: tuple[Confidence, ...] = ("confirmed", "reported", "unconfirmed")
SPOILERS: tuple[SpoilerLevel, ...] = ("none", "s1", "s2")


@dataclass
class PendingEdit:
    """A change a moderator has asked for, not yet saved: what the preview shows and Post/Save commit."""

    guild_id: int
    changes: list[Change]
    title: str
    body: str
    # Typo fixes should not ping anyone: edits that merely correct default to "Save without announcing".
    announce_by_default: bool = True
    reverts: int | None = None
    # Said to the moderator in the preview, in their language.
    notes: list[Message] = field(default_factory=list)
    # The title in English, for the revision history (the title itself is in the server's language).
    summary: str = ""
    # All the changes as one revision, undone as a whole (an import, or undoing one).
    batch: bool = False
    # Save only if no entry of the server changed since this snapshot state (see Store.snapshot).
    expected_state: str | None = None
    # A bulk restore announces nothing: the preview offers Apply instead of Post and Save.
    quiet: bool = False


def clean(text: str | None, what: str, limit: int, *, required: bool = True) -> str | None:
    """Trimmed text within `limit` characters, without control or invisible characters; None when empty and
    not required."""
    value = unicodedata.normalize("NFC", text or "")
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
    if not value:
        if required:
            raise UserFacingError("{what} can't be empty.", what=Message.of(what))
        return None
    if len(value) > limit:
        raise UserFacingError(
            "{what} is {length} characters long; it can be at most {limit}.",
            what=Message.of(what),
            length=len(value),
            limit=limit,
        )
    return value


def check_url(url: str) -> str:
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if sep:
        url = f"{scheme.lower()}://{rest}"
    if len(url) > URL_LIMIT:
        raise UserFacingError(
            "That link is {length} characters long; it can be at most {limit}.",
            length=len(url),
            limit=URL_LIMIT,
        )
    if not _URL.match(url):
        raise UserFacingError(
            "“{url}” is not a web link: sources must start with http:// or https://.", url=escape(url[:80])
        )
    return url


def parse_source(line: str) -> Source:
    """One source: a link, a publication and date ("deadline.com, 2025-07-23"), or both, comma-separated."""
    url = None
    rest: list[str] = []
    # The link first, whole: links may contain commas, and never spaces.
    for token in line.split():
        candidate = token.strip(",;")
        if url is None and _ANY_URL.match(candidate):
            url = check_url("https://" + candidate if candidate.lower().startswith("www.") else candidate)
        else:
            rest.append(token)
    published = None
    names: list[str] = []
    for part in (p.strip() for p in " ".join(rest).split(",")):
        if not part:
            continue
        if (match := _DATE.fullmatch(part)) is not None:
            try:
                published = check_rough_date(match.group(1))
            except DateError as exc:
                raise UserFacingError(
                    "In the source “{source}”: {problem}",
                    source=escape(line[:80]),
                    problem=Message(exc.template, exc.values),
                ) from None
        else:
            names.append(part)
    name = ", ".join(names)
    if not name and url:
        name = re.sub(r"^www\.", "", url.split("://", 1)[1].split("/", 1)[0])
    checked = clean(name, N_("A source's name"), NAME_LIMIT)
    try:
        return msgspec.convert({"name": checked, "published": published, "url": url}, type=Source)
    except msgspec.ValidationError as exc:
        raise UserFacingError(
            "I couldn't use the source “{source}”: {problem}.", source=escape(line[:80]), problem=str(exc)
        ) from None


def parse_sources(text: str | None, *, required: bool = True) -> tuple[Source, ...]:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        if required:
            raise UserFacingError("Every fact needs at least one source: a link, or a publication and date.")
        return ()
    if len(lines) > SOURCES_LIMIT:
        raise UserFacingError(
            "That is {count} sources; a fact can keep at most {limit}.", count=len(lines), limit=SOURCES_LIMIT
        )
    return tuple(parse_source(line) for line in lines)


def source_line(source: Source) -> str:
    return ", ".join(part for part in (source.name, source.published, source.url) if part)


def sources_text(sources: Sequence[Source]) -> str:
    return "\n".join(source_line(source) for source in sources)


def parse_choice(value: str | None, allowed: Sequence[str], what: str, default: str | None = None) -> str:
    text = (value or "").strip().lower()
    if not text and default is not None:
        return default
    if text not in allowed:
        raise UserFacingError(
            "{what} must be one of: {allowed} (not “{value}”).",
            what=Message.of(what),
            allowed=", ".join(allowed),
            value=escape(text[:40]),
        )
    return text


def make_fact(
    text: str | None, confidence: str | None, sources: str | None, spoiler: str | None, *, what: str
) -> Fact:
    body = clean(text, what, TEXT_LIMIT)
    return Fact(
        text=typing_cast(str, body),
        confidence=typing_cast(Confidence, parse_choice(confidence, CONFIDENCES, N_("Confidence"))),
        sources=parse_sources(sources),
        spoiler=typing_cast(SpoilerLevel, parse_choice(spoiler, SPOILERS, N_("Spoiler level"), "none")),
    )


def names_list(text: str | None, what: str) -> tuple[str, ...]:
    """Comma- or line-separated names (aliases, spellings), cleaned, in order, without repeats."""
    values = [
        typing_cast(str, clean(v, N_("Each name"), NAME_LIMIT))
        for v in re.split(r"[,\n]", text or "")
        if clean(v, what, NAME_LIMIT * 10, required=False)
    ]
    if len(values) > 25:
        raise UserFacingError(
            "That is {count} {what}; keep it to 25.", count=len(values), what=Message.of(what)
        )
    return tuple(dict.fromkeys(values))


def new_key(name: str, taken: set[str]) -> str:
    """A stable key for a new entry from its name: "Ma-ru" → "ma-ru", made unique."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = _KEY_CHARS.sub("-", ascii_name.lower()).strip("-")[:50].strip("-") or "entry"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def fact_block(fact: Fact, lang: Lang = ENGLISH) -> str:
    """A fact as an announcement shows it: behind a spoiler tag if it is one, with confidence and sources."""
    text = escape(lang.pick(fact.text, fact.text_ko) or fact.text)
    shown = text if SPOILER_ORDER[fact.spoiler] == 0 else f"||{text}||"
    return f"{shown}\n{provenance(fact, lang)}"


def label_of(entry: Entry, lang: Lang = ENGLISH) -> str:
    if isinstance(entry, Season):
        return lang.t("Season {number}", number=entry.number)
    if isinstance(entry, NewsItem):
        return lang.t("Season {season} news of {date}", season=entry.season, date=entry.date)
    if isinstance(entry, Character | Person):
        return entry.name
    return entry.title


def ref(entry: Entry) -> str:
    """How the history names an entry: "character:choi-nam-ra"."""
    return f"{entry_kind(entry)}:{entry_key(entry)}"


def stage_words(stage: Stage, lang: Lang = ENGLISH) -> str:
    """ "post-production", "in production": as a sentence says it."""
    words = lang.t(STAGE_WORDS[stage])
    return words.lower() if lang.code == "en" else words


def changed_parts(before: Entry, after: Entry) -> list[str]:
    """The top-level fields that differ, in field order."""
    return [
        name
        for name in type(after).__struct_fields__
        if getattr(before, name, None) != getattr(after, name, None)
    ]


PART_NAMES = {
    "profile": N_("who they are"),
    "fate": N_("Season 1 fate"),
    "season2": N_("Season 2"),
    "hangul": N_("Hangul name"),
    "aliases": N_("aliases"),
    "variants": N_("spellings"),
    "actor": N_("actor"),
    "name": N_("name"),
    "seasons": N_("seasons"),
    "stage": N_("stage"),
    "stage_fact": N_("about the stage"),
    "release": N_("release date"),
    "release_fact": N_("about the release date"),
    "facts": N_("facts"),
    "text": N_("text"),
    "text_ko": N_("Korean text"),
    "date": N_("date"),
    "confidence": N_("confidence"),
    "sources": N_("sources"),
    "spoiler": N_("spoiler level"),
    "title": N_("title"),
    "title_ko": N_("Korean title"),
    "streaming_service": N_("streaming service"),
}


def part_name(part: str, lang: Lang) -> str:
    return lang.t(PART_NAMES[part]) if part in PART_NAMES else part


def describe_update(before: Entry, after: Entry, lang: Lang = ENGLISH) -> tuple[str, str]:
    """A title and body for an edited entry. Spoiler facts stay behind tags; the title names parts only."""
    parts = changed_parts(before, after)
    title = lang.t(
        "Updated: {name} ({parts})",
        name=label_of(after, lang),
        parts=", ".join(part_name(p, lang) for p in parts),
    )
    lines = []
    for part in parts:
        value = getattr(after, part)
        heading = part_name(part, lang)
        heading = heading[:1].upper() + heading[1:]
        if isinstance(value, Fact):
            lines.append(f"**{heading}:** {fact_block(value, lang)}")
        elif value is None:
            lines.append(f"**{heading}:** {lang.t('removed')}")
        elif isinstance(value, tuple):
            shown = ", ".join(label_text(v, lang) if isinstance(v, LabelledFact) else str(v) for v in value)
            lines.append(f"**{heading}:** {escape(shown) or '—'}")
        elif isinstance(value, Stage):
            lines.append(f"**{heading}:** {stage_words(value, lang)}")
        elif part == "release" and isinstance(value, str):
            lines.append(f"**{heading}:** {parse_release(value).words(lang)}")
        else:
            lines.append(f"**{heading}:** {escape(str(value))}")
    return title, "\n".join(lines) or lang.t("No visible change.")


def season2_role(status: str | None, fact: Fact) -> Season2Role:
    chosen = parse_choice(status, [s.value for s in Season2Status], N_("Season 2 status"))
    return Season2Role(
        text=fact.text,
        confidence=fact.confidence,
        sources=fact.sources,
        spoiler=fact.spoiler,
        status=Season2Status(chosen),
    )


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()
