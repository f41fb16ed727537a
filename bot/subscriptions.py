"""The opt-in ping role: fans add or remove it on themselves (/subscribe, or "Notify me")."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.errors import send_ephemeral
from bot.i18n import Lang, lang_of

if TYPE_CHECKING:
    from bot.client import AoadBot

log = logging.getLogger(__name__)


def ping_role_problem(role: discord.Role, lang: Lang) -> str | None:
    """Why a role must not be handed out to whoever asks, or None if it is a plain ping role.

    Fans give themselves the ping role: a role granting anything @everyone does not have, or the moderator
    role, would let anyone raise their own rights.
    """
    if role.is_default() or role.managed:
        return lang.t(
            "The ping role must be an ordinary role fans can opt into, not @everyone or a bot's role."
        )
    extra = role.permissions.value & ~role.guild.default_role.permissions.value
    if extra:
        names = [name.replace("_", " ").title() for name, on in discord.Permissions(extra) if on]
        return lang.t(
            "{role} grants permissions @everyone doesn't have ({permissions}), and fans give the ping role to "
            "themselves: choose a role without extra permissions.",
            role=role.mention,
            permissions=", ".join(names[:5]),
        )
    return None


async def toggle_subscription(interaction: discord.Interaction, *, only_subscribe: bool = False) -> None:
    """Give the member the server's ping role, or take it away if they have it. Always answers privately.

    `only_subscribe`: for "Notify me", which a fan presses to be notified, never to stop: pressed again, it says
    they already are and how to stop, and changes nothing."""
    lang = lang_of(interaction)
    guild = interaction.guild
    member = interaction.user
    if guild is None or not isinstance(member, discord.Member):
        await send_ephemeral(
            interaction, lang.t("Announcement pings are set per server: use this in a server.")
        )
        return
    bot: AoadBot = interaction.client  # type: ignore[assignment]
    settings = await bot.store.get_settings(guild.id)
    role = guild.get_role(settings.ping_role_id) if settings.ping_role_id else None
    if role is None:
        await send_ephemeral(
            interaction,
            lang.t(
                "This server has no announcement ping role yet. A moderator can choose one with "
                "`/manage setup ping_role:`."
            ),
        )
        return
    if ping_role_problem(role, lang) is not None or role.id == settings.moderator_role_id:
        log.warning(
            "Guild %s: ping role %s grants permissions or is the moderator role; refusing", guild.id, role.id
        )
        await send_ephemeral(
            interaction,
            lang.t(
                "The announcement role can't be handed out right now; the moderators have been asked to fix it."
            ),
        )
        return
    me = guild.me
    if not me.guild_permissions.manage_roles or role >= me.top_role:
        await send_ephemeral(
            interaction,
            lang.t(
                "I can't give out {role} yet: I need the Manage Roles permission and a role above it. Please ask a "
                "server admin.",
                role=role.mention,
            ),
        )
        return
    subscribed = any(r.id == role.id for r in member.roles)
    if subscribed and only_subscribe:
        await send_ephemeral(
            interaction,
            lang.t(
                "You already get pinged by {role} when there is news. To stop, use `/subscribe`.",
                role=role.mention,
            ),
        )
        return
    try:
        if subscribed:
            await member.remove_roles(role, reason="Unsubscribed from announcements")
        else:
            await member.add_roles(role, reason="Subscribed to announcements")
    except discord.Forbidden:
        await send_ephemeral(
            interaction,
            lang.t(
                "Discord didn't let me change {role} for you. Please ask a server admin.", role=role.mention
            ),
        )
        return
    if subscribed:
        await send_ephemeral(
            interaction, lang.t("Done: you won't be pinged by {role} any more.", role=role.mention)
        )
    else:
        await send_ephemeral(
            interaction,
            lang.t(
                "Done: you'll be pinged by {role} when there is news. Use `/subscribe` again to stop.",
                role=role.mention,
            ),
        )
