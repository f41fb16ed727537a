"""A form's way through Discord: opened filled with the entry, stored, submitted, previewed, reopened.

A form is stored when it opens (`forms` table): which entry, at which version, and what each field showed.
Its submission names it by id and carries every value, so it is applied after a restart too. What was
submitted is kept: a form refused (the entry changed meanwhile, or a rule was broken) offers **Open the form
again**, filled with the moderator's text (and, for the fields they left alone, the entry's current values).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import discord

from bot.answers import answer, first_answer_left, saving_for
from bot.drafts_store import StoredForm
from bot.errors import report_error, send_ephemeral
from bot.i18n import ENGLISH, Lang, lang_of
from bot.moderation_store import Change, StoredEntry
from bot.render import truncate
from bot.rules import RuleViolation
from bot.store import queued_writes
from cogs.manage._access import ensure_moderator, server_lang
from cogs.manage._edits import (
    LARGE_STATE,
    PendingEdit,
    catalog_entries,
    check_changes,
    describe_update,
    with_spoiler_rules,
)
from cogs.manage._forms import form_for
from cogs.manage._preview import send_preview

if TYPE_CHECKING:
    from bot.client import AoadBot

log = logging.getLogger(__name__)


async def open_form(
    interaction: discord.Interaction,
    bot: AoadBot,
    stored: StoredEntry,
    part: str,
    status: str | None = None,
    prefill: dict[str, str] | None = None,
) -> None:
    """Store the form (what it shows, the entry's version) and open it, filled with `prefill` or the
    current values."""
    assert interaction.guild_id is not None
    lang = lang_of(interaction)
    form = form_for(bot, interaction.guild_id, stored, part, status)
    shown = form.check_shown(lang)

    async def while_time_is_left() -> float:
        # A form must be the first answer, so it cannot be deferred: behind another server's import, it waits
        # only as long as Discord's 3 s allow.
        return first_answer_left(interaction)

    with queued_writes(while_time_is_left):
        form_id = await bot.store.open_form(
            interaction.guild_id,
            interaction.user.id,
            stored.kind,
            stored.key,
            part,
            status,
            stored.version,
            shown,
        )
    await interaction.response.send_modal(
        form.modal(form_id, lang, prefill if prefill is not None else shown)
    )


def submitted_values(data: Any) -> dict[str, str]:
    """The values of a submitted form by field id, whatever layout Discord sent them in."""
    values: dict[str, str] = {}

    def walk(components: Any) -> Iterator[Any]:
        for component in components or []:
            yield component
            yield from walk(component.get("components"))
            if isinstance(component.get("component"), dict):
                yield from walk([component["component"]])

    for component in walk((data or {}).get("components")):
        if "custom_id" in component and isinstance(component.get("value"), str):
            values[str(component["custom_id"])] = component["value"]
    return values


class ReopenButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"reform:(?P<id>\d+)"):
    """Open a refused form again, with what the moderator typed in it."""

    def __init__(self, form_id: int, label: str = "Open the form again") -> None:
        super().__init__(
            discord.ui.Button(
                label=truncate(label, 80),
                emoji="📝",
                style=discord.ButtonStyle.primary,
                custom_id=f"reform:{form_id}",
            )
        )
        self.form_id = form_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReopenButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await reopen_form(interaction, self.form_id)
        except Exception as exc:
            await report_error(interaction, exc, "the reopen-form button")


def reopen_view(form_id: int, lang: Lang) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ReopenButton(form_id, lang.t("Open the form again")))
    return view


async def reopen_form(interaction: discord.Interaction, form_id: int) -> None:
    """The form again, on the entry as it is now: the fields the moderator changed hold what they typed, the
    others the current values."""
    bot: AoadBot = interaction.client  # type: ignore[assignment]
    lang = lang_of(interaction)
    old = await bot.store.form(form_id)
    if old is None or old.guild_id != interaction.guild_id or old.owner_id != interaction.user.id:
        await send_ephemeral(interaction, lang.t("This form is gone: run the command again."))
        return
    await ensure_moderator(interaction)
    current = await bot.store.get_entry(old.guild_id, old.kind, old.key)
    if current is None:
        await send_ephemeral(interaction, lang.t("That entry was removed meanwhile. Nothing was changed."))
        return
    fresh = form_for(bot, old.guild_id, current, old.part, old.status).check_shown(lang)
    typed = old.typed or {}
    prefill = {
        field: typed[field] if field in typed and typed[field] != old.shown.get(field, "") else value
        for field, value in fresh.items()
    }
    await open_form(interaction, bot, current, old.part, old.status, prefill)


async def submit_form(interaction: discord.Interaction, form_id: int) -> None:
    """A submitted form, from the store: applied after a restart too; refused ones give the text back."""
    bot: AoadBot = interaction.client  # type: ignore[assignment]
    lang = lang_of(interaction)
    stored_form = await bot.store.form(form_id)
    if stored_form is None or stored_form.guild_id != interaction.guild_id:
        await send_ephemeral(interaction, lang.t("This form is gone: run the command again."))
        return
    values = submitted_values(interaction.data)
    # What was typed is kept first: behind another server's import, the submission says "thinking…" and waits.
    with saving_for(interaction):
        await bot.store.record_form(form_id, values)
    await ensure_moderator(interaction)
    current = await bot.store.get_entry(stored_form.guild_id, stored_form.kind, stored_form.key)
    if current is None:
        await send_ephemeral(interaction, lang.t("That entry was removed meanwhile. Nothing was changed."))
        return
    if current.version != stored_form.version:
        await answer(
            interaction,
            lang.t(
                "⚠️ Someone changed this entry after you opened the form, so nothing was saved. **Open the form "
                "again** to make your changes to the current version: what you typed is in it."
            ),
            view=reopen_view(form_id, lang),
            ephemeral=True,
        )
        return
    catalog = await bot.store.lookup_catalog(stored_form.guild_id, wait=0.2)
    if (catalog is None or catalog.size > LARGE_STATE) and not interaction.response.is_done():
        # Checking a very large server's data takes seconds: answered within Discord's 3 s first.
        await interaction.response.defer(ephemeral=True, thinking=True)
    try:
        await _apply(interaction, bot, stored_form, current, values)
    except RuleViolation as refused:
        send = (
            interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
        )
        await send(refused.render(lang), view=reopen_view(form_id, lang), ephemeral=True)


async def _apply(
    interaction: discord.Interaction,
    bot: AoadBot,
    stored_form: StoredForm,
    current: StoredEntry,
    values: dict[str, str],
) -> None:
    lang = lang_of(interaction)
    form = form_for(bot, stored_form.guild_id, current, stored_form.part, stored_form.status)
    form.values, form.shown_values = values, stored_form.shown
    # What was typed well is checked against the data even while other fields are refused: every problem of
    # the form is told at once.
    after = with_spoiler_rules(await form.edited(), form.notes)
    change = Change(current.kind, current.key, current.entry, after, current.version)
    catalog = await bot.store.catalog(stored_form.guild_id)
    await check_changes(catalog_entries(catalog), [change], form.labels(), form.problems)
    form.problems.check()
    if after == current.entry:
        await send_ephemeral(interaction, lang.t("Nothing changed: the form had the same values."))
        return
    names = {person.key: person.name for person in catalog.people}
    title, body = describe_update(current.entry, after, await server_lang(bot, interaction), names)
    pending = PendingEdit(
        guild_id=stored_form.guild_id,
        changes=[change],
        title=title,
        body=body,
        announce_by_default=False,
        summary=describe_update(current.entry, after, ENGLISH, names)[0],
        notes=form.notes,
    )
    await send_preview(interaction, bot, pending)
