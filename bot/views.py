"""Buttons shared by the lookup commands.

Reveal and "did you mean" buttons are dynamic items: everything they need is in their custom id, so they
keep working on old messages and after a restart. Pagers belong to the person who asked and switch off
after a while, as Discord cannot keep a conversation's state forever.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.cards import HiddenPart, reveal_embed
from bot.cooldowns import FanButton
from bot.i18n import ENGLISH, Lang, lang_of
from bot.render import truncate

if TYPE_CHECKING:
    from bot.client import AoadBot

log = logging.getLogger(__name__)

PAGER_TIMEOUT = 180.0
MAX_REVEAL_BUTTONS = 5


class RevealButton(
    FanButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"reveal:(?P<kind>[a-z]+):(?P<key>[a-z0-9-]+):(?P<part>[a-z0-9]+)",
):
    """Shows one hidden fact, only to the fan who pressed it."""

    where = "a Reveal button"

    def __init__(self, kind: str, key: str, part: str, label: str = "Reveal") -> None:
        super().__init__(
            discord.ui.Button(
                label=truncate(label, 80),
                style=discord.ButtonStyle.secondary,
                emoji="👁️",
                custom_id=f"reveal:{kind}:{key}:{part}",
            )
        )
        self.kind, self.key, self.part = kind, key, part

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RevealButton:
        return cls(match["kind"], match["key"], match["part"])

    async def pressed(self, interaction: discord.Interaction) -> None:
        bot: AoadBot = interaction.client  # type: ignore[assignment]
        lang = lang_of(interaction)
        catalog = await bot.store.catalog(interaction.guild_id)
        embed = reveal_embed(catalog, self.kind, self.key, self.part, lang)
        if embed is None:
            await interaction.response.send_message(
                lang.t("That fact is no longer in this server's data: a moderator changed it."),
                ephemeral=True,
            )
            return
        await interaction.response.send_message(embed=embed, ephemeral=True)


def reveal_view(
    hidden: Sequence[HiddenPart], lang: Lang, view: discord.ui.View | None = None
) -> discord.ui.View | None:
    """A view with a Reveal button per hidden part (at most five), or None when nothing is hidden."""
    if not hidden:
        return view
    view = view or discord.ui.View(timeout=None)
    for part in hidden[:MAX_REVEAL_BUTTONS]:
        view.add_item(RevealButton(part.kind, part.key, part.part, lang.t("Reveal: {part}", part=part.label)))
    return view


class Pager(discord.ui.View):
    """Previous / Next through a list of embeds, usable only by the person who asked.

    When it times out the buttons are disabled on the message, so nobody presses a button that no longer
    answers.
    """

    def __init__(
        self,
        pages: Sequence[discord.Embed],
        owner_id: int,
        *,
        extra: Sequence[discord.ui.Item[Any]] = (),
        timeout: float | None = None,
        lang: Lang = ENGLISH,
    ) -> None:
        super().__init__(timeout=timeout if timeout is not None else PAGER_TIMEOUT)
        self.pages = list(pages)
        self.owner_id = owner_id
        self.previous.label = lang.t("Previous")
        self.next.label = lang.t("Next")
        self.index = 0
        self.message_owner: discord.Interaction | None = None
        for item in extra:
            self.add_item(item)
        self._sync_buttons()

    @property
    def current(self) -> discord.Embed:
        return self.pages[self.index]

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                lang_of(interaction).t(
                    "These buttons belong to the person who asked. Run the command yourself to page through it."
                ),
                ephemeral=True,
            )
            return False
        return True

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        self.index = max(0, self.index - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.current, view=self)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        self.index = min(len(self.pages) - 1, self.index + 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.current, view=self)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button) and item.url is None:
                item.disabled = True
        if self.message_owner is not None:
            try:
                await self.message_owner.edit_original_response(view=self)
            except discord.HTTPException:
                log.debug("Could not disable the buttons of an expired pager", exc_info=True)

    async def send(
        self, interaction: discord.Interaction, *, ephemeral: bool, content: str | None = None
    ) -> None:
        """Answer `interaction` with the first page; the pager disables itself on that message later."""
        self.message_owner = interaction
        if len(self.pages) == 1 and len(self.children) == 2:
            await interaction.response.send_message(content, embed=self.current, ephemeral=ephemeral)
            self.stop()
            return
        await interaction.response.send_message(content, embed=self.current, view=self, ephemeral=ephemeral)


OpenCard = Callable[[discord.Interaction, str, bool], Awaitable[None]]

# What "did you mean" buttons open, by kind: registered by the cogs that draw those cards.
CARD_OPENERS: dict[str, OpenCard] = {}


class SuggestionButton(
    FanButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"open:(?P<kind>[a-z]+):(?P<key>[a-z0-9-]+):(?P<private>[01])",
):
    """A "did you mean" button: opens the card it names, as privately as the original question."""

    where = "a suggestion button"

    def __init__(self, kind: str, key: str, private: bool, label: str = "Open") -> None:
        super().__init__(
            discord.ui.Button(
                label=truncate(label, 80),
                style=discord.ButtonStyle.primary,
                custom_id=f"open:{kind}:{key}:{int(private)}",
            )
        )
        self.kind, self.key, self.private = kind, key, private

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SuggestionButton:
        return cls(match["kind"], match["key"], match["private"] == "1")

    async def pressed(self, interaction: discord.Interaction) -> None:
        opener = CARD_OPENERS.get(self.kind)
        if opener is None:
            await interaction.response.send_message(
                lang_of(interaction).t("That card can't be opened right now."), ephemeral=True
            )
            return
        await opener(interaction, self.key, self.private)


def suggestions_view(
    kind: str, suggestions: Sequence[tuple[str, str]], private: bool
) -> discord.ui.View | None:
    """Up to three "did you mean" buttons: (key, label) pairs."""
    if not suggestions:
        return None
    view = discord.ui.View(timeout=None)
    for key, label in suggestions[:3]:
        view.add_item(SuggestionButton(kind, key, private, label))
    return view
