# test_receipts.py - delivery receipts at POST /v1/receipts/{provider}, through the
# real daemons: each vendor's receipt is made here the way the vendor makes it
# (Twilio's X-Twilio-Signature computed from its documented algorithm, Tencent's and
# Aliyun's report arrays, notify's own signed receipt) and must move a sent delivery
# to delivered or failed; a receipt that is forged, tampered with, stale or for
# another provider changes nothing. A receipt that comes before the worker's answer
# waits for it. Reports count what receipts recorded.

import json
import time
import urllib.parse

from notify_stack import wait_for
from receivers import Reply, always, expected_signature
from vendor_mocks import TencentSmsMock, TwilioMock, twilio_signature

TW_SID, TW_TOKEN = "AC" + "0123456789abcdef" * 2, "twilio-auth-token-9f8e"
TW_CALLBACK = "https://notify.example.com/v1/receipts/tw"  # as the proxy in front shows it
TC_SECRET_ID, TC_SECRET_KEY, TC_APP_ID = "AKIDnotifytest0123", "tencent-secret-key", "1400006666"
TC_TOKEN = "tc-receipts-7Hq2"
HOOK_SECRET = "hook-receipts-secret"


def twilio_provider(tw):
    return {"type": "twilio", "endpoint": tw.base, "account_sid": TW_SID,
            "auth_token": TW_TOKEN, "from": "+15005550006", "status_callback": TW_CALLBACK}


def tencent_provider(tc):
    return {"type": "tencent-sms", "endpoint": tc.base, "secret_id": TC_SECRET_ID,
            "secret_key": TC_SECRET_KEY, "sdk_app_id": TC_APP_ID, "sign_name": "Acme",
            "templates": {"code": {"code": "1234", "params": ["code"]}},
            "receipt_secret": TC_TOKEN}


def sent(stack, nid):
    (d,) = stack.wait_final(nid)["deliveries"]
    assert d["state"] == "sent", d
    return d


def delivery(stack, nid):
    doc = stack.get(nid)
    (d,) = doc["deliveries"]
    return d, [(e["type"], e["detail"]) for e in doc["events"]]


def twilio_fields(sid, status, error_code=None):
    fields = [("SmsSid", sid), ("SmsStatus", status), ("MessageStatus", status),
              ("To", "+14155550100"), ("MessageSid", sid), ("AccountSid", TW_SID),
              ("From", "+15005550006"), ("ApiVersion", "2010-04-01")]
    if error_code:
        fields.append(("ErrorCode", error_code))
    return fields


def post_twilio(stack, fields, signature):
    return stack.request("POST", "/v1/receipts/tw", raw=urllib.parse.urlencode(fields).encode(),
                         key=None, headers={"Content-Type": "application/x-www-form-urlencoded",
                                            "X-Twilio-Signature": signature})


def report_counts(stack):
    res = stack.ctl("report", "--since", "now-1h", "--until", "now+1h", "--format", "json")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)["total"]["counts"]


def test_twilio_status_callbacks_move_sms_to_delivered_or_failed(vendors, make_stack):
    tw = vendors(TwilioMock(TW_SID, TW_TOKEN))
    stack = make_stack(providers={"tw": twilio_provider(tw)}, channels={"sms": ["tw"]})
    stack.start()
    ok_id = stack.submit(channel="sms", to="+14155550100", body="Your code is 1234")["id"]
    bad_id = stack.submit(channel="sms", to="+14155550101", body="Your code is 5678")["id"]
    ok, bad = sent(stack, ok_id), sent(stack, bad_id)
    assert all(f["StatusCallback"] == TW_CALLBACK for f in tw.sent()), tw.sent()
    sid = ok["provider_message_id"]
    assert sid.startswith("SM"), ok

    # Forged: another token; tampered: signed for "failed", sent as "delivered"; a
    # signature over the URL the request came to instead of the configured one.
    delivered = twilio_fields(sid, "delivered")
    for signature in (twilio_signature("not-the-token", TW_CALLBACK, delivered),
                      twilio_signature(TW_TOKEN, TW_CALLBACK, twilio_fields(sid, "failed")),
                      twilio_signature(TW_TOKEN, f"http://127.0.0.1:{stack.http_port}"
                                                 "/v1/receipts/tw", delivered)):
        res = post_twilio(stack, delivered, signature)
        assert res.status == 401 and res.json["error"]["code"] == "bad_signature", res
    res = stack.request("POST", "/v1/receipts/tw", key=None,
                        raw=urllib.parse.urlencode(delivered).encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert res.status == 401, res
    d, events = delivery(stack, ok_id)
    assert d["state"] == "sent" and [k for k, _ in events][-1] == "sent", events

    # "sent" changes nothing; "delivered" does, once.
    sent_cb = twilio_fields(sid, "sent")
    assert post_twilio(stack, sent_cb, twilio_signature(TW_TOKEN, TW_CALLBACK, sent_cb)).status \
        == 200
    for _ in range(2):
        res = post_twilio(stack, delivered, twilio_signature(TW_TOKEN, TW_CALLBACK, delivered))
        assert res.status == 200, res
    d, events = delivery(stack, ok_id)
    assert d["state"] == "delivered", d
    kinds = [k for k, _ in events]
    assert kinds.count("delivered") == 1 and kinds[-2:] == ["sent", "delivered"], events
    assert "provider=tw receipt" in events[-1][1], events

    # undelivered with Twilio's error code: failed, with the code as its reason.
    undelivered = twilio_fields(bad["provider_message_id"], "undelivered", "30003")
    res = post_twilio(stack, undelivered, twilio_signature(TW_TOKEN, TW_CALLBACK, undelivered))
    assert res.status == 200, res
    d, events = delivery(stack, bad_id)
    assert d["state"] == "failed" and "30003" in d["last_error"], d
    assert events[-1][0] == "failed", events

    # The rollups count what the receipts recorded.
    wait_for(lambda: report_counts(stack).get("delivered") == 1 and
             report_counts(stack).get("failed") == 1, 10, "the report to count the receipts")
    assert report_counts(stack).get("sent") == 2


def test_a_receipt_before_the_worker_answer_waits_for_it(vendors, make_stack):
    tw = vendors(TwilioMock(TW_SID, TW_TOKEN))
    stack = make_stack(providers={"tw": twilio_provider(tw)}, channels={"sms": ["tw"]})
    stack.start()
    tw.hold()
    nid = stack.submit(channel="sms", to="+14155550100", body="hello")["id"]
    assert tw.waiting.acquire(timeout=15), "the send did not reach the mock"
    sid = tw.next_sid()
    fields = twilio_fields(sid, "delivered")
    res = post_twilio(stack, fields, twilio_signature(TW_TOKEN, TW_CALLBACK, fields))
    assert res.status == 200, res
    tw.release()
    wait_for(lambda: delivery(stack, nid)[0]["state"] == "delivered", 15,
             "the waiting receipt to be applied", check=stack.check_running)
    _, events = delivery(stack, nid)
    assert [k for k, _ in events][-2:] == ["sent", "delivered"], events


def test_tencent_status_reports_need_the_url_token(vendors, make_stack):
    tc = vendors(TencentSmsMock(TC_SECRET_ID, TC_SECRET_KEY, TC_APP_ID))
    stack = make_stack(providers={"tc": tencent_provider(tc)}, channels={"sms": ["tc"]})
    stack.start()
    res = stack.ctl("template", "add", "code", "--channel", "sms", "--text",
                    "Your code is {{code}}")
    assert res.returncode == 0, res.stderr
    ids = [stack.submit(channel="sms", to=to, template="code", data={"code": "4321"})["id"]
           for to in ("+8613800138000", "+8613900139000")]
    sids = [sent(stack, nid)["provider_message_id"] for nid in ids]
    reports = [{"user_receive_time": "2026-12-03 10:00:01", "nationcode": "86",
                "mobile": "13800138000", "report_status": "SUCCESS", "errmsg": "DELIVRD",
                "description": "用户短信送达成功", "sid": sids[0]},
               {"user_receive_time": "2026-12-03 10:00:02", "nationcode": "86",
                "mobile": "13900139000", "report_status": "FAIL", "errmsg": "MK:0001",
                "description": "空号", "sid": sids[1]}]

    for query in ("", "?token=wrong-token", "?token=" + TC_TOKEN[:-1]):
        res = stack.request("POST", "/v1/receipts/tc" + query, body=reports, key=None)
        assert res.status == 401 and res.json["error"]["code"] == "bad_signature", res
    assert [delivery(stack, nid)[0]["state"] for nid in ids] == ["sent", "sent"]

    res = stack.request("POST", "/v1/receipts/tc?token=" + TC_TOKEN, body=reports, key=None)
    assert res.status == 200 and res.json == {"result": 0, "errmsg": "OK"}, res
    first, second = delivery(stack, ids[0])[0], delivery(stack, ids[1])[0]
    assert first["state"] == "delivered", first
    assert second["state"] == "failed" and "MK:0001" in second["last_error"], second

    res = stack.request("POST", "/v1/receipts/tc?token=" + TC_TOKEN, body={"sid": "x"},
                        key=None)
    assert res.status == 400 and res.json["error"]["code"] == "invalid_receipt", res


def test_signed_receipts_from_a_webhook_receiver(make_stack, http_receiver):
    hook = http_receiver()
    stack = make_stack(providers={"hook": {"type": "webhook", "url": hook.url,
                                           "receipt_secret": HOOK_SECRET}},
                       channels={"hooks": ["hook"]})
    stack.start()
    nid = stack.submit(channel="hooks", body="build 42 is green")["id"]
    d = sent(stack, nid)

    def post(receipts, at=None, secret=HOOK_SECRET):
        return post_signed(stack, "hook", receipts, at, secret)

    receipt = {"delivery_id": d["id"], "status": "delivered", "code": "250"}
    for res in (post(receipt, secret="another"), post(receipt, at=time.time() - 3600)):
        assert res.status == 401 and res.json["error"]["code"] == "bad_signature", res
    res = post({"delivery_id": d["id"], "status": "opened"})
    assert res.status == 400 and res.json["error"]["code"] == "invalid_receipt", res
    assert delivery(stack, nid)[0]["state"] == "sent"

    res = post([receipt, {"delivery_id": d["id"], "status": "read"},
                {"delivery_id": "no-such-delivery.0", "status": "delivered"}])
    assert res.status == 200, res
    assert res.json["recorded"] == 2 and res.json["ignored"] == 1, res.json
    got, events = delivery(stack, nid)
    assert got["state"] == "delivered", got
    assert [k for k, _ in events][-2:] == ["delivered", "read"], events


def post_signed(stack, provider, receipts, at=None, secret=HOOK_SECRET):
    body = json.dumps(receipts).encode()
    ts = str(int(at if at is not None else time.time()))
    return stack.request("POST", f"/v1/receipts/{provider}", raw=body, key=None,
                         headers={"X-Notify-Timestamp": ts,
                                  "X-Notify-Signature": expected_signature(secret, ts, body)})


def receipt_waiting_for_a_slow_send(make_stack, http_receiver, delay, settings=None):
    """A webhook delivery in flight (its receiver answers after `delay` seconds) and a
    signed `delivered` receipt for it, answered as waiting: (stack, notification id)."""
    hook = http_receiver(respond=always(Reply(delay=delay)))
    stack = make_stack(settings=settings or {},
                       providers={"hook": {"type": "webhook", "url": hook.url,
                                           "receipt_secret": HOOK_SECRET}},
                       channels={"hooks": ["hook"]})
    stack.start()
    nid = stack.submit(channel="hooks", body="slow receiver")["id"]
    wait_for(lambda: hook.count() >= 1, 10, "the webhook to arrive")
    # The router records the dispatch in its next commit, which may follow the send.
    d = wait_for(lambda: next((d for d in stack.get(nid)["deliveries"]
                               if d["state"] == "in-flight"), None),
                 10, "the delivery to be recorded in flight")
    res = post_signed(stack, "hook", {"delivery_id": d["id"], "status": "delivered"})
    assert res.status == 200 and res.json["waiting"] == 1, res
    return stack, nid


def test_a_receipt_for_a_delivery_in_flight_waits_for_its_answer(make_stack, http_receiver):
    stack, nid = receipt_waiting_for_a_slow_send(make_stack, http_receiver, 1.5)
    wait_for(lambda: delivery(stack, nid)[0]["state"] == "delivered", 15,
             "the waiting receipt to be applied", check=stack.check_running)
    _, events = delivery(stack, nid)
    assert [k for k, _ in events][-2:] == ["sent", "delivered"], events


def test_a_waiting_receipt_outlives_a_router_that_dies(make_stack, http_receiver):
    # The vendor was told the receipt was taken: a router killed while it waits
    # for the send reads it back from the store when it starts again.
    stack, nid = receipt_waiting_for_a_slow_send(
        make_stack, http_receiver, 4, {"worker.timeout": "20s", "router.lease": "30s"})
    # Answered once it was committed.
    assert stack.store_query("SELECT kind FROM early_receipts") == [("receipt",)]
    stack.kill("router")
    stack.start("router")
    wait_for(lambda: delivery(stack, nid)[0]["state"] == "delivered", 30,
             "the receipt read back to be applied", check=stack.check_running)
    assert "receipts waiting for their send, read back: 1" in \
        stack.log_path("router").read_text(errors="replace")
    wait_for(lambda: stack.store_query("SELECT count(*) FROM early_receipts") == [(0,)], 10,
             "the applied receipt to leave the store")


def test_receipts_for_providers_that_take_none(make_stack, http_receiver):
    hook = http_receiver()
    stack = make_stack(providers={"plain": {"type": "webhook", "url": hook.url}},
                       channels={"hooks": ["plain"]})
    stack.start()
    # Callers learn nothing of the configuration; the log says why.
    for name in ("nosuch", "plain"):
        res = stack.request("POST", f"/v1/receipts/{name}", body=[], key=None)
        assert res.status == 404 and res.json["error"]["code"] == "not_found", res
        assert "type" not in res.json["error"]["message"], res
    log = stack.log_path("ingest").read_text()
    assert "receipts for provider 'plain' (type webhook) are refused: its 'receipt_secret' is " \
        "not set" in log, log[-2000:]
    res = stack.request("GET", "/v1/receipts/plain", key=None)
    assert res.status == 405, res
