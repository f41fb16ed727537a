"""Fixtures for the feature tests: the real bot, running against the fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.client import AoadBot
from bot.pack import Pack
from tests.cogs.world import World, new_guild, with_world
from tests.fakediscord import FakeDiscord
from tests.harness import running_bot


@pytest.fixture
async def bot(fake_discord: FakeDiscord, tmp_path: Path, pack: Pack) -> AsyncIterator[AoadBot]:
    async with running_bot(fake_discord, tmp_path / "bot.db", pack) as running:
        yield running
    assert fake_discord.unknown_requests == []


@pytest.fixture
async def world(tmp_path: Path, pack: Pack) -> AsyncIterator[World]:
    """A server with an opt-in ping role and a "Helpers" role, the bot connected to it."""
    guild, ping, helpers = new_guild()
    async with FakeDiscord(guilds=[guild]) as fake:
        async for running in with_world(fake, guild, ping, helpers, tmp_path / "bot.db", pack):
            yield running
        assert fake.unknown_requests == []
