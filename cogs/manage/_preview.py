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
import datetime as dt
import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.announce import announcement_embed
from bot.answers import saving_for, update
from bot.drafts_store import StoredPreview
from bot.errors import DatabaseBusy, report_error, send_ephemeral
from bot.i18n import Lang, lang_of
from bot.moderation_store import utcnow
from bot.render import truncate
from cogs.manage._access import ensure_moderator, failing_note
from cogs.manage._drafts import Draft, Shown, decode_draft, draft_of, encode_draft, what_happened
from cogs.manage._edits import PendingEdit, level_lines
from cogs.manage._saving import Views, actor_name, save

if TYPE_CHECKING:
    from bot.client import AoadBot

log = logging.getLogger(__name__)

PREVIEW_TIMEOUT = 600.0
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
    name = actor_name(interaction)
    if action == "cancel":
        with saving_for(interaction, update=True):
            cancelled = await bot.store.settle_preview(
                preview_id, "cancelled", actor_id=interaction.user.id, actor_name=name, at=pressed_at
            )
        if cancelled:
            await update(
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
    await save(
        interaction,
        bot,
        preview_id,
        draft,
        announce=action == "post",
        pressed_at=pressed_at,
        views=Views(preview_view, _closed),
    )


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
    await update(
        interaction,
        content=offer.shown.content,
        embed=discord.Embed.from_dict(offer.shown.embed),
        view=preview_view(preview_id, offer, lang),
    )


async def _tellwhat_happened(
    interaction: discord.Interaction, bot: AoadBot, stored: StoredPreview | None, draft: Draft, lang: Lang
) -> None:
    """A press after the preview was used: the message is brought to the truth, and says it."""
    text = what_happened(stored, lang, draft.shown.lang)
    if stored is not None and stored.owner_id == interaction.user.id:
        await update(interaction, content=text, embeds=[], view=_closed(stored.id, draft, lang))
    else:
        await send_ephemeral(interaction, text)
