"""/season end to end: stage, no guessed date, latest news with sources, and the paged timeline."""

from __future__ import annotations

import re

from bot.client import AoadBot
from tests.fakediscord import FakeDiscord


def _fields(embed: dict[str, object]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed["fields"]}  # type: ignore[attr-defined]


async def test_season_two_by_default(bot: AoadBot, fake_discord: FakeDiscord) -> None:
    result = await fake_discord.slash("season")
    reply = await result.response()
    embed = reply.embeds[0]
    assert embed["title"] == "All of Us Are Dead: Season 2"
    fields = _fields(embed)
    assert fields["Stage"].startswith(
        "Post-production\n_unconfirmed_ · [newsx.com, 2026-02-23](https://www.newsx.com/photos/all-of-us-are-dead-"
    )
    assert fields["Release"] == "No date announced."
    # What Netflix said, confirmed, apart from what the press reports or guesses, unconfirmed.
    assert fields["Netflix has announced"].startswith("The renewal (6 June 2022)")
    assert (
        "No release date yet\n_confirmed_ · [deadline.com, 2022-06-06]"
        "(https://deadline.com/2022/06/all-of-us-are-dead-renewed-season-2-netflix-1235038221/)"
    ) in fields["Netflix has announced"]
    assert fields["The press reports"].startswith("Not from Netflix: ")
    assert "\n_unconfirmed_ · " in fields["The press reports"]
    assert "_confirmed_ · [v.daum.net, 2025-07-23](https://v.daum.net/v/20250723080753223)" in fields["Crew"]
    assert re.search(r"\*\*2026-02-23\*\* — [^\n]*no release date", fields["Latest news"])
    assert (
        "_unconfirmed_ · [indiatvnews.com, 2026-02-22](https://www.indiatvnews.com/entertainment/korean/"
        "all-of-us-are-dead-season-2-netflix-release-date-2026-02-22-1031270)" in fields["Latest news"]
    )
    # The synopsis says On-jo survived Season 1: hidden, what it is about too, with its own Reveal button.
    assert fields["Hidden fact 4"].startswith("||Synopsis: On-jo, now a university student")
    ids = [b["custom_id"] for row in reply.components for b in row["components"]]
    assert ids == ["timeline:2", "reveal:season:2:fact3"]

    assert result.original is not None
    timeline = await fake_discord.click(result.original, "timeline:2", user=fake_discord.guild.member("fan"))
    page = await timeline.response()
    assert page.ephemeral
    assert page.embeds[0]["title"].startswith("Season 2 timeline (1/")
    assert "**2022-06-06** — Renewed for Season 2" in page.embeds[0]["description"]
    assert "||The same report lists Yoo In-soo and Lee Yoo-mi" in page.embeds[0]["description"]


async def test_season_one_shows_its_release_day(bot: AoadBot, fake_discord: FakeDiscord) -> None:
    reply = await (await fake_discord.slash("season", {"number": 1, "private": True})).response()
    assert reply.ephemeral
    fields = _fields(reply.embeds[0])
    # The day only: the hour once given (17:00 KST) could not be sourced again, so no timestamp is made up.
    assert fields["Release"].startswith("28 January 2022")
    assert "<t:" not in fields["Release"]
    radiotimes = "[radiotimes.com, 2022-01-28](https://www.radiotimes.com/tv/sci-fi/all-of-us-are-dead-cast/)"
    assert f"_confirmed_ · {radiotimes}" in fields["Release"]
    assert fields["Stage"].startswith("Released")
    assert fields["Episodes"].startswith(
        "12\n_confirmed_ · [deadline.com, 2022-06-06]"
        "(https://deadline.com/2022/06/all-of-us-are-dead-renewed-season-2-netflix-1235038221/)"
    )


async def test_a_season_not_in_the_data(bot: AoadBot, fake_discord: FakeDiscord) -> None:
    reply = await (await fake_discord.slash("season", {"number": 7})).response()
    assert reply.ephemeral
    assert reply.content == "There is no Season 7 in the data yet. Seasons I know: 1, 2."
