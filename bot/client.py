"""The bot: a `commands.Bot` that owns the store, loads every feature under `cogs/`, and syncs deliberately."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import importlib
import json
import logging
import pkgutil
from typing import Any

import discord
from discord.ext import commands

from bot.announce import Deliverer, NotifyButton
from bot.cooldowns import Cooldowns, LimitedTree
from bot.i18n import ENGLISH, CatalogueTranslator
from bot.premiere import PremiereScheduler, sync_premiere_event
from bot.settings import Settings
from bot.store import Store
from bot.views import PageButton, RevealButton, SuggestionButton

log = logging.getLogger(__name__)

EXTENSIONS_PACKAGE = "cogs"

# This bot never joins voice: discord.py's start-up warnings about voice libraries are only noise.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


class SyncError(Exception):
    """Discord refused the commands; the message says what to check."""


def discover_extensions(package: str = EXTENSIONS_PACKAGE) -> list[str]:
    """Every module in `package`, except `_private` ones, in name order."""
    module = importlib.import_module(package)
    return sorted(
        f"{package}.{info.name}"
        for info in pkgutil.iter_modules(module.__path__)
        if not info.name.startswith("_")
    )


def command_payload_digest(payload: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class AoadBot(commands.Bot):
    """The bot. `store` and `settings` are handed in by the entry point, which owns their lifetimes."""

    store: Store
    settings: Settings

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        sync_on_start: bool = True,
        extensions_package: str = EXTENSIONS_PACKAGE,
        **options: Any,
    ) -> None:
        # Only guild events (channels and roles, to check the bot's own permissions): slash commands need no
        # other intent, no privileged one, and without message intents no message ever reaches the bot.
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
            tree_cls=LimitedTree,
            # Nothing the bot sends pings anyone unless a call site allows exactly that.
            allowed_mentions=discord.AllowedMentions.none(),
            owner_ids=set(settings.owner_ids),
            # The bot reads no messages: caching the last thousand it sent (embeds and all) costs memory and
            # garbage-collector time on every command for nothing.
            max_messages=None,
            **options,
        )
        self.settings = settings
        self.store = store
        self.sync_on_start = sync_on_start
        self.extensions_package = extensions_package
        self.failed_extensions: dict[str, BaseException] = {}
        self.cooldowns = Cooldowns(settings.lookup_rate, settings.autocomplete_rate)
        self.deliverer: Deliverer | None = None
        self.premiere: PremiereScheduler | None = None
        self._events_checked = False

    async def setup_hook(self) -> None:
        # Buttons that must keep working on old messages and across restarts.
        self.add_dynamic_items(RevealButton, SuggestionButton, NotifyButton, PageButton)
        # Korean names and descriptions for every command, from the translation catalogue.
        await self.tree.set_translator(CatalogueTranslator())
        self.deliverer = Deliverer(self)
        # Whatever was committed before a crash or a restart goes out now.
        self.deliverer.start()
        self.premiere = PremiereScheduler(self)
        planned = await self.store.backfill_reminders()
        if planned:
            log.info("Planned %d premiere reminders that were missing", planned)
        self.premiere.start()
        await self.load_all_extensions()
        if self.sync_scope is not None:
            # In development every command is a guild command of the dev guild: guild syncs apply at once.
            self.tree.copy_global_to(guild=self.sync_scope)
        if not self.sync_on_start:
            return
        if self.failed_extensions:
            # Syncing now would delete the broken features' commands from Discord for everyone.
            log.error(
                "Not syncing commands because %d extension(s) failed to load: %s",
                len(self.failed_extensions),
                ", ".join(self.failed_extensions),
            )
            return
        try:
            await self.sync_if_changed()
        except SyncError as exc:
            # The bot still answers the commands Discord already has; the operator fixes the cause.
            log.error("%s", exc)

    async def load_all_extensions(self) -> None:
        for name in discover_extensions(self.extensions_package):
            try:
                await self.load_extension(name)
            except Exception as exc:
                # One broken feature must not keep the others from serving.
                log.exception("Could not load extension %s; carrying on without it", name)
                self.failed_extensions[name] = exc
            else:
                log.info("Loaded extension %s", name)

    @property
    def sync_scope(self) -> discord.Object | None:
        """Where commands are synced: the development guild when one is set (instant), else globally."""
        if self.settings.dev_guild_id is None:
            return None
        return discord.Object(id=self.settings.dev_guild_id)

    async def command_payload(self, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
        """Exactly what `CommandTree.sync` would send for this scope."""
        commands_ = self.tree.get_commands(guild=guild)
        translator = self.tree.translator
        if translator is not None:
            return [await command.get_translated_payload(self.tree, translator) for command in commands_]
        return [command.to_dict(self.tree) for command in commands_]

    def _sync_key(self, guild: discord.abc.Snowflake | None) -> str:
        scope = "global" if guild is None else f"guild:{guild.id}"
        return f"commands-digest:{self.application_id}:{scope}"

    async def sync_commands(self, guild: discord.abc.Snowflake | None) -> int:
        """Sync now, whatever was synced before, and remember what was sent."""
        if guild is not None and (self.sync_scope is None or guild.id != self.sync_scope.id):
            self.tree.copy_global_to(guild=guild)
        payload = await self.command_payload(guild)
        where = "globally" if guild is None else f"to server {guild.id}"
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.Forbidden as exc:
            raise SyncError(
                f"Discord refused to sync commands {where} ({exc.status}): is the bot in that server, invited "
                "with the applications.commands scope? Check DEV_GUILD_ID or --guild."
            ) from exc
        except discord.HTTPException as exc:
            raise SyncError(f"Syncing commands {where} failed ({exc.status}): {exc.text[:200]}") from exc
        await self.store.set_meta(self._sync_key(guild), command_payload_digest(payload))
        log.info(
            "Synced %d commands %s", len(synced), "globally" if guild is None else f"to guild {guild.id}"
        )
        return len(synced)

    async def clear_guild_commands(self, guild: discord.abc.Snowflake) -> None:
        """Remove a server's own copy of the commands (left behind by development), keeping global ones."""
        self.tree.clear_commands(guild=guild)
        try:
            await self.tree.sync(guild=guild)
        except discord.HTTPException as exc:
            raise SyncError(
                f"Discord refused to clear the commands of server {guild.id} ({exc.status})."
            ) from exc
        await self.store.set_meta(self._sync_key(guild), command_payload_digest([]))

    async def sync_if_changed(self) -> bool:
        """Sync only when the command payload differs from the last one synced to this scope.

        Discord allows 200 command creates a day per guild, and a global sync on every start would spend
        them for nothing; unchanged commands need no call at all.
        """
        guild = self.sync_scope
        payload = await self.command_payload(guild)
        digest = command_payload_digest(payload)
        if await self.store.get_meta(self._sync_key(guild)) == digest:
            log.info("Application commands unchanged since the last sync; not syncing")
            return False
        await self.sync_commands(guild)
        return True

    async def close(self) -> None:
        if self.premiere is not None:
            await self.premiere.stop()
        if self.deliverer is not None:
            await self.deliverer.stop()
        await super().close()

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("Ready as %s (%s) in %d guilds", self.user, self.user.id, len(self.guilds))
        if not self._events_checked:
            self._events_checked = True
            # Everything loaded by now lives as long as the bot: keep it out of the garbage collector's full
            # passes, which would otherwise stop every command for tens of milliseconds every few seconds.
            gc.collect()
            gc.freeze()
            # A change committed just before a crash may not have reached its Scheduled Event yet.
            asyncio.create_task(self._check_premiere_events(), name="premiere-events-check")  # noqa: RUF006

    async def _check_premiere_events(self) -> None:
        for guild_id in await self.store.guilds_with_premiere_events():
            problem = await sync_premiere_event(self, guild_id)
            if problem:
                log.warning("Guild %s: %s", guild_id, problem.render(ENGLISH))
