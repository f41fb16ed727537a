"""A working extension with one command."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands


class Good(commands.Cog):
    @app_commands.command(name="ping", description="Answers pong")
    async def ping(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Good())
