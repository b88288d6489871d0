# dashboard_browser.py - what the dashboard's browser tests share: screenshots
# under $NOTIFY_ARTIFACT_DIR/dashboard (default build/artifacts/dashboard),
# clicks that wait for the next page, signing in, and a stack with one webhook
# channel and a few directory users. The `browser` fixture is in conftest.py.

import http.client
import os
import urllib.parse
from pathlib import Path

ARTIFACTS = Path(os.environ.get("NOTIFY_ARTIFACT_DIR")
                 or Path(__file__).resolve().parents[2] / "build" / "artifacts") / "dashboard"


def shot(driver, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def click(driver, element_id):
    """Clicks and waits for the page it leads to."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
    old = driver.find_element("tag name", "html")
    element = driver.find_element("id", element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})",
                          element)
    element.click()

    def left(_):
        # Chromium reports a page that is gone as stale, or (mid-navigation)
        # as a node that no longer belongs to the document.
        try:
            old.is_enabled()
            return False
        except WebDriverException:
            return True
    WebDriverWait(driver, 15).until(left)


def sign_in(driver, base, key):
    driver.get(base + "/login")
    field = driver.find_element("id", "key")
    field.clear()
    field.send_keys(key)
    click(driver, "sign-in")


def text(driver, element_id):
    return driver.find_element("id", element_id).text


def post_with_session(port, path, cookie, fields):
    """POSTs form `fields` (a dict, or a string already encoded) with the
    session cookie only, as a page of another site could; returns the status
    and the body."""
    body = fields if isinstance(fields, str) else urllib.parse.urlencode(fields)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", path, body=body,
                 headers={"Cookie": f"notify_session={cookie}",
                          "Content-Type": "application/x-www-form-urlencoded"})
    res = conn.getresponse()
    answer = res.read().decode()
    conn.close()
    return res.status, answer


def hook_stack(make_stack, hook, groups, settings=None):
    """A started stack whose channel "hook" posts to `hook`, with one directory
    user per entry of `groups` (user id -> group), each reached at hook=ID."""
    stack = make_stack(settings=settings,
                       providers={"hook": {"type": "webhook", "url": hook.url}},
                       channels={"hook": ["hook"]})
    stack.start()
    for user, group in groups.items():
        res = stack.ctl("user", "add", user, "--identity", f"hook={user}", "--group", group)
        assert res.returncode == 0, res.stderr
    return stack
