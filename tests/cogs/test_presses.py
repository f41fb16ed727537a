"""Every preview acts once and tells the truth: double and concurrent presses on every kind of preview, a
restart between opening and pressing, and a reply that fails after the change was saved."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.pack import Pack
from tests.cogs.test_rules import (
    export_document,
    form_field,
    import_document,
    manage,
    open_form,
    press,
    revision_count,
)
from tests.cogs.world import World, new_guild, with_world
from tests.fakediscord import FakeDiscord, Guild, InteractionResult, Role
from tests.harness import eventually

CALLBACK = ("POST", "/interactions/{webhook_id}/{webhook_token}/callback")


async def stage_preview(world: World) -> InteractionResult:
    result, _ = await manage(world, "season stage", {"stage": "filming", "source": "https://e.x/1"})
    return result


async def import_preview(world: World) -> InteractionResult:
    document = copy.deepcopy(await export_document(world))
    next(s for s in document["seasons"] if s["number"] == 2)["stage"] = "filming"
    return await import_document(world, document)


async def revert_preview(world: World) -> InteractionResult:
    await press(world, await stage_preview(world), "Save without announcing")
    result, _ = await manage(world, "revert", {"revision": 1})
    return result


async def batch_revert_preview(world: World) -> InteractionResult:
    done = await press(world, await import_preview(world), "Apply")
    assert "Applied as revision #1" in (done.content or ""), done.content
    result, _ = await manage(world, "revert", {"revision": 1})
    return result


async def release_preview(world: World) -> InteractionResult:
    result, _ = await manage(
        world,
        "season release-date",
        {"date": "2027-03-05 17:00 KST", "source": "https://about.netflix.com/x", "confidence": "confirmed"},
    )
    return result


@dataclass(frozen=True)
class Kind:
    open: Callable[[World], Awaitable[InteractionResult]]
    button: str
    revisions: int  # how many revisions there are once the press has done its work
    told: str  # how the first press's message begins
    again: str  # how a later press is answered


KINDS = {
    "post": Kind(stage_preview, "Post", 1, "Saved as revision #1", "Already saved as revision #1 by"),
    "save": Kind(
        stage_preview, "Save without announcing", 1, "Saved as revision #1", "Already saved as revision #1 by"
    ),
    "cancel": Kind(stage_preview, "Cancel", 0, "Cancelled", "Already cancelled by"),
    "apply": Kind(import_preview, "Apply", 1, "Applied as revision #1", "Already saved as revision #1 by"),
    "import-cancel": Kind(import_preview, "Cancel", 0, "Cancelled", "Already cancelled by"),
    "revert": Kind(
        revert_preview,
        "Save without announcing",
        2,
        "Saved as revision #2",
        "Already saved as revision #2 by",
    ),
    "batch-revert": Kind(
        batch_revert_preview, "Apply", 2, "Applied as revision #2", "Already saved as revision #2 by"
    ),
    "release-date": Kind(
        release_preview, "Post", 1, "Saved as revision #1", "Already saved as revision #1 by"
    ),
}


def custom_id_of(result: InteractionResult, label: str) -> str:
    assert result.original is not None
    [custom_id] = [
        b["custom_id"]
        for row in result.original.components
        for b in row["components"]
        if b.get("label") == label
    ]
    return str(custom_id)


def disabled(result: InteractionResult) -> bool:
    assert result.original is not None
    return all(b.get("disabled") for row in result.original.components for b in row["components"])


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
async def test_two_presses_at_once_act_once_and_both_are_told_the_truth(world: World, kind: Kind) -> None:
    await world.setup()
    result = await kind.open(world)
    assert result.original is not None
    custom_id = custom_id_of(result, kind.button)
    first, second = await asyncio.gather(
        world.fake.click(result.original, custom_id, user=world.mod),
        world.fake.click(result.original, custom_id, user=world.mod),
    )
    answers = sorted([(await first.response()).content or "", (await second.response()).content or ""])
    assert await revision_count(world) == kind.revisions
    # One press did the work and said so; the other was told what the first did, never "nothing was saved".
    assert any(kind.told in answer for answer in answers), answers
    assert any(answer.startswith(kind.again) for answer in answers), answers
    assert all("nothing was saved" not in answer for answer in answers), answers
    # The preview is left saying what happened (as the first or the later press put it), its buttons off.
    left = result.original.data.get("content") or ""
    assert kind.told in left or left.startswith(kind.again), left
    assert disabled(result)


@dataclass
class Restartable:
    """A server whose bot can be stopped and started again on the same database, Discord staying up."""

    fake: FakeDiscord
    tmp_path: Path
    pack: Pack
    guild: Guild
    ping: Role
    helpers: Role

    def run(self) -> AsyncIterator[World]:
        return with_world(self.fake, self.guild, self.ping, self.helpers, self.tmp_path / "bot.db", self.pack)


@pytest.fixture
async def restartable(tmp_path: Path, pack: Pack) -> AsyncIterator[Restartable]:
    guild, ping, helpers = new_guild()
    async with FakeDiscord(guilds=[guild]) as fake:
        yield Restartable(fake, tmp_path, pack, guild, ping, helpers)
        assert fake.unknown_requests == []


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
async def test_a_preview_opened_before_a_restart_works_after_it(restartable: Restartable, kind: Kind) -> None:
    async for world in restartable.run():
        await world.setup()
        result = await kind.open(world)
    async for world in restartable.run():
        done = await press(world, result, kind.button)
        assert kind.told in (done.content or ""), done.content
        assert await revision_count(world) == kind.revisions
        if kind.button == "Post":
            await world.announcements(1)


async def test_a_form_opened_before_a_restart_is_applied_after_it(restartable: Restartable) -> None:
    async for world in restartable.run():
        modal = await open_form(world, "character edit", {"name": "Han Gyeong-su"})
    async for world in restartable.run():
        typed = {custom_id: str(field.get("value") or "") for custom_id, field in modal.fields.items()}
        typed[form_field(modal, "Aliases (comma-separated)")[0]] = "Gyeong-su, Kyung-soo, Han Kyung-soo, Su"
        submitted = await world.fake.submit_modal(modal, typed, user=world.mod)
        preview = await submitted.response()
        assert (preview.content or "").startswith("**Preview"), preview.content
        done = await press(world, submitted, "Save without announcing")
        assert "Saved as revision #1" in (done.content or ""), done.content
        character = (await world.bot.store.catalog(world.guild.id)).character("han-gyeong-su")
        assert character is not None
        assert "Su" in character.aliases


async def test_work_after_a_save_is_done_when_the_reply_to_the_press_fails(world: World) -> None:
    """The press's answer is lost (Discord is down for a moment): the change is saved, announced once, and its
    premiere event created all the same."""
    await world.setup(premiere_event=True)
    result = await release_preview(world)
    assert result.original is not None
    fault = world.fake.fail(*CALLBACK, status=503, message="Service Unavailable")
    await world.fake.click(result.original, custom_id_of(result, "Post"), user=world.mod)

    async def saved() -> bool:
        return await revision_count(world) == 1

    await eventually(saved, "the change to be saved")
    assert fault.hits == 1
    [message] = await world.announcements(1)
    assert "2027" in str(message.request["embeds"])
    event = await world.fake.wait_request("POST", "/guilds/{guild_id}/scheduled-events")
    assert event.json["scheduled_start_time"].startswith("2027-03-05T08:00:00")
    await asyncio.sleep(0.3)
    assert len(world.fake.messages[world.channel_id("announcements")]) == 1
