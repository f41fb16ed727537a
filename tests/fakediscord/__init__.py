"""A fake Discord for testing the bot through the real, unmodified discord.py client.

``FakeDiscord`` serves Discord's REST API (v10) and gateway on 127.0.0.1 (a free port), well enough that
discord.py 2.7 logs in, connects (zlib-stream, zstd-stream or uncompressed), syncs its command tree and
answers interactions exactly as it would in production. Only two addresses are redirected: discord.py's
``Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY``. Nothing here touches the network beyond loopback.

Quick start
-----------
::

    from tests.fakediscord import FakeDiscord

    async def test_ping(fake_discord: FakeDiscord) -> None:        # fixture: tests.fakediscord.fixtures
        bot = make_bot()                                           # build it with guild_ready_timeout=0.05
        async with fake_discord.running(bot):                      # login + connect + ready; closes cleanly
            await bot.tree.sync()
            result = await fake_discord.slash("fan", {"character": "Nam On-jo", "count": 2},
                                              subcommand="quote", user=fake_discord.guild.member("fan"))
            reply = await result.response()                        # the bot's callback (type 4, 5, 9, ...)
            assert reply.content == "..." and not reply.ephemeral
            assert result.latency < 3

Without the helper: ``async with FakeDiscord(token=..., guilds=[...]) as fake:`` then ``with fake.redirect():``
around ``await bot.start(fake.token)`` (run it as a task). ``fake.api_base`` is ``http://127.0.0.1:PORT/api/v10``
and ``fake.gateway_url`` ``ws://127.0.0.1:PORT/``. Use the fixture with ``pytest_plugins =
["tests.fakediscord.fixtures"]`` (root conftest or a test module) or by importing ``fake_discord``.

discord.py delays ``on_ready`` by ``guild_ready_timeout`` (2 s) after the last GUILD_CREATE; build test bots
with ``guild_ready_timeout=0.05``, or pass ``running(bot, wait_client_ready=False)``: interactions work as
soon as ``await fake.wait_ready()`` returns (READY and every GUILD_CREATE sent).

The real bot in a subprocess
----------------------------
``fake.launch_argv(*bot_args)`` is ``[python, "-m", "tests.fakediscord.launch", "--api-base", URL, "--gateway",
URL, "--", *bot_args]``: it patches the two addresses, then runs ``bot.__main__.main(bot_args)`` and exits with
its return value. Start it with ``asyncio.create_subprocess_exec`` (token in the environment, as the bot reads
it), ``await fake.wait_ready()``, drive it, and kill it when done; the fake keeps serving in the test's loop.

The world
---------
``FakeDiscord(guilds=None)`` uses ``default_guild()``: roles @everyone (Discord's usual defaults), "Moderators"
(Manage Server, Messages, Threads, Events) and a managed "Bot" role (``DEFAULT_BOT_PERMISSIONS``) above it;
members "server-owner" (the owner), "fan" and "moderator"; channels "general" (text), "announcements"
(announcement channel, only moderators and the bot may post) and "mod-log" (hidden from @everyone). The bot
(``fake.bot``, application id == user id) joins every guild with the guild's managed role(s).

Everything is plain mutable dataclasses (``Guild``, ``Channel``, ``Role``, ``Member``, ``User``, ``Overwrite``)
with lookups by name (``fake.guild.channel("general")``, ``.role("Moderators")``, ``.member("fan")``) and the
client always sees the current state: ``channel.forbidden = True`` answers 403 (50013), ``channel.deleted =
True`` 404 (10003), an added ``Overwrite`` changes permissions at once. ``await fake.delete_channel(c)`` also
dispatches CHANNEL_DELETE. Ids are real snowflakes (``new_snowflake()``) made from the current time.
Permissions (interaction ``member.permissions``/``app_permissions`` and the fake's own checks) follow
Discord's algorithm: owner/Administrator get everything, then @everyone, role and member overwrites.

Interactions
------------
All of them are built from the commands the bot really synced (guild scope first, then global) and fail the
test with ``InteractionSpecError`` if Discord's client could not send them: unknown command, subcommand or
option, wrong value type, missing required option, value outside choices/bounds/channel types, a click on a
missing or disabled component, a modal field that does not exist or a required one left empty.

- ``await fake.slash(name, options, *, subcommand="group sub", guild_id=..., channel_id=..., user=...,
  locale="en-US")`` -> ``InteractionResult``. Values: str, int, float, bool, and ``Member``/``User``/``Role``/
  ``Channel`` objects or ids for entity options (sent with ``resolved`` data), and ``Attachment`` objects
  for attachment options. ``guild_id=None`` is a DM (``user`` instead of ``member``, context 1). Defaults:
  first guild, its first text channel, its owner.
- ``fake.attachment(filename, data, *, content_type="application/json; charset=utf-8", size=None)`` ->
  ``Attachment``: a file a user attaches to a slash command. It goes in ``resolved.attachments`` as Discord
  sends it (``id``, ``filename``, ``size``, ``url``, ``proxy_url``, ``content_type``, ``ephemeral``), and its
  ``url`` points at the fake itself (``http://127.0.0.1:PORT/ephemeral-attachments/…``), so discord.py's
  ``Attachment.read()`` works unchanged. ``size=`` makes Discord report another size (to test size checks
  without big files), ``content_type=None`` leaves the type out; ``attachment.downloads`` counts the GETs.
- ``await fake.autocomplete(name, options, focused, *, subcommand=...)`` -> the choices (list of dicts).
- ``await fake.click(message, custom_id, *, user=..., values=None)`` -> ``InteractionResult``; ``message`` is a
  ``StoredMessage`` or its id (interaction responses, follow-ups and channel messages are all stored).
- ``await fake.submit_modal(modal_or_custom_id, {field_custom_id: value}, *, user=...)`` -> submits a modal
  the bot opened, mirroring its layout (action rows or type-18 labels).

``InteractionResult``: ``await result.response(timeout=5)`` (``Callback``: ``type``, ``data``, ``content``,
``embeds``, ``components``, ``ephemeral``, ``choices``), ``result.latency``, ``result.original`` (the message
``@original`` refers to, after every edit), ``await result.wait_original(predicate)``, ``result.followups``,
``await result.wait_followup(n)``, ``result.modal`` / ``await result.wait_modal()``, ``result.payload`` (what
was sent). Every wait has a 5 s default timeout and fails with an AssertionError saying what it waited for.

Discord's rules the fake enforces (as 4xx replies the bot must handle, not as test errors): one callback
per interaction (40060) within ``fake.interaction_deadline`` (3 s, else 10062); callback types valid for the
interaction; at most 25 autocomplete choices; a first follow-up after a thinking defer fills the placeholder;
message limits (2,000 content, 10 embeds, 6,000 embed characters, field limits, 5 action rows, empty message
50006); ``nonce`` + ``enforce_nonce`` returns the earlier message; mentions resolved per ``allowed_mentions``
(``StoredMessage.mention_everyone``/``mention_roles``); crossposts only in announcement channels (50024) and
once (40033); threads from a message take its id; role changes need Manage Roles and a role below the bot's;
scheduled events need a future start, and EXTERNAL ones a location and an end; command syncs are validated
(names, descriptions, 25 options, required before optional, 100 global commands).

REST records, faults and rate limits
------------------------------------
``fake.requests`` lists every ``RecordedRequest`` (method, path, ``route`` template, params, query, ``json``
(multipart ``payload_json`` parsed), form, uploads (each file the bot sent, as ``Upload``: field_name,
filename, content_type, data), headers without Authorization, status, response,
response_headers, received_at). Route templates are discord.py's ``Route`` paths, e.g.
``"/channels/{channel_id}/messages"``. ``fake.requests_to(method, route)``, ``await fake.wait_request(method,
route, count)``, ``fake.unknown_requests`` (answered 404; assert it is empty). Bot-created messages:
``fake.messages[channel_id]`` (visible ones, oldest first), ``fake.all_messages[message_id]`` (ephemeral and
deleted too), ``await fake.wait_message(channel, predicate)``. Files the bot uploads (multipart, with a
message, an interaction response, a follow-up or an edit) are kept whole in ``StoredMessage.uploads``, and
``data["attachments"]`` describes them as Discord would. Commands: ``fake.commands[guild_id or None]``,
``fake.sync_count``, ``fake.command_syncs``, ``fake.synced_command(name)``, ``await fake.wait_synced()``.

``fake.fail(method, route, status=429, *, retry_after=0.2, global_=False, times=1, scope="user")`` fails the
next matching requests ("*" matches any): 429s carry ``Via``, ``X-RateLimit-Scope``/``-Global`` and the JSON
body, so discord.py waits and retries; 500/502/504 are retried after 1 s; other statuses take ``code`` and
``message``. ``FakeDiscord(rate_limits=RateLimits(global_per_second=50, per_route={"POST
/channels/{channel_id}/messages": (5, 5.0)}))`` enforces limits with ``X-RateLimit-*`` headers (off by default;
interaction routes are exempt from the global one). ``fake.rate_limit_counts`` counts 429s by scope. Every
REST call needs ``Authorization: Bot <token>`` (401 otherwise) except interaction callbacks and webhook-token
routes. ``fake.check_permissions = False`` turns the permission checks off.

Holds, for crash tests (kill the bot before or after its request reached Discord): ``hold = fake.hold(method,
route, *, stage="before", times=1)`` holds the next ``times`` matching requests (matched like ``fail``, checked
before auth, faults and rate limits). ``stage="before"``: the request is recorded but not processed (no
message stored, no nonce remembered); ``stage="after"``: it is processed (message stored, nonce remembered),
but the reply is not sent and ``record.status`` stays 0 until released. ``await hold.arrived(count=1)`` waits
until it has held ``count`` requests; ``hold.release()`` lets them (and all later ones) through; ``hold.held``
(now), ``hold.caught`` (so far). If a held request's client disconnects (the test killed the bot, or closed or
cancelled the client), it stops being held and counts in ``hold.abandoned`` (``await hold.wait_abandoned()``):
a "before" one is never processed (its record keeps status 0), an "after" one keeps its effects, as on
Discord when a client dies waiting for the reply. Neither is a problem. Closing the fake releases every hold.

Gateway
-------
``fake.identify_count``, ``fake.resume_count``, ``await fake.wait_ready()``, ``await fake.wait_resumed(n)``,
``await fake.drop_gateway(code=4000, abort=False)`` (discord.py resumes; ``abort`` cuts the TCP connection),
``await fake.request_reconnect()`` (op 7), ``await fake.invalidate_session()`` (op 9),
``await fake.dispatch(event, data)`` (any dispatch; made while disconnected, it is replayed on RESUME). The
fake dispatches MESSAGE_*, THREAD_CREATE, GUILD_MEMBER_UPDATE and GUILD_SCHEDULED_EVENT_* for the bot's own
actions when its intents subscribe to them, and sends all members in GUILD_CREATE only with the members
intent. ``fake.gateway.connections`` shows each connection's compression and close code;
``fake.gateway.ack_heartbeats = False`` simulates a zombie connection (with a small ``heartbeat_interval_ms``
here and ``heartbeat_timeout`` on the client, discord.py reconnects and resumes).

Problems inside the fake (a route that crashed, a gateway request it cannot serve, such as zstd-stream without
a zstd module) are logged, reported by every timed-out wait, and raised when the ``async with`` block exits;
clear ``fake.problems`` if a test provokes one on purpose.

Not covered: voice, sharding beyond echoing ``shard``, ETF encoding, reactions, pins, bans, invites, emojis,
stickers, polls beyond storing them, webhooks other than the interaction webhook, downloads of files the bot
itself uploaded (their URLs point at Discord's CDN; read ``StoredMessage.uploads`` instead), message content of
other users.
"""

from __future__ import annotations

from .attachments import Attachment
from .errors import ApiError
from .gateway import Gateway, GatewayConnection, GatewaySession
from .interactions import Callback, InteractionResult, InteractionSpecError, Modal
from .messages import StoredMessage, Upload
from .models import (
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    Channel,
    ChannelType,
    Guild,
    Member,
    Overwrite,
    OverwriteType,
    Permission,
    Role,
    User,
    base_permissions,
    channel_permissions,
    default_guild,
)
from .redirect import patch_discord, redirect_discord
from .rest import Fault, Hold, HoldStage, RateLimits, RecordedRequest
from .server import DEFAULT_GUILD, FAKE_TOKEN, FakeDiscord
from .snowflake import new_snowflake, snowflake_time
from .state import CommandSync, Intent

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "DEFAULT_GUILD",
    "FAKE_TOKEN",
    "ApiError",
    "Attachment",
    "Callback",
    "Channel",
    "ChannelType",
    "CommandSync",
    "FakeDiscord",
    "Fault",
    "Gateway",
    "GatewayConnection",
    "GatewaySession",
    "Guild",
    "Hold",
    "HoldStage",
    "Intent",
    "InteractionResult",
    "InteractionSpecError",
    "Member",
    "Modal",
    "Overwrite",
    "OverwriteType",
    "Permission",
    "RateLimits",
    "RecordedRequest",
    "Role",
    "StoredMessage",
    "Upload",
    "User",
    "base_permissions",
    "channel_permissions",
    "default_guild",
    "new_snowflake",
    "patch_discord",
    "redirect_discord",
    "snowflake_time",
]
