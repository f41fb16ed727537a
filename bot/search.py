"""Finding characters and cast members however fans type them.

Each entry is indexed under every name it goes by: English name, aliases, romanisation variants, Hangul
(whole and given name), Hangul initial consonants (초성), and the names of the actor who plays it (or the
characters an actor plays). A query is compared with those names after folding away what fans type
differently (case, spaces, hyphens, the usual romanisation variants), exactly first, then by prefix, then
fuzzily with rapidfuzz for typos.

Autocomplete asks on every keystroke and must answer within a few milliseconds, even on a server with
100,000 characters (half a million names), so `NameIndex` does its work once, when it is built (a few
seconds for such a server, about what folding the names takes), and a search never walks every name:

- Hits of equal score are listed by label, so each entry gets a rank: its place in label order. The
  distinct folded names are kept sorted, each with the ranks of the entries going by it (its owners). An
  exact name is one bisect away; the names starting with the query are one contiguous run of that list.
- Such a run can hold thousands of names, but a search lists at most 25 entries, and only the lowest
  ranks in the run can be among them. `_LowestInRange`, a segment tree over the owners that keeps the 25
  lowest ranks of each node, finds them in O(log n).
- Hangul initials (ㄴㄹ) are looked up in a table from every piece of every entry's initials to the
  lowest ranks it matches exactly, at one end, or inside.
- Names containing the query come from an index of 4-character grams: a query of three or four characters
  is contained in the names holding a gram that starts with it, whose lowest ranks each gram keeps ready;
  a longer one can only be in names holding its rarest gram, which are checked, best ranked first.
- Scores come in tiers (exact > prefix > initials > contains > fuzzy), so once the higher tiers fill the
  list nothing lower can enter it, and the search stops there: most keystrokes end after a few bisects.
- For typos, rapidfuzz scores every name of a small index (up to FULL_SCAN_TERMS names), as it always
  has. In a large one it scores a hundred or two likely names: the query's neighbours in sorted order (a
  typo late in a name keeps its start), the names one edit away where the query leaves every name (a
  single typo, wherever it is), and names holding its rarest grams (the parts typos left alone). Typo
  suggestions in a large index are therefore a close approximation of a full scan. Every other match is
  exact at any size, but for names containing a long query all of whose grams are very common: only the
  best-ranked _CONTAINS_SCAN names holding its rarest gram are checked.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, partial
from itertools import chain, islice

from rapidfuzz import fuzz, process

from bot.catalog import Catalog

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_HANGUL = re.compile("[\uac00-\ud7a3]")
_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_COMPAT_JAMO = re.compile(r"^[ㄱ-ㅎ]+$")

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.'’`·:,]")
_LAST_CHAR = chr(0x10FFFF)
# Names are cut into grams of this many characters, after a space is added: folding removes every space, so
# a gram ending with one marks the end of a name.
_GRAM, _PAD = 4, " "

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
FUZZY_MAX = CONTAINS - 0.1
# A typed name resolves to an entry only when the best fuzzy score reaches this.
RESOLVE_THRESHOLD = 83.0
SUGGEST_THRESHOLD = 55.0
MIN_FUZZY_LENGTH = 3

# How many of the lowest ranks the index keeps ready: Discord shows at most 25 choices. A search asking
# for more still gets them, by scanning.
TOP = 25
# Up to this many names (counted once per entry), typos are looked for among all of them; above it, among
# likely candidates.
FULL_SCAN_TERMS = 2_000
# Owners per leaf of `_LowestInRange`.
_BLOCK = 64
# Typo candidates in a large index: the names on each side of the query in sorted order, names holding its
# rarest grams,
_NEIGHBOURS = 24
_GRAM_CANDIDATES = 96
# and the names one typo away where the query leaves every name, trying at most this many characters there.
_PROBED_CHARACTERS = 40
# At most this many names holding a long query's rarest gram are checked for containing it.
_CONTAINS_SCAN = 5_000
# Pieces of initials up to this length are tabled; longer typed initials are matched by a scan.
_INITIALS_PIECE = 8


def is_hangul_syllable(char: str) -> bool:
    return _HANGUL_FIRST <= ord(char) <= _HANGUL_LAST


def choseong(text: str) -> str:
    """The initial consonants of the Hangul syllables in `text`: 최남라 → ㅊㄴㄹ."""
    return "".join([_CHOSEONG[(ord(char) - _HANGUL_FIRST) // 588] for char in _HANGUL.findall(text)])


def fold(text: str) -> str:
    """Fold a name to what stays the same however it is typed: "NAM-RA", "Nam Ra" and "namra" agree."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SEPARATORS.sub("", text)
    if _HANGUL.search(text):
        # Hangul is compared jamo by jamo, so one wrong vowel is a small typo, not a different syllable.
        return unicodedata.normalize("NFD", text)
    if not text.isascii():
        # Accents are how a name is written, not which name it is: "Nam-rá" is "Nam-ra".
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    for spelling, folded in _ROMANISATION:
        text = text.replace(spelling, folded)
    return text


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    label: str
    score: float


def _lowest(ranks: Iterable[int], count: int) -> array[int]:
    """The `count` lowest distinct ranks, lowest first (kept as an array: 4 bytes a rank)."""
    return array("I", sorted(set(ranks))[:count])


@cache
def _windows(length: int) -> tuple[slice, ...]:
    """The slices cutting a string of `length` characters into its grams."""
    return tuple(slice(at, at + _GRAM) for at in range(length - _GRAM + 1))


def _offer(best: dict[int, float], ranks: Iterable[int], score: float) -> None:
    """Record `score` for each rank that has no better one yet."""
    for rank in ranks:
        if score > best.get(rank, 0.0):
            best[rank] = score


def _prefix_range(ordered: list[str], prefix: str) -> tuple[int, int]:
    """Where the strings starting with `prefix` are in a sorted list."""
    start = bisect_left(ordered, prefix)
    kept = prefix.rstrip(_LAST_CHAR)  # the least string after all those starting with `prefix`: ...
    after = kept[:-1] + chr(ord(kept[-1]) + 1) if kept else None  # ... "abc" → "abd"
    return start, bisect_left(ordered, after, start) if after is not None else len(ordered)


def _shared_start(one: str, other: str) -> int:
    """How many characters `one` and `other` start with alike."""
    for at, (mine, theirs) in enumerate(zip(one, other, strict=False)):
        if mine != theirs:
            return at
    return min(len(one), len(other))


def _initials_score(initials: str, typed: str) -> float | None:
    """How well typed initials match an entry's initials, if at all."""
    if initials == typed:
        return EXACT
    if initials.startswith(typed) or initials.endswith(typed):
        return INITIALS
    if typed in initials:
        return CONTAINS
    return None


class _LowestInRange:
    """The lowest distinct values in any slice of an array, in O(log n).

    A segment tree over blocks of the array: each node keeps the TOP lowest values below it, so a slice is
    answered from its two partial end blocks and O(log n) nodes.
    """

    def __init__(self, values: array[int]) -> None:
        self._values = values
        blocks = -(-len(values) // _BLOCK)
        self._leaves = leaves = 1 << max(blocks - 1, 0).bit_length()
        tree = [array("I")] * (2 * leaves)
        for block in range(blocks):
            tree[leaves + block] = _lowest(values[block * _BLOCK : (block + 1) * _BLOCK], TOP)
        for node in range(leaves - 1, 0, -1):
            tree[node] = _lowest(tree[2 * node] + tree[2 * node + 1], TOP)
        self._tree = tree

    def lowest(self, start: int, stop: int, count: int) -> array[int]:
        """The `count` lowest distinct values of `values[start:stop]`."""
        values = self._values
        if count > TOP or stop - start <= 2 * _BLOCK:
            return _lowest(values[start:stop], count)
        first, last = -(-start // _BLOCK), stop // _BLOCK  # the whole blocks inside the slice
        parts: list[Iterable[int]] = [values[start : first * _BLOCK], values[last * _BLOCK : stop]]
        low, high = first + self._leaves, last + self._leaves
        while low < high:
            if low & 1:
                parts.append(self._tree[low])
                low += 1
            if high & 1:
                high -= 1
                parts.append(self._tree[high])
            low, high = low // 2, high // 2
        return _lowest(chain.from_iterable(parts), count)


class NameIndex:
    """Every name of a set of entries, folded, with the entry key each one leads to."""

    def __init__(self, names: Iterable[tuple[str, str, Iterable[str]]]) -> None:
        """`names`: (key, label shown to fans, every name the entry goes by)."""
        self._labels: dict[str, str] = {}
        # Each folded name's first entry, and any others (most names lead to one entry).
        first_key: dict[str, str] = {}
        more_keys: dict[str, set[str]] = {}
        keys_by_initials: dict[str, set[str]] = {}
        # Every (key, folded name) in first-seen order while the index is small enough to scan for typos.
        terms: dict[tuple[str, str], None] | None = {}
        for key, label, aliases in names:
            self._labels[key] = label
            for alias in aliases:
                if not alias:
                    continue
                folded = fold(alias)
                if folded:
                    if first_key.setdefault(folded, key) != key:
                        more_keys.setdefault(folded, set()).add(key)
                    if terms is not None:
                        terms[key, folded] = None
                        if len(terms) > FULL_SCAN_TERMS:
                            terms = None
                initials = "" if alias.isascii() else choseong(alias)
                if len(initials) >= 2:
                    keys_by_initials.setdefault(initials, set()).add(key)

        # Ranks: entries in label order (ties in the order they came), as hits of equal score are listed.
        self._keys = sorted(self._labels, key=self._labels.__getitem__)
        self._ranked_labels = [self._labels[key] for key in self._keys]
        rank = {key: position for position, key in enumerate(self._keys)}
        # Typos in a small index are looked for among all its terms, in the order they came.
        self._terms: tuple[list[str], list[int]] | None = None
        if terms is not None:
            self._terms = ([folded for _, folded in terms], [rank[key] for key, _ in terms])
        self._index_names(first_key, more_keys, rank)
        del first_key, more_keys
        self._index_grams()
        self._index_initials(keys_by_initials, rank)

    def _index_names(
        self, first_key: dict[str, str], more_keys: dict[str, set[str]], rank: dict[str, int]
    ) -> None:
        """The distinct folded names, sorted; `names[i]` leads to the ranks `owners[starts[i]:starts[i + 1]]`."""
        self._names = sorted(first_key)
        owners: list[int] = []
        starts = [0]
        for name in self._names:
            others = more_keys.get(name)
            if others is None:
                owners.append(rank[first_key[name]])
            else:
                owners.extend(sorted({rank[first_key[name]], *(rank[key] for key in others)}))
            starts.append(len(owners))
        self._owners = array("I", owners)
        self._starts = array("I", starts)
        self._first_owner = array("I", (owners[start] for start in starts[:-1]))  # each name's lowest rank
        self._lowest = _LowestInRange(self._owners)

    def _index_grams(self) -> None:
        """Which names hold each gram: 4 characters of a name with a space added, which no folded name holds.

        Postings list names by their lowest rank, so a walk meets the entries listed first first. Each gram
        also keeps the lowest ranks its names lead to: a query of up to four characters is contained
        exactly in the names holding a gram that starts with it, and needs no walk.
        """
        names, owners, starts, first_owner = self._names, self._owners, self._starts, self._first_owner
        postings: defaultdict[str, array[int]] = defaultdict(lambda: array("I"))
        for position in sorted(range(len(names)), key=first_owner.__getitem__):
            padded = names[position] + _PAD
            for window in _windows(len(padded)):
                postings[padded[window]].append(position)
        shared = {position for position in range(len(names)) if starts[position + 1] - starts[position] > 1}
        self._grams: dict[str, array[int]] = dict(postings)
        self._gram_lowest: dict[str, array[int]] = {}
        for gram, found in postings.items():
            # The first TOP distinct first ranks of a posting are its lowest. A name further down has a higher
            # first rank, and its other owners (when it leads to several entries) higher ones still.
            seen = 2 * TOP
            firsts = dict.fromkeys(map(first_owner.__getitem__, found[:seen]))
            while len(firsts) < TOP and seen < len(found):
                seen *= 4
                firsts = dict.fromkeys(map(first_owner.__getitem__, found[:seen]))
            lowest = array("I", islice(firsts, TOP))
            others = [owners[starts[at] + 1 : starts[at + 1]] for at in shared.intersection(found[:seen])]
            self._gram_lowest[gram] = _lowest(chain(lowest, *others), TOP) if others else lowest
        self._gram_order = sorted(self._grams)

    def _index_initials(self, keys_by_initials: dict[str, set[str]], rank: dict[str, int]) -> None:
        """Every piece of every entry's initials, with the lowest ranks it matches at each score."""
        self._initials = [
            (initials, _lowest((rank[key] for key in keys), len(keys)))
            for initials, keys in keys_by_initials.items()
        ]
        pieces: dict[str, dict[float, list[int]]] = {}
        for initials, ranked in self._initials:
            for length in range(1, min(len(initials), _INITIALS_PIECE) + 1):
                for piece in {initials[at : at + length] for at in range(len(initials) - length + 1)}:
                    score = _initials_score(initials, piece) or CONTAINS  # a piece is at least contained
                    pieces.setdefault(piece, {}).setdefault(score, []).extend(ranked[:TOP])
        self._initials_table: dict[str, tuple[tuple[float, array[int]], ...]] = {
            piece: tuple((score, _lowest(ranks, TOP)) for score, ranks in found.items())
            for piece, found in pieces.items()
        }

    def __len__(self) -> int:
        return len(self._labels)

    def label(self, key: str) -> str | None:
        return self._labels.get(key)

    def search(self, query: str, limit: int = 25) -> list[Hit]:
        """The best entries for `query`, best first, at most `limit`, one hit per entry."""
        stripped = query.strip()
        if not stripped:
            return [Hit(key, label, 0.0) for key, label in islice(self._labels.items(), max(limit, 0))]
        if limit < 1:
            return []
        # The best score of each entry found so far, by rank.
        best: dict[int, float] = {}
        compact = _SEPARATORS.sub("", stripped)
        if _COMPAT_JAMO.match(compact):
            self._match_initials(compact, limit, best)
        needle = fold(stripped)
        if needle:
            start, stop = self._match_names(needle, limit, best)
            if self._settled(best, limit, CONTAINS):
                return self._ranked(best, limit)
            if len(needle) >= 3:
                self._match_contains(needle, start, stop, limit, best)
            if len(stripped) < MIN_FUZZY_LENGTH or self._settled(best, limit, FUZZY_MAX):
                # One or two letters match half the cast fuzzily: only names that start with them count.
                return self._ranked(best, limit)
            self._match_fuzzy(needle, start, limit, best)
        return self._ranked(best, limit)

    @staticmethod
    def _settled(best: dict[int, float], limit: int, floor: float) -> bool:
        """Whether `limit` entries already score above `floor`, so no match scoring `floor` can be listed."""
        return sum(score > floor for score in best.values()) >= limit

    def _ranked(self, best: dict[int, float], limit: int) -> list[Hit]:
        ranked = sorted([(-score, rank) for rank, score in best.items()])[:limit]
        return [Hit(self._keys[rank], self._ranked_labels[rank], -score) for score, rank in ranked]

    def _match_initials(self, typed: str, limit: int, best: dict[int, float]) -> None:
        if limit <= TOP and len(typed) <= _INITIALS_PIECE:
            for score, ranks in self._initials_table.get(typed, ()):
                _offer(best, ranks[:limit], score)
            return
        # Typed initials too long to be tabled, or more hits wanted than tabled: look at all initials.
        found: dict[float, list[int]] = {}
        for initials, ranked in self._initials:
            matched = _initials_score(initials, typed)
            if matched is not None:
                found.setdefault(matched, []).extend(ranked[:limit])
        for matched, pooled in found.items():
            _offer(best, _lowest(pooled, limit), matched)

    def _match_names(self, needle: str, limit: int, best: dict[int, float]) -> tuple[int, int]:
        """Exact and prefix matches; returns the run of names starting with `needle`."""
        names, starts = self._names, self._starts
        start, stop = _prefix_range(names, needle)
        after = start
        if start < stop and names[start] == needle:
            _offer(best, self._owners[starts[start] : min(starts[start + 1], starts[start] + limit)], EXACT)
            after += 1
        if after < stop:
            _offer(best, self._lowest.lowest(starts[after], starts[stop], limit), PREFIX)
        return start, stop

    def _match_contains(self, needle: str, start: int, stop: int, limit: int, best: dict[int, float]) -> None:
        """Names containing `needle` (other than those starting with it, in `names[start:stop]`)."""
        owners, starts = self._owners, self._starts
        if len(needle) <= _GRAM:
            # A name contains `needle` exactly when it holds a gram starting with it.
            first, last = _prefix_range(self._gram_order, needle)
            grams = self._gram_order[first:last]
            if limit <= TOP:
                ranks: Iterable[int] = chain.from_iterable(self._gram_lowest[gram] for gram in grams)
            else:
                found = set(chain.from_iterable(self._grams[gram] for gram in grams))
                ranks = chain.from_iterable(owners[starts[i] : starts[i + 1]] for i in found)
        else:
            # Only names holding the rarest of its grams can contain `needle`: check those, best first.
            postings = [self._grams.get(needle[window]) for window in _windows(len(needle))]
            rarest = min(postings, key=lambda found: len(found) if found is not None else 0)
            if not rarest:
                return
            names, first_owner = self._names, self._first_owner
            matched: list[int] = []
            leaders = 0  # distinct first ranks matched: once `limit`, later names cannot rank lower
            for position in rarest[:_CONTAINS_SCAN]:
                if needle in names[position] and not start <= position < stop:
                    if not matched or first_owner[position] != first_owner[matched[-1]]:
                        leaders += 1
                        if leaders > limit:
                            break
                    matched.append(position)
            ranks = chain.from_iterable(
                owners[starts[i] : min(starts[i + 1], starts[i] + limit)] for i in matched
            )
        _offer(best, _lowest(ranks, limit), CONTAINS)

    def _match_fuzzy(self, needle: str, start: int, limit: int, best: dict[int, float]) -> None:
        """Typos: the best rapidfuzz matches, below every exact, prefix, initials or contains match."""
        room = limit * 4  # names (with repeats, one per entry going by it) rapidfuzz may suggest
        if self._terms is not None:
            terms, ranks = self._terms
            for _, score, index in process.extract(
                needle, terms, scorer=fuzz.WRatio, limit=room, score_cutoff=SUGGEST_THRESHOLD
            ):
                _offer(best, (ranks[index],), min(score, FUZZY_MAX))
            return
        candidates = self._fuzzy_candidates(needle, start)
        names, starts, owners = self._names, self._starts, self._owners
        for _, score, index in process.extract(
            needle,
            [names[i] for i in candidates],
            scorer=fuzz.WRatio,
            limit=room,
            score_cutoff=SUGGEST_THRESHOLD,
        ):
            position = candidates[index]
            found = owners[starts[position] : min(starts[position + 1], starts[position] + room)]
            _offer(best, found, min(score, FUZZY_MAX))
            room -= len(found)
            if room <= 0:
                break

    def _fuzzy_candidates(self, needle: str, start: int) -> list[int]:
        """Positions of the names likely to be `needle` mistyped, in a large index."""
        names = self._names
        found = set(range(max(start - _NEIGHBOURS, 0), min(start + _NEIGHBOURS, len(names))))
        found.update(self._one_edit_away(needle, start))
        padded = needle + _PAD
        postings = [self._grams.get(padded[window]) for window in _windows(len(padded))]
        room = _GRAM_CANDIDATES
        for posting in sorted(filter(None, postings), key=len):
            found.update(posting[:room])
            room -= len(posting)
            if room <= 0:
                break
        return list(found)

    def _one_edit_away(self, needle: str, start: int) -> set[int]:
        """Positions of names one typo away from `needle`, the typo where `needle` leaves every name."""
        names = self._names
        # How far `needle` runs along some name: the longest start it shares with a neighbour in sorted order.
        common = max(
            (_shared_start(needle, names[at]) for at in (start - 1, start) if 0 <= at < len(names)), default=0
        )
        if common >= len(needle):
            return set()
        head, typed, rest = needle[:common], needle[common], needle[common + 1 :]
        probes = [head + rest]  # a character too many
        if rest:
            probes.append(head + rest[0] + typed + rest[1:])  # two characters swapped
        # Each character following `head` in some name: typed as `typed`, or left out before it.
        first, last = _prefix_range(names, head)
        if first < last and names[first] == head:
            first += 1
        for _ in range(_PROBED_CHARACTERS):
            if first >= last:
                break
            char = names[first][common]
            probes += [head + char + rest, head + char + typed + rest]
            first = _prefix_range(names, head + char)[1]
        return {at for at in map(partial(bisect_left, names), probes) if at < len(names)}

    def resolve(self, query: str) -> tuple[str | None, list[Hit]]:
        """What a submitted value names: an entry key (or None) and, when it is unclear, suggestions.

        The value may be a key chosen from autocomplete, or anything the fan typed.
        """
        value = query.strip()
        if value in self._labels:
            return value, []
        hits = self.search(value, limit=4)
        # A typed Hangul name that is not a name of the entry is another person's name, not a typo: 박지수 is
        # not 박지후, nor 박미지 박미진, though one letter (jamo) of one syllable differs. It only gets
        # suggestions.
        compact = _SEPARATORS.sub("", value)
        hangul = len(compact) >= 2 and all(is_hangul_syllable(char) for char in compact)
        if (
            hits
            and not (hangul and hits[0].score < EXACT)
            and hits[0].score >= RESOLVE_THRESHOLD
            and (len(hits) == 1 or hits[0].score > hits[1].score)
        ):
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
