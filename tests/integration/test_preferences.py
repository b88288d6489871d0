# test_preferences.py - sends to directory users through the real daemons: each
# user's locale picks the template (with fallback), opt-outs and global
# unsubscribes suppress, mandatory categories go through anyway, a frequency cap
# and the deduplication window hold, and every suppression says why.

import json
from pathlib import Path

from notify_stack import wait_for

STARTERS = Path(__file__).resolve().parents[2] / "templates"
DATA = {"code": "493021", "minutes": 10, "service": "Acme", "url": "https://example.com/r/1",
        "sender": "Acme Ops"}


def started(make_stack, receiver, settings=None):
    stack = make_stack(settings=settings,
                       providers={"hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["hook"],
                                 "capped": {"providers": ["hook"], "frequency_cap": "2/1h"}})
    stack.start()
    assert stack.ctl("template", "import", str(STARTERS)).returncode == 0
    return stack


def add_user(stack, uid, *args):
    res = stack.ctl("user", "add", uid, "--identity", f"hook={uid}-hook",
                    "--identity", f"capped={uid}-capped", *args)
    assert res.returncode == 0, res.stderr


def send(stack, **fields):
    doc = stack.submit(**fields)
    return stack.wait_final(doc["id"])


def only(doc):
    (d,) = doc["deliveries"]
    return d


def test_each_user_gets_the_template_in_their_locale(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    add_user(stack, "alice", "--name", "李丽", "--locale", "zh-CN")
    add_user(stack, "bob", "--name", "Bob", "--locale", "fr")
    doc = send(stack, channel="hook", to=["user:alice", "user:bob"], template="password-reset",
               data=DATA)
    assert sorted(d["state"] for d in doc["deliveries"]) == ["sent", "sent"], doc["deliveries"]
    by_to = {r.json["to"]: r.json for r in receiver.snapshot()}
    assert "密码" in by_to["alice-hook"]["subject"], by_to["alice-hook"]
    assert "李丽" in by_to["alice-hook"]["body"], "the directory's name fills {{user.name}}"
    assert by_to["bob-hook"]["subject"] == "Reset your Acme password", "fr falls back to en"
    assert "Hi Bob," in by_to["bob-hook"]["body"]


def test_opt_out_and_a_mandatory_category(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    add_user(stack, "carol")
    res = stack.ctl("user", "pref", "set", "carol", "--category", "marketing", "--opt-out")
    assert res.returncode == 0, res.stderr
    d = only(send(stack, channel="hook", to="user:carol", category="marketing", body="Sale!"))
    assert d["state"] == "suppressed", d
    assert "opted out of category 'marketing'" in d["last_error"], d

    d = only(send(stack, channel="hook", to="user:carol", category="billing", body="Invoice"))
    assert d["state"] == "sent", "other categories still arrive"

    assert stack.ctl("user", "unsubscribe", "carol").returncode == 0
    d = only(send(stack, channel="hook", to="user:carol", category="billing", body="Invoice 2"))
    assert d["state"] == "suppressed" and "unsubscribed" in d["last_error"], d
    d = only(send(stack, channel="hook", to="user:carol", category="security",
                  body="New sign-in from Berlin"))
    assert d["state"] == "sent", "a mandatory category is delivered despite the unsubscribe"
    bodies = [r.json["body"] for r in receiver.snapshot()]
    assert bodies == ["Invoice", "New sign-in from Berlin"], bodies

    status = stack.ctl("status", only(send(stack, channel="hook", to="user:carol",
                                            category="marketing", body="Sale 2"))["id"])
    assert "suppressed" in status.stdout and "unsubscribed" in status.stdout, status.stdout


def test_frequency_cap_per_user_and_channel(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    add_user(stack, "dave")
    states = [only(send(stack, channel="capped", to="user:dave", body=f"update {i}"))
              for i in range(3)]
    assert [d["state"] for d in states] == ["sent", "sent", "suppressed"], states
    assert "frequency cap 2/1h" in states[2]["last_error"], states[2]
    d = only(send(stack, channel="hook", to="user:dave", body="update 3"))
    assert d["state"] == "sent", "the cap is per channel"
    d = only(send(stack, channel="capped", to="user:dave", category="one-time-code",
                  body="code 111"))
    assert d["state"] == "sent", "a mandatory category is not capped"


def test_duplicate_inside_the_window_is_suppressed(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver, settings={"preferences.dedup_window": "10m"})
    add_user(stack, "erin")
    first = only(send(stack, channel="hook", to="user:erin", template="one-time-code",
                      data=DATA))
    again = only(send(stack, channel="hook", to="user:erin", template="one-time-code",
                      data=DATA))
    other = only(send(stack, channel="hook", to="user:erin", template="one-time-code",
                      data=dict(DATA, code="777111")))
    assert first["state"] == "sent" and other["state"] == "sent", (first, other)
    assert again["state"] == "suppressed", again
    assert f"duplicate of {first['id']}" in again["last_error"], again
    raw = [only(send(stack, channel="hook", to="erin-raw", body="same text"))["state"]
           for _ in range(2)]
    assert raw == ["sent", "suppressed"], "raw addresses are deduplicated too"
    assert receiver.count() == 3


def test_unknown_users_and_groups_are_refused(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    add_user(stack, "frank")
    res = stack.request("POST", "/v1/notifications",
                        body={"channel": "hook", "to": ["user:frank", "user:nobody"], "body": "x"})
    assert res.status == 422, res
    err = res.json["error"]
    assert err["code"] == "unknown_recipient" and err["field"] == "to", err
    assert "nobody" in err["message"], err
    res = stack.ctl("send", "--channel", "hook", "--to", "group:ghosts", "hello")
    assert res.returncode == 65, (res.returncode, res.stderr)
    assert "ghosts" in res.stderr, res.stderr
    assert stack.request("GET", "/v1/notifications").json["notifications"] == []
    assert receiver.count() == 0


def test_a_sixth_one_time_code_within_the_hour_is_suppressed(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver,
                    settings={"recipient_limits.one-time-code": ["5/1h", "10/1d"]})
    add_user(stack, "erin")
    # Across channels: the limit is the recipient's, whatever carries the code.
    codes = [only(send(stack, channel=("hook", "capped")[i % 2], to="user:erin",
                       category="one-time-code", body=f"code {100 + i}")) for i in range(6)]
    assert [d["state"] for d in codes] == ["sent"] * 5 + ["suppressed"], codes
    assert codes[5]["last_error"] == \
        "recipient limit 5/1h reached for category 'one-time-code'", codes[5]
    # Another category, and another recipient, are not held by it.
    add_user(stack, "finn")
    assert only(send(stack, channel="hook", to="user:erin", body="news"))["state"] == "sent"
    assert only(send(stack, channel="hook", to="user:finn", category="one-time-code",
                     body="code 200"))["state"] == "sent"
    # Reports count the reason apart (rollups are written each second).
    def suppressions():
        report = stack.request("GET", "/v1/reports?since=now-1h&by=status").json
        return report["suppressions"] or None
    found = wait_for(suppressions, 10, "the suppression in reports", check=stack.check_running)
    assert [(r["reason"], r["count"]) for r in found] == [("recipient_limit", 1)], found
