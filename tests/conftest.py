"""Shared fixtures: the bundled pack, copies of it to break, and real SQLite stores in temporary folders."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.pack import Pack, load_pack
from bot.settings import DEFAULT_PACK_DIR
from bot.store import Store

# The fake Discord's fixtures (fake_discord) for every test module.
pytest_plugins = ["tests.fakediscord.fixtures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        action="store_true",
        help="also run the tests marked slow (the one-minute load test); CI does",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow (CI does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def pack() -> Pack:
    return load_pack(DEFAULT_PACK_DIR)


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    """A copy of the bundled pack that a test may edit."""
    target = tmp_path / "pack"
    shutil.copytree(DEFAULT_PACK_DIR, target)
    return target


@pytest.fixture
async def store(tmp_path: Path, pack: Pack) -> AsyncIterator[Store]:
    async with Store.open(tmp_path / "bot.db", pack) as opened:
        yield opened
