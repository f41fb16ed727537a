"""End to end, as a process: `python -m bot` exactly as an operator runs it."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import socket
from pathlib import Path

from bot.pack import Pack
from tests.fakediscord import FAKE_TOKEN, FakeDiscord, InteractionResult, Permission
from tests.harness import bot_environment, run_bot_process


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


async def test_without_a_token_it_says_so_in_one_line(tmp_path: Path) -> None:
    finished = await run_bot_process(["-m", "bot"], {}, cwd=tmp_path)
    assert finished.returncode == 2
    assert _one_line(finished.stderr).startswith("error: DISCORD_TOKEN is not set.")


async def test_a_malformed_token_in_dotenv_is_explained(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=my-client-secret-0123456789abcdef\n", encoding="utf-8")
    finished = await run_bot_process(["-m", "bot"], {}, cwd=tmp_path)
    assert finished.returncode == 2
    line = _one_line(finished.stderr)
    assert "does not look like a bot token" in line
    assert "my-client-secret" not in line


async def test_a_broken_pack_stops_start_up_naming_file_entry_and_field(
    tmp_path: Path, pack_copy: Path
) -> None:
    characters = pack_copy / "characters.toml"
    characters.write_text(
        characters.read_text(encoding="utf-8").replace(
            'key = "choi-nam-ra"\nname = "Choi Nam-ra"', 'key = "choi-nam-ra"\nname = ""'
        ),
        encoding="utf-8",
    )
    env = {"DISCORD_TOKEN": FAKE_TOKEN, "PACK_DIR": str(pack_copy), "DATABASE_PATH": str(tmp_path / "bot.db")}
    finished = await run_bot_process(["-m", "bot"], env, cwd=tmp_path)
    assert finished.returncode == 2
    line = _one_line(finished.stderr)
    assert line.startswith(
        f"error: the data pack is broken: {characters}: character 'choi-nam-ra', field 'name': "
    )
    assert not (tmp_path / "bot.db").exists()


async def test_a_token_discord_rejects_is_explained(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    wrong = "MTExMTExMTExMTExMTExMTEx.GwRong.this-token-was-reset-long-ago-0000000000"
    env = {"DISCORD_TOKEN": wrong, "DATABASE_PATH": str(tmp_path / "bot.db")}
    finished = await run_bot_process(fake_discord.launch_argv()[1:], env, cwd=tmp_path)
    assert finished.returncode == 2
    assert "error: Discord rejected DISCORD_TOKEN" in finished.stderr
    assert wrong not in finished.stderr
    assert "Traceback" not in finished.stderr


async def test_a_full_session_never_logs_a_token(
    fake_discord: FakeDiscord, tmp_path: Path, pack: Pack
) -> None:
    env = {
        "DISCORD_TOKEN": fake_discord.token,
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "LOG_LEVEL": "DEBUG",
    }
    process = await asyncio.create_subprocess_exec(
        *fake_discord.launch_argv(),
        cwd=tmp_path,
        env=bot_environment(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while not any("Ready as" in line for line in lines):
            line = await asyncio.wait_for(process.stderr.readline(), 10)
            assert line, "".join(lines)
            lines.append(line.decode())
        result = await fake_discord.slash("about", {"private": True})
        reply = await result.response()
        assert reply.ephemeral
        interaction_token = result.payload["token"]
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = "".join(lines) + stderr.decode()
    assert process.returncode == 0, log
    assert "interactions/" in log  # the DEBUG log does mention the callback URL...
    assert fake_discord.token not in log  # ...but neither the bot token
    assert interaction_token not in log  # nor the interaction token appears in it
    assert fake_discord.token.split(".")[2] not in log + stdout.decode()


def _button(result: InteractionResult, label: str) -> str:
    assert result.original is not None
    for row in result.original.data["components"]:
        for button in row["components"]:
            if button.get("label") == label or str(button.get("custom_id", "")).startswith(label):
                return str(button["custom_id"])
    raise AssertionError(f"no {label!r} button")


async def test_a_session_with_callbacks_forms_webhooks_and_deliveries_logs_no_token(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    """Every kind of call that carries a token, at DEBUG: slash commands, autocomplete, buttons, a form,
    follow-ups through the interaction webhook, and announcements the deliverer posts in the background."""
    fake = fake_discord
    guild = fake.guild
    # Without Manage Events the bot tells the moderator so in a follow-up: a webhook call.
    guild.role("Bot").permissions &= ~(Permission.MANAGE_EVENTS | Permission.CREATE_EVENTS)
    moderator, fan = guild.member("moderator"), guild.member("fan")
    env = {"DISCORD_TOKEN": fake.token, "DATABASE_PATH": str(tmp_path / "bot.db"), "LOG_LEVEL": "DEBUG"}
    process = await asyncio.create_subprocess_exec(
        *fake.launch_argv(),
        cwd=tmp_path,
        env=bot_environment(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    output: list[bytes] = []

    async def read() -> None:
        assert process.stdout is not None
        while line := await process.stdout.readline():
            output.append(line)

    reader = asyncio.create_task(read())
    results: list[InteractionResult] = []

    async def slash(name: str, options: dict[str, object], **kwargs: object) -> InteractionResult:
        result = await fake.slash(name, options, **kwargs)  # type: ignore[arg-type]
        await result.response()
        results.append(result)
        return result

    async def click(result: InteractionResult, label: str, user: object) -> InteractionResult:
        assert result.original is not None
        clicked = await fake.click(result.original, _button(result, label), user=user)  # type: ignore[arg-type]
        await clicked.response()
        results.append(clicked)
        return clicked

    try:
        await fake.wait_ready(timeout=15)
        await fake.wait_synced()
        assert await fake.autocomplete("character", {"name": "nam"}, "name", user=fan)
        card = await slash("character", {"name": "Nam-ra"}, user=fan)
        await click(card, "reveal:", fan)
        await slash(
            "manage",
            {
                "announcement_channel": guild.channel("announcements"),
                "modlog_channel": guild.channel("mod-log"),
            },
            subcommand="setup",
            user=moderator,
        )
        when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).strftime("%Y-%m-%d 17:00 UTC")
        release = await slash(
            "manage",
            {"date": when, "source": "https://about.netflix.com/x"},
            subcommand="season release-date",
            user=moderator,
        )
        await click(release, "Save without announcing", moderator)
        await slash("manage", {"premiere_event": True}, subcommand="setup", user=moderator)
        news = await slash(
            "manage",
            {"text": "A new trailer", "source": "https://example.com/t", "confidence": "confirmed"},
            subcommand="season news",
            user=moderator,
        )
        await click(news, "Post", moderator)
        opened = await fake.slash("manage", {"name": "Nam-ra"}, subcommand="character edit", user=moderator)
        modal = await opened.wait_modal()
        results.append(opened)
        name_field = next(key for key, field in modal.fields.items() if field.get("label") == "Name")
        submitted = await fake.submit_modal(
            modal, {name_field: "Choi Nam-ra (class president)"}, user=moderator
        )
        await submitted.response()
        results.append(submitted)
        await click(submitted, "Cancel", moderator)
        announcements = guild.channel("announcements").id
        await fake.wait_message(announcements, lambda m: "A new trailer" in str(m.data))
        await fake.wait_request("POST", "/webhooks/{webhook_id}/{webhook_token}")
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 20)
        await asyncio.wait_for(reader, 5)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        reader.cancel()
    log = b"".join(output).decode()
    assert process.returncode == 0, log[-3000:]
    tokens = {result.payload["token"] for result in results}
    assert len(tokens) == len(results) >= 9
    # The DEBUG log shows every kind of call happened...
    for route in ("/interactions/", "/webhooks/"):
        assert route in log, f"no {route} call in the log"
    # ...and no secret is in it.
    assert fake.token not in log
    assert fake.token.split(".")[2] not in log
    leaked = [token for token in tokens if token in log]
    assert leaked == []


async def test_explicit_sync_to_one_server(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    guild_id = fake_discord.guild.id
    env = {"DISCORD_TOKEN": fake_discord.token, "DATABASE_PATH": str(tmp_path / "bot.db")}
    finished = await run_bot_process(
        fake_discord.launch_argv("sync", "--guild", str(guild_id))[1:], env, cwd=tmp_path
    )
    assert finished.returncode == 0, finished.stderr
    names = [c["name"] for c in fake_discord.commands[guild_id]]
    assert "about" in names
    assert finished.stdout.strip() == f"Synced {len(names)} commands to server {guild_id}."
    assert fake_discord.identify_count == 0  # an explicit sync needs no gateway connection


async def test_a_database_that_is_not_sqlite_is_refused_in_one_line(tmp_path: Path) -> None:
    database = tmp_path / "not-a-database.db"
    database.write_bytes(b"this is not an SQLite file, it is a text file that happens to be here" * 20)
    env = {"DISCORD_TOKEN": FAKE_TOKEN, "DATABASE_PATH": str(database)}
    finished = await run_bot_process(["-m", "bot"], env, cwd=tmp_path)
    assert finished.returncode == 2
    line = _one_line(_without_info(finished.stderr))
    assert line.startswith(f"error: cannot open the database {database}") or line.startswith(
        f"error: cannot use the database {database}"
    )


def _without_info(stderr: str) -> str:
    """Only the lines that are not ordinary log lines."""
    return "\n".join(line for line in stderr.splitlines() if " INFO " not in line)


async def test_clearing_a_servers_own_commands(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    guild_id = fake_discord.guild.id
    env = {"DISCORD_TOKEN": fake_discord.token, "DATABASE_PATH": str(tmp_path / "bot.db")}
    await run_bot_process(fake_discord.launch_argv("sync", "--guild", str(guild_id))[1:], env, cwd=tmp_path)
    assert fake_discord.commands[guild_id]
    finished = await run_bot_process(
        fake_discord.launch_argv("sync", "--guild", str(guild_id), "--clear")[1:], env, cwd=tmp_path
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == f"Removed server {guild_id}'s own copy of the commands."
    assert fake_discord.commands[guild_id] == []


async def test_a_backup_while_the_bot_writes_is_complete_and_restorable(tmp_path: Path, pack: Pack) -> None:
    from bot.store import Store

    database = tmp_path / "live.db"
    backup = tmp_path / "backups" / "copy.db"
    async with Store.open(database, pack) as store:
        await store.catalog(111)
        await store.set_meta("kept", "before the backup")
        # The bot is "running": its connections are open, and it writes while the copy is taken.
        finished = await run_bot_process(
            ["-m", "bot", "backup", str(backup)], {"DATABASE_PATH": str(database)}, cwd=tmp_path
        )
        await store.set_meta("kept", "after the backup")
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.startswith(f"Backed up {database} to {backup} (")
    assert "integrity ok" in finished.stdout
    # Restoring is copying the backup in place of the database while the bot is stopped.
    async with Store.open(backup, pack) as restored:
        assert await restored.get_meta("kept") == "before the backup"
        assert (await restored.catalog(111)).character("choi-nam-ra") is not None

    again = await run_bot_process(
        ["-m", "bot", "backup", str(backup)], {"DATABASE_PATH": str(database)}, cwd=tmp_path
    )
    assert again.returncode == 2
    assert _one_line(again.stderr).startswith(f"error: {backup} already exists")


async def test_a_valid_token_without_network_is_one_line_and_exit_code_1(tmp_path: Path) -> None:
    # A port nothing listens on, on this machine: what a bot without network meets.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [
        "-m",
        "tests.fakediscord.launch",
        "--api-base",
        f"http://127.0.0.1:{port}/api/v10",
        "--gateway",
        f"ws://127.0.0.1:{port}/",
        "--",
    ]
    env = {"DISCORD_TOKEN": FAKE_TOKEN, "DATABASE_PATH": str(tmp_path / "bot.db")}
    finished = await run_bot_process(argv, env, cwd=tmp_path)
    assert finished.returncode == 1
    # The start-up log lines before it, then one line that says what is wrong: no traceback.
    assert "Traceback" not in finished.stderr
    [error] = [line for line in finished.stderr.splitlines() if not line.startswith("20")]
    assert error.startswith("error: cannot reach Discord (ClientConnectorError: "), error
    assert FAKE_TOKEN not in finished.stderr
