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
_RATE = re.compile(r"^(\d{1,6})/(\d{1,6}(?:\.\d+)?)s?$")


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
class Rate:
    """`count` uses per `per` seconds, for each member."""

    count: int
    per: float

    def __str__(self) -> str:
        return f"{self.count}/{self.per:g}"


# A fan looking things up rarely makes more than one request every few seconds; ten in twenty seconds leaves room
# for a burst (a lookup, a Reveal, a "did you mean") while a script hammering the bot is stopped at once.
DEFAULT_LOOKUP_RATE = Rate(10, 20.0)
# Autocomplete asks on (almost) every keystroke: a fast typist sends a few per second for a name or two.
DEFAULT_AUTOCOMPLETE_RATE = Rate(25, 10.0)


def parse_rate(name: str, raw: str) -> Rate | None:
    """ "8/10" (8 uses per 10 seconds), or "off" for no cooldown."""
    text = raw.strip().lower().replace(" ", "")
    if text in {"off", "none", "0"}:
        return None
    match = _RATE.match(text)
    if match is None or int(match[1]) < 1 or float(match[2]) <= 0:
        raise SettingsError(
            f"{name} must look like 10/20 (10 uses per 20 seconds, per member) or be off, not {raw.strip()!r}."
        )
    return Rate(int(match[1]), float(match[2]))


@dataclass(frozen=True)
class Settings:
    token: Secret
    database_path: Path = DEFAULT_DATABASE
    dev_guild_id: int | None = None
    owner_ids: frozenset[int] = field(default_factory=frozenset)
    log_level: str = "INFO"
    pack_dir: Path = DEFAULT_PACK_DIR
    lookup_rate: Rate | None = DEFAULT_LOOKUP_RATE
    autocomplete_rate: Rate | None = DEFAULT_AUTOCOMPLETE_RATE


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

    lookup_rate = values.get("LOOKUP_RATE", "").strip()
    autocomplete_rate = values.get("AUTOCOMPLETE_RATE", "").strip()

    return Settings(
        token=Secret(token),
        pack_dir=Path(pack) if pack else DEFAULT_PACK_DIR,
        database_path=database_path,
        dev_guild_id=_optional_id("DEV_GUILD_ID", values.get("DEV_GUILD_ID")),
        owner_ids=frozenset(owners),
        log_level=level,
        lookup_rate=parse_rate("LOOKUP_RATE", lookup_rate) if lookup_rate else DEFAULT_LOOKUP_RATE,
        autocomplete_rate=(
            parse_rate("AUTOCOMPLETE_RATE", autocomplete_rate)
            if autocomplete_rate
            else DEFAULT_AUTOCOMPLETE_RATE
        ),
    )


def log_level_number(settings: Settings) -> int:
    return logging.getLevelName(settings.log_level)  # type: ignore[no-any-return]
