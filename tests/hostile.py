"""Hypothesis strategies for hostile input: what fans and moderators can type into Discord, at its worst.

Every text strategy stays within what Discord's client can send (the option's or field's declared lengths),
and mixes arbitrary Unicode with the things that break bots: empty and whitespace-only text, text exactly at
the length limit, markdown, mentions, links, zero-width and bidirectional characters, combining marks,
astral characters, and for dates, dates that do not exist, are out of range or are not in digits at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
BIDI = ("\u202e", "\u202d", "\u200f", "\u200e", "\u2067", "\u2069", "\u061c")
COMBINING = ("\u0301", "\u0489", "\u20dd", "\u0336" * 3, "e\u0301", "\u1100\u1161\u11a8")
ASTRAL = ("🧟", "🧟\u200d♀️", "👩🏽\u200d🔬", "𝕬𝖔𝖚𝖉", "\U0001f1f0\U0001f1f7", "𠜎", "🏳️\u200d🌈")
WHITESPACE = (" ", "   ", "\t", "\n", "\n\n", "\u3000", "\u00a0", "\u2028", " \u200b ")
MARKDOWN = (
    "**",
    "__",
    "*",
    "_",
    "~~",
    "||",
    "`",
    "```",
    "```py\n",
    "> ",
    ">>> ",
    "# ",
    "## ",
    "-# ",
    "- ",
    "1. ",
    "\\",
    "[x](https://evil.example)",
    "[https://good.example](https://evil.example)",
    "<t:0:R>",
    "<t:99999999999999:F>",
    ":skull:",
    "<:zombie:123456789012345678>",
    "](",
    ")",
)
LINKS = (
    "https://evil.example/x",
    "http://a.b",
    "https://e.x/" + "a" * 120,
    "javascript:alert(1)",
    "data:text/html,<b>x</b>",
    "www.example.com",
    "discord.gg/zombies",
    "https://example.com/a_(b)",
    "https://exa mple.com",
    "<https://suppressed.example>",
    "ftp://files.example",
)
KOREAN = ("지금 우리 학교는", "남라", "ㄴㄹ", "최남라", "온조", "청산", "좀비", "2027년 3월", "내년")


def mentions(
    role_ids: Sequence[int] = (), user_ids: Sequence[int] = (), channel_ids: Sequence[int] = ()
) -> tuple[str, ...]:
    """Mention syntax, generic and aimed at the server's real roles, members and channels."""
    return (
        "@everyone",
        "@here",
        "@\u200beveryone",
        "<@123>",
        "<@!123>",
        "<@&123>",
        "<#123>",
        "</manage setup:123>",
        *(f"<@&{role}>" for role in role_ids),
        *(f"<@{user}>" for user in user_ids),
        *(f"<#{channel}>" for channel in channel_ids),
    )


def pad(text: str, low: int, high: int) -> str:
    """`text` cut to `high` characters, or lengthened to `low`."""
    text = text[:high]
    if len(text) < low:
        text += "a" * (low - len(text))
    return text


def unicode_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Any Unicode a keyboard or a paste can produce: no lone surrogates (Discord's JSON cannot carry them)."""
    return st.text(st.characters(exclude_categories=["Cs"]), max_size=max_size)


def hostile_text(
    low: int = 0, high: int = 6000, tokens: Sequence[str] = (), *, allow_empty: bool = True
) -> st.SearchStrategy[str]:
    """Text of `low`..`high` characters, built from hostile pieces; sometimes exactly `high` long."""
    pieces = st.one_of(
        st.sampled_from(
            (*ZERO_WIDTH, *BIDI, *COMBINING, *ASTRAL, *WHITESPACE, *MARKDOWN, *LINKS, *KOREAN, *tokens)
        ),
        unicode_text(),
        st.from_regex(r"[A-Za-z][a-z]{1,8}( [A-Z][a-z-]{1,8})?", fullmatch=True),
    )
    joined = st.lists(pieces, max_size=12).map("".join)
    filler = st.sampled_from(("x", "가", "🧟", "\u200b", "*", "@everyone ", "||a||", "a\u0301", " "))
    at_the_limit = st.tuples(filler, st.integers(max(low, high - 3), high)).map(
        lambda pair: (pair[0] * pair[1])[: pair[1]]
    )
    long_mixed = st.tuples(joined, filler).map(lambda pair: pair[0] + pair[1] * high)
    choices = [joined, joined, joined, at_the_limit, long_mixed, st.sampled_from(WHITESPACE)]
    if allow_empty and low == 0:
        choices.append(st.just(""))
    return st.one_of(*choices).map(lambda text: pad(text, low, high))


ODD_DATES = (
    "2026-02-30",
    "2026-02-29",
    "2028-02-29",
    "0000-01-01",
    "9999-12-31",
    "1999-12-31",
    "2100-01-01",
    "2026-13-01",
    "2026-00-10",
    "2026-1-5",
    "2026-12-05T17:00Z",
    "late 2027",
    "LATE 2027",
    "early 0000",
    "mid 9999",
    "tomorrow",
    "next year",
    "soon",
    "2027년 3월",
    "2027년 3월 5일",
    "２０２７-０３-０５",
    "２０２７",
    "2️⃣0️⃣2️⃣7️⃣",
    "٢٠٢٧-٠٣-٠٥",
    "۲۰۲۷",
    "२०२७-०३",
    "2027-03-05 17:00",
    "2027-03-05 17:00 KST",
    "2027-03-05 24:00 KST",
    "2027-03-05 23:61 UTC",
    "2027-03-05 17:00 +14:00",
    "2027-03-05 17:00 -12:00",
    "2027-03-05 17:00 +99:99",
    "2027-03-05 17:00 Asia",
    "2027-03-05 17:00 Asia/Seoul",
    "2027-03-05 17:00 ../../etc/passwd",
    "2027-03-05 17:00 Mars/Olympus",
    "2027-03-05 ２:00 KST",
    "2027-03-05 17:00 UTC+9",
    "2099-12-31 23:59 -12:00",
    "2000-01-01 00:00 +14:00",
    "2026",
    "2026-11",
    "2026-11-21",
    # Around Season 1's premiere (2022-01-28): a later season may not come out before it.
    "2021-12-31",
    "2022-01-27",
    "2022-01-28",
    "2022-01-28 17:00 KST",
    "early 2022",
    "2022",
)


def rough_dates(low: int, high: int) -> st.SearchStrategy[str]:
    """Dates as moderators might type them, real or not."""
    numeric = st.builds(
        lambda y, m, d, sep: sep.join(part for part in (f"{y:04d}", f"{m:02d}", f"{d:02d}") if part),
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.sampled_from(("-", "/", ".", "- ")),
    )
    month = st.builds(lambda y, m: f"{y}-{m}", st.integers(1990, 2110), st.integers(0, 13))
    return st.one_of(st.sampled_from(ODD_DATES), numeric, month, hostile_text(low, high)).map(
        lambda text: pad(text, low, high)
    )


def release_dates(low: int, high: int) -> st.SearchStrategy[str]:
    """Release dates: rough ones, and days with a time and a zone, some minutes from now."""
    import datetime as dt

    zones = st.sampled_from(
        ("KST", "UTC", "Z", "+09:00", "-05:00", "Asia/Seoul", "America/New_York", "GMT+3", "")
    )

    def moment(minutes: int, zone: str) -> str:
        when = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
        return f"{when:%Y-%m-%d %H:%M} {zone}".strip()

    soon = st.builds(moment, st.integers(-60 * 24 * 10, 60 * 24 * 10), zones)
    timed = st.builds(
        lambda y, mo, d, h, mi, zone: f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d} {zone}".strip(),
        st.integers(1999, 2101),
        st.integers(1, 12),
        st.integers(1, 31),
        st.integers(0, 24),
        st.integers(0, 60),
        zones,
    )
    return st.one_of(rough_dates(low, high), soon, timed).map(lambda text: pad(text, low, high))


# Lines that hold more than one source, or a site's home page: each must become sources one by one, or be
# refused (never one link drawn under another's name).
MULTI_LINKS = (
    "https://a.example/one, https://b.example/two",
    "https://a.example/one https://b.example/two",
    "https://a.example/onehttps://b.example/two",
    "https://a.example/one;https://b.example/two",
    "deadline.com, https://evil.example/x",
    "Deadline, https://a.example/one, https://b.example/two",
    "[deadline.com](https://evil.example/x)",
    "https://deadline.com.evil.example/story",
    "https://user@deadline.com/story",
    "https://deadline.com\\@evil.example/x",
    "https://www.netflix.com/",
    "https://deadline.com",
    "Netflix, https://about.netflix.com/",
    "https://a.example/one, 2026-11-20, 2026-11-21",
    "Soompi, 2026-11-20 2026-11-21",
)


def sources(low: int, high: int) -> st.SearchStrategy[str]:
    """Sources: links, "publication, date", both, several on a line, home pages, and hostile text."""
    publication = st.sampled_from(
        ("deadline.com", "Netflix", "Soompi", "연합뉴스", "", "@everyone", "**bold**")
    )
    valid = st.one_of(
        st.sampled_from(LINKS),
        st.builds(
            lambda path: f"https://e.x/{path}", st.from_regex(r"[a-z0-9/_()%.-]{0,40}", fullmatch=True)
        ),
        st.builds(lambda name, date: f"{name}, {date}", publication, rough_dates(0, 20)),
        st.builds(lambda name, link: f"{name}, {link}", publication, st.sampled_from(LINKS)),
    )
    huge_link = st.integers(1, high).map(lambda n: ("https://e.x/" + "a" * n)[:high])
    several = st.one_of(
        st.sampled_from(MULTI_LINKS),
        st.lists(st.sampled_from(LINKS), min_size=2, max_size=4).flatmap(
            lambda links: st.sampled_from((", ", " ", "", " and ", "\t")).map(lambda sep: sep.join(links))
        ),
    )
    return st.one_of(valid, valid, several, huge_link, hostile_text(low, high)).map(
        lambda text: pad(text, low, high)
    )


# Markers a test can find again in what the bot shows: a fact's text holding SECRET is checked to stay hidden
# wherever the fact is above "none"; MARKED is always typed inside a moderator's own ||spoiler||.
SECRET = "Zq"
MARKED = "Zs"
ODD_SPOILERS = (
    "||",
    "|||",
    "||||",
    "\\||",
    "|| ||",
    "||**bold**||",
    "||<@123>||",
    "||https://evil.example||",
    # Marks glued to an address: Discord's autolink would swallow them, and the spoiler would show.
    f"https://evil.example/a||{MARKED}900001||",
    f"||{MARKED}900002 https://evil.example/b||",
    f"[Teaser](https://evil.example/c||{MARKED}900003||)",
    f"||{SECRET}900004 https://evil.example/d…||",
)


def spoiler_texts(low: int, high: int) -> st.SearchStrategy[str]:
    """Texts as a moderator writing about spoilers would type them: plain words, findable secrets, their own
    ||spoiler|| marks (paired, unpaired, empty, around markup), and hostile pieces."""
    word = st.from_regex(r"[A-Za-z]{2,8}", fullmatch=True)
    secret = st.integers(0, 99_999).map(lambda n: f"{SECRET}{n}")
    marked = st.integers(0, 99_999).map(lambda n: f"||{MARKED}{n}||")
    marked_more = st.tuples(word, st.integers(0, 99_999)).map(lambda p: f"||{p[0]} {MARKED}{p[1]} **x**||")
    piece = st.one_of(
        word, word, secret, marked, marked_more, st.sampled_from(ODD_SPOILERS), st.sampled_from(MARKDOWN)
    )
    return st.lists(piece, min_size=1, max_size=10).map(" ".join).map(lambda text: pad(text, low, high))


def offsets(low: int, high: int) -> st.SearchStrategy[str]:
    """Premiere reminder times: "7d, 1d, 0", and everything a moderator might type instead."""
    one = st.one_of(
        st.builds(
            lambda n, unit: f"{n}{unit}", st.integers(0, 100), st.sampled_from(("d", "h", "m", "s", "", "w"))
        ),
        st.sampled_from(("0", "release", "７d", "1.5d", "-1d", "none", "off", "1d2h", "")),
    )
    listed = st.lists(one, max_size=14).map(", ".join)
    return st.one_of(listed, hostile_text(low, high)).map(lambda text: pad(text, low, high))


def new_names(known: Sequence[str], low: int, high: int) -> st.SearchStrategy[str]:
    """Names for a new entry: names, aliases and Hangul names other entries already have (as typed, or
    mangled), lists of them, and hostile text."""
    taken = names(known, low, high)
    listed = st.lists(taken, min_size=1, max_size=4).map(", ".join)
    return st.one_of(taken, taken, listed, hostile_text(low, high)).map(lambda text: pad(text, low, high))


def names(known: Sequence[str], low: int, high: int) -> st.SearchStrategy[str]:
    """Names: real ones (as typed, with case, spacing and invisible characters mangled) and hostile text."""
    real = st.sampled_from(list(known) or ["Nam-ra"])
    mangled = st.builds(
        lambda name, how, extra: how(name, extra),
        real,
        st.sampled_from(
            (
                lambda n, e: n,
                lambda n, e: n.upper(),
                lambda n, e: n.replace("-", " "),
                lambda n, e: e + n,
                lambda n, e: n + e,
                lambda n, e: e.join(n),
                lambda n, e: n[: max(1, len(n) - 2)],
            )
        ),
        st.sampled_from((*ZERO_WIDTH, *BIDI, " ", "@everyone", "**", "\u0301", "🧟")),
    )
    return st.one_of(real, mangled, hostile_text(low, high)).map(lambda text: pad(text, low, high))
