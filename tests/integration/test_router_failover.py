# test_router_failover.py - two routers on one store: one holds the lease on the
# deliveries and delivers, the other stands by (bound to nothing) and takes over
# once the lease expires: after the holder is killed with SIGKILL, at once after it
# stops cleanly (it lets the lease go), and after it is paused past the lease (it
# then finds the lease taken, writes nothing more, and exits with status 75 to
# stand by when started again; standing by, it stops at once on SIGTERM). One worker connects to both routers and serves
# whichever delivers, and ingest (ingest.router listing both) nudges and pings
# whichever delivers: its /healthz is ready again once the other has taken over.
# Every send is delivered exactly once throughout. With more partitions than
# one, the two routers share them, two each, and each delivers its own; when
# one is killed, the other takes its partitions over once their leases
# expire, and gives them back when it is started again; /metrics labels each
# router's figures with its id. A router counting the
# partitions otherwise than the ones delivering is refused (status 65).

import json
import os
import signal
import time

from test_metrics import Scrape, check_well_formed
from notify_stack import free_port, lease_holders, router_id, sharing, wait_for

LEASE_S = 2


def two_routers(make_stack, receiver, a_settings=None, b_settings=None):
    listen = [f"tcp://127.0.0.1:{free_port()}" for _ in range(2)]
    control = [f"tcp://127.0.0.1:{free_port()}" for _ in range(2)]
    common = {"providers": {"hook": {"type": "webhook", "url": receiver.url}},
              "channels": {"hook": ["hook"]}}
    shared = {"router.partition_lease": f"{LEASE_S}s", "worker.router": listen,
              "ingest.router": control}
    a = make_stack(settings={**shared, "router.listen": listen[0],
                             "router.control": control[0], **(a_settings or {})}, **common)
    b = make_stack(settings={**shared, "router.listen": listen[1], "router.control": control[1],
                             "store.path": str(a.store_path), **(b_settings or {})}, **common)
    b.store_path = a.store_path
    return a, b


def status(stack):
    res = stack.ctl("--json", "cluster", "status")
    assert res.returncode in (0, 1), (res.returncode, res.stderr)
    return res.returncode, json.loads(res.stdout)


def holder(stack):
    _, now = status(stack)
    leases = [l for l in now["leases"] if l["expires_in_ms"] > 0]
    return leases[0]["holder"] if leases else None


def standing_by(stack, other):
    """`stack`'s router is shown standing by for `other`'s."""
    code, now = status(stack)
    mine = [m for m in now["members"] if m["id"] == router_id(stack)]
    return (code == 0 and mine and mine[0]["state"] == "standby"
            and mine[0]["detail"]["lease"]["holder"] == router_id(other) and now)


def delivered_once(stack, receiver, tag, n=5):
    ids = [stack.submit(channel="hook", body=f"{tag} {i}")["id"] for i in range(n)]
    for nid in ids:
        assert stack.wait_final(nid, timeout=30)["states"] == {"sent": 1}, nid
    return ids


def health(stack):
    res = stack.request("GET", "/healthz", key=None)
    assert res.status == 200, res
    return res.json


def log_text(stack, name):
    return stack.log_path(name).read_text(encoding="utf-8", errors="replace")


def test_a_standby_router_takes_over(http_receiver, make_stack):
    receiver = http_receiver()
    a, b = two_routers(make_stack, receiver)
    a.start()
    b._spawn("router")
    now = wait_for(lambda: standing_by(b, a), 20, "b's router standing by", check=b.check_running)
    lease, = now["leases"]
    assert lease["holder"] == router_id(a) and lease["epoch"] >= 1
    text = b.ctl("cluster", "status")
    assert text.returncode == 0 and "standby" in text.stdout and "LEASE" in text.stdout, text
    sent = delivered_once(a, receiver, "before")

    # Killed: b takes over once the lease expires, and delivers what a left.
    a.kill("router")
    killed = time.monotonic()
    left = a.submit(channel="hook", body="while no router delivers")["id"]
    wait_for(lambda: holder(b) == router_id(b), 30, "b holding the deliveries",
             check=b.check_running)
    took = time.monotonic() - killed
    print(f"router failover: b holds the deliveries {took:.2f}s after a was killed "
          f"(router.partition_lease {LEASE_S}s)")
    assert a.wait_final(left, timeout=30)["states"] == {"sent": 1}
    wait_for(lambda: health(a) == {"status": "ready"}, 20, "a's ingest ready with b's router")
    sent += delivered_once(a, receiver, "after the kill")

    # a started again stands by for b.
    a._spawn("router")
    wait_for(lambda: standing_by(a, b), 20, "a's router standing by", check=a.check_running)

    # b stopped cleanly lets the lease go: a takes over without waiting for it.
    assert b.stop("router") is None
    wait_for(lambda: holder(a) == router_id(a), LEASE_S + 10, "a holding the deliveries",
             check=a.check_running)
    sent += delivered_once(a, receiver, "after the stop")

    got = sorted(r.json["notification_id"] for r in receiver.snapshot())
    assert got == sorted(sent + [left]), "each notification delivered once"




def test_two_routers_share_the_partitions(http_receiver, make_stack):
    receiver = http_receiver()
    four = {"router.partitions": 4}
    a, b = two_routers(make_stack, receiver, four, four)
    a.start()
    assert lease_holders(a) == {router_id(a): [0, 1, 2, 3]}
    b._spawn("router")
    wait_for(lambda: sharing(a, a, b), 30, "two partitions each", check=b.check_running)
    # The worker finds each router made anew for its partitions.
    wait_for(lambda: a.ctl("cluster", "status").returncode == 0, 20, "every router ready")
    text = a.ctl("cluster", "status")
    assert "partitions 0-1" in text.stdout and "partitions 2-3" in text.stdout, text.stdout
    sent = delivered_once(a, receiver, "shared", n=20)
    # Each router delivered some (the partitions go by notification here),
    # and /metrics tells their figures apart by a router label.
    for stack in (a, b):
        assert "state=sent" in log_text(stack, "router"), stack.run_dir
    scrape = Scrape(a)
    check_well_formed(scrape)
    sent_by = {dict(labels)["router"]: value for labels, value in
               scrape.series("notify_deliveries_total", channel="hook", state="sent").items()}
    assert set(sent_by) == {router_id(a), router_id(b)}, scrape.text
    assert sum(sent_by.values()) == 20, sent_by

    # b killed: a takes its partitions over once their leases expire.
    b.kill("router")
    wait_for(lambda: lease_holders(a) == {router_id(a): [0, 1, 2, 3]}, 30,
             "a holding every partition")
    sent += delivered_once(a, receiver, "after b was killed", n=10)

    # Started again, b takes its share back from a.
    b._spawn("router")
    wait_for(lambda: sharing(a, a, b), 30, "two partitions each again", check=b.check_running)
    sent += delivered_once(a, receiver, "shared again", n=10)
    got = sorted(r.json["notification_id"] for r in receiver.snapshot())
    assert got == sorted(sent), "each notification delivered once"


def test_a_paused_router_finds_its_lease_taken_and_exits(http_receiver, make_stack):
    receiver = http_receiver()
    a, b = two_routers(make_stack, receiver)
    a.start()
    b._spawn("router")
    wait_for(lambda: standing_by(b, a), 20, "b's router standing by", check=b.check_running)

    paused = a.procs["router"]
    os.kill(paused.pid, signal.SIGSTOP)
    try:
        wait_for(lambda: holder(b) == router_id(b), 30, "b holding the deliveries",
                 check=b.check_running)
        sent = delivered_once(a, receiver, "while a is paused")
    finally:
        os.kill(paused.pid, signal.SIGCONT)
    # Woken, a finds another holder: it stops at once, with status 75.
    assert paused.wait(timeout=30) == 75
    a.procs.pop("router")
    log = log_text(a, "router")
    assert "has taken over a partition this router held" in log, log[-2000:]
    sent += delivered_once(a, receiver, "after a exited")
    # Started again, a stands by; SIGTERM ends it cleanly, without waiting.
    a._spawn("router")
    wait_for(lambda: standing_by(a, b), 20, "a's router standing by", check=a.check_running)
    assert a.stop("router", timeout=5) is None
    got = sorted(r.json["notification_id"] for r in receiver.snapshot())
    assert got == sorted(sent), "each notification delivered once"


def test_a_router_counting_the_partitions_otherwise_is_refused(http_receiver, make_stack):
    receiver = http_receiver()
    a, b = two_routers(make_stack, receiver, {"router.partitions": 4}, {"router.partitions": 2})
    a.start()
    assert lease_holders(a) == {router_id(a): [0, 1, 2, 3]}
    text = a.ctl("cluster", "status")
    assert "partitions 0-3" in text.stdout, text.stdout

    b._spawn("router")
    refused = b.procs["router"]
    assert refused.wait(timeout=30) == 65
    b.procs.pop("router")
    log = log_text(b, "router")
    assert ("router.partitions is 2 here, but the routers delivering now (" + router_id(a)
            + ") divide the deliveries into 4") in log, log[-2000:]
    # a delivers on, holding every partition.
    sent = delivered_once(a, receiver, "after the refusal")
    assert lease_holders(a) == {router_id(a): [0, 1, 2, 3]}
    got = sorted(r.json["notification_id"] for r in receiver.snapshot())
    assert got == sorted(sent)
