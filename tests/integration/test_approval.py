# test_approval.py - a send to a group marked for approval, or to more recipients
# than bulk.approval_threshold, waits in pending-approval until an administrator
# approves it (then it is delivered) or rejects it (then nothing is sent); the
# event log says who decided.

import json

from notify_stack import wait_for


def started(make_stack, receiver):
    stack = make_stack(settings={"bulk.approval_threshold": 5},
                       providers={"hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["hook"]})
    stack.start()
    for i in range(8):
        res = stack.ctl("user", "add", f"m{i}", "--identity", f"hook=m{i}", "--group", "staff")
        assert res.returncode == 0, res.stderr
    assert stack.ctl("group", "add", "board", "--requires-approval").returncode == 0
    assert stack.ctl("group", "add-member", "board", "m0", "m1").returncode == 0
    return stack


def pending_ids(stack):
    res = stack.ctl("ls", "--status", "pending-approval", "--json")
    assert res.returncode == 0, res.stderr
    return [json.loads(line)["id"] for line in res.stdout.splitlines() if line.strip()]


def test_bulk_send_waits_for_approval_then_is_delivered(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    doc = stack.submit(channel="hook", to="group:staff", body="All hands at 10:00")
    nid = doc["id"]
    assert doc["state"] == "pending-approval" and doc["recipients"] == 8, doc
    assert pending_ids(stack) == [nid]

    small = stack.submit(channel="hook", to="group:board", body="Board papers")
    res = stack.ctl("ls", "--group", "board", "--json")
    assert [json.loads(line)["id"] for line in res.stdout.splitlines()] == [small["id"]], res
    assert small["state"] == "pending-approval", "a group marked so always waits"
    assert receiver.count() == 0

    res = stack.ctl("approve", nid)
    assert res.returncode == 0, res.stderr
    wait_for(lambda: receiver.count() == 8, 20, "8 webhooks", check=stack.check_running)
    assert sorted(r.json["to"] for r in receiver.snapshot()) == [f"m{i}" for i in range(8)]
    status = stack.get(nid)
    assert status["fanout"]["state"] == "done", status["fanout"]
    assert status["fanout"]["decided_by"], status["fanout"]
    assert any(e["type"] == "approved" for e in status["events"]), status["events"]
    assert pending_ids(stack) == [small["id"]]

    again = stack.ctl("approve", nid)
    assert again.returncode != 0 and "not pending approval" in again.stderr, again.stderr


def test_rejected_send_sends_nothing(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    nid = stack.submit(channel="hook", to="group:staff", body="Oops, wrong list")["id"]
    res = stack.ctl("reject", nid)
    assert res.returncode == 64, "a rejection needs a reason"
    res = stack.ctl("reject", nid, "--reason", "wrong audience")
    assert res.returncode == 0, res.stderr
    status = stack.get(nid)
    assert status["fanout"]["state"] == "rejected", status["fanout"]
    assert status["fanout"]["reason"] == "wrong audience"
    assert status["deliveries"] == []
    (event,) = [e for e in status["events"] if e["type"] == "rejected"]
    assert "wrong audience" in event["detail"], event
    assert pending_ids(stack) == []
    res = stack.request("POST", f"/v1/notifications/{nid}/approve")
    assert res.status == 409 and res.json["error"]["code"] == "not_pending_approval", res
    # Nothing arrives later either: the router has nothing to expand.
    stack.submit(channel="hook", to="m0", body="marker")
    wait_for(lambda: receiver.count() >= 1, 10, "the marker")
    assert [r.json["body"] for r in receiver.snapshot()] == ["marker"]


def test_approving_needs_the_admin_scope(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    nid = stack.submit(channel="hook", to="group:staff", body="x")["id"]
    sender = stack.api_key("send")
    res = stack.request("POST", f"/v1/notifications/{nid}/approve", key=sender)
    assert res.status == 403, res
    assert pending_ids(stack) == [nid]


def test_canceled_pending_send_cannot_be_approved(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    nid = stack.submit(channel="hook", to="group:staff", body="Not this one")["id"]
    res = stack.ctl("cancel", nid)
    assert res.returncode == 0, res.stderr
    assert pending_ids(stack) == []

    res = stack.ctl("approve", nid)
    assert res.returncode != 0 and "not pending approval" in res.stderr, res.stderr
    assert "canceled" in res.stderr, res.stderr

    status = stack.get(nid)
    assert status["fanout"]["state"] == "canceled", status["fanout"]
    assert status["deliveries"] == []
    (event,) = [e for e in status["events"] if e["type"] == "canceled"]
    assert event["delivery_id"] == nid, event
    shown = stack.ctl("status", nid)
    assert shown.returncode == 0, shown.stderr
    assert "fan-out:   canceled, 8 recipients" in shown.stdout, shown.stdout
    assert "no deliveries: it was canceled" in shown.stdout, shown.stdout
    listed = stack.ctl("ls", "--status", "canceled", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines() if line.strip()] == [nid]

    # Nothing arrives later either: the marker is the only webhook.
    stack.submit(channel="hook", to="m0", body="marker")
    wait_for(lambda: receiver.count() >= 1, 10, "the marker")
    assert [r.json["body"] for r in receiver.snapshot()] == ["marker"]
