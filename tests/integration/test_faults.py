# test_faults.py - provider failures end where the retry policy says: retryable answers
# (5xx, 429 with Retry-After, a timeout) are retried until one succeeds; a 4xx is a
# permanent failure carrying the provider's reason; a message that outlives its
# expiry is never sent.

import time

from receivers import Reply, always, scripted

HOOK = "flaky-hook"


def hook_stack(make_stack, receiver, settings=None):
    stack = make_stack(settings=settings,
                       providers={HOOK: {"type": "webhook", "url": receiver.url, "timeout": "500ms"}},
                       channels={"hook": [HOOK]})
    stack.start()
    return stack


def is_retry_event(event):
    return "retry" in event["type"] or "defer" in event["type"]


def test_retryable_failures_are_retried_until_sent(http_receiver, make_stack):
    receiver = http_receiver(respond=scripted(
        Reply(500, body=b'{"error":"internal"}'),
        Reply(429, headers={"Retry-After": "1"}),
        Reply(200, delay=1.5),  # longer than the provider's 500ms timeout
        then=Reply(200)))
    stack = hook_stack(make_stack, receiver)

    nid = stack.submit(channel="hook", subject="flaky", body="try again")["id"]
    doc = stack.wait_final(nid, timeout=30)
    (delivery,) = doc["deliveries"]
    assert delivery["state"] == "sent", delivery
    assert delivery["attempts"] == 4, delivery

    reqs = receiver.snapshot()
    assert len(reqs) == 4, [r.headers.get("x-notify-delivery") for r in reqs]
    assert {r.delivery_id for r in reqs} == {delivery["id"]}
    assert [r.json["attempt"] for r in reqs] == [1, 2, 3, 4]
    gap_after_429 = reqs[2].at - reqs[1].at
    assert gap_after_429 >= 0.9, f"retried {gap_after_429:.2f}s after a 429 with Retry-After: 1"

    events = [e for e in doc["events"] if e["delivery_id"] == delivery["id"]]
    retries = [e for e in events if is_retry_event(e)]
    assert len(retries) >= 3, [(e["type"], e["detail"]) for e in events]
    assert events[-1]["type"] == "sent", [(e["type"], e["detail"]) for e in events]


def test_permanent_failure_records_the_providers_reason(http_receiver, make_stack):
    receiver = http_receiver(respond=always(Reply(400, body=b'{"message":"bad recipient"}')))
    stack = hook_stack(make_stack, receiver)

    nid = stack.submit(channel="hook", subject="nobody", body="to nobody")["id"]
    doc = stack.wait_final(nid)
    (delivery,) = doc["deliveries"]
    assert delivery["state"] == "failed", delivery
    assert "bad recipient" in delivery["last_error"], delivery
    assert delivery["attempts"] == 1, delivery
    assert receiver.count() == 1


def test_expired_message_is_never_sent(http_receiver, make_stack):
    receiver = http_receiver(respond=always(Reply(503, body=b'{"error":"down for maintenance"}')))
    stack = hook_stack(make_stack, receiver, settings={"router.max_attempts": 1000})

    nid = stack.submit(channel="hook", subject="stale soon", body="only useful for 2s",
                       expires_in="2s")["id"]
    expiry_bound = time.time() + 2.0  # the notification was accepted before this
    doc = stack.wait_final(nid, timeout=20)
    (delivery,) = doc["deliveries"]
    assert delivery["state"] == "expired", delivery

    reqs = receiver.snapshot()
    assert reqs, "the provider was never tried before the expiry"
    late = [r.at - expiry_bound for r in reqs if r.at > expiry_bound + 0.3]
    assert not late, f"{len(late)} attempts started after the expiry (by {max(late):.2f}s)"
    assert delivery["attempts"] == len(reqs), (delivery, len(reqs))
