"""Release dates: what moderators type, how it is stored, and how a card shows it (never more precise than known)."""

from __future__ import annotations

import calendar
import datetime as dt

import msgspec
import pytest

from bot.dates import DateError, is_release_text, parse_release, parse_typed_release
from bot.models import Season
from bot.pack import Pack

KST = dt.timezone(dt.timedelta(hours=9))
# 2026-12-05 17:00 in Seoul is 08:00 UTC.
DEC_5_1700_KST_UNIX = 1796457600


def test_the_fixed_unix_number_is_right() -> None:
    """The constant the render tests rely on, worked out independently of the code under test."""
    assert calendar.timegm((2026, 12, 5, 8, 0, 0)) == DEC_5_1700_KST_UNIX


# --- parse_typed_release: exact dates and instants -------------------------------------------------------


def test_a_plain_day_is_a_day_without_an_instant() -> None:
    release = parse_typed_release("2026-12-05")
    assert release.text == "2026-12-05"
    assert release.day == dt.date(2026, 12, 5)
    assert release.instant is None
    assert not release.exact


def test_single_digit_month_and_day_are_padded() -> None:
    release = parse_typed_release("2026-3-5")
    assert release.text == "2026-03-05"
    assert release.day == dt.date(2026, 3, 5)


def test_surrounding_and_repeated_whitespace_is_ignored() -> None:
    assert parse_typed_release("  2026-12-05   17:00    KST ").text == "2026-12-05T17:00:00+09:00"


@pytest.mark.parametrize(
    "typed",
    [
        "2026-12-05 17:00 KST",
        "2026-12-05 17:00 kst",
        "2026-12-05 17:00 +09:00",
        "2026-12-05 17:00 +0900",
        "2026-12-05 17:00 +9",
        "2026-12-05 17:00 UTC+9",
        "2026-12-05 17:00+09:00",
        "2026-12-05T17:00 Asia/Seoul",
        "2026-12-05 17:00 Asia/Seoul",
    ],
)
def test_every_way_of_typing_seoul_time_is_the_same_instant(typed: str) -> None:
    release = parse_typed_release(typed)
    assert release.exact
    assert release.day is None
    assert release.instant == dt.datetime(2026, 12, 5, 17, 0, tzinfo=KST)
    assert release.instant is not None
    assert release.instant.utcoffset() == dt.timedelta(hours=9)
    assert release.text == "2026-12-05T17:00:00+09:00"


def test_a_single_digit_hour_is_padded() -> None:
    assert parse_typed_release("2026-12-05 7:05 KST").text == "2026-12-05T07:05:00+09:00"


@pytest.mark.parametrize("zone", ["UTC", "GMT", "Z", "+00:00"])
def test_utc_spellings_store_a_zero_offset(zone: str) -> None:
    release = parse_typed_release(f"2026-12-05 17:00 {zone}")
    assert release.text == "2026-12-05T17:00:00+00:00"
    assert release.instant == dt.datetime(2026, 12, 5, 17, 0, tzinfo=dt.UTC)


def test_negative_offsets_are_kept() -> None:
    release = parse_typed_release("2026-12-05 03:00 -05:00")
    assert release.text == "2026-12-05T03:00:00-05:00"
    assert release.instant == dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        # British Summer Time in July, Greenwich Mean Time in January: the offset in force at that moment.
        ("2026-07-01 12:00 Europe/London", "2026-07-01T12:00:00+01:00"),
        ("2026-01-15 12:00 Europe/London", "2026-01-15T12:00:00+00:00"),
        ("2026-07-01 12:00 America/New_York", "2026-07-01T12:00:00-04:00"),
        ("2026-12-01 12:00 America/New_York", "2026-12-01T12:00:00-05:00"),
        ("2026-12-05 17:00 Asia/Kolkata", "2026-12-05T17:00:00+05:30"),
    ],
)
def test_a_zone_name_is_stored_as_the_offset_in_force_then(typed: str, stored: str) -> None:
    release = parse_typed_release(typed)
    assert release.text == stored
    # The stored text alone says the instant: reading it back gives the same moment.
    assert parse_release(release.text).instant == release.instant


def test_a_typed_instant_is_stored_in_a_form_the_season_model_accepts(pack: Pack) -> None:
    season = pack.seasons[0]
    typed = parse_typed_release("2026-07-01 12:00 Europe/London")
    raw = msgspec.to_builtins(season)
    raw["release"] = typed.text
    assert msgspec.convert(raw, type=Season).release == "2026-07-01T12:00:00+01:00"


# --- parse_typed_release: refusals ----------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2026-12-05 17:00", "2026-12-05T17:00", "2026-12-05 7:30"])
def test_a_time_without_a_zone_is_refused_with_a_hint_to_add_one(typed: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_typed_release(typed)
    message = str(caught.value)
    assert "time zone" in message
    assert "KST" in message
    assert "+09:00" in message


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Korea/Busan", "XYZ", "Asia/Seoull"])
def test_an_unknown_zone_name_is_refused_with_examples(zone: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_typed_release(f"2026-12-05 17:00 {zone}")
    message = str(caught.value)
    assert zone in message
    assert "+09:00" in message
    assert "Asia/Seoul" in message


@pytest.mark.parametrize("offset", ["+15:00", "-15:00", "+09:60"])
def test_an_offset_out_of_range_is_refused(offset: str) -> None:
    with pytest.raises(DateError, match="not a time-zone offset"):
        parse_typed_release(f"2026-12-05 17:00 {offset}")


def test_an_offset_below_minus_twelve_is_refused() -> None:
    with pytest.raises(DateError, match="not a time-zone offset"):
        parse_typed_release("2026-12-05 17:00 -13:00")


@pytest.mark.parametrize("zone", ["Asia", "Europe", "America"])
def test_a_zone_region_without_a_city_is_refused_as_an_unknown_zone(zone: str) -> None:
    with pytest.raises(DateError, match="time zone"):
        parse_typed_release(f"2026-12-05 17:00 {zone}")


@pytest.mark.parametrize(
    "typed", ["2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-04-31 17:00 KST"]
)
def test_a_day_that_does_not_exist_is_refused(typed: str) -> None:
    with pytest.raises(DateError, match="is not a real date"):
        parse_typed_release(typed)


def test_a_leap_day_is_a_real_date() -> None:
    assert parse_typed_release("2028-02-29").day == dt.date(2028, 2, 29)


@pytest.mark.parametrize("typed", ["2026-12-05 24:00 KST", "2026-12-05 17:75 KST"])
def test_a_time_that_does_not_exist_is_refused(typed: str) -> None:
    with pytest.raises(DateError, match="is not a time of day"):
        parse_typed_release(typed)


@pytest.mark.parametrize("typed", ["9999-12-31 23:00 -05:00", "0001-01-01 00:00 +14:00"])
def test_an_instant_at_the_edge_of_the_calendar_is_refused_politely(typed: str) -> None:
    with pytest.raises(DateError):
        parse_typed_release(typed)


def test_dates_outside_this_century_are_refused_so_every_stored_text_reads_back() -> None:
    # Before 1908 Seoul kept local mean time (+08:27:52), an offset a stored text cannot hold.
    with pytest.raises(DateError, match="between 2000 and 2099"):
        parse_typed_release("1900-01-01 12:00 Asia/Seoul")
    typed = parse_typed_release("2000-01-01 12:00 Asia/Seoul")
    assert parse_release(typed.text).instant == typed.instant


@pytest.mark.parametrize(
    "typed",
    ["soon", "next year", "05/12/2026", "2026/12/05", "December 5, 2026", "2026-12-05 5pm KST", "", "   "],
)
def test_garbage_is_refused_with_a_message_saying_what_to_type(typed: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_typed_release(typed)
    message = str(caught.value)
    assert "2026-12-05" in message
    assert "2026-12-05 17:00 KST" in message
    assert "late 2026" in message


def test_a_long_garbage_input_is_quoted_only_in_part() -> None:
    with pytest.raises(DateError) as caught:
        parse_typed_release("x" * 500)
    assert "x" * 41 not in str(caught.value)


# --- parse_typed_release: rough dates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2026-12", "2026-12"),
        ("2026", "2026"),
        ("late 2026", "late 2026"),
        ("Late 2026", "late 2026"),
        ("EARLY 2027", "early 2027"),
        ("mid  2026", "mid 2026"),
    ],
)
def test_rough_dates_are_accepted_without_an_instant_or_a_day(typed: str, stored: str) -> None:
    release = parse_typed_release(typed)
    assert release.text == stored
    assert release.instant is None
    assert release.day is None
    assert not release.exact


@pytest.mark.parametrize("typed", ["2026-13", "2026-00"])
def test_a_month_that_does_not_exist_is_refused(typed: str) -> None:
    with pytest.raises(DateError):
        parse_typed_release(typed)


# --- words() and render() -------------------------------------------------------------------------------


def test_an_instant_renders_as_discord_timestamps_with_a_countdown() -> None:
    release = parse_typed_release("2026-12-05 17:00 KST")
    assert release.render() == f"<t:{DEC_5_1700_KST_UNIX}:F> (<t:{DEC_5_1700_KST_UNIX}:R>)"


def test_the_same_instant_typed_in_another_zone_renders_the_same_timestamp() -> None:
    seoul = parse_typed_release("2026-12-05 17:00 Asia/Seoul")
    utc = parse_typed_release("2026-12-05 08:00 UTC")
    assert seoul.render() == utc.render()


def test_the_bundled_season_one_premiere_is_the_day_it_is_sourced_for(pack: Pack) -> None:
    # The hour once given (17:00 KST) could not be sourced again: the pack keeps the day, not a made-up instant.
    season_one = next(season for season in pack.seasons if season.number == 1)
    assert season_one.release is not None
    release = parse_release(season_one.release)
    assert release.day == dt.date(2022, 1, 28)
    assert release.instant is None
    assert release.words() == "28 January 2022"
    assert "<t:" not in release.render()


def test_a_day_renders_as_words_and_says_the_time_is_not_announced() -> None:
    release = parse_typed_release("2026-12-05")
    before = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert release.words() == "5 December 2026"
    assert release.render(now=before) == "5 December 2026 (time not announced)"
    assert "<t:" not in release.render(now=before)
    # Once the day is past, the hour no longer matters: the day alone.
    assert release.render(now=dt.datetime(2026, 12, 6, tzinfo=dt.UTC)) == "5 December 2026"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-12", "December 2026"),
        ("2026-01", "January 2026"),
        ("2026", "2026"),
        ("late 2026", "Late 2026"),
        ("early 2027", "Early 2027"),
        ("mid 2026", "Mid 2026"),
    ],
)
def test_a_rough_date_renders_as_words_without_a_countdown(text: str, words: str) -> None:
    release = parse_release(text)
    assert release.words() == words
    assert release.render() == f"{words} (no exact date announced)"
    assert "<t:" not in release.render()
    assert ":R>" not in release.render()


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("2026-12-05 17:00 KST", ("5 December 2026", "17:00", "+09:00")),
        ("2026-12-05 03:00 -05:00", ("5 December 2026", "03:00", "-05:00")),
        ("2026-12-05 17:00 Asia/Kolkata", ("5 December 2026", "17:00", "+05:30")),
        ("2026-12-05 08:00 UTC", ("5 December 2026", "08:00", "UTC")),
    ],
)
def test_an_instant_in_words_says_the_day_the_time_and_its_offset(typed: str, parts: tuple[str, ...]) -> None:
    words = parse_typed_release(typed).words()
    for part in parts:
        assert part in words
    assert "<t:" not in words


# --- parse_release on stored texts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2026-12-05T17:00:00+09:00", dt.datetime(2026, 12, 5, 17, tzinfo=KST)),
        ("2026-12-05T17:00+09:00", dt.datetime(2026, 12, 5, 17, tzinfo=KST)),
        ("2026-12-05T08:00:00Z", dt.datetime(2026, 12, 5, 8, tzinfo=dt.UTC)),
        ("2026-12-05T03:00:00-05:00", dt.datetime(2026, 12, 5, 8, tzinfo=dt.UTC)),
    ],
)
def test_stored_instants_read_back_as_instants(text: str, instant: dt.datetime) -> None:
    release = parse_release(text)
    assert release.text == text
    assert release.instant == instant
    assert release.day is None
    assert is_release_text(text)


def test_a_stored_day_reads_back_as_a_day() -> None:
    release = parse_release("2026-12-05")
    assert release.day == dt.date(2026, 12, 5)
    assert release.instant is None


@pytest.mark.parametrize("text", ["2026-12", "2026", "early 2026", "mid 2026", "late 2026"])
def test_stored_rough_dates_read_back_as_rough(text: str) -> None:
    release = parse_release(text)
    assert release.text == text
    assert release.instant is None
    assert release.day is None
    assert is_release_text(text)


def test_a_stored_day_that_does_not_exist_is_refused() -> None:
    with pytest.raises(DateError, match="is not a real date"):
        parse_release("2026-02-30")


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "Late 2026",  # stored rough dates are lower case; only typed ones are forgiven
        "2026-12-05 17:00 KST",  # a typed form, not a stored one
        "2026-12-05T17:00",  # an instant without an offset
        "soon",
        "",
    ],
)
def test_text_that_is_no_stored_form_is_refused(text: str) -> None:
    with pytest.raises(DateError, match="is not a release date"):
        parse_release(text)


def test_a_date_error_is_a_value_error() -> None:
    assert issubclass(DateError, ValueError)


# --- digits of other scripts (found by the fuzz tests) -----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("２０２７-０３", "2027-03"),
        ("２０２７", "2027"),
        ("late ２０２７", "late 2027"),
        ("２０２６-１２-０５ 17:00 KST", "2026-12-05T17:00:00+09:00"),
        ("2026-12-05 １７:００ KST", "2026-12-05T17:00:00+09:00"),
    ],
)
def test_full_width_digits_are_read_as_the_digits_they_are(typed: str, stored: str) -> None:
    # Python's \d matched them, so "２０２７-０３" used to be stored as typed, in no form the data pack uses.
    assert parse_typed_release(typed).text == stored


@pytest.mark.parametrize("typed", ["٢٠٢٧-٠٣-٠٥", "۲۰۲۷", "२०२७-०३", "2️⃣0️⃣2️⃣7️⃣"])
def test_digits_of_other_scripts_are_not_read_as_a_date(typed: str) -> None:
    with pytest.raises(DateError, match="I couldn't read"):
        parse_typed_release(typed)


def test_news_dates_take_full_width_digits_and_refuse_other_scripts() -> None:
    from bot.dates import check_rough_date

    assert check_rough_date("２０２６-１１-２０") == "2026-11-20"
    with pytest.raises(DateError, match="is not a date"):
        check_rough_date("٢٠٢٦")
