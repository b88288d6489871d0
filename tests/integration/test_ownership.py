# test_ownership.py - API keys of different teams through the real notify-ingest:
# a send key cannot see, cancel or resend another key's notification (404, as if
# it did not exist), idempotency keys are each API key's own, a read key sees
# everything, a key over its rate limit gets 429 with Retry-After, and an
# approval is in the audit log under the admin key's name.

import json


def hook_stack(make_stack, http_receiver, settings=None):
    receiver = http_receiver()
    stack = make_stack(settings=settings,
                       providers={"hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["hook"]})
    stack.start()
    return stack


def named_key(stack, scope, name, *extra):
    res = stack.ctl("apikey", "create", "--scope", scope, "--name", name, *extra)
    assert res.returncode == 0, f"apikey create: {res.stderr}"
    return res.stdout.strip()


def send(stack, key, **fields):
    return stack.request("POST", "/v1/notifications", body=fields, key=key)


def listed(stack, key):
    res = stack.request("GET", "/v1/notifications", key=key)
    assert res.status == 200, res
    return {n["id"] for n in res.json["notifications"]}


def test_send_keys_cannot_touch_each_other(make_stack, http_receiver):
    stack = hook_stack(make_stack, http_receiver)
    a, b = named_key(stack, "send", "team-a"), named_key(stack, "send", "team-b")
    reader = named_key(stack, "read", "dashboard")

    res = send(stack, a, channel="hook", body="A's", idempotency_key="order-1")
    assert res.status == 202, res
    a_id = res.json["id"]

    for method, path in [("GET", f"/v1/notifications/{a_id}"),
                         ("POST", f"/v1/notifications/{a_id}/cancel"),
                         ("POST", f"/v1/notifications/{a_id}/resend")]:
        theirs = stack.request(method, path, key=b)
        assert theirs.status == 404, f"{method} {path} with B's key: {theirs!r}"
        assert theirs.json["error"]["code"] == "not_found"
    assert stack.request("GET", f"/v1/notifications/{a_id}", key=a).status == 200

    # The same idempotency key and body from B makes B's own notification.
    res = send(stack, b, channel="hook", body="A's", idempotency_key="order-1")
    assert res.status == 202, res
    b_id = res.json["id"]
    assert b_id != a_id
    assert "Idempotent-Replayed" not in res.headers
    again = send(stack, a, channel="hook", body="A's", idempotency_key="order-1")
    assert again.status == 202 and again.json["id"] == a_id, again
    assert again.headers.get("Idempotent-Replayed") == "true"

    assert listed(stack, a) == {a_id}
    assert listed(stack, b) == {b_id}
    assert listed(stack, reader) == {a_id, b_id}
    doc = stack.request("GET", f"/v1/notifications/{a_id}", key=reader).json
    assert doc["source"] == "team-a", doc
    # The owner's cancel reaches the router.
    own = stack.request("POST", f"/v1/notifications/{b_id}/cancel", key=b)
    assert own.status == 200, own


def test_rate_limit_answers_429_with_retry_after(make_stack, http_receiver):
    # The key's own limit from `apikey create`; api.rate_limit, the default for
    # every key, is covered by the unit tests.
    stack = hook_stack(make_stack, http_receiver)
    tight = named_key(stack, "send", "tight", "--rate-limit", "3/1m")
    other = named_key(stack, "send", "other")
    for i in range(3):
        assert send(stack, tight, channel="hook", body=f"m{i}").status == 202
    over = send(stack, tight, channel="hook", body="one too many")
    assert over.status == 429, over
    assert over.json["error"]["code"] == "rate_limited"
    assert over.json["error"]["field"] == "rate_limit"
    assert 0 < int(over.headers["Retry-After"]) <= 60, over.headers
    # One key at its limit leaves the others alone.
    assert send(stack, other, channel="hook", body="another team").status == 202
    # notifyctl over the ipc socket is not limited.
    res = stack.ctl("send", "--channel", "hook", "from the operator")
    assert res.returncode == 0, res.stderr


def test_recipients_per_day(make_stack, http_receiver):
    stack = hook_stack(make_stack, http_receiver)
    a = named_key(stack, "send", "team-a", "--recipients-per-day", "2")
    assert send(stack, a, channel="hook", body="1").status == 202
    assert send(stack, a, channel="hook", body="2").status == 202
    over = send(stack, a, channel="hook", body="3")
    assert over.status == 429, over
    assert over.json["error"]["field"] == "recipients_per_day"
    assert 0 < int(over.headers["Retry-After"]) <= 86400


def test_audit_names_the_admin_key(make_stack, http_receiver):
    stack = hook_stack(make_stack, http_receiver, settings={"bulk.approval_threshold": 1})
    admin = named_key(stack, "admin", "ops-admin")
    for user in ("m0", "m1"):
        res = stack.ctl("user", "add", user, "--identity", f"hook={user}", "--group", "staff")
        assert res.returncode == 0, res.stderr
    held = send(stack, admin, channel="hook", to="group:staff", body="all hands")
    assert held.status == 202 and held.json["state"] == "pending-approval", held
    nid = held.json["id"]
    res = stack.request("POST", f"/v1/notifications/{nid}/approve", key=admin)
    assert res.status == 200, res

    res = stack.request("GET", "/v1/audit", key=admin)
    assert res.status == 200, res
    approvals = [e for e in res.json["entries"] if e["action"] == "approve"]
    assert len(approvals) == 1, res.json
    assert approvals[0]["actor"] == "ops-admin" and approvals[0]["target"] == nid
    reader = named_key(stack, "read", "dashboard")
    assert stack.request("GET", "/v1/audit", key=reader).status == 403

    res = stack.ctl("audit", "--json")
    assert res.returncode == 0, res.stderr
    entries = [json.loads(line) for line in res.stdout.splitlines()]
    assert [e["target"] for e in entries if e["action"] == "apikey.create"] == \
        ["ops-admin", "dashboard"], entries
    assert any(e["action"] == "approve" and e["actor"] == "ops-admin" for e in entries)
