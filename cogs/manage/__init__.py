"""/manage: moderators keep their server's data current, and their changes become announcements.

Every command that changes data checks the member itself (Manage Server, or the server's moderator role),
answers privately with a preview of the announcement, and saves nothing until Post or Save is pressed.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Literal, cast

import discord
import msgspec
from discord import app_commands
from discord.ext import commands

from bot.dates import DateError, check_rough_date, parse_release, parse_typed_release
from bot.errors import UserFacingError
from bot.i18n import ENGLISH, N_, Lang, Message, lang_of
from bot.models import (
    Character,
    Fact,
    NewsItem,
    Person,
    Season,
    Stage,
)
from bot.moderation_store import BATCH, Change, GuildSettings, Revision, StoredEntry, utcnow
from bot.portable import (
    ImportProblems,
    decode_file,
    encode_file,
    export_data,
    plan_import,
    reference_problems,
)
from bot.premiere import OffsetError, describe_offset, parse_offsets, sync_premiere_event
from bot.render import Field, card, escape, provenance, truncate
from bot.search import characters_of, people_of
from bot.subscriptions import ping_role_problem
from bot.views import Pager
from cogs.manage._access import ensure_moderator, failing_note, server_lang
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
from cogs.manage._portable import (
    ImportRejected,
    check_upload,
    counts,
    download,
    sections,
    sections_text,
    summary_title,
)
from cogs.manage._preview import Preview, send_preview

if TYPE_CHECKING:
    from bot.client import AoadBot

log = logging.getLogger(__name__)

KOREAN = Lang("ko")
ConfidenceOption = Literal["confirmed", "reported", "unconfirmed"]
SpoilerOption = Literal["none", "s1", "s2"]
StatusOption = Literal["returning", "new", "not-returning"]
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
    commands.GroupCog,
    group_name="manage",
    group_description="Moderators: keep this server's data current",
    # Moderators fill forms and page through history: the fan cooldowns would only get in their way.
    group_extras={"no_cooldown": True},
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
            raise _unknown("character", typed, [h.label for h in suggestions])
        found = catalog.character(key)
        assert found is not None
        return found

    async def _person(self, guild_id: int, typed: str) -> Person:
        catalog = await self.bot.store.catalog(guild_id)
        key, suggestions = people_of(catalog).resolve(typed)
        if key is None:
            raise _unknown("person", typed, [h.label for h in suggestions])
        found = catalog.person(key)
        assert found is not None
        return found

    async def _season(self, guild_id: int, number: int) -> tuple[Season, int]:
        stored = await self.bot.store.get_entry(guild_id, "season", str(number))
        if stored is None:
            raise UserFacingError("There is no Season {number} in this server's data.", number=number)
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
        language="The language of announcements and reminders (default: the server's language)",
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
        language: Literal["en", "ko", "server"] | None = None,
    ) -> None:
        guild_id = self._guild(interaction)
        lang = lang_of(interaction)
        changes: dict[str, int | bool | str | tuple[int, ...] | None] = {}
        if reminders is not None:
            try:
                changes["reminder_offsets"] = parse_offsets(reminders)
            except OffsetError as exc:
                raise UserFacingError(exc.template, **exc.values) from None
        if language is not None:
            changes["language"] = None if language == "server" else language
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
            problem = ping_role_problem(ping_role, lang)
            if problem:
                raise UserFacingError("{problem} Nothing was changed.", problem=problem)
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
        problems = self._check_setup(interaction, settings, lang)
        heading = lang.t("Settings saved.") if changes else lang.t("Current settings:")
        if retried:
            heading += " " + lang.t("Retrying {count} message(s) that had failed there.", count=retried)
        text = heading + await failing_note(self.bot, guild_id, lang)
        await interaction.response.send_message(
            truncate(text, 2000), embed=_settings_card(settings, problems, lang), ephemeral=True
        )
        if reminders is not None and self.bot.premiere is not None:
            self.bot.premiere.wake()
        if premiere_event is not None:
            event_problem = await sync_premiere_event(self.bot, guild_id)
            if event_problem:
                await interaction.followup.send(event_problem.render(lang), ephemeral=True)

    def _check_setup(
        self, interaction: discord.Interaction, settings: GuildSettings, lang: Lang
    ) -> list[str]:
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
                problems.append(
                    lang.t("I can't see the {what} <#{channel}>.", what=lang.t(what), channel=channel_id)
                )
                return
            permissions = channel.permissions_for(me)
            missing = [name for name in needs if not getattr(permissions, name)]
            if missing:
                problems.append(
                    lang.t(
                        "In {channel} ({what}) I'm missing: {missing}.",
                        channel=channel.mention,
                        what=lang.t(what),
                        missing=_permission_words(missing),
                    )
                )

        announce_needs = CHANNEL_NEEDS + (THREAD_NEEDS if settings.threads else ())
        check(settings.announce_channel_id, announce_needs, N_("announcement channel"))
        check(settings.modlog_channel_id, CHANNEL_NEEDS, N_("mod-log channel"))
        if settings.auto_publish and settings.announce_channel_id is not None:
            channel = guild.get_channel(settings.announce_channel_id)
            if isinstance(channel, discord.TextChannel) and not channel.is_news():
                problems.append(
                    lang.t(
                        "{channel} is not an announcement channel, so nothing can be published from it.",
                        channel=channel.mention,
                    )
                )
        if settings.premiere_event and not me.guild_permissions.manage_events:
            problems.append(lang.t("I need Manage Events to create the premiere's Scheduled Event."))
        role = guild.get_role(settings.ping_role_id) if settings.ping_role_id else None
        if role is not None:
            if not me.guild_permissions.manage_roles:
                problems.append(lang.t("I need Manage Roles to let fans /subscribe to the ping role."))
            elif role >= me.top_role:
                problems.append(
                    lang.t(
                        "My highest role must be above {role} to give it out with /subscribe.",
                        role=role.mention,
                    )
                )
            if not role.mentionable and not me.guild_permissions.mention_everyone:
                problems.append(
                    lang.t(
                        "{role} can't be mentioned: make it mentionable, or announcements won't ping it.",
                        role=role.mention,
                    )
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
        server = await server_lang(self.bot, interaction)
        current, version = await self._season(guild_id, season)
        new_stage = Stage(stage)
        note_text = clean(note, N_("The note"), TEXT_LIMIT, required=False)
        fact = Fact(
            text=note_text
            or ENGLISH.t(
                "Season {season} is in {stage}", season=season, stage=stage_words(new_stage, ENGLISH)
            ),
            text_ko=None
            if note_text
            else KOREAN.t(
                "Season {season} is in {stage}", season=season, stage=stage_words(new_stage, KOREAN)
            ),
            confidence=confidence,
            sources=(parse_source(source),),
        )
        after = msgspec.structs.replace(current, stage=new_stage, stage_fact=fact)
        if after == current:
            raise UserFacingError("That is already the season's stage, with the same note and source.")

        def title(lang: Lang) -> str:
            return lang.t(
                "Season {season}: {before} → {after}",
                season=season,
                before=stage_words(current.stage, lang),
                after=stage_words(new_stage, lang),
            )

        pending = PendingEdit(
            guild_id,
            [Change("season", str(season), current, after, version)],
            title(server),
            fact_block(fact, server),
            summary=title(ENGLISH),
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
        server = await server_lang(self.bot, interaction)
        current, version = await self._season(guild_id, season)
        if clear == (date is not None):
            raise UserFacingError("Give either a `date` or `clear: True` (not both, not neither).")
        if clear:
            if current.release is None:
                raise UserFacingError("Season {season} has no release date to clear.", season=season)
            after = msgspec.structs.replace(current, release=None, release_fact=None)
            title = server.t("Season {season}: release date withdrawn", season=season)
            summary = ENGLISH.t("Season {season}: release date withdrawn", season=season)
            body = server.t(
                "The release date ({date}) is no longer announced.",
                date=parse_release(current.release).words(server),
            )
        else:
            if source is None:
                raise UserFacingError("A release date needs its `source`: a link, or a publication and date.")
            try:
                release = parse_typed_release(cast(str, date))
            except DateError as exc:
                raise UserFacingError(exc.template, **exc.values) from None
            fact = Fact(
                text=ENGLISH.t(
                    "Season {season} premieres {date}", season=season, date=release.words(ENGLISH)
                ),
                text_ko=KOREAN.t(
                    "Season {season} premieres {date}", season=season, date=release.words(KOREAN)
                ),
                confidence=confidence,
                sources=(parse_source(source),),
            )
            after = msgspec.structs.replace(current, release=release.text, release_fact=fact)
            title = server.t(
                "Season {season} release date: {date}", season=season, date=release.words(server)
            )
            summary = ENGLISH.t(
                "Season {season} release date: {date}", season=season, date=release.words(ENGLISH)
            )
            body = f"{release.render(server)}\n{provenance(fact, server)}"
        if after == current:
            raise UserFacingError("That is already the release date, with the same source.")
        pending = PendingEdit(
            guild_id, [Change("season", str(season), current, after, version)], title, body, summary=summary
        )
        await send_preview(interaction, self.bot, pending)

    @season.command(name="news", description="Add a dated entry to a season's timeline")
    @app_commands.describe(
        text="What happened",
        source="Where it was reported: a link, or a publication and date",
        confidence="How sure the source is",
        date="When (2026-11-20, or 2026-11 if only the month is known); default today",
        spoiler="Does it reveal Season 1 outcomes (s2) or Season 1 plot (s1)?",
        season="Which season (default 2)",
        text_ko="The same in Korean (optional; Korean readers see the English text otherwise)",
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
        text_ko: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        guild_id = self._guild(interaction)
        server = await server_lang(self.bot, interaction)
        await self._season(guild_id, season)
        try:
            day = check_rough_date(date) if date else today()
        except DateError as exc:
            raise UserFacingError(exc.template, **exc.values) from None
        try:
            item = NewsItem(
                key=new_key(f"s{season}-{day}-{text[:30]}", await self.bot.store.used_keys(guild_id, "news")),
                season=season,
                date=day,
                text=cast(str, clean(text, N_("The text"), TEXT_LIMIT)),
                text_ko=clean(text_ko, N_("The Korean text"), TEXT_LIMIT, required=False),
                confidence=confidence,
                sources=(parse_source(source),),
                spoiler=spoiler,
            )
            item = msgspec.convert(msgspec.to_builtins(item), type=NewsItem)
        except msgspec.ValidationError:
            raise UserFacingError(
                "“{value}” is not a date: use 2026-11-20, or 2026-11 if only the month is known.",
                value=escape(day),
            ) from None
        title = server.t("Season {season} news ({date})", season=season, date=day)
        pending = PendingEdit(
            guild_id,
            [Change("news", item.key, None, item, None)],
            title,
            fact_block(item, server),
            summary=ENGLISH.t("Season {season} news ({date})", season=season, date=day),
        )
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
        description_ko="Who they are, in Korean (optional; Korean readers see the English otherwise)",
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
        description_ko: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        guild_id = self._guild(interaction)
        server = await server_lang(self.bot, interaction)
        catalog = await self.bot.store.catalog(guild_id)
        clean_name = cast(str, clean(name, N_("The name"), NAME_LIMIT))
        if any(c.name.casefold() == clean_name.casefold() for c in catalog.characters):
            raise UserFacingError(
                "There is already a character called {name}: use `/manage character edit`.",
                name=escape(clean_name),
            )
        person = await self._person(guild_id, actor) if actor else None
        profile = Fact(
            text=cast(str, clean(description, N_("The description"), TEXT_LIMIT)),
            text_ko=clean(description_ko, N_("The Korean description"), TEXT_LIMIT, required=False),
            confidence=confidence,
            sources=(parse_source(source),),
            spoiler=spoiler,
        )
        character = Character(
            key=new_key(clean_name, await self.bot.store.used_keys(guild_id, "character")),
            name=clean_name,
            hangul=clean(hangul, N_("The Hangul name"), NAME_LIMIT, required=False),
            aliases=names_list(aliases, N_("aliases")),
            actor=person.key if person else None,
            seasons=(season,),
            profile=profile,
        )

        def title(lang: Lang) -> str:
            if person:
                return lang.t("New cast: {actor} as {character}", actor=person.name, character=clean_name)
            return lang.t("New character: {name}", name=clean_name)

        pending = PendingEdit(
            guild_id,
            [Change("character", character.key, None, character, None)],
            title(server),
            fact_block(profile, server),
            summary=title(ENGLISH),
        )
        await send_preview(interaction, self.bot, pending)

    @character.command(name="edit", description="Edit a character in a form filled with the current values")
    @app_commands.describe(
        name="The character",
        part="What to edit (default: names and actor)",
        status="With part season2: returning, new or not returning (default: as it is)",
    )
    async def character_edit(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100],
        part: PartOption = "identity",
        status: StatusOption | None = None,
    ) -> None:
        guild_id = self._guild(interaction)
        character = await self._character(guild_id, name)
        stored = await self.bot.store.get_entry(guild_id, "character", character.key)
        if stored is None:
            raise UserFacingError("That character was removed meanwhile.")
        lang = lang_of(interaction)
        if part == "identity":
            form: discord.ui.Modal = CharacterIdentityForm(self.bot, guild_id, stored, lang)
        else:
            form = CharacterFactForm(self.bot, guild_id, stored, part, lang, status)
        await interaction.response.send_modal(form)

    @character.command(name="remove", description="Remove a character from this server's data")
    @app_commands.describe(name="The character")
    async def character_remove(
        self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]
    ) -> None:
        guild_id = self._guild(interaction)
        server = await server_lang(self.bot, interaction)
        found = await self._character(guild_id, name)
        stored = await self._stored(guild_id, "character", found.key)
        character = cast(Character, stored.entry)
        pending = PendingEdit(
            guild_id,
            [Change("character", character.key, character, None, stored.version)],
            server.t("Removed: {name}", name=character.name),
            server.t("Removed from this server's data. `/manage revert` brings it back."),
            announce_by_default=False,
            summary=ENGLISH.t("Removed: {name}", name=character.name),
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
        server = await server_lang(self.bot, interaction)
        catalog = await self.bot.store.catalog(guild_id)
        clean_name = cast(str, clean(name, N_("The name"), NAME_LIMIT))
        if any(p.name.casefold() == clean_name.casefold() for p in catalog.people):
            raise UserFacingError(
                "{name} is already in the cast: use `/manage cast edit`.", name=escape(clean_name)
            )
        person = Person(
            key=new_key(clean_name, await self.bot.store.used_keys(guild_id, "person")),
            name=clean_name,
            hangul=clean(hangul, N_("The Hangul name"), NAME_LIMIT, required=False),
            variants=names_list(variants, N_("spellings")),
        )
        changes = [Change("person", person.key, None, person, None)]
        fact = Fact(
            text=ENGLISH.t("{actor} joins the cast", actor=clean_name),
            text_ko=KOREAN.t("{actor} joins the cast", actor=clean_name),
            confidence=confidence,
            sources=(parse_source(source),),
        )
        title = server.t("New cast: {actor}", actor=clean_name)
        summary = ENGLISH.t("New cast: {actor}", actor=clean_name)
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
            title = server.t("New cast: {actor} as {character}", actor=clean_name, character=role.name)
            summary = ENGLISH.t("New cast: {actor} as {character}", actor=clean_name, character=role.name)
            fact = msgspec.structs.replace(
                fact,
                text=ENGLISH.t("{actor} plays {character}", actor=clean_name, character=role.name),
                text_ko=KOREAN.t("{actor} plays {character}", actor=clean_name, character=role.name),
            )
        pending = PendingEdit(guild_id, changes, title, fact_block(fact, server), summary=summary)
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
        await interaction.response.send_modal(PersonForm(self.bot, guild_id, stored, lang_of(interaction)))

    @cast.command(name="remove", description="Remove a cast member from this server's data")
    @app_commands.describe(name="The cast member")
    async def cast_remove(
        self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]
    ) -> None:
        guild_id = self._guild(interaction)
        server = await server_lang(self.bot, interaction)
        person = await self._person(guild_id, name)
        catalog = await self.bot.store.catalog(guild_id)
        roles = catalog.roles_of(person.key)
        if roles:
            raise UserFacingError(
                "{name} still plays {roles}. Change or remove those characters first (`/manage character edit`), "
                "then remove the actor.",
                name=escape(person.name),
                roles=escape(", ".join(role.name for role in roles)),
            )
        stored = await self._stored(guild_id, "person", person.key)
        pending = PendingEdit(
            guild_id,
            [Change("person", person.key, stored.entry, None, stored.version)],
            server.t("Removed from the cast: {name}", name=person.name),
            server.t("Removed from this server's data. `/manage revert` brings them back."),
            announce_by_default=False,
            summary=ENGLISH.t("Removed from the cast: {name}", name=person.name),
        )
        await send_preview(interaction, self.bot, pending)

    # -- history and revert ------------------------------------------------------------------------------

    @app_commands.command(name="history", description="Every change to this server's data, newest first")
    @app_commands.describe(entry="Only the changes to this entry")
    async def history(
        self, interaction: discord.Interaction, entry: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        guild_id = self._guild(interaction)
        lang = lang_of(interaction)
        store = self.bot.store
        if entry is None:
            revisions = await store.revisions(guild_id, limit=200)
            title = lang.t("History")
        else:
            kind, _, key = entry.partition(":")
            if not key:
                raise UserFacingError("Pick the entry from the list (it looks like character:choi-nam-ra).")
            revisions = await store.revisions(guild_id, kind=kind, key=key, limit=200)
            title = lang.t("History of {entry}", entry=f"{kind}:{key}")
        note = await failing_note(self.bot, guild_id, lang)
        pager = Pager(history_pages(revisions, title, lang), interaction.user.id, lang=lang)
        await pager.send(interaction, ephemeral=True, content=truncate(note.strip(), 2000) or None)

    @history.autocomplete("entry")
    async def history_entry(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # Autocomplete runs no checks of its own, and history names spoilers: moderators only.
        if interaction.guild_id is None:
            return []
        try:
            await ensure_moderator(interaction)
        except UserFacingError:
            return []
        lang = lang_of(interaction)
        catalog = await self.bot.store.catalog(interaction.guild_id)
        choices = [
            *(
                app_commands.Choice(
                    name=lang.t("Season {number}", number=s.number), value=f"season:{s.number}"
                )
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
                app_commands.Choice(
                    name=truncate(lang.t("News {date}: {text}", date=n.date, text=n.text), 100),
                    value=f"news:{n.key}",
                )
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
        server = await server_lang(self.bot, interaction)
        store = self.bot.store
        found = await store.revision(guild_id, revision)
        if found is None:
            raise UserFacingError(
                "There is no revision #{number} in this server. See `/manage history`.", number=revision
            )
        if found.kind == BATCH:
            await self._revert_batch(interaction, found)
            return
        current = await store.get_entry(guild_id, found.kind, found.key)
        now = current.entry if current else None
        if now == found.before:
            raise UserFacingError(
                "Nothing to revert: {entry} is already as it was before #{number}.",
                entry=f"{found.kind}:{found.key}",
                number=revision,
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
                "Reverting #{number} would bring back {name} played by a cast member who has since been removed. "
                "Revert that removal first (see `/manage history`).",
                number=revision,
                name=escape(target.name),
            )
        label = label_of(target or now or found.after, server)  # type: ignore[arg-type]
        if target is not None and now is not None:
            _, body = describe_update(now, target, server)
        elif target is not None:
            body = server.t("{name} is back.", name=escape(label))
        else:
            body = server.t("{name} is removed again.", name=escape(label))
        pending = PendingEdit(
            guild_id,
            [Change(found.kind, found.key, now, target, current.version if current else None)],
            server.t("Reverted: {summary}", summary=truncate(found.summary, 200)),
            body,
            announce_by_default=False,
            reverts=revision,
            summary=ENGLISH.t("Reverted: {summary}", summary=truncate(found.summary, 200)),
            notes=[
                Message.of(
                    "This restores {entry} as it was before revision #{number}; later edits of it are undone too.",
                    entry=f"{found.kind}:{found.key}",
                    number=revision,
                )
            ],
        )
        await send_preview(interaction, self.bot, pending)

    async def _revert_batch(self, interaction: discord.Interaction, found: Revision) -> None:
        """Undo an import (or the undoing of one) whole: every entry it changed goes back as it was before."""
        guild_id = self._guild(interaction)
        server = await server_lang(self.bot, interaction)
        snapshot = await self.bot.store.snapshot(guild_id)
        current = {(s.kind, s.key): s for s in snapshot.entries}
        changes: list[Change] = []
        for part in found.changes:
            stored = current.get((part.kind, part.key))
            now = stored.entry if stored else None
            if now != part.before:
                changes.append(
                    Change(part.kind, part.key, now, part.before, stored.version if stored else None)
                )
        if not changes:
            raise UserFacingError(
                "Nothing to revert: every entry #{number} changed is already as it was before it.",
                number=found.id,
            )
        after = {key: stored.entry for key, stored in current.items()}
        for change in changes:
            if change.after is None:
                after.pop((change.kind, change.key), None)
            else:
                after[(change.kind, change.key)] = change.after
        problems = reference_problems(after.values())
        if problems:
            raise ImportRejected(problems)
        pending = PendingEdit(
            guild_id,
            changes,
            summary_title(changes, server),
            sections_text(changes, server),
            announce_by_default=False,
            reverts=found.id,
            summary=ENGLISH.t("Reverted: {summary}", summary=truncate(found.summary, 200)),
            batch=True,
            expected_state=snapshot.state,
            quiet=True,
        )
        await _send_batch_preview(
            interaction,
            self.bot,
            pending,
            Message.of(
                "**Preview.** This undoes revision #{number} whole, as one new revision. Nothing changes until you "
                "press **Apply**, and nothing is announced.",
                number=found.id,
            ),
        )

    # -- export and import -------------------------------------------------------------------------------

    @app_commands.command(name="export", description="Download this server's data as a JSON file")
    async def export(self, interaction: discord.Interaction) -> None:
        guild_id = self._guild(interaction)
        lang = lang_of(interaction)
        store = self.bot.store
        snapshot = await store.snapshot(guild_id)
        now = utcnow()
        data = export_data(snapshot, guild_id, fallback_show=store.pack.show, now=now)
        encoded = encode_file(data)
        limit = interaction.filesize_limit
        if len(encoded) > limit:
            raise UserFacingError(
                "This server's data is {size} KiB, more than the {limit} KiB Discord lets me upload here, so I "
                "can't send it as a file.",
                size=len(encoded) // 1024,
                limit=limit // 1024,
            )
        filename = f"aoad-{guild_id}-{now:%Y%m%d-%H%M%S}.json"
        await interaction.response.send_message(
            lang.t(
                "This server's data: {people} cast members, {characters} characters, {seasons} seasons and {news} "
                "news entries. `/manage import` reads it back, here or in another server.",
                people=len(data.people),
                characters=len(data.characters),
                seasons=len(data.seasons),
                news=len(data.news),
            ),
            file=discord.File(
                io.BytesIO(encoded), filename=filename, description="All of Us Are Dead bot data"
            ),
            ephemeral=True,
        )

    @app_commands.command(
        name="import",
        description="Make this server's data exactly a file from /manage export (previewed first)",
    )
    @app_commands.describe(file="A .json file made by /manage export (at most 2 MiB)")
    async def import_(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        guild_id = self._guild(interaction)
        check_upload(file)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = decode_file(await download(file))
        except ImportProblems as exc:
            raise ImportRejected(exc.problems) from None
        snapshot = await self.bot.store.snapshot(guild_id)
        changes = plan_import(snapshot, data)
        if not changes:
            raise UserFacingError(
                "Nothing to change: this server's data is already exactly what the file holds."
            )
        server = await server_lang(self.bot, interaction)
        added, changed, removed = counts(changes)
        pending = PendingEdit(
            guild_id,
            changes,
            summary_title(changes, server),
            sections_text(changes, server),
            announce_by_default=False,
            summary=ENGLISH.t(
                "Imported {file}: {added} added, {changed} changed, {removed} removed",
                file=truncate(file.filename, 80),
                added=added,
                changed=changed,
                removed=removed,
            ),
            batch=True,
            expected_state=snapshot.state,
            quiet=True,
        )
        await _send_batch_preview(
            interaction,
            self.bot,
            pending,
            Message.of(
                "**Preview of the import** of {file}, exported {when}. Nothing changes until you press **Apply**. "
                "It is saved as one revision (`/manage revert` undoes it whole) and announced nowhere; the mod-log "
                "gets one line.",
                file=escape(truncate(file.filename, 80)),
                when=discord.utils.format_dt(data.exported_at, "f"),
            ),
        )

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


async def _send_batch_preview(
    interaction: discord.Interaction, bot: AoadBot, pending: PendingEdit, heading: Message
) -> None:
    """What a batch would change, by kind and entry, with Apply and Cancel."""
    lang = lang_of(interaction)
    added, changed, removed = counts(pending.changes)
    embed = card(
        title=lang.t(
            "{added} added, {changed} changed, {removed} removed",
            added=added,
            changed=changed,
            removed=removed,
        ),
        fields=[Field(name, value) for name, value in sections(pending.changes, lang)],
        lang=lang,
    )
    content = heading.render(lang) + await failing_note(bot, pending.guild_id, lang)
    view = Preview(bot, pending, interaction.user.id, False, lang)
    view.message_owner = interaction
    send = interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
    await send(
        truncate(content, 2000),
        embed=embed,
        view=view,
        ephemeral=True,
        allowed_mentions=discord.AllowedMentions.none(),
    )


def _is_server_manager(interaction: discord.Interaction) -> bool:
    return interaction.permissions.manage_guild or interaction.permissions.administrator


def _unknown(kind: str, typed: str, suggestions: list[str]) -> UserFacingError:
    name = escape(typed.strip()[:80])
    hint = "; ".join(escape(s) for s in suggestions[:3])
    if kind == "character":
        if hint:
            return UserFacingError(
                "There is no character called “{name}” in this server's data. Did you mean: {hint}? Nothing was "
                "changed.",
                name=name,
                hint=hint,
            )
        return UserFacingError(
            "There is no character called “{name}” in this server's data. Nothing was changed.", name=name
        )
    if hint:
        return UserFacingError(
            "There is no cast member called “{name}” in this server's data. Did you mean: {hint}? Nothing was "
            "changed.",
            name=name,
            hint=hint,
        )
    return UserFacingError(
        "There is no cast member called “{name}” in this server's data. Nothing was changed.", name=name
    )


def _settings_card(settings: GuildSettings, problems: list[str], lang: Lang) -> discord.Embed:
    def channel(value: int | None) -> str:
        return f"<#{value}>" if value else lang.t("not set")

    def role(value: int | None) -> str:
        return f"<@&{value}>" if value else lang.t("not set")

    def switch(value: bool) -> str:
        return lang.t("on") if value else lang.t("off")

    language = {"en": "English", "ko": "한국어"}.get(settings.language or "", lang.t("the server's language"))
    fields = [
        Field(lang.t("Announcement channel"), channel(settings.announce_channel_id), inline=True),
        Field(lang.t("Ping role"), role(settings.ping_role_id), inline=True),
        Field(lang.t("Moderator role"), role(settings.moderator_role_id), inline=True),
        Field(lang.t("Mod-log channel"), channel(settings.modlog_channel_id), inline=True),
        Field(lang.t("Thread per announcement"), switch(settings.threads), inline=True),
        Field(lang.t("Auto-publish"), switch(settings.auto_publish), inline=True),
        Field(lang.t("Premiere event"), switch(settings.premiere_event), inline=True),
        Field(
            lang.t("Premiere reminders"),
            ", ".join(describe_offset(o, lang) for o in settings.reminder_offsets) or lang.t("off"),
            inline=True,
        ),
        Field(lang.t("Announcement language"), language, inline=True),
    ]
    if problems:
        fields.append(Field(lang.t("⚠️ To fix"), "\n".join(problems)))
    return card(title=lang.t("Announcement settings"), fields=fields, lang=lang)


async def setup(bot: AoadBot) -> None:
    await bot.add_cog(Manage(bot))
