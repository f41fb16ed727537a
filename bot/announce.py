"""Announcing: what an announcement says, and the deliverer that posts it exactly once.

A moderator's change is committed together with its outbox rows (`Store.commit_change`). The deliverer then
posts each row and records every step before and after the call to Discord:

    pending ──(record "posting")── POST with the row's fixed nonce ──(record message id)── posted
    posted ── thread (if asked) ── publish (if asked, at most 10 an hour per channel) ── done

After a crash, a row left in "posting" is sent again with the same nonce (`enforce_nonce`), which Discord
answers with the message it already has, so nothing is posted twice; past the few minutes Discord keeps
nonces, the bot first looks for its own message in the channel. A channel that answers 403 or 404 is marked
failing, its rows fail, and the moderators are told; it is not called again until set up anew. Other errors
(5xx, rate limits discord.py gave up on, network) are retried later with a growing delay.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from bot.cooldowns import FanButton
from bot.i18n import ENGLISH, N_, Lang, Message
from bot.loops import IDLE_WAIT, DueLoop
from bot.moderation_store import GuildSettings, OutboxDraft, OutboxItem, utcnow
from bot.render import BRAND_COLOUR, CONTENT_LIMIT, card, truncate
from bot.store import DatabaseBusy
from bot.subscriptions import toggle_subscription

if TYPE_CHECKING:
    from bot.client import AoadBot

log = logging.getLogger(__name__)

PUBLISHES_PER_HOUR = 10
# Discord remembers a nonce for "a few minutes"; past this, look for the message before sending again.
NONCE_WINDOW = dt.timedelta(minutes=2)
MAX_BACKOFF = 600.0
# Requests a second the deliverer allows itself: under Discord's global 50, leaving room for commands.
GLOBAL_RATE = 45.0
CHANNEL_WORKERS = 8
DUE_BATCH = 200
THREAD_NAME_LIMIT = 100
HISTORY_LOOKBACK = 50

# Discord's JSON error codes the deliverer treats as "already done" or "not applicable".
THREAD_ALREADY_EXISTS = 160004
ALREADY_CROSSPOSTED = 40033
CANNOT_CROSSPOST_HERE = 50024


def announcement_embed(title: str, body: str, footer: str = "") -> dict[str, Any]:
    """The embed of an announcement, as stored in the outbox (a dict: it must survive a restart)."""
    return card(title=title, description=body, footer=footer, colour=BRAND_COLOUR).to_dict()  # type: ignore[return-value]


def announcement_payload(
    settings: GuildSettings, title: str, body: str, lang: Lang = ENGLISH
) -> dict[str, Any]:
    """An announcement as the server asked for it: pinging its opt-in role, in a thread, published."""
    role = settings.ping_role_id
    return {
        "notify_label": lang.t("Notify me"),
        "content": f"<@&{role}>" if role else None,
        "ping_role_id": role,
        "embeds": [announcement_embed(title, body)],
        "thread_name": truncate(title, THREAD_NAME_LIMIT) if settings.threads else None,
        "publish": settings.auto_publish,
        "notify_button": role is not None,
    }


def outbox_drafts(
    settings: GuildSettings,
    *,
    title: str,
    body: str,
    announce: bool,
    author: str,
    revision_note: str = "",
    failing: frozenset[int] = frozenset(),
    lang: Lang = ENGLISH,
) -> list[OutboxDraft]:
    """The messages a committed change sends: the announcement (when asked) and the mod-log entry."""
    drafts: list[OutboxDraft] = []
    if announce and settings.announce_channel_id is not None and settings.announce_channel_id not in failing:
        drafts.append(
            OutboxDraft(
                purpose="announcement",
                channel_id=settings.announce_channel_id,
                payload=announcement_payload(settings, title, body, lang),
            )
        )
    if settings.modlog_channel_id is not None and settings.modlog_channel_id not in failing:
        if drafts:
            footer = lang.t("announced by {author}", author=author) + revision_note
        else:
            footer = lang.t("saved without announcing by {author}", author=author) + revision_note
        drafts.append(
            OutboxDraft(
                purpose="modlog",
                channel_id=settings.modlog_channel_id,
                payload={
                    "content": None,
                    "ping_role_id": None,
                    "embeds": [announcement_embed(f"📝 {title}", body, footer=footer)],
                    "thread_name": None,
                    "publish": False,
                    "notify_button": False,
                },
            )
        )
    return drafts


class Pacer:
    """Spaces calls evenly at `rate` a second, across every task that shares it."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            now = loop.time()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


def guild_lang(bot: AoadBot, settings: GuildSettings) -> Lang:
    """The language a server's announcements are posted in: its choice, else its preferred locale."""
    if settings.language:
        return Lang(settings.language)
    guild = bot.get_guild(settings.guild_id)
    return Lang.of(guild.preferred_locale if guild else None)


class NotifyButton(FanButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"aoad:notify"):
    """ "Notify me" under an announcement: subscribes whoever presses it, as /subscribe does. Each press
    changes a role through Discord's API, so it counts against the same cooldown as /subscribe."""

    where = "the Notify me button"

    def __init__(self, label: str = "Notify me") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, emoji="🔔", style=discord.ButtonStyle.secondary, custom_id="aoad:notify"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NotifyButton:
        return cls()

    async def pressed(self, interaction: discord.Interaction) -> None:
        await toggle_subscription(interaction, only_subscribe=True)


def _allowed_mentions(payload: dict[str, Any]) -> discord.AllowedMentions:
    """Exactly the opted-in role may be pinged; nothing in the text can ping anyone else."""
    role = payload.get("ping_role_id")
    if role:
        return discord.AllowedMentions(
            everyone=False, users=False, roles=[discord.Object(int(role))], replied_user=False
        )
    return discord.AllowedMentions.none()


class Deliverer(DueLoop):
    """Posts what the outbox holds, and survives anything Discord or a crash does."""

    name = "outbox-deliverer"

    def __init__(
        self,
        bot: AoadBot,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        idle: float = IDLE_WAIT,
        rate: float = GLOBAL_RATE,
    ) -> None:
        super().__init__(clock, idle)
        self.bot = bot
        self.store = bot.store
        self.delivered = 0
        # Discord allows 50 requests a second per bot, and discord.py does not pace ahead of it: the deliverer
        # stays under it itself, and works on a few channels at once to use what it may.
        self._pace = Pacer(rate)
        # Per purpose, a last check before a row is posted: a row that fails it is dropped, not sent.
        self.validators: dict[str, Callable[[OutboxItem], Awaitable[bool]]] = {}
        self._workers = asyncio.Semaphore(CHANNEL_WORKERS)

    async def next_due(self) -> dt.datetime | None:
        return await self.store.next_outbox_due()

    async def run_once(self) -> int:
        """Deliver everything due now, channels side by side, each channel's rows in order.

        Returns how many rows reached a final state.
        """
        finished = 0
        while not self._stopping:
            due = await self.store.due_outbox(self.clock(), limit=DUE_BATCH)
            if not due:
                break
            by_channel: dict[int, list[OutboxItem]] = {}
            for item in due:
                by_channel.setdefault(item.channel_id, []).append(item)
            # Every channel finishes the row in hand before a busy database ends the pass: none is left
            # running into the next pass.
            results = await asyncio.gather(
                *(self._deliver_channel(items) for items in by_channel.values()), return_exceptions=True
            )
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            done = sum(r for r in results if isinstance(r, int))
            finished += done
            if len(due) < DUE_BATCH or done == 0:
                break
        return finished

    async def _deliver_channel(self, items: list[OutboxItem]) -> int:
        """One channel's rows, in order; the first that must wait holds the rest back, keeping their order."""
        async with self._workers:
            done = 0
            for item in items:
                if self._stopping or not await self.deliver(item):
                    break
                done += 1
            return done

    async def deliver(self, item: OutboxItem) -> bool:
        """Take one row as far as it can go now. True when it reached a final state."""
        try:
            return await self._deliver(item)
        except DatabaseBusy:
            # Recording the retry would need the database too: the whole pass waits for the lock to clear. A
            # POST that went out before a step could be recorded is sent again with the same nonce.
            raise
        except Exception as exc:
            # Whatever went wrong, this row waits its turn again and the others are not held up.
            log.exception("Delivery of outbox row %s failed unexpectedly", item.id)
            await self._retry_later(item, exc)
            return False

    async def _deliver(self, item: OutboxItem) -> bool:
        channel = self.bot.get_partial_messageable(item.channel_id, guild_id=item.guild_id)
        if await self.store.is_channel_failing(item.channel_id):
            await self.store.update_outbox(item.id, state="failed", error="the channel is failing")
            return True
        message_id = item.message_id
        validator = self.validators.get(item.purpose)
        if item.state in ("pending", "posting") and validator is not None and not await validator(item):
            log.info("Dropping outbox row %s (%s): what it says is no longer true", item.id, item.purpose)
            await self.store.update_outbox(item.id, state="failed", error="dropped: no longer true")
            return True
        try:
            if item.state in ("pending", "posting"):
                message_id = await self._post(item, channel)
        except (discord.Forbidden, discord.NotFound) as exc:
            # Only a refused POST says the channel itself is gone or closed to the bot.
            await self._channel_refused(item, exc)
            return True
        except discord.HTTPException as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                # Discord will refuse this message every time: retrying would only spend the invalid-request budget.
                log.error("Discord refused outbox row %s for good (%s %s)", item.id, exc.status, exc.text)
                await self.store.update_outbox(
                    item.id, state="failed", error=truncate(f"{exc.status} {exc.text}", 500)
                )
                return True
            await self._retry_later(item, exc)
            return False
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            await self._retry_later(item, exc)
            return False
        assert message_id is not None
        message = channel.get_partial_message(message_id)
        payload = item.payload
        try:
            if payload.get("thread_name") and not item.thread_done:
                await self._open_thread(item, message, str(payload["thread_name"]))
            if payload.get("publish") and not item.publish_done:
                if not self._publishable(item.channel_id):
                    # Discord would refuse it (50024) and it would use up one of the hour's ten publications.
                    log.info(
                        "Outbox row %s: channel %s is not an announcement channel", item.id, item.channel_id
                    )
                    await self.store.update_outbox(item.id, publish_done=True)
                elif not await self._publish(item, message):
                    return False
        except discord.NotFound:
            # The message was deleted before its thread or publication: nothing more to do for it.
            log.info(
                "Outbox row %s: message %s was deleted; not threading or publishing it", item.id, message_id
            )
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            await self._retry_later(item, exc)
            return False
        await self.store.update_outbox(item.id, state="done", error=None)
        self.delivered += 1
        return True

    async def _retry_later(self, item: OutboxItem, exc: BaseException) -> None:
        delay = min(MAX_BACKOFF, 5.0 * 2 ** min(item.attempts, 10))
        log.warning("Delivery of outbox row %s failed (%s); retrying in %.0f s", item.id, exc, delay)
        await self.store.update_outbox(
            item.id,
            attempts=item.attempts + 1,
            next_attempt_at=self.clock() + dt.timedelta(seconds=delay),
            error=truncate(str(exc) or type(exc).__name__, 500),
        )

    async def _post(self, item: OutboxItem, channel: discord.PartialMessageable) -> int:
        # A row that may already have been posted longer ago than Discord keeps nonces: look before resending.
        if item.state == "posting" and self.clock() - item.created_at > NONCE_WINDOW:
            found = await self._find_posted(item, channel)
            if found is not None:
                await self.store.update_outbox(item.id, state="posted", message_id=found)
                return found
        # Recorded before the call: if the bot dies during it, the next start knows a POST may have landed.
        await self.store.update_outbox(item.id, state="posting", attempts=item.attempts + 1)
        payload = item.payload
        view = None
        if payload.get("notify_button"):
            view = discord.ui.View(timeout=None)
            view.add_item(NotifyButton(str(payload.get("notify_label") or "Notify me")))
        content = payload.get("content")
        await self._pace.wait()
        message = await channel.send(
            content=truncate(content, CONTENT_LIMIT) if content else None,
            embeds=[discord.Embed.from_dict(embed) for embed in payload.get("embeds", [])],
            view=view,  # type: ignore[arg-type]
            nonce=item.nonce,
            allowed_mentions=_allowed_mentions(payload),
        )
        await self.store.update_outbox(item.id, state="posted", message_id=message.id)
        log.info("Posted outbox row %s (%s) as message %s", item.id, item.purpose, message.id)
        return message.id

    async def _find_posted(self, item: OutboxItem, channel: discord.PartialMessageable) -> int | None:
        """Past the nonce window, look for this row's message among the bot's recent ones."""
        embeds = item.payload.get("embeds") or [{}]
        wanted = (embeds[0].get("title"), embeds[0].get("description"))
        me = self.bot.user.id if self.bot.user else None
        # Only messages sent since the row was queued can be this row's (an identical older one is not).
        since = discord.Object(discord.utils.time_snowflake(item.created_at - dt.timedelta(seconds=1)))
        try:
            await self._pace.wait()
            async for message in channel.history(limit=HISTORY_LOOKBACK, after=since):
                mine = message.author.id == me and message.embeds
                if mine and (message.embeds[0].title, message.embeds[0].description) == wanted:
                    return message.id
        except discord.Forbidden:
            log.warning("Cannot read channel %s to check for an earlier post; sending again", item.channel_id)
        return None

    async def _open_thread(self, item: OutboxItem, message: discord.PartialMessage, name: str) -> None:
        await self._extra_step(
            item,
            lambda: message.create_thread(name=name, auto_archive_duration=1440),
            settled=(THREAD_ALREADY_EXISTS,),
            refused=N_("I couldn't open a discussion thread in <#{channel}>: {error}"),
        )
        await self.store.update_outbox(item.id, thread_done=True)

    async def _extra_step(
        self,
        item: OutboxItem,
        call: Callable[[], Awaitable[object]],
        *,
        settled: tuple[int, ...],
        refused: str,
    ) -> None:
        """A thread or a publication for a message already posted: never a reason to hold the message back.

        Discord's error codes in `settled` mean there is nothing (more) to do; a refusal (403) is told to the
        moderators; anything else is raised, to be retried later.
        """
        try:
            await self._pace.wait()
            await call()
        except discord.HTTPException as exc:
            if exc.code in settled:
                log.info("Outbox row %s: nothing to do (Discord code %s)", item.id, exc.code)
            elif isinstance(exc, discord.Forbidden):
                await self._warn(item, Message.of(refused, channel=item.channel_id, error=exc.text))
            else:
                raise

    def _publishable(self, channel_id: int) -> bool:
        """Whether a channel can publish: an announcement channel, or one the bot does not know (yet)."""
        channel = self.bot.get_channel(channel_id)
        return not isinstance(channel, discord.TextChannel) or channel.is_news()

    async def _publish(self, item: OutboxItem, message: discord.PartialMessage) -> bool:
        """Crosspost to following servers, at most 10 an hour per channel. False: wait for room."""
        now = self.clock()
        recent = await self.store.publishes_since(item.channel_id, now - dt.timedelta(hours=1))
        if len(recent) >= PUBLISHES_PER_HOUR:
            room_at = recent[0] + dt.timedelta(hours=1)
            log.info(
                "Channel %s has published %d times this hour; publishing row %s at %s",
                item.channel_id,
                len(recent),
                item.id,
                room_at.isoformat(),
            )
            await self.store.update_outbox(item.id, next_attempt_at=room_at)
            return False
        # Counted before the call: a crash after it must not let the channel exceed its hourly allowance.
        await self.store.record_publish(item.channel_id, now)
        await self._extra_step(
            item,
            message.publish,
            settled=(CANNOT_CROSSPOST_HERE, ALREADY_CROSSPOSTED),
            refused=N_("I couldn't publish the announcement in <#{channel}>: {error}"),
        )
        await self.store.update_outbox(item.id, publish_done=True)
        return True

    async def _channel_refused(self, item: OutboxItem, exc: discord.HTTPException) -> None:
        reason = (
            f"{exc.status} {exc.text or ('Missing Permissions' if exc.status == 403 else 'Unknown Channel')}"
        )
        log.warning(
            "Channel %s refused outbox row %s (%s): not calling it again", item.channel_id, item.id, reason
        )
        await self.store.mark_channel_failing(
            item.guild_id, item.channel_id, exc.status, truncate(reason, 200)
        )
        await self.store.update_outbox(item.id, state="failed", error=truncate(reason, 500))
        await self._warn(
            item,
            Message.of(
                "I couldn't post in <#{channel}> ({reason}). Nothing more will be sent there until it is fixed: "
                "check my permissions in that channel, then run `/manage setup` with it again.",
                channel=item.channel_id,
                reason=truncate(reason, 200),
            ),
        )

    async def _warn(self, item: OutboxItem, message: Message) -> None:
        """Tell the moderators through the mod-log, unless the mod-log is the channel in trouble."""
        settings = await self.store.get_settings(item.guild_id)
        lang = guild_lang(self.bot, settings)
        modlog = settings.modlog_channel_id
        if modlog is None or modlog == item.channel_id or await self.store.is_channel_failing(modlog):
            return
        await self.store.queue(
            item.guild_id,
            [
                OutboxDraft(
                    purpose="modlog",
                    channel_id=modlog,
                    payload={
                        "content": None,
                        "ping_role_id": None,
                        "embeds": [announcement_embed(lang.t("⚠️ Delivery problem"), message.render(lang))],
                        "thread_name": None,
                        "publish": False,
                        "notify_button": False,
                    },
                )
            ],
        )
        self.wake()
