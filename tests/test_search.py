"""Names are found however fans type them: the cases fans actually type, against the bundled pack."""

from __future__ import annotations

import pytest

from bot.catalog import Catalog
from bot.pack import Pack
from bot.search import character_index, choseong, fold, person_index

# (what a fan types, the character it must find)
CHARACTER_CASES = [
    ("namra", "choi-nam-ra"),
    ("Nam Ra", "choi-nam-ra"),
    ("NAM-RA", "choi-nam-ra"),
    ("Soo-hyuk", "lee-su-hyeok"),
    ("Su-hyeok", "lee-su-hyeok"),
    ("Chung-san", "lee-cheong-san"),
    ("Cheong-san", "lee-cheong-san"),
    ("최남라", "choi-nam-ra"),
    ("남라", "choi-nam-ra"),
    ("ㄴㄹ", "choi-nam-ra"),
    ("Lomon", "lee-su-hyeok"),
    ("Park Solomon", "lee-su-hyeok"),
    ("cheongsna", "lee-cheong-san"),
    ("choi namr", "choi-nam-ra"),
    ("Kyung-soo", "han-gyeong-su"),
    ("Wu-jin", "jang-woo-jin"),
    ("이청산", "lee-cheong-san"),
    ("마루", "ma-ru"),
    ("Park Ji-hoo", "nam-on-jo"),
]

# (what a fan types, the cast member it must find)
PERSON_CASES = [
    ("Ji-hoo", "park-ji-hu"),
    ("Ji-hu", "park-ji-hu"),
    ("Park Ji Hoo", "park-ji-hu"),
    ("박지후", "park-ji-hu"),
    ("지후", "park-ji-hu"),
    ("ㅂㅈㅎ", "park-ji-hu"),
    ("Lim Jae-hyeok", "im-jae-hyuk"),
    ("Lee You-mi", "lee-yoo-mi"),
    ("Park Solomon", "lomon"),
    ("Nam-ra", "cho-yi-hyun"),
    ("yoon chan yong", "yoon-chan-young"),
]


@pytest.fixture(scope="module")
def catalog(pack: Pack) -> Catalog:
    return Catalog.from_pack(pack)


@pytest.mark.parametrize(("typed", "key"), CHARACTER_CASES)
def test_characters_are_found_first_and_resolved(catalog: Catalog, typed: str, key: str) -> None:
    index = character_index(catalog)
    hits = index.search(typed)
    assert hits[0].key == key, [(h.key, h.score) for h in hits[:3]]
    assert index.resolve(typed) == (key, [])


@pytest.mark.parametrize(("typed", "key"), PERSON_CASES)
def test_cast_members_are_found_first_and_resolved(catalog: Catalog, typed: str, key: str) -> None:
    index = person_index(catalog)
    assert index.search(typed)[0].key == key
    assert index.resolve(typed) == (key, [])


def test_a_key_from_autocomplete_resolves_to_itself(catalog: Catalog) -> None:
    assert character_index(catalog).resolve("lee-su-hyeok") == ("lee-su-hyeok", [])


def test_nonsense_gives_no_entry_and_at_most_three_suggestions(catalog: Catalog) -> None:
    index = character_index(catalog)
    assert index.resolve("qqqqxz") == (None, [])
    key, suggestions = index.resolve("Harry Potter")
    assert key is None
    assert 1 <= len(suggestions) <= 3


def test_results_are_capped_and_labels_fit_discord(catalog: Catalog) -> None:
    index = character_index(catalog)
    for query in ("", "a", "lee", "ㅇ"):
        hits = index.search(query)
        assert len(hits) <= 25
        assert all(1 <= len(hit.label) <= 100 for hit in hits)
        assert len({hit.key for hit in hits}) == len(hits)


def test_folding_and_initials() -> None:
    assert fold("NAM-RA") == fold("nam ra") == fold("Namra")
    assert fold("Soo-hyuk") == fold("Su-hyeok")
    assert fold("Kyung-soo") == fold("Gyeong-su")
    assert choseong("최남라") == "ㅊㄴㄹ"
    assert choseong("Lomon") == ""
