"""Discord's JSON error responses, raised by route handlers and turned into replies by the server."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error reply: HTTP ``status`` with Discord's ``{"message", "code", "errors"?}`` body.

    ``extra`` adds fields to the body (a 429's ``retry_after`` and ``global``).
    """

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {message} (code {code})")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        """The JSON body Discord sends with this error."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def unauthorized() -> ApiError:
    """No or a wrong bot token."""
    return ApiError(401, 0, "401: Unauthorized")


def not_found() -> ApiError:
    """No such route."""
    return ApiError(404, 0, "404: Not Found")


def missing_access() -> ApiError:
    """The bot cannot see the channel."""
    return ApiError(403, 50001, "Missing Access")


def missing_permissions() -> ApiError:
    """The bot sees the channel but lacks a permission for the action."""
    return ApiError(403, 50013, "Missing Permissions")


def unknown(kind: str, code: int) -> ApiError:
    """``Unknown Channel`` (10003), ``Unknown Message`` (10008) and the like."""
    return ApiError(404, code, f"Unknown {kind}")


UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_ROLE = 10011
UNKNOWN_WEBHOOK = 10015
UNKNOWN_INTERACTION = 10062
UNKNOWN_APPLICATION_COMMAND = 10063
UNKNOWN_SCHEDULED_EVENT = 10070


def invalid_form_body(field: str, code: str, message: str) -> ApiError:
    """Discord's 50035 validation error, with the nested ``errors`` object naming the bad field.

    ``field`` is a dotted path such as ``"embeds.0.description"``.
    """
    errors: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field.split(".")):
        errors = {part: errors}
    return ApiError(400, 50035, "Invalid Form Body", errors=errors)


def bad_request(code: int, message: str) -> ApiError:
    """A 400 with a specific Discord error code."""
    return ApiError(400, code, message)
