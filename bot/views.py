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

from bot.answers import answer, fan_catalog, update
from bot.cards import HiddenPart, reveal_embed
from bot.cooldowns import FanButton
from bot.i18n import Lang, lang_of
from bot.render import truncate

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

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
        lang = lang_of(interaction)
        catalog = await fan_catalog(interaction, private=True)
        embed = reveal_embed(catalog, self.kind, self.key, self.part, lang)
        if embed is None:
            await answer(
                interaction,
                lang.t("That fact is no longer in this server's data: a moderator changed it."),
                ephemeral=True,
            )
            return
        await answer(interaction, embed=embed, ephemeral=True)


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


MakePages = Callable[[discord.Interaction, str], Awaitable[list[discord.Embed]]]

# What a pager pages through, by its short name: registered by the cogs that draw those lists ("c" the cast,
# "t" a season's timeline, "h" the moderators' history). Each makes the pages again from the data as it is.
PAGE_MAKERS: dict[str, MakePages] = {}
# Lists only moderators page through: no fan cooldown.
MODERATOR_LISTS = {"h"}


class PageButton(
    FanButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pg:(?P<list>[a-z]):(?P<owner>\d+):(?P<page>\d+):(?P<step>[pn]):(?P<arg>.*)",
):
    """Previous or Next in a list of pages, usable only by the person who asked. Everything it needs is in
    its custom id, and the pages are made again from the data when it is pressed: it works on old messages
    and after a restart."""

    where = "a page button"

    def __init__(
        self,
        name: str,
        owner: int,
        page: int,
        step: str,
        arg: str,
        *,
        label: str = "…",
        disabled: bool = False,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="◀️" if step == "p" else "▶️",
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
                custom_id=f"pg:{name}:{owner}:{page}:{step}:{arg}",
            )
        )
        self.name, self.owner, self.page, self.step, self.arg = name, owner, page, step, arg

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        return cls(match["list"], int(match["owner"]), int(match["page"]), match["step"], match["arg"])

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id != self.owner:
            await interaction.response.send_message(
                lang_of(interaction).t(
                    "These buttons belong to the person who asked. Run the command yourself to page through it."
                ),
                ephemeral=True,
            )
            return False
        return self.name in MODERATOR_LISTS or await super().interaction_check(interaction)

    async def pressed(self, interaction: discord.Interaction) -> None:
        make = PAGE_MAKERS.get(self.name)
        if make is None:
            await interaction.response.send_message(
                lang_of(interaction).t("That list can't be opened right now."), ephemeral=True
            )
            return
        pages = await make(interaction, self.arg)
        index = max(0, min(len(pages) - 1, self.page + (1 if self.step == "n" else -1)))
        view = pager_view(self.name, self.owner, index, len(pages), self.arg, lang_of(interaction))
        await update(interaction, embed=pages[index], view=view)


def pager_view(name: str, owner: int, index: int, count: int, arg: str, lang: Lang) -> discord.ui.View:
    """Previous / Next for page `index` of `count`."""
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(name, owner, index, "p", arg, label=lang.t("Previous"), disabled=index <= 0))
    view.add_item(PageButton(name, owner, index, "n", arg, label=lang.t("Next"), disabled=index >= count - 1))
    return view


async def send_pages(
    interaction: discord.Interaction,
    name: str,
    arg: str,
    pages: Sequence[discord.Embed],
    *,
    ephemeral: bool,
    content: str | None = None,
) -> None:
    """Answer with the first page, and Previous / Next when there is more than one."""
    view = (
        pager_view(name, interaction.user.id, 0, len(pages), arg, lang_of(interaction))
        if len(pages) > 1
        else None
    )
    await answer(interaction, content, embed=pages[0], view=view, ephemeral=ephemeral)


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
