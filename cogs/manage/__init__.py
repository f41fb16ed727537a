"""/manage: moderators keep their server's data current, and their changes become announcements.

Every command that changes data checks the member itself (Manage Server, or the server's moderator role),
answers privately with a preview of the announcement, and saves nothing until Post or Save is pressed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal, cast

import discord
import msgspec
from discord import app_commands
from discord.ext import commands

from bot.dates import DateError, check_rough_date, parse_typed_release
from bot.errors import UserFacingError
from bot.models import (
    Character,
    Fact,
    NewsItem,
    Person,
    Season,
    Stage,
)
from bot.moderation_store import Change, GuildSettings, StoredEntry
from bot.premiere import describe_offset, parse_offsets, sync_premiere_event
from bot.render import Field, card, escape, provenance, truncate
from bot.search import characters_of, people_of
from bot.subscriptions import ping_role_problem
from bot.views import Pager
from cogs.manage._access import ensure_moderator, failing_note
from cogs.manage._edits import (
    NAME_LIMIT,
    TEXT_LIMIT,
    PendingEdit,
    clean,
    describe_update,
    fact_block,
    label_of,
    names_list,
    new_key,
    parse_source,
    stage_words,
    today,
)
from cogs.manage._forms import CharacterFactForm, CharacterIdentityForm, PersonForm
from cogs.manage._history import history_pages
from cogs.manage._preview import send_preview

if TYPE_CHECKING:
    from bot.client import AoadBot

log = logging.getLogger(__name__)

ConfidenceOption = Literal["confirmed", "reported", "unconfirmed"]
SpoilerOption = Literal["none", "s1", "s2"]
StageOption = Literal[
    "announced", "in-production", "filming", "post-production", "release-date-set", "released"
]
PartOption = Literal["identity", "profile", "fate", "season2"]

CHANNEL_NEEDS = ("view_channel", "send_messages", "embed_links", "read_message_history")
THREAD_NEEDS = ("create_public_threads", "send_messages_in_threads")


def _permission_words(names: list[str]) -> str:
    return ", ".join(name.replace("_", " ").title() for name in names)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Manage(
    commands.GroupCog, group_name="manage", group_description="Moderators: keep this server's data current"
):
    season = app_commands.Group(name="season", description="Change a season's stage, release date or news")
    character = app_commands.Group(name="character", description="Add, edit or remove a character")
    cast = app_commands.Group(name="cast", description="Add, edit or remove a cast member")

    def __init__(self, bot: AoadBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        await ensure_moderator(interaction)
        return True

    # -- helpers -----------------------------------------------------------------------------------------

    def _guild(self, interaction: discord.Interaction) -> int:
        assert interaction.guild_id is not None
        return interaction.guild_id

    async def _character(self, guild_id: int, typed: str) -> Character:
        catalog = await self.bot.store.catalog(guild_id)
        key, suggestions = characters_of(catalog).resolve(typed)
        if key is None:
            raise UserFacingError(_unknown("character", typed, [h.label for h in suggestions]))
        found = catalog.character(key)
        assert found is not None
        return found

    async def _person(self, guild_id: int, typed: str) -> Person:
        catalog = await self.bot.store.catalog(guild_id)
        key, suggestions = people_of(catalog).resolve(typed)
        if key is None:
            raise UserFacingError(_unknown("cast member", typed, [h.label for h in suggestions]))
        found = catalog.person(key)
        assert found is not None
        return found

    async def _season(self, guild_id: int, number: int) -> tuple[Season, int]:
        stored = await self.bot.store.get_entry(guild_id, "season", str(number))
        if stored is None:
            raise UserFacingError(f"There is no Season {number} in this server's data.")
        return cast(Season, stored.entry), stored.version

    async def _stored(self, guild_id: int, kind: str, key: str) -> StoredEntry:
        """The entry and its version, read together, so the change starts from exactly what was read."""
        stored = await self.bot.store.get_entry(guild_id, kind, key)
        if stored is None:
            raise UserFacingError("That entry was removed meanwhile. Nothing was changed.")
        return stored

    # -- setup -------------------------------------------------------------------------------------------

    @app_commands.command(
        name="setup",
        description="Announcement channel, ping role, moderator role, mod-log; no options shows them",
    )
    @app_commands.describe(
        announcement_channel="Where announcements are posted",
        ping_role="The role announcements ping; fans opt in with /subscribe",
        moderator_role="Members with this role may change the data, besides those with Manage Server",
        modlog_channel="Where every change is logged",
        threads="Open a discussion thread under each announcement",
        auto_publish="Publish announcements to following servers (in announcement channels)",
        premiere_event="Create a Discord Scheduled Event for the premiere when its date and time are announced",
        reminders="When to remind before the premiere, e.g. 7d, 1d, 0 (0 = at release); none turns them off",
    )
    async def setup_(
        self,
        interaction: discord.Interaction,
        announcement_channel: discord.TextChannel | None = None,
        ping_role: discord.Role | None = None,
        moderator_role: discord.Role | None = None,
        modlog_channel: discord.TextChannel | None = None,
        threads: bool | None = None,
        auto_publish: bool | None = None,
        premiere_event: bool | None = None,
        reminders: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        guild_id = self._guild(interaction)
        changes: dict[str, int | bool | tuple[int, ...] | None] = {}
        if reminders is not None:
            try:
                changes["reminder_offsets"] = parse_offsets(reminders)
            except ValueError as exc:
                raise UserFacingError(str(exc)) from None
        if premiere_event is not None:
            changes["premiere_event"] = premiere_event
        if announcement_channel is not None:
            changes["announce_channel_id"] = announcement_channel.id
        if (ping_role is not None or moderator_role is not None) and not _is_server_manager(interaction):
            raise UserFacingError(
                "Only members with Manage Server can choose the ping role or the moderator role: those decide who "
                "gets pinged and who may change the data. Nothing was changed."
            )
        if ping_role is not None:
            problem = ping_role_problem(ping_role)
            if problem:
                raise UserFacingError(problem + " Nothing was changed.")
            changes["ping_role_id"] = ping_role.id
        if moderator_role is not None:
            if moderator_role.is_default() or moderator_role.managed:
                raise UserFacingError(
                    "The moderator role must be a role you give to people, not @everyone or a bot's role. "
                    "Nothing was changed."
                )
            changes["moderator_role_id"] = moderator_role.id
        if modlog_channel is not None:
            changes["modlog_channel_id"] = modlog_channel.id
        if threads is not None:
            changes["threads"] = threads
        if auto_publish is not None:
            changes["auto_publish"] = auto_publish
        store = self.bot.store
        settings = (
            await store.update_settings(guild_id, **changes)
            if changes
            else await store.get_settings(guild_id)
        )
        retried = 0
        for channel in (announcement_channel, modlog_channel):
            if channel is not None:
                retried += await store.clear_failing_channel(channel.id)
        if retried and self.bot.deliverer is not None:
            self.bot.deliverer.wake()
        problems = self._check_setup(interaction, settings)
        heading = "Settings saved." if changes else "Current settings:"
        if retried:
            heading += f" Retrying {retried} message(s) that had failed there."
        text = heading + await failing_note(self.bot, guild_id)
        await interaction.response.send_message(
            truncate(text, 2000), embed=_settings_card(settings, problems), ephemeral=True
        )
        if reminders is not None and self.bot.premiere is not None:
            self.bot.premiere.wake()
        if premiere_event is not None:
            problem = await sync_premiere_event(self.bot, guild_id)
            if problem:
                await interaction.followup.send(problem, ephemeral=True)

    def _check_setup(self, interaction: discord.Interaction, settings: GuildSettings) -> list[str]:
        """What the bot is missing to do what the settings ask, said exactly."""
        guild = interaction.guild
        if guild is None:
            return []
        me = guild.me
        problems: list[str] = []

        def check(channel_id: int | None, needs: tuple[str, ...], what: str) -> None:
            if channel_id is None:
                return
            channel = guild.get_channel(channel_id)
            if channel is None:
                problems.append(f"I can't see the {what} <#{channel_id}>.")
                return
            permissions = channel.permissions_for(me)
            missing = [name for name in needs if not getattr(permissions, name)]
            if missing:
                problems.append(f"In {channel.mention} ({what}) I'm missing: {_permission_words(missing)}.")

        announce_needs = CHANNEL_NEEDS + (THREAD_NEEDS if settings.threads else ())
        check(settings.announce_channel_id, announce_needs, "announcement channel")
        check(settings.modlog_channel_id, CHANNEL_NEEDS, "mod-log channel")
        if settings.auto_publish and settings.announce_channel_id is not None:
            channel = guild.get_channel(settings.announce_channel_id)
            if isinstance(channel, discord.TextChannel) and not channel.is_news():
                problems.append(
                    f"{channel.mention} is not an announcement channel, so nothing can be published from it."
                )
        if settings.premiere_event and not me.guild_permissions.manage_events:
            problems.append("I need Manage Events to create the premiere's Scheduled Event.")
        role = guild.get_role(settings.ping_role_id) if settings.ping_role_id else None
        if role is not None:
            if not me.guild_permissions.manage_roles:
                problems.append("I need Manage Roles to let fans /subscribe to the ping role.")
            elif role >= me.top_role:
                problems.append(
                    f"My highest role must be above {role.mention} to give it out with /subscribe."
                )
            if not role.mentionable and not me.guild_permissions.mention_everyone:
                problems.append(
                    f"{role.mention} can't be mentioned: make it mentionable, or announcements won't ping it."
                )
        return problems

    # -- season ------------------------------------------------------------------------------------------

    @season.command(name="stage", description="Change a season's stage")
    @app_commands.describe(
        stage="The new stage",
        source="Where this was reported: a link, or a publication and date (e.g. deadline.com, 2026-11-20)",
        confidence="How sure the source is",
        note="What exactly was said (optional; the stage name is used otherwise)",
        season="Which season (default 2)",
    )
    async def season_stage(
        self,
        interaction: discord.Interaction,
        stage: StageOption,
        source: app_commands.Range[str, 1, 600],
        confidence: ConfidenceOption = "confirmed",
        note: app_commands.Range[str, 1, 1000] | None = None,
        season: app_commands.Range[int, 1, 99] = 2,
    ) -> None:
        guild_id = self._guild(interaction)
        current, version = await self._season(guild_id, season)
        new_stage = Stage(stage)
        text = (
            clean(note, "The note", TEXT_LIMIT, required=False)
            or f"Season {season} is in {stage_words(new_stage)}"
        )
        fact = Fact(text=text, confidence=confidence, sources=(parse_source(source),))
        after = msgspec.structs.replace(current, stage=new_stage, stage_fact=fact)
        if after == current:
            raise UserFacingError("That is already the season's stage, with the same note and source.")
        title = f"Season {season}: {stage_words(current.stage)} → {stage_words(new_stage)}"
        pending = PendingEdit(
            guild_id, [Change("season", str(season), current, after, version)], title, fact_block(fact)
        )
        await send_preview(interaction, self.bot, pending)

    @season.command(name="release-date", description="Set or clear a season's release date")
    @app_commands.describe(
        date="2026-12-05, or with time and zone: 2026-12-05 17:00 KST; rough: 2026-12, 2026, late 2026",
        clear="Remove the release date",
        source="Where this was announced: a link, or a publication and date",
        confidence="How sure the source is",
        season="Which season (default 2)",
    )
    async def season_release(
        self,
        interaction: discord.Interaction,
        date: app_commands.Range[str, 1, 60] | None = None,
        clear: bool = False,
        source: app_commands.Range[str, 1, 600] | None = None,
        confidence: ConfidenceOption = "confirmed",
        season: app_commands.Range[int, 1, 99] = 2,
    ) -> None:
        guild_id = self._guild(interaction)
        current, version = await self._season(guild_id, season)
        if clear == (date is not None):
            raise UserFacingError("Give either a `date` or `clear: True` (not both, not neither).")
        if clear:
            if current.release is None:
                raise UserFacingError(f"Season {season} has no release date to clear.")
            after = msgspec.structs.replace(current, release=None, release_fact=None)
            title = f"Season {season}: release date withdrawn"
            body = f"The release date ({escape(current.release)}) is no longer announced."
        else:
            if source is None:
                raise UserFacingError("A release date needs its `source`: a link, or a publication and date.")
            try:
                release = parse_typed_release(cast(str, date))
            except DateError as exc:
                raise UserFacingError(str(exc)) from None
            fact = Fact(
                text=f"Season {season} premieres {release.words()}",
                confidence=confidence,
                sources=(parse_source(source),),
            )
            after = msgspec.structs.replace(current, release=release.text, release_fact=fact)
            title = f"Season {season} release date: {release.words()}"
            body = f"{release.render()}\n{provenance(fact)}"
        if after == current:
            raise UserFacingError("That is already the release date, with the same source.")
        pending = PendingEdit(guild_id, [Change("season", str(season), current, after, version)], title, body)
        await send_preview(interaction, self.bot, pending)

    @season.command(name="news", description="Add a dated entry to a season's timeline")
    @app_commands.describe(
        text="What happened",
        source="Where it was reported: a link, or a publication and date",
        confidence="How sure the source is",
        date="When (2026-11-20, or 2026-11 if only the month is known); default today",
        spoiler="Does it reveal Season 1 outcomes (s2) or Season 1 plot (s1)?",
        season="Which season (default 2)",
    )
    async def season_news(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 1000],
        source: app_commands.Range[str, 1, 600],
        confidence: ConfidenceOption,
        date: app_commands.Range[str, 4, 10] | None = None,
        spoiler: SpoilerOption = "none",
        season: app_commands.Range[int, 1, 99] = 2,
    ) -> None:
        guild_id = self._guild(interaction)
        await self._season(guild_id, season)
        try:
            day = check_rough_date(date) if date else today()
        except DateError as exc:
            raise UserFacingError(str(exc)) from None
        try:
            item = NewsItem(
                key=new_key(f"s{season}-{day}-{text[:30]}", await self.bot.store.used_keys(guild_id, "news")),
                season=season,
                date=day,
                text=cast(str, clean(text, "The text", TEXT_LIMIT)),
                confidence=confidence,
                sources=(parse_source(source),),
                spoiler=spoiler,
            )
            item = msgspec.convert(msgspec.to_builtins(item), type=NewsItem)
        except msgspec.ValidationError:
            raise UserFacingError(
                f"“{escape(day)}” is not a date: use 2026-11-20, or 2026-11 if only the month is known."
            ) from None
        title = f"Season {season} news ({day})"
        pending = PendingEdit(guild_id, [Change("news", item.key, None, item, None)], title, fact_block(item))
        await send_preview(interaction, self.bot, pending)

    # -- characters --------------------------------------------------------------------------------------

    @character.command(name="add", description="Add a character")
    @app_commands.describe(
        name="The character's name, romanised",
        description="Who they are",
        source="Where this was reported: a link, or a publication and date",
        confidence="How sure the source is",
        hangul="The name in Hangul",
        aliases="Other names fans use, comma-separated",
        actor="Who plays them (a cast member already in the data)",
        spoiler="Does the description reveal Season 1 plot (s1) or outcomes (s2)?",
        season="The season they appear in (default 2)",
    )
    async def character_add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100],
        description: app_commands.Range[str, 1, 1000],
        source: app_commands.Range[str, 1, 600],
        confidence: ConfidenceOption = "confirmed",
        hangul: app_commands.Range[str, 1, 100] | None = None,
        aliases: app_commands.Range[str, 1, 1000] | None = None,
        actor: app_commands.Range[str, 1, 100] | None = None,
        spoiler: SpoilerOption = "none",
        season: app_commands.Range[int, 1, 99] = 2,
    ) -> None:
        guild_id = self._guild(interaction)
        catalog = await self.bot.store.catalog(guild_id)
        clean_name = cast(str, clean(name, "The name", NAME_LIMIT))
        if any(c.name.casefold() == clean_name.casefold() for c in catalog.characters):
            raise UserFacingError(
                f"There is already a character called {escape(clean_name)}: use `/manage character edit`."
            )
        person = await self._person(guild_id, actor) if actor else None
        profile = Fact(
            text=cast(str, clean(description, "The description", TEXT_LIMIT)),
            confidence=confidence,
            sources=(parse_source(source),),
            spoiler=spoiler,
        )
        character = Character(
            key=new_key(clean_name, await self.bot.store.used_keys(guild_id, "character")),
            name=clean_name,
            hangul=clean(hangul, "The Hangul name", NAME_LIMIT, required=False),
            aliases=names_list(aliases, "aliases"),
            actor=person.key if person else None,
            seasons=(season,),
            profile=profile,
        )
        title = f"New cast: {person.name} as {clean_name}" if person else f"New character: {clean_name}"
        pending = PendingEdit(
            guild_id, [Change("character", character.key, None, character, None)], title, fact_block(profile)
        )
        await send_preview(interaction, self.bot, pending)

    @character.command(name="edit", description="Edit a character in a form filled with the current values")
    @app_commands.describe(name="The character", part="What to edit (default: names and actor)")
    async def character_edit(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100],
        part: PartOption = "identity",
    ) -> None:
        guild_id = self._guild(interaction)
        character = await self._character(guild_id, name)
        stored = await self.bot.store.get_entry(guild_id, "character", character.key)
        if stored is None:
            raise UserFacingError("That character was removed meanwhile.")
        if part == "identity":
            form: discord.ui.Modal = CharacterIdentityForm(self.bot, guild_id, stored)
        else:
            form = CharacterFactForm(self.bot, guild_id, stored, part)
        await interaction.response.send_modal(form)

    @character.command(name="remove", description="Remove a character from this server's data")
    @app_commands.describe(name="The character")
    async def character_remove(
        self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]
    ) -> None:
        guild_id = self._guild(interaction)
        found = await self._character(guild_id, name)
        stored = await self._stored(guild_id, "character", found.key)
        character = cast(Character, stored.entry)
        pending = PendingEdit(
            guild_id,
            [Change("character", character.key, character, None, stored.version)],
            f"Removed: {character.name}",
            "Removed from this server's data. `/manage revert` brings it back.",
            announce_by_default=False,
        )
        await send_preview(interaction, self.bot, pending)

    # -- cast --------------------------------------------------------------------------------------------

    @cast.command(name="add", description="Add a cast member, optionally as a character already in the data")
    @app_commands.describe(
        name="The actor's name, romanised",
        source="Where the casting was reported: a link, or a publication and date",
        confidence="How sure the source is",
        hangul="The name in Hangul",
        variants="Other spellings fans use, comma-separated",
        plays="The character they play (add it with /manage character add first if it is new)",
    )
    async def cast_add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100],
        source: app_commands.Range[str, 1, 600],
        confidence: ConfidenceOption = "confirmed",
        hangul: app_commands.Range[str, 1, 100] | None = None,
        variants: app_commands.Range[str, 1, 1000] | None = None,
        plays: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        guild_id = self._guild(interaction)
        catalog = await self.bot.store.catalog(guild_id)
        clean_name = cast(str, clean(name, "The name", NAME_LIMIT))
        if any(p.name.casefold() == clean_name.casefold() for p in catalog.people):
            raise UserFacingError(f"{escape(clean_name)} is already in the cast: use `/manage cast edit`.")
        person = Person(
            key=new_key(clean_name, await self.bot.store.used_keys(guild_id, "person")),
            name=clean_name,
            hangul=clean(hangul, "The Hangul name", NAME_LIMIT, required=False),
            variants=names_list(variants, "spellings"),
        )
        changes = [Change("person", person.key, None, person, None)]
        fact = Fact(
            text=f"{clean_name} joins the cast",
            confidence=confidence,
            sources=(parse_source(source),),
        )
        title = f"New cast: {clean_name}"
        if plays:
            found = await self._character(guild_id, plays)
            stored = await self._stored(guild_id, "character", found.key)
            role = cast(Character, stored.entry)
            changes.append(
                Change(
                    "character",
                    role.key,
                    role,
                    msgspec.structs.replace(role, actor=person.key),
                    stored.version,
                )
            )
            title = f"New cast: {clean_name} as {role.name}"
            fact = msgspec.structs.replace(fact, text=f"{clean_name} plays {role.name}")
        pending = PendingEdit(guild_id, changes, title, fact_block(fact))
        await send_preview(interaction, self.bot, pending)

    @cast.command(name="edit", description="Edit a cast member in a form filled with the current values")
    @app_commands.describe(name="The cast member")
    async def cast_edit(
        self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]
    ) -> None:
        guild_id = self._guild(interaction)
        person = await self._person(guild_id, name)
        stored = await self.bot.store.get_entry(guild_id, "person", person.key)
        if stored is None:
            raise UserFacingError("That cast member was removed meanwhile.")
        await interaction.response.send_modal(PersonForm(self.bot, guild_id, stored))

    @cast.command(name="remove", description="Remove a cast member from this server's data")
    @app_commands.describe(name="The cast member")
    async def cast_remove(
        self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]
    ) -> None:
        guild_id = self._guild(interaction)
        person = await self._person(guild_id, name)
        catalog = await self.bot.store.catalog(guild_id)
        roles = catalog.roles_of(person.key)
        if roles:
            names = ", ".join(role.name for role in roles)
            raise UserFacingError(
                f"{escape(person.name)} still plays {escape(names)}. Change or remove those characters first "
                "(`/manage character edit`), then remove the actor."
            )
        stored = await self._stored(guild_id, "person", person.key)
        pending = PendingEdit(
            guild_id,
            [Change("person", person.key, stored.entry, None, stored.version)],
            f"Removed from the cast: {person.name}",
            "Removed from this server's data. `/manage revert` brings them back.",
            announce_by_default=False,
        )
        await send_preview(interaction, self.bot, pending)

    # -- history and revert ------------------------------------------------------------------------------

    @app_commands.command(name="history", description="Every change to this server's data, newest first")
    @app_commands.describe(entry="Only the changes to this entry")
    async def history(
        self, interaction: discord.Interaction, entry: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        guild_id = self._guild(interaction)
        store = self.bot.store
        if entry is None:
            revisions = await store.revisions(guild_id, limit=200)
            title = "History"
        else:
            kind, _, key = entry.partition(":")
            if not key:
                raise UserFacingError("Pick the entry from the list (it looks like character:choi-nam-ra).")
            revisions = await store.revisions(guild_id, kind=kind, key=key, limit=200)
            title = f"History of {kind}:{key}"
        note = await failing_note(self.bot, guild_id)
        pager = Pager(history_pages(revisions, title), interaction.user.id)
        await pager.send(interaction, ephemeral=True, content=truncate(note.strip(), 2000) or None)

    @history.autocomplete("entry")
    async def history_entry(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        catalog = await self.bot.store.catalog(interaction.guild_id)
        choices = [
            *(
                app_commands.Choice(name=f"Season {s.number}", value=f"season:{s.number}")
                for s in catalog.seasons
            ),
            *(
                app_commands.Choice(name=label, value=f"character:{key}")
                for key, label in ((h.key, h.label) for h in characters_of(catalog).search(current, 10))
            ),
            *(
                app_commands.Choice(name=label, value=f"person:{key}")
                for key, label in ((h.key, h.label) for h in people_of(catalog).search(current, 10))
            ),
            *(
                app_commands.Choice(name=truncate(f"News {n.date}: {n.text}", 100), value=f"news:{n.key}")
                for n in catalog.news
                if current.casefold() in n.text.casefold()
            ),
        ]
        typed = current.casefold()
        ranked = [c for c in choices if typed in c.name.casefold()] + [
            c for c in choices if typed not in c.name.casefold()
        ]
        return ranked[:25]

    @app_commands.command(
        name="revert", description="Undo a change: restore an entry as it was before a revision"
    )
    @app_commands.describe(revision="The revision's number, from /manage history")
    async def revert(self, interaction: discord.Interaction, revision: app_commands.Range[int, 1]) -> None:
        guild_id = self._guild(interaction)
        store = self.bot.store
        found = await store.revision(guild_id, revision)
        if found is None:
            raise UserFacingError(f"There is no revision #{revision} in this server. See `/manage history`.")
        current = await store.get_entry(guild_id, found.kind, found.key)
        now = current.entry if current else None
        if now == found.before:
            raise UserFacingError(
                f"Nothing to revert: {found.kind}:{found.key} is already as it was before #{revision}."
            )
        if (
            found.before is None
            and found.kind == "person"
            and (await store.catalog(guild_id)).roles_of(found.key)
        ):
            raise UserFacingError("That cast member now plays a character: change the character first.")
        target = found.before
        catalog = await store.catalog(guild_id)
        if isinstance(target, Character) and target.actor and catalog.person(target.actor) is None:
            raise UserFacingError(
                f"Reverting #{revision} would bring back {escape(target.name)} played by a cast member who has "
                "since been removed. Revert that removal first (see `/manage history`)."
            )
        label = label_of(target or now or found.after)  # type: ignore[arg-type]
        if target is not None and now is not None:
            _, body = describe_update(now, target)
        elif target is not None:
            body = f"{escape(label)} is back."
        else:
            body = f"{escape(label)} is removed again."
        pending = PendingEdit(
            guild_id,
            [Change(found.kind, found.key, now, target, current.version if current else None)],
            f"Reverted: {truncate(found.summary, 200)}",
            body,
            announce_by_default=False,
            reverts=revision,
            notes=[
                f"This restores {found.kind}:{found.key} as it was before revision #{revision}; later edits of it are undone too."
            ],
        )
        await send_preview(interaction, self.bot, pending)

    # -- autocomplete --------------------------------------------------------------------------------------

    @character_edit.autocomplete("name")
    @character_remove.autocomplete("name")
    @cast_add.autocomplete("plays")
    async def character_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        catalog = await self.bot.store.catalog(interaction.guild_id)
        return [
            app_commands.Choice(name=h.label, value=h.key) for h in characters_of(catalog).search(current)
        ]

    @cast_edit.autocomplete("name")
    @cast_remove.autocomplete("name")
    @character_add.autocomplete("actor")
    async def person_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        catalog = await self.bot.store.catalog(interaction.guild_id)
        return [app_commands.Choice(name=h.label, value=h.key) for h in people_of(catalog).search(current)]


def _is_server_manager(interaction: discord.Interaction) -> bool:
    return interaction.permissions.manage_guild or interaction.permissions.administrator


def _unknown(noun: str, typed: str, suggestions: list[str]) -> str:
    text = f"There is no {noun} called “{escape(typed.strip()[:80])}” in this server's data."
    if suggestions:
        text += " Did you mean: " + "; ".join(escape(s) for s in suggestions[:3]) + "?"
    return text + " Nothing was changed."


def _settings_card(settings: GuildSettings, problems: list[str]) -> discord.Embed:
    def channel(value: int | None) -> str:
        return f"<#{value}>" if value else "not set"

    def role(value: int | None) -> str:
        return f"<@&{value}>" if value else "not set"

    fields = [
        Field("Announcement channel", channel(settings.announce_channel_id), inline=True),
        Field("Ping role", role(settings.ping_role_id), inline=True),
        Field("Moderator role", role(settings.moderator_role_id), inline=True),
        Field("Mod-log channel", channel(settings.modlog_channel_id), inline=True),
        Field("Thread per announcement", "on" if settings.threads else "off", inline=True),
        Field("Auto-publish", "on" if settings.auto_publish else "off", inline=True),
        Field("Premiere event", "on" if settings.premiere_event else "off", inline=True),
        Field(
            "Premiere reminders",
            ", ".join(describe_offset(o) for o in settings.reminder_offsets) or "off",
            inline=True,
        ),
    ]
    if problems:
        fields.append(Field("⚠️ To fix", "\n".join(problems)))
    return card(title="Announcement settings", fields=fields)


async def setup(bot: AoadBot) -> None:
    await bot.add_cog(Manage(bot))
