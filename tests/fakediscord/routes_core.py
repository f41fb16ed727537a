"""Routes for the bot itself: its user, its application, the gateway address, DMs and application commands.

Synced commands are validated against Discord's limits (names, descriptions, option counts and order,
choices, 100 global chat commands), because Discord rejects the whole sync with a 400 when one is broken.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from . import errors
from .models import JSON, Channel, ChannelType, User
from .rest import ApiRequest, Reply, Route, no_content, ok
from .snowflake import new_snowflake
from .state import CommandSync, FakeState

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[-_'\w]{1,32}$", re.UNICODE)
_OPTION_TYPES = range(1, 12)


def core_routes(state: FakeState, gateway_url: Callable[[], str]) -> list[Route]:
    """The routes of this module, bound to ``state``."""
    handlers = _CoreRoutes(state, gateway_url)
    app = "/applications/{application_id}"
    return [
        Route("GET", "/users/@me", handlers.get_me),
        Route("GET", "/oauth2/applications/@me", handlers.get_application),
        Route("GET", "/applications/@me", handlers.get_application),
        Route("GET", "/gateway", handlers.get_gateway, auth=False),
        Route("GET", "/gateway/bot", handlers.get_gateway_bot),
        Route("POST", "/users/@me/channels", handlers.create_dm),
        Route("GET", app + "/commands", handlers.list_commands),
        Route("PUT", app + "/commands", handlers.bulk_overwrite),
        Route("POST", app + "/commands", handlers.upsert_command),
        Route("GET", app + "/commands/{command_id}", handlers.get_command),
        Route("PATCH", app + "/commands/{command_id}", handlers.edit_command),
        Route("DELETE", app + "/commands/{command_id}", handlers.delete_command),
        Route("GET", app + "/guilds/{guild_id}/commands", handlers.list_commands),
        Route("PUT", app + "/guilds/{guild_id}/commands", handlers.bulk_overwrite),
        Route("POST", app + "/guilds/{guild_id}/commands", handlers.upsert_command),
        Route("GET", app + "/guilds/{guild_id}/commands/{command_id}", handlers.get_command),
        Route("PATCH", app + "/guilds/{guild_id}/commands/{command_id}", handlers.edit_command),
        Route("DELETE", app + "/guilds/{guild_id}/commands/{command_id}", handlers.delete_command),
    ]


class _CoreRoutes:
    def __init__(self, state: FakeState, gateway_url: Callable[[], str]) -> None:
        self.state = state
        self.gateway_url = gateway_url

    async def get_me(self, request: ApiRequest) -> Reply:
        payload = self.state.bot.to_payload()
        payload.update({"verified": True, "mfa_enabled": False, "locale": "en-US", "flags": 0, "email": None})
        return ok(payload)

    async def get_application(self, request: ApiRequest) -> Reply:
        bot = self.state.bot.to_payload()
        owner = self.state.guild.owner.user.to_payload() if self.state.guilds else bot
        return ok(
            {
                "id": str(self.state.application_id),
                "name": self.state.bot.username,
                "icon": None,
                "description": "A bot under test.",
                "type": None,
                "bot": bot,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "owner": owner,
                "team": None,
                "rpc_origins": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "tags": [],
                "approximate_guild_count": len(self.state.guilds),
                "integration_types_config": {"0": {}},
            }
        )

    async def get_gateway(self, request: ApiRequest) -> Reply:
        return ok({"url": self.gateway_url()})

    async def get_gateway_bot(self, request: ApiRequest) -> Reply:
        identified = self.state.gateway.identify_count if self.state.gateway else 0
        return ok(
            {
                "url": self.gateway_url(),
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000 - identified,
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def create_dm(self, request: ApiRequest) -> Reply:
        recipient_id = int(request.body.get("recipient_id") or 0)
        for channel in self.state.dm_channels.values():
            if channel.recipients and channel.recipients[0].id == recipient_id:
                return ok(channel.to_payload(None))
        user = self._known_user(recipient_id)
        channel = Channel(id=new_snowflake(), name="", type=ChannelType.DM, recipients=[user])
        self.state.dm_channels[channel.id] = channel
        return ok(channel.to_payload(None))

    def _known_user(self, user_id: int) -> User:
        for guild in self.state.guilds:
            member = guild.find_member(user_id)
            if member is not None:
                return member.user
        raise errors.unknown("User", 10013)

    def _scope(self, request: ApiRequest) -> int | None:
        if request.int_param("application_id") != self.state.application_id:
            raise errors.ApiError(
                403, 20012, "You are not authorized to perform this action on this application"
            )
        if "guild_id" not in request.record.params:
            return None
        return self.state.get_guild(request.int_param("guild_id")).id

    async def list_commands(self, request: ApiRequest) -> Reply:
        return ok(self.state.commands.get(self._scope(request), []))

    async def bulk_overwrite(self, request: ApiRequest) -> Reply:
        scope = self._scope(request)
        payloads = request.record.json
        if not isinstance(payloads, list):
            raise errors.invalid_form_body("_", "LIST_TYPE_CONVERT", "Must be a list.")
        validate_commands(payloads, global_scope=scope is None)
        existing = self.state.commands.get(scope, [])
        stored = [self._stored(payload, scope, existing) for payload in payloads]
        self.state.commands[scope] = stored
        self.state.command_syncs.append(CommandSync(scope, [c["name"] for c in stored]))
        self.state.changes.notify()
        log.debug("synced %d commands to %s", len(stored), scope or "global")
        return ok(stored)

    async def upsert_command(self, request: ApiRequest) -> Reply:
        scope = self._scope(request)
        existing = self.state.commands.setdefault(scope, [])
        validate_commands([request.body], global_scope=False)
        stored = self._stored(request.body, scope, existing)
        others = [c for c in existing if c["id"] != stored["id"]]
        self.state.commands[scope] = [*others, stored]
        self.state.changes.notify()
        return Reply(201, stored)

    def _find(self, request: ApiRequest) -> tuple[int | None, JSON]:
        scope = self._scope(request)
        command_id = request.param("command_id")
        for command in self.state.commands.get(scope, []):
            if command["id"] == command_id:
                return scope, command
        raise errors.unknown("application command", errors.UNKNOWN_APPLICATION_COMMAND)

    async def get_command(self, request: ApiRequest) -> Reply:
        return ok(self._find(request)[1])

    async def edit_command(self, request: ApiRequest) -> Reply:
        scope, command = self._find(request)
        merged = {**command, **request.body}
        validate_commands([merged], global_scope=False)
        command.update(self._stored(merged, scope, [command]))
        self.state.changes.notify()
        return ok(command)

    async def delete_command(self, request: ApiRequest) -> Reply:
        scope, command = self._find(request)
        self.state.commands[scope] = [c for c in self.state.commands[scope] if c is not command]
        self.state.changes.notify()
        return no_content()

    def _stored(self, payload: JSON, scope: int | None, existing: list[JSON]) -> JSON:
        """The command object Discord stores: same id for the same name and type, a new version."""
        command_type = int(payload.get("type") or 1)
        previous = next(
            (c for c in existing if c["name"] == payload["name"] and int(c.get("type", 1)) == command_type),
            None,
        )
        command: JSON = {
            "id": previous["id"] if previous else str(new_snowflake()),
            "application_id": str(self.state.application_id),
            "version": str(new_snowflake()),
            "type": command_type,
            "name": payload["name"],
            "name_localizations": payload.get("name_localizations"),
            "description": payload.get("description", "") if command_type == 1 else "",
            "description_localizations": payload.get("description_localizations"),
            "default_member_permissions": payload.get("default_member_permissions"),
            "dm_permission": payload.get("dm_permission", True),
            "contexts": payload.get("contexts"),
            "integration_types": payload.get("integration_types") or [0],
            "nsfw": bool(payload.get("nsfw", False)),
        }
        if payload.get("options"):
            command["options"] = payload["options"]
        if scope is not None:
            command["guild_id"] = str(scope)
        return command


def validate_commands(payloads: list[JSON], *, global_scope: bool) -> None:
    """Reject a command list as Discord does (a 50035 naming the first bad field)."""
    seen: set[tuple[str, int]] = set()
    for index, payload in enumerate(payloads):
        command_type = int(payload.get("type") or 1)
        key = (str(payload.get("name")), command_type)
        if key in seen:
            raise errors.invalid_form_body(
                f"{index}.name",
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {key[0]}",
            )
        seen.add(key)
        _validate_name(payload, f"{index}", lower=command_type == 1)
        if command_type == 1:
            _validate_description(payload, f"{index}")
            _validate_options(list(payload.get("options") or []), f"{index}.options", depth=0)
    chat_commands = sum(1 for p in payloads if int(p.get("type") or 1) == 1)
    if chat_commands > 100:
        raise errors.bad_request(30032, "Maximum number of application commands reached (100)")


def _validate_name(payload: JSON, path: str, *, lower: bool) -> None:
    name = str(payload.get("name") or "")
    if not _NAME.match(name) or (lower and name != name.lower()):
        raise errors.invalid_form_body(
            f"{path}.name", "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}"
        )


def _validate_description(payload: JSON, path: str) -> None:
    description = str(payload.get("description") or "")
    if not 1 <= len(description) <= 100:
        raise errors.invalid_form_body(
            f"{path}.description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
        )


def _validate_options(options: list[JSON], path: str, *, depth: int) -> None:
    if len(options) > 25:
        raise errors.invalid_form_body(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    names = [str(option.get("name")) for option in options]
    if len(set(names)) != len(names):
        raise errors.invalid_form_body(
            path, "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique"
        )
    optional_seen = False
    for index, option in enumerate(options):
        here = f"{path}.{index}"
        option_type = int(option.get("type") or 0)
        if option_type not in _OPTION_TYPES:
            raise errors.invalid_form_body(
                f"{here}.type", "BASE_TYPE_CHOICES", f"Value must be one of {list(_OPTION_TYPES)}."
            )
        _validate_name(option, here, lower=True)
        _validate_description(option, here)
        if option_type in (1, 2):
            if (option_type == 2 and depth > 0) or (option_type == 1 and depth > 1):
                raise errors.invalid_form_body(
                    here, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Too deeply nested."
                )
            _validate_options(list(option.get("options") or []), f"{here}.options", depth=depth + 1)
            continue
        if option.get("required"):
            if optional_seen:
                raise errors.invalid_form_body(
                    here,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        choices = option.get("choices") or []
        if len(choices) > 25:
            raise errors.invalid_form_body(
                f"{here}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        if choices and option.get("autocomplete"):
            raise errors.invalid_form_body(
                f"{here}.autocomplete",
                "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                "Autocomplete cannot be set with choices",
            )
