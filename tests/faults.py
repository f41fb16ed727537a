"""What the fault tests share: a server with the bot in it whose clocks the test moves, and their checks."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.client import AoadBot
from bot.pack import Pack
from tests.cogs.world import Clock, World, new_guild
from tests.fakediscord import Callback, FakeDiscord, Guild, InteractionResult, Role
from tests.harness import eventually, running_bot

EPHEMERAL = 64
MESSAGES = ("POST", "/channels/{channel_id}/messages")


@dataclass
class FaultWorld(World):
    database: Path
    clock: Clock
    """The deliverer's clock: moving it makes retries due without sleeping."""
    premiere_clock: Clock

    async def outbox_settled(self, limit: float = 10.0) -> None:
        """Move the clock past every retry until each outbox row is done or failed for good."""

        async def settled() -> bool:
            items = await self.bot.store.outbox_items(self.guild.id)
            if all(i.state in ("done", "failed") for i in items):
                return True
            self.clock.offset += dt.timedelta(minutes=15)
            assert self.bot.deliverer is not None
            self.bot.deliverer.wake()
            return False

        await eventually(settled, "every outbox row to be delivered", limit)


@asynccontextmanager
async def fault_world(
    tmp_path: Path, pack: Pack, before_start: Callable[[FakeDiscord], None] | None = None, **changes: object
) -> AsyncIterator[FaultWorld]:
    """The default test server with the bot connected; the deliverer's and scheduler's clocks are the test's.

    `before_start` programs the fake before the bot logs in (faults on the routes used at start-up).
    """
    guild, ping, helpers = new_guild()
    database = tmp_path / "bot.db"
    async with FakeDiscord(guilds=[guild]) as fake:
        if before_start is not None:
            before_start(fake)
        async with running_bot(fake, database, pack, **changes) as bot:
            yield _world(fake, guild, ping, helpers, bot, database)
        assert fake.unknown_requests == []


def _world(
    fake: FakeDiscord, guild: Guild, ping: Role, helpers: Role, bot: AoadBot, database: Path
) -> FaultWorld:
    clock, premiere_clock = Clock(), Clock()
    assert bot.deliverer is not None
    assert bot.premiere is not None
    bot.deliverer.clock = clock
    bot.premiere.clock = premiere_clock
    return FaultWorld(fake, guild, bot, ping, helpers, database, clock, premiere_clock)


@asynccontextmanager
async def locked(database: Path, how: str = "IMMEDIATE") -> AsyncIterator[sqlite3.Connection]:
    """Another program holding the bot's database for writing (a backup tool, an operator's sqlite3 shell).

    It waits its turn without blocking the event loop: the bot may be between two statements of a transaction.
    """
    other = sqlite3.connect(database, isolation_level=None, timeout=0)
    try:
        async with asyncio.timeout(5):
            while True:
                try:
                    other.execute(f"BEGIN {how}")
                    break
                except sqlite3.OperationalError:
                    await asyncio.sleep(0.01)
        other.execute("UPDATE meta SET value = value WHERE 0")
        yield other
        other.execute("ROLLBACK")
    finally:
        other.close()


def assert_kind(reply: Callback) -> str:
    """A failure told privately, in words, without a traceback or an exception's text."""
    assert reply.ephemeral, reply
    text = reply.content or ""
    assert text, reply
    for leak in ("Traceback", "Error(", "Exception", "sqlite3", "OperationalError", "HTTPException"):
        assert leak not in text, text
    return text


DISCORD_DEADLINE = 3.0


def answered_in_time(result: InteractionResult) -> float:
    """Discord's only timed rule: the first answer within 3 s. Returns the latency."""
    assert result.latency is not None, "the interaction was never answered"
    assert result.latency < DISCORD_DEADLINE, f"answered after {result.latency:.2f} s"
    return result.latency
