"""The REST side's machinery: routing, recording, authentication, programmed faults and rate limits.

Every request under ``/api/v10`` is recorded as a :class:`RecordedRequest` (unknown routes too), then checked
in Discord's order: bot token (except interaction callbacks and webhook-token routes, which Discord does not
authenticate with it), then any programmed :class:`Fault`, then the optional :class:`RateLimits`, and only
then handed to the route. Route templates are discord.py's own ``Route`` paths, e.g.
``"/channels/{channel_id}/messages"``. A :class:`Hold` can stop a request before any of that (``"before"``)
or keep its answer back after it (``"after"``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import BodyPartReader, web

from . import errors
from .errors import ApiError
from .messages import Upload
from .models import JSON
from .state import FakeState
from .waiting import Changes

# Waiting helpers take timeout= so a wait that runs out fails the test naming what it waited for.
# ruff: noqa: ASYNC109

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"

RATE_LIMIT_MESSAGE = "You are being rate limited."


@dataclass
class RecordedRequest:
    """One REST request as the fake received and answered it."""

    method: str
    path: str
    """The path after ``/api/v10``, e.g. ``/channels/123/messages``."""
    route: str | None
    """The route template (discord.py's ``Route.path``), or None if no route matched."""
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    """The JSON body, or a multipart request's ``payload_json`` parsed; None without a body."""
    form: dict[str, str]
    """A multipart request's text fields."""
    uploads: list[Upload]
    headers: dict[str, str]
    """The request headers, Authorization removed."""
    received_at: float = field(default_factory=time.monotonic)
    status: int = 0
    response: Any = None
    """The JSON body sent back (None for 204)."""
    response_headers: dict[str, str] = field(default_factory=dict)

    @property
    def error_code(self) -> int | None:
        """Discord's error code in the response, for error replies."""
        if isinstance(self.response, dict) and self.status >= 400:
            code = self.response.get("code")
            return int(code) if code is not None else None
        return None


@dataclass
class ApiRequest:
    """What a route handler gets: the parsed request."""

    record: RecordedRequest
    raw: web.Request

    @property
    def body(self) -> JSON:
        """The JSON object body ({} when there is none)."""
        body = self.record.json
        return body if isinstance(body, dict) else {}

    def int_param(self, name: str) -> int:
        """A path parameter as an int (404 Unknown… if it is not a snowflake)."""
        value = self.record.params[name]
        try:
            return int(value)
        except ValueError:
            raise errors.not_found() from None

    def param(self, name: str) -> str:
        """A path parameter."""
        return self.record.params[name]

    def query_flag(self, name: str) -> bool:
        """A boolean query parameter (``1``/``true``)."""
        return self.record.query.get(name, "").lower() in ("1", "true")


@dataclass
class Reply:
    """A route's answer."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def ok(body: Any) -> Reply:
    """200 with a JSON body."""
    return Reply(200, body)


def no_content() -> Reply:
    """204 without a body."""
    return Reply(204)


Handler = Callable[[ApiRequest], Awaitable[Reply]]


@dataclass(frozen=True)
class Route:
    """A REST route: method, discord.py-style template, handler, and whether it needs the bot token."""

    method: str
    template: str
    handler: Handler
    auth: bool = True


@dataclass
class Fault:
    """A programmed failure for the next ``times`` requests matching ``method`` and ``route`` ("*" = any)."""

    method: str
    route: str
    status: int
    times: int = 1
    retry_after: float = 0.2
    global_: bool = False
    scope: str = "user"
    code: int | None = None
    message: str | None = None
    hits: int = 0
    """How many requests it failed so far."""

    @property
    def remaining(self) -> int:
        """How many more requests it will fail."""
        return self.times - self.hits

    def matches(self, method: str, route: str | None) -> bool:
        """Whether it applies to a request."""
        return (
            self.remaining > 0 and self.method in ("*", method) and (self.route == "*" or self.route == route)
        )

    def error(self) -> ApiError:
        """The error reply it produces."""
        if self.status == 429:
            return rate_limited(self.retry_after, global_=self.global_, scope=self.scope)
        code = 0 if self.code is None else self.code
        message = self.message or _default_message(self.status)
        return ApiError(self.status, code, message)


HoldStage = Literal["before", "after"]
"""Where a :class:`Hold` stops a request: before the fake processes it, or after (answer not yet sent)."""

HOLD_POLL_SECONDS = 0.02
"""How often a held request checks whether its client went away."""


class Hold:
    """Holds the next ``times`` requests matching ``method`` and ``route`` ("*" = any) until :meth:`release`.

    ``stage="before"``: the request is recorded but not processed (no state changes) until released.
    ``stage="after"``: it is processed (state changed) but its reply is neither sent nor recorded (status 0)
    until released. A held request whose client disconnects stops being held at once and counts as
    :attr:`abandoned`: a "before" one is then never processed (Discord never got it), an "after" one keeps its
    effects (the client just never sees the reply). Release comes from :meth:`release` or closing the fake.
    """

    def __init__(self, method: str, route: str, *, stage: HoldStage, times: int, changes: Changes) -> None:
        if stage not in ("before", "after"):
            raise ValueError(f"hold(): stage must be 'before' or 'after', not {stage!r}")
        if times < 1:
            raise ValueError(f"hold(): times must be at least 1, not {times}")
        self.method = method
        self.route = route
        self.stage: HoldStage = stage
        self.times = times
        self.caught = 0
        """Requests it has held so far (released and abandoned ones included)."""
        self.held = 0
        """Requests it is holding right now."""
        self.abandoned = 0
        """Held requests whose client disconnected ("before": never processed; "after": never answered)."""
        self._changes = changes
        self._released = asyncio.Event()

    def __repr__(self) -> str:
        return (
            f"Hold({self.method} {self.route}, stage={self.stage!r}, times={self.times}, caught={self.caught}, "
            f"held={self.held}, abandoned={self.abandoned}, released={self.released})"
        )

    @property
    def released(self) -> bool:
        """Whether :meth:`release` was called (it then holds nothing more)."""
        return self._released.is_set()

    @property
    def remaining(self) -> int:
        """How many more requests it will hold."""
        return 0 if self.released else self.times - self.caught

    def release(self) -> None:
        """Let every held request proceed, and hold no further ones."""
        self._released.set()
        self._changes.notify()

    def matches(self, method: str, route: str | None, stage: HoldStage) -> bool:
        """Whether it would hold a request at ``stage``."""
        return (
            self.remaining > 0
            and self.stage == stage
            and self.method in ("*", method)
            and (self.route == "*" or self.route == route)
        )

    async def arrived(self, count: int = 1, timeout: float | None = None) -> None:
        """Wait until it has held ``count`` requests ("after": each one already processed)."""
        await self._changes.wait_for(
            lambda: self.caught >= count, f"{count} {self.method} {self.route} request(s) to be held", timeout
        )

    async def wait_abandoned(self, count: int = 1, timeout: float | None = None) -> None:
        """Wait until ``count`` held requests lost their client (e.g. the bot's process was killed)."""
        await self._changes.wait_for(
            lambda: self.abandoned >= count,
            f"the clients of {count} held {self.method} {self.route} request(s) to disconnect",
            timeout,
        )

    async def hold_request(self, request: web.Request) -> bool:
        """Hold ``request`` until released; False if its client disconnected meanwhile (also counted)."""
        self.caught += 1
        self.held += 1
        self._changes.notify()
        try:
            while not self._released.is_set() and not _client_gone(request):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._released.wait(), HOLD_POLL_SECONDS)
        finally:
            self.held -= 1
            self._changes.notify()
        if _client_gone(request):
            self.abandoned += 1
            self._changes.notify()
            return False
        return True


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _default_message(status: int) -> str:
    reasons = {
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }
    return f"{status}: {reasons.get(status, 'Error')}"


def rate_limited(
    retry_after: float, *, global_: bool, scope: str, headers: dict[str, str] | None = None
) -> ApiError:
    """A 429 as Discord sends it; the ``Via`` header tells discord.py it is not a Cloudflare ban."""
    all_headers = {
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Scope": "global" if global_ else scope,
        **(headers or {}),
    }
    if global_:
        all_headers["X-RateLimit-Global"] = "true"
    return ApiError(
        429,
        0,
        RATE_LIMIT_MESSAGE,
        headers=all_headers,
        extra={"retry_after": retry_after, "global": global_},
    )


@dataclass
class RateLimits:
    """Optional enforced rate limits (off unless passed to FakeDiscord).

    ``global_per_second`` limits all bot-token requests together; ``per_route`` maps ``"METHOD template"``
    (or ``"*"`` for every route) to ``(limit, window_seconds)`` per major parameter (channel, guild,
    webhook), like Discord's buckets. Interaction callbacks and webhooks are exempt from the global limit.
    """

    global_per_second: int | None = None
    per_route: dict[str, tuple[int, float]] = field(default_factory=dict)


@dataclass
class _Window:
    limit: int
    length: float
    started: float = 0.0
    used: int = 0

    def take(self, now: float) -> bool:
        if now - self.started >= self.length:
            self.started, self.used = now, 0
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def reset_after(self, now: float) -> float:
        return max(0.0, self.started + self.length - now)


class RateLimiter:
    """Fixed-window buckets that answer with Discord's ``X-RateLimit-*`` headers and 429s."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._global = _Window(limits.global_per_second or 0, 1.0)
        self._buckets: dict[str, _Window] = {}

    def check(self, record: RecordedRequest, *, exempt_global: bool) -> dict[str, str]:
        """Count the request; return the headers for its reply or raise a 429 ApiError."""
        now = time.monotonic()
        if self.limits.global_per_second and not exempt_global and not self._global.take(now):
            raise rate_limited(max(self._global.reset_after(now), 0.01), global_=True, scope="global")
        key = f"{record.method} {record.route}"
        config = self.limits.per_route.get(key) or self.limits.per_route.get("*")
        if config is None:
            return {}
        major = "+".join(
            record.params[p] for p in ("channel_id", "guild_id", "webhook_id") if p in record.params
        )
        window = self._buckets.setdefault(f"{key}:{major}", _Window(*config))
        allowed = window.take(now)
        reset_after = window.reset_after(now)
        headers = {
            "X-RateLimit-Limit": str(window.limit),
            "X-RateLimit-Remaining": str(max(0, window.limit - window.used)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": hashlib.sha1(key.encode()).hexdigest()[:16],
        }
        if not allowed:
            raise rate_limited(max(reset_after, 0.01), global_=False, scope="user", headers=headers)
        return headers


def _is_webhook_token_route(template: str) -> bool:
    return template.startswith("/interactions/") or template.startswith(
        "/webhooks/{webhook_id}/{webhook_token}"
    )


class RestApi:
    """Mounts routes on an aiohttp app and runs every request through recording, auth, faults and limits."""

    def __init__(self, state: FakeState, *, rate_limits: RateLimits | None = None) -> None:
        self.state = state
        self.faults: list[Fault] = []
        self.holds: list[Hold] = []
        self.limiter = RateLimiter(rate_limits) if rate_limits else None

    def mount(self, app: web.Application, routes: list[Route]) -> None:
        """Register ``routes`` under ``/api/v10``, then catch-alls that record and answer Discord's 404.

        The root path itself stays free for the gateway.
        """
        for route in routes:
            app.router.add_route(route.method, API_PREFIX + route.template, self._wrap(route))
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._unknown)
        app.router.add_route("*", "/{tail:.+}", self._unknown)

    def _wrap(self, route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self._handle(route, request)

        return handle

    async def _unknown(self, request: web.Request) -> web.StreamResponse:
        record = await self._record(request, None)
        log.warning("unknown route %s %s", request.method, record.path)
        return self._respond(record, errors.not_found())

    async def _handle(self, route: Route, request: web.Request) -> web.StreamResponse:
        try:
            record = await self._record(request, route.template)
        except ApiError as exc:
            record = RecordedRequest(
                request.method, _api_path(request), route.template, {}, {}, None, {}, [], {}
            )
            self.state.requests.append(record)
            return self._respond(record, exc)
        if not await self._wait_hold("before", record, request):
            # Its client went away while it was held: Discord never got it, so nothing happens.
            return web.Response(status=499)
        reply = await self._process(route, request, record)
        # "after": the effects stand whether or not the client is still there to read the reply.
        await self._wait_hold("after", record, request)
        return self._reply(record, reply)

    async def _wait_hold(self, stage: HoldStage, record: RecordedRequest, request: web.Request) -> bool:
        """Wait out the first hold matching at ``stage``; False if the client disconnected meanwhile."""
        hold = next((h for h in self.holds if h.matches(record.method, record.route, stage)), None)
        return True if hold is None else await hold.hold_request(request)

    async def _process(self, route: Route, request: web.Request, record: RecordedRequest) -> Reply:
        headers: dict[str, str] = {}
        try:
            if route.auth and request.headers.get("Authorization") != f"Bot {self.state.token}":
                raise errors.unauthorized()
            fault = next((f for f in self.faults if f.matches(record.method, route.template)), None)
            if fault is not None:
                fault.hits += 1
                raise fault.error()
            if self.limiter is not None:
                headers = self.limiter.check(record, exempt_global=_is_webhook_token_route(route.template))
            reply = await route.handler(ApiRequest(record, request))
        except ApiError as exc:
            return self._error_reply(exc, headers)
        except Exception as exc:
            log.exception("route %s %s crashed", route.method, route.template)
            self.state.problem(f"{route.method} {route.template} crashed: {exc!r}")
            # 400, not 500: discord.py retries 5xx for many seconds, which would only hide the crash.
            return self._error_reply(ApiError(400, 0, f"FakeDiscord internal error: {exc!r}"), headers)
        reply.headers.update(headers)
        return reply

    async def _record(self, request: web.Request, template: str | None) -> RecordedRequest:
        body, form, uploads = await _parse_body(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        record = RecordedRequest(
            method=request.method,
            path=_api_path(request),
            route=template,
            params=dict(request.match_info) if template else {},
            query=dict(request.query),
            json=body,
            form=form,
            uploads=uploads,
            headers=headers,
        )
        self.state.requests.append(record)
        self.state.changes.notify()
        return record

    def _respond(self, record: RecordedRequest, error: ApiError) -> web.Response:
        return self._reply(record, self._error_reply(error, {}))

    def _error_reply(self, error: ApiError, headers: dict[str, str]) -> Reply:
        if error.status == 429:
            self.state.rate_limit_counts[error.headers.get("X-RateLimit-Scope", "user")] += 1
        return Reply(error.status, error.body(), {**headers, **error.headers})

    def _reply(self, record: RecordedRequest, reply: Reply) -> web.Response:
        # Discord's edge adds Via to every reply; discord.py reads a 429 without it as a Cloudflare ban.
        headers = {"Via": "1.1 google", **reply.headers}
        record.status = reply.status
        record.response = reply.body
        record.response_headers = headers
        self.state.changes.notify()
        if reply.status == 204:
            return web.Response(status=204, headers=headers)
        # Exactly "application/json": discord.py compares the header verbatim (no charset).
        headers["Content-Type"] = "application/json"
        return web.Response(status=reply.status, body=json.dumps(reply.body).encode(), headers=headers)


def _api_path(request: web.Request) -> str:
    path = request.path
    return path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else path


async def _parse_body(request: web.Request) -> tuple[Any, dict[str, str], list[Upload]]:
    """The JSON body, or for multipart the ``payload_json`` field parsed, the text fields and the files."""
    if not request.body_exists:
        return None, {}, []
    if request.content_type == "multipart/form-data":
        return await _parse_multipart(request)
    raw = await request.read()
    if not raw:
        return None, {}, []
    try:
        return json.loads(raw), {}, []
    except ValueError:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from None


# Discord's limits on what a message may carry: the whole request, and each file (a server without boosts).
REQUEST_LIMIT = 25 * 1024 * 1024
UPLOAD_LIMIT = 10 * 1024 * 1024


async def _parse_multipart(request: web.Request) -> tuple[Any, dict[str, str], list[Upload]]:
    reader = await request.multipart()
    form: dict[str, str] = {}
    uploads: list[Upload] = []
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        name = part.name or ""
        data = await part.read()
        if part.filename is not None:
            if len(data) > UPLOAD_LIMIT:
                raise ApiError(413, 40005, "Request entity too large")
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            uploads.append(Upload(name, part.filename, content_type, bytes(data)))
        else:
            form[name] = bytes(data).decode()
    body: Any = None
    if "payload_json" in form:
        try:
            body = json.loads(form["payload_json"])
        except ValueError:
            raise ApiError(400, 50109, "The request body contains invalid JSON.") from None
    return body, form, uploads
