"""Interactions a user makes, built from what the bot really synced, and what the bot answered.

The payloads are the ones Discord sends: slash commands (with nested subcommand options, typed values and
``resolved`` data), autocomplete, component clicks and modal submits. A test asking for a command, option
or value that Discord's client would never produce (an unsynced command, an unknown option, a string for an
integer, a missing required option, a value outside the choices or bounds) fails with
:class:`InteractionSpecError` instead of sending something impossible.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .attachments import Attachment
from .messages import EPHEMERAL, StoredMessage
from .models import JSON, Channel, ChannelType, Guild, Member, Role, User, channel_permissions
from .snowflake import new_snowflake
from .waiting import Changes

# Waiting helpers take timeout= so a wait that runs out fails the test naming what it waited for.
# ruff: noqa: ASYNC109

log = logging.getLogger(__name__)

PING = 1
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

PONG = 1
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9

ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    PING: frozenset({PONG}),
    APPLICATION_COMMAND: frozenset({CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL}),
    MESSAGE_COMPONENT: frozenset(
        {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE, MODAL}
    ),
    AUTOCOMPLETE: frozenset({AUTOCOMPLETE_RESULT}),
    MODAL_SUBMIT: frozenset(
        {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE}
    ),
}
"""Which callback types Discord accepts for each interaction type."""

SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11

OPTION_TYPE_NAMES = {
    SUB_COMMAND: "subcommand",
    SUB_COMMAND_GROUP: "subcommand group",
    STRING: "string",
    INTEGER: "integer",
    BOOLEAN: "boolean",
    USER: "user",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "mentionable",
    NUMBER: "number",
    ATTACHMENT: "attachment",
}

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

OptionValue = str | int | float | bool | Member | User | Role | Channel | Attachment
"""What a test may pass as an option value; ids (ints) work for user, channel, role and mentionable options;
attachment options take an :class:`Attachment` made with ``FakeDiscord.attachment``."""


class InteractionSpecError(AssertionError):
    """The test asked for an interaction Discord's client could not produce from the synced commands."""


@dataclass
class Callback:
    """The bot's initial response to an interaction (``POST /interactions/{id}/{token}/callback``)."""

    type: int
    data: JSON
    received_at: float

    @property
    def content(self) -> str | None:
        """The message text, for message responses."""
        content = self.data.get("content")
        return None if content is None else str(content)

    @property
    def embeds(self) -> list[JSON]:
        """The message embeds, for message responses."""
        return list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        """The components (message responses and modals)."""
        return list(self.data.get("components") or [])

    @property
    def flags(self) -> int:
        """The message flags."""
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        """Whether the response (or the deferred one to come) is ephemeral."""
        return bool(self.flags & EPHEMERAL)

    @property
    def choices(self) -> list[JSON]:
        """Autocomplete choices (type 8)."""
        return list(self.data.get("choices") or [])


@dataclass
class Modal:
    """A modal the bot opened (callback type 9), and where it was opened, for :meth:`FakeDiscord.submit_modal`."""

    custom_id: str
    title: str
    components: list[JSON]
    opened_by: InteractionResult

    @property
    def fields(self) -> dict[str, JSON]:
        """The modal's inputs (text inputs, selects, …) by custom id."""
        return {str(c["custom_id"]): c for c in _walk(self.components) if "custom_id" in c}


def _walk(components: list[JSON]) -> list[JSON]:
    found: list[JSON] = []
    for component in components:
        found.append(component)
        found.extend(_walk(list(component.get("components") or [])))
        child = component.get("component")
        if isinstance(child, dict):
            found.extend(_walk([child]))
    return found


@dataclass(eq=False)
class InteractionResult:
    """What happened to one interaction the test made: the bot's callback, follow-ups and edits.

    ``original`` is the message ``@original`` refers to: the response message (callback 4 or 5), or for
    component interactions updated in place (6, 7) the clicked message. All waits fail with an
    AssertionError after ``timeout`` seconds (default 5).
    """

    id: int
    token: str
    type: int
    payload: JSON
    changes: Changes
    guild: Guild | None
    channel: Channel
    user: User
    sent_at: float = field(default_factory=time.monotonic)
    source_message: StoredMessage | None = None
    callback: Callback | None = None
    response_message: StoredMessage | None = None
    followups: list[StoredMessage] = field(default_factory=list)
    modal: Modal | None = None
    """The modal the bot opened in response, if it did (callback type 9)."""

    @property
    def latency(self) -> float | None:
        """Seconds from sending INTERACTION_CREATE to receiving the callback (None before it)."""
        return None if self.callback is None else self.callback.received_at - self.sent_at

    @property
    def original(self) -> StoredMessage | None:
        """The current state of the message ``@original`` refers to, after every edit so far."""
        if self.response_message is not None:
            return self.response_message
        if self.callback is not None and self.callback.type in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            return self.source_message
        return None

    @property
    def choices(self) -> list[JSON] | None:
        """The autocomplete choices, once the bot answered an autocomplete interaction."""
        if self.callback is None or self.callback.type != AUTOCOMPLETE_RESULT:
            return None
        return self.callback.choices

    async def response(self, timeout: float | None = None) -> Callback:
        """Wait for the bot's callback."""
        return await self.changes.wait_for(
            lambda: self.callback,
            f"the bot's response to interaction {self.id} ({self._describe()})",
            timeout,
        )

    async def wait_original(
        self, predicate: Callable[[StoredMessage], bool] | None = None, timeout: float | None = None
    ) -> StoredMessage:
        """Wait until the original response exists, is no longer "thinking…", and satisfies ``predicate``."""

        def ready() -> StoredMessage | None:
            message = self.original
            if message is None or message.loading or message.deleted:
                return None
            return message if predicate is None or predicate(message) else None

        return await self.changes.wait_for(ready, f"the original response to {self._describe()}", timeout)

    async def wait_followup(self, count: int = 1, timeout: float | None = None) -> StoredMessage:
        """Wait until the bot sent ``count`` follow-ups, and return the ``count``-th."""
        return await self.changes.wait_for(
            lambda: self.followups[count - 1] if len(self.followups) >= count else None,
            f"follow-up #{count} to {self._describe()}",
            timeout,
        )

    async def wait_modal(self, timeout: float | None = None) -> Modal:
        """Wait until the bot opened a modal in response."""
        return await self.changes.wait_for(
            lambda: self.modal, f"a modal in response to {self._describe()}", timeout
        )

    def _describe(self) -> str:
        data = self.payload.get("data") or {}
        name = data.get("name") or data.get("custom_id") or "?"
        return f"{_INTERACTION_TYPE_NAMES.get(self.type, str(self.type))} {name!r}"


_INTERACTION_TYPE_NAMES = {
    PING: "ping",
    APPLICATION_COMMAND: "slash command",
    MESSAGE_COMPONENT: "component",
    AUTOCOMPLETE: "autocomplete",
    MODAL_SUBMIT: "modal submit",
}


@dataclass
class Invoker:
    """Who invokes an interaction, and where."""

    user: User
    member: Member | None
    guild: Guild | None
    channel: Channel
    bot_member: Member | None
    locale: str = "en-US"


def find_command(commands: Mapping[int | None, list[JSON]], name: str, guild_id: int | None) -> JSON:
    """The synced chat-input command ``name``: the guild's own first, then the global one."""
    scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
    for scope in scopes:
        for command in commands.get(scope, []):
            if command["name"] == name and int(command.get("type", 1)) == 1:
                return command
    synced = sorted({c["name"] for scope in scopes for c in commands.get(scope, [])})
    where = f"guild {guild_id} or globally" if guild_id is not None else "globally"
    raise InteractionSpecError(
        f"no slash command {name!r} was synced {where}; synced: {synced or 'nothing (did the bot sync its tree?)'}"
    )


def build_command_data(
    command: JSON,
    options: Mapping[str, OptionValue],
    subcommand: str | None,
    invoker: Invoker,
    *,
    focused: str | None = None,
) -> JSON:
    """The ``data`` of an APPLICATION_COMMAND (or, with ``focused``, AUTOCOMPLETE) interaction."""
    path = subcommand.split() if subcommand else []
    level_specs: list[JSON] = list(command.get("options") or [])
    wrappers: list[tuple[str, int]] = []
    qualified = str(command["name"])
    for part in path:
        spec = _option_spec(level_specs, part, qualified, (SUB_COMMAND, SUB_COMMAND_GROUP))
        wrappers.append((part, int(spec["type"])))
        qualified += f" {part}"
        level_specs = list(spec.get("options") or [])
    nested = [s["name"] for s in level_specs if s.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    if nested:
        raise InteractionSpecError(f"/{qualified} needs a subcommand (subcommand=...); it has: {nested}")
    resolved: JSON = {}
    leaf = _build_options(level_specs, options, qualified, invoker, resolved, focused=focused)
    for name, option_type in reversed(wrappers):
        leaf = [{"name": name, "type": option_type, "options": leaf}]
    data: JSON = {"id": str(command["id"]), "name": command["name"], "type": 1, "options": leaf}
    if command.get("guild_id"):
        data["guild_id"] = str(command["guild_id"])
    if resolved:
        data["resolved"] = resolved
    return data


def _option_spec(specs: list[JSON], name: str, qualified: str, types: tuple[int, ...]) -> JSON:
    for spec in specs:
        if spec["name"] == name:
            if int(spec["type"]) not in types:
                wanted = " or ".join(OPTION_TYPE_NAMES[t] for t in types)
                raise InteractionSpecError(f"/{qualified} {name} is a {_type_name(spec)}, not a {wanted}")
            return spec
    known = [s["name"] for s in specs if int(s["type"]) in types]
    raise InteractionSpecError(f"/{qualified} has no {OPTION_TYPE_NAMES[types[0]]} {name!r}; it has: {known}")


def _type_name(spec: JSON) -> str:
    return OPTION_TYPE_NAMES.get(int(spec["type"]), str(spec["type"]))


def _build_options(
    specs: list[JSON],
    values: Mapping[str, OptionValue],
    qualified: str,
    invoker: Invoker,
    resolved: JSON,
    *,
    focused: str | None,
) -> list[JSON]:
    by_name = {str(spec["name"]): spec for spec in specs}
    unknown = [name for name in values if name not in by_name]
    if unknown:
        raise InteractionSpecError(f"/{qualified} has no option(s) {unknown}; it has: {list(by_name)}")
    if focused is not None and focused not in values:
        raise InteractionSpecError(
            f"the focused option {focused!r} needs a value (what the user typed so far)"
        )
    built: list[JSON] = []
    for spec in specs:
        name = str(spec["name"])
        if name not in values:
            if spec.get("required") and focused is None:
                raise InteractionSpecError(f"/{qualified}: required option {name!r} is missing")
            continue
        if name == focused:
            built.append(_focused_option(spec, values[name], qualified))
        else:
            value = _option_value(spec, values[name], qualified, invoker, resolved)
            built.append({"name": name, "type": int(spec["type"]), "value": value})
    return built


def _focused_option(spec: JSON, value: OptionValue, qualified: str) -> JSON:
    if not spec.get("autocomplete"):
        raise InteractionSpecError(f"/{qualified} option {spec['name']!r} does not have autocomplete enabled")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InteractionSpecError(f"the focused value of {spec['name']!r} must be what the user typed")
    return {"name": spec["name"], "type": int(spec["type"]), "value": value, "focused": True}


def _option_value(spec: JSON, value: OptionValue, qualified: str, invoker: Invoker, resolved: JSON) -> Any:
    option_type = int(spec["type"])
    label = f"/{qualified} option {spec['name']!r} ({_type_name(spec)})"
    if option_type == STRING:
        checked: Any = _check_string(spec, value, label)
    elif option_type in (INTEGER, NUMBER):
        checked = _check_number(spec, value, label, integer=option_type == INTEGER)
    elif option_type == BOOLEAN:
        if not isinstance(value, bool):
            raise InteractionSpecError(f"{label} needs a bool, got {value!r}")
        checked = value
    elif option_type in (USER, ROLE, CHANNEL, MENTIONABLE):
        checked = _resolve_entity(spec, value, label, invoker, resolved)
    elif option_type == ATTACHMENT:
        checked = _resolve_attachment(value, label, resolved)
    else:
        raise InteractionSpecError(f"{label}: the fake cannot send {_type_name(spec)} options")
    choices = spec.get("choices")
    if choices and checked not in [choice["value"] for choice in choices]:
        allowed = [choice["value"] for choice in choices]
        raise InteractionSpecError(f"{label}: {checked!r} is not one of the choices {allowed}")
    return checked


def _check_string(spec: JSON, value: OptionValue, label: str) -> str:
    if not isinstance(value, str):
        raise InteractionSpecError(f"{label} needs a str, got {value!r}")
    low, high = spec.get("min_length"), spec.get("max_length") or 6000
    if (low is not None and len(value) < low) or len(value) > high:
        raise InteractionSpecError(f"{label}: length {len(value)} is outside {low or 0}..{high}")
    return value


def _check_number(spec: JSON, value: OptionValue, label: str, *, integer: bool) -> int | float:
    wrong = (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (integer and not isinstance(value, int))
    )
    if wrong:
        raise InteractionSpecError(f"{label} needs {'an int' if integer else 'a number'}, got {value!r}")
    assert isinstance(value, int | float)
    low, high = spec.get("min_value"), spec.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InteractionSpecError(f"{label}: {value!r} is outside {low}..{high}")
    return value


def _resolve_entity(spec: JSON, value: OptionValue, label: str, invoker: Invoker, resolved: JSON) -> str:
    """Check an entity option's value and add it to ``resolved`` as Discord does; returns the id."""
    option_type = int(spec["type"])
    guild = invoker.guild
    entity: Member | User | Role | Channel | None = (
        value if isinstance(value, Member | User | Role | Channel) else None
    )
    if entity is None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InteractionSpecError(f"{label} needs an object or an id, got {value!r}")
        entity = _lookup(guild, value, option_type)
        if entity is None:
            raise InteractionSpecError(f"{label}: no such {_type_name(spec)} with id {value}")
    allowed_types: dict[int, tuple[type, ...]] = {
        USER: (Member, User),
        ROLE: (Role,),
        CHANNEL: (Channel,),
        MENTIONABLE: (Member, User, Role),
    }
    if not isinstance(entity, allowed_types[option_type]):
        raise InteractionSpecError(f"{label} cannot take a {type(entity).__name__}")
    if isinstance(entity, Member | User):
        _resolve_user(entity, invoker, resolved)
    elif isinstance(entity, Role):
        resolved.setdefault("roles", {})[str(entity.id)] = entity.to_payload()
    else:
        _resolve_channel(spec, entity, label, invoker, resolved)
    return str(entity.id)


def _resolve_attachment(value: OptionValue, label: str, resolved: JSON) -> str:
    """An attachment option's value is the file's id; the file itself goes in ``resolved.attachments``."""
    if not isinstance(value, Attachment):
        raise InteractionSpecError(
            f"{label} needs an Attachment (FakeDiscord.attachment(...)), got {value!r}"
        )
    if value.size > ATTACHMENT_SIZE_LIMIT:
        raise InteractionSpecError(
            f"{label}: Discord's client does not send files over {ATTACHMENT_SIZE_LIMIT} bytes ({value.size})"
        )
    resolved.setdefault("attachments", {})[str(value.id)] = value.to_payload()
    return str(value.id)


def _lookup(guild: Guild | None, entity_id: int, option_type: int) -> Member | Role | Channel | None:
    if guild is None:
        return None
    if option_type in (USER, MENTIONABLE):
        member = guild.find_member(entity_id)
        if member is not None:
            return member
    if option_type in (ROLE, MENTIONABLE):
        return next((role for role in guild.roles if role.id == entity_id), None)
    if option_type == CHANNEL:
        return next((channel for channel in guild.channels if channel.id == entity_id), None)
    return None


def _resolve_user(entity: Member | User, invoker: Invoker, resolved: JSON) -> None:
    user = entity.user if isinstance(entity, Member) else entity
    member = entity if isinstance(entity, Member) else None
    if member is None and invoker.guild is not None:
        member = invoker.guild.find_member(user.id)
    resolved.setdefault("users", {})[str(user.id)] = user.to_payload()
    if member is not None and invoker.guild is not None:
        permissions = channel_permissions(invoker.guild, member, invoker.channel)
        payload = member.to_payload(with_user=False, permissions=permissions)
        resolved.setdefault("members", {})[str(user.id)] = payload


def _resolve_channel(spec: JSON, channel: Channel, label: str, invoker: Invoker, resolved: JSON) -> None:
    allowed = spec.get("channel_types")
    if allowed and int(channel.type) not in allowed:
        raise InteractionSpecError(f"{label}: channel type {channel.type.name} is not in {allowed}")
    guild = invoker.guild
    permissions = None
    if guild is not None and invoker.member is not None:
        permissions = channel_permissions(guild, invoker.member, channel)
    payload = channel.to_payload(guild.id if guild else None, permissions=permissions or 0)
    resolved.setdefault("channels", {})[str(channel.id)] = payload


def component_data(
    message: StoredMessage, custom_id: str, values: list[str] | None, invoker: Invoker
) -> JSON:
    """The ``data`` of a MESSAGE_COMPONENT interaction for clicking ``custom_id`` on ``message``."""
    component = message.component(custom_id)
    if component is None:
        raise InteractionSpecError(
            f"message {message.id} has no component with custom_id {custom_id!r}; it has: {message.custom_ids}"
        )
    if component.get("disabled"):
        raise InteractionSpecError(f"component {custom_id!r} on message {message.id} is disabled")
    component_type = int(component["type"])
    data: JSON = {"custom_id": custom_id, "component_type": component_type}
    if component_type == 2:
        if values is not None:
            raise InteractionSpecError(f"{custom_id!r} is a button: it takes no values")
        return data
    chosen = list(values or [])
    low, high = int(component.get("min_values", 1)), int(component.get("max_values", 1))
    if not low <= len(chosen) <= high:
        raise InteractionSpecError(f"select {custom_id!r} needs {low}..{high} values, got {chosen}")
    if component_type == 3:
        offered = [str(option["value"]) for option in component.get("options") or []]
        stray = [value for value in chosen if value not in offered]
        if stray:
            raise InteractionSpecError(f"select {custom_id!r} does not offer {stray}; it offers {offered}")
    else:
        resolved: JSON = {}
        select_type = {5: USER, 6: ROLE, 7: MENTIONABLE, 8: CHANNEL}[component_type]
        spec: JSON = {"name": custom_id, "type": select_type, "channel_types": component.get("channel_types")}
        for value in chosen:
            _resolve_entity(spec, int(value), f"select {custom_id!r}", invoker, resolved)
        data["resolved"] = resolved
    data["values"] = chosen
    return data


def modal_submit_data(modal: Modal, values: Mapping[str, str | list[str] | bool]) -> JSON:
    """The ``data`` of a MODAL_SUBMIT: the modal's own layout (action rows or labels) with the values filled in."""
    fields = modal.fields
    unknown = [key for key in values if key not in fields]
    if unknown:
        raise InteractionSpecError(
            f"modal {modal.custom_id!r} has no field(s) {unknown}; it has: {list(fields)}"
        )
    counter = iter(range(1, 1000))
    return {
        "custom_id": modal.custom_id,
        "components": [
            _submitted(component, values, modal.custom_id, counter) for component in modal.components
        ],
    }


def _submitted(
    component: JSON, values: Mapping[str, str | list[str] | bool], modal_id: str, counter: Iterator[int]
) -> JSON:
    component_type = int(component["type"])
    result: JSON = {"type": component_type, "id": component.get("id", next(counter))}
    if component_type == 1:
        result["components"] = [
            _submitted(child, values, modal_id, counter) for child in component["components"]
        ]
    elif component_type == 18:
        result["component"] = _submitted(component["component"], values, modal_id, counter)
    elif component_type == 10:
        result["content"] = component.get("content", "")
    elif "custom_id" in component:
        result["custom_id"] = component["custom_id"]
        result.update(_field_value(component, values.get(str(component["custom_id"])), modal_id))
    return result


def _field_value(component: JSON, value: str | list[str] | bool | None, modal_id: str) -> JSON:
    custom_id = component["custom_id"]
    component_type = int(component["type"])
    label = f"modal {modal_id!r} field {custom_id!r}"
    if component_type == 4:
        # A field the test does not fill keeps what the form showed, as a person who leaves it alone submits.
        text = str(component.get("value") or "") if value is None else value
        if not isinstance(text, str):
            raise InteractionSpecError(f"{label} is a text input: pass a str")
        if component.get("required", True) and not text:
            raise InteractionSpecError(f"{label} is required")
        low, high = int(component.get("min_length") or 0), int(component.get("max_length") or 4000)
        if text and not low <= len(text) <= high:
            raise InteractionSpecError(f"{label}: length {len(text)} is outside {low}..{high}")
        return {"value": text}
    if component_type == 23:
        return {"value": bool(value)}
    if component_type == 21:
        return {"value": value}
    if isinstance(value, bool):
        raise InteractionSpecError(f"{label} takes a list of values, not a bool")
    chosen = [] if value is None else ([value] if isinstance(value, str) else list(value))
    return {"values": [str(v) for v in chosen]}


def interaction_payload(
    *,
    interaction_type: int,
    data: JSON | None,
    invoker: Invoker,
    application_id: int,
    message: JSON | None = None,
) -> JSON:
    """A complete INTERACTION_CREATE payload with a fresh id and token."""
    interaction_id = new_snowflake()
    guild, channel = invoker.guild, invoker.channel
    payload: JSON = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": interaction_type,
        "token": _new_token(interaction_id),
        "version": 1,
        "locale": invoker.locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "channel_id": str(channel.id),
    }
    if data is not None:
        payload["data"] = data
    if message is not None:
        payload["message"] = message
    if guild is not None and invoker.member is not None:
        permissions = channel_permissions(guild, invoker.member, channel)
        bot_permissions = channel_permissions(guild, invoker.bot_member, channel) if invoker.bot_member else 0
        payload.update(
            {
                "guild_id": str(guild.id),
                "guild": {
                    "id": str(guild.id),
                    "locale": guild.preferred_locale,
                    "features": list(guild.features),
                },
                "guild_locale": guild.preferred_locale,
                "member": invoker.member.to_payload(permissions=permissions),
                "channel": channel.to_payload(guild.id, permissions=permissions),
                "app_permissions": str(bot_permissions),
                "authorizing_integration_owners": {"0": str(guild.id)},
                "context": 0,
            }
        )
    else:
        payload.update(
            {
                "user": invoker.user.to_payload(),
                "channel": channel.to_payload(None),
                "app_permissions": str(_DM_APP_PERMISSIONS),
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        )
    return payload


_DM_APP_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 18)
"""What a bot may do in a DM: view, send, embed, attach, read history, external emoji."""


def _new_token(interaction_id: int) -> str:
    """A unique interaction token shaped like Discord's (``aW50ZXJhY3Rpb246…``)."""
    return f"aW50ZXJhY3Rpb246{interaction_id}{secrets.token_urlsafe(48)}"


def dm_channel_for(user: User) -> Channel:
    """A DM channel with ``user`` (for DM interactions)."""
    return Channel(id=new_snowflake(), name="", type=ChannelType.DM, recipients=[user])
