# test_ingests.py - two notify-ingests on one store: notifyctl, given both
# (notifyctl.ingest), asks the next when one is down, and a send it had to ask
# again is stored once, under the idempotency key notifyctl gives it (an ingest
# that stores a send and never answers is played by a relay); an HTTP client
# that sends the same idempotency_key to each gets one notification; with both
# down notifyctl exits 69 and names each endpoint it asked.

import json
import threading

import zmq

from notify_stack import free_port, wait_for

SENDS = 45


class SilentIngest:
    """A ZeroMQ endpoint that takes each request, has the real ingest at `target`
    carry it out, keeps that ingest's reply and never answers: an ingest that
    stored a send and died before its answer went out."""

    def __init__(self):
        self.endpoint = f"tcp://127.0.0.1:{free_port()}"
        self.target = None
        self.replies = []
        self.closing = threading.Event()
        self.context = zmq.Context()
        self.socket = self.context.socket(zmq.ROUTER)
        self.socket.linger = 0
        self.socket.bind(self.endpoint)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.closing.is_set():
            if not self.socket.poll(50):
                continue
            *_, payload = self.socket.recv_multipart()
            forward = self.context.socket(zmq.REQ)
            forward.linger = 0
            forward.connect(self.target)
            forward.send(payload)
            if forward.poll(10_000):
                self.replies.append(json.loads(forward.recv()))
            forward.close()

    def close(self):
        self.closing.set()
        self.thread.join(10)
        self.socket.close()
        self.context.term()


def two_ingests(make_stack, receiver, first=None):
    """Stack a runs the router, a worker and an ingest; stack b an ingest alone, on
    a's store and router. notifyctl of either asks `first` (if given), then a's
    ingest, then b's."""
    listen = [f"tcp://127.0.0.1:{free_port()}" for _ in range(2)]
    shared = {"router.listen": f"tcp://127.0.0.1:{free_port()}",
              "router.control": f"tcp://127.0.0.1:{free_port()}",
              "notifyctl.ingest": ([first] if first else []) + listen}
    common = {"providers": {"hook": {"type": "webhook", "url": receiver.url}},
              "channels": {"hook": ["hook"]}}
    a = make_stack(settings={**shared, "ingest.listen": listen[0]}, **common)
    b = make_stack(settings={**shared, "ingest.listen": listen[1],
                             "store.path": str(a.store_path)}, **common)
    b.store_path = a.store_path
    a.start()
    b.start("ingest")
    return a, b, listen


def send(stack, text):
    res = stack.ctl("send", "--channel", "hook", "--json", text, timeout=60)
    return res.returncode, res.stdout, res.stderr


def test_notifyctl_asks_the_next_ingest(http_receiver, make_stack):
    receiver = http_receiver()
    a, b, listen = two_ingests(make_stack, receiver)

    # A steady stream of sends through notifyctl, while ingest a is killed and
    # started again.
    results = []
    def stream():
        for i in range(SENDS):
            results.append(send(a, f"send {i}"))
    sender = threading.Thread(target=stream)
    sender.start()
    wait_for(lambda: len(results) >= SENDS // 3, 60, "the first sends")
    a.kill("ingest")
    killed_at = len(results)
    wait_for(lambda: len(results) >= killed_at + SENDS // 3, 60, "sends while ingest a is down")
    a.start("ingest")
    sender.join(120)
    assert not sender.is_alive()

    failed = [(code, err) for code, _, err in results if code != 0]
    assert not failed, failed
    docs = [json.loads(out) for _, out, _ in results]
    ids = [d["id"] for d in docs]
    assert len(set(ids)) == SENDS, "a send was stored twice under one id, or ids repeat"
    # Each send carried a key of notifyctl's own, so that asking again stores it once.
    keys = [a.get(nid).get("idempotency_key", "") for nid in ids]
    assert all(k.startswith("notifyctl-") for k in keys) and len(set(keys)) == SENDS, keys[:3]
    for nid in ids:
        assert a.wait_final(nid)["states"] == {"sent": 1}, nid
    got = sorted(r.json["notification_id"] for r in receiver.snapshot())
    assert got == sorted(ids), "a notification was delivered twice or not at all"
    stored = a.store_query("SELECT count(*) FROM notifications")[0][0]
    assert stored == SENDS, f"{stored} notifications stored for {SENDS} sends"

    # Ingest a down: a read is answered by b.
    a.kill("ingest")
    res = a.ctl("status", ids[0], "--json")
    assert res.returncode == 0, (res.returncode, res.stderr)
    assert json.loads(res.stdout)["id"] == ids[0]
    # Both down: exit 69, naming each endpoint asked.
    b.kill("ingest")
    code, out, err = send(a, "nobody to take it")
    assert code == 69 and out == "", (code, out, err)
    assert listen[1] in err and f"(asked before: '{listen[0]}' could not be reached)" in err, err


def test_a_send_stored_without_an_answer_is_not_stored_again(http_receiver, make_stack):
    receiver = http_receiver()
    silent = SilentIngest()
    try:
        a, b, listen = two_ingests(make_stack, receiver, first=silent.endpoint)
        silent.target = listen[1]
        res = a.ctl("--timeout", "2s", "send", "--channel", "hook", "--json",
                    "stored by one ingest, answered by another", timeout=60)
        assert res.returncode == 0, (res.returncode, res.stderr)
        doc = json.loads(res.stdout)
    finally:
        silent.close()
    # Ingest b stored it for the silent endpoint; ingest a answered notifyctl's
    # second ask, under the same key, with the notification b had stored.
    (stored,) = silent.replies
    assert stored["status"] == 202 and stored["body"]["id"] == doc["id"], (stored, doc)
    assert a.get(doc["id"])["idempotency_key"].startswith("notifyctl-")
    assert a.wait_final(doc["id"])["states"] == {"sent": 1}
    assert receiver.count() == 1
    assert a.store_query("SELECT count(*) FROM notifications")[0][0] == 1


def test_one_key_sent_to_each_ingest_is_one_notification(http_receiver, make_stack):
    receiver = http_receiver()
    a, b, _ = two_ingests(make_stack, receiver)
    body = {"channel": "hook", "body": "once, whichever ingest takes it",
            "idempotency_key": "order-1234-shipped"}
    first = a.request("POST", "/v1/notifications", body=body)
    assert first.status == 202, first
    again = b.request("POST", "/v1/notifications", body=body, key=a.admin_key)
    assert again.status == 202, again
    assert again.json["id"] == first.json["id"], (first.json, again.json)
    assert a.wait_final(first.json["id"])["states"] == {"sent": 1}
    assert receiver.count() == 1
    assert a.store_query("SELECT count(*) FROM notifications")[0][0] == 1

    # The same batch of keyed sends to both ingests at once: each ingest settles
    # its keys while the other may be writing them, and each key is stored once.
    batch = {"notifications": [{**body, "idempotency_key": f"race-{i}"} for i in range(300)]}
    start = threading.Barrier(2)
    answers = {}
    def client(stack):
        start.wait(10)
        res = stack.request("POST", "/v1/notifications/batch", body=batch, key=a.admin_key,
                            timeout=60)
        answers[stack] = (res.status, [item.get("id") for item in res.json["notifications"]])
    threads = [threading.Thread(target=client, args=(stack,)) for stack in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers[a][0] == answers[b][0] == 202, answers
    assert answers[a][1] == answers[b][1] and None not in answers[a][1]
    assert a.store_query("SELECT count(*) FROM notifications")[0][0] == 1 + 300
