"""Another program holds the bot's SQLite database for writing, longer than the store's busy timeout.

Fans' lookups only read, and WAL readers never wait for a writer: they answer as usual. A change (a
moderator's Post, a fan's /spoilers) gives up after the busy timeout and says so privately, well within
Discord's 3 s, having saved nothing; the moderator's preview stays, and pressing Post again once the lock is
gone saves it. The background work (deliveries, reminders) waits and tries again, and loses nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.errors import DatabaseBusy
from bot.pack import Pack
from bot.store import BUSY_TIMEOUT_MS, Store
from tests.faults import (
    DISCORD_DEADLINE,
    MESSAGES,
    FaultWorld,
    answered_in_time,
    assert_kind,
    fault_world,
    locked,
)
from tests.harness import eventually


@pytest.fixture
async def world(tmp_path: Path, pack: Pack) -> AsyncIterator[FaultWorld]:
    async with fault_world(tmp_path, pack) as running:
        yield running


def test_the_busy_timeout_leaves_time_to_answer_within_discords_3_seconds() -> None:
    # A change may wait once in the bot's own write queue and once for SQLite's lock, then must still answer.
    assert 2 * BUSY_TIMEOUT_MS / 1000 < DISCORD_DEADLINE - 0.5


async def test_the_store_sets_its_busy_timeout(store: Store) -> None:
    assert list(await store._writer.execute_fetchall("PRAGMA busy_timeout")) == [(BUSY_TIMEOUT_MS,)]
    assert list(await store._reader.execute_fetchall("PRAGMA busy_timeout")) == [(BUSY_TIMEOUT_MS,)]


@pytest.mark.parametrize("how", ["IMMEDIATE", "EXCLUSIVE"])
@pytest.mark.parametrize("seeded", [True, False], ids=["seeded", "first-lookup"])
async def test_fans_lookups_answer_while_another_writer_holds_the_database(
    world: FaultWorld, how: str, seeded: bool
) -> None:
    fake, fan = world.fake, world.fan
    if seeded:
        await (await fake.slash("season", user=fan)).response()
    async with locked(world.database, how):
        card = await fake.slash("character", {"name": "Nam-ra"}, user=fan)
        reply = await card.response()
        assert reply.embeds[0]["title"] == "Choi Nam-ra (최남라)"
        answered_in_time(card)
        reveal = next(b for row in reply.components for b in row["components"])
        assert card.original is not None
        revealed = await (await fake.click(card.original, reveal["custom_id"], user=fan)).response()
        assert revealed.ephemeral
        assert revealed.embeds
        choices = await fake.autocomplete("character", {"name": "nam"}, "name", user=fan)
        assert choices[0]["value"] == "choi-nam-ra"
        cast = await fake.slash("cast", user=fan)
        assert (await cast.response()).embeds[0]["title"].startswith("All of Us Are Dead: the cast")
        assert (await world.press(cast, "Next", user=fan)).embeds[0]["title"].endswith("(2/2)")
        season = await (await fake.slash("season", user=fan)).response()
        assert season.embeds[0]["title"] == "All of Us Are Dead: Season 2"
        about = await (await fake.slash("about", user=fan)).response()
        assert about.embeds
        for result in (card, cast):
            answered_in_time(result)


async def test_a_moderators_post_says_the_database_is_busy_and_works_once_it_is_free(
    world: FaultWorld,
) -> None:
    await world.setup(threads=True)
    result, preview = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    assert preview.content is not None
    async with locked(world.database):
        message = result.original
        assert message is not None
        post = next(
            b for row in message.data["components"] for b in row["components"] if b["label"] == "Post"
        )
        pressed = await world.fake.click(message, post["custom_id"], user=world.mod)
        busy = await pressed.response()
        answered_in_time(pressed)
        assert assert_kind(busy).startswith("The database is busy right now, so nothing was saved yet.")
        assert "press **Post**" in (busy.content or "")
    # Nothing was saved, queued or announced...
    assert await world.bot.store.revisions(world.guild.id) == []
    assert await world.bot.store.outbox_items(world.guild.id) == []
    stored = await world.bot.store.get_entry(world.guild.id, "season", "2")
    assert stored is not None
    assert stored.entry.stage.value == "post-production"  # type: ignore[union-attr]
    # ...and the preview is still there: Post again saves and announces it, once.
    done = await world.press(result, "Post")
    assert (done.content or "").startswith("📣 Saved as revision #1 and queued for")
    [announced] = await world.announcements(1)
    assert announced.data["embeds"][0]["title"] == "Season 2: post-production → filming"
    await world.outbox_settled()
    await asyncio.sleep(0.2)
    assert len(world.fake.messages[world.channel_id("announcements")]) == 1


@pytest.mark.parametrize(
    ("command", "options", "subcommand", "moderator"),
    [
        ("spoilers", {"level": "s1"}, None, False),
        ("manage", {"threads": True}, "setup", True),
        ("manage", {"stage": "filming", "source": "https://e.x/1"}, "season stage", True),
    ],
    ids=["spoilers", "manage-setup", "manage-preview-of-an-unseeded-server"],
)
async def test_commands_that_write_say_the_database_is_busy_in_time(
    world: FaultWorld, command: str, options: dict[str, Any], subcommand: str | None, moderator: bool
) -> None:
    async with locked(world.database):
        result = await world.fake.slash(
            command, options, subcommand=subcommand, user=world.mod if moderator else world.fan
        )
        reply = await result.response()
        answered_in_time(result)
        assert assert_kind(reply) == (
            "The database is busy right now, so nothing was saved. Please try again in a few seconds."
        )
    assert await world.bot.store.spoiler_level(world.fan.id) == "none"
    assert (await world.bot.store.get_settings(world.guild.id)).threads is False
    # Once it is free, the same command works.
    again = await (
        await world.fake.slash(
            command, options, subcommand=subcommand, user=world.mod if moderator else world.fan
        )
    ).response()
    assert "busy" not in (again.content or "")


async def test_a_delivery_caught_by_the_lock_is_finished_afterwards_exactly_once(world: FaultWorld) -> None:
    await world.setup(threads=True, auto_publish=True)
    # Discord stores the announcement, but the bot hears back only once the database is locked: it cannot
    # record the message id, and must neither lose the announcement nor post it twice.
    hold = world.fake.hold(*MESSAGES, stage="after")
    result, _ = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    await world.press(result, "Post")
    await hold.arrived()
    async with locked(world.database):
        hold.release()
        deliverer = world.bot.deliverer
        assert deliverer is not None
        await eventually(lambda: _true(deliverer.busy > 0), "the deliverer to find the database busy")
    await world.outbox_settled()
    items = await world.bot.store.outbox_items(world.guild.id)
    assert {i.purpose: i.state for i in items} == {"announcement": "done", "modlog": "done"}
    announcements = world.channel_id("announcements")
    [message] = world.fake.messages[announcements]
    posts = [r for r in world.fake.requests_to(*MESSAGES) if r.params["channel_id"] == str(announcements)]
    assert len({p.json["nonce"] for p in posts}) == 1
    assert [i.message_id for i in items if i.purpose == "announcement"] == [int(message.data["id"])]
    await world.fake.wait_request("POST", "/channels/{channel_id}/messages/{message_id}/threads")
    await world.fake.wait_request("POST", "/channels/{channel_id}/messages/{message_id}/crosspost")


async def test_a_reminder_due_while_the_database_is_locked_goes_out_once_afterwards(
    world: FaultWorld,
) -> None:
    await world.setup()
    release = (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).replace(second=0, microsecond=0)
    result, _ = await world.manage(
        "season release-date",
        {"date": release.strftime("%Y-%m-%d %H:%M UTC"), "source": "https://e.x/2"},
    )
    await world.press(result, "Save without announcing")
    scheduler = world.bot.premiere
    assert scheduler is not None
    async with locked(world.database):
        world.premiere_clock.offset = dt.timedelta(days=3, minutes=1)  # the 7-days-before reminder is due
        scheduler.wake()
        await eventually(lambda: _true(scheduler.busy > 0), "the scheduler to find the database busy")
        assert [r.offset_seconds for r in await world.bot.store.pending_reminders(world.guild.id)] == [
            604800,
            86400,
            0,
        ]
    [reminder] = await world.announcements(1)
    assert reminder.data["embeds"][0]["title"].startswith("⏰ All of Us Are Dead Season 2 premieres soon")
    await world.outbox_settled()
    await asyncio.sleep(0.2)
    assert len(world.fake.messages[world.channel_id("announcements")]) == 1
    states = {r.offset_seconds: r.state for r in await world.bot.store.reminders(world.guild.id)}
    assert states == {604800: "sent", 86400: "pending", 0: "pending"}


async def _true(value: bool) -> bool:
    return value


async def test_a_setup_saves_every_setting_and_its_channels_retries_together_or_nothing(
    store: Store, tmp_path: Path
) -> None:
    """/manage setup writes its settings and sets its channels up again in one transaction: a lock refuses all
    of it (nothing half saved while the moderator is told nothing was), and once free all of it is saved."""
    guild, channel = 1234, 5678
    await store.ensure_guild(guild)
    await store.mark_channel_failing(guild, channel, 403, "Missing Access")
    async with locked(tmp_path / "bot.db"):
        with pytest.raises(DatabaseBusy):
            await store.update_settings(guild, [channel], announce_channel_id=channel, threads=True)
    assert (await store.get_settings(guild)).announce_channel_id is None
    assert [c.channel_id for c in await store.failing_channels(guild)] == [channel]
    settings, retried = await store.update_settings(
        guild, [channel], announce_channel_id=channel, threads=True
    )
    assert (settings.announce_channel_id, settings.threads, retried) == (channel, True, 0)
    assert await store.failing_channels(guild) == []
