# test_inbox_browser.py - the example inbox page (/inbox-demo) in headless
# Chromium: a notification sent with `notifyctl send --channel inbox` appears
# in an open tab without a reload and the unread badge counts it; marking it
# read in a second tab updates the first. Screenshots are saved under
# $NOTIFY_ARTIFACT_DIR/dashboard (default build/artifacts/dashboard).

from dashboard_browser import shot
from inbox_client import CHANNELS, PROVIDERS


def wait(driver, condition, what, timeout=15):
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, timeout).until(lambda d: condition(d), message=what)


def badge(driver):
    return driver.find_element("id", "badge").get_attribute("data-count")


def test_the_demo_page_shows_the_inbox_live(make_stack, browser):
    stack = make_stack(providers=PROVIDERS, channels=CHANNELS)
    stack.start()
    assert stack.ctl("user", "add", "ana").returncode == 0
    made = stack.ctl("inbox", "token", "ana", "--ttl", "10m")
    assert made.returncode == 0, made.stderr
    page = f"http://127.0.0.1:{stack.http_port}/inbox-demo#user=ana&token={made.stdout.strip()}"

    browser.get(page)
    first = browser.current_window_handle
    wait(browser, lambda d: d.find_element("id", "state").text == "live", "the stream to open")
    assert badge(browser) == "0"

    sent = stack.ctl("send", "--channel", "inbox", "--to", "user:ana", "--subject", "Order 42",
                     "shipped today")
    assert sent.returncode == 0, sent.stderr
    wait(browser, lambda d: d.find_elements("css selector", "#items li"), "the item to appear")
    (item,) = browser.find_elements("css selector", "#items li")
    assert "Order 42" in item.text and "shipped today" in item.text
    wait(browser, lambda d: badge(d) == "1", "the badge to count it")
    shot(browser, "inbox-demo-new-item")

    # A second tab marks it read; the first tab follows.
    browser.switch_to.new_window("tab")
    browser.get(page)
    wait(browser, lambda d: d.find_elements("css selector", "#items li"), "the second tab's list")
    item_id = browser.find_element("css selector", "#items li").get_attribute("id")
    browser.find_element("id", item_id.replace("item-", "mark-")).click()
    wait(browser, lambda d: badge(d) == "0", "the second tab's badge to drop")
    shot(browser, "inbox-demo-second-tab")

    browser.switch_to.window(first)
    wait(browser, lambda d: badge(d) == "0", "the first tab's badge to drop")
    wait(browser, lambda d: d.find_element("id", item_id).get_attribute("data-read") == "true",
         "the first tab to show the item read")
    shot(browser, "inbox-demo-read-elsewhere")
