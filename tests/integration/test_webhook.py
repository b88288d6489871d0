# test_webhook.py - a webhook delivery to a local receiver: the documented JSON body and
# headers, an HMAC-SHA256 signature that verifies with the configured secret; a
# burst held to the provider's max_connections.

import time
from datetime import datetime

from notify_stack import wait_for
from receivers import CountingReceiver

SECRET = "whsec-3f9a1c"


def test_webhook_body_and_signature(http_receiver, make_stack):
    receiver = http_receiver(secret=SECRET)
    stack = make_stack(
        providers={"ops-hook": {"type": "webhook", "url": receiver.url, "secret": SECRET,
                                "headers": {"X-Team": "ops"}}},
        channels={"hook": ["ops-hook"]})
    stack.start()

    data = {"host": "db-01", "usage": 95}
    accepted = stack.submit(channel="hook", subject="disk almost full", body="db-01 at 95%",
                            data=data, priority="high", category="alert", module="disk-monitor")
    nid = accepted["id"]
    doc = stack.wait_final(nid)
    (delivery,) = doc["deliveries"]
    assert delivery["state"] == "sent", delivery
    assert delivery["attempts"] == 1
    assert delivery["id"] == f"{nid}.1"

    (req,) = receiver.snapshot()
    assert req.method == "POST" and req.path == "/hook"
    assert req.headers["content-type"].startswith("application/json")
    assert req.headers.get("x-team") == "ops"
    assert req.headers["x-notify-delivery"] == delivery["id"]
    assert abs(int(req.headers["x-notify-timestamp"]) - time.time()) < 60
    assert req.signature_ok, (req.headers.get("x-notify-signature"), req.body)

    body = req.json
    assert body["id"] == delivery["id"]
    assert body["notification_id"] == nid
    assert body["channel"] == "hook"
    assert body["subject"] == "disk almost full"
    assert body["body"] == "db-01 at 95%"
    assert body["data"] == data
    assert body["priority"] == "high"
    assert body["category"] == "alert"
    assert body["module"] == "disk-monitor"
    assert body["attempt"] == 1
    created = datetime.fromisoformat(body["created_at"].replace("Z", "+00:00"))
    assert abs(created.timestamp() - time.time()) < 60


def test_a_burst_opens_no_more_connections_than_the_provider_s_max_connections(make_stack):
    # Each receiver answers 5 ms after a request, so a burst of 2,000 keeps
    # many requests waiting at once; the worker may run 256 at a time.
    capped, wide = CountingReceiver(delay=0.005), CountingReceiver(delay=0.005)
    try:
        stack = make_stack(
            providers={"capped": {"type": "webhook", "url": capped.url, "max_connections": 8},
                       "wide": {"type": "webhook", "url": wide.url}},
            channels={"capped": ["capped"], "wide": ["wide"]})
        stack.start()
        for channel in ("capped", "wide"):
            for start in range(0, 2000, 100):
                stack.submit_batch([{"channel": channel, "to": f"r{i}", "body": "burst"}
                                    for i in range(start, start + 100)])
        wait_for(lambda: capped.count() >= 2000 and wide.count() >= 2000, 120,
                 "both bursts delivered", interval=0.2, check=stack.check_running)
        assert capped.count() == 2000 and wide.count() == 2000
        assert 1 < capped.most_open <= 8, capped.most_open
        # The default, 32, lets the same burst open more: the cap is what held
        # the first to 8.
        assert 8 < wide.most_open <= 32, wide.most_open
    finally:
        capped.close()
        wide.close()
