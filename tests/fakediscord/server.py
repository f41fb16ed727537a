"""``FakeDiscord``: the fake served on loopback, plus the API tests drive it with."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, Self, TypeVar

import discord
from aiohttp import web

from .attachments import ATTACHMENT_ROUTE, Attachment, AttachmentStore
from .gateway import CLOSE_UNKNOWN_ERROR, Gateway, GatewaySession
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionResult,
    InteractionSpecError,
    Invoker,
    Modal,
    OptionValue,
    build_command_data,
    component_data,
    dm_channel_for,
    find_command,
    interaction_payload,
    modal_submit_data,
)
from .messages import StoredMessage
from .models import JSON, Channel, ChannelType, Guild, Member, User, default_guild
from .redirect import redirect_discord
from .rest import (
    API_PREFIX,
    REQUEST_LIMIT,
    Fault,
    Hold,
    HoldStage,
    RateLimits,
    RecordedRequest,
    RestApi,
    Route,
)
from .routes_channels import channel_routes
from .routes_core import core_routes
from .routes_guilds import guild_routes
from .routes_interactions import interaction_routes
from .state import FakeState, Intent
from .waiting import Changes

# Waiting helpers take timeout= so a wait that runs out fails the test naming what it waited for.
# ruff: noqa: ASYNC109

log = logging.getLogger(__name__)

FAKE_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfAKEx.fake-token-for-tests-only-000000000000"
"""A well-formed but fake bot token (three dot-separated base64url parts)."""

ClientT = TypeVar("ClientT", bound=discord.Client)


class _Default(enum.Enum):
    GUILD = "the first guild"


DEFAULT_GUILD = _Default.GUILD
"""Marker for "the fake's first guild" (pass ``guild_id=None`` for a DM)."""

UserRef = Member | User | int | None
"""Who acts: a member, a user, a user id, or None for the default (the guild's owner)."""


class FakeDiscord(FakeState):
    """A fake Discord (REST v10 + gateway) on 127.0.0.1 for the real discord.py client.

    See the package documentation (``tests/fakediscord/__init__.py``) for a guide.
    """

    gateway: Gateway

    def __init__(
        self,
        *,
        token: str = FAKE_TOKEN,
        guilds: Sequence[Guild] | None = None,
        bot_name: str = "FakeBot",
        heartbeat_interval_ms: int = 41250,
        rate_limits: RateLimits | None = None,
        check_permissions: bool = True,
        interaction_deadline: float = 3.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        bot = User.new(bot_name, bot=True)
        super().__init__(
            token=token,
            bot=bot,
            application_id=bot.id,
            guilds=list(guilds) if guilds is not None else [default_guild()],
            changes=Changes(),
        )
        for guild in self.guilds:
            self.prepare_guild(guild)
        self.check_permissions = check_permissions
        self.interaction_deadline = interaction_deadline
        self.gateway = Gateway(
            token=token, heartbeat_interval_ms=heartbeat_interval_ms, world=self, changes=self.changes
        )
        self.rest = RestApi(self, rate_limits=rate_limits)
        self.attachments = AttachmentStore()
        self._routes: list[Route] = [
            *core_routes(self, lambda: self.gateway_url),
            *channel_routes(self),
            *guild_routes(self),
            *interaction_routes(self),
        ]
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
        if exc_type is None and self.problems:
            raise AssertionError("the fake Discord recorded problems: " + "; ".join(self.problems))

    async def start(self) -> None:
        """Start serving on a free port."""
        # Discord takes requests up to 25 MiB ("The maximum request size when sending a message is 25 MiB");
        # each file is held to the server's upload limit below (rest.UPLOAD_LIMIT).
        app = web.Application(client_max_size=REQUEST_LIMIT)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_get(ATTACHMENT_ROUTE, self.attachments.serve)
        self.rest.mount(app, self._routes)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        log.debug("fake discord listening on %s", self.base_url)

    async def close(self) -> None:
        """Close gateway connections and stop serving."""
        if self._runner is None:
            return
        # Held requests would keep the server's shutdown waiting for their handlers.
        for hold in self.rest.holds:
            hold.release()
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self._host}:{self._port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be: ``http://127.0.0.1:PORT/api/v10``."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` must be: ``ws://127.0.0.1:PORT/``."""
        return f"ws://{self._host}:{self._port}/"

    @property
    def problems(self) -> list[str]:
        """Errors inside the fake (a crashed route, an unservable gateway request); clear it if expected."""
        return self.changes.problems

    def redirect(self) -> contextlib.AbstractContextManager[None]:
        """Point in-process discord.py clients at this fake while the ``with`` block runs."""
        return redirect_discord(self.api_base, self.gateway_url)

    def launch_argv(self, *bot_args: str) -> list[str]:
        """The command line that runs the project's bot against this fake (see ``launch.py``)."""
        return [
            sys.executable,
            "-m",
            "tests.fakediscord.launch",
            "--api-base",
            self.api_base,
            "--gateway",
            self.gateway_url,
            "--",
            *bot_args,
        ]

    @contextlib.asynccontextmanager
    async def running(
        self,
        client: ClientT,
        *,
        token: str | None = None,
        wait_client_ready: bool = True,
        timeout: float = 10.0,
    ) -> AsyncIterator[ClientT]:
        """Run ``client.start(token)`` against the fake, wait until it is ready, and close it cleanly after.

        "Ready" is the fake's side (READY and every GUILD_CREATE sent) and, with ``wait_client_ready``, the
        client's ``is_ready()``, which discord.py delays by ``guild_ready_timeout`` (2 s unless the client
        was built with a smaller one). If the client stops early its exception is raised here.
        """
        with self.redirect():
            task = asyncio.create_task(client.start(token or self.token), name="fakediscord-client")
            try:
                await self._until_client_ready(client, task, wait_client_ready, timeout)
                yield client
            except BaseException:
                await _stop_client(client, task, timeout, raise_errors=False)
                raise
            await _stop_client(client, task, timeout, raise_errors=True)

    async def _until_client_ready(
        self, client: discord.Client, task: asyncio.Task[None], wait_client_ready: bool, timeout: float
    ) -> None:
        def ready() -> bool:
            if task.done():
                return True
            return self.gateway_ready and (client.is_ready() or not wait_client_ready)

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not ready():
            if loop.time() > deadline:
                raise AssertionError(f"timed out after {timeout:g}s waiting for the client to become ready")
            await asyncio.sleep(0.02)
        if task.done():
            task.result()
            raise AssertionError("the client stopped before it was ready")

    # Gateway

    @property
    def gateway_ready(self) -> bool:
        """Whether a client is connected and authenticated (identified and sent its guilds, or resumed)."""
        return self.gateway.live is not None

    @property
    def identify_count(self) -> int:
        """IDENTIFY payloads received."""
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        """RESUME payloads received."""
        return self.gateway.resume_count

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until a client has identified (or resumed) and all GUILD_CREATEs were sent."""
        await self.changes.wait_for(lambda: self.gateway_ready, "a client to connect to the gateway", timeout)

    async def wait_resumed(self, count: int = 1, timeout: float | None = None) -> None:
        """Wait until ``count`` RESUMEs were received and the session is live again."""
        await self.changes.wait_for(
            lambda: self.resume_count >= count and self.gateway_ready, f"gateway RESUME #{count}", timeout
        )

    async def drop_gateway(self, code: int = CLOSE_UNKNOWN_ERROR, *, abort: bool = False) -> None:
        """Close the client's gateway connection with ``code`` (or cut it, with ``abort``) to force a resume."""
        await self.gateway.drop(code=code, abort=abort)

    async def request_reconnect(self) -> None:
        """Send RECONNECT (op 7)."""
        await self.gateway.request_reconnect()

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send INVALID_SESSION (op 9)."""
        await self.gateway.invalidate_session(resumable=resumable)

    async def dispatch(self, event: str, data: Any) -> int:
        """Send any dispatch event (``"GUILD_UPDATE"``, …) to the client; returns its sequence number."""
        return await self.gateway.dispatch(event, data)

    def ready_events(self, session: GatewaySession) -> list[tuple[str, JSON]]:
        """READY and one GUILD_CREATE per guild (all members with the members intent, else only the bot)."""
        user = self.bot.to_payload()
        user.update({"verified": True, "mfa_enabled": False, "flags": 0, "email": None})
        ready: JSON = {
            "v": 10,
            "user": user,
            "guilds": [{"id": str(guild.id), "unavailable": True} for guild in self.guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["us-east"],
            "user_settings": {},
            "_trace": ["fake-gateway"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        events: list[tuple[str, JSON]] = [("READY", ready)]
        for guild in self.guilds:
            members = guild.members if session.intents & Intent.GUILD_MEMBERS else [self.bot_member(guild)]
            payload = guild.gateway_payload(members=members)
            # The real total, as Discord reports it; discord.py only chunks with the members intent.
            payload["member_count"] = len(guild.members)
            events.append(("GUILD_CREATE", payload))
        return events

    def member_chunk(self, request: JSON) -> JSON:
        """Answer REQUEST_GUILD_MEMBERS with one GUILD_MEMBERS_CHUNK."""
        guild = self.get_guild(int(request["guild_id"]))
        query = str(request.get("query") or "").lower()
        wanted = {int(user_id) for user_id in request.get("user_ids") or []}
        members = [
            m for m in guild.members if (not wanted or m.id in wanted) and m.name.lower().startswith(query)
        ]
        limit = int(request.get("limit") or 0)
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": [m.to_payload() for m in (members[:limit] if limit else members)],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(user_id) for user_id in wanted - {m.id for m in members}],
        }
        if request.get("nonce"):
            chunk["nonce"] = request["nonce"]
        return chunk

    # REST records and faults

    def requests_to(self, method: str, route: str) -> list[RecordedRequest]:
        """Recorded requests with this method ("*" = any) and route template (e.g. ``/channels/{channel_id}``)."""
        return [r for r in self.requests if method in ("*", r.method) and r.route == route]

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        """Requests to routes the fake does not implement (each was answered 404)."""
        return [r for r in self.requests if r.route is None]

    @property
    def faults(self) -> list[Fault]:
        """Programmed faults (spent ones included)."""
        return self.rest.faults

    def fail(
        self,
        method: str,
        route: str,
        status: int = 429,
        *,
        retry_after: float = 0.2,
        global_: bool = False,
        times: int = 1,
        scope: str = "user",
        code: int | None = None,
        message: str | None = None,
    ) -> Fault:
        """Fail the next ``times`` requests matching ``method`` and ``route`` ("*" = any) with ``status``.

        429s carry Discord's body (``retry_after``, ``global``) and headers (``Via``, ``X-RateLimit-Scope``,
        ``X-RateLimit-Global``), so discord.py waits and retries; 500/502/504 are retried after 1 s too.
        Other statuses get ``{"message": message, "code": code}``.
        """
        self._check_route("fail", route)
        fault = Fault(
            method, route, status, times, retry_after, global_, "global" if global_ else scope, code, message
        )
        self.rest.faults.append(fault)
        return fault

    def _check_route(self, caller: str, route: str) -> None:
        known = {r.template for r in self._routes}
        if route != "*" and route not in known:
            raise ValueError(f"{caller}(): unknown route template {route!r}; known: {sorted(known)}")

    @property
    def holds(self) -> list[Hold]:
        """Programmed holds (released ones included)."""
        return self.rest.holds

    def hold(self, method: str, route: str, *, stage: HoldStage = "before", times: int = 1) -> Hold:
        """Hold the next ``times`` requests matching ``method`` and ``route`` ("*" = any) until released.

        ``stage="before"``: recorded but not processed (no message stored, no nonce remembered) until
        ``hold.release()``; ``stage="after"``: processed, but the reply is not sent until then. ``await
        hold.arrived(n)`` waits until it has held ``n`` requests. A held request whose client disconnects (a
        killed bot) stops being held and counts in ``hold.abandoned`` (``await hold.wait_abandoned(n)``):
        unprocessed if "before", its effects kept if "after". Closing the fake releases every hold.
        """
        self._check_route("hold", route)
        hold = Hold(method, route, stage=stage, times=times, changes=self.changes)
        self.rest.holds.append(hold)
        return hold

    async def wait_request(
        self, method: str, route: str, count: int = 1, timeout: float | None = None
    ) -> RecordedRequest:
        """Wait until ``count`` matching requests were answered; returns the ``count``-th."""

        def answered() -> RecordedRequest | None:
            done = [r for r in self.requests_to(method, route) if r.status]
            return done[count - 1] if len(done) >= count else None

        return await self.changes.wait_for(answered, f"request #{count} to {method} {route}", timeout)

    async def wait_synced(self, count: int = 1, timeout: float | None = None) -> None:
        """Wait until the bot made ``count`` bulk command syncs."""
        await self.changes.wait_for(lambda: self.sync_count >= count, f"command sync #{count}", timeout)

    def synced_command(self, name: str, guild_id: int | None = None) -> JSON:
        """The synced command ``name`` (the guild's, then the global one)."""
        return find_command(self.commands, name, guild_id)

    # Messages and channels

    async def wait_message(
        self,
        channel: Channel | int,
        predicate: Callable[[StoredMessage], bool] | None = None,
        timeout: float | None = None,
    ) -> StoredMessage:
        """Wait for a visible message in ``channel`` (matching ``predicate``); returns the newest match."""
        channel_id = channel.id if isinstance(channel, Channel) else channel

        def found() -> StoredMessage | None:
            matches = [m for m in self.messages.get(channel_id, []) if predicate is None or predicate(m)]
            return matches[-1] if matches else None

        return await self.changes.wait_for(found, f"a message in channel {channel_id}", timeout)

    async def delete_channel(self, channel: Channel) -> None:
        """Delete a channel as a moderator would: later requests get 404, and CHANNEL_DELETE is dispatched."""
        guild, _ = self.find_channel(channel.id)
        channel.deleted = True
        self.changes.notify()
        await self.dispatch_if(
            Intent.GUILDS, "CHANNEL_DELETE", channel.to_payload(guild.id if guild else None)
        )

    # Interactions

    def attachment(
        self,
        filename: str,
        data: bytes,
        *,
        content_type: str | None = "application/json; charset=utf-8",
        size: int | None = None,
    ) -> Attachment:
        """A file a user attaches to a slash command (pass it as an attachment option's value).

        It is served at ``attachment.url`` on 127.0.0.1 once the fake is running; ``size`` overrides the size
        Discord reports (``len(data)`` by default), ``content_type=None`` leaves it out as Discord does for
        files it cannot type.
        """
        if self._runner is None:
            raise AssertionError("start the fake before making attachments: their URLs need its port")
        return self.attachments.add(
            self.base_url, self.application_id, filename, data, content_type=content_type, size=size
        )

    async def slash(
        self,
        name: str,
        options: Mapping[str, OptionValue] | None = None,
        *,
        subcommand: str | None = None,
        guild_id: int | Literal[_Default.GUILD] | None = DEFAULT_GUILD,
        channel_id: int | None = None,
        user: UserRef = None,
        locale: str = "en-US",
    ) -> InteractionResult:
        """Invoke a synced slash command (``subcommand="group sub"`` for nested ones) and return its result."""
        invoker = self._invoker(guild_id, channel_id, user, locale)
        command = find_command(self.commands, name, invoker.guild.id if invoker.guild else None)
        data = build_command_data(command, options or {}, subcommand, invoker)
        return await self._send(APPLICATION_COMMAND, data, invoker)

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, OptionValue],
        focused: str,
        *,
        subcommand: str | None = None,
        guild_id: int | Literal[_Default.GUILD] | None = DEFAULT_GUILD,
        channel_id: int | None = None,
        user: UserRef = None,
        locale: str = "en-US",
        timeout: float | None = None,
    ) -> list[JSON]:
        """Send an autocomplete for ``focused`` (its value is what the user typed) and return the choices."""
        invoker = self._invoker(guild_id, channel_id, user, locale)
        command = find_command(self.commands, name, invoker.guild.id if invoker.guild else None)
        data = build_command_data(command, options, subcommand, invoker, focused=focused)
        result = await self._send(AUTOCOMPLETE, data, invoker)
        callback = await result.response(timeout)
        if callback.type != AUTOCOMPLETE_RESULT:
            raise AssertionError(f"autocomplete was answered with callback type {callback.type}, not 8")
        return callback.choices

    async def click(
        self,
        message: StoredMessage | int,
        custom_id: str,
        *,
        user: UserRef = None,
        values: list[str] | None = None,
        locale: str = "en-US",
    ) -> InteractionResult:
        """Click a button (or choose ``values`` in a select) on a message the bot sent."""
        stored = self._stored_message(message)
        guild, channel = self.find_channel(stored.channel_id)
        invoker = self._invoker(guild.id if guild else None, channel.id, user, locale)
        data = component_data(stored, custom_id, values, invoker)
        return await self._send(MESSAGE_COMPONENT, data, invoker, source=stored)

    async def submit_modal(
        self,
        modal: Modal | str,
        values: Mapping[str, str | list[str] | bool],
        *,
        user: UserRef = None,
        message: StoredMessage | int | None = None,
        locale: str = "en-US",
    ) -> InteractionResult:
        """Submit a modal the bot opened (or the latest one with that custom id), ``values`` by field custom id.

        The user, guild and channel default to those of the interaction that opened it; the submit's
        ``message`` to the message whose component opened it, if one did.
        """
        opened_modal = modal if isinstance(modal, Modal) else self._open_modal(modal)
        opened = opened_modal.opened_by
        source = self._stored_message(message) if message is not None else opened.source_message
        guild_id = opened.guild.id if opened.guild else None
        invoker = self._invoker(
            guild_id, opened.channel.id, user if user is not None else opened.user, locale
        )
        data = modal_submit_data(opened_modal, values)
        return await self._send(MODAL_SUBMIT, data, invoker, source=source)

    def _open_modal(self, custom_id: str) -> Modal:
        for modal in reversed(self.modals):
            if modal.custom_id == custom_id:
                return modal
        opened = [m.custom_id for m in self.modals]
        raise InteractionSpecError(f"the bot never opened a modal {custom_id!r}; it opened: {opened}")

    def _stored_message(self, message: StoredMessage | int) -> StoredMessage:
        if isinstance(message, StoredMessage):
            return message
        stored = self.all_messages.get(message)
        if stored is None:
            raise InteractionSpecError(f"the bot never sent a message with id {message}")
        return stored

    def _invoker(
        self,
        guild_id: int | Literal[_Default.GUILD] | None,
        channel_id: int | None,
        user: UserRef,
        locale: str,
    ) -> Invoker:
        if guild_id is None:
            person = self._user(user)
            return Invoker(person, None, None, self._dm_channel(person, channel_id), None, locale)
        guild = self.guild if guild_id is DEFAULT_GUILD else self.get_guild(guild_id)
        member = self._member(guild, user)
        channel = guild.get_channel(channel_id) if channel_id is not None else _first_text_channel(guild)
        return Invoker(member.user, member, guild, channel, self.bot_member(guild), locale)

    def _member(self, guild: Guild, user: UserRef) -> Member:
        if user is None:
            return guild.owner
        if isinstance(user, Member):
            return user
        user_id = user.id if isinstance(user, User) else user
        member = guild.find_member(user_id)
        if member is None:
            raise InteractionSpecError(f"user {user_id} is not a member of guild {guild.name!r}")
        return member

    def _user(self, user: UserRef) -> User:
        if isinstance(user, Member):
            return user.user
        if isinstance(user, User):
            return user
        if user is None:
            return self.guild.owner.user
        for guild in self.guilds:
            member = guild.find_member(user)
            if member is not None:
                return member.user
        raise InteractionSpecError(f"unknown user id {user}")

    def _dm_channel(self, user: User, channel_id: int | None) -> Channel:
        if channel_id is not None:
            return self.find_channel(channel_id)[1]
        for channel in self.dm_channels.values():
            if channel.recipients and channel.recipients[0].id == user.id:
                return channel
        channel = dm_channel_for(user)
        self.dm_channels[channel.id] = channel
        return channel

    async def _send(
        self, interaction_type: int, data: JSON, invoker: Invoker, *, source: StoredMessage | None = None
    ) -> InteractionResult:
        await self.wait_ready()
        payload = interaction_payload(
            interaction_type=interaction_type,
            data=data,
            invoker=invoker,
            application_id=self.application_id,
            message=source.data if source is not None else None,
        )
        result = InteractionResult(
            id=int(payload["id"]),
            token=str(payload["token"]),
            type=interaction_type,
            payload=payload,
            changes=self.changes,
            guild=invoker.guild,
            channel=invoker.channel,
            user=invoker.user,
            source_message=source,
        )
        self.interactions.append(result)
        result.sent_at = time.monotonic()
        await self.dispatch("INTERACTION_CREATE", payload)
        return result


async def _stop_client(
    client: discord.Client, task: asyncio.Task[None], timeout: float, *, raise_errors: bool
) -> None:
    """Close the client and wait for ``start()`` to return; its own error is raised only if nothing else was."""
    await client.close()
    try:
        await asyncio.wait_for(task, timeout)
    except TimeoutError:
        raise AssertionError(f"the client did not stop within {timeout:g}s of close()") from None
    except Exception:
        if raise_errors:
            raise
        log.debug("client task failed while the test was already failing", exc_info=True)


def _first_text_channel(guild: Guild) -> Channel:
    for channel in guild.channels:
        if channel.type is ChannelType.GUILD_TEXT and not channel.deleted:
            return channel
    raise InteractionSpecError(f"guild {guild.name!r} has no text channel; pass channel_id")
