"""How Discord draws markdown, as far as the tests need to know what a reader sees."""

from __future__ import annotations

import re

# Discord's own autolink: an address runs to the next space or `<`, and does not end in punctuation.
_AUTOLINK = re.compile(r"(?:https?|steam)://[^\s<]+[^<.,:;\"')\]\s]", re.IGNORECASE)


def spoiler_split(markdown: str) -> tuple[str, str]:
    """(what is in plain view, what is behind spoiler bars) as Discord draws `markdown`: a backslash makes
    the next character literal, an address is a link up to the next space (bars and all), and `||` opens a
    spoiler that only a later `||` closes."""
    segments, current, index = [], [], 0
    while index < len(markdown):
        if (link := _AUTOLINK.match(markdown, index)) is not None:
            current.append(link.group())
            index = link.end()
        elif markdown[index] == "\\" and index + 1 < len(markdown):
            current.append(markdown[index + 1])
            index += 2
        elif markdown.startswith("||", index):
            segments.append("".join(current))
            current, index = [], index + 2
        else:
            current.append(markdown[index])
            index += 1
    segments.append("".join(current))
    last = len(segments) - 1
    hidden = [part for number, part in enumerate(segments) if number % 2 == 1 and number != last]
    shown = [part for number, part in enumerate(segments) if number % 2 == 0 or number == last]
    return "\n".join(shown), "\n".join(hidden)
