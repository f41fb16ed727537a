"""pytest fixtures for the fake Discord.

Make them available to a test module or conftest with ``pytest_plugins = ["tests.fakediscord.fixtures"]``
(root conftest or test module), or import them by name.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest_asyncio

from .server import FakeDiscord

log = logging.getLogger(__name__)


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A running fake Discord with the default guild; fails the test if the fake recorded problems."""
    async with FakeDiscord() as fake:
        yield fake
