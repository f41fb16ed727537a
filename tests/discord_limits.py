"""Discord's limits, checked against what the bot really sent: every request the fake recorded.

``check_requests(fake.requests)`` returns one human-readable line per broken limit, naming the request and
the field (``POST /channels/1/messages: embeds[0].title is 300 characters (limit 256)``); an empty list
means Discord would have accepted everything. The numbers are Discord's (see /work/shared/DISCORD.md and the
developer documentation on messages, embeds, components, interactions, threads and scheduled events).
Characters are counted as Discord counts them: ``len`` of the string.

It also checks that nothing could ping: every request that creates or edits a message carries
``allowed_mentions`` that allows no @everyone/@here and no users, and roles only if listed by id, one of
``ping_roles`` (the server's opt-in role), and only in messages posted in a channel (announcements). ``check_mentions(fake.all_messages.values())``
checks what the fake resolved for the stored messages.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from tests.fakediscord import RecordedRequest, StoredMessage

CONTENT_LIMIT = 2000
EMBED_COUNT_LIMIT = 10
EMBED_TOTAL_LIMIT = 6000
EMBED_FIELD_COUNT_LIMIT = 25
EMBED_TEXT_LIMITS = {
    "title": 256,
    "description": 4096,
    "footer.text": 2048,
    "author.name": 256,
}
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
ACTION_ROW_LIMIT = 5
ROW_WIDTH_LIMIT = 5
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
SELECT_OPTION_LIMIT = 25
SELECT_OPTION_TEXT_LIMIT = 100
SELECT_PLACEHOLDER_LIMIT = 150
NONCE_LIMIT = 25
CHOICE_LIMIT = 25
CHOICE_NAME_LIMIT = 100
CHOICE_VALUE_LIMIT = 100
MODAL_TITLE_LIMIT = 45
MODAL_COMPONENT_LIMIT = 5
TEXT_INPUT_LABEL_LIMIT = 45
TEXT_INPUT_PLACEHOLDER_LIMIT = 100
TEXT_INPUT_VALUE_LIMIT = 4000
LABEL_DESCRIPTION_LIMIT = 100
THREAD_NAME_LIMIT = 100
EVENT_NAME_LIMIT = 100
EVENT_DESCRIPTION_LIMIT = 1000
EVENT_LOCATION_LIMIT = 100

ACTION_ROW, BUTTON, TEXT_INPUT, LABEL = 1, 2, 4, 18
SELECTS = frozenset({3, 5, 6, 7, 8})
COMPONENTS_V2 = 1 << 15

# Interaction callback types that carry a message.
MESSAGE_CALLBACKS = frozenset({4, 7})
AUTOCOMPLETE_RESULT = 8
MODAL = 9

_CHANNEL_MESSAGES = "/channels/{channel_id}/messages"
_CHANNEL_MESSAGE = "/channels/{channel_id}/messages/{message_id}"
_CALLBACK = "/interactions/{webhook_id}/{webhook_token}/callback"
_WEBHOOK = "/webhooks/{webhook_id}/{webhook_token}"
_THREAD_ROUTES = frozenset(
    {"/channels/{channel_id}/messages/{message_id}/threads", "/channels/{channel_id}/threads"}
)
_EVENT_ROUTES = frozenset(
    {"/guilds/{guild_id}/scheduled-events", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}"}
)


class _Report:
    """Collects the violations of one request, each prefixed with what the request was."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.found: list[str] = []

    def add(self, field: str, problem: str) -> None:
        self.found.append(f"{self.where}: {field} {problem}")

    def at_most(self, field: str, value: Any, limit: int) -> None:
        if value is not None and len(str(value)) > limit:
            self.add(field, f"is {len(str(value))} characters (limit {limit})")

    def between(self, field: str, value: Any, low: int, high: int) -> None:
        length = 0 if value is None else len(str(value))
        if not low <= length <= high:
            self.add(field, f"is {length} characters (must be {low}–{high})")

    def count(self, field: str, items: Collection[Any], limit: int) -> None:
        if len(items) > limit:
            self.add(field, f"has {len(items)} items (limit {limit})")


def describe(request: RecordedRequest) -> str:
    """How a violation names a request: method and path, with an interaction token shortened."""
    path = request.path
    token = request.params.get("webhook_token")
    if token:
        path = path.replace(token, token[:8] + "…")
    return f"{request.method} {path}"


def check_requests(requests: Iterable[RecordedRequest], *, ping_roles: Collection[int] = ()) -> list[str]:
    """Every limit broken, and every ping allowed, by the requests the bot made."""
    found: list[str] = []
    for request in requests:
        found += check_request(request, ping_roles=ping_roles)
    return found


def check_request(request: RecordedRequest, *, ping_roles: Collection[int] = ()) -> list[str]:
    """The violations of one request (none for requests that carry nothing Discord limits)."""
    report = _Report(describe(request))
    body = request.json if isinstance(request.json, dict) else {}
    route, method = request.route, request.method
    # Only an announcement (a message the bot posts in a channel) may ping, and only the opt-in role.
    if route == _CHANNEL_MESSAGES and method == "POST":
        _check_message(report, "", body, creating=True, ping_roles=ping_roles)
    elif route == _CHANNEL_MESSAGE and method == "PATCH":
        _check_message(report, "", body, creating=False, ping_roles=())
    elif route == _WEBHOOK and method == "POST":
        _check_message(report, "", body, creating=True, ping_roles=())
    elif route is not None and route.startswith(_WEBHOOK + "/messages/") and method == "PATCH":
        _check_message(report, "", body, creating=False, ping_roles=())
    elif route == _CALLBACK and method == "POST":
        _check_callback(report, body)
    elif route in _THREAD_ROUTES and method == "POST":
        report.between("name", body.get("name"), 1, THREAD_NAME_LIMIT)
        if route == "/channels/{channel_id}/threads":
            message = body.get("message")
            if isinstance(message, dict):
                _check_message(report, "message.", message, creating=True, ping_roles=ping_roles)
    elif route in _EVENT_ROUTES and method in ("POST", "PATCH"):
        if method == "POST" or "name" in body:
            report.between("name", body.get("name"), 1, EVENT_NAME_LIMIT)
        report.at_most("description", body.get("description"), EVENT_DESCRIPTION_LIMIT)
        metadata = body.get("entity_metadata")
        if isinstance(metadata, dict):
            report.at_most("entity_metadata.location", metadata.get("location"), EVENT_LOCATION_LIMIT)
    return report.found


def _check_callback(report: _Report, body: dict[str, Any]) -> None:
    kind = body.get("type")
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    assert isinstance(data, dict)
    if kind in MESSAGE_CALLBACKS:
        _check_message(report, "data.", data, creating=kind == 4, ping_roles=())
    elif kind == AUTOCOMPLETE_RESULT:
        choices = list(data.get("choices") or [])
        report.count("data.choices", choices, CHOICE_LIMIT)
        for index, choice in enumerate(choices):
            report.between(f"data.choices[{index}].name", choice.get("name"), 1, CHOICE_NAME_LIMIT)
            value = choice.get("value")
            if isinstance(value, str):
                report.at_most(f"data.choices[{index}].value", value, CHOICE_VALUE_LIMIT)
    elif kind == MODAL:
        _check_modal(report, data)


def _check_message(
    report: _Report, prefix: str, body: dict[str, Any], *, creating: bool, ping_roles: Collection[int]
) -> None:
    report.at_most(f"{prefix}content", body.get("content"), CONTENT_LIMIT)
    embeds = list(body.get("embeds") or [])
    report.count(f"{prefix}embeds", embeds, EMBED_COUNT_LIMIT)
    total = 0
    for index, embed in enumerate(embeds):
        total += _check_embed(report, f"{prefix}embeds[{index}]", embed)
    if total > EMBED_TOTAL_LIMIT:
        report.add(f"{prefix}embeds", f"hold {total} characters together (limit {EMBED_TOTAL_LIMIT})")
    components = list(body.get("components") or [])
    v2 = bool(int(body.get("flags") or 0) & COMPONENTS_V2)
    if not v2:
        report.count(f"{prefix}components", components, ACTION_ROW_LIMIT)
    for index, component in enumerate(components):
        _check_component(report, f"{prefix}components[{index}]", component, top_level=not v2)
    nonce = body.get("nonce")
    if isinstance(nonce, str):
        report.at_most(f"{prefix}nonce", nonce, NONCE_LIMIT)
    if creating and not (body.get("content") or embeds or components or body.get("attachments")):
        report.add(f"{prefix}message", "is empty (Discord refuses it: 50006)")
    _check_allowed_mentions(report, prefix, body, ping_roles)


def _check_embed(report: _Report, where: str, embed: dict[str, Any]) -> int:
    """Check one embed; returns the characters Discord counts towards the 6,000 of a message."""
    counted = 0
    for path, limit in EMBED_TEXT_LIMITS.items():
        text = _dig(embed, path)
        counted += len(text)
        report.at_most(f"{where}.{path}", text, limit)
    fields = list(embed.get("fields") or [])
    report.count(f"{where}.fields", fields, EMBED_FIELD_COUNT_LIMIT)
    for index, field in enumerate(fields):
        for key, limit in (("name", FIELD_NAME_LIMIT), ("value", FIELD_VALUE_LIMIT)):
            text = str(field.get(key) or "")
            counted += len(text)
            report.between(f"{where}.fields[{index}].{key}", text, 1, limit)
    return counted


def _dig(obj: dict[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, dict):
            return ""
        value = value.get(part)
    return "" if value is None else str(value)


def _check_component(report: _Report, where: str, component: dict[str, Any], *, top_level: bool) -> None:
    kind = component.get("type")
    if top_level and kind != ACTION_ROW:
        report.add(f"{where}.type", f"is {kind}: top-level components must be action rows")
    if kind == ACTION_ROW:
        children = list(component.get("components") or [])
        if not 1 <= len(children) <= ROW_WIDTH_LIMIT:
            report.add(f"{where}.components", f"has {len(children)} items (must be 1–{ROW_WIDTH_LIMIT})")
        for index, child in enumerate(children):
            _check_component(report, f"{where}.components[{index}]", child, top_level=False)
        return
    report.at_most(f"{where}.custom_id", component.get("custom_id"), CUSTOM_ID_LIMIT)
    if kind == BUTTON:
        report.at_most(f"{where}.label", component.get("label"), BUTTON_LABEL_LIMIT)
        if not component.get("label") and not component.get("emoji"):
            report.add(f"{where}", "is a button with neither a label nor an emoji")
    elif kind in SELECTS:
        report.at_most(f"{where}.placeholder", component.get("placeholder"), SELECT_PLACEHOLDER_LIMIT)
        options = list(component.get("options") or [])
        report.count(f"{where}.options", options, SELECT_OPTION_LIMIT)
        for index, option in enumerate(options):
            for key in ("label", "value"):
                report.between(
                    f"{where}.options[{index}].{key}", option.get(key), 1, SELECT_OPTION_TEXT_LIMIT
                )
            report.at_most(
                f"{where}.options[{index}].description", option.get("description"), SELECT_OPTION_TEXT_LIMIT
            )


def _check_modal(report: _Report, data: dict[str, Any]) -> None:
    report.between("data.title", data.get("title"), 1, MODAL_TITLE_LIMIT)
    report.between("data.custom_id", data.get("custom_id"), 1, CUSTOM_ID_LIMIT)
    components = list(data.get("components") or [])
    if not 1 <= len(components) <= MODAL_COMPONENT_LIMIT:
        report.add("data.components", f"has {len(components)} items (must be 1–{MODAL_COMPONENT_LIMIT})")
    for index, component in enumerate(components):
        where = f"data.components[{index}]"
        kind = component.get("type")
        if kind == ACTION_ROW:
            children = list(component.get("components") or [])
            if len(children) != 1:
                report.add(f"{where}.components", f"has {len(children)} items (a modal row holds one)")
            for child_index, child in enumerate(children):
                _check_modal_input(report, f"{where}.components[{child_index}]", child, labelled=False)
        elif kind == LABEL:
            report.between(f"{where}.label", component.get("label"), 1, TEXT_INPUT_LABEL_LIMIT)
            report.at_most(f"{where}.description", component.get("description"), LABEL_DESCRIPTION_LIMIT)
            child = component.get("component")
            if isinstance(child, dict):
                _check_modal_input(report, f"{where}.component", child, labelled=True)
            else:
                report.add(f"{where}.component", "is missing")


def _check_modal_input(report: _Report, where: str, component: dict[str, Any], *, labelled: bool) -> None:
    report.between(f"{where}.custom_id", component.get("custom_id"), 1, CUSTOM_ID_LIMIT)
    if component.get("type") != TEXT_INPUT:
        _check_component(report, where, component, top_level=False)
        return
    if not labelled:
        report.between(f"{where}.label", component.get("label"), 1, TEXT_INPUT_LABEL_LIMIT)
    report.at_most(f"{where}.placeholder", component.get("placeholder"), TEXT_INPUT_PLACEHOLDER_LIMIT)
    value = component.get("value")
    report.at_most(f"{where}.value", value, TEXT_INPUT_VALUE_LIMIT)
    low, high = component.get("min_length"), component.get("max_length")
    for key, bound in (("min_length", low), ("max_length", high)):
        if bound is not None and not 0 <= int(bound) <= TEXT_INPUT_VALUE_LIMIT:
            report.add(f"{where}.{key}", f"is {bound} (must be 0–{TEXT_INPUT_VALUE_LIMIT})")
    if value is not None and high is not None and len(str(value)) > int(high):
        report.add(f"{where}.value", f"is {len(str(value))} characters, over the field's max_length {high}")


def _check_allowed_mentions(
    report: _Report, prefix: str, body: dict[str, Any], ping_roles: Collection[int]
) -> None:
    allowed = body.get("allowed_mentions")
    field = f"{prefix}allowed_mentions"
    if not isinstance(allowed, dict):
        report.add(field, "is missing: Discord would ping every mention in the text")
        return
    parse = set(allowed.get("parse") or [])
    for kind in sorted(parse):
        report.add(field, f"parses {kind!r} mentions")
    if allowed.get("users"):
        report.add(field, f"allows users {allowed['users']}")
    if allowed.get("replied_user"):
        report.add(field, "allows the replied-to user")
    stray = [role for role in allowed.get("roles") or [] if int(role) not in set(ping_roles)]
    if stray:
        report.add(field, f"allows roles {stray} besides the opt-in role")


def check_mentions(messages: Iterable[StoredMessage], *, ping_roles: Collection[int] = ()) -> list[str]:
    """Whom the stored messages pinged, as the fake resolved it: nobody but the opt-in role(s)."""
    found: list[str] = []
    for message in messages:
        where = f"message {message.id} in channel {message.channel_id}"
        if message.mention_everyone:
            found.append(f"{where}: pings @everyone/@here")
        if message.mention_users:
            found.append(f"{where}: pings users {message.mention_users}")
        stray = [role for role in message.mention_roles if role not in set(ping_roles)]
        if stray:
            found.append(f"{where}: pings roles {stray}")
    return found
