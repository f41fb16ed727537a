"""Load: 20 fans and moderators use one server at once for a minute; nothing fails and nothing is lost.

Slow (a minute and a half): `./scripts/test.sh` skips it; `./scripts/test.sh --slow` and CI (`.ci/run`) run it.
`LOAD_SECONDS` shortens it while working on it.

Fans look things up at a person's pace (autocomplete keystrokes, /character, Reveal, /cast, /season,
/spoilers, /about, /subscribe); moderators add news (Post or Save), rewrite character profiles through the
form, change the season's stage and read the history, all at the same time. The fake Discord enforces
Discord's global and per-channel rate limits, so announcements queue up behind them as they would.

Afterwards: every interaction was answered (the fake refuses answers later than 3 s); no reply was an error;
nothing was logged at ERROR and no "database is locked" anywhere; every change a moderator was told was
saved is in the data and the history (the last saved profile text of each character is its text now); every
posted announcement is in the channel exactly once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.pack import Pack
from tests.cogs.world import new_guild
from tests.fakediscord import Callback, FakeDiscord, InteractionResult, Member, RateLimits, Role
from tests.harness import capturing_logs, running_bot

SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))

# The minute of load, then up to two for queued announcements to drain behind the channel's rate limit.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(SECONDS + 240)]

FANS, MODERATORS = 14, 6
CHARACTERS = ("Nam On-jo", "Lee Cheong-san", "Choi Nam-ra", "Lee Su-hyeok", "Yoon Gwi-nam", "namra", "온조")
PEOPLE = ("Park Ji-hoo", "Yoon Chan-young", "Cho Yi-hyun", "Lomon")
# Characters whose profile the moderators rewrite, each by several of them at once.
EDITED = ("Nam On-jo", "Lee Cheong-san", "Choi Nam-ra")
SAVED = re.compile(r"Saved as revision #(\d+)")
ERROR_REPLIES = ("Sorry, something went wrong", "Traceback", "Easy there")


@dataclass
class Tally:
    """What the simulated people saw."""

    answered: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    # Acknowledged saves: revision number → what it saved.
    news: dict[int, str] = field(default_factory=dict)
    posted: dict[int, str] = field(default_factory=dict)
    profiles: dict[int, tuple[str, str]] = field(default_factory=dict)
    refused_as_conflict: int = 0

    def check(self, what: str, result: InteractionResult, reply: Callback) -> Callback:
        self.answered[what] += 1
        if result.latency is not None:
            self.latencies.append(result.latency)
        text = reply.content or ""
        if any(marker in text for marker in ERROR_REPLIES):
            self.errors.append(f"{what}: {text[:200]}")
        return reply


def _button(result: InteractionResult, prefix: str) -> str | None:
    message = result.original
    if message is None:
        return None
    for row in message.data.get("components", []):
        for button in row["components"]:
            if str(button.get("custom_id", "")).startswith(prefix) or button.get("label") == prefix:
                return str(button["custom_id"])
    return None


async def fan(fake: FakeDiscord, member: Member, rng: random.Random, tally: Tally, until: float) -> None:
    while time.monotonic() < until:
        action = rng.choice(("character", "character", "cast", "season", "spoilers", "about", "subscribe"))
        if action == "character":
            name = rng.choice(CHARACTERS)
            for end in range(1, min(len(name), 5) + 1):  # keystrokes, a tenth of a second apart
                await fake.autocomplete("character", {"name": name[:end]}, "name", user=member)
                tally.answered["autocomplete"] += 1
                await asyncio.sleep(0.1)
            result = await fake.slash("character", {"name": name, "private": rng.random() < 0.3}, user=member)
            tally.check(action, result, await result.response())
            reveal = _button(result, "reveal:")
            if reveal is not None and result.original is not None and rng.random() < 0.5:
                await asyncio.sleep(rng.uniform(0.5, 1.5))
                clicked = await fake.click(result.original, reveal, user=member)
                tally.check("reveal", clicked, await clicked.response())
        else:
            options: dict[str, Any] = {}
            if action == "cast" and rng.random() < 0.6:
                options = {"name": rng.choice(PEOPLE)}
            elif action == "season":
                options = {"number": rng.choice((1, 2))}
            elif action == "spoilers":
                options = {"level": rng.choice(("none", "s1", "s2"))}
            result = await fake.slash(action, options, user=member, locale=rng.choice(("en-US", "ko")))
            tally.check(action, result, await result.response())
        await asyncio.sleep(rng.uniform(2.5, 4.0))


def _saved(tally: Tally, what: str, reply: Callback) -> int | None:
    match = SAVED.search(reply.content or "")
    if match is None:
        if "Someone changed this entry" in (reply.content or ""):
            tally.refused_as_conflict += 1
        else:
            tally.errors.append(f"{what} not saved: {(reply.content or '')[:200]}")
        return None
    return int(match[1])


async def press(fake: FakeDiscord, result: InteractionResult, label: str, member: Member) -> Callback:
    custom_id = _button(result, label)
    assert result.original is not None
    assert custom_id is not None, f"no {label} button"
    return await (await fake.click(result.original, custom_id, user=member)).response()


async def moderator(
    fake: FakeDiscord, member: Member, number: int, rng: random.Random, tally: Tally, until: float
) -> None:
    count = 0
    while time.monotonic() < until:
        count += 1
        action = rng.choice(("news", "news", "profile", "profile", "stage", "history"))
        if action == "news":
            token = f"load-{number}-{count}"
            text = f"Trailer breakdown {token}: **bold** @everyone <@&{fake.guild.id}>"
            options = {"text": text, "source": f"https://example.com/{token}", "confidence": "reported"}
            result = await fake.slash("manage", options, subcommand="season news", user=member)
            tally.check(action, result, await result.response())
            await asyncio.sleep(rng.uniform(0.3, 1.0))  # reading the preview
            post = rng.random() < 0.3
            done = await press(fake, result, "Post" if post else "Save without announcing", member)
            revision = _saved(tally, action, done)
            if revision is not None:
                tally.news[revision] = token
                if post:
                    tally.posted[revision] = token
        elif action == "profile":
            name = rng.choice(EDITED)
            opened = await fake.slash(
                "manage", {"name": name, "part": "profile"}, subcommand="character edit", user=member
            )
            modal = await opened.wait_modal()
            tally.answered["form"] += 1
            text_id = next(i for i, c in modal.fields.items() if str(c.get("label")) == "Text")
            text = f"Profile by moderator {number}, edit {count}"
            await asyncio.sleep(rng.uniform(0.5, 1.5))  # typing
            submitted = await fake.submit_modal(modal, {text_id: text}, user=member)
            preview = await submitted.response()
            tally.check(action, submitted, preview)
            if not preview.embeds:
                if "Someone changed this entry" in (preview.content or ""):
                    tally.refused_as_conflict += 1
                else:
                    tally.errors.append(f"profile form: {(preview.content or '')[:200]}")
                continue
            done = await press(fake, submitted, "Save without announcing", member)
            revision = _saved(tally, action, done)
            if revision is not None:
                tally.profiles[revision] = (name, text)
        elif action == "stage":
            stage = rng.choice(("filming", "post-production", "in-production"))
            options = {"stage": stage, "source": f"https://example.com/stage-{number}-{count}"}
            result = await fake.slash("manage", options, subcommand="season stage", user=member)
            reply = tally.check(action, result, await result.response())
            if reply.embeds:
                await asyncio.sleep(rng.uniform(0.3, 1.0))
                _saved(tally, action, await press(fake, result, "Save without announcing", member))
        else:
            result = await fake.slash("manage", {}, subcommand="history", user=member)
            tally.check(action, result, await result.response())
        await asyncio.sleep(rng.uniform(1.0, 2.5))


def _crowd(guild: Any, moderators_role: Role) -> tuple[list[Member], list[Member]]:
    fans = [Member.new(f"load-fan-{i}") for i in range(FANS)]
    mods = [Member.new(f"load-mod-{i}", [moderators_role]) for i in range(MODERATORS)]
    guild.members += fans + mods
    return fans, mods


async def test_twenty_people_for_a_minute(tmp_path: Path, pack: Pack) -> None:
    guild, ping, _helpers = new_guild()
    fans, mods = _crowd(guild, guild.role("Moderators"))
    limits = RateLimits(global_per_second=50, per_route={"POST /channels/{channel_id}/messages": (5, 5.0)})
    with capturing_logs(logging.DEBUG) as captured:
        async with (
            FakeDiscord(guilds=[guild], rate_limits=limits) as fake,
            running_bot(fake, tmp_path / "bot.db", pack) as bot,
        ):
            setup = await fake.slash(
                "manage",
                {
                    "announcement_channel": guild.channel("announcements"),
                    "ping_role": ping,
                    "modlog_channel": guild.channel("mod-log"),
                },
                subcommand="setup",
                user=guild.member("moderator"),
            )
            await setup.response()
            tally = Tally()
            until = time.monotonic() + SECONDS
            rng = random.Random(20261121)
            people = [fan(fake, m, random.Random(rng.random()), tally, until) for m in fans]
            people += [
                moderator(fake, m, i, random.Random(rng.random()), tally, until) for i, m in enumerate(mods)
            ]
            started = time.monotonic()
            await asyncio.gather(*people)
            elapsed = time.monotonic() - started

            # The announcements queued behind the channel's rate limit go out; then everything is checked.
            channel = guild.channel("announcements").id

            def delivered() -> str:
                return "\n".join(json.dumps(m.data, ensure_ascii=False) for m in fake.messages[channel])

            deadline = time.monotonic() + 120
            while not all(token in delivered() for token in tally.posted.values()):
                assert time.monotonic() < deadline, "announcements still missing after two minutes"
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)  # anything doubled would have arrived by now

            store = bot.store
            catalog = await store.catalog(guild.id)
            revisions = {r.id: r for r in await store.revisions(guild.id, limit=100_000)}
            news_texts = "\n".join(item.text for item in catalog.news)
            for revision, token in tally.news.items():
                assert revision in revisions, f"revision #{revision} ({token}) was acknowledged but is gone"
                assert token in news_texts, f"news {token} was acknowledged but is not in the data"
            last_profile: dict[str, tuple[int, str]] = {}
            for revision, (name, text) in sorted(tally.profiles.items()):
                assert revision in revisions
                last_profile[name] = (revision, text)
            for name, (_revision, text) in last_profile.items():
                character = next(c for c in catalog.characters if c.name == name)
                assert character.profile.text == text, f"{name}'s last saved profile was lost"
            everything = delivered()
            for token in tally.posted.values():
                assert everything.count(f"{token}:") == 1, f"announcement {token} not delivered exactly once"
            unposted = set(tally.news.values()) - set(tally.posted.values())
            assert not any(f"{token}:" in everything for token in unposted)
            messages = fake.messages[channel]
            assert all(m.data.get("mention_everyone") is False for m in messages)
            assert fake.unknown_requests == []
            assert fake.problems == []

    locked = [r.getMessage() for r in captured.records if "locked" in r.getMessage().lower()]
    errors = [r.getMessage() for r in captured.records if r.levelno >= logging.ERROR]
    latencies = sorted(tally.latencies)
    print(
        f"\nload: {elapsed:.0f} s, {sum(tally.answered.values())} interactions answered "
        f"({dict(tally.answered)}), {len(tally.news)} news saved ({len(tally.posted)} posted), "
        f"{len(tally.profiles)} profiles saved, {tally.refused_as_conflict} refused as concurrent edits, "
        f"latency p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
    )
    assert tally.errors == []
    assert locked == []
    assert errors == []
    assert tally.news, "no moderator managed to save anything"
    assert tally.posted
    assert tally.profiles
