# test_dashboard.py - the web dashboard in a real browser: headless Chromium
# driven by Selenium (Debian's chromium, chromium-driver and python3-selenium)
# against the real daemons. Signing in with a read key shows the overview with
# today's counts, the queue and the pending approvals as the store has them; a
# bad key and a send-scope key are refused; the session cookie is HttpOnly and
# SameSite=Strict; a form without its CSRF token is refused and changes nothing;
# the page switches to Chinese; signing out ends the session. The notifications
# page filters by date range, priority and group to exactly the notifications
# that match; a notification's page shows its timeline and resends a failed
# one; the approvals page approves one bulk send and rejects another with a
# reason, and a read key can do neither. The reports page shows the same
# figures as `notifyctl report`, draws them with Chart.js and downloads the
# same CSV; a bad dimension is a 400 page. The users page finds a user by
# name and shows its identities, preferences and recent notifications; the
# groups page lists groups and their members. A screenshot of each page is saved
# under $NOTIFY_ARTIFACT_DIR/dashboard (default
# build/artifacts/dashboard).

import csv
import http.client
import io
import json
import time
from datetime import datetime, timezone

from dashboard_browser import click, hook_stack, post_with_session, shot, sign_in, text
from generated_month import generate_month
from notify_stack import wait_for
from receivers import Reply, scripted

def test_sign_in_overview_csrf_language_and_sign_out(browser, make_stack, http_receiver):
    stack = hook_stack(make_stack, http_receiver(), {f"u{i}": "staff" for i in range(3)},
                       settings={"bulk.approval_threshold": 2})
    base = f"http://127.0.0.1:{stack.http_port}"
    sent = [stack.submit(channel="hook", body=f"build {i} is green")["id"] for i in range(2)]
    for nid in sent:
        stack.wait_final(nid)
    pending = stack.submit(channel="hook", to="group:staff", body="All hands")
    assert pending["state"] == "pending-approval", pending

    def today(status):
        res = stack.ctl("report", "--format", "json")
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout)["total"]["counts"].get(status)
    wait_for(lambda: today("sent") == 2, 10, "the rollups to count today's sends")

    # The dashboard's own script is built in; nothing else is served.
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    conn.request("GET", "/static/dashboard.js")
    res = conn.getresponse()
    assert res.status == 200 and "javascript" in res.getheader("Content-Type")
    assert b"data-live" in res.read()
    conn.request("GET", "/static/../notify.toml")
    res = conn.getresponse()
    res.read()
    assert res.status == 404
    conn.close()

    # Not signed in: the sign-in page.
    browser.get(base + "/")
    assert browser.current_url == base + "/login"
    shot(browser, "sign-in")

    # A key that does not exist, and one of scope send, are refused.
    sign_in(browser, base, "nk_nosuchkey_000")
    assert "not valid" in text(browser, "error")
    assert browser.get_cookie("notify_session") is None
    sign_in(browser, base, stack.api_key("send"))
    assert "scope send" in text(browser, "error")
    assert browser.get_cookie("notify_session") is None

    # A read key: the overview, as the store has it.
    sign_in(browser, base, stack.api_key("read"))
    assert browser.current_url == base + "/"
    cookie = browser.get_cookie("notify_session")
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict", cookie
    assert text(browser, "approvals") == "1"
    rows = {r.get_attribute("data-status"): r.find_elements("tag name", "td")[1].text
            for r in browser.find_elements("css selector", "#today tbody tr")}
    assert rows["accepted"] == str(today("accepted")) and rows["sent"] == "2", rows
    (queued,) = stack.store_query("SELECT count(*) FROM deliveries WHERE state IN "
                                  "('queued', 'scheduled', 'deferred')")
    shown = sum(int(r.find_elements("tag name", "td")[1].text)
                for r in browser.find_elements("css selector", "#queue tbody tr"))
    assert shown == queued[0]
    assert "read" in text(browser, "who")
    # Live figures, refreshed by the page's script from /live.
    wait_for(lambda: text(browser, "data-figure-sent") == "2", 10, "the live sent figure")
    assert text(browser, "data-figure-accepted") == "3"
    wait_for(lambda: text(browser, "data-rate-sent") != "–", 10, "a rate")
    badge = browser.find_element("css selector", "#providers [data-provider=hook]")
    assert badge.get_attribute("data-healthy") == "true"
    shot(browser, "overview")

    # A form without its CSRF token changes nothing: the session still works.
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    conn.request("POST", "/logout", body="csrf=guess",
                 headers={"Cookie": f"notify_session={cookie['value']}",
                          "Content-Type": "application/x-www-form-urlencoded"})
    res = conn.getresponse()
    assert res.status == 403, res.status
    conn.close()
    browser.get(base + "/")
    assert browser.current_url == base + "/"

    # Chinese, kept in a cookie.
    click(browser, "lang")
    assert browser.find_element("tag name", "h1").text == "概览"
    browser.get(base + "/")
    assert browser.find_element("tag name", "h1").text == "概览"
    shot(browser, "overview-zh")
    click(browser, "lang")

    # Signing out ends the session.
    click(browser, "sign-out")
    assert browser.current_url == base + "/login"
    assert browser.get_cookie("notify_session") is None
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    conn.request("GET", "/", headers={"Cookie": f"notify_session={cookie['value']}"})
    res = conn.getresponse()
    assert res.status == 303 and res.getheader("Location") == "/login", res.status
    conn.close()
    actions = [a for (a,) in stack.store_query("SELECT action FROM audit ORDER BY at")]
    assert "dashboard.sign-in" in actions and "dashboard.sign-out" in actions, actions


def rfc3339_now():
    time.sleep(0.01)  # ids and times on either side differ
    stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    time.sleep(0.01)
    return stamp


def listed_ids(driver):
    return {r.get_attribute("data-id")
            for r in driver.find_elements("css selector", "#notifications tbody tr")}


def test_notifications_timeline_resend_and_approvals(browser, make_stack, http_receiver):
    from selenium.webdriver.support.ui import Select
    # The first delivery is refused for good; every later one is taken.
    hook = http_receiver(respond=scripted(Reply(status=400, body=b'{"error":"bad"}')))
    stack = hook_stack(make_stack, hook, {f"u{i}": "ops" if i < 2 else "staff" for i in range(5)},
                       settings={"bulk.approval_threshold": 2})
    base = f"http://127.0.0.1:{stack.http_port}"

    failed = stack.submit(channel="hook", priority="high", body="will fail")["id"]
    assert stack.wait_final(failed)["states"] == {"failed": 1}
    since = rfc3339_now()
    wanted = stack.submit(channel="hook", to="group:ops", priority="high", body="ops high")["id"]
    stack.submit(channel="hook", to="group:ops", priority="low", body="ops low")
    stack.submit(channel="hook", priority="high", body="direct high")
    until = rfc3339_now()
    stack.submit(channel="hook", to="group:ops", priority="high", body="ops high later")
    first = stack.submit(channel="hook", to="group:staff", body="All hands 1")["id"]
    second = stack.submit(channel="hook", to="group:staff", body="All hands 2")["id"]
    third = stack.submit(channel="hook", to="group:staff", body="All hands 3")["id"]
    stack.wait_final(wanted)

    # A read key: the list, filtered by date range, priority and group.
    sign_in(browser, base, stack.api_key("read"))
    read_session = browser.get_cookie("notify_session")["value"]
    click(browser, "nav-notifications")
    assert len(listed_ids(browser)) == 8
    browser.find_element("id", "f-since").send_keys(since)
    browser.find_element("id", "f-until").send_keys(until)
    Select(browser.find_element("id", "f-priority")).select_by_value("high")
    browser.find_element("id", "f-group").send_keys("ops")
    click(browser, "apply")
    assert listed_ids(browser) == {wanted}
    direct = {nid for (nid,) in stack.store_query(
        "SELECT n.id FROM notifications n JOIN fanouts f ON f.notification_id = n.id "
        "WHERE n.priority = 0 AND f.targets = 'group:ops' AND "
        "n.created_at >= ? AND n.created_at < ?",
        int(datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp() * 1000),
        int(datetime.fromisoformat(until.replace("Z", "+00:00")).timestamp() * 1000))}
    assert direct == {wanted}
    shot(browser, "notifications-filtered")

    # Its timeline.
    browser.find_element("link text", wanted).click()
    wait_for(lambda: browser.find_elements("id", "timeline"), 10, "the notification's page")
    types = [r.get_attribute("data-type")
             for r in browser.find_elements("css selector", "#timeline tbody tr")]
    assert "accepted" in types and "sent" in types, types
    assert len(browser.find_elements("css selector", "#deliveries tbody tr")) == 2
    assert not browser.find_elements("id", "resend")  # a read key has no buttons
    shot(browser, "notification")

    # Pending bulk sends: a read key sees them, with a sample, and cannot decide.
    click(browser, "nav-approvals")
    rows = {r.get_attribute("data-id"): r
            for r in browser.find_elements("css selector", "#approvals tbody tr")}
    assert set(rows) == {first, second, third}
    assert "u2" in rows[first].text and "3" in rows[first].text
    assert browser.find_elements("id", "read-only")
    assert not browser.find_elements("id", "approve-" + first)
    csrf = browser.find_element("css selector", "form[action='/logout'] input[name=csrf]")
    status, body = post_with_session(stack.http_port, f"/notifications/{first}/approve",
                                     read_session, f"csrf={csrf.get_attribute('value')}")
    assert status == 403 and "admin" in body, (status, body[:300])
    assert stack.get(first)["fanout"]["state"] == "pending-approval"
    click(browser, "sign-out")

    # An admin key: resend the failed one.
    sign_in(browser, base, stack.api_key("admin"))
    browser.get(f"{base}/notifications/{failed}")
    click(browser, "resend")
    assert "(1)" in text(browser, "notice")
    wait_for(lambda: stack.get(failed)["states"] == {"sent": 1}, 20, "the resent delivery")
    browser.refresh()
    assert browser.find_element("css selector", "#deliveries [data-state=sent]")
    shot(browser, "notification-resent")

    # Approve one bulk send, reject another with a reason.
    click(browser, "nav-approvals")
    shot(browser, "approvals")
    click(browser, "approve-" + first)
    assert "Approved" in text(browser, "notice")
    browser.find_element("id", "reason-" + second).send_keys("not this week")
    click(browser, "reject-" + second)
    assert "Rejected" in text(browser, "notice")
    left = {r.get_attribute("data-id")
            for r in browser.find_elements("css selector", "#approvals tbody tr")}
    assert left == {third}
    assert stack.get(first)["fanout"]["state"] in ("expanding", "done")
    stack.wait_final(first)
    res = stack.request("GET", "/v1/notifications?user=u3&text=All%20hands")
    assert [n["id"] for n in res.json["notifications"]] == [first], res
    rejected = stack.get(second)["fanout"]
    assert rejected["state"] == "rejected" and rejected["reason"] == "not this week"
    (admin,) = stack.store_query("SELECT actor FROM audit WHERE action = 'dashboard.sign-in' "
                                 "AND detail = 'admin'")
    assert rejected["decided_by"] == admin[0]
    decided = stack.store_query("SELECT actor, action, target FROM audit WHERE action IN "
                                "('approve', 'reject') ORDER BY at")
    assert decided == [(admin[0], "approve", first), (admin[0], "reject", second)], decided


def test_reports_chart_table_and_csv(browser, make_stack, http_receiver):
    hook = http_receiver(respond=scripted(Reply(status=400, body=b'{"error":"bad"}')))
    stack = make_stack(providers={"hook": {"type": "webhook", "url": hook.url}},
                       channels={"hook": ["hook"], "alerts": ["hook"]})
    stack.start()
    base = f"http://127.0.0.1:{stack.http_port}"
    ids = [stack.submit(channel="hook", body=f"h{i}")["id"] for i in range(4)]
    ids += [stack.submit(channel="alerts", body="a")["id"]]
    for nid in ids:
        stack.wait_final(nid)

    def cli_report(*by):
        res = stack.ctl("report", *[a for b in by for a in ("--by", b)], "--format", "json")
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout)
    wait_for(lambda: cli_report()["total"]["counts"]["sent"] == 4, 10, "the rollups")

    sign_in(browser, base, stack.api_key("read"))
    cookie = browser.get_cookie("notify_session")["value"]
    click(browser, "nav-reports")
    from selenium.webdriver.support.ui import Select
    Select(browser.find_element("id", "f-by")).select_by_value("channel")
    click(browser, "show")
    expected = {r["channel"]: r["counts"] for r in cli_report("channel")["rows"]}
    header = [th.text for th in browser.find_elements("css selector", "#report thead th")]
    shown = {}
    for row in browser.find_elements("css selector", "#report tbody tr"):
        cells = [td.text for td in row.find_elements("tag name", "td")]
        shown[row.get_attribute("data-key")] = dict(zip(header, cells))
    assert set(shown) == set(expected) == {"hook", "alerts"}
    for channel, counts in expected.items():
        for status in ("accepted", "sent", "failed"):
            assert shown[channel][status] == str(counts[status]), (channel, status, shown)
    assert text(browser, "most-used") == "hook"
    wait_for(lambda: browser.execute_script(
        "const c = document.getElementById('chart'); return !!(c && c.chart);"), 10,
        "Chart.js to draw the chart")
    assert browser.execute_script("return document.getElementById('chart').chart.config.type") \
        == "bar"
    failures = browser.find_elements("css selector", "#failures tbody tr")
    assert len(failures) == 1 and "hook" in failures[0].text
    shot(browser, "reports")

    # The CSV link downloads what notifyctl prints.
    href = browser.find_element("id", "csv").get_attribute("href")
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    conn.request("GET", href[len(base):], headers={"Cookie": f"notify_session={cookie}"})
    res = conn.getresponse()
    body = res.read().decode()
    conn.close()
    assert res.status == 200 and res.getheader("Content-Type").startswith("text/csv")
    assert "attachment" in res.getheader("Content-Disposition")
    cli = stack.ctl("report", "--by", "channel", "--format", "csv")
    assert list(csv.DictReader(io.StringIO(body))) == list(csv.DictReader(io.StringIO(cli.stdout)))

    # Over time: a line chart; a bad dimension: the API's 400 as a page.
    browser.get(base + "/reports?by=hour")
    wait_for(lambda: browser.execute_script(
        "const c = document.getElementById('chart'); return c && c.chart && c.chart.config.type;")
        == "line", 10, "a line chart")
    browser.get(base + "/reports?by=colour")
    assert "colour" in text(browser, "error")
    assert browser.find_element("id", "error").get_attribute("data-status") == "400"


def test_a_large_report_is_shown_a_page_at_a_time(browser, make_stack):
    stack = make_stack()
    stack.start("ingest")
    generate_month(stack, notifications=1500)
    assert stack.ctl("report", "--rebuild", "-q").returncode == 0
    res = stack.ctl("report", "--since", "2026-11-01", "--until", "2026-12-01", "--by", "minute",
                    "--format", "json")
    assert res.returncode == 0, res.stderr
    whole = json.loads(res.stdout)
    n = whole["rows_total"]
    assert 1000 < n < 2000, n
    base = f"http://127.0.0.1:{stack.http_port}"
    sign_in(browser, base, stack.api_key("read"))

    def shown_keys():
        return [row.get_attribute("data-key")
                for row in browser.find_elements("css selector", "#report tbody tr")]
    browser.get(base + "/reports?since=2026-11-01&until=2026-12-01&by=minute")
    assert text(browser, "rows-shown") == f"Rows 1–1000 of {n}"
    assert shown_keys() == [r["minute"] for r in whole["rows"][:1000]]
    assert not browser.find_elements("id", "previous-page")
    click(browser, "next-page")
    assert text(browser, "rows-shown") == f"Rows 1001–{n} of {n}"
    assert shown_keys() == [r["minute"] for r in whole["rows"][1000:]]
    assert not browser.find_elements("id", "next-page")
    shot(browser, "reports-paged")
    click(browser, "previous-page")
    assert text(browser, "rows-shown") == f"Rows 1–1000 of {n}"
    # A report that fits one page has no pager.
    browser.get(base + "/reports?since=2026-11-01&until=2026-12-01&by=day")
    assert not browser.find_elements("id", "pager")


def test_users_and_groups(browser, make_stack, http_receiver):
    stack = hook_stack(make_stack, http_receiver(), {"u0": "ops", "u1": "ops", "u2": "sales"})
    base = f"http://127.0.0.1:{stack.http_port}"
    assert stack.ctl("user", "set", "u1", "--name", "Zhang San", "--email",
                     "zs@example.com").returncode == 0
    assert stack.ctl("user", "pref", "set", "u1", "--category", "marketing",
                     "--opt-out").returncode == 0
    sent = stack.submit(channel="hook", to="user:u1", body="your invoice")["id"]
    stack.wait_final(sent)

    sign_in(browser, base, stack.api_key("read"))
    click(browser, "nav-users")
    assert {r.get_attribute("data-id")
            for r in browser.find_elements("css selector", "#users tbody tr")} == {"u0", "u1", "u2"}
    browser.find_element("id", "f-text").send_keys("Zhang")
    click(browser, "find")
    rows = browser.find_elements("css selector", "#users tbody tr")
    assert [r.get_attribute("data-id") for r in rows] == ["u1"]
    shot(browser, "users")

    browser.find_element("link text", "u1").click()
    wait_for(lambda: browser.find_elements("id", "identities"), 10, "the user's page")
    assert text(browser, "user-email") == "zs@example.com"
    identity = browser.find_element("css selector", "#identities [data-channel=hook]")
    assert "u1" in identity.text
    assert "marketing" in text(browser, "preferences")
    assert [r.get_attribute("data-id") for r in
            browser.find_elements("css selector", "#notifications tbody tr")] == [sent]
    shot(browser, "user")

    browser.get(base + "/groups")
    members = {r.get_attribute("data-name"): r.find_elements("tag name", "td")[2].text
               for r in browser.find_elements("css selector", "#groups tbody tr")}
    assert members == {"ops": "2", "sales": "1"}
    browser.find_element("link text", "ops").click()
    wait_for(lambda: browser.find_elements("id", "members"), 10, "the group's page")
    assert {r.get_attribute("data-id")
            for r in browser.find_elements("css selector", "#members tbody tr")} == {"u0", "u1"}
    shot(browser, "groups")
