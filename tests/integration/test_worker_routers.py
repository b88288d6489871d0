# test_worker_routers.py - one worker serving several routers (worker.router as a
# list): each router is given an equal share of worker.concurrency as credit, a
# job's result goes back to the router that handed it out (so no delivery is sent
# twice), the worker keeps serving the other routers while one is down (when it
# starts, or later) and takes up the one that comes back; with CURVE, each router
# is known by its own public key.
# Each router here is a stack of its own (its store, ingest and router) on loopback.

import pytest
from prometheus_client.parser import text_string_to_metric_families

from notify_stack import free_port, wait_for
from test_curve import log_line, new_pairs

PER_STACK = 12


def worker_credit(stack):
    """notify_worker_credit of each worker this stack's router knows, from /metrics."""
    res = stack.request("GET", "/metrics", key=None, timeout=10)
    assert res.status == 200, res
    out = {}
    for family in text_string_to_metric_families(res.body.decode()):
        for sample in family.samples:
            if sample.name == "notify_worker_credit":
                out[sample.labels["worker"]] = sample.value
    return out


def submit_all(stack, tag, n):
    return [stack.submit(channel="hook", body=f"{tag} {i}")["id"] for i in range(n)]


@pytest.mark.parametrize("curve", [False, True], ids=["plain", "curve"])
def test_one_worker_serves_two_routers(http_receiver, make_stack, curve):
    receiver = http_receiver()
    ports = [free_port(), free_port()]
    endpoints = [f"tcp://127.0.0.1:{p}" for p in ports]
    common = {"providers": {"hook": {"type": "webhook", "url": receiver.url}},
              "channels": {"hook": ["hook"]}}
    router_settings = [{"router.listen": e} for e in endpoints]
    worker_settings = {"worker.router": endpoints, "worker.concurrency": 8}
    if curve:
        _, (router_a, router_b, worker) = new_pairs(make_stack, 3)
        for settings, keys in zip(router_settings, (router_a, router_b)):
            settings.update({"router.curve_secret_key": keys["secret_key"],
                             "router.curve_workers": [worker["public_key"]]})
        # Each router has a key pair of its own: the worker is given both, in order.
        worker_settings.update({
            "worker.curve_secret_key": worker["secret_key"],
            "worker.router_public_key": [router_a["public_key"], router_b["public_key"]]})
    # Stack b runs no worker of its own: stack a's serves both. Its router starts
    # after the worker, which goes on trying it meanwhile.
    b = make_stack(settings=router_settings[1], **common)
    a = make_stack(settings={**router_settings[0], **worker_settings}, **common)
    a.start()
    b.start("router", "ingest")

    line = wait_for(lambda: log_line(a, "worker", "started worker="), 10,
                    "the worker's start line", check=a.check_running)
    assert f"router={endpoints[0]},{endpoints[1]}" in line and "credit=4,4" in line, line
    assert f"curve={'on' if curve else 'off'}" in line, line
    for stack in (a, b):
        wait_for(lambda: list(worker_credit(stack).values()) == [4.0], 10,
                 "each router given half of the worker's credit",
                 check=stack.check_running)

    sent = {a: submit_all(a, "to a", PER_STACK), b: submit_all(b, "to b", PER_STACK)}
    for stack, ids in sent.items():
        for nid in ids:
            assert stack.wait_final(nid)["states"] == {"sent": 1}, nid
    # One request for each notification: every result reached the router that gave
    # the job (a result sent to the other would leave the delivery to be tried again
    # when its lease ran out).
    got = sorted(r.json["notification_id"] for r in receiver.snapshot())
    assert got == sorted(sent[a] + sent[b]), "a delivery was sent twice or not at all"

    # Router b goes down: a's deliveries still go; b's wait for its router.
    b.kill("router")
    more_a = submit_all(a, "to a while b is down", 4)
    for nid in more_a:
        assert a.wait_final(nid)["states"] == {"sent": 1}, nid
    more_b = submit_all(b, "to b while its router is down", 4)
    assert all(b.get(nid)["states"] == {"queued": 1} for nid in more_b)

    # Router b comes back: the worker takes it up again with its share of the credit.
    b.start("router")
    for nid in more_b:
        assert b.wait_final(nid)["states"] == {"sent": 1}, nid
    wait_for(lambda: list(worker_credit(b).values()) == [4.0], 10,
             "router b given its share again", check=b.check_running)
    got = sorted(r.json["notification_id"] for r in receiver.snapshot())
    assert got == sorted(sent[a] + sent[b] + more_a + more_b)
    if curve:
        for stack in (a, b):
            assert log_line(stack, "router", "refused a worker") is None
        assert log_line(a, "worker", "the handshake with the router failed") is None


def test_a_key_for_each_router_must_match_the_routers(make_stack):
    _, (router_a, router_b, worker) = new_pairs(make_stack, 3)
    stack = make_stack(settings={
        "worker.router": [f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"],
        "worker.curve_secret_key": worker["secret_key"],
        "worker.router_public_key": [router_a["public_key"], router_b["public_key"],
                                     router_a["public_key"]]})
    res = stack.ctl("config", "check")
    assert res.returncode == 65, (res.returncode, res.stdout, res.stderr)
    assert "'worker.router_public_key' lists 3 keys for the 2 routers" in res.stderr, res.stderr
    assert worker["secret_key"] not in res.stdout + res.stderr
