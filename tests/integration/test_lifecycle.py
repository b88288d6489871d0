# test_lifecycle.py - what operators do to a notification after it was accepted:
# a send_at holds it as scheduled until its time; cancel stops what has not gone
# out; resend gives failed and canceled deliveries another go (never a sent one
# twice); and an attempt ends inside the router's lease however slow the provider.

import time

from notify_stack import wait_for
from receivers import Reply, always, scripted

HOOK = "hook"


def hook_stack(make_stack, receiver, settings=None, provider_timeout="2s"):
    stack = make_stack(settings=settings,
                       providers={HOOK: {"type": "webhook", "url": receiver.url,
                                         "timeout": provider_timeout}},
                       channels={"hook": [HOOK]})
    stack.start()
    return stack


def states(doc):
    return [d["state"] for d in doc["deliveries"]]


def post(stack, nid, action):
    res = stack.request("POST", f"/v1/notifications/{nid}/{action}")
    assert res.status == 200, f"{action}: {res!r}"
    return res.json


def test_send_at_holds_the_delivery_until_its_time(http_receiver, make_stack):
    receiver = http_receiver()
    stack = hook_stack(make_stack, receiver)
    accepted = time.time()
    nid = stack.submit(channel="hook", subject="later", body="in two seconds",
                       send_at="now+2s")["id"]
    assert states(stack.get(nid)) == ["scheduled"]
    doc = stack.wait_final(nid, timeout=20)
    assert states(doc) == ["sent"], doc
    (req,) = receiver.snapshot()
    assert req.at - accepted >= 1.9, f"sent {req.at - accepted:.2f}s after acceptance"


def test_cancel_then_resend_keeps_the_send_at(http_receiver, make_stack):
    receiver = http_receiver()
    stack = hook_stack(make_stack, receiver)
    nid = stack.submit(channel="hook", subject="later", body="b", send_at="now+3s")["id"]
    assert post(stack, nid, "cancel")["canceled"] == 1
    assert states(stack.wait_final(nid)) == ["canceled"]
    assert post(stack, nid, "resend")["requeued"] == 1
    assert states(stack.get(nid)) == ["scheduled"], "a resend before send_at waits for it"
    doc = stack.wait_final(nid, timeout=20)
    assert states(doc) == ["sent"], doc
    assert len(receiver.snapshot()) == 1
    types = [e["type"] for e in doc["events"]]
    assert types.index("canceled") < types.index("resend") < types.index("sent"), types


def test_resend_repeats_failures_only(http_receiver, make_stack):
    receiver = http_receiver(respond=scripted(Reply(400, body=b'{"message":"bad recipient"}'),
                                              then=Reply(200)))
    stack = hook_stack(make_stack, receiver)
    nid = stack.submit(channel="hook", subject="s", body="b")["id"]
    assert states(stack.wait_final(nid)) == ["failed"]

    assert post(stack, nid, "resend")["requeued"] == 1
    doc = stack.wait_final(nid)
    (delivery,) = doc["deliveries"]
    assert delivery["state"] == "sent", delivery
    assert delivery["attempts"] == 1, "a resend starts a new count of attempts"

    # Sent is final: resending it again sends nothing.
    assert post(stack, nid, "resend")["requeued"] == 0
    time.sleep(0.5)  # give a wrongly requeued delivery the time to go out
    assert len(receiver.snapshot()) == 2
    res = stack.ctl("resend", nid)
    assert res.returncode == 0, res.stderr


def test_a_slow_provider_is_cut_off_inside_the_lease(http_receiver, make_stack):
    # The provider's own timeout (10s) is longer than the lease (2s): the worker must end
    # the attempt in time to report it, so the router never loses track of it.
    receiver = http_receiver(respond=scripted(Reply(200, delay=3), then=Reply(200)))
    stack = hook_stack(make_stack, receiver, provider_timeout="10s",
                       settings={"router.lease": "2s", "worker.timeout": "1s",
                                 "router.max_attempts": 3})
    nid = stack.submit(channel="hook", subject="slow", body="b")["id"]
    doc = stack.wait_final(nid, timeout=30)
    (delivery,) = doc["deliveries"]
    assert delivery["state"] == "sent", delivery
    assert delivery["attempts"] == 2, delivery
    details = " | ".join(e["detail"] for e in doc["events"])
    assert "no result within the lease" not in details, details
    assert "curl:28" in details, details


def test_expired_notification_is_not_resent(http_receiver, make_stack):
    receiver = http_receiver(respond=always(Reply(503)))
    stack = hook_stack(make_stack, receiver, settings={"router.max_attempts": 100})
    nid = stack.submit(channel="hook", subject="s", body="b", expires_in="1s")["id"]
    assert states(stack.wait_final(nid)) == ["expired"]
    assert post(stack, nid, "resend")["requeued"] == 0
    wait_for(lambda: states(stack.get(nid)) == ["expired"], 2, "the delivery to stay expired")
