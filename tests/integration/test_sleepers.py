# test_sleepers.py - deliveries scheduled far ahead (more than 30 s) sleep in
# the router as no more than their wake-up, and behave as any scheduled
# delivery through the real daemons: counted as scheduled in /metrics, canceled
# while asleep, kept across a kill -9 of the router, sent at their time (not
# before), and resent after a cancel.

import datetime as dt

from notify_stack import wait_for

AHEAD = 34  # seconds: past the 30 s after which a scheduled delivery sleeps


def post(stack, nid, action):
    res = stack.request("POST", f"/v1/notifications/{nid}/{action}")
    assert res.status == 200, f"{action}: {res!r}"
    return res.json


def scheduled_gauge(stack):
    res = stack.request("GET", "/metrics", key=None)
    assert res.status == 200, res
    total = 0
    for line in res.body.decode().splitlines():
        if line.startswith("notify_deliveries_active{") and 'state="scheduled"' in line:
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def instant(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_far_scheduled_deliveries_sleep_and_go_at_their_time(http_receiver, make_stack):
    receiver = http_receiver()
    stack = make_stack(providers={"hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["hook"]})
    stack.start()
    at = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=AHEAD)).replace(microsecond=0)
    send_at = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    kept = stack.submit(channel="hook", body="kept", send_at=send_at)["id"]
    dropped = stack.submit(channel="hook", body="dropped", send_at=send_at)["id"]
    wait_for(lambda: scheduled_gauge(stack) == 2, 10, "both to count as scheduled",
             check=stack.check_running)

    # Canceled while asleep.
    assert post(stack, dropped, "cancel")["canceled"] == 1
    assert [d["state"] for d in stack.get(dropped)["deliveries"]] == ["canceled"]
    assert scheduled_gauge(stack) == 1

    # Still scheduled after a crash of the router, and not sent early.
    stack.kill("router")
    stack.start("router")

    def rebuilt_again():
        lines = [line for line in stack.log_path("router").read_text().splitlines()
                 if "rebuilt queues from the store" in line]
        return lines if len(lines) >= 2 else None
    # The restarted router's sockets may be there before it has read the store.
    rebuilt = wait_for(rebuilt_again, 15, "the restarted router to rebuild its queues",
                       check=stack.check_running)
    assert "active=0 " in rebuilt[-1] and " asleep=1 " in rebuilt[-1], rebuilt
    assert [d["state"] for d in stack.get(kept)["deliveries"]] == ["scheduled"]
    assert not receiver.snapshot()

    doc = stack.wait_final(kept, timeout=AHEAD + 20)
    assert [d["state"] for d in doc["deliveries"]] == ["sent"]
    (queued,) = [e for e in doc["events"] if e["type"] == "queued"]
    assert queued["detail"] == "send_at reached"
    assert instant(queued["at"]) >= at, (queued, send_at)
    assert [d["state"] for d in stack.get(dropped)["deliveries"]] == ["canceled"]

    # Resent once its time has passed, it goes at once.
    assert post(stack, dropped, "resend")["requeued"] == 1
    assert [d["state"] for d in stack.wait_final(dropped)["deliveries"]] == ["sent"]
    bodies = sorted(r.json["body"] for r in receiver.snapshot())
    assert bodies == ["dropped", "kept"], bodies
