# test_inbox.py - the in-app inbox through the real daemons: the router writes each
# delivery of an inbox channel into its user's inbox in the store (no worker takes
# it), a group send fills every member's inbox, and a raw address is refused.

import json

PROVIDERS = {"app": {"type": "inbox"}}
CHANNELS = {"inbox": ["app"]}


def only(doc):
    (d,) = doc["deliveries"]
    return d


def started(make_stack):
    stack = make_stack(providers=PROVIDERS, channels=CHANNELS)
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
