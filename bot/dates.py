"""Release dates as precise as they are known, and the dates moderators type.

A release date is stored as text in one of these forms, and shown as exactly what is known:
- an instant: "2026-12-05T17:00:00+09:00", shown as a timestamp with a live countdown;
- a day: "2026-12-05", shown as a date (no time zone is known, so no countdown that could be a day off);
- a month, a year, or part of a year: "2026-12", "2026", "late 2026" (also "early", "mid"): shown as words.
Only an instant ever gets a countdown.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import discord

from bot.i18n import ENGLISH, Lang
from bot.models import rough_date_sort_key

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# ASCII digits only: Python's \d also matches other scripts' digits ("٢٠٢٧"), which no date is stored in.
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)$", re.ASCII)
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_YEAR = re.compile(r"^(\d{4})$", re.ASCII)
_PART = re.compile(r"^(early|mid|late) (\d{4})$", re.ASCII)

# What moderators type: a date, optionally a time and a time zone (an offset or a zone name).
_TYPED = re.compile(
    r"^(?P<date>\d{4}-\d{1,2}-\d{1,2})(?:[ T](?P<time>\d{1,2}:\d{2})(?::\d{2})?(?:\s*(?P<zone>[A-Za-z_/+\-:0-9]+))?)?$",
    re.ASCII,
)
# Release dates of this century only: older zones' local mean time has offsets in seconds, and the ends of
# Python's calendar overflow when converted.
FIRST_YEAR, LAST_YEAR = 2000, 2099
_KOREAN_PARTS = {"early": "초", "mid": "중반", "late": "말"}
_ZONE_ALIASES = {"KST": "Asia/Seoul", "UTC": "UTC", "GMT": "UTC", "Z": "UTC"}
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$", re.ASCII)


class DateError(ValueError):
    """A date a moderator typed that cannot be used; the message (a catalogue text) says what to type."""

    def __init__(self, template: str, /, **values: Any) -> None:
        super().__init__(template.format(**values))
        self.template = template
        self.values = values


@dataclass(frozen=True)
class ReleaseDate:
    text: str
    instant: dt.datetime | None = None
    day: dt.date | None = None

    @property
    def exact(self) -> bool:
        return self.instant is not None

    def words(self, lang: Lang = ENGLISH) -> str:
        """The date in words, exactly as precise as it is known."""
        korean = lang.code == "ko"
        if self.instant is not None:
            moment = self.instant
            offset = moment.strftime("%z")
            zone = "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
            if korean:
                return f"{moment.year}년 {moment.month}월 {moment.day}일 {moment:%H:%M} ({zone})"
            return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M} ({zone})"
        if self.day is not None:
            if korean:
                return f"{self.day.year}년 {self.day.month}월 {self.day.day}일"
            return f"{self.day.day} {MONTHS[self.day.month - 1]} {self.day.year}"
        if (match := _MONTH.match(self.text)) is not None:
            if korean:
                return f"{match.group(1)}년 {int(match.group(2))}월"
            return f"{MONTHS[int(match.group(2)) - 1]} {match.group(1)}"
        if (match := _PART.match(self.text)) is not None:
            if korean:
                return f"{match.group(2)}년 {_KOREAN_PARTS[match.group(1)]}"
            return f"{match.group(1).capitalize()} {match.group(2)}"
        return f"{self.text}년" if korean else self.text

    def render(self, lang: Lang = ENGLISH, now: dt.datetime | None = None) -> str:
        """For a card: a timestamp and countdown for an instant, words for anything less precise."""
        if self.instant is not None:
            return (
                f"{discord.utils.format_dt(self.instant, 'F')} ({discord.utils.format_dt(self.instant, 'R')})"
            )
        if self.day is not None:
            if self.day < (now or dt.datetime.now(dt.UTC)).date():
                # Out already: the hour it came out no longer matters to anyone.
                return self.words(lang)
            return lang.t("{date} (time not announced)", date=self.words(lang))
        return lang.t("{date} (no exact date announced)", date=self.words(lang))


def is_release_text(text: str) -> bool:
    return any(p.match(text) for p in (_INSTANT, _DAY, _MONTH, _YEAR, _PART))


def parse_release(text: str) -> ReleaseDate:
    """Read a stored release date. Raises DateError for text that is none of the stored forms."""
    if _INSTANT.match(text):
        return ReleaseDate(text, instant=dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    if (match := _DAY.match(text)) is not None:
        try:
            return ReleaseDate(text, day=dt.date(int(match[1]), int(match[2]), int(match[3])))
        except ValueError as exc:
            raise DateError("{value} is not a real date.", value=text) from exc
    if (match := _MONTH.match(text)) is not None and 1 <= int(match[2]) <= 12:
        return ReleaseDate(text)
    if _YEAR.match(text) or _PART.match(text):
        return ReleaseDate(text)
    raise DateError("“{value}” is not a release date.", value=text)


def _zone(name: str) -> dt.tzinfo:
    name = name.strip()
    alias = _ZONE_ALIASES.get(name.upper())
    if alias is not None:
        return ZoneInfo(alias)
    if (match := _OFFSET.match(name)) is not None:
        sign = 1 if match[1] == "+" else -1
        hours, minutes = int(match[2]), int(match[3] or 0)
        offset = sign * dt.timedelta(hours=hours, minutes=minutes)
        if minutes > 59:
            raise DateError("{value} is not a time-zone offset (they run from -12:00 to +14:00).", value=name)
        check_offset(offset, name)
        return dt.timezone(offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        # OSError: a region name such as "Asia" is a folder of the time-zone database, not a zone.
        raise DateError(
            "I don't know the time zone “{value}”. Use an offset like +09:00, or a name like Asia/Seoul or KST.",
            value=name,
        ) from exc


def check_offset(offset: dt.timedelta, shown: str) -> None:
    """Time zones on Earth run from -12:00 to +14:00: an instant said with another offset is a typo."""
    if not -dt.timedelta(hours=12) <= offset <= dt.timedelta(hours=14):
        raise DateError("{value} is not a time-zone offset (they run from -12:00 to +14:00).", value=shown)


def typed(text: str) -> str:
    """What a moderator typed, with full-width digits and letters ("２０２７-０３") made plain (NFKC)."""
    return unicodedata.normalize("NFKC", text).strip()


def check_rough_date(text: str) -> str:
    """A typed date as precise as it is known ("2026", "2026-02", "2026-02-18"): real, and of this century."""
    value = typed(text)
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value, re.ASCII)
    if match is None:
        raise DateError(
            "“{value}” is not a date: use 2026-11-20, or 2026-11 if only the month is known.",
            value=value[:20],
        )
    year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateError(
            "A date must fall between {first} and {last}, not in {year}.",
            first=FIRST_YEAR,
            last=LAST_YEAR,
            year=year,
        )
    try:
        dt.date(year, month, day)
    except ValueError:
        raise DateError("{value} is not a real date.", value=value) from None
    return "-".join([match[1], *(part.zfill(2) for part in (match[2], match[3]) if part)])


def parse_typed_release(text: str) -> ReleaseDate:
    """Read what a moderator typed: "2026-12-05", or "2026-12-05 17:00 KST" / "… +09:00" / "… Asia/Seoul".

    A time needs a time zone, since a time without one is a different moment for every reader. Rough
    dates ("2026-12", "2026", "late 2026") are accepted as they are.
    """
    value = " ".join(typed(text).split())
    lowered = value.lower()
    if _MONTH.match(value) or _YEAR.match(value):
        return parse_release(check_rough_date(value))
    if (part := _PART.match(lowered)) is not None:
        check_rough_date(part.group(2))
        return parse_release(lowered)
    match = _TYPED.match(value)
    if match is None:
        raise DateError(
            "I couldn't read “{value}” as a date. Type a date like 2026-12-05, a date and time with a time "
            "zone like 2026-12-05 17:00 KST, or a rough date like 2026-12, 2026 or late 2026.",
            value=value[:40],
        )
    try:
        day = dt.date.fromisoformat("-".join(part.zfill(2) for part in match["date"].split("-")))
    except ValueError as exc:
        raise DateError("{value} is not a real date.", value=match["date"]) from exc
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DateError(
            "A release date must fall between {first} and {last}, not in {year}.",
            first=FIRST_YEAR,
            last=LAST_YEAR,
            year=day.year,
        )
    if match["time"] is None:
        return ReleaseDate(day.isoformat(), day=day)
    if match["zone"] is None:
        raise DateError("Add a time zone to the time, like 2026-12-05 17:00 KST or 2026-12-05 17:00 +09:00.")
    try:
        clock = dt.time.fromisoformat(match["time"].zfill(5))
    except ValueError as exc:
        raise DateError("{value} is not a time of day.", value=match["time"]) from exc
    instant = dt.datetime.combine(day, clock, tzinfo=_zone(match["zone"]))
    # Store the offset in force at that moment, so the text alone says the instant.
    fixed = instant.astimezone(dt.timezone(instant.utcoffset() or dt.timedelta()))
    return ReleaseDate(fixed.isoformat(), instant=fixed)


# A calendar day is under way somewhere on Earth from its midnight at UTC+14 (Kiribati), and over everywhere
# at its end at UTC-12 (Baker Island): a date is not "to come" once it has begun somewhere, and is certainly
# past once it is over everywhere, whatever the reader's or the moderator's time zone.
_EARLIEST_ZONE = dt.timezone(dt.timedelta(hours=14))
_LATEST_ZONE = dt.timezone(dt.timedelta(hours=-12))


def first_day(rough: str) -> dt.date:
    """The first day a rough date ("2026", "2026-07", "2026-07-23") can mean; ValueError if it is no date."""
    year, month, day = rough_date_sort_key(rough)
    return dt.date(year, month or 1, day or 1)


def day_has_begun(day: dt.date, now: dt.datetime | None = None) -> bool:
    """Whether `day` has begun anywhere on Earth."""
    return (now or dt.datetime.now(dt.UTC)) >= dt.datetime.combine(day, dt.time(), _EARLIEST_ZONE)


def day_is_over(day: dt.date, now: dt.datetime | None = None) -> bool:
    """Whether `day` has ended everywhere on Earth."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), _LATEST_ZONE)
    return (now or dt.datetime.now(dt.UTC)) >= end
