"""Exactly once, for real: the bot process is SIGKILLed after committing an announcement, then started again.

Two moments are tested: before the POST reached Discord (the message must still go out, once), and after
Discord stored it but before the bot heard back (it must not go out twice: the resend carries the same
nonce, and Discord answers with the message it already has).
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.fakediscord import FakeDiscord, Role, default_guild
from tests.harness import bot_environment

MESSAGES = "/channels/{channel_id}/messages"


async def _start_bot(fake: FakeDiscord, database: Path, log: Path) -> asyncio.subprocess.Process:
    identified = fake.identify_count
    env = {"DISCORD_TOKEN": fake.token, "DATABASE_PATH": str(database)}
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            *fake.launch_argv(),
            cwd=database.parent,
            env=bot_environment(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=out,
        )
    async with asyncio.timeout(20):
        while fake.identify_count == identified:
            assert process.returncode is None, f"the bot exited early; see {log}"
            await asyncio.sleep(0.05)
    await fake.wait_ready()
    return process


async def _press(fake: FakeDiscord, result: Any, label: str, user: Any) -> Any:
    message = result.original
    button = next(
        b for row in message.data["components"] for b in row["components"] if b.get("label") == label
    )
    return await (await fake.click(message, button["custom_id"], user=user)).response()


@pytest.mark.parametrize("moment", ["before", "after"])
async def test_a_committed_announcement_is_delivered_exactly_once_across_a_sigkill(
    tmp_path: Path, moment: str
) -> None:
    guild = default_guild()
    ping = Role.new("Season 2 news", 0, position=1, mentionable=True)
    guild.roles.append(ping)
    announcements = guild.channel("announcements")
    moderator = guild.member("moderator")
    database = tmp_path / "bot.db"
    log = tmp_path / "bot.log"
    async with FakeDiscord(guilds=[guild]) as fake:
        first = await _start_bot(fake, database, log)
        try:
            setup = await fake.slash(
                "manage",
                {"announcement_channel": announcements, "ping_role": ping},
                subcommand="setup",
                user=moderator,
            )
            await setup.response()
            hold = fake.hold("POST", MESSAGES, stage=moment)  # type: ignore[arg-type]
            result = await fake.slash(
                "manage",
                {"stage": "filming", "source": "https://e.x/1"},
                subcommand="season stage",
                user=moderator,
            )
            await result.response()
            posted = await _press(fake, result, "Post", moderator)
            assert (posted.content or "").startswith("📣 Saved as revision #1")  # committed before the answer
            await hold.arrived()
            first.send_signal(signal.SIGKILL)
            await first.wait()
            await hold.wait_abandoned()
        finally:
            if first.returncode is None:
                first.kill()
                await first.wait()
        hold.release()
        stored_before_restart = len(fake.messages.get(announcements.id, []))
        assert stored_before_restart == (1 if moment == "after" else 0)

        second = await _start_bot(fake, database, log)
        try:
            await fake.wait_message(announcements.id, lambda m: True, timeout=10)
            await asyncio.sleep(1.0)  # time enough for a duplicate to show up, if there were one
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), 20)

        [message] = fake.messages[announcements.id]
        assert message.data["embeds"][0]["title"] == "Season 2: post-production → filming"
        posts = [
            r for r in fake.requests_to("POST", MESSAGES) if r.params["channel_id"] == str(announcements.id)
        ]
        assert len(posts) == 2  # one before the kill, one after the restart...
        assert posts[0].json["nonce"] == posts[1].json["nonce"]  # ...with the same nonce
        assert all(p.json["enforce_nonce"] is True for p in posts)
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT state, message_id FROM outbox").fetchall() == [
            ("done", int(message.data["id"]))
        ]
