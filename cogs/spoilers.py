"""/spoilers: a fan says how far they have watched, and replies meant for them follow it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import answer, saving_for
from bot.i18n import N_, lang_of
from bot.models import SpoilerLevel

if TYPE_CHECKING:
    from bot.client import AoadBot

LEVEL_CHOICES = [
    app_commands.Choice(name="none: I haven't finished Season 1, hide everything", value="none"),
    app_commands.Choice(name="s1: I've seen Season 1", value="s1"),
    app_commands.Choice(name="s2: I've seen Season 1 and follow Season 2 news", value="s2"),
]

EXPLAINED: dict[str, str] = {
    "none": N_("Season 1 fates and Season 2 news stay hidden behind spoiler tags for you."),
    "s1": N_(
        "You'll see Season 1 fates plainly; Season 2 news that reveals how Season 1 ended stays hidden."
    ),
    "s2": N_("You'll see Season 1 fates and Season 2 news plainly."),
}

PUBLIC_NOTE = N_(
    "Public replies in a channel are read by everyone there, so they always keep spoilers behind tags and "
    "Reveal buttons; your level applies to private replies (`private: True`) and to DMs with me."
)


class Spoilers(commands.Cog):
    def __init__(self, bot: AoadBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="spoilers", description="Say how far you have watched, so spoilers stay hidden"
    )
    @app_commands.describe(level="How far you have watched (leave out to see your current setting)")
    @app_commands.choices(level=LEVEL_CHOICES)
    async def spoilers(
        self, interaction: discord.Interaction, level: app_commands.Choice[str] | None = None
    ) -> None:
        lang = lang_of(interaction)
        if level is None:
            current = await self.bot.store.spoiler_level(interaction.user.id)
            text = lang.t("Your spoiler level is **{level}**.", level=current)
        else:
            chosen: SpoilerLevel = level.value  # type: ignore[assignment]
            with saving_for(interaction):
                await self.bot.store.set_spoiler_level(interaction.user.id, chosen)
            current = chosen
            text = lang.t("Got it: your spoiler level is now **{level}**.", level=chosen)
        await answer(
            interaction, f"{text} {lang.t(EXPLAINED[current])}\n{lang.t(PUBLIC_NOTE)}", ephemeral=True
        )


async def setup(bot: AoadBot) -> None:
    await bot.add_cog(Spoilers(bot))
