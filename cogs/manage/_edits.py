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

from bot.cards import STAGE_WORDS
from bot.dates import DateError, check_rough_date
from bot.errors import UserFacingError
from bot.models import (
    SPOILER_ORDER,
    Character,
    Confidence,
    Entry,
    Fact,
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
    notes: list[str] = field(default_factory=list)


def clean(text: str | None, what: str, limit: int, *, required: bool = True) -> str | None:
    """Trimmed text within `limit` characters, without control or invisible characters; None when empty and
    not required."""
    value = unicodedata.normalize("NFC", text or "")
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
    if not value:
        if required:
            raise UserFacingError(f"{what} can't be empty.")
        return None
    if len(value) > limit:
        raise UserFacingError(f"{what} is {len(value)} characters long; it can be at most {limit}.")
    return value


def check_url(url: str) -> str:
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if sep:
        url = f"{scheme.lower()}://{rest}"
    if len(url) > URL_LIMIT:
        raise UserFacingError(f"That link is {len(url)} characters long; it can be at most {URL_LIMIT}.")
    if not _URL.match(url):
        raise UserFacingError(
            f"“{escape(url[:80])}” is not a web link: sources must start with http:// or https://."
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
                raise UserFacingError(f"In the source “{escape(line[:80])}”: {exc}") from None
        else:
            names.append(part)
    name = ", ".join(names)
    if not name and url:
        name = re.sub(r"^www\.", "", url.split("://", 1)[1].split("/", 1)[0])
    checked = clean(name, "A source's name", NAME_LIMIT)
    try:
        return msgspec.convert({"name": checked, "published": published, "url": url}, type=Source)
    except msgspec.ValidationError as exc:
        raise UserFacingError(f"I couldn't use the source “{escape(line[:80])}”: {exc}.") from None


def parse_sources(text: str | None, *, required: bool = True) -> tuple[Source, ...]:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        if required:
            raise UserFacingError("Every fact needs at least one source: a link, or a publication and date.")
        return ()
    if len(lines) > SOURCES_LIMIT:
        raise UserFacingError(f"That is {len(lines)} sources; a fact can keep at most {SOURCES_LIMIT}.")
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
        raise UserFacingError(f"{what} must be one of: {', '.join(allowed)} (not “{escape(text[:40])}”).")
    return text


def make_fact(
    text: str | None, confidence: str | None, sources: str | None, spoiler: str | None, *, what: str
) -> Fact:
    body = clean(text, what, TEXT_LIMIT)
    return Fact(
        text=typing_cast(str, body),
        confidence=typing_cast(Confidence, parse_choice(confidence, CONFIDENCES, "Confidence")),
        sources=parse_sources(sources),
        spoiler=typing_cast(SpoilerLevel, parse_choice(spoiler, SPOILERS, "Spoiler level", "none")),
    )


def names_list(text: str | None, what: str) -> tuple[str, ...]:
    values = [
        typing_cast(str, clean(v, f"Each of the {what}", NAME_LIMIT))
        for v in re.split(r"[,\n]", text or "")
        if clean(v, what, NAME_LIMIT * 10, required=False)
    ]
    if len(values) > 25:
        raise UserFacingError(f"That is {len(values)} {what}; keep it to 25.")
    return tuple(dict.fromkeys(values))


def new_key(name: str, taken: set[str]) -> str:
    """A stable key for a new entry from its name: "Ma-ru" → "ma-ru", made unique."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = _KEY_CHARS.sub("-", ascii_name.lower()).strip("-")[:50].strip("-") or "entry"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def fact_block(fact: Fact) -> str:
    """A fact as an announcement shows it: behind a spoiler tag if it is one, with confidence and sources."""
    text = escape(fact.text)
    shown = text if SPOILER_ORDER[fact.spoiler] == 0 else f"||{text}||"
    return f"{shown}\n{provenance(fact)}"


def label_of(entry: Entry) -> str:
    if isinstance(entry, Season):
        return f"Season {entry.number}"
    if isinstance(entry, NewsItem):
        return f"Season {entry.season} news of {entry.date}"
    if isinstance(entry, Character | Person):
        return entry.name
    return entry.title


def ref(entry: Entry) -> str:
    """How the history names an entry: "character:choi-nam-ra"."""
    return f"{entry_kind(entry)}:{entry_key(entry)}"


def stage_words(stage: Stage) -> str:
    """ "post-production", "in production": as a sentence says it."""
    return STAGE_WORDS[stage].lower()


def changed_parts(before: Entry, after: Entry) -> list[str]:
    """The top-level fields that differ, in field order."""
    return [
        name
        for name in type(after).__struct_fields__
        if getattr(before, name, None) != getattr(after, name, None)
    ]


def describe_update(before: Entry, after: Entry) -> tuple[str, str]:
    """A title and body for an edited entry."""
    parts = changed_parts(before, after)
    words = {
        "profile": "who they are",
        "fate": "Season 1 fate",
        "season2": "Season 2",
        "hangul": "Hangul name",
        "aliases": "aliases",
        "variants": "spellings",
        "actor": "actor",
        "name": "name",
        "seasons": "seasons",
        "stage": "stage",
        "stage_fact": "about the stage",
        "release": "release date",
        "release_fact": "about the release date",
        "facts": "facts",
        "text": "text",
        "date": "date",
        "confidence": "confidence",
        "sources": "sources",
        "spoiler": "spoiler level",
        "title": "title",
        "title_ko": "Korean title",
        "streaming_service": "streaming service",
    }
    title = f"Updated: {label_of(after)} ({', '.join(words.get(p, p) for p in parts)})"
    lines = []
    for part in parts:
        value = getattr(after, part)
        if isinstance(value, Fact):
            lines.append(f"**{words.get(part, part).capitalize()}:** {fact_block(value)}")
        elif value is None:
            lines.append(f"**{words.get(part, part).capitalize()}:** removed")
        elif isinstance(value, tuple):
            lines.append(
                f"**{words.get(part, part).capitalize()}:** {escape(', '.join(map(str, value))) or '—'}"
            )
        else:
            lines.append(f"**{words.get(part, part).capitalize()}:** {escape(str(value))}")
    return title, "\n".join(lines) or "No visible change."


def season2_role(status: str | None, fact: Fact) -> Season2Role:
    chosen = parse_choice(status, [s.value for s in Season2Status], "Season 2 status")
    return Season2Role(
        text=fact.text,
        confidence=fact.confidence,
        sources=fact.sources,
        spoiler=fact.spoiler,
        status=Season2Status(chosen),
    )


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()
