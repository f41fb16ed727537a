"""The fake Discord, exercised with a throwaway bot defined here (not the project's bot).

These tests pin down that the real discord.py client works against the fake end to end: login, both
gateway compressions, command sync, every interaction kind, retries after 429s and 5xx, resuming after a
dropped connection, and a bad token. If one fails after a discord.py upgrade, the fake needs updating.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import os
import subprocess
import textwrap
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import discord
import discord.utils
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import (
    FAKE_TOKEN,
    ChannelType,
    FakeDiscord,
    HoldStage,
    InteractionSpecError,
    Overwrite,
    Permission,
    RateLimits,
    Role,
)

pytest_plugins = ["tests.fakediscord.fixtures"]

CHARACTERS = ["Nam On-jo", "Lee Cheong-san", "Choi Nam-ra", "Lee Su-hyeok"]


class ZlibStreamContext:
    """discord.py's zlib-stream decompressor, which it only defines when no zstd module is importable."""

    COMPRESSION_TYPE = "zlib-stream"

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.context = zlib.decompressobj()

    def decompress(self, data: bytes, /) -> str | None:
        self.buffer.extend(data)
        if len(data) < 4 or data[-4:] != b"\x00\x00\xff\xff":
            return None
        message = self.context.decompress(self.buffer)
        self.buffer = bytearray()
        return message.decode("utf-8")


class VoteView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.votes = 0

    @discord.ui.button(label="Vote", custom_id="vote:up", style=discord.ButtonStyle.primary)
    async def up(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        self.votes += 1
        await interaction.response.edit_message(content=f"Votes: {self.votes}", view=self)


class SuggestModal(discord.ui.Modal, title="Suggest a fact"):
    fact: discord.ui.TextInput[SuggestModal] = discord.ui.TextInput(label="Fact", custom_id="fact")
    source: discord.ui.TextInput[SuggestModal] = discord.ui.TextInput(
        label="Source", custom_id="source", required=False
    )

    def __init__(self) -> None:
        super().__init__(custom_id="suggest")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        source = self.source.value or "no source"
        await interaction.response.send_message(f"Thanks: {self.fact.value} ({source})", ephemeral=True)


class ReportModal(discord.ui.Modal, title="Report"):
    """A modal in discord.py 2.7's newer style: a Label (component type 18) around the input."""

    reason: discord.ui.Label[ReportModal] = discord.ui.Label(
        text="Reason", component=discord.ui.TextInput(custom_id="reason")
    )

    def __init__(self) -> None:
        super().__init__(custom_id="report")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.reason.component, discord.ui.TextInput)
        await interaction.response.send_message(f"Reported: {self.reason.component.value}", ephemeral=True)


def make_bot() -> commands.Bot:
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05)
    fan = app_commands.Group(name="fan", description="Fan things")
    settings = app_commands.Group(name="settings", description="Settings", parent=fan)

    @fan.command(name="quote", description="Quote a character")
    @app_commands.describe(character="Who", count="How many", spoilers="Show spoilers")
    async def quote(
        interaction: discord.Interaction,
        character: str,
        count: app_commands.Range[int, 1, 5] = 1,
        spoilers: bool = False,
        weight: float = 1.0,
        member: discord.Member | None = None,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
    ) -> None:
        parts = [
            character,
            str(count),
            str(spoilers),
            f"{weight:g}",
            member.name if member else "-",
            channel.name if channel else "-",
            role.name if role else "-",
            f"manage_guild={interaction.permissions.manage_guild}",
            f"bot_send={interaction.app_permissions.send_messages}",
        ]
        await interaction.response.send_message("|".join(parts))

    @quote.autocomplete("character")
    async def character_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=n, value=n) for n in CHARACTERS if current.lower() in n.lower()]

    @settings.command(name="show", description="Show settings")
    async def show(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"locale={interaction.locale.value} guild={interaction.guild_locale}", ephemeral=True
        )

    bot.tree.add_command(fan)

    @bot.tree.command(name="vote", description="Vote with a button")
    async def vote(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Votes: 0", view=VoteView())

    @bot.tree.command(name="suggest", description="Suggest a fact")
    async def suggest(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(SuggestModal())

    @bot.tree.command(name="report", description="Report something")
    async def report(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ReportModal())

    @bot.tree.command(name="echo", description="Send a file back, upper-cased")
    async def echo(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        described = f"{file.filename} {file.size} {file.content_type} ephemeral={file.ephemeral}"
        upper = discord.File(io.BytesIO(data.upper()), filename="echo.txt")
        await interaction.response.send_message(described, file=upper, ephemeral=True)

    @bot.tree.command(name="slow", description="A deferred answer")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("first")
        await interaction.followup.send("second", ephemeral=True)
        await interaction.edit_original_response(content="first (edited)")

    return bot


@pytest.fixture
def force_zlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.utils, "_ActiveDecompressionContext", ZlibStreamContext)


@pytest.fixture
async def bot(fake_discord: FakeDiscord, force_zlib: None) -> AsyncIterator[commands.Bot]:
    async with fake_discord.running(make_bot()) as running:
        await running.tree.sync()
        yield running


async def test_connects_with_zlib_stream(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    assert [c.compression for c in fake_discord.gateway.connections] == ["zlib-stream"]
    assert fake_discord.identify_count == 1
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None
    assert guild.me is not None
    assert {c.name for c in guild.channels} == {"general", "announcements", "mod-log"}
    announcements = guild.get_channel(fake_discord.guild.channel("announcements").id)
    assert isinstance(announcements, discord.TextChannel)
    assert announcements.is_news()
    assert bot.application_id == fake_discord.application_id
    assert fake_discord.unknown_requests == []


async def test_connects_with_zstd_stream(fake_discord: FakeDiscord) -> None:
    pytest.importorskip("zstandard")
    assert discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE == "zstd-stream"
    async with fake_discord.running(make_bot()) as bot:
        await bot.tree.sync()
        result = await fake_discord.slash("fan", {"character": "Nam On-jo"}, subcommand="quote")
        assert (await result.response()).content is not None
    assert fake_discord.gateway.connections[0].compression == "zstd-stream"


async def test_raw_gateway_protocol_without_compression(fake_discord: FakeDiscord) -> None:
    url = fake_discord.gateway_url + "?v=10&encoding=json"
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            assert (await ws.receive_json())["op"] == 10
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 0, "properties": {}}})
            closing = await ws.receive()
            assert closing.type is aiohttp.WSMsgType.CLOSE
            assert closing.data == 4004
        async with session.ws_connect(url) as ws:
            await ws.receive_json()
            await ws.send_json({"op": 1, "d": None})
            assert (await ws.receive_json())["op"] == 11
            await ws.send_json({"op": 2, "d": {"token": FAKE_TOKEN, "intents": 1, "properties": {}}})
            ready = await ws.receive_json()
            guild_create = await ws.receive_json()
            assert (ready["t"], ready["s"]) == ("READY", 1)
            assert ready["d"]["resume_gateway_url"] == fake_discord.gateway_url
            assert (guild_create["t"], guild_create["s"]) == ("GUILD_CREATE", 2)
            session_id = ready["d"]["session_id"]
        async with session.ws_connect(url) as ws:
            await ws.receive_json()
            await ws.send_json({"op": 6, "d": {"token": FAKE_TOKEN, "session_id": session_id, "seq": 1}})
            replayed, resumed = await ws.receive_json(), await ws.receive_json()
            assert (replayed["t"], replayed["s"]) == ("GUILD_CREATE", 2)
            assert (resumed["t"], resumed["s"]) == ("RESUMED", 3)
        async with session.ws_connect(url) as ws:
            await ws.receive_json()
            await ws.send_json({"op": 6, "d": {"token": FAKE_TOKEN, "session_id": "nope", "seq": 1}})
            assert await ws.receive_json() == {"op": 9, "d": False}
    assert (fake_discord.identify_count, fake_discord.resume_count) == (2, 2)


async def test_unservable_gateway_request_fails_loudly(fake_discord: FakeDiscord) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(fake_discord.gateway_url + "?v=10&encoding=etf") as ws,
    ):
        closing = await ws.receive()
    assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, 4012)
    assert fake_discord.problems == ["unsupported gateway encoding 'etf' (the fake speaks json)"]
    fake_discord.problems.clear()


async def test_sync_records_the_tree(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    assert fake_discord.sync_count == 1
    assert fake_discord.command_syncs[0].guild_id is None
    fan = fake_discord.synced_command("fan")
    assert {o["name"]: o["type"] for o in fan["options"]} == {"quote": 1, "settings": 2}
    synced = await bot.tree.fetch_commands()
    assert {c.name for c in synced} == {"fan", "vote", "suggest", "report", "slow", "echo"}
    assert {c.id for c in synced} == {int(c["id"]) for c in fake_discord.commands[None]}


async def test_slash_command_with_typed_and_resolved_options(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    guild = fake_discord.guild
    moderators = guild.role("Moderators")
    result = await fake_discord.slash(
        "fan",
        {
            "character": "Choi Nam-ra",
            "count": 3,
            "spoilers": True,
            "weight": 2.5,
            "member": guild.member("fan"),
            "channel": guild.channel("general"),
            "role": moderators,
        },
        subcommand="quote",
        user=guild.member("moderator"),
    )
    callback = await result.response()
    assert callback.type == 4
    assert callback.content == "Choi Nam-ra|3|True|2.5|fan|general|Moderators|manage_guild=True|bot_send=True"
    assert result.latency is not None
    assert result.latency < 1
    assert result.original is not None
    assert fake_discord.messages[guild.channel("general").id] == [result.original]

    as_fan = await fake_discord.slash("fan", {"character": "x"}, subcommand="quote", user=guild.member("fan"))
    assert (await as_fan.response()).content == "x|1|False|1|-|-|-|manage_guild=False|bot_send=True"


async def test_attachment_option_is_served_on_loopback_and_uploads_are_kept(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    attachment = fake_discord.attachment("notes.txt", "hello 지금".encode(), content_type="text/plain")
    assert attachment.url.startswith(fake_discord.base_url + "/ephemeral-attachments/")
    result = await fake_discord.slash("echo", {"file": attachment})
    callback = await result.response()
    assert callback.content == f"notes.txt {len('hello 지금'.encode())} text/plain ephemeral=True"
    assert result.payload["data"]["resolved"]["attachments"][str(attachment.id)]["url"] == attachment.url
    assert attachment.downloads == 1
    assert result.original is not None
    [upload] = result.original.uploads
    assert (upload.filename, upload.data) == ("echo.txt", "HELLO 지금".encode())
    assert result.original.data["attachments"][0]["filename"] == "echo.txt"

    with pytest.raises(InteractionSpecError, match="needs an Attachment"):
        await fake_discord.slash("echo", {"file": "notes.txt"})
    too_big = fake_discord.attachment("big.bin", b"x", size=11 * 1024 * 1024)
    with pytest.raises(InteractionSpecError, match="does not send files over"):
        await fake_discord.slash("echo", {"file": too_big})
    async with (
        aiohttp.ClientSession() as session,
        session.get(attachment.url.replace("notes.txt", "other.txt")) as missing,
    ):
        assert missing.status == 404


async def test_nested_subcommand_and_locale(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    result = await fake_discord.slash("fan", subcommand="settings show", locale="ko")
    callback = await result.response()
    assert callback.ephemeral
    assert callback.content == "locale=ko guild=en-US"
    assert fake_discord.messages.get(fake_discord.guild.channel("general").id, []) == []


async def test_slash_in_dm(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    result = await fake_discord.slash("fan", subcommand="settings show", guild_id=None)
    assert (await result.response()).content == "locale=en-US guild=None"
    assert result.payload["context"] == 1
    assert "user" in result.payload


async def test_impossible_interactions_fail_in_the_test(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    with pytest.raises(InteractionSpecError, match="no slash command 'nope'"):
        await fake_discord.slash("nope")
    with pytest.raises(InteractionSpecError, match="needs a subcommand"):
        await fake_discord.slash("fan", {"character": "x"})
    with pytest.raises(InteractionSpecError, match="required option 'character' is missing"):
        await fake_discord.slash("fan", {}, subcommand="quote")
    with pytest.raises(InteractionSpecError, match="needs an int"):
        await fake_discord.slash("fan", {"character": "x", "count": "3"}, subcommand="quote")
    with pytest.raises(InteractionSpecError, match=r"outside 1\.\.5"):
        await fake_discord.slash("fan", {"character": "x", "count": 9}, subcommand="quote")
    with pytest.raises(InteractionSpecError, match="has no option"):
        await fake_discord.slash("fan", {"character": "x", "colour": "red"}, subcommand="quote")
    assert fake_discord.interactions == []


async def test_autocomplete(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    choices = await fake_discord.autocomplete("fan", {"character": "lee"}, "character", subcommand="quote")
    assert [c["name"] for c in choices] == ["Lee Cheong-san", "Lee Su-hyeok"]
    assert fake_discord.interactions[-1].payload["data"]["options"][0]["options"][0]["focused"] is True


async def test_button_click_updates_the_message(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    result = await fake_discord.slash("vote")
    message = await result.wait_original()
    assert message.custom_ids == ["vote:up"]

    click = await fake_discord.click(message, "vote:up", user=fake_discord.guild.member("fan"))
    assert (await click.response()).type == 7
    assert click.original is message
    assert message.content == "Votes: 1"
    await (await fake_discord.click(message, "vote:up")).response()
    assert message.content == "Votes: 2"
    with pytest.raises(InteractionSpecError, match="no component"):
        await fake_discord.click(message, "vote:down")


async def test_modal_submit(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    opened = await fake_discord.slash("suggest")
    modal = await opened.wait_modal()
    assert (await opened.response()).type == 9
    assert set(modal.fields) == {"fact", "source"}

    with pytest.raises(InteractionSpecError, match="'fact' is required"):
        await fake_discord.submit_modal("suggest", {"source": "Netflix"})
    submitted = await fake_discord.submit_modal("suggest", {"fact": "Season 2 is filming"})
    callback = await submitted.response()
    assert callback.ephemeral
    assert callback.content == "Thanks: Season 2 is filming (no source)"
    assert submitted.payload["data"]["components"][0]["type"] == 1


async def test_modal_with_label_components(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    modal = await (await fake_discord.slash("report")).wait_modal()
    assert modal.components[0]["type"] == 18
    submitted = await fake_discord.submit_modal("report", {"reason": "spoilers"})
    assert (await submitted.response()).content == "Reported: spoilers"


async def test_defer_then_followups(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    result = await fake_discord.slash("slow")
    assert (await result.response()).type == 5
    second = await result.wait_followup(2)
    original = await result.wait_original(lambda m: m.content == "first (edited)")
    assert result.followups[0] is original
    assert second.ephemeral
    assert second.content == "second"
    assert [m.content for m in fake_discord.messages[result.channel.id]] == ["first (edited)"]


async def test_late_response_is_an_unknown_interaction(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    fake_discord.interaction_deadline = 0.0
    result = await fake_discord.slash("vote")
    callback = await fake_discord.wait_request("POST", "/interactions/{webhook_id}/{webhook_token}/callback")
    assert (callback.status, callback.error_code) == (404, 10062)
    assert result.callback is None


async def test_route_429_is_retried(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    route = "/channels/{channel_id}/messages"
    fault = fake_discord.fail("POST", route, 429, retry_after=0.2)
    channel = bot.get_channel(fake_discord.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    started = time.monotonic()
    message = await channel.send("hello")
    assert time.monotonic() - started >= 0.2
    assert [r.status for r in fake_discord.requests_to("POST", route)] == [429, 200]
    assert fault.remaining == 0
    assert fake_discord.rate_limit_counts == {"user": 1}
    assert fake_discord.messages[channel.id][-1].id == message.id


async def test_global_429_is_retried(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    fake_discord.fail("*", "*", 429, retry_after=0.1, global_=True)
    channel = bot.get_channel(fake_discord.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("hello")
    assert fake_discord.rate_limit_counts == {"global": 1}
    rejected = fake_discord.requests_to("POST", "/channels/{channel_id}/messages")[0]
    assert rejected.status == 429
    assert rejected.response["global"] is True


async def test_server_error_is_retried(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    fake_discord.fail("GET", "/channels/{channel_id}", 500)
    channel = await bot.fetch_channel(fake_discord.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    assert channel.name == "general"
    assert [r.status for r in fake_discord.requests_to("GET", "/channels/{channel_id}")] == [500, 200]


async def test_dropped_gateway_resumes(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    await fake_discord.drop_gateway()
    await fake_discord.wait_resumed()
    assert (fake_discord.identify_count, fake_discord.resume_count) == (1, 1)
    result = await fake_discord.slash("fan", subcommand="settings show")
    assert (await result.response()).content is not None


async def test_wrong_token_is_a_login_failure(fake_discord: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.none())
    with fake_discord.redirect(), pytest.raises(discord.LoginFailure):
        await client.login("not-" + FAKE_TOKEN)
    await client.close()
    assert [r.status for r in fake_discord.requests] == [401]


async def test_nonce_deduplicates(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    channel = bot.get_channel(fake_discord.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("news", nonce="news-1")
    again = await channel.send("news", nonce="news-1")
    assert first.id == again.id
    assert len(fake_discord.messages[channel.id]) == 1


async def test_mentions_follow_allowed_mentions(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    guild = fake_discord.guild
    fans = Role.new("Season 2 news", mentionable=True)
    guild.roles.append(fans)
    channel = bot.get_channel(guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    quiet = await channel.send(f"@everyone <@&{fans.id}>", allowed_mentions=discord.AllowedMentions.none())
    loud = await channel.send(
        f"@everyone <@&{fans.id}>", allowed_mentions=discord.AllowedMentions(roles=[discord.Object(fans.id)])
    )
    assert (
        fake_discord.all_messages[quiet.id].mention_roles,
        fake_discord.all_messages[loud.id].mention_roles,
    ) == (
        [],
        [fans.id],
    )
    assert not fake_discord.all_messages[loud.id].mention_everyone


async def test_crosspost_and_threads(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    news = bot.get_channel(fake_discord.guild.channel("announcements").id)
    general = bot.get_channel(fake_discord.guild.channel("general").id)
    assert isinstance(news, discord.TextChannel)
    assert isinstance(general, discord.TextChannel)
    announcement = await news.send("Season 2 wrapped filming")
    await announcement.publish()
    assert fake_discord.all_messages[announcement.id].crossposted
    with pytest.raises(discord.HTTPException) as not_news:
        await (await general.send("hi")).publish()
    assert not_news.value.code == 50024

    thread = await announcement.create_thread(name="Discussion")
    assert thread.id == announcement.id
    assert fake_discord.guild.get_channel(thread.id).type is ChannelType.ANNOUNCEMENT_THREAD
    await thread.send("in thread")
    assert fake_discord.messages[thread.id][0].content == "in thread"


async def test_forbidden_and_deleted_channels(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    guild = fake_discord.guild
    general = bot.get_channel(guild.channel("general").id)
    mod_log = bot.get_channel(guild.channel("mod-log").id)
    assert isinstance(general, discord.TextChannel)
    assert isinstance(mod_log, discord.TextChannel)
    guild.channel("mod-log").permission_overwrites.append(
        Overwrite.for_role(guild.role("Bot"), deny=Permission.SEND_MESSAGES)
    )
    with pytest.raises(discord.Forbidden) as denied:
        await mod_log.send("log")
    assert denied.value.code == 50013
    guild.channel("general").deleted = True
    with pytest.raises(discord.NotFound) as gone:
        await general.send("hi")
    assert gone.value.code == 10003


async def test_scheduled_events_and_roles(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None
    start = discord.utils.utcnow() + datetime.timedelta(days=1)
    event = await guild.create_scheduled_event(
        name="Watch party",
        start_time=start,
        end_time=start + datetime.timedelta(hours=2),
        entity_type=discord.EntityType.external,
        location="Online",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    assert fake_discord.guild.scheduled_events[event.id]["entity_metadata"] == {"location": "Online"}
    yesterday = discord.utils.utcnow() - datetime.timedelta(days=1)
    with pytest.raises(discord.HTTPException) as past:
        await guild.create_scheduled_event(
            name="Too late",
            start_time=yesterday,
            end_time=start,
            entity_type=discord.EntityType.external,
            location="Online",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
    assert past.value.code == 50035

    fan = await guild.fetch_member(fake_discord.guild.member("fan").id)
    moderators = guild.get_role(fake_discord.guild.role("Moderators").id)
    assert moderators is not None
    await fan.add_roles(moderators)
    assert moderators.id in fake_discord.guild.member("fan").roles
    fake_discord.guild.role("Moderators").position = 5
    with pytest.raises(discord.Forbidden):
        await fan.remove_roles(moderators)


async def test_configured_rate_limits_send_headers() -> None:
    limits = RateLimits(per_route={"POST /channels/{channel_id}/messages": (2, 0.3)})
    async with FakeDiscord(rate_limits=limits) as fake:
        with fake.redirect():
            client = discord.Client(intents=discord.Intents.none())
            await client.login(fake.token)
            channel_id = fake.guild.channel("general").id
            started = time.monotonic()
            for text in ("one", "two", "three"):
                await client.http.send_message(channel_id, params=_text_params(text))
            elapsed = time.monotonic() - started
            await client.close()
        first = fake.requests_to("POST", "/channels/{channel_id}/messages")[0]
    assert elapsed >= 0.25
    assert [m.content for m in fake.messages[channel_id]] == ["one", "two", "three"]
    assert first.response_headers["X-RateLimit-Limit"] == "2"
    assert "X-RateLimit-Bucket" in first.response_headers


def _text_params(text: str) -> discord.http.MultipartParameters:
    return discord.http.handle_message_parameters(content=text)


async def test_launch_runs_the_bot_entry_point(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    stub = tmp_path / "bot"
    stub.mkdir()
    (stub / "__init__.py").write_text("")
    (stub / "__main__.py").write_text(
        textwrap.dedent(
            """
            import asyncio, os, sys
            import discord

            def main(argv=None):
                client = discord.Client(intents=discord.Intents.none(), guild_ready_timeout=0.05)

                @client.event
                async def on_ready():
                    print("ready", argv, flush=True)
                    await client.close()

                asyncio.run(client.start(os.environ["DISCORD_TOKEN"]))
                return 3
            """
        )
    )
    # Run from tmp_path so its stub "bot" package shadows the project's; the fixture comes from PYTHONPATH.
    env = {**os.environ, "DISCORD_TOKEN": fake_discord.token, "PYTHONPATH": str(Path.cwd())}
    process = await asyncio.create_subprocess_exec(
        *fake_discord.launch_argv("--flag", "value"),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 3, stderr.decode()
    assert stdout.decode().strip() == "ready ['--flag', 'value']"
    assert fake_discord.identify_count == 1
    assert fake_discord.unknown_requests == []


MESSAGES = "/channels/{channel_id}/messages"


def _general(fake: FakeDiscord, bot: discord.Client) -> discord.TextChannel:
    channel = bot.get_channel(fake.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_before_hold_delays_processing(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    channel = _general(fake_discord, bot)
    hold = fake_discord.hold("POST", MESSAGES)
    sending = asyncio.create_task(channel.send("held", nonce="held-1"))
    await hold.arrived()
    await asyncio.sleep(0.1)
    assert (hold.held, hold.caught, sending.done()) == (1, 1, False)
    assert fake_discord.messages.get(channel.id, []) == []
    assert fake_discord.requests_to("POST", MESSAGES)[0].status == 0

    hold.release()
    message = await asyncio.wait_for(sending, 5)
    assert [m.id for m in fake_discord.messages[channel.id]] == [message.id]
    assert (hold.held, hold.abandoned, hold.remaining) == (0, 0, 0)
    await channel.send("not held")
    assert len(fake_discord.messages[channel.id]) == 2


async def test_after_hold_processes_but_keeps_the_reply(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    channel = _general(fake_discord, bot)
    hold = fake_discord.hold("*", "*", stage="after")
    sending = asyncio.create_task(channel.send("stored", nonce="stored-1"))
    await hold.arrived()
    await asyncio.sleep(0.1)
    assert not sending.done()
    [stored] = fake_discord.messages[channel.id]
    assert stored.content == "stored"
    assert fake_discord.requests_to("POST", MESSAGES)[0].status == 0

    hold.release()
    message = await asyncio.wait_for(sending, 5)
    assert message.id == stored.id
    assert fake_discord.requests_to("POST", MESSAGES)[0].status == 200
    # The nonce was remembered while the reply was held: a retry gets the same message back.
    again = await channel.send("stored", nonce="stored-1")
    assert again.id == stored.id
    assert len(fake_discord.messages[channel.id]) == 1


@pytest.mark.parametrize("stage", ["before", "after"])
async def test_held_request_whose_client_goes_away(fake_discord: FakeDiscord, stage: HoldStage) -> None:
    hold = fake_discord.hold("POST", MESSAGES, stage=stage)
    channel_id = fake_discord.guild.channel("general").id
    with fake_discord.redirect():
        client = discord.Client(intents=discord.Intents.none())
        await client.login(fake_discord.token)
        sending = asyncio.create_task(client.http.send_message(channel_id, params=_text_params("lost")))
        await hold.arrived()
        await client.close()
        await hold.wait_abandoned()
    with pytest.raises(aiohttp.ClientConnectionError):
        await asyncio.wait_for(sending, 5)
    hold.release()
    await asyncio.sleep(0.1)
    stored = [m.content for m in fake_discord.messages.get(channel_id, [])]
    assert stored == ([] if stage == "before" else ["lost"])
    assert (hold.held, hold.abandoned) == (0, 1)
    # A "before" request was never processed, so never answered; an "after" one was, into the void.
    assert fake_discord.requests_to("POST", MESSAGES)[0].status == (0 if stage == "before" else 200)
    assert fake_discord.problems == []


async def test_closing_the_fake_releases_holds() -> None:
    async with FakeDiscord() as fake:
        fake.hold("POST", MESSAGES)
        channel_id = fake.guild.channel("general").id
        with fake.redirect():
            client = discord.Client(intents=discord.Intents.none())
            await client.login(fake.token)
            sending = asyncio.create_task(client.http.send_message(channel_id, params=_text_params("late")))
            await fake.holds[0].arrived()
            started = time.monotonic()
            await fake.close()
            await asyncio.wait_for(sending, 5)
            await client.close()
    assert time.monotonic() - started < 2
    assert [m.content for m in fake.messages[channel_id]] == ["late"]
