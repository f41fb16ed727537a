"""A moderator's change in words: what the preview shows, what it announces, and what the rules said of it.

Everything here is pure. What moderators type is read by `bot.rules` (the one place each rule about the data
is written); this module turns the result into a pending change and describes it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.cards import STAGE_WORDS, label_text
from bot.catalog import Catalog
from bot.dates import parse_release
from bot.i18n import ENGLISH, N_, Lang, Message
from bot.models import (
    SPOILER_ORDER,
    Character,
    Entry,
    Fact,
    LabelledFact,
    NewsItem,
    Person,
    Season,
    Source,
    SpoilerLevel,
    Stage,
    entry_key,
    entry_kind,
)
from bot.moderation_store import Change
from bot.render import escape, spoiler, with_provenance
from bot.rules import (
    DEFAULT_CONFIDENCE,
    Problem,
    Problems,
    Raised,
    RuleViolation,
    apply_changes,
    change_problems,
    effective_level,
    level_changes,
    raise_spoilers,
    seasons_shown,
    state_problems,
    tells_by_changing,
)

_KEY_CHARS = re.compile(r"[^a-z0-9]+")
# Entries from which a server's state is checked in a worker thread, and its moderators' commands are deferred.
LARGE_STATE = 5000
# Stands in for a fact whose typed text or sources were refused, so that the rest of what was typed can still be
# checked against the data (a name taken, a date out of order) and every problem told at once.
STAND_IN = Fact(text="…", confidence="unconfirmed", sources=(Source(name="…", published="2000"),))


@dataclass
class PendingEdit:
    """A change a moderator has asked for, not yet saved: what the preview shows and Post/Save commit."""

    guild_id: int
    changes: list[Change]
    title: str
    body: str
    # Typo fixes should not ping anyone: edits that merely correct default to "Save without announcing".
    announce_by_default: bool = True
    reverts: int | None = None
    # Said to the moderator in the preview, in their language.
    notes: list[Message] = field(default_factory=list)
    # The title in English, for the revision history (the title itself is in the server's language).
    summary: str = ""
    # All the changes as one revision, undone as a whole (an import, or undoing one).
    batch: bool = False
    # Save only if no entry of the server changed since this snapshot state (see Store.snapshot).
    expected_state: str | None = None
    # A bulk restore announces nothing: the preview offers Apply instead of Post and Save.
    quiet: bool = False
    # A fuller version of the change the preview offers with a button of this label (setting an exact release
    # date offers to set the stage too).
    offer: PendingEdit | None = None
    offer_label: Message | None = None


def new_key(name: str, taken: set[str]) -> str:
    """A stable key for a new entry from its name: "Ma-ru" → "ma-ru", made unique."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = _KEY_CHARS.sub("-", ascii_name.lower()).strip("-")[:50].strip("-") or "entry"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def fact_block(fact: Fact, lang: Lang = ENGLISH, level: SpoilerLevel | None = None) -> str:
    """A fact as an announcement shows it: behind a spoiler tag if it is one (at `level`, when the rules
    decided more than was stored), the spoilers a moderator marked kept, with confidence and sources."""
    text = lang.pick(fact.text, fact.text_ko) or fact.text
    hidden = SPOILER_ORDER[level or fact.spoiler] > 0
    return with_provenance(text, fact, lang, hidden=hidden)


def label_of(entry: Entry, lang: Lang = ENGLISH) -> str:
    if isinstance(entry, Season):
        return lang.t("Season {number}", number=entry.number)
    if isinstance(entry, NewsItem):
        return lang.t("Season {season} news of {date}", season=entry.season, date=entry.date)
    if isinstance(entry, Character | Person):
        return entry.name
    return entry.title


def ref(entry: Entry) -> str:
    """How the history names an entry: "character:choi-nam-ra"."""
    return f"{entry_kind(entry)}:{entry_key(entry)}"


def stage_words(stage: Stage, lang: Lang = ENGLISH) -> str:
    """ "post-production", "in production": as a title says it."""
    words = lang.t(STAGE_WORDS[stage])
    return words.lower() if lang.code == "en" else words


@dataclass(frozen=True)
class StageWords(Message):
    """A stage in words (`stage_words`), put in the language of whoever reads the message it is part of."""

    def render(self, lang: Lang) -> str:
        return stage_words(Stage(self.template), lang)


def changed_parts(before: Entry, after: Entry) -> list[str]:
    """The top-level fields that differ, in field order."""
    return [
        name
        for name in type(after).__struct_fields__
        if getattr(before, name, None) != getattr(after, name, None)
    ]


PART_NAMES = {
    "profile": N_("who they are"),
    "fate": N_("Season 1 fate"),
    "season2": N_("Season 2"),
    "hangul": N_("Hangul name"),
    "aliases": N_("aliases"),
    "variants": N_("spellings"),
    "actor": N_("actor"),
    "season2_actor": N_("actor from Season 2 on"),
    "name": N_("name"),
    "seasons": N_("seasons"),
    "stage": N_("stage"),
    "stage_fact": N_("about the stage"),
    "release": N_("release date"),
    "release_fact": N_("about the release date"),
    "facts": N_("facts"),
    "text": N_("text"),
    "text_ko": N_("Korean text"),
    "date": N_("date"),
    "confidence": N_("confidence"),
    "sources": N_("sources"),
    "spoiler": N_("spoiler level"),
    "title": N_("title"),
    "title_ko": N_("Korean title"),
    "streaming_service": N_("streaming service"),
    "key": N_("key"),
    "season": N_("season"),
    "label": N_("label"),
    "status": N_("status"),
}


def part_name(part: str, lang: Lang) -> str:
    """A field path in words: "fate.sources" → "Season 1 fate: sources"."""
    names = []
    for piece in re.sub(r"\[\d+\]", "", part).split("."):
        names.append(lang.t(PART_NAMES[piece]) if piece in PART_NAMES else piece)
    return ": ".join(name for name in names if name)


def describe_update(
    before: Entry,
    after: Entry,
    lang: Lang = ENGLISH,
    names: Mapping[str, str] | None = None,
    *,
    reverted: bool = False,
) -> tuple[str, str]:
    """A title and body for an edited entry (`reverted`: by undoing a revision). Spoiler facts stay behind
    tags; the title names parts only, and not those whose mere change is a spoiler (a Season 1 character's
    Season 2 news, later seasons or Season 2 actor): the title is shown to everyone, as a thread's name too.
    `names`: cast members' names by key."""
    parts = named_parts(before, after)
    name = label_of(after, lang)
    if parts:
        shown = ", ".join(part_name(p, lang) for p in parts)
        if reverted:
            title = lang.t("Reverted: {name} ({parts})", name=name, parts=shown)
        else:
            title = lang.t("Updated: {name} ({parts})", name=name, parts=shown)
    else:
        title = lang.t("Reverted: {name}", name=name) if reverted else lang.t("Updated: {name}", name=name)
    return title, "\n".join(change_lines(before, after, lang, names)) or lang.t("No visible change.")


def named_parts(before: Entry, after: Entry) -> list[str]:
    """The changed parts of an entry that a title or a list shown to everyone may name: not those whose mere
    change is a spoiler (`tells_by_changing`)."""
    return [p for p in changed_parts(before, after) if not _telling(after, p) and not _telling(before, p)]


def _telling(entry: Entry, part: str) -> bool:
    """Whether that this part changed at all tells a spoiler (it has a spoiler floor for being there)."""
    return tells_by_changing(entry, part)


def change_lines(
    before: Entry, after: Entry, lang: Lang = ENGLISH, names: Mapping[str, str] | None = None
) -> list[str]:
    """Each changed field of an entry as the announcement shows it (spoilers hidden as for everyone)."""
    lines = []
    parts = changed_parts(before, after)
    if isinstance(after, NewsItem) and set(parts) & _FACT_PARTS:
        # A news item is a fact itself: its text, confidence and sources are shown as one, hidden as one.
        heading = part_name("text", lang)
        lines.append(
            f"**{heading[:1].upper() + heading[1:]}:** {fact_block(after, lang, effective_level(after, '', after))}"
        )
        parts = [part for part in parts if part not in _FACT_PARTS]
    for part in parts:
        value = getattr(after, part)
        heading = part_name(part, lang)
        heading = heading[:1].upper() + heading[1:]
        telling = _telling(after, part) or _telling(before, part)
        if isinstance(value, Fact):
            if telling:
                # What the part is called would tell it too: one spoiler holds it with the whole text.
                text = lang.pick(value.text, value.text_ko) or value.text
                lines.append(with_provenance(f"{heading}: {text}", value, lang, hidden=True))
            else:
                lines.append(f"**{heading}:** {fact_block(value, lang, effective_level(after, part, value))}")
        elif value is None:
            removed = lang.t("removed")
            lines.append(spoiler(f"{heading}: {removed}") if telling else f"**{heading}:** {removed}")
        elif part == "seasons" and isinstance(after, Character):
            if telling:
                lines.append(spoiler(f"{heading}: {', '.join(map(str, after.seasons))}"))
            else:
                lines.append(f"**{heading}:** {seasons_block(after, lang)}")
        elif part in ("actor", "season2_actor") and isinstance(value, str):
            actor = escape(names.get(value, value) if names else value)
            lines.append(spoiler(f"{heading}: {actor}") if telling else f"**{heading}:** {actor}")
        elif isinstance(value, tuple):
            shown = ", ".join(
                (
                    escape(label_text(v, lang))
                    if effective_level(after, f"{part}[{index}]", v) == "none"
                    else spoiler(escape(label_text(v, lang)))  # what a hidden fact is about tells too
                )
                if isinstance(v, LabelledFact)
                else escape(str(v))
                for index, v in enumerate(value)
            )
            lines.append(f"**{heading}:** {shown or '—'}")
        elif isinstance(value, Stage):
            lines.append(f"**{heading}:** {stage_words(value, lang)}")
        elif part == "release" and isinstance(value, str):
            lines.append(f"**{heading}:** {parse_release(value).words(lang)}")
        else:
            lines.append(f"**{heading}:** {escape(str(value))}")
    return lines


# The parts of a news item that make the fact it is.
_FACT_PARTS = frozenset(Fact.__struct_fields__)


def seasons_block(character: Character, lang: Lang) -> str:
    """The seasons a character appears in, for everyone: what only Season 2 fans may learn is a spoiler."""
    public = seasons_shown(character, "none")
    shown = ", ".join(str(n) for n in public)
    rest = [n for n in character.seasons if n not in public]
    if not rest:
        return shown
    hidden = ", ".join(str(n) for n in rest)
    return f"{shown}, {spoiler(hidden)}" if shown else spoiler(hidden)


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


# -- what the rules said, for the preview -----------------------------------------------------------------

_LEVEL_WORDS = {
    "none": N_("none (shown to everyone)"),
    "s1": N_("s1 (Season 1 spoiler)"),
    "s2": N_("s2 (Season 2 spoiler)"),
}


def with_spoiler_rules(entry: Entry, notes: list[Message]) -> Entry:
    """The entry with every spoiler level the rules demand, each raise told in `notes`."""
    raised_entry, raised = raise_spoilers(entry)
    notes.extend(raised_note(entry, item) for item in raised)
    return raised_entry


def raised_note(entry: Entry, raised: Raised) -> Message:
    return Message.of(
        "🔒 **{part}** is saved as {level}, not {typed}: {reason}.",
        part=Message.of(PART_NAMES.get(raised.path, raised.path)),
        level=Message.of(_LEVEL_WORDS[raised.level]),
        typed=raised.typed,
        reason=Message.of(raised.reason),
    )


def assumed_confidence_note(what: Message) -> Message:
    return Message.of(
        "No confidence was chosen for {what}, so it is saved as _{confidence}_ (choose `confirmed` or "
        "`reported` when the sources say so).",
        what=what,
        confidence=Message.of(DEFAULT_CONFIDENCE),
    )


def level_lines(changes: Sequence[Change], lang: Lang, limit: int = 12) -> list[str]:
    """Each changed fact's spoiler level after the change; a level a change lowers first, and said so."""
    lowered: list[str] = []
    others: list[str] = []
    for change in changes:
        entry = change.after or change.before
        assert entry is not None
        name = escape(label_of(entry, lang))
        for item in level_changes(change.before, change.after):
            part = part_name(item.path, lang) if item.path else lang.t("the news")
            after = lang.t(_LEVEL_WORDS[item.after]) if item.after else "—"
            if item.lowered:
                lowered.append(
                    lang.t(
                        "⚠️ {name}, {part}: lowered from {before} to {after}: more readers will see it plainly.",
                        name=name,
                        part=part,
                        before=item.before,
                        after=after,
                    )
                )
            elif tells_by_changing(entry, item.path.split("[", 1)[0]):
                # That the part is there at all tells (a Season 1 character's Season 2 news): behind a spoiler.
                told = lang.t("{part}: {level}", part=part, level=after)
                others.append(f"{name}, {spoiler(told)}")
            else:
                others.append(lang.t("{name}, {part}: {level}", name=name, part=part, level=after))
    lines = lowered + others
    if len(lines) > limit:
        lines = [*lines[:limit], lang.t("…and {count} more", count=len(lines) - limit)]
    return lines


# -- checking a change against the rules ------------------------------------------------------------------


def catalog_entries(catalog: Catalog) -> list[Entry]:
    return [catalog.show, *catalog.people, *catalog.characters, *catalog.seasons, *catalog.news]


async def check_changes(
    current: Iterable[Entry],
    changes: Sequence[Change],
    labels: Mapping[str, Message] | None = None,
    problems: Problems | None = None,
    stand_ins: Iterable[str] = (),
) -> None:
    """`checked_changes`, in a worker thread for a large server (checking 100,000 entries' names takes
    seconds of CPU, which must not stall the event loop)."""
    current = list(current)
    if len(current) > LARGE_STATE:
        await asyncio.to_thread(checked_changes, current, changes, labels, problems, stand_ins)
    else:
        checked_changes(current, changes, labels, problems, stand_ins)


def checked_changes(
    current: Iterable[Entry],
    changes: Sequence[Change],
    labels: Mapping[str, Message] | None = None,
    problems: Problems | None = None,
    stand_ins: Iterable[str] = (),
) -> None:
    """Refuse a change that would break a rule about the data (all it would break, at once).

    Only what the change introduces counts. `labels` name the option or form field each entry field was
    typed in (by path prefix: "name", "profile", "release"), so a problem names what to fix. With `problems`
    (what was typed, read so far), the change's problems join them instead, but for the entry fields in
    `stand_ins` (refused as typed, the change holds a stand-in for them): the caller refuses all at once.
    """
    current = list(current)
    changed = {(c.kind, c.key) for c in changes}
    after = apply_changes(current, ((c.kind, c.key, c.after) for c in changes))
    # What was wrong before the change (data saved before a rule existed) is not this change's doing.
    before = {p.identity for p in state_problems(current, changed=changed)}
    by_where: dict[tuple[str, str], Entry] = {(entry_kind(e), entry_key(e)): e for e in after}
    transitions = [p for c in changes for p in change_problems(c.before, c.after)]
    stand_in = tuple(stand_ins)
    found = [
        _labelled(p, labels or {}, by_where)
        for p in [*transitions, *state_problems(after, changed=changed)]
        if p.identity not in before and not (p.field and p.field.startswith(stand_in) if stand_in else False)
    ]
    if problems is None:
        if found:
            raise RuleViolation(found)
        return
    problems.extend(found)


@dataclass(frozen=True)
class EntryField(Message):
    """Where a problem is, in words: "**Season 2 news of 2026-12-07** (season)"."""

    def render(self, lang: Lang) -> str:
        entry: Entry = self.values["entry"]
        shown = f"**{escape(label_of(entry, lang))}**"
        return f"{shown} ({part_name(self.template, lang)})" if self.template else shown


def _labelled(
    problem: Problem, labels: Mapping[str, Message], after: Mapping[tuple[str, str], Entry]
) -> Problem:
    if problem.field is not None:
        for prefix, label in labels.items():
            if problem.field == prefix or problem.field.startswith((prefix + ".", prefix + "[")):
                return Problem(problem.what, label=label)
    entry = after.get((problem.kind or "", problem.key or ""))
    if entry is not None:
        # Not typed here (a revert, say): named by its entry and field, in words.
        label = EntryField(problem.field or "", {"entry": entry})
        return Problem(problem.what, problem.kind, problem.key, problem.field, label)
    return problem
