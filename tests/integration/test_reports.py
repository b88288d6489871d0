# test_reports.py - reports (`notifyctl report`) read rollups, never the
# deliveries; they must agree exactly with a direct count over the store:
# "accepted" counts deliveries by their acceptance, every other status counts
# the events of that type by their time. A generated month of mixed traffic
# (every channel kind, priority and outcome, in a zone with a daylight-saving
# change) is counted by `report --rebuild`; live traffic through the real
# daemons is counted by the router as it goes, and a rebuild must agree with it.

import csv
import http.client
import io
import socket
import json
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from generated_month import ZONE, generate_month, ms
from notify_stack import wait_for
from receivers import Reply, always, scripted

STATUSES = ["accepted", "sent", "delivered", "read", "clicked", "retry", "failed", "expired",
            "suppressed", "canceled"]
DIMENSIONS = ["minute", "hour", "day", "channel", "provider", "priority", "status", "template",
              "module", "category", "group"]
PRIORITY = {0: "high", 1: "medium", 2: "low"}


def groups_of(recipients):
    names = sorted({r[6:] for r in recipients.split("\n") if r.startswith("group:")})
    return ",".join(names)


def local_iso(ms, zone):
    text = datetime.fromtimestamp(ms / 1000, zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def time_key(dim, ms, zone):
    t = datetime.fromtimestamp(ms / 1000, zone)
    if dim == "minute":
        t = t.replace(second=0, microsecond=0)
    elif dim == "hour":
        # Hours are UTC hours, shown in local time.
        u = datetime.fromtimestamp(ms / 1000, ZoneInfo("UTC")).replace(minute=0, second=0,
                                                                       microsecond=0)
        t = u.astimezone(zone)
    else:
        t = t.replace(hour=0, minute=0, second=0, microsecond=0)
        t = datetime(t.year, t.month, t.day, tzinfo=zone)
    return local_iso(int(t.timestamp() * 1000), zone)


def direct_counts(stack, since, until, by, zone):
    """{key tuple: {status: count}} counted from the deliveries and the event log."""
    rows = stack.store_query(
        "SELECT 'accepted', d.created_at, d.channel, '', d.priority, n.template, n.module, "
        "n.category, n.recipients, '' FROM deliveries d JOIN notifications n "
        "ON n.id = d.notification_id WHERE d.created_at >= ? AND d.created_at < ? "
        "UNION ALL "
        "SELECT e.type, e.at, d.channel, e.provider, d.priority, n.template, n.module, "
        "n.category, n.recipients, e.reason FROM events e JOIN deliveries d ON d.id = "
        "e.delivery_id JOIN notifications n ON n.id = d.notification_id WHERE e.at >= ? AND "
        "e.at < ? AND e.type IN ('sent', 'delivered', 'read', 'clicked', 'retry', 'failed', "
        "'expired', 'suppressed', 'canceled')", since, until, since, until)
    out = {}
    for status, at, channel, provider, priority, template, module, category, recipients, _ in rows:
        values = {"channel": channel, "provider": provider, "priority": PRIORITY[priority],
                  "status": status, "template": template, "module": module,
                  "category": category, "group": groups_of(recipients)}
        key = tuple(time_key(d, at, zone) if d in ("minute", "hour", "day") else values[d]
                    for d in by)
        counts = out.setdefault(key, dict.fromkeys(STATUSES, 0))
        counts[status] += 1
    return out


def fixed_window():
    """A window around now given as fixed times, so that two reports a moment
    apart cover the same minutes."""
    now = datetime.now(ZoneInfo("UTC")).replace(second=0, microsecond=0)
    return ("--since", (now - timedelta(hours=1)).isoformat(),
            "--until", (now + timedelta(hours=1)).isoformat())


def report(stack, *args):
    res = stack.ctl("report", *args, "--format", "json")
    assert res.returncode == 0, f"report {args}: {res.returncode} {res.stderr}"
    return json.loads(res.stdout)


def reported_counts(doc):
    by = doc["by"]
    return {tuple(row[d] for d in by): row["counts"] for row in doc["rows"]}


def without_zero_rows(counts):
    return {k: v for k, v in counts.items() if any(v.values())}


def test_reports_of_a_generated_month_agree_with_the_store(make_stack):
    stack = make_stack(settings={"report.timezone": "America/New_York"})
    stack.admin_key  # creates the store
    generate_month(stack)
    rebuilt = stack.ctl("report", "--rebuild", "--format", "json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    since = ms(datetime(2026, 11, 1, tzinfo=ZONE))
    until = ms(datetime(2026, 12, 1, tzinfo=ZONE))
    window = ("--since", "2026-11-01", "--until", "2026-12-01")
    for dim in DIMENSIONS:
        doc = report(stack, *window, "--by", dim)
        got = reported_counts(doc)
        want = direct_counts(stack, since, until, [dim], ZONE)
        if dim == "status":
            # Grouped by status, each row counts its own status.
            got = {k: {s: c for s, c in v.items() if c} for k, v in got.items()}
            want = {k: {s: c for s, c in v.items() if c} for k, v in want.items()}
        assert without_zero_rows(got) == without_zero_rows(want), f"--by {dim}"
    # A time unit, a dimension and status at once.
    doc = report(stack, *window, "--by", "day,channel", "--by", "status")
    got = {k: {s: c for s, c in v.items() if c} for k, v in reported_counts(doc).items()}
    want = direct_counts(stack, since, until, ["day", "channel", "status"], ZONE)
    assert got == {k: {s: c for s, c in v.items() if c} for k, v in want.items()}
    # Two dimensions at once, with and without time and status.
    for by in (["channel", "provider"], ["priority", "template"],
               ["hour", "module", "category"], ["day", "group", "channel", "status"]):
        doc = report(stack, *window, "--by", ",".join(by))
        got = {k: {s: c for s, c in v.items() if c} for k, v in reported_counts(doc).items()}
        want = direct_counts(stack, since, until, by, ZONE)
        want = {k: {s: c for s, c in v.items() if c} for k, v in want.items()}
        if "status" in by:
            got = {k: {s: c for s, c in v.items() if s == k[by.index("status")]}
                   for k, v in got.items()}
            want = {k: {s: c for s, c in v.items() if s == k[by.index("status")]}
                    for k, v in want.items()}
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in want.items() if v}, by
    # The whole month: totals, the peak per second, sizes and latency.
    doc = report(stack, *window)
    total = direct_counts(stack, since, until, [], ZONE)[()]
    assert doc["total"]["counts"] == total
    (peak,) = stack.store_query(
        "SELECT at - at % 1000, count(*) c FROM events WHERE type = 'sent' AND at >= ? "
        "AND at < ? GROUP BY 1 ORDER BY c DESC LIMIT 1", since, until)
    assert doc["total"]["peak_per_second"]["sent"]["count"] == peak[1]
    sizes = sorted(r[0] for r in stack.store_query(
        "SELECT size FROM events WHERE type = 'sent' AND at >= ? AND at < ?", since, until))
    assert abs(doc["total"]["size"]["average"] - sum(sizes) / len(sizes)) < 1e-6
    exact_p95 = sizes[int(0.95 * len(sizes) + 0.999999) - 1]
    assert abs(doc["total"]["size"]["p95"] - exact_p95) <= exact_p95 * 0.0625 + 1
    sent_by_channel = dict(stack.store_query(
        "SELECT d.channel, count(*) FROM events e JOIN deliveries d ON d.id = e.delivery_id "
        "WHERE e.type = 'sent' AND e.at >= ? AND e.at < ? GROUP BY 1", since, until))
    assert doc["most_used_channel"] == max(sent_by_channel, key=sent_by_channel.get)
    assert {c["channel"]: c["sent"] for c in doc["channels"]} == sent_by_channel
    suppressed = dict(stack.store_query(
        "SELECT reason, count(*) FROM events WHERE type = 'suppressed' AND at >= ? AND at < ? "
        "GROUP BY 1", since, until))
    assert {s["reason"]: s["count"] for s in doc["suppressions"]} == suppressed
    failed = dict(((p, r), n) for p, r, n in stack.store_query(
        "SELECT provider, reason, count(*) FROM events WHERE type = 'failed' AND at >= ? AND "
        "at < ? GROUP BY 1, 2", since, until))
    assert {(f["provider"], f["reason"]): f["count"] for f in doc["failures"]
            if f["status"] == "failed"} == failed
    # CSV is read by Python's csv module, one line per row of the JSON.
    res = stack.ctl("report", *window, "--by", "channel", "--format", "csv")
    assert res.returncode == 0, res.stderr
    lines = list(csv.DictReader(io.StringIO(res.stdout)))
    by_channel = reported_counts(report(stack, *window, "--by", "channel"))
    assert {(r["channel"],): {s: int(r[s]) for s in STATUSES} for r in lines} == by_channel


def test_a_report_over_no_data_is_empty_and_bad_requests_are_refused(make_stack):
    stack = make_stack()
    stack.admin_key
    doc = report(stack, "--since", "2020-01-01", "--until", "2020-02-01", "--by", "day")
    assert doc["rows"] == []
    assert set(doc["total"]["counts"].values()) == {0}
    res = stack.ctl("report", "--by", "chanel")
    assert res.returncode == 64, res.stderr
    assert "unknown report dimension 'chanel'" in res.stderr and "'channel'" in res.stderr
    res = stack.ctl("report", "--since", "2026-12-02", "--until", "2026-12-01")
    assert res.returncode == 64 and "is not before its end" in res.stderr, res.stderr
    res = stack.ctl("report", "--by", "day", "--by", "hour")
    assert res.returncode == 64 and "not several" in res.stderr, res.stderr
    res = stack.ctl("report", "--by", "channel,priority", "--by", "channel")
    assert res.returncode == 64 and "'channel' is given twice" in res.stderr, res.stderr
    res = stack.ctl("report", "--by", "channel,priority,module")
    assert res.returncode == 64 and "at most two" in res.stderr, res.stderr
    res = stack.ctl("report", "--since", "yesterday-ish")
    assert res.returncode == 64 and "--since" in res.stderr, res.stderr


# --- live traffic ----------------------------------------------------------------------------

def test_the_router_counts_live_traffic_as_a_rebuild_does(http_receiver, make_stack):
    ok = http_receiver()
    broken = http_receiver(respond=always(Reply(status=400, body=b'{"error":"bad"}')))
    flaky = http_receiver(respond=scripted(Reply(status=503), Reply(status=503)))
    stack = make_stack(providers={"ok": {"type": "webhook", "url": ok.url},
                                  "broken": {"type": "webhook", "url": broken.url},
                                  "flaky": {"type": "webhook", "url": flaky.url}},
                       channels={"ok": ["ok"], "broken": ["broken"], "flaky": ["flaky"]})
    stack.start()
    ids = []
    for i in range(6):
        ids.append(stack.submit(channel="ok", body=f"hello {i}", priority="high",
                                module="billing", category="account")["id"])
    for i in range(3):
        ids.append(stack.submit(channel="broken", body=f"nope {i}", priority="low")["id"])
    ids.append(stack.submit(channel="flaky", body="eventually")["id"])
    later = stack.submit(channel="ok", body="later", send_at="now+1h")["id"]
    res = stack.request("POST", f"/v1/notifications/{later}/cancel")
    assert res.status == 200, res
    for nid in ids + [later]:
        stack.wait_final(nid)
    deliveries = stack.store_query("SELECT count(*) FROM deliveries")[0][0]

    def counted():
        doc = report(stack, "--by", "status")
        got = {row["status"]: row["counts"][row["status"]] for row in doc["rows"]}
        return doc if got.get("accepted") == deliveries and got.get("canceled") == 1 and \
            got.get("sent") == 7 else None
    wait_for(counted, 30, "the router to write its rollups")
    window = fixed_window()
    live = {dim: report(stack, *window, "--by", dim) for dim in ("status", "channel", "provider",
                                                                 "priority", "module", "minute")}
    # Against the store, status by status.
    now_ms = int(datetime.now().timestamp() * 1000) + 120_000
    zone = ZoneInfo("UTC")
    for dim in ("status", "channel", "provider", "priority", "module"):
        want = direct_counts(stack, 0, now_ms, [dim], zone)
        assert without_zero_rows(reported_counts(live[dim])) == without_zero_rows(want), dim
    got = {row["status"]: row["counts"][row["status"]] for row in live["status"]["rows"]}
    assert got == {"accepted": 11, "sent": 7, "failed": 3, "retry": 2, "canceled": 1}, got
    failures = live["status"]["failures"]
    assert {(f["provider"], f["status"]) for f in failures} == {("broken", "failed"),
                                                                ("flaky", "retry")}, failures
    # A rebuild from the event log gives the same reports.
    res = stack.ctl("report", "--rebuild", "-q")
    assert res.returncode == 0, res.stderr
    for dim, doc in live.items():
        assert report(stack, *window, "--by", dim) == doc, f"--by {dim} after --rebuild"
    # And the router goes on counting in the new generation.
    nid = stack.submit(channel="ok", body="after the rebuild")["id"]
    stack.wait_final(nid)
    wait_for(lambda: report(stack)["total"]["counts"]["sent"] == 8, 10,
             "the send after the rebuild to be counted")


def test_what_a_killed_router_had_not_written_is_counted_when_it_starts(http_receiver,
                                                                        make_stack):
    ok = http_receiver()
    # Rollups written only when the router stops: a kill loses all it counted.
    stack = make_stack(settings={"router.rollup_interval": "1h"},
                       providers={"ok": {"type": "webhook", "url": ok.url}},
                       channels={"ok": ["ok"]})
    stack.start()
    ids = [stack.submit(channel="ok", body=f"m{i}")["id"] for i in range(12)]
    for nid in ids:
        stack.wait_final(nid)
    assert report(stack)["total"]["counts"]["sent"] == 0, "nothing is written before the hour"
    stack.kill("router")
    stack.start("router")
    wait_for(lambda: report(stack)["total"]["counts"]["sent"] == 12, 10,
             "the restarted router to count what the killed one had not written")
    window = fixed_window()
    doc = report(stack, *window, "--by", "status")
    assert stack.ctl("report", "--rebuild", "-q").returncode == 0
    assert report(stack, *window, "--by", "status") == doc


def counted_month(make_stack, notifications, **settings):
    """notify-ingest alone over a generated month that report --rebuild has
    counted, and a read key: (stack, key)."""
    stack = make_stack(settings={"report.timezone": "Asia/Shanghai", **settings})
    stack.start("ingest")
    generate_month(stack, notifications=notifications)
    # Not a measure of speed: a busy machine (or a database server) takes longer.
    assert stack.ctl("report", "--rebuild", "-q", timeout=600).returncode == 0
    return stack, stack.api_key("read")


def test_reports_over_http_are_the_cli_s_for_a_read_key(make_stack):
    stack, read_key = counted_month(make_stack, 300)
    query = "since=2026-11-01&until=2026-12-01&by=day,channel"
    res = stack.request("GET", f"/v1/reports?{query}", key=read_key)
    assert res.status == 200, res
    assert res.json == report(stack, "--since", "2026-11-01", "--until", "2026-12-01",
                              "--by", "day,channel")
    # A large answer (sent from where it was written, not copied) reads back whole.
    res = stack.request("GET", "/v1/reports?since=2026-11-01&until=2026-12-01&by=minute,status",
                        key=read_key)
    assert res.status == 200 and len(res.body) > 64 * 1024, (res.status, len(res.body))
    assert res.json == report(stack, "--since", "2026-11-01", "--until", "2026-12-01",
                              "--by", "minute,status")
    res = stack.request("GET", "/v1/reports?since=2026-11-01&until=2026-12-01&by=day&by=channel",
                        key=read_key)
    assert res.status == 200 and res.json["by"] == ["day", "channel"], res
    res = stack.request("GET", f"/v1/reports?{query}&format=csv", key=read_key)
    assert res.status == 200 and res.headers["Content-Type"].startswith("text/csv"), res
    rows = list(csv.DictReader(io.StringIO(res.body.decode())))
    assert len(rows) == len(report(stack, "--since", "2026-11-01", "--until", "2026-12-01",
                                   "--by", "day,channel")["rows"])
    assert stack.request("GET", f"/v1/reports?{query}", key=stack.api_key("send")).status == 403
    # Pages of the rows: each the slice of the whole, the total the whole range's.
    whole = report(stack, "--since", "2026-11-01", "--until", "2026-12-01", "--by", "hour,channel")
    n = len(whole["rows"])
    assert n > 100 and whole["rows_total"] == n
    for offset, limit in ((0, 10), (37, 25), (n - 3, 10), (n, 5)):
        res = stack.request("GET", "/v1/reports?since=2026-11-01&until=2026-12-01&by=hour,channel"
                            f"&offset={offset}&limit={limit}", key=read_key)
        assert res.status == 200, res
        assert res.json["rows"] == whole["rows"][offset:offset + limit], (offset, limit)
        assert res.json["rows_total"] == n and res.json["total"] == whole["total"]
    res = stack.request("GET", "/v1/reports?since=2026-11-01&until=2026-12-01&by=hour,channel"
                        "&offset=40&limit=20&format=csv", key=read_key)
    assert res.status == 200 and res.headers["X-Total-Count"] == str(n), res
    page = list(csv.DictReader(io.StringIO(res.body.decode())))
    assert [(r["hour"], r["channel"]) for r in page] == \
        [(r["hour"], r["channel"]) for r in whole["rows"][40:60]]
    res = stack.ctl("report", "--since", "2026-11-01", "--until", "2026-12-01",
                    "--by", "hour,channel", "--offset", "40", "--limit", "20")
    assert res.returncode == 0, res.stderr
    assert f"rows 41-60 of {n}\n" in res.stdout, res.stdout
    assert sum(1 for line in res.stdout.splitlines() if line.startswith("2026-11-")) == 20
    res = stack.ctl("report", "--limit", "0")
    assert res.returncode == 64 and "'--limit' must be a whole number" in res.stderr, res.stderr
    for bad, field in (("offset=-1", "offset"), ("limit=0", "limit"), ("limit=ten", "limit"),
                       ("by=chanel", "by"), ("since=2026-12-02&until=2026-12-01", "since"),
                       ("by=day,hour", "by"), ("by=channel,module,group", "by"), ("sinse=now", "sinse"),
                       ("format=xml", "format"), ("since=tomorrow-ish", "since")):
        res = stack.request("GET", f"/v1/reports?{bad}", key=read_key)
        assert res.status == 400, (bad, res)
        assert res.json["error"]["field"] == field, (bad, res.json)
    # By two dimensions over days before their rows were counted: 400 with the
    # reason, as the CLI's exit 65.
    with stack.store_connection() as db:
        db.execute("REPLACE INTO settings (`key`, value) VALUES ('rollup.pairs_since', ?)",
                   (str(int(datetime(2026, 11, 15, tzinfo=ZoneInfo("UTC")).timestamp() * 1000)),))
    res = stack.request("GET", "/v1/reports?since=2026-11-01&until=2026-12-01&by=channel,module",
                        key=read_key)
    assert res.status == 400 and res.json["error"]["code"] == "rollups_incomplete", res
    res = stack.request("GET", "/v1/reports?since=2026-11-20&until=2026-12-01&by=channel,module",
                        key=read_key)
    assert res.status == 200 and res.json["rows"], res


def test_a_long_report_is_sent_as_it_is_made_and_a_client_that_goes_stops_it(make_stack):
    stack, read_key = counted_month(make_stack, 16000)
    window = ("--since", "2026-11-01", "--until", "2026-12-01")
    query = "since=2026-11-01&until=2026-12-01&by=minute,channel"
    whole = report(stack, *window, "--by", "minute,channel")
    # Over a mebibyte: 200 at once, the body in chunks as it is made, the
    # connection closed after it; the document is the CLI's, byte for byte.
    res = stack.request("GET", f"/v1/reports?{query}", key=read_key)
    assert res.status == 200, res
    assert len(res.body) > 1 << 20, len(res.body)
    assert res.headers.get("Transfer-Encoding") == "chunked", res.headers
    assert "Content-Length" not in res.headers and res.headers["Connection"] == "close"
    assert res.json == whole
    # CSV too: every row, read by Python's csv module; the count of rows is
    # not known before they are made, so no X-Total-Count.
    res = stack.request("GET", f"/v1/reports?{query}&format=csv", key=read_key)
    assert res.status == 200 and res.headers.get("Transfer-Encoding") == "chunked", res.headers
    assert "X-Total-Count" not in res.headers
    rows = list(csv.DictReader(io.StringIO(res.body.decode())))
    assert [(r["minute"], r["channel"]) for r in rows] == \
        [(r["minute"], r["channel"]) for r in whole["rows"]]
    # A short answer is whole, with its length and count.
    res = stack.request("GET", "/v1/reports?since=2026-11-01&until=2026-12-01&by=day,channel"
                        "&format=csv", key=read_key)
    assert res.status == 200 and "Transfer-Encoding" not in res.headers, res.headers
    assert int(res.headers["X-Total-Count"]) == len(res.body.decode().splitlines()) - 1
    # A client that reads nothing for a while holds the maker back (at most a
    # window of the answer waits in memory), then reads it all.
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=30)
    conn.request("GET", f"/v1/reports?{query}&by=status",
                 headers={"Authorization": f"Bearer {read_key}"})
    slow = conn.getresponse()
    time.sleep(0.5)
    body = slow.read()
    conn.close()
    assert slow.status == 200 and len(body) > 8 << 20, len(body)
    assert json.loads(body) == report(stack, *window, "--by", "minute,channel,status")
    # Clients that go after the first bytes, more of them than there are
    # threads making reports: the makers stop, and the next report is
    # answered whole.
    for _ in range(4):
        with socket.create_connection(("127.0.0.1", stack.http_port), timeout=10) as s:
            s.sendall(f"GET /v1/reports?{query}&by=status HTTP/1.1\r\nHost: x\r\n"
                      f"Authorization: Bearer {read_key}\r\n\r\n".encode())
            assert s.recv(4096).startswith(b"HTTP/1.1 200")
    res = stack.request("GET", f"/v1/reports?{query}", key=read_key)
    assert res.status == 200 and res.json == whole
    assert stack.request("GET", "/healthz").status == 200


def read_until_closed(sock):
    """What comes until the peer closes (or resets) the connection."""
    data = b""
    while True:
        try:
            got = sock.recv(1 << 16)
        except ConnectionResetError:
            return data
        if not got:
            return data
        data += got


def test_a_client_that_reads_nothing_is_cut_off_and_http_1_0_gets_it_whole(make_stack):
    stack, read_key = counted_month(make_stack, 16000, **{"ingest.http_idle_timeout": "1s"})
    path = "/v1/reports?since=2026-11-01&until=2026-12-01&by=minute,channel,status"
    whole = report(stack, "--since", "2026-11-01", "--until", "2026-12-01",
                   "--by", "minute,channel,status")
    ask = (f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {read_key}\r\n\r\n").encode()
    # Reads the head, then nothing for 3 s: the answer is cut off (the
    # connection closed before the last chunk), and nothing else waits on it.
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
        s.settimeout(30)
        s.connect(("127.0.0.1", stack.http_port))
        s.sendall(ask)
        assert s.recv(1024).startswith(b"HTTP/1.1 200")
        time.sleep(3)
        got = read_until_closed(s)
    assert not got.endswith(b"\r\n0\r\n\r\n"), "the cut-off answer ended as a whole one"
    assert len(got) < 12 << 20
    log = stack.log_path("ingest").read_text(errors="replace")
    assert "answer cut off" in log, log[-2000:]
    res = stack.request("GET", path, key=read_key)
    assert res.status == 200 and res.json == whole
    # HTTP/1.0 has no chunks to tell a whole answer from a cut one: it gets
    # the answer made whole first, as before.
    with socket.create_connection(("127.0.0.1", stack.http_port), timeout=30) as s:
        s.sendall(ask.replace(b"HTTP/1.1", b"HTTP/1.0"))
        got = read_until_closed(s)
    head, _, body = got.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200") and b"chunked" not in head, head
    assert json.loads(body) == whole
    # A page of CSV is whole, with the count of every row to page by.
    res = stack.request("GET", path + "&format=csv&limit=100000", key=read_key)
    assert res.status == 200 and len(res.body) > 1 << 20, len(res.body)
    assert "Transfer-Encoding" not in res.headers
    assert res.headers["X-Total-Count"] == str(whole["rows_total"])
