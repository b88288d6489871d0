# test_metrics.py - GET /metrics: text that the Prometheus client's own parser reads,
# the router's and the workers' figures served by ingest beside its own, counters that
# agree with the store after a run (the router started on an empty store, so "since it
# started" is everything), and an answer with notify_router_up 0 while the router is down.

import json
import time

from prometheus_client.parser import text_string_to_metric_families

from notify_stack import wait_for
from receivers import Reply, always, scripted

CHANNELS = {"ok": "good-hook", "refused": "bad-hook", "flaky": "flaky-hook"}


class Scrape:
    """One GET /metrics, parsed by prometheus_client."""

    def __init__(self, stack, timeout=10):
        started = time.monotonic()
        res = stack.request("GET", "/metrics", key=None, timeout=timeout)
        self.seconds = time.monotonic() - started
        assert res.status == 200, res
        assert res.headers.get("Content-Type", "").startswith("text/plain; version=0.0.4"), \
            res.headers
        self.text = res.body.decode("utf-8")
        self.families = {f.name: f for f in text_string_to_metric_families(self.text)}
        self.samples = {}
        for family in self.families.values():
            for s in family.samples:
                key = (s.name, tuple(sorted(s.labels.items())))
                assert key not in self.samples, f"sample {key} appears twice"
                self.samples[key] = s.value

    def value(self, name, **labels):
        key = (name, tuple(sorted(labels.items())))
        assert key in self.samples, f"no sample {name}{labels} in:\n{self.text}"
        return self.samples[key]

    def series(self, name, **labels):
        """Every sample of `name` whose labels include `labels`."""
        want = set(labels.items())
        return {k[1]: v for k, v in self.samples.items() if k[0] == name and want <= set(k[1])}


def check_well_formed(scrape):
    for name, family in scrape.families.items():
        assert family.type != "unknown", f"{name} has no TYPE line"
        assert family.documentation, f"{name} has no HELP text"
        if family.type != "histogram":
            continue
        # Buckets are cumulative, and the +Inf bucket is the count, in every series.
        series = {}
        for s in family.samples:
            labels = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
            series.setdefault(labels, {"buckets": []})
            if s.name.endswith("_bucket"):
                series[labels]["buckets"].append((float(s.labels["le"]), s.value))
            elif s.name.endswith("_count"):
                series[labels]["count"] = s.value
        for labels, parts in series.items():
            buckets = parts["buckets"]
            assert buckets and buckets[-1][0] == float("inf"), (name, labels)
            assert [b for b, _ in buckets] == sorted(b for b, _ in buckets), (name, labels)
            counts = [c for _, c in buckets]
            assert counts == sorted(counts), f"{name}{labels}: buckets not cumulative: {counts}"
            assert counts[-1] == parts["count"], (name, labels, counts[-1], parts["count"])


def metrics_stack(make_stack, http_receiver, settings=None):
    good = http_receiver(respond=always(Reply(200)))
    bad = http_receiver(respond=always(Reply(400, body=b'{"message":"no such recipient"}')))
    flaky = http_receiver(respond=scripted(Reply(500), Reply(503), then=Reply(200)))
    urls = {"good-hook": good.url, "bad-hook": bad.url, "flaky-hook": flaky.url}
    stack = make_stack(
        settings=settings,
        providers={name: {"type": "webhook", "url": url, "timeout": "2s"}
                   for name, url in urls.items()},
        channels={channel: [provider] for channel, provider in CHANNELS.items()})
    stack.start()
    return stack


def import_team(stack, path):
    """Group "team": five users, four with an address on the "ok" channel."""
    with open(path, "w", encoding="utf-8") as f:
        for i in range(5):
            user = {"id": f"t{i}", "name": f"Team {i}"}
            if i:
                user["identities"] = {"ok": f"member-{i}"}
            f.write(json.dumps(user) + "\n")
    res = stack.ctl("user", "import", str(path), "--group", "team")
    assert res.returncode == 0, res.stderr


def test_metrics_parse_and_agree_with_the_store(make_stack, http_receiver, tmp_path):
    stack = metrics_stack(make_stack, http_receiver, settings={"bulk.approval_threshold": 0})
    import_team(stack, tmp_path / "team.jsonl")
    ids = [stack.submit(channel="ok", subject=f"s{i}", body="fine")["id"] for i in range(6)]
    ids += stack.submit_batch([{"channel": "ok", "body": f"batch {i}"} for i in range(4)])
    ids += [stack.submit(channel="refused", body=f"nobody {i}")["id"] for i in range(3)]
    ids += [stack.submit(channel="flaky", body=f"again {i}", priority="high")["id"]
            for i in range(2)]
    ids.append(stack.submit(channel="ok", to="group:team", body="to the team")["id"])
    send_requests = 6 + 1 + 3 + 2 + 1
    for nid in ids:
        stack.wait_final(nid, timeout=30)

    m = Scrape(stack)
    check_well_formed(m)
    assert m.value("notify_router_up") == 1

    # Ingest: what it accepted, and a time for every send request answered.
    (notifications,), = stack.store_query("SELECT count(*) FROM notifications")
    assert m.value("notify_ingest_accepted_total") == notifications == len(ids)
    assert m.value("notify_ingest_accept_seconds_count") == send_requests

    # The router: every delivery taken in, and its transitions into final states.
    by_state = {(c, s): n for c, s, n in stack.store_query(
        "SELECT channel, state, count(*) FROM deliveries GROUP BY channel, state")}
    assert {s for _, s in by_state} <= {"sent", "failed", "suppressed"}, by_state
    for channel in CHANNELS:
        total = sum(n for (c, _), n in by_state.items() if c == channel)
        assert m.value("notify_deliveries_total", channel=channel, state="accepted") == total
        for state in ("sent", "failed", "expired", "suppressed", "canceled"):
            assert m.value("notify_deliveries_total", channel=channel, state=state) == \
                by_state.get((channel, state), 0), (channel, state)
    assert by_state[("ok", "sent")] == 10 + 4
    assert by_state[("ok", "suppressed")] == 1  # the team member without an address
    assert by_state[("refused", "failed")] == 3
    assert by_state[("flaky", "sent")] == 2

    # Attempts per provider: as many as the store's "dispatched" events, each answered.
    dispatched = dict(stack.store_query(
        "SELECT d.provider, count(*) FROM events e JOIN deliveries d ON d.id = e.delivery_id "
        "WHERE e.type = 'dispatched' GROUP BY d.provider"))
    assert dispatched == {"good-hook": 14, "bad-hook": 3, "flaky-hook": 4}, dispatched
    for channel, provider in CHANNELS.items():
        assert m.value("notify_dispatches_total", provider=provider) == dispatched[provider]
        outcomes = {o: m.value("notify_attempts_total", provider=provider, outcome=o)
                    for o in ("sent", "retryable", "permanent")}
        assert sum(outcomes.values()) == dispatched[provider], (provider, outcomes)
        assert outcomes["sent"] == by_state.get((channel, "sent"), 0), (provider, outcomes)
        assert m.value("notify_provider_request_seconds_count", provider=provider) == \
            dispatched[provider]
        assert m.value("notify_accept_to_sent_seconds_count", channel=channel) == \
            by_state.get((channel, "sent"), 0)
        assert m.value("notify_provider_healthy", provider=provider) == 1
        # Every attempt ended, so none holds a place under max_connections.
        assert m.value("notify_provider_in_flight", provider=provider) == 0
    assert m.value("notify_attempts_total", provider="bad-hook", outcome="permanent") == 3
    assert m.value("notify_attempts_total", provider="flaky-hook", outcome="retryable") == 2

    # Nothing is left in the router's hands; the worker holds nothing.
    assert m.value("notify_in_flight") == 0
    assert set(m.series("notify_queue_depth").values()) == {0}
    assert set(m.series("notify_deliveries_active").values()) == {0}
    assert m.value("notify_workers") == 1
    assert set(m.series("notify_worker_in_flight").values()) == {0}
    # The store's commits are timed.
    assert m.value("notify_router_store_commit_seconds_count") > 0
    assert m.value("notify_router_store_commit_failures_total") == 0
    # The send to the team: expanded into five deliveries, one of them suppressed.
    assert m.value("notify_fanout_recipients_total") == 5
    assert m.value("notify_fanouts_done_total") == 1
    assert m.value("notify_fanouts_expanding") == 0


def test_metrics_answer_while_the_router_is_down(make_stack, http_receiver):
    stack = metrics_stack(make_stack, http_receiver)
    nid = stack.submit(channel="ok", body="before")["id"]
    stack.wait_final(nid)
    assert Scrape(stack).value("notify_router_up") == 1

    problem = stack.stop("router")
    assert problem is None, problem
    m = Scrape(stack)
    check_well_formed(m)
    assert m.value("notify_router_up") == 0
    assert m.value("notify_ingest_accepted_total") == 1
    assert "notify_deliveries_total" not in m.text  # only ingest's own figures
    assert m.seconds < 5, f"/metrics took {m.seconds:.1f}s without a router"

    stack.start("router")
    up = wait_for(lambda: Scrape(stack).value("notify_router_up") == 1, 15,
                  "notify_router_up 1 once the router is back")
    assert up
    # A fresh router counts from its start: the delivery it finished before is not counted.
    m = Scrape(stack)
    assert m.value("notify_deliveries_total", channel="ok", state="sent") == 0
