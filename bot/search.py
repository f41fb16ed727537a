"""Finding characters and cast members however fans type them.

Each entry is indexed under every name it goes by: English name, aliases, romanisation variants, Hangul
(whole and given name), Hangul initial consonants (초성), and the names of the actor who plays it (or the
characters an actor plays). A query is compared with those names after folding away what fans type
differently (case, spaces, hyphens, the usual romanisation variants), exactly first, then by prefix, then
fuzzily with rapidfuzz for typos.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.catalog import Catalog

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_COMPAT_JAMO = re.compile(r"^[ㄱ-ㅎ]+$")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.'’`·:,]+")

# Romanisation spellings of the same Korean sound, folded to one (order matters: longest first).
_ROMANISATION = (
    ("yeo", "yu"),
    ("eo", "u"),
    ("oo", "u"),
    ("ou", "u"),
    ("ee", "i"),
    ("sh", "s"),
    ("k", "g"),
    ("t", "d"),
    ("p", "b"),
    ("r", "l"),
)

# Scores: an exact name beats a prefix, which beats initials, which beat a fuzzy guess.
EXACT, PREFIX, INITIALS, CONTAINS = 100.0, 95.0, 92.0, 88.0
# A typed name resolves to an entry only when the best fuzzy score reaches this.
RESOLVE_THRESHOLD = 83.0
SUGGEST_THRESHOLD = 55.0
MIN_FUZZY_LENGTH = 3


def is_hangul_syllable(char: str) -> bool:
    return _HANGUL_FIRST <= ord(char) <= _HANGUL_LAST


def choseong(text: str) -> str:
    """The initial consonants of the Hangul syllables in `text`: 최남라 → ㅊㄴㄹ."""
    return "".join(_CHOSEONG[(ord(char) - _HANGUL_FIRST) // 588] for char in text if is_hangul_syllable(char))


def fold(text: str) -> str:
    """Fold a name to what stays the same however it is typed: "NAM-RA", "Nam Ra" and "namra" agree."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SEPARATORS.sub("", text)
    if any(is_hangul_syllable(c) for c in text):
        # Hangul is compared jamo by jamo, so one wrong vowel is a small typo, not a different syllable.
        return unicodedata.normalize("NFD", text)
    for spelling, folded in _ROMANISATION:
        text = text.replace(spelling, folded)
    return text


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    label: str
    score: float


@dataclass(frozen=True, slots=True)
class _Term:
    key: str
    folded: str


class NameIndex:
    """Every name of a set of entries, folded, with the entry key each one leads to."""

    def __init__(self, names: Iterable[tuple[str, str, Iterable[str]]]) -> None:
        """`names`: (key, label shown to fans, every name the entry goes by)."""
        self._labels: dict[str, str] = {}
        self._terms: list[_Term] = []
        self._initials: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for key, label, aliases in names:
            self._labels[key] = label
            for alias in aliases:
                if not alias:
                    continue
                folded = fold(alias)
                if folded and (key, folded) not in seen:
                    seen.add((key, folded))
                    self._terms.append(_Term(key, folded))
                initials = choseong(alias)
                if len(initials) >= 2:
                    self._initials.append((key, initials))
        self._folded = [term.folded for term in self._terms]

    def __len__(self) -> int:
        return len(self._labels)

    def label(self, key: str) -> str | None:
        return self._labels.get(key)

    def search(self, query: str, limit: int = 25) -> list[Hit]:
        """The best entries for `query`, best first, at most `limit`, one hit per entry."""
        best: dict[str, float] = {}

        def offer(key: str, score: float) -> None:
            if score > best.get(key, 0.0):
                best[key] = score

        stripped = query.strip()
        if not stripped:
            return [Hit(key, label, 0.0) for key, label in list(self._labels.items())[:limit]]
        compact = _SEPARATORS.sub("", stripped)
        if _COMPAT_JAMO.match(compact):
            for key, initials in self._initials:
                if initials == compact:
                    offer(key, EXACT)
                elif initials.startswith(compact) or initials.endswith(compact):
                    offer(key, INITIALS)
                elif compact in initials:
                    offer(key, CONTAINS)
        needle = fold(stripped)
        if needle:
            for term in self._terms:
                if term.folded == needle:
                    offer(term.key, EXACT)
                elif term.folded.startswith(needle):
                    offer(term.key, PREFIX)
                elif len(needle) >= 3 and needle in term.folded:
                    offer(term.key, CONTAINS)
            if len(stripped) < MIN_FUZZY_LENGTH:
                # One or two letters match half the cast fuzzily: only names that start with them count.
                return self._ranked(best, limit)
            for _, score, index in process.extract(
                needle, self._folded, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=SUGGEST_THRESHOLD
            ):
                # Fuzzy matches stay below every exact, prefix or initials match.
                offer(self._terms[index].key, min(score, CONTAINS - 0.1))
        return self._ranked(best, limit)

    def _ranked(self, best: dict[str, float], limit: int) -> list[Hit]:
        ranked = sorted(best.items(), key=lambda item: (-item[1], self._labels[item[0]]))
        return [Hit(key, self._labels[key], score) for key, score in ranked[:limit]]

    def resolve(self, query: str) -> tuple[str | None, list[Hit]]:
        """What a submitted value names: an entry key (or None) and, when it is unclear, suggestions.

        The value may be a key chosen from autocomplete, or anything the fan typed.
        """
        value = query.strip()
        if value in self._labels:
            return value, []
        hits = self.search(value, limit=4)
        if hits and hits[0].score >= RESOLVE_THRESHOLD and (len(hits) == 1 or hits[0].score > hits[1].score):
            return hits[0].key, []
        return None, [hit for hit in hits if hit.score >= SUGGEST_THRESHOLD][:3]


def _given_name(hangul: str | None) -> list[str]:
    """최남라 → 남라: Korean names of three syllables start with a one-syllable family name."""
    if hangul and len(hangul) == 3 and all(is_hangul_syllable(c) for c in hangul):
        return [hangul[1:]]
    return []


def characters_of(catalog: Catalog) -> NameIndex:
    """The catalog's character index, built on first use."""
    return catalog.memo("character-index", lambda: character_index(catalog))


def people_of(catalog: Catalog) -> NameIndex:
    """The catalog's cast index, built on first use."""
    return catalog.memo("person-index", lambda: person_index(catalog))


def character_index(catalog: Catalog) -> NameIndex:
    """Characters, found by their own names and by the names of the actor who plays them."""
    rows = []
    for character in catalog.characters:
        names = [character.key, character.name, *character.aliases]
        if character.hangul:
            names += [character.hangul, *_given_name(character.hangul)]
        actor = catalog.person(character.actor) if character.actor else None
        if actor is not None:
            names += [actor.name, *actor.variants]
            if actor.hangul:
                names.append(actor.hangul)
        rows.append((character.key, character_label(catalog, character.key), names))
    return NameIndex(rows)


def person_index(catalog: Catalog) -> NameIndex:
    """Cast members, found by their names and by the characters they play."""
    rows = []
    for person in catalog.people:
        names = [person.key, person.name, *person.variants]
        if person.hangul:
            names += [person.hangul, *_given_name(person.hangul)]
        for role in catalog.roles_of(person.key):
            names += [role.name, *role.aliases]
            if role.hangul:
                names.append(role.hangul)
        rows.append((person.key, person_label(catalog, person.key), names))
    return NameIndex(rows)


def character_label(catalog: Catalog, key: str) -> str:
    """How a character is named in a list: "Choi Nam-ra (최남라) · Cho Yi-hyun", at most 100 characters."""
    character = catalog.character(key)
    if character is None:
        return key
    label = character.name + (f" ({character.hangul})" if character.hangul else "")
    actor = catalog.person(character.actor) if character.actor else None
    if actor is not None:
        label += f" · {actor.name}"
    return label[:100]


def person_label(catalog: Catalog, key: str) -> str:
    person = catalog.person(key)
    if person is None:
        return key
    label = person.name + (f" ({person.hangul})" if person.hangul else "")
    roles = ", ".join(role.name for role in catalog.roles_of(key))
    if roles:
        label += f" · {roles}"
    return label[:100]
