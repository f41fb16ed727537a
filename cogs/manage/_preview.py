"""The moderator's preview: Post, Save without announcing, or Cancel. Nothing is saved before a button.

The preview's words are in the moderator's language; the announcement it shows is in the server's, as it
will be posted.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.announce import announcement_embed, outbox_drafts
from bot.errors import report_error, send_ephemeral
from bot.i18n import Lang, lang_of
from bot.moderation_store import ConflictError
from bot.premiere import sync_premiere_event
from bot.render import truncate
from bot.store import DatabaseBusy
from cogs.manage._access import ensure_moderator, failing_note, server_lang
from cogs.manage._edits import PendingEdit, level_lines

if TYPE_CHECKING:
    from bot.client import AoadBot

log = logging.getLogger(__name__)

PREVIEW_TIMEOUT = 600.0


class GuardedView(discord.ui.View):
    """A view whose errors become kind, private messages instead of tracebacks."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error, f"a button ({type(item).__name__})")


class GuardedModal(discord.ui.Modal):
    """A modal whose errors become kind, private messages instead of tracebacks."""

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error, f"a form ({type(self).__name__})")


class Preview(GuardedView):
    def __init__(
        self, bot: AoadBot, pending: PendingEdit, owner_id: int, can_announce: bool, lang: Lang
    ) -> None:
        super().__init__(timeout=PREVIEW_TIMEOUT)
        self.bot = bot
        self.pending = pending
        self.owner_id = owner_id
        self.lang = lang
        self.can_announce = can_announce
        self.message_owner: discord.Interaction | None = None
        self.post.label = lang.t("Post")
        self.save.label = lang.t("Save without announcing")
        self.cancel.label = lang.t("Cancel")
        self.post.disabled = not can_announce
        if pending.offer is not None and pending.offer_label is not None:
            self.take_offer.label = truncate(pending.offer_label.render(lang), 80)
        else:
            self.remove_item(self.take_offer)
        if pending.quiet:
            self.remove_item(self.post)
            self.save.label = lang.t("Apply")
            self.save.emoji = "✅"
            self.save.style = discord.ButtonStyle.primary
        elif not pending.announce_by_default:
            self.post.style = discord.ButtonStyle.secondary
            self.save.style = discord.ButtonStyle.primary

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await send_ephemeral(
                interaction,
                lang_of(interaction).t("This preview belongs to the moderator who made the change."),
            )
            return False
        await ensure_moderator(interaction)
        return True

    @discord.ui.button(label="Post", emoji="📣", style=discord.ButtonStyle.primary)
    async def post(self, interaction: discord.Interaction, button: discord.ui.Button[Preview]) -> None:
        await self._commit(interaction, announce=True)

    @discord.ui.button(label="Save without announcing", emoji="💾", style=discord.ButtonStyle.secondary)
    async def save(self, interaction: discord.Interaction, button: discord.ui.Button[Preview]) -> None:
        await self._commit(interaction, announce=False)

    @discord.ui.button(label="Also…", emoji="➕", style=discord.ButtonStyle.secondary, row=1)
    async def take_offer(self, interaction: discord.Interaction, button: discord.ui.Button[Preview]) -> None:
        """Swap the change for the fuller one offered (an exact release date that sets the stage too)."""
        offer = self.pending.offer
        if offer is None:
            await send_ephemeral(interaction, lang_of(interaction).t("That is already part of this change."))
            return
        self.pending = offer
        self.remove_item(self.take_offer)
        content, embed = await preview_message(self.bot, offer, lang_of(interaction), self.can_announce)
        await interaction.response.edit_message(content=content, embed=embed, view=self)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.danger)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[Preview]) -> None:
        self._finish()
        await interaction.response.edit_message(
            content=lang_of(interaction).t("Cancelled: nothing was changed."), embeds=[], view=self
        )

    def _finish(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        self.stop()

    async def _commit(self, interaction: discord.Interaction, *, announce: bool) -> None:
        lang = lang_of(interaction)
        pending = self.pending
        store = self.bot.store
        settings = await store.get_settings(pending.guild_id)
        failing = frozenset(c.channel_id for c in await store.failing_channels(pending.guild_id))
        author = getattr(interaction.user, "display_name", interaction.user.name)
        drafts = outbox_drafts(
            settings,
            title=pending.title,
            body=pending.body,
            announce=announce,
            author=author,
            failing=failing,
            lang=await server_lang(self.bot, interaction),
        )
        try:
            result = await store.commit_change(
                pending.guild_id,
                pending.changes,
                summary=pending.summary or pending.title,
                author_id=interaction.user.id,
                author_name=author,
                outbox=drafts,
                reverts=pending.reverts,
                batch=pending.batch,
                expected_state=pending.expected_state,
            )
        except DatabaseBusy as exc:
            # Nothing was written; the preview and its buttons stay as they are, for another try.
            log.warning("The database was busy saving a change in guild %s: %s", pending.guild_id, exc)
            await send_ephemeral(
                interaction,
                lang.t(
                    "The database is busy right now, so nothing was saved yet. Your preview is still here: press "
                    "**Post** or **Save without announcing** again in a few seconds."
                ),
            )
            return
        except ConflictError:
            self._finish()
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
            await interaction.response.edit_message(content=conflict, embeds=[], view=self)
            return
        if self.bot.deliverer is not None:
            self.bot.deliverer.wake()
        self._finish()
        numbers = ", ".join(f"#{r.id}" for r in result.revisions)
        if pending.quiet:
            done = lang.t("✅ Applied as revision {numbers}, without announcing.", numbers=numbers)
        elif announce and any(d.purpose == "announcement" for d in drafts):
            done = lang.t(
                "📣 Saved as revision {numbers} and queued for <#{channel}>.",
                numbers=numbers,
                channel=settings.announce_channel_id,
            )
        else:
            done = lang.t("💾 Saved as revision {numbers}, without announcing.", numbers=numbers)
        done += await failing_note(self.bot, pending.guild_id, lang)
        await interaction.response.edit_message(content=truncate(done, 2000), embeds=[], view=self)
        seasons = {int(change.key) for change in pending.changes if change.kind == "season"}
        if seasons:
            await self._premiere_changed(interaction, seasons)

    async def _premiere_changed(self, interaction: discord.Interaction, seasons: set[int]) -> None:
        """Reminders were replanned with the change; the Scheduled Event follows it now."""
        if self.bot.premiere is not None:
            self.bot.premiere.wake()
        for season in sorted(seasons):
            problem = await sync_premiere_event(self.bot, self.pending.guild_id, season)
            if problem:
                await interaction.followup.send(problem.render(lang_of(interaction)), ephemeral=True)

    async def on_timeout(self) -> None:
        self._finish()
        if self.message_owner is not None:
            try:
                await self.message_owner.edit_original_response(
                    content=self.lang.t("This preview expired: nothing was changed."), embeds=[], view=self
                )
            except discord.HTTPException:
                log.debug("Could not expire a preview", exc_info=True)


async def send_preview(interaction: discord.Interaction, bot: AoadBot, pending: PendingEdit) -> None:
    """Answer with the announcement as it would be posted, privately, and the three choices."""
    lang = lang_of(interaction)
    settings = await bot.store.get_settings(pending.guild_id)
    failing = {c.channel_id for c in await bot.store.failing_channels(pending.guild_id)}
    channel = settings.announce_channel_id
    can_announce = channel is not None and channel not in failing
    content, embed = await preview_message(bot, pending, lang, can_announce)
    view = Preview(bot, pending, interaction.user.id, can_announce, lang)
    view.message_owner = interaction
    await interaction.response.send_message(
        content, embed=embed, view=view, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
    )


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
