# test_push_mocks.py - keeps the push vendor mocks honest: push_crypto against the RFC
# 8291 Appendix A and RFC 8292 §2.4 vectors, then each mock (apns_mock.py, fcm_mock.py,
# jpush_mock.py, webpush_mock.py) driven with correct and incorrect requests (APNs
# through curl --http2, 50 of them in parallel on one connection). Each check prints a
# line; under pytest a failing one fails the suite, and `python3 test_push_mocks.py`
# runs them all and prints them.

import base64
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from apns_mock import ApnsMock
from fcm_mock import FCM_SCOPE, JWT_BEARER, FcmMock
from jpush_mock import JPushMock
from push_crypto import (aes128gcm_keys, apns_provider_token, b64u, b64u_decode,
                         compact_json, es256_verify, jwt_parts, make_apns_key, make_jwt,
                         p256_private, p256_public, p256_raw, vapid_authorization,
                         webpush_decrypt, webpush_encrypt, webpush_ikm)
from webpush_mock import WebPushMock


def _check(what, got, want):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")
    print(f"ok  {what}")


RFC8291 = {  # RFC 8291 Appendix A, as in providers.md §9.2
    "plaintext": b"When I grow up, I want to be a watermelon",
    "as_private": "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
    "as_public": "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6P"
                 "Bru3jl7A8",
    "ua_private": "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
    "ua_public": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRp"
                 "kNtoIAiw4",
    "salt": "DGv6ra1nlYgDCS1FRnbzlw",
    "auth": "BTBZMqHH6r4Tts7J_aSIgg",
    "ecdh": "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs",
    "ikm": "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg",
    "cek": "oIhVW04MRdy2XN9CiKLxTg",
    "nonce": "4h_95klXJ5E_qnoN",
    "body": "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLo"
            "cInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBW"
            "LVWGNWQexSgSxsj_Qulcy4a-fN",
}

RFC8292_JWT = ("eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLC"
               "JleHAiOjE0NTM1MjM3NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0.i3CYb7t4xfxCDqup"
               "tFOepC9GAu_HLGkMlMuCGSK2rpiUfnK9ojFwDXb1JrErtmysazNjjvW2L9OkSSHzvoD1oA")
RFC8292_KEY = ("BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2Em"
               "ClBPs")


def test_rfc_vectors():
    v = {k: (b64u_decode(s) if isinstance(s, str) else s) for k, s in RFC8291.items()}
    ua, as_ = p256_private(v["ua_private"]), p256_private(v["as_private"])
    _check("rfc8291 ua_public from ua_private", p256_raw(ua.public_key()), v["ua_public"])
    _check("rfc8291 as_public from as_private", p256_raw(as_.public_key()), v["as_public"])
    ecdh = ua.exchange(ec.ECDH(), p256_public(v["as_public"]))
    _check("rfc8291 ecdh_secret", ecdh, v["ecdh"])
    ikm = webpush_ikm(ecdh, v["auth"], v["ua_public"], v["as_public"])
    _check("rfc8291 IKM", ikm, v["ikm"])
    _check("rfc8291 CEK, NONCE", aes128gcm_keys(ikm, v["salt"]), (v["cek"], v["nonce"]))
    _check("rfc8291 body decrypts", webpush_decrypt(v["body"], ua, v["auth"]), v["plaintext"])
    _check("rfc8291 encryption reproduces the body",
           webpush_encrypt(v["plaintext"], v["ua_public"], v["auth"], as_, v["salt"]), v["body"])
    damaged = bytearray(v["body"])
    damaged[-1] ^= 1
    try:
        webpush_decrypt(bytes(damaged), ua, v["auth"])
        raise AssertionError("a damaged body decrypted")
    except ValueError:
        print("ok  rfc8291 a damaged body is refused")

    header, claims, signing_input, signature = jwt_parts(RFC8292_JWT)
    _check("rfc8292 header and claims", (header, claims), (
        {"typ": "JWT", "alg": "ES256"},
        {"aud": "https://push.example.net", "exp": 1453523768, "sub": "mailto:push@example.com"}))
    _check("rfc8292 compact JSON reproduces the segments",
           f"{b64u(compact_json(header))}.{b64u(compact_json(claims))}", signing_input.decode())
    key = p256_public(b64u_decode(RFC8292_KEY))
    _check("rfc8292 signature verifies under k", es256_verify(key, signing_input, signature), True)
    _check("rfc8292 another message does not verify",
           es256_verify(key, signing_input + b"x", signature), False)


def _request(method, url, body=b"", headers=None):
    """(status, headers with lower-case names, JSON body or None)."""
    target = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    try:
        conn.request(method, target.path, body=body or None, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return (resp.status, {k.lower(): v for k, v in resp.getheaders()},
                json.loads(data) if data else None)
    finally:
        conn.close()


def _curl_apns(mock, paths, headers, body, parallel=False):
    """curl --http2 POSTs `body` to each path; [(status, headers, JSON or None)] in order."""
    args = ["curl", "--http2", "--silent", "--show-error", "--max-time", "20",
            "--cacert", mock.ca_file, "--data-binary", body,
            "-w", "%{urlnum} %{response_code} %{http_version} %{header_json}\n@@@\n"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    if parallel:
        args += ["--parallel", "--parallel-max", "50"]
    tmp = tempfile.mkdtemp(prefix="apns-curl-")
    try:
        for i, path in enumerate(paths):
            args += [mock.url + path, "-o", os.path.join(tmp, f"{i}.body")]
        out = subprocess.run(args, check=True, timeout=30, capture_output=True, text=True).stdout
        results = {}
        for record in out.split("\n@@@\n")[:-1]:
            num, status, version, head = record.split(" ", 3)
            assert version == "2", f"HTTP version {version}"
            with open(os.path.join(tmp, f"{num}.body"), "rb") as f:
                data = f.read()
            results[int(num)] = (int(status), {k: v[-1] for k, v in json.loads(head).items()},
                                 json.loads(data) if data else None)
        return [results[i] for i in range(len(paths))]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_apns_mock():
    tmp = tempfile.mkdtemp(prefix="apns-key-")
    try:
        key = make_apns_key(os.path.join(tmp, "AuthKey_KEY1234567.p8"))
        with open(os.path.join(tmp, "AuthKey_KEY1234567.p8"), "rb") as f:
            loaded = serialization.load_pem_private_key(f.read(), None)
        _check("apns .p8 is a PKCS#8 P-256 key", loaded.curve.name, "secp256r1")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    other = ec.generate_private_key(ec.SECP256R1())
    device = "00fc13adff785122b4ad28809a3420982341241421348097878e577c991de8f0"
    payload = b'{"aps":{"alert":{"title":"Hi","body":"Hello"}}}'
    with ApnsMock("TEAM123456", "KEY1234567", key.public_key(), "com.example.notify") as apns:
        def headers(jwt_key=key, iat=None, **extra):
            h = {"authorization": "bearer " + apns_provider_token(jwt_key, "TEAM123456",
                                                                  "KEY1234567", iat),
                 "apns-topic": "com.example.notify", "apns-push-type": "alert",
                 "apns-priority": "10", "apns-expiration": "0"}
            h.update(extra)
            return h

        def one(token=device, body=payload, **kw):
            return _curl_apns(apns, [f"/3/device/{token}"], headers(**kw), body)[0]

        status, head, _ = one(**{"apns-id": "eabeae54-14a8-11e5-b60b-1697f925ec7b"})
        _check("apns mock: good request", (status, head.get("apns-id")),
               (200, "eabeae54-14a8-11e5-b60b-1697f925ec7b"))
        _check("apns mock: payload recorded", apns.sent()[0].payload["aps"]["alert"]["body"],
               "Hello")
        _check("apns mock: key signed by another key", one(jwt_key=other)[2],
               {"reason": "InvalidProviderToken"})
        _check("apns mock: iat two hours old", one(iat=time.time() - 7200)[2],
               {"reason": "ExpiredProviderToken"})
        _check("apns mock: token not hex", one(token="zz" * 32)[:3:2],
               (400, {"reason": "BadDeviceToken"}))
        _check("apns mock: no aps", one(body=b'{"x":1}')[2], {"reason": "BadPayload"})
        _check("apns mock: voip topic without .voip", one(**{"apns-push-type": "voip"})[2],
               {"reason": "BadTopic"})
        apns.unregister(device, 1700000000000)
        _check("apns mock: unregistered", one()[:3:2],
               (410, {"reason": "Unregistered", "timestamp": 1700000000000}))
        apns.fail_next(2, 429)
        good = "ab" * 32
        _check("apns mock: told to throttle", [r[0] for r in _curl_apns(
            apns, [f"/3/device/{good}"] * 3, headers(), payload)], [429, 429, 200])

        before = (apns.connections, apns.streams)
        results = []
        apns.hold()  # the answers wait until all 50 requests are in
        curl = threading.Thread(target=lambda: results.extend(_curl_apns(
            apns, [f"/3/device/{good}"] * 50, headers(), payload, parallel=True)))
        curl.start()
        deadline = time.monotonic() + 10
        while apns.max_streams_in_flight < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        apns.release()
        curl.join(30)
        _check("apns mock: 50 parallel requests in flight at once", apns.max_streams_in_flight,
               50)
        _check("apns mock: ... answered 200", [r[0] for r in results], [200] * 50)
        _check("apns mock: ... on one connection, 50 streams",
               (apns.connections - before[0], apns.streams - before[1]), (1, 50))
        last = apns.snapshot()[-50:]
        _check("apns mock: ... distinct stream ids", len({r.stream_id for r in last}), 50)
        big = json.dumps({"aps": {"alert": "x" * 3900}}).encode()  # 20 of them overrun the
        results = _curl_apns(apns, [f"/3/device/{good}"] * 20, headers(), big,  # 64 KiB window
                             parallel=True)
        _check("apns mock: 80 KB on one connection (flow control)", [r[0] for r in results],
               [200] * 20)
        apns.goaway()
        _check("apns mock: after GOAWAY a new connection works", one()[0], 410)
        _check("apns mock: distinct JWTs recorded", len(apns.jwts) >= 5, True)
        _check("apns mock: no refused connections", apns.refused_connections, 0)


def test_fcm_mock():
    with FcmMock("notify-test", token_lifetime=3600) as fcm:
        account = fcm.service_account
        key = serialization.load_pem_private_key(account["private_key"].encode(), None)

        def grant(signing_key=key, aud=None, scope=FCM_SCOPE, lifetime=3600):
            now = int(time.time())
            assertion = make_jwt(
                {"alg": "RS256", "typ": "JWT", "kid": account["private_key_id"]},
                {"iss": account["client_email"], "scope": scope, "aud": aud or account["token_uri"],
                 "iat": now, "exp": now + lifetime},
                lambda data: signing_key.sign(data, padding.PKCS1v15(), hashes.SHA256()))
            form = urllib.parse.urlencode({"grant_type": JWT_BEARER, "assertion": assertion})
            return _request("POST", account["token_uri"], form.encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

        status, _, body = grant()
        _check("fcm mock: grant", (status, body["token_type"], body["expires_in"]),
               (200, "Bearer", 3600))
        bearer = body["access_token"]
        _check("fcm mock: each grant a fresh token", grant()[2]["access_token"] != bearer, True)
        wrong = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _check("fcm mock: assertion signed by another key", grant(wrong)[2]["error"],
               "invalid_grant")
        _check("fcm mock: two-hour assertion", grant(lifetime=7200)[2]["error"], "invalid_grant")
        _check("fcm mock: wrong aud", grant(aud="https://oauth2.googleapis.com/token")[2]["error"],
               "invalid_grant")
        _check("fcm mock: wrong scope", grant(scope="https://www.googleapis.com/auth/userinfo")[2]
               ["error"], "invalid_scope")

        def send(message, token=bearer):
            return _request("POST", fcm.send_url, json.dumps({"message": message}).encode(),
                            {"Authorization": f"Bearer {token}",
                             "Content-Type": "application/json; charset=UTF-8"})

        device = "cZx1:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx"
        good = {"token": device, "notification": {"title": "Hi", "body": "Hello"},
                "android": {"priority": "HIGH", "ttl": "3600s"}, "data": {"id": "n-1"}}
        status, _, body = send(good)
        _check("fcm mock: send", (status, body["name"].startswith(
            "projects/notify-test/messages/0:")), (200, True))
        _check("fcm mock: message recorded", fcm.sent()[0]["data"], {"id": "n-1"})
        status, _, body = send(dict(good, data={"id": 1}))
        _check("fcm mock: data value not a string", (status, body["error"]["status"]),
               (400, "INVALID_ARGUMENT"))
        _check("fcm mock: android priority high", send(
            dict(good, android={"priority": "high"}))[0], 400)
        status, _, body = send(dict(good, token="bad token!"))
        _check("fcm mock: malformed token", (status, body["error"]["details"][0]["errorCode"]),
               (400, "INVALID_ARGUMENT"))
        fcm.unregister(device)
        _check("fcm mock: unregistered", send(good)[::2], (404, {"error": {
            "code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND",
            "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                         "errorCode": "UNREGISTERED"}]}}))
        fcm.fail_next(1, "QUOTA_EXCEEDED", retry_after=7)
        status, head, body = send(dict(good, token="other-device-1234"))
        _check("fcm mock: told to throttle", (status, head.get("retry-after"),
                                              body["error"]["details"][0]["errorCode"]),
               (429, "7", "QUOTA_EXCEEDED"))
        fcm.expire_tokens()
        _check("fcm mock: expired bearer", send(good)[2]["error"]["status"], "UNAUTHENTICATED")
        _check("fcm mock: grants counted", fcm.grant_count(), 2)


def test_jpush_mock():
    with JPushMock("7d431e42dfa6a6d693ac2d04", "5e987ac6d2e04d95a9d8f0d1", quota=4) as jpush:
        _check("jpush mock: docs' Authorization example", "Basic " + base64.b64encode(
            b"7d431e42dfa6a6d693ac2d04:5e987ac6d2e04d95a9d8f0d1").decode(),
            "Basic N2Q0MzFlNDJkZmE2YTZkNjkzYWMyZDA0OjVlOTg3YWM2ZDJlMDRkOTVhOWQ4ZjBkMQ==")

        def push(body, secret="5e987ac6d2e04d95a9d8f0d1"):
            auth = base64.b64encode(f"7d431e42dfa6a6d693ac2d04:{secret}".encode()).decode()
            return _request("POST", jpush.push_url, json.dumps(body).encode(),
                            {"Authorization": "Basic " + auth,
                             "Content-Type": "application/json"})

        good = {"platform": ["android", "ios"], "audience": {"registration_id": ["1a0018970a"]},
                "notification": {"android": {"alert": "Hello", "title": "Hi",
                                             "extras": {"id": "n-1"}},
                                 "ios": {"alert": {"title": "Hi", "body": "Hello"},
                                         "extras": {"id": "n-1"}}},
                "options": {"sendno": 18, "time_to_live": 60, "apns_production": False,
                            "apns_collapse_id": "n-1"}}
        status, head, body = push(good)
        _check("jpush mock: push", (status, body["sendno"], body["msg_id"].isdigit(),
                                    head["x-rate-limit-remaining"]), (200, "18", True, "3"))
        _check("jpush mock: wrong master secret", push(good, "nope")[::2],
               (401, {"error": {"code": 1004, "message": "Authen failed"}}))
        status, _, body = push(dict(good, options={"time_to_live": "60"}))
        _check("jpush mock: time_to_live as a string", (status, body["error"]["code"]), (400, 1003))
        jpush.mark_invalid("1a0018970a")
        status, _, body = push(good)
        _check("jpush mock: invalid registration id", (status, body["error"]["code"],
                                                       "msg_id" in body), (400, 1011, True))
        jpush.rate_limit_next(1)
        status, head, body = push(good)
        _check("jpush mock: told to rate-limit", (status, body, head["x-rate-limit-remaining"]),
               (429, {"error": {"code": 2002, "message": "Rate limit exceeded"}}, "0"))
        _check("jpush mock: past a quota of 4 a minute", push(good)[2]["error"]["code"], 2002)
        _check("jpush mock: pushes recorded", len(jpush.sent()), 1)


def test_webpush_mock():
    with WebPushMock(max_ttl=2419200) as push:
        sub = push.subscribe()
        vapid = ec.generate_private_key(ec.SECP256R1())

        def post(plaintext=b'{"title":"Hi"}', auth=None, **extra):
            body = webpush_encrypt(plaintext, b64u_decode(sub["keys"]["p256dh"]),
                                   b64u_decode(sub["keys"]["auth"]))
            headers = {"TTL": "60", "Urgency": "high", "Content-Encoding": "aes128gcm",
                       "Content-Type": "application/octet-stream",
                       "Authorization": auth or vapid_authorization(vapid, push.url)}
            headers.update(extra)
            return _request("POST", sub["endpoint"], body,
                            {k: v for k, v in headers.items() if v is not None})

        status, head, _ = post()
        _check("webpush mock: push", (status, head["location"].startswith(push.url), head["ttl"]),
               (201, True, "60"))
        message = push.sent(sub)[0]
        _check("webpush mock: plaintext decrypted",
               (message.plaintext, message.urgency, message.vapid_claims["sub"]),
               (b'{"title":"Hi"}', "high", "mailto:ops@example.com"))
        _check("webpush mock: aud of another origin", post(auth=vapid_authorization(
            vapid, "https://push.example.net"))[0], 401)
        _check("webpush mock: exp two days ahead", post(auth=vapid_authorization(
            vapid, push.url, exp=time.time() + 2 * 86400))[0], 401)
        _check("webpush mock: no TTL", post(TTL=None)[0], 400)
        _check("webpush mock: Urgency urgent", post(Urgency="urgent")[0], 400)
        restricted = push.subscribe(p256_raw(ec.generate_private_key(ec.SECP256R1()).public_key()))
        sub, original = restricted, sub
        _check("webpush mock: restricted to another key", post()[0], 403)
        sub = original
        push.mark_gone(sub)
        _check("webpush mock: gone", post()[0], 410)
        _check("webpush mock: delivered once", len(push.sent()), 1)


if __name__ == "__main__":
    started = time.time()
    test_rfc_vectors()
    test_apns_mock()
    test_fcm_mock()
    test_jpush_mock()
    test_webpush_mock()
    print(f"push mocks: all checks passed in {time.time() - started:.1f} s")
