"""Saving a preview: what Post, Save without announcing and Apply do, once, whatever else is going on.

The change and the preview's leaving "open" are committed together (see `cogs.manage._preview`); the press is
answered with the outcome at once when the save is quick, else "Saving…" first. Behind another server's long
write the save waits its turn; a save that fails unexpectedly brings the message back to what the store says.
The preview's buttons are drawn by the caller (`Views`), so this module does not depend on the one that draws
them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import discord

from bot.announce import outbox_drafts
from bot.answers import update, wait_longer
from bot.drafts_store import PreviewClaim, PreviewTaken
from bot.errors import DatabaseBusy
from bot.i18n import Lang, lang_of
from bot.moderation_store import ConflictError
from bot.premiere import sync_premiere_event
from bot.render import truncate
from bot.rules import RuleViolation
from bot.store import queued_writes
from cogs.manage._access import failing_note, server_lang
from cogs.manage._drafts import Draft, what_happened
from cogs.manage._edits import catalog_entries, check_changes

if TYPE_CHECKING:
    from bot.client import AoadBot

log = logging.getLogger(__name__)

# A save that takes longer than this is answered "Saving…" first, then with its outcome.
QUICK_ANSWER = 1.5
# Times a save is checked again when other changes keep landing between its check and its commit.
RECHECKS = 3


class Views(NamedTuple):
    """A preview's buttons, as the preview draws them: open (for another try), and closed (used)."""

    open: Callable[[int, Draft, Lang], discord.ui.View]
    closed: Callable[[int, Draft, Lang], discord.ui.View]


def actor_name(interaction: discord.Interaction) -> str:
    return getattr(interaction.user, "display_name", interaction.user.name)


async def save(
    interaction: discord.Interaction,
    bot: AoadBot,
    preview_id: int,
    draft: Draft,
    *,
    announce: bool,
    pressed_at: dt.datetime,
    views: Views,
) -> None:
    """Save (and announce) the change: answered with the outcome at once when the save is quick, else with
    "Saving…" first (the buttons switched off either way) and the outcome when it is known."""
    lang = lang_of(interaction)
    # Behind another server's import, every write of the save waits its turn (the press says "Saving…").
    with queued_writes(wait_longer):
        saving = asyncio.ensure_future(
            _commit(interaction, bot, preview_id, draft, announce, pressed_at, views)
        )
    await asyncio.wait({saving}, timeout=QUICK_ANSWER)
    try:
        if saving.done():
            text, view, events = saving.result()
            if view is None:
                # Nothing happened (a busy database): the preview stays as it was, and this is said apart.
                await interaction.response.send_message(text, ephemeral=True)
            else:
                await interaction.response.edit_message(content=text, embeds=[], view=view)
        else:
            await interaction.response.edit_message(
                content=lang.t("⏳ Saving… this takes a moment for a change this size."),
                view=views.closed(preview_id, draft, lang),
            )
            text, view, events = await saving
            if view is None:
                await interaction.edit_original_response(
                    content=draft.shown.content,
                    embed=discord.Embed.from_dict(draft.shown.embed),
                    view=views.open(preview_id, draft, lang),
                )
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.edit_original_response(content=text, embeds=[], view=view)
    except discord.HTTPException:
        # What was saved is saved, and what follows it runs anyway: only the moderator's message is stale.
        log.warning("Could not show the outcome of preview %s; the store has it", preview_id, exc_info=True)
        try:
            _, _, events = await saving
        except Exception:
            log.exception("Saving preview %s failed", preview_id)
            events = None
    except Exception as exc:
        # The save failed in a way no branch above tells (the database busy even after waiting its turn, a
        # bug): the message is brought to what the store says, never left at "Saving…".
        log.error("Saving preview %s failed", preview_id, exc_info=exc)
        await _after_failure(interaction, bot, preview_id, draft, lang, views)
        return
    if events is not None:
        for problem in await events:
            try:
                await interaction.followup.send(problem.render(lang), ephemeral=True)
            except discord.HTTPException:
                log.warning("Could not tell a moderator about a Scheduled Event problem", exc_info=True)


async def _after_failure(
    interaction: discord.Interaction, bot: AoadBot, preview_id: int, draft: Draft, lang: Lang, views: Views
) -> None:
    """After a save that failed unexpectedly: the preview as it is in the store (still open: its buttons
    back, for another try; else what became of it), and a private word."""
    try:
        stored = await bot.store.preview(preview_id)
    except DatabaseBusy:
        stored = None
    if stored is not None and stored.state == "open":
        content, embed, view = (
            draft.shown.content,
            discord.Embed.from_dict(draft.shown.embed),
            views.open(preview_id, draft, lang),
        )
        note = lang.t("Something went wrong while saving, so nothing was saved yet: press the button again.")
    else:
        content, embed, view = (
            what_happened(stored, lang, draft.shown.lang),
            None,
            views.closed(preview_id, draft, lang),
        )
        note = None
    with contextlib.suppress(discord.HTTPException):
        await update(interaction, content=content, embed=embed, view=view)
        if note is not None:
            await interaction.followup.send(note, ephemeral=True)


async def _commit(
    interaction: discord.Interaction,
    bot: AoadBot,
    preview_id: int,
    draft: Draft,
    announce: bool,
    pressed_at: dt.datetime,
    views: Views,
) -> tuple[str, discord.ui.View | None, asyncio.Future[list[Any]] | None]:
    """Save the change with the preview's claim: the moderator's message, the buttons it leaves (None: the
    preview is still open, as it was), and the Scheduled Event sync it set off (which runs whatever becomes of
    the reply)."""
    lang = lang_of(interaction)
    store = bot.store
    pending = await asyncio.to_thread(draft.pending) if len(draft.changes) > 50 else draft.pending()
    settings = await store.get_settings(draft.guild_id)
    failing = frozenset(c.channel_id for c in await store.failing_channels(draft.guild_id))
    author = actor_name(interaction)
    drafts = outbox_drafts(
        settings,
        title=pending.title,
        body=pending.body,
        announce=announce,
        author=author,
        failing=failing,
        lang=await server_lang(bot, interaction),
    )
    announced = announce and any(d.purpose == "announcement" for d in drafts)
    try:
        for attempt in range(RECHECKS):
            expected = pending.expected_state
            if expected is None:
                # Checked again against the data as it is now, and saved only if nothing changed since this
                # check: two moderators' previews cannot together break a rule (give one name to two entries,
                # say) that neither breaks alone.
                expected = await store.state_of(draft.guild_id)
                await check_changes(catalog_entries(await store.catalog(draft.guild_id)), pending.changes)
            try:
                result = await store.commit_change(
                    draft.guild_id,
                    pending.changes,
                    summary=pending.summary or pending.title,
                    author_id=interaction.user.id,
                    author_name=author,
                    outbox=drafts,
                    reverts=pending.reverts,
                    # One action is one revision, undone whole: a cast member added with their role is not
                    # two revisions, one of which could not be undone alone.
                    batch=pending.batch or len(pending.changes) > 1,
                    expected_state=expected,
                    claim=PreviewClaim(preview_id, interaction.user.id, author, pressed_at),
                    announced=announced,
                )
                break
            except ConflictError as exc:
                # Something else in the server changed between the check and the save: check again.
                if not exc.whole or pending.expected_state is not None or attempt + 1 == RECHECKS:
                    raise
    except RuleViolation as refused:
        await store.settle_preview(
            preview_id, "refused", actor_id=interaction.user.id, actor_name=author, outcome={"rules": True}
        )
        return refused.render(lang), views.closed(preview_id, draft, lang), None
    except DatabaseBusy as exc:
        # Nothing was written and the preview is still open: its buttons stay, for another try.
        log.warning("The database was busy saving a change in guild %s: %s", draft.guild_id, exc)
        button = lang.t("Apply") if draft.quiet else lang.t("Post")
        return (
            lang.t(
                "The database is busy right now, so nothing was saved yet. Your preview is still here: press "
                "**{button}** again in a few seconds.",
                button=button,
            ),
            None,
            None,
        )
    except PreviewTaken:
        stored = await store.preview(preview_id)
        return what_happened(stored, lang, draft.shown.lang), views.closed(preview_id, draft, lang), None
    except ConflictError:
        if pending.expected_state is not None:
            conflict = lang.t(
                "⚠️ This server's data changed after this preview was made (another moderator's edit?), so "
                "nothing was saved. Run the command again to compare with the current data."
            )
        else:
            conflict = lang.t(
                "⚠️ Someone changed this entry while you were editing it, so nothing was saved. Run the "
                "command again to start from the current version."
            )
        await store.settle_preview(
            preview_id,
            "refused",
            actor_id=interaction.user.id,
            actor_name=author,
            outcome={"conflict": pending.expected_state is not None},
        )
        return conflict, views.closed(preview_id, draft, lang), None
    # The deliverer and the premiere follow the commit itself, whatever becomes of the reply.
    if bot.deliverer is not None:
        bot.deliverer.wake()
    seasons = {int(change.key) for change in pending.changes if change.kind == "season"}
    events: asyncio.Future[list[Any]] | None = None
    if seasons:
        if bot.premiere is not None:
            bot.premiere.wake()
        events = asyncio.ensure_future(_sync_events(bot, draft.guild_id, seasons))
    numbers = ", ".join(f"#{r.id}" for r in result.revisions)
    count = len(result.revisions)
    if pending.quiet:
        done = lang.n(
            "✅ Applied as revision {numbers}, without announcing.",
            "✅ Applied as revisions {numbers}, without announcing.",
            count,
            numbers=numbers,
        )
    elif announced:
        done = lang.n(
            "📣 Saved as revision {numbers} and queued for <#{channel}>.",
            "📣 Saved as revisions {numbers} and queued for <#{channel}>.",
            count,
            numbers=numbers,
            channel=settings.announce_channel_id,
        )
    else:
        done = lang.n(
            "💾 Saved as revision {numbers}, without announcing.",
            "💾 Saved as revisions {numbers}, without announcing.",
            count,
            numbers=numbers,
        )
    done += await failing_note(bot, draft.guild_id, lang)
    return truncate(done, 2000), views.closed(preview_id, draft, lang), events


async def _sync_events(bot: AoadBot, guild_id: int, seasons: set[int]) -> list[Any]:
    """The premiere's Scheduled Event follows a saved release date: the problems to tell the moderator."""
    problems = []
    for season in sorted(seasons):
        problem = await sync_premiere_event(bot, guild_id, season)
        if problem:
            problems.append(problem)
    return problems
