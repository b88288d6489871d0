# test_holds.py - holds through the real daemons. Low-priority bulk waits for
# the calendar's working hours to end: on an adjusted working Saturday-like day
# (a weekday left out of calendar.workdays that the file makes a workday), and
# not on a holiday; a high-priority send at the same moment goes at once, and
# a send counting calendar.bulk_min recipients is bulk without the flag. Quiet
# hours hold a medium delivery to a user in Asia/Shanghai and release it at
# their end, across a kill -9 of the router; a high one passes; one that
# expires while held ends expired. Hours are given to the second, so that no
# test waits a minute.

import datetime as dt
from zoneinfo import ZoneInfo

from notify_stack import wait_for

DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
HOLD = 15  # seconds from writing the config to the end of the hours


def midday_zone():
    """An Etc/GMT zone in which it is now between 12:00 and 13:00, so that hours
    a minute either side of now never run across midnight."""
    ahead = 12 - dt.datetime.now(dt.timezone.utc).hour
    return "Etc/GMT" + ("-" if ahead > 0 else "+") + str(abs(ahead))


def window(zone, seconds):
    """HH:MM:SS-HH:MM:SS in `zone`: from a minute ago to `seconds` from now, and
    that end as an instant."""
    now = dt.datetime.now(ZoneInfo(zone))
    end = (now + dt.timedelta(seconds=seconds)).replace(microsecond=0)
    start = now - dt.timedelta(minutes=1)
    return f"{start:%H:%M:%S}-{end:%H:%M:%S}", end


def rfc3339(instant):
    return instant.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def instant(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def final_states(stack, notification_id, timeout=20):
    doc = stack.wait_final(notification_id, timeout=timeout)
    return sorted(d["state"] for d in doc["deliveries"])


def sent_at(doc):
    (at,) = [e["at"] for e in doc["events"] if e["type"] == "sent"]
    return instant(at)


def events(stack, notification_id, kind):
    return [e for e in stack.get(notification_id)["events"] if e["type"] == kind]


def states(stack, notification_id):
    return sorted(d["state"] for d in stack.get(notification_id)["deliveries"])


def calendar_stack(make_stack, receiver, name, workdays, day_kind, extra=None):
    """A stack whose calendar has working hours from a minute ago to HOLD seconds
    from now, today listed in its file as `day_kind`."""
    zone = midday_zone()
    hours, end = window(zone, HOLD)
    today = dt.datetime.now(ZoneInfo(zone)).date()
    settings = {"calendar.timezone": zone, "calendar.hours": hours,
                "calendar.workdays": workdays, "calendar.file": "days.txt"}
    settings.update(extra or {})
    stack = make_stack(settings=settings,
                       providers={"hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["hook"]})
    (stack.dir / "days.txt").write_text(f"{today.isoformat()} {day_kind} {name}\n")
    stack.start()
    return stack, end, today


def test_low_priority_bulk_waits_for_working_hours_on_an_adjusted_workday(http_receiver,
                                                                          make_stack):
    receiver = http_receiver()
    zone_today = dt.datetime.now(ZoneInfo(midday_zone())).date()
    # Today's weekday is not a working day by the weekday rule: only the file
    # makes it one, as China's make-up Saturdays are.
    others = [d for i, d in enumerate(DAYS) if i != zone_today.weekday()]
    stack, end, _ = calendar_stack(make_stack, receiver, "make-up day", others, "workday",
                                   {"calendar.bulk_min": 3})
    days = stack.ctl("calendar", "show", "--days", "1", "--json")
    assert days.returncode == 0, days.stderr
    assert '"kind":"adjusted-workday"' in days.stdout, days.stdout

    bulk = stack.submit(channel="hook", body="newsletter", priority="low", bulk=True)["id"]
    urgent = stack.submit(channel="hook", body="outage", priority="high", bulk=True)["id"]
    medium = stack.submit(channel="hook", body="report", priority="medium", bulk=True)["id"]
    for uid in ("a", "b", "c"):
        assert stack.ctl("user", "add", uid, "--identity", f"hook={uid}-hook").returncode == 0
    # Three users reach calendar.bulk_min: bulk without the flag.
    sized = stack.submit(channel="hook", to=["user:a", "user:b", "user:c"], body="digest",
                         priority="low")["id"]
    assert stack.get(sized).get("bulk") is True
    assert stack.get(bulk)["bulk"] is True

    assert final_states(stack, urgent) == ["sent"]
    assert final_states(stack, medium) == ["sent"]
    held = wait_for(lambda: events(stack, bulk, "held"), 10, "the bulk send to be held",
                    check=stack.check_running)
    assert held[0]["detail"] == f"until {rfc3339(end)} (working hours)", held
    wait_for(lambda: len(events(stack, sized, "held")) == 3, 10, "the fan-out to be held",
             check=stack.check_running)
    assert states(stack, bulk) == ["scheduled"]
    assert all(r.json.get("body") != "newsletter" for r in receiver.snapshot())

    doc = stack.wait_final(bulk, timeout=HOLD + 15)
    assert [d["state"] for d in doc["deliveries"]] == ["sent"]
    assert sent_at(doc) >= end, (doc["events"], end)
    assert [e["detail"] for e in doc["events"] if e["type"] == "queued"][-1] == "hold ended"
    assert final_states(stack, sized) == ["sent", "sent", "sent"]


def test_a_holiday_holds_no_bulk(http_receiver, make_stack):
    receiver = http_receiver()
    stack, _, _ = calendar_stack(make_stack, receiver, "National Day", DAYS, "holiday")
    bulk = stack.submit(channel="hook", body="newsletter", priority="low", bulk=True)["id"]
    doc = stack.wait_final(bulk, timeout=HOLD - 2)
    assert [d["state"] for d in doc["deliveries"]] == ["sent"]
    assert sent_at(doc) < instant(doc["created_at"]) + dt.timedelta(seconds=HOLD - 2)
    assert not [e for e in doc["events"] if e["type"] == "held"]


def test_quiet_hours_hold_a_user_in_shanghai_until_they_end(http_receiver, make_stack):
    receiver = http_receiver()
    stack = make_stack(providers={"hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["hook"]})
    stack.start()
    quiet, end = window("Asia/Shanghai", HOLD)
    res = stack.ctl("user", "add", "ann", "--identity", "hook=ann-hook", "--tz", "Asia/Shanghai",
                    "--quiet-hours", quiet)
    assert res.returncode == 0, res.stderr

    medium = stack.submit(channel="hook", to="user:ann", body="weekly report")["id"]
    again = stack.submit(channel="hook", to="user:ann", body="digest")["id"]
    urgent = stack.submit(channel="hook", to="user:ann", body="page", priority="high")["id"]
    brief = stack.submit(channel="hook", to="user:ann", body="flash sale", priority="low",
                         expires_in="2s")["id"]
    assert final_states(stack, urgent) == ["sent"]
    held = wait_for(lambda: events(stack, medium, "held"), 10, "the medium send to be held",
                    check=stack.check_running)
    assert held[0]["detail"] == f"until {rfc3339(end)} (quiet hours)", held
    shown = stack.ctl("status", medium)
    assert f"held until {rfc3339(end)} (quiet hours)" in shown.stdout, shown.stdout
    short = wait_for(lambda: events(stack, brief, "held"), 10, "the brief send to be held")
    assert "it expires before then" in short[0]["detail"], short
    # Canceled and sent again within quiet hours, it is held again.
    wait_for(lambda: events(stack, again, "held"), 10, "the digest to be held")
    assert stack.ctl("cancel", again).returncode == 0
    assert stack.ctl("resend", again).returncode == 0
    assert len(events(stack, again, "held")) == 2, stack.get(again)["events"]
    assert states(stack, again) == ["scheduled"]

    # A router killed while they are held keeps the hold.
    stack.kill("router")
    stack.start("router")
    assert final_states(stack, brief) == ["expired"]
    assert states(stack, medium) == ["scheduled"]
    doc = stack.wait_final(medium, timeout=HOLD + 15)
    assert [d["state"] for d in doc["deliveries"]] == ["sent"]
    assert sent_at(doc) >= end, (doc["events"], end)
    # The restarted router still knows it was a hold that ended.
    assert [e["detail"] for e in doc["events"] if e["type"] == "queued"][-1] == "hold ended"
    assert final_states(stack, again) == ["sent"]
    bodies = [r.json.get("body") for r in receiver.snapshot()]
    assert bodies.count("weekly report") == 1 and "flash sale" not in bodies, bodies
    assert bodies.count("digest") == 1, bodies
