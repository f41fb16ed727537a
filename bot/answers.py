"""Answering fans within Discord's 3 seconds, whatever the size of a server's data.

A server's data is loaded once and kept; after a moderator's change it is loaded again, and a fan's lookup
meanwhile answers from the data as it was. Only the very first lookup in a very large server (100,000
characters) has nothing to answer from while its data loads, for a few seconds: that one is deferred first
("thinking…"), and answered when the data is ready. `answer` and `update` then send the reply whichever way the
interaction was acknowledged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import discord

from bot.store import queued_writes

if TYPE_CHECKING:
    from bot.catalog import Catalog
    from bot.client import AoadBot

# Where `fan_catalog` notes how it acknowledged an interaction: "public", "private" or "update".
DEFERRED = "aoad-deferred"
# How long a save waits behind the bot's other writes once its interaction is acknowledged: an import at the
# size limit holds the database for a second or two.
QUEUED_WRITE_WAIT = 30.0
# When a first answer that cannot be deferred (a form) must be sent by, in seconds after the interaction.
FIRST_ANSWER_BY = 2.5


async def fan_catalog(
    interaction: discord.Interaction, *, private: bool = True, update: bool = False
) -> Catalog:
    """The data a fan's lookup answers from, the interaction acknowledged first if it must wait for it.

    `private`: the answer will be private (a thinking reply is then private too). `update`: the answer edits
    the message the fan pressed a button on."""
    bot: AoadBot = interaction.client  # type: ignore[assignment]
    found = await bot.store.lookup_catalog(interaction.guild_id)
    if found is not None:
        return found
    await acknowledge(interaction, private=private, update=update)
    return await bot.store.catalog(interaction.guild_id)


async def acknowledge(
    interaction: discord.Interaction, *, private: bool = True, update: bool = False
) -> None:
    """Acknowledge the interaction before slow work, unless it was already answered: "thinking…" (private
    unless `private` is False), or with `update` a deferred update of the pressed message. Where it was
    acknowledged is noted for `answer`."""
    if interaction.response.is_done():
        return
    if update:
        await interaction.response.defer()
        interaction.extras[DEFERRED] = "update"
    else:
        await interaction.response.defer(ephemeral=private, thinking=True)
        interaction.extras[DEFERRED] = "private" if private else "public"


async def current_catalog(
    interaction: discord.Interaction, catalog: Catalog, *, private: bool = True
) -> Catalog | None:
    """After a name was not found in `catalog`: the data as it is now if `catalog` is the one answering while
    a very large server's data is rebuilt after a change (the name may be the one just added), the interaction
    acknowledged first; None if `catalog` is already current."""
    bot: AoadBot = interaction.client  # type: ignore[assignment]
    if bot.store.is_current(interaction.guild_id, catalog):
        return None
    await acknowledge(interaction, private=private)
    return await bot.store.catalog(interaction.guild_id)


async def answer(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    ephemeral: bool,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
) -> None:
    """Reply, as the interaction's first answer or after `fan_catalog` deferred it.

    A private answer to a lookup that was deferred in public (a miss, say) goes privately: the public
    "thinking…" is removed first."""
    options: dict[str, Any] = {"embed": embed} if embed is not None else {}
    if view is not None:
        options["view"] = view
    if not interaction.response.is_done():
        await interaction.response.send_message(content, ephemeral=ephemeral, **options)
        return
    if ephemeral and interaction.extras.get(DEFERRED) == "public":
        await interaction.delete_original_response()
    await interaction.followup.send(content or discord.utils.MISSING, ephemeral=ephemeral, **options)


async def update(interaction: discord.Interaction, **fields: Any) -> None:
    """Edit the message a button was pressed on (content, embed(s), view), as the first answer or after a
    deferred update."""
    if interaction.response.is_done():
        await interaction.edit_original_response(**fields)
    else:
        await interaction.response.edit_message(**fields)


@contextlib.contextmanager
def saving_for(
    interaction: discord.Interaction, *, private: bool = True, update: bool = False
) -> Iterator[None]:
    """Around the saves an interaction's answer follows. When the bot's other writes hold the database (another
    server's import at the size limit), the interaction is acknowledged first ("thinking…", privately unless
    `private` is False) and the save waits its turn, instead of failing as busy: the answer still comes
    within Discord's 3 s, and says what happened. Answer with `answer` (either way is handled); with `update`
    (a button whose message the answer edits), the acknowledgement is a deferred update: answer with
    `update`."""

    async def acknowledged() -> float:
        await acknowledge(interaction, private=private, update=update)
        return QUEUED_WRITE_WAIT

    with queued_writes(acknowledged):
        yield


async def wait_longer() -> float:
    """For `queued_writes` where the interaction is acknowledged otherwise (a preview's "Saving…")."""
    return QUEUED_WRITE_WAIT


def first_answer_left(interaction: discord.Interaction) -> float:
    """Seconds left for an interaction's first answer (Discord's 3 s, less a margin to send it)."""
    elapsed = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    return max(0.0, FIRST_ANSWER_BY - elapsed)
