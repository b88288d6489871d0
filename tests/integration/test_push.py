# test_push.py - the push adapters end to end, through the real daemons, against local
# mocks of the vendors (apns_mock.py, fcm_mock.py, jpush_mock.py, webpush_mock.py)
# that check every request as the vendor does:
#   APNs      HTTP/2 over TLS, the ES256 provider JWT verified with the key's public half,
#             every header; a 410 removes the device token from the user's identities;
#             a user with two devices gets a delivery at each, and keeps the one not gone;
#             devices added and removed one at a time over HTTP;
#             a burst of 1,000 sends shares one connection.
#   FCM       the RS256 JWT grant checked at the token endpoint; one access token for many
#             sends, fetched again once FCM refuses it; UNREGISTERED removes the token.
#   JPush     Basic auth, the body and its options; an unknown registration id (1011)
#             ends failed and is removed.
#   Web Push  VAPID verified and the aes128gcm body decrypted by the mock with
#             python3-cryptography alone (an implementation independent of notify's).
# And bad input: malformed tokens and subscriptions, an unknown user, a missing key file.

import json
import time

from apns_mock import ApnsMock
from fcm_mock import FcmMock
from jpush_mock import JPushMock
from notify_stack import wait_for
from push_crypto import make_apns_key
from webpush_mock import WebPushMock

TEAM, KEY_ID, BUNDLE = "TEAM123456", "KEY1234567", "com.example.notify"
TOKEN_A = "a1" * 32
TOKEN_B = "b2" * 32
JPUSH_KEY, JPUSH_SECRET = "7d431e42dfa6a6d693ac2d04", "5e987ac6d2e04d95a9d8f0d1"


def only(doc):
    (d,) = doc["deliveries"]
    return d


def events_of(doc):
    return [(e["type"], e["detail"]) for e in doc["events"]]


def identities_of(stack, user):
    res = stack.ctl("user", "show", user, "--json")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout).get("identities", {})


def addresses_of(stack, user):
    res = stack.ctl("user", "show", user, "--json")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout).get("addresses", {})


def add_user(stack, user, channel, address):
    res = stack.ctl("user", "add", user, "--identity", f"{channel}={address}")
    assert res.returncode == 0, res.stderr


def apns_stack(make_stack, vendors, tmp_path, provider_keys=None, **settings):
    key = make_apns_key(str(tmp_path / "AuthKey_KEY1234567.p8"))
    apns = vendors(ApnsMock(TEAM, KEY_ID, key.public_key(), BUNDLE))
    provider = {"type": "apns", "endpoint": apns.url, "team_id": TEAM, "key_id": KEY_ID,
                "key": "file:" + str(tmp_path / "AuthKey_KEY1234567.p8"), "topic": BUNDLE,
                "ca_file": apns.ca_file, **(provider_keys or {})}
    stack = make_stack(settings=settings or None, providers={"ios": provider},
                       channels={"push": ["ios"]})
    stack.start()
    return stack, apns


def test_apns_sends_with_a_verified_jwt_and_removes_an_unregistered_token(
        vendors, make_stack, tmp_path):
    stack, apns = apns_stack(make_stack, vendors, tmp_path)
    add_user(stack, "ana", "push", TOKEN_A)

    nid = stack.submit(channel="push", to="user:ana", subject="Build 142", body="green",
                       priority="high", expires_in="10m", category="builds",
                       data={"collapse_id": "build-142"})["id"]
    d = only(stack.wait_final(nid))
    assert d["state"] == "sent", d
    (req,) = apns.sent()
    assert req.token == TOKEN_A
    assert req.headers["apns-topic"] == BUNDLE
    assert req.headers["apns-push-type"] == "alert"
    assert req.headers["apns-priority"] == "10"
    assert req.headers["apns-collapse-id"] == "build-142"
    assert int(req.headers["apns-expiration"]) > 0
    assert req.payload["aps"]["alert"] == {"title": "Build 142", "body": "green"}
    assert req.payload["aps"]["thread-id"] == "builds"
    assert d["provider_message_id"] == req.apns_id, "the apns-id APNs answered is kept"

    # A medium one goes at priority 5.
    nid = stack.submit(channel="push", to=TOKEN_B, body="later")["id"]
    assert only(stack.wait_final(nid))["state"] == "sent"
    assert apns.sent()[-1].headers["apns-priority"] == "5"

    # The device unregistered: the delivery fails for good and ana loses the token.
    apns.unregister(TOKEN_A)
    nid = stack.submit(channel="push", to="user:ana", body="again")["id"]
    doc = stack.wait_final(nid)
    d = only(doc)
    assert d["state"] == "failed" and d["attempts"] == 1, d
    failed = [detail for kind, detail in events_of(doc) if kind == "failed"]
    assert failed and "Unregistered" in failed[0], events_of(doc)
    assert "removed from the user's identities" in failed[0], failed
    assert "push" not in identities_of(stack, "ana")
    assert len(apns.jwts) == 1, "one provider token serves every send"


def test_each_device_of_a_user_gets_it_and_only_the_gone_one_is_removed(
        vendors, make_stack, tmp_path):
    stack, apns = apns_stack(make_stack, vendors, tmp_path)
    res = stack.ctl("user", "add", "ana", "--identity", f"push={TOKEN_A}", "--identity",
                    f"push={TOKEN_B}")
    assert res.returncode == 0, res.stderr
    assert addresses_of(stack, "ana")["push"] == [TOKEN_A, TOKEN_B]

    doc = stack.wait_final(stack.submit(channel="push", to="user:ana", body="both")["id"])
    assert sorted((d["to"], d["state"]) for d in doc["deliveries"]) == sorted(
        [(TOKEN_A, "sent"), (TOKEN_B, "sent")]), doc
    assert sorted(r.token for r in apns.sent()) == sorted([TOKEN_A, TOKEN_B])

    apns.unregister(TOKEN_A)
    doc = stack.wait_final(stack.submit(channel="push", to="user:ana", body="one gone")["id"])
    assert sorted((d["to"], d["state"]) for d in doc["deliveries"]) == sorted(
        [(TOKEN_A, "failed"), (TOKEN_B, "sent")]), doc
    assert identities_of(stack, "ana")["push"] == TOKEN_B

    # An app registers a third device and later forgets it, over HTTP.
    token_c = "c3" * 32
    res = stack.request("POST", "/v1/users/ana/identities",
                        body={"channel": "push", "address": token_c})
    assert res.status == 200, res
    assert res.json == {"user": "ana", "channel": "push",
                        "addresses": [TOKEN_B, token_c]}, res.json
    res = stack.request("DELETE", f"/v1/users/ana/identities/push?address={token_c}")
    assert (res.status, res.json["addresses"]) == (200, [TOKEN_B]), res
    assert stack.request("DELETE",
                         f"/v1/users/ana/identities/push?address={token_c}").status == 404
    res = stack.request("POST", "/v1/users/ana/identities",
                        body={"channel": "nope", "address": token_c})
    assert res.status == 400, res
    res = stack.request("POST", "/v1/users/nobody/identities",
                        body={"channel": "push", "address": token_c})
    assert res.status == 404, res
    res = stack.request("POST", "/v1/users/ana/identities", body={"channel": "push"})
    assert res.status == 400 and res.json["error"]["field"] == "address", res
    res = stack.request("POST", "/v1/users/ana/identities",
                        body={"channel": "push", "address": "not-a-device-token"})
    assert res.status == 400 and res.json["error"]["field"] == "address", res

    # APNs says when it found a token invalid: one the app registered again since is kept.
    apns.unregister(TOKEN_B, timestamp_ms=int(time.time() * 1000) - 60_000)
    res = stack.request("POST", "/v1/users/ana/identities",
                        body={"channel": "push", "address": TOKEN_B})
    assert res.status == 200, res
    doc = stack.wait_final(stack.submit(channel="push", to="user:ana", body="kept")["id"])
    assert only(doc)["state"] == "failed", doc
    failed = [detail for kind, detail in events_of(doc) if kind == "failed"]
    assert failed and "registered again since: kept" in failed[0], events_of(doc)
    assert identities_of(stack, "ana")["push"] == TOKEN_B


def test_apns_voip_goes_to_the_bundles_voip_topic(vendors, make_stack, tmp_path):
    stack, apns = apns_stack(make_stack, vendors, tmp_path, {"push_type": "voip"})
    nid = stack.submit(channel="push", to=TOKEN_A, body="call", priority="high")["id"]
    assert only(stack.wait_final(nid))["state"] == "sent"
    (req,) = apns.sent()
    assert (req.headers["apns-push-type"], req.headers["apns-topic"]) == ("voip",
                                                                         BUNDLE + ".voip")


def test_apns_burst_of_1000_shares_one_connection(vendors, make_stack, tmp_path):
    stack, apns = apns_stack(make_stack, vendors, tmp_path)
    ids = []
    for start in range(0, 1000, 250):
        ids += stack.submit_batch([{"channel": "push", "to": f"{i:064x}", "body": f"n{i}"}
                                   for i in range(start, start + 250)])

    def all_sent():
        (n,) = stack.store_query("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'")[0]
        return n == 1000 or None
    wait_for(all_sent, 60, "1000 pushes sent", interval=0.2, check=stack.check_running)
    assert len(apns.sent()) == 1000
    assert apns.connections == 1, f"{apns.connections} connections for 1000 sends"
    assert apns.max_streams_in_flight > 1, "the sends were not concurrent on the connection"


def test_fcm_token_fetched_once_then_again_after_it_expires(vendors, make_stack, tmp_path):
    fcm = vendors(FcmMock("notify-test"))
    fcm.write_service_account(str(tmp_path / "sa.json"))
    provider = {"type": "fcm", "endpoint": fcm.url, "credentials": "file:" + str(tmp_path / "sa.json")}
    stack = make_stack(providers={"android": provider}, channels={"fcm": ["android"]})
    stack.start()
    tokens = [f"fcm-token-{i:03d}-" + "x" * 40 for i in range(5)]
    ids = stack.submit_batch([{"channel": "fcm", "to": t, "subject": "Hi", "body": f"n{i}",
                               "priority": "high" if i == 0 else "medium",
                               "expires_in": "1h", "data": {"order": i}}
                              for i, t in enumerate(tokens)])
    for nid in ids:
        assert only(stack.wait_final(nid))["state"] == "sent"
    assert fcm.grant_count() == 1, "one access token for every send"
    sent = {m["token"]: m for m in fcm.sent()}
    first = sent[tokens[0]]
    assert first["notification"] == {"title": "Hi", "body": "n0"}
    assert first["android"]["priority"] == "HIGH"
    assert sent[tokens[1]]["android"]["priority"] == "NORMAL"
    assert first["android"]["ttl"].endswith("s") and 3000 < int(first["android"]["ttl"][:-1]) <= 3600
    assert first["data"] == {"order": "0"}

    fcm.expire_tokens()
    nid = stack.submit(channel="fcm", to=tokens[0], body="after expiry")["id"]
    d = only(stack.wait_final(nid))
    assert d["state"] == "sent" and d["attempts"] == 1, d
    assert fcm.grant_count() == 2, "a refused token is fetched again within the attempt"

    # An unregistered token: failed, and removed from the user.
    add_user(stack, "li", "fcm", tokens[2])
    fcm.unregister(tokens[2])
    doc = stack.wait_final(stack.submit(channel="fcm", to="user:li", body="gone")["id"])
    assert only(doc)["state"] == "failed"
    assert "fcm" not in identities_of(stack, "li")


def test_jpush_checks_auth_body_and_options_and_drops_invalid_ids(vendors, make_stack):
    jpush = vendors(JPushMock(JPUSH_KEY, JPUSH_SECRET))
    provider = {"type": "jpush", "endpoint": jpush.url, "app_key": JPUSH_KEY,
                "master_secret": JPUSH_SECRET, "apns_production": False}
    stack = make_stack(providers={"jg": provider}, channels={"jpush": ["jg"]})
    stack.start()
    add_user(stack, "wang", "jpush", "1a0018970af7b1dd6c6")

    nid = stack.submit(channel="jpush", to="user:wang", subject="订单", body="已发货",
                       expires_in="2h", data={"order": "A17"})["id"]
    assert only(stack.wait_final(nid))["state"] == "sent"
    (push,) = jpush.sent()
    assert push["audience"] == {"registration_id": ["1a0018970af7b1dd6c6"]}
    assert push["platform"] == "all"
    assert push["notification"]["android"]["alert"] == "已发货"
    assert push["notification"]["android"]["title"] == "订单"
    assert push["notification"]["android"]["extras"] == {"order": "A17"}
    assert push["options"]["apns_production"] is False
    assert 7000 < push["options"]["time_to_live"] <= 7200

    jpush.mark_invalid("1a0018970af7b1dd6c6")
    doc = stack.wait_final(stack.submit(channel="jpush", to="user:wang", body="again")["id"])
    d = only(doc)
    assert d["state"] == "failed" and d["attempts"] == 1, d
    assert "1011" in d["last_error"], d
    assert "jpush" not in identities_of(stack, "wang")


def test_webpush_payload_decrypts_and_vapid_verifies_independently(vendors, make_stack):
    push = vendors(WebPushMock())
    stack = make_stack()
    res = stack.ctl("vapid", "generate", "--json")
    assert res.returncode == 0, res.stderr
    keys = json.loads(res.stdout)
    assert len(keys["public_key"]) == 87 and len(keys["private_key"]) == 43, keys
    provider = {"type": "webpush", "vapid_private_key": keys["private_key"],
                "vapid_public_key": keys["public_key"], "subject": "mailto:ops@example.com",
                "allow_http": True}  # the mock push service is on http://127.0.0.1
    stack = make_stack(providers={"browser": provider}, channels={"web": ["browser"]})
    stack.start()
    sub = push.subscribe()
    add_user(stack, "mei", "web", json.dumps(sub, separators=(",", ":")))

    nid = stack.submit(channel="web", to="user:mei", subject="Deploy", body="prod is live",
                       priority="high", expires_in="30m", category="deploys")["id"]
    assert only(stack.wait_final(nid))["state"] == "sent"
    (msg,) = push.sent(sub)
    body = json.loads(msg.plaintext)
    assert body["title"] == "Deploy" and body["body"] == "prod is live", body
    assert body["tag"] == "deploys"
    assert msg.urgency == "high"
    assert 1700 < int(msg.ttl) <= 1800
    assert msg.vapid_claims["sub"] == "mailto:ops@example.com"

    push.mark_gone(sub, 410)
    doc = stack.wait_final(stack.submit(channel="web", to="user:mei", body="bye")["id"])
    assert only(doc)["state"] == "failed"
    assert "web" not in identities_of(stack, "mei")


def test_push_bad_input_is_refused(vendors, make_stack, tmp_path):
    push = vendors(WebPushMock())
    stack, apns = apns_stack(make_stack, vendors, tmp_path)
    # A malformed device token is refused at the door.
    res = stack.request("POST", "/v1/notifications", {"channel": "push", "to": "not-hex",
                                                      "body": "x"})
    assert res.status == 400, res.body
    assert res.json["error"]["code"] == "invalid_address"
    assert "device token" in res.json["error"]["message"]
    # An unknown user.
    res = stack.request("POST", "/v1/notifications", {"channel": "push", "to": "user:nobody",
                                                      "body": "x"})
    assert res.status == 422, res.body
    assert res.json["error"]["code"] == "unknown_recipient"
    assert apns.sent() == []

    # A subscription that is not one, for a webpush channel.
    bad = make_stack(providers={"browser": {
        "type": "webpush", "vapid_private_key": "A" * 43, "subject": "mailto:a@example.com"}},
        channels={"web": ["browser"]})
    res = bad.ctl("config", "check")
    assert res.returncode == 65, res.stderr
    assert "vapid_private_key" in res.stderr

    # A missing .p8 key file: config check names the provider and the key.
    missing = make_stack(providers={"ios": {
        "type": "apns", "team_id": TEAM, "key_id": KEY_ID, "key": "file:/nonexistent/k.p8",
        "topic": BUNDLE}}, channels={"push": ["ios"]})
    res = missing.ctl("config", "check")
    assert res.returncode == 65, res.stderr
    assert "provider 'ios'" in res.stderr and "'key'" in res.stderr, res.stderr

    sub = push.subscribe()
    sub["keys"]["auth"] = "AAAA"
    webstack = make_stack(providers={"browser": {
        "type": "webpush", "vapid_private_key": json.loads(stack.ctl(
            "vapid", "generate", "--json").stdout)["private_key"],
        "subject": "mailto:a@example.com"}}, channels={"web": ["browser"]})
    webstack.start("ingest")
    res = webstack.request("POST", "/v1/notifications", {"channel": "web", "to": json.dumps(sub),
                                                         "body": "x"})
    assert res.status == 400, res.body
    assert "keys.auth" in res.json["error"]["message"]
