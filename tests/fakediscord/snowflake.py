"""Snowflake ids and timestamps shaped like Discord's.

Realistic ids matter: discord.py derives ``created_at`` from them, and code under test may sort by them
or compare them with ``discord.utils.time_snowflake``.
"""

from __future__ import annotations

import datetime
import itertools
import logging
import os
import threading
import time

log = logging.getLogger(__name__)

DISCORD_EPOCH_MS = 1_420_070_400_000
"""Milliseconds between the Unix epoch and Discord's epoch (2015-01-01)."""


class SnowflakeGenerator:
    """Makes unique, increasing snowflakes from the current time, as Discord's id workers do."""

    def __init__(self, worker_id: int = 1, process_id: int | None = None) -> None:
        self._worker_id = worker_id & 0x1F
        self._process_id = (os.getpid() if process_id is None else process_id) & 0x1F
        self._increment = itertools.count()
        self._last = 0
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
            value = (
                (millis << 22)
                | (self._worker_id << 17)
                | (self._process_id << 12)
                | (next(self._increment) & 0xFFF)
            )
            # Several ids within one millisecond could wrap the 12-bit increment; keep them increasing.
            value = max(value, self._last + 1)
            self._last = value
            return value


new_snowflake = SnowflakeGenerator()
"""The shared generator used by the fixture for every object it creates."""


def snowflake_time(snowflake: int) -> datetime.datetime:
    """The creation time encoded in ``snowflake``."""
    millis = (snowflake >> 22) + DISCORD_EPOCH_MS
    return datetime.datetime.fromtimestamp(millis / 1000, tz=datetime.UTC)


def iso_timestamp(moment: datetime.datetime | None = None) -> str:
    """An ISO 8601 timestamp with microseconds and offset, the format Discord uses in payloads."""
    moment = moment or datetime.datetime.now(datetime.UTC)
    return moment.isoformat(timespec="microseconds")
