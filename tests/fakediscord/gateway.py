"""The fake gateway: Discord's websocket protocol (v10, JSON) with zlib-stream, zstd-stream or no compression.

What it implements: HELLO, HEARTBEAT/HEARTBEAT_ACK, IDENTIFY → READY + one GUILD_CREATE per guild, RESUME →
replay of missed dispatches + RESUMED, INVALID_SESSION for unknown sessions, RECONNECT on request, REQUEST
GUILD MEMBERS → GUILD_MEMBERS_CHUNK, and Discord's close codes for protocol errors (4001-4005, 4007, 4012).

Compression is per connection, as Discord does it: one zlib compressobj whose every message ends with a
Z_SYNC_FLUSH (``00 00 ff ff``), or one zstd stream whose every message is flushed as a block, both sent
as binary frames. What the payloads contain (READY, guilds) is supplied by a :class:`GatewayWorld`.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
import json
import logging
import secrets
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from .models import JSON
from .waiting import Changes

# Waiting helpers take timeout= so a wait that runs out fails the test naming what it waited for.
# ruff: noqa: ASYNC109

log = logging.getLogger(__name__)

DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11

CLOSE_UNKNOWN_ERROR = 4000
CLOSE_UNKNOWN_OPCODE = 4001
CLOSE_DECODE_ERROR = 4002
CLOSE_NOT_AUTHENTICATED = 4003
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_INVALID_SEQ = 4007
CLOSE_INVALID_API_VERSION = 4012


class GatewaySetupError(Exception):
    """The client asked for something the fake cannot serve (encoding, version, a missing zstd module)."""


class Compressor(Protocol):
    """Turns one gateway message into the bytes of one binary websocket frame."""

    def compress(self, data: bytes) -> bytes:
        """Compress ``data`` and flush so the client can decode the whole message from this frame."""
        ...


class ZlibStreamCompressor:
    """``compress=zlib-stream``: one deflate stream per connection, each message ending in a sync flush."""

    def __init__(self) -> None:
        self._stream = zlib.compressobj()

    def compress(self, data: bytes) -> bytes:
        """Compress and sync-flush, so the frame ends with the ``00 00 ff ff`` marker discord.py looks for."""
        return self._stream.compress(data) + self._stream.flush(zlib.Z_SYNC_FLUSH)


class ZstdStreamCompressor:
    """``compress=zstd-stream``: one zstd frame per connection that never ends, flushed block by block.

    discord.py feeds every websocket message to one streaming decompressor and expects each to decode to
    exactly one complete JSON message, so the stream must be flushed (not ended) after every message.
    The ``zstandard`` package is used if present, else the standard library's ``compression.zstd``.
    """

    def __init__(self) -> None:
        self._flush_zstandard: int | None = None
        try:
            module: Any = importlib.import_module("zstandard")
        except ImportError:
            module = None
        if module is not None:
            self._stream: Any = module.ZstdCompressor().compressobj()
            self._flush_zstandard = module.COMPRESSOBJ_FLUSH_BLOCK
            return
        try:
            stdlib: Any = importlib.import_module("compression.zstd")
        except ImportError as exc:
            raise GatewaySetupError(
                "the client asked for compress=zstd-stream but neither the 'zstandard' package nor "
                "'compression.zstd' is importable in the process running the fake"
            ) from exc
        self._stream = stdlib.ZstdCompressor()
        self._flush_block: Any = stdlib.ZstdCompressor.FLUSH_BLOCK

    def compress(self, data: bytes) -> bytes:
        """Compress and flush the current block."""
        if self._flush_zstandard is not None:
            return bytes(self._stream.compress(data) + self._stream.flush(self._flush_zstandard))
        return bytes(self._stream.compress(data, mode=self._flush_block))


def make_compressor(kind: str | None) -> Compressor | None:
    """The compressor for a ``compress`` query value (None for an uncompressed connection)."""
    if kind is None:
        return None
    if kind == "zlib-stream":
        return ZlibStreamCompressor()
    if kind == "zstd-stream":
        return ZstdStreamCompressor()
    raise GatewaySetupError(f"unsupported gateway compression {kind!r}")


_connection_ids = itertools.count(1)


@dataclass(eq=False)
class GatewayConnection:
    """One websocket connection from a client."""

    ws: web.WebSocketResponse
    request: web.Request
    compression: str | None
    compressor: Compressor | None = None
    id: int = field(default_factory=lambda: next(_connection_ids))
    session: GatewaySession | None = None
    ready: bool = False
    """Authenticated: READY and the GUILD_CREATEs were sent, or the session was resumed."""
    closed: bool = False
    close_code: int | None = None
    opened_at: float = field(default_factory=time.monotonic)
    heartbeats: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)
    _send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, frame: JSON) -> None:
        """Send one gateway message, compressed if the connection asked for it.

        Sends are serialised because the compression stream's state depends on message order.
        """
        text = json.dumps(frame, separators=(",", ":"))
        async with self._send_lock:
            if self.ws.closed:
                raise ConnectionResetError("gateway connection is closed")
            if self.compressor is None:
                await self.ws.send_str(text)
            else:
                await self.ws.send_bytes(self.compressor.compress(text.encode()))


@dataclass(eq=False)
class GatewaySession:
    """A gateway session: its sequence numbers and every dispatch sent in it, for replay on RESUME."""

    session_id: str
    intents: int
    shard: list[int] | None
    identify: JSON
    seq: int = 0
    frames: list[JSON] = field(default_factory=list)
    connection: GatewayConnection | None = None
    resumable: bool = True

    async def dispatch(self, event: str, data: Any) -> int:
        """Number and record a dispatch, and send it if a connection is attached.

        A dispatch made while no connection is attached is only recorded: the client receives it when it
        resumes, as with Discord.
        """
        self.seq += 1
        frame: JSON = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.frames.append(frame)
        connection = self.connection
        if connection is not None:
            try:
                await connection.send(frame)
            except (ConnectionResetError, RuntimeError):
                log.debug(
                    "dispatch %s (seq %d) not delivered; it will be replayed on resume", event, self.seq
                )
        return self.seq


class GatewayWorld(Protocol):
    """What the gateway needs from the rest of the fake: the contents of its payloads."""

    def ready_events(self, session: GatewaySession) -> list[tuple[str, JSON]]:
        """READY followed by one GUILD_CREATE per guild, for a session that just identified."""
        ...

    def member_chunk(self, request: JSON) -> JSON:
        """A GUILD_MEMBERS_CHUNK answering a REQUEST_GUILD_MEMBERS payload."""
        ...


class Gateway:
    """Serves gateway connections at the server's root path and keeps the protocol's state."""

    def __init__(
        self, *, token: str, heartbeat_interval_ms: int, world: GatewayWorld, changes: Changes
    ) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.world = world
        self.changes = changes
        self.connections: list[GatewayConnection] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.current_session: GatewaySession | None = None
        self.identify_count = 0
        self.resume_count = 0
        self.ready_count = 0
        self.presence_updates: list[JSON] = []
        self.ack_heartbeats = True
        """Set False to stop acknowledging heartbeats, so the client sees a zombie connection."""

    @property
    def live(self) -> GatewayConnection | None:
        """The open, authenticated connection of the current session, if any."""
        session = self.current_session
        connection = session.connection if session else None
        if connection is not None and connection.ready and not connection.closed:
            return connection
        return None

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """The websocket endpoint (``GET /?v=10&encoding=json&compress=…``)."""
        ws = web.WebSocketResponse(timeout=2.0, compress=False, max_msg_size=0)
        await ws.prepare(request)
        connection = GatewayConnection(ws=ws, request=request, compression=request.query.get("compress"))
        self.connections.append(connection)
        log.debug("gateway connection %d opened: %s", connection.id, request.query_string)
        try:
            await self._serve(connection)
        finally:
            self._closed(connection)
        return ws

    async def _serve(self, connection: GatewayConnection) -> None:
        try:
            self._check_parameters(connection)
        except GatewaySetupError as exc:
            self.changes.problems.append(str(exc))
            log.error("gateway connection refused: %s", exc)
            await connection.ws.close(code=CLOSE_INVALID_API_VERSION, message=str(exc)[:120].encode())
            return
        await connection.send(
            {"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-gateway"]}}
        )
        async for message in connection.ws:
            if message.type is not WSMsgType.TEXT:
                if message.type is WSMsgType.BINARY:
                    await self._close(connection, CLOSE_DECODE_ERROR, "Decode error.")
                break
            try:
                payload = json.loads(message.data)
                op = payload["op"]
            except (ValueError, KeyError, TypeError):
                await self._close(connection, CLOSE_DECODE_ERROR, "Decode error.")
                break
            await self._on_payload(connection, op, payload.get("d"))

    def _check_parameters(self, connection: GatewayConnection) -> None:
        query = connection.request.query
        if query.get("v", "10") != "10":
            raise GatewaySetupError(f"unsupported gateway version v={query.get('v')!r} (the fake speaks v10)")
        if query.get("encoding", "json") != "json":
            raise GatewaySetupError(
                f"unsupported gateway encoding {query.get('encoding')!r} (the fake speaks json)"
            )
        connection.compressor = make_compressor(connection.compression)

    async def _on_payload(self, connection: GatewayConnection, op: int, data: Any) -> None:
        if op == HEARTBEAT:
            connection.heartbeats += 1
            if self.ack_heartbeats:
                await connection.send({"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(connection, data)
        elif op == RESUME:
            await self._resume(connection, data)
        elif connection.session is None:
            await self._close(connection, CLOSE_NOT_AUTHENTICATED, "Not authenticated.")
        elif op == PRESENCE_UPDATE:
            self.presence_updates.append(data)
            self.changes.notify()
        elif op == VOICE_STATE_UPDATE:
            log.debug("ignoring voice state update %s", data)
        elif op == REQUEST_GUILD_MEMBERS:
            await connection.session.dispatch("GUILD_MEMBERS_CHUNK", self.world.member_chunk(data))
        else:
            await self._close(connection, CLOSE_UNKNOWN_OPCODE, "Unknown opcode.")

    async def _identify(self, connection: GatewayConnection, data: JSON) -> None:
        self.identify_count += 1
        self.changes.notify()
        if connection.session is not None:
            await self._close(connection, CLOSE_ALREADY_AUTHENTICATED, "Already authenticated.")
            return
        if data.get("token") != self.token:
            await self._close(connection, CLOSE_AUTHENTICATION_FAILED, "Authentication failed.")
            return
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            intents=int(data.get("intents") or 0),
            shard=data.get("shard"),
            identify=data,
        )
        self.sessions[session.session_id] = session
        self.current_session = session
        self._attach(connection, session)
        for event, payload in self.world.ready_events(session):
            await session.dispatch(event, payload)
        connection.ready = True
        self.ready_count += 1
        log.debug("gateway session %s ready on connection %d", session.session_id, connection.id)
        self.changes.notify()

    async def _resume(self, connection: GatewayConnection, data: JSON) -> None:
        self.resume_count += 1
        self.changes.notify()
        if data.get("token") != self.token:
            await self._close(connection, CLOSE_AUTHENTICATION_FAILED, "Authentication failed.")
            return
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not session.resumable:
            await connection.send({"op": INVALID_SESSION, "d": False})
            return
        after = int(data.get("seq") or 0)
        if after > session.seq:
            await self._close(connection, CLOSE_INVALID_SEQ, "Invalid seq.")
            return
        previous = session.connection
        if previous is not None and previous is not connection and not previous.closed:
            await self._close(previous, CLOSE_UNKNOWN_ERROR, "Session resumed elsewhere.")
        await self._replay(connection, session, after)
        self._attach(connection, session)
        self.current_session = session
        await session.dispatch("RESUMED", {"_trace": ["fake-gateway"]})
        connection.ready = True
        self.changes.notify()

    async def _replay(self, connection: GatewayConnection, session: GatewaySession, after: int) -> None:
        """Send the dispatches after ``after``, including any made while replaying.

        The connection is attached only once caught up (with no await in between), so no dispatch is
        either lost or sent twice.
        """
        sent = after
        while True:
            missed = [frame for frame in session.frames if frame["s"] > sent]
            if not missed:
                return
            for frame in missed:
                await connection.send(frame)
                sent = frame["s"]

    def _attach(self, connection: GatewayConnection, session: GatewaySession) -> None:
        connection.session = session
        session.connection = connection

    def _closed(self, connection: GatewayConnection) -> None:
        connection.closed = True
        connection.close_code = connection.ws.close_code
        session = connection.session
        if session is not None and session.connection is connection:
            session.connection = None
        connection.done.set()
        log.debug("gateway connection %d closed with %s", connection.id, connection.close_code)
        self.changes.notify()

    async def _close(self, connection: GatewayConnection, code: int, reason: str) -> None:
        log.debug("closing gateway connection %d with %d (%s)", connection.id, code, reason)
        await connection.ws.close(code=code, message=reason.encode())

    def require_session(self) -> GatewaySession:
        """The current session, or a clear failure if no client has identified."""
        if self.current_session is None:
            raise AssertionError("no gateway session: no client has identified with the fake yet")
        return self.current_session

    async def dispatch(self, event: str, data: Any) -> int:
        """Send a dispatch event in the current session; returns its sequence number."""
        return await self.require_session().dispatch(event, data)

    async def drop(
        self, *, code: int = CLOSE_UNKNOWN_ERROR, abort: bool = False, timeout: float = 5.0
    ) -> None:
        """Close the current connection (or cut its TCP connection if ``abort``) and wait until it is gone."""
        session = self.require_session()
        connection = session.connection
        if connection is None:
            raise AssertionError("drop_gateway: the current session has no open connection to drop")
        if abort:
            transport = connection.request.transport
            if transport is not None:
                transport.abort()
        else:
            await self._close(connection, code, "Dropped by the test.")
        await asyncio.wait_for(connection.done.wait(), timeout)

    async def request_reconnect(self) -> None:
        """Send RECONNECT (op 7): the client should close and resume."""
        connection = self.require_session().connection
        if connection is None:
            raise AssertionError("request_reconnect: the current session has no open connection")
        await connection.send({"op": RECONNECT, "d": None})

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send INVALID_SESSION (op 9); unless ``resumable`` the session can no longer be resumed."""
        session = self.require_session()
        session.resumable = resumable
        if session.connection is not None:
            await session.connection.send({"op": INVALID_SESSION, "d": resumable})

    async def close_all(self) -> None:
        """Close every open connection (the fake is shutting down)."""
        for connection in self.connections:
            if not connection.closed:
                await self._close(connection, 1001, "Fake Discord is shutting down.")
