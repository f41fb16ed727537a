"""A background loop that works through what is due, sleeps until the next thing is, and wakes on demand.

The outbox deliverer and the premiere scheduler are both one: their work lives in the store (so a restart
loses nothing), `run_once()` does what is due now, and `next_due()` says when to look again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable

from bot.store import DatabaseBusy

log = logging.getLogger(__name__)

# How long stopping waits for the item in hand to be recorded before cancelling.
STOP_GRACE = 5.0
# With nothing due, how long a loop sleeps before looking again anyway.
IDLE_WAIT = 30.0
# After an error, how long a loop waits before trying what is due again (rather than at once, forever).
ERROR_PAUSE = 10.0
# While another writer holds the database, the first pause before trying again; it doubles up to ERROR_PAUSE.
BUSY_PAUSE = 0.5


class DueLoop:
    name = "background-loop"

    def __init__(self, clock: Callable[[], dt.datetime], idle: float = IDLE_WAIT) -> None:
        self.clock = clock
        self.idle = idle
        self.errors = 0
        # Passes in a row that found the database busy: the pause before the next one grows with them.
        self.busy = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def run_once(self) -> int:
        raise NotImplementedError

    async def next_due(self) -> dt.datetime | None:
        raise NotImplementedError

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Let the item in hand finish (so its state is recorded), then stop."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        done, _ = await asyncio.wait([self._task], timeout=STOP_GRACE)
        if not done:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            self.errors = 0
            wait = self.idle
            try:
                await self.run_once()
                if self._stopping:
                    break
                due = await self.next_due()
                if due is not None:
                    wait = max(0.0, min(wait, (due - self.clock()).total_seconds()))
            except DatabaseBusy as exc:
                # Nothing was lost: what was due is still in the store, and is tried again once the lock clears.
                pause = min(ERROR_PAUSE, BUSY_PAUSE * 2**self.busy)
                self.busy += 1
                log.warning("%s: the database is busy (%s); trying again in %.1f s", self.name, exc, pause)
                wait = pause
            except Exception:
                log.exception("%s failed; it will try again", self.name)
                self.errors += 1
            else:
                self.busy = 0
            if self._stopping:
                break
            if self.errors:
                wait = max(wait, ERROR_PAUSE)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
