"""Everything the fake knows and records, shared by the REST routes, the gateway and the test helpers."""

from __future__ import annotations

import enum
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import errors
from .interactions import InteractionResult, Modal
from .messages import StoredMessage
from .models import (
    DEFAULT_EVERYONE_PERMISSIONS,
    JSON,
    Channel,
    Guild,
    Member,
    Permission,
    Role,
    User,
    base_permissions,
    channel_permissions,
)
from .waiting import Changes

if TYPE_CHECKING:
    from .gateway import Gateway
    from .rest import RecordedRequest

log = logging.getLogger(__name__)


class Intent(enum.IntFlag):
    """Gateway intents that decide which events the fake dispatches."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_MESSAGES = 1 << 9
    DIRECT_MESSAGES = 1 << 12
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16


@dataclass
class CommandSync:
    """One bulk overwrite of application commands."""

    guild_id: int | None
    """None for a global sync."""
    names: list[str]
    at: float = field(default_factory=time.monotonic)


class FakeState:
    """The fake's world (bot, guilds, channels) and its records (messages, commands, interactions, requests)."""

    def __init__(
        self, *, token: str, bot: User, application_id: int, guilds: list[Guild], changes: Changes
    ) -> None:
        self.token = token
        self.bot = bot
        self.application_id = application_id
        self.guilds = guilds
        self.changes = changes
        self.check_permissions = True
        """Answer 403 when the bot lacks the permission an action needs in that channel."""
        self.nonce_window = 300.0
        """Seconds during which a repeated ``nonce`` with ``enforce_nonce`` returns the earlier message."""
        self.interaction_deadline = 3.0
        """Seconds the bot has for its first response before the interaction token is unknown (10062)."""
        self.dm_channels: dict[int, Channel] = {}
        self.messages: dict[int, list[StoredMessage]] = {}
        """Messages visible in each channel, by channel id, oldest first (deleted ones are removed)."""
        self.all_messages: dict[int, StoredMessage] = {}
        """Every message the bot created, ephemeral and deleted ones too, by message id."""
        self.commands: dict[int | None, list[JSON]] = {}
        """Synced application commands by scope: a guild id, or None for global."""
        self.command_syncs: list[CommandSync] = []
        self.interactions: list[InteractionResult] = []
        self.modals: list[Modal] = []
        self.requests: list[RecordedRequest] = []
        self.rate_limit_counts: Counter[str] = Counter()
        """429s sent, by scope: ``global``, ``user`` (per-route) or ``shared``."""
        self.gateway: Gateway | None = None

    @property
    def guild(self) -> Guild:
        """The first guild (the only one, usually)."""
        if not self.guilds:
            raise AssertionError("the fake has no guilds")
        return self.guilds[0]

    @property
    def sync_count(self) -> int:
        """How many bulk command overwrites (PUT …/commands) the bot made."""
        return len(self.command_syncs)

    def bot_member(self, guild: Guild) -> Member:
        """The bot's membership in ``guild``."""
        return guild.get_member(self.bot.id)

    def prepare_guild(self, guild: Guild) -> None:
        """Give ``guild`` an @everyone role if it lacks one, and make the bot a member with its bot role(s)."""
        if not any(role.id == guild.id for role in guild.roles):
            guild.roles.insert(
                0, Role(id=guild.id, name="@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS)
            )
        bot_roles = [role for role in guild.roles if role.managed and role.bot_id in (None, self.bot.id)]
        for role in bot_roles:
            role.bot_id = self.bot.id
        if guild.find_member(self.bot.id) is None:
            guild.members.append(Member(user=self.bot, roles=[role.id for role in bot_roles]))

    def get_guild(self, guild_id: int) -> Guild:
        """The guild with ``guild_id`` or 404 Unknown Guild."""
        for guild in self.guilds:
            if guild.id == guild_id:
                return guild
        raise errors.unknown("Guild", errors.UNKNOWN_GUILD)

    def find_channel(self, channel_id: int) -> tuple[Guild | None, Channel]:
        """The channel (guild channel, thread or DM) with ``channel_id`` and its guild, or 404."""
        for guild in self.guilds:
            for channel in guild.channels:
                if channel.id == channel_id:
                    return guild, channel
        dm_channel = self.dm_channels.get(channel_id)
        if dm_channel is not None:
            return None, dm_channel
        raise errors.unknown("Channel", errors.UNKNOWN_CHANNEL)

    def channel_for_bot(self, channel_id: int, needed: int = 0) -> tuple[Guild | None, Channel]:
        """The channel, checked as Discord checks it for the bot: exists, visible, has ``needed`` permissions."""
        guild, channel = self.find_channel(channel_id)
        if channel.deleted:
            raise errors.unknown("Channel", errors.UNKNOWN_CHANNEL)
        if channel.forbidden:
            raise errors.missing_permissions()
        if guild is None or not self.check_permissions:
            return guild, channel
        permissions = channel_permissions(guild, self.bot_member(guild), channel)
        if not permissions & Permission.VIEW_CHANNEL:
            raise errors.missing_access()
        if permissions & needed != needed:
            raise errors.missing_permissions()
        return guild, channel

    def bot_can(self, guild: Guild | None, channel: Channel, permission: int) -> bool:
        """Whether the bot has ``permission`` in ``channel`` (always in DMs)."""
        if guild is None:
            return True
        return bool(channel_permissions(guild, self.bot_member(guild), channel) & permission)

    def message_in(self, channel_id: int, message_id: int) -> StoredMessage:
        """A live message in a channel, or 404 Unknown Message."""
        message = self.all_messages.get(message_id)
        if message is None or message.deleted or message.channel_id != channel_id:
            raise errors.unknown("Message", errors.UNKNOWN_MESSAGE)
        return message

    def store_message(self, message: StoredMessage) -> None:
        """Record a new message; non-ephemeral ones become visible in their channel."""
        self.all_messages[message.id] = message
        if not message.ephemeral:
            self.messages.setdefault(message.channel_id, []).append(message)
            _, channel = self.find_channel(message.channel_id)
            channel.last_message_id = message.id
            if channel.is_thread:
                channel.message_count += 1
        self.changes.notify()

    def remove_message(self, message: StoredMessage) -> None:
        """Mark a message deleted and take it out of its channel."""
        message.deleted = True
        visible = self.messages.get(message.channel_id, [])
        if message in visible:
            visible.remove(message)
        self.changes.notify()

    def interaction_by_token(self, token: str) -> InteractionResult:
        """The interaction whose token is ``token``, or 404 Unknown Webhook."""
        for result in reversed(self.interactions):
            if result.token == token:
                return result
        raise errors.unknown("Webhook", errors.UNKNOWN_WEBHOOK)

    def intents(self) -> int:
        """The intents of the current gateway session (0 before any IDENTIFY)."""
        session = self.gateway.current_session if self.gateway else None
        return session.intents if session else 0

    async def dispatch_if(self, intent: Intent, event: str, data: Any) -> None:
        """Dispatch ``event`` if the bot identified with ``intent``, as Discord only sends subscribed events."""
        session = self.gateway.current_session if self.gateway else None
        if session is not None and session.intents & intent:
            await session.dispatch(event, data)

    async def announce_message(self, event: str, message: StoredMessage) -> None:
        """Dispatch MESSAGE_CREATE/UPDATE/DELETE for a visible message, as Discord does to subscribed bots."""
        if message.ephemeral:
            return
        guild, _ = self.find_channel(message.channel_id)
        intent = Intent.GUILD_MESSAGES if guild else Intent.DIRECT_MESSAGES
        if event == "MESSAGE_DELETE":
            data: JSON = {"id": str(message.id), "channel_id": str(message.channel_id)}
        else:
            data = dict(message.data)
            if guild is not None:
                data["member"] = self.bot_member(guild).to_payload(with_user=False)
        if guild is not None:
            data["guild_id"] = str(guild.id)
        await self.dispatch_if(intent, event, data)

    def member_or_404(self, guild: Guild, user_id: int) -> Member:
        """A guild member, or 404 Unknown Member."""
        member = guild.find_member(user_id)
        if member is None:
            raise errors.unknown("Member", errors.UNKNOWN_MEMBER)
        return member

    def require_guild_permission(self, guild: Guild, needed: int) -> None:
        """403 unless the bot has ``needed`` guild-wide."""
        if not self.check_permissions:
            return
        if base_permissions(guild, self.bot_member(guild)) & needed != needed:
            raise errors.missing_permissions()

    def problem(self, message: str) -> None:
        """Record an error inside the fake; waits report it and the fake raises it on exit."""
        log.error("fake discord problem: %s", message)
        self.changes.problems.append(message)
        self.changes.notify()
