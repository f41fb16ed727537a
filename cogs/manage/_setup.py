"""/manage setup: the server's announcement settings, checked against what the bot may do there."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.answers import answer, saving_for
from bot.errors import UserFacingError
from bot.i18n import N_, Lang, lang_of
from bot.moderation_store import GuildSettings
from bot.premiere import OffsetError, describe_offset, parse_offsets, sync_premiere_event
from bot.render import Field, card, escape, truncate
from bot.rules import inert
from bot.subscriptions import ping_role_problem
from cogs.manage._access import failing_note

if TYPE_CHECKING:
    from bot.client import AoadBot

CHANNEL_NEEDS = ("view_channel", "send_messages", "embed_links", "read_message_history")
THREAD_NEEDS = ("create_public_threads", "send_messages_in_threads")


def _permission_words(names: list[str]) -> str:
    return ", ".join(name.replace("_", " ").title() for name in names)


def is_server_manager(interaction: discord.Interaction) -> bool:
    return interaction.permissions.manage_guild or interaction.permissions.administrator


async def setup_command(
    bot: AoadBot,
    interaction: discord.Interaction,
    *,
    announcement_channel: discord.TextChannel | None,
    ping_role: discord.Role | None,
    moderator_role: discord.Role | None,
    modlog_channel: discord.TextChannel | None,
    threads: bool | None,
    auto_publish: bool | None,
    premiere_event: bool | None,
    reminders: str | None,
    language: str | None,
) -> None:
    assert interaction.guild_id is not None
    guild_id = interaction.guild_id
    lang = lang_of(interaction)
    changes: dict[str, int | bool | str | tuple[int, ...] | None] = {}
    if reminders is not None:
        try:
            changes["reminder_offsets"] = parse_offsets(reminders)
        except OffsetError as exc:
            raise UserFacingError(exc.template, **inert(exc.values)) from None
    if language is not None:
        changes["language"] = None if language == "server" else language
    if premiere_event is not None:
        changes["premiere_event"] = premiere_event
    if announcement_channel is not None:
        changes["announce_channel_id"] = announcement_channel.id
    if (ping_role is not None or moderator_role is not None) and not is_server_manager(interaction):
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
    store = bot.store
    retry = [channel.id for channel in (announcement_channel, modlog_channel) if channel is not None]
    if changes or retry:
        # One transaction: every setting given is saved with the channels set up again, or nothing is.
        with saving_for(interaction):
            settings, retried = await store.update_settings(guild_id, retry, **changes)
    else:
        settings, retried = await store.get_settings(guild_id), 0
    if retried and bot.deliverer is not None:
        bot.deliverer.wake()
    problems = check_setup(interaction, settings, lang)
    heading = lang.t("Settings saved.") if changes else lang.t("Current settings:")
    if moderator_role is not None:
        # Discord hides /manage from everyone without Manage Server (its default_permissions); only an admin
        # can let the role see it, and only in the server's settings.
        heading += "\n" + lang.t(
            "Discord still hides `/manage` from {role} until an admin allows it: **Server Settings → "
            "Integrations → {bot} → /manage → Add Roles or Members**, then choose {role}.",
            role=moderator_role.mention,
            bot=escape(bot.user.name if bot.user is not None else "aoad-bot"),
        )
    if retried:
        heading += " " + lang.n(
            "Retrying {count} message that had failed there.",
            "Retrying {count} messages that had failed there.",
            retried,
        )
    text = heading + await failing_note(bot, guild_id, lang)
    await answer(
        interaction, truncate(text, 2000), embed=settings_card(settings, problems, lang), ephemeral=True
    )
    if reminders is not None and bot.premiere is not None:
        bot.premiere.wake()
    if premiere_event is not None:
        event_problem = await sync_premiere_event(bot, guild_id)
        if event_problem:
            await interaction.followup.send(event_problem.render(lang), ephemeral=True)


def check_setup(interaction: discord.Interaction, settings: GuildSettings, lang: Lang) -> list[str]:
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
                    "My highest role must be above {role} to give it out with /subscribe.", role=role.mention
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


def settings_card(settings: GuildSettings, problems: list[str], lang: Lang) -> discord.Embed:
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
