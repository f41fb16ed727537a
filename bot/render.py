"""Rendering helpers: pure functions from data to what Discord shows, inside Discord's limits.

Every embed the bot sends is built by `card()`, which cuts each part to Discord's limits (with an ellipsis)
and keeps the whole embed under the 6,000-character total, so a long fact can never turn into a 400 and a
lost reply.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

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
SPOILER_MARK = "||"
# Room kept for the footer's "N more not shown" note, and the least of a field worth showing cut.
_NOTE_ROOM = 32
_MIN_FIELD_VALUE = 20

BRAND_COLOUR = discord.Colour(0x8B1E1E)

CONFIDENCE_WORDS = {
    "confirmed": N_("confirmed"),
    "reported": N_("reported"),
    "unconfirmed": N_("unconfirmed"),
}

_MARKDOWN_LINK_TEXT = re.compile(r"([\[\]])")
# A web address named in a text: "deadline.com", "www5.osen.co.kr".
_NAMED_SITE = re.compile(
    r"(?<![\w.@-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?![\w-])", re.IGNORECASE
)
# Host prefixes that name no other site: "www.deadline.com" and "m.wikitree.co.kr" are shown as the site.
_HOST_PREFIX = re.compile(r"^(?:www\d*|m|mobile|amp)\.")


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with an ellipsis when anything was cut.

    A cut inside a spoiler (`||…||`) closes it: Discord shows an unclosed spoiler's text in plain view.
    """
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    cut = text[: limit - 1].rstrip() + ELLIPSIS
    if cut.count(SPOILER_MARK) % 2:
        for room in range(limit - 1 - len(SPOILER_MARK), -1, -1):
            cut = text[:room].rstrip() + ELLIPSIS
            if cut.count(SPOILER_MARK) % 2:
                cut = unglued(cut + SPOILER_MARK)
            if len(cut) <= limit:
                break
    return cut[:limit]


# Discord makes a link of an address up to the next space, `||` included: a spoiler mark right after an
# address would belong to the link, and the spoiler it opens or closes would be drawn in plain view.
_LINK_BEFORE_MARK = re.compile(r"((?:https?|steam)://[^\s<|]*(?:\|(?!\|)[^\s<|]*)*)(?=\|\|)", re.IGNORECASE)


def unglued(markdown: str) -> str:
    """`markdown` with a space between an address and a spoiler mark right after it, so the mark stays one."""
    return _LINK_BEFORE_MARK.sub(r"\1 ", markdown)


def spoiler(markdown: str) -> str:
    """`markdown` behind spoiler bars (it must hold none of its own)."""
    return unglued(f"{SPOILER_MARK}{markdown}{SPOILER_MARK}")


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
    """Text made inert and safe inside the brackets of a markdown link."""
    return _MARKDOWN_LINK_TEXT.sub(r"\\\1", escape(text).replace("\\[", "[").replace("\\]", "]"))


def link_target(url: str) -> str:
    """A URL safe inside a markdown link's parentheses: a ")" in it cannot close the link early."""
    # "|" would also count as spoiler bars where a text is cut: a spoiler it "closed" would show its text.
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("|", "%7C")


def display_host(url: str) -> str:
    """The site a link goes to, as a reader names it: "https://www5.osen.co.kr/x" → "osen.co.kr"."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return _HOST_PREFIX.sub("", host)


def named_sites(text: str) -> list[str]:
    """The web addresses a text names ("deadline.com", "www.nme.com/x" → "nme.com"; full-width dots too)."""
    text = unicodedata.normalize("NFKC", text).replace("。", ".")
    return [_HOST_PREFIX.sub("", found.lower()) for found in _NAMED_SITE.findall(text)]


def same_site(named: str, host: str) -> bool:
    """Whether a site named in a text is the link's host, or a site the host belongs to ("osen.co.kr" for
    www5.osen.co.kr); never a longer name that merely ends with the host (deadline.com.evil.example)."""
    named = _HOST_PREFIX.sub("", named.lower().rstrip("."))
    return host == named or host.endswith("." + named)


def names_other_site(name: str, url: str) -> str | None:
    """The first address `name` names that is not where `url` goes, if any."""
    host = display_host(url)
    return next((named for named in named_sites(name) if not same_site(named, host)), None)


def source_label(source: Source) -> str:
    """How a source is named: its publication and date. A link's site is always in its text, and a name
    that names another site never is (text naming one address must not lead to another)."""
    if source.url is None:
        return source.label()
    host = display_host(source.url)
    name = source.name
    if names_other_site(name, source.url) is not None or "://" in name:
        name = host
    elif host and host not in name.lower() and not any(same_site(named, host) for named in named_sites(name)):
        name = f"{name} ({host})"
    return f"{name}, {source.published}" if source.published else name


def source_url(source: Source) -> str | None:
    """The article's address. A site's home page is not a source: a source without an article has none."""
    return source.url


def source_links(sources: Iterable[Source]) -> str:
    """Sources as a short line of markdown links (plain names where there is nothing to link to)."""
    parts: list[str] = []
    for source in sources:
        label = source_label(source)
        url = source_url(source)
        parts.append(f"[{link_text(label)}]({link_target(url)})" if url else escape(label))
    return "; ".join(parts)


def provenance(fact: Fact, lang: Lang = ENGLISH) -> str:
    """A fact's confidence in words and its sources, e.g. "_confirmed_ · [deadline.com, 2022-06-06](…)"."""
    confidence = f"_{lang.t(CONFIDENCE_WORDS[fact.confidence])}_"
    sources = source_links(fact.sources)
    return f"{confidence} · {sources}" if sources else confidence


def escape(text: str) -> str:
    """User or moderator text made inert: no markdown, no mention that could resolve, and no other `<…>`
    markup (channel links, timestamps, command links, custom emoji) that would draw as something else."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text)).replace("<", "\\<")


def marked_text(text: str, *, hidden: bool = False) -> str:
    """A moderator's text made inert but for the spoilers they marked with `||…||`, which stay spoilers.

    `hidden`: the whole text is drawn as one spoiler (it is above the reader's level; see `unmarked_text`).
    Marks that do not pair up are shown as typed.
    """
    if hidden:
        body = unmarked_text(text)
        return spoiler(body) if body else body
    parts = text.split(SPOILER_MARK)
    if len(parts) % 2 == 0:
        return unglued(escape(text))
    return unglued(
        "".join(
            f"{SPOILER_MARK}{escape(part)}{SPOILER_MARK}" if index % 2 and part.strip() else escape(part)
            for index, part in enumerate(parts)
        )
    )


def with_provenance(text: str, fact: Fact, lang: Lang = ENGLISH, *, hidden: bool = False) -> str:
    """A fact's text (`marked_text`) with its confidence and sources below. When the text is hidden they go
    behind the same spoiler: a source's name or address ("…/gyeong-su-returns-as-a-soldier") can tell what
    the text hides."""
    if hidden:
        return spoiler(f"{unmarked_text(text)}\n{provenance(fact, lang)}")
    return f"{marked_text(text)}\n{provenance(fact, lang)}"


def unmarked_text(text: str) -> str:
    """A moderator's text made inert with their spoiler marks dropped, to be put inside one spoiler (which
    cannot hold another). A link right before a dropped mark keeps a space after it, or the words after the
    mark would become part of its address."""
    parts = unglued(text).split(SPOILER_MARK)
    return escape(text) if len(parts) % 2 == 0 else "".join(escape(part) for part in parts)
