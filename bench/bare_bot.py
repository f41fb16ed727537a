"""The floor: a bare discord.py bot with the same command shapes and intents, answering constants.

    python -m bench.bare_bot --api-base URL --gateway URL

The token comes from DISCORD_TOKEN. It syncs its commands at start (the fake Discord builds interactions
from what was synced), then answers /character with a constant reply and its autocomplete with constant
choices, and /about likewise: the least any bot can do for the same interactions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal

import discord
from discord import app_commands

from tests.fakediscord.redirect import patch_discord


class BareBot(discord.Client):
    def __init__(self) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none())
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(name="character", description="A constant answer")
        async def character(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message("ok")

        @character.autocomplete("name")
        async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name="Choi Nam-ra", value="choi-nam-ra")]

        @self.tree.command(name="about", description="A constant answer")
        async def about(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("ok")

    async def setup_hook(self) -> None:
        await self.tree.sync()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--gateway", required=True)
    options = parser.parse_args()
    patch_discord(options.api_base, options.gateway)
    bot = BareBot()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main())
