# test_breaker.py - a provider's circuit breaker through the real daemons: a
# provider that starts failing opens after router.breaker_failures retryable
# failures in a row and takes no attempt while open; after its cool-down one
# delivery probes it, a failed probe opens it for twice as long, a good one
# closes it; every change is in the audit log and /metrics, and `notifyctl
# queue` shows each provider's state. Nothing is lost: what waited goes out
# once the provider is back, or through another provider of the channel.

import threading
import time

from notify_stack import wait_for
from receivers import Reply

BREAKER = {
    "router.breaker_failures": 3,
    "router.breaker_cooldown": "1s",
    "router.breaker_cooldown_max": "4s",
    # Longer than the first three sends take: their first attempts are the
    # three failures that open the breaker.
    "router.retry_min": "2s",
    "router.retry_max": "3s",
    "router.max_attempts": 100,
}


class Switch:
    """A receiver's answers: 503 while failing, 200 once recovered."""

    def __init__(self):
        self.failing = True
        self.lock = threading.Lock()
        self.sent = {}  # delivery id -> how many times it was answered 200

    def __call__(self, request):
        with self.lock:
            if self.failing:
                return Reply(503, body=b'{"error":"down for maintenance"}')
            self.sent[request.delivery_id] = self.sent.get(request.delivery_id, 0) + 1
        return Reply(200)

    def recover(self):
        with self.lock:
            self.failing = False


def providers(stack):
    res = stack.request("GET", "/v1/providers")
    assert res.status == 200, res
    return {p["provider"]: p for p in res.json["providers"]}


def breaker_audit(stack, provider):
    res = stack.request("GET", "/v1/audit?limit=1000")
    assert res.status == 200, res
    entries = res.json["entries"]
    return [e["action"] for e in entries if e["actor"] == "router" and e["target"] == provider]


def test_a_failing_provider_opens_is_probed_and_closes_with_nothing_lost(http_receiver,
                                                                      make_stack):
    switch = Switch()
    receiver = http_receiver(respond=switch)
    stack = make_stack(settings=BREAKER,
                       providers={"hook-a": {"type": "webhook", "url": receiver.url,
                                             "timeout": "2s"}},
                       channels={"hook": ["hook-a"]})
    stack.start()
    assert providers(stack)["hook-a"]["state"] == "closed"

    first = [stack.submit(channel="hook", body=f"early {i}")["id"] for i in range(3)]
    wait_for(lambda: providers(stack)["hook-a"]["state"] != "closed", 15,
             "the breaker to open", check=stack.check_running)
    opened = providers(stack)["hook-a"]
    assert opened["state"] in ("open", "half-open"), opened
    assert opened["channels"] == ["hook"]

    # While it is open nothing goes to it: later sends wait in their queue.
    later = [stack.submit(channel="hook", body=f"later {i}")["id"] for i in range(10)]
    queue = stack.ctl("queue")
    assert queue.returncode == 0, queue.stderr
    assert "hook-a" in queue.stdout and "BREAKER" in queue.stdout, queue.stdout
    only = stack.ctl("--json", "queue", "--providers")
    assert only.returncode == 0, only.stderr
    assert '"provider":"hook-a"' in only.stdout.replace(" ", ""), only.stdout

    # Probes, one per cool-down, which doubles up to its cap: 1s, 2s, 4s, 4s.
    wait_for(lambda: breaker_audit(stack, "hook-a").count("provider.open") >= 4, 30,
             "failed probes to open the breaker again", check=stack.check_running)
    assert providers(stack)["hook-a"]["cooldown_seconds"] == 4, providers(stack)
    failing_requests = receiver.snapshot()
    # After the three failures that opened it, requests came one at a time, a
    # cool-down apart (the probes), never the waiting deliveries at once.
    probes = failing_requests[3:]
    gaps = [b.at - a.at for a, b in zip(failing_requests[2:], probes)]
    assert all(g >= 0.8 for g in gaps), gaps

    switch.recover()
    everything = first + later
    for nid in everything:
        doc = stack.wait_final(nid, timeout=40)
        assert [d["state"] for d in doc["deliveries"]] == ["sent"], doc
    assert providers(stack)["hook-a"]["state"] == "closed"
    actions = breaker_audit(stack, "hook-a")
    assert actions[0] == "provider.open", actions
    assert "provider.half-open" in actions and actions[-1] == "provider.closed", actions

    # Each notification delivered exactly once (one 200 per delivery).
    assert len(switch.sent) == len(everything), switch.sent
    assert set(switch.sent.values()) == {1}, switch.sent

    metrics = stack.request("GET", "/metrics", key=None).body.decode()
    assert 'notify_provider_breaker{provider="hook-a",state="closed"} 1' in metrics
    assert 'notify_provider_breaker_changes_total{provider="hook-a",state="open"}' in metrics
    log = stack.log_path("router").read_text()
    assert "breaker closed -> open" in log and "-> closed" in log


def test_the_channels_other_provider_takes_the_attempts_while_one_is_open(http_receiver,
                                                                         make_stack):
    switch = Switch()
    down = http_receiver(respond=switch)
    up = http_receiver()
    settings = dict(BREAKER, **{"router.breaker_cooldown": "5m",
                                "router.breaker_cooldown_max": "5m"})
    stack = make_stack(settings=settings,
                       providers={"hook-a": {"type": "webhook", "url": down.url},
                                  "hook-b": {"type": "webhook", "url": up.url}},
                       channels={"hook": ["hook-a", "hook-b"]})
    stack.start()

    # The first sends all go to hook-a (first in order) and fail over to hook-b.
    early = [stack.submit(channel="hook", body=f"early {i}")["id"] for i in range(5)]
    for nid in early:
        doc = stack.wait_final(nid, timeout=30)
        assert [d["state"] for d in doc["deliveries"]] == ["sent"], doc
    state = providers(stack)
    assert state["hook-a"]["state"] == "open", state
    assert state["hook-b"]["state"] == "closed", state
    tried_a = down.count()
    assert 3 <= tried_a <= 5, tried_a

    # While hook-a is open, every attempt goes to hook-b at once: none to hook-a.
    later = [stack.submit(channel="hook", body=f"later {i}")["id"] for i in range(15)]
    for nid in later:
        doc = stack.wait_final(nid, timeout=30)
        (delivery,) = doc["deliveries"]
        assert delivery["state"] == "sent" and delivery["attempts"] == 1, delivery
    assert down.count() == tried_a, [r.delivery_id for r in down.snapshot()]
    assert len(up.unique_ids()) == 20 and up.count() == 20
    text = stack.ctl("queue", "--providers")
    assert text.returncode == 0, text.stderr
    row = next(line for line in text.stdout.splitlines() if line.startswith("hook-a"))
    assert " open " in row and "no attempts until" in row, text.stdout
