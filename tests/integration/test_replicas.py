# test_replicas.py - reads from a read replica (store.replicas): a MariaDB leader and a
# replica of it, with real replication, that the test starts itself on loopback ports.
# Lists, the queue, the audit log and reports are read from the replica while it is no
# further behind than store.max_replica_lag; a notification's status is read from the
# leader. A replica whose replication stops, that falls behind, or that goes away is
# set aside and the leader answers, with nothing failing; it is read again once back.
#
# Which server answered is told by a row changed on the replica alone: the replica takes
# no writes but its administrator's, and its replication copies nothing back.
# `notifyctl cluster status` shows each replica read or not, with why and its lag,
# and /healthz says degraded while none can be read.

import json

from mariadb_server import replica_caught_up
from notify_stack import wait_for

ON_REPLICA = "seen on the replica"


def replicated_stack(make_stack, tmp_path, leader, replica, more=None):
    url, password, database = leader.new_database()
    # What SHOW REPLICA STATUS needs; granted on the leader, copied to the replica.
    leader._client(f"GRANT SLAVE MONITOR ON *.* TO '{database}'@'127.0.0.1'")
    secret = tmp_path / "store.password"
    secret.write_text(password + "\n", encoding="utf-8")
    secret.chmod(0o600)
    replica_url = f"mysql://{database}@127.0.0.1:{replica.port}/{database}"
    settings = {"store.backend": "mysql", "store.url": url, "store.password": f"file:{secret}",
                "store.replicas": [replica_url], **(more or {})}
    stack = make_stack(settings=settings)
    stack.start()
    return stack, database


def listed_subject(stack, nid):
    res = stack.request("GET", "/v1/notifications?limit=100")
    assert res.status == 200, res
    return {n["id"]: n["subject"] for n in res.json["notifications"]}.get(nid)


def mark_audit_on_replica(replica, database):
    # Numbered far past the leader's rows, whose own would otherwise collide with it.
    replica.query(database, "INSERT INTO audit (seq, at, actor, action) "
                            "VALUES (1000000, 1, 'replica-only', 'marker')")


def reports_count_outbox(stack):
    """Whether notifyctl report and GET /v1/reports both count the outbox channel."""
    res = stack.ctl("report", "--by", "channel", "--json")
    assert res.returncode == 0, res.stderr
    web = stack.request("GET", "/v1/reports?by=channel")
    assert web.status == 200, web
    return '"outbox"' in res.stdout, b'"outbox"' in web.body


def replica_shown(stack):
    """The replica's row of `notifyctl cluster status`, and the command's exit status."""
    res = stack.ctl("--json", "cluster", "status")
    assert res.returncode in (0, 1), res.stderr
    row, = json.loads(res.stdout)["replicas"]
    return row, res.returncode


def healthz_problems(stack):
    res = stack.request("GET", "/healthz", key=None)
    assert res.status == 200, res
    return " ".join(res.json.get("problems", []))


def audit_actors(stack):
    res = stack.ctl("audit", "--json")
    assert res.returncode == 0, res.stderr
    return {json.loads(line)["actor"] for line in res.stdout.splitlines()}


def sent_and_marked(stack, database, leader, replica):
    """A notification sent and ended, whose subject the replica alone then changes."""
    nid = stack.submit(channel="outbox", subject="as sent", body="hello")["id"]
    stack.wait_final(nid)
    wait_for(lambda: replica_caught_up(leader, replica), 30, "the replica to catch up")
    replica.query(database, f"UPDATE notifications SET subject = '{ON_REPLICA}' "
                            f"WHERE id = '{nid}'")
    return nid


def test_lists_come_from_the_replica_and_status_from_the_leader(make_stack, tmp_path, pair):
    leader, replica = pair
    # Lag allowed generously: this test is about who answers, not about lag.
    stack, database = replicated_stack(make_stack, tmp_path, leader, replica,
                                       {"store.max_replica_lag": "30s"})
    nid = sent_and_marked(stack, database, leader, replica)
    mark_audit_on_replica(replica, database)

    # Lists, the queue and the audit log: the replica.
    wait_for(lambda: listed_subject(stack, nid) == ON_REPLICA, 15, "reads from the replica")
    assert stack.request("GET", "/v1/queue").status == 200
    audit = stack.request("GET", "/v1/audit")
    assert audit.status == 200, audit
    assert "replica-only" in {e["actor"] for e in audit.json["entries"]}
    assert "replica-only" in audit_actors(stack)
    # Reports: the router counts the send within router.rollup_interval, and the
    # replica has the count soon after. Pointed, on the replica alone, at a
    # generation of counts that does not exist, the reports count nothing.
    wait_for(lambda: reports_count_outbox(stack) == (True, True), 20, "the send in the reports")
    generation = "SELECT value FROM settings WHERE `key` = 'rollup.generation'"
    (kept,), = replica.query(database, generation)
    replica.query(database, f"UPDATE settings SET value = '999' WHERE `key` = 'rollup.generation'")
    try:
        assert reports_count_outbox(stack) == (False, False)
    finally:
        replica.query(database,
                      f"UPDATE settings SET value = '{kept}' WHERE `key` = 'rollup.generation'")
    assert reports_count_outbox(stack) == (True, True)
    # What must see the latest writes: the leader.
    assert stack.get(nid)["subject"] == "as sent"
    res = stack.ctl("status", nid, "--json")
    assert json.loads(res.stdout)["subject"] == "as sent", res.stdout
    # Shown read, with its lag, by notifyctl cluster status.
    row, _ = replica_shown(stack)
    assert row["state"] == "read" and row["lag_seconds"] is not None, row
    assert row["url"].endswith(f":{replica.port}/{database}") and "problem" not in row


def test_a_replica_stopped_behind_or_gone_is_set_aside(make_stack, tmp_path, pair):
    leader, replica = pair
    stack, database = replicated_stack(make_stack, tmp_path, leader, replica)
    nid = sent_and_marked(stack, database, leader, replica)
    wait_for(lambda: listed_subject(stack, nid) == ON_REPLICA, 15, "reads from the replica")

    # Its replication stopped: the leader answers, and the log says why.
    replica.query(None, "STOP SLAVE SQL_THREAD")
    wait_for(lambda: listed_subject(stack, nid) == "as sent", 15, "reads from the leader")
    assert "replicates nothing now" in stack.logs()["notify-ingest"]
    row, code = replica_shown(stack)
    assert code == 1 and row["state"] == "not read" and row["lag_seconds"] is None, row
    assert "replicates nothing now" in row["problem"]
    wait_for(lambda: "no replica of store.replicas can be read" in healthz_problems(stack), 15,
             "/healthz degraded")
    replica.query(None, "START SLAVE SQL_THREAD")
    wait_for(lambda: listed_subject(stack, nid) == ON_REPLICA, 15, "reads from the replica")
    wait_for(lambda: replica_shown(stack)[0]["state"] == "read", 15, "the replica shown read")
    wait_for(lambda: healthz_problems(stack) == "", 15, "/healthz ready")

    # Further behind than store.max_replica_lag (2 s): a send of the leader's that the
    # replica holds back for 30 s.
    replica.query(None, "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 30; START SLAVE")
    later = stack.submit(channel="outbox", subject="later", body="hello")["id"]
    wait_for(lambda: listed_subject(stack, nid) == "as sent"
             and "behind its source" in stack.logs()["notify-ingest"], 20,
             "the replica set aside as behind")
    assert listed_subject(stack, later) == "later"
    replica.query(None, "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE")
    wait_for(lambda: listed_subject(stack, later) == "later"
             and listed_subject(stack, nid) == ON_REPLICA, 20, "reads from the replica")

    # Gone: every read is answered, by the leader, until it is back.
    mark_audit_on_replica(replica, database)
    assert "replica-only" in audit_actors(stack)
    replica.halt()
    try:
        for _ in range(5):
            assert listed_subject(stack, nid) == "as sent"
        assert "replica-only" not in audit_actors(stack)
        res = stack.ctl("report", "--by", "channel", "--json")
        assert res.returncode == 0, res.stderr
        res = stack.request("GET", "/v1/reports?by=channel")
        assert res.status == 200, res
        sent = stack.submit(channel="outbox", subject="while it is gone", body="hello")["id"]
        stack.wait_final(sent)
    finally:
        replica.resume()
    wait_for(lambda: listed_subject(stack, nid) == ON_REPLICA, 30, "reads from the replica")
    wait_for(lambda: replica_caught_up(leader, replica), 30, "the replica to catch up")
    assert listed_subject(stack, sent) == "while it is gone"


def test_replicas_are_for_a_mysql_store(make_stack):
    stack = make_stack(settings={"store.replicas": ["mysql://notify@127.0.0.1:1/notify"],
                                 "store.backend": "sqlite"})
    res = stack.ctl("config", "check")
    assert res.returncode != 0
    assert "'store.replicas' is for store.backend = \"mysql\"" in res.stderr, res.stderr
