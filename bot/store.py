"""The store: SQLite through aiosqlite, with numbered migrations and one copy of the show data per server.

Two connections: one writer, whose transactions are serialised by a lock (one aiosqlite connection is one
thread, and interleaved coroutines must not share a transaction), and one read-only reader, which in WAL
mode never waits for the writer and never sees a transaction that has not committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import msgspec

from bot.catalog import Catalog
from bot.errors import DatabaseBusy as DatabaseBusy
from bot.errors import StoreError as StoreError
from bot.models import Entry, Show, SpoilerLevel
from bot.moderation_store import ModerationRepository
from bot.pack import Pack, decode_entry, encode_entry, entry_digest
from bot.rules import state_problems
from bot.search import characters_of, people_of

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "data" / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# How long a write waits for another writer (another program, a backup, a long transaction) before giving
# up. Discord wants an answer to a command within 3 s: a moderator's change may wait for the bot's own queue
# of writes (at most this long too) and then for SQLite's lock, and must still leave time to say it failed.
BUSY_TIMEOUT_MS = 1000
WRITE_QUEUE_TIMEOUT = BUSY_TIMEOUT_MS / 1000

# After a server's data could not be seeded or upgraded for a busy database, how long lookups answer from
# what is there without trying again (each try waits the busy timeout).
SEED_RETRY_PAUSE = 10.0
# How long a fan's lookup waits for a server's data being rebuilt after a change before answering from the
# data as it was (only a very large server's takes longer).
LOOKUP_WAIT = 0.2
# How long it may wait for a server's data loading for the first time (seeding it may wait for a lock), before
# the lookup is deferred: well within Discord's 3 s.
FIRST_LOAD_WAIT = 1.5
# Entry rows from which a server's catalog is built in a worker thread.
BUILD_IN_THREAD = 2000

_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def is_busy(exc: BaseException) -> bool:
    """Whether SQLite gave up waiting for a lock ("database is locked" / "busy")."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _BUSY_CODES
    return "locked" in str(exc) or "busy" in str(exc)


class MigrationError(StoreError):
    """The migrations directory or the database is not in a state the bot can upgrade from."""


@dataclass(frozen=True)
class Migration:
    version: int
    path: Path


def discover_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path}: migration files are named NNNN_description.sql")
        migrations.append(Migration(int(match.group(1)), path))
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(
            f"{directory}: migrations must be numbered 0001, 0002, … without gaps: {versions}"
        )
    return migrations


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


async def _connect(path: str, *, read_only: bool) -> aiosqlite.Connection:
    # isolation_level=None: no implicit transactions; every write transaction is an explicit BEGIN IMMEDIATE.
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA foreign_keys = ON")
        if read_only:
            await db.execute("PRAGMA query_only = ON")
        else:
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        # An open connection keeps a worker thread alive: close it, or a failed start-up never exits.
        await db.close()
        raise
    return db


# What a write waiting for the bot's own earlier writes does after WRITE_QUEUE_TIMEOUT: acknowledge the
# interaction it answers and return how many more seconds it may wait (see `queued_writes`).
_ON_QUEUE: ContextVar[Callable[[], Awaitable[float]] | None] = ContextVar("on_queue", default=None)


@contextlib.contextmanager
def queued_writes(acknowledge: Callable[[], Awaitable[float]]) -> Iterator[None]:
    """Writes made inside wait behind a long write of the bot's instead of failing as busy, once
    `acknowledge` (deferring an interaction, say) has said how much longer they may wait."""
    token = _ON_QUEUE.set(acknowledge)
    try:
        yield
    finally:
        _ON_QUEUE.reset(token)


class Store(ModerationRepository):
    """Every read and write of the bot's data. Cogs call these methods; they never see SQL."""

    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection, pack: Pack) -> None:
        self._writer = writer
        self._reader = reader
        self.pack = pack
        self._write_lock = asyncio.Lock()
        self._pack_catalog = Catalog.from_pack(pack)
        self._catalogs: dict[int, Catalog] = {}
        # Bumped whenever a server's data changes, so a catalog read before the change is never cached after.
        self._generations: dict[int, int] = {}
        # Guilds already checked against the bundled pack since start-up.
        self._current: set[int] = set()
        self._spoiler_levels: dict[int, SpoilerLevel] = {}
        # A server's previous catalog, which fans' lookups answer from while its new one is being built.
        self._stale: dict[int, Catalog] = {}
        # The task loading a server's catalog, and the data generation it loads.
        self._loading: dict[int, tuple[int, asyncio.Task[Catalog]]] = {}
        # Guilds whose seeding found the database busy, and when lookups may try it again (loop time).
        self._seed_retry_at: dict[int, float] = {}

    @classmethod
    @asynccontextmanager
    async def open(
        cls, path: str | Path, pack: Pack, *, migrations: Path = MIGRATIONS_DIR
    ) -> AsyncIterator[Store]:
        path = str(path)
        if path == ":memory:" or path.startswith("file:"):
            raise StoreError("DATABASE_PATH must be a file: the bot's two connections must see one database")
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            writer = await _connect(path, read_only=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the database {path}: {exc}") from exc
        try:
            try:
                await _migrate(writer, discover_migrations(migrations))
                reader = await _connect(path, read_only=True)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"cannot use the database {path}: {exc}") from exc
            store = cls(writer, reader, pack)
            try:
                yield store
            finally:
                await store._stop_loading()
                await reader.close()
        finally:
            await writer.close()

    async def _stop_loading(self) -> None:
        tasks = [task for _, task in self._loading.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction: everything done on the yielded connection commits together or not at all.

        Raises DatabaseBusy, having written nothing, when the bot's own earlier writes or another program
        hold the database for longer than the busy timeout.
        """
        try:
            async with asyncio.timeout(WRITE_QUEUE_TIMEOUT):
                await self._write_lock.acquire()
        except TimeoutError:
            # Another write of the bot's is long (an import of tens of thousands of entries takes a second or
            # more): one that answers an interaction can acknowledge it and wait its turn (`queued_writes`).
            acknowledge = _ON_QUEUE.get()
            if acknowledge is None:
                raise DatabaseBusy("the bot's earlier writes are still waiting for the database") from None
            try:
                async with asyncio.timeout(await acknowledge()):
                    await self._write_lock.acquire()
            except TimeoutError:
                raise DatabaseBusy("the bot's earlier writes are still waiting for the database") from None
        try:
            if self._writer.in_transaction:
                # A transaction left open by a cancelled or failed caller must not swallow this one.
                with contextlib.suppress(sqlite3.Error):
                    await self._writer.execute("ROLLBACK")
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if is_busy(exc):
                    raise DatabaseBusy(f"another writer holds the database: {exc}") from exc
                raise
            try:
                yield self._writer
                await self._writer.execute("COMMIT")
            except BaseException as exc:
                # The rollback must never replace the original error (a cancellation above all): if a
                # cancelled COMMIT went through after all, there is nothing left to roll back.
                with contextlib.suppress(sqlite3.Error):
                    if self._writer.in_transaction:
                        await self._writer.execute("ROLLBACK")
                if is_busy(exc):
                    raise DatabaseBusy(f"the database was busy: {exc}") from exc
                raise
        finally:
            self._write_lock.release()

    async def schema_version(self) -> int:
        async with self._reader.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    # -- meta --------------------------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        async with self._reader.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def set_meta(self, key: str, value: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- fans ------------------------------------------------------------------------------------------------

    async def spoiler_level(self, user_id: int) -> SpoilerLevel:
        """How far a fan has watched; "none" for anyone who never said."""
        cached = self._spoiler_levels.get(user_id)
        if cached is not None:
            return cached
        async with self._reader.execute(
            "SELECT spoiler_level FROM fans WHERE user_id = ?", (user_id,)
        ) as cursor:
            row = await cursor.fetchone()
        level: SpoilerLevel = row[0] if row else "none"
        self._spoiler_levels[user_id] = level
        return level

    async def set_spoiler_level(self, user_id: int, level: SpoilerLevel) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO fans (user_id, spoiler_level, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET spoiler_level = excluded.spoiler_level,"
                " updated_at = excluded.updated_at",
                (user_id, level, _now()),
            )
        self._spoiler_levels[user_id] = level

    # -- show data ---------------------------------------------------------------------------------------

    async def catalog(self, guild_id: int | None) -> Catalog:
        """The show data a place answers from, as it is now: the server's own copy, or the bundled pack
        outside servers. Loaded (and its name indexes built) in a worker thread for a large server."""
        if guild_id is None:
            return self._pack_catalog
        cached = self._catalogs.get(guild_id)
        if cached is not None:
            return cached
        return await asyncio.shield(self._loading_task(guild_id))

    async def lookup_catalog(self, guild_id: int | None, wait: float = LOOKUP_WAIT) -> Catalog | None:
        """For a fan's lookup: the data as it is now if it is ready within `wait` seconds, else the data as it
        was before the latest change (a very large server's is rebuilt in the background meanwhile); None when
        the server's data is still loading for the first time after FIRST_LOAD_WAIT."""
        if guild_id is None:
            return self._pack_catalog
        cached = self._catalogs.get(guild_id)
        if cached is not None:
            return cached
        task = self._loading_task(guild_id)
        stale = self._stale.get(guild_id)
        try:
            return await asyncio.wait_for(
                asyncio.shield(task), wait if stale is not None else FIRST_LOAD_WAIT
            )
        except TimeoutError:
            return stale

    def is_current(self, guild_id: int | None, catalog: Catalog) -> bool:
        """Whether `catalog` is the server's data as it is now (not the one answering while it is rebuilt)."""
        return guild_id is None or self._catalogs.get(guild_id) is catalog

    def _loading_task(self, guild_id: int) -> asyncio.Task[Catalog]:
        """The task loading a server's data as of its latest change (one at a time per server)."""
        generation = self._generations.get(guild_id, 0)
        loading = self._loading.get(guild_id)
        if loading is not None and loading[0] == generation:
            return loading[1]
        task = asyncio.get_running_loop().create_task(self._fresh_catalog(guild_id))
        self._loading[guild_id] = (generation, task)

        def done(finished: asyncio.Task[Catalog]) -> None:
            if self._loading.get(guild_id, (None, None))[1] is finished:
                del self._loading[guild_id]
            if not finished.cancelled() and finished.exception() is not None:
                log.debug("Loading guild %s's data failed", guild_id, exc_info=finished.exception())

        task.add_done_callback(done)
        return task

    async def _fresh_catalog(self, guild_id: int) -> Catalog:
        now = asyncio.get_running_loop().time()
        if now < self._seed_retry_at.get(guild_id, 0.0):
            return await self._catalog_as_is(guild_id)
        try:
            await self.ensure_guild(guild_id)
        except DatabaseBusy as exc:
            # Fans' lookups only read: they answer from what the server has, and seeding or upgrading it waits
            # for a later lookup.
            log.warning(
                "Guild %s: could not bring its data up to date (%s); answering from it as is", guild_id, exc
            )
            self._seed_retry_at[guild_id] = now + SEED_RETRY_PAUSE
            return await self._catalog_as_is(guild_id)
        self._seed_retry_at.pop(guild_id, None)
        generation = self._generations.get(guild_id, 0)
        catalog = await self._load_catalog(guild_id)
        if self._generations.get(guild_id, 0) == generation:
            self._catalogs[guild_id] = catalog
            self._stale.pop(guild_id, None)
        return catalog

    async def _catalog_as_is(self, guild_id: int) -> Catalog:
        """A server's data as stored, uncached; the pack itself for a server never seeded (its copy would be)."""
        if not list(
            await self._reader.execute_fetchall("SELECT 1 FROM guilds WHERE guild_id = ?", (guild_id,))
        ):
            return self._pack_catalog
        return await self._load_catalog(guild_id)

    def forget(self, guild_id: int) -> None:
        """Drop a server's cached catalog after its data changed; the next lookup reads it afresh (fans'
        lookups answer from the previous one while a large server's is rebuilt)."""
        self._generations[guild_id] = self._generations.get(guild_id, 0) + 1
        previous = self._catalogs.pop(guild_id, None)
        if previous is not None:
            self._stale[guild_id] = previous

    async def ensure_guild(self, guild_id: int) -> None:
        """Seed a server's copy from the pack the first time, or bring it up to a newer pack.

        An entry reaches the server from a newer pack only while its moderators have not changed it: its
        data still hashes to the pack entry it was taken from. Entries a moderator removed stay removed.
        """
        if guild_id in self._current:
            return
        # Already seeded from this very pack (every start but the first after an upgrade): nothing to write, so
        # a lookup never waits for a writer.
        seeded = list(
            await self._reader.execute_fetchall(
                "SELECT pack_digest FROM guilds WHERE guild_id = ?", (guild_id,)
            )
        )
        if seeded and seeded[0][0] == self.pack.digest:
            self._current.add(guild_id)
            return
        async with self.transaction() as db:
            async with db.execute("SELECT pack_digest FROM guilds WHERE guild_id = ?", (guild_id,)) as cursor:
                row = await cursor.fetchone()
            now = _now()
            if row is None:
                await db.execute(
                    "INSERT INTO guilds (guild_id, pack_digest, seeded_at, updated_at) VALUES (?, ?, ?, ?)",
                    (guild_id, self.pack.digest, now, now),
                )
                await db.executemany(
                    "INSERT INTO entries (guild_id, kind, key, data, origin_digest, updated_at, position)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (guild_id, kind, key, data.decode(), entry_digest(data), now, position)
                        for position, (kind, key, data) in enumerate(self._pack_rows())
                    ],
                )
                log.info("Seeded guild %s from the bundled pack", guild_id)
            elif row[0] != self.pack.digest:
                updated = await self._upgrade_guild(db, guild_id, now)
                log.info("Brought guild %s up to the bundled pack: %d entries changed", guild_id, updated)
        self._current.add(guild_id)
        self.forget(guild_id)

    def _pack_rows(self) -> list[tuple[str, str, bytes]]:
        return [(kind, key, encode_entry(entry)) for kind, key, entry in self.pack.entries()]

    async def _upgrade_guild(self, db: aiosqlite.Connection, guild_id: int, now: str) -> int:
        async with db.execute(
            "SELECT kind, key, data, origin_digest, deleted FROM entries WHERE guild_id = ?", (guild_id,)
        ) as cursor:
            existing = {(row[0], row[1]): (row[2], row[3], row[4]) for row in await cursor.fetchall()}
        # What the newer pack brings: new entries, entries this server never changed, and removals of those.
        plan: dict[tuple[str, str], tuple[str, bytes | None, str | None, int]] = {}
        in_pack: set[tuple[str, str]] = set()
        for position, (kind, key, data) in enumerate(self._pack_rows()):
            in_pack.add((kind, key))
            digest = entry_digest(data)
            current = existing.get((kind, key))
            if current is None:
                plan[kind, key] = ("insert", data, digest, position)
                continue
            current_data, origin, deleted = current
            untouched = origin is not None and entry_digest(current_data.encode()) == origin
            if not deleted and untouched and origin != digest:
                plan[kind, key] = ("update", data, digest, position)
        for (kind, key), (current_data, origin, deleted) in existing.items():
            untouched = origin is not None and entry_digest(current_data.encode()) == origin
            if (kind, key) not in in_pack and untouched and not deleted:
                plan[kind, key] = ("delete", None, None, 0)
        live = {
            where: decode_entry(where[0], data)
            for where, (data, _, deleted) in existing.items()
            if not deleted
        }
        for where in _unlawful(live, plan):
            # The server's own data came first: a name its moderators gave away, a cast member one of their
            # characters plays. The pack's version waits (and is offered again by the next pack).
            log.warning(
                "Guild %s: kept its own %s %r instead of the pack's, which would break a rule",
                guild_id,
                *where,
            )
            del plan[where]
        changed = 0
        for (kind, key), (action, blob, planned_digest, position) in plan.items():
            if action == "insert":
                assert blob is not None
                await db.execute(
                    "INSERT INTO entries (guild_id, kind, key, data, origin_digest, updated_at, position)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (guild_id, kind, key, blob.decode(), planned_digest, now, position),
                )
            elif action == "update":
                assert blob is not None
                if kind == "season":
                    before = getattr(live.get((kind, key)), "release", None)
                    after = getattr(decode_entry(kind, blob), "release", None)
                    if before != after:
                        # A newer pack announced (or moved) a premiere: its reminders follow.
                        await self._reschedule(db, guild_id, int(key), after)
                await db.execute(
                    "UPDATE entries SET data = ?, origin_digest = ?, version = version + 1, updated_at = ?,"
                    " position = ? WHERE guild_id = ? AND kind = ? AND key = ?",
                    (blob.decode(), planned_digest, now, position, guild_id, kind, key),
                )
            else:
                # The pack dropped an entry this server never changed: drop it too.
                await db.execute(
                    "DELETE FROM entries WHERE guild_id = ? AND kind = ? AND key = ?", (guild_id, kind, key)
                )
            changed += 1
        await db.execute(
            "UPDATE guilds SET pack_digest = ?, updated_at = ? WHERE guild_id = ?",
            (self.pack.digest, now, guild_id),
        )
        return changed

    async def _load_catalog(self, guild_id: int) -> Catalog:
        rows = list(
            await self._reader.execute_fetchall(
                "SELECT kind, key, data, origin_digest, updated_at FROM entries WHERE guild_id = ? AND deleted = 0"
                " ORDER BY position, key",
                (guild_id,),
            )
        )
        build = functools.partial(
            build_catalog, rows, as_of=self.pack.meta.as_of, guild_id=guild_id, fallback_show=self.pack.show
        )
        # Decoding a large server's entries and building its name indexes takes seconds: never on the loop.
        return await asyncio.to_thread(build) if len(rows) > BUILD_IN_THREAD else build()


def _unlawful(
    live: dict[tuple[str, str], Entry], plan: dict[tuple[str, str], tuple[str, bytes | None, str | None, int]]
) -> list[tuple[str, str]]:
    """The parts of a pack upgrade that would break a rule with what the server has (bot.rules, as for any
    other change): the upgrades and additions involved, or the removals if nothing else is."""
    plan = dict(plan)
    unlawful: list[tuple[str, str]] = []
    for _ in range(len(plan) + 1):
        after = dict(live)
        for where, (action, data, _, _) in plan.items():
            if action == "delete":
                after.pop(where, None)
            else:
                after[where] = decode_entry(where[0], data or b"")
        changed = set(plan)
        before = {p.identity for p in state_problems(live.values(), changed=changed)}
        problems = [p for p in state_problems(after.values(), changed=changed) if p.identity not in before]
        if not problems:
            break
        blamed = {(p.kind or "", p.key or "") for p in problems} & set(plan)
        if not blamed:
            # A problem of an entry the pack does not touch: one of the pack's removals broke a reference.
            blamed = {where for where, (action, *_) in plan.items() if action == "delete"}
        if not blamed:
            break
        for where in blamed:
            del plan[where]
            unlawful.append(where)
    return unlawful


def build_catalog(rows: list[Any], *, as_of: dt.date, guild_id: int, fallback_show: Show) -> Catalog:
    """A server's catalog from its entry rows, with the name indexes its lookups search, built ahead."""
    entries: list[Entry] = []
    last_edited: dt.datetime | None = None
    for kind, key, data, origin, updated_at in rows:
        try:
            entries.append(decode_entry(kind, data))
        except msgspec.ValidationError:
            # One unreadable row must not take the whole server's data down with it.
            log.exception("Skipping unreadable %s %r of guild %s", kind, key, guild_id)
            continue
        if origin is None or entry_digest(data.encode()) != origin:
            # A moderator's edit: the data is fresher than the pack's as-of date.
            edited = dt.datetime.fromisoformat(updated_at)
            edited = edited if edited.tzinfo else edited.replace(tzinfo=dt.UTC)
            last_edited = edited if last_edited is None else max(last_edited, edited)
    catalog = Catalog.from_entries(
        entries, as_of=as_of, guild_id=guild_id, last_edited=last_edited, fallback_show=fallback_show
    )
    characters_of(catalog)
    people_of(catalog)
    return catalog


async def _migrate(db: aiosqlite.Connection, migrations: list[Migration]) -> None:
    """Apply every migration newer than the database's user_version, all in one transaction."""
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    latest = migrations[-1].version if migrations else 0
    if current > latest:
        raise MigrationError(
            f"the database is at schema version {current}, newer than this bot knows ({latest}): "
            "run a newer version of the bot or restore a backup"
        )
    pending = [m for m in migrations if m.version > current]
    if not pending:
        return
    # executescript() would commit any open transaction first, so the BEGIN and COMMIT are part of the script.
    # Foreign keys are off while migrating (SQLite's way of rebuilding a table drops it, which would cascade)
    # and checked before the commit.
    script = ["PRAGMA foreign_keys = OFF;", "BEGIN IMMEDIATE;"]
    for migration in pending:
        script.append(migration.path.read_text(encoding="utf-8"))
    script.append(f"PRAGMA user_version = {latest};")
    try:
        await db.executescript("\n".join(script))
        async with db.execute("PRAGMA foreign_key_check") as cursor:
            broken = list(await cursor.fetchall())
        if broken:
            raise MigrationError(f"migrating would break {len(broken)} references: {broken[:3]}")
        await db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            await db.execute("ROLLBACK")
        raise
    finally:
        await db.execute("PRAGMA foreign_keys = ON")
    log.info("Migrated the database from schema version %d to %d", current, latest)
