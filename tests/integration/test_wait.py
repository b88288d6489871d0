# test_wait.py - GET /v1/notifications/{id}?wait=DURATION: notify-ingest holds
# the answer until every delivery has ended, answers as things stand when the
# wait is over (also past the HTTP idle timeout), refuses a wait it will not
# hold, and answers whatever it holds when it is stopped, before it exits.

import re
import threading
import time

from notify_stack import wait_for
from receivers import Reply


def held_answers(stack):
    res = stack.request("GET", "/metrics", key=None)
    assert res.status == 200, res
    found = re.search(rb"^notify_ingest_answers_held (\d+)", res.body, re.M)
    assert found, "no notify_ingest_answers_held in /metrics"
    return int(found.group(1))


def undeliverable(make_stack, **settings):
    """A started stack and a notification that stays queued: no worker serves
    its channel."""
    stack = make_stack(settings={"worker.channels": ["elsewhere"], **settings},
                       providers={"hook": {"type": "webhook", "url": "http://127.0.0.1:9/"}},
                       channels={"held": ["hook"]})
    stack.start()
    return stack, stack.submit(channel="held", body="x")["id"]


class Asker(threading.Thread):
    """GET /v1/notifications/{id}?wait=... on a thread of its own."""

    def __init__(self, stack, nid, wait, key=None):
        super().__init__()
        self.args = (stack, f"/v1/notifications/{nid}?wait={wait}", key)
        self.res, self.took = None, None

    def run(self):
        stack, path, key = self.args
        start = time.monotonic()
        kwargs = {} if key is None else {"key": key}
        self.res = stack.request("GET", path, timeout=120, **kwargs)
        self.took = time.monotonic() - start


def test_the_answer_waits_for_the_delivery_to_end(http_receiver, make_stack):
    # The receiver holds the request until the test lets it answer (if that
    # takes longer than the provider's timeout, the next attempt is answered).
    arrived, go = threading.Event(), threading.Event()
    receiver = http_receiver(respond=lambda _req: (arrived.set(), go.wait(60), Reply())[2])
    stack = make_stack(providers={"slow": {"type": "webhook", "url": receiver.url}},
                       channels={"slow": ["slow"]})
    stack.start()
    nid = stack.submit(channel="slow", body="backup done")["id"]
    assert arrived.wait(20), "the delivery did not reach the receiver"
    asker = Asker(stack, nid, "50s")
    asker.start()
    try:
        wait_for(lambda: held_answers(stack) == 1, 20, "the answer to be held")
        assert asker.res is None
    finally:
        go.set()
        asker.join(60)
    res = asker.res
    assert res.status == 200, res
    assert res.json["states"] == {"sent": 1}, res.json["states"]
    (delivery,) = res.json["deliveries"]
    assert delivery["state"] == "sent"
    assert any(e["type"] == "sent" for e in res.json["events"])
    assert asker.took < 45, asker.took  # answered when it ended, not when the wait was over
    assert held_answers(stack) == 0


def test_a_wait_that_is_over_answers_as_things_stand(make_stack):
    # An idle timeout shorter than the wait does not cut a held answer off.
    stack, nid = undeliverable(make_stack, **{"ingest.http_idle_timeout": "1s"})
    asker = Asker(stack, nid, "2500ms")
    asker.run()
    assert asker.res.status == 200, asker.res
    assert asker.res.json["states"] == {"queued": 1}, asker.res.json["states"]
    assert asker.took >= 2.4, asker.took
    # A wait of 0 is answered at once.
    assert stack.request("GET", f"/v1/notifications/{nid}?wait=0s").status == 200


def test_a_wait_it_will_not_hold_is_refused(make_stack):
    stack, nid = undeliverable(make_stack)
    for value in ("abc", "61s", "-1s", "5", ""):
        res = stack.request("GET", f"/v1/notifications/{nid}?wait={value}")
        assert res.status == 400, (value, res)
        error = res.json["error"]
        assert error["code"] == "invalid_query" and error["field"] == "wait", error
        assert "at most 1m" in error["message"], error
    res = stack.request("GET", f"/v1/notifications/{nid}?wiat=1s")
    assert res.status == 400 and "did you mean 'wait'" in res.json["error"]["message"], res
    # Another send key's notification is not found, at once: nothing is held for it.
    other = stack.api_key("send")
    asker = Asker(stack, nid, "50s", key=other)
    asker.run()
    assert asker.res.status == 404, asker.res
    assert asker.took < 40, asker.took
    assert held_answers(stack) == 0


def test_stopping_answers_what_is_held(make_stack):
    stack, nid = undeliverable(make_stack)
    asker = Asker(stack, nid, "50s")
    asker.start()
    try:
        wait_for(lambda: held_answers(stack) == 1, 20, "the answer to be held")
        assert stack.stop("ingest") is None
    finally:
        asker.join(60)
    assert asker.res.status == 200, asker.res
    assert asker.res.json["id"] == nid and asker.res.json["states"] == {"queued": 1}
    assert asker.took < 45, asker.took
