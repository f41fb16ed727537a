"""Run the project's bot against a fake Discord in a subprocess.

    python -m tests.fakediscord.launch --api-base URL --gateway URL -- <args for the bot>

patches discord.py's two addresses, then calls ``bot.__main__.main(argv)`` and exits with its return value.
``FakeDiscord.launch_argv(...)`` builds this command line.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from .redirect import patch_discord

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Parse our two options (everything after ``--`` goes to the bot), redirect, run the bot."""
    args = sys.argv[1:] if argv is None else argv
    own, bot_args = (args[: args.index("--")], args[args.index("--") + 1 :]) if "--" in args else (args, [])
    parser = argparse.ArgumentParser(prog="python -m tests.fakediscord.launch")
    parser.add_argument("--api-base", required=True, help="REST base, e.g. http://127.0.0.1:PORT/api/v10")
    parser.add_argument("--gateway", required=True, help="gateway URL, e.g. ws://127.0.0.1:PORT/")
    options = parser.parse_args(own)
    patch_discord(options.api_base, options.gateway)
    # Imported only now, so the bot cannot capture the real addresses before they are patched.
    bot_main = importlib.import_module("bot.__main__").main
    return int(bot_main(bot_args))


if __name__ == "__main__":
    sys.exit(main())
