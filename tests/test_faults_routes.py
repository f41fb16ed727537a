"""Discord failing on every route the bot uses: 429 (route and global), 500 and 503.

One scenario exercises every feature: fans' lookups with their buttons, pager and Reveal, autocomplete,
/spoilers, /subscribe and Notify me, /manage setup, changes Posted (so the deliverer posts, opens threads and
publishes), a release date set, moved and cleared (reminders and the Scheduled Event created, moved and
cancelled), a reminder falling due, /manage history, the command sync, the mod-log, and a delivery that
looks in the channel before sending again. The routes it uses must be exactly `ROUTES`: a route the bot
starts using fails this test until it is added here, deliberately, and so covered by the faults below.

For every route and fault the same scenario runs with the fault on that route's first request, and then:

- every interaction was answered within Discord's 3 s, and any failure was told privately, in words;
- Discord's rate limits and 500s are waited out (discord.py retries them), so nothing fails at all; a 503
  (which discord.py does not retry) may only fail the one thing that needed that route, with a kind message;
- every change committed is in the store, the fan's spoiler level and role are what the bot last said;
- every announcement, reminder and mod-log entry is delivered exactly once (background retries run on the
  test's clock), with its thread and publication, and the premiere event ends cancelled.

Interaction callbacks and follow-ups are exempt from Discord's global rate limit, so the global 429 is not
injected on them: Discord never sends one there. Their own 429 uses a short `retry_after` (0.2 s): a
longer one on the callback would outlast the 3 s token and no bot could answer; Discord does not do that.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.models import Season
from bot.pack import Pack
from tests.fakediscord import Callback, FakeDiscord, Fault, InteractionResult
from tests.faults import MESSAGES, FaultWorld, answered_in_time, assert_kind, fault_world
from tests.harness import eventually, run_bot_process, running_bot

CALLBACK = ("POST", "/interactions/{webhook_id}/{webhook_token}/callback")
FOLLOWUP = ("POST", "/webhooks/{webhook_id}/{webhook_token}")
SYNC = ("PUT", "/applications/{application_id}/commands")
LOGIN = ("GET", "/users/@me")
APPLICATION = ("GET", "/oauth2/applications/@me")
ROLE_ADD = ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
ROLE_REMOVE = ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
EVENTS = ("GET", "/guilds/{guild_id}/scheduled-events")
EVENT_CREATE = ("POST", "/guilds/{guild_id}/scheduled-events")
EVENT_EDIT = ("PATCH", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}")
HISTORY = ("GET", "/channels/{channel_id}/messages")
THREAD = ("POST", "/channels/{channel_id}/messages/{message_id}/threads")
CROSSPOST = ("POST", "/channels/{channel_id}/messages/{message_id}/crosspost")

# Every route the scenario uses. Add a route here only with the faults below covering it.
ROUTES = frozenset(
    {
        CALLBACK,
        SYNC,
        LOGIN,
        APPLICATION,
        ROLE_ADD,
        ROLE_REMOVE,
        EVENTS,
        EVENT_CREATE,
        EVENT_EDIT,
        MESSAGES,
        HISTORY,
        THREAD,
        CROSSPOST,
    }
)
# Interaction routes: Discord exempts them from the global rate limit.
INTERACTION_ROUTES = frozenset({CALLBACK, FOLLOWUP})
# Routes used before the bot is connected: a 503 there stops the start (see test_main's clear exit).
START_ROUTES = frozenset({LOGIN, APPLICATION})

# What a user may be told when a 503 (not retried by discord.py) hits a route during their interaction.
DISCORD_TROUBLE = "Discord had a problem with that just now (error 503)"
EVENT_TROUBLE = "Discord had a problem updating the premiere's Scheduled Event (error 503)"
TOLD_ON_503: dict[tuple[str, str], str] = {
    ROLE_ADD: DISCORD_TROUBLE,
    ROLE_REMOVE: DISCORD_TROUBLE,
    EVENTS: EVENT_TROUBLE,
    EVENT_CREATE: EVENT_TROUBLE,
    EVENT_EDIT: EVENT_TROUBLE,
}

KINDS: dict[str, dict[str, Any]] = {
    "429-route": {"status": 429, "retry_after": 0.2},
    "429-global": {"status": 429, "retry_after": 0.2, "global_": True, "scope": "global"},
    "500": {"status": 500},
    "503": {"status": 503},
}


@dataclass
class Record:
    """What the scenario saw: failures told to the user, and what the bot last said about the fan's role."""

    results: list[InteractionResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    subscribed: bool = False


async def _answer(record: Record, result: InteractionResult, succeeded: Any) -> Callback | None:
    """The reply, answered in time; None (and recorded) when it is a kind failure instead of `succeeded`."""
    record.results.append(result)
    reply = await result.response()
    answered_in_time(result)
    if succeeded(reply):
        return reply
    record.failures.append(assert_kind(reply))
    return None


def _starts(text: str) -> Any:
    return lambda reply: (reply.content or "").startswith(text)


def _embed(title: str) -> Any:
    return lambda reply: bool(reply.embeds) and str(reply.embeds[0].get("title", "")).startswith(title)


async def _click(world: FaultWorld, record: Record, result: InteractionResult, label: str, ok: Any) -> None:
    message = result.original
    assert message is not None
    button = next(
        b for row in message.data["components"] for b in row["components"] if b.get("label") == label
    )
    await _answer(record, await world.fake.click(message, button["custom_id"], user=world.mod), ok)


async def _change(world: FaultWorld, record: Record, options: dict[str, Any], label: str) -> None:
    result = await world.fake.slash(
        "manage", options, subcommand="season " + options.pop("_sub"), user=world.mod
    )
    await _answer(record, result, _starts("**Preview.**"))
    await _click(world, record, result, label, _starts("📣 Saved" if label == "Post" else "💾 Saved"))


async def scenario(world: FaultWorld) -> Record:
    fake, fan, record = world.fake, world.fan, Record()
    # Fans: a card with Reveal buttons, autocomplete, the paged cast, the season, /about, /spoilers.
    card = await fake.slash("character", {"name": "Nam-ra"}, user=fan)
    shown = await _answer(record, card, _embed("Choi Nam-ra"))
    assert shown is not None
    reveal = shown.components[0]["components"][0]["custom_id"]
    assert card.original is not None
    await _answer(record, await fake.click(card.original, reveal, user=fan), lambda r: bool(r.embeds))
    assert (await fake.autocomplete("character", {"name": "nam"}, "name", user=fan))[0][
        "value"
    ] == "choi-nam-ra"
    cast = await fake.slash("cast", user=fan)
    await _answer(record, cast, _embed("All of Us Are Dead: the cast"))
    assert cast.original is not None
    pager = [b for row in cast.original.data["components"] for b in row["components"]]
    await _answer(
        record,
        await fake.click(cast.original, pager[1]["custom_id"], user=fan),
        _embed("All of Us Are Dead: the cast (2/2)"),
    )
    await _answer(record, await fake.slash("season", user=fan), _embed("All of Us Are Dead: Season 2"))
    await _answer(record, await fake.slash("about", user=fan), lambda r: bool(r.embeds))
    await _answer(record, await fake.slash("spoilers", {"level": "s1"}, user=fan), _starts("Got it"))

    # Moderators: setup, then changes that announce (thread, publication, mod-log) and a premiere.
    setup: dict[str, Any] = {
        "announcement_channel": world.guild.channel("announcements"),
        "ping_role": world.ping,
        "modlog_channel": world.guild.channel("mod-log"),
        "moderator_role": world.helpers,
        "threads": True,
        "auto_publish": True,
        "premiere_event": True,
    }
    await _answer(
        record,
        await fake.slash("manage", setup, subcommand="setup", user=world.mod),
        _starts("Settings saved."),
    )
    if await _answer(record, await fake.slash("subscribe", user=fan), _starts("Done: you'll be pinged")):
        record.subscribed = True
    await _change(world, record, {"_sub": "stage", "stage": "filming", "source": "https://e.x/1"}, "Post")
    await world.outbox_settled()
    [announcement] = world.fake.messages[world.channel_id("announcements")]
    notify = await fake.click(announcement, "aoad:notify", user=fan)
    # Notify me only subscribes: a fan /subscribe already subscribed is told so, and stays subscribed.
    already = _starts("You already get pinged")
    if await _answer(
        record, notify, lambda reply: already(reply) or _starts("Done: you'll be pinged")(reply)
    ):
        record.subscribed = True
    # /subscribe again stops the pings: a DELETE of the role.
    stop = await fake.slash("subscribe", user=fan)
    if await _answer(record, stop, _starts("Done: you won't be pinged")):
        record.subscribed = False

    release = (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).replace(second=0, microsecond=0)
    for moment, label in ((release, "Post"), (release + dt.timedelta(days=1), "Save without announcing")):
        options = {
            "_sub": "release-date",
            "date": moment.strftime("%Y-%m-%d %H:%M UTC"),
            "source": "https://e.x/2",
        }
        await _change(world, record, options, label)
    # The 7-days-before reminder falls due.
    assert world.bot.premiere is not None
    world.premiere_clock.offset = dt.timedelta(days=4, minutes=1)
    world.bot.premiere.wake()
    await eventually(lambda: _reminder_sent(world), "the first reminder to be fired", limit=5)
    await world.outbox_settled()
    await _answer(record, await fake.slash("manage", subcommand="history", user=world.mod), _embed("History"))

    # A delivery whose POST failed is looked for in the channel, past Discord's nonce window, before resending.
    fake.fail(*MESSAGES, status=503)
    await _change(world, record, {"_sub": "release-date", "clear": True}, "Save without announcing")
    await world.outbox_settled()
    await _premiere_settled(world)
    return record


async def _reminder_sent(world: FaultWorld) -> bool:
    return any(r.state == "sent" for r in await world.bot.store.reminders(world.guild.id))


async def _premiere_settled(world: FaultWorld) -> None:
    """Wait for the Scheduled Event to follow the cleared date: the moderator's sync, or the scheduler's
    retries of a call Discord failed (on its clock)."""
    scheduler = world.bot.premiere
    assert scheduler is not None

    async def settled() -> bool:
        statuses = [e["status"] for e in world.guild.scheduled_events.values()]
        recorded = await world.bot.store.premiere_event(world.guild.id, 2)
        if not scheduler._event_retries and statuses == [4] and recorded is None:
            return True
        world.premiere_clock.offset += dt.timedelta(minutes=15)
        scheduler.wake()
        return False

    await eventually(settled, "the premiere event to be cancelled", limit=10)


async def check_nothing_lost(world: FaultWorld, record: Record) -> None:
    store, guild = world.bot.store, world.guild
    assert await store.spoiler_level(world.fan.id) == "s1"
    settings = await store.get_settings(guild.id)
    assert (settings.threads, settings.auto_publish, settings.premiere_event) == (True, True, True)
    assert settings.moderator_role_id == world.helpers.id
    stored = await store.get_entry(guild.id, "season", "2")
    assert stored is not None
    season = stored.entry
    assert isinstance(season, Season)
    assert (season.stage.value, season.release) == ("filming", None)
    assert len(await store.revisions(guild.id)) == 4
    assert (world.ping.id in world.fan.roles) == record.subscribed

    # Exactly once: every row delivered, one message each, with its thread and publication.
    items = await store.outbox_items(guild.id)
    assert {i.state for i in items} == {"done"}, [(i.purpose, i.state, i.error) for i in items]
    announcements = world.fake.messages[world.channel_id("announcements")]
    loud = [i for i in items if i.purpose in ("announcement", "reminder")]
    assert len(loud) == 2 + 1
    assert sorted(int(m.data["id"]) for m in announcements) == sorted(i.message_id for i in loud)  # type: ignore[type-var]
    assert all(i.thread_done and i.publish_done for i in loud)
    modlog = world.fake.messages[world.channel_id("mod-log")]
    assert len(modlog) == len([i for i in items if i.purpose == "modlog"]) == 4
    assert len(world.fake.requests_to(*HISTORY)) >= 1

    # The premiere event was created, moved and cancelled with the date, whatever failed on the way.
    assert await store.premiere_event(guild.id, 2) is None
    assert [e["status"] for e in guild.scheduled_events.values()] == [4]  # one event, cancelled
    states = sorted(r.state for r in await store.reminders(guild.id))
    assert states == ["cancelled"] * 5 + ["sent"]  # three planned, moved (three more), one sent, cleared


async def _followups(record: Record) -> list[str]:
    await asyncio.sleep(0.05)
    return [assert_kind_followup(m.data) for r in record.results for m in r.followups]


def assert_kind_followup(data: dict[str, Any]) -> str:
    assert data.get("flags", 0) & 64, data
    text = str(data.get("content") or "")
    assert text
    assert "Traceback" not in text
    assert "Exception" not in text
    return text


@pytest.fixture
async def world(tmp_path: Path, pack: Pack) -> AsyncIterator[FaultWorld]:
    async with fault_world(tmp_path, pack) as running:
        yield running


async def test_the_scenario_uses_exactly_the_listed_routes(world: FaultWorld) -> None:
    record = await scenario(world)
    assert record.failures == []
    await check_nothing_lost(world, record)
    used = {(r.method, r.route) for r in world.fake.requests}
    assert used == ROUTES, f"new: {sorted(used - ROUTES, key=str)}; unused: {sorted(ROUTES - used, key=str)}"
    assert await _followups(record) == []


def _cases() -> list[Any]:
    cases = []
    for route in sorted(ROUTES):
        for kind in KINDS:
            if kind == "429-global" and route in INTERACTION_ROUTES:
                continue  # Discord exempts interaction callbacks and follow-ups from the global limit
            if kind == "503" and route in START_ROUTES | {SYNC}:
                continue  # not retried by discord.py at start-up: see the two tests below
            cases.append(pytest.param(route, kind, id=f"{kind}-{route[0]} {route[1]}"))
    return cases


@pytest.mark.parametrize(("route", "kind"), _cases())
async def test_a_fault_on_any_route_loses_nothing_and_fails_nothing_silently(
    tmp_path: Path, pack: Pack, route: tuple[str, str], kind: str
) -> None:
    faults: list[Fault] = []

    def arm(fake: FakeDiscord) -> None:
        faults.append(fake.fail(*route, **KINDS[kind]))

    async with fault_world(tmp_path, pack, before_start=arm) as world:
        record = await scenario(world)
        [fault] = faults
        assert fault.hits == 1, "the fault never hit: the scenario no longer uses this route"
        told = record.failures + await _followups(record)
        if kind == "503" and route in TOLD_ON_503:
            assert all(t.startswith(TOLD_ON_503[route]) for t in told), told
        else:
            assert told == []
        await check_nothing_lost(world, record)


@pytest.mark.parametrize("route", sorted(START_ROUTES))
async def test_a_discord_outage_at_start_is_one_clear_line(tmp_path: Path, route: tuple[str, str]) -> None:
    async with FakeDiscord() as fake:
        fake.fail(*route, status=503)
        env = {"DISCORD_TOKEN": fake.token, "DATABASE_PATH": str(tmp_path / "bot.db")}
        finished = await run_bot_process(fake.launch_argv()[1:], env, cwd=tmp_path)
    assert finished.returncode == 1  # not a setting to fix: a service manager may simply start it again
    assert (
        "error: Discord is not answering properly right now (503); start the bot again in a few minutes."
        in (finished.stderr)
    )
    assert "Traceback" not in finished.stderr


async def test_a_failed_sync_is_retried_at_the_next_start(
    tmp_path: Path, pack: Pack, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeDiscord() as fake:
        fake.fail(*SYNC, status=503)
        async with running_bot(fake, tmp_path / "bot.db", pack):
            assert fake.sync_count == 0
        assert "Syncing commands globally failed (503)" in caplog.text
        async with running_bot(fake, tmp_path / "bot.db", pack):
            await fake.wait_synced()
            reply = await (await fake.slash("season")).response()
            assert reply.embeds[0]["title"] == "All of Us Are Dead: Season 2"
        assert fake.sync_count == 1
