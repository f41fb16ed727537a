"""Server data at the largest size `/manage import` reads, for the tests and the benchmarks alike."""

from __future__ import annotations

import json
from typing import Any

from bot.portable import IMPORT_SIZE_LIMIT

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
