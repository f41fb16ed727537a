"""The fake's world: users, guilds, roles, channels and members as plain dataclasses.

Tests build or tweak these objects directly (``guild.channel("general").forbidden = True``); the fake turns
them into Discord payloads with the ``to_payload`` methods, so the client always sees the current state.
Permissions are computed with Discord's documented algorithm, which is what both the ``permissions`` field
of interactions and the fake's own permission checks use.
"""

from __future__ import annotations

import enum
import functools
import logging
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .snowflake import iso_timestamp, new_snowflake

log = logging.getLogger(__name__)

JSON = dict[str, Any]
"""A JSON object as Discord sends it."""

_T = TypeVar("_T")
_Identified = TypeVar("_Identified", "Channel", "Role")


class Permission(enum.IntFlag):
    """Discord's permission bits (the subset a bot's features touch, plus everything in ``ALL``)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    VIEW_GUILD_INSIGHTS = 1 << 19
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MUTE_MEMBERS = 1 << 22
    DEAFEN_MEMBERS = 1 << 23
    MOVE_MEMBERS = 1 << 24
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    MANAGE_GUILD_EXPRESSIONS = 1 << 30
    USE_APPLICATION_COMMANDS = 1 << 31
    REQUEST_TO_SPEAK = 1 << 32
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    USE_EXTERNAL_STICKERS = 1 << 37
    SEND_MESSAGES_IN_THREADS = 1 << 38
    USE_EMBEDDED_ACTIVITIES = 1 << 39
    MODERATE_MEMBERS = 1 << 40
    VIEW_CREATOR_MONETIZATION_ANALYTICS = 1 << 41
    USE_SOUNDBOARD = 1 << 42
    CREATE_GUILD_EXPRESSIONS = 1 << 43
    CREATE_EVENTS = 1 << 44
    USE_EXTERNAL_SOUNDS = 1 << 45
    SEND_VOICE_MESSAGES = 1 << 46
    SET_VOICE_CHANNEL_STATUS = 1 << 48
    SEND_POLLS = 1 << 49
    USE_EXTERNAL_APPS = 1 << 50
    PIN_MESSAGES = 1 << 51
    BYPASS_SLOWMODE = 1 << 52


ALL_PERMISSIONS: int = functools.reduce(operator.or_, (p.value for p in Permission), 0)
"""Every permission bit; what an owner or an administrator has everywhere."""

DEFAULT_EVERYONE_PERMISSIONS: int = (
    Permission.CREATE_INSTANT_INVITE
    | Permission.ADD_REACTIONS
    | Permission.STREAM
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.CONNECT
    | Permission.SPEAK
    | Permission.USE_VAD
    | Permission.CHANGE_NICKNAME
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.CREATE_PUBLIC_THREADS
    | Permission.CREATE_PRIVATE_THREADS
    | Permission.SEND_MESSAGES_IN_THREADS
    | Permission.USE_EXTERNAL_STICKERS
    | Permission.SEND_VOICE_MESSAGES
    | Permission.SEND_POLLS
)
"""What a new server grants @everyone (roughly Discord's defaults)."""

DEFAULT_BOT_PERMISSIONS: int = (
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.ADD_REACTIONS
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.MANAGE_MESSAGES
    | Permission.MANAGE_ROLES
    | Permission.MANAGE_EVENTS
    | Permission.CREATE_EVENTS
    | Permission.MANAGE_THREADS
    | Permission.CREATE_PUBLIC_THREADS
    | Permission.SEND_MESSAGES_IN_THREADS
    | Permission.USE_APPLICATION_COMMANDS
)
"""What the default guild's managed "Bot" role grants: enough to post, publish, thread, schedule, assign."""


class ChannelType(enum.IntEnum):
    """Discord's channel types."""

    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GROUP_DM = 3
    GUILD_CATEGORY = 4
    GUILD_ANNOUNCEMENT = 5
    ANNOUNCEMENT_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    GUILD_STAGE_VOICE = 13
    GUILD_FORUM = 15


THREAD_TYPES = frozenset(
    {ChannelType.ANNOUNCEMENT_THREAD, ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD}
)


@dataclass
class User:
    """A Discord user (a person or a bot)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    @classmethod
    def new(cls, username: str, *, bot: bool = False, global_name: str | None = None) -> User:
        """A user with a fresh snowflake."""
        return cls(id=new_snowflake(), username=username, global_name=global_name, bot=bot)

    def to_payload(self) -> JSON:
        """The user object."""
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
            "public_flags": 0,
            "bot": self.bot,
        }


@dataclass
class Role:
    """A guild role. The @everyone role has the guild's id."""

    id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None
    """For a managed bot role: the bot it belongs to (the fake fills it in for the bot's own role)."""

    @classmethod
    def new(cls, name: str, permissions: int = 0, *, position: int = 1, mentionable: bool = False) -> Role:
        """A role with a fresh snowflake."""
        return cls(
            id=new_snowflake(),
            name=name,
            permissions=int(permissions),
            position=position,
            mentionable=mentionable,
        )

    def to_payload(self) -> JSON:
        """The role object."""
        payload: JSON = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            payload["tags"] = {"bot_id": str(self.bot_id)}
        return payload


class OverwriteType(enum.IntEnum):
    """Whom a permission overwrite targets."""

    ROLE = 0
    MEMBER = 1


@dataclass
class Overwrite:
    """A channel permission overwrite."""

    id: int
    type: OverwriteType
    allow: int = 0
    deny: int = 0

    @classmethod
    def for_role(cls, role: Role | int, *, allow: int = 0, deny: int = 0) -> Overwrite:
        """An overwrite for a role (pass the guild's id, or its @everyone role, for @everyone)."""
        role_id = role.id if isinstance(role, Role) else role
        return cls(id=role_id, type=OverwriteType.ROLE, allow=int(allow), deny=int(deny))

    @classmethod
    def for_member(cls, member: Member | int, *, allow: int = 0, deny: int = 0) -> Overwrite:
        """An overwrite for one member."""
        member_id = member.id if isinstance(member, Member) else member
        return cls(id=member_id, type=OverwriteType.MEMBER, allow=int(allow), deny=int(deny))

    def to_payload(self) -> JSON:
        """The overwrite object."""
        return {"id": str(self.id), "type": int(self.type), "allow": str(self.allow), "deny": str(self.deny)}


@dataclass
class Member:
    """A user's membership in a guild."""

    user: User
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_timestamp)

    @classmethod
    def new(
        cls, name: str, roles: list[Role] | None = None, *, bot: bool = False, nick: str | None = None
    ) -> Member:
        """A member backed by a new user called ``name``."""
        return cls(user=User.new(name, bot=bot), roles=[role.id for role in roles or []], nick=nick)

    @property
    def id(self) -> int:
        """The user's id."""
        return self.user.id

    @property
    def name(self) -> str:
        """The user's username."""
        return self.user.username

    def to_payload(self, *, with_user: bool = True, permissions: int | None = None) -> JSON:
        """The guild member object; ``permissions`` is added where Discord adds it (interactions)."""
        payload: JSON = {
            "roles": [str(role_id) for role_id in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "communication_disabled_until": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
        }
        if with_user:
            payload["user"] = self.user.to_payload()
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload


@dataclass
class Channel:
    """A guild channel, thread or DM channel.

    ``forbidden`` and ``deleted`` let a test break a channel for the bot: every bot request that touches a
    forbidden channel gets 403 (50013 Missing Permissions), a deleted one 404 (10003 Unknown Channel).
    """

    id: int
    name: str
    type: ChannelType = ChannelType.GUILD_TEXT
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    permission_overwrites: list[Overwrite] = field(default_factory=list)
    forbidden: bool = False
    deleted: bool = False
    last_message_id: int | None = None
    owner_id: int | None = None
    """Threads: who started it."""
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    message_count: int = 0
    created_at: str = field(default_factory=iso_timestamp)
    recipients: list[User] = field(default_factory=list)
    """DM channels: the other user."""

    @classmethod
    def new(
        cls,
        name: str,
        type: ChannelType = ChannelType.GUILD_TEXT,
        *,
        position: int = 0,
        topic: str | None = None,
        overwrites: list[Overwrite] | None = None,
    ) -> Channel:
        """A channel with a fresh snowflake."""
        return cls(
            id=new_snowflake(),
            name=name,
            type=type,
            position=position,
            topic=topic,
            permission_overwrites=list(overwrites or []),
        )

    @property
    def is_thread(self) -> bool:
        """Whether this is a thread (its permissions come from its parent)."""
        return self.type in THREAD_TYPES

    @property
    def is_dm(self) -> bool:
        """Whether this is a private channel."""
        return self.type in (ChannelType.DM, ChannelType.GROUP_DM)

    def to_payload(self, guild_id: int | None, *, permissions: int | None = None) -> JSON:
        """The channel object (guild channel, thread or DM, by type)."""
        payload: JSON = {
            "id": str(self.id),
            "type": int(self.type),
            "flags": 0,
            "last_message_id": str(self.last_message_id) if self.last_message_id else None,
            "last_pin_timestamp": None,
        }
        if self.is_dm:
            payload["recipients"] = [user.to_payload() for user in self.recipients]
            return payload
        payload.update(
            {
                "guild_id": str(guild_id),
                "name": self.name,
                "parent_id": str(self.parent_id) if self.parent_id else None,
                "rate_limit_per_user": self.rate_limit_per_user,
                "nsfw": self.nsfw,
            }
        )
        if self.is_thread:
            payload.update(self._thread_fields())
        else:
            payload.update(
                {
                    "position": self.position,
                    "topic": self.topic,
                    "permission_overwrites": [ow.to_payload() for ow in self.permission_overwrites],
                    "default_auto_archive_duration": 1440,
                    "default_thread_rate_limit_per_user": 0,
                }
            )
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload

    def _thread_fields(self) -> JSON:
        return {
            "owner_id": str(self.owner_id) if self.owner_id else None,
            "message_count": self.message_count,
            "member_count": 1,
            "total_message_sent": self.message_count,
            "applied_tags": [],
            "thread_metadata": {
                "archived": self.archived,
                "locked": self.locked,
                "auto_archive_duration": self.auto_archive_duration,
                "archive_timestamp": self.created_at,
                "create_timestamp": self.created_at,
                "invitable": True,
            },
        }


@dataclass
class Guild:
    """A guild with its roles, channels (threads included) and members.

    ``scheduled_events`` holds the scheduled event objects the bot created, keyed by id.
    """

    id: int
    name: str
    owner_id: int
    channels: list[Channel] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    preferred_locale: str = "en-US"
    features: list[str] = field(default_factory=list)
    description: str | None = None
    scheduled_events: dict[int, JSON] = field(default_factory=dict)

    @property
    def everyone(self) -> Role:
        """The @everyone role (its id is the guild's id)."""
        return self.get_role(self.id)

    @property
    def owner(self) -> Member:
        """The owner's membership."""
        return self.get_member(self.owner_id)

    @property
    def threads(self) -> list[Channel]:
        """The guild's threads."""
        return [channel for channel in self.channels if channel.is_thread]

    def channel(self, name: str) -> Channel:
        """The channel called ``name``."""
        return _find_named(self.channels, name, "channel", lambda c: c.name)

    def role(self, name: str) -> Role:
        """The role called ``name``."""
        return _find_named(self.roles, name, "role", lambda r: r.name)

    def member(self, name: str) -> Member:
        """The member whose username is ``name``."""
        return _find_named(self.members, name, "member", lambda m: m.name)

    def get_channel(self, channel_id: int) -> Channel:
        """The channel or thread with ``channel_id``."""
        return _find_id(self.channels, channel_id, "channel")

    def get_role(self, role_id: int) -> Role:
        """The role with ``role_id``."""
        return _find_id(self.roles, role_id, "role")

    def get_member(self, user_id: int) -> Member:
        """The member with ``user_id``."""
        for member in self.members:
            if member.id == user_id:
                return member
        raise KeyError(f"guild {self.name!r} has no member with id {user_id}")

    def find_member(self, user_id: int) -> Member | None:
        """The member with ``user_id``, if any."""
        return next((member for member in self.members if member.id == user_id), None)

    def top_role_position(self, member: Member) -> int:
        """The position of the member's highest role (0 for @everyone only)."""
        positions = [role.position for role in self.roles if role.id in member.roles]
        return max(positions, default=0)

    def to_payload(self) -> JSON:
        """The guild object as REST returns it (no channels or members)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "description": self.description,
            "home_header": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "features": list(self.features),
            "owner_id": str(self.owner_id),
            "application_id": None,
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "widget_enabled": False,
            "widget_channel_id": None,
            "verification_level": 1,
            "roles": [role.to_payload() for role in self.roles],
            "default_message_notifications": 1,
            "mfa_level": 0,
            "explicit_content_filter": 2,
            "max_presences": None,
            "max_members": 500000,
            "max_stage_video_channel_users": 50,
            "max_video_channel_users": 25,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.preferred_locale,
            "rules_channel_id": None,
            "safety_alerts_channel_id": None,
            "public_updates_channel_id": None,
            "premium_progress_bar_enabled": False,
            "nsfw": False,
            "nsfw_level": 0,
            "emojis": [],
            "stickers": [],
            "incidents_data": None,
        }

    def gateway_payload(self, *, members: list[Member]) -> JSON:
        """The GUILD_CREATE payload: the guild plus channels, threads, ``members`` and the rest of its state."""
        payload = self.to_payload()
        payload.update(
            {
                "unavailable": False,
                "large": False,
                "lazy": True,
                "joined_at": iso_timestamp(),
                "member_count": len(members),
                "members": [member.to_payload() for member in members],
                "channels": [
                    c.to_payload(self.id) for c in self.channels if not c.is_thread and not c.deleted
                ],
                "threads": [c.to_payload(self.id) for c in self.threads if not c.deleted and not c.archived],
                "voice_states": [],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": list(self.scheduled_events.values()),
                "soundboard_sounds": [],
                "embedded_activities": [],
                "activity_instances": [],
            }
        )
        return payload


def _find_named(items: list[_T], name: str, kind: str, key: Callable[[_T], str]) -> _T:
    for item in items:
        if key(item) == name:
            return item
    known = ", ".join(repr(key(item)) for item in items)
    raise KeyError(f"no {kind} named {name!r}; known: {known}")


def _find_id(items: list[_Identified], item_id: int, kind: str) -> _Identified:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f"no {kind} with id {item_id}")


def base_permissions(guild: Guild, member: Member) -> int:
    """A member's guild-wide permissions: owner and administrators get everything."""
    if member.id == guild.owner_id:
        return ALL_PERMISSIONS
    permissions = guild.everyone.permissions
    for role in guild.roles:
        if role.id in member.roles:
            permissions |= role.permissions
    if permissions & Permission.ADMINISTRATOR:
        return ALL_PERMISSIONS
    return permissions


def channel_permissions(guild: Guild, member: Member, channel: Channel) -> int:
    """A member's permissions in ``channel``, overwrites applied in Discord's order.

    @everyone's overwrite first, then the member's role overwrites together, then the member's own.
    Threads use their parent's overwrites. Without View Channel a member has nothing in the channel, and
    without Send Messages none of the permissions that only matter when sending.
    """
    permissions = base_permissions(guild, member)
    if permissions & Permission.ADMINISTRATOR:
        return ALL_PERMISSIONS
    source = guild.get_channel(channel.parent_id) if channel.is_thread and channel.parent_id else channel
    overwrites = source.permission_overwrites
    for overwrite in overwrites:
        if overwrite.type is OverwriteType.ROLE and overwrite.id == guild.id:
            permissions = (permissions & ~overwrite.deny) | overwrite.allow
    allow = deny = 0
    for overwrite in overwrites:
        if overwrite.type is OverwriteType.ROLE and overwrite.id != guild.id and overwrite.id in member.roles:
            allow |= overwrite.allow
            deny |= overwrite.deny
    permissions = (permissions & ~deny) | allow
    for overwrite in overwrites:
        if overwrite.type is OverwriteType.MEMBER and overwrite.id == member.id:
            permissions = (permissions & ~overwrite.deny) | overwrite.allow
    if not permissions & Permission.VIEW_CHANNEL:
        return 0
    if not channel.is_thread and not permissions & Permission.SEND_MESSAGES:
        permissions &= ~(
            Permission.SEND_TTS_MESSAGES
            | Permission.MENTION_EVERYONE
            | Permission.EMBED_LINKS
            | Permission.ATTACH_FILES
        )
    return permissions


def default_guild(
    name: str = "Fake Fan Server", *, preferred_locale: str = "en-US", features: list[str] | None = None
) -> Guild:
    """A realistic small community server.

    Roles: @everyone (Discord's usual defaults), "Moderators" (Manage Server, Manage Messages/Threads/Events,
    Moderate Members) and a managed "Bot" role the fake gives to the bot (``DEFAULT_BOT_PERMISSIONS``), placed
    above Moderators so it can assign roles below it.
    Members: "server-owner" (the owner), "fan" (no roles) and "moderator" (Moderators).
    Channels: "general" (text), "announcements" (announcement channel where only moderators and the bot may
    post) and "mod-log" (text, hidden from everyone but moderators and the bot).
    """
    guild_id = new_snowflake()
    everyone = Role(id=guild_id, name="@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS, position=0)
    moderators = Role.new(
        "Moderators",
        Permission.MANAGE_GUILD
        | Permission.MANAGE_MESSAGES
        | Permission.MANAGE_THREADS
        | Permission.MANAGE_EVENTS
        | Permission.CREATE_EVENTS
        | Permission.MODERATE_MEMBERS
        | Permission.KICK_MEMBERS,
        position=1,
    )
    moderators.hoist = True
    bot_role = Role.new("Bot", DEFAULT_BOT_PERMISSIONS, position=2)
    bot_role.managed = True

    owner = Member.new("server-owner")
    fan = Member.new("fan")
    moderator = Member.new("moderator", [moderators])

    general = Channel.new("general", position=0, topic="Talk about the show")
    announcements = Channel.new(
        "announcements",
        ChannelType.GUILD_ANNOUNCEMENT,
        position=1,
        topic="News and updates",
        overwrites=[
            Overwrite.for_role(everyone, deny=Permission.SEND_MESSAGES),
            Overwrite.for_role(moderators, allow=Permission.SEND_MESSAGES),
            Overwrite.for_role(bot_role, allow=Permission.SEND_MESSAGES),
        ],
    )
    mod_log = Channel.new(
        "mod-log",
        position=2,
        overwrites=[
            Overwrite.for_role(everyone, deny=Permission.VIEW_CHANNEL),
            Overwrite.for_role(moderators, allow=Permission.VIEW_CHANNEL),
            Overwrite.for_role(bot_role, allow=Permission.VIEW_CHANNEL),
        ],
    )
    return Guild(
        id=guild_id,
        name=name,
        owner_id=owner.id,
        channels=[general, announcements, mod_log],
        roles=[everyone, moderators, bot_role],
        members=[owner, fan, moderator],
        preferred_locale=preferred_locale,
        features=list(features or ["COMMUNITY", "NEWS"]),
    )
