"""The store's moderation half: server settings, revisions, the announcement outbox, failing channels.

A moderator's change, its revision and its announcement are written in one transaction (`commit_change`),
so a change is never announced without being saved, nor saved without its announcement being queued.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Literal

import aiosqlite

from bot.dates import DateError, parse_release
from bot.drafts_store import DraftRepository, PreviewClaim
from bot.models import Entry
from bot.pack import decode_entry, encode_entry

Purpose = Literal["announcement", "modlog", "reminder"]
OutboxState = Literal["pending", "posting", "posted", "done", "failed"]


class ConflictError(Exception):
    """The entry changed since the moderator started editing it: nothing was written. `whole`: some entry of
    the server changed since the state the change was checked against (not necessarily one it touches)."""

    def __init__(self, message: str, *, whole: bool = False) -> None:
        super().__init__(message)
        self.whole = whole


# The kind of a revision that changed several entries at once (an import, or undoing one). Its entries'
# changes are in `Revision.changes`; the revision itself has no key, before or after.
BATCH = "batch"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    announce_channel_id: int | None = None
    ping_role_id: int | None = None
    moderator_role_id: int | None = None
    modlog_channel_id: int | None = None
    threads: bool = False
    auto_publish: bool = False
    premiere_event: bool = False
    # Seconds before the release at which reminders go out; 0 is the release itself.
    reminder_offsets: tuple[int, ...] = (604800, 86400, 0)
    # "en" or "ko"; None follows the server's preferred locale on Discord.
    language: str | None = None


SETTINGS_COLUMNS = (
    "announce_channel_id",
    "ping_role_id",
    "moderator_role_id",
    "modlog_channel_id",
    "threads",
    "auto_publish",
    "premiere_event",
    "reminder_offsets",
    "language",
)
_BOOLEAN_SETTINGS = ("threads", "auto_publish", "premiere_event")


@dataclass(frozen=True)
class StoredEntry:
    kind: str
    key: str
    entry: Entry
    version: int


@dataclass(frozen=True)
class Change:
    """One entry's change. `base_version` is the version the moderator saw (None: it must not exist yet)."""

    kind: str
    key: str
    before: Entry | None
    after: Entry | None
    base_version: int | None


@dataclass(frozen=True)
class RevisionChange:
    """One entry's part in a batch revision."""

    kind: str
    key: str
    before: Entry | None
    after: Entry | None


@dataclass(frozen=True)
class DataSnapshot:
    """A server's live entries in display order, and a digest of the state of all its entries (versions and
    removals too) at the moment they were read: a change to any entry changes the digest."""

    entries: list[StoredEntry]
    state: str


@dataclass(frozen=True)
class Revision:
    id: int
    guild_id: int
    kind: str
    key: str
    before: Entry | None
    after: Entry | None
    summary: str
    author_id: int
    author_name: str
    created_at: dt.datetime
    reverts: int | None
    # Only for batch revisions (kind BATCH): every entry it changed, in the order they were written.
    changes: tuple[RevisionChange, ...] = ()


@dataclass(frozen=True)
class RevisionNote:
    """A revision named, not shown: who made it and when, for saying what a revert would also undo."""

    id: int
    summary: str
    author_id: int
    author_name: str
    created_at: dt.datetime
    reverts: int | None


@dataclass(frozen=True)
class OutboxDraft:
    """A message to deliver once the change commits."""

    purpose: Purpose
    channel_id: int
    payload: dict[str, Any]
    not_before: dt.datetime | None = None


@dataclass(frozen=True)
class OutboxItem:
    id: int
    guild_id: int
    revision_id: int | None
    purpose: Purpose
    channel_id: int
    payload: dict[str, Any]
    nonce: str
    state: OutboxState
    message_id: int | None
    thread_done: bool
    publish_done: bool
    attempts: int
    next_attempt_at: dt.datetime
    error: str | None
    updated_at: dt.datetime
    created_at: dt.datetime


@dataclass(frozen=True)
class Reminder:
    id: int
    guild_id: int
    season: int
    release: str
    offset_seconds: int
    due_at: dt.datetime
    state: str


_REMINDER_COLUMNS = "id, guild_id, season, release, offset_seconds, due_at, state"


def _reminder(row: Sequence[Any]) -> Reminder:
    return Reminder(row[0], row[1], row[2], row[3], row[4], dt.datetime.fromisoformat(row[5]), row[6])


def _release_of(entry: Entry | None) -> str | None:
    return getattr(entry, "release", None)


def _instant(release: str | None) -> dt.datetime | None:
    if release is None:
        return None
    try:
        return parse_release(release).instant
    except DateError:
        return None


@dataclass(frozen=True)
class FailingChannel:
    channel_id: int
    guild_id: int
    status: int
    reason: str
    since: dt.datetime


@dataclass
class CommitResult:
    revisions: list[Revision] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)


def _encode_changes(changes: Sequence[Change]) -> list[tuple[str | None, str | None]]:
    """Each change's entry before and after as stored (canonical JSON), None where there is none."""
    return [
        (
            None if change.before is None else encode_entry(change.before).decode(),
            None if change.after is None else encode_entry(change.after).decode(),
        )
        for change in changes
    ]


def _snapshot_of(rows: Sequence[Sequence[Any]]) -> DataSnapshot:
    entries = [
        StoredEntry(kind, key, decode_entry(kind, data), version)
        for kind, key, data, version, deleted in rows
        if not deleted
    ]
    return DataSnapshot(entries, _state_digest([(r[0], r[1], r[3], r[4]) for r in rows]))


def _entry_or_none(kind: str, data: str | None) -> Entry | None:
    return None if data is None else decode_entry(kind, data)


def _state_digest(rows: Sequence[Sequence[Any]]) -> str:
    """A digest of (kind, key, version, deleted) of every entry row of a server, in any order."""
    digest = hashlib.sha256()
    for kind, key, version, deleted in sorted((str(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows):
        digest.update(f"{kind}\x1f{key}\x1f{version}\x1f{deleted}\x1e".encode())
    return digest.hexdigest()


def _revisions_where(guild_id: int, kind: str | None, key: str | None) -> tuple[str, list[object]]:
    """A server's revisions, or those of one entry: its own and the batches that changed it."""
    if kind is None or key is None:
        return "guild_id = ?", [guild_id]
    return (
        "guild_id = ? AND ((kind = ? AND key = ?) OR id IN (SELECT revision_id FROM revision_changes"
        " WHERE guild_id = ? AND kind = ? AND key = ?))",
        [guild_id, kind, key, guild_id, kind, key],
    )


def _revision(row: Sequence[Any]) -> Revision:
    rid, guild_id, kind, key, before, after, summary, author_id, author_name, created_at, reverts = row
    return Revision(
        id=rid,
        guild_id=guild_id,
        kind=kind,
        key=key,
        before=_entry_or_none(kind, before),
        after=_entry_or_none(kind, after),
        summary=summary,
        author_id=author_id,
        author_name=author_name,
        created_at=dt.datetime.fromisoformat(created_at),
        reverts=reverts,
    )


_REVISION_COLUMNS = (
    "id, guild_id, kind, key, before, after, summary, author_id, author_name, created_at, reverts"
)
_OUTBOX_COLUMNS = (
    "id, guild_id, revision_id, purpose, channel_id, payload, nonce, state, message_id, thread_done, "
    "publish_done, attempts, next_attempt_at, error, updated_at, created_at"
)


def _outbox(row: Sequence[Any]) -> OutboxItem:
    return OutboxItem(
        id=row[0],
        guild_id=row[1],
        revision_id=row[2],
        purpose=row[3],
        channel_id=row[4],
        payload=json.loads(row[5]),
        nonce=row[6],
        state=row[7],
        message_id=row[8],
        thread_done=bool(row[9]),
        publish_done=bool(row[10]),
        attempts=row[11],
        next_attempt_at=dt.datetime.fromisoformat(row[12]),
        error=row[13],
        updated_at=dt.datetime.fromisoformat(row[14]),
        created_at=dt.datetime.fromisoformat(row[15]),
    )


class ModerationRepository(DraftRepository):
    """Mixed into Store: the methods moderation and delivery use. No SQL leaves this module."""

    _reader: aiosqlite.Connection

    def transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        raise NotImplementedError

    def forget(self, guild_id: int) -> None:
        raise NotImplementedError

    async def ensure_guild(self, guild_id: int) -> None:
        raise NotImplementedError

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self._reader.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    # -- settings ----------------------------------------------------------------------------------------

    async def get_settings(self, guild_id: int) -> GuildSettings:
        rows = await self._rows(
            f"SELECT {', '.join(SETTINGS_COLUMNS)} FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        if not rows:
            return GuildSettings(guild_id)
        values = dict(zip(SETTINGS_COLUMNS, rows[0], strict=True))
        for name in _BOOLEAN_SETTINGS:
            values[name] = bool(values[name])
        values["reminder_offsets"] = tuple(int(v) for v in str(values["reminder_offsets"]).split(",") if v)
        return GuildSettings(guild_id, **values)

    async def update_settings(
        self,
        guild_id: int,
        retry_channels: Sequence[int] = (),
        **changes: int | bool | str | tuple[int, ...] | None,
    ) -> tuple[GuildSettings, int]:
        """Save every setting given, and set up again the channels in `retry_channels` (what failed there is
        retried), all in one transaction: all of it is saved, or nothing. Returns the settings and how many
        messages go out again."""
        unknown = set(changes) - set(SETTINGS_COLUMNS)
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        retried = 0
        async with self.transaction() as db:
            if changes:
                await db.execute(
                    "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?)"
                    " ON CONFLICT (guild_id) DO NOTHING",
                    (guild_id, _iso(utcnow())),
                )
            for column, value in changes.items():
                stored: object = value
                if isinstance(value, bool):
                    stored = int(value)
                elif isinstance(value, tuple):
                    stored = ",".join(str(v) for v in value)
                # Column names come from SETTINGS_COLUMNS, never from the caller's text.
                await db.execute(
                    f"UPDATE guild_settings SET {column} = ?, updated_at = ? WHERE guild_id = ?",
                    (stored, _iso(utcnow()), guild_id),
                )
            if "reminder_offsets" in changes:
                await self._reschedule_all(db, guild_id)
            for channel_id in dict.fromkeys(retry_channels):
                retried += await self._clear_failing_channel(db, channel_id)
        return await self.get_settings(guild_id), retried

    # -- entries and revisions ---------------------------------------------------------------------------

    async def get_entry(self, guild_id: int, kind: str, key: str) -> StoredEntry | None:
        """A server's current entry with its version, or None if it does not exist (or was removed)."""
        await self.ensure_guild(guild_id)
        rows = await self._rows(
            "SELECT data, version FROM entries WHERE guild_id = ? AND kind = ? AND key = ? AND deleted = 0",
            (guild_id, kind, key),
        )
        if not rows:
            return None
        return StoredEntry(kind, key, decode_entry(kind, rows[0][0]), rows[0][1])

    async def snapshot(self, guild_id: int) -> DataSnapshot:
        """Every live entry of a server with its version, in display order, and the state they were read in."""
        await self.ensure_guild(guild_id)
        rows = await self._rows(
            "SELECT kind, key, data, version, deleted FROM entries WHERE guild_id = ? ORDER BY position, key",
            (guild_id,),
        )
        # Decoding tens of thousands of entries is CPU work: a large server's is done off the event loop.
        return await asyncio.to_thread(_snapshot_of, rows) if len(rows) > 500 else _snapshot_of(rows)

    async def state_of(self, guild_id: int) -> str:
        """The digest of a server's data as it is (see DataSnapshot.state): cheap, entries are not read."""
        rows = await self._rows(
            "SELECT kind, key, version, deleted FROM entries WHERE guild_id = ?", (guild_id,)
        )
        return _state_digest(rows)

    async def used_keys(self, guild_id: int, kind: str) -> set[str]:
        """Every key this server ever used for a kind, removed entries included: a new entry never takes an
        old one's key, so histories never mix two entities."""
        rows = await self._rows("SELECT key FROM entries WHERE guild_id = ? AND kind = ?", (guild_id, kind))
        return {str(row[0]) for row in rows}

    async def commit_change(
        self,
        guild_id: int,
        changes: Sequence[Change],
        *,
        summary: str,
        author_id: int,
        author_name: str,
        outbox: Sequence[OutboxDraft] = (),
        reverts: int | None = None,
        batch: bool = False,
        expected_state: str | None = None,
        claim: PreviewClaim | None = None,
        announced: bool = False,
    ) -> CommitResult:
        """Write the changes, a revision for each and the outbox messages, all in one transaction.

        With `batch`, all the changes make one revision (kind BATCH), undone as a whole. With
        `expected_state` (a `DataSnapshot.state`), nothing is written unless no entry of the server changed
        since that snapshot.

        With `claim`, the change is saved only together with its preview's leaving the "open" state (saved,
        with the revision numbers and whether it was `announced`): raises PreviewTaken, writing nothing, when
        someone saved, cancelled or let the preview expire first.

        Raises ConflictError, writing nothing, when an entry's version is no longer the one the moderator
        started from, or the server's data is no longer in the expected state.
        """
        if batch and not changes:
            raise ValueError("a batch revision needs at least one change")
        await self.ensure_guild(guild_id)
        now = _iso(utcnow())
        result = CommitResult()
        # Encoding thousands of entries is CPU work: done before the transaction, off the event loop.
        encoded = (
            await asyncio.to_thread(_encode_changes, changes)
            if len(changes) > 50
            else _encode_changes(changes)
        )
        async with self.transaction() as db:
            if claim is not None:
                # First: a preview already used says so, whatever else changed since (a second press of Post
                # is told "already saved", not that the entry changed).
                await self._claim_preview(db, claim, {})
            live = await self._live_rows(db, guild_id, changes, whole=expected_state is not None)
            if expected_state is not None and _state_digest(list(live.values())) != expected_state:
                raise ConflictError(f"the data of guild {guild_id} changed meanwhile", whole=True)
            inserts: list[tuple[object, ...]] = []
            updates: list[tuple[object, ...]] = []
            removals: list[tuple[object, ...]] = []
            # Positions are counted once per transaction: new entries follow the server's own, in order.
            position = await self._next_position(db, guild_id)
            for change, (_, data) in zip(changes, encoded, strict=True):
                row = live.get((change.kind, change.key))
                live_version = None if row is None or row[3] else row[2]
                if live_version != change.base_version:
                    raise ConflictError(f"{change.kind} {change.key} changed meanwhile")
                if row is None:
                    assert data is not None, "cannot remove an entry that does not exist"
                    inserts.append((guild_id, change.kind, change.key, data, now, position))
                    position += 1
                elif data is None:
                    removals.append((now, guild_id, change.kind, change.key))
                else:
                    updates.append((data, now, guild_id, change.kind, change.key))
            await db.executemany(
                "INSERT INTO entries (guild_id, kind, key, data, origin_digest, updated_at, position)"
                " VALUES (?, ?, ?, ?, NULL, ?, ?)",
                inserts,
            )
            await db.executemany(
                "UPDATE entries SET data = ?, deleted = 0, version = version + 1, updated_at = ?"
                " WHERE guild_id = ? AND kind = ? AND key = ?",
                updates,
            )
            await db.executemany(
                "UPDATE entries SET deleted = 1, version = version + 1, updated_at = ?"
                " WHERE guild_id = ? AND kind = ? AND key = ?",
                removals,
            )
            for change in changes:
                if change.kind == "season" and _release_of(change.before) != _release_of(change.after):
                    await self._reschedule(db, guild_id, int(change.key), _release_of(change.after))
            if batch:
                result.revisions.append(
                    await self._write_batch(
                        db, guild_id, changes, encoded, summary, author_id, author_name, now, reverts
                    )
                )
            else:
                for change, (before, data) in zip(changes, encoded, strict=True):
                    cursor = await db.execute(
                        "INSERT INTO revisions (guild_id, kind, key, before, after, summary, author_id,"
                        " author_name, created_at, reverts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            guild_id,
                            change.kind,
                            change.key,
                            before,
                            data,
                            summary,
                            author_id,
                            author_name,
                            now,
                            reverts,
                        ),
                    )
                    assert cursor.lastrowid is not None
                    result.revisions.append(
                        Revision(
                            id=cursor.lastrowid,
                            guild_id=guild_id,
                            kind=change.kind,
                            key=change.key,
                            before=change.before,
                            after=change.after,
                            summary=summary,
                            author_id=author_id,
                            author_name=author_name,
                            created_at=dt.datetime.fromisoformat(now),
                            reverts=reverts,
                        )
                    )
            first_revision = result.revisions[0].id if result.revisions else None
            for draft in outbox:
                result.outbox_ids.append(await self._queue(db, guild_id, first_revision, draft, now))
            if claim is not None:
                await self._record_claim(
                    db, claim, {"revisions": [r.id for r in result.revisions], "announced": announced}
                )
        self.forget(guild_id)
        return result

    async def _live_rows(
        self, db: aiosqlite.Connection, guild_id: int, changes: Sequence[Change], *, whole: bool
    ) -> dict[tuple[str, str], tuple[str, str, int, int]]:
        """(kind, key, version, deleted) of the entries a change touches, by (kind, key): read in one query
        for many changes (or the whole server, to compare with a snapshot), one by one for a few."""
        if whole or len(changes) > 50:
            async with db.execute(
                "SELECT kind, key, version, deleted FROM entries WHERE guild_id = ?", (guild_id,)
            ) as cursor:
                rows = list(await cursor.fetchall())
        else:
            rows = []
            for change in changes:
                async with db.execute(
                    "SELECT kind, key, version, deleted FROM entries WHERE guild_id = ? AND kind = ? AND key = ?",
                    (guild_id, change.kind, change.key),
                ) as cursor:
                    rows += list(await cursor.fetchall())
        return {(str(r[0]), str(r[1])): (str(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows}

    async def _next_position(self, db: aiosqlite.Connection, guild_id: int) -> int:
        async with db.execute(
            "SELECT coalesce(max(position), 0) + 1 FROM entries WHERE guild_id = ?", (guild_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 1

    async def _write_batch(
        self,
        db: aiosqlite.Connection,
        guild_id: int,
        changes: Sequence[Change],
        encoded: Sequence[tuple[str | None, str | None]],
        summary: str,
        author_id: int,
        author_name: str,
        now: str,
        reverts: int | None,
    ) -> Revision:
        cursor = await db.execute(
            "INSERT INTO revisions (guild_id, kind, key, before, after, summary, author_id, author_name,"
            " created_at, reverts) VALUES (?, ?, '', NULL, NULL, ?, ?, ?, ?, ?)",
            (guild_id, BATCH, summary, author_id, author_name, now, reverts),
        )
        revision_id = cursor.lastrowid
        assert revision_id is not None
        await db.executemany(
            "INSERT INTO revision_changes (revision_id, position, guild_id, kind, key, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (revision_id, position, guild_id, change.kind, change.key, before, after)
                for position, (change, (before, after)) in enumerate(zip(changes, encoded, strict=True))
            ],
        )
        return Revision(
            id=revision_id,
            guild_id=guild_id,
            kind=BATCH,
            key="",
            before=None,
            after=None,
            summary=summary,
            author_id=author_id,
            author_name=author_name,
            created_at=dt.datetime.fromisoformat(now),
            reverts=reverts,
            changes=tuple(RevisionChange(c.kind, c.key, c.before, c.after) for c in changes),
        )

    async def _queue(
        self, db: aiosqlite.Connection, guild_id: int, revision_id: int | None, draft: OutboxDraft, now: str
    ) -> int:
        # The nonce is fixed when the message is queued, so every retry (after a crash too) sends the same one.
        nonce = "aoad" + secrets.token_hex(10)
        due = _iso(draft.not_before) if draft.not_before else now
        cursor = await db.execute(
            "INSERT INTO outbox (guild_id, revision_id, purpose, channel_id, payload, nonce, next_attempt_at,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                revision_id,
                draft.purpose,
                draft.channel_id,
                json.dumps(draft.payload, ensure_ascii=False),
                nonce,
                due,
                now,
                now,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def queue(self, guild_id: int, drafts: Sequence[OutboxDraft]) -> list[int]:
        """Queue messages that belong to no change (a warning to the mod-log, a reminder)."""
        now = _iso(utcnow())
        async with self.transaction() as db:
            return [await self._queue(db, guild_id, None, draft, now) for draft in drafts]

    async def revisions(
        self,
        guild_id: int,
        *,
        kind: str | None = None,
        key: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Revision]:
        where, params = _revisions_where(guild_id, kind, key)
        rows = await self._rows(
            f"SELECT {_REVISION_COLUMNS} FROM revisions WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return await self._with_changes([_revision(row) for row in rows])

    async def count_revisions(self, guild_id: int, *, kind: str | None = None, key: str | None = None) -> int:
        where, params = _revisions_where(guild_id, kind, key)
        rows = await self._rows(f"SELECT count(*) FROM revisions WHERE {where}", params)
        return int(rows[0][0])

    async def later_revisions(
        self, guild_id: int, after: int, entries: set[tuple[str, str]]
    ) -> list[RevisionNote]:
        """The revisions after #`after` that changed any of `entries` (kind, key), or reverted #`after`,
        oldest first."""
        rows = await self._rows(
            "SELECT id, kind, key, summary, author_id, author_name, created_at, reverts FROM revisions"
            " WHERE guild_id = ? AND id > ? ORDER BY id",
            (guild_id, after),
        )
        if not rows:
            return []
        batched: dict[int, set[tuple[str, str]]] = {}
        if any(row[1] == BATCH for row in rows):
            for revision_id, kind, key in await self._rows(
                "SELECT revision_id, kind, key FROM revision_changes WHERE guild_id = ? AND revision_id > ?",
                (guild_id, after),
            ):
                batched.setdefault(int(revision_id), set()).add((str(kind), str(key)))
        found = []
        for rid, kind, key, summary, author_id, author_name, created_at, reverts in rows:
            touched = batched.get(rid, set()) if kind == BATCH else {(kind, key)}
            if reverts == after or touched & entries:
                found.append(
                    RevisionNote(
                        rid, summary, author_id, author_name, dt.datetime.fromisoformat(created_at), reverts
                    )
                )
        return found

    async def revision(self, guild_id: int, revision_id: int) -> Revision | None:
        rows = await self._rows(
            f"SELECT {_REVISION_COLUMNS} FROM revisions WHERE guild_id = ? AND id = ?",
            (guild_id, revision_id),
        )
        return (await self._with_changes([_revision(rows[0])]))[0] if rows else None

    async def _with_changes(self, revisions: list[Revision]) -> list[Revision]:
        """Batch revisions with their entries' changes filled in."""
        batches = [r.id for r in revisions if r.kind == BATCH]
        if not batches:
            return revisions
        marks = ", ".join("?" * len(batches))
        rows = await self._rows(
            "SELECT revision_id, kind, key, before, after FROM revision_changes"
            f" WHERE revision_id IN ({marks}) ORDER BY revision_id, position",
            batches,
        )
        changes: dict[int, list[RevisionChange]] = {}
        for revision_id, kind, key, before, after in rows:
            changes.setdefault(revision_id, []).append(
                RevisionChange(kind, key, _entry_or_none(kind, before), _entry_or_none(kind, after))
            )
        return [
            dataclasses.replace(r, changes=tuple(changes.get(r.id, ()))) if r.kind == BATCH else r
            for r in revisions
        ]

    # -- outbox ------------------------------------------------------------------------------------------

    async def due_outbox(self, now: dt.datetime, limit: int = 50) -> list[OutboxItem]:
        rows = await self._rows(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE state IN ('pending', 'posting', 'posted')"
            " AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
            (_iso(now), limit),
        )
        return [_outbox(row) for row in rows]

    async def next_outbox_due(self) -> dt.datetime | None:
        rows = await self._rows(
            "SELECT min(next_attempt_at) FROM outbox WHERE state IN ('pending', 'posting', 'posted')"
        )
        return dt.datetime.fromisoformat(rows[0][0]) if rows and rows[0][0] else None

    async def outbox_item(self, item_id: int) -> OutboxItem | None:
        rows = await self._rows(f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE id = ?", (item_id,))
        return _outbox(rows[0]) if rows else None

    async def outbox_items(self, guild_id: int) -> list[OutboxItem]:
        rows = await self._rows(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE guild_id = ? ORDER BY id", (guild_id,)
        )
        return [_outbox(row) for row in rows]

    async def update_outbox(self, item_id: int, **fields: object) -> None:
        """Record a delivery step. Called before and after every call to Discord."""
        allowed = {
            "state",
            "message_id",
            "thread_done",
            "publish_done",
            "attempts",
            "next_attempt_at",
            "error",
        }
        if set(fields) - allowed:
            raise ValueError(f"unknown outbox fields: {sorted(set(fields) - allowed)}")
        values = [
            _iso(value)
            if isinstance(value, dt.datetime)
            else int(value)
            if isinstance(value, bool)
            else value
            for value in fields.values()
        ]
        assignments = ", ".join(f"{name} = ?" for name in fields)
        async with self.transaction() as db:
            await db.execute(
                f"UPDATE outbox SET {assignments}, updated_at = ? WHERE id = ?",
                [*values, _iso(utcnow()), item_id],
            )

    # -- premiere reminders and events ------------------------------------------------------------------------

    async def _reschedule(
        self, db: aiosqlite.Connection, guild_id: int, season: int, release: str | None
    ) -> None:
        """Cancel a season's pending reminders and plan the new date's, in the caller's transaction.

        Only an exact moment is scheduled: a day without a time, a month or a year schedules nothing. A
        moment already past when planned is not scheduled; a reminder already sent for this very date and
        moment is never sent again (the table's unique key).
        """
        now = utcnow()
        await db.execute(
            "UPDATE reminders SET state = 'cancelled', updated_at = ? WHERE guild_id = ? AND season = ?"
            " AND state = 'pending'",
            (_iso(now), guild_id, season),
        )
        instant = _instant(release)
        if instant is None:
            return
        async with db.execute(
            "SELECT reminder_offsets FROM guild_settings WHERE guild_id = ?", (guild_id,)
        ) as cur:
            row = await cur.fetchone()
        offsets = [int(v) for v in (row[0] if row else "604800,86400,0").split(",") if v]
        for offset in offsets:
            due = instant - dt.timedelta(seconds=offset)
            if due <= now:
                continue
            await db.execute(
                "INSERT INTO reminders (guild_id, season, release, offset_seconds, due_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, season, release, offset_seconds)"
                " DO UPDATE SET state = 'pending', updated_at = excluded.updated_at WHERE state = 'cancelled'",
                (guild_id, season, release, offset, _iso(due), _iso(now)),
            )

    async def _reschedule_all(self, db: aiosqlite.Connection, guild_id: int) -> None:
        async with db.execute(
            "SELECT key, data FROM entries WHERE guild_id = ? AND kind = 'season' AND deleted = 0",
            (guild_id,),
        ) as cursor:
            seasons = list(await cursor.fetchall())
        for key, data in seasons:
            season = decode_entry("season", data)
            await self._reschedule(db, guild_id, int(key), getattr(season, "release", None))

    async def reschedule_reminders(self, guild_id: int) -> None:
        """Plan every season's reminders again from the current dates and settings."""
        await self.ensure_guild(guild_id)
        async with self.transaction() as db:
            await self._reschedule_all(db, guild_id)

    async def pending_reminders(self, guild_id: int | None = None) -> list[Reminder]:
        where, params = "state = 'pending'", []
        if guild_id is not None:
            where += " AND guild_id = ?"
            params.append(guild_id)
        rows = await self._rows(
            f"SELECT {_REMINDER_COLUMNS} FROM reminders WHERE {where} ORDER BY due_at", params
        )
        return [_reminder(row) for row in rows]

    async def reminders(self, guild_id: int) -> list[Reminder]:
        rows = await self._rows(
            f"SELECT {_REMINDER_COLUMNS} FROM reminders WHERE guild_id = ? ORDER BY id", (guild_id,)
        )
        return [_reminder(row) for row in rows]

    async def due_reminders(self, now: dt.datetime) -> list[Reminder]:
        rows = await self._rows(
            f"SELECT {_REMINDER_COLUMNS} FROM reminders WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id",
            (_iso(now),),
        )
        return [_reminder(row) for row in rows]

    async def next_reminder_due(self) -> dt.datetime | None:
        rows = await self._rows("SELECT min(due_at) FROM reminders WHERE state = 'pending'")
        return dt.datetime.fromisoformat(rows[0][0]) if rows and rows[0][0] else None

    async def fire_reminder(self, reminder: Reminder, drafts: Sequence[OutboxDraft]) -> bool:
        """Mark a reminder sent and queue its messages in one transaction; False if it was no longer pending."""
        now = _iso(utcnow())
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE reminders SET state = 'sent', updated_at = ? WHERE id = ? AND state = 'pending'",
                (now, reminder.id),
            )
            if cursor.rowcount != 1:
                return False
            outbox_id = None
            for draft in drafts:
                queued = await self._queue(db, reminder.guild_id, None, draft, now)
                outbox_id = outbox_id or queued
            await db.execute("UPDATE reminders SET outbox_id = ? WHERE id = ?", (outbox_id, reminder.id))
        return True

    async def reminder_for_outbox(self, outbox_id: int) -> Reminder | None:
        rows = await self._rows(
            f"SELECT {_REMINDER_COLUMNS} FROM reminders WHERE outbox_id = ?", (outbox_id,)
        )
        return _reminder(rows[0]) if rows else None

    async def backfill_reminders(self) -> int:
        """Plan the reminders of every exact future release that has none yet (a date that arrived with a
        newer pack, or before reminders existed). Nothing already planned, sent or cancelled is touched."""
        rows = await self._rows(
            "SELECT s.guild_id, s.key, s.data, coalesce(g.reminder_offsets, '604800,86400,0')"
            " FROM entries s LEFT JOIN guild_settings g ON g.guild_id = s.guild_id"
            " WHERE s.kind = 'season' AND s.deleted = 0"
        )
        now = utcnow()
        planned = 0
        async with self.transaction() as db:
            for guild_id, key, data, offsets in rows:
                release = getattr(decode_entry("season", data), "release", None)
                instant = _instant(release)
                if instant is None or instant <= now:
                    continue
                for offset in (int(v) for v in str(offsets).split(",") if v):
                    due = instant - dt.timedelta(seconds=offset)
                    if due <= now:
                        continue
                    cursor = await db.execute(
                        "INSERT INTO reminders (guild_id, season, release, offset_seconds, due_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        (guild_id, int(key), release, offset, _iso(due), _iso(now)),
                    )
                    planned += cursor.rowcount
        return planned

    async def drop_reminder(self, reminder: Reminder) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE reminders SET state = 'dropped', updated_at = ? WHERE id = ? AND state = 'pending'",
                (_iso(utcnow()), reminder.id),
            )

    async def premiere_event(self, guild_id: int, season: int) -> tuple[int, str] | None:
        rows = await self._rows(
            "SELECT event_id, release FROM premiere_events WHERE guild_id = ? AND season = ?",
            (guild_id, season),
        )
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    async def set_premiere_event(
        self, guild_id: int, season: int, event_id: int | None, release: str = ""
    ) -> None:
        async with self.transaction() as db:
            if event_id is None:
                await db.execute(
                    "DELETE FROM premiere_events WHERE guild_id = ? AND season = ?", (guild_id, season)
                )
            else:
                await db.execute(
                    "INSERT INTO premiere_events (guild_id, season, event_id, release) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (guild_id, season) DO UPDATE SET event_id = excluded.event_id,"
                    " release = excluded.release",
                    (guild_id, season, event_id, release),
                )

    async def guilds_with_premiere_events(self) -> list[int]:
        rows = await self._rows("SELECT guild_id FROM guild_settings WHERE premiere_event = 1")
        return [int(row[0]) for row in rows]

    # -- failing channels and publishing pace ------------------------------------------------------------

    async def mark_channel_failing(self, guild_id: int, channel_id: int, status: int, reason: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO failing_channels (channel_id, guild_id, status, reason, since) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (channel_id) DO UPDATE SET status = excluded.status, reason = excluded.reason",
                (channel_id, guild_id, status, reason, _iso(utcnow())),
            )
            await db.execute(
                "UPDATE outbox SET state = 'failed', error = ?, updated_at = ?"
                " WHERE channel_id = ? AND state IN ('pending', 'posting', 'posted')",
                (reason, _iso(utcnow()), channel_id),
            )

    async def failing_channels(self, guild_id: int) -> list[FailingChannel]:
        rows = await self._rows(
            "SELECT channel_id, guild_id, status, reason, since FROM failing_channels WHERE guild_id = ?",
            (guild_id,),
        )
        return [
            FailingChannel(row[0], row[1], row[2], row[3], dt.datetime.fromisoformat(row[4])) for row in rows
        ]

    async def is_channel_failing(self, channel_id: int) -> bool:
        return bool(await self._rows("SELECT 1 FROM failing_channels WHERE channel_id = ?", (channel_id,)))

    async def clear_failing_channel(self, channel_id: int) -> int:
        """A moderator set the channel up again: forget its failure and retry what failed there."""
        async with self.transaction() as db:
            return await self._clear_failing_channel(db, channel_id)

    async def _clear_failing_channel(self, db: aiosqlite.Connection, channel_id: int) -> int:
        await db.execute("DELETE FROM failing_channels WHERE channel_id = ?", (channel_id,))
        # A row that was ever attempted may have reached Discord: it goes back to "posting", so the deliverer
        # looks for it in the channel before sending it again. A posted one resumes its thread and publishing.
        cursor = await db.execute(
            "UPDATE outbox SET state = CASE WHEN message_id IS NOT NULL THEN 'posted'"
            " WHEN attempts > 0 THEN 'posting' ELSE 'pending' END,"
            " error = NULL, next_attempt_at = ?, updated_at = ? WHERE channel_id = ? AND state = 'failed'",
            (_iso(utcnow()), _iso(utcnow()), channel_id),
        )
        return cursor.rowcount

    async def record_publish(self, channel_id: int, at: dt.datetime) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO publishes (channel_id, published_at) VALUES (?, ?)", (channel_id, _iso(at))
            )
            # Only the last hour matters for pacing.
            await db.execute(
                "DELETE FROM publishes WHERE channel_id = ? AND published_at < ?",
                (channel_id, _iso(at - dt.timedelta(hours=1))),
            )

    async def publishes_since(self, channel_id: int, since: dt.datetime) -> list[dt.datetime]:
        rows = await self._rows(
            "SELECT published_at FROM publishes WHERE channel_id = ? AND published_at >= ? ORDER BY published_at",
            (channel_id, _iso(since)),
        )
        return [dt.datetime.fromisoformat(row[0]) for row in rows]
