"""/manage: moderators keep their server's data current, and their changes become announcements.

Every command that changes data checks the member itself (Manage Server, or the server's moderator role),
answers privately with a preview of the announcement, and saves nothing until Post or Save is pressed. The
commands are declared here; what each does lives beside it (`_setup`, `_season`, `_entries`, `_revert`,
`_portable`), and what is typed is read by the rules in `bot.rules`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError, report_error
from bot.i18n import lang_of
from bot.models import Source
from bot.render import truncate
from bot.rules import Problems
from bot.views import PAGE_MAKERS, send_pages
from cogs.manage import _entries, _season
from cogs.manage._access import ensure_moderator, failing_note, server_lang
from cogs.manage._edits import LARGE_STATE
from cogs.manage._entries import stored
from cogs.manage._form_flow import open_form, submit_form
from cogs.manage._forms import FORM_ID
from cogs.manage._history import history_arg, history_choices, history_of
from cogs.manage._options import CharacterOption, PersonOption, SourceOption, Typed
from cogs.manage._portable import export_command, import_command, send_batch_preview
from cogs.manage._preview import send_preview
from cogs.manage._revert import revert_edit
from cogs.manage._setup import setup_command

if TYPE_CHECKING:
    from bot.client import AoadBot

ConfidenceOption = Literal["confirmed", "reported", "unconfirmed"]
SpoilerOption = Literal["none", "s1", "s2"]
StatusOption = Literal["returning", "new", "not-returning"]
StageOption = Literal[
    "announced", "in-production", "filming", "post-production", "release-date-set", "released"
]
PartOption = Literal["identity", "profile", "fate", "season2"]

CONFIDENCE_HELP = "How sure the sources are (left out: saved as unconfirmed)"
SOURCE_HELP = "A link, or a publication and date (deadline.com, 2026-11-20); two links are two sources"
SourceText = app_commands.Transform[Typed[tuple[Source, ...]], SourceOption]


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

    async def cog_load(self) -> None:
        PAGE_MAKERS["h"] = self.history_list

    async def cog_unload(self) -> None:
        PAGE_MAKERS.pop("h", None)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        await ensure_moderator(interaction)
        return True

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A submitted form is answered from the store (it names its form), so it works after a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, object] = dict(interaction.data or {})
        match = FORM_ID.match(str(data.get("custom_id", "")))
        if match is None:
            return
        try:
            await submit_form(interaction, int(match[1]))
        except Exception as exc:
            await report_error(interaction, exc, "a form")

    async def _defer_if_large(self, interaction: discord.Interaction) -> None:
        """Defer a command before work that takes seconds in a very large server (its data loading for the
        first time, a check of tens of thousands of entries): answered within Discord's 3 s either way."""
        if interaction.response.is_done():  # an option's Transformer deferred it already
            return
        catalog = await self.bot.store.lookup_catalog(self._guild(interaction), wait=0.2)
        if catalog is None or catalog.size > LARGE_STATE:
            await interaction.response.defer(ephemeral=True, thinking=True)

    def _guild(self, interaction: discord.Interaction) -> int:
        assert interaction.guild_id is not None
        return interaction.guild_id

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
        await setup_command(
            self.bot,
            interaction,
            announcement_channel=announcement_channel,
            ping_role=ping_role,
            moderator_role=moderator_role,
            modlog_channel=modlog_channel,
            threads=threads,
            auto_publish=auto_publish,
            premiere_event=premiere_event,
            reminders=reminders,
            language=language,
        )

    # -- season ------------------------------------------------------------------------------------------

    @season.command(name="stage", description="Change a season's stage")
    @app_commands.describe(
        stage="The new stage",
        source=SOURCE_HELP,
        confidence=CONFIDENCE_HELP,
        note="What exactly was said (optional; the stage name is used otherwise)",
        season="Which season (default 2)",
    )
    async def season_stage(
        self,
        interaction: discord.Interaction,
        stage: StageOption,
        source: SourceText,
        confidence: ConfidenceOption | None = None,
        note: app_commands.Range[str, 1, 1000] | None = None,
        season: app_commands.Range[int, 1, 99] = 2,
    ) -> None:
        await self._defer_if_large(interaction)
        pending = await _season.stage_edit(
            self.bot,
            self._guild(interaction),
            await server_lang(self.bot, interaction),
            stage=stage,
            source=source,
            confidence=confidence,
            note=note,
            season=season,
        )
        await send_preview(interaction, self.bot, pending)

    @season.command(name="release-date", description="Set or clear a season's release date")
    @app_commands.describe(
        date="2026-12-05, or with time and zone: 2026-12-05 17:00 KST; rough: 2026-12, 2026, late 2026",
        clear="Remove the release date",
        source=SOURCE_HELP,
        confidence=CONFIDENCE_HELP,
        season="Which season (default 2)",
    )
    async def season_release(
        self,
        interaction: discord.Interaction,
        date: app_commands.Range[str, 1, 60] | None = None,
        clear: bool = False,
        source: SourceText | None = None,
        confidence: ConfidenceOption | None = None,
        season: app_commands.Range[int, 1, 99] = 2,
    ) -> None:
        await self._defer_if_large(interaction)
        pending = await _season.release_edit(
            self.bot,
            self._guild(interaction),
            await server_lang(self.bot, interaction),
            date=date,
            clear=clear,
            source=source,
            confidence=confidence,
            season=season,
        )
        await send_preview(interaction, self.bot, pending)

    @season.command(name="news", description="Add a dated entry to a season's timeline")
    @app_commands.describe(
        text="What happened; mark a part as a spoiler with ||two bars|| on each side",
        source=SOURCE_HELP,
        confidence="How sure the sources are",
        date="When (2026-11-20, or 2026-11 if only the month is known); default today",
        spoiler="Does it reveal Season 1 outcomes (s2) or Season 1 plot (s1)?",
        season="Which season (default 2)",
        text_ko="The same in Korean (optional; Korean readers see the English text otherwise)",
    )
    async def season_news(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 1000],
        source: SourceText,
        confidence: ConfidenceOption,
        date: app_commands.Range[str, 4, 10] | None = None,
        spoiler: SpoilerOption = "none",
        season: app_commands.Range[int, 1, 99] = 2,
        text_ko: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        await self._defer_if_large(interaction)
        pending = await _season.news_edit(
            self.bot,
            self._guild(interaction),
            await server_lang(self.bot, interaction),
            text=text,
            source=source,
            confidence=confidence,
            date=date,
            spoiler=spoiler,
            season=season,
            text_ko=text_ko,
        )
        await send_preview(interaction, self.bot, pending)

    # -- characters --------------------------------------------------------------------------------------

    @character.command(name="add", description="Add a character")
    @app_commands.describe(
        name="The character's name, romanised",
        description="Who they are; mark a part as a spoiler with ||two bars|| on each side",
        source=SOURCE_HELP,
        confidence=CONFIDENCE_HELP,
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
        source: SourceText,
        confidence: ConfidenceOption | None = None,
        hangul: app_commands.Range[str, 1, 100] | None = None,
        aliases: app_commands.Range[str, 1, 1000] | None = None,
        actor: app_commands.Transform[Typed[str | None], PersonOption("actor")] | None = None,
        spoiler: SpoilerOption = "none",
        season: app_commands.Range[int, 1, 99] = 2,
        description_ko: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        await self._defer_if_large(interaction)
        pending = await _entries.character_add(
            self.bot,
            self._guild(interaction),
            await server_lang(self.bot, interaction),
            name=name,
            description=description,
            source=source,
            confidence=confidence,
            hangul=hangul,
            aliases=aliases,
            actor=actor,
            spoiler=spoiler,
            season=season,
            description_ko=description_ko,
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
        name: app_commands.Transform[Typed[str | None], CharacterOption(opens_form=True)],
        part: PartOption = "identity",
        status: StatusOption | None = None,
    ) -> None:
        guild_id = self._guild(interaction)
        problems = Problems()
        key = name.into(problems)
        problems.check()
        entry = await stored(self.bot, guild_id, "character", str(key))
        await open_form(interaction, self.bot, entry, part, status)

    @character.command(name="remove", description="Remove a character from this server's data")
    @app_commands.describe(name="The character")
    async def character_remove(
        self,
        interaction: discord.Interaction,
        name: app_commands.Transform[Typed[str | None], CharacterOption],
    ) -> None:
        await self._defer_if_large(interaction)
        pending = await _entries.character_remove(
            self.bot, self._guild(interaction), await server_lang(self.bot, interaction), name=name
        )
        await send_preview(interaction, self.bot, pending)

    # -- cast --------------------------------------------------------------------------------------------

    @cast.command(name="add", description="Add a cast member, optionally as a character already in the data")
    @app_commands.describe(
        name="The actor's name, romanised",
        source=SOURCE_HELP,
        confidence=CONFIDENCE_HELP,
        hangul="The name in Hangul",
        variants="Other spellings fans use, comma-separated",
        plays="The character they play (add it with /manage character add first if it is new)",
    )
    async def cast_add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100],
        source: SourceText,
        confidence: ConfidenceOption | None = None,
        hangul: app_commands.Range[str, 1, 100] | None = None,
        variants: app_commands.Range[str, 1, 1000] | None = None,
        plays: app_commands.Transform[Typed[str | None], CharacterOption("plays")] | None = None,
    ) -> None:
        await self._defer_if_large(interaction)
        pending = await _entries.cast_add(
            self.bot,
            self._guild(interaction),
            await server_lang(self.bot, interaction),
            name=name,
            source=source,
            confidence=confidence,
            hangul=hangul,
            variants=variants,
            plays=plays,
        )
        await send_preview(interaction, self.bot, pending)

    @cast.command(name="edit", description="Edit a cast member in a form filled with the current values")
    @app_commands.describe(name="The cast member")
    async def cast_edit(
        self,
        interaction: discord.Interaction,
        name: app_commands.Transform[Typed[str | None], PersonOption(opens_form=True)],
    ) -> None:
        guild_id = self._guild(interaction)
        problems = Problems()
        key = name.into(problems)
        problems.check()
        entry = await stored(self.bot, guild_id, "person", str(key))
        await open_form(interaction, self.bot, entry, "person")

    @cast.command(name="remove", description="Remove a cast member from this server's data")
    @app_commands.describe(name="The cast member")
    async def cast_remove(
        self, interaction: discord.Interaction, name: app_commands.Transform[Typed[str | None], PersonOption]
    ) -> None:
        await self._defer_if_large(interaction)
        pending = await _entries.cast_remove(
            self.bot, self._guild(interaction), await server_lang(self.bot, interaction), name=name
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
        if entry is not None and not entry.partition(":")[2]:
            raise UserFacingError("Pick the entry from the list (it looks like character:choi-nam-ra).")
        arg = history_arg(entry)
        pages = await self.history_list(interaction, arg)
        note = await failing_note(self.bot, guild_id, lang)
        await send_pages(
            interaction, "h", arg, pages, ephemeral=True, content=truncate(note.strip(), 2000) or None
        )

    async def history_list(self, interaction: discord.Interaction, arg: str) -> list[discord.Embed]:
        """The history pages, of the server or of one entry (`arg` from `history_arg`)."""
        await ensure_moderator(interaction)
        return await history_of(self.bot.store, self._guild(interaction), arg, lang_of(interaction))

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
        catalog = await self.bot.store.catalog(interaction.guild_id)
        return history_choices(catalog, current, lang_of(interaction))

    @app_commands.command(
        name="revert", description="Undo a change: restore an entry as it was before a revision"
    )
    @app_commands.describe(revision="The revision's number, from /manage history")
    async def revert(self, interaction: discord.Interaction, revision: app_commands.Range[int, 1]) -> None:
        guild_id = self._guild(interaction)
        found = await self.bot.store.revision(guild_id, revision)
        if found is None:
            raise UserFacingError(
                "There is no revision #{number} in this server. See `/manage history`.", number=revision
            )
        await self._defer_if_large(interaction)
        pending = await revert_edit(self.bot, guild_id, await server_lang(self.bot, interaction), found)
        if pending.batch:
            await send_batch_preview(interaction, self.bot, pending)
        else:
            await send_preview(interaction, self.bot, pending)

    # -- export and import -------------------------------------------------------------------------------

    @app_commands.command(name="export", description="Download this server's data as a JSON file")
    async def export(self, interaction: discord.Interaction) -> None:
        await self._defer_if_large(interaction)
        await export_command(self.bot, interaction)

    @app_commands.command(
        name="import",
        description="Make this server's data exactly a file from /manage export (previewed first)",
    )
    @app_commands.describe(file="A .json file made by /manage export (at most 2 MiB)")
    async def import_(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        await import_command(self.bot, interaction, file)
