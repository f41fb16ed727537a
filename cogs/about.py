"""/about: what the bot is, how fresh its data is and where it comes from, and how fast it is answering."""

from __future__ import annotations

import datetime as dt
import math
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

import discord
import msgspec
from discord import app_commands
from discord.ext import commands

from bot.answers import answer, fan_catalog
from bot.cards import show_title, staleness_note
from bot.catalog import Catalog
from bot.i18n import ENGLISH, Lang, lang_of
from bot.models import Source
from bot.render import FIELD_VALUE_LIMIT, Field, card, escape, link_target, link_text, source_label
from bot.rules import public_sources

if TYPE_CHECKING:
    from bot.client import AoadBot

SOURCES_SHOWN = 12


def publications(catalog: Catalog) -> list[str]:
    """Each publication the data cites for what everyone may see, once, linked to an article of it where one
    is known."""
    by_name: dict[str, Source] = {}
    for source in public_sources([catalog.show, *catalog.characters, *catalog.seasons, *catalog.news]):
        known = by_name.get(source.name)
        if known is None or (known.url is None and source.url is not None):
            by_name[source.name] = source
    links = []
    for source in by_name.values():
        label = source_label(msgspec.structs.replace(source, published=None))
        links.append(f"[{link_text(label)}]({link_target(source.url)})" if source.url else escape(label))
    return links


def about_card(catalog: Catalog, latency: float, version: str, lang: Lang = ENGLISH) -> discord.Embed:
    show = catalog.show
    other_title = show.title if lang.code == "ko" else show.title_ko
    title = f"*{escape(show_title(show, lang))}*" + (f" ({escape(other_title)})" if other_title else "")
    description = lang.t(
        "A fan-made guide to {title} on {service}: the cast, the characters and Season 2's status. Every fact "
        "shows its sources and how sure they are (confirmed, reported or unconfirmed), and spoilers stay hidden "
        "until you say how far you have watched.",
        title=title,
        service=escape(show.streaming_service),
    )
    freshness = lang.t("Bundled data as of {date}", date=discord.utils.format_dt(_midday(catalog.as_of), "D"))
    if catalog.last_edited is not None:
        freshness += "\n" + lang.t(
            "Last updated by this server's moderators {when}",
            when=discord.utils.format_dt(catalog.last_edited, "R"),
        )
    elif catalog.guild_id is None:
        freshness += "\n" + lang.t("Outside a server, answers come from the bundled data.")
    stale = staleness_note(catalog, lang)
    if stale:
        freshness += "\n" + stale
    names = publications(catalog)
    shown = _whole_links(names[:SOURCES_SHOWN], len(names), lang)
    if math.isfinite(latency):
        heartbeat = lang.t("Gateway heartbeat: {ms} ms", ms=f"{latency * 1000:.0f}")
    else:
        heartbeat = lang.t("Gateway heartbeat: still measuring")
    if catalog.guild_id is not None:
        footer = lang.t(
            "Not affiliated with {service}. Corrections go to this server's moderators.",
            service=show.streaming_service,
        )
    else:
        footer = lang.t("Not affiliated with {service}. Every fact is cited.", service=show.streaming_service)
    return card(
        title=lang.t("About this bot"),
        description=description,
        fields=[
            Field(lang.t("Data"), freshness),
            Field(lang.t("Sources ({count})", count=len(names)), shown or "—"),
            Field(lang.t("Latency"), heartbeat, inline=True),
            Field(lang.t("Version"), version, inline=True),
        ],
        footer=footer,
        lang=lang,
    )


def _whole_links(links: list[str], total: int, lang: Lang) -> str:
    """Links joined while they fit in a field, whole (a link cut in half shows as broken markdown), then how
    many more there are."""
    shown: list[str] = []
    for index, link in enumerate(links):
        more = lang.t("and {count} more", count=total - index - 1) if index + 1 < total else ""
        if len(", ".join([*shown, link])) + len(more) + 1 > FIELD_VALUE_LIMIT:
            return ", ".join(shown) + " " + lang.t("and {count} more", count=total - index)
        shown.append(link)
    text = ", ".join(shown)
    return text + " " + lang.t("and {count} more", count=total - len(shown)) if total > len(shown) else text


def _midday(day: dt.date) -> dt.datetime:
    """A date as an instant that falls on that date in every time zone, for a Discord date stamp."""
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


class About(commands.Cog):
    def __init__(self, bot: AoadBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="about", description="What this bot is, how fresh its data is, and its sources"
    )
    @app_commands.describe(private="Show the answer only to you")
    async def about(self, interaction: discord.Interaction, private: bool = False) -> None:
        catalog = await fan_catalog(interaction, private=private)
        embed = about_card(catalog, self.bot.latency, _version(), lang_of(interaction))
        await answer(interaction, embed=embed, ephemeral=private)


def _version() -> str:
    try:
        return version("aoad-bot")
    except PackageNotFoundError:
        return "development"


async def setup(bot: AoadBot) -> None:
    await bot.add_cog(About(bot))
