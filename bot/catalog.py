"""A server's show data held in memory, ready to answer lookups without touching the database.

The store builds one Catalog per server from its rows (and one from the bundled pack for DMs) and drops it
when that server's data changes, so commands and autocomplete read plain Python objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from bot.dates import first_day
from bot.models import Character, Entry, NewsItem, Person, Season, Show, Source, rough_date_sort_key

if TYPE_CHECKING:
    from bot.pack import Pack

T = TypeVar("T")


@dataclass(frozen=True)
class Catalog:
    show: Show
    people: tuple[Person, ...]
    characters: tuple[Character, ...]
    seasons: tuple[Season, ...]
    news: tuple[NewsItem, ...]
    # The pack's as-of date: the data is at least this fresh; moderators' edits may be newer.
    as_of: dt.date
    guild_id: int | None = None
    last_edited: dt.datetime | None = None
    _characters_by_key: dict[str, Character] = field(init=False, repr=False, compare=False)
    _people_by_key: dict[str, Person] = field(init=False, repr=False, compare=False)
    _memo: dict[str, Any] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_characters_by_key", {c.key: c for c in self.characters})
        object.__setattr__(self, "_people_by_key", {p.key: p for p in self.people})

    @classmethod
    def from_pack(cls, pack: Pack) -> Catalog:
        return cls(
            show=pack.show,
            people=pack.people,
            characters=pack.characters,
            seasons=pack.seasons,
            news=pack.news,
            as_of=pack.meta.as_of,
        )

    @classmethod
    def from_entries(
        cls,
        entries: Iterable[Entry],
        *,
        as_of: dt.date,
        guild_id: int,
        last_edited: dt.datetime | None,
        fallback_show: Show,
    ) -> Catalog:
        show: Show | None = None
        people: list[Person] = []
        characters: list[Character] = []
        seasons: list[Season] = []
        news: list[NewsItem] = []
        for entry in entries:
            match entry:
                case Show():
                    show = entry
                case Person():
                    people.append(entry)
                case Character():
                    characters.append(entry)
                case Season():
                    seasons.append(entry)
                case NewsItem():
                    news.append(entry)
        return cls(
            show=show or fallback_show,
            people=tuple(people),
            characters=tuple(characters),
            seasons=tuple(sorted(seasons, key=lambda s: s.number)),
            news=tuple(sorted(news, key=lambda n: (rough_date_sort_key(n.date), n.key))),
            as_of=as_of,
            guild_id=guild_id,
            last_edited=last_edited,
        )

    @property
    def size(self) -> int:
        """How many entries the data holds."""
        return 1 + len(self.people) + len(self.characters) + len(self.seasons) + len(self.news)

    def memo(self, name: str, build: Callable[[], T]) -> T:
        """Something derived from this catalog (a search index), built once and dropped with the catalog."""
        if name not in self._memo:
            self._memo[name] = build()
        return self._memo[name]  # type: ignore[no-any-return]

    def character(self, key: str) -> Character | None:
        return self._characters_by_key.get(key)

    def person(self, key: str) -> Person | None:
        return self._people_by_key.get(key)

    def roles_of(self, person_key: str) -> list[Character]:
        return [c for c in self.characters if c.actor == person_key]

    def season2_roles_of(self, person_key: str) -> list[Character]:
        """Season 1 characters this cast member plays from Season 2 on (Season 2 news)."""
        return [c for c in self.characters if c.season2_actor == person_key]

    def season(self, number: int) -> Season | None:
        return next((s for s in self.seasons if s.number == number), None)

    def newest_date(self) -> dt.date | None:
        """The date of the newest fact the data holds: its latest news, its latest dated source, or the last
        moderator edit, whichever is latest (a rough date counts from its first day)."""
        dates: list[dt.date] = []
        for item in self.news:
            dates.append(first_day(item.date))
        for source in self.sources():
            if source.published:
                dates.append(first_day(source.published))
        if self.last_edited is not None:
            dates.append(self.last_edited.date())
        return max(dates, default=None)

    def sources(self) -> list[Source]:
        """Every distinct source the data cites, in first-cited order."""
        seen: dict[tuple[str, str | None, str | None], Source] = {}

        def add(items: Iterable[Source]) -> None:
            for source in items:
                seen.setdefault((source.name, source.published, source.url), source)

        for fact in self.show.facts:
            add(fact.sources)
        for character in self.characters:
            for maybe in (character.profile, character.fate, character.season2):
                if maybe is not None:
                    add(maybe.sources)
        for season in self.seasons:
            add(season.stage_fact.sources)
            if season.release_fact is not None:
                add(season.release_fact.sources)
            for labelled in season.facts:
                add(labelled.sources)
        for item in self.news:
            add(item.sources)
        return list(seen.values())
