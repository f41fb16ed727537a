"""Errors in layers: expected ones carry a message fit to show; unexpected ones are logged, never shown.

Every error reply is ephemeral, in the reader's language, and no traceback or exception text ever reaches a
user.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.i18n import ENGLISH, N_, Lang, Message, lang_of

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = N_(
    "Sorry, something went wrong on our side while answering that. It has been logged; please try again in a "
    "moment."
)

DATABASE_BUSY = N_("The database is busy right now, so nothing was saved. Please try again in a few seconds.")
DISCORD_TROUBLE = N_(
    "Discord had a problem with that just now (error {status}), so it may not have gone through. Please try "
    "again in a moment."
)


class StoreError(Exception):
    """The database cannot be opened or used; the message is one line fit to show an operator."""


class DatabaseBusy(StoreError):
    """Another writer held the database longer than the busy timeout: nothing was written. Try again later."""


class UserFacingError(app_commands.AppCommandError):
    """An expected problem with what the user asked, with a kind message that says what to do.

    The message is an English catalogue text with `{placeholders}`, or a `Message` (one with a counted
    word: `Message.counted`); it is translated when shown, into the language of whoever reads it. Values must
    already be safe to show (escaped).
    """

    def __init__(self, message: str | Message, /, **values: Any) -> None:
        if isinstance(message, Message):
            text = Message(message.template, {**message.values, **values}, message.plural)
        else:
            text = Message(message, values)
        super().__init__(text.render(ENGLISH))
        self.text = text
        self.template = text.template
        self.values = text.values

    def render(self, lang: Lang) -> str:
        return self.text.render(lang)

    @property
    def message(self) -> str:
        return self.render(ENGLISH)


async def send_ephemeral(interaction: discord.Interaction, content: str) -> None:
    """Answer ephemerally whether or not the interaction was already responded to."""
    content = content[:2000]
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True)
    else:
        await interaction.response.send_message(content, ephemeral=True)


def describe_check_failure(error: app_commands.AppCommandError, lang: Lang) -> str | None:
    """A friendly sentence for the errors discord.py raises before a command runs, or None."""
    if isinstance(error, app_commands.CommandOnCooldown):
        return lang.t(
            "Easy there! You can use this again in {seconds} s.", seconds=f"{error.retry_after:.0f}"
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return lang.t("This command works in a server, not in DMs.")
    if isinstance(
        error, app_commands.MissingPermissions | app_commands.MissingAnyRole | app_commands.MissingRole
    ):
        return lang.t("You don't have permission to use this command here.")
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return lang.t(
            "I'm missing permissions I need here: {missing}. A server admin can grant them.", missing=missing
        )
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return lang.t(
            "This command has just changed. Please wait a minute for Discord to catch up and try again."
        )
    if isinstance(error, app_commands.TransformerError):
        value = str(error.value)
        shown = value if len(value) <= 100 else value[:99] + "…"
        return lang.t(
            "I couldn't understand “{value}” for that option.", value=discord.utils.escape_markdown(shown)
        )
    if isinstance(error, app_commands.CheckFailure):
        return lang.t("You can't use this command here.")
    return None


async def report_error(interaction: discord.Interaction, error: BaseException, where: str) -> None:
    """Tell the user, in their language and privately, what went wrong; log what they must not see."""
    lang = lang_of(interaction)
    message: str | None
    if isinstance(error, app_commands.TransformerError) and error.__cause__ is not None:
        # An option's Transformer failed reading it: what it raised is what to tell (or to log).
        cause = error.__cause__
        if isinstance(cause, UserFacingError | StoreError):
            error = cause
        else:
            log.error("Reading an option failed in %s", where, exc_info=cause)
    if isinstance(error, DatabaseBusy):
        # Expected while another program (a backup, a migration, an operator's sqlite3) holds the database.
        log.warning("The database was busy in %s: %s", where, error)
        error = UserFacingError(DATABASE_BUSY)
    if isinstance(error, UserFacingError):
        message = error.render(lang)
    elif isinstance(error, discord.DiscordServerError) or (
        isinstance(error, discord.HTTPException) and error.status == 429
    ):
        # Discord's own trouble (an outage, a rate limit discord.py stopped waiting for): not a bug here.
        log.warning("Discord failed a request in %s: %s", where, error)
        message = lang.t(DISCORD_TROUBLE, status=error.status)
    else:
        message = (
            describe_check_failure(error, lang) if isinstance(error, app_commands.AppCommandError) else None
        )
        if message is None:
            log.error("Unhandled error in %s", where, exc_info=error)
            message = lang.t(SOMETHING_WENT_WRONG)
    try:
        await send_ephemeral(interaction, message)
    except discord.HTTPException:
        log.warning("Could not tell the user about an error (interaction %s)", interaction.id, exc_info=True)


class ErrorHandlingTree(app_commands.CommandTree["discord.Client"]):
    """The one place where app-command errors become replies."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        command = interaction.command.qualified_name if interaction.command else "?"
        await report_error(interaction, original, f"/{command}")
