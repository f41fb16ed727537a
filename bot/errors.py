"""Errors in layers: expected ones carry a message fit to show; unexpected ones are logged, never shown.

Every error reply is ephemeral, and no traceback or exception text ever reaches a user.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on our side while answering that. It has been logged; please try again in a "
    "moment."
)


class UserFacingError(app_commands.AppCommandError):
    """An expected problem with what the user asked, with a kind message that says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def send_ephemeral(interaction: discord.Interaction, content: str) -> None:
    """Answer ephemerally whether or not the interaction was already responded to."""
    content = content[:2000]
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True)
    else:
        await interaction.response.send_message(content, ephemeral=True)


def describe_check_failure(error: app_commands.AppCommandError) -> str | None:
    """A friendly sentence for the errors discord.py raises before a command runs, or None."""
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Easy there! You can use this again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server, not in DMs."
    if isinstance(
        error, app_commands.MissingPermissions | app_commands.MissingAnyRole | app_commands.MissingRole
    ):
        return "You don't have permission to use this command here."
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"I'm missing permissions I need here: {missing}. A server admin can grant them."
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "This command has just changed. Please wait a minute for Discord to catch up and try again."
    if isinstance(error, app_commands.TransformerError):
        value = str(error.value)
        shown = value if len(value) <= 100 else value[:99] + "…"
        return f"I couldn't understand “{discord.utils.escape_markdown(shown)}” for that option."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    return None


class ErrorHandlingTree(app_commands.CommandTree["discord.Client"]):
    """The one place where app-command errors become replies."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        message: str | None
        if isinstance(original, UserFacingError):
            message = original.message
        else:
            message = describe_check_failure(error)
            if message is None:
                command = interaction.command.qualified_name if interaction.command else "?"
                log.error("Unhandled error in /%s", command, exc_info=original)
                message = SOMETHING_WENT_WRONG
        try:
            await send_ephemeral(interaction, message)
        except discord.HTTPException:
            log.warning(
                "Could not tell the user about an error (interaction %s)", interaction.id, exc_info=True
            )
