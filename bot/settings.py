"""Settings, read once at start-up from the environment and `.env` into one frozen object."""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = PROJECT_ROOT / "data" / "aoad.db"
DEFAULT_PACK_DIR = PROJECT_ROOT / "data" / "pack"
_TOKEN_PART = re.compile(r"^[A-Za-z0-9_-]+$")
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class SettingsError(Exception):
    """A setting is missing or malformed. The message is one friendly line, fit to print as it is."""


class Secret:
    """A string that never shows itself in a repr, a str() or a log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    token: Secret
    database_path: Path = DEFAULT_DATABASE
    dev_guild_id: int | None = None
    owner_ids: frozenset[int] = field(default_factory=frozenset)
    log_level: str = "INFO"
    pack_dir: Path = DEFAULT_PACK_DIR


def check_token(token: str) -> str:
    """Return the token stripped, or raise SettingsError saying what is wrong with it.

    A bot token is three dot-separated base64url parts, the first the bot's user id in base64. Checking the
    shape catches the usual mistakes (the client secret or public key pasted instead, quotes, a "Bot "
    prefix) before Discord is asked.
    """
    token = token.strip()
    if not token:
        raise SettingsError(
            "DISCORD_TOKEN is not set. Put your bot's token in .env (see .env.example) or the environment."
        )
    if token == "paste-your-bot-token-here":
        raise SettingsError(
            "DISCORD_TOKEN is still the placeholder from .env.example: put your bot's token there."
        )
    if token.lower().startswith("bot "):
        raise SettingsError(
            'DISCORD_TOKEN starts with "Bot ": set it to the token alone, without the prefix.'
        )
    parts = token.split(".")
    if len(parts) != 3 or not all(_TOKEN_PART.match(part) for part in parts):
        raise SettingsError(
            "DISCORD_TOKEN does not look like a bot token (three parts separated by dots). Copy it again from "
            "the Developer Portal's Bot page (Reset Token); the client secret and public key are not the token."
        )
    try:
        user_id = base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        user_id = ""
    if not user_id.isdigit():
        raise SettingsError(
            "DISCORD_TOKEN does not look like a bot token: its first part should encode the bot's user id. "
            "Copy it again from the Developer Portal's Bot page."
        )
    return token


def _optional_id(name: str, raw: str | None) -> int | None:
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    if not re.fullmatch(r"[0-9]{1,20}", value):
        raise SettingsError(f"{name} must be a Discord id (digits only), not {value!r}.")
    return int(value)


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path | None = None, require_token: bool = True
) -> Settings:
    """Read settings from `.env` in the working directory (if present), overlaid by the real environment."""
    values: dict[str, str] = {}
    env_path = env_file if env_file is not None else Path.cwd() / ".env"
    if env_path.is_file():
        values.update({k: v for k, v in dotenv_values(env_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    # Commands that never talk to Discord (a backup) work without a token.
    token = check_token(values.get("DISCORD_TOKEN", "")) if require_token else ""

    database = values.get("DATABASE_PATH", "").strip()
    database_path = Path(database) if database else DEFAULT_DATABASE

    owners: set[int] = set()
    for part in values.get("OWNER_IDS", "").replace(" ", "").split(","):
        if part:
            owner = _optional_id("OWNER_IDS", part)
            assert owner is not None
            owners.add(owner)

    level = values.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in _LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, not {level!r}.")

    pack = values.get("PACK_DIR", "").strip()

    return Settings(
        token=Secret(token),
        pack_dir=Path(pack) if pack else DEFAULT_PACK_DIR,
        database_path=database_path,
        dev_guild_id=_optional_id("DEV_GUILD_ID", values.get("DEV_GUILD_ID")),
        owner_ids=frozenset(owners),
        log_level=level,
    )


def log_level_number(settings: Settings) -> int:
    return logging.getLevelName(settings.log_level)  # type: ignore[no-any-return]
