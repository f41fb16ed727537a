"""What every lookup command shares: whom a reply is for, and how a card or a miss is sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.answers import answer
from bot.cards import Drawn
from bot.i18n import lang_of
from bot.models import SpoilerLevel
from bot.render import escape, truncate
from bot.search import Hit
from bot.views import reveal_view, suggestions_view

if TYPE_CHECKING:
    from bot.client import AoadBot


async def audience_level(interaction: discord.Interaction, private: bool) -> SpoilerLevel:
    """The spoiler level a reply is drawn at.

    A private reply, or one in the fan's DM with the bot, is read by the fan alone: their own level. A
    public reply in a channel is read by everyone there, and nobody else has opted in: it is drawn at
    "none", every spoiler behind a Reveal button that answers each reader privately.
    """
    if private or isinstance(interaction.channel, discord.DMChannel):
        bot: AoadBot = interaction.client  # type: ignore[assignment]
        return await bot.store.spoiler_level(interaction.user.id)
    return "none"


async def send_card(interaction: discord.Interaction, drawn: Drawn, *, private: bool) -> None:
    await answer(
        interaction,
        embed=drawn.embed,
        view=reveal_view(drawn.hidden, lang_of(interaction)),
        ephemeral=private,
    )


async def send_miss(
    interaction: discord.Interaction, *, kind: str, typed: str, hits: list[Hit], private: bool
) -> None:
    """Say kindly, and only to the asker, that nothing matched, with up to three "did you mean" buttons."""
    lang = lang_of(interaction)
    shown = escape(truncate(typed.strip(), 80)) or "…"
    if kind == "character":
        text = lang.t("I couldn't find a character called “{name}”.", name=shown)
    else:
        text = lang.t("I couldn't find a cast member called “{name}”.", name=shown)
    view = suggestions_view(kind, [(hit.key, hit.label) for hit in hits], private)
    if view is None:
        text += " " + lang.t("Try /cast to browse them all.")
        await answer(interaction, text, ephemeral=True)
    else:
        text += " " + lang.t("Did you mean one of these?")
        await answer(interaction, text, view=view, ephemeral=True)
