"""Channel routes: messages (with nonce deduplication), publishing (crossposts) and threads.

Each route checks what Discord checks for the bot in that channel: that it exists and is not deleted
(404 10003), that the bot can see it (403 50001) and has the permission the action needs (403 50013).
"""

from __future__ import annotations

import logging
import time

from . import errors
from .messages import (
    CROSSPOSTED,
    HAS_THREAD,
    StoredMessage,
    apply_edit,
    attachment_objects,
    render_message,
    validate_message_payload,
)
from .models import JSON, Channel, ChannelType, Guild, Permission
from .rest import ApiRequest, Reply, Route, no_content, ok
from .snowflake import iso_timestamp, new_snowflake
from .state import FakeState, Intent

log = logging.getLogger(__name__)

MESSAGE_TYPE_DEFAULT = 0
MESSAGE_TYPE_REPLY = 19


def channel_routes(state: FakeState) -> list[Route]:
    """The routes of this module, bound to ``state``."""
    handlers = _ChannelRoutes(state)
    channel = "/channels/{channel_id}"
    message = channel + "/messages/{message_id}"
    return [
        Route("GET", channel, handlers.get_channel),
        Route("GET", channel + "/messages", handlers.list_messages),
        Route("POST", channel + "/messages", handlers.create_message),
        Route("GET", message, handlers.get_message),
        Route("PATCH", message, handlers.edit_message),
        Route("DELETE", message, handlers.delete_message),
        Route("POST", message + "/crosspost", handlers.crosspost),
        Route("POST", message + "/threads", handlers.thread_from_message),
        Route("POST", channel + "/threads", handlers.thread_without_message),
        Route("POST", channel + "/typing", handlers.typing),
    ]


class _ChannelRoutes:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    async def get_channel(self, request: ApiRequest) -> Reply:
        guild, channel = self.state.channel_for_bot(request.int_param("channel_id"))
        return ok(channel.to_payload(guild.id if guild else None))

    async def typing(self, request: ApiRequest) -> Reply:
        self.state.channel_for_bot(request.int_param("channel_id"), Permission.SEND_MESSAGES)
        return no_content()

    async def list_messages(self, request: ApiRequest) -> Reply:
        channel_id = request.int_param("channel_id")
        self.state.channel_for_bot(channel_id, Permission.READ_MESSAGE_HISTORY)
        limit = int(request.record.query.get("limit", "50"))
        before = int(request.record.query.get("before", "0")) or None
        after = int(request.record.query.get("after", "0")) or None
        visible = [
            m
            for m in self.state.messages.get(channel_id, [])
            if (before is None or m.id < before) and (after is None or m.id > after)
        ]
        newest_first = sorted(visible, key=lambda m: m.id, reverse=True)[:limit]
        return ok([m.data for m in newest_first])

    async def create_message(self, request: ApiRequest) -> Reply:
        channel_id = request.int_param("channel_id")
        payload = request.body
        _, peek = self.state.find_channel(channel_id)
        needed = Permission.SEND_MESSAGES_IN_THREADS if peek.is_thread else Permission.SEND_MESSAGES
        if request.record.uploads:
            needed |= Permission.ATTACH_FILES
        if payload.get("message_reference"):
            needed |= Permission.READ_MESSAGE_HISTORY
        guild, channel = self.state.channel_for_bot(channel_id, needed)
        if channel.type not in (*_TEXT_TYPES, ChannelType.DM) and not channel.is_thread:
            raise errors.bad_request(50008, "Cannot send messages in a non-text channel")
        closed_thread = channel.is_thread and (channel.locked or channel.archived)
        if closed_thread and not self.state.bot_can(guild, channel, Permission.MANAGE_THREADS):
            raise errors.bad_request(50083, "Thread is archived")
        validate_message_payload(payload, uploads=len(request.record.uploads))
        duplicate = self._nonce_duplicate(channel_id, payload)
        if duplicate is not None:
            return ok(duplicate.data)
        extra: JSON = {}
        message_type = MESSAGE_TYPE_DEFAULT
        reference = payload.get("message_reference")
        if reference:
            message_type = MESSAGE_TYPE_REPLY
            extra.update(self._reference(channel_id, reference))
        data = render_message(
            payload,
            channel_id=channel_id,
            guild=guild,
            author=self.state.bot,
            can_mention_everyone=self.state.bot_can(guild, channel, Permission.MENTION_EVERYONE),
            message_type=message_type,
            attachments=attachment_objects(payload, request.record.uploads),
            extra=extra,
        )
        message = StoredMessage(data=data, request=payload, uploads=request.record.uploads)
        self.state.store_message(message)
        await self.state.announce_message("MESSAGE_CREATE", message)
        return ok(data)

    def _nonce_duplicate(self, channel_id: int, payload: JSON) -> StoredMessage | None:
        """With ``enforce_nonce``, a nonce reused in the channel within the window returns the first message."""
        nonce = payload.get("nonce")
        if nonce is None or not payload.get("enforce_nonce"):
            return None
        horizon = time.monotonic() - self.state.nonce_window
        for message in self.state.all_messages.values():
            if message.channel_id == channel_id and message.nonce == nonce and message.created_at >= horizon:
                log.debug(
                    "nonce %r reused in channel %d: returning message %d", nonce, channel_id, message.id
                )
                return message
        return None

    def _reference(self, channel_id: int, reference: JSON) -> JSON:
        referenced_id = int(reference.get("message_id") or 0)
        referenced = self.state.all_messages.get(referenced_id)
        ref_channel = int(reference.get("channel_id") or channel_id)
        if referenced is None or referenced.deleted:
            if reference.get("fail_if_not_exists", True):
                raise errors.invalid_form_body(
                    "message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                )
            return {}
        return {
            "message_reference": {
                "type": 0,
                "message_id": str(referenced_id),
                "channel_id": str(ref_channel),
            },
            "referenced_message": referenced.data,
        }

    async def get_message(self, request: ApiRequest) -> Reply:
        channel_id = request.int_param("channel_id")
        self.state.channel_for_bot(channel_id, Permission.READ_MESSAGE_HISTORY)
        return ok(self.state.message_in(channel_id, request.int_param("message_id")).data)

    async def edit_message(self, request: ApiRequest) -> Reply:
        channel_id = request.int_param("channel_id")
        guild, channel = self.state.channel_for_bot(channel_id)
        message = self.state.message_in(channel_id, request.int_param("message_id"))
        validate_message_payload(request.body, editing=True)
        can_everyone = self.state.bot_can(guild, channel, Permission.MENTION_EVERYONE)
        apply_edit(message, request.body, guild=guild, can_mention_everyone=can_everyone)
        self.state.changes.notify()
        await self.state.announce_message("MESSAGE_UPDATE", message)
        return ok(message.data)

    async def delete_message(self, request: ApiRequest) -> Reply:
        channel_id = request.int_param("channel_id")
        self.state.channel_for_bot(channel_id)
        message = self.state.message_in(channel_id, request.int_param("message_id"))
        self.state.remove_message(message)
        await self.state.announce_message("MESSAGE_DELETE", message)
        return no_content()

    async def crosspost(self, request: ApiRequest) -> Reply:
        channel_id = request.int_param("channel_id")
        _, channel = self.state.channel_for_bot(channel_id)
        if channel.type is not ChannelType.GUILD_ANNOUNCEMENT:
            raise errors.bad_request(50024, "Cannot execute action on this channel type")
        message = self.state.message_in(channel_id, request.int_param("message_id"))
        own = int(message.data["author"]["id"]) == self.state.bot.id
        needed = Permission.SEND_MESSAGES if own else Permission.MANAGE_MESSAGES
        self.state.channel_for_bot(channel_id, needed)
        if message.crossposted:
            raise errors.bad_request(40033, "This message has already been crossposted.")
        message.data["flags"] = message.flags | CROSSPOSTED
        self.state.changes.notify()
        await self.state.announce_message("MESSAGE_UPDATE", message)
        return ok(message.data)

    async def thread_from_message(self, request: ApiRequest) -> Reply:
        channel_id = request.int_param("channel_id")
        guild, channel = self.state.channel_for_bot(
            channel_id, Permission.CREATE_PUBLIC_THREADS | Permission.READ_MESSAGE_HISTORY
        )
        if guild is None or channel.type not in _TEXT_TYPES:
            raise errors.bad_request(50024, "Cannot execute action on this channel type")
        message = self.state.message_in(channel_id, request.int_param("message_id"))
        if message.flags & HAS_THREAD:
            raise errors.bad_request(160004, "A thread has already been created for this message")
        thread_type = (
            ChannelType.ANNOUNCEMENT_THREAD
            if channel.type is ChannelType.GUILD_ANNOUNCEMENT
            else ChannelType.PUBLIC_THREAD
        )
        # A thread started from a message has the message's id, as on Discord.
        thread = self._new_thread(guild, channel, request.body, thread_type, thread_id=message.id)
        message.data["flags"] = message.flags | HAS_THREAD
        message.data["thread"] = thread.to_payload(guild.id)
        return ok(await self._announce_thread(guild, thread))

    async def thread_without_message(self, request: ApiRequest) -> Reply:
        channel_id = request.int_param("channel_id")
        payload = request.body
        requested = ChannelType(int(payload.get("type") or ChannelType.PRIVATE_THREAD))
        needed = (
            Permission.CREATE_PRIVATE_THREADS
            if requested is ChannelType.PRIVATE_THREAD
            else Permission.CREATE_PUBLIC_THREADS
        )
        if "message" in payload:
            needed = Permission.SEND_MESSAGES
        guild, channel = self.state.channel_for_bot(channel_id, needed)
        if guild is None or channel.type not in (*_TEXT_TYPES, ChannelType.GUILD_FORUM):
            raise errors.bad_request(50024, "Cannot execute action on this channel type")
        if channel.type is ChannelType.GUILD_ANNOUNCEMENT:
            requested = ChannelType.ANNOUNCEMENT_THREAD
        elif channel.type is ChannelType.GUILD_FORUM:
            requested = ChannelType.PUBLIC_THREAD
        thread = self._new_thread(guild, channel, payload, requested)
        body = await self._announce_thread(guild, thread)
        if channel.type is ChannelType.GUILD_FORUM:
            body["message"] = await self._forum_starter(guild, thread, dict(payload.get("message") or {}))
        return ok(body)

    async def _forum_starter(self, guild: Guild, thread: Channel, payload: JSON) -> JSON:
        validate_message_payload(payload)
        data = render_message(
            payload,
            channel_id=thread.id,
            guild=guild,
            author=self.state.bot,
            can_mention_everyone=self.state.bot_can(guild, thread, Permission.MENTION_EVERYONE),
            message_id=thread.id,
        )
        message = StoredMessage(data=data, request=payload)
        self.state.store_message(message)
        return data

    def _new_thread(
        self,
        guild: Guild,
        parent: Channel,
        payload: JSON,
        thread_type: ChannelType,
        thread_id: int | None = None,
    ) -> Channel:
        name = str(payload.get("name") or "")
        if not 1 <= len(name) <= 100:
            raise errors.invalid_form_body(
                "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        thread = Channel(
            id=thread_id or new_snowflake(),
            name=name,
            type=thread_type,
            parent_id=parent.id,
            owner_id=self.state.bot.id,
            auto_archive_duration=int(payload.get("auto_archive_duration") or 1440),
            rate_limit_per_user=int(payload.get("rate_limit_per_user") or 0),
            created_at=iso_timestamp(),
        )
        guild.channels.append(thread)
        self.state.changes.notify()
        return thread

    async def _announce_thread(self, guild: Guild, thread: Channel) -> JSON:
        payload = thread.to_payload(guild.id)
        payload["member"] = {
            "id": str(thread.id),
            "user_id": str(self.state.bot.id),
            "join_timestamp": thread.created_at,
            "flags": 0,
        }
        await self.state.dispatch_if(Intent.GUILDS, "THREAD_CREATE", {**payload, "newly_created": True})
        return payload


_TEXT_TYPES = (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT)
