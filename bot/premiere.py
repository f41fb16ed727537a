"""The premiere: reminders that fire exactly once, and the server's Discord Scheduled Event.

Reminders are rows in the store (`reminders`), planned when a moderator sets an exact release moment and
cancelled when it changes or is cleared. The scheduler turns a due reminder into outbox rows in one
transaction, so the deliverer posts it exactly once like any announcement. A reminder whose moment passed
while the bot was down goes out late only while it is still true: a "before the premiere" reminder only
before the premiere, the release reminder only within a few hours of it. Otherwise it is dropped with a log
line. Reminder texts use Discord's relative timestamps, so a late one still reads right.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.announce import announcement_payload, guild_lang
from bot.cards import show_title
from bot.dates import DateError, parse_release
from bot.i18n import ENGLISH, Lang, Message
from bot.loops import IDLE_WAIT, DueLoop
from bot.models import Season, Show
from bot.moderation_store import GuildSettings, OutboxDraft, OutboxItem, Reminder, utcnow
from bot.render import escape, provenance, truncate
from bot.store import DatabaseBusy

if TYPE_CHECKING:
    from bot.client import AoadBot

log = logging.getLogger(__name__)

# How long after the release the "out now" reminder is still worth sending late.
RELEASE_REMINDER_GRACE = dt.timedelta(hours=6)
# A premiere event's length: long enough for a watch party of the first episodes.
EVENT_LENGTH = dt.timedelta(hours=2)
EXTERNAL = 3
GUILD_ONLY = 2
CANCELED = 4
EVENT_NAME_LIMIT = 100
EVENT_DESCRIPTION_LIMIT = 1000
# While firing many reminders at once, wake the deliverer every this many.
WAKE_EVERY = 50
# After Discord failed a Scheduled Event call for a passing reason (5xx, rate limit, network), the pauses
# before the scheduler makes the event match the date again: the last one repeats until it works.
EVENT_RETRY_DELAYS = (5.0, 30.0, 120.0, 600.0)


class OffsetError(ValueError):
    """Reminder times that cannot be used; the message is a catalogue text."""

    def __init__(self, template: str, /, **values: Any) -> None:
        super().__init__(template.format(**values))
        self.template = template
        self.values = values


def describe_offset(seconds: int, lang: Lang = ENGLISH) -> str:
    if seconds == 0:
        return lang.t("at release")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    return lang.t("{time} before", time=" ".join(p for p in parts if p))


def parse_offsets(text: str) -> tuple[int, ...]:
    """ "7d, 1d, 2h, 0" → seconds before the release. "none" turns reminders off. Raises OffsetError."""
    value = text.strip().lower()
    if value in ("none", "off", ""):
        return ()
    offsets: set[int] = set()
    for part in value.replace(" ", "").split(","):
        if part in ("0", "release", "atrelease"):
            offsets.add(0)
            continue
        unit = part[-1:]
        amount = part[:-1]
        if unit not in ("d", "h", "m") or not amount.isdecimal():
            raise OffsetError(
                "“{value}” is not a reminder time: use numbers with d, h or m, like 7d, 1d, 2h, 0",
                value=part[:20],
            )
        seconds = int(amount) * {"d": 86400, "h": 3600, "m": 60}[unit]
        if seconds > 60 * 86400:
            raise OffsetError("Reminders can be at most 60 days before the release.")
        offsets.add(seconds)
    if len(offsets) > 10:
        raise OffsetError("Keep it to 10 reminders at most.")
    return tuple(sorted(offsets, reverse=True))


def reminder_text(
    title: str, service: str, season: int, release: dt.datetime, offset: int, lang: Lang = ENGLISH
) -> tuple[str, str]:
    """A reminder's title and body; the body's relative timestamp stays true whenever it is read."""
    stamp = int(release.timestamp())
    if offset == 0:
        return (
            lang.t(
                "🎬 {show} Season {season} is out now on {service}!",
                show=title,
                season=season,
                service=service,
            ),
            lang.t(
                "It premiered <t:{stamp}:R>, at <t:{stamp}:t> your time. Enjoy, and mind the spoilers!",
                stamp=stamp,
            ),
        )
    return (
        lang.t("⏰ {show} Season {season} premieres soon", show=title, season=season),
        lang.t(
            "Season {season} premieres <t:{stamp}:R>, on <t:{stamp}:F> your time, on {service}.",
            season=season,
            # Names a moderator may have imported: drawn as typed, never as markup.
            service=escape(service),
            stamp=stamp,
        ),
    )


def still_true(reminder: Reminder, release: dt.datetime, now: dt.datetime) -> bool:
    """Whether a reminder may still go out at `now` (late ones only while what they say holds)."""
    if reminder.offset_seconds > 0:
        return now < release
    return now < release + RELEASE_REMINDER_GRACE


class PremiereScheduler(DueLoop):
    """Fires due reminders into the outbox; woken when reminders change, else sleeps until the next one."""

    name = "premiere-scheduler"

    def __init__(
        self, bot: AoadBot, *, clock: Callable[[], dt.datetime] = utcnow, idle: float = IDLE_WAIT
    ) -> None:
        super().__init__(clock, idle)
        self.bot = bot
        self.store = bot.store
        self._superseded: list[Reminder] = []
        # Premiere events to sync again after a passing failure: (guild, season) -> (when, attempts so far).
        self._event_retries: dict[tuple[int, int], tuple[dt.datetime, int]] = {}
        if bot.deliverer is not None:
            # A reminder still waiting in the outbox is checked again just before it is posted.
            bot.deliverer.validators["reminder"] = self.still_worth_posting

    async def next_due(self) -> dt.datetime | None:
        due = [await self.store.next_reminder_due(), *(at for at, _ in self._event_retries.values())]
        return min((d for d in due if d is not None), default=None)

    def retry_event_later(self, guild_id: int, season: int) -> None:
        """Make the server's premiere event match its date again later: Discord failed for a passing reason."""
        _, attempts = self._event_retries.get((guild_id, season), (None, 0))
        delay = EVENT_RETRY_DELAYS[min(attempts, len(EVENT_RETRY_DELAYS) - 1)]
        self._event_retries[(guild_id, season)] = (self.clock() + dt.timedelta(seconds=delay), attempts + 1)
        log.info("Syncing the premiere event of guild %s again in %.0f s", guild_id, delay)
        self.wake()

    async def _retry_events(self, now: dt.datetime) -> None:
        for key, (at, attempts) in list(self._event_retries.items()):
            if at > now or self._stopping:
                continue
            guild_id, season = key
            problem = await sync_premiere_event(self.bot, guild_id, season)
            if self._event_retries.get(key, (at, attempts)) == (at, attempts):
                # Not failing again (else it was rescheduled): done, or refused for a reason a moderator fixes.
                del self._event_retries[key]
            if problem:
                log.warning("Guild %s: %s", guild_id, problem.render(ENGLISH))

    async def run_once(self) -> int:
        """Fire or drop every reminder due now, and retry premiere events due; returns reminders fired."""
        fired = 0
        now = self.clock()
        await self._retry_events(now)
        for reminder in self._latest_of_each(await self.store.due_reminders(now), now):
            if self._stopping:
                break
            try:
                handled = await self._handle(reminder, now)
            except DatabaseBusy:
                raise
            except Exception:
                log.exception("Reminder %s could not be fired; it will be tried again", reminder.id)
                self.errors += 1
                continue
            if handled:
                fired += 1
                if fired % WAKE_EVERY == 0 and self.bot.deliverer is not None:
                    # A premiere falls due in every server at once: delivery starts with the first ones.
                    self.bot.deliverer.wake()
        await self.drop_superseded()
        if fired and self.bot.deliverer is not None:
            self.bot.deliverer.wake()
        return fired

    def _latest_of_each(self, due: list[Reminder], now: dt.datetime) -> list[Reminder]:
        """After time away, several "before the premiere" reminders of one date may be due at once: only the
        latest of them is worth sending (they would all say the same). The others are dropped with a log line.
        """
        latest: dict[tuple[int, int, str], Reminder] = {}
        keep: list[Reminder] = []
        for reminder in due:
            if reminder.offset_seconds == 0:
                keep.append(reminder)
                continue
            group = (reminder.guild_id, reminder.season, reminder.release)
            best = latest.get(group)
            if best is None or reminder.offset_seconds < best.offset_seconds:
                latest[group] = reminder
        self._superseded = [
            r for r in due if r.offset_seconds and latest.get((r.guild_id, r.season, r.release)) is not r
        ]
        return keep + list(latest.values())

    async def drop_superseded(self) -> None:
        for reminder in self._superseded:
            log.info(
                "Dropping reminder %s: a later reminder of the same premiere goes out instead", reminder.id
            )
            await self.store.drop_reminder(reminder)
        self._superseded = []

    async def still_worth_posting(self, item: OutboxItem) -> bool:
        """Whether a reminder waiting in the outbox (after a delay or a failing channel) is still true."""
        reminder = await self.store.reminder_for_outbox(item.id)
        if reminder is None:
            return True
        stored = await self.store.get_entry(reminder.guild_id, "season", str(reminder.season))
        season = stored.entry if stored is not None and isinstance(stored.entry, Season) else None
        if season is None or season.release != reminder.release:
            return False
        release = parse_release(reminder.release).instant
        return release is not None and still_true(reminder, release, self.clock())

    async def _handle(self, reminder: Reminder, now: dt.datetime) -> bool:
        # One row, not the server's whole catalogue: thousands of servers may fall due together.
        stored = await self.store.get_entry(reminder.guild_id, "season", str(reminder.season))
        season = stored.entry if stored is not None and isinstance(stored.entry, Season) else None
        if season is None or season.release != reminder.release:
            log.info("Dropping reminder %s: the release date it was for is no longer set", reminder.id)
            await self.store.drop_reminder(reminder)
            return False
        try:
            release = parse_release(reminder.release).instant
        except DateError:
            release = None
        if release is None or not still_true(reminder, release, now):
            log.info(
                "Dropping reminder %s (%s, due %s): its moment passed while the bot was away and it is no "
                "longer true",
                reminder.id,
                describe_offset(reminder.offset_seconds),
                reminder.due_at.isoformat(),
            )
            await self.store.drop_reminder(reminder)
            return False
        settings = await self.store.get_settings(reminder.guild_id)
        if settings.announce_channel_id is None:
            log.info(
                "Dropping reminder %s: guild %s has no announcement channel", reminder.id, reminder.guild_id
            )
            await self.store.drop_reminder(reminder)
            return False
        lang = guild_lang(self.bot, settings)
        show_entry = await self.store.get_entry(reminder.guild_id, "show", self.store.pack.show.key)
        show = (
            show_entry.entry
            if show_entry is not None and isinstance(show_entry.entry, Show)
            else self.store.pack.show
        )
        title, body = reminder_text(
            show_title(show, lang),
            show.streaming_service,
            reminder.season,
            release,
            reminder.offset_seconds,
            lang,
        )
        draft = OutboxDraft(
            purpose="reminder",
            channel_id=settings.announce_channel_id,
            payload=announcement_payload(settings, title, body, lang),
        )
        return await self.store.fire_reminder(reminder, [draft])


_EVENT_LOCKS: dict[int, asyncio.Lock] = {}


async def sync_premiere_event(bot: AoadBot, guild_id: int, season_number: int = 2) -> Message | None:
    """Make the server's Scheduled Event match the season's release date and the server's choice.

    Creates it, moves it, or cancels it. Returns a sentence for the moderators when something is in the way
    (above all a missing Manage Events permission), or None. One sync at a time per server, so two never
    both create an event.
    """
    lock = _EVENT_LOCKS.setdefault(guild_id, asyncio.Lock())
    async with lock:
        try:
            return await _sync_premiere_event(bot, guild_id, season_number)
        except (OSError, TimeoutError) as exc:
            log.warning("Could not reach Discord to sync the premiere event of guild %s: %s", guild_id, exc)
            if bot.premiere is not None:
                bot.premiere.retry_event_later(guild_id, season_number)
            return Message.of(
                "I couldn't reach Discord to update the premiere's Scheduled Event; try again later."
            )
        except DatabaseBusy as exc:
            # The change itself is saved; an event made but not recorded is adopted by the next sync.
            log.warning("Could not record the premiere event of guild %s: %s", guild_id, exc)
            return Message.of(
                "The database was busy, so I couldn't finish updating the premiere's Scheduled Event. Run "
                "`/manage setup premiere_event:True` in a minute to bring it up to date."
            )


async def _find_own_event(bot: AoadBot, guild_id: int, name: str) -> int | None:
    """An event this bot created with this name, left behind by a crash before it was recorded."""
    me = bot.user.id if bot.user else None
    for event in await bot.http.get_scheduled_events(guild_id, False):
        if event.get("name") == name and str(event.get("creator_id")) == str(me) and event.get("status") == 1:
            return int(event["id"])
    return None


async def _sync_premiere_event(bot: AoadBot, guild_id: int, season_number: int) -> Message | None:
    store = bot.store
    settings: GuildSettings = await store.get_settings(guild_id)
    catalog = await store.catalog(guild_id)
    season = catalog.season(season_number)
    existing = await store.premiere_event(guild_id, season_number)
    target: tuple[dt.datetime, str, Any] | None = None
    if settings.premiere_event and season is not None and season.release is not None:
        with contextlib.suppress(DateError):
            instant = parse_release(season.release).instant
            if instant is not None and instant > utcnow():
                target = (instant, season.release, season.release_fact)
    try:
        if target is not None:
            instant, release, fact = target
            show = catalog.show
            lang = guild_lang(bot, settings)
            payload = _event_payload(
                show_title(show, lang), show.streaming_service, season_number, instant, fact, lang
            )
            if existing is not None:
                if existing[1] == release:
                    return None
                try:
                    await bot.http.edit_scheduled_event(guild_id, existing[0], **payload)
                    await store.set_premiere_event(guild_id, season_number, existing[0], release)
                    log.info("Moved the premiere event of guild %s to %s", guild_id, release)
                    return None
                except discord.NotFound:
                    log.info(
                        "The premiere event of guild %s was deleted in Discord; creating it again", guild_id
                    )
            orphan = await _find_own_event(bot, guild_id, payload["name"])
            if orphan is not None:
                await bot.http.edit_scheduled_event(guild_id, orphan, **payload)
                await store.set_premiere_event(guild_id, season_number, orphan, release)
                log.info("Adopted the premiere event %s of guild %s", orphan, guild_id)
                return None
            created = await bot.http.create_guild_scheduled_event(guild_id, **payload)
            await store.set_premiere_event(guild_id, season_number, int(created["id"]), release)
            log.info("Created the premiere event of guild %s for %s", guild_id, release)
        elif existing is not None:
            try:
                await bot.http.edit_scheduled_event(guild_id, existing[0], status=CANCELED)
            except discord.NotFound:
                pass
            except discord.HTTPException as exc:
                if exc.status != 400:  # 400: it already started or ended; nothing to cancel
                    raise
            await store.set_premiere_event(guild_id, season_number, None)
            log.info("Cancelled the premiere event of guild %s", guild_id)
    except discord.Forbidden:
        return Message.of(
            "I couldn't update the premiere's Scheduled Event: I need the **Manage Events** permission in this "
            "server. Grant it, then run `/manage setup` with `premiere_event` again."
        )
    except discord.HTTPException as exc:
        log.warning("Discord refused the premiere event of guild %s: %s", guild_id, exc)
        if (exc.status >= 500 or exc.status == 429) and bot.premiere is not None:
            # Discord's own trouble, not the request's: the scheduler tries again by itself.
            bot.premiere.retry_event_later(guild_id, season_number)
            return Message.of(
                "Discord had a problem updating the premiere's Scheduled Event (error {status}); I'll try again "
                "by myself in a moment.",
                status=exc.status,
            )
        return Message.of(
            "Discord refused the premiere's Scheduled Event ({status}): {error}",
            status=exc.status,
            error=truncate(exc.text, 200),
        )
    return None


def _event_payload(
    title: str, service: str, season: int, start: dt.datetime, fact: Any, lang: Lang
) -> dict[str, Any]:
    description = lang.t(
        "{show} Season {season} premieres on {service}.",
        show=escape(title),
        season=season,
        service=escape(service),
    )
    if fact is not None:
        description += "\n" + lang.t("Release date: {provenance}", provenance=provenance(fact, lang))
    return {
        "name": truncate(
            lang.t("{show} Season {season} premiere", show=title, season=season), EVENT_NAME_LIMIT
        ),
        "description": truncate(description, EVENT_DESCRIPTION_LIMIT),
        "scheduled_start_time": start.astimezone(dt.UTC).isoformat(),
        "scheduled_end_time": (start + EVENT_LENGTH).astimezone(dt.UTC).isoformat(),
        "entity_type": EXTERNAL,
        "entity_metadata": {"location": truncate(service, 100)},
        "privacy_level": GUILD_ONLY,
    }
