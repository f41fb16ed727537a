"""Cards are pure: what a fan sees at each spoiler level, with provenance on every fact."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from bot.cards import cast_pages, character_card, person_card, reveal_embed, season_card, timeline_pages
from bot.catalog import Catalog
from bot.pack import Pack

FATE = 'Bitten by Gwi-nam, she becomes a "halfbie" (half-infected, 절비), keeps her humanity and leaves the group'


@pytest.fixture(scope="module")
def catalog(pack: Pack) -> Catalog:
    return Catalog.from_pack(pack)


def _fields(embed: object) -> dict[str, str]:
    return {f.name: f.value for f in embed.fields}  # type: ignore[attr-defined]


def test_a_none_viewer_sees_fates_only_behind_spoiler_tags(catalog: Catalog) -> None:
    drawn = character_card(catalog, catalog.character("choi-nam-ra"), "none")  # type: ignore[arg-type]
    fields = _fields(drawn.embed)
    # The sources go behind the spoiler with the fact: an address such as "…/how-do-gwi-nam-and-lee-na-yeon-
    # die-in-all-of-us-are-dead/" tells the fate.
    fate = fields["Season 1 fate"]
    assert fate.startswith(f"||{FATE}\n_confirmed_ · "), fate
    assert fate.endswith("||")
    assert fate.count("||") == 2
    assert "-die-in-" in fate
    season2 = fields["Season 2"]
    assert season2.startswith("||Returns in Season 2, still a halfbie\n_confirmed_ · [v.daum.net"), season2
    assert season2.endswith("||")
    assert season2.count("||") == 2
    assert [(h.part, h.label) for h in drawn.hidden] == [("fate", "Season 1 fate"), ("season2", "Season 2")]
    assert drawn.embed.title == "Choi Nam-ra (최남라)"
    assert fields["Played by"] == "Cho Yi-hyun (조이현)"
    assert "Data as of 2026-12-01" in (drawn.embed.footer.text or "")


def test_an_s1_viewer_sees_the_fate_but_not_season_two(catalog: Catalog) -> None:
    drawn = character_card(catalog, catalog.character("choi-nam-ra"), "s1")  # type: ignore[arg-type]
    fields = _fields(drawn.embed)
    assert fields["Season 1 fate"].startswith(f"{FATE}\n")
    assert fields["Season 2"].startswith("||")
    assert [h.part for h in drawn.hidden] == ["season2"]
    everything = character_card(catalog, catalog.character("choi-nam-ra"), "s2")  # type: ignore[arg-type]
    assert everything.hidden == []
    assert "||" not in str(everything.embed.to_dict())


def test_a_spoiler_profile_is_hidden_too(catalog: Catalog) -> None:
    drawn = character_card(catalog, catalog.character("ma-ru"), "none")  # type: ignore[arg-type]
    assert drawn.embed.description is not None
    assert drawn.embed.description.startswith("||On-jo's senior at university\n_confirmed_ · ")
    assert drawn.embed.description.endswith("||")
    assert drawn.embed.description.count("||") == 2
    assert drawn.hidden[0].part == "profile"


def test_a_character_without_fate_or_news_says_nothing_made_up(catalog: Catalog) -> None:
    new = _fields(character_card(catalog, catalog.character("han-du-seok"), "s2").embed)  # type: ignore[arg-type]
    assert "Season 1 fate" not in new
    fields = _fields(character_card(catalog, catalog.character("han-gyeong-su"), "s2").embed)  # type: ignore[arg-type]
    assert fields["Season 1 fate"].startswith("Dies in episode 3: ")
    fate_source = "\n_reported_ · [sportskeeda.com, 2022-02-08](https://www.sportskeeda.com/"
    assert fate_source in fields["Season 1 fate"]
    assert fields["Season 2"] == "No news yet."


def test_actor_card_lists_roles_and_season_two_status(catalog: Catalog) -> None:
    drawn = person_card(catalog, catalog.person("yoon-chan-young"), "none")  # type: ignore[arg-type]
    fields = _fields(drawn.embed)
    [role] = [value for name, value in fields.items() if name.startswith("As Lee Cheong-san (이청산) (")]
    assert "**Season 2:** ||Returns in Season 2\n_confirmed_ · " in role
    assert role.endswith("||")
    assert drawn.embed.description == "Also spelled Yoon Chan Young"
    assert [(h.key, h.part) for h in drawn.hidden] == [("lee-cheong-san", "season2")]


def test_season_two_has_no_date_and_the_latest_news_first(catalog: Catalog) -> None:
    fresh = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    drawn = season_card(catalog, catalog.season(2), "none", now=fresh)  # type: ignore[arg-type]
    fields = _fields(drawn.embed)
    assert fields["Release"] == "No date announced."
    assert fields["Stage"].startswith(
        "Post-production\n_unconfirmed_ · [newsx.com, 2026-02-23](https://www.newsx.com/photos/all-of-us-are-dead-"
    )
    latest = fields["Latest news"]
    assert latest.index("**2026-02-23**") < latest.index("**2026-02-22**") < latest.index("**2026-01-10**")
    # The latest news fit whole, links and all.
    assert len(latest) <= 1024
    assert latest.endswith(")")
    assert "<t:" not in str(drawn.embed.to_dict())


def test_a_known_release_date_is_a_timestamp_with_countdown(catalog: Catalog) -> None:
    season = catalog.season(2)
    assert season is not None
    release = dt.datetime(2027, 3, 5, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    dated = msgspec.structs.replace(season, release=release.isoformat())
    fields = _fields(season_card(catalog, dated, "none", now=dt.datetime(2026, 11, 21, tzinfo=dt.UTC)).embed)
    stamp = int(release.timestamp())
    assert fields["Release"] == f"<t:{stamp}:F> (<t:{stamp}:R>)"


def test_the_timeline_pages_hold_every_entry(catalog: Catalog) -> None:
    pages = timeline_pages(catalog, 2, "none")
    text = "".join(page.description or "" for page in pages)
    assert text.count("**20") == len([n for n in catalog.news if n.season == 2])
    assert "||Announced cast: Park Ji-hu" in text
    assert pages[0].title == f"Season 2 timeline (1/{len(pages)})"


def test_the_cast_list_pages_have_everyone(catalog: Catalog) -> None:
    pages = cast_pages(catalog)
    assert len(pages) == 2
    text = "".join(page.description or "" for page in pages)
    assert all(person.name in text for person in catalog.people)
    assert "**Lomon** (로몬) — Lee Su-hyeok" in text


def test_reveal_gives_the_plain_fact(catalog: Catalog) -> None:
    embed = reveal_embed(catalog, "character", "choi-nam-ra", "fate")
    assert embed is not None
    assert embed.title == "Choi Nam-ra (최남라): Season 1 fate"
    assert (embed.description or "").startswith(FATE)
    assert reveal_embed(catalog, "character", "nobody", "fate") is None
    news = reveal_embed(catalog, "news", "s2-cast-announced", "text")
    assert news is not None
    assert (news.description or "").startswith("Announced cast")
