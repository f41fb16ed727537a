"""/manage export and import, in words: the file a moderator uploads, the problems found in it, and what an
import (or undoing one) would change, within Discord's limits."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import aiohttp
import discord

from bot.errors import UserFacingError
from bot.i18n import N_, Lang
from bot.moderation_store import Change
from bot.portable import IMPORT_SIZE_LIMIT, KIND_ORDER, Problem
from bot.render import CONTENT_LIMIT, FIELD_VALUE_LIMIT, escape, truncate
from cogs.manage._edits import changed_parts, label_of, part_name

# File types a JSON file arrives with: browsers and Discord's clients type it by its extension, or not at all.
JSON_TYPES = ("application/json", "text/json", "text/plain", "application/octet-stream")
# Room left in an embed (6,000 in all) for the title and footer.
_SECTIONS_BUDGET = 5200

KIND_NAMES = {
    "show": N_("Show"),
    "person": N_("Cast members"),
    "character": N_("Characters"),
    "season": N_("Seasons"),
    "news": N_("News"),
}


class ImportRejected(UserFacingError):
    """A file that cannot be imported, with every problem found in it (as many as a message holds)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("That file has {count} problem(s); nothing was changed.", count=len(problems))
        self.problems = list(problems)

    def render(self, lang: Lang) -> str:
        if len(self.problems) == 1:
            return truncate(
                lang.t(
                    "I can't import that file, so nothing was changed: {problem}",
                    problem=self.problems[0].render(lang),
                ),
                CONTENT_LIMIT,
            )
        text = lang.t(
            "I can't import that file; nothing was changed. Fix these {count} problem(s) and try again:",
            count=len(self.problems),
        )
        for index, problem in enumerate(self.problems):
            line = "\n• " + problem.render(lang)
            # Room for the "…and N more" line, unless this is the last problem.
            reserve = 60 if index + 1 < len(self.problems) else 0
            if len(text) + len(line) + reserve > CONTENT_LIMIT:
                return text + "\n" + lang.t("…and {count} more.", count=len(self.problems) - index)
            text += line
        return text


def check_upload(attachment: discord.Attachment) -> None:
    """Refuse, before downloading anything, a file too big or not JSON."""
    if attachment.size > IMPORT_SIZE_LIMIT:
        raise UserFacingError(
            "That file is {size} KiB; an import can be at most {limit} KiB. Use a file made by `/manage export`.",
            # Rounded up: 2 MiB and one byte must not read "2048 KiB; at most 2048 KiB".
            size=-(-attachment.size // 1024),
            limit=IMPORT_SIZE_LIMIT // 1024,
        )
    content_type = (attachment.content_type or "").split(";", 1)[0].strip().lower()
    if not attachment.filename.lower().endswith(".json") or (content_type and content_type not in JSON_TYPES):
        raise UserFacingError(
            "“{name}” is not a JSON file. Import a `.json` file made by `/manage export`.",
            name=escape(truncate(attachment.filename, 80)),
        )


async def download(attachment: discord.Attachment, *, time_limit: float = 60.0) -> bytes:
    """The file from Discord's CDN. A refused, broken or stalled download is a kind error, each its own (a
    stalled one is given up on after `time_limit` seconds: 2 MiB takes a second or two)."""
    try:
        async with asyncio.timeout(time_limit):
            return await attachment.read()
    except TimeoutError:  # ours, or one of aiohttp's (connecting, reading)
        raise UserFacingError(
            "Discord took too long to send me that file, so I stopped waiting. Please try again in a moment."
        ) from None
    except discord.HTTPException:
        raise UserFacingError("I couldn't download that file from Discord. Please try again.") from None
    except aiohttp.ClientError:
        raise UserFacingError(
            "The connection to Discord broke while I was downloading that file. Please try again."
        ) from None


def counts(changes: Sequence[Change]) -> tuple[int, int, int]:
    """Entries added, changed and removed."""
    added = sum(1 for c in changes if c.before is None)
    removed = sum(1 for c in changes if c.after is None)
    return added, len(changes) - added - removed, removed


def _name(change: Change, lang: Lang) -> str:
    entry = change.after or change.before
    assert entry is not None
    return escape(truncate(label_of(entry, lang), 80))


def _changed(change: Change, lang: Lang) -> str:
    assert change.before is not None
    assert change.after is not None
    parts = ", ".join(part_name(p, lang) for p in changed_parts(change.before, change.after))
    return f"{_name(change, lang)} ({parts})" if parts else _name(change, lang)


def _listing(names: list[str], budget: int, lang: Lang) -> str:
    """Names joined by commas, as many as fit in `budget` characters, then how many more."""
    text = ""
    for index, name in enumerate(names):
        candidate = f"{text}, {name}" if text else name
        more = lang.t("…and {count} more", count=len(names) - index)
        if len(candidate) + len(more) + 2 > budget:
            return f"{text}, {more}" if text else more
        text = candidate
    return text


def sections(changes: Sequence[Change], lang: Lang) -> list[tuple[str, str]]:
    """What changes, by kind and by what happens to it: (heading, names) pairs fit for embed fields."""
    groups: list[tuple[str, list[str]]] = []
    for kind in KIND_ORDER:
        mine = [c for c in changes if c.kind == kind]
        kind_name = lang.t(KIND_NAMES[kind])
        added = [_name(c, lang) for c in mine if c.before is None]
        changed = [_changed(c, lang) for c in mine if c.before is not None and c.after is not None]
        removed = [_name(c, lang) for c in mine if c.after is None]
        for template, names in (
            (N_("{kind}: {count} added"), added),
            (N_("{kind}: {count} changed"), changed),
            (N_("{kind}: {count} removed"), removed),
        ):
            if names:
                groups.append((lang.t(template, kind=kind_name, count=len(names)), names))
    if not groups:
        return []
    budget = min(FIELD_VALUE_LIMIT, _SECTIONS_BUDGET // len(groups) - 40)
    return [(heading, _listing(names, budget, lang)) for heading, names in groups]


def summary_title(changes: Sequence[Change], lang: Lang) -> str:
    added, changed, removed = counts(changes)
    return lang.t(
        "Data imported: {added} added, {changed} changed, {removed} removed",
        added=added,
        changed=changed,
        removed=removed,
    )


def sections_text(changes: Sequence[Change], lang: Lang) -> str:
    """The same as `sections`, as one text (for the mod-log's line)."""
    return "\n".join(f"**{heading}:** {names}" for heading, names in sections(changes, lang))
