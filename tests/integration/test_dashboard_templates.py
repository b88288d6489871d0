# test_dashboard_templates.py - the dashboard's templates pages in headless
# Chromium against the real daemons. With an admin key: the list shows every
# variant; the editor's sample data holds a placeholder for each variable; as
# the text changes, the preview (rendered by the server) shows it with the
# sample data filled in, the HTML in a sandboxed frame where no script runs;
# saving makes version 2, whose diff against version 1 marks the removed and
# added lines; rolling back to version 1 makes it current again as version 3;
# a syntax error keeps what was typed and shows the API's message; the zh-CN
# variant is listed and edited on its own; a new template is made from the
# list. With a read key: no Save or Roll back buttons, the preview still
# works, and a restore or save posted with the session's CSRF token is
# refused 403 and changes nothing. Screenshots go to
# $NOTIFY_ARTIFACT_DIR/dashboard: templates, template, template-edit,
# template-diff.

import http.client
import json
import urllib.parse

from dashboard_browser import click, hook_stack, post_with_session, shot, sign_in, text
from notify_stack import wait_for

V1_TEXT = "Hello {{name}},\nyour team is {{team}}.\nBye"
V2_TEXT = "Hello {{name}},\nyour team is {{team}} now.\nBye"
HTML = "<p>Hello <b>{{name}}</b></p><script>window.parent.document.title = 'pwned';</script>"


def add_template(stack):
    res = stack.request("PUT", "/v1/templates/welcome",
                        body={"subject": "Welcome, {{name}}", "text": V1_TEXT, "html": HTML})
    assert res.status == 201, res
    res = stack.ctl("template", "add", "welcome", "--locale", "zh-CN",
                    "--subject", "欢迎 {{name}}", "--text", "你好 {{name}}")
    assert res.returncode == 0, res.stderr


def current(stack, locale=""):
    res = stack.request("GET", "/v1/templates/welcome?" +
                        urllib.parse.urlencode({"channel": "", "locale": locale}))
    assert res.status == 200, res
    return res.json


def element_id(driver, css):
    return driver.find_element("css selector", css).get_attribute("id")


def replace(driver, field_id, value):
    field = driver.find_element("id", field_id)
    field.clear()
    field.send_keys(value)


def test_edit_preview_save_diff_and_roll_back(browser, make_stack, http_receiver):
    stack = hook_stack(make_stack, http_receiver(), {})
    base = f"http://127.0.0.1:{stack.http_port}"
    add_template(stack)

    # The script is built in.
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    conn.request("GET", "/static/templates.js")
    res = conn.getresponse()
    assert res.status == 200 and b"/template-preview" in res.read()
    conn.close()

    sign_in(browser, base, stack.api_key("admin"))
    click(browser, "nav-templates")
    rows = {(r.get_attribute("data-name"), r.get_attribute("data-locale"))
            for r in browser.find_elements("css selector", "#templates tbody tr")}
    assert rows == {("welcome", ""), ("welcome", "zh-CN")}, rows
    assert browser.find_elements("id", "new-template")
    shot(browser, "templates")

    browser.find_element("link text", "welcome").click()
    wait_for(lambda: browser.find_elements("id", "history"), 10, "the template's page")
    cards = [c.get_attribute("data-locale")
             for c in browser.find_elements("css selector", ".card[data-locale]")]
    assert cards == ["", "zh-CN"], cards

    # The editor: sample data for every variable, and the server's preview.
    click(browser, element_id(browser, ".card[data-locale=''] a[id^='edit-']"))
    data = json.loads(browser.find_element("id", "f-data").get_attribute("value"))
    assert data == {"name": "[name]", "team": "[team]"}, data
    assert "your team is [team]." in text(browser, "preview")
    assert "Welcome, [name]" in text(browser, "preview-subject")

    # As the user types, the preview follows, with the sample data filled in.
    replace(browser, "f-data", '{"name": "Ada & Bob", "team": "ops"}')
    replace(browser, "f-text", V2_TEXT)
    wait_for(lambda: "your team is ops now." in text(browser, "preview"), 10,
             "the preview to show the new text")
    assert "Hello Ada & Bob," in text(browser, "preview-text")
    assert text(browser, "preview-missing") == ""
    frame = browser.find_element("id", "preview-html")
    assert frame.get_attribute("sandbox") == ""
    assert "<b>Ada &amp; Bob</b>" in frame.get_attribute("srcdoc")  # escaped as a send escapes it
    assert "pwned" not in browser.title  # the frame's script never ran
    shot(browser, "template-edit")

    # A syntax error: the API's message, and what was typed is kept.
    replace(browser, "f-subject", "Hi {{#name}")
    wait_for(lambda: "subject: line 1" in text(browser, "preview-error"), 10,
             "the preview to report the syntax error")
    click(browser, "save")
    assert "subject: line 1" in text(browser, "error")
    assert browser.find_element("id", "f-subject").get_attribute("value") == "Hi {{#name}"
    assert browser.find_element("id", "f-text").get_attribute("value") == V2_TEXT
    assert current(stack)["version"] == 1

    # Without the script the Preview button asks the server.
    replace(browser, "f-subject", "Welcome, {{name}}")
    click(browser, "preview-button")
    assert "your team is ops now." in text(browser, "preview-text")
    assert not browser.find_element("id", "preview-error").is_displayed()

    # Saving makes version 2.
    click(browser, "save")
    assert "2" in text(browser, "notice")
    assert current(stack)["text"] == V2_TEXT and current(stack)["version"] == 2
    assert browser.find_elements("css selector",
                                 "#history tr[data-locale=''][data-version='2'][data-state=current]")
    shot(browser, "template")

    # The diff between versions 1 and 2.
    click(browser, element_id(browser, "#history tr[data-locale=''][data-version='2'] "
                                       "a[id^='changes-']"))
    assert "a=1" in browser.current_url and "b=2" in browser.current_url
    part = "#diff pre[data-part=text]"
    removed = [e.text for e in browser.find_elements("css selector", part + " del")]
    added = [e.text for e in browser.find_elements("css selector", part + " ins")]
    assert removed == ["- your team is {{team}}."], removed
    assert added == ["+ your team is {{team}} now."], added
    kept = browser.find_element("css selector", part).text
    assert "Hello {{name}}," in kept and "Bye" in kept
    assert not browser.find_elements("css selector", "#diff pre[data-part=subject] del")
    shot(browser, "template-diff")

    # Rolling back to version 1 writes it again as version 3.
    click(browser, element_id(browser, "#history tr[data-locale=''][data-version='1'] "
                                       "button[id^='restore-']"))
    assert "1" in text(browser, "notice") and "3" in text(browser, "notice")
    now = current(stack)
    assert now["text"] == V1_TEXT and now["version"] == 3, now
    assert browser.find_elements("css selector",
                                 "#history tr[data-locale=''][data-version='3'][data-state=current]")

    # The zh-CN variant is edited on its own.
    click(browser, element_id(browser, ".card[data-locale='zh-CN'] a[id^='edit-']"))
    assert browser.find_element("id", "f-locale").get_attribute("value") == "zh-CN"
    assert browser.find_element("id", "f-text").get_attribute("value") == "你好 {{name}}"
    replace(browser, "f-text", "你好 {{name}}，欢迎加入")
    wait_for(lambda: "你好 [name]，欢迎加入" in text(browser, "preview-text"), 10,
             "the zh-CN preview")
    click(browser, "save")
    zh = current(stack, "zh-CN")
    assert zh["text"] == "你好 {{name}}，欢迎加入" and zh["version"] == 2, zh
    assert current(stack)["version"] == 3

    # A new template, from the list's button.
    click(browser, "nav-templates")
    click(browser, "new-template")
    assert browser.find_element("id", "f-data").get_attribute("value") == "{}"
    replace(browser, "f-name", "digest")
    replace(browser, "f-locale", "en")
    replace(browser, "f-text", "{{count}} new items")
    wait_for(lambda: text(browser, "preview-missing") == "count", 10, "the new template's preview")
    click(browser, "save")
    assert browser.current_url.startswith(base + "/templates/digest?")
    res = stack.request("GET", "/v1/templates/digest?locale=en")
    assert res.status == 200 and res.json["text"] == "{{count}} new items", res

    # In Chinese.
    click(browser, "lang")
    assert browser.find_element("tag name", "h1").text == "模板 digest"
    assert "版本历史" in browser.page_source
    click(browser, "lang")

    # Every change is in the audit log under the key's name; previews are not.
    actions = [a for (a,) in stack.store_query("SELECT action FROM audit ORDER BY at")]
    assert actions.count("template.put") == 4 and "template.restore" in actions, actions
    assert not [a for a in actions if "preview" in a], actions

    # Templates may be called "new" or "preview": their pages are theirs.
    for name in ("new", "preview"):
        res = stack.request("PUT", f"/v1/templates/{name}", body={"text": f"I am {name}"})
        assert res.status == 201, res
        browser.get(f"{base}/templates/{name}")
        wait_for(lambda: browser.find_elements("id", "history"), 10, f"the page of '{name}'")
        assert browser.find_element("tag name", "h1").text.endswith(" " + name)
        assert f"I am {name}" in browser.page_source


def test_read_key_sees_no_buttons_and_is_refused(browser, make_stack, http_receiver):
    stack = hook_stack(make_stack, http_receiver(), {})
    base = f"http://127.0.0.1:{stack.http_port}"
    add_template(stack)
    res = stack.request("PUT", "/v1/templates/welcome", body={"text": V2_TEXT})
    assert res.status == 201, res

    sign_in(browser, base, stack.api_key("read"))
    session = browser.get_cookie("notify_session")["value"]
    click(browser, "nav-templates")
    assert not browser.find_elements("id", "new-template")
    browser.find_element("link text", "welcome").click()
    wait_for(lambda: browser.find_elements("id", "history"), 10, "the template's page")
    assert browser.find_elements("id", "read-only")
    assert browser.find_elements("css selector", "#history tr[data-state=old]")
    assert not browser.find_elements("css selector", "#history button")

    # The editor previews, but has no Save button.
    click(browser, element_id(browser, ".card[data-locale=''] a[id^='edit-']"))
    assert not browser.find_elements("id", "save")
    replace(browser, "f-data", '{"name": "Ada", "team": "ops"}')
    wait_for(lambda: "your team is ops now." in text(browser, "preview-text"), 10,
             "the read key's preview")

    # Posting the forms anyway, with the session's own CSRF token: refused.
    csrf = browser.find_element("css selector", "#template-form input[name=csrf]")
    token = csrf.get_attribute("value")
    status, body = post_with_session(stack.http_port, "/templates/welcome/restore", session,
                                     {"csrf": token, "version": "1", "channel": "",
                                      "locale": ""})
    assert status == 403 and "admin" in body, (status, body[:300])
    status, body = post_with_session(stack.http_port, "/templates/welcome", session,
                                     {"csrf": token, "op": "save", "name": "welcome",
                                      "text": "changed"})
    assert status == 403 and "admin" in body, (status, body[:300])
    # Without the token even the preview is refused.
    status, _ = post_with_session(stack.http_port, "/template-preview", session,
                                  {"text": "{{a}}"})
    assert status == 403
    now = current(stack)
    assert now["version"] == 2 and now["text"] == V2_TEXT, now
