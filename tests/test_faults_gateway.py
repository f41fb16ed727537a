"""The gateway connection drops in the middle of a command and in the middle of a delivery.

Answers and deliveries go over REST, not the gateway: a drop (a close frame, or the TCP connection cut)
must neither lose them nor make the bot do them twice, and the bot resumes its session.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.pack import Pack
from tests.faults import MESSAGES, FaultWorld, answered_in_time, fault_world
from tests.test_faults_routes import CALLBACK, CROSSPOST, THREAD

DROPS = [pytest.param(False, id="close"), pytest.param(True, id="abort")]


@pytest.fixture
async def world(tmp_path: Path, pack: Pack) -> AsyncIterator[FaultWorld]:
    async with fault_world(tmp_path, pack) as running:
        yield running


async def _drop(world: FaultWorld, abort: bool) -> None:
    resumed = world.fake.resume_count
    await world.fake.drop_gateway(abort=abort)
    await world.fake.wait_resumed(resumed + 1)


@pytest.mark.parametrize("abort", DROPS)
async def test_a_lookup_answered_while_the_gateway_drops_is_answered_once(
    world: FaultWorld, abort: bool
) -> None:
    hold = world.fake.hold(*CALLBACK, stage="before")
    result = await world.fake.slash("character", {"name": "Nam-ra"}, user=world.fan)
    await hold.arrived()
    await _drop(world, abort)
    hold.release()
    reply = await result.response()
    answered_in_time(result)
    assert reply.embeds[0]["title"] == "Choi Nam-ra (최남라)"
    assert len(world.fake.requests_to(*CALLBACK)) == 1
    # And the resumed connection carries the next command.
    after = await (await world.fake.slash("season", user=world.fan)).response()
    assert after.embeds[0]["title"] == "All of Us Are Dead: Season 2"


@pytest.mark.parametrize("abort", DROPS)
async def test_a_post_whose_answer_is_held_while_the_gateway_drops_saves_and_announces_once(
    world: FaultWorld, abort: bool
) -> None:
    await world.setup(threads=True, auto_publish=True)
    result, _ = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    hold = world.fake.hold(*CALLBACK, stage="before")
    message = result.original
    assert message is not None
    post = next(b for row in message.data["components"] for b in row["components"] if b["label"] == "Post")
    pressed = await world.fake.click(message, post["custom_id"], user=world.mod)
    await hold.arrived()
    await _drop(world, abort)
    hold.release()
    done = await pressed.response()
    answered_in_time(pressed)
    assert (done.content or "").startswith("📣 Saved as revision #1 and queued for")
    await world.outbox_settled()
    assert len(await world.bot.store.revisions(world.guild.id)) == 1
    [announced] = world.fake.messages[world.channel_id("announcements")]
    assert announced.data["embeds"][0]["title"] == "Season 2: post-production → filming"
    assert len(world.fake.messages[world.channel_id("mod-log")]) == 1


@pytest.mark.parametrize("stage", ["before", "after"])
@pytest.mark.parametrize("abort", DROPS)
async def test_a_delivery_held_mid_post_while_the_gateway_drops_posts_exactly_once(
    world: FaultWorld, abort: bool, stage: str
) -> None:
    await world.setup(threads=True, auto_publish=True, modlog_channel=world.guild.channel("general"))
    hold = world.fake.hold(*MESSAGES, stage=stage)  # type: ignore[arg-type]
    result, _ = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    await world.press(result, "Post")
    await hold.arrived()
    await _drop(world, abort)
    hold.release()
    await world.outbox_settled()
    await asyncio.sleep(0.2)  # time enough for a duplicate to show up, if there were one
    announcements = world.channel_id("announcements")
    [message] = world.fake.messages[announcements]
    posts = [r for r in world.fake.requests_to(*MESSAGES) if r.params["channel_id"] == str(announcements)]
    assert len({p.json["nonce"] for p in posts}) == 1
    [item] = [i for i in await world.bot.store.outbox_items(world.guild.id) if i.purpose == "announcement"]
    assert (item.state, item.message_id) == ("done", int(message.data["id"]))
    assert len(world.fake.requests_to(*THREAD)) == 1
    assert len(world.fake.requests_to(*CROSSPOST)) == 1
