"""Keeping the translation catalogues complete: what the code says, and what the catalogues translate.

`python -m bot.i18n_tools` collects every message (the texts given to `lang.t`, `N_`, `Message.of` and the
errors, the singular and plural of `lang.n` and `Message.counted`, plus every command's names, descriptions
and choices) and brings each language's `messages.po` up to date: new messages are added untranslated,
translations of messages that are gone are dropped. The tests use the same collection to fail when a message
has no translation or its placeholders differ.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po
from discord import app_commands

from bot.i18n import LANGUAGES, LOCALES_DIR, NAME_CONTEXT

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("bot", "cogs")
# The calls whose first argument is a catalogue text, or whose first two are a counted message's singular and
# plural (Babel's keyword spec: the argument numbers of msgid and msgid_plural).
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "t": None,
    "n": (1, 2),
    "counted": (1, 2),
    "N_": None,
    "of": None,
    "UserFacingError": None,
    "NotModerator": None,
    "DateError": None,
    "OffsetError": None,
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, order=True)
class Entry:
    context: str | None
    text: str
    where: str
    # A counted message: `text` is the English singular, this the plural.
    plural: str | None = None

    @property
    def id(self) -> str | tuple[str, str]:
        """The message id as Babel has it: the text, or (singular, plural)."""
        return self.text if self.plural is None else (self.text, self.plural)


def code_messages() -> list[Entry]:
    """Every catalogue text in the code, with the first place it appears."""
    found: dict[str | tuple[str, str], Entry] = {}
    for directory in SOURCE_DIRS:
        for filename, _line, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT / directory,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=(),
        ):
            where = f"{directory}/{filename}"
            if isinstance(message, str) and message:
                entry = Entry(None, message, where)
            elif isinstance(message, tuple) and len(message) == 2 and all(message):
                entry = Entry(None, message[0], where, plural=message[1])
            else:
                continue
            found.setdefault(entry.id, entry)
    return list(found.values())


def _command_strings(tree: app_commands.CommandTree) -> Iterator[Entry]:
    for command in tree.walk_commands():
        where = f"/{command.qualified_name}"
        yield Entry(NAME_CONTEXT, command.name, where)
        yield Entry(None, command.description, where)
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                yield Entry(NAME_CONTEXT, parameter.name, f"{where} {parameter.name}")
                yield Entry(None, parameter.description, f"{where} {parameter.name}")
                for choice in parameter.choices:
                    yield Entry(None, choice.name, f"{where} {parameter.name}")


async def _load_tree() -> app_commands.CommandTree:
    from bot.client import AoadBot
    from bot.settings import Secret, Settings
    from bot.store import Store

    # Loading the extensions builds the command tree; nothing connects and no store is needed for that.
    bot = AoadBot(settings=Settings(token=Secret("unused")), store=cast(Store, None))
    await bot.load_all_extensions()
    return bot.tree


def command_messages() -> list[Entry]:
    """Every command's, group's and option's name and description, and every choice, as Discord shows them."""
    tree = asyncio.run(_load_tree())
    seen: dict[tuple[str | None, str], Entry] = {}
    for entry in _command_strings(tree):
        seen.setdefault((entry.context, entry.text), entry)
    return list(seen.values())


def all_messages() -> list[Entry]:
    return code_messages() + command_messages()


def catalogue_path(code: str) -> Path:
    return LOCALES_DIR / code / "LC_MESSAGES" / "messages.po"


def read_catalogue(code: str) -> Catalog:
    path = catalogue_path(code)
    if not path.exists():
        return Catalog(locale=code, project="aoad-bot")
    with path.open("rb") as file:
        return read_po(file, locale=code)


def update(code: str, entries: list[Entry]) -> tuple[int, int]:
    """Bring one language's catalogue up to date. Returns (added, dropped)."""
    old = read_catalogue(code)
    # The old date kept: a run that changes no message leaves the file as it was.
    new = Catalog(locale=code, project="aoad-bot", fuzzy=False, creation_date=old.creation_date)
    added = 0
    wanted = {(e.context, e.id) for e in entries}
    for entry in sorted(entries, key=lambda e: (e.context or "", e.text, e.plural or "")):
        previous = old.get(entry.text, context=entry.context)
        # Babel finds a counted message by its singular alone: a translation is kept only for the same ids.
        if previous is not None and previous.id == entry.id:
            string = previous.string
        else:
            added += 1
            string = tuple("" for _ in range(new.num_plurals)) if entry.plural is not None else ""
        new.add(entry.id, string=string, context=entry.context, locations=[(entry.where, 0)])
    dropped = sum(1 for m in old if m.id and (m.context, m.id) not in wanted)
    path = catalogue_path(code)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, new, width=110, omit_header=False, sort_output=False, include_lineno=False)
    return added, dropped


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def main() -> int:
    entries = all_messages()
    for code in LANGUAGES:
        if code == "en":
            continue
        added, dropped = update(code, entries)
        print(f"{code}: {len(entries)} messages, {added} new, {dropped} dropped ({catalogue_path(code)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
