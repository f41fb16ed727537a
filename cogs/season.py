"""/season: a season's stage, release date and latest news, with its whole timeline a button away."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import answer, fan_catalog
from bot.cards import season_card, timeline_pages
from bot.catalog import Catalog
from bot.cooldowns import FanButton
from bot.i18n import lang_of
from bot.lookups import audience_level
from bot.views import PAGE_MAKERS, reveal_view, send_pages

if TYPE_CHECKING:
    from bot.client import AoadBot


class TimelineButton(
    FanButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"timeline:(?P<season>\d{1,2})"
):
    """Opens a season's whole timeline, privately, for whoever presses it, at their own spoiler level. Each
    press counts against the member's lookup cooldown, like the command."""

    where = "the Full timeline button"

    def __init__(self, season: int, label: str = "Full timeline") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="🗓️",
                style=discord.ButtonStyle.primary,
                custom_id=f"timeline:{season}",
            )
        )
        self.season = season

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TimelineButton:
        return cls(int(match["season"]))

    async def pressed(self, interaction: discord.Interaction) -> None:
        catalog = await fan_catalog(interaction, private=True)
        pages = await timeline_of(interaction, catalog, str(self.season))
        await send_pages(interaction, "t", str(self.season), pages, ephemeral=True)


async def timeline_of(interaction: discord.Interaction, catalog: Catalog, season: str) -> list[discord.Embed]:
    """A season's whole timeline, at the level of the fan it is shown to (privately)."""
    level = await audience_level(interaction, private=True)
    return timeline_pages(catalog, int(season), level, lang_of(interaction))


async def timeline(interaction: discord.Interaction, season: str) -> list[discord.Embed]:
    """The timeline's pages again, for Previous / Next."""
    return await timeline_of(interaction, await fan_catalog(interaction, update=True), season)


class Seasons(commands.Cog):
    def __init__(self, bot: AoadBot) -> None:
        self.bot = bot

    @app_commands.command(name="season", description="A season's stage, release date and latest news")
    @app_commands.describe(number="Which season (default: 2)", private="Show the answer only to you")
    async def season(
        self,
        interaction: discord.Interaction,
        number: app_commands.Range[int, 1, 99] = 2,
        private: bool = False,
    ) -> None:
        lang = lang_of(interaction)
        catalog = await fan_catalog(interaction, private=private)
        season = catalog.season(number)
        if season is None:
            known = ", ".join(str(s.number) for s in catalog.seasons) or "—"
            await answer(
                interaction,
                lang.t(
                    "There is no Season {number} in the data yet. Seasons I know: {known}.",
                    number=number,
                    known=known,
                ),
                ephemeral=True,
            )
            return
        level = await audience_level(interaction, private)
        drawn = season_card(catalog, season, level, lang=lang)
        view = discord.ui.View(timeout=None)
        view.add_item(TimelineButton(season.number, lang.t("Full timeline")))
        reveal_view(drawn.hidden, lang, view)
        await answer(interaction, embed=drawn.embed, view=view, ephemeral=private)


async def setup(bot: AoadBot) -> None:
    bot.add_dynamic_items(TimelineButton)
    PAGE_MAKERS["t"] = timeline
    await bot.add_cog(Seasons(bot))
