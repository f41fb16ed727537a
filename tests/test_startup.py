"""End to end, in-process: the real bot starts against the fake Discord, syncs deliberately, answers /about."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.pack import Pack
from tests.fakediscord import FakeDiscord
from tests.harness import running_bot

GLOBAL_SYNC = ("PUT", "/applications/{application_id}/commands")
GUILD_SYNC = ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")


def _field(embed: dict[str, object], name: str) -> str:
    fields = embed["fields"]
    assert isinstance(fields, list)
    for item in fields:
        if item["name"].startswith(name):
            return str(item["value"])
    raise AssertionError(f"no field {name!r} in {[f['name'] for f in fields]}")


async def test_the_bot_starts_syncs_and_answers_about(
    fake_discord: FakeDiscord, tmp_path: Path, pack: Pack
) -> None:
    async with running_bot(fake_discord, tmp_path / "bot.db", pack):
        assert fake_discord.sync_count == 1
        assert len(fake_discord.requests_to(*GLOBAL_SYNC)) == 1
        assert fake_discord.synced_command("about") is not None

        result = await fake_discord.slash("about", user=fake_discord.guild.member("fan"))
        reply = await result.response()
        assert reply.type == 4
        assert not reply.ephemeral
        [embed] = reply.embeds
        assert embed["title"] == "About this bot"
        assert "All of Us Are Dead" in embed["description"]
        assert re.search(r"Bundled data as of <t:\d+:D>", _field(embed, "Data"))
        sources = _field(embed, "Sources")
        # Each publication links to an article it published, never to its home page.
        assert (
            "[deadline.com](https://deadline.com/2022/06/all-of-us-are-dead-renewed-season-2-netflix-1235038221/)"
            in sources
        )
        assert "(https://deadline.com)" not in sources
        assert "[v.daum.net](https://v.daum.net/v/20250723080753223)" in sources
        assert re.search(r"Gateway heartbeat: (\d+ ms|still measuring)", _field(embed, "Latency"))

        private = await (await fake_discord.slash("about", {"private": True})).response()
        assert private.ephemeral
    assert fake_discord.unknown_requests == []


async def test_unchanged_commands_are_not_synced_again(
    fake_discord: FakeDiscord, tmp_path: Path, pack: Pack
) -> None:
    database = tmp_path / "bot.db"
    async with running_bot(fake_discord, database, pack):
        pass
    async with running_bot(fake_discord, database, pack):
        await (await fake_discord.slash("about")).response()
    assert fake_discord.identify_count == 2
    assert len(fake_discord.requests_to(*GLOBAL_SYNC)) == 1


async def test_changed_commands_are_synced(fake_discord: FakeDiscord, tmp_path: Path, pack: Pack) -> None:
    database = tmp_path / "bot.db"
    async with running_bot(fake_discord, database, pack):
        pass
    async with running_bot(fake_discord, database, pack, extensions_package="tests.sample_extensions"):
        assert fake_discord.synced_command("ping") is not None
    assert len(fake_discord.requests_to(*GLOBAL_SYNC)) == 2


async def test_a_development_guild_gets_instant_guild_commands(
    fake_discord: FakeDiscord, tmp_path: Path, pack: Pack
) -> None:
    guild_id = fake_discord.guild.id
    async with running_bot(fake_discord, tmp_path / "bot.db", pack, dev_guild_id=guild_id):
        assert fake_discord.requests_to(*GLOBAL_SYNC) == []
        [sync] = fake_discord.requests_to(*GUILD_SYNC)
        assert sync.params["guild_id"] == str(guild_id)
        assert "about" in [c["name"] for c in fake_discord.commands[guild_id]]
        assert None not in fake_discord.commands
        await (await fake_discord.slash("about")).response()


async def test_a_failing_extension_is_logged_and_skipped_and_nothing_is_unsynced(
    fake_discord: FakeDiscord, tmp_path: Path, pack: Pack, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "bot.db"
    async with running_bot(fake_discord, database, pack):
        pass
    with caplog.at_level(logging.INFO, logger="bot.client"):
        async with running_bot(
            fake_discord, database, pack, extensions_package="tests.broken_extensions"
        ) as bot:
            assert set(bot.failed_extensions) == {"tests.broken_extensions.broken"}
            assert "tests.broken_extensions.good" in bot.extensions
            # A command Discord still lists but this build does not have gets a kind answer, not a traceback.
            reply = await (await fake_discord.slash("about")).response()
            assert reply.ephemeral
            assert reply.content is not None
            assert reply.content.startswith("This command has just changed.")
    failure = next(r for r in caplog.records if "tests.broken_extensions.broken" in r.getMessage())
    assert failure.levelno == logging.ERROR
    assert failure.exc_info is not None
    # Syncing without the broken feature would delete its commands for everyone: it is not done.
    assert len(fake_discord.requests_to(*GLOBAL_SYNC)) == 1
    assert any(r.getMessage().startswith("Not syncing commands because 1 extension") for r in caplog.records)


async def test_a_sync_discord_refuses_is_logged_and_the_bot_keeps_serving(
    fake_discord: FakeDiscord, tmp_path: Path, pack: Pack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_discord.fail(*GLOBAL_SYNC, status=403, code=50001, message="Missing Access")
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        async with running_bot(fake_discord, tmp_path / "bot.db", pack) as bot:
            assert bot.is_ready()
    assert any("Discord refused to sync commands globally (403)" in r.getMessage() for r in caplog.records)


async def test_in_dms_answers_come_from_the_pack(
    fake_discord: FakeDiscord, tmp_path: Path, pack: Pack
) -> None:
    async with running_bot(fake_discord, tmp_path / "bot.db", pack):
        reply = await (await fake_discord.slash("about", guild_id=None)).response()
        assert "Outside a server, answers come from the bundled data." in _field(reply.embeds[0], "Data")


async def test_rate_limits_and_server_errors_on_sync_are_retried(
    fake_discord: FakeDiscord, tmp_path: Path, pack: Pack
) -> None:
    fake_discord.fail(*GLOBAL_SYNC, status=429, retry_after=0.1)
    fake_discord.fail(*GLOBAL_SYNC, status=429, retry_after=0.1, global_=True)
    async with running_bot(fake_discord, tmp_path / "bot.db", pack):
        statuses = [r.status for r in fake_discord.requests_to(*GLOBAL_SYNC)]
        assert statuses == [429, 429, 200]
        await (await fake_discord.slash("about")).response()


async def test_a_dropped_gateway_is_resumed(fake_discord: FakeDiscord, tmp_path: Path, pack: Pack) -> None:
    async with running_bot(fake_discord, tmp_path / "bot.db", pack):
        await fake_discord.drop_gateway()
        await fake_discord.wait_resumed()
        reply = await (await fake_discord.slash("about")).response()
        assert reply.embeds[0]["title"] == "About this bot"
    assert fake_discord.identify_count == 1
    assert fake_discord.resume_count == 1
