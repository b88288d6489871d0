# dashboard_browser.py - what the dashboard's browser tests share: screenshots
# under $NOTIFY_ARTIFACT_DIR/dashboard (default build/artifacts/dashboard),
# clicks that wait for the next page, signing in, and a stack with one webhook
# channel and a few directory users. The `browser` fixture is in conftest.py.

import os
from pathlib import Path

ARTIFACTS = Path(os.environ.get("NOTIFY_ARTIFACT_DIR")
                 or Path(__file__).resolve().parents[2] / "build" / "artifacts") / "dashboard"


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
