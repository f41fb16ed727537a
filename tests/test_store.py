"""The store on real SQLite files: migrations, per-server seeding, and newer packs reaching servers."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import msgspec
import pytest

from bot.models import Character
from bot.pack import Pack, encode_entry, load_pack
from bot.store import MIGRATIONS_DIR, MigrationError, Store, StoreError, discover_migrations

GUILD = 111111111111111111
OTHER_GUILD = 222222222222222222


async def test_migrations_set_user_version_wal_and_foreign_keys(tmp_path: Path, pack: Pack) -> None:
    path = tmp_path / "bot.db"
    async with Store.open(path, pack) as store:
        assert await store.schema_version() == len(discover_migrations())
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"meta", "guilds", "entries"} <= tables


async def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as db:
            await db.execute(
                "INSERT INTO entries (guild_id, kind, key, data, updated_at) VALUES (1, 'person', 'x', '{}', '')"
            )


async def test_a_failing_migration_changes_nothing(tmp_path: Path, pack: Pack) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations)
    count = len(discover_migrations(migrations))
    (migrations / f"{count + 1:04d}_broken.sql").write_text(
        "CREATE TABLE half_done (id INTEGER);\nTHIS IS NOT SQL;\n", encoding="utf-8"
    )
    path = tmp_path / "bot.db"
    with pytest.raises(StoreError, match='near "THIS": syntax error'):
        async with Store.open(path, pack, migrations=migrations):
            pass
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0


async def test_migrations_apply_only_what_is_new(tmp_path: Path, pack: Pack) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations)
    path = tmp_path / "bot.db"
    async with Store.open(path, pack, migrations=migrations) as store:
        await store.set_meta("kept", "yes")
    count = len(discover_migrations(migrations))
    (migrations / f"{count + 1:04d}_extra.sql").write_text(
        "CREATE TABLE extra (id INTEGER);\n", encoding="utf-8"
    )
    async with Store.open(path, pack, migrations=migrations) as store:
        assert await store.schema_version() == count + 1
        assert await store.get_meta("kept") == "yes"


async def test_a_database_newer_than_the_bot_is_refused(tmp_path: Path, pack: Pack) -> None:
    path = tmp_path / "bot.db"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 999")
    with pytest.raises(MigrationError, match="newer than this bot knows"):
        async with Store.open(path, pack):
            pass


def test_migration_numbering_must_have_no_gaps(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("", encoding="utf-8")
    (tmp_path / "0003_c.sql").write_text("", encoding="utf-8")
    with pytest.raises(MigrationError, match="without gaps"):
        discover_migrations(tmp_path)


async def test_outside_a_server_answers_come_from_the_pack(store: Store, pack: Pack) -> None:
    catalog = await store.catalog(None)
    assert catalog.characters == pack.characters
    assert catalog.guild_id is None


async def test_each_server_is_seeded_with_its_own_copy(store: Store, pack: Pack) -> None:
    catalog = await store.catalog(GUILD)
    assert {c.key for c in catalog.characters} == {c.key for c in pack.characters}
    assert catalog.character("choi-nam-ra") == next(c for c in pack.characters if c.key == "choi-nam-ra")
    assert catalog.show == pack.show
    assert [n.date for n in catalog.news] == sorted(n.date for n in pack.news)
    assert catalog.last_edited is None

    await _moderator_edit(store, GUILD, "choi-nam-ra", "Class president of 2-5")
    assert (await store.catalog(GUILD)).character("choi-nam-ra").profile.text == "Class president of 2-5"  # type: ignore[union-attr]
    other = await store.catalog(OTHER_GUILD)
    assert other.character("choi-nam-ra") == next(c for c in pack.characters if c.key == "choi-nam-ra")


async def test_data_survives_a_restart(tmp_path: Path, pack: Pack) -> None:
    path = tmp_path / "bot.db"
    async with Store.open(path, pack) as store:
        await _moderator_edit(store, GUILD, "lee-su-hyeok", "Wants to become a soldier")
    async with Store.open(path, pack) as store:
        catalog = await store.catalog(GUILD)
        assert catalog.character("lee-su-hyeok").profile.text == "Wants to become a soldier"  # type: ignore[union-attr]
        assert catalog.last_edited is not None


async def test_a_newer_pack_reaches_only_what_moderators_left_alone(
    tmp_path: Path, pack: Pack, pack_copy: Path
) -> None:
    path = tmp_path / "bot.db"
    async with Store.open(path, pack) as store:
        await store.catalog(GUILD)
        await _moderator_edit(store, GUILD, "yoon-gwi-nam", "Edited by this server")
        await _moderator_remove(store, GUILD, "jang-woo-jin")

    # The next release of the pack changes two profiles, adds a character and drops another.
    characters = pack_copy / "characters.toml"
    text = characters.read_text(encoding="utf-8")
    text = text.replace('text = "School bully"', 'text = "The school bully of 2-5"')
    text = text.replace('text = "Wealthy, snobbish classmate"', 'text = "A wealthy, snobbish classmate"')
    text = text.replace('text = "Ha-ri\'s younger brother"', 'text = "Ha-ri\'s little brother"')
    start = text.index('[[character]]\nkey = "park-sun-hwa"')
    end = text.index("[[character]]", start + 1)
    text = text[:start] + text[end:]
    text += (
        '\n[[character]]\nkey = "new-face"\nname = "New Face"\nactor = "lee-sang-hee"\n\n'
        '[character.profile]\ntext = "Someone new"\nconfidence = "reported"\nsources = ["series"]\n'
    )
    characters.write_text(text, encoding="utf-8")
    newer = load_pack(pack_copy)
    assert newer.digest != pack.digest

    async with Store.open(path, newer) as store:
        catalog = await store.catalog(GUILD)
        by_key = {c.key: c for c in catalog.characters}
        assert by_key["yoon-gwi-nam"].profile.text == "Edited by this server"  # kept: a moderator changed it
        assert by_key["lee-na-yeon"].profile.text == "A wealthy, snobbish classmate"  # upgraded
        assert "jang-woo-jin" not in by_key  # a moderator removed it: the pack does not bring it back
        assert "park-sun-hwa" not in by_key  # the pack dropped it
        assert by_key["new-face"].profile.text == "Someone new"  # the pack added it
        fresh = await store.catalog(OTHER_GUILD)
        assert {c.key for c in fresh.characters} == {c.key for c in newer.characters}


async def test_seeding_is_done_once_per_pack_even_across_restarts(tmp_path: Path, pack: Pack) -> None:
    path = tmp_path / "bot.db"
    async with Store.open(path, pack) as store:
        await store.catalog(GUILD)
    with sqlite3.connect(path) as db:
        seeded = db.execute("SELECT seeded_at, updated_at FROM guilds").fetchall()
        versions = db.execute("SELECT sum(version) FROM entries").fetchone()
    async with Store.open(path, pack) as store:
        await store.catalog(GUILD)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT seeded_at, updated_at FROM guilds").fetchall() == seeded
        assert db.execute("SELECT sum(version) FROM entries").fetchone() == versions


async def test_a_failed_commit_leaves_the_store_usable(store: Store) -> None:
    async def fail_midway() -> None:
        async with store.transaction() as db:
            await db.execute("INSERT INTO meta (key, value) VALUES ('half', 'done')")
            raise RuntimeError("the caller failed mid-transaction")

    with pytest.raises(RuntimeError):
        await fail_midway()
    assert await store.get_meta("half") is None
    await store.set_meta("after", "works")
    assert await store.get_meta("after") == "works"


async def test_a_catalog_read_before_an_edit_is_not_cached_after_it(store: Store) -> None:
    await store.catalog(GUILD)
    store.forget(GUILD)
    stale = store._load_catalog

    async def racing_load(guild_id: int):
        catalog = await stale(guild_id)
        store.forget(guild_id)  # an edit commits while this read is in flight
        return catalog

    store._load_catalog = racing_load  # type: ignore[method-assign]
    await store.catalog(GUILD)
    assert GUILD not in store._catalogs


async def test_memory_databases_are_refused(pack: Pack) -> None:
    with pytest.raises(StoreError, match="must be a file"):
        async with Store.open(":memory:", pack):
            pass


async def test_meta_round_trips(store: Store) -> None:
    assert await store.get_meta("missing") is None
    await store.set_meta("k", "1")
    await store.set_meta("k", "2")
    assert await store.get_meta("k") == "2"


async def _moderator_edit(store: Store, guild_id: int, key: str, profile: str) -> None:
    """Stand-in for a moderator's edit (the moderation commands write through the same table)."""
    catalog = await store.catalog(guild_id)
    character = catalog.character(key)
    assert isinstance(character, Character)
    changed = msgspec.structs.replace(
        character, profile=msgspec.structs.replace(character.profile, text=profile)
    )
    async with store.transaction() as db:
        await db.execute(
            "UPDATE entries SET data = ?, version = version + 1, updated_at = '2026-11-01T00:00:00+00:00'"
            " WHERE guild_id = ? AND kind = 'character' AND key = ?",
            (encode_entry(changed).decode(), guild_id, key),
        )
    store.forget(guild_id)


async def _moderator_remove(store: Store, guild_id: int, key: str) -> None:
    async with store.transaction() as db:
        await db.execute(
            "UPDATE entries SET deleted = 1 WHERE guild_id = ? AND kind = 'character' AND key = ?",
            (guild_id, key),
        )
    store.forget(guild_id)


async def test_spoiler_levels_are_kept_per_fan(tmp_path: Path, pack: Pack) -> None:
    path = tmp_path / "bot.db"
    async with Store.open(path, pack) as store:
        assert await store.spoiler_level(1) == "none"
        await store.set_spoiler_level(1, "s1")
        await store.set_spoiler_level(2, "s2")
        await store.set_spoiler_level(1, "s2")
    async with Store.open(path, pack) as store:
        assert await store.spoiler_level(1) == "s2"
        assert await store.spoiler_level(2) == "s2"
        assert await store.spoiler_level(3) == "none"
