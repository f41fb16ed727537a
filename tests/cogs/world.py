"""A server with the bot in it, for the moderation and premiere tests: roles, channels and helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.client import AoadBot
from bot.pack import Pack
from tests.fakediscord import Callback, FakeDiscord, Guild, InteractionResult, Member, Role, default_guild
from tests.harness import running_bot


@dataclass
class World:
    fake: FakeDiscord
    guild: Guild
    bot: AoadBot
    ping: Role
    helpers: Role

    @property
    def mod(self) -> Member:
        return self.guild.member("moderator")

    @property
    def fan(self) -> Member:
        return self.guild.member("fan")

    def channel_id(self, name: str) -> int:
        return self.guild.channel(name).id

    async def manage(
        self, subcommand: str, options: dict[str, Any] | None = None, user: Member | None = None
    ) -> tuple[InteractionResult, Callback]:
        result = await self.fake.slash("manage", options or {}, subcommand=subcommand, user=user or self.mod)
        return result, await result.response()

    async def press(self, result: InteractionResult, label: str, user: Member | None = None) -> Callback:
        message = result.original
        assert message is not None
        for row in message.data["components"]:
            for button in row["components"]:
                if button.get("label") == label:
                    click = await self.fake.click(message, button["custom_id"], user=user or self.mod)
                    return await click.response()
        raise AssertionError(f"no button {label!r}")

    async def setup(self, **options: Any) -> Callback:
        defaults: dict[str, Any] = {
            "announcement_channel": self.guild.channel("announcements"),
            "ping_role": self.ping,
            "modlog_channel": self.guild.channel("mod-log"),
        }
        return (await self.manage("setup", {**defaults, **options}))[1]

    async def announcements(self, count: int) -> list[Any]:
        channel = self.channel_id("announcements")
        await self.fake.wait_message(channel, lambda m: len(self.fake.messages[channel]) >= count)
        return self.fake.messages[channel]


def new_guild() -> tuple[Guild, Role, Role]:
    """The default test server plus an opt-in ping role and a "Helpers" role without permissions."""
    guild = default_guild()
    ping = Role.new("Season 2 news", 0, position=1, mentionable=True)
    helpers = Role.new("Helpers", 0, position=1)
    guild.roles += [ping, helpers]
    return guild, ping, helpers


async def with_world(
    fake: FakeDiscord, guild: Guild, ping: Role, helpers: Role, database: Path, pack: Pack
) -> AsyncIterator[World]:
    async with running_bot(fake, database, pack) as bot:
        yield World(fake, guild, bot, ping, helpers)


class Clock:
    """The deliverer's clock, ahead of real time by a settable offset: hours pass without sleeping."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset
