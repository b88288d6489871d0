# test_schedules.py - recurring sends through the real daemons: a schedule every second
# makes each firing once across SIGKILLs of every daemon; firings missed while the router
# was down follow each misfire policy (with schedules.misfire_grace shortened, so no test
# waits a minute); pause and resume; the API's and notifyctl's answers; bad input refused
# with the field, nothing stored.

import json
import time
from datetime import datetime

from notify_stack import wait_for

HOOK = "hook"


def hook_stack(make_stack, receiver, **settings):
    stack = make_stack(settings=settings,
                       providers={"fast-hook": {"type": "webhook", "url": receiver.url}},
                       channels={HOOK: ["fast-hook"]})
    stack.start()
    return stack


def add(stack, name, expect=201, **fields):
    body = {"name": name, "notification": {"channel": HOOK, "body": f"from {name}"}}
    body.update(fields)
    res = stack.request("POST", "/v1/schedules", body=body)
    assert res.status == expect, f"POST /v1/schedules {name}: {res!r}"
    return res.json


def instant(text):
    return datetime.fromisoformat(text).timestamp()


def history(stack, name, limit=1000):
    res = stack.request("GET", f"/v1/schedules/{name}/history?limit={limit}")
    assert res.status == 200, res
    return res.json["history"]


def firings_of(stack, name):
    """(firing time in ms, notification id) of every notification the schedule made."""
    return stack.store_query(
        "SELECT at, notification_id FROM schedule_firings WHERE schedule = ? AND outcome = 'made'"
        " ORDER BY at", name)


def made_by(stack, name):
    return {r[0] for r in stack.store_query(
        "SELECT id FROM notifications WHERE source = ?", f"schedule:{name}")}


def test_each_firing_is_made_once_across_sigkill_of_every_daemon(http_receiver, make_stack):
    receiver = http_receiver()
    stack = hook_stack(make_stack, receiver)
    view = add(stack, "tick", every="1s")
    assert view["every"] == "1s" and view["misfire"] == "once" and view["paused"] is False

    for round_ in range(3):
        # Kill at varying points between firings, so that some kill lands mid-firing.
        wait_for(lambda: len(firings_of(stack, "tick")) >= 3 * (round_ + 1), 30,
                 "firings before the kill", check=stack.check_running)
        time.sleep(0.15 * round_)
        for name in ("router", "worker", "ingest"):
            stack.kill(name)
        time.sleep(1.2)  # a firing falls due while nothing runs
        stack.start()
    wait_for(lambda: len(firings_of(stack, "tick")) >= 12, 30, "firings after the kills",
             check=stack.check_running)
    assert stack.request("POST", "/v1/schedules/tick/pause").status == 200
    rows = firings_of(stack, "tick")
    times = [at for at, _ in rows]
    # Every firing of the period, none twice, none skipped (the default grace of a minute
    # covers the downtime, so each missed one is made on restart).
    assert times == list(range(times[0], times[0] + 1000 * len(times), 1000)), times
    made = made_by(stack, "tick")
    assert made == {nid for _, nid in rows}, "a notification without its firing, or the reverse"

    # Each made one is delivered, once.
    wait_for(lambda: len({r.json["notification_id"] for r in receiver.snapshot()}) >= len(made),
             30, "every firing's delivery at the receiver", check=stack.check_running)
    delivered = {}
    for r in receiver.snapshot():
        delivered[r.json["notification_id"]] = delivered.get(r.json["notification_id"], 0) + 1
    assert set(delivered) == made
    listed = stack.request("GET", "/v1/notifications?schedule=tick&limit=1000").json
    assert {n["id"] for n in listed["notifications"]} == made


def test_missed_firings_follow_each_misfire_policy(http_receiver, make_stack):
    receiver = http_receiver()
    stack = hook_stack(make_stack, receiver, **{"schedules.misfire_grace": "1s",
                                                "schedules.misfire_cap": 2})
    for policy in ("once", "all", "skip"):
        add(stack, f"p-{policy}", every="1s", misfire=policy)
    wait_for(lambda: all(firings_of(stack, f"p-{p}") for p in ("once", "all", "skip")), 30,
             "a firing of each", check=stack.check_running)
    stack.kill("router")
    down_at = time.time()
    time.sleep(6)
    before = {p: len(firings_of(stack, f"p-{p}")) for p in ("once", "all", "skip")}
    stack.start("router")
    wait_for(lambda: all(any(h["outcome"] == "missed" for h in history(stack, f"p-{p}"))
                         for p in ("once", "all", "skip")), 30,
             "each schedule to record what it missed", check=stack.check_running)

    def late(p):
        return [h for h in history(stack, f"p-{p}")
                if h["outcome"] in ("made", "missed") and "late" in h["detail"]]

    missed = {p: [h for h in history(stack, f"p-{p}") if h["outcome"] == "missed"]
              for p in ("once", "all", "skip")}
    for p, rows in missed.items():
        assert len(rows) == 1, (p, rows)
    # once: one notification for the run, the rest counted as missed.
    once_made = [h for h in late("once") if h["outcome"] == "made"]
    assert len(once_made) == 1, history(stack, "p-once")
    assert missed["once"][0]["firings"] >= 3
    assert "misfire once" in missed["once"][0]["detail"]
    # all: one each up to the cap of 2, the rest counted.
    all_made = [h for h in late("all") if h["outcome"] == "made"]
    assert len(all_made) == 2, history(stack, "p-all")
    assert missed["all"][0]["firings"] >= 2
    assert "schedules.misfire_cap" in missed["all"][0]["detail"]
    # skip: nothing for the run.
    assert not [h for h in late("skip") if h["outcome"] == "made"], history(stack, "p-skip")
    assert missed["skip"][0]["firings"] >= 4
    assert "misfire skip" in missed["skip"][0]["detail"]
    # The counts add up: each late firing is either made or counted missed.
    n_once = missed["once"][0]["firings"] + 1
    n_skip = missed["skip"][0]["firings"]
    n_all = missed["all"][0]["firings"] + 2
    assert abs(n_once - n_skip) <= 1 and abs(n_all - n_skip) <= 1, (n_once, n_all, n_skip)
    assert n_skip <= time.time() - down_at + 1
    # Made ones reach the receiver; after the restart every schedule goes on on time.
    wait_for(lambda: all(len(firings_of(stack, f"p-{p}")) >= before[p] + 3
                         for p in ("once", "all", "skip")), 30, "firings on time again",
             check=stack.check_running)


def test_pause_and_resume(http_receiver, make_stack):
    receiver = http_receiver()
    stack = hook_stack(make_stack, receiver)
    add(stack, "pulse", every="1s")
    wait_for(lambda: len(firings_of(stack, "pulse")) >= 2, 30, "two firings",
             check=stack.check_running)
    paused = stack.request("POST", "/v1/schedules/pulse/pause")
    assert paused.status == 200 and paused.json["paused"] is True
    assert paused.json["next_at"] is None
    count = len(firings_of(stack, "pulse"))
    time.sleep(2.5)
    assert len(firings_of(stack, "pulse")) == count, "a paused schedule fired"
    resumed_at = time.time()
    resumed = stack.request("POST", "/v1/schedules/pulse/resume")
    assert resumed.status == 200 and resumed.json["paused"] is False
    wait_for(lambda: len(firings_of(stack, "pulse")) >= count + 2, 30, "firings after resume",
             check=stack.check_running)
    # What fell due while it was paused is not made late.
    new = [at for at, _ in firings_of(stack, "pulse")][count:]
    assert min(new) / 1000 >= resumed_at - 0.05, (new, resumed_at)
    assert not [h for h in history(stack, "pulse") if h["outcome"] == "missed"]


def test_schedules_over_the_api(http_receiver, make_stack):
    receiver = http_receiver()
    stack = hook_stack(make_stack, receiver)
    view = add(stack, "standup", cron="0 9 * * MON-FRI", timezone="Asia/Shanghai",
               misfire="skip", notification={"channel": HOOK, "body": "stand up",
                                             "priority": "high", "expires_in": "30m"})
    assert view["describe"] == "cron 0 9 * * MON-FRI Asia/Shanghai"
    assert view["next_at"].endswith("T09:00:00+08:00")
    assert view["notification"]["expires_in"] == "30m"
    again = add(stack, "standup", cron="@daily", expect=409)
    assert again["error"]["code"] == "schedule_exists"

    shown = stack.request("GET", "/v1/schedules/standup").json
    assert len(shown["next_firings"]) == 5
    assert all(t.endswith("T09:00:00+08:00") for t in shown["next_firings"])
    assert shown["next_firings"][0] == view["next_at"]

    replaced = stack.request("PUT", "/v1/schedules/standup", body={
        "cron": "30 8 1 */3 *", "timezone": "Europe/London",
        "notification": {"channel": HOOK, "body": "quarterly"}})
    assert replaced.status == 200, replaced
    assert replaced.json["cron"] == "30 8 1 */3 *"
    # Replaced, not made anew: created when it was first added, shown in its new zone.
    assert instant(replaced.json["created_at"]) == instant(view["created_at"])
    assert replaced.json["timezone"] == "Europe/London"
    listed = stack.request("GET", "/v1/schedules").json["schedules"]
    assert [s["name"] for s in listed] == ["standup"]

    once = stack.request("PUT", "/v1/schedules/once", body={
        "at": "now+1s", "notification": {"channel": HOOK, "body": "just once"}})
    assert once.status == 201, once
    # A page at a time, by name.
    first = stack.request("GET", "/v1/schedules?limit=1").json
    assert [v["name"] for v in first["schedules"]] == ["once"] and first["next"] == "once"
    rest = stack.request("GET", "/v1/schedules?limit=1&after=once").json
    assert [v["name"] for v in rest["schedules"]] == ["standup"] and rest["next"] is None
    assert stack.request("GET", "/v1/schedules?limit=0").status == 400
    wait_for(lambda: firings_of(stack, "once"), 30, "the one-shot firing",
             check=stack.check_running)
    ended = stack.request("GET", "/v1/schedules/once").json
    assert ended["next_at"] is None and ended["next_firings"] == []
    nid = firings_of(stack, "once")[0][1]
    assert stack.wait_final(nid)["states"] == {"sent": 1}

    assert stack.request("DELETE", "/v1/schedules/once").status == 200
    assert stack.request("GET", "/v1/schedules/once").status == 404
    kept = stack.request("GET", "/v1/schedules/once/history").json["history"]
    assert [h["notification_id"] for h in kept] == [nid]
    assert stack.request("DELETE", "/v1/schedules/once").status == 404
    assert stack.request("POST", "/v1/schedules/nothing/pause").status == 404

    # A read key reads, but cannot change.
    reader = stack.api_key("read")
    assert stack.request("GET", "/v1/schedules", key=reader).status == 200
    assert stack.request("DELETE", "/v1/schedules/standup", key=reader).status == 403


def test_bad_schedules_are_refused_with_the_field_and_nothing_is_stored(http_receiver,
                                                                        make_stack):
    receiver = http_receiver()
    stack = hook_stack(make_stack, receiver)
    cases = [
        ({"cron": "60 * * * *"}, "cron", "minute"),
        ({"cron": "0 9 * *"}, "cron", "has 5 fields"),
        ({"cron": "0 9 * * *", "timezone": "Mars/Olympus"}, "timezone", "Mars/Olympus"),
        ({"every": "0s"}, "every", "at least 1s"),
        ({"every": "1m", "until": "2020-01-01T00:00:00Z"}, "until", "not in the future"),
        ({"at": "2020-01-01T00:00:00Z"}, "at", "not in the future"),
        ({"cron": "@daily", "every": "1h"}, "every", "only one"),
        ({}, "cron", "one of"),
        ({"every": "1m", "misfire": "sometimes"}, "misfire", "once, all or skip"),
        ({"every": "1m", "notification": {"channel": HOOK, "body": "x",
                                          "send_at": "now+1h"}}, "notification.send_at",
         "set by each firing"),
        ({"every": "1m", "notification": {"channel": "pager", "body": "x"}},
         "notification.channel", "pager"),
        ({"every": "1m", "notification": {"channel": HOOK, "to": ["user:nobody"],
                                          "body": "x"}}, "notification.to", "nobody"),
        ({"every": "1m", "name": "no spaces"}, "name", "not a schedule name"),
        ({"every": "1m", "colour": "red"}, "colour", "unknown field"),
    ]
    for fields, field, words in cases:
        body = {"name": "bad", "notification": {"channel": HOOK, "body": "x"}}
        body.update(fields)
        res = stack.request("POST", "/v1/schedules", body=body)
        assert res.status == 422, (fields, res)
        err = res.json["error"]
        assert err["field"] == field, (fields, err)
        assert words in err["message"], (fields, err)
    assert stack.request("GET", "/v1/schedules").json["schedules"] == []
    assert stack.store_query("SELECT count(*) FROM schedules") == [(0,)]


def test_notifyctl_manages_schedules(http_receiver, make_stack):
    receiver = http_receiver()
    stack = hook_stack(make_stack, receiver)
    res = stack.ctl("schedule", "add", "standup", "--cron", "0 9 * * MON-FRI", "--tz",
                    "Asia/Shanghai", "--channel", HOOK, "--priority", "high", "stand up")
    assert res.returncode == 0, res.stderr
    name, next_line = res.stdout.splitlines()
    assert name == "standup" and next_line.startswith("next: ")
    assert next_line.endswith("T09:00:00+08:00")
    res = stack.ctl("schedule", "add", "standup", "--cron", "@daily", "--channel", HOOK, "x")
    assert res.returncode == 65 and "--replace" in res.stderr, res
    res = stack.ctl("schedule", "add", "standup", "--replace", "--cron", "@daily", "--channel",
                    HOOK, "x")
    assert res.returncode == 0, res.stderr
    res = stack.ctl("schedule", "add", "tick", "--every", "1s", "--channel", HOOK, "--expires-in",
                    "10m", "tick")
    assert res.returncode == 0, res.stderr
    wait_for(lambda: len(firings_of(stack, "tick")) >= 2, 30, "two firings",
             check=stack.check_running)

    table = stack.ctl("schedule", "ls")
    assert table.returncode == 0, table.stderr
    rows = [line.split() for line in table.stdout.splitlines()[1:]]
    assert [r[0] for r in rows] == ["standup", "tick"]
    shown = stack.ctl("schedule", "show", "standup")
    assert shown.returncode == 0 and "cron @daily" in shown.stdout, shown
    assert stack.ctl("schedule", "pause", "tick").returncode == 0
    made = {nid for _, nid in firings_of(stack, "tick")}
    hist = stack.ctl("--json", "schedule", "history", "tick")
    assert hist.returncode == 0, hist.stderr
    assert {json.loads(line)["notification_id"] for line in hist.stdout.splitlines()} == made
    listed = stack.ctl("ls", "--schedule", "tick")
    assert listed.returncode == 0, listed.stderr
    assert {line.split()[0] for line in listed.stdout.splitlines()[1:]} == made
    assert stack.ctl("schedule", "resume", "tick").returncode == 0
    assert stack.ctl("schedule", "rm", "tick").returncode == 0
    gone = stack.ctl("schedule", "show", "tick")
    assert gone.returncode != 0 and "no schedule 'tick'" in gone.stderr

    # Refused before anything is sent, with the flag; or by the service, with the field.
    for args, words in [(["--cron", "60 * * * *"], "--cron: minute"),
                        (["--cron", "@daily", "--tz", "Mars/Olympus"], "--tz"),
                        (["--every", "0s"], "--every"),
                        (["--every", "1m", "--until", "2020-01-01"], "--until"),
                        (["--every", "1m", "--to", "user:nobody"], "notification.to")]:
        res = stack.ctl("schedule", "add", "bad", *args, "--channel", HOOK, "x")
        assert res.returncode == 65, (args, res)
        assert words in res.stderr, (args, res.stderr)
    assert stack.store_query("SELECT name FROM schedules ORDER BY name") == [("standup",)]
