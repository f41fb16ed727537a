"""Entry point: `python -m bot` runs the bot; `python -m bot sync [--guild ID]` syncs its commands now;
`python -m bot backup PATH` copies the database safely while the bot runs.

`main()` owns every resource: it reads the settings and the pack, opens the store, builds the bot with them
and closes them all on the way out. Expected start-up problems (a missing token, a broken pack) print one
friendly line and exit with code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import discord

from bot.client import AoadBot, SyncError
from bot.logs import setup_logging
from bot.pack import Pack, PackError, load_pack
from bot.settings import Settings, SettingsError, load_settings, log_level_number
from bot.store import Store, StoreError

log = logging.getLogger("bot")

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="The All of Us Are Dead Discord bot.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="connect to Discord and serve (the default)")
    sync = commands.add_parser("sync", help="sync the slash commands to Discord now, then exit")
    backup = commands.add_parser(
        "backup", help="copy the database safely, even while the bot runs, then exit"
    )
    backup.add_argument(
        "path", type=Path, metavar="PATH", help="where to write the copy (must not exist yet)"
    )
    sync.add_argument(
        "--guild", type=int, metavar="ID", help="sync to this server only (instant) instead of globally"
    )
    sync.add_argument(
        "--clear", action="store_true", help="with --guild: remove that server's own copy of the commands"
    )
    return parser


async def _run(settings: Settings, pack: Pack, command: str, guild_id: int | None, clear: bool) -> int:
    async with Store.open(settings.database_path, pack) as store:
        if command == "sync":
            async with AoadBot(settings=settings, store=store, sync_on_start=False) as bot:
                await bot.login(settings.token.get())
                if clear and guild_id:
                    await bot.clear_guild_commands(discord.Object(guild_id))
                    print(f"Removed server {guild_id}'s own copy of the commands.")
                    return 0
                count = await bot.sync_commands(discord.Object(guild_id) if guild_id else None)
                where = f"to server {guild_id}" if guild_id else "globally (may take up to an hour to show)"
                print(f"Synced {count} commands {where}.")
            return 0
        async with AoadBot(settings=settings, store=store) as bot:
            # A service manager stops the bot with SIGTERM: close the connection cleanly, as Ctrl+C does.
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
            await bot.start(settings.token.get())
    return 0


def backup_database(source: Path, target: Path) -> int:
    """Copy a live database with SQLite's online backup, from a connection of its own. Returns the pages."""
    if target.exists():
        raise StoreError(
            f"{target} already exists: choose a new file name, so no earlier backup is overwritten"
        )
    if not source.is_file():
        raise StoreError(f"there is no database at {source} to back up (check DATABASE_PATH)")
    target.parent.mkdir(parents=True, exist_ok=True)
    pages = 0

    # Read-only and with a busy timeout: the running bot keeps writing while the copy is made.
    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal pages
        pages = total

    with (
        contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as live,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        live.backup(copy, pages=256, progress=progress)
        check = copy.execute("PRAGMA integrity_check").fetchone()
        if check is None or check[0] != "ok":
            raise StoreError(f"the copy at {target} failed its integrity check: {check}")
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "backup":
        try:
            settings = load_settings(require_token=False)
            pages = backup_database(settings.database_path, args.path)
        except (SettingsError, StoreError, sqlite3.Error) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        print(f"Backed up {settings.database_path} to {args.path} ({pages} pages, integrity ok).")
        return 0
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(log_level_number(settings), secrets=[settings.token.get()])
    try:
        pack = load_pack(settings.pack_dir)
    except PackError as exc:
        print(f"error: the data pack is broken: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        if getattr(args, "clear", False) and not args.guild:
            print(
                "error: --clear needs --guild ID: global commands are replaced by a plain sync.",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        command = args.command or "run"
        return asyncio.run(
            _run(settings, pack, command, getattr(args, "guild", None), getattr(args, "clear", False))
        )
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except SyncError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except discord.LoginFailure:
        print(
            "error: Discord rejected DISCORD_TOKEN. Reset the token on the Developer Portal's Bot page and "
            "put the new one in .env.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except discord.DiscordServerError as exc:
        # Discord's outage, not a setting to fix: exit code 1, so a service manager starts the bot again.
        print(
            f"error: Discord is not answering properly right now ({exc.status}); start the bot again in a few "
            "minutes.",
            file=sys.stderr,
        )
        return 1
    except (aiohttp.ClientError, OSError) as exc:
        # No network, DNS failing or a proxy in the way: one line, and exit code 1 so a service manager retries.
        print(
            f"error: cannot reach Discord ({type(exc).__name__}: {exc}); check this machine's network and start "
            "the bot again.",
            file=sys.stderr,
        )
        return 1
    except discord.PrivilegedIntentsRequired:
        print(
            "error: Discord refused an intent this bot did not expect to need; please report this.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        log.info("Stopped")
        return 0


if __name__ == "__main__":
    sys.exit(main())
