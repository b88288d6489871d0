# test_mysql_store.py - the store on a MySQL-protocol server (a MariaDB server the test
# starts itself on a loopback port), configured as an operator would: store.backend =
# "mysql", store.url and a store.password read from a file. The real daemons accept,
# route and deliver on it; notifyctl works on it directly; `store migrate` says what it
# did; `store copy` moves a SQLite installation with every kind of row to it and back
# unchanged; a wrong password or an unreachable server is a clear exit 69; a server
# that goes away is a 503 for every send until it is back, and nothing is lost.

import json
import sqlite3

import pytest

from mariadb_server import MariaDbServer
from notify_stack import free_port, wait_for

FINAL = {"sent", "delivered"}


@pytest.fixture(scope="module")
def mariadb():
    why = MariaDbServer.missing()
    if why:
        pytest.skip(why)
    server = MariaDbServer()
    server.start()
    yield server
    server.stop()


def mysql_settings(tmp_path, url, password):
    secret = tmp_path / "store.password"
    secret.write_text(password + "\n", encoding="utf-8")
    secret.chmod(0o600)
    return {"store.backend": "mysql", "store.url": url, "store.password": f"file:{secret}"}


def test_the_daemons_accept_and_deliver_on_mysql(make_stack, mariadb, tmp_path):
    url, password, database = mariadb.new_database()
    stack = make_stack(settings=mysql_settings(tmp_path, url, password))
    stack.start()
    ids = [stack.submit(channel="outbox", subject=f"s{i}", body=f"body {i}")["id"]
           for i in range(20)]
    ids += stack.submit_batch([{"channel": "outbox", "body": f"batch {i}"} for i in range(30)])
    for nid in ids:
        states = {d["state"] for d in stack.wait_final(nid)["deliveries"]}
        assert states <= FINAL, (nid, states)

    res = stack.ctl("send", "--channel", "outbox", "--subject", "nightly", "--wait", "backup done")
    assert res.returncode == 0, res.stderr
    nid = res.stdout.strip()
    shown = json.loads(stack.ctl("status", nid, "--json").stdout)
    assert [d["state"] for d in shown["deliveries"]] == ["sent"], shown

    # The rows are on the server, and nothing was written beside the config.
    assert mariadb.query(database, "SELECT count(*) FROM notifications") == [("51",)]
    assert mariadb.query(database, "SELECT state, count(*) FROM deliveries GROUP BY state") \
        == [("sent", "51")]
    assert not stack.store_path.exists()
    outbox = (stack.store_path.parent / "outbox.jsonl").read_text(encoding="utf-8")
    assert len(outbox.splitlines()) == 51
    assert stack.request("GET", "/healthz", key=None).status == 200


def test_a_wrong_password_or_an_unreachable_server_is_refused(make_stack, mariadb, tmp_path):
    url, _, database = mariadb.new_database()
    stack = make_stack(settings=mysql_settings(tmp_path, url, "not-the-password"))
    res = stack.ctl("store", "migrate")
    assert res.returncode == 69, (res.returncode, res.stderr)
    assert f"127.0.0.1:{mariadb.port}" in res.stderr and database in res.stderr, res.stderr
    assert "not-the-password" not in res.stderr
    for daemon in ("ingest", "router"):
        assert stack.exit_status(daemon) == 69
        log = stack.log_path(daemon).read_text(encoding="utf-8")
        assert f"127.0.0.1:{mariadb.port}" in log and "not-the-password" not in log, log

    nobody = free_port()
    gone = make_stack(settings=mysql_settings(
        tmp_path, f"mysql://notify@127.0.0.1:{nobody}/notify", "x"))
    res = gone.ctl("store", "migrate")
    assert res.returncode == 69 and f"127.0.0.1:{nobody}" in res.stderr, res.stderr
    assert gone.exit_status("ingest") == 69

    bad = make_stack(settings={"store.backend": "mysql",
                               "store.url": "mysql://notify:hunter2@127.0.0.1/notify"})
    for res in (bad.ctl("config", "check"), bad.ctl("store", "migrate")):
        assert res.returncode != 0 and "store.password" in res.stderr, res.stderr
        assert "hunter2" not in res.stderr and "notify:********@" in res.stderr, res.stderr


def test_store_migrate_says_what_it_did_and_refuses_a_newer_schema(make_stack, mariadb, tmp_path):
    url, password, database = mariadb.new_database()
    stack = make_stack(settings=mysql_settings(tmp_path, url, password))
    # Commands that only read make nothing in an empty database, as they make no file.
    for args in (["template", "ls"], ["audit"], ["report"], ["apikey", "ls"]):
        res = stack.ctl(*args)
        assert res.returncode == 0, (args, res.stderr)
    assert mariadb.query(database, "SHOW TABLES") == []
    res = stack.ctl("store", "copy", "--from", url, "--to", str(tmp_path / "copy.db"),
                    "--from-password", f"file:{tmp_path / 'store.password'}")
    assert res.returncode == 66 and "holds no store yet" in res.stderr, res.stderr
    assert mariadb.query(database, "SHOW TABLES") == []
    first = json.loads(stack.ctl("--json", "store", "migrate").stdout)
    assert first["was"] == 0 and first["schema_version"] > 0 and first["store"] == url
    res = stack.ctl("store", "migrate")
    assert res.returncode == 0 and "nothing to do" in res.stdout, res.stdout
    mariadb.query(database, "UPDATE notify_schema SET version = version + 1")
    res = stack.ctl("store", "migrate")
    assert res.returncode == 69 and "newer than this build knows" in res.stderr, res.stderr

    local = make_stack()
    assert local.ctl("store", "migrate").returncode == 0
    with sqlite3.connect(local.store_path) as db:
        db.execute(f"PRAGMA user_version = {first['schema_version'] + 1}")
    res = local.ctl("store", "migrate")
    assert res.returncode == 69 and "newer than this build knows" in res.stderr, res.stderr


def fill_every_kind_of_row(stack):
    """Through the real commands: sends delivered and waiting, templates with versions and
    a locale, users with identities, groups, preferences, a schedule, API keys, audit."""
    def ok(*args):
        res = stack.ctl(*args)
        assert res.returncode == 0, (args, res.stderr)
        return res

    ok("template", "add", "welcome", "--channel", "outbox", "--subject", "Hi {{name}}",
       "--text", "Welcome, {{name}}")
    ok("template", "add", "welcome", "--channel", "outbox", "--subject", "Hello {{name}}",
       "--text", "Welcome aboard, {{name}}")
    ok("template", "add", "welcome", "--locale", "zh-CN", "--subject", "欢迎 {{name}}",
       "--text", "你好 {{name}}")
    for i in range(5):
        ok("user", "add", f"u{i}", "--name", f"User {i}", "--identity", f"outbox=u{i}@example.com",
           "--group", "staff")
    ok("group", "add", "board", "--requires-approval")
    ok("group", "add-member", "board", "u0", "u1")
    ok("user", "pref", "set", "u2", "--category", "marketing", "--opt-out")
    ok("schedule", "add", "standup", "--cron", "0 9 * * MON-FRI", "--tz", "Asia/Shanghai",
       "--channel", "outbox", "stand up")
    ids = [stack.submit(channel="outbox", to="user:u1", template="welcome",
                        data={"name": "Ana"})["id"]]
    ids += [stack.submit(channel="outbox", body=f"plain {i}", priority="low")["id"]
            for i in range(10)]
    ids.append(stack.submit(channel="outbox", to="group:staff", body="all hands")["id"])
    for nid in ids:
        stack.wait_final(nid)
    stack.submit(channel="outbox", body="later", send_at="2099-01-01T00:00:00Z")


def dump(path):
    """Every table's rows, sorted, with their SQLite types (bytes stay bytes); not
    cluster_members, router_partitions nor router_claimants, which say what runs on
    the source and are not copied."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT IN ('cluster_members', 'router_partitions', 'router_claimants') "
            "ORDER BY name")]
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in tables}


def test_store_copy_moves_sqlite_to_mysql_and_back_unchanged(make_stack, mariadb, tmp_path):
    stack = make_stack()
    stack.start()
    fill_every_kind_of_row(stack)
    for name in ("ingest", "worker", "router"):
        assert stack.stop(name) is None
    before = dump(stack.store_path)
    for table in ("notifications", "deliveries", "events", "templates", "users", "identities",
                  "groups", "group_members", "preferences", "schedules", "api_keys", "audit",
                  "fanouts"):
        assert before[table], f"no {table} rows to copy"
    assert len({r for r in before["templates"]}) >= 3

    url, password, database = mariadb.new_database()
    secret = tmp_path / "pw"
    secret.write_text(password, encoding="utf-8")
    res = stack.ctl("--json", "store", "copy", "--from", str(stack.store_path), "--to", url,
                    "--to-password", f"file:{secret}")
    assert res.returncode == 0, res.stderr
    copied = json.loads(res.stdout)
    assert copied["rows"] == sum(len(rows) for rows in before.values())
    assert copied["tables"]["deliveries"] == len(before["deliveries"])
    assert mariadb.query(database, "SELECT count(*) FROM deliveries") \
        == [(str(len(before["deliveries"])),)]

    back = tmp_path / "back.db"
    res = stack.ctl("store", "copy", "--from", url, "--from-password", f"file:{secret}",
                    "--to", f"sqlite:{back}")
    assert res.returncode == 0, res.stderr
    assert f"copied {copied['rows']} rows" in res.stdout
    after = dump(back)
    for table in before:
        assert after[table] == before[table], table

    # Into a store that holds rows: refused, and nothing is written.
    res = stack.ctl("store", "copy", "--from", str(stack.store_path), "--to", url,
                    "--to-password", f"file:{secret}")
    assert res.returncode == 65 and "not empty" in res.stderr, res.stderr
    assert mariadb.query(database, "SELECT count(*) FROM deliveries") \
        == [(str(len(before["deliveries"])),)]
    res = stack.ctl("store", "copy", "--from", url, "--to", str(back), "--from-password", "pw")
    assert res.returncode == 64 and "env:NAME or file:PATH" in res.stderr, res.stderr
    res = stack.ctl("store", "copy", "--from", str(tmp_path / "none.db"), "--to", str(back))
    assert res.returncode == 66 and "no store at" in res.stderr, res.stderr


def test_a_server_that_goes_away_takes_no_send_and_is_used_again_when_back(make_stack, tmp_path):
    why = MariaDbServer.missing()
    if why:
        pytest.skip(why)
    server = MariaDbServer()  # one of this test's own, to take down
    server.start()
    try:
        url, password, database = server.new_database()
        stack = make_stack(settings={**mysql_settings(tmp_path, url, password),
                                     "store.busy_timeout": "2s"})
        stack.start()
        before = [stack.submit(channel="outbox", body=f"before {i}")["id"] for i in range(5)]
        for nid in before:
            stack.wait_final(nid)

        server.halt()
        res = stack.request("POST", "/v1/notifications", body={"channel": "outbox", "body": "x"})
        assert res.status == 503, res
        assert res.json["error"]["code"] == "store_unavailable", res
        wait_for(lambda: stack.request("GET", "/healthz", key=None).status == 503, 10,
                 "GET /healthz = 503 with the server down")
        res = stack.ctl("send", "--channel", "outbox", "nobody stores this")
        assert res.returncode in (69, 75), (res.returncode, res.stderr)

        server.resume()
        after = wait_for(lambda: _accepted(stack, "after"), 30, "a send accepted again")
        doc = stack.wait_final(after, timeout=30)
        assert [d["state"] for d in doc["deliveries"]] == ["sent"], doc
        stack.check_running()
        # What was acknowledged is there; what was refused is not.
        assert server.query(database, "SELECT count(*) FROM notifications") == [("6",)]
        for name in ("ingest", "worker", "router"):
            assert stack.stop(name) is None
    finally:
        server.stop()


def _accepted(stack, body):
    res = stack.request("POST", "/v1/notifications", body={"channel": "outbox", "body": body})
    return res.json["id"] if res.status == 202 else None
