"""Pointing the real discord.py at the fake: its REST base and its default gateway are the only two addresses.

A plain ``discord.Client`` never asks ``GET /gateway/bot``; it connects to ``DiscordWebSocket.DEFAULT_GATEWAY``
and resumes at READY's ``resume_gateway_url`` (which the fake points at itself). Every REST call, interaction
webhooks included, builds its URL from ``Route.BASE`` when the route object is created.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

log = logging.getLogger(__name__)


def patch_discord(api_base: str, gateway_url: str) -> None:
    """Redirect discord.py for the rest of the process (what ``launch.py`` does for a bot subprocess)."""
    Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    log.debug("discord.py redirected to %s and %s", api_base, gateway_url)


@contextlib.contextmanager
def redirect_discord(api_base: str, gateway_url: str) -> Iterator[None]:
    """Redirect discord.py inside the ``with`` block and restore the previous addresses afterwards."""
    previous = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    patch_discord(api_base, gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = previous
