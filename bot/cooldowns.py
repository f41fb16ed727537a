"""Per-member cooldowns, so one member cannot flood the bot with lookups or autocomplete requests.

Every fan command (all but /manage), the buttons that do a lookup or change a role (Reveal, the "did you mean"
buttons, Notify me) share one bucket per member, per server (a member's lookups in one server do not slow them
down in another; DMs are a place of their own); autocomplete has its own, larger one, since every keystroke
is a request. discord.py runs cooldowns for commands but not for autocomplete, and a per-command cooldown would
let a member spread a flood over several commands: hence one check in the tree and in those buttons.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands

from bot.errors import ErrorHandlingTree, report_error
from bot.settings import Rate

# Pruning walks every bucket, so it runs at most this often; it keeps only buckets not yet full again.
_PRUNE_EVERY = 60.0


# Whose bucket: (server id, or None in DMs; user id).
Member = tuple[int | None, int]


class MemberCooldowns:
    """A token bucket per member of a server (discord.py's `Cooldown`), forgotten once it is full again."""

    def __init__(self, rate: Rate | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._buckets: dict[Member, app_commands.Cooldown] = {}
        self._pruned = clock()

    def __len__(self) -> int:
        return len(self._buckets)

    def hit(self, member: Member) -> float | None:
        """Count one use; None if allowed, else the seconds until the member may try again."""
        if self.rate is None:
            return None
        now = self._clock()
        if now - self._pruned >= _PRUNE_EVERY:
            self._prune(now)
        bucket = self._buckets.get(member)
        if bucket is None:
            bucket = self._buckets[member] = app_commands.Cooldown(self.rate.count, self.rate.per)
        return bucket.update_rate_limit(now)

    def _prune(self, now: float) -> None:
        assert self.rate is not None
        full = self.rate.count
        self._buckets = {
            user: bucket for user, bucket in self._buckets.items() if bucket.get_tokens(now) < full
        }
        self._pruned = now


class Cooldowns:
    """The bot's two kinds of buckets."""

    def __init__(self, lookups: Rate | None, autocomplete: Rate | None) -> None:
        self.lookups = MemberCooldowns(lookups)
        self.autocomplete = MemberCooldowns(autocomplete)


def cooldown_error(rate: Rate, retry_after: float) -> app_commands.CommandOnCooldown:
    # Whole seconds, rounded up: "0 s" would tell a fan to try again at once and fail again.
    wait = float(max(1, math.ceil(retry_after)))
    return app_commands.CommandOnCooldown(app_commands.Cooldown(rate.count, rate.per), wait)


def _cooldowns(interaction: discord.Interaction) -> Cooldowns | None:
    return getattr(interaction.client, "cooldowns", None)


def _member(interaction: discord.Interaction) -> Member:
    return (interaction.guild_id, interaction.user.id)


def _exempt(command: Any) -> bool:
    if command is None:
        return False
    root = command.root_parent or command
    return bool(root.extras.get("no_cooldown"))


async def allow_command(interaction: discord.Interaction) -> bool:
    """The tree's global check: True to go on; False after telling the member (or autocomplete) to wait."""
    cooldowns = _cooldowns(interaction)
    if cooldowns is None:
        return True
    if interaction.type is discord.InteractionType.autocomplete:
        if cooldowns.autocomplete.hit(_member(interaction)) is None:
            return True
        # Autocomplete cannot show an error; no suggestions while the member types too fast. What they
        # typed still works when they send the command.
        await interaction.response.autocomplete([])
        return False
    if interaction.type is not discord.InteractionType.application_command or _exempt(interaction.command):
        return True
    return await allow_lookup(interaction)


async def allow_lookup(interaction: discord.Interaction) -> bool:
    """For commands and buttons in the lookup bucket: True to go on, else tell the member when to retry."""
    cooldowns = _cooldowns(interaction)
    if cooldowns is None or cooldowns.lookups.rate is None:
        return True
    retry_after = cooldowns.lookups.hit(_member(interaction))
    if retry_after is None:
        return True
    await report_error(interaction, cooldown_error(cooldowns.lookups.rate, retry_after), "cooldown")
    return False


class FanButton:
    """For the buttons anyone may press on old messages (Reveal, "did you mean", Notify me), mixed in before
    `discord.ui.DynamicItem`: each press counts against the member's lookup cooldown, and an error is answered.

    discord.py only logs a dynamic item's errors, so without the answer a failed click would fail silently.
    Subclasses implement `pressed` and name themselves in `where` for the log.
    """

    where: str = "a button"

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return await allow_lookup(interaction)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.pressed(interaction)
        except Exception as exc:
            await report_error(interaction, exc, self.where)

    async def pressed(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError


class LimitedTree(ErrorHandlingTree):
    """The command tree: cooldowns first, then the command; errors become kind replies."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return await allow_command(interaction)
