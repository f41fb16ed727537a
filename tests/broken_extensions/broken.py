"""An extension whose setup fails, as a buggy feature would."""

from __future__ import annotations

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    raise RuntimeError("this extension is broken on purpose")
