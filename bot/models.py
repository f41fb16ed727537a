"""The show's data as typed, immutable objects.

These are the shapes of the bundled pack's entries and of each server's copy of them in the store. Every
fact a fan can read carries its confidence, its sources and its spoiler level, so provenance and spoiler
protection travel with the data instead of being bolted on when a card is drawn.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

import msgspec

Confidence = Literal["confirmed", "reported", "unconfirmed"]

# How far a fan has watched, in order: a fact is shown plainly to fans at or above its level.
SpoilerLevel = Literal["none", "s1", "s2"]
SPOILER_ORDER: dict[str, int] = {"none": 0, "s1": 1, "s2": 2}

Key = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=1, max_length=64)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
# A date as precise as it is known: "2026", "2026-02" or "2026-02-18".
Url = Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=512)]
RoughDate = Annotated[str, msgspec.Meta(pattern=r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")]

# A release date as precise as it is known (see bot.dates): an instant, a day, a month, a year or part of one.
ReleaseText = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z))?)?)?|(early|mid|late) \d{4})$"
    ),
]

_ROUGH_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class Stage(StrEnum):
    """Where a season is in its life, in order."""

    ANNOUNCED = "announced"
    IN_PRODUCTION = "in-production"
    FILMING = "filming"
    POST_PRODUCTION = "post-production"
    RELEASE_DATE_SET = "release-date-set"
    RELEASED = "released"


class Season2Status(StrEnum):
    """A character's or actor's place in Season 2."""

    RETURNING = "returning"
    NEW = "new"
    NOT_RETURNING = "not-returning"


class Model(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every stored shape: immutable, and a misspelt field is an error rather than a silent default."""


class Source(Model, frozen=True, kw_only=True):
    """Where a fact was reported. `url` is set only when the exact article is known."""

    name: Name
    published: RoughDate | None = None
    url: Url | None = None
    note: str | None = None

    def label(self) -> str:
        return f"{self.name}, {self.published}" if self.published else self.name


class Fact(Model, frozen=True, kw_only=True):
    """One statement with its provenance and the spoiler level it reveals. A fact without a source is not
    a fact this bot will state."""

    text: ShortText
    confidence: Confidence
    sources: Annotated[tuple[Source, ...], msgspec.Meta(min_length=1, max_length=10)]
    spoiler: SpoilerLevel = "none"
    # The same statement in Korean, where someone wrote it; readers in Korean see English otherwise.
    text_ko: ShortText | None = None


class LabelledFact(Fact, frozen=True, kw_only=True):
    label: Name
    label_ko: Name | None = None


class Season2Role(Fact, frozen=True, kw_only=True):
    """A character's Season 2 news: `text` says it in words, `status` says it for code."""

    status: Season2Status


class Character(Model, frozen=True, kw_only=True):
    key: Key
    name: Name
    hangul: Name | None = None
    aliases: tuple[Name, ...] = ()
    # Who played them in the first season they appear in.
    actor: Key | None = None
    # A Season 1 character played by someone new in Season 2: their casting is Season 2 news (`rules`).
    season2_actor: Key | None = None
    seasons: tuple[int, ...] = (1,)
    profile: Fact
    fate: Fact | None = None
    season2: Season2Role | None = None


class Person(Model, frozen=True, kw_only=True):
    """A cast member. Their roles are the characters whose `actor` names them."""

    key: Key
    name: Name
    hangul: Name | None = None
    variants: tuple[Name, ...] = ()


class Season(Model, frozen=True, kw_only=True):
    number: Annotated[int, msgspec.Meta(ge=1, le=99)]
    stage: Stage
    stage_fact: Fact
    # The premiere as precise as it was announced (see bot.dates), or None: never a guess.
    release: ReleaseText | None = None
    release_fact: Fact | None = None
    facts: tuple[LabelledFact, ...] = ()


class NewsItem(Fact, frozen=True, kw_only=True):
    """A dated entry on a season's timeline."""

    key: Key
    season: Annotated[int, msgspec.Meta(ge=1, le=99)]
    date: RoughDate


class Show(Model, frozen=True, kw_only=True):
    key: Key
    title: Name
    title_ko: Name | None = None
    streaming_service: Name
    facts: tuple[LabelledFact, ...] = ()


EntryKind = Literal["show", "person", "character", "season", "news"]
Entry = Show | Person | Character | Season | NewsItem

ENTRY_TYPES: dict[str, type[Entry]] = {
    "show": Show,
    "person": Person,
    "character": Character,
    "season": Season,
    "news": NewsItem,
}


def entry_key(entry: Entry) -> str:
    """The key an entry is stored under: seasons are keyed by their number."""
    if isinstance(entry, Season):
        return str(entry.number)
    return entry.key


def entry_kind(entry: Entry) -> EntryKind:
    for kind, cls in ENTRY_TYPES.items():
        if type(entry) is cls:
            return kind  # type: ignore[return-value]
    raise TypeError(f"not an entry: {type(entry).__name__}")


def rough_date_sort_key(value: str) -> tuple[int, int, int]:
    """Order rough dates so that "2026-02" sorts after "2026-01-31" and before "2026-02-01"."""
    match = _ROUGH_DATE.match(value)
    if match is None:
        raise ValueError(f"not a date: {value!r}")
    year, month, day = match.groups()
    return int(year), int(month or 0), int(day or 0)


def covers(viewer_level: str, fact_level: str) -> bool:
    """Whether a fan who has watched up to `viewer_level` may see a fact of `fact_level` plainly."""
    return SPOILER_ORDER[viewer_level] >= SPOILER_ORDER[fact_level]
