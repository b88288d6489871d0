# test_group_send.py - a send to a group of 100,000 users imported from JSON Lines:
# the router expands it into one delivery per user; users with an address on the
# channel who have not opted out get exactly one webhook each, the others end
# `suppressed` with the reason.

import json

from notify_stack import wait_for
from receivers import CountingReceiver

USERS = 100_000


def write_users(path):
    """Every 5th user has no address on the hook channel; users whose number ends in 13
    (one in a hundred) will opt out of the "news" category."""
    with open(path, "w", encoding="utf-8") as f:
        for i in range(USERS):
            user = {"id": f"u{i:06d}", "name": f"User {i}", "locale": "en"}
            if i % 5:
                user["identities"] = {"hook": f"addr-{i:06d}"}
            f.write(json.dumps(user) + "\n")


def test_group_of_100k_users_gets_one_delivery_each(make_stack, tmp_path):
    receiver = CountingReceiver()
    try:
        stack = make_stack(settings={"bulk.approval_threshold": 0},
                           providers={"hook": {"type": "webhook", "url": receiver.url}},
                           channels={"hook": ["hook"]})
        stack.start()
        users = tmp_path / "users.jsonl"
        write_users(users)
        res = stack.ctl("user", "import", str(users), "--group", "everyone", timeout=120)
        assert res.returncode == 0, res.stderr

        opted_out = [i for i in range(USERS) if i % 100 == 13]
        for i in opted_out:
            r = stack.request("PUT", f"/v1/users/u{i:06d}/preferences",
                              body={"category": "news", "opted_out": True})
            assert r.status == 200, r

        doc = stack.submit(channel="hook", to="group:everyone", category="news",
                           subject="Quarterly news", body="Hello")
        assert doc["recipients"] == USERS, doc
        nid = doc["id"]

        expect = {f"addr-{i:06d}" for i in range(USERS) if i % 5 and i % 100 != 13}
        wait_for(lambda: receiver.count() >= len(expect), 300,
                 f"{len(expect)} webhooks", interval=0.5, check=stack.check_running)

        def all_final():
            rows = dict(stack.store_query(
                "SELECT state, count(*) FROM deliveries WHERE notification_id = ? GROUP BY state",
                nid))
            return rows if sum(rows.values()) == USERS and set(rows) <= {"sent", "suppressed"} \
                else None
        states = wait_for(all_final, 120, "every delivery to end", interval=0.5)
        assert states == {"sent": len(expect), "suppressed": USERS - len(expect)}, states

        got = receiver.snapshot()
        assert set(got) == expect, "webhooks went to exactly the users with an address"
        assert max(got.values()) == 1, [k for k, v in got.items() if v > 1][:5]

        reasons = dict(stack.store_query(
            "SELECT CASE WHEN last_error LIKE '%no address%' THEN 'no address' "
            "WHEN last_error LIKE 'opted out%' THEN 'opted out' ELSE last_error END, count(*) "
            "FROM deliveries WHERE notification_id = ? AND state = 'suppressed' GROUP BY 1", nid))
        no_address = USERS // 5
        assert reasons == {"no address": no_address,
                           "opted out": len([i for i in opted_out if i % 5])}, reasons

        status = stack.get(nid)
        assert status["fanout"]["state"] == "done", status["fanout"]
        sample = next(d for d in status["deliveries"] if d["user_id"] == "u000000")
        assert sample["state"] == "suppressed" and "no address" in sample["last_error"], sample
    finally:
        receiver.close()
