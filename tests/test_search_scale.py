"""Search on a big server: 100,000 characters, half a million names, answered the way a full scan would.

`NameIndex` answers from indexes built up front instead of comparing the query with every name. These tests
check those answers against the plain definition: exact and prefix matches, names containing the query
and Hangul initials must be exactly what a full scan finds, listed by label; typos, which a large index
only looks for among likely candidates, must still find the name meant. Nothing here is timed (the suite
makes no timed assertions); timing is measured separately.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable

import pytest
from rapidfuzz import fuzz, process

import bot.search as search
from bot.catalog import Catalog
from bot.pack import Pack
from bot.search import (
    CONTAINS,
    EXACT,
    INITIALS,
    MIN_FUZZY_LENGTH,
    PREFIX,
    SUGGEST_THRESHOLD,
    NameIndex,
    choseong,
    fold,
)

Row = tuple[str, str, list[str]]

ENTRIES = 100_000

SURNAMES = [
    ("Kim", "김"), ("Lee", "이"), ("Park", "박"), ("Choi", "최"), ("Jung", "정"), ("Kang", "강"), ("Cho", "조"),
    ("Yoon", "윤"), ("Jang", "장"), ("Lim", "임"), ("Han", "한"), ("Oh", "오"), ("Seo", "서"), ("Shin", "신"),
    ("Kwon", "권"), ("Hwang", "황"), ("Ahn", "안"), ("Song", "송"), ("Yoo", "유"), ("Hong", "홍"),
]  # fmt: skip
SYLLABLES = [
    ("Min", "민"), ("Jun", "준"), ("Seo", "서"), ("Ji", "지"), ("Hoo", "후"), ("Yeon", "연"), ("Woo", "우"),
    ("Hyun", "현"), ("Su", "수"), ("Jin", "진"), ("Eun", "은"), ("Ha", "하"), ("Do", "도"), ("Yun", "윤"),
    ("Na", "나"), ("Ra", "라"), ("Sang", "상"), ("Chul", "철"), ("Young", "영"), ("Hee", "희"), ("Gyu", "규"),
    ("Tae", "태"), ("Hyuk", "혁"), ("Bin", "빈"), ("Kyung", "경"), ("Chan", "찬"), ("On", "온"), ("San", "산"),
]  # fmt: skip
# One entry whose Hangul name has four syllables: no generated name has its initials.
NAMGUNG = ("namgung-min-su", "Namgung Min-su (남궁민수)", ["namgung-min-su", "Namgung Min-su", "남궁민수"])


def generate(count: int, seed: int) -> list[Row]:
    """Characters as a big server has them: key, name, nickname, Hangul for a third of them, actor."""
    rng = random.Random(seed)
    rows: list[Row] = []
    for number in range(count):
        (family, family_hangul), (first, first_hangul), (second, second_hangul) = (
            rng.choice(SURNAMES),
            rng.choice(SYLLABLES),
            rng.choice(SYLLABLES),
        )
        name = f"{family} {first}-{second.lower()} {number}"
        key = f"{family}-{first}-{second}-{number}".lower()
        names = [key, name, f"{first}{second.lower()} {number}"]
        hangul = ""
        if number % 3 == 0:
            hangul = family_hangul + first_hangul + second_hangul
            names += [hangul, hangul[1:]]
        (actor_family, _), (actor_first, _), (actor_second, _) = (
            rng.choice(SURNAMES),
            rng.choice(SYLLABLES),
            rng.choice(SYLLABLES),
        )
        actor = f"{actor_family} {actor_first}-{actor_second.lower()} {rng.randrange(1, 1_000_000)}"
        names.append(actor)
        label = f"{name} ({hangul}) · {actor}" if hangul else f"{name} · {actor}"
        rows.append((key, label[:100], names))
    return [*rows[: count // 2], NAMGUNG, *rows[count // 2 :]]


class FullScan:
    """The plain definition of search: every name compared with the query, one by one."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self.labels: dict[str, str] = {}
        self.terms: list[tuple[str, str]] = []
        self.initials: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for key, label, aliases in rows:
            self.labels[key] = label
            for alias in aliases:
                if not alias:
                    continue
                folded = fold(alias)
                if folded and (key, folded) not in seen:
                    seen.add((key, folded))
                    self.terms.append((key, folded))
                if len(choseong(alias)) >= 2:
                    self.initials.append((key, choseong(alias)))

    def search(self, query: str, limit: int = 25) -> list[tuple[str, float]]:
        best: dict[str, float] = {}

        def offer(key: str, score: float) -> None:
            best[key] = max(best.get(key, 0.0), score)

        stripped = query.strip()
        if not stripped:
            return [(key, 0.0) for key in list(self.labels)[:limit]]
        compact = re.sub(r"[\s\-‐‑‒–—_.'’`·:,]", "", stripped)
        if re.fullmatch("[ㄱ-ㅎ]+", compact):
            for key, initials in self.initials:
                if initials == compact:
                    offer(key, EXACT)
                elif initials.startswith(compact) or initials.endswith(compact):
                    offer(key, INITIALS)
                elif compact in initials:
                    offer(key, CONTAINS)
        needle = fold(stripped)
        if needle:
            for key, folded in self.terms:
                if folded == needle:
                    offer(key, EXACT)
                elif folded.startswith(needle):
                    offer(key, PREFIX)
                elif len(needle) >= 3 and needle in folded:
                    offer(key, CONTAINS)
            if len(stripped) >= MIN_FUZZY_LENGTH:
                folded_names = [folded for _, folded in self.terms]
                for _, score, index in process.extract(
                    needle, folded_names, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=SUGGEST_THRESHOLD
                ):
                    offer(self.terms[index][0], min(score, CONTAINS - 0.1))
        ranked = sorted(best.items(), key=lambda item: (-item[1], self.labels[item[0]]))
        return ranked[:limit]


def queries_for(rows: list[Row], count: int, seed: int) -> list[str]:
    """What fans type: whole names, beginnings, middles, typos, initials, nonsense."""
    rng = random.Random(seed)
    aliases = [alias for _, _, names in rows for alias in names]
    queries = ["", "  ", "a", "ㅇ", "ㄴㄹ", "qqqqxz", "Harry Potter", "-", "ㄱㄴㄷㄹㅁㅂㅅㅇㅈ", "㎏"]
    for _ in range(count):
        alias = rng.choice(aliases)
        at = rng.randrange(len(alias))
        queries += [
            alias,
            alias[: rng.randrange(1, len(alias) + 1)],
            alias[at : at + rng.randrange(3, 8)],
            alias[:at] + alias[at + 1 :],
            choseong(alias)[at % 3 :][: rng.randrange(1, 4)] or alias.upper(),
        ]
    return queries


def _hits(index: NameIndex, query: str, limit: int = 25) -> list[tuple[str, float]]:
    return [(hit.key, hit.score) for hit in index.search(query, limit)]


def _captured_rows(build: Callable[[Catalog], NameIndex], catalog: Catalog) -> list[Row]:
    """The rows `build` indexes the catalog with."""
    captured: list[Row] = []

    class Capturing(NameIndex):
        def __init__(self, names: Iterable[tuple[str, str, Iterable[str]]]) -> None:
            captured.extend((key, label, list(aliases)) for key, label, aliases in names)
            super().__init__(captured)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "NameIndex", Capturing)
        build(catalog)
    return captured


@pytest.mark.parametrize("build", [search.character_index, search.person_index])
def test_the_bundled_pack_is_searched_exactly_as_a_full_scan_would(
    pack: Pack, build: Callable[[Catalog], NameIndex]
) -> None:
    rows = _captured_rows(build, Catalog.from_pack(pack))
    index, scan = NameIndex(rows), FullScan(rows)
    for query in queries_for(rows, 80, seed=1):
        for limit in (25, 4, 40):
            assert _hits(index, query, limit) == scan.search(query, limit), (query, limit)


def test_a_small_generated_index_is_searched_exactly_as_a_full_scan_would() -> None:
    rows = generate(150, seed=2)
    index, scan = NameIndex(rows), FullScan(rows)
    for query in queries_for(rows, 30, seed=3):
        for limit in (25, 10, 40):
            assert _hits(index, query, limit) == scan.search(query, limit), (query, limit)


def test_a_large_index_finds_all_but_typos_exactly_as_a_full_scan_would() -> None:
    """Above FULL_SCAN_TERMS names only typo suggestions are approximate: every other match is exact."""
    rows = generate(2_000, seed=4)
    index, scan = NameIndex(rows), FullScan(rows)
    for query in queries_for(rows, 8, seed=5):
        for limit in (25, 40):
            expected = [(key, score) for key, score in scan.search(query, limit) if score >= CONTAINS]
            found = _hits(index, query, limit)
            assert [(key, score) for key, score in found if score >= CONTAINS] == expected, (query, limit)


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return generate(ENTRIES, seed=42)


@pytest.fixture(scope="module")
def index(rows: list[Row]) -> NameIndex:
    return NameIndex(rows)


@pytest.fixture(scope="module")
def by_label(rows: list[Row]) -> list[Row]:
    """The entries in label order, with their names folded."""
    return sorted(
        ((key, label, [fold(name) for name in names]) for key, label, names in rows), key=lambda row: row[1]
    )


def first_by_label(by_label: list[Row], matches: Callable[[list[str]], bool], count: int = 25) -> list[str]:
    """The keys of the first `count` entries, in label order, whose folded names `matches`."""
    keys: list[str] = []
    for key, _, names in by_label:
        if matches(names):
            keys.append(key)
            if len(keys) == count:
                break
    return keys


def test_the_index_holds_every_entry(index: NameIndex, rows: list[Row]) -> None:
    assert len(index) == ENTRIES + 1
    assert index.label(rows[7][0]) == rows[7][1]


def test_an_exact_name_is_found_first(index: NameIndex, rows: list[Row]) -> None:
    for key, _, names in random.Random(1).sample(rows, 30):
        for typed in (names[1], names[0], names[1].upper().replace("-", " ")):
            hits = index.search(typed)
            assert (hits[0].key, hits[0].score) == (key, EXACT), typed
            assert index.resolve(typed) == (key, [])


@pytest.mark.parametrize(
    "typed", ["K", "Kim", "kim mi", "Park Ji-h", "Lee Min-jun 1", "Seo-yeon", "김", "민준"]
)
def test_a_prefix_lists_the_first_entries_starting_with_it(
    index: NameIndex, by_label: list[Row], typed: str
) -> None:
    needle = fold(typed)
    exact: list[str] = []  # every entry going by exactly what was typed comes first
    starting: list[str] = []
    for key, _, names in by_label:
        if needle in names:
            exact.append(key)
        elif len(starting) < 25 and any(name.startswith(needle) for name in names):
            starting.append(key)
    hits = index.search(typed)
    assert len(hits) <= 25
    expected = [(key, EXACT) for key in exact] + [(key, PREFIX) for key in starting]
    assert [(hit.key, hit.score) for hit in hits if hit.score >= PREFIX] == expected[:25]
    if len(expected) >= 25:
        names_of = {key: names for key, _, names in by_label}
        assert all(any(name.startswith(needle) for name in names_of[hit.key]) for hit in hits)


@pytest.mark.parametrize("typed", ["njun", "eong", "n-jun 1", "jun 1"])
def test_names_containing_the_query_are_listed_by_label(
    index: NameIndex, by_label: list[Row], typed: str
) -> None:
    needle = fold(typed)
    assert first_by_label(by_label, lambda names: any(name.startswith(needle) for name in names), 1) == []
    containing = first_by_label(by_label, lambda names: any(needle in name for name in names))
    assert [hit.key for hit in index.search(typed) if hit.score == CONTAINS] == containing


def test_a_typo_finds_the_name_meant_among_the_first_three(index: NameIndex, rows: list[Row]) -> None:
    rng = random.Random(3)
    for key, _, names in rng.sample(rows, 30):
        name = names[1]
        if key == NAMGUNG[0]:
            continue
        at = rng.randrange(1, name.index(" ", name.index(" ") + 1) - 1)  # in the letters, not the number
        typo = name[:at] + name[at + 1] + name[at] + name[at + 2 :]  # two letters swapped
        if fold(typo) == fold(name):
            continue
        assert key in [hit.key for hit in index.search(typo)[:3]], typo


def test_hangul_initials_find_entries(index: NameIndex, rows: list[Row]) -> None:
    assert _hits(index, "ㄴㄱㅁㅅ")[0] == ("namgung-min-su", EXACT)
    assert index.resolve("ㄴㄱㅁㅅ") == ("namgung-min-su", [])
    assert _hits(index, "ㄴㄱㅁ")[0] == ("namgung-min-su", INITIALS)
    labels = {key: label for key, label, _ in rows}
    exact = sorted(
        (key for key, _, names in rows if "ㅂㅈㅎ" in map(choseong, names)), key=labels.__getitem__
    )
    assert len(exact) > 25
    assert _hits(index, "ㅂㅈㅎ") == [(key, EXACT) for key in exact[:25]]


def test_nothing_typed_lists_the_first_entries(index: NameIndex, rows: list[Row]) -> None:
    for typed in ("", "   "):
        hits = index.search(typed)
        assert [hit.key for hit in hits] == [key for key, _, _ in rows[:25]]
    assert len(index.search("", limit=10)) == 10


def test_nonsense_gives_no_entry(index: NameIndex) -> None:
    key, suggestions = index.resolve("qqqqxz")
    assert key is None
    assert len(suggestions) <= 3
