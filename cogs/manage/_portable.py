"""/manage export and import, in words: the file a moderator uploads, the problems found in it, and what an
import (or undoing one) would change, within Discord's limits."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.errors import UserFacingError
from bot.i18n import ENGLISH, N_, Lang, Message, lang_of
from bot.models import Person
from bot.moderation_store import Change, utcnow
from bot.portable import (
    IMPORT_SIZE_LIMIT,
    KIND_ORDER,
    ImportProblems,
    decode_file,
    encode_file,
    export_data,
    plan_import,
)
from bot.render import CONTENT_LIMIT, FIELD_VALUE_LIMIT, Field, card, escape, truncate
from bot.rules import Problem
from cogs.manage._access import failing_note, server_lang
from cogs.manage._drafts import Shown, draft_of
from cogs.manage._edits import PendingEdit, change_lines, label_of, level_lines, named_parts, part_name
from cogs.manage._preview import send_stored_preview

if TYPE_CHECKING:
    from bot.client import AoadBot

# File types a JSON file arrives with: browsers and Discord's clients type it by its extension, or not at all.
JSON_TYPES = ("application/json", "text/json", "text/plain", "application/octet-stream")
# Room in an embed (6,000 in all) for the names by kind, and for what changes field by field.
_SECTIONS_BUDGET = 2600
_DETAILS_BUDGET = 2800

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
        super().__init__(
            Message.counted(
                "That file has {count} problem; nothing was changed.",
                "That file has {count} problems; nothing was changed.",
                len(problems),
            )
        )
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
        text = lang.n(
            "I can't import that file; nothing was changed. Fix this problem and try again:",
            "I can't import that file; nothing was changed. Fix these {count} problems and try again:",
            len(self.problems),
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
    # Shown to everyone in the mod-log: a part whose change alone tells a spoiler is not named.
    parts = ", ".join(part_name(p, lang) for p in named_parts(change.before, change.after))
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


def batch_details(
    changes: Sequence[Change], lang: Lang, names: Mapping[str, str], budget: int = _DETAILS_BUDGET
) -> str:
    """What a batch changes, entry by entry and field by field, as a single edit's preview says it (spoilers
    behind tags), as many entries as fit in `budget` characters, then how many more. `names`: cast members'
    names by key, as they are now (those the batch adds or renames are taken from it)."""
    names = {
        **names,
        **{change.after.key: change.after.name for change in changes if isinstance(change.after, Person)},
    }
    lines: list[str] = []
    used = 0
    for index, change in enumerate(changes):
        name = _name(change, lang)
        if change.before is None:
            text = lang.t("➕ **{name}**: added", name=name)
        elif change.after is None:
            text = lang.t("➖ **{name}**: removed", name=name)
        else:
            parts = change_lines(change.before, change.after, lang, names)
            text = f"✏️ **{name}**\n" + "\n".join(parts)
        more = lang.t("…and {count} more", count=len(changes) - index)
        if used + len(text) + len(more) + 2 > budget:
            lines.append(more)
            break
        lines.append(text)
        used += len(text) + 1
    return "\n".join(lines)


def batch_message(pending: PendingEdit, lang: Lang, names: Mapping[str, str]) -> tuple[str, discord.Embed]:
    """What a batch preview says and shows. Pure, and for thousands of entries CPU work: run in a thread."""
    added, changed, removed = counts(pending.changes)
    embed = card(
        title=lang.t(
            "{added} added, {changed} changed, {removed} removed",
            added=added,
            changed=changed,
            removed=removed,
        ),
        description=batch_details(pending.changes, lang, names),
        fields=[Field(name, value) for name, value in sections(pending.changes, lang)],
        lang=lang,
    )
    lines = [note.render(lang) for note in pending.notes]
    levels = level_lines(pending.changes, lang, limit=6)
    if levels:
        lines.append(
            lang.t("**Spoiler levels** (who sees it plainly):")
            + "\n"
            + "\n".join(f"• {line}" for line in levels)
        )
    return "\n".join(lines), embed


async def send_batch_preview(interaction: discord.Interaction, bot: AoadBot, pending: PendingEdit) -> None:
    """What a batch (an import, or undoing one) would change, by kind, entry and field, with Apply and Cancel."""
    lang = lang_of(interaction)
    names = {person.key: person.name for person in (await bot.store.catalog(pending.guild_id)).people}
    content, embed = await asyncio.to_thread(batch_message, pending, lang, names)
    content = truncate(content + await failing_note(bot, pending.guild_id, lang), CONTENT_LIMIT)
    draft = draft_of(pending, Shown(content, embed.to_dict(), lang.code, False))  # type: ignore[arg-type]
    await send_stored_preview(interaction, bot, draft, content, embed)


async def export_command(bot: AoadBot, interaction: discord.Interaction) -> None:
    assert interaction.guild_id is not None
    guild_id = interaction.guild_id
    lang = lang_of(interaction)
    snapshot = await bot.store.snapshot(guild_id)
    now = utcnow()
    data = export_data(snapshot, guild_id, fallback_show=bot.store.pack.show, now=now)
    encoded = encode_file(data)
    limit = interaction.filesize_limit
    if len(encoded) > limit:
        raise UserFacingError(
            "This server's data is {size} KiB, more than the {limit} KiB Discord lets me upload here, so I "
            "can't send it as a file.",
            size=len(encoded) // 1024,
            limit=limit // 1024,
        )
    filename = f"aoad-{guild_id}-{now:%Y%m%d-%H%M%S}.json"
    send = interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
    await send(
        lang.t(
            "This server's data: {people}, {characters}, {seasons} and {news}. `/manage import` reads it back, "
            "here or in another server.",
            people=lang.n("{count} cast member", "{count} cast members", len(data.people)),
            characters=lang.n("{count} character", "{count} characters", len(data.characters)),
            seasons=lang.n("{count} season", "{count} seasons", len(data.seasons)),
            news=lang.n("{count} news entry", "{count} news entries", len(data.news)),
        ),
        file=discord.File(io.BytesIO(encoded), filename=filename, description="All of Us Are Dead bot data"),
        ephemeral=True,
    )


async def import_command(bot: AoadBot, interaction: discord.Interaction, file: discord.Attachment) -> None:
    assert interaction.guild_id is not None
    guild_id = interaction.guild_id
    check_upload(file)
    await interaction.response.defer(ephemeral=True, thinking=True)
    raw = await download(file)
    try:
        # Reading and checking a file of tens of thousands of entries is CPU work: off the event loop.
        data = await asyncio.to_thread(decode_file, raw)
    except ImportProblems as exc:
        raise ImportRejected(exc.problems) from None
    snapshot = await bot.store.snapshot(guild_id)
    changes = await asyncio.to_thread(plan_import, snapshot, data)
    if not changes:
        raise UserFacingError("Nothing to change: this server's data is already exactly what the file holds.")
    server = await server_lang(bot, interaction)
    added, changed, removed = counts(changes)
    pending = PendingEdit(
        guild_id,
        changes,
        summary_title(changes, server),
        sections_text(changes, server),
        announce_by_default=False,
        summary=ENGLISH.t(
            "Imported {file}: {added} added, {changed} changed, {removed} removed",
            file=truncate(file.filename, 80),
            added=added,
            changed=changed,
            removed=removed,
        ),
        batch=True,
        expected_state=snapshot.state,
        quiet=True,
        notes=[
            Message.of(
                "**Preview of the import** of {file}, exported {when}. Nothing changes until you press **Apply**. "
                "It is saved as one revision (`/manage revert` undoes it whole) and announced nowhere; the mod-log "
                "gets one line.",
                file=escape(truncate(file.filename, 80)),
                when=discord.utils.format_dt(data.exported_at, "f"),
            )
        ],
    )
    await send_batch_preview(interaction, bot, pending)
