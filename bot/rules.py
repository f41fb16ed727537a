"""The rules that make the data trustworthy, each written once.

Every path that writes data calls these and no other copy of them: the pack loader (`bot.pack`), the
moderator commands and forms (`cogs.manage`), `/manage import` (`bot.portable`) and `/manage revert`, single
and batch. The cards call the spoiler rules too, so data saved before a rule existed is still drawn safely.

- **Text**: trimmed, NFC, no control or invisible characters, within its length; `||…||` marks a spoiler
  and comes in pairs (`typed_text`, `spoiler_marks_problem`).
- **Spoilers**: decided by what a fact reveals, whoever typed it. A Season 1 fate is at least `s1`; a Season
  1 character's Season 2 news or status is at least `s2`; the seasons a Season 1 character appears in say no
  more than Season 1 to anyone below `s2` (`spoiler_floor`, `effective_level`, `seasons_shown`).
- **Confidence**: never assumed. A fact saved without a choice is `unconfirmed` (`typed_confidence`).
- **Sources**: one link (http or https, its host shown) or one publication and date. A line with two links is
  two sources; a source's name never names an address other than its link's (`parse_source_line`,
  `source_problems`).
- **Names**: a name, alias, variant or Hangul name identifies one entry (`name_problems`).
- **Stages and dates**: a stage reads as a sentence (`stage_sentence`); a season premieres after the one
  before it (`release_order_problems`).
- **Casting**: a character's `actor` played them first; a Season 1 character played by someone new from
  Season 2 on keeps their Season 1 actor and gets a `season2_actor`, Season 2 news (`casting_field`).
- **References**: a character's actors are cast members; a news item's season exists (`reference_problems`).

Typed input is read by the `typed_*` functions, which collect every problem of what was typed into a
`Problems` list, each naming the option or form field, instead of stopping at the first. The state a change
leads to is checked whole by `state_problems`, which reports only what the change introduces when told which
entries changed (a rule that was broken before is not the moderator's fault).

Everything here is pure: no I/O, no Discord.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import parse_qsl, unquote, urlsplit

import msgspec

from bot.dates import DateError, check_rough_date, day_has_begun, first_day, parse_release
from bot.errors import UserFacingError
from bot.i18n import ENGLISH, N_, NAME_CONTEXT, Lang, Message, catalogue
from bot.models import (
    SPOILER_ORDER,
    Character,
    Confidence,
    Entry,
    Fact,
    LabelledFact,
    NewsItem,
    Person,
    Season,
    Season2Role,
    Show,
    Source,
    SpoilerLevel,
    Stage,
    entry_key,
    entry_kind,
)
from bot.render import CONTENT_LIMIT, display_host, escape, names_other_site, truncate
from bot.search import fold

NAME_LIMIT = 100
TEXT_LIMIT = 1000
URL_LIMIT = 512
SOURCES_LIMIT = 10
NAMES_LIMIT = 25
NOTE_LIMIT = 1000

CONFIDENCES: tuple[Confidence, ...] = ("confirmed", "reported", "unconfirmed")
SPOILERS: tuple[SpoilerLevel, ...] = ("none", "s1", "s2")
# What a fact saved without a chosen confidence is: never more than the weakest.
DEFAULT_CONFIDENCE: Confidence = "unconfirmed"
SPOILER_MARK = "||"

Where = tuple[str, str]  # (kind, key)


# -- problems ----------------------------------------------------------------------------------------------

_KIND_LABELS: dict[str, str] = {
    "show": N_("the show “{key}”"),
    "person": N_("cast member “{key}”"),
    "character": N_("character “{key}”"),
    "season": N_("season “{key}”"),
    "news": N_("news “{key}”"),
}


@dataclass(frozen=True)
class OptionName(Message):
    """A command option's name as the reader's Discord shows it (`source`, `출처`), for naming what was typed."""

    def render(self, lang: Lang) -> str:
        return "`" + catalogue(lang.code).get((NAME_CONTEXT, self.template), self.template) + "`"

    @classmethod
    def named(cls, name: str) -> OptionName:
        return cls(name, {})


@dataclass(frozen=True)
class Problem:
    """One thing that keeps data from being saved, and where it is.

    In a file (the pack, an import) a problem names its entry (kind and key) and the field's path. In what a
    moderator typed, it names the option or form field (`label`) instead, as the moderator sees it.
    """

    what: Message
    kind: str | None = None
    key: str | None = None
    field: str | None = None
    label: Message | None = None

    def render(self, lang: Lang) -> str:
        what = self.what.render(lang)
        if self.label is not None:
            return lang.t("{field}: {problem}", field=self.label.render(lang), problem=what)
        if self.kind is None:
            return (
                what if self.field is None else lang.t("`{field}`: {problem}", field=self.field, problem=what)
            )
        entry = lang.t(_KIND_LABELS[self.kind], key=self.key)
        if self.field is None:
            return lang.t("{entry}: {problem}", entry=entry, problem=what)
        return lang.t("{entry}, field `{field}`: {problem}", entry=entry, field=self.field, problem=what)

    @property
    def identity(self) -> tuple[str | None, ...]:
        """What tells two problems apart: where, and what in words."""
        return (self.kind, self.key, self.field, self.what.render(ENGLISH))


class Problems(list[Problem]):
    """Every problem found so far in what was typed; `check()` refuses it all at once."""

    def add(self, what: Message, label: Message | None = None, **where: str | None) -> None:
        self.append(Problem(what, label=label, **where))

    def check(self) -> None:
        if self:
            raise RuleViolation(self)


class RuleViolation(UserFacingError):
    """What a moderator typed (or a change would lead to) breaks rules: every problem, each naming its field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(
            Message.counted(
                "That can't be saved ({count} problem); nothing was saved.",
                "That can't be saved ({count} problems); nothing was saved.",
                len(problems),
            )
        )
        self.problems = list(problems)

    def render(self, lang: Lang) -> str:
        if len(self.problems) == 1:
            return truncate(
                lang.t("Nothing was saved: {problem}", problem=self.problems[0].render(lang)), CONTENT_LIMIT
            )
        heading = lang.n(
            "Nothing was saved. Please fix this thing and try again:",
            "Nothing was saved. Please fix these {count} things and try again:",
            len(self.problems),
        )
        return listing(heading, [p.render(lang) for p in self.problems], lang)


def listing(heading: str, lines: Sequence[str], lang: Lang, limit: int = CONTENT_LIMIT) -> str:
    """A heading and bulleted lines within `limit` characters, saying how many did not fit."""
    text = heading
    for index, line in enumerate(lines):
        item = "\n• " + line
        reserve = 60 if index + 1 < len(lines) else 0
        if len(text) + len(item) + reserve > limit:
            return text + "\n" + lang.t("…and {count} more.", count=len(lines) - index)
        text += item
    return text


# -- text --------------------------------------------------------------------------------------------------


# Letters that draw as nothing (Hangul fillers, the blank braille cell, Khmer and Mongolian vowel marks): a name of
# them would look empty, and one holding them would look like another.
_BLANK_LETTERS = frozenset(
    "\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f"
    "\U00016fe4\U0001bc9d\U0001bc9e\U0001d159"
    # The combining grapheme joiner and the variation selectors: marks that change nothing drawn.
    "\u034f" + "".join(map(chr, range(0xFE00, 0xFE10))) + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


def clean_text(text: str | None) -> str:
    """NFC, without control or invisible characters (newlines and tabs stay), trimmed."""
    value = unicodedata.normalize("NFC", text or "")
    return "".join(
        ch
        for ch in value
        if ch in "\n\t" or (unicodedata.category(ch)[0] != "C" and ch not in _BLANK_LETTERS)
    ).strip()


# Letters of other alphabets drawn like Latin ones in most fonts (and see `_WHOLLY_LOOKALIKE`).
_LATIN_LOOKALIKES = frozenset(
    "АВЕЅІЈКМНОРСТХУҮҺӀѴѵԚԜаеѕіјорсухүһԁԛԝӏгԌԍ"  # Cyrillic
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧονιαρτυκϹϲϳͿ"  # Greek
    "ՏՕոօսհցզգ"  # Armenian
)
# Alphabets whose letters nearly all look like Latin ones, and the Latin letters drawn like other Latin ones:
# phonetic ones (ɡ for g, small capitals such as ʜ) and styled ones (𝐚, ℂ, Ｃ, Ⅽ: the same letter by NFKC).
_WHOLLY_LOOKALIKE = frozenset(
    {"CHEROKEE", "LISU", "COPTIC", "CANADIAN", "TIFINAGH", "NKO", "OLD", "RUNIC", "PHONETIC", "STYLED"}
)
_PHONETIC_LOOKALIKES = frozenset("ɡɑɩɪɢʛʜʟɴʀʏʙƖǀ")
# Alphabets written beside Latin in one word ("BTS방탄", "Tシャツ") that no one mistakes for Latin; and marks
# such as the okina of "Hawaiʻi", which are letters to Unicode but belong to no alphabet.
_NO_LOOKALIKES = frozenset(
    {"HANGUL", "CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HALFWIDTH", "IDEOGRAPHIC", "MODIFIER"}
)
# How a pseudo-alphabet of Latin letters is named to the moderator.
_SCRIPT_NAMES = {"PHONETIC": "phonetic Latin", "STYLED": "styled Latin (such as 𝐛𝐨𝐥𝐝, ℂ or Ｃ)"}


def lookalike_problem(text: str) -> Message | None:
    """A name whose letters look like Latin letters they are not ("Chоi" with a Cyrillic о, "Nam-га", "ɡoogle"
    with a phonetic ɡ, "ВВС" in Cyrillic, "ℂhoi") looks like a name it is not: refused wherever a name is typed.

    Refused: a word mixing alphabets; and a word wholly of Latin-looking letters of another alphabet when the
    rest of the name is Latin or when every word is such a word. A word in another alphabet that does not read
    as Latin ("Νίκος" beside "Nikos") stays, and so do Latin letters of real alphabets (ə, ɛ, ɔ, ŋ, ʻ)."""
    words = [(word, _scripts(word)) for word in re.findall(r"\w+", text)]
    for word, scripts in words:
        if len(scripts) > 1:
            return Message.of(
                "“{word}” mixes letters of different alphabets that look alike ({scripts}): type it in one.",
                word=escape(truncate(word, 40)),
                scripts=", ".join(sorted(_SCRIPT_NAMES.get(script, script.title()) for script in scripts)),
            )
    lettered = [(word, scripts) for word, scripts in words if scripts]
    fakes = [(word, scripts) for word, scripts in lettered if scripts != {"LATIN"} and _reads_as_latin(word)]
    # A word that reads as Latin stays only beside a word of its own alphabet that does not ("Пак Хэ Су": the
    # name is written in Cyrillic, and "Су" is a Cyrillic word of it).
    # (weighed by letters, so that one real letter does not carry a word of lookalikes: "Kim Сһое ъ").
    genuine: dict[str, int] = {}
    faked: dict[str, int] = {}
    for word, scripts in lettered:
        tally = faked if (word, scripts) in fakes else genuine
        for script in scripts:
            tally[script] = tally.get(script, 0) + len(list(_letters(word)))
    fakes = [
        (word, scripts)
        for word, scripts in fakes
        if not any(genuine.get(script, 0) >= faked[script] for script in scripts)
    ]
    if fakes:
        word, scripts = fakes[0]
        script = next(iter(scripts))
        return Message.of(
            "“{word}” is written in {script} letters that look like Latin ones: type it in Latin letters.",
            word=escape(truncate(word, 40)),
            script=_SCRIPT_NAMES.get(script, script.title()),
        )
    return None


def _letters(word: str) -> Iterator[str]:
    # Roman numerals (Ⅽ, Ⅿ) are numbers to Unicode, and drawn as Latin capitals.
    return (ch for ch in word if ch.isalpha() or unicodedata.category(ch) == "Nl")


def _scripts(word: str) -> set[str]:
    return {script for ch in _letters(word) if (script := _script(ch))}


def _reads_as_latin(word: str) -> bool:
    """Whether every letter of `word` is drawn like a Latin one, Cyrillic and Armenian accents and all ("Сһоё"
    reads as "Choë"; Greek accents mark real Greek words, "Μαρία")."""
    return all(
        ch in _LATIN_LOOKALIKES
        or (
            _script(ch) in ("CYRILLIC", "ARMENIAN")
            and unicodedata.normalize("NFD", ch)[0] in _LATIN_LOOKALIKES
        )
        or _script(ch) in _WHOLLY_LOOKALIKE
        for ch in _letters(word)
    )


def _script(ch: str) -> str | None:
    """The alphabet a letter belongs to as far as lookalikes go ("LATIN", "CYRILLIC", "PHONETIC", "STYLED"…),
    or None for letters that fake no Latin ones (see `_NO_LOOKALIKES`)."""
    same = unicodedata.normalize("NFKC", ch)
    if same != ch and same.isascii() and same.isalpha():
        # One Latin letter drawn otherwise (𝐂, ℂ, Ｃ, Ⅽ) fakes it; ligatures (ﬁ, Ĳ), numerals of several
        # letters (Ⅷ) and ordinal indicators (ª, º) are Latin as written.
        return "STYLED" if len(same) == 1 and ch not in "ªº" else "LATIN"
    name = unicodedata.name(ch, "")
    if "SMALL CAPITAL" in name or ch in _PHONETIC_LOOKALIKES:
        return "PHONETIC"
    script = name.split(" ", 1)[0]
    return None if not script or script in _NO_LOOKALIKES else script


def has_invisible(text: str, *, emoji: bool = False) -> bool:
    """Whether `text` holds a character that draws as nothing (what `clean_text` drops), newlines and tabs
    aside. With `emoji` (ordinary text, not a name or a link), variation selectors, which pick how an emoji
    is drawn ("❤️"), are let through."""
    return any(
        ch not in "\n\t"
        and (unicodedata.category(ch)[0] == "C" or ch in _BLANK_LETTERS)
        and not (emoji and ch in _VARIATION_SELECTORS)
        for ch in text
    )


_VARIATION_SELECTORS = frozenset(map(chr, range(0xFE00, 0xFE10)))


def spoiler_marks_problem(text: str) -> Message | None:
    """`||` marks a spoiler from one mark to the next: a mark left open would hide or show the wrong part."""
    if text.count(SPOILER_MARK) % 2:
        return Message.of("a ||spoiler|| mark is opened but never closed: add the closing ||, or remove it")
    return None


def typed_text(
    value: str | None,
    label: Message,
    limit: int,
    problems: Problems,
    *,
    required: bool = True,
    spoilers: bool = False,
    name: bool = False,
) -> str | None:
    """Text as typed, cleaned; None when empty and not required. `spoilers`: the text may mark spoilers.
    `name`: it is a name, which must not look like another (see `lookalike_problem`)."""
    text = clean_text(value)
    if not text:
        if required:
            problems.add(Message.of("can't be empty"), label)
        return None
    if len(text) > limit:
        problems.add(
            Message.of(
                "is {length} characters long; it can be at most {limit}.", length=len(text), limit=limit
            ),
            label,
        )
        return None
    if spoilers and (problem := spoiler_marks_problem(text)) is not None:
        problems.add(problem, label)
        return None
    if name and (problem := lookalike_problem(text)) is not None:
        problems.add(problem, label)
        return None
    return text


def typed_names(value: str | None, label: Message, problems: Problems) -> tuple[str, ...]:
    """Comma- or line-separated names (aliases, spellings), cleaned, in order, without repeats."""
    names: list[str] = []
    for part in re.split(r"[,\n]", value or ""):
        name = clean_text(part)
        if not name:
            continue
        if len(name) > NAME_LIMIT:
            problems.add(
                Message.of(
                    "“{name}” is {length} characters long; a name can be at most {limit}.",
                    name=escape(truncate(name, 40)),
                    length=len(name),
                    limit=NAME_LIMIT,
                ),
                label,
            )
            continue
        if (problem := lookalike_problem(name)) is not None:
            problems.add(problem, label)
            continue
        names.append(name)
    unique = tuple(dict.fromkeys(names))
    if len(unique) > NAMES_LIMIT:
        problems.add(
            Message.of("that is {count} names; keep it to {limit}.", count=len(unique), limit=NAMES_LIMIT),
            label,
        )
    return unique


def typed_choice(value: str | None, allowed: Sequence[str], label: Message, problems: Problems) -> str | None:
    """One of `allowed` (case and spaces ignored), or None when nothing was typed."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if text not in allowed:
        problems.add(
            Message.of(
                "must be one of: {allowed} (not “{value}”).",
                allowed=", ".join(allowed),
                value=escape(text[:40]),
            ),
            label,
        )
        return None
    return text


def typed_confidence(value: str | None, label: Message, problems: Problems) -> tuple[Confidence, bool]:
    """The confidence chosen, and whether none was (then it is unconfirmed: never assumed confirmed)."""
    chosen = typed_choice(value, CONFIDENCES, label, problems)
    if chosen is None:
        return DEFAULT_CONFIDENCE, not (value or "").strip()
    return cast(Confidence, chosen), False


def typed_spoiler(value: str | None, label: Message, problems: Problems) -> SpoilerLevel:
    """The spoiler level chosen; "none" when nothing was typed (the spoiler rules may raise it)."""
    return cast(SpoilerLevel, typed_choice(value, SPOILERS, label, problems) or "none")


def typed_rough_date(value: str | None, label: Message, problems: Problems) -> str | None:
    if not (value or "").strip():
        return None
    try:
        return check_rough_date(value or "")
    except DateError as exc:
        problems.add(Message(exc.template, inert(exc.values)), label)
        return None


def typed_seasons(value: str | None, label: Message, problems: Problems) -> tuple[int, ...]:
    seasons: list[int] = []
    for part in unicodedata.normalize("NFKC", value or "").replace(" ", "").split(","):
        if not part.isascii() or not part.isdecimal() or not 1 <= int(part) <= 99:
            problems.add(
                Message.of("seasons must be numbers like 1, 2 (not “{value}”).", value=escape(part[:10])),
                label,
            )
            return ()
        seasons.append(int(part))
    return tuple(dict.fromkeys(seasons))


def inert(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values typed by a moderator, made safe to show in a message (no markdown, no mention)."""
    return {name: escape(value) if isinstance(value, str) else value for name, value in values.items()}


# -- spoilers ----------------------------------------------------------------------------------------------

_FATE_FLOOR = N_("a Season 1 fate reveals how Season 1 ends")
_RETURN_FLOOR = N_("a Season 1 character's Season 2 news reveals how Season 1 ended for them")


def is_season_one_character(entry: Entry | None) -> bool:
    """A character of Season 1: in its seasons, or with a Season 1 fate (whatever the seasons say)."""
    return isinstance(entry, Character) and (1 in entry.seasons or entry.fate is not None)


def spoiler_floor(entry: Entry, path: str) -> tuple[SpoilerLevel, str] | None:
    """The least spoiler level the fact at `path` of `entry` can have, by what it reveals, and why."""
    if not isinstance(entry, Character):
        return None
    if path == "fate":
        return "s1", _FATE_FLOOR
    if path in _RETURN_PARTS and is_season_one_character(entry):
        return "s2", _RETURN_FLOOR
    return None


# A Season 1 character's parts that tell they live on: their Season 2 news, later seasons and Season 2 actor.
_RETURN_PARTS = ("season2", "seasons", "season2_actor")


def tells_by_changing(entry: Entry, part: str) -> bool:
    """Whether that this part of `entry` changed at all tells a spoiler (so an update's title, shown to
    everyone, must not name it, and its line is hidden whole)."""
    return part in _RETURN_PARTS and spoiler_floor(entry, part) is not None


def casting_field(character: Character) -> str:
    """The field a new casting of `character` goes in. A Season 1 character keeps the actor who played them
    in Season 1; someone new playing them is their Season 2 news (`season2_actor`, at least `s2`, since it
    tells they are back). Anyone else's actor is simply `actor`."""
    return "season2_actor" if is_season_one_character(character) else "actor"


def higher(one: SpoilerLevel, other: SpoilerLevel) -> SpoilerLevel:
    return one if SPOILER_ORDER[one] >= SPOILER_ORDER[other] else other


def effective_level(entry: Entry, path: str, fact: Fact) -> SpoilerLevel:
    """The level a fact is drawn at: as stored, or higher where what it reveals demands it."""
    floor = spoiler_floor(entry, path)
    return fact.spoiler if floor is None else higher(fact.spoiler, floor[0])


def seasons_shown(character: Character, level: SpoilerLevel) -> tuple[int, ...]:
    """The seasons a character appears in, as a reader at `level` may learn them: a Season 1 character's
    later seasons reveal that they lived on, so below `s2` the list says no more than Season 1 does."""
    floor = spoiler_floor(character, "seasons")
    if floor is None or SPOILER_ORDER[level] >= SPOILER_ORDER[floor[0]]:
        return character.seasons
    return tuple(n for n in character.seasons if n <= 1)


def facts_of(entry: Entry) -> Iterator[tuple[str, Fact]]:
    """Every fact of an entry with its path: `profile`, `fate`, `stage_fact`, `facts[2]`; a news item is
    itself a fact, at the path ""."""
    if isinstance(entry, NewsItem):
        yield "", entry
    elif isinstance(entry, Character):
        yield "profile", entry.profile
        if entry.fate is not None:
            yield "fate", entry.fate
        if entry.season2 is not None:
            yield "season2", entry.season2
    elif isinstance(entry, Season):
        yield "stage_fact", entry.stage_fact
        if entry.release_fact is not None:
            yield "release_fact", entry.release_fact
        for index, fact in enumerate(entry.facts):
            yield f"facts[{index}]", fact
    elif isinstance(entry, Show):
        for index, fact in enumerate(entry.facts):
            yield f"facts[{index}]", fact


def public_sources(entries: Iterable[Entry]) -> Iterator[Source]:
    """The sources of the facts everyone may see plainly. A hidden fact's sources are hidden with it: an
    article's address or a headline given as its name can tell the fact."""
    for entry in entries:
        for path, fact in facts_of(entry):
            if effective_level(entry, path, fact) == "none":
                yield from fact.sources


@dataclass(frozen=True)
class Raised:
    """A spoiler level the rules raised in what a moderator saved, and why."""

    path: str
    typed: SpoilerLevel
    level: SpoilerLevel
    reason: str


def raise_spoilers(entry: Entry) -> tuple[Entry, list[Raised]]:
    """The entry with every fact at least at the level its content demands, and what was raised."""
    if not isinstance(entry, Character):
        return entry, []
    raised: list[Raised] = []
    changes: dict[str, Fact] = {}
    for path, fact in facts_of(entry):
        floor = spoiler_floor(entry, path)
        if floor is not None and SPOILER_ORDER[fact.spoiler] < SPOILER_ORDER[floor[0]]:
            changes[path] = msgspec.structs.replace(fact, spoiler=floor[0])
            raised.append(Raised(path, fact.spoiler, floor[0], floor[1]))
    return (msgspec.structs.replace(entry, **changes) if changes else entry), raised


def spoiler_problems(entry: Entry) -> Iterator[tuple[str, Message]]:
    """For files, which are taken exactly as written: each fact below the level its content demands."""
    for path, fact in facts_of(entry):
        floor = spoiler_floor(entry, path)
        if floor is not None and SPOILER_ORDER[fact.spoiler] < SPOILER_ORDER[floor[0]]:
            yield (
                f"{path}.spoiler",
                Message.of(
                    "{reason}: set its spoiler level to {level} (or higher)",
                    reason=Message.of(floor[1]),
                    level=floor[0],
                ),
            )


@dataclass(frozen=True)
class LevelChange:
    """A fact's spoiler level before and after a change (None: the fact is new, or removed)."""

    path: str
    before: SpoilerLevel | None
    after: SpoilerLevel | None

    @property
    def lowered(self) -> bool:
        return (
            self.before is not None
            and self.after is not None
            and SPOILER_ORDER[self.after] < SPOILER_ORDER[self.before]
        )


def level_changes(before: Entry | None, after: Entry | None) -> list[LevelChange]:
    """The spoiler level of every fact a change adds or changes, with what it was; facts left as they were
    are not listed."""
    old = dict(facts_of(before)) if before is not None else {}
    new = dict(facts_of(after)) if after is not None else {}
    changes = []
    for path, fact in new.items():
        was = old.get(path)
        if was != fact:
            changes.append(
                LevelChange(
                    path,
                    None if was is None or before is None else effective_level(before, path, was),
                    effective_level(cast(Entry, after), path, fact),
                )
            )
    return changes


# -- sources -----------------------------------------------------------------------------------------------

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
# Anything that looks like a link (a scheme, or "www."), so that "javascript:…" is refused, not kept as a name.
_ANY_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.\-]*:(?!\s)\S+|www\.\S+)$")
_DATE = re.compile(r"\b(\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?)\b")


def link_problem(url: str) -> Message | None:
    """What makes a link no source, wherever it comes from: not http(s), not one plain link, no site to go
    to, or a site's front page."""
    shown = escape(truncate(url, 80))
    if not _URL.match(url):
        return Message.of(
            "“{url}” is not a web link: sources must start with http:// or https://.", url=shown
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # a port that is no number ("https://a.com:abc/x") is no link
    except ValueError:
        return Message.of("“{url}” is not one plain link: give each link on its own", url=shown)
    if (
        "\\" in url
        or "@" in parts.netloc
        or "%" in parts.netloc
        or any(dot in parts.netloc for dot in "。．｡")  # browsers read these as dots: another host than shown
        or url.lower().count("://") > 1
    ):
        # A backslash or a user name before the host makes browsers go elsewhere than the host shown, an
        # escaped character in the host ("netflix.com%40evil.example") reads as another host, and a second
        # scheme is a second link glued on.
        return Message.of("“{url}” is not one plain link: give each link on its own", url=shown)
    if not any(char.isalnum() and char not in _BLANK_LETTERS for char in host):
        # "https://:80/x" or "https://*/x": no site to name the source by, nor to go to.
        return Message.of(
            "“{url}” has no site name after the //: copy the whole link from the address bar.", url=shown
        )
    if has_invisible(url):
        # A character that draws as nothing makes the link another than the one shown.
        return Message.of(
            "“{url}” holds characters that draw as nothing: copy the link again from the address bar.",
            url=shown,
        )
    readable = _readable_host(host)
    if readable is None:
        return Message.of("“{url}” is not one plain link: give each link on its own", url=shown)
    if (problem := lookalike_problem(readable)) is not None:
        # "nеtflix.com" with a Cyrillic е (or its "xn--" spelling) is another site than the one it reads as.
        return problem
    if _is_home_page(parts.path, parts.query, parts.fragment):
        # What a source says is in an article, not on a site's front page (which changes every day).
        return Message.of(
            "“{url}” is a site's home page: link the article itself, or give the publication and date.",
            url=shown,
        )
    return None


def _readable_host(host: str) -> str | None:
    """A host as a browser draws it: its "xn--" labels decoded (None if one is no valid spelling)."""
    labels = []
    for label in host.split("."):
        if label.lower().startswith("xn--"):
            try:
                decoded = label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                return None
            # A valid spelling decodes to letters that spell it again (IDNA 2008 names, ß and ς too).
            if (
                not decoded
                or decoded.isascii()  # an "xn--" label spelling what needs no spelling is no valid name
                or has_invisible(decoded)
                or "xn--" + decoded.encode("punycode").decode() != label.lower()
            ):
                return None
            label = decoded
        labels.append(label)
    return ".".join(labels)


_HOME_PATHS = frozenset({"", "index", "index.html", "index.htm", "index.php", "home", "default.aspx"})
# Query parameters that only say where a reader came from: a front page with them is still the front page.
_TRACKING = re.compile(r"^(?:utm_\w*|fbclid|gclid|igshid|ref|ref_src|mc_cid|mc_eid)$", re.IGNORECASE)


def _is_home_page(path: str, query: str, fragment: str = "") -> bool:
    """Whether a link leads to a site's front page ("/", "/./", "/%2F", "/%20", "/;", "/index.html",
    "/?utm_source=x"). A fragment that is a route ("#!/news/123") is where the page goes."""
    if fragment.startswith(("/", "!/")) and fragment.strip("!/"):
        return False
    for _ in range(10):  # "%252F" is "%2F" escaped once more
        path, before = unquote(path), path
        if path == before:
            break
    segments: list[str] = []
    for segment in path.replace("\\", "/").split("/"):
        segment = segment.split(";", 1)[0].strip()
        if segment == "..":
            segments = segments[:-1]
        elif segment not in ("", "."):
            segments.append(segment)
    if "/".join(segments).lower() not in _HOME_PATHS:
        return False
    return all(not key or _TRACKING.match(key) for key, _ in parse_qsl(query, keep_blank_values=True))


def source_problems(source: Source) -> list[Message]:
    """What makes a source misleading or empty, wherever it comes from: a link that is no source
    (`link_problem`), neither link nor date, a name that reads as an address other than the link's (a reader
    trusts the visible text of a link), a name of lookalike letters, or a date to come."""
    if source.url is not None and (problem := link_problem(source.url)) is not None:
        return [problem]
    if _ANY_URL.match(source.name.strip()) or "://" in source.name:
        return [Message.of("a source's name can't be a link: put the link on its own (one link per source)")]
    if (problem := stored_name_problem(source.name)) is not None:
        return [problem]
    name = escape(truncate(source.name, 60))
    if source.url is None and source.published is None:
        return [
            Message.of(
                "“{source}” needs a link, or the date it was published (e.g. {example}).",
                source=name,
                example=f"{escape(truncate(source.name, 40))}, 2026-11-20",
            )
        ]
    if source.url is not None and (named := names_other_site(source.name, source.url)) is not None:
        return [
            Message.of(
                "the name “{name}” names {named}, but the link goes to {host}",
                name=name,
                named=escape(named),
                host=escape(display_host(source.url)),
            )
        ]
    if source.published is not None and _not_yet_begun(source.published):
        return [
            Message.of(
                "“{source}” is dated {date}, which has not come yet.", source=name, date=source.published
            )
        ]
    return []


def _not_yet_begun(rough: str) -> bool:
    """Whether a rough date has not begun anywhere on Earth yet. A date that is no real day is another rule's
    to refuse."""
    try:
        first = first_day(rough)
    except ValueError:
        return False
    return not day_has_begun(first)


def _typed_url(token: str, label: Message, problems: Problems) -> str | None:
    url = "https://" + token if token.lower().startswith("www.") else token
    scheme, sep, rest = url.partition("://")
    if sep:
        url = f"{scheme.lower()}://{rest}"
    if len(url) > URL_LIMIT:
        problem: Message | None = Message.of(
            "that link is {length} characters long; it can be at most {limit}.",
            length=len(url),
            limit=URL_LIMIT,
        )
    else:
        problem = link_problem(url)
    if problem is not None:
        problems.add(problem, label)
        return None
    return url


# Two links typed without a space between them ("https://a…,https://b…"): cut apart before reading.
_GLUED_LINKS = re.compile(r"[,;|](?=\s*<?(?:https?://|www\.))", re.IGNORECASE)


def parse_source_line(line: str, label: Message, problems: Problems) -> list[Source]:
    """The sources one typed line holds: a link, a publication and date ("deadline.com, 2025-07-23"), or a
    link with its publication's name and date. Two links are two sources, each named after its own site."""
    urls: list[str] = []
    rest: list[str] = []
    found = len(problems)
    shown = escape(truncate(line, 80))
    # Links first, whole: links may contain commas, and never spaces.
    for token in _GLUED_LINKS.sub(" ", line).split():
        # A link typed as Discord's <https://…> (which hides its preview) is that link.
        candidate = token.strip(",;").removeprefix("<").removesuffix(">")
        if _ANY_URL.match(candidate):
            url = _typed_url(candidate, label, problems)
            if url is not None:
                urls.append(url)
        else:
            rest.append(token)
    published = None
    names: list[str] = []
    for part in (clean_text(p) for p in " ".join(rest).split(",")):
        if not part:
            continue
        if (match := _DATE.fullmatch(part)) is not None:
            try:
                day = check_rough_date(match.group(1))
            except DateError as exc:
                problems.add(
                    Message.of(
                        "in the source “{source}”: {problem}",
                        source=shown,
                        problem=Message(exc.template, inert(exc.values)),
                    ),
                    label,
                )
                continue
            if published is not None:
                problems.add(
                    Message.of("“{source}” has two dates: a source was published once.", source=shown), label
                )
            published = day
        else:
            names.append(part)
    name = ", ".join(names)
    if len(problems) > found:
        return []
    if len(name) > NAME_LIMIT:
        problems.add(
            Message.of(
                "a source's name is {length} characters long; it can be at most {limit}.",
                length=len(name),
                limit=NAME_LIMIT,
            ),
            label,
        )
        return []
    if not urls:
        if not name:
            problems.add(
                Message.of(
                    "“{source}” is not a source: give a link, or a publication and its date "
                    "(deadline.com, 2026-11-20).",
                    source=shown,
                ),
                label,
            )
            return []
        sources = [Source(name=name, published=published)]
    elif len(urls) > 1 and name:
        # One name cannot belong to two links: which article would it describe?
        problems.add(
            Message.of(
                "“{source}” holds {count} links and one name: put each link on its own line, with its own name.",
                source=shown,
                count=len(urls),
            ),
            label,
        )
        return []
    else:
        sources = [Source(name=name or display_host(url), published=published, url=url) for url in urls]
    for source in sources:
        for problem in source_problems(source):
            problems.add(problem, label)
    return sources if len(problems) == found else []


def source_line(source: Source) -> str:
    """A source as one typed line, as the forms show it: "name, date, link"."""
    return ", ".join(part for part in (source.name, source.published, source.url) if part)


def sources_text(sources: Sequence[Source]) -> str:
    return "\n".join(source_line(source) for source in sources)


def typed_sources(
    text: str | None,
    label: Message,
    problems: Problems,
    *,
    required: bool = True,
    keep: Sequence[Source] = (),
) -> tuple[Source, ...]:
    """Sources, one per line. A line that reads exactly as one of `keep` (the fact's sources as the form
    showed them) is that very source, note and all: an edit keeps what it does not touch."""
    kept = {source_line(source): source for source in keep}
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    sources: list[Source] = []
    for line in lines:
        if line in kept:
            sources.append(kept[line])
        else:
            sources.extend(parse_source_line(line, label, problems))
    sources = list(dict.fromkeys(sources))
    if not lines and required:
        problems.add(
            Message.of("every fact needs at least one source: a link, or a publication and date."), label
        )
    elif len(sources) > SOURCES_LIMIT:
        problems.add(
            Message.of(
                "that is {count} sources; a fact can keep at most {limit}.",
                count=len(sources),
                limit=SOURCES_LIMIT,
            ),
            label,
        )
    return tuple(sources)


# -- names -------------------------------------------------------------------------------------------------


def _given_name(hangul: str | None) -> str | None:
    """최남라 → 남라: a Korean name of three syllables starts with a one-syllable family name."""
    if hangul and len(hangul) == 3 and all(0xAC00 <= ord(c) <= 0xD7A3 for c in hangul):
        return hangul[1:]
    return None


def own_names(entry: Character | Person) -> list[str]:
    """The names an entry goes by that someone typed for it (not its key, nor names derived from others)."""
    names = [entry.name, *(entry.aliases if isinstance(entry, Character) else entry.variants)]
    if entry.hangul:
        names.append(entry.hangul)
    return names


@dataclass
class _NameTable:
    """Every folded name a search index finds entries by: (kind, key) → how it goes by the name."""

    owners: dict[str, dict[Where, str]] = field(default_factory=dict)

    def add(self, folded: str, where: Where, via: str) -> None:
        if folded:
            self.owners.setdefault(folded, {}).setdefault(where, via)


def _tables(entries: Iterable[Entry]) -> tuple[_NameTable, _NameTable, dict[Where, Entry]]:
    """The names `/character` and `/cast` find entries by, as `bot.search` indexes them: a character by its
    own names, its key, its Hangul given name and its actor's names; a cast member by theirs and their
    characters'. `via` is "own", "key", "given", or the other entry a name comes from ("person:lomon")."""
    characters: list[Character] = []
    people: dict[str, Person] = {}
    by_where: dict[Where, Entry] = {}
    for entry in entries:
        if isinstance(entry, Character):
            characters.append(entry)
            by_where["character", entry.key] = entry
        elif isinstance(entry, Person):
            people[entry.key] = entry
            by_where["person", entry.key] = entry
    character_names, person_names = _NameTable(), _NameTable()

    def add_self(table: _NameTable, entry: Character | Person, where: Where) -> None:
        for name in own_names(entry):
            table.add(fold(name), where, "own")
        table.add(fold(entry.key), where, "key")
        given = _given_name(entry.hangul)
        if given is not None:
            table.add(fold(given), where, "given")

    for person in people.values():
        add_self(person_names, person, ("person", person.key))
    for character in characters:
        where = ("character", character.key)
        add_self(character_names, character, where)
        actor = people.get(character.actor or "")
        if actor is not None:
            for name in own_names(actor):
                character_names.add(fold(name), where, "person:" + actor.key)
            for name in own_names(character):
                person_names.add(fold(name), ("person", actor.key), "character:" + character.key)
    return character_names, person_names, by_where


def _entry_name(entry: Entry | None, where: Where) -> str:
    if isinstance(entry, Character | Person):
        return entry.name
    return where[1]


# What an entry is found by that belongs to it alone: its own names and its key.
_OWN = ("own", "key")


def name_problems(entries: Iterable[Entry], changed: set[Where] | None = None) -> list[Problem]:
    """Names that would lead to two entries: a name of one entry that another goes by too.

    Two characters played by one actor share that actor's names, which is right; a Hangul given name shared
    by two people is left to search (it finds both). Everything else a name leads to must be one entry. A
    clash between two names both taken from other entries (two actors of one name) is reported once, where
    those names are the entries' own. With `changed`, only names involving those entries are checked (the
    others were there before the change); a changed cast member involves their characters, and a changed
    character its actor, whose names they take from each other.
    """
    if changed is not None and not any(kind in ("character", "person") for kind, _ in changed):
        return []
    entries = list(entries)
    character_names, person_names, by_where = _tables(entries)
    if changed is not None:
        involved = set(changed)
        for kind, key in changed:
            entry = by_where.get((kind, key))
            if isinstance(entry, Character) and entry.actor:
                involved.add(("person", entry.actor))
        for entry in entries:
            if isinstance(entry, Character) and ("person", entry.actor or "") in changed:
                involved.add(("character", entry.key))
        changed = involved
    roles: dict[str, list[Character]] = {}
    for entry in entries:
        if isinstance(entry, Character) and entry.actor:
            roles.setdefault(entry.actor, []).append(entry)
    problems: list[Problem] = []
    reported: set[tuple[int, str, frozenset[Where]]] = set()
    for table_id, table in enumerate((character_names, person_names)):
        for folded, owners in table.owners.items():
            if len(owners) < 2:
                continue
            ordered = sorted(owners, key=lambda where: (owners[where] not in _OWN, where))
            for where in ordered:
                if changed is not None and where not in changed:
                    continue
                for other in ordered:
                    # Names both entries take from elsewhere (one actor's, or two Hangul given names alike)
                    # are shared, not given away: search lists both.
                    if other == where or (owners[where] not in _OWN and owners[other] not in _OWN):
                        continue
                    pair = (table_id, folded, frozenset((where, other)))
                    if pair in reported:
                        continue
                    reported.add(pair)
                    problems.append(_clash(by_where, roles, where, other, folded, owners[other]))
                    break
    return problems


@dataclass(frozen=True)
class EntryName(Message):
    """An entry's name as its reader would look for it: Hangul first for Korean readers."""

    def render(self, lang: Lang) -> str:
        name, hangul, key = self.template, self.values.get("hangul"), self.values.get("key")
        if lang.code == "ko" and hangul:
            name = f"{hangul} ({name})"
        # Keys are slugs (a-z, 0-9, -): safe in a code span as they are.
        return lang.t("{name} (key `{key}`)", name=name, key=key) if key else name

    @classmethod
    def of_entry(cls, entry: Entry | None, fallback: str) -> EntryName:
        if isinstance(entry, Character | Person):
            return cls(
                escape(truncate(entry.name, 60)), {"hangul": escape(entry.hangul) if entry.hangul else None}
            )
        return cls(escape(fallback), {})


def _clash(
    by_where: dict[Where, Entry],
    roles: Mapping[str, list[Character]],
    where: Where,
    other: Where,
    folded: str,
    via: str,
) -> Problem:
    entry, rival = by_where.get(where), by_where.get(other)
    name = next(
        (n for n in _names_of(entry, by_where, roles) if fold(n) == folded),
        folded,
    )
    other_kind = Message.of("character") if other[0] == "character" else Message.of("cast member")
    rival_name = EntryName.of_entry(rival, other[1])
    if (
        isinstance(entry, Character | Person)
        and isinstance(rival, Character | Person)
        and where[0] == other[0]
        and fold(entry.name) == fold(rival.name)
    ):
        # Two characters (or people) of one name (a revert can bring one back): only the key tells them apart.
        rival_name = EntryName(rival_name.template, {**rival_name.values, "key": other[1]})
    values = {
        "name": escape(truncate(name, 60)),
        "other": rival_name,
        "kind": other_kind,
    }
    if via in _OWN:
        what = Message.of(
            "“{name}” is already a name of {other} ({kind}): a name can lead to one entry only. Choose another "
            "name, or change {other} first.",
            **values,
        )
    elif via == "given":
        what = Message.of(
            "“{name}” already leads to {other} ({kind}): it is the given name in their Hangul name. A name can "
            "lead to one entry only. Choose another name.",
            **values,
        )
    else:
        related_kind, _, related_key = via.partition(":")
        related = EntryName.of_entry(by_where.get((related_kind, related_key)), related_key)
        if related_kind == "person":
            what = Message.of(
                "“{name}” already leads to {other} ({kind}), whose actor {related} goes by it: a name can lead to "
                "one entry only. Choose another name.",
                related=related,
                **values,
            )
        else:
            what = Message.of(
                "“{name}” already leads to {other} ({kind}), who plays {related}: a name can lead to one entry "
                "only. Choose another name.",
                related=related,
                **values,
            )
    return Problem(what, where[0], where[1], _name_field(entry, folded))


def _names_of(
    entry: Entry | None, by_where: dict[Where, Entry], roles: Mapping[str, list[Character]]
) -> list[str]:
    """An entry's names and those it takes from others (its actor's; a cast member's characters')."""
    if isinstance(entry, Character):
        actor = by_where.get(("person", entry.actor or ""))
        return own_names(entry) + (own_names(cast(Person, actor)) if actor is not None else [])
    if isinstance(entry, Person):
        return own_names(entry) + [n for role in roles.get(entry.key, []) for n in own_names(role)]
    return []


def _name_field(entry: Entry | None, folded: str) -> str:
    if isinstance(entry, Character | Person):
        if fold(entry.name) == folded:
            return "name"
        if entry.hangul and fold(entry.hangul) == folded:
            return "hangul"
        others = entry.aliases if isinstance(entry, Character) else entry.variants
        for index, name in enumerate(others):
            if fold(name) == folded:
                return f"{'aliases' if isinstance(entry, Character) else 'variants'}[{index}]"
        return "actor" if isinstance(entry, Character) else "name"
    return "name"


# -- stages and dates --------------------------------------------------------------------------------------

STAGE_SENTENCES: dict[Stage, str] = {
    Stage.ANNOUNCED: N_("Season {season} has been announced"),
    Stage.IN_PRODUCTION: N_("Season {season} is in production"),
    Stage.FILMING: N_("Season {season} is filming"),
    Stage.POST_PRODUCTION: N_("Season {season} is in post-production"),
    Stage.RELEASE_DATE_SET: N_("Season {season} has a release date"),
    Stage.RELEASED: N_("Season {season} has been released"),
}
STAGE_ORDER = list(Stage)


def stage_sentence(season: int, stage: Stage, lang: Lang) -> str:
    return lang.t(STAGE_SENTENCES[stage], season=season)


@dataclass(frozen=True)
class ReleaseWords(Message):
    """A release date in words, in the reader's language."""

    def render(self, lang: Lang) -> str:
        return parse_release(self.template).words(lang)


def release_span(release: str) -> tuple[dt.date, dt.date]:
    """The first and last day a release date can mean: "2026" is all of 2026, "late 2026" its last third."""
    parsed = parse_release(release)
    if parsed.instant is not None:
        day = parsed.instant.astimezone(dt.UTC).date()
        return day, day
    if parsed.day is not None:
        return parsed.day, parsed.day
    text = parsed.text
    part = re.match(r"^(early|mid|late) (\d{4})$", text)
    if part is not None:
        year = int(part[2])
        first_month, last_month = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}[part[1]]
    elif len(text) == 7:
        year, first_month = int(text[:4]), int(text[5:])
        last_month = first_month
    else:
        year, first_month, last_month = int(text), 1, 12
    last = dt.date(year + (last_month == 12), last_month % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(year, first_month, 1), last


def release_order_problems(seasons: Iterable[Season], changed: set[int] | None = None) -> list[Problem]:
    """A season premieres after the one before it: a release date that must fall on or before the previous
    season's premiere (or on or after the next one's) is refused."""
    dated = sorted((s for s in seasons if s.release is not None), key=lambda s: s.number)
    problems = []
    for earlier, later in itertools.pairwise(dated):
        if changed is not None and not {earlier.number, later.number} & changed:
            continue
        try:
            _, late_last = release_span(cast(str, later.release))
            early_first, _ = release_span(cast(str, earlier.release))
        except DateError:
            continue
        if late_last <= early_first:
            blamed = later if changed is None or later.number in changed else earlier
            problems.append(
                Problem(
                    Message.of(
                        "Season {later} can't premiere {when}: Season {earlier} premiered {first}, and a season "
                        "comes out after the one before it.",
                        later=later.number,
                        when=ReleaseWords(cast(str, later.release), {}),
                        earlier=earlier.number,
                        first=ReleaseWords(cast(str, earlier.release), {}),
                    ),
                    "season",
                    str(blamed.number),
                    "release",
                )
            )
    return problems


def stage_date_problems(season: Season) -> list[Problem]:
    """A season's stage agrees with its release date: "release date set" needs one, and "released" can't
    come before it (a window such as "late 2027" that has not begun)."""
    if season.stage is Stage.RELEASE_DATE_SET and season.release is None:
        what = Message.of(
            "Season {number} can't be `{stage}` without a release date: give it one "
            "(`/manage season release-date`), or first choose another stage (`/manage season stage`).",
            number=season.number,
            stage=season.stage.value,
        )
        return [Problem(what, "season", str(season.number), "stage")]
    if season.stage is Stage.RELEASED and season.release is not None:
        try:
            first, _ = release_span(season.release)
        except (DateError, ValueError):  # no real date: another rule's to refuse
            return []
        release = parse_release(season.release)
        now = dt.datetime.now(dt.UTC)
        # An exact premiere is out from its instant on; a day's from when the day begins anywhere on Earth.
        early = release.instant > now if release.instant is not None else not day_has_begun(first, now)
        if early:
            what = Message.of(
                "Season {number} can't be `{stage}` yet: its release date is {when}, which has not come. Set "
                "the stage when it is out, or correct the date.",
                number=season.number,
                stage=season.stage.value,
                when=ReleaseWords(season.release, {}),
            )
            return [Problem(what, "season", str(season.number), "stage")]
    return []


# -- references and the whole state ------------------------------------------------------------------------


def reference_problems(
    entries: Iterable[Entry],
    *,
    present: Mapping[str, set[str]] | None = None,
    changed: set[Where] | None = None,
) -> list[Problem]:
    """References between entries: a character's actor is a cast member, a news item's season exists.
    `present`: keys (by kind) that exist besides `entries` (entries of a file that could not be read)."""
    entries = list(entries)
    people = {e.key for e in entries if isinstance(e, Person)} | set((present or {}).get("person", ()))
    seasons = {str(e.number) for e in entries if isinstance(e, Season)} | set(
        (present or {}).get("season", ())
    )
    problems: list[Problem] = []

    def involved(*wheres: Where) -> bool:
        return changed is None or any(where in changed for where in wheres)

    for entry in entries:
        where = (entry_kind(entry), entry_key(entry))
        for path in ("actor", "season2_actor") if isinstance(entry, Character) else ():
            actor = getattr(entry, path)
            if actor is not None and actor not in people and involved(where, ("person", actor)):
                problems.append(
                    Problem(
                        Message.of(
                            "no cast member has the key “{key}”: add (or restore) the cast member first",
                            key=escape(truncate(actor, 60)),
                        ),
                        "character",
                        entry_key(entry),
                        path,
                    )
                )
        if (
            isinstance(entry, NewsItem)
            and str(entry.season) not in seasons
            and involved(where, ("season", str(entry.season)))
        ):
            problems.append(
                Problem(
                    Message.of(
                        "there is no Season {number} in the data: a news item belongs to a season there (restore or "
                        "import the season first)",
                        number=entry.season,
                    ),
                    "news",
                    entry.key,
                    "season",
                )
            )
    return problems


def stored_name_problem(name: str) -> Message | None:
    """What a name taken as written (a file, the pack) breaks that a typed one is cleaned of or refused for:
    letters that draw as nothing, spaces at its ends, and lookalike letters (see `typed_text`)."""
    if not clean_text(name):
        return Message.of("a name can't be only spaces or characters that draw as nothing")
    if clean_text(name) != unicodedata.normalize("NFC", name):
        return Message.of(
            "“{name}” holds characters that draw as nothing, or spaces at its ends: write it without them",
            name=escape(truncate(clean_text(name), 40)),
        )
    return lookalike_problem(name)


def _named_paths(entry: Entry) -> Iterator[tuple[str, str]]:
    if isinstance(entry, (Character, Person)):
        yield "name", entry.name
        if entry.hangul is not None:
            yield "hangul", entry.hangul
        others = entry.aliases if isinstance(entry, Character) else entry.variants
        field_name = "aliases" if isinstance(entry, Character) else "variants"
        for index, other in enumerate(others):
            yield f"{field_name}[{index}]", other


def entry_problems(entry: Entry) -> list[Problem]:
    """What one entry breaks on its own, beyond its types: names, sources, spoiler marks, spoiler levels."""
    kind, key = entry_kind(entry), entry_key(entry)
    problems: list[Problem] = []
    for path, name in _named_paths(entry):
        if (problem := stored_name_problem(name)) is not None:
            problems.append(Problem(problem, kind, key, path))
    for path, fact in facts_of(entry):
        at = f"{path}." if path else ""
        for index, source in enumerate(fact.sources):
            for what in source_problems(source):
                problems.append(Problem(what, kind, key, f"{at}sources[{index}]"))
        for name, text in (("text", fact.text), ("text_ko", fact.text_ko)):
            unpaired = spoiler_marks_problem(text) if text is not None else None
            if unpaired is not None:
                problems.append(Problem(unpaired, kind, key, f"{at}{name}"))
    for path, what in spoiler_problems(entry):
        problems.append(Problem(what, kind, key, path))
    if isinstance(entry, Character) and entry.season2_actor is not None:
        if casting_field(entry) != "season2_actor":
            problems.append(
                Problem(
                    Message.of(
                        "only a Season 1 character has a Season 2 actor: for anyone else, who plays them is "
                        "their actor"
                    ),
                    kind,
                    key,
                    "season2_actor",
                )
            )
        elif entry.season2_actor == entry.actor:
            problems.append(
                Problem(
                    Message.of("their Season 2 actor is the one who played them in Season 1: leave it empty"),
                    kind,
                    key,
                    "season2_actor",
                )
            )
    return problems


def state_problems(
    entries: Iterable[Entry],
    *,
    changed: set[Where] | None = None,
    present: Mapping[str, set[str]] | None = None,
) -> list[Problem]:
    """Everything a whole state of a server's data breaks. With `changed`, only what involves the changed
    entries: what a change introduces."""
    entries = list(entries)
    problems: list[Problem] = []
    for entry in entries:
        if changed is None or (entry_kind(entry), entry_key(entry)) in changed:
            problems += entry_problems(entry)
    problems += reference_problems(entries, present=present, changed=changed)
    problems += name_problems(entries, changed)
    changed_seasons = None if changed is None else {int(key) for kind, key in changed if kind == "season"}
    if changed_seasons is None or changed_seasons:
        seasons = [e for e in entries if isinstance(e, Season)]
        problems += release_order_problems(seasons, changed_seasons)
        for season in seasons:
            if changed_seasons is None or season.number in changed_seasons:
                problems += stage_date_problems(season)
    return problems


def change_problems(before: Entry | None, after: Entry | None) -> list[Problem]:
    """What a change may not do to an entry, whatever it leads to: a character who was in Season 1 stays in
    it (dropping Season 1 would make their later seasons, and their Season 2 news, look spoiler-free)."""
    if (
        isinstance(before, Character)
        and isinstance(after, Character)
        and 1 in before.seasons
        and 1 not in after.seasons
    ):
        return [
            Problem(
                Message.of(
                    "a character who was in Season 1 stays in it: without Season 1, their later seasons and "
                    "Season 2 news would show to fans who have not seen it. Keep 1 in the seasons."
                ),
                "character",
                after.key,
                "seasons",
            )
        ]
    return []


def removal_problems(entries: Iterable[Entry], removed: set[Where]) -> list[Problem]:
    """Entries that would point at one being removed: it can't go while they do."""
    after = [e for e in entries if (entry_kind(e), entry_key(e)) not in removed]
    return reference_problems(after, changed=removed)


def apply_changes(current: Iterable[Entry], changes: Iterable[tuple[str, str, Entry | None]]) -> list[Entry]:
    """The entries a server would have after `changes` ((kind, key, after) each), in order."""
    state: dict[tuple[str, str], Entry] = {(entry_kind(e), entry_key(e)): e for e in current}
    for kind, key, after in changes:
        if after is None:
            state.pop((kind, key), None)
        else:
            state[kind, key] = after
    return list(state.values())


def labelled_fact(fact: Fact, label: str, label_ko: str | None = None) -> LabelledFact:
    return LabelledFact(
        text=fact.text,
        text_ko=fact.text_ko,
        confidence=fact.confidence,
        sources=fact.sources,
        spoiler=fact.spoiler,
        label=label,
        label_ko=label_ko,
    )


def season2_role(fact: Fact, status: Any) -> Season2Role:
    return Season2Role(
        text=fact.text,
        text_ko=fact.text_ko,
        confidence=fact.confidence,
        sources=fact.sources,
        spoiler=fact.spoiler,
        status=status,
    )
