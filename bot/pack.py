"""The bundled data pack: TOML files in `data/pack/`, validated into typed entries on load.

A pack names its sources once (in `pack.toml`) and its facts refer to them by id, so one article cited by
twenty facts is written once. Loading resolves those ids, checks every field's type and bounds and every
cross-reference, and fails with a message naming the file, the entry and the field: a broken pack must stop
start-up before it can reach a single server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from bot.i18n import ENGLISH
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
    Source,
    Stage,
    entry_key,
)
from bot.rules import state_problems

# Which file holds which kind of entry, and the TOML array that lists them.
_ENTRY_FILES: dict[EntryKind, tuple[str, str]] = {
    "show": ("show.toml", "show"),
    "person": ("cast.toml", "person"),
    "character": ("characters.toml", "character"),
    "season": ("seasons.toml", "season"),
    "news": ("news.toml", "news"),
}

# What a field with a fixed set of values accepts, to say so when a value is not one of them.
_ALLOWED_VALUES = {
    "confidence": "confirmed, reported, unconfirmed",
    "spoiler": "none, s1, s2",
    "stage": ", ".join(stage.value for stage in Stage),
    "status": ", ".join(status.value for status in Season2Status),
}

_PATH_IN_ERROR = re.compile(r" - at `\$(?P<path>[^`]*)`$")


class PackError(Exception):
    """A pack that cannot be used, with where the problem is."""

    def __init__(self, file: Path | str, problem: str, *, entry: str | None = None, field: str | None = None):
        self.file = str(file)
        self.entry = entry
        self.field = field
        self.problem = problem
        where = self.file
        if entry is not None:
            where += f": {entry}"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}")


class PackMeta(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    title: str
    as_of: dt.date
    sources: dict[str, Source]


@dataclass(frozen=True)
class Pack:
    """A validated pack: its metadata and its entries by kind, in file order."""

    meta: PackMeta
    show: Show
    people: tuple[Person, ...]
    characters: tuple[Character, ...]
    seasons: tuple[Season, ...]
    news: tuple[NewsItem, ...]
    digest: str = field(compare=False)

    def entries(self) -> Iterator[tuple[EntryKind, str, Entry]]:
        yield "show", entry_key(self.show), self.show
        for kind, items in (
            ("person", self.people),
            ("character", self.characters),
            ("season", self.seasons),
            ("news", self.news),
        ):
            for item in items:
                yield kind, entry_key(item), item  # type: ignore[misc]


def encode_entry(entry: Entry) -> bytes:
    """The canonical JSON of an entry: what the store keeps and what its hash is taken of."""
    return msgspec.json.encode(entry, order="sorted")


def entry_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_entry(kind: str, data: bytes | str) -> Entry:
    return msgspec.json.decode(data, type=ENTRY_TYPES[kind])


def load_pack(directory: Path) -> Pack:
    """Read and validate the pack in `directory`; raise PackError on the first problem."""
    meta_file = directory / "pack.toml"
    raw_meta = _read_toml(meta_file)
    try:
        meta = msgspec.convert(raw_meta, type=PackMeta)
    except msgspec.ValidationError as exc:
        raise _validation_error(meta_file, None, exc) from None

    loaded: dict[EntryKind, list[Entry]] = {}
    for kind, (filename, table) in _ENTRY_FILES.items():
        path = directory / filename
        raw = _read_toml(path)
        items = raw.get(table, [])
        if not isinstance(items, list):
            raise PackError(path, f"expected [[{table}]] entries")
        loaded[kind] = [
            _convert_entry(path, kind, index, item, meta.sources) for index, item in enumerate(items)
        ]

    shows = loaded["show"]
    if len(shows) != 1:
        raise PackError(directory / "show.toml", f"expected exactly one [[show]] entry, found {len(shows)}")

    pack = Pack(
        meta=meta,
        show=shows[0],  # type: ignore[arg-type]
        people=tuple(loaded["person"]),  # type: ignore[arg-type]
        characters=tuple(loaded["character"]),  # type: ignore[arg-type]
        seasons=tuple(loaded["season"]),  # type: ignore[arg-type]
        news=tuple(loaded["news"]),  # type: ignore[arg-type]
        digest="",
    )
    _check_references(directory, pack)
    digest = hashlib.sha256(msgspec.json.encode([meta.id, str(meta.as_of)]))
    for kind, key, entry in pack.entries():
        digest.update(f"{kind}:{key}:".encode())
        digest.update(encode_entry(entry))
    return Pack(
        meta=pack.meta,
        show=pack.show,
        people=pack.people,
        characters=pack.characters,
        seasons=pack.seasons,
        news=pack.news,
        digest=digest.hexdigest(),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise PackError(path, "file is missing") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PackError(path, f"not valid TOML (UTF-8): {exc}") from None
    except OSError as exc:
        raise PackError(path, f"cannot be read: {exc.strerror}") from None


def _entry_label(kind: str, index: int, raw: object) -> str:
    if isinstance(raw, Mapping):
        ident = raw.get("key", raw.get("number"))
        if isinstance(ident, str | int):
            return f"{kind} {str(ident)!r}"
    return f"{kind} #{index + 1}"


def _convert_entry(
    path: Path, kind: EntryKind, index: int, raw: object, sources: Mapping[str, Source]
) -> Entry:
    label = _entry_label(kind, index, raw)
    resolved = _resolve_sources(path, label, raw, sources, "")
    try:
        return msgspec.convert(resolved, type=ENTRY_TYPES[kind])
    except msgspec.ValidationError as exc:
        raise _validation_error(path, label, exc) from None


def _resolve_sources(path: Path, label: str, value: object, sources: Mapping[str, Source], at: str) -> object:
    """Replace every `sources = ["id", ...]` with the Source objects those ids name in pack.toml."""
    if isinstance(value, Mapping):
        out: dict[str, object] = {}
        for name, item in value.items():
            where = f"{at}.{name}" if at else str(name)
            if name == "sources" and isinstance(item, list):
                out[name] = [_source_for(path, label, where, ident, sources) for ident in item]
            else:
                out[name] = _resolve_sources(path, label, item, sources, where)
        return out
    if isinstance(value, list):
        return [_resolve_sources(path, label, item, sources, f"{at}[{i}]") for i, item in enumerate(value)]
    return value


def _source_for(path: Path, label: str, where: str, ident: object, sources: Mapping[str, Source]) -> object:
    if not isinstance(ident, str) or ident not in sources:
        raise PackError(
            path, f"unknown source {ident!r} (sources are listed in pack.toml)", entry=label, field=where
        )
    return msgspec.to_builtins(sources[ident])


def _validation_error(path: Path, label: str | None, exc: msgspec.ValidationError) -> PackError:
    message = str(exc)
    match = _PATH_IN_ERROR.search(message)
    field_path = None
    if match:
        field_path = match.group("path").lstrip(".")
        message = message[: match.start()]
        allowed = _ALLOWED_VALUES.get(field_path.rsplit(".", 1)[-1])
        if allowed and message.startswith("Invalid enum value"):
            message += f" (expected one of: {allowed})"
    return PackError(path, message, entry=label, field=field_path)


def _check_references(directory: Path, pack: Pack) -> None:
    """Keys must be unique within a kind, and every reference must name an existing entry."""
    for kind, items, filename in (
        ("person", pack.people, "cast.toml"),
        ("character", pack.characters, "characters.toml"),
        ("season", pack.seasons, "seasons.toml"),
        ("news", pack.news, "news.toml"),
    ):
        seen: set[str] = set()
        for item in items:
            key = entry_key(item)
            if key in seen:
                raise PackError(directory / filename, "duplicate key", entry=f"{kind} {key!r}", field="key")
            seen.add(key)

    # Every rule the moderators' changes and imports are held to (bot.rules), on the whole pack.
    problems = state_problems(entry for _, _, entry in pack.entries())
    if problems:
        problem = problems[0]
        filename = _ENTRY_FILES[problem.kind][0] if problem.kind in _ENTRY_FILES else "pack.toml"
        raise PackError(
            directory / filename,
            problem.what.render(ENGLISH),
            entry=f"{problem.kind} {problem.key!r}" if problem.kind else None,
            field=problem.field,
        )
