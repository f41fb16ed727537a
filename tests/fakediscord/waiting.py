"""Waiting on the fake's state from tests, always with a deadline and a clear failure message."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

# Waiting helpers take timeout= so a wait that runs out fails the test naming what it waited for.
# ruff: noqa: ASYNC109

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT = 5.0
"""Seconds a helper waits before failing the test."""


class Changes:
    """A broadcast "something changed" signal that waiters re-check their condition on.

    Every state change in the fake calls :meth:`notify`; :meth:`wait_for` re-evaluates its predicate after
    each notification, so waits never miss a change that happened before they started.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.problems: list[str] = []
        """Errors inside the fake itself; every timed-out wait reports them, since they are the likely cause."""

    def notify(self) -> None:
        """Wake every waiter to re-check its condition."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T | None], what: str, timeout: float | None = None) -> T:
        """Wait until ``predicate()`` returns something other than None or False, and return it.

        Raises AssertionError naming ``what`` if ``timeout`` seconds (default 5) pass first.
        """
        limit = DEFAULT_TIMEOUT if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            result = predicate()
            if result is not None and result is not False:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(self._timeout_message(what, limit))
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue

    def _timeout_message(self, what: str, timeout: float) -> str:
        message = f"timed out after {timeout:g}s waiting for {what}"
        if self.problems:
            message += "; the fake recorded problems: " + "; ".join(self.problems)
        return message
