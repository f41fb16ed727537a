"""Guild routes: the guild, its channels, roles and members, role assignment, and scheduled events.

Role assignment follows Discord's rules: Manage Roles, and only roles below the bot's highest role.
Scheduled events are validated as Discord validates them (an EXTERNAL event needs a location and an end
time, a voice or stage event a channel; nothing starts in the past or ends before it starts).
"""

from __future__ import annotations

import datetime
import logging

from . import errors
from .models import JSON, ChannelType, Guild, Permission, base_permissions
from .rest import ApiRequest, Reply, Route, no_content, ok
from .snowflake import new_snowflake
from .state import FakeState, Intent

log = logging.getLogger(__name__)

STAGE_INSTANCE = 1
VOICE = 2
EXTERNAL = 3

SCHEDULED = 1
ACTIVE = 2
COMPLETED = 3
CANCELED = 4

_STATUS_CHANGES = {SCHEDULED: {SCHEDULED, ACTIVE, CANCELED}, ACTIVE: {ACTIVE, COMPLETED}}
_EVENT_FIELDS = (
    "channel_id",
    "entity_metadata",
    "name",
    "privacy_level",
    "scheduled_start_time",
    "scheduled_end_time",
    "description",
    "entity_type",
    "image",
    "status",
    "recurrence_rule",
)


def guild_routes(state: FakeState) -> list[Route]:
    """The routes of this module, bound to ``state``."""
    handlers = _GuildRoutes(state)
    guild = "/guilds/{guild_id}"
    event = guild + "/scheduled-events/{guild_scheduled_event_id}"
    return [
        Route("GET", guild, handlers.get_guild),
        Route("GET", guild + "/channels", handlers.list_channels),
        Route("GET", guild + "/roles", handlers.list_roles),
        Route("GET", guild + "/members", handlers.list_members),
        Route("GET", guild + "/members/{user_id}", handlers.get_member),
        Route("PUT", guild + "/members/{user_id}/roles/{role_id}", handlers.add_role),
        Route("DELETE", guild + "/members/{user_id}/roles/{role_id}", handlers.remove_role),
        Route("GET", guild + "/scheduled-events", handlers.list_events),
        Route("POST", guild + "/scheduled-events", handlers.create_event),
        Route("GET", event, handlers.get_event),
        Route("PATCH", event, handlers.edit_event),
        Route("DELETE", event, handlers.delete_event),
    ]


class _GuildRoutes:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def _guild(self, request: ApiRequest) -> Guild:
        return self.state.get_guild(request.int_param("guild_id"))

    async def get_guild(self, request: ApiRequest) -> Reply:
        guild = self._guild(request)
        payload = guild.to_payload()
        if request.query_flag("with_counts"):
            payload["approximate_member_count"] = len(guild.members)
            payload["approximate_presence_count"] = 0
        return ok(payload)

    async def list_channels(self, request: ApiRequest) -> Reply:
        guild = self._guild(request)
        return ok([c.to_payload(guild.id) for c in guild.channels if not c.is_thread and not c.deleted])

    async def list_roles(self, request: ApiRequest) -> Reply:
        return ok([role.to_payload() for role in self._guild(request).roles])

    async def list_members(self, request: ApiRequest) -> Reply:
        guild = self._guild(request)
        limit = int(request.record.query.get("limit", "1"))
        after = int(request.record.query.get("after", "0"))
        members = sorted((m for m in guild.members if m.id > after), key=lambda m: m.id)[:limit]
        return ok([member.to_payload() for member in members])

    async def get_member(self, request: ApiRequest) -> Reply:
        guild = self._guild(request)
        return ok(self.state.member_or_404(guild, request.int_param("user_id")).to_payload())

    async def add_role(self, request: ApiRequest) -> Reply:
        return await self._change_role(request, add=True)

    async def remove_role(self, request: ApiRequest) -> Reply:
        return await self._change_role(request, add=False)

    async def _change_role(self, request: ApiRequest, *, add: bool) -> Reply:
        guild = self._guild(request)
        member = self.state.member_or_404(guild, request.int_param("user_id"))
        role_id = request.int_param("role_id")
        role = next((r for r in guild.roles if r.id == role_id), None)
        if role is None:
            raise errors.unknown("Role", errors.UNKNOWN_ROLE)
        self.state.require_guild_permission(guild, Permission.MANAGE_ROLES)
        bot_top = guild.top_role_position(self.state.bot_member(guild))
        if self.state.check_permissions and role.position >= bot_top and self.state.bot.id != guild.owner_id:
            raise errors.missing_permissions()
        if role.managed or role.id == guild.id:
            raise errors.bad_request(50028, "Invalid Role")
        if add and role_id not in member.roles:
            member.roles.append(role_id)
        elif not add and role_id in member.roles:
            member.roles.remove(role_id)
        self.state.changes.notify()
        update = member.to_payload()
        update["guild_id"] = str(guild.id)
        await self.state.dispatch_if(Intent.GUILD_MEMBERS, "GUILD_MEMBER_UPDATE", update)
        return no_content()

    async def list_events(self, request: ApiRequest) -> Reply:
        guild = self._guild(request)
        counts = request.query_flag("with_user_count")
        return ok([_with_count(event, counts) for event in guild.scheduled_events.values()])

    async def get_event(self, request: ApiRequest) -> Reply:
        event = self._event(request)
        return ok(_with_count(event, request.query_flag("with_user_count")))

    def _event(self, request: ApiRequest) -> JSON:
        guild = self._guild(request)
        event = guild.scheduled_events.get(request.int_param("guild_scheduled_event_id"))
        if event is None:
            raise errors.unknown("Guild Scheduled Event", errors.UNKNOWN_SCHEDULED_EVENT)
        return event

    def _require_event_permission(self, guild: Guild) -> None:
        if not self.state.check_permissions:
            return
        permissions = base_permissions(guild, self.state.bot_member(guild))
        if not permissions & (Permission.MANAGE_EVENTS | Permission.CREATE_EVENTS):
            raise errors.missing_permissions()

    async def create_event(self, request: ApiRequest) -> Reply:
        guild = self._guild(request)
        self._require_event_permission(guild)
        payload = {k: v for k, v in request.body.items() if k in _EVENT_FIELDS}
        event: JSON = {
            "id": str(new_snowflake()),
            "guild_id": str(guild.id),
            "channel_id": None,
            "creator_id": str(self.state.bot.id),
            "creator": self.state.bot.to_payload(),
            "name": "",
            "description": None,
            "image": None,
            "scheduled_start_time": None,
            "scheduled_end_time": None,
            "status": SCHEDULED,
            "entity_type": None,
            "entity_id": None,
            "entity_metadata": None,
            "recurrence_rule": None,
            "privacy_level": None,
            "user_count": 0,
            "guild_scheduled_event_exceptions": [],
        }
        event.update(payload)
        _validate_event(guild, event, check_start=True)
        guild.scheduled_events[int(event["id"])] = event
        self.state.changes.notify()
        await self.state.dispatch_if(Intent.GUILD_SCHEDULED_EVENTS, "GUILD_SCHEDULED_EVENT_CREATE", event)
        return ok(event)

    async def edit_event(self, request: ApiRequest) -> Reply:
        guild = self._guild(request)
        self._require_event_permission(guild)
        event = self._event(request)
        changes = {k: v for k, v in request.body.items() if k in _EVENT_FIELDS}
        if "status" in changes and changes["status"] not in _STATUS_CHANGES.get(event["status"], set()):
            raise errors.invalid_form_body(
                "status", "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION", "Invalid status transition"
            )
        if changes.get("entity_type") == EXTERNAL and "channel_id" not in changes:
            changes["channel_id"] = None
        merged = {**event, **changes}
        _validate_event(guild, merged, check_start="scheduled_start_time" in changes)
        event.update(merged)
        self.state.changes.notify()
        await self.state.dispatch_if(Intent.GUILD_SCHEDULED_EVENTS, "GUILD_SCHEDULED_EVENT_UPDATE", event)
        return ok(event)

    async def delete_event(self, request: ApiRequest) -> Reply:
        guild = self._guild(request)
        self._require_event_permission(guild)
        event = self._event(request)
        del guild.scheduled_events[int(event["id"])]
        self.state.changes.notify()
        await self.state.dispatch_if(Intent.GUILD_SCHEDULED_EVENTS, "GUILD_SCHEDULED_EVENT_DELETE", event)
        return no_content()


def _with_count(event: JSON, counts: bool) -> JSON:
    if counts:
        return event
    return {k: v for k, v in event.items() if k != "user_count"}


def _validate_event(guild: Guild, event: JSON, *, check_start: bool) -> None:
    name = str(event.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise errors.invalid_form_body("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    if len(str(event.get("description") or "")) > 1000:
        raise errors.invalid_form_body(
            "description", "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length."
        )
    if event.get("privacy_level") != 2:
        raise errors.invalid_form_body("privacy_level", "BASE_TYPE_CHOICES", "Value must be one of {2}.")
    start = _parse_time(event.get("scheduled_start_time"), "scheduled_start_time", required=True)
    end = _parse_time(event.get("scheduled_end_time"), "scheduled_end_time", required=False)
    if check_start and start is not None and start < datetime.datetime.now(datetime.UTC):
        raise errors.invalid_form_body(
            "scheduled_start_time",
            "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
            "Cannot schedule event in the past.",
        )
    if start is not None and end is not None and end <= start:
        raise errors.invalid_form_body(
            "scheduled_end_time", "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "Cannot end before it starts."
        )
    entity_type = event.get("entity_type")
    if entity_type == EXTERNAL:
        _validate_external(event, end)
    elif entity_type in (STAGE_INSTANCE, VOICE):
        _validate_channel_event(guild, event, entity_type)
    else:
        raise errors.invalid_form_body("entity_type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")


def _validate_external(event: JSON, end: datetime.datetime | None) -> None:
    location = str((event.get("entity_metadata") or {}).get("location") or "")
    if not 1 <= len(location) <= 100:
        raise errors.invalid_form_body(
            "entity_metadata.location", "BASE_TYPE_REQUIRED", "This field is required (1-100 characters)"
        )
    if end is None:
        raise errors.invalid_form_body("scheduled_end_time", "BASE_TYPE_REQUIRED", "This field is required")
    if event.get("channel_id") is not None:
        raise errors.invalid_form_body("channel_id", "BASE_TYPE_INVALID", "External events have no channel")


def _validate_channel_event(guild: Guild, event: JSON, entity_type: int) -> None:
    channel_id = event.get("channel_id")
    wanted = ChannelType.GUILD_STAGE_VOICE if entity_type == STAGE_INSTANCE else ChannelType.GUILD_VOICE
    channel = next((c for c in guild.channels if str(c.id) == str(channel_id)), None)
    if channel is None or channel.type is not wanted:
        raise errors.invalid_form_body(
            "channel_id", "BASE_TYPE_REQUIRED", f"A {wanted.name} channel is required"
        )


def _parse_time(value: object, field: str, *, required: bool) -> datetime.datetime | None:
    if value is None:
        if required:
            raise errors.invalid_form_body(field, "BASE_TYPE_REQUIRED", "This field is required")
        return None
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        raise errors.invalid_form_body(field, "DATE_TIME_TYPE_PARSE", "Could not parse timestamp.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
