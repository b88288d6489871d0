# test_templates.py - a notification that names a template is rendered at the door
# from the stored templates (imported with notifyctl from the starter folder), in
# the recipient's locale with fallback, and refused when its data leaves a
# variable unfilled.

import json
from pathlib import Path

STARTERS = Path(__file__).resolve().parents[2] / "templates"
DATA = {"code": "493021", "minutes": 10, "user": {"name": "Ana"}, "service": "Acme",
        "url": "https://example.com/r/1", "sender": "Acme Ops"}


def started(make_stack, receiver):
    stack = make_stack(providers={"hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["hook"]})
    stack.start()
    res = stack.ctl("template", "import", str(STARTERS))
    assert res.returncode == 0, res.stderr
    return stack


def test_send_with_a_template_in_the_recipients_locale(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)

    zh = stack.submit(channel="hook", template="password-reset", locale="zh-CN", data=DATA)["id"]
    en = stack.submit(channel="hook", template="password-reset", locale="fr", data=DATA)["id"]
    for nid in (zh, en):
        assert [d["state"] for d in stack.wait_final(nid)["deliveries"]] == ["sent"]

    by_id = {r.json["notification_id"]: r.json for r in receiver.snapshot()}
    assert "Acme" in by_id[zh]["subject"] and "密码" in by_id[zh]["subject"], by_id[zh]
    assert "Ana" in by_id[zh]["body"] and "https://example.com/r/1" in by_id[zh]["body"]
    assert by_id[en]["subject"] == "Reset your Acme password", "fr falls back to the default (en)"

    stored = stack.get(zh)
    assert stored["template"] == "password-reset"
    assert "Acme Ops" in stored["html"], "the footer partial is rendered into the HTML body"


def test_unfilled_variables_are_refused_and_nothing_is_stored(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    res = stack.request("POST", "/v1/notifications",
                        body={"channel": "hook", "template": "one-time-code", "data": {"code": "1"}})
    assert res.status == 422, res
    err = res.json["error"]
    assert err["code"] == "missing_variables" and err["field"] == "data", err
    assert "minutes" in err["message"], err
    res = stack.request("POST", "/v1/notifications",
                        body={"channel": "hook", "template": "no-such-template", "data": {}})
    assert res.status == 422 and res.json["error"]["code"] == "unknown_template", res
    assert stack.request("GET", "/v1/notifications").json["notifications"] == []


def test_notifyctl_sends_with_a_template(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    res = stack.ctl("send", "--channel", "hook", "--template", "one-time-code", "--locale", "en",
                    "--data", json.dumps(DATA), "--wait")
    assert res.returncode == 0, res.stderr
    (req,) = receiver.snapshot()
    assert "493021" in req.json["body"], req.json
    bad = stack.ctl("send", "--channel", "hook", "--template", "one-time-code", "--data", "{}")
    assert bad.returncode == 65, (bad.returncode, bad.stderr)
    assert "missing variables" in bad.stderr, bad.stderr
