"""A server's data as one JSON file: written by /manage export, read back (strictly) by /manage import.

The file holds every entry the store keeps for a server, each exactly as stored (sources, confidence,
spoiler levels and Korean texts inline), under a format name and version. Reading one checks everything the
pack loader and the moderator forms check, and collects every problem with where it is (entry and field),
so a moderator fixes the file in one go. Everything here is pure: bytes in, entries or problems out.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec

from bot.dates import FIRST_YEAR, LAST_YEAR, DateError, check_rough_date, parse_release
from bot.i18n import N_, Lang, Message
from bot.models import (
    ENTRY_TYPES,
    Character,
    Entry,
    EntryKind,
    NewsItem,
    Person,
    Season,
    Season2Status,
    Show,
    Stage,
    entry_key,
)
from bot.moderation_store import Change, DataSnapshot
from bot.render import escape, truncate

FORMAT = "aoad-server-data"
VERSION = 1
# What /manage import reads at most: a server's data is a few hundred kilobytes even with thousands of entries.
IMPORT_SIZE_LIMIT = 2 * 1024 * 1024
NAMES_LIMIT = 25
NOTE_LIMIT = 1000

GuildId = Annotated[str, msgspec.Meta(pattern=r"^\d{1,20}$")]

# The file's lists, in the order they are written, and the kind of entry each holds.
LISTS: tuple[tuple[str, EntryKind], ...] = (
    ("people", "person"),
    ("characters", "character"),
    ("seasons", "season"),
    ("news", "news"),
)
KIND_ORDER: tuple[EntryKind, ...] = ("show", "person", "character", "season", "news")


class ServerData(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The file: what it is, when and where it was made, and the entries."""

    format: str
    version: int
    exported_at: dt.datetime
    guild_id: GuildId
    show: Show
    people: tuple[Person, ...] = ()
    characters: tuple[Character, ...] = ()
    seasons: tuple[Season, ...] = ()
    news: tuple[NewsItem, ...] = ()

    def entries(self) -> Iterator[tuple[EntryKind, str, Entry]]:
        yield "show", entry_key(self.show), self.show
        for name, kind in LISTS:
            for entry in getattr(self, name):
                yield kind, entry_key(entry), entry


# -- export ------------------------------------------------------------------------------------------------


def export_data(
    snapshot: DataSnapshot, guild_id: int, *, fallback_show: Show, now: dt.datetime
) -> ServerData:
    """The server's live entries, each list in the order the bot shows them."""
    by_kind: dict[str, list[Entry]] = {kind: [] for kind in KIND_ORDER}
    for stored in snapshot.entries:
        by_kind[stored.kind].append(stored.entry)
    shows = by_kind["show"]
    return ServerData(
        format=FORMAT,
        version=VERSION,
        exported_at=now.astimezone(dt.UTC).replace(microsecond=0),
        guild_id=str(guild_id),
        # Every server is seeded with the show; the bot answers from the pack's should a server lack it.
        show=shows[0] if shows else fallback_show,  # type: ignore[arg-type]
        people=tuple(by_kind["person"]),  # type: ignore[arg-type]
        characters=tuple(by_kind["character"]),  # type: ignore[arg-type]
        seasons=tuple(by_kind["season"]),  # type: ignore[arg-type]
        news=tuple(by_kind["news"]),  # type: ignore[arg-type]
    )


def encode_file(data: ServerData) -> bytes:
    """UTF-8 JSON, two-space indented, fields in a fixed order: stable to diff and pleasant to edit by hand."""
    return msgspec.json.format(msgspec.json.encode(data), indent=2) + b"\n"


# -- import: problems ----------------------------------------------------------------------------------------

_KIND_LABELS: dict[str, str] = {
    "show": N_("the show “{key}”"),
    "person": N_("cast member “{key}”"),
    "character": N_("character “{key}”"),
    "season": N_("season “{key}”"),
    "news": N_("news “{key}”"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, and where: an entry (kind and key) and a field path, when known."""

    what: Message
    kind: str | None = None
    key: str | None = None
    field: str | None = None

    def render(self, lang: Lang) -> str:
        what = self.what.render(lang)
        if self.kind is None:
            return (
                what if self.field is None else lang.t("`{field}`: {problem}", field=self.field, problem=what)
            )
        entry = lang.t(_KIND_LABELS[self.kind], key=self.key)
        if self.field is None:
            return lang.t("{entry}: {problem}", entry=entry, problem=what)
        return lang.t("{entry}, field `{field}`: {problem}", entry=entry, field=self.field, problem=what)


class ImportProblems(Exception):
    """The file cannot be imported; `problems` says everything that is wrong with it, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


def _shown(value: object, limit: int = 60) -> str:
    return escape(truncate(str(value), limit))


def _field_path(path: str) -> str:
    return escape(path.lstrip("$").lstrip("."))


# -- import: reading -----------------------------------------------------------------------------------------


class _Object(dict[str, Any]):
    """A JSON object that remembers the names it saw twice (json keeps only the last value)."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object()
    result.duplicates = []
    for name, value in pairs:
        if name in result:
            result.duplicates.append(name)
        result[name] = value
    return result


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def decode_file(data: bytes) -> ServerData:
    """Read a file made by `encode_file` (or edited by hand): raise ImportProblems naming every problem."""
    if len(data) > IMPORT_SIZE_LIMIT:
        raise ImportProblems(
            [
                Problem(
                    Message.of(
                        "The file is {size} KiB; it can be at most {limit} KiB.",
                        size=len(data) // 1024,
                        limit=IMPORT_SIZE_LIMIT // 1024,
                    )
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblems(
            [
                Problem(
                    Message.of("The file is not UTF-8 text (byte {offset} cannot be read).", offset=exc.start)
                )
            ]
        ) from None
    try:
        raw = json.loads(text, object_pairs_hook=_object, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ImportProblems(
            [
                Problem(
                    Message.of(
                        "The file is not valid JSON: {error} at line {line}, column {column}.",
                        error=escape(exc.msg),
                        line=exc.lineno,
                        column=exc.colno,
                    )
                )
            ]
        ) from None
    except ValueError:
        raise ImportProblems(
            [Problem(Message.of("The file is not valid JSON: NaN and Infinity are not numbers JSON allows."))]
        ) from None
    if not isinstance(raw, dict):
        raise ImportProblems([Problem(Message.of("The file must hold one JSON object, { … }."))])
    _check_format(raw)

    problems = [
        Problem(Message.of("the field appears more than once"), field=_field_path(name))
        for name in getattr(raw, "duplicates", [])
    ]
    known = set(ServerData.__struct_fields__)
    problems += [
        Problem(Message.of("unknown field (check its spelling)"), field=_field_path(name))
        for name in raw
        if name not in known
    ]
    header = {name: raw.get(name) for name in ("format", "version", "exported_at", "guild_id") if name in raw}
    try:
        msgspec.convert(header, type=_Header)
    except msgspec.ValidationError as exc:
        problems.append(_from_validation(exc, None, None))

    converted: dict[str, list[Entry]] = {}
    if "show" not in raw:
        problems.append(Problem(Message.of("the required field is missing"), field="show"))
    else:
        converted["show"] = _convert_list([raw["show"]], "show", problems)
    for name, kind in LISTS:
        items = raw.get(name, [])
        if not isinstance(items, list):
            problems.append(Problem(Message.of("should be a list, [ … ]"), field=name))
            continue
        converted[name] = _convert_list(items, kind, problems)
    if problems:
        raise ImportProblems(problems)

    result = ServerData(
        format=FORMAT,
        version=VERSION,
        exported_at=msgspec.convert(raw["exported_at"], type=dt.datetime),
        guild_id=str(raw["guild_id"]),
        show=converted["show"][0],  # type: ignore[arg-type]
        people=tuple(converted["people"]),  # type: ignore[arg-type]
        characters=tuple(converted["characters"]),  # type: ignore[arg-type]
        seasons=tuple(converted["seasons"]),  # type: ignore[arg-type]
        news=tuple(converted["news"]),  # type: ignore[arg-type]
    )
    problems = _check_whole(result)
    if problems:
        raise ImportProblems(problems)
    return result


class _Header(msgspec.Struct, frozen=True, kw_only=True):
    format: str
    version: int
    exported_at: dt.datetime
    guild_id: GuildId


def _check_format(raw: dict[str, Any]) -> None:
    """A file of another kind, or of another version of this one, gets one clear sentence, not a hundred."""
    if raw.get("format") != FORMAT:
        raise ImportProblems(
            [
                Problem(
                    Message.of(
                        "This is not a server data file from `/manage export`: its “format” should be “{format}”.",
                        format=FORMAT,
                    )
                )
            ]
        )
    version = raw.get("version")
    if version != VERSION or isinstance(version, bool):
        raise ImportProblems(
            [
                Problem(
                    Message.of(
                        "This file is format version {found}, and this bot reads version {version}. Export the "
                        "data again with this bot's `/manage export`.",
                        found=_shown(version, 20),
                        version=VERSION,
                    )
                )
            ]
        )


def _label(raw: object, kind: str, index: int) -> str:
    if isinstance(raw, dict):
        ident = raw.get("number" if kind == "season" else "key")
        if isinstance(ident, str | int) and not isinstance(ident, bool):
            return _shown(ident)
    return f"#{index + 1}"


def _convert_list(items: list[Any], kind: EntryKind, problems: list[Problem]) -> list[Entry]:
    entries: list[Entry] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        key = _label(item, kind, index)
        if not isinstance(item, dict):
            problems.append(Problem(Message.of("should be an object, { … }"), kind, key))
            continue
        found = _duplicated_fields(item, "")
        problems += [
            Problem(Message.of("the field appears more than once"), kind, key, escape(path)) for path in found
        ]
        try:
            entry = msgspec.convert(item, type=ENTRY_TYPES[kind])
        except msgspec.ValidationError as exc:
            problems.append(_from_validation(exc, kind, key))
            continue
        ident = entry_key(entry)
        if ident in seen:
            problems.append(
                Problem(
                    Message.of("another entry of this kind has the same key; keys must be unique"),
                    kind,
                    key,
                    "number" if kind == "season" else "key",
                )
            )
            continue
        seen.add(ident)
        before = len(problems)
        problems += [Problem(what, kind, key, escape(path)) for path, what in _check_values(item, "")]
        if len(problems) == before:
            entries.append(entry)
    return entries


def _duplicated_fields(value: Any, at: str) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        found += [f"{at}.{name}" if at else name for name in getattr(value, "duplicates", [])]
        for name, item in value.items():
            found += _duplicated_fields(item, f"{at}.{name}" if at else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _duplicated_fields(item, f"{at}[{index}]")
    return found


def _invisible(text: str) -> bool:
    return any(ch not in "\n\t" and unicodedata.category(ch)[0] == "C" for ch in text)


def _check_values(value: Any, at: str) -> Iterator[tuple[str, Message]]:
    """What the moderator forms refuse and the types alone let through: blank or invisible text, unreal
    dates, too many names, long notes."""
    name = at.rsplit(".", 1)[-1]
    if isinstance(value, dict):
        for field, item in value.items():
            yield from _check_values(item, f"{at}.{field}" if at else field)
        return
    if isinstance(value, list):
        if name in ("aliases", "variants") and len(value) > NAMES_LIMIT:
            yield at, Message.of("{count} names; keep it to {limit}.", count=len(value), limit=NAMES_LIMIT)
        if name in ("aliases", "variants") and len(set(value)) != len(value):
            yield at, Message.of("a name is listed twice")
        if name == "seasons" and not value:
            yield at, Message.of("needs at least one season")
        for index, item in enumerate(value):
            if name == "seasons" and not 1 <= item <= 99:
                yield f"{at}[{index}]", Message.of("a season number runs from 1 to 99")
            yield from _check_values(item, f"{at}[{index}]")
        return
    if not isinstance(value, str):
        return
    if not value.strip():
        yield at, Message.of("can't be empty or only spaces")
    elif _invisible(value):
        yield at, Message.of("contains control or invisible characters")
    if name == "note" and len(value) > NOTE_LIMIT:
        yield (
            at,
            Message.of(
                "is {length} characters long; it can be at most {limit}.", length=len(value), limit=NOTE_LIMIT
            ),
        )
    try:
        if name in ("published", "date"):
            check_rough_date(value)
        elif name == "release":
            parse_release(value)
            year = int(re.findall(r"\d{4}", value)[0])
            if not FIRST_YEAR <= year <= LAST_YEAR:
                yield (
                    at,
                    Message.of(
                        "A release date must fall between {first} and {last}, not in {year}.",
                        first=FIRST_YEAR,
                        last=LAST_YEAR,
                        year=year,
                    ),
                )
    except DateError as exc:
        yield at, Message(exc.template, {k: _shown(v) for k, v in exc.values.items()})


def _check_whole(data: ServerData) -> list[Problem]:
    return reference_problems(entry for _, _, entry in data.entries())


def reference_problems(
    entries: Iterable[Entry], *, present_keys: Iterable[tuple[str, str]] = ()
) -> list[Problem]:
    """What no single entry shows: references between entries, and the spoiler rule the forms enforce.

    `present_keys` are the (kind, key) pairs of entries that exist without being in `entries`: a file's
    entries too broken to read are still there, and naming one is not a problem of its own.
    """
    entries = list(entries)
    problems: list[Problem] = []
    present = set(present_keys)
    people = {e.key for e in entries if isinstance(e, Person)}
    people |= {key for kind, key in present if kind == "person"}
    seasons = {str(e.number) for e in entries if isinstance(e, Season)}
    seasons |= {key for kind, key in present if kind == "season"}
    for character in (e for e in entries if isinstance(e, Character)):
        if character.actor is not None and character.actor not in people:
            problems.append(
                Problem(
                    Message.of("no cast member has the key “{key}”", key=_shown(character.actor)),
                    "character",
                    _shown(character.key),
                    "actor",
                )
            )
        if character.fate is not None and character.fate.spoiler == "none":
            problems.append(
                Problem(
                    Message.of("a Season 1 fate is a spoiler: set its spoiler level to s1 (or s2)"),
                    "character",
                    _shown(character.key),
                    "fate.spoiler",
                )
            )
    for item in (e for e in entries if isinstance(e, NewsItem)):
        if str(item.season) not in seasons:
            problems.append(
                Problem(
                    Message.of("there is no season {number}", number=item.season),
                    "news",
                    _shown(item.key),
                    "season",
                )
            )
    return problems


# -- import: msgspec's errors in words ----------------------------------------------------------------------

_AT = re.compile(r" - at `(?P<path>[^`]*)`$")
_TYPE_WORDS = {
    "str": N_("text"),
    "int": N_("a whole number"),
    "float": N_("a number"),
    "bool": N_("true or false"),
    "array": N_("a list"),
    "object": N_("an object"),
    "null": N_("null"),
    "datetime": N_("a date and time"),
}
_ALLOWED = {
    "confidence": "confirmed, reported, unconfirmed",
    "spoiler": "none, s1, s2",
    "stage": ", ".join(stage.value for stage in Stage),
    "status": ", ".join(status.value for status in Season2Status),
}
_FORMS = {
    "key": N_("is not a key: lower-case letters and digits joined by single hyphens, like choi-nam-ra"),
    "actor": N_("is not a key: lower-case letters and digits joined by single hyphens, like choi-nam-ra"),
    "url": N_("is not a web link: it must start with http:// or https://"),
    "published": N_("is not a date: use 2026-11-20, or 2026-11 if only the month is known"),
    "date": N_("is not a date: use 2026-11-20, or 2026-11 if only the month is known"),
    "release": N_(
        "is not a release date: use 2026-12-05, 2026-12-05T17:00:00+09:00, 2026-12, 2026 or late 2026"
    ),
    "guild_id": N_("is not a server id (digits only)"),
}


def _type_words(spec: str) -> Message:
    """ "str | null" → "text or null", in the reader's language."""
    words = [Message.of(_TYPE_WORDS.get(part.strip(), part.strip())) for part in spec.split("|")]
    result = words[-1]
    for word in reversed(words[:-1]):
        result = Message.of("{first} or {second}", first=word, second=result)
    return result


def _from_validation(exc: msgspec.ValidationError, kind: str | None, key: str | None) -> Problem:
    message = str(exc)
    path = ""
    if (match := _AT.search(message)) is not None:
        path = match.group("path").lstrip("$").lstrip(".")
        message = message[: match.start()]
    name = re.sub(r"\[\d+\]$", "", path).rsplit(".", 1)[-1]
    what: Message
    if (m := re.fullmatch(r"Object contains unknown field `(.+)`", message)) is not None:
        path = f"{path}.{m[1]}" if path else m[1]
        what = Message.of("unknown field (check its spelling)")
    elif (m := re.fullmatch(r"Object missing required field `(.+)`", message)) is not None:
        path = f"{path}.{m[1]}" if path else m[1]
        what = Message.of("the required field is missing")
    elif (m := re.fullmatch(r"Invalid enum value (.+)", message)) is not None:
        what = Message.of(
            "{value} is not one of: {allowed}",
            value=_shown(m[1].strip("'\"")),
            allowed=_ALLOWED.get(name, "?"),
        )
    elif (m := re.fullmatch(r"Expected `(str|array)` of length <= (\d+)", message)) is not None:
        what = (
            Message.of("is too long: at most {limit} characters", limit=int(m[2]))
            if m[1] == "str"
            else Message.of("has too many items: at most {limit}", limit=int(m[2]))
        )
    elif (m := re.fullmatch(r"Expected `(str|array)` of length >= (\d+)", message)) is not None:
        what = Message.of("can't be empty") if m[1] == "str" else Message.of("needs at least one item")
    elif re.fullmatch(r"Expected `str` matching regex .*", message) is not None:
        what = Message.of(_FORMS.get(name, N_("does not have the expected form")))
    elif (m := re.fullmatch(r"Expected `int` (>=|<=) (-?\d+)", message)) is not None:
        what = (
            Message.of("must be at least {limit}", limit=int(m[2]))
            if m[1] == ">="
            else Message.of("must be at most {limit}", limit=int(m[2]))
        )
    elif (m := re.fullmatch(r"Expected `([^`]+)`, got `([^`]+)`", message)) is not None:
        what = Message.of(
            "should be {expected}, not {found}", expected=_type_words(m[1]), found=_type_words(m[2])
        )
    elif message.startswith("Invalid RFC3339") or message.startswith("Expected `datetime`"):
        what = Message.of("is not a date and time like 2026-11-20T09:00:00Z")
    else:
        what = Message.of("{problem}", problem=escape(message))
    return Problem(what, kind, key, _field_path(path) or None)


# -- import: what would change -------------------------------------------------------------------------------


def plan_import(snapshot: DataSnapshot, data: ServerData) -> list[Change]:
    """The changes that make the server's data exactly the file's: additions and changes in file order
    (new entries are shown after the server's own, in that order), then removals."""
    current = {(stored.kind, stored.key): stored for stored in snapshot.entries}
    changes: list[Change] = []
    for kind, key, entry in data.entries():
        stored = current.pop((kind, key), None)
        if stored is None:
            changes.append(Change(kind, key, None, entry, None))
        elif stored.entry != entry:
            changes.append(Change(kind, key, stored.entry, entry, stored.version))
    for left in current.values():
        changes.append(Change(left.kind, left.key, left.entry, None, left.version))
    return changes
