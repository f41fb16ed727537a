"""/manage export and /manage import end to end: the real bot, files through the fake Discord's loopback."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import aiohttp
import discord
import pytest

from bot.errors import UserFacingError
from bot.pack import Pack
from cogs.manage._portable import download
from tests.cogs.world import World, new_guild
from tests.fakediscord import Attachment, FakeDiscord, InteractionResult, Member, StoredMessage, default_guild
from tests.harness import running_bot


@pytest.fixture
async def two(tmp_path: Path, pack: Pack) -> AsyncIterator[tuple[World, World]]:
    """Two servers with the bot in both: data moves from the first to the second."""
    guild, ping, helpers = new_guild()
    other = default_guild()
    async with FakeDiscord(guilds=[guild, other]) as fake:
        async with running_bot(fake, tmp_path / "bot.db", pack) as bot:
            yield World(fake, guild, bot, ping, helpers), World(fake, other, bot, ping, helpers)
        assert fake.unknown_requests == []


async def export(world: World, user: Member | None = None) -> tuple[StoredMessage, bytes]:
    result = await world.fake.slash(
        "manage", subcommand="export", user=user or world.mod, guild_id=world.guild.id
    )
    reply = await result.response()
    assert reply.ephemeral
    assert result.original is not None
    [upload] = result.original.uploads
    assert upload.filename.endswith(".json")
    return result.original, upload.data


async def import_file(
    world: World,
    file: Attachment,
    *,
    user: Member | None = None,
    locale: str = "en-US",
) -> tuple[InteractionResult, StoredMessage]:
    result = await world.fake.slash(
        "manage",
        {"file": file},
        subcommand="import",
        user=user or world.mod,
        guild_id=world.guild.id,
        locale=locale,
    )
    await result.response()
    message = await result.wait_original()
    assert message.data["flags"] & 64  # ephemeral
    return result, message


async def manage(
    world: World, subcommand: str, options: dict[str, Any] | None = None
) -> tuple[InteractionResult, Any]:
    """/manage in this world's own server (World.manage always uses the fake's first one)."""
    result = await world.fake.slash(
        "manage", options or {}, subcommand=subcommand, user=world.mod, guild_id=world.guild.id
    )
    return result, await result.response()


def sent(message: StoredMessage) -> dict[str, Any]:
    """What the bot last sent for a message: a deferred reply is filled in by an edit."""
    return message.edits[-1] if message.edits else message.request


def without_header(data: bytes) -> dict[str, Any]:
    document = json.loads(data)
    del document["exported_at"], document["guild_id"]
    return dict(document)


async def press(world: World, result: InteractionResult, label: str, user: Member | None = None) -> str:
    reply = await world.press(result, label, user)
    return str(reply.content)


async def edit_some(world: World) -> None:
    """A moderator's ordinary edits: a new character, a stage change, a removed news entry."""
    for subcommand, options in (
        ("character add", {"name": "Han Gyeo-ul", "description": "A new student", "source": "https://e.x/1"}),
        ("season stage", {"stage": "filming", "source": "https://e.x/2"}),
    ):
        result, _ = await world.manage(subcommand, options)
        await world.press(result, "Save without announcing")


# -- export ---------------------------------------------------------------------------------------------------


async def test_export_sends_the_servers_data_as_a_json_file(world: World, pack: Pack) -> None:
    await edit_some(world)
    message, data = await export(world)
    assert message.data["content"] == (
        f"This server's data: {len(pack.people)} cast members, {len(pack.characters) + 1} characters, "
        f"{len(pack.seasons)} seasons and {len(pack.news)} news entries. `/manage import` reads it back, here or "
        "in another server."
    )
    assert message.request["allowed_mentions"]["parse"] == []
    document = json.loads(data.decode("utf-8"))
    assert (document["format"], document["version"], document["guild_id"]) == (
        "aoad-server-data",
        1,
        str(world.guild.id),
    )
    assert document["show"]["title_ko"] == "지금 우리 학교는"
    assert document["characters"][-1]["name"] == "Han Gyeo-ul"
    assert document["characters"][-1]["profile"]["sources"] == [
        {"name": "e.x", "published": None, "url": "https://e.x/1", "note": None}
    ]
    assert [s["stage"] for s in document["seasons"] if s["number"] == 2] == ["filming"]


async def test_non_moderators_can_neither_export_nor_import(world: World) -> None:
    result = await world.fake.slash("manage", subcommand="export", user=world.fan)
    reply = await result.response()
    assert reply.ephemeral
    assert (reply.content or "").startswith("Only members with the Manage Server permission")
    assert result.original is not None
    assert result.original.uploads == []
    _, data = await export(world)
    file = world.fake.attachment("data.json", data)
    result = await world.fake.slash("manage", {"file": file}, subcommand="import", user=world.fan)
    reply = await result.response()
    assert (reply.content or "").startswith("Only members with the Manage Server permission")
    assert file.downloads == 0


# -- import ---------------------------------------------------------------------------------------------------


async def test_export_then_import_into_another_server_round_trips_exactly(two: tuple[World, World]) -> None:
    source, target = two
    await edit_some(source)
    _, data = await export(source)
    _, before = await export(target)

    result, preview = await import_file(target, target.fake.attachment("aoad.json", data))
    assert preview.data["content"].startswith("**Preview of the import** of aoad.json, exported <t:")
    [embed] = preview.data["embeds"]
    assert embed["title"] == "1 added, 1 changed, 0 removed"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields == {
        "Characters: 1 added": "Han Gyeo-ul",
        "Seasons: 1 changed": "Season 2 (stage, about the stage)",
    }
    assert sent(preview)["allowed_mentions"] == {"parse": []}
    assert [b["label"] for row in preview.data["components"] for b in row["components"]] == [
        "Apply",
        "Cancel",
    ]

    done = await press(target, result, "Apply")
    assert done.startswith("✅ Applied as revision #")
    _, after = await export(target)
    assert without_header(after) == without_header(data)

    # One revision, which one revert undoes whole.
    [revision] = await target.bot.store.revisions(target.guild.id)
    assert revision.summary == "Imported aoad.json: 1 added, 1 changed, 0 removed"
    _, history = await manage(target, "history")
    [field] = history.embeds[0]["fields"]
    assert field["name"] == f"#{revision.id} · 2 entries at once"
    assert "`character:han-gyeo-ul`: created" in field["value"]
    result, preview = await manage(target, "revert", {"revision": revision.id})
    assert preview.embeds[0]["title"] == "0 added, 1 changed, 1 removed"
    assert (preview.content or "").startswith("**Preview.** This undoes revision #")
    assert (await press(target, result, "Apply")).startswith("✅ Applied as revision #")
    _, reverted = await export(target)
    assert without_header(reverted) == without_header(before)
    assert len(await target.bot.store.revisions(target.guild.id)) == 2


async def test_import_into_the_same_server_after_edits_announces_nothing(world: World) -> None:
    await world.setup()
    _, data = await export(world)
    await edit_some(world)
    result, preview = await import_file(world, world.fake.attachment("backup.json", data))
    assert preview.data["embeds"][0]["title"] == "0 added, 1 changed, 1 removed"
    await press(world, result, "Apply")
    _, restored = await export(world)
    assert without_header(restored) == without_header(data)
    modlog = world.channel_id("mod-log")
    logged = await world.fake.wait_message(
        modlog, lambda m: m.data["embeds"][0]["title"].startswith("📝 Data imported")
    )
    assert logged.data["embeds"][0]["title"] == "📝 Data imported: 0 added, 1 changed, 1 removed"
    assert logged.request["allowed_mentions"] == {"parse": []}
    await asyncio.sleep(0.2)
    assert world.fake.messages.get(world.channel_id("announcements"), []) == []

    # Importing the same file again changes nothing.
    _, again = await import_file(world, world.fake.attachment("backup.json", data))
    assert again.data["content"] == (
        "Nothing to change: this server's data is already exactly what the file holds."
    )


async def test_cancel_changes_nothing_and_a_stale_preview_is_refused(world: World) -> None:
    _, data = await export(world)
    await edit_some(world)
    _, edited = await export(world)
    result, _ = await import_file(world, world.fake.attachment("a.json", data))
    assert await press(world, result, "Cancel") == "Cancelled: nothing was changed."
    _, still = await export(world)
    assert without_header(still) == without_header(edited)

    result, _ = await import_file(world, world.fake.attachment("a.json", data))
    # Someone else changes an entry the import does not even touch.
    other, _ = await world.manage(
        "season stage", {"stage": "released", "source": "https://e.x/9", "season": 1}
    )
    await world.press(other, "Save without announcing")
    refused = await press(world, result, "Apply")
    assert refused.startswith("⚠️ This server's data changed after this preview was made")
    revisions = await world.bot.store.revisions(world.guild.id)
    assert [r.kind for r in revisions] == ["season", "season", "character"]


async def test_only_the_moderator_who_imported_can_apply(world: World) -> None:
    _, data = await export(world)
    await edit_some(world)
    result, _ = await import_file(world, world.fake.attachment("a.json", data))
    owner = world.guild.member("server-owner")
    refused = await world.press(result, "Apply", owner)
    assert refused.ephemeral
    assert refused.content == "This preview belongs to the moderator who made the change."
    assert len(await world.bot.store.revisions(world.guild.id)) == 2


def duplicate_first_character(text: str) -> str:
    document = json.loads(text)
    document["characters"].append(document["characters"][0])
    return json.dumps(document)


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        ("bad JSON", lambda text: text[:-3], "The file is not valid JSON: Expecting ',' delimiter at line"),
        (
            "wrong version",
            lambda text: text.replace('"version": 1', '"version": 7', 1),
            "This file is format version 7, and this bot reads version 1.",
        ),
        (
            "unknown field",
            lambda text: text.replace('"hangul":', '"hanguel":', 1),
            "field `hanguel`: unknown field (check its spelling)",
        ),
        (
            "too long text",
            lambda text: text.replace('"text": "', '"text": "' + "x" * 1000, 1),
            "the show “all-of-us-are-dead”, field `facts[0].text`: is too long: at most 1000 characters",
        ),
        (
            "bad confidence",
            lambda text: text.replace('"confidence": "confirmed"', '"confidence": "sure"', 1),
            "field `facts[0].confidence`: sure is not one of: confirmed, reported, unconfirmed",
        ),
        (
            "bad date",
            lambda text: re.sub(r'"published": "[0-9-]+"', '"published": "2022-02-31"', text, count=1),
            "field `facts[0].sources[0].published`: 2022-02-31 is not a real date.",
        ),
        (
            "nested thousands deep",
            lambda text: "[" * 5000,
            "The file nests lists and objects more than 32 levels deep (at line 1, column 33)",
        ),
        (
            "duplicate keys",
            lambda text: duplicate_first_character(text),
            "field `key`: another entry of this kind has the same key; keys must be unique",
        ),
    ],
)
async def test_every_problem_gets_a_clear_private_message(
    world: World, name: str, change: Any, expected: str
) -> None:
    _, data = await export(world)
    broken = change(data.decode()).encode()
    _, reply = await import_file(world, world.fake.attachment("broken.json", broken))
    assert reply.data["content"].startswith("I can't import that file, so nothing was changed: "), name
    assert expected in reply.data["content"], name
    assert await world.bot.store.revisions(world.guild.id) == []


async def test_many_problems_are_listed_within_discords_limit(world: World) -> None:
    _, data = await export(world)
    document = json.loads(data)
    first = document["characters"][0]
    first["profile"]["spoiler"] = "maybe"
    document["characters"] = [dict(first, key=f"extra-{n}") for n in range(150)]
    _, reply = await import_file(world, world.fake.attachment("x.json", json.dumps(document).encode()))
    content = reply.data["content"]
    assert content.startswith(
        f"I can't import that file; nothing was changed. Fix these {len(document['characters'])} problems"
    )
    assert len(content) <= 2000
    assert content.count("\n• ") > 5
    assert content.splitlines()[-1].startswith("…and ")


async def test_files_too_big_or_not_json_are_refused_before_downloading(world: World) -> None:
    big = world.fake.attachment("big.json", b"{}", size=3 * 1024 * 1024)
    result = await world.fake.slash("manage", {"file": big}, subcommand="import", user=world.mod)
    reply = await result.response()
    assert reply.ephemeral
    assert reply.content == (
        "That file is 3072 KiB; an import can be at most 2048 KiB. Use a file made by `/manage export`."
    )
    picture = world.fake.attachment("@everyone.png", b"\x89PNG", content_type="image/png")
    result = await world.fake.slash("manage", {"file": picture}, subcommand="import", user=world.mod)
    reply = await result.response()
    assert reply.content == (
        "“@\u200beveryone.png” is not a JSON file. Import a `.json` file made by `/manage export`."
    )
    assert result.original is not None
    assert not result.original.data["mention_everyone"]
    assert (big.downloads, picture.downloads) == (0, 0)


async def test_a_download_that_fails_gets_its_own_message(world: World) -> None:
    _, data = await export(world)
    # Gone from Discord's CDN by the time the bot asks (it answers 404).
    gone = world.fake.attachment("gone.json", data)
    del world.fake.attachments.by_id[gone.id]
    _, reply = await import_file(world, gone)
    assert reply.data["content"] == "I couldn't download that file from Discord. Please try again."
    # No connection at all.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    far = world.fake.attachment("far.json", data)
    far.url = f"http://127.0.0.1:{port}/far.json"
    _, reply = await import_file(world, far)
    assert reply.data["content"] == (
        "The connection to Discord broke while I was downloading that file. Please try again."
    )
    assert await world.bot.store.revisions(world.guild.id) == []


async def test_a_download_that_stalls_or_breaks_is_given_up_kindly() -> None:
    class Stalled:
        async def read(self) -> bytes:
            await asyncio.sleep(30)
            return b"{}"

    class Broken:
        async def read(self) -> bytes:
            raise aiohttp.ClientPayloadError("Response payload is not completed")

    with pytest.raises(UserFacingError) as caught:
        await download(cast(discord.Attachment, Stalled()), time_limit=0.05)
    assert caught.value.message == (
        "Discord took too long to send me that file, so I stopped waiting. Please try again in a moment."
    )
    with pytest.raises(UserFacingError) as caught:
        await download(cast(discord.Attachment, Broken()))
    assert caught.value.message == (
        "The connection to Discord broke while I was downloading that file. Please try again."
    )


async def test_names_in_the_preview_cannot_ping(world: World) -> None:
    _, data = await export(world)
    document = json.loads(data)
    document["characters"][0]["name"] = f"@everyone <@&{world.ping.id}>"
    result, preview = await import_file(world, world.fake.attachment("x.json", json.dumps(document).encode()))
    [field] = preview.data["embeds"][0]["fields"]
    assert "@\u200beveryone" in field["value"]
    assert sent(preview)["allowed_mentions"] == {"parse": []}
    assert not preview.data["mention_everyone"]
    assert preview.data["mention_roles"] == []
    await press(world, result, "Cancel")


async def test_korean_moderators_get_korean_replies(world: World) -> None:
    _, data = await export(world)
    await edit_some(world)
    _, preview = await import_file(world, world.fake.attachment("a.json", data), locale="ko")
    assert preview.data["content"].startswith("**가져오기 미리보기예요**: a.json")
    assert preview.data["embeds"][0]["title"] == "0개 추가, 1개 변경, 1개 삭제"
    labels = [b["label"] for row in preview.data["components"] for b in row["components"]]
    assert labels == ["적용", "취소"]
    _, reply = await import_file(world, world.fake.attachment("b.json", b"{"), locale="ko")
    assert reply.data["content"].startswith(
        "그 파일은 가져올 수 없어서 아무것도 바꾸지 않았어요: 올바른 JSON"
    )
