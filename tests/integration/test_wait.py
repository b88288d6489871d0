# test_wait.py - GET /v1/notifications/{id}?wait=DURATION: notify-ingest holds
# the answer until every delivery has ended, answers as things stand when the
# wait is over, refuses a wait it will not hold, and answers whatever it holds
# when it is stopped, before it exits.

import re
import threading
import time

from notify_stack import free_port, wait_for
from receivers import Reply, always


def held_answers(stack):
    res = stack.request("GET", "/metrics", key=None)
    assert res.status == 200, res
    found = re.search(rb"^notify_ingest_answers_held (\d+)", res.body, re.M)
    assert found, "no notify_ingest_answers_held in /metrics"
    return int(found.group(1))


def undeliverable(make_stack):
    """A started stack and a notification whose delivery is tried again and
    again: nothing listens at its provider's port."""
    port = free_port()
    stack = make_stack(providers={"down": {"type": "webhook", "url": f"http://127.0.0.1:{port}/"}},
                       channels={"down": ["down"]})
    stack.start()
    return stack, stack.submit(channel="down", body="x")["id"]


def test_the_answer_waits_for_the_delivery_to_end(http_receiver, make_stack):
    # The receiver takes 0.5 s to answer, so the delivery is still going on
    # when the first answer without a wait comes.
    receiver = http_receiver(respond=always(Reply(delay=0.5)))
    stack = make_stack(providers={"slow": {"type": "webhook", "url": receiver.url}},
                       channels={"slow": ["slow"]})
    stack.start()
    nid = stack.submit(channel="slow", body="backup done")["id"]
    now = stack.get(nid)
    assert set(now["states"]) - {"queued", "in-flight"} == set(), now["states"]

    start = time.monotonic()
    res = stack.request("GET", f"/v1/notifications/{nid}?wait=20s")
    took = time.monotonic() - start
    assert res.status == 200, res
    assert res.json["states"] == {"sent": 1}, res.json["states"]
    (delivery,) = res.json["deliveries"]
    assert delivery["state"] == "sent"
    assert any(e["type"] == "sent" for e in res.json["events"])
    # Held while the receiver took its time, answered long before the wait was over.
    assert 0.3 <= took < 10, took
    assert held_answers(stack) == 0


def test_a_wait_that_is_over_answers_as_things_stand(make_stack):
    stack, nid = undeliverable(make_stack)
    start = time.monotonic()
    res = stack.request("GET", f"/v1/notifications/{nid}?wait=400ms")
    took = time.monotonic() - start
    assert res.status == 200, res
    assert "sent" not in res.json["states"], res.json["states"]
    assert took >= 0.35, took
    # An ended notification, or a wait of 0, is answered at once.
    assert stack.request("GET", f"/v1/notifications/{nid}?wait=0s").status == 200


def test_a_wait_it_will_not_hold_is_refused(make_stack):
    stack = make_stack()
    stack.start()
    nid = stack.submit(channel="outbox", body="x")["id"]
    for value in ("abc", "61s", "-1s", "5", ""):
        res = stack.request("GET", f"/v1/notifications/{nid}?wait={value}")
        assert res.status == 400, (value, res)
        error = res.json["error"]
        assert error["code"] == "invalid_query" and error["field"] == "wait", error
        assert "at most 1m" in error["message"], error
    res = stack.request("GET", f"/v1/notifications/{nid}?wiat=1s")
    assert res.status == 400 and "did you mean 'wait'" in res.json["error"]["message"], res
    # Another key's notification is not found, held or not.
    other = stack.api_key("read")
    res = stack.request("GET", "/v1/notifications/NOPE?wait=1s", key=other)
    assert res.status == 404, res


def test_stopping_answers_what_is_held(make_stack):
    stack, nid = undeliverable(make_stack)
    answers = []

    def ask():
        answers.append(stack.request("GET", f"/v1/notifications/{nid}?wait=50s", timeout=60))

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        wait_for(lambda: held_answers(stack) == 1, 20, "the answer to be held")
        start = time.monotonic()
        assert stack.stop("ingest") is None
        asker.join(30)
        assert not asker.is_alive()
        assert time.monotonic() - start < 20
    finally:
        asker.join(60)
    (res,) = answers
    assert res.status == 200, res
    assert res.json["id"] == nid and "sent" not in res.json["states"], res.json
