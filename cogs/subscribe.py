"""/subscribe: a fan toggles the server's announcement ping role on themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.subscriptions import toggle_subscription

if TYPE_CHECKING:
    from bot.client import AoadBot


class Subscribe(commands.Cog):
    def __init__(self, bot: AoadBot) -> None:
        self.bot = bot

    @app_commands.command(name="subscribe", description="Get (or stop getting) pinged when there is news")
    @app_commands.guild_only()
    async def subscribe(self, interaction: discord.Interaction) -> None:
        await toggle_subscription(interaction)


async def setup(bot: AoadBot) -> None:
    await bot.add_cog(Subscribe(bot))
