# test_dashboard.py - the web dashboard in a real browser: headless Chromium
# driven by Selenium (Debian's chromium, chromium-driver and python3-selenium)
# against the real daemons. Signing in with a read key shows the overview with
# today's counts, the queue and the pending approvals as the store has them; a
# bad key and a send-scope key are refused; the session cookie is HttpOnly and
# SameSite=Strict; a form without its CSRF token is refused and changes nothing;
# the page switches to Chinese; signing out ends the session. A screenshot of
# each page is saved under $NOTIFY_ARTIFACT_DIR/dashboard (default
# build/artifacts/dashboard).

import http.client
import json
import os
import shutil
from pathlib import Path

import pytest

from notify_stack import wait_for

ARTIFACTS = Path(os.environ.get("NOTIFY_ARTIFACT_DIR")
                 or Path(__file__).resolve().parents[2] / "build" / "artifacts") / "dashboard"


@pytest.fixture
def browser():
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("chromium and chromium-driver are not installed (scripts/install-deps "
                    "installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=en-US"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def shot(driver, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def click(driver, element_id):
    """Clicks and waits for the page it leads to."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    old = driver.find_element("tag name", "html")
    driver.find_element("id", element_id).click()
    WebDriverWait(driver, 15).until(expected_conditions.staleness_of(old))


def sign_in(driver, base, key):
    driver.get(base + "/login")
    field = driver.find_element("id", "key")
    field.clear()
    field.send_keys(key)
    click(driver, "sign-in")


def text(driver, element_id):
    return driver.find_element("id", element_id).text


def test_sign_in_overview_csrf_language_and_sign_out(browser, make_stack, http_receiver):
    hook = http_receiver()
    stack = make_stack(settings={"bulk.approval_threshold": 2},
                       providers={"hook": {"type": "webhook", "url": hook.url}},
                       channels={"hook": ["hook"]})
    stack.start()
    base = f"http://127.0.0.1:{stack.http_port}"
    for i in range(3):
        assert stack.ctl("user", "add", f"u{i}", "--identity", f"hook=u{i}", "--group",
                         "staff").returncode == 0
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
