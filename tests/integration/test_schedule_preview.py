# test_schedule_preview.py - `notifyctl schedule preview` against an oracle
# written apart from it, over Python's zoneinfo: a cron reader of its own,
# Vixie cron's day rule, and the rule for changes of offset, where a wall time
# a spring-forward skips fires once at the first instant after the gap (found
# by searching the instants for the change) and one a fall-back repeats fires
# once, at its first occurrence (fold=0). It needs no daemon, store or
# configuration, and bad input exits 65 naming what is wrong.

import json
import os
import subprocess
import tempfile
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from notify_stack import BIN_DIR, clean_env

UTC = timezone.utc
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
          "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
          "@hourly": "0 * * * *"}


# --- the oracle ------------------------------------------------------------------------------

def field_values(text, low, high, names):
    def number(word):
        if word.upper() in names:
            return names.index(word.upper()) + (1 if low == 1 else 0)
        return int(word)
    values = set()
    for item in text.split(","):
        rng, _, step = item.partition("/")
        step = int(step) if step else 1
        if rng == "*":
            first, last = low, high
        elif "-" in rng:
            a, b = rng.split("-")
            first, last = number(a), number(b)
        else:
            first = number(rng)
            last = high if "/" in item else first  # 5/20: from 5 to the end
        values.update(range(first, last + 1, step))
    return values


class Oracle:
    def __init__(self, expression):
        fields = MACROS.get(expression.strip().lower(), expression).split()
        self.minutes = field_values(fields[0], 0, 59, [])
        self.hours = field_values(fields[1], 0, 23, [])
        self.days = field_values(fields[2], 1, 31, [])
        self.months = field_values(fields[3], 1, 12, MONTHS)
        self.weekdays = {d % 7 for d in field_values(fields[4], 0, 7, DAYS)}
        self.star = fields[2].startswith("*") or fields[4].startswith("*")

    def day_fires(self, d):
        if d.month not in self.months:
            return False
        by_day = d.day in self.days
        by_weekday = (d.weekday() + 1) % 7 in self.weekdays  # Python: Monday is 0
        return (by_day and by_weekday) if self.star else (by_day or by_weekday)

    def firings(self, zone, after, count):
        out = []
        day = after.astimezone(zone).date()
        while len(out) < count:
            if self.day_fires(day):
                for h in sorted(self.hours):
                    for m in sorted(self.minutes):
                        t = instant(datetime(day.year, day.month, day.day, h, m), zone)
                        if t > after and (not out or t > out[-1]):
                            out.append(t)
            day += timedelta(days=1)
        return out[:count]


def instant(wall, zone):
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first  # it exists; fold=0 is its first occurrence when it repeats
    # Skipped: the first instant whose offset is the one after the change,
    # between the wall time read with each offset.
    lo = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    hi = first
    after_offset = hi.astimezone(zone).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).utcoffset() == after_offset:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


# --- notifyctl -------------------------------------------------------------------------------

def preview(*args):
    # No configuration anywhere: a directory of its own, no NOTIFY_* variables.
    with tempfile.TemporaryDirectory() as home:
        env = clean_env()
        env["HOME"] = home
        env["XDG_CONFIG_HOME"] = home
        return subprocess.run([str(BIN_DIR / "notifyctl"), "schedule", "preview", *args],
                              capture_output=True, text=True, timeout=30, env=env, cwd=home)


def previewed(expression, zone, after, count):
    res = preview(expression, "--tz", zone, "--from", after.isoformat(), "--count", str(count))
    assert res.returncode == 0, (expression, zone, res.stderr)
    return res.stdout.splitlines()


EXPRESSIONS = [
    "*/15 * * * *", "0 * * * *", "30 2 * * *", "0 1-3 * * *", "*/20 1,2 * * *", "59 1 * * *",
    "0 9 * * MON-FRI", "15 10 1,15 * *", "0 9 1 * MON", "0 9 */2 * 1", "0 12 13 * FRI",
    "0 0 1 JAN,APR,jul,Oct *", "5/20 8-18/2 * * SAT,SUN", "0 22 * * 7", "0 0 29 2 *",
    "@yearly", "@monthly", "@weekly", "@daily", "@hourly",
]
ZONES_AND_DAYS = [
    # spring-forward and fall-back days, and Shanghai, which has none
    ("America/New_York", datetime(2026, 3, 7, 12, tzinfo=UTC)),
    ("America/New_York", datetime(2026, 10, 31, 12, tzinfo=UTC)),
    ("Europe/London", datetime(2026, 3, 28, 12, tzinfo=UTC)),
    ("Europe/London", datetime(2026, 10, 24, 12, tzinfo=UTC)),
    ("Asia/Shanghai", datetime(2026, 12, 31, 15, 59, 30, tzinfo=UTC)),
    ("Australia/Lord_Howe", datetime(2026, 10, 3, 12, tzinfo=UTC)),  # a half-hour change
    # Past the changes the zone files list (2037), by the rule that ends them.
    ("America/New_York", datetime(2041, 3, 9, 12, tzinfo=UTC)),
    ("Europe/Dublin", datetime(2040, 10, 27, 12, tzinfo=UTC)),  # winter is its summer time
    ("Australia/Lord_Howe", datetime(2040, 4, 1, 2, tzinfo=UTC)),
]


@pytest.mark.parametrize("zone,after", ZONES_AND_DAYS, ids=[f"{z}-{a:%m%d}" for z, a in ZONES_AND_DAYS])
def test_preview_agrees_with_an_oracle_over_zoneinfo(zone, after):
    for expression in EXPRESSIONS:
        count = 4 if expression in ("0 0 29 2 *", "@yearly") else 60
        want = [t.astimezone(ZoneInfo(zone)).isoformat()
                for t in Oracle(expression).firings(ZoneInfo(zone), after, count)]
        assert previewed(expression, zone, after, count) == want, (expression, zone)


def test_the_offsets_of_changes_are_those_of_the_zone():
    # The night New York springs forward: 02:30 does not exist and fires at 03:00 EDT;
    # the night it falls back, 01:30 fires once, in EDT.
    got = previewed("30 1,2 * * *", "America/New_York", datetime(2026, 3, 8, 5, tzinfo=UTC), 3)
    assert got == ["2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00",
                   "2026-03-09T01:30:00-04:00"]
    got = previewed("30 1 * * *", "America/New_York", datetime(2026, 11, 1, 4, tzinfo=UTC), 2)
    assert got == ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]
    # Leap days, from a century year that has none.
    got = previewed("0 0 29 2 *", "UTC", datetime(2097, 1, 1, tzinfo=UTC), 2)
    assert got == ["2104-02-29T00:00:00+00:00", "2108-02-29T00:00:00+00:00"]


def test_json_local_from_and_default_count():
    res = preview("0 9 * * MON-FRI", "--tz", "Asia/Shanghai", "--from", "2026-12-04 09:00",
                  "--count", "3", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc == {"expression": "0 9 * * MON-FRI", "timezone": "Asia/Shanghai",
                   "from": "2026-12-04T09:00:00+08:00",
                   "firings": ["2026-12-07T09:00:00+08:00", "2026-12-08T09:00:00+08:00",
                               "2026-12-09T09:00:00+08:00"]}
    res = preview("@hourly", "--tz", "UTC")
    assert res.returncode == 0 and len(res.stdout.splitlines()) == 10, res


@pytest.mark.parametrize("args,words", [
    (["60 * * * *"], "EXPR: minute: 60 is out of range 0-59"),
    (["0 25 * * *"], "EXPR: hour: 25 is out of range 0-23"),
    (["0 9 * * FUN"], "EXPR: day of week: 'FUN' is not a number or a name"),
    (["*/0 * * * *"], "EXPR: minute: a step of 0"),
    (["0 9 * *"], "EXPR: a cron expression has 5 fields"),
    (["0 0 31 2 *"], "EXPR: day of month: no month in '2' has a day in '31', so it never fires"),
    (["@reboot"], "is not one of @yearly"),
    (["@daily", "--tz", "Asia/Shangai"], "--tz: 'Asia/Shangai' is not a time zone"),
    (["@daily", "--tz", "../../etc/passwd"], "--tz: '../../etc/passwd' is not a time zone"),
    (["@daily", "--from", "someday"], "--from: invalid time 'someday'"),
])
def test_bad_input_exits_65_with_the_field_and_the_reason(args, words):
    res = preview(*args)
    assert res.returncode == 65, (args, res.returncode, res.stderr)
    assert words in res.stderr, (args, res.stderr)
    assert res.stdout == ""


def test_a_count_out_of_range_is_a_usage_error():
    for count in ("0", "100001", "many"):
        res = preview("@daily", "--count", count)
        assert res.returncode == 64, (count, res.stderr)


def test_no_configuration_is_read():
    # A configuration that does not load would fail every command that reads one.
    with tempfile.TemporaryDirectory() as d:
        broken = os.path.join(d, "notify.toml")
        with open(broken, "w") as f:
            f.write("this is not toml [")
        res = subprocess.run([str(BIN_DIR / "notifyctl"), "--config", broken, "schedule",
                              "preview", "@daily", "--tz", "UTC", "--count", "1"],
                             capture_output=True, text=True, timeout=30, env=clean_env())
        assert res.returncode == 0, res.stderr
        assert res.stdout.endswith("T00:00:00+00:00\n")
