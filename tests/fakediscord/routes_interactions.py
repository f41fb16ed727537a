"""Interaction callbacks and the interaction webhook (follow-ups, ``@original``).

Discord's rules are enforced because breaking them fails for real users: one callback per interaction
(40060), within the deadline (10062 after 3 s), of a type valid for the interaction; at most 25 autocomplete
choices; a first follow-up after a "thinking" defer fills in the placeholder instead of posting anew.
These routes are authenticated by the interaction token in the path, not the bot token.
"""

from __future__ import annotations

import logging

from . import errors
from .interactions import (
    ALLOWED_CALLBACKS,
    APPLICATION_COMMAND,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    MODAL,
    UPDATE_MESSAGE,
    Callback,
    InteractionResult,
    Modal,
)
from .messages import (
    EPHEMERAL,
    LOADING,
    StoredMessage,
    Upload,
    apply_edit,
    attachment_objects,
    render_message,
)
from .messages import validate_message_payload as validate_message
from .models import JSON, Permission
from .rest import ApiRequest, Reply, Route, no_content, ok
from .state import FakeState

log = logging.getLogger(__name__)

MESSAGE_TYPE_DEFAULT = 0
MESSAGE_TYPE_CHAT_INPUT_COMMAND = 20


def interaction_routes(state: FakeState) -> list[Route]:
    """The routes of this module, bound to ``state``; none needs the bot token."""
    handlers = _InteractionRoutes(state)
    webhook = "/webhooks/{webhook_id}/{webhook_token}"
    return [
        Route("POST", "/interactions/{webhook_id}/{webhook_token}/callback", handlers.callback, auth=False),
        Route("GET", webhook + "/messages/@original", handlers.get_original, auth=False),
        Route("PATCH", webhook + "/messages/@original", handlers.edit_original, auth=False),
        Route("DELETE", webhook + "/messages/@original", handlers.delete_original, auth=False),
        Route("POST", webhook, handlers.followup, auth=False),
        Route("GET", webhook + "/messages/{message_id}", handlers.get_message, auth=False),
        Route("PATCH", webhook + "/messages/{message_id}", handlers.edit_message, auth=False),
        Route("DELETE", webhook + "/messages/{message_id}", handlers.delete_message, auth=False),
    ]


class _InteractionRoutes:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    async def callback(self, request: ApiRequest) -> Reply:
        result = self._interaction_for_callback(request)
        payload = request.body
        callback_type = int(payload.get("type") or 0)
        data = dict(payload.get("data") or {})
        if callback_type not in ALLOWED_CALLBACKS.get(result.type, frozenset()):
            raise errors.invalid_form_body(
                "type", "INTERACTION_RESPONSE_TYPE_INVALID", f"Callback type {callback_type} is invalid here"
            )
        message = await self._apply_callback(request, result, callback_type, data)
        result.callback = Callback(callback_type, data, received_at=request.record.received_at)
        self.state.changes.notify()
        log.debug("interaction %d answered with callback type %d", result.id, callback_type)
        if not request.query_flag("with_response"):
            return no_content()
        return ok(_callback_response(result, callback_type, message))

    def _interaction_for_callback(self, request: ApiRequest) -> InteractionResult:
        token = request.param("webhook_token")
        result = next((r for r in self.state.interactions if r.token == token), None)
        if result is None or str(result.id) != request.param("webhook_id"):
            raise errors.unknown("interaction", errors.UNKNOWN_INTERACTION)
        if result.callback is not None:
            raise errors.bad_request(40060, "Interaction has already been acknowledged.")
        if request.record.received_at - result.sent_at > self.state.interaction_deadline:
            raise errors.unknown("interaction", errors.UNKNOWN_INTERACTION)
        return result

    async def _apply_callback(
        self, request: ApiRequest, result: InteractionResult, callback_type: int, data: JSON
    ) -> StoredMessage | None:
        if callback_type == CHANNEL_MESSAGE:
            validate_message(data, uploads=len(request.record.uploads))
            message = self._interaction_message(result, data, request)
            result.response_message = message
            await self._store(message)
            return message
        if callback_type == DEFERRED_CHANNEL_MESSAGE:
            placeholder = {"content": "", "flags": LOADING | (int(data.get("flags") or 0) & EPHEMERAL)}
            message = self._interaction_message(result, placeholder, request)
            result.response_message = message
            await self._store(message)
            return message
        if callback_type == UPDATE_MESSAGE:
            return await self._update_source(result, data)
        if callback_type == AUTOCOMPLETE_RESULT:
            _validate_choices(data)
        elif callback_type == MODAL:
            self._open_modal(result, data)
        return None

    async def _update_source(self, result: InteractionResult, data: JSON) -> StoredMessage:
        source = result.source_message
        if source is None:
            raise errors.bad_request(50035, "There is no message to update for this interaction")
        validate_message(data, editing=True)
        self._edit(result, source, data)
        await self.state.announce_message("MESSAGE_UPDATE", source)
        return source

    def _open_modal(self, result: InteractionResult, data: JSON) -> None:
        custom_id, title = str(data.get("custom_id") or ""), str(data.get("title") or "")
        components = list(data.get("components") or [])
        if not 1 <= len(custom_id) <= 100 or not 1 <= len(title) <= 45 or not 1 <= len(components) <= 5:
            raise errors.invalid_form_body(
                "data",
                "MODAL_INVALID",
                "A modal needs a custom_id (1-100), a title (1-45) and 1-5 components",
            )
        modal = Modal(custom_id=custom_id, title=title, components=components, opened_by=result)
        result.modal = modal
        self.state.modals.append(modal)

    def _interaction_message(
        self, result: InteractionResult, payload: JSON, request: ApiRequest
    ) -> StoredMessage:
        guild, channel = result.guild, result.channel
        kind = MESSAGE_TYPE_CHAT_INPUT_COMMAND if result.type == APPLICATION_COMMAND else MESSAGE_TYPE_DEFAULT
        extra: JSON = {
            "webhook_id": str(self.state.application_id),
            "application_id": str(self.state.application_id),
            "interaction_metadata": {
                "id": str(result.id),
                "type": result.type,
                "user": result.user.to_payload(),
                "authorizing_integration_owners": result.payload.get("authorizing_integration_owners", {}),
            },
        }
        data = render_message(
            payload,
            channel_id=channel.id,
            guild=guild,
            author=self.state.bot,
            can_mention_everyone=self.state.bot_can(guild, channel, Permission.MENTION_EVERYONE),
            message_type=kind,
            attachments=attachment_objects(payload, request.record.uploads),
            extra=extra,
        )
        return StoredMessage(data=data, request=payload, uploads=list(request.record.uploads))

    async def _store(self, message: StoredMessage) -> None:
        self.state.store_message(message)
        await self.state.announce_message("MESSAGE_CREATE", message)

    def _edit(self, result: InteractionResult, message: StoredMessage, payload: JSON) -> None:
        guild, channel = result.guild, result.channel
        can_everyone = self.state.bot_can(guild, channel, Permission.MENTION_EVERYONE)
        apply_edit(message, payload, guild=guild, can_mention_everyone=can_everyone)
        self.state.changes.notify()

    def _webhook_interaction(self, request: ApiRequest) -> InteractionResult:
        if request.param("webhook_id") != str(self.state.application_id):
            raise errors.unknown("Webhook", errors.UNKNOWN_WEBHOOK)
        result = self.state.interaction_by_token(request.param("webhook_token"))
        if result.callback is None:
            # The interaction webhook exists only once the interaction was acknowledged.
            raise errors.unknown("Webhook", errors.UNKNOWN_WEBHOOK)
        return result

    def _original(self, request: ApiRequest) -> tuple[InteractionResult, StoredMessage]:
        result = self._webhook_interaction(request)
        message = result.original
        if message is None or message.deleted:
            raise errors.unknown("Message", errors.UNKNOWN_MESSAGE)
        return result, message

    async def get_original(self, request: ApiRequest) -> Reply:
        return ok(self._original(request)[1].data)

    async def edit_original(self, request: ApiRequest) -> Reply:
        result, message = self._original(request)
        return await self._edit_reply(result, message, request)

    async def delete_original(self, request: ApiRequest) -> Reply:
        _, message = self._original(request)
        return await self._delete_reply(message)

    async def followup(self, request: ApiRequest) -> Reply:
        result = self._webhook_interaction(request)
        payload = request.body
        validate_message(payload, uploads=len(request.record.uploads))
        placeholder = result.response_message
        if placeholder is not None and placeholder.loading and not placeholder.deleted:
            # Discord's documented quirk: the first follow-up after a "thinking" defer fills in the placeholder.
            self._edit(result, placeholder, payload)
            _attach(placeholder, payload, request.record.uploads)
            await self.state.announce_message("MESSAGE_UPDATE", placeholder)
            message = placeholder
        else:
            message = self._interaction_message(result, payload, request)
            await self._store(message)
        result.followups.append(message)
        self.state.changes.notify()
        return ok(message.data) if request.query_flag("wait") else no_content()

    def _owned(self, request: ApiRequest) -> tuple[InteractionResult, StoredMessage]:
        result = self._webhook_interaction(request)
        message_id = request.int_param("message_id")
        candidates = [result.original, *result.followups]
        message = next(
            (m for m in candidates if m is not None and m.id == message_id and not m.deleted), None
        )
        if message is None:
            raise errors.unknown("Message", errors.UNKNOWN_MESSAGE)
        return result, message

    async def get_message(self, request: ApiRequest) -> Reply:
        return ok(self._owned(request)[1].data)

    async def edit_message(self, request: ApiRequest) -> Reply:
        result, message = self._owned(request)
        return await self._edit_reply(result, message, request)

    async def delete_message(self, request: ApiRequest) -> Reply:
        _, message = self._owned(request)
        return await self._delete_reply(message)

    async def _edit_reply(
        self, result: InteractionResult, message: StoredMessage, request: ApiRequest
    ) -> Reply:
        validate_message(request.body, editing=True)
        self._edit(result, message, request.body)
        _attach(message, request.body, request.record.uploads)
        await self.state.announce_message("MESSAGE_UPDATE", message)
        return ok(message.data)

    async def _delete_reply(self, message: StoredMessage) -> Reply:
        self.state.remove_message(message)
        await self.state.announce_message("MESSAGE_DELETE", message)
        return no_content()


def _validate_choices(data: JSON) -> None:
    choices = data.get("choices") or []
    if len(choices) > 25:
        raise errors.invalid_form_body(
            "data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
        )
    for index, choice in enumerate(choices):
        name, value = str(choice.get("name") or ""), choice.get("value")
        if not 1 <= len(name) <= 100:
            raise errors.invalid_form_body(
                f"data.choices.{index}.name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        if isinstance(value, str) and len(value) > 100:
            raise errors.invalid_form_body(
                f"data.choices.{index}.value", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."
            )


def _callback_response(result: InteractionResult, callback_type: int, message: StoredMessage | None) -> JSON:
    """The InteractionCallbackResponse body discord.py parses after ``?with_response=1``."""
    interaction: JSON = {"id": str(result.id), "type": result.type, "activity_instance_id": None}
    body: JSON = {"interaction": interaction}
    if message is not None:
        interaction.update(
            {
                "response_message_id": str(message.id),
                "response_message_loading": message.loading,
                "response_message_ephemeral": message.ephemeral,
            }
        )
        body["resource"] = {"type": callback_type, "message": message.data}
    return body


def _attach(message: StoredMessage, payload: JSON, uploads: list[Upload]) -> None:
    """Files sent with an edit (or with the follow-up that fills in a "thinking" placeholder) join the
    message's attachments."""
    if uploads:
        message.data["attachments"] = [
            *message.data.get("attachments", []),
            *attachment_objects(payload, uploads),
        ]
        message.uploads.extend(uploads)
