"""Rendering helpers: pure functions from data to what Discord shows, inside Discord's limits.

Every embed the bot sends is built by `card()`, which cuts each part to Discord's limits (with an ellipsis)
and keeps the whole embed under the 6,000-character total, so a long fact can never turn into a 400 and a
lost reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import discord

from bot.i18n import ENGLISH, N_, Lang
from bot.models import Fact, Source

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000
CONTENT_LIMIT = 2000
ELLIPSIS = "…"
# Room kept for the footer's "N more not shown" note, and the least of a field worth showing cut.
_NOTE_ROOM = 32
_MIN_FIELD_VALUE = 20

BRAND_COLOUR = discord.Colour(0x8B1E1E)

CONFIDENCE_WORDS = {
    "confirmed": N_("confirmed"),
    "reported": N_("reported"),
    "unconfirmed": N_("unconfirmed"),
}

_MARKDOWN_LINK_TEXT = re.compile(r"([\[\]\\])")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with an ellipsis when anything was cut."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return text[: limit - 1].rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = False


def card(
    *,
    title: str,
    description: str = "",
    fields: Sequence[Field] = (),
    footer: str = "",
    url: str | None = None,
    colour: discord.Colour = BRAND_COLOUR,
    lang: Lang = ENGLISH,
) -> discord.Embed:
    """Build an embed that Discord will accept, whatever the length of what it is given.

    Parts are cut in reading order: the title, the description, then fields while room lasts. Fields that
    do not fit are left out and the footer says how many, so nothing disappears without a word.
    """
    title = truncate(title.strip(), TITLE_LIMIT) or ELLIPSIS
    footer = truncate(footer, FOOTER_LIMIT - _NOTE_ROOM)
    budget = EMBED_TOTAL_LIMIT - len(title) - len(footer) - _NOTE_ROOM
    description = truncate(description, min(DESCRIPTION_LIMIT, budget))
    budget -= len(description)

    embed = discord.Embed(title=title, description=description or None, url=url, colour=colour)
    for item in fields[:FIELD_COUNT_LIMIT]:
        # Discord refuses blank field names and values: a zero-width space stands in.
        name = truncate(item.name.strip(), FIELD_NAME_LIMIT) or "\u200b"
        value = truncate(item.value.strip(), FIELD_VALUE_LIMIT) or "\u200b"
        if len(name) + len(value) > budget:
            if budget - len(name) < _MIN_FIELD_VALUE:
                break
            value = truncate(value, budget - len(name))
        embed.add_field(name=name, value=value, inline=item.inline)
        budget -= len(name) + len(value)
    left_out = len(fields) - len(embed.fields)
    if left_out:
        note = lang.t("{count} more not shown", count=left_out)
        footer = f"{footer} · {note}" if footer else note
    if footer:
        embed.set_footer(text=footer)
    return embed


def embed_length(embed: discord.Embed) -> int:
    """What Discord counts towards the 6,000-character total of an embed."""
    return len(embed)


def link_text(text: str) -> str:
    """Text safe to put inside the brackets of a markdown link."""
    return _MARKDOWN_LINK_TEXT.sub(r"\\\1", text)


def link_target(url: str) -> str:
    """A URL safe inside a markdown link's parentheses: a ")" in it cannot close the link early."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def source_url(source: Source) -> str | None:
    """The article's address, or the publication's home page when the source names only a website."""
    if source.url:
        return source.url
    if _DOMAIN.match(source.name):
        return f"https://{source.name}"
    return None


def source_links(sources: Iterable[Source]) -> str:
    """Sources as a short line of markdown links (plain names where there is nothing to link to)."""
    parts: list[str] = []
    for source in sources:
        label = source.label()
        url = source_url(source)
        parts.append(f"[{link_text(label)}]({link_target(url)})" if url else label)
    return "; ".join(parts)


def provenance(fact: Fact, lang: Lang = ENGLISH) -> str:
    """A fact's confidence in words and its sources, e.g. "_confirmed_ · [deadline.com, 2022-06-06](…)"."""
    confidence = f"_{lang.t(CONFIDENCE_WORDS[fact.confidence])}_"
    sources = source_links(fact.sources)
    return f"{confidence} · {sources}" if sources else confidence


def escape(text: str) -> str:
    """User or moderator text made inert: no markdown, and no mention that could resolve."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))
