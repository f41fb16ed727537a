"""/manage season stage | release-date | news: what a moderator typed, read by the rules, as a pending change."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import msgspec

from bot.dates import DateError, day_is_over, parse_release, parse_typed_release
from bot.errors import UserFacingError
from bot.i18n import ENGLISH, Lang, Message
from bot.models import Fact, NewsItem, Season, Source, SpoilerLevel, Stage
from bot.moderation_store import Change, utcnow
from bot.render import provenance
from bot.rules import (
    STAGE_ORDER,
    STAGE_SENTENCES,
    TEXT_LIMIT,
    Problems,
    inert,
    stage_sentence,
    typed_confidence,
    typed_rough_date,
    typed_text,
)
from cogs.manage._edits import (
    PendingEdit,
    StageWords,
    assumed_confidence_note,
    catalog_entries,
    check_changes,
    fact_block,
    new_key,
    stage_words,
    today,
)
from cogs.manage._options import Typed, option

if TYPE_CHECKING:
    from bot.client import AoadBot

KOREAN = Lang("ko")


async def _season(bot: AoadBot, guild_id: int, number: int) -> tuple[Season, int]:
    stored = await bot.store.get_entry(guild_id, "season", str(number))
    if stored is None:
        raise UserFacingError("There is no Season {number} in this server's data.", number=number)
    return cast(Season, stored.entry), stored.version


async def _check(bot: AoadBot, guild_id: int, changes: list[Change], labels: dict[str, Message]) -> None:
    await check_changes(catalog_entries(await bot.store.catalog(guild_id)), changes, labels)


def _stage_fact(season: int, stage: Stage, note: str | None, fact: Fact) -> Fact:
    """What a stage rests on: the moderator's note, or the stage said as a sentence in both languages."""
    return msgspec.structs.replace(
        fact,
        text=note or stage_sentence(season, stage, ENGLISH),
        text_ko=None if note else stage_sentence(season, stage, KOREAN),
    )


async def stage_edit(
    bot: AoadBot,
    guild_id: int,
    server: Lang,
    *,
    stage: str,
    source: Typed[tuple[Source, ...]],
    confidence: str | None,
    note: str | None,
    season: int,
) -> PendingEdit:
    current, version = await _season(bot, guild_id, season)
    problems = Problems()
    note_text = typed_text(note, option("note"), TEXT_LIMIT, problems, required=False, spoilers=True)
    sources = source.into(problems)
    chosen, assumed = typed_confidence(confidence, option("confidence"), problems)
    problems.check()
    new_stage = Stage(stage)
    same_stage = new_stage == current.stage
    fact = _stage_fact(season, new_stage, note_text, Fact(text="-", confidence=chosen, sources=sources))
    if same_stage and assumed:
        # Restating the stage without a confidence keeps the one it has.
        fact = msgspec.structs.replace(fact, confidence=current.stage_fact.confidence)
    after = msgspec.structs.replace(current, stage=new_stage, stage_fact=fact)
    if after == current or (
        same_stage
        and fact.text == current.stage_fact.text
        and sources == current.stage_fact.sources
        and fact.confidence == current.stage_fact.confidence
    ):
        raise UserFacingError(
            "Nothing changed: {sentence}, with the same sources.",
            sentence=Message.of(STAGE_SENTENCES[new_stage], season=season),
        )
    change = Change("season", str(season), current, after, version)
    await _check(
        bot, guild_id, [change], {"stage_fact.sources": option("source"), "stage_fact": option("note")}
    )

    def title(lang: Lang) -> str:
        if same_stage:
            return lang.t(
                "Season {season}: still {stage} (what it rests on changed)",
                season=season,
                stage=stage_words(new_stage, lang),
            )
        return lang.t(
            "Season {season}: {before} → {after}",
            season=season,
            before=stage_words(current.stage, lang),
            after=stage_words(new_stage, lang),
        )

    notes = [assumed_confidence_note(Message.of("the stage"))] if assumed and not same_stage else []
    return PendingEdit(
        guild_id,
        [change],
        title(server),
        fact_block(fact, server),
        summary=title(ENGLISH),
        announce_by_default=not same_stage,
        notes=notes,
    )


async def release_edit(
    bot: AoadBot,
    guild_id: int,
    server: Lang,
    *,
    date: str | None,
    clear: bool,
    source: Typed[tuple[Source, ...]] | None,
    confidence: str | None,
    season: int,
) -> PendingEdit:
    current, version = await _season(bot, guild_id, season)
    if clear == (date is not None):
        raise UserFacingError("Give either a `date` or `clear: True` (not both, not neither).")
    if clear:
        if current.release is None:
            raise UserFacingError("Season {season} has no release date to clear.", season=season)
        after = msgspec.structs.replace(current, release=None, release_fact=None)
        withdrawn = Change("season", str(season), current, after, version)
        await _check(bot, guild_id, [withdrawn], {"release": option("clear"), "stage": option("clear")})
        return PendingEdit(
            guild_id,
            [withdrawn],
            server.t("Season {season}: release date withdrawn", season=season),
            server.t(
                "The release date ({date}) is no longer announced.",
                date=parse_release(current.release).words(server),
            ),
            summary=ENGLISH.t("Season {season}: release date withdrawn", season=season),
        )
    problems = Problems()
    if source is None:
        problems.add(
            Message.of("a release date needs its source: a link, or a publication and date."),
            option("source"),
        )
    sources = source.into(problems) if source is not None else ()
    chosen, assumed = typed_confidence(confidence, option("confidence"), problems)
    release = None
    try:
        release = parse_typed_release(cast(str, date))
    except DateError as exc:
        problems.add(Message(exc.template, inert(exc.values)), option("date"))
    # The stage is not typed here: a stage the date disagrees with is a problem of the date.
    labels: dict[str, Message] = {
        "release_fact.sources": option("source"),
        "release": option("date"),
        "stage": option("date"),
    }
    if release is not None:
        # Checked against the other seasons even while the source is refused: every problem at once.
        early = Change(
            "season", str(season), current, msgspec.structs.replace(current, release=release.text), version
        )
        await check_changes(catalog_entries(await bot.store.catalog(guild_id)), [early], labels, problems)
    problems.check()
    assert release is not None
    fact = Fact(
        text=ENGLISH.t("Season {season} premieres {date}", season=season, date=release.words(ENGLISH)),
        text_ko=KOREAN.t("Season {season} premieres {date}", season=season, date=release.words(KOREAN)),
        confidence=chosen,
        sources=sources,
    )
    after = msgspec.structs.replace(current, release=release.text, release_fact=fact)
    if (
        current.release == release.text
        and current.release_fact is not None
        and current.release_fact.sources == fact.sources
        and (assumed or current.release_fact.confidence == chosen)
    ):
        raise UserFacingError("Nothing changed: that is already the release date, with the same source.")
    change = Change("season", str(season), current, after, version)
    await _check(bot, guild_id, [change], labels)

    def words(lang: Lang) -> str:
        return lang.t("Season {season} release date: {date}", season=season, date=release.words(lang))

    notes = [assumed_confidence_note(Message.of("the release date"))] if assumed else []
    pending = PendingEdit(
        guild_id,
        [change],
        words(server),
        f"{release.render(server)}\n{provenance(fact, server)}",
        summary=words(ENGLISH),
        notes=notes,
    )
    # An exact date (a day, or a moment) is what "release date set" means: offer to say so in one change.
    when = release.instant.date() if release.instant is not None else release.day
    if when is not None:
        # A moment already passed, or a day over in every time zone (yesterday's is not yet, west of UTC), is
        # surely a release, not a date set; a day still under way somewhere may not have come out yet.
        now = utcnow()
        past = release.instant <= now if release.instant is not None else day_is_over(when, now)
        target = Stage.RELEASED if past else Stage.RELEASE_DATE_SET
        if STAGE_ORDER.index(current.stage) < STAGE_ORDER.index(target):
            staged = msgspec.structs.replace(
                after, stage=target, stage_fact=_stage_fact(season, target, None, fact)
            )
            both = Change("season", str(season), current, staged, version)
            await _check(bot, guild_id, [both], labels)

            def both_title(lang: Lang) -> str:
                return lang.t(
                    "Season {season} release date: {date} ({stage})",
                    season=season,
                    date=release.words(lang),
                    stage=stage_words(target, lang),
                )

            pending.offer = PendingEdit(
                guild_id,
                [both],
                both_title(server),
                f"{release.render(server)}\n{provenance(fact, server)}\n{fact_block(staged.stage_fact, server)}",
                summary=both_title(ENGLISH),
                notes=[
                    *notes,
                    Message.of(
                        "The stage is set too: {before} → {after}.",
                        before=StageWords(current.stage, {}),
                        after=StageWords(target, {}),
                    ),
                ],
            )
            pending.offer_label = Message.of("Also set the stage: {stage}", stage=StageWords(target, {}))
    return pending


async def news_edit(
    bot: AoadBot,
    guild_id: int,
    server: Lang,
    *,
    text: str,
    source: Typed[tuple[Source, ...]],
    confidence: str | None,
    date: str | None,
    spoiler: str,
    season: int,
    text_ko: str | None,
) -> PendingEdit:
    await _season(bot, guild_id, season)
    problems = Problems()
    body = typed_text(text, option("text"), TEXT_LIMIT, problems, spoilers=True)
    body_ko = typed_text(text_ko, option("text_ko"), TEXT_LIMIT, problems, required=False, spoilers=True)
    sources = source.into(problems)
    chosen, assumed = typed_confidence(confidence, option("confidence"), problems)
    day = typed_rough_date(date, option("date"), problems) if date else today()
    problems.check()
    assert body is not None
    assert day is not None
    item = NewsItem(
        key=new_key(f"s{season}-{day}-{body[:30]}", await bot.store.used_keys(guild_id, "news")),
        season=season,
        date=day,
        text=body,
        text_ko=body_ko,
        confidence=chosen,
        sources=sources,
        spoiler=cast(SpoilerLevel, spoiler),
    )
    change = Change("news", item.key, None, item, None)
    await _check(
        bot,
        guild_id,
        [change],
        {"sources": option("source"), "text_ko": option("text_ko"), "text": option("text")},
    )
    notes = [assumed_confidence_note(Message.of("the news"))] if assumed else []
    title = server.t("Season {season} news ({date})", season=season, date=day)
    return PendingEdit(
        guild_id,
        [change],
        title,
        fact_block(item, server),
        summary=ENGLISH.t("Season {season} news ({date})", season=season, date=day),
        notes=notes,
    )
