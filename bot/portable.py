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
import types
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate
from operator import itemgetter
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec

from bot.dates import FIRST_YEAR, LAST_YEAR, DateError, check_offset, check_rough_date, parse_release
from bot.i18n import N_, Message
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
from bot.rules import NAMES_LIMIT, NOTE_LIMIT, Problem, clean_text, has_invisible, state_problems

FORMAT = "aoad-server-data"
VERSION = 1
# What /manage import reads at most: a server's data is a few hundred kilobytes even with thousands of entries.
IMPORT_SIZE_LIMIT = 2 * 1024 * 1024
# An export nests lists and objects 7 deep (a season's fact's sources); a file nested deeper than this is
# refused before parsing, where it would exhaust Python's recursion ("[" * 5000).
NESTING_LIMIT = 32
# The longest number in an export is a season's (2 digits). Longer ones are not even read: Python refuses
# integers of over 4,300 digits, and reading one is slow long before that.
NUMBER_LIMIT = 20

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

# The problems said most often, made once.
_REPEATED = Message.of("the field appears more than once")
_UNKNOWN = Message.of("unknown field (check its spelling)")
_MISSING = Message.of("the required field is missing")


class _Object(dict[str, Any]):
    """A JSON object that had names twice (json keeps only the last value), and which names."""

    duplicates: Sequence[str] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    repeated = _Object(result)
    seen: set[str] = set()
    duplicates: list[str] = []
    for name, _ in pairs:
        if name in seen and name not in duplicates:
            duplicates.append(name)
        seen.add(name)
    repeated.duplicates = duplicates
    return repeated


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


class _LongNumber:
    """A number longer than NUMBER_LIMIT digits, left unread: the field it is in is told so."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _long_number(text: str) -> _LongNumber | None:
    digits = sum(map(str.isdigit, text))
    return _LongNumber(digits) if digits > NUMBER_LIMIT else None


def _int(text: str) -> int | _LongNumber:
    if len(text) <= NUMBER_LIMIT:
        return int(text)
    return _long_number(text) or int(text)


def _float(text: str) -> float | _LongNumber:
    if len(text) <= NUMBER_LIMIT:
        return float(text)
    return _long_number(text) or float(text)


def _long_number_problem(value: _LongNumber) -> Message:
    return Message.of(
        "is a number {digits} digits long; no number in a server data file has more than {limit}",
        digits=value.digits,
        limit=NUMBER_LIMIT,
    )


# Strings (whose brackets are text), and the brackets outside them.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_BRACKET_OR_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_DEPTH = {"[": 1, "{": 1, "]": -1, "}": -1}


def _too_deep(text: str) -> Problem | None:
    """Lists and objects nested more than NESTING_LIMIT deep, and where the first one too deep starts."""
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    if max(accumulate(map(_DEPTH.__getitem__, brackets)), default=0) <= NESTING_LIMIT:
        return None
    depth = 0
    for match in _BRACKET_OR_STRING.finditer(text):
        depth += _DEPTH.get(match.group()[0], 0)
        if depth > NESTING_LIMIT:
            offset = match.start()
            return Problem(
                Message.of(
                    "The file nests lists and objects more than {limit} levels deep (at line {line}, column "
                    "{column}); a file from `/manage export` never does.",
                    limit=NESTING_LIMIT,
                    line=text.count("\n", 0, offset) + 1,
                    column=offset - text.rfind("\n", 0, offset),
                )
            )
    return None  # unreachable: the same brackets outside strings, counted the same way


def decode_file(data: bytes) -> ServerData:
    """Read a file made by `encode_file` (or edited by hand): raise ImportProblems naming every problem.

    One pass finds them all: every field of every entry is checked against its type on its own (so an entry
    with three wrong fields gets three problems), then the values the types let through, then the references
    between the entries that could be read. Pure and thread-safe: it may run in a worker thread.
    """
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
    if (deep := _too_deep(text)) is not None:
        raise ImportProblems([deep])
    try:
        raw = json.loads(
            text, object_pairs_hook=_object, parse_constant=_no_constant, parse_int=_int, parse_float=_float
        )
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
    if (broken := _half_character(raw)) is not None:
        raise ImportProblems([broken])
    _check_format(raw)

    reader = _Reader()
    reader.header(raw)
    if "show" not in raw:
        reader.add(Problem(_MISSING, field="show"))
    else:
        reader.entry(raw["show"], "show", 0)
    for name, kind in LISTS:
        items = raw.get(name, [])
        if not isinstance(items, list):
            reader.add(Problem(Message.of("should be a list, [ … ]"), field=name))
            continue
        for index, item in enumerate(items):
            reader.entry(item, kind, index)
    reader.references()
    if reader.found:
        raise ImportProblems(reader.problems())

    entries = reader.readable
    exported_at = msgspec.convert(raw["exported_at"], type=dt.datetime)
    return ServerData(
        format=FORMAT,
        version=VERSION,
        # A time without a zone (a hand-edited file) is taken as UTC, as the bot writes it.
        exported_at=exported_at if exported_at.tzinfo else exported_at.replace(tzinfo=dt.UTC),
        guild_id=str(raw["guild_id"]),
        show=entries["show"][0],  # type: ignore[arg-type]
        people=tuple(entries["person"]),  # type: ignore[arg-type]
        characters=tuple(entries["character"]),  # type: ignore[arg-type]
        seasons=tuple(entries["season"]),  # type: ignore[arg-type]
        news=tuple(entries["news"]),  # type: ignore[arg-type]
    )


def _half_character(raw: dict[str, Any]) -> Problem | None:
    """A string (or a name) holding half of a character: JSON lets a file write "\\ud800" alone, which is no
    text anything can store or show."""
    stack: list[tuple[str, Any]] = [("", raw)]
    while stack:
        at, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((f"{at}.{key}" if at else str(key), key))
                stack.append((f"{at}.{key}" if at else str(key), item))
        elif isinstance(value, list):
            stack.extend((f"{at}[{index}]", item) for index, item in enumerate(value))
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                where = at.encode("utf-8", "replace").decode("utf-8")
                return Problem(
                    Message.of(
                        "The file holds half of a character (an escaped \\ud800 … without its pair) at “{field}”: "
                        "remove it.",
                        field=escape(truncate(where, 80)),
                    )
                )
    return None


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
    if isinstance(version, _LongNumber):
        raise ImportProblems([Problem(_long_number_problem(version), field="version")])
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
        ident = raw.get(_IDENT[kind])
        if isinstance(ident, str | int) and not isinstance(ident, bool):
            return _shown(ident)
    return f"#{index + 1}"


# The field that keys an entry: seasons are keyed by their number.
_IDENT: dict[str, str] = {kind: "number" if kind == "season" else "key" for kind in KIND_ORDER}


class _Reader:
    """One file being read: the problems found so far, where each is, and the entries that could be read.

    A problem's place is (the entry, or a problem of the file's own, in file order; the entry's field it is
    under, by its position in the entry; 0 for what the entry's own fields say, 1 for references), so problems
    found later (references, repeated keys) still read in file order.
    """

    def __init__(self) -> None:
        self.found: list[tuple[int, int, int, Problem]] = []
        self.places = 0
        # The entries that could be read, by kind; and for references, where each is in the file.
        self.readable: dict[str, list[Entry]] = {kind: [] for kind in KIND_ORDER}
        self.located: list[tuple[int, str, dict[str, Any], Entry]] = []
        # The (kind, key) of the entries that cannot be read, and the keys taken so far.
        self.present: set[tuple[str, str]] = set()
        self.keys: dict[str, set[str]] = {kind: set() for kind in KIND_ORDER}
        self.paths: dict[str, str] = {}
        self.words: dict[tuple[str, str], tuple[str, Message]] = {}

    def place(self) -> int:
        self.places += 1
        return self.places

    def add(self, problem: Problem, place: int | None = None, position: int = 0, tier: int = 0) -> None:
        self.found.append((self.place() if place is None else place, position, tier, problem))

    def problems(self) -> list[Problem]:
        return [problem for *_, problem in sorted(self.found, key=itemgetter(0, 1, 2))]

    def path(self, path: str) -> str:
        shown = self.paths.get(path)
        if shown is None:
            shown = self.paths[path] = escape(path)
        return shown

    def said(self, path: str, what: Message | str) -> tuple[str, Message]:
        """What was found at `path`, in words (msgspec's errors once for each text and path)."""
        if isinstance(what, Message):
            return self.path(path), what
        words = self.words.get((what, path))
        if words is None:
            at, message = _from_validation(what, path)
            words = self.words[(what, path)] = (self.path(at), message)
        return words

    def header(self, raw: dict[str, Any]) -> None:
        for name in getattr(raw, "duplicates", ()):
            self.add(Problem(_REPEATED, field=_field_path(name)))
        for name in raw:
            if name not in _FILE_FIELDS:
                self.add(Problem(_UNKNOWN, field=_field_path(name)))
        for name, node in _HEADER.items():
            if name not in raw:
                self.add(Problem(_MISSING, field=self.path(name)))
                continue
            found: _Found = []
            node.check(raw[name], name, 0, found, False)
            for _, path, what in found:
                field, message = self.said(path, what)
                self.add(Problem(message, field=field))

    def entry(self, item: Any, kind: EntryKind, index: int) -> None:
        place = self.place()
        if not isinstance(item, dict):
            self.add(
                Problem(Message.of("should be an object, { … }"), kind, _label(item, kind, index)), place
            )
            return
        # The whole entry at once first: most entries are clean, and then every field is known to be.
        entry: Entry | None = None
        refused = ""
        try:
            entry = msgspec.convert(item, type=ENTRY_TYPES[kind])
        except msgspec.ValidationError as exc:
            refused = str(exc)
        found: _Found = []
        _ENTRIES[kind].check(item, "", -1, found, entry is not None)
        if entry is None and not found:  # a check the fields' types do not say (a __post_init__)
            found.append((0, "", refused))
        ident_field = _IDENT[kind]
        key: str | None = None
        if entry is not None:
            key = entry_key(entry)
        else:
            ident = item.get(ident_field)
            if isinstance(ident, str | int) and not isinstance(ident, bool):
                # It cannot be read, but it is there: naming it is not a problem of its own.
                self.present.add((kind, str(ident)))
                if all(path != ident_field or what is _REPEATED for _, path, what in found):
                    key = str(ident)
        keys = self.keys[kind]
        repeated = key in keys
        if repeated:
            found.append(
                (
                    list(item).index(ident_field),
                    ident_field,
                    Message.of("another entry of this kind has the same key; keys must be unique"),
                )
            )
        elif key is not None:
            keys.add(key)
        if entry is not None and not repeated:
            self.readable[kind].append(entry)
            self.located.append((place, kind, item, entry))
        if found:
            label = _label(item, kind, index)
            for position, path, what in found:
                field, message = self.said(path, what)
                self.add(Problem(message, kind, label, field), place, position)

    def references(self) -> None:
        # Every rule about the data, on the file as a whole (bot.rules: the same as for every other change).
        present: dict[str, set[str]] = {}
        for kind, key in self.present:
            present.setdefault(kind, set()).add(key)
        problems = state_problems((entry for *_, entry in self.located), present=present)
        if not problems:
            return
        # Each problem goes with its entry, after what the entry's own fields say.
        kinds = {problem.kind for problem in problems}
        where: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        for place, kind, item, entry in self.located:
            if kind in kinds:
                where.setdefault((kind, _shown(entry_key(entry))), (place, item))
        for problem in problems:
            found = where.get((problem.kind or "", problem.key or ""))
            if found is None:
                self.add(problem)
                continue
            place, item = found
            name = re.split(r"[.\[]", (problem.field or "").replace("\\", ""), maxsplit=1)[0]
            position = list(item).index(name) if name in item else len(item)
            self.add(problem, place, position, tier=1)


# -- import: checking each field against its type --------------------------------------------------------------

# What checking one entry finds: (the entry's field it is under, by position; the path; what is wrong, or
# msgspec's error, to be put in words).
_Found = list[tuple[int, str, Message | str]]
# A check of a value the type lets through, and of a whole list (whose problems may be at one of its items).
_ValueCheck = Callable[[Any], Iterator[Message]]
_ListCheck = Callable[[list[Any], str], Iterator[tuple[str, Message]]]


class _Node:
    """How to check a value against the type its field declares, and what the type alone lets through.

    `check` adds what is wrong to `found` and says whether the value has its type. A `trusted` value is one
    msgspec already converted (as part of its whole entry): only the value checks are left to do.
    """

    __slots__ = ("nullable", "type")

    def __init__(self, type_: Any, nullable: bool) -> None:
        self.type = type_
        self.nullable = nullable

    def check(self, value: Any, at: str, position: int, found: _Found, trusted: bool) -> bool:
        raise NotImplementedError

    def wrong(self, value: Any, at: str, position: int, found: _Found, error: str | None = None) -> bool:
        """The value does not have the type: msgspec's `error` (found here if not given), or what the reading
        left unread."""
        if isinstance(value, _LongNumber):
            found.append((position, at, _long_number_problem(value)))
            return False
        if error is None:
            try:
                msgspec.convert(value, type=self.type)
            except msgspec.ValidationError as exc:
                error = str(exc)
            else:  # unreachable: only called for values msgspec refuses
                found.append((position, at, Message.of(N_("does not have the expected form"))))
                return False
        if isinstance(value, str) and error.startswith("Invalid RFC3339") and _INSTANT.fullmatch(value):
            # The form of a date and time, but not one that ever was: 30 February, 25 o'clock.
            found.append((position, at, _unreal_instant(value)))
        else:
            found.append((position, at, error))
        return False


class _Leaf(_Node):
    """Text, a number, a choice or a date and time: msgspec converts it on its own."""

    __slots__ = ("extra", "text")

    def __init__(self, type_: Any, nullable: bool, *, text: bool, extra: _ValueCheck | None) -> None:
        super().__init__(type_, nullable)
        self.text = text
        self.extra = extra

    def check(self, value: Any, at: str, position: int, found: _Found, trusted: bool) -> bool:
        if value is None and self.nullable:
            return True
        if not trusted:
            try:
                msgspec.convert(value, type=self.type)
            except msgspec.ValidationError as exc:
                return self.wrong(value, at, position, found, str(exc))
        # Nearly all text is plain printable ASCII: then there is nothing to look at character by character.
        if self.text and not (value.isascii() and value.isprintable() and value.strip()):
            found.extend((position, at, what) for what in _text_problems(value))
        if self.extra is not None:
            found.extend((position, at, what) for what in self.extra(value))
        return True


class _List(_Node):
    """A list (a tuple in the model): its length, each item, then what is checked of the whole list."""

    __slots__ = ("extra", "item", "max_length", "min_length")

    def __init__(
        self,
        type_: Any,
        nullable: bool,
        item: _Node,
        *,
        min_length: int,
        max_length: int | None,
        extra: _ListCheck | None,
    ) -> None:
        super().__init__(type_, nullable)
        self.item = item
        self.min_length = min_length
        self.max_length = max_length
        self.extra = extra

    def check(self, value: Any, at: str, position: int, found: _Found, trusted: bool) -> bool:
        if value is None and self.nullable:
            return True
        if not isinstance(value, list):
            return self.wrong(value, at, position, found)
        ok = True
        if len(value) < self.min_length:
            found.append((position, at, Message.of("needs at least one item")))
            ok = False
        if self.max_length is not None and len(value) > self.max_length:
            found.append(
                (position, at, Message.of("has too many items: at most {limit}", limit=self.max_length))
            )
            ok = False
        item = self.item
        for index, element in enumerate(value):
            if not item.check(element, f"{at}[{index}]", position, found, trusted):
                ok = False
        if ok and self.extra is not None:
            found.extend((position, path, what) for path, what in self.extra(value, at))
        return ok


class _Struct(_Node):
    """An object: each field it has, in file order (repeated, unknown or checked), then those it lacks."""

    __slots__ = ("fields", "forbid_unknown", "required")

    def __init__(
        self,
        type_: Any,
        nullable: bool,
        fields: dict[str, _Node],
        required: list[str],
        *,
        forbid_unknown: bool,
    ) -> None:
        super().__init__(type_, nullable)
        self.fields = fields
        self.required = required
        self.forbid_unknown = forbid_unknown

    def check(self, value: Any, at: str, position: int, found: _Found, trusted: bool) -> bool:
        """`position` -1: this is the entry itself, and each of its fields is its own position."""
        if value is None and self.nullable:
            return True
        if not isinstance(value, dict):
            return self.wrong(value, at, position, found)
        ok = True
        fields = self.fields
        duplicates = getattr(value, "duplicates", ())
        top = position < 0
        for index, (name, element) in enumerate(value.items()):
            here = f"{at}.{name}" if at else name
            where = index if top else position
            if duplicates and name in duplicates:
                found.append((where, here, _REPEATED))
            node = fields.get(name)
            if node is None:
                if self.forbid_unknown:
                    found.append((where, here, _UNKNOWN))
                    ok = False
            elif not node.check(element, here, where, found, trusted):
                ok = False
        if not trusted:
            for name in self.required:
                if name not in value:
                    found.append((len(value) if top else position, f"{at}.{name}" if at else name, _MISSING))
                    ok = False
        return ok


def _text_problems(value: str) -> Iterator[Message]:
    """What the moderator forms refuse in any text and the types let through: blank or invisible text."""
    if not clean_text(value):
        yield Message.of("can't be empty or only spaces")
    elif has_invisible(value, emoji=True):
        yield Message.of("contains control or invisible characters")


def _note_problems(value: str) -> Iterator[Message]:
    if len(value) > NOTE_LIMIT:
        yield Message.of(
            "is {length} characters long; it can be at most {limit}.", length=len(value), limit=NOTE_LIMIT
        )


def _date_problems(value: str) -> Iterator[Message]:
    try:
        check_rough_date(value)
    except DateError as exc:
        yield _date_error(exc)


def _release_problems(value: str) -> Iterator[Message]:
    try:
        instant = parse_release(value).instant
        if instant is not None:
            check_offset(instant.utcoffset() or dt.timedelta(), value[-6:])
    except DateError as exc:
        yield _date_error(exc)
        return
    except ValueError:
        # An instant of the right form that never was (parse_release leaves that to datetime).
        yield _unreal_instant(value)
        return
    year = int(re.findall(r"\d{4}", value)[0])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        yield Message.of(
            "A release date must fall between {first} and {last}, not in {year}.",
            first=FIRST_YEAR,
            last=LAST_YEAR,
            year=year,
        )


# What msgspec reads as a date and time (RFC 3339), by its form alone.
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?", re.ASCII)


def _unreal_instant(value: str) -> Message:
    return Message.of("{value} is not a real date and time.", value=_shown(value))


def _date_error(exc: DateError) -> Message:
    return Message(exc.template, {k: _shown(v) for k, v in exc.values.items()})


def _names_problems(value: list[Any], at: str) -> Iterator[tuple[str, Message]]:
    if len(value) > NAMES_LIMIT:
        yield at, Message.of("{count} names; keep it to {limit}.", count=len(value), limit=NAMES_LIMIT)
    if len(set(value)) != len(value):
        yield at, Message.of("a name is listed twice")


def _seasons_problems(value: list[Any], at: str) -> Iterator[tuple[str, Message]]:
    if not value:
        yield at, Message.of("needs at least one season")
    for index, number in enumerate(value):
        if not 1 <= number <= 99:
            yield f"{at}[{index}]", Message.of("a season number runs from 1 to 99")


# What the moderator forms refuse and the types alone let through, by field name: unreal dates, too many
# names, long notes.
_VALUE_CHECKS: dict[str, _ValueCheck] = {
    "note": _note_problems,
    "published": _date_problems,
    "date": _date_problems,
    "release": _release_problems,
}
_LIST_CHECKS: dict[str, _ListCheck] = {
    "aliases": _names_problems,
    "variants": _names_problems,
    "seasons": _seasons_problems,
}


def _compile(type_: Any, name: str | None, tables: dict[type, tuple[dict[str, _Node], list[str]]]) -> _Node:
    """The checks of a field's type (as msgspec.structs.fields gives it, with its constraints)."""
    full, nullable = type_, False
    if get_origin(type_) in (Union, types.UnionType):
        others = [arg for arg in get_args(type_) if arg is not type(None)]
        if len(others) != 1:
            return _Leaf(full, False, text=False, extra=None)
        nullable, type_ = len(others) < len(get_args(type_)), others[0]
    metas: tuple[Any, ...] = ()
    if get_origin(type_) is Annotated:
        type_, *rest = get_args(type_)
        metas = tuple(rest)
    if isinstance(type_, type) and issubclass(type_, msgspec.Struct):
        if type_ not in tables:
            # Made before its fields are, so that a struct reached again while they are made shares them.
            fields: dict[str, _Node] = {}
            required: list[str] = []
            tables[type_] = (fields, required)
            info = msgspec.structs.fields(type_)
            fields.update({f.encode_name: _compile(f.type, f.encode_name, tables) for f in info})
            required += [f.encode_name for f in info if f.required]
        forbid = type_.__struct_config__.forbid_unknown_fields
        return _Struct(full, nullable, *tables[type_], forbid_unknown=forbid)
    args = get_args(type_)
    if get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis:
        lengths = [meta for meta in metas if isinstance(meta, msgspec.Meta)]
        return _List(
            full,
            nullable,
            _compile(args[0], None, tables),
            min_length=max((m.min_length or 0 for m in lengths), default=0),
            max_length=min((m.max_length for m in lengths if m.max_length is not None), default=None),
            extra=_LIST_CHECKS.get(name or ""),
        )
    return _Leaf(full, nullable, text=type_ is str, extra=_VALUE_CHECKS.get(name or ""))


def _compile_all() -> tuple[dict[str, _Node], dict[str, _Struct]]:
    tables: dict[type, tuple[dict[str, _Node], list[str]]] = {}
    header = {
        f.encode_name: _compile(f.type, f.encode_name, tables)
        for f in msgspec.structs.fields(ServerData)
        if f.encode_name in ("format", "version", "exported_at", "guild_id")
    }
    entries = {}
    for kind, cls in ENTRY_TYPES.items():
        node = _compile(cls, None, tables)
        assert isinstance(node, _Struct)
        entries[kind] = node
    return header, entries


# Built once, when the module is imported, and only read afterwards.
_HEADER, _ENTRIES = _compile_all()
_FILE_FIELDS = frozenset(ServerData.__struct_fields__)


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
    "season2_actor": N_(
        "is not a key: lower-case letters and digits joined by single hyphens, like choi-nam-ra"
    ),
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


def _from_validation(message: str, at: str) -> tuple[str, Message]:
    """msgspec's refusal of the value at `at` (its ValidationError's text), in words: (the path of what is
    wrong, what)."""
    path = at
    if (match := _AT.search(message)) is not None:
        inner = match.group("path").lstrip("$").lstrip(".")
        if inner:
            path = f"{at}{inner}" if not at or inner.startswith("[") else f"{at}.{inner}"
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
    return path, what


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
