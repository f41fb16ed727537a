"""Log lines never carry the bot token or an interaction or webhook token."""

from __future__ import annotations

import logging

from bot.logs import REDACTED, RedactingFormatter

TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfAKEx.fake-token-for-tests-only-000000000000"
INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OmZha2V0b2tlbg"


def _format(message: str, *args: object, exc: BaseException | None = None) -> str:
    formatter = RedactingFormatter("%(message)s", [TOKEN])
    record = logging.LogRecord("t", logging.INFO, __file__, 1, message, args, None)
    if exc is not None:
        record.exc_info = (type(exc), exc, exc.__traceback__)
    return formatter.format(record)


def test_bot_token_is_redacted_in_messages_arguments_and_tracebacks() -> None:
    assert TOKEN not in _format("token is %s", TOKEN)
    assert TOKEN not in _format(f"inline {TOKEN}")
    try:
        raise RuntimeError(f"failed with {TOKEN}")
    except RuntimeError as exc:
        line = _format("boom", exc=exc)
    assert TOKEN not in line
    assert REDACTED in line


def test_interaction_and_webhook_tokens_are_redacted() -> None:
    for url in (
        f"POST https://discord.com/api/v10/interactions/1234567890123/{INTERACTION_TOKEN}/callback",
        f"PATCH https://discord.com/api/v10/webhooks/1234567890123/{INTERACTION_TOKEN}/messages/@original",
    ):
        line = _format("%s has returned 200", url)
        assert INTERACTION_TOKEN not in line
        assert REDACTED in line
