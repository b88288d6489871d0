# test_cluster.py - `notifyctl cluster status` and GET /healthz on a running
# installation of two ingests, a router and a worker on one store: each process
# as the store knows it (its host, pid, endpoints, state), the worker as its
# router reports it; a router killed with SIGKILL is shown silent and each
# ingest's /healthz says degraded (still 200: sends are accepted and wait in the
# store) until it is back; an ingest stopped cleanly is shown stopped; a router
# with no worker is degraded. Exit 0 when everything is ready, 1 when not, 66
# before there is a store.

import json
import socket

from notify_stack import free_port, wait_for


def cluster(stack, *more):
    res = stack.ctl("--json", "cluster", "status", *more)
    assert res.returncode in (0, 1), (res.returncode, res.stderr)
    return res.returncode, json.loads(res.stdout)


def members(status, role):
    return [m for m in status["members"] if m["role"] == role]


def health(stack):
    res = stack.request("GET", "/healthz", key=None)
    assert res.status == 200, res
    return res.json


def two_ingests_one_router(make_stack, receiver):
    shared = {"router.listen": f"tcp://127.0.0.1:{free_port()}",
              "router.control": f"tcp://127.0.0.1:{free_port()}"}
    common = {"providers": {"hook": {"type": "webhook", "url": receiver.url}},
              "channels": {"hook": ["hook"]}}
    a = make_stack(settings={**shared, "ingest.listen": f"tcp://127.0.0.1:{free_port()}"},
                   **common)
    b = make_stack(settings={**shared, "ingest.listen": f"tcp://127.0.0.1:{free_port()}",
                             "store.path": str(a.store_path)}, **common)
    b.store_path = a.store_path
    a.start()
    b.start("ingest")
    return a, b


def everyone_ready(stack, ingests):
    code, status = cluster(stack)
    ready = (code == 0 and status["ok"]
             and len([m for m in members(status, "ingest") if m["state"] == "ready"]) == ingests
             and [m["state"] for m in members(status, "router")] == ["ready"]
             and len(status["workers"]) == 1)
    return status if ready else None


def test_cluster_status_follows_each_process(http_receiver, make_stack):
    receiver = http_receiver()
    a, b = two_ingests_one_router(make_stack, receiver)
    # Ready once the router's answer to a ping (every 2 s) names its worker, and
    # each row says so a beat later.
    for stack in (a, b):
        wait_for(lambda: health(stack) == {"status": "ready"}, 20, "/healthz ready")
    status = wait_for(lambda: everyone_ready(a, 2), 20, "two ingests, a router and a worker")

    host = socket.gethostname()
    ingests = {m["pid"]: m for m in members(status, "ingest")}
    assert set(ingests) == {a.procs["ingest"].pid, b.procs["ingest"].pid}
    assert {m["detail"]["listen"] for m in ingests.values()} == {
        a.settings["ingest.listen"], b.settings["ingest.listen"]}
    assert ingests[a.procs["ingest"].pid]["detail"]["http"] == a.settings["ingest.http"]
    router, = members(status, "router")
    assert router["pid"] == a.procs["router"].pid
    assert router["detail"]["listen"] == a.settings["router.listen"]
    assert router["id"] == f"router@{host}:{a.run_dir}"
    assert all(m["host"] == host and m["seen_ms_ago"] < 10_000 for m in status["members"])
    worker, = status["workers"]
    assert worker["router"] == router["id"]
    assert worker["credit"] > 0 and worker["in_flight"] == 0
    assert status["store"]["schema"] >= 20 and status["replicas"] == []

    text = a.ctl("cluster", "status")
    assert text.returncode == 0, text.stderr
    for word in ("leader", "ROLE", "ingest", "router", "ready", "WORKER", worker["name"]):
        assert word in text.stdout, (word, text.stdout)

    # The router killed: each ingest says degraded (and still accepts), and the
    # router is shown silent once it has missed its beats; its workers are not listed.
    a.kill("router")
    for stack in (a, b):
        wait_for(lambda: health(stack)["status"] == "degraded", 20, "/healthz degraded")
        assert "does not answer" in health(stack)["problems"][0]
    nid = a.submit(channel="hook", body="while the router is down")["id"]

    def router_silent():
        code, now = cluster(a)
        return code == 1 and [m["state"] for m in members(now, "router")] == ["silent"] and now
    status = wait_for(router_silent, 30, "the router shown silent")
    assert status["ok"] is False and status["workers"] == []
    assert "not heard for" in members(status, "router")[0]["problems"][0]
    text = a.ctl("cluster", "status")
    assert text.returncode == 1 and "silent" in text.stdout and "not heard for" in text.stdout

    # Back: ready again, and what was accepted meanwhile is delivered.
    a.start("router")
    wait_for(lambda: everyone_ready(a, 2), 30, "everyone ready again")
    wait_for(lambda: health(a) == {"status": "ready"}, 20, "/healthz ready again")
    assert a.wait_final(nid)["states"] == {"sent": 1}

    # An ingest stopped cleanly is shown stopped, which is not a fault.
    assert b.stop("ingest") is None
    code, status = cluster(a)
    assert code == 0, status
    assert sorted(m["state"] for m in members(status, "ingest")) == ["ready", "stopped"]


def test_a_router_without_workers_is_degraded(http_receiver, make_stack):
    receiver = http_receiver()
    stack = make_stack(providers={"hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["hook"]})
    stack.start("router", "ingest")
    wait_for(lambda: health(stack)["status"] == "degraded", 20, "/healthz degraded")
    assert "has no worker" in health(stack)["problems"][0]

    def router_degraded():
        code, status = cluster(stack)
        routers = members(status, "router")
        return code == 1 and routers and routers[0]["state"] == "degraded" and status
    status = wait_for(router_degraded, 20, "the router shown degraded")
    assert status["ok"] is False
    assert members(status, "router")[0]["problems"] == [
        "no worker is connected: nothing is delivered"]
    stack.start("worker")
    wait_for(lambda: everyone_ready(stack, 1), 20, "the router ready with its worker")
    wait_for(lambda: health(stack) == {"status": "ready"}, 20, "/healthz ready")


def test_cluster_status_before_there_is_a_store(make_stack):
    stack = make_stack()
    res = stack.ctl("cluster", "status")
    assert res.returncode == 66, (res.returncode, res.stdout, res.stderr)
    assert "holds no store yet" in res.stderr
