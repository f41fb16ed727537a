"""Settings: read from .env and the environment, with one friendly line for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import (
    DEFAULT_AUTOCOMPLETE_RATE,
    DEFAULT_DATABASE,
    DEFAULT_LOOKUP_RATE,
    Rate,
    Secret,
    SettingsError,
    check_token,
    load_settings,
)

# Shaped like a bot token (base64 of a numeric id, a timestamp part, an HMAC part); not a real one.
TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfAKEx.fake-token-for-tests-only-000000000000"


def test_reads_env_file_and_environment_wins(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        f"DISCORD_TOKEN={TOKEN}\nDEV_GUILD_ID=123456789012345678\nOWNER_IDS=1, 2\nLOG_LEVEL=debug\n",
        encoding="utf-8",
    )
    settings = load_settings({"LOG_LEVEL": "warning", "DATABASE_PATH": str(tmp_path / "x.db")}, env_file=env)
    assert settings.token.get() == TOKEN
    assert settings.dev_guild_id == 123456789012345678
    assert settings.owner_ids == frozenset({1, 2})
    assert settings.log_level == "WARNING"
    assert settings.database_path == tmp_path / "x.db"


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings({"DISCORD_TOKEN": TOKEN}, env_file=tmp_path / "none")
    assert settings.database_path == DEFAULT_DATABASE
    assert settings.dev_guild_id is None
    assert settings.owner_ids == frozenset()
    assert settings.log_level == "INFO"


@pytest.mark.parametrize(
    ("token", "says"),
    [
        ("", "DISCORD_TOKEN is not set"),
        ("   ", "DISCORD_TOKEN is not set"),
        ("paste-your-bot-token-here", "still the placeholder"),
        (f"Bot {TOKEN}", 'starts with "Bot "'),
        ("a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4", "three parts separated by dots"),
        ("abc.def.ghi jkl", "three parts separated by dots"),
        ("bm90LWFuLWlk.GfAKEx.abcdefghijklmnopqrstuvwxyz", "should encode the bot's user id"),
    ],
)
def test_bad_tokens_get_one_friendly_line(token: str, says: str) -> None:
    with pytest.raises(SettingsError) as caught:
        check_token(token)
    message = str(caught.value)
    assert says in message
    assert "\n" not in message
    if token.strip():
        assert token.strip() not in message


@pytest.mark.parametrize(
    ("name", "value"), [("DEV_GUILD_ID", "my-server"), ("OWNER_IDS", "1,two"), ("LOG_LEVEL", "LOUD")]
)
def test_malformed_settings_are_named(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({"DISCORD_TOKEN": TOKEN, name: value}, env_file=tmp_path / "none")


def test_the_token_never_shows_itself(tmp_path: Path) -> None:
    settings = load_settings({"DISCORD_TOKEN": TOKEN}, env_file=tmp_path / "none")
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN not in f"{settings.token}"
    assert Secret(TOKEN) == settings.token


def test_cooldowns_default_and_read_from_the_environment(tmp_path: Path) -> None:
    none = tmp_path / "none"
    defaults = load_settings({"DISCORD_TOKEN": TOKEN}, env_file=none)
    assert defaults.lookup_rate == DEFAULT_LOOKUP_RATE
    assert defaults.autocomplete_rate == DEFAULT_AUTOCOMPLETE_RATE
    chosen = load_settings(
        {"DISCORD_TOKEN": TOKEN, "LOOKUP_RATE": " 3 / 7.5s ", "AUTOCOMPLETE_RATE": "off"}, env_file=none
    )
    assert chosen.lookup_rate == Rate(3, 7.5)
    assert chosen.autocomplete_rate is None


@pytest.mark.parametrize("raw", ["10", "ten/20", "0/20", "5/0", "-1/5", "5/20/3", "5 per 20"])
def test_a_malformed_cooldown_is_one_friendly_line(tmp_path: Path, raw: str) -> None:
    with pytest.raises(
        SettingsError, match=r"^LOOKUP_RATE must look like 10/20 .* or be off, not "
    ) as caught:
        load_settings({"DISCORD_TOKEN": TOKEN, "LOOKUP_RATE": raw}, env_file=tmp_path / "none")
    assert "\n" not in str(caught.value)
