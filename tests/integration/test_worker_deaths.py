# test_worker_deaths.py - a delivery whose attempt kills the worker cannot take
# down worker after worker: the router counts the workers that died holding it
# and after router.max_worker_deaths (3) ends it failed, "worker died while
# sending it". A worker killed by a fatal signal logs the deliveries it held.
#
# The worker is killed from outside while it holds the delivery (the receiver
# never answers in time): with SIGSEGV, whose handler logs and re-raises, and
# with SIGKILL, which leaves no word at all.

import resource
import signal

from notify_stack import wait_for
from receivers import Reply, always

HOOK = "slow-hook"


def test_a_delivery_that_kills_its_workers_ends_failed(http_receiver, make_stack):
    # A worker killed by SIGSEGV would dump core; nothing here wants one.
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.RLIM_INFINITY))
    receiver = http_receiver(respond=always(Reply(200, delay=30)))
    stack = make_stack(providers={HOOK: {"type": "webhook", "url": receiver.url}},
                       channels={"hook": [HOOK]})
    stack.start()
    nid = stack.submit(channel="hook", subject="poison", body="kills every worker")["id"]

    for death, how in enumerate([signal.SIGSEGV, signal.SIGKILL, signal.SIGKILL], start=1):
        wait_for(lambda: receiver.count() >= death, 20,
                 f"attempt {death} to reach the receiver", check=stack.check_running)
        worker = stack.procs.pop("worker")
        worker.send_signal(how)
        assert worker.wait(timeout=10) == -how, f"the worker did not die of {how!r}"
        if death < 3:
            stack.start("worker")

    doc = stack.wait_final(nid, timeout=30)
    (delivery,) = doc["deliveries"]
    assert delivery["state"] == "failed", delivery
    assert delivery["last_error"].startswith("worker died while sending it"), delivery
    events = [(e["type"], e["detail"]) for e in doc["events"]
              if e["delivery_id"] == delivery["id"]]
    deaths = [d for t, d in events if t == "requeued" and "died holding it" in d]
    assert len(deaths) == 2, events
    assert events[-1][0] == "failed", events
    assert receiver.count() == 3, "the delivery was tried again after its third worker died"

    log = stack.log_path("worker").read_text(encoding="utf-8", errors="replace")
    assert "dying of SIGSEGV" in log, log[-2000:]
    assert (f"{nid}: delivery={delivery['id']} provider={HOOK} attempt=1 "
            "was in flight when the worker died") in log, log[-2000:]
