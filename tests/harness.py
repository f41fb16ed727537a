"""Running the real bot against the fake Discord, in-process or as a subprocess."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from bot.client import AoadBot
from bot.pack import Pack
from bot.settings import Secret, Settings
from bot.store import Store
from tests.fakediscord import FakeDiscord

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def settings_for(fake: FakeDiscord, database: Path, **changes: object) -> Settings:
    return replace(Settings(token=Secret(fake.token), database_path=database), **changes)  # type: ignore[arg-type]


@asynccontextmanager
async def running_bot(
    fake: FakeDiscord, database: Path, pack: Pack, **changes: object
) -> AsyncIterator[AoadBot]:
    """The real bot, in this process, connected to `fake` and ready; closed cleanly afterwards."""
    extensions = changes.pop("extensions_package", None)
    settings = settings_for(fake, database, **changes)
    async with Store.open(settings.database_path, pack) as store:
        options: dict[str, object] = {"guild_ready_timeout": 0.05}
        if extensions is not None:
            options["extensions_package"] = extensions
        bot = AoadBot(settings=settings, store=store, **options)  # type: ignore[arg-type]
        async with fake.running(bot):
            yield bot


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str


def bot_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """A clean environment for a bot subprocess: nothing of the developer's own settings leaks in."""
    env = {k: v for k, v in os.environ.items() if k not in _SETTINGS}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    env.update(extra)
    return env


_SETTINGS = (
    "DISCORD_TOKEN",
    "DATABASE_PATH",
    "DEV_GUILD_ID",
    "OWNER_IDS",
    "LOG_LEVEL",
    "PACK_DIR",
    "LOOKUP_RATE",
    "AUTOCOMPLETE_RATE",
)


async def run_bot_process(
    args: list[str], env: Mapping[str, str], cwd: Path, limit: float = 20.0
) -> Finished:
    """Run `python -m bot ARGS` (or any argv after the interpreter) to completion."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=cwd,
        env=bot_environment(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), limit)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


async def eventually(check: Callable[[], Awaitable[bool]], what: str, limit: float = 5.0) -> None:
    """Wait until `check()` is true, polling: for state the bot records in the background."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {limit:g}s waiting for {what}")
        await asyncio.sleep(0.02)


class LogRecords(logging.Handler):
    """Every record at its level or above, from every logger."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def capturing_logs(level: int) -> Iterator[LogRecords]:
    """What the bot (and discord.py) log while the block runs, from `level` up."""
    handler = LogRecords(level)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
