"""Messages the bot created: how they are stored, validated against Discord's limits, and rendered.

Validation follows Discord's documented limits (content, embeds, components, nonce), because breaking
them is a 400 on the real service and the message is lost; a fake that accepted them would hide the bug.
Mentions are resolved the way Discord resolves them, honouring ``allowed_mentions``, so a test can assert
whether a message would have pinged anyone.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import errors
from .models import JSON, Guild, User
from .snowflake import iso_timestamp, new_snowflake

log = logging.getLogger(__name__)

EPHEMERAL = 1 << 6
LOADING = 1 << 7
CROSSPOSTED = 1 << 0
HAS_THREAD = 1 << 5

CONTENT_LIMIT = 2000
EMBED_COUNT_LIMIT = 10
EMBED_TOTAL_LIMIT = 6000
EMBED_FIELD_LIMIT = 25
NONCE_LIMIT = 25
_EMBED_TEXT_LIMITS = {
    "title": 256,
    "description": 4096,
    "footer.text": 2048,
    "author.name": 256,
}

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_EVERYONE_MENTION = re.compile(r"@(everyone|here)")


@dataclass
class Upload:
    """A file the bot uploaded with a message."""

    field_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class StoredMessage:
    """A message as the fake keeps it: the current Discord object plus how it came to be.

    ``data`` is exactly what the fake returns for the message now; ``request`` is the payload the bot sent
    to create it and ``edits`` the payloads of later edits, so tests can check ``allowed_mentions`` and the like.
    """

    data: JSON
    request: JSON = field(default_factory=dict)
    edits: list[JSON] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    deleted: bool = False
    created_at: float = field(default_factory=time.monotonic)

    @property
    def id(self) -> int:
        """The message id."""
        return int(self.data["id"])

    @property
    def channel_id(self) -> int:
        """The channel (or thread) it is in."""
        return int(self.data["channel_id"])

    @property
    def content(self) -> str:
        """Its current text."""
        return str(self.data.get("content", ""))

    @property
    def embeds(self) -> list[JSON]:
        """Its current embeds."""
        return list(self.data.get("embeds", []))

    @property
    def components(self) -> list[JSON]:
        """Its current components (action rows and the like)."""
        return list(self.data.get("components", []))

    @property
    def flags(self) -> int:
        """Its message flags."""
        return int(self.data.get("flags", 0))

    @property
    def ephemeral(self) -> bool:
        """Whether only the invoking user sees it."""
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """Whether it is a deferred response's "thinking…" placeholder not yet edited."""
        return bool(self.flags & LOADING)

    @property
    def crossposted(self) -> bool:
        """Whether it was published to following channels."""
        return bool(self.flags & CROSSPOSTED)

    @property
    def nonce(self) -> str | int | None:
        """The nonce it was sent with."""
        nonce: str | int | None = self.data.get("nonce")
        return nonce

    @property
    def mention_everyone(self) -> bool:
        """Whether it pinged @everyone or @here."""
        return bool(self.data.get("mention_everyone", False))

    @property
    def mention_roles(self) -> list[int]:
        """The roles it pinged."""
        return [int(role_id) for role_id in self.data.get("mention_roles", [])]

    @property
    def mention_users(self) -> list[int]:
        """The users it pinged."""
        return [int(user["id"]) for user in self.data.get("mentions", [])]

    @property
    def allowed_mentions(self) -> JSON | None:
        """The ``allowed_mentions`` the bot sent with it (latest edit wins)."""
        for payload in [*reversed(self.edits), self.request]:
            if "allowed_mentions" in payload:
                value: JSON | None = payload["allowed_mentions"]
                return value
        return None

    def walk_components(self) -> Iterator[JSON]:
        """Every component, depth first (rows, containers, sections and their children)."""
        yield from walk_components(self.components)

    def component(self, custom_id: str) -> JSON | None:
        """The component with ``custom_id``, if the message has one."""
        return next((c for c in self.walk_components() if c.get("custom_id") == custom_id), None)

    @property
    def custom_ids(self) -> list[str]:
        """The custom ids of its interactive components."""
        return [str(c["custom_id"]) for c in self.walk_components() if "custom_id" in c]


def walk_components(components: list[JSON]) -> Iterator[JSON]:
    """Depth-first walk over a component tree (``components``, ``component`` and ``accessory`` children)."""
    for component in components:
        yield component
        yield from walk_components(list(component.get("components", [])))
        for key in ("component", "accessory"):
            child = component.get(key)
            if isinstance(child, dict):
                yield from walk_components([child])


def validate_message_payload(payload: JSON, *, uploads: int = 0, editing: bool = False) -> None:
    """Reject what Discord rejects: empty messages, and content, embeds, components or nonce over limits."""
    content = payload.get("content")
    if content is not None and len(str(content)) > CONTENT_LIMIT:
        raise errors.invalid_form_body(
            "content", "BASE_TYPE_MAX_LENGTH", f"Must be {CONTENT_LIMIT} or fewer in length."
        )
    embeds = payload.get("embeds") or []
    _validate_embeds(embeds)
    components = payload.get("components") or []
    _validate_components(components, v2=bool(int(payload.get("flags") or 0) & (1 << 15)))
    nonce = payload.get("nonce")
    if isinstance(nonce, str) and len(nonce) > NONCE_LIMIT:
        raise errors.invalid_form_body(
            "nonce", "BASE_TYPE_MAX_LENGTH", f"Must be {NONCE_LIMIT} or fewer in length."
        )
    has_body = content or embeds or components or uploads or payload.get("sticker_ids") or payload.get("poll")
    if not editing and not has_body:
        raise errors.bad_request(50006, "Cannot send an empty message")


def _validate_embeds(embeds: list[JSON]) -> None:
    if len(embeds) > EMBED_COUNT_LIMIT:
        raise errors.invalid_form_body(
            "embeds", "BASE_TYPE_MAX_LENGTH", f"Must be {EMBED_COUNT_LIMIT} or fewer in length."
        )
    total = 0
    for index, embed in enumerate(embeds):
        for path, limit in _EMBED_TEXT_LIMITS.items():
            text = _dig(embed, path)
            total += len(text)
            if len(text) > limit:
                raise errors.invalid_form_body(
                    f"embeds.{index}.{path}", "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."
                )
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELD_LIMIT:
            raise errors.invalid_form_body(
                f"embeds.{index}.fields",
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {EMBED_FIELD_LIMIT} or fewer in length.",
            )
        for field_index, embed_field in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                text = str(embed_field.get(key) or "")
                total += len(text)
                if not text:
                    raise errors.invalid_form_body(
                        f"embeds.{index}.fields.{field_index}.{key}",
                        "BASE_TYPE_REQUIRED",
                        "This field is required",
                    )
                if len(text) > limit:
                    raise errors.invalid_form_body(
                        f"embeds.{index}.fields.{field_index}.{key}",
                        "BASE_TYPE_MAX_LENGTH",
                        f"Must be {limit} or fewer in length.",
                    )
    if total > EMBED_TOTAL_LIMIT:
        raise errors.invalid_form_body(
            "embeds", "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_LIMIT}"
        )


def _dig(obj: JSON, path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, dict):
            return ""
        value = value.get(part)
    return str(value) if value is not None else ""


def _validate_components(components: list[JSON], *, v2: bool) -> None:
    if not v2 and len(components) > 5:
        raise errors.invalid_form_body("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    for index, row in enumerate(components):
        if not v2 and row.get("type") != 1:
            raise errors.invalid_form_body(
                f"components.{index}", "UNION_TYPE_CHOICES", "Top-level components must be action rows."
            )
        children = row.get("components") or []
        if row.get("type") == 1 and len(children) > 5:
            raise errors.invalid_form_body(
                f"components.{index}.components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."
            )
    custom_ids = [c["custom_id"] for c in walk_components(components) if "custom_id" in c]
    for custom_id in custom_ids:
        if len(str(custom_id)) > 100:
            raise errors.invalid_form_body(
                "components", "BASE_TYPE_MAX_LENGTH", "custom_id must be 100 or fewer."
            )
    if len(set(custom_ids)) != len(custom_ids):
        raise errors.invalid_form_body(
            "components", "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id duplicated"
        )


@dataclass
class Mentions:
    """Who a message pings."""

    everyone: bool
    users: list[int]
    roles: list[int]


def resolve_mentions(
    content: str, allowed: JSON | None, guild: Guild | None, *, can_mention_everyone: bool
) -> Mentions:
    """Work out whom ``content`` pings, as Discord does.

    Without ``allowed_mentions`` every mention in the text pings. With it, only the types in ``parse`` and
    the ids listed in ``users``/``roles`` do. @everyone/@here and non-mentionable roles also need the
    Mention Everyone permission.
    """
    parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
    allowed_users = {int(u) for u in (allowed or {}).get("users") or []}
    allowed_roles = {int(r) for r in (allowed or {}).get("roles") or []}
    users = [
        int(found)
        for found in dict.fromkeys(_USER_MENTION.findall(content))
        if "users" in parse or int(found) in allowed_users
    ]
    roles: list[int] = []
    for found in dict.fromkeys(_ROLE_MENTION.findall(content)):
        role_id = int(found)
        if "roles" not in parse and role_id not in allowed_roles:
            continue
        role = next((r for r in guild.roles if r.id == role_id), None) if guild else None
        if role is not None and (role.mentionable or can_mention_everyone):
            roles.append(role_id)
    everyone = bool(_EVERYONE_MENTION.search(content)) and "everyone" in parse and can_mention_everyone
    return Mentions(everyone=everyone, users=users, roles=roles)


def render_message(
    payload: JSON,
    *,
    channel_id: int,
    guild: Guild | None,
    author: User,
    can_mention_everyone: bool,
    message_type: int = 0,
    message_id: int | None = None,
    attachments: list[JSON] | None = None,
    extra: JSON | None = None,
) -> JSON:
    """The message object Discord would store for a create-message ``payload``."""
    content = str(payload.get("content") or "")
    mentions = resolve_mentions(
        content, payload.get("allowed_mentions"), guild, can_mention_everyone=can_mention_everyone
    )
    users_by_id = {m.id: m.user for m in guild.members} if guild else {}
    data: JSON = {
        "id": str(message_id or new_snowflake()),
        "type": message_type,
        "channel_id": str(channel_id),
        "author": author.to_payload(),
        "content": content,
        "timestamp": iso_timestamp(),
        "edited_timestamp": None,
        "tts": bool(payload.get("tts", False)),
        "mention_everyone": mentions.everyone,
        "mentions": [users_by_id[u].to_payload() for u in mentions.users if u in users_by_id],
        "mention_roles": [str(r) for r in mentions.roles],
        "attachments": attachments or [],
        "embeds": [_normalise_embed(e) for e in payload.get("embeds") or []],
        "components": list(payload.get("components") or []),
        "pinned": False,
        "flags": int(payload.get("flags") or 0),
        "reactions": [],
        "sticker_items": [],
    }
    if guild is not None:
        data["guild_id"] = str(guild.id)
    if payload.get("nonce") is not None:
        data["nonce"] = payload["nonce"]
    if payload.get("poll"):
        data["poll"] = payload["poll"]
    if extra:
        data.update(extra)
    return data


def apply_edit(
    message: StoredMessage, payload: JSON, *, guild: Guild | None, can_mention_everyone: bool
) -> None:
    """Apply a PATCH payload to ``message`` (fields present replace the old ones)."""
    data = message.data
    old_flags = message.flags
    if "content" in payload:
        data["content"] = str(payload["content"] or "")
    if "components" in payload:
        data["components"] = list(payload["components"] or [])
    if "embeds" in payload:
        data["embeds"] = [_normalise_embed(e) for e in payload["embeds"] or []]
    if "attachments" in payload and payload["attachments"] is not None:
        kept = {str(a.get("id")) for a in payload["attachments"]}
        data["attachments"] = [a for a in data.get("attachments", []) if a["id"] in kept]
    new_flags = int(payload.get("flags") or 0) if "flags" in payload else old_flags
    # Ephemerality is fixed at creation; an edit also ends a deferred response's "thinking" state.
    data["flags"] = (new_flags | (old_flags & EPHEMERAL)) & ~LOADING
    mentions = resolve_mentions(
        str(data.get("content") or ""),
        payload.get("allowed_mentions", message.allowed_mentions),
        guild,
        can_mention_everyone=can_mention_everyone,
    )
    data["mention_everyone"] = mentions.everyone
    data["mention_roles"] = [str(r) for r in mentions.roles]
    data["edited_timestamp"] = iso_timestamp()
    message.edits.append(payload)


def attachment_objects(payload: JSON, uploads: list[Upload]) -> list[JSON]:
    """Attachment objects for uploaded files, matched to ``payload["attachments"]`` by position."""
    described = payload.get("attachments") or []
    result: list[JSON] = []
    for index, upload in enumerate(uploads):
        attachment_id = new_snowflake()
        description = described[index].get("description") if index < len(described) else None
        url = f"https://cdn.discordapp.com/attachments/0/{attachment_id}/{upload.filename}"
        result.append(
            {
                "id": str(attachment_id),
                "filename": upload.filename,
                "description": description,
                "content_type": upload.content_type,
                "size": len(upload.data),
                "url": url,
                "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
            }
        )
    return result


def _normalise_embed(embed: JSON) -> JSON:
    normalised = dict(embed)
    normalised.setdefault("type", "rich")
    return normalised
