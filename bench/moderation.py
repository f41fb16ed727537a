"""The moderator side at size: an import at the size limit while another server is served, and a fan's lookup
right after a moderator's edit in a server of 100,000 characters. Both bots are real processes against the
fake Discord on 127.0.0.1; the bare bot has no data to import or edit, so its figures are the same lookups
with nothing else going on, the baseline a fan would notice a difference from."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from bench.stats import percentile
from tests.fakediscord import FakeDiscord, Guild, InteractionResult, Member, StoredMessage, default_guild
from tests.sizes import at_size_limit

# Lookups in the other server while the import runs: a busy server's rate, spread over a crowd so that the
# bot's per-member cooldown (10 lookups per 20 s) is never what answers.
OTHER_RATE = 20.0
OTHER_CROWD = 400
EDITS = 5


def _final(message: StoredMessage) -> bool:
    """The message an interaction ends with: not "thinking…", not "⏳ Saving…"."""
    data = message.data
    content = str(data.get("content") or "")
    return any(
        bool(data.get(part)) for part in ("components", "embeds", "content")
    ) and not content.startswith("⏳")


# Long enough for a 2 MiB import on a slow machine; the fake fails the run if a first answer is late anyway.
_ENDED = 120.0


async def _ended(result: InteractionResult) -> StoredMessage:
    await result.response(timeout=_ENDED)
    return await result.wait_original(_final, timeout=_ENDED)


async def _press(fake: FakeDiscord, result: InteractionResult, label: str, user: Member) -> StoredMessage:
    message = result.original
    assert message is not None
    for row in message.data["components"]:
        for button in row["components"]:
            if button.get("label") == label:
                return await _ended(await fake.click(message, button["custom_id"], user=user))
    raise AssertionError(f"no button {label!r} in {message.data['components']}")


def _crowd(guild: Guild, count: int) -> list[Member]:
    while len(guild.members) < count + 3:
        guild.members.append(Member.new(f"fan-{len(guild.members)}"))
    return guild.members[3:]


async def _lookups(fake: FakeDiscord, guild: Guild, stop: asyncio.Event, latencies: list[float]) -> int:
    """/character in `guild` at OTHER_RATE a second until `stop`, open loop; the number not answered."""
    crowd = _crowd(guild, OTHER_CROWD)
    names = ["namra", "cheongsan", "onjo", "suhyeok", "gwinam"]

    async def one(index: int) -> None:
        result = await fake.slash(
            "character",
            {"name": names[index % len(names)]},
            user=crowd[index % len(crowd)],
            guild_id=guild.id,
        )
        await result.response(timeout=10)
        assert result.latency is not None
        latencies.append(result.latency * 1000)

    tasks = []
    start, index = time.perf_counter(), 0
    while not stop.is_set():
        delay = start + index / OTHER_RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(index)))
        index += 1
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    return sum(1 for outcome in outcomes if isinstance(outcome, BaseException))


async def import_at_limit(fake: FakeDiscord, big: Guild, other: Guild) -> dict[str, Any]:
    """Ours: export, grow to the size limit, import (time to the preview), Apply (time to the answer), while
    the other server's fans look characters up."""
    mod = big.member("moderator")
    exported = await fake.slash("manage", subcommand="export", user=mod, guild_id=big.id)
    await exported.response(timeout=30)
    message = await exported.wait_original(lambda m: bool(m.uploads), timeout=60)
    data, entries = at_size_limit(json.loads(message.uploads[0].data))
    stop, latencies = asyncio.Event(), list[float]()
    background = asyncio.create_task(_lookups(fake, other, stop, latencies))
    await asyncio.sleep(2.0)
    before = len(latencies)
    began = time.perf_counter()
    file = fake.attachment("data.json", data)
    imported = await fake.slash("manage", {"file": file}, subcommand="import", user=mod, guild_id=big.id)
    preview = await _ended(imported)
    previewed = time.perf_counter()
    assert "Apply" in json.dumps(preview.data.get("components")), preview.data.get("content")
    done = await _press(fake, imported, "Apply", mod)
    applied = time.perf_counter()
    assert str(done.data.get("content") or "").startswith("✅ Applied"), done.data.get("content")
    during = latencies[before:]
    stop.set()
    lost = await background
    return {
        "bytes": len(data),
        "entries": entries,
        "to_preview_s": previewed - began,
        "apply_s": applied - previewed,
        "other_p99_ms": percentile(during, 0.99),
        "other_max_ms": max(during, default=float("inf")),
        "other_answered": len(during),
        "other_lost": lost,
    }


async def baseline_lookups(fake: FakeDiscord, guild: Guild, seconds: float) -> dict[str, Any]:
    """The same lookups with nothing else going on."""
    stop, latencies = asyncio.Event(), list[float]()
    background = asyncio.create_task(_lookups(fake, guild, stop, latencies))
    await asyncio.sleep(seconds)
    stop.set()
    lost = await background
    return {"other_p99_ms": percentile(latencies, 0.99), "other_answered": len(latencies), "other_lost": lost}


async def lookups_after_edits(fake: FakeDiscord, guild: Guild, name: str) -> dict[str, Any]:
    """Ours: a moderator adds a character, then at once a fan looks `name` up; EDITS times. The time to the
    first answer (a deferral, if the index is being rebuilt) and to the card."""
    mod, fan = guild.member("moderator"), guild.member("fan")
    first, card = [], []
    for number in range(EDITS):
        added = await fake.slash(
            "manage",
            {
                "name": f"Bench Added {number}",
                "description": "Added by the benchmark",
                "source": "https://e.x/1",
            },
            subcommand="character add",
            user=mod,
            guild_id=guild.id,
        )
        await _ended(added)
        saved = await _press(fake, added, "Save without announcing", mod)
        assert "Saved as revision" in str(saved.data.get("content")), saved.data.get("content")
        sent = time.perf_counter()
        lookup = await fake.slash("character", {"name": name}, user=fan, guild_id=guild.id)
        await lookup.response(timeout=10)
        assert lookup.latency is not None
        first.append(lookup.latency * 1000)
        await lookup.wait_original(lambda m: bool(m.data.get("embeds")), timeout=30)
        card.append((time.perf_counter() - sent) * 1000)
        await asyncio.sleep(11)  # the fan's lookup cooldown is per member: keep well within it
    return {"first_answer_ms": sorted(first), "card_ms": sorted(card)}


async def bare_lookups(fake: FakeDiscord, guild: Guild, name: str) -> dict[str, Any]:
    fan = guild.member("fan")
    first = []
    for _ in range(EDITS):
        lookup = await fake.slash("character", {"name": name}, user=fan, guild_id=guild.id)
        await lookup.response(timeout=10)
        assert lookup.latency is not None
        first.append(lookup.latency * 1000)
        await asyncio.sleep(1)
    return {"first_answer_ms": sorted(first), "card_ms": sorted(first)}


def guilds() -> tuple[Guild, Guild]:
    return default_guild("Big server"), default_guild("Other server")
