"""/cast: the whole cast, paged, or one actor's card."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import answer, current_catalog, fan_catalog
from bot.cards import cast_pages, person_card
from bot.i18n import lang_of
from bot.lookups import audience_level, send_card, send_miss
from bot.search import people_of
from bot.views import CARD_OPENERS, PAGE_MAKERS, send_pages

if TYPE_CHECKING:
    from bot.client import AoadBot


class Cast(commands.Cog):
    def __init__(self, bot: AoadBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        CARD_OPENERS["person"] = self.open_card
        PAGE_MAKERS["c"] = self.cast_list

    async def cog_unload(self) -> None:
        CARD_OPENERS.pop("person", None)
        PAGE_MAKERS.pop("c", None)

    async def cast_list(self, interaction: discord.Interaction, arg: str) -> list[discord.Embed]:
        return cast_pages(await fan_catalog(interaction, update=True), lang_of(interaction))

    @app_commands.command(name="cast", description="The cast, or one actor's roles and Season 2 status")
    @app_commands.describe(
        name="An actor (or a character they play): any spelling, or Hangul. Leave out for the whole cast",
        private="Show the answer only to you",
    )
    async def cast(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100] | None = None,
        private: bool = False,
    ) -> None:
        lang = lang_of(interaction)
        catalog = await fan_catalog(interaction, private=private)
        if name is None:
            await send_pages(interaction, "c", "", cast_pages(catalog, lang), ephemeral=private)
            return
        key, suggestions = people_of(catalog).resolve(name)
        if key is None and (current := await current_catalog(interaction, catalog, private=private)):
            # Missed in the data as it was before a change (a very large server's is being rebuilt): the name
            # may be the one just added.
            key, suggestions = people_of(current).resolve(name)
        if key is None:
            await send_miss(interaction, kind="person", typed=name, hits=suggestions, private=private)
            return
        await self.open_card(interaction, key, private)

    @cast.autocomplete("name")
    async def name_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # Autocomplete cannot wait: while a very large server's data first loads, it has no suggestions.
        catalog = await self.bot.store.lookup_catalog(interaction.guild_id)
        if catalog is None:
            return []
        return [
            app_commands.Choice(name=hit.label, value=hit.key) for hit in people_of(catalog).search(current)
        ]

    async def open_card(self, interaction: discord.Interaction, key: str, private: bool) -> None:
        lang = lang_of(interaction)
        catalog = await fan_catalog(interaction, private=private)
        person = catalog.person(key)
        if person is None:
            await answer(
                interaction, lang.t("That cast member is no longer in this server's data."), ephemeral=True
            )
            return
        level = await audience_level(interaction, private)
        await send_card(interaction, person_card(catalog, person, level, lang), private=private)


async def setup(bot: AoadBot) -> None:
    await bot.add_cog(Cast(bot))
