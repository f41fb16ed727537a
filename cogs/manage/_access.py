"""Who may change a server's data: members with Manage Server, or the server's moderator role.

Checked by the bot on every command and button that changes data: Discord's `default_permissions` only
hides /manage, and server admins can override it per role, member or channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserFacingError
from bot.i18n import Lang

if TYPE_CHECKING:
    from bot.client import AoadBot


class NotModerator(UserFacingError):
    pass


# /manage commands that only show: a refusal of them must not speak of changing anything.
READ_ONLY = frozenset({"manage history", "manage export"})


def _given_options(interaction: discord.Interaction) -> list[object]:
    """The options typed to a subcommand of /manage (none: `/manage setup` only shows the settings)."""
    data: dict[str, Any] = dict(interaction.data or {})
    subcommands: list[dict[str, Any]] = data.get("options") or [{}]
    return list(subcommands[0].get("options") or [])


async def ensure_moderator(interaction: discord.Interaction) -> None:
    if interaction.guild_id is None:
        raise UserFacingError("The moderator commands work in a server.")
    permissions = interaction.permissions
    if permissions.manage_guild or permissions.administrator:
        return
    bot: AoadBot = interaction.client  # type: ignore[assignment]
    settings = await bot.store.get_settings(interaction.guild_id)
    roles = getattr(interaction.user, "roles", [])
    if settings.moderator_role_id is not None and any(r.id == settings.moderator_role_id for r in roles):
        return
    command = interaction.command
    slash = interaction.type is discord.InteractionType.application_command
    name = command.qualified_name if slash and command is not None else ""
    if name in READ_ONLY or (name == "manage setup" and not _given_options(interaction)):
        raise NotModerator(
            "Only members with the Manage Server permission, or the server's moderator role, can use "
            "`/{command}`.",
            command=name,
        )
    raise NotModerator(
        "Only members with the Manage Server permission, or the server's moderator role, can change the data. "
        "Nothing was changed."
    )


async def server_lang(bot: AoadBot, interaction: discord.Interaction) -> Lang:
    """The language announcements are posted in: the server's choice, else its preferred locale on Discord."""
    assert interaction.guild_id is not None
    settings = await bot.store.get_settings(interaction.guild_id)
    if settings.language:
        return Lang(settings.language)
    return Lang.of(interaction.guild_locale)


async def failing_note(bot: AoadBot, guild_id: int, lang: Lang) -> str:
    """A warning about channels the bot can no longer post in, for moderator replies until fixed."""
    failing = await bot.store.failing_channels(guild_id)
    return "".join(
        "\n"
        + lang.t(
            "⚠️ I can't post in <#{channel}> ({reason}); fix my permissions there, then run `/manage setup` with "
            "that channel again.",
            channel=c.channel_id,
            reason=c.reason,
        )
        for c in failing
    )
