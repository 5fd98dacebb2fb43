"""The one time parser: offsets and zones, Chinese dates with their time of day, relative and
part-of-day times against the crawl's clock, and no exception on bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.timeparse import parse_time, parse_when, read_time
from core.tz import BEIJING

NOW = datetime(2026, 8, 21, 16, 0, tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Chinese sites: relative, day words, part of day, against the crawl's clock
        ("3分钟前", "2026-08-21T15:57:00+08:00"),
        ("5 分鐘前", "2026-08-21T15:55:00+08:00"),
        ("半小时前", "2026-08-21T15:30:00+08:00"),
        ("2 小時前", "2026-08-21T14:00:00+08:00"),
        ("两天前", "2026-08-19T16:00:00+08:00"),
        ("刚刚", "2026-08-21T16:00:00+08:00"),
        ("昨天 14:20", "2026-08-20T14:20:00+08:00"),
        ("昨天", "2026-08-20T00:00:00+08:00"),
        ("前天", "2026-08-19T00:00:00+08:00"),
        ("今天 下午3:30", "2026-08-21T15:30:00+08:00"),
        ("下午3:30", "2026-08-21T15:30:00+08:00"),
        ("凌晨3:30", "2026-08-21T03:30:00+08:00"),
        ("晚8:00", "2026-08-20T20:00:00+08:00"),  # still ahead today: yesterday evening
        ("上午10点05分", "2026-08-21T10:05:00+08:00"),
        ("10:36", "2026-08-21T10:36:00+08:00"),
        ("07-03 10:36", "2026-07-03T10:36:00+08:00"),
        ("12-30 10:00", "2025-12-30T10:00:00+08:00"),
        ("8月3日 下午2:15", "2026-08-03T14:15:00+08:00"),
        # Chinese dates keep their time of day
        ("2016年3月20日 21時40分", "2016-03-20T21:40:00+08:00"),
        ("2015年04月08日10点05", "2015-04-08T10:05:00+08:00"),
        ("2018年12月28日 19:55", "2018-12-28T19:55:00+08:00"),
        ("2026年08月21日 星期五 09:30", "2026-08-21T09:30:00+08:00"),
        ("2026-09-11-10:20:30", "2026-09-11T10:20:30+08:00"),
        ("2026/07/31", "2026-07-31T00:00:00+08:00"),
        ("2026.07.31 08:01", "2026-07-31T08:01:00+08:00"),
        ("发布时间：2026-08-21 09:30 来源：新华社", "2026-08-21T09:30:00+08:00"),
        ("２０２６年８月２１日　１０：３６", "2026-08-21T10:36:00+08:00"),
        ("2026-08-21 10:36:00 CST", "2026-08-21T10:36:00+08:00"),
        ("2026-08-21 10:36 北京时间", "2026-08-21T10:36:00+08:00"),
        # W3DTF / ISO
        ("2026-11-20T10:31:00Z", "2026-11-20T10:31:00+00:00"),
        ("2024-01-05T07:08:09.25-05:00", "2024-01-05T07:08:09.250000-05:00"),
        ("2024-01-05T07:08:09+0530", "2024-01-05T07:08:09+05:30"),
        ("2024-01", "2024-01-01T00:00:00+08:00"),
        ("2024", "2024-01-01T00:00:00+08:00"),
        ("20240105T070809Z", "2024-01-05T07:08:09+00:00"),
        ("2021-011-07T01:02:03+00:00", "2021-11-07T01:02:03+00:00"),
        ("2024-02-29 23:59:58 -00:30", "2024-02-29T23:59:58-00:30"),
        # RFC 822 and English forms: every zone honoured
        ("Wed, 25 Nov 2026 08:00:00 GMT", "2026-11-25T08:00:00+00:00"),
        ("Fri, 09 Feb 2024 11:12:13 -0000", "2024-02-09T11:12:13+00:00"),
        ("Fri,09 Feb 2024 11:12:13 -0000", "2024-02-09T11:12:13+00:00"),
        ("Tue, 07 May 2019 06:30:00 MET", "2019-05-07T06:30:00+01:00"),
        ("Tue, 07 May 2019 06:30:00 MEST", "2019-05-07T06:30:00+02:00"),
        ("Tue, 07 May 2019 06:30:00 ET", "2019-05-07T06:30:00-05:00"),
        ("Tue, 07 May 2019 06:30:00 PT", "2019-05-07T06:30:00-08:00"),
        ("Tue, 07 May 2019 06:30:00 GMT-01:01", "2019-05-07T06:30:00-01:01"),
        ("Tue, 07 May 2019 06:30:00 Etc/GMT", "2019-05-07T06:30:00+00:00"),
        ("Tue, 07 May 2019 06:30 UTC", "2019-05-07T06:30:00+00:00"),
        ("Tue, 07 May, 2019 06:30:00 UTC", "2019-05-07T06:30:00+00:00"),
        ("Tue, 7 May 19 06:30:00 GMT", "2019-05-07T06:30:00+00:00"),
        ("Tue, 07 May 2019", "2019-05-07T00:00:00+08:00"),
        ("Mon, 03 February 2020 10:11:12 CT", "2020-02-03T10:11:12-06:00"),
        ("Wed Mar 11 2020 09:10:11 +0200", "2020-03-11T09:10:11+02:00"),
        ("Wed Mar 11 09:10:11 +0000 2020", "2020-03-11T09:10:11+00:00"),
        ("June 10, 2003 4:05 PM", "2003-06-10T16:05:00+08:00"),
        ("5 minutes ago", "2026-08-21T15:55:00+08:00"),
        ("2 hours ago", "2026-08-21T14:00:00+08:00"),
        ("an hour ago", "2026-08-21T15:00:00+08:00"),
        ("yesterday 3:30 pm", "2026-08-20T15:30:00+08:00"),
        ("3天", "2026-08-18T16:00:00+08:00"),  # a bare age in a time field
        ("1年3个月", "2025-05-21T16:00:00+08:00"),
        ("2周，3天，4小时前", "2026-08-04T12:00:00+08:00"),
        ("约5小时前", "2026-08-21T11:00:00+08:00"),
        ("2019年5月7日(二) 08時05分", "2019-05-07T08:05:00+08:00"),
        ("2019年5月0708:05", "2019-05-07T08:05:00+08:00"),
        ("2019年5月", "2019-05-01T00:00:00+08:00"),
        ("190507", "2019-05-07T00:00:00+08:00"),
        ("-1905", "2019-05-01T00:00:00+08:00"),
        ("19127", "2019-05-07T00:00:00+08:00"),
        ("Tue, 07 May 2019 06:30:00 AT", "2019-05-07T06:30:00-04:00"),
    ],
)
def test_readings(text: str, expected: str) -> None:
    moment = parse_time(text, now=NOW)
    assert moment is not None, read_time(text, now=NOW).reason
    assert moment.isoformat() == expected


def test_cst_is_us_central_only_on_non_chinese_sources() -> None:
    text = "Tue, 07 May 2019 06:30:00 CST"
    assert parse_time(text).utcoffset().total_seconds() == 8 * 3600  # type: ignore[union-attr]
    english = parse_time(text, chinese_source=False)
    assert english is not None and english.utcoffset().total_seconds() == -6 * 3600  # type: ignore[union-attr]


def test_utc_stamps_land_on_the_right_beijing_day() -> None:
    moment = parse_time("2026-08-20T17:30:00Z")
    assert moment is not None and moment.astimezone(BEIJING).date().isoformat() == "2026-08-21"


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31T23:59:59-99:99",
        "Fri, 31 Dec 9999 23:59:59 -9999",
        "2024-01-05T25:14:55Z",
        "2024-01-05T10:61:55Z",
        "Sun, 16 Dec 2012 1:2:3:4 GMT",
        "Sun, 16 Dec 2012 11:47:32 +zz:00",
        "Sun, 99 Jun 2009 12:00:00 GMT",
        "2013-xx-27",
        "阅读 1234",
        "",
        "   ",
        "\x00\x01",
        "前天 99:99",
        "2019-05-07-08",
        "2019-05-07T06:30:00-05:00Textra",
        "2019-05-07T06:xx:00Z",
        "Tue, 07 May 2019 06:30:00 +00:zz",
    ],
)
def test_bad_input_gives_no_time_and_a_reason(text: str) -> None:
    reading = read_time(text, now=NOW)
    assert reading.moment is None and reading.reason


def test_non_strings_and_epochs() -> None:
    assert read_time(None).reason == "no time given"
    assert parse_time(["2024"]) is None
    assert parse_time("1795500000").timestamp() == 1795500000  # type: ignore[union-attr]
    assert parse_time("1795500000000").timestamp() == 1795500000  # type: ignore[union-attr]
    assert parse_time(1795500000) == datetime.fromtimestamp(1795500000, UTC)


def test_precision_tells_a_date_from_a_date_time() -> None:
    assert not read_time("2026-08-21").has_clock
    assert read_time("2026-08-21 10:36").has_clock
    assert read_time("2015年04月08日10点05").has_clock


def test_cli_spans_and_dates() -> None:
    assert parse_when("7d", now=NOW) == datetime(2026, 8, 14, 16, 0, tzinfo=BEIJING)
    assert parse_when("2026-06-01") == datetime(2026, 6, 1, tzinfo=BEIJING)
    assert parse_when("2026-06-01T09:30").hour == 9
    with pytest.raises(ValueError, match="not a date"):
        parse_when("bogus")
