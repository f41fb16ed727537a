"""The premiere end to end: reminders that fire once, follow the date, survive restarts; the Scheduled Event.

The scheduler's clock is moved forward by the tests: days pass without sleeping.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

import pytest

from bot.pack import Pack
from bot.premiere import PremiereScheduler
from tests.cogs.world import Clock, World, new_guild, with_world
from tests.fakediscord import FakeDiscord, Permission
from tests.harness import eventually

EVENTS = "/guilds/{guild_id}/scheduled-events"
EVENT = "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}"


def _at(days: float, hour: int = 8) -> dt.datetime:
    """A release moment `days` from now, on the hour, in UTC."""
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _typed(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


async def _set_release(world: World, typed: str | None) -> None:
    options = {"clear": True} if typed is None else {"date": typed, "source": "https://about.netflix.com/x"}
    result, preview = await world.manage("season release-date", options)
    assert preview.embeds, preview.content
    await world.press(result, "Save without announcing")


def _scheduler(world: World) -> tuple[PremiereScheduler, Clock]:
    scheduler = world.bot.premiere
    assert scheduler is not None
    clock = Clock()
    scheduler.clock = clock
    return scheduler, clock


async def _reminders_posted(world: World) -> list[str]:
    channel = world.channel_id("announcements")
    return [m.data["embeds"][0]["title"] for m in world.fake.messages.get(channel, [])]


async def test_reminders_fire_once_each_at_their_moment(world: World) -> None:
    await world.setup()
    release = _at(10)
    await _set_release(world, _typed(release))
    pending = await world.bot.store.pending_reminders(world.guild.id)
    assert sorted(r.offset_seconds for r in pending) == [0, 86400, 604800]

    scheduler, clock = _scheduler(world)
    assert await scheduler.run_once() == 0  # nothing due yet
    clock.offset = release - dt.timedelta(days=7) - dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert await scheduler.run_once() == 1
    assert await scheduler.run_once() == 0  # fired once, not again
    [message] = await world.announcements(1)
    stamp = int(release.timestamp())
    assert message.request["embeds"][0]["title"] == "⏰ All of Us Are Dead Season 2 premieres soon"
    assert f"premieres <t:{stamp}:R>" in message.request["embeds"][0]["description"]
    assert message.request["content"] == f"<@&{world.ping.id}>"
    assert message.request["allowed_mentions"] == {"parse": [], "roles": [world.ping.id]}

    clock.offset = release - dt.timedelta(days=1) - dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert await scheduler.run_once() == 1
    await world.announcements(2)
    clock.offset = release - dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert await scheduler.run_once() == 1
    await world.announcements(3)
    assert (await _reminders_posted(world))[-1] == "🎬 All of Us Are Dead Season 2 is out now on Netflix!"
    assert await world.bot.store.pending_reminders(world.guild.id) == []


async def test_a_changed_date_reschedules_and_a_cleared_one_cancels(world: World) -> None:
    await world.setup()
    first = _at(10)
    await _set_release(world, _typed(first))
    moved = _at(20)
    await _set_release(world, _typed(moved))
    pending = await world.bot.store.pending_reminders(world.guild.id)
    assert {r.due_at for r in pending} == {moved - dt.timedelta(seconds=s) for s in (0, 86400, 604800)}
    old = [r.state for r in await world.bot.store.reminders(world.guild.id) if r.release == first.isoformat()]
    assert old == ["cancelled", "cancelled", "cancelled"]

    scheduler, clock = _scheduler(world)
    clock.offset = dt.timedelta(days=11)  # past the first date's moments: nothing of it may fire
    assert await scheduler.run_once() == 0

    await _set_release(world, None)
    assert await world.bot.store.pending_reminders(world.guild.id) == []
    clock.offset = dt.timedelta(days=30)
    assert await scheduler.run_once() == 0
    assert await _reminders_posted(world) == []


async def test_a_rough_date_schedules_nothing(world: World) -> None:
    await world.setup(premiere_event=True)
    for rough in ("late 2027", "2027-03", "2027", "2027-03-05"):
        await _set_release(world, rough)
        assert await world.bot.store.pending_reminders(world.guild.id) == []
    assert world.fake.requests_to("POST", EVENTS) == []
    card = await (await world.fake.slash("season")).response()
    release = next(f["value"] for f in card.embeds[0]["fields"] if f["name"] == "Release")
    assert release.startswith("5 March 2027 (time not announced)")
    assert "<t:" not in release


async def test_a_late_reminder_goes_out_only_while_still_true(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.premiere")
    await world.setup()
    release = _at(10)
    await _set_release(world, _typed(release))
    scheduler, clock = _scheduler(world)
    # The bot was away across the 7-day and 1-day moments and the release itself: it comes back 2 h after.
    clock.offset = release - dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    assert await scheduler.run_once() == 1
    await world.announcements(1)
    assert await _reminders_posted(world) == ["🎬 All of Us Are Dead Season 2 is out now on Netflix!"]
    states = sorted((r.offset_seconds, r.state) for r in await world.bot.store.reminders(world.guild.id))
    assert states == [(0, "sent"), (86400, "dropped"), (604800, "dropped")]
    assert "no longer true" in caplog.text


async def test_even_the_release_reminder_is_dropped_when_far_too_late(world: World) -> None:
    await world.setup()
    release = _at(10)
    await _set_release(world, _typed(release))
    scheduler, clock = _scheduler(world)
    clock.offset = release - dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert await scheduler.run_once() == 0
    assert {r.state for r in await world.bot.store.reminders(world.guild.id)} == {"dropped"}


async def test_a_restart_neither_loses_nor_doubles_a_reminder(tmp_path: Path, pack: Pack) -> None:
    guild, ping, helpers = new_guild()
    database = tmp_path / "bot.db"
    release = _at(10)
    async with FakeDiscord(guilds=[guild]) as fake:
        async for world in with_world(fake, guild, ping, helpers, database, pack):
            await world.setup()
            await _set_release(world, _typed(release))
            scheduler, clock = _scheduler(world)
            clock.offset = release - dt.timedelta(days=7) - dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
            assert await scheduler.run_once() == 1
            await world.announcements(1)
        async for world in with_world(fake, guild, ping, helpers, database, pack):
            scheduler, clock = _scheduler(world)
            clock.offset = release - dt.timedelta(days=7) - dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
            assert await scheduler.run_once() == 0  # the 7-day one was sent before the restart: not again
            clock.offset = release - dt.timedelta(days=1) - dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
            assert await scheduler.run_once() == 1  # the 1-day one survived the restart
            await world.announcements(2)
            assert len(await _reminders_posted(world)) == 2


async def test_the_premiere_event_is_created_moved_and_cancelled(world: World) -> None:
    await world.setup(premiere_event=True)
    release = _at(10)
    await _set_release(world, _typed(release))
    created = await world.fake.wait_request("POST", EVENTS)
    body = created.json
    assert body["entity_type"] == 3
    assert body["entity_metadata"] == {"location": "Netflix"}
    assert body["name"] == "All of Us Are Dead Season 2 premiere"
    assert dt.datetime.fromisoformat(body["scheduled_start_time"]) == release
    assert dt.datetime.fromisoformat(body["scheduled_end_time"]) == release + dt.timedelta(hours=2)
    assert "about.netflix.com" in body["description"]
    [event] = world.guild.scheduled_events.values()

    moved = _at(12)
    await _set_release(world, _typed(moved))
    patch = await world.fake.wait_request("PATCH", EVENT)
    assert patch.params["guild_scheduled_event_id"] == str(event["id"])
    assert dt.datetime.fromisoformat(patch.json["scheduled_start_time"]) == moved

    await _set_release(world, None)
    await world.fake.wait_request("PATCH", EVENT, count=2)
    assert world.fake.requests_to("PATCH", EVENT)[-1].json == {"status": 4}
    assert len(world.fake.requests_to("POST", EVENTS)) == 1


async def test_turning_the_event_on_after_the_date_creates_it_and_off_cancels_it(world: World) -> None:
    await world.setup()
    await _set_release(world, _typed(_at(10)))
    assert world.fake.requests_to("POST", EVENTS) == []
    await world.setup(premiere_event=True)
    await world.fake.wait_request("POST", EVENTS)
    await world.setup(premiere_event=False)
    patch = await world.fake.wait_request("PATCH", EVENT)
    assert patch.json == {"status": 4}


async def test_missing_manage_events_is_told_to_the_moderator(world: World) -> None:
    bot_role = world.guild.role("Bot")
    bot_role.permissions &= ~(Permission.MANAGE_EVENTS | Permission.CREATE_EVENTS)
    await world.fake.dispatch(
        "GUILD_ROLE_UPDATE", {"guild_id": str(world.guild.id), "role": bot_role.to_payload()}
    )
    result, _ = await world.manage("setup", {"premiere_event": True})
    fields = {f["name"]: f["value"] for f in result.original.data["embeds"][0]["fields"]}  # type: ignore[union-attr]
    assert "I need Manage Events to create the premiere's Scheduled Event." in fields["⚠️ To fix"]

    result, _ = await world.manage(
        "season release-date", {"date": _typed(_at(10)), "source": "https://e.x/1"}
    )
    await world.press(result, "Save without announcing")
    followups = ("POST", "/webhooks/{webhook_id}/{webhook_token}")

    async def told() -> bool:
        return any(
            "**Manage Events**" in (f.json or {}).get("content", "")
            for f in world.fake.requests_to(*followups)
        )

    await eventually(told, "the moderator to be told about Manage Events")
    [followup] = [
        f for f in world.fake.requests_to(*followups) if "Manage Events" in f.json.get("content", "")
    ]
    assert followup.json["flags"] & 64  # privately
    assert world.guild.scheduled_events == {}


async def test_after_time_away_only_the_latest_true_reminder_goes_out(world: World) -> None:
    await world.setup()
    release = _at(10)
    await _set_release(world, _typed(release))
    scheduler, clock = _scheduler(world)
    # Away across the 7-day and the 1-day moments, back before the premiere: one reminder, not two.
    clock.offset = release - dt.timedelta(hours=12) - dt.datetime.now(dt.UTC)
    assert await scheduler.run_once() == 1
    await world.announcements(1)
    states = sorted((r.offset_seconds, r.state) for r in await world.bot.store.reminders(world.guild.id))
    assert states == [(0, "pending"), (86400, "sent"), (604800, "dropped")]


async def test_a_reminder_held_up_until_its_date_was_cleared_is_not_posted(world: World) -> None:
    await world.setup()
    announcements = world.guild.channel("announcements")
    release = _at(10)
    await _set_release(world, _typed(release))
    scheduler, clock = _scheduler(world)
    announcements.forbidden = True
    clock.offset = release - dt.timedelta(days=7) - dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert await scheduler.run_once() == 1

    async def failing() -> bool:
        return bool(await world.bot.store.failing_channels(world.guild.id))

    await eventually(failing, "the channel to be marked failing")
    await _set_release(world, None)  # the premiere date is withdrawn meanwhile
    announcements.forbidden = False
    await world.setup()  # the channel is fixed: what failed there is retried...
    await asyncio.sleep(0.5)
    assert (
        world.fake.messages.get(announcements.id, []) == []
    )  # ...but a reminder of a withdrawn date is not sent


async def test_two_syncs_at_once_make_one_event_and_a_lost_one_is_adopted(world: World) -> None:
    from bot.premiere import sync_premiere_event

    await world.setup(premiere_event=True)
    await world.setup()  # no date yet: nothing to do
    result, _ = await world.manage(
        "season release-date", {"date": _typed(_at(10)), "source": "https://e.x/1"}
    )
    await world.press(result, "Save without announcing")
    await world.fake.wait_request("POST", EVENTS)
    await asyncio.gather(*(sync_premiere_event(world.bot, world.guild.id) for _ in range(3)))
    assert len(world.fake.requests_to("POST", EVENTS)) == 1
    # The record of the event is lost (as after a crash between creating it and saving its id).
    await world.bot.store.set_premiere_event(world.guild.id, 2, None)
    await _set_release(world, _typed(_at(11)))
    await world.fake.wait_request("PATCH", EVENT)
    assert len(world.fake.requests_to("POST", EVENTS)) == 1
    assert len(world.guild.scheduled_events) == 1


async def test_a_newer_pack_with_a_release_date_plans_its_reminders(tmp_path: Path, pack_copy: Path) -> None:
    from bot.pack import load_pack
    from bot.store import Store

    guild_id = 424242
    database = tmp_path / "bot.db"
    async with Store.open(database, load_pack(pack_copy)) as store:
        await store.catalog(guild_id)
    release = _at(30).isoformat()
    seasons = pack_copy / "seasons.toml"
    text = seasons.read_text(encoding="utf-8")
    seasons.write_text(
        text.replace(
            'number = 2\nstage = "post-production"',
            f'number = 2\nstage = "post-production"\nrelease = "{release}"',
        ),
        encoding="utf-8",
    )
    newer = load_pack(pack_copy)
    async with Store.open(database, newer) as store:
        await store.catalog(guild_id)
        pending = await store.pending_reminders(guild_id)
    assert sorted(r.offset_seconds for r in pending) == [0, 86400, 604800]
