"""The store's drafts: moderators' previews and forms, kept until used, so a restart loses nothing.

A preview leaves the state "open" exactly once: in the transaction that saves its change
(`ModerationRepository.commit_change` with a `PreviewClaim`), or when it is cancelled or expires
(`settle_preview`). Whoever comes second learns what the first did.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import aiosqlite

# How long drafts are kept: long after any Discord interaction token (15 minutes) could still use them.
DRAFTS_KEPT = dt.timedelta(days=2)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


class PreviewTaken(Exception):
    """The preview was no longer open (saved, cancelled, expired or refused already): nothing was written."""


@dataclass(frozen=True)
class PreviewClaim:
    """Who saves a preview, and when they pressed: the change is saved only if the preview was still open
    (and not expired) at that moment."""

    preview_id: int
    actor_id: int
    actor_name: str
    pressed_at: dt.datetime


@dataclass(frozen=True)
class StoredPreview:
    id: int
    guild_id: int
    owner_id: int
    pending: bytes
    state: str
    outcome: dict[str, Any] | None
    actor_id: int | None
    actor_name: str | None
    created_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class StoredForm:
    id: int
    guild_id: int
    owner_id: int
    kind: str
    key: str
    part: str
    status: str | None
    version: int
    shown: dict[str, str]
    typed: dict[str, str] | None


class DraftRepository:
    """Mixed into Store: previews and forms."""

    def transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        raise NotImplementedError

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    # -- previews --------------------------------------------------------------------------------------------

    async def open_preview(self, guild_id: int, owner_id: int, pending: bytes, lifetime: dt.timedelta) -> int:
        now = _utcnow()
        async with self.transaction() as db:
            # Old drafts go as new ones come: nothing else needs them.
            await db.execute("DELETE FROM previews WHERE created_at < ?", (_iso(now - DRAFTS_KEPT),))
            cursor = await db.execute(
                "INSERT INTO previews (guild_id, owner_id, pending, created_at, expires_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (guild_id, owner_id, pending, _iso(now), _iso(now + lifetime), _iso(now)),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def preview(self, preview_id: int) -> StoredPreview | None:
        rows = await self._rows(
            "SELECT id, guild_id, owner_id, pending, state, outcome, actor_id, actor_name, created_at, expires_at"
            " FROM previews WHERE id = ?",
            (preview_id,),
        )
        if not rows:
            return None
        row = rows[0]
        return StoredPreview(
            id=row[0],
            guild_id=row[1],
            owner_id=row[2],
            pending=bytes(row[3]),
            state=row[4],
            outcome=json.loads(row[5]) if row[5] else None,
            actor_id=row[6],
            actor_name=row[7],
            created_at=dt.datetime.fromisoformat(row[8]),
            expires_at=dt.datetime.fromisoformat(row[9]),
        )

    async def settle_preview(
        self,
        preview_id: int,
        state: str,
        *,
        actor_id: int | None = None,
        actor_name: str | None = None,
        outcome: dict[str, Any] | None = None,
        at: dt.datetime | None = None,
    ) -> bool:
        """Move an open preview to `state` (cancelled, expired, refused); False if it was no longer open. A
        press at `at` cancels only if the preview had not expired by then."""
        now = _utcnow()
        expiry = "" if state == "expired" else " AND expires_at > ?"
        params: list[object] = [
            state,
            json.dumps(outcome) if outcome else None,
            actor_id,
            actor_name,
            _iso(now),
        ]
        params.append(preview_id)
        if expiry:
            params.append(_iso(at or now))
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE previews SET state = ?, outcome = ?, actor_id = ?, actor_name = ?, updated_at = ?"
                f" WHERE id = ? AND state = 'open'{expiry}",
                params,
            )
            return cursor.rowcount == 1

    async def swap_preview(self, preview_id: int, pending: bytes) -> bool:
        """Replace an open preview's change (by the fuller one it offered); False if no longer open."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE previews SET pending = ?, updated_at = ? WHERE id = ? AND state = 'open'",
                (pending, _iso(_utcnow()), preview_id),
            )
            return cursor.rowcount == 1

    async def _claim_preview(
        self, db: aiosqlite.Connection, claim: PreviewClaim, outcome: dict[str, Any]
    ) -> None:
        """In the caller's transaction: mark the preview saved, or raise PreviewTaken (rolling it all back)."""
        cursor = await db.execute(
            "UPDATE previews SET state = 'saved', outcome = ?, actor_id = ?, actor_name = ?, updated_at = ?"
            " WHERE id = ? AND state = 'open' AND expires_at > ?",
            (
                json.dumps(outcome),
                claim.actor_id,
                claim.actor_name,
                _iso(_utcnow()),
                claim.preview_id,
                _iso(claim.pressed_at),
            ),
        )
        if cursor.rowcount != 1:
            raise PreviewTaken(f"preview {claim.preview_id} is no longer open")

    async def _record_claim(
        self, db: aiosqlite.Connection, claim: PreviewClaim, outcome: dict[str, Any]
    ) -> None:
        """In the claiming transaction: what the saved preview became (its revision numbers)."""
        await db.execute(
            "UPDATE previews SET outcome = ? WHERE id = ?", (json.dumps(outcome), claim.preview_id)
        )

    # -- forms -----------------------------------------------------------------------------------------------

    async def open_form(
        self,
        guild_id: int,
        owner_id: int,
        kind: str,
        key: str,
        part: str,
        status: str | None,
        version: int,
        shown: dict[str, str],
    ) -> int:
        now = _utcnow()
        async with self.transaction() as db:
            await db.execute("DELETE FROM forms WHERE created_at < ?", (_iso(now - DRAFTS_KEPT),))
            cursor = await db.execute(
                "INSERT INTO forms (guild_id, owner_id, kind, key, part, status, version, shown, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    owner_id,
                    kind,
                    key,
                    part,
                    status,
                    version,
                    json.dumps(shown, ensure_ascii=False),
                    _iso(now),
                ),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def form(self, form_id: int) -> StoredForm | None:
        rows = await self._rows(
            "SELECT id, guild_id, owner_id, kind, key, part, status, version, shown, typed FROM forms WHERE id = ?",
            (form_id,),
        )
        if not rows:
            return None
        row = rows[0]
        return StoredForm(
            id=row[0],
            guild_id=row[1],
            owner_id=row[2],
            kind=row[3],
            key=row[4],
            part=row[5],
            status=row[6],
            version=row[7],
            shown=json.loads(row[8]),
            typed=json.loads(row[9]) if row[9] else None,
        )

    async def record_form(self, form_id: int, typed: dict[str, str]) -> None:
        """Keep what was submitted in a form, to give it back if the form is refused."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE forms SET typed = ? WHERE id = ?", (json.dumps(typed, ensure_ascii=False), form_id)
            )
