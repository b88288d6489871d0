# test_inbox.py - the in-app inbox through the real daemons: the router writes each
# delivery of an inbox channel into its user's inbox in the store (no worker takes
# it), a group send fills every member's inbox, and a raw address is refused; the
# user's page reads and marks it over HTTP with an inbox token (made by notifyctl, or
# by a back end's own HMAC), marking it read records the delivery `read`, and a
# token opens no other user's inbox.

import json
import time

from inbox_client import CHANNELS, PROVIDERS, SECRET, inbox, own_token
from notify_stack import wait_for


def only(doc):
    (d,) = doc["deliveries"]
    return d


def started(make_stack, settings=None):
    stack = make_stack(settings=settings, providers=PROVIDERS, channels=CHANNELS)
    stack.start()
    return stack


def test_a_send_lands_in_the_users_inbox(make_stack):
    stack = started(make_stack)
    assert stack.ctl("user", "add", "ana").returncode == 0
    nid = stack.submit(channel="inbox", to="user:ana", subject="Invoice 17", body="is paid",
                       category="billing", data={"invoice": 17})["id"]
    doc = stack.wait_final(nid)
    d = only(doc)
    assert d["state"] == "sent" and d["attempts"] == 1, d
    rows = stack.store_query("SELECT id, user_id, notification_id, channel, category, subject, "
                             "body, data, read_at FROM inbox_items")
    assert len(rows) == 1, rows
    (item_id, user, n, channel, category, subject, body, data, read_at) = rows[0]
    assert (user, n, channel, category) == ("ana", nid, "inbox", "billing")
    assert (subject, body, read_at) == ("Invoice 17", "is paid", 0)
    assert json.loads(data) == {"invoice": 17}
    assert item_id == d["id"]
    assert stack.store_query("SELECT user_id, kind FROM inbox_events") == [("ana", "new")]
    sent = [e["detail"] for e in doc["events"] if e["type"] == "sent"]
    assert sent and "inbox of user 'ana'" in sent[0], doc["events"]
    assert "worker" not in json.dumps([e for e in doc["events"] if e["type"] == "dispatched"])


def test_a_group_send_fills_every_members_inbox(make_stack):
    stack = started(make_stack)
    for user in ("li", "mei", "wang"):
        assert stack.ctl("user", "add", user, "--group", "ops").returncode == 0
    nid = stack.submit(channel="inbox", to="group:ops", body="maintenance at 22:00")["id"]
    doc = stack.wait_final(nid)
    assert sorted(d["state"] for d in doc["deliveries"]) == ["sent"] * 3, doc["deliveries"]
    users = [u for (u,) in stack.store_query("SELECT user_id FROM inbox_items ORDER BY user_id")]
    assert users == ["li", "mei", "wang"]


def test_an_inbox_takes_only_directory_users(make_stack):
    stack = started(make_stack)
    res = stack.request("POST", "/v1/notifications", {"channel": "inbox", "to": "ana@example.com",
                                                      "body": "x"})
    assert res.status == 400, res.body
    assert "directory user" in res.json["error"]["message"], res.json
    res = stack.request("POST", "/v1/notifications", {"channel": "inbox", "to": "user:ghost",
                                                      "body": "x"})
    assert res.status == 422, res.body
    assert stack.store_query("SELECT COUNT(*) FROM inbox_items") == [(0,)]


def test_a_channel_cannot_mix_the_inbox_with_other_providers(make_stack):
    stack = make_stack(providers={"app": {"type": "inbox"},
                                  "hook": {"type": "webhook", "url": "http://127.0.0.1:9/"}},
                       channels={"inbox": ["app", "hook"]})
    res = stack.ctl("config", "check")
    assert res.returncode == 65, res.stderr
    assert "mixes inbox providers with others" in res.stderr, res.stderr


def test_an_inbox_send_needs_a_recipient(make_stack):
    stack = started(make_stack)
    res = stack.request("POST", "/v1/notifications", {"channel": "inbox", "body": "to nobody"})
    assert res.status == 400, res.body
    assert res.json["error"]["code"] == "missing_recipient", res.json


def test_a_user_reads_and_marks_the_inbox_with_a_token(make_stack):
    stack = started(make_stack, {"inbox.secret": SECRET})
    for user in ("ana", "ben"):
        assert stack.ctl("user", "add", user).returncode == 0
    first = stack.submit(channel="inbox", to="user:ana", body="first", category="orders")["id"]
    second = stack.submit(channel="inbox", to="user:ana", body="second")["id"]
    stack.wait_final(first)
    stack.wait_final(second)

    made = stack.ctl("inbox", "token", "ana", "--ttl", "10m")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    res = inbox(stack, "ana", token)
    assert res.status == 200, res
    page = res.json
    assert [i["body"] for i in page["items"]] == ["second", "first"]
    assert page["unread"] == 2 and page["next"] is None

    # The back end's own HMAC is as good as notifyctl's, and says the same.
    own = own_token(SECRET, "ana", time.time() + 600)
    assert inbox(stack, "ana", own).json["unread"] == 2

    item = page["items"][1]
    res = inbox(stack, f"ana/items/{item['id']}/read", own, method="POST")
    assert res.status == 200, res
    assert res.json["read"] is True and res.json["read_at"]
    assert inbox(stack, "ana", token).json["unread"] == 1

    # Reading it in the inbox is the delivery's `read`, as an opened email is.
    def read_event():
        return [e for e in stack.get(first)["events"] if e["type"] == "read"] or None
    wait_for(read_event, 10, "the read event of the first delivery")

    res = inbox(stack, "ana/read-all", token, method="POST")
    assert res.json == {"marked": 1, "unread": 0}, res
    rows = stack.store_query("SELECT kind FROM inbox_events WHERE user_id = 'ana' ORDER BY seq")
    assert [k for (k,) in rows] == ["new", "new", "read", "read_all"]


def test_an_inbox_token_opens_no_other_door(make_stack):
    stack = started(make_stack, {"inbox.secret": SECRET})
    for user in ("ana", "ben"):
        assert stack.ctl("user", "add", user).returncode == 0
    ben = own_token(SECRET, "ben", time.time() + 600)
    res = inbox(stack, "ana", ben)
    assert res.status == 401 and res.json["error"]["code"] == "bad_inbox_token", res
    expired = own_token(SECRET, "ana", time.time() - 1)
    res = inbox(stack, "ana", expired)
    assert res.status == 401 and res.json["error"]["code"] == "inbox_token_expired", res
    forged = own_token("not-the-secret", "ana", time.time() + 600)
    assert inbox(stack, "ana", forged).status == 401
    assert stack.request("GET", "/v1/queue", key=own_token(SECRET, "ana", time.time() + 60)
                         ).status == 401
    assert inbox(stack, "ghost", own_token(SECRET, "ghost", time.time() + 60)).status == 404


def test_notifyctl_inbox_token_refuses_bad_input(make_stack):
    stack = started(make_stack)
    res = stack.ctl("inbox", "token", "ghost")
    assert res.returncode == 65 and "no user 'ghost'" in res.stderr, res.stderr
    assert stack.ctl("user", "add", "ana").returncode == 0
    res = stack.ctl("inbox", "token", "ana", "--ttl", "soon")
    assert res.returncode == 64 and "--ttl" in res.stderr, res.stderr
    res = stack.ctl("inbox", "token", "ana", "--ttl", "400d")
    assert res.returncode == 64, res.stderr
    # Without inbox.secret, the store keeps one; --json says when the token ends.
    res = stack.ctl("--json", "inbox", "token", "ana", "--ttl", "1h")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["user"] == "ana" and doc["expires_at"].endswith("Z")
    assert inbox(stack, "ana", doc["token"]).status == 200


def test_pages_on_allowed_origins_may_call(make_stack):
    stack = started(make_stack, {"inbox.cors_origins": ["https://app.example.com"]})
    res = stack.request("OPTIONS", "/v1/inbox/ana", key=None,
                        headers={"Origin": "https://app.example.com",
                                 "Access-Control-Request-Method": "GET",
                                 "Access-Control-Request-Headers": "authorization"})
    assert res.status == 204, res
    assert res.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    res = stack.request("OPTIONS", "/v1/inbox/ana", key=None,
                        headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in res.headers
