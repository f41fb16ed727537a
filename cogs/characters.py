"""/character: a character's card, found however fans type the name."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import answer, current_catalog, fan_catalog
from bot.cards import character_card
from bot.i18n import lang_of
from bot.lookups import audience_level, send_card, send_miss
from bot.search import characters_of
from bot.views import CARD_OPENERS

if TYPE_CHECKING:
    from bot.client import AoadBot


class Characters(commands.Cog):
    def __init__(self, bot: AoadBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        CARD_OPENERS["character"] = self.open_card

    async def cog_unload(self) -> None:
        CARD_OPENERS.pop("character", None)

    @app_commands.command(
        name="character", description="A character's card: who they are, who plays them, their fate, Season 2"
    )
    @app_commands.describe(
        name="The character, or the actor who plays them: any spelling, or Hangul",
        private="Show the answer only to you",
    )
    async def character(
        self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100], private: bool = False
    ) -> None:
        catalog = await fan_catalog(interaction, private=private)
        key, suggestions = characters_of(catalog).resolve(name)
        if key is None and (current := await current_catalog(interaction, catalog, private=private)):
            # Missed in the data as it was before a change (a very large server's is being rebuilt): the name
            # may be the one just added.
            key, suggestions = characters_of(current).resolve(name)
        if key is None:
            await send_miss(interaction, kind="character", typed=name, hits=suggestions, private=private)
            return
        await self.open_card(interaction, key, private)

    @character.autocomplete("name")
    async def name_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # Autocomplete cannot wait: while a very large server's data first loads, it has no suggestions.
        catalog = await self.bot.store.lookup_catalog(interaction.guild_id)
        if catalog is None:
            return []
        return [
            app_commands.Choice(name=hit.label, value=hit.key)
            for hit in characters_of(catalog).search(current)
        ]

    async def open_card(self, interaction: discord.Interaction, key: str, private: bool) -> None:
        lang = lang_of(interaction)
        catalog = await fan_catalog(interaction, private=private)
        character = catalog.character(key)
        if character is None:
            await answer(
                interaction, lang.t("That character is no longer in this server's data."), ephemeral=True
            )
            return
        level = await audience_level(interaction, private)
        await send_card(interaction, character_card(catalog, character, level, lang), private=private)


async def setup(bot: AoadBot) -> None:
    await bot.add_cog(Characters(bot))
