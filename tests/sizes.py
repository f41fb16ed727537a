"""Server data at the largest sizes the bot is built for, for the tests and the benchmarks alike: an import
at the size limit, and a server of 100,000 characters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.models import Character, Fact, Source
from bot.pack import Pack, encode_entry
from bot.portable import IMPORT_SIZE_LIMIT
from bot.store import Store

# Room left under the limit, so the file is as large as allowed and no larger.
_MARGIN = 256


def person(number: int) -> dict[str, str]:
    """A cast member as short as an export writes one: about 32 bytes, so 2 MiB holds some 60,000."""
    # Numbers, not letters: romanised names and keys fold alike ("kb" is "kp"), digits never do.
    return {"key": f"k{number}", "name": f"K {number}"}


def at_size_limit(document: dict[str, Any], limit: int = IMPORT_SIZE_LIMIT) -> tuple[bytes, int]:
    """`document` (an export) with generated cast members added until the file is just under `limit`
    bytes, written compactly. Returns the file and how many entries it holds."""
    base = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    room = limit - _MARGIN - len(base)
    people = list(document.get("people", []))
    added, number = [], 0
    while True:
        piece = len(json.dumps(person(number), separators=(",", ":")).encode()) + 1  # and a comma
        if room < piece:
            break
        added.append(person(number))
        room -= piece
        number += 1
    grown = {**document, "people": people + added}
    data = json.dumps(grown, ensure_ascii=False, separators=(",", ":")).encode()
    assert len(data) <= limit, len(data)
    entries = 1 + sum(len(grown.get(name, [])) for name in ("people", "characters", "seasons", "news"))
    return data, entries


async def seed_characters(database: Path, pack: Pack, guild_id: int, count: int) -> None:
    """One server whose store holds `count` generated characters besides the pack's."""
    families = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"]
    given = [
        "Min-jun",
        "Seo-yeon",
        "Ji-ho",
        "Ha-eun",
        "Do-yun",
        "Su-ah",
        "Ye-jun",
        "Ji-woo",
        "Si-woo",
        "Ha-rin",
    ]
    source = (Source(name="A generated publication", published="2026-01-01"),)
    rows = []
    for number in range(count):
        first = given[(number // 10) % 10]
        character = Character(
            key=f"gen-{number}",
            name=f"{families[number % 10]} {first} {number}",
            aliases=(f"{first} {number}",),
            profile=Fact(text=f"Generated character {number}", confidence="reported", sources=source),
        )
        rows.append(
            (
                guild_id,
                "character",
                character.key,
                encode_entry(character).decode(),
                "2026-01-01T00:00:00+00:00",
                1000 + number,
            )
        )
    async with Store.open(database, pack) as store:
        await store.ensure_guild(guild_id)
        async with store.transaction() as db:
            await db.executemany(
                "INSERT INTO entries (guild_id, kind, key, data, origin_digest, updated_at, position)"
                " VALUES (?, ?, ?, ?, NULL, ?, ?)",
                rows,
            )
