# test_vendors.py - the vendor adapters end to end, through the real daemons, against
# local mocks of the vendors' APIs (vendor_mocks.py) that check every request as the
# vendor would: a signed DingTalk robot text with an @mobile mention; a WeCom app
# token that expires mid-run and is fetched again inside the attempt; Aliyun and
# Tencent SMS sent from a vendor template with parameters from the data; failover
# from a failing SMS provider to the next without a backoff wait; a DingTalk burst
# held to the provider's rate_limit; and bad input refused or failed with its reason.

import json
import re
import time
from pathlib import Path

import pytest

from notify_stack import wait_for
from vendor_mocks import (AliyunSmsMock, DingTalkRobotMock, TencentSmsMock, WeComAppMock,
                          max_in_window)

STARTERS = Path(__file__).resolve().parents[2] / "templates"
OTP_DATA = {"service": "Acme", "code": "493021", "minutes": 10, "sender": "Acme Ops"}

ROBOT_TOKEN = "robot/tok+1"  # characters that must be percent-encoded in the query
ROBOT_SECRET = "SECb1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2"
CORP_ID, CORP_SECRET, AGENT_ID = "ww5f3c0a17", "corp-secret-Zq81", 1000002
ALI_KEY_ID, ALI_KEY_SECRET = "LTAI5tNotifyTest", "aliyun secret/+="
TC_SECRET_ID, TC_SECRET_KEY, TC_APP_ID = "AKIDnotifytest0123", "tencent-secret-key", "1400006666"
SIGN_NAME = "Acme"


# --- providers as each test configures them ---------------------------------------------------


def robot_provider(robot, **extra):
    return {"type": "dingtalk-robot", "endpoint": robot.base, "token": ROBOT_TOKEN,
            "secret": ROBOT_SECRET, **extra}


def wecom_provider(wecom):
    return {"type": "wecom-app", "endpoint": wecom.base, "corp_id": CORP_ID,
            "corp_secret": CORP_SECRET, "agent_id": AGENT_ID}


def aliyun_provider(ali, **extra):
    return {"type": "aliyun-sms", "endpoint": ali.base, "access_key_id": ALI_KEY_ID,
            "access_key_secret": ALI_KEY_SECRET, "sign_name": SIGN_NAME,
            "templates": {"one-time-code": {"code": "SMS_71390007",
                                            "params": {"code": "code", "ttl": "minutes"}}},
            **extra}


def tencent_provider(tc):
    return {"type": "tencent-sms", "endpoint": tc.base, "secret_id": TC_SECRET_ID,
            "secret_key": TC_SECRET_KEY, "sdk_app_id": TC_APP_ID, "sign_name": SIGN_NAME,
            "templates": {"one-time-code": {"code": "1234", "params": ["code", "minutes"]}}}


def started(stack, templates=False):
    stack.start()
    if templates:
        res = stack.ctl("template", "import", str(STARTERS))
        assert res.returncode == 0, res.stderr
    return stack


def only(doc):
    (d,) = doc["deliveries"]
    return d


def events_of(doc):
    return [(e["type"], e["detail"]) for e in doc["events"]]


def wait_all_final(stack, ids, timeout):
    """Polls the store until every delivery of `ids` is final; returns {id: state}."""
    marks = ",".join("?" * len(ids))

    def done():
        rows = dict(stack.store_query("SELECT notification_id, state FROM deliveries WHERE "
                                      f"notification_id IN ({marks})", *ids))
        final = {"sent", "failed", "expired", "suppressed", "canceled"}
        return rows if len(rows) == len(ids) and set(rows.values()) <= final else None
    return wait_for(done, timeout, f"{len(ids)} deliveries to end", interval=0.1,
                    check=stack.check_running)


# --- (a) DingTalk robot ---------------------------------------------------------------------


def test_dingtalk_robot_text_is_signed_and_mentions_the_mobile(vendors, make_stack):
    robot = vendors(DingTalkRobotMock(ROBOT_TOKEN, ROBOT_SECRET))
    stack = started(make_stack(providers={"ops-robot": robot_provider(robot)},
                               channels={"dingtalk": ["ops-robot"]}))

    nid = stack.submit(channel="dingtalk", to="+8613800138000", subject="Disk full",
                       body="db-01 at 95%")["id"]
    d = only(stack.wait_final(nid))
    assert d["state"] == "sent" and d["attempts"] == 1, d
    assert robot.refusals() == [], "the mock refused a request (signature, token or body)"

    (msg,) = robot.messages()
    assert msg["msgtype"] == "text", msg
    content = msg["text"]["content"]
    assert "Disk full" in content and "db-01 at 95%" in content, content
    assert "@13800138000" in content, "the mention is shown only when the text has @mobile"
    assert msg["at"]["atMobiles"] == ["13800138000"], msg["at"]
    assert not msg["at"].get("isAtAll"), msg["at"]
    (req,) = robot.snapshot()
    assert req.query["access_token"] == ROBOT_TOKEN and req.query["sign"], req.query


# --- (b) WeCom app: the token expires in the middle of the run ------------------------------


def test_wecom_app_token_expiry_is_refreshed_inside_the_attempt(vendors, make_stack):
    wecom = vendors(WeComAppMock(CORP_ID, CORP_SECRET, AGENT_ID))
    stack = started(make_stack(providers={"corp-app": wecom_provider(wecom)},
                               channels={"wecom": ["corp-app"]}))

    def send_some(tag):
        ids = stack.submit_batch([{"channel": "wecom", "to": user, "subject": f"{tag} {user}",
                                   "body": f"deploy {tag} finished"}
                                  for user in ("zhangsan", "lisi", "wangwu")])
        states = wait_all_final(stack, ids, timeout=15)
        assert set(states.values()) == {"sent"}, states
        return ids

    before = send_some("first")
    assert wecom.gettoken_count() == 1, "one token serves every send while it is valid"
    wecom.expire_tokens()
    after = send_some("second")
    assert wecom.gettoken_count() == 2, f"{wecom.gettoken_count()} token fetches"
    refused = [code for code, _ in wecom.token_refusals()]
    assert refused and set(refused) == {42001}, refused

    for nid in before + after:
        d = only(stack.get(nid))
        assert d["state"] == "sent" and d["attempts"] == 1, d
        assert d["provider_message_id"].startswith("msg-"), d
    sent = wecom.sent()
    assert len(sent) == 6, [s["touser"] for s in sent]
    assert sorted(s["touser"] for s in sent) == sorted(["zhangsan", "lisi", "wangwu"] * 2)
    assert all(s["agentid"] == AGENT_ID and s["msgtype"] == "text" for s in sent), sent
    assert any("deploy second finished" in s["text"]["content"] for s in sent), sent


# --- (c) SMS from vendor templates ------------------------------------------------------------


def test_sms_from_vendor_templates_with_params_from_the_data(vendors, make_stack):
    ali = vendors(AliyunSmsMock(ALI_KEY_ID, ALI_KEY_SECRET, sign_name=SIGN_NAME))
    tc = vendors(TencentSmsMock(TC_SECRET_ID, TC_SECRET_KEY, TC_APP_ID))
    providers = {"aliyun": aliyun_provider(ali), "tencent": tencent_provider(tc)}
    stack = started(make_stack(providers=providers,
                               channels={"sms-ali": ["aliyun"], "sms-tc": ["tencent"]}),
                    templates=True)

    ali_id = stack.submit(channel="sms-ali", to="+8613800138000", template="one-time-code",
                          locale="en", data=OTP_DATA)["id"]
    res = stack.ctl("send", "--channel", "sms-tc", "--to", "+8613900139000", "--template",
                    "one-time-code", "--locale", "en", "--data", json.dumps(OTP_DATA), "--wait")
    assert res.returncode == 0, res.stderr
    tc_id = res.stdout.strip()

    d = only(stack.wait_final(ali_id))
    assert d["state"] == "sent", d
    assert ali.error_codes() == [], ali.error_codes()
    (params,) = ali.sent()
    assert params["PhoneNumbers"] == "13800138000", "a mainland number goes without +86"
    assert params["TemplateCode"] == "SMS_71390007" and params["SignName"] == SIGN_NAME, params
    assert json.loads(params["TemplateParam"]) == {"code": "493021", "ttl": "10"}, params
    assert d["provider"] == "aliyun" and d["provider_message_id"].endswith("^0"), d

    d = only(stack.wait_final(tc_id))
    assert d["state"] == "sent", d
    assert tc.error_codes() == [], tc.error_codes()
    (body,) = tc.sent()
    assert body["PhoneNumberSet"] == ["+8613900139000"], body
    assert body["TemplateId"] == "1234" and body["SmsSdkAppId"] == TC_APP_ID, body
    assert body["TemplateParamSet"] == ["493021", "10"], body
    assert body["SignName"] == SIGN_NAME, body
    assert d["provider"] == "tencent" and d["provider_message_id"].startswith("2028:"), d

    for nid in (ali_id, tc_id):
        sent_events = [detail for kind, detail in events_of(stack.get(nid)) if kind == "sent"]
        assert sent_events, events_of(stack.get(nid))
        # The size of what the phone shows: 【Acme】 and the text notify rendered; the
        # brackets are not GSM-7, so UCS-2: 70 characters in one segment, else 67 each.
        size = re.search(r"length=(\d+) segments=(\d+) encoding=(\S+)", sent_events[-1])
        assert size, sent_events[-1]
        length, segments = int(size.group(1)), int(size.group(2))
        text = stack.get(nid)["body"]
        assert length == len("【" + SIGN_NAME + "】" + text), (length, text)
        assert size.group(3) == "UCS-2"
        assert segments == (1 if length <= 70 else -(-length // 67)), sent_events[-1]
        status = stack.ctl("status", "-v", nid)
        assert status.returncode == 0, status.stderr
        assert f"segments={segments}" in status.stdout, status.stdout


# --- (d) failover ------------------------------------------------------------------------------


# A busy supplier (retryable) and one whose account cannot send (out of balance:
# permanent there, but another supplier can) both hand the message to the next one.
@pytest.mark.parametrize("failure", ["ServiceUnavailable", "isv.AMOUNT_NOT_ENOUGH"])
def test_failover_to_the_next_provider_without_backoff(vendors, make_stack, failure):
    ali = vendors(AliyunSmsMock(ALI_KEY_ID, ALI_KEY_SECRET, sign_name=SIGN_NAME))
    tc = vendors(TencentSmsMock(TC_SECRET_ID, TC_SECRET_KEY, TC_APP_ID))
    ali.fail_with(failure)
    # A retry of the same provider would wait at least 10 s; the failover must not.
    providers = {"aliyun": aliyun_provider(ali), "tencent": tencent_provider(tc)}
    stack = started(make_stack(settings={"router.retry_min": "10s", "router.retry_max": "20s"},
                               providers=providers, channels={"sms": ["aliyun", "tencent"]}),
                    templates=True)

    began = time.monotonic()
    ids = stack.submit_batch([{"channel": "sms", "to": f"+861380013800{i}",
                               "template": "one-time-code", "locale": "en", "data": OTP_DATA}
                              for i in range(3)])
    states = wait_all_final(stack, ids, timeout=8)
    took = time.monotonic() - began
    assert set(states.values()) == {"sent"}, states
    assert took < 8, f"failover took {took:.1f}s"

    assert failure in ali.error_codes(), "aliyun was not tried first"
    assert ali.sent() == []
    assert sorted(b["PhoneNumberSet"][0] for b in tc.sent()) == \
        [f"+861380013800{i}" for i in range(3)], tc.sent()
    for nid in ids:
        doc = stack.get(nid)
        d = only(doc)
        assert d["provider"] == "tencent", d
        details = " | ".join(detail for _, detail in events_of(doc))
        assert "aliyun" in details and failure in details, details
        assert "failing over to provider 'tencent'" in details, details


# --- (e) a burst held to the provider's rate limit ----------------------------------------------


def test_dingtalk_burst_keeps_to_the_rate_limit(vendors, make_stack):
    robot = vendors(DingTalkRobotMock(ROBOT_TOKEN, ROBOT_SECRET, rate_limit=(20, 2.0)))
    stack = started(make_stack(settings={"worker.concurrency": 16},
                               providers={"ops-robot": robot_provider(robot, rate_limit="20/2s")},
                               channels={"dingtalk": ["ops-robot"]}))

    ids = stack.submit_batch([{"channel": "dingtalk", "subject": f"burst {i}",
                               "body": f"message {i}"} for i in range(100)])
    # At least 10 s by the rate limit; the deadline leaves room for a slow machine.
    states = wait_all_final(stack, ids, timeout=90)
    assert set(states.values()) == {"sent"}, stack.delivery_states()

    assert robot.refusals() == [], robot.refusals()[:5]
    times = robot.arrival_times()
    assert len(times) == 100
    busiest = max_in_window(times, 2.0)
    assert busiest <= 20, f"{busiest} messages inside one 2 s window"
    span = max(times) - min(times)
    assert span >= 8.0, f"100 messages at 20 per 2 s took only {span:.1f}s"
    contents = sorted(m["text"]["content"] for m in robot.messages())
    assert len(set(contents)) == 100, "every message arrives once"


# --- (f) bad input ------------------------------------------------------------------------------


def test_bad_input_is_refused_or_fails_with_its_reason(vendors, make_stack):
    robot = vendors(DingTalkRobotMock(ROBOT_TOKEN, ROBOT_SECRET))
    ali = vendors(AliyunSmsMock(ALI_KEY_ID, ALI_KEY_SECRET, sign_name=SIGN_NAME))
    providers = {"ops-robot": robot_provider(robot), "aliyun": aliyun_provider(ali)}
    stack = started(make_stack(providers=providers,
                               channels={"dingtalk": ["ops-robot"], "sms-ali": ["aliyun"]}),
                    templates=True)

    # A number Aliyun cannot take (not mainland, and the provider is not international).
    nid = stack.submit(channel="sms-ali", to="+12015550123", template="one-time-code", locale="en",
                       data=OTP_DATA)["id"]
    doc = stack.wait_final(nid)
    d = only(doc)
    assert d["state"] == "failed" and d["attempts"] == 1, d
    details = " ".join(detail for _, detail in events_of(doc))
    assert "unsupported_recipient" in details, details
    assert "+12015550123" in d["last_error"] or "international" in d["last_error"], d
    assert ali.snapshot() == [], "nothing is sent to the vendor for a number it cannot take"

    # A directory user with no identity for the channel.
    assert stack.ctl("user", "add", "bob", "--email", "bob@example.com").returncode == 0
    d = only(stack.wait_final(stack.submit(channel="dingtalk", to="user:bob", body="hello")["id"]))
    assert d["state"] == "suppressed", d
    assert "no address for channel 'dingtalk'" in d["last_error"], d
    assert robot.snapshot() == []

    # A template the SMS provider has no vendor template for: refused at the door.
    res = stack.ctl("send", "--channel", "sms-ali", "--to", "+8613800138000", "--template",
                    "password-reset", "--data", json.dumps({**OTP_DATA, "user": {"name": "Bo"},
                                                            "url": "https://example.com/r"}))
    assert res.returncode == 65, (res.returncode, res.stderr)
    assert "'aliyun'" in res.stderr and "'password-reset'" in res.stderr, res.stderr
    res = stack.request("POST", "/v1/notifications", body={
        "channel": "sms-ali", "to": "+8613800138000", "template": "password-reset",
        "data": {**OTP_DATA, "user": {"name": "Bo"}, "url": "https://example.com/r"}})
    assert res.status == 422, res
    err = res.json["error"]
    assert err["code"] == "no_vendor_template", err
    assert "'aliyun'" in err["message"] and "'password-reset'" in err["message"], err
    assert ali.snapshot() == []

    # A provider whose secret is missing from the configuration.
    incomplete = aliyun_provider(ali)
    del incomplete["access_key_secret"]
    broken = make_stack(providers={"aliyun": incomplete}, channels={"sms-ali": ["aliyun"]})
    res = broken.ctl("config", "check")
    assert res.returncode != 0, res.stdout
    assert "'aliyun'" in res.stderr and "'access_key_secret'" in res.stderr, res.stderr
