"""The revision history, readable: who changed what, when, and a field-by-field diff."""

from __future__ import annotations

from typing import Any

import discord
import msgspec
from discord import app_commands

from bot.catalog import Catalog
from bot.i18n import ENGLISH, Lang
from bot.models import Entry
from bot.moderation_store import BATCH, Revision
from bot.render import Field, card, escape, truncate
from bot.search import characters_of, people_of
from bot.store import Store

# A history pager names its entry in its buttons' custom ids (100 characters at most): the kind by a letter.
HISTORY_KINDS = {"c": "character", "p": "person", "s": "season", "n": "news", "w": "show"}


def history_arg(entry: str | None) -> str:
    if entry is None:
        return ""
    kind, _, key = entry.partition(":")
    letter = next((k for k, v in HISTORY_KINDS.items() if v == kind), None)
    # A kind no entry has finds no revisions: one page, no buttons.
    return f"{letter}{key}" if letter is not None else f"?{key}"


async def history_of(store: Store, guild_id: int, arg: str, lang: Lang) -> list[discord.Embed]:
    """The history pages, of the server or of one entry (`arg` from `history_arg`)."""
    if not arg:
        return history_pages(await store.revisions(guild_id, limit=200), lang.t("History"), lang)
    kind, key = HISTORY_KINDS.get(arg[0], arg[0]), arg[1:]
    revisions = await store.revisions(guild_id, kind=kind, key=key, limit=200)
    return history_pages(revisions, lang.t("History of {entry}", entry=f"{kind}:{key}"), lang)


def history_choices(catalog: Catalog, current: str, lang: Lang) -> list[app_commands.Choice[str]]:
    """What `entry` autocompletes to: seasons, characters, cast members and news matching what was typed."""
    choices = [
        *(
            app_commands.Choice(name=lang.t("Season {number}", number=s.number), value=f"season:{s.number}")
            for s in catalog.seasons
        ),
        *(
            app_commands.Choice(name=label, value=f"character:{key}")
            for key, label in ((h.key, h.label) for h in characters_of(catalog).search(current, 10))
        ),
        *(
            app_commands.Choice(name=label, value=f"person:{key}")
            for key, label in ((h.key, h.label) for h in people_of(catalog).search(current, 10))
        ),
        *(
            app_commands.Choice(
                name=truncate(lang.t("News {date}: {text}", date=n.date, text=n.text), 100),
                value=f"news:{n.key}",
            )
            for n in catalog.news
            if current.casefold() in n.text.casefold()
        ),
    ]
    typed = current.casefold()
    ranked = [c for c in choices if typed in c.name.casefold()] + [
        c for c in choices if typed not in c.name.casefold()
    ]
    return ranked[:25]


PER_PAGE = 5
# Lines of a revision's diff shown in the history, at most (the last says how many more there are).
DIFF_LINES = 8
VALUE_PREVIEW = 80


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """An entry as path → text, so two versions compare field by field ("fate.text", "aliases")."""
    if isinstance(value, dict):
        flat: dict[str, str] = {}
        for name, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{name}" if prefix else str(name)))
        return flat
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        flat = {}
        for index, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}[{index + 1}]"))
        return flat
    if isinstance(value, list):
        return {prefix: ", ".join(map(str, value))}
    return {prefix: "" if value is None else str(value)}


def diff_lines(before: Entry | None, after: Entry | None, lang: Lang = ENGLISH) -> list[str]:
    if before is None and after is None:
        return []
    if before is None:
        return [lang.t("created")]
    if after is None:
        return [lang.t("removed")]
    old = _flatten(msgspec.to_builtins(before))
    new = _flatten(msgspec.to_builtins(after))
    lines = []
    for path in sorted(set(old) | set(new)):
        was, now = old.get(path, ""), new.get(path, "")
        if was != now:
            shown_was = escape(truncate(was, VALUE_PREVIEW)) or "∅"
            shown_now = escape(truncate(now, VALUE_PREVIEW)) or "∅"
            lines.append(f"`{path}`: ~~{shown_was}~~ → {shown_now}")
    return lines or [lang.t("no visible change")]


def batch_lines(revision: Revision, lang: Lang, limit: int = 8) -> list[str]:
    """The entries a batch revision changed, one line each: `character:ma-ru`: created."""
    lines = []
    for change in revision.changes[:limit]:
        if change.before is None:
            what = lang.t("created")
        elif change.after is None:
            what = lang.t("removed")
        else:
            what = lang.t("changed")
        lines.append(f"`{change.kind}:{change.key}`: {what}")
    if len(revision.changes) > limit:
        lines.append(lang.t("…and {count} more", count=len(revision.changes) - limit))
    return lines


def history_pages(revisions: list[Revision], title: str, lang: Lang = ENGLISH) -> list[discord.Embed]:
    if not revisions:
        return [card(title=title, description=lang.t("No changes recorded yet."), lang=lang)]
    pages = []
    chunks = [revisions[i : i + PER_PAGE] for i in range(0, len(revisions), PER_PAGE)]
    for number, chunk in enumerate(chunks, start=1):
        fields = []
        for revision in chunk:
            when = discord.utils.format_dt(revision.created_at, "R")
            undo = " " + lang.t("(reverts #{number})", number=revision.reverts) if revision.reverts else ""
            if revision.kind == BATCH:
                entries = lang.n("{count} entry at once", "{count} entries at once", len(revision.changes))
                name = f"#{revision.id} · {entries}{undo}"
                details = batch_lines(revision, lang)
            else:
                name = f"#{revision.id} · {revision.kind}:{revision.key}{undo}"
                details = diff_lines(revision.before, revision.after, lang)
                if len(details) > DIFF_LINES:
                    more = len(details) - DIFF_LINES + 1
                    details = [*details[: DIFF_LINES - 1], lang.t("…and {count} more", count=more)]
            body = (
                escape(revision.summary)
                + "\n"
                + lang.t("by {author} {when}", author=escape(revision.author_name), when=when)
                + "\n"
                + "\n".join(details)
            )
            fields.append(Field(name, body))
        pages.append(
            card(
                title=f"{title} ({number}/{len(chunks)})",
                fields=fields,
                footer=lang.t("Undo a change with /manage revert revision:<number>"),
                lang=lang,
            )
        )
    return pages
