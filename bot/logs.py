"""Logging, configured once by the entry point, with secrets scrubbed from every line it writes.

The bot token is redacted wherever it appears, and so are interaction and webhook tokens in URLs: discord.py
logs request URLs at DEBUG level, and an interaction token in a log is a key to post as the bot for 15 min.
Redaction happens in the formatter, after the message and any traceback are rendered, so nothing slips past
through a log argument or an exception's text.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

# /interactions/{id}/{token}/callback and /webhooks/{application_id}/{token}[/...]
_URL_TOKENS = re.compile(r"(/(?:interactions|webhooks)/\d+/)([A-Za-z0-9_.\-]{20,})")
REDACTED = "[redacted]"


class RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, secrets: Iterable[str] = (), datefmt: str | None = None) -> None:
        super().__init__(fmt, datefmt=datefmt, style="%")
        self._secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return _URL_TOKENS.sub(rf"\1{REDACTED}", text)


def setup_logging(level: int, secrets: Iterable[str] = ()) -> None:
    """Send every log line to stderr through the redacting formatter; keep discord.py's HTTP chatter quiet."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", secrets, "%Y-%m-%d %H:%M:%S")
    )
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("discord.http").setLevel(max(level, logging.INFO))
    logging.getLogger("discord.gateway").setLevel(max(level, logging.INFO))
    # aiosqlite logs every single operation at DEBUG.
    logging.getLogger("aiosqlite").setLevel(max(level, logging.INFO))
