"""A helper module: private modules are never loaded as extensions."""

from __future__ import annotations

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    raise AssertionError("private modules must not be loaded")
