"""Entry point: `python -m bot` runs the bot; `python -m bot sync [--guild ID]` syncs its commands now.

`main()` owns every resource: it reads the settings and the pack, opens the store, builds the bot with them
and closes them all on the way out. Expected start-up problems (a missing token, a broken pack) print one
friendly line and exit with code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
