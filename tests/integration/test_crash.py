# test_crash.py - the store is the truth: with 10,000 notifications draining, the router
# and the worker are killed with SIGKILL and started again; every accepted delivery still
# ends sent, each delivery id reaches the receiver at least once, and the number
# delivered twice stays bounded.

import threading

from notify_stack import FINAL_STATES, wait_for

TOTAL, BATCH = 10_000, 100
KILL_AT = 2_500  # unique deliveries seen by the receiver when the crash happens
MAX_DUPLICATES = 2_000


def test_router_and_worker_crash_loses_nothing(http_receiver, make_stack):
    receiver = http_receiver()
    stack = make_stack(settings={"worker.concurrency": 32},
                       providers={"fast-hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["fast-hook"]})
    stack.start()
    stack.admin_key  # the API key is made here, not in the submitting thread

    accepted, errors = [], []

    def submit_all():
        try:
            for start in range(0, TOTAL, BATCH):
                accepted.extend(stack.submit_batch([
                    {"channel": "hook", "subject": f"n{i}", "body": "crash drill",
                     "priority": ("high", "medium", "low")[i % 3]}
                    for i in range(start, start + BATCH)]))
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    submitter = threading.Thread(target=submit_all)
    submitter.start()
    try:
        wait_for(lambda: len(receiver.unique_ids()) >= KILL_AT or errors,
                 120, f"{KILL_AT} deliveries before the crash", check=stack.check_running)
        seen_at_kill = len(receiver.unique_ids())
        stack.kill("router")
        stack.kill("worker")
        stack.start("router", "worker")
    finally:
        submitter.join(timeout=180)
    assert not errors, f"submitting failed: {errors[0]!r}"
    assert not submitter.is_alive(), "submitting did not finish"
    assert len(accepted) == TOTAL
    assert seen_at_kill < TOTAL, "everything was delivered before the crash; the test proves nothing"

    expected = {f"{nid}.1" for nid in accepted}
    wait_for(lambda: expected <= receiver.unique_ids(), 240,
             "every accepted delivery to reach the receiver", interval=0.25,
             check=stack.check_running)

    def all_final():
        states = stack.delivery_states()
        return states if set(states) <= FINAL_STATES else None
    states = wait_for(all_final, 60, "every delivery to reach a final state in the store",
                      interval=0.25, check=stack.check_running)
    assert states == {"sent": TOTAL}, states

    ids = receiver.unique_ids()
    assert ids == expected, f"{len(ids - expected)} unexpected delivery ids at the receiver"
    duplicates = receiver.count() - len(ids)
    print(f"crash: killed router and worker after {seen_at_kill} of {TOTAL} deliveries; "
          f"{duplicates} deliveries arrived twice or more")
    assert duplicates < MAX_DUPLICATES
