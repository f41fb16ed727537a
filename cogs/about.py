"""/about: what the bot is, how fresh its data is and where it comes from, and how fast it is answering."""

from __future__ import annotations

import datetime as dt
import math
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog import Catalog
from bot.render import Field, card, link_target, link_text, source_url

if TYPE_CHECKING:
    from bot.client import AoadBot

SOURCES_SHOWN = 12


def publications(catalog: Catalog) -> list[str]:
    """Each publication the data cites once, linked to an article of it where one is known."""
    by_name: dict[str, str | None] = {}
    for source in catalog.sources():
        if by_name.get(source.name) is None:
            by_name[source.name] = source_url(source)
    return [f"[{link_text(name)}]({link_target(url)})" if url else name for name, url in by_name.items()]


def about_card(catalog: Catalog, latency: float, version: str) -> discord.Embed:
    show = catalog.show
    title_ko = f" ({show.title_ko})" if show.title_ko else ""
    description = (
        f"A fan-made guide to *{show.title}*{title_ko} on {show.streaming_service}: the cast, the characters "
        "and Season 2's status. Every fact shows its sources and how sure they are (confirmed, reported or "
        "unconfirmed), and spoilers stay hidden until you say how far you have watched."
    )
    freshness = f"Bundled data as of {discord.utils.format_dt(_midday(catalog.as_of), 'D')}"
    if catalog.last_edited is not None:
        freshness += (
            f"\nLast updated by this server's moderators {discord.utils.format_dt(catalog.last_edited, 'R')}"
        )
    elif catalog.guild_id is None:
        freshness += "\nOutside a server, answers come from the bundled data."
    names = publications(catalog)
    shown = ", ".join(names[:SOURCES_SHOWN])
    if len(names) > SOURCES_SHOWN:
        shown += f" and {len(names) - SOURCES_SHOWN} more"
    heartbeat = f"{latency * 1000:.0f} ms" if math.isfinite(latency) else "still measuring"
    return card(
        title="About this bot",
        description=description,
        fields=[
            Field("Data", freshness),
            Field(f"Sources ({len(names)})", shown or "none"),
            Field("Latency", f"Gateway heartbeat: {heartbeat}", inline=True),
            Field("Version", version, inline=True),
        ],
        footer=f"Not affiliated with {show.streaming_service}. "
        + (
            "Corrections go to this server's moderators."
            if catalog.guild_id is not None
            else "Every fact is cited."
        ),
    )


def _midday(day: dt.date) -> dt.datetime:
    """A date as an instant that falls on that date in every time zone, for a Discord date stamp."""
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


class About(commands.Cog):
    def __init__(self, bot: AoadBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="about", description="What this bot is, how fresh its data is, and its sources"
    )
    @app_commands.describe(private="Show the answer only to you")
    async def about(self, interaction: discord.Interaction, private: bool = False) -> None:
        catalog = await self.bot.store.catalog(interaction.guild_id)
        embed = about_card(catalog, self.bot.latency, _version())
        await interaction.response.send_message(embed=embed, ephemeral=private)


def _version() -> str:
    try:
        return version("aoad-bot")
    except PackageNotFoundError:
        return "development"


async def setup(bot: AoadBot) -> None:
    await bot.add_cog(About(bot))
