"""The moderator's preview: Post, Save without announcing (or Apply), or Cancel. Nothing is saved before a
button, and each preview is used once.

A preview is stored (`previews` table) with the change it would save, and its buttons name it by id: they
work after a restart, and whoever presses second (or a second time) is told what really happened ("Already
saved as revision #12 by Mina"). The change and the preview's leaving "open" are written in one transaction,
so a Cancel racing an Apply, or a preview expiring during a save, can never contradict what was saved. Work
after the commit (waking the deliverer, the premiere's Scheduled Event) never waits for the reply to reach
Discord.

The preview's words are in the moderator's language; the announcement it shows is in the server's, as it
will be posted.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.announce import announcement_embed, outbox_drafts
from bot.answers import edit_pressed, saving_for, wait_longer
from bot.drafts_store import PreviewClaim, PreviewTaken, StoredPreview
from bot.errors import DatabaseBusy, report_error, send_ephemeral
from bot.i18n import Lang, lang_of
from bot.moderation_store import ConflictError, utcnow
from bot.premiere import sync_premiere_event
from bot.render import truncate
from bot.rules import RuleViolation
from bot.store import queued_writes
from cogs.manage._access import ensure_moderator, failing_note, server_lang
from cogs.manage._drafts import Draft, Shown, decode_draft, draft_of, encode_draft, what_happened
from cogs.manage._edits import PendingEdit, catalog_entries, check_changes, level_lines

if TYPE_CHECKING:
    from bot.client import AoadBot

log = logging.getLogger(__name__)

PREVIEW_TIMEOUT = 600.0
# A save that takes longer than this is answered "Saving…" first, then with its outcome.
QUICK_ANSWER = 1.5
# Times a save is checked again when other changes keep landing between its check and its commit.
RECHECKS = 3
ACTIONS = ("post", "save", "cancel", "offer")


# -- the buttons -------------------------------------------------------------------------------------------


class PreviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"preview:(?P<id>\d+):(?P<action>post|save|cancel|offer)",
):
    """One of a stored preview's buttons: everything it needs is in the store, under the preview's id."""

    def __init__(
        self,
        preview_id: int,
        action: str,
        label: str = "…",
        *,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        emoji: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=truncate(label, 80),
                style=style,
                emoji=emoji,
                disabled=disabled,
                custom_id=f"preview:{preview_id}:{action}",
                row=1 if action == "offer" else 0,
            )
        )
        self.preview_id = preview_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PreviewButton:
        return cls(int(match["id"]), match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await press(interaction, self.preview_id, self.action)
        except Exception as exc:
            await report_error(interaction, exc, f"a preview button ({self.action})")


def preview_view(preview_id: int, draft: Draft, lang: Lang, *, disabled: bool = False) -> discord.ui.View:
    """The preview's buttons: Post / Save without announcing / Cancel, or Apply / Cancel for a quiet batch,
    and the offer of a fuller change when there is one."""
    view = discord.ui.View(timeout=None)
    primary, secondary = discord.ButtonStyle.primary, discord.ButtonStyle.secondary
    if draft.quiet:
        view.add_item(
            PreviewButton(preview_id, "save", lang.t("Apply"), style=primary, emoji="✅", disabled=disabled)
        )
    else:
        post_style, save_style = (primary, secondary) if draft.announce_by_default else (secondary, primary)
        view.add_item(
            PreviewButton(
                preview_id,
                "post",
                lang.t("Post"),
                style=post_style,
                emoji="📣",
                disabled=disabled or not draft.shown.can_announce,
            )
        )
        view.add_item(
            PreviewButton(
                preview_id,
                "save",
                lang.t("Save without announcing"),
                style=save_style,
                emoji="💾",
                disabled=disabled,
            )
        )
    view.add_item(
        PreviewButton(
            preview_id, "cancel", lang.t("Cancel"), style=discord.ButtonStyle.danger, disabled=disabled
        )
    )
    if draft.offer is not None and draft.offer_label and not disabled:
        view.add_item(PreviewButton(preview_id, "offer", draft.offer_label, emoji="➕"))
    return view


def _closed(preview_id: int, draft: Draft, lang: Lang) -> discord.ui.View:
    return preview_view(preview_id, draft, lang, disabled=True)


# -- sending a preview -------------------------------------------------------------------------------------


async def send_preview(interaction: discord.Interaction, bot: AoadBot, pending: PendingEdit) -> None:
    """Answer with the announcement as it would be posted, privately, and the choices."""
    lang = lang_of(interaction)
    settings = await bot.store.get_settings(pending.guild_id)
    failing = {c.channel_id for c in await bot.store.failing_channels(pending.guild_id)}
    channel = settings.announce_channel_id
    can_announce = channel is not None and channel not in failing
    content, embed = await preview_message(bot, pending, lang, can_announce)
    offer = None
    if pending.offer is not None and pending.offer_label is not None:
        offer_content, offer_embed = await preview_message(bot, pending.offer, lang, can_announce)
        offer = draft_of(pending.offer, Shown(offer_content, offer_embed.to_dict(), lang.code, can_announce))  # type: ignore[arg-type]
    draft = draft_of(
        pending,
        Shown(content, embed.to_dict(), lang.code, can_announce),  # type: ignore[arg-type]
        offer,
        pending.offer_label.render(lang) if pending.offer_label is not None else None,
    )
    await send_stored_preview(interaction, bot, draft, content, embed)


async def send_stored_preview(
    interaction: discord.Interaction, bot: AoadBot, draft: Draft, content: str, embed: discord.Embed
) -> None:
    """Keep the preview, then show it with its buttons (as a follow-up if the command was deferred)."""
    lang = Lang(draft.shown.lang)
    blob = await asyncio.to_thread(encode_draft, draft) if len(draft.changes) > 50 else encode_draft(draft)
    with saving_for(interaction):
        preview_id = await bot.store.open_preview(
            draft.guild_id, interaction.user.id, blob, dt.timedelta(seconds=PREVIEW_TIMEOUT)
        )
    view = preview_view(preview_id, draft, lang)
    send = interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
    await send(
        content, embed=embed, view=view, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
    )
    _expire_later(bot, interaction, preview_id, draft)


def _expire_later(bot: AoadBot, interaction: discord.Interaction, preview_id: int, draft: Draft) -> None:
    """While this process runs, the preview says so on its message when it expires unused. (After a
    restart, a press says so.)"""

    async def expire() -> None:
        await asyncio.sleep(PREVIEW_TIMEOUT)
        lang = Lang(draft.shown.lang)
        try:
            if await bot.store.settle_preview(preview_id, "expired"):
                await interaction.edit_original_response(
                    content=lang.t("This preview expired: nothing was changed."),
                    embeds=[],
                    view=_closed(preview_id, draft, lang),
                )
        except (discord.HTTPException, DatabaseBusy):
            log.debug("Could not mark preview %s expired", preview_id, exc_info=True)

    task = asyncio.get_running_loop().create_task(expire())
    _EXPIRIES.add(task)
    task.add_done_callback(_EXPIRIES.discard)


_EXPIRIES: set[asyncio.Task[None]] = set()


async def preview_message(
    bot: AoadBot, pending: PendingEdit, lang: Lang, can_announce: bool
) -> tuple[str, discord.Embed]:
    """What the preview says: the choices, what the rules decided (spoiler levels, an assumed confidence),
    and the announcement as it would be posted."""
    settings = await bot.store.get_settings(pending.guild_id)
    channel = settings.announce_channel_id
    lines = [lang.t("**Preview.** Nothing is saved until you choose.")]
    if can_announce and settings.ping_role_id:
        lines.append(
            lang.t(
                "**Post** saves it and announces it in <#{channel}>, pinging <@&{role}>.",
                channel=channel,
                role=settings.ping_role_id,
            )
        )
    elif can_announce:
        lines.append(lang.t("**Post** saves it and announces it in <#{channel}>.", channel=channel))
    elif channel is None:
        lines.append(
            lang.t(
                "There is no announcement channel yet (`/manage setup announcement_channel:`), so it can only be "
                "saved."
            )
        )
    else:
        lines.append(
            lang.t(
                "<#{channel}> is failing, so this can only be saved until it is set up again.",
                channel=channel,
            )
        )
    lines.append(lang.t("**Save without announcing** saves it quietly, for typo fixes."))
    lines += [note.render(lang) for note in pending.notes]
    levels = level_lines(pending.changes, lang)
    if levels:
        lines.append(
            lang.t("**Spoiler levels** (who sees it plainly):")
            + "\n"
            + "\n".join(f"• {line}" for line in levels)
        )
    content = "\n".join(lines) + await failing_note(bot, pending.guild_id, lang)
    embed = discord.Embed.from_dict(announcement_embed(pending.title, pending.body))
    return truncate(content, 2000), embed


# -- pressing a button -------------------------------------------------------------------------------------


async def press(interaction: discord.Interaction, preview_id: int, action: str) -> None:
    bot: AoadBot = interaction.client  # type: ignore[assignment]
    lang = lang_of(interaction)
    pressed_at = utcnow()
    stored = await bot.store.preview(preview_id)
    if stored is None or stored.guild_id != interaction.guild_id:
        await send_ephemeral(interaction, lang.t("This preview is gone: run the command again."))
        return
    if stored.state == "open" and stored.owner_id != interaction.user.id:
        await send_ephemeral(
            interaction, lang.t("This preview belongs to the moderator who made the change.")
        )
        return
    await ensure_moderator(interaction)
    draft = (
        await asyncio.to_thread(decode_draft, stored.pending)
        if len(stored.pending) > 100_000
        else decode_draft(stored.pending)
    )
    if stored.state != "open" or stored.expires_at <= pressed_at:
        await _tellwhat_happened(interaction, bot, stored, draft, lang)
        return
    name = _actor(interaction)
    if action == "cancel":
        with saving_for(interaction, update=True):
            cancelled = await bot.store.settle_preview(
                preview_id, "cancelled", actor_id=interaction.user.id, actor_name=name, at=pressed_at
            )
        if cancelled:
            await edit_pressed(
                interaction,
                content=lang.t("Cancelled: nothing was changed."),
                embeds=[],
                view=_closed(preview_id, draft, lang),
            )
        else:
            await _tellwhat_happened(interaction, bot, await bot.store.preview(preview_id), draft, lang)
        return
    if action == "offer":
        await _take_offer(interaction, bot, preview_id, draft, lang)
        return
    await _save(interaction, bot, preview_id, draft, announce=action == "post", pressed_at=pressed_at)


def _actor(interaction: discord.Interaction) -> str:
    return getattr(interaction.user, "display_name", interaction.user.name)


async def _take_offer(
    interaction: discord.Interaction, bot: AoadBot, preview_id: int, draft: Draft, lang: Lang
) -> None:
    """Swap the change for the fuller one offered (an exact release date that sets the stage too)."""
    offer = draft.offer
    if offer is None:
        await send_ephemeral(interaction, lang.t("That is already part of this change."))
        return
    with saving_for(interaction, update=True):
        swapped = await bot.store.swap_preview(preview_id, encode_draft(offer))
    if not swapped:
        await _tellwhat_happened(interaction, bot, await bot.store.preview(preview_id), draft, lang)
        return
    await edit_pressed(
        interaction,
        content=offer.shown.content,
        embed=discord.Embed.from_dict(offer.shown.embed),
        view=preview_view(preview_id, offer, lang),
    )


async def _save(
    interaction: discord.Interaction,
    bot: AoadBot,
    preview_id: int,
    draft: Draft,
    *,
    announce: bool,
    pressed_at: dt.datetime,
) -> None:
    """Save (and announce) the change: answered with the outcome at once when the save is quick, else with
    "Saving…" first (the buttons switched off either way) and the outcome when it is known."""
    lang = lang_of(interaction)
    # Behind another server's import, every write of the save waits its turn (the press says "Saving…").
    with queued_writes(wait_longer):
        saving = asyncio.ensure_future(_commit(interaction, bot, preview_id, draft, announce, pressed_at))
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
                view=_closed(preview_id, draft, lang),
            )
            text, view, events = await saving
            if view is None:
                await interaction.edit_original_response(
                    content=draft.shown.content,
                    embed=discord.Embed.from_dict(draft.shown.embed),
                    view=preview_view(preview_id, draft, lang),
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
        await _after_failure(interaction, bot, preview_id, draft, lang)
        return
    if events is not None:
        for problem in await events:
            try:
                await interaction.followup.send(problem.render(lang), ephemeral=True)
            except discord.HTTPException:
                log.warning("Could not tell a moderator about a Scheduled Event problem", exc_info=True)


async def _after_failure(
    interaction: discord.Interaction, bot: AoadBot, preview_id: int, draft: Draft, lang: Lang
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
            preview_view(preview_id, draft, lang),
        )
        note = lang.t("Something went wrong while saving, so nothing was saved yet: press the button again.")
    else:
        content, embed, view = (
            what_happened(stored, lang, draft.shown.lang),
            None,
            _closed(preview_id, draft, lang),
        )
        note = None
    with contextlib.suppress(discord.HTTPException):
        if interaction.response.is_done():
            await interaction.edit_original_response(content=content, embed=embed, view=view)
        else:
            await interaction.response.edit_message(content=content, embed=embed, view=view)
        if note is not None:
            await interaction.followup.send(note, ephemeral=True)


async def _commit(
    interaction: discord.Interaction,
    bot: AoadBot,
    preview_id: int,
    draft: Draft,
    announce: bool,
    pressed_at: dt.datetime,
) -> tuple[str, discord.ui.View | None, asyncio.Future[list[Any]] | None]:
    """Save the change with the preview's claim: the moderator's message, the buttons it leaves (None: the
    preview is still open, as it was), and the Scheduled Event sync it set off (which runs whatever becomes of
    the reply)."""
    lang = lang_of(interaction)
    store = bot.store
    pending = await asyncio.to_thread(draft.pending) if len(draft.changes) > 50 else draft.pending()
    settings = await store.get_settings(draft.guild_id)
    failing = frozenset(c.channel_id for c in await store.failing_channels(draft.guild_id))
    author = _actor(interaction)
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
        return refused.render(lang), _closed(preview_id, draft, lang), None
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
        return what_happened(stored, lang, draft.shown.lang), _closed(preview_id, draft, lang), None
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
        return conflict, _closed(preview_id, draft, lang), None
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
    return truncate(done, 2000), _closed(preview_id, draft, lang), events


async def _sync_events(bot: AoadBot, guild_id: int, seasons: set[int]) -> list[Any]:
    """The premiere's Scheduled Event follows a saved release date: the problems to tell the moderator."""
    problems = []
    for season in sorted(seasons):
        problem = await sync_premiere_event(bot, guild_id, season)
        if problem:
            problems.append(problem)
    return problems


async def _tellwhat_happened(
    interaction: discord.Interaction, bot: AoadBot, stored: StoredPreview | None, draft: Draft, lang: Lang
) -> None:
    """A press after the preview was used: the message is brought to the truth, and says it."""
    text = what_happened(stored, lang, draft.shown.lang)
    if stored is not None and stored.owner_id == interaction.user.id:
        await edit_pressed(interaction, content=text, embeds=[], view=_closed(stored.id, draft, lang))
    else:
        await send_ephemeral(interaction, text)
