"""/manage end to end: who may change data, every edit kind, the preview, announcements, history and revert."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from bot.models import Character, Season
from tests.cogs.world import Clock, World
from tests.harness import eventually

EPHEMERAL = 64


def _field(modal: Any, label: str) -> tuple[str, str | None]:
    """The custom id and current value of the form field whose label starts with `label`."""
    for custom_id, component in modal.fields.items():
        if str(component.get("label", "")).startswith(label):
            return custom_id, component.get("value")
    raise AssertionError(f"no field {label!r} in {[c.get('label') for c in modal.fields.values()]}")


async def _season(world: World, number: int = 2) -> Season:
    stored = await world.bot.store.get_entry(world.guild.id, "season", str(number))
    assert stored is not None
    assert isinstance(stored.entry, Season)
    return stored.entry


# -- who may change data -------------------------------------------------------------------------------------


async def test_a_member_without_manage_server_or_the_moderator_role_is_refused(world: World) -> None:
    _result, reply = await world.manage(
        "season stage", {"stage": "filming", "source": "https://e.x/1"}, world.fan
    )
    assert reply.ephemeral
    assert reply.content is not None
    assert reply.content.startswith(
        "Only members with the Manage Server permission, or the server's moderator role"
    )
    assert (await _season(world)).stage.value == "post-production"
    assert await world.bot.store.revisions(world.guild.id) == []
    # The same member, given the server's moderator role, may.
    saved = await world.setup(moderator_role=world.helpers)
    # Discord hides /manage from the role by default: the admin is told exactly where to allow it.
    me = world.bot.user
    assert me is not None
    assert (
        f"Discord still hides `/manage` from <@&{world.helpers.id}> until an admin allows it: **Server Settings "
        f"→ Integrations → {me.name} → /manage → Add Roles or Members**, then choose <@&{world.helpers.id}>."
    ) in (saved.content or "")
    world.fan.roles.append(world.helpers.id)
    _, preview = await world.manage(
        "season stage", {"stage": "filming", "source": "https://e.x/1"}, world.fan
    )
    assert preview.content is not None
    assert preview.content.startswith("**Preview.**")


@pytest.mark.parametrize("command", ["history", "export", "setup"])
async def test_a_fan_refused_a_command_that_only_shows_is_not_told_about_changing_data(
    world: World, command: str
) -> None:
    result = await world.fake.slash("manage", subcommand=command, user=world.fan)
    reply = await result.response()
    assert reply.ephemeral
    assert reply.content == (
        "Only members with the Manage Server permission, or the server's moderator role, can use "
        f"`/manage {command}`."
    )


async def test_setup_shows_settings_and_names_missing_permissions(world: World) -> None:
    _, shown = await world.manage("setup")
    assert shown.ephemeral
    assert shown.content == "Current settings:"
    fields = {f["name"]: f["value"] for f in shown.embeds[0]["fields"]}
    assert fields["Announcement channel"] == "not set"

    # The bot cannot send in #general's overwrite-denied twin: it says exactly what is missing.
    general = world.guild.channel("general")
    from tests.fakediscord import Overwrite, Permission

    bot_role = world.guild.role("Bot")
    general.permission_overwrites.append(
        Overwrite.for_role(bot_role, deny=Permission.SEND_MESSAGES | Permission.EMBED_LINKS)
    )
    await world.fake.dispatch("CHANNEL_UPDATE", general.to_payload(world.guild.id))
    await asyncio.sleep(0.05)
    saved = await world.setup(announcement_channel=general, threads=True)
    fields = {f["name"]: f["value"] for f in saved.embeds[0]["fields"]}
    assert saved.content == "Settings saved."
    assert fields["Announcement channel"] == f"<#{general.id}>"
    assert (
        f"In <#{general.id}> (announcement channel) I'm missing: Send Messages, Embed Links."
        in fields["⚠️ To fix"]
    )
    assert "is not an announcement channel" not in fields["⚠️ To fix"]


# -- the preview -----------------------------------------------------------------------------------------------


async def test_post_saves_announces_pings_only_the_role_opens_a_thread_and_publishes(world: World) -> None:
    await world.setup(threads=True, auto_publish=True)
    result, preview = await world.manage(
        "season stage", {"stage": "filming", "source": "deadline.com, 2026-11-20", "confidence": "reported"}
    )
    assert preview.ephemeral
    assert preview.embeds[0]["title"] == "Season 2: post-production → filming"
    assert "Nothing is saved until you choose" in (preview.content or "")
    assert (await _season(world)).stage.value == "post-production"  # nothing saved yet

    done = await world.press(result, "Post")
    assert done.type == 7
    assert done.content is not None
    assert done.content.startswith("📣 Saved as revision #1 and queued for")
    assert (await _season(world)).stage.value == "filming"

    [message] = await world.announcements(1)
    assert message.request["content"] == f"<@&{world.ping.id}>"
    assert message.request["allowed_mentions"] == {"parse": [], "roles": [world.ping.id]}
    assert message.request["enforce_nonce"] is True
    embed = message.request["embeds"][0]
    assert embed["title"] == "Season 2: post-production → filming"
    # A publication and date, with no article known, is named as such: a site's home page is not a source.
    assert "_reported_ · deadline.com, 2026-11-20" in embed["description"]
    assert "Season 2 is filming" in embed["description"]
    assert [b["label"] for row in message.request["components"] for b in row["components"]] == ["Notify me"]

    thread = await world.fake.wait_request("POST", "/channels/{channel_id}/messages/{message_id}/threads")
    assert thread.json["name"] == "Season 2: post-production → filming"
    await world.fake.wait_request("POST", "/channels/{channel_id}/messages/{message_id}/crosspost")
    modlog = world.channel_id("mod-log")
    logged = await world.fake.wait_message(modlog, lambda m: True)
    assert logged.data["embeds"][0]["title"] == "📝 Season 2: post-production → filming"
    assert "announced by moderator" in logged.data["embeds"][0]["footer"]["text"]
    assert logged.request["allowed_mentions"] == {"parse": []}


async def test_save_without_announcing_and_cancel(world: World) -> None:
    await world.setup()
    result, _ = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    saved = await world.press(result, "Save without announcing")
    assert saved.content is not None
    assert saved.content.startswith("💾 Saved as revision #1, without announcing.")
    assert (await _season(world)).stage.value == "filming"

    result, _ = await world.manage("season stage", {"stage": "post-production", "source": "https://e.x/2"})
    cancelled = await world.press(result, "Cancel")
    assert cancelled.content == "Cancelled: nothing was changed."
    assert (await _season(world)).stage.value == "filming"
    assert len(await world.bot.store.revisions(world.guild.id)) == 1

    await world.fake.wait_message(world.channel_id("mod-log"), lambda m: True)
    await asyncio.sleep(0.2)
    assert world.fake.messages.get(world.channel_id("announcements"), []) == []  # a quiet save pings nobody


async def test_without_an_announcement_channel_post_is_disabled(world: World) -> None:
    _, preview = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    buttons = {b["label"]: b for row in preview.components for b in row["components"]}
    assert buttons["Post"]["disabled"] is True
    assert "There is no announcement channel yet" in (preview.content or "")


async def test_someone_elses_preview_buttons_refuse(world: World) -> None:
    result, _ = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    refused = await world.press(result, "Save without announcing", user=world.guild.member("server-owner"))
    assert refused.ephemeral
    assert refused.content == "This preview belongs to the moderator who made the change."
    assert (await _season(world)).stage.value == "post-production"


# -- every edit kind -------------------------------------------------------------------------------------------


async def test_release_date_set_exact_set_day_and_clear(world: World) -> None:
    result, preview = await world.manage(
        "season release-date", {"date": "2026-12-05 17:00 KST", "source": "https://about.netflix.com/x"}
    )
    stamp = int(dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC).timestamp())
    assert preview.embeds[0]["title"] == "Season 2 release date: 5 December 2026, 17:00 (UTC+09:00)"
    assert preview.embeds[0]["description"].startswith(f"<t:{stamp}:F> (<t:{stamp}:R>)")
    await world.press(result, "Save without announcing")
    assert (await _season(world)).release == "2026-12-05T17:00:00+09:00"

    card = await (await world.fake.slash("season")).response()
    fields = {f["name"]: f["value"] for f in card.embeds[0]["fields"]}
    assert fields["Release"].startswith(f"<t:{stamp}:F> (<t:{stamp}:R>)")

    result, preview = await world.manage(
        "season release-date", {"date": "2027-01-15", "source": "https://e.x/2"}
    )
    assert preview.embeds[0]["description"].startswith("15 January 2027 (time not announced)")
    await world.press(result, "Save without announcing")
    assert (await _season(world)).release == "2027-01-15"

    result, preview = await world.manage("season release-date", {"clear": True})
    assert preview.embeds[0]["title"] == "Season 2: release date withdrawn"
    await world.press(result, "Save without announcing")
    assert (await _season(world)).release is None


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"date": "tomorrow", "source": "https://e.x"}, "I couldn't read “tomorrow” as a date."),
        ({"date": "2026-12-05 17:00", "source": "https://e.x"}, "Add a time zone to the time"),
        ({"date": "2026-02-30", "source": "https://e.x"}, "2026-02-30 is not a real date."),
        # What the moderator typed is shown inert (found by the fuzz tests: it was shown as markdown).
        (
            {"date": "**late** 2027", "source": "https://e.x"},
            "I couldn't read “\\*\\*late\\*\\* 2027” as a date.",
        ),
        (
            {"date": "2026-12-05", "source": "javascript:alert(1)"},
            "sources must start with http:// or https://",
        ),
        ({"date": "2026-12-05"}, "`source`: a release date needs its source"),
        ({}, "Give either a `date` or `clear: True`"),
    ],
)
async def test_bad_release_dates_get_a_clear_private_message(
    world: World, options: dict[str, Any], says: str
) -> None:
    _, reply = await world.manage("season release-date", options)
    assert reply.ephemeral
    assert says in (reply.content or "")
    assert await world.bot.store.revisions(world.guild.id) == []


async def test_news_is_added_to_the_timeline_and_spoilers_stay_hidden(world: World) -> None:
    await world.setup()
    result, preview = await world.manage(
        "season news",
        {
            "text": "Cheong-san is back in the trailer",
            "source": "https://e.x/trailer",
            "confidence": "confirmed",
            "date": "2026-11-20",
            "spoiler": "s2",
        },
    )
    assert preview.embeds[0]["description"].startswith("||Cheong-san is back in the trailer\n")
    await world.press(result, "Post")
    [message] = await world.announcements(1)
    assert message.request["embeds"][0]["description"].startswith("||Cheong-san is back in the trailer\n")
    catalog = await world.bot.store.catalog(world.guild.id)
    assert catalog.news[-1].text == "Cheong-san is back in the trailer"
    assert catalog.news[-1].date == "2026-11-20"


async def test_moderator_text_pings_nobody_but_the_role(world: World) -> None:
    await world.setup()
    sneaky = f"@everyone @here <@&{world.guild.role('Moderators').id}> <@{world.fan.id}> filming wrapped"
    result, _ = await world.manage(
        "season news", {"text": sneaky, "source": "https://e.x/1", "confidence": "reported"}
    )
    await world.press(result, "Post")
    [message] = await world.announcements(1)
    assert message.request["allowed_mentions"] == {"parse": [], "roles": [world.ping.id]}
    assert message.mention_everyone is False
    assert message.data["mention_roles"] == [str(world.ping.id)]
    assert message.data["mentions"] == []


async def test_character_add_edit_and_remove(world: World) -> None:
    result, preview = await world.manage(
        "character add",
        {
            "name": "Ma-ru Jr",
            "description": "A freshman at On-jo's university",
            "source": "https://e.x/cast",
            "actor": "lee-min-jae",
            "hangul": "마루 주니어",
        },
    )
    assert preview.embeds[0]["title"] == "New cast: Lee Min-jae as Ma-ru Jr"
    await world.press(result, "Save without announcing")
    catalog = await world.bot.store.catalog(world.guild.id)
    added = catalog.character("ma-ru-jr")
    assert added is not None
    assert added.actor == "lee-min-jae"
    card = await (await world.fake.slash("character", {"name": "Ma-ru Jr"})).response()
    assert card.embeds[0]["title"] == "Ma-ru Jr (마루 주니어)"

    # edit: the form is filled with the current values
    opened = await world.fake.slash(
        "manage", {"name": "choi-nam-ra", "part": "fate"}, subcommand="character edit", user=world.mod
    )
    modal = await opened.wait_modal()
    text_id, text = _field(modal, "Text")
    assert text is not None
    assert text.startswith('Bitten by Gwi-nam, she becomes a "halfbie"')
    assert _field(modal, "Spoiler level")[1] == "s1"
    assert _field(modal, "Sources")[1] == (
        "radiotimes.com, 2022-02-02, https://www.radiotimes.com/tv/sci-fi/all-us-dead-ending-explained/\n"
        "thecinemaholic.com, https://thecinemaholic.com/do-yoon-gwi-nam-and-lee-na-yeon-die-in-all-of-us-are-dead/\n"
        "v.daum.net, 2025-07-23, https://v.daum.net/v/20250723080753223"
    )
    submitted = await world.fake.submit_modal(
        modal, {text_id: "Becomes a halfbie and leaves the group"}, user=world.mod
    )
    preview = await submitted.response()
    assert preview.embeds[0]["title"] == "Updated: Choi Nam-ra (Season 1 fate)"
    assert preview.embeds[0]["description"].startswith(
        "**Season 1 fate:** ||Becomes a halfbie and leaves the group\n"
    )
    await world.press(submitted, "Save without announcing")
    edited = (await world.bot.store.catalog(world.guild.id)).character("choi-nam-ra")
    assert edited is not None
    assert edited.fate is not None
    assert edited.fate.text == "Becomes a halfbie and leaves the group"
    assert edited.fate.spoiler == "s1"

    result, _ = await world.manage("character remove", {"name": "Ma-ru Jr"})
    await world.press(result, "Save without announcing")
    assert (await world.bot.store.catalog(world.guild.id)).character("ma-ru-jr") is None


async def test_cast_add_as_a_character_edit_and_remove(world: World) -> None:
    await world.setup()
    result, preview = await world.manage(
        "cast add", {"name": "Kim Ha-neul", "source": "https://e.x/2", "plays": "ju-ran", "hangul": "김하늘"}
    )
    assert preview.embeds[0]["title"] == "New cast: Kim Ha-neul as So Ju-ran"
    await world.press(result, "Post")
    [message] = await world.announcements(1)
    assert message.request["embeds"][0]["title"] == "New cast: Kim Ha-neul as So Ju-ran"
    catalog = await world.bot.store.catalog(world.guild.id)
    assert catalog.character("ju-ran").actor == "kim-ha-neul"  # type: ignore[union-attr]

    opened = await world.fake.slash("manage", {"name": "Kim Ha-neul"}, subcommand="cast edit", user=world.mod)
    modal = await opened.wait_modal()
    name_id, name = _field(modal, "Name")
    assert name == "Kim Ha-neul"
    submitted = await world.fake.submit_modal(modal, {name_id: "Kim Ha-neul"}, user=world.mod)
    assert (await submitted.response()).content == "Nothing changed: the form had the same values."

    _, refused = await world.manage("cast remove", {"name": "Kim Ha-neul"})
    assert "still plays So Ju-ran" in (refused.content or "")


async def test_unknown_names_get_suggestions_and_change_nothing(world: World) -> None:
    _, reply = await world.manage("character remove", {"name": "Cheongsun Leee"})
    assert reply.ephemeral
    assert reply.content is not None
    assert "`name`: there is no character called “Cheongsun Leee”" in reply.content
    assert "Did you mean: Lee Cheong-san" in reply.content


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"name": "X" * 3, "description": "   ", "source": "https://e.x"}, "`description`: can't be empty"),
        (
            {"name": "Gwi-nam Two", "description": "d", "source": "ftp://e.x"},
            "sources must start with http://",
        ),
        (
            {"name": "Someone", "description": "d", "source": "https://e.x", "actor": "Nobody Atall"},
            "`actor`: there is no cast member",
        ),
        (
            {"name": "Choi Nam-ra", "description": "d", "source": "https://e.x"},
            "`name`: “Choi Nam-ra” is already a name of Choi Nam-ra (key `choi-nam-ra`) (character)",
        ),
    ],
)
async def test_bad_character_input_is_explained(world: World, options: dict[str, Any], says: str) -> None:
    _, reply = await world.manage("character add", options)
    assert reply.ephemeral
    assert says in (reply.content or "")


# -- concurrency, history and revert ---------------------------------------------------------------------------


async def test_a_second_moderator_is_told_the_entry_changed_meanwhile(world: World) -> None:
    owner = world.guild.member("server-owner")
    first = await world.fake.slash(
        "manage", {"name": "Su-hyeok"}, subcommand="character edit", user=world.mod
    )
    second = await world.fake.slash("manage", {"name": "Su-hyeok"}, subcommand="character edit", user=owner)
    first_modal, second_modal = await first.wait_modal(), await second.wait_modal()
    name_field, name = _field(first_modal, "Name")
    assert name == "Lee Su-hyeok"

    submitted = await world.fake.submit_modal(
        first_modal, {name_field: "Lee Su-hyeok (Soldier)"}, user=world.mod
    )
    await submitted.response()
    await world.press(submitted, "Save without announcing")

    late_field, _ = _field(second_modal, "Name")
    late = await world.fake.submit_modal(second_modal, {late_field: "Lee Su-hyeok (Private)"}, user=owner)
    reply = await late.response()
    assert reply.ephemeral
    assert (reply.content or "").startswith("⚠️ Someone changed this entry after you opened the form")
    current = (await world.bot.store.catalog(world.guild.id)).character("lee-su-hyeok")
    assert current is not None
    assert current.name == "Lee Su-hyeok (Soldier)"


async def test_two_previews_of_the_same_entry_cannot_both_save(world: World) -> None:
    owner = world.guild.member("server-owner")
    first, _ = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    second, _ = await world.manage("season stage", {"stage": "released", "source": "https://e.x/2"}, owner)
    await world.press(first, "Save without announcing")
    late = await world.press(second, "Save without announcing", user=owner)
    assert (late.content or "").startswith("⚠️ Someone changed this entry while you were editing it")
    assert (await _season(world)).stage.value == "filming"


async def test_history_shows_a_readable_diff_and_revert_restores(world: World) -> None:
    result, _ = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    await world.press(result, "Save without announcing")
    _, history = await world.manage("history", {"entry": "season:2"})
    assert history.ephemeral
    [field] = history.embeds[0]["fields"]
    assert field["name"] == "#1 · season:2"
    assert "`stage`: ~~post-production~~ → filming" in field["value"]
    assert "by moderator" in field["value"]

    result, preview = await world.manage("revert", {"revision": 1})
    assert preview.embeds[0]["title"] == "Reverted: Season 2 (stage, about the stage)"
    assert preview.embeds[0]["description"].startswith(
        "**Stage:** post-production\n**About the stage:** Filming reportedly wrapped"
    )
    assert "as it was before revision #1" in (preview.content or "")
    await world.press(result, "Save without announcing")
    assert (await _season(world)).stage.value == "post-production"
    [latest, *_] = await world.bot.store.revisions(world.guild.id)
    assert latest.reverts == 1

    _, again = await world.manage("revert", {"revision": 1})
    assert "Nothing to revert" in (again.content or "")
    _, missing = await world.manage("revert", {"revision": 999})
    assert "There is no revision #999" in (missing.content or "")


async def test_history_is_paged(world: World) -> None:
    for number in range(7):
        stage = "filming" if number % 2 == 0 else "post-production"
        result, _ = await world.manage("season stage", {"stage": stage, "source": f"https://e.x/{number}"})
        await world.press(result, "Save without announcing")
    _, history = await world.manage("history")
    assert history.embeds[0]["title"] == "History (1/2)"
    assert len(history.embeds[0]["fields"]) == 5


async def test_revert_of_an_addition_removes_it_again(world: World) -> None:
    result, _ = await world.manage(
        "character add", {"name": "Extra Student", "description": "A student", "source": "https://e.x/1"}
    )
    await world.press(result, "Save without announcing")
    result, preview = await world.manage("revert", {"revision": 1})
    assert preview.embeds[0]["description"] == "Extra Student is removed again."
    await world.press(result, "Save without announcing")
    catalog = await world.bot.store.catalog(world.guild.id)
    assert all(not isinstance(c, Character) or c.name != "Extra Student" for c in catalog.characters)


# -- delivery problems and subscriptions -----------------------------------------------------------------------


async def test_a_forbidden_channel_is_marked_failing_reported_and_not_retried(world: World) -> None:
    await world.setup()
    announcements = world.guild.channel("announcements")
    announcements.forbidden = True
    result, _ = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    await world.press(result, "Post")
    warning = await world.fake.wait_message(
        world.channel_id("mod-log"), lambda m: m.data["embeds"][0]["title"] == "⚠️ Delivery problem"
    )
    assert f"I couldn't post in <#{announcements.id}> (403" in warning.data["embeds"][0]["description"]
    _, reply = await world.manage("season stage", {"stage": "released", "source": "https://e.x/2"})
    assert f"⚠️ I can't post in <#{announcements.id}>" in (reply.content or "")
    await asyncio.sleep(0.3)
    attempts = [
        r
        for r in world.fake.requests_to("POST", "/channels/{channel_id}/messages")
        if r.params["channel_id"] == str(announcements.id)
    ]
    assert len(attempts) == 1

    # Fixed and set up again: what failed is sent.
    announcements.forbidden = False
    setup = await world.setup()
    assert "Retrying 1 message that had failed there." in (setup.content or "")
    [message] = await world.announcements(1)
    assert message.request["embeds"][0]["title"] == "Season 2: post-production → filming"


async def test_subscribe_toggles_the_ping_role_and_notify_me_only_adds_it(world: World) -> None:
    first = await (await world.fake.slash("subscribe", user=world.fan)).response()
    assert "no announcement ping role yet" in (first.content or "")

    await world.setup()
    added = await (await world.fake.slash("subscribe", user=world.fan)).response()
    assert added.ephemeral
    assert (added.content or "").startswith(f"Done: you'll be pinged by <@&{world.ping.id}>")
    assert world.ping.id in world.fan.roles
    [put] = world.fake.requests_to("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    assert put.params["role_id"] == str(world.ping.id)

    result, _ = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    await world.press(result, "Post")
    [message] = await world.announcements(1)
    # "Notify me" never unsubscribes: pressed by a fan who is already subscribed, it says so.
    again = await (await world.fake.click(message, "aoad:notify", user=world.fan)).response()
    assert again.ephemeral
    assert again.content == (
        f"You already get pinged by <@&{world.ping.id}> when there is news. To stop, use `/subscribe`."
    )
    assert world.ping.id in world.fan.roles
    assert len(world.fake.requests_to("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")) == 0

    removed = await (await world.fake.slash("subscribe", user=world.fan)).response()
    assert (removed.content or "").startswith("Done: you won't be pinged")
    assert world.ping.id not in world.fan.roles
    added = await (await world.fake.click(message, "aoad:notify", user=world.fan)).response()
    assert (added.content or "").startswith(f"Done: you'll be pinged by <@&{world.ping.id}>")
    assert world.ping.id in world.fan.roles


# -- delivery pacing and retries -------------------------------------------------------------------------------


async def _announce_news(world: World, count: int) -> None:
    """Commit `count` announced news items, as Post does."""
    from bot.announce import outbox_drafts
    from bot.models import NewsItem, Source
    from bot.moderation_store import Change

    store = world.bot.store
    settings = await store.get_settings(world.guild.id)
    for number in range(count):
        item = NewsItem(
            key=f"pacing-{number}",
            season=2,
            date="2026-11-20",
            text=f"News number {number}",
            confidence="reported",
            sources=(Source(name="e.x", url=f"https://e.x/{number}"),),
        )
        await store.commit_change(
            world.guild.id,
            [Change("news", item.key, None, item, None)],
            summary=f"News {number}",
            author_id=world.mod.id,
            author_name="moderator",
            outbox=outbox_drafts(
                settings, title=f"News {number}", body=item.text, announce=True, author="moderator"
            ),
        )
    assert world.bot.deliverer is not None
    world.bot.deliverer.wake()


async def test_publishing_is_paced_to_ten_an_hour_per_channel_and_queued_beyond(world: World) -> None:
    await world.setup(auto_publish=True, modlog_channel=world.guild.channel("general"))
    deliverer = world.bot.deliverer
    assert deliverer is not None
    clock = Clock()
    deliverer.clock = clock
    crossposts = ("POST", "/channels/{channel_id}/messages/{message_id}/crosspost")

    await _announce_news(world, 12)
    await world.announcements(12)
    await world.fake.wait_request(*crossposts, count=10)
    await asyncio.sleep(0.3)
    assert len(world.fake.requests_to(*crossposts)) == 10  # the 11th and 12th wait for room
    items = [i for i in await world.bot.store.outbox_items(world.guild.id) if i.purpose == "announcement"]
    waiting = [i for i in items if i.state == "posted"]
    assert len(waiting) == 2
    assert all(i.next_attempt_at - clock() > dt.timedelta(minutes=55) for i in waiting)

    clock.offset = dt.timedelta(hours=1, seconds=5)
    deliverer.wake()
    await world.fake.wait_request(*crossposts, count=12)

    async def all_done() -> bool:
        items = await world.bot.store.outbox_items(world.guild.id)
        return {i.state for i in items if i.purpose == "announcement"} == {"done"}

    await eventually(all_done, "every announcement to be done")
    assert len(world.fake.messages[world.channel_id("announcements")]) == 12  # each posted once


async def test_rate_limits_discord_py_gives_up_on_are_retried_later_with_the_same_nonce(world: World) -> None:
    await world.setup(modlog_channel=world.guild.channel("general"))
    deliverer = world.bot.deliverer
    assert deliverer is not None
    clock = Clock()
    deliverer.clock = clock
    # discord.py retries a 429 five times, then gives up; the deliverer backs off and tries again later.
    # (Ten: the announcement and its mod-log entry are delivered side by side, five tries each.)
    world.fake.fail("POST", "/channels/{channel_id}/messages", status=429, retry_after=0.01, times=10)
    await _announce_news(world, 1)
    await world.fake.wait_request("POST", "/channels/{channel_id}/messages", count=10)
    await asyncio.sleep(0.2)
    [item] = [i for i in await world.bot.store.outbox_items(world.guild.id) if i.purpose == "announcement"]
    assert item.state == "posting"
    assert item.attempts == 1
    assert item.next_attempt_at > clock()

    clock.offset = dt.timedelta(minutes=1)
    deliverer.wake()
    [message] = await world.announcements(1)
    posts = [
        r
        for r in world.fake.requests_to("POST", "/channels/{channel_id}/messages")
        if r.params["channel_id"] == str(world.channel_id("announcements"))
    ]
    assert len({p.json["nonce"] for p in posts}) == 1
    assert message.request["nonce"] == posts[0].json["nonce"]


async def test_a_cast_member_without_roles_can_be_removed_and_revert_brings_them_back(world: World) -> None:
    result, _ = await world.manage("cast add", {"name": "Guest Star", "source": "https://e.x/g"})
    await world.press(result, "Save without announcing")
    result, preview = await world.manage("cast remove", {"name": "Guest Star"})
    assert preview.embeds[0]["title"] == "Removed from the cast: Guest Star"
    await world.press(result, "Save without announcing")
    assert (await world.bot.store.catalog(world.guild.id)).person("guest-star") is None
    result, _ = await world.manage("revert", {"revision": 2})
    await world.press(result, "Save without announcing")
    restored = (await world.bot.store.catalog(world.guild.id)).person("guest-star")
    assert restored is not None
    assert restored.name == "Guest Star"


async def test_the_ping_role_cannot_be_a_role_with_extra_permissions(world: World) -> None:
    _, reply = await world.manage("setup", {"ping_role": world.guild.role("Moderators")})
    assert reply.ephemeral
    assert "grants permissions @everyone doesn't have (" in (reply.content or "")
    assert "Manage Guild" in (reply.content or "")
    assert (await world.bot.store.get_settings(world.guild.id)).ping_role_id is None


async def test_only_server_managers_choose_the_ping_and_moderator_roles(world: World) -> None:
    await world.setup(moderator_role=world.helpers)
    world.fan.roles.append(world.helpers.id)
    _, reply = await world.manage("setup", {"moderator_role": world.guild.role("@everyone")}, world.fan)
    assert "Only members with Manage Server can choose the ping role or the moderator role" in (
        reply.content or ""
    )
    _, reply = await world.manage("setup", {"ping_role": world.helpers}, world.fan)
    assert "Only members with Manage Server" in (reply.content or "")
    settings = await world.bot.store.get_settings(world.guild.id)
    assert settings.moderator_role_id == world.helpers.id
    assert settings.ping_role_id == world.ping.id
    # Channels they may still change.
    _, reply = await world.manage("setup", {"threads": True}, world.fan)
    assert reply.content == "Settings saved."


async def test_a_deleted_announcement_does_not_mark_its_channel_failing(world: World) -> None:
    await world.setup(auto_publish=True)
    world.fake.fail(
        "POST",
        "/channels/{channel_id}/messages/{message_id}/crosspost",
        status=404,
        code=10008,
        message="Unknown Message",
    )
    result, _ = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    await world.press(result, "Post")
    await world.fake.wait_request("POST", "/channels/{channel_id}/messages/{message_id}/crosspost")

    async def done() -> bool:
        items = await world.bot.store.outbox_items(world.guild.id)
        return {i.state for i in items if i.purpose == "announcement"} == {"done"}

    await eventually(done, "the announcement to be done")
    assert await world.bot.store.failing_channels(world.guild.id) == []


async def test_auto_publish_in_a_plain_text_channel_sends_no_crosspost_discord_would_refuse(
    world: World,
) -> None:
    # Found by the fuzz tests: each announcement made a crosspost Discord answers 400 (50024), and used up
    # one of the channel's ten publications an hour.
    await world.setup(announcement_channel=world.guild.channel("general"), auto_publish=True)
    result, _ = await world.manage("season stage", {"stage": "filming", "source": "https://e.x/1"})
    await world.press(result, "Post")
    await world.fake.wait_message(world.channel_id("general"), lambda m: bool(m.embeds))

    async def done() -> bool:
        items = await world.bot.store.outbox_items(world.guild.id)
        return {i.state for i in items if i.purpose == "announcement"} == {"done"}

    await eventually(done, "the announcement to be done")
    assert world.fake.requests_to("POST", "/channels/{channel_id}/messages/{message_id}/crosspost") == []


async def test_sources_a_form_could_not_show_again_are_refused(world: World) -> None:
    # Found while fuzzing the forms: links alone are saved with their site's name ("e.x, https://e.x/…"), so
    # ten long links that fit the form came back longer than a form field holds, and the fact could never be
    # edited in a form again.
    opened = await world.fake.slash(
        "manage", {"name": "choi-nam-ra", "part": "fate"}, subcommand="character edit", user=world.mod
    )
    modal = await opened.wait_modal()
    sources_id, _ = _field(modal, "Sources")
    links = "\n".join(f"https://e.x/{n}" + "a" * 386 for n in range(10))
    assert len(links) == 3999
    submitted = await world.fake.submit_modal(modal, {sources_id: links}, user=world.mod)
    reply = await submitted.response()
    assert reply.ephemeral
    assert "the form would show them in 4049 characters" in (reply.content or "")

    again = await world.fake.slash(
        "manage", {"name": "choi-nam-ra", "part": "fate"}, subcommand="character edit", user=world.mod
    )
    assert (await again.wait_modal()).fields
