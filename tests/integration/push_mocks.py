# push_mocks.py - local stand-ins for the mobile and web push vendors that the push
# adapters call, each a server on 127.0.0.1 (port 0: the chosen port is in .port and
# .url) in its own threads. Each checks a request the way the vendor documents it
# (verifying the JWT signatures with the test's public keys, decrypting Web Push
# bodies), answers the vendor's success or error body, and records what it saw:
#
#   ApnsMock     HTTP/2 over TLS (h2 on a raw socket, ALPN "h2") with a throwaway CA
#                in .ca_file; POST /3/device/<hex token> with an ES256 provider JWT;
#                many streams per connection, counts connections and streams; 410 for
#                tokens the test unregisters; can answer 429/503 to the next N requests.
#   FcmMock      FCM HTTP v1: POST /token (the OAuth2 JWT-bearer grant, RS256, checked
#                with the service account it made) and POST /v1/projects/P/messages:send
#                (Bearer must be a live token it issued); UNREGISTERED, INVALID_ARGUMENT,
#                QUOTA_EXCEEDED/UNAVAILABLE with Retry-After, UNAUTHENTICATED.
#   JPushMock    JPush REST API v3 POST /v3/push with HTTP Basic auth; 1004, 1011 for
#                registration ids the test marks invalid, 2002 with 429 past its quota.
#   WebPushMock  an RFC 8030 push service: POST /push/<id> with a VAPID (RFC 8292) JWT
#                verified here, body decrypted (RFC 8291/8188) with the subscription's
#                keys; subscribe() hands out PushSubscription JSON; 404/410 when gone.
#
# ApnsMock lives in apns_mock.py and the JWT and RFC 8291 code in push_crypto.py; both
# are re-exported here, with the key helpers the tests need (make_apns_key,
# apns_provider_token, make_service_account, vapid_authorization, webpush_encrypt).
# Facts: /work/shared/reference/providers.md §7 (APNs), §8 (FCM), §9 (Web Push); JPush's
# are in JPushMock with their sources. Needs python3-cryptography and python3-h2
# (/usr/bin/python3). `python3 push_mocks.py` checks push_crypto against RFC 8291
# Appendix A and RFC 8292 §2.4, then drives each mock with correct and incorrect
# requests (APNs through curl --http2, 50 of them in parallel on one connection).

import base64
import http.client
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from apns_mock import ApnsMock, ApnsRequest
from push_crypto import (aes128gcm_keys, apns_provider_token, b64u, b64u_decode,
                         compact_json, es256_verify, jwt_parts, make_apns_key, make_jwt,
                         make_service_account, p256_private, p256_public, p256_raw,
                         rs256_verify, vapid_authorization, webpush_decrypt, webpush_encrypt,
                         webpush_ikm, write_json)
from vendor_mocks import VendorMock

__all__ = ["ApnsMock", "ApnsRequest", "FcmMock", "JPushMock", "WebPushMock",
           "WebPushMessage", "make_apns_key", "apns_provider_token", "make_service_account",
           "vapid_authorization", "webpush_encrypt", "webpush_decrypt", "b64u", "b64u_decode",
           "FCM_SCOPE", "JWT_BEARER", "self_test_vectors", "self_test_apns", "self_test_fcm",
           "self_test_jpush", "self_test_webpush"]

# --- plain HTTP mocks ----------------------------------------------------------------------


# The requests they record are vendor_mocks.VendorRequest (method, path, query, headers,
# body, status, answer); answer(req) returns (status, JSON or None, extra headers).
_HttpMock = VendorMock


def _int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _string_map(value):
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


# --- FCM HTTP v1 and its OAuth2 token endpoint --------------------------------------------------


FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
CLOUD_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def fcm_error(code, status, message, error_code=None, violations=()):
    """A google.rpc.Status body, with the FcmError and BadRequest details of §8."""
    details = []
    if error_code:
        details.append({"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                        "errorCode": error_code})
    if violations:
        details.append({"@type": "type.googleapis.com/google.rpc.BadRequest",
                        "fieldViolations": [{"field": f, "description": d}
                                            for f, d in violations]})
    error = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return {"error": error}


class FcmMock(_HttpMock):
    """One Firebase project and the service account it made (providers.md §8).

    FcmMock(project_id="notify-test", token_lifetime=3600): .service_account is the
    JSON (RSA 2048 key, client_email, private_key_id, token_uri = .token_uri);
    write_service_account(path) writes it. POST /token takes the form grant_type =
    JWT_BEARER & assertion = an RS256 JWT whose header has kid = private_key_id and
    whose claims have iss = client_email, aud = .token_uri, a scope naming FCM_SCOPE (or
    CLOUD_SCOPE), iat not ahead of now by more than `clock_skew` s, exp in the future and
    exp - iat <= 3600; it answers a fresh access token living `token_lifetime` s, else
    400 invalid_grant / invalid_scope / unsupported_grant_type. POST .send_url needs a
    live token it issued (401 UNAUTHENTICATED), the project (403 PERMISSION_DENIED),
    application/json and a valid message: exactly one of token/topic/condition, data and
    android.data string->string without reserved keys, notification {title, body, image},
    android.priority NORMAL|HIGH, android.ttl "<seconds>s" (400 INVALID_ARGUMENT with
    fieldViolations). Then fail_next() answers, then tokens not matching FCM_TOKEN get 400
    INVALID_ARGUMENT, unregister()ed ones 404 UNREGISTERED; else 200 {"name":
    "projects/P/messages/0:..."}.
    """

    FCM_TOKEN = re.compile(r"[A-Za-z0-9_:\-]{8,4096}")
    FAILURES = {"QUOTA_EXCEEDED": (429, "RESOURCE_EXHAUSTED",
                                   "Quota exceeded for quota metric 'Send requests'."),
                "UNAVAILABLE": (503, "UNAVAILABLE", "The service is currently unavailable."),
                "INTERNAL": (500, "INTERNAL", "Internal error encountered.")}
    MESSAGE_FIELDS = {"name", "data", "notification", "android", "webpush", "apns",
                      "fcm_options", "token", "topic", "condition"}
    ANDROID_FIELDS = {"collapse_key", "priority", "ttl", "restricted_package_name", "data",
                      "notification", "fcm_options", "direct_boot_ok"}
    _TTL = re.compile(r"\d+(\.\d{1,9})?s")

    def __init__(self, project_id="notify-test", token_lifetime=3600, clock_skew=60):
        self.project_id, self.token_lifetime, self.clock_skew = (project_id, token_lifetime,
                                                                 clock_skew)
        self.tokens = {}  # access token -> expiry (time.time())
        self.grants = 0
        self.grant_errors = []  # "error" of each refused grant
        self._sent = []  # "message" objects accepted
        self.unregistered = set()
        self._failures = []  # (FcmError code, Retry-After) for the next sends
        self._serial = itertools.count(1)
        super().__init__()
        self.token_uri = self.url + "/token"
        self.send_url = f"{self.url}/v1/projects/{project_id}/messages:send"
        self.service_account, key = make_service_account(project_id, self.token_uri)
        self._public = key.public_key()

    def write_service_account(self, path):
        return write_json(path, self.service_account)

    def unregister(self, token):
        with self.lock:
            self.unregistered.add(token)

    def expire_tokens(self):
        """Every access token issued so far expires now."""
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = 0.0

    def fail_next(self, count, error="UNAVAILABLE", retry_after=1):
        """The next `count` valid sends get QUOTA_EXCEEDED (429), UNAVAILABLE (503) or
        INTERNAL (500), with Retry-After: `retry_after` (None: no header)."""
        with self.lock:
            self._failures += [(error, retry_after)] * count

    def sent(self):
        """The "message" objects accepted."""
        with self.lock:
            return list(self._sent)

    def grant_count(self):
        with self.lock:
            return self.grants

    def answer(self, req):
        if req.method == "POST" and req.path == "/token":
            return self._grant(req)
        if req.method == "POST" and re.fullmatch(r"/v1/projects/[^/]+/messages:send", req.path):
            return self._send(req)
        return 404, fcm_error(404, "NOT_FOUND", f"no {req.method} {req.path}"), {}

    def _grant_error(self, error, description):
        with self.lock:
            self.grant_errors.append(error)
        return 400, {"error": error, "error_description": description}, {}

    def _grant(self, req):
        if not req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return self._grant_error("invalid_request", "Content-Type must be "
                                     "application/x-www-form-urlencoded")
        form = dict(urllib.parse.parse_qsl(req.body.decode("utf-8", "replace")))
        if form.get("grant_type") != JWT_BEARER:
            return self._grant_error("unsupported_grant_type",
                                     f"Invalid grant_type: {form.get('grant_type', '')}")
        try:
            header, claims, signing_input, signature = jwt_parts(form.get("assertion", ""))
        except ValueError as e:
            return self._grant_error("invalid_grant", f"Invalid JWT: {e}")
        account = self.service_account
        if (header.get("alg") != "RS256" or header.get("kid") != account["private_key_id"]
                or not rs256_verify(self._public, signing_input, signature)):
            return self._grant_error("invalid_grant", "Invalid JWT Signature.")
        if claims.get("iss") != account["client_email"]:
            return self._grant_error("invalid_grant", "Invalid grant: account not found")
        if claims.get("aud") != self.token_uri:
            return self._grant_error("invalid_grant", "Invalid JWT: Failed audience check.")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not (_int(iat) and _int(exp) and iat <= req.at + self.clock_skew
                and exp > req.at and 0 < exp - iat <= 3600):
            return self._grant_error("invalid_grant", "Invalid JWT: Token must be a short-lived "
                                     "token (60 minutes) and in a reasonable timeframe. Check "
                                     "your iat and exp values in the JWT claim.")
        scopes = str(claims.get("scope", "")).split()
        if FCM_SCOPE not in scopes and CLOUD_SCOPE not in scopes:
            return self._grant_error("invalid_scope", f"scope {claims.get('scope')!r} does not "
                                     "allow firebase.messaging")
        with self.lock:
            self.grants += 1
            token = f"ya29.mock-{next(self._serial)}-{uuid.uuid4().hex}"
            self.tokens[token] = req.at + self.token_lifetime
        return 200, {"access_token": token, "expires_in": self.token_lifetime,
                     "token_type": "Bearer"}, {}

    def _send(self, req):
        scheme, _, token = req.headers.get("authorization", "").partition(" ")
        with self.lock:
            expiry = self.tokens.get(token) if scheme.lower() == "bearer" else None
        if expiry is None or expiry <= req.at:
            return 401, fcm_error(401, "UNAUTHENTICATED", "Request had invalid authentication "
                                  "credentials. Expected OAuth 2 access token, login cookie or "
                                  "other valid authentication credential."), {}
        project = req.path.split("/")[3]
        if project != self.project_id:
            return 403, fcm_error(403, "PERMISSION_DENIED", "Permission "
                                  "'cloudmessaging.messages.create' denied on resource "
                                  f"'//cloudresourcemanager.googleapis.com/projects/{project}' "
                                  "(or it may not exist)."), {}
        if not req.headers.get("content-type", "").startswith("application/json"):
            return self._invalid("Content-Type must be application/json")
        try:
            body = json.loads(req.body.decode("utf-8"))
        except ValueError as e:
            return self._invalid(f"Invalid JSON payload received. {e}")
        problems = self._check_body(body)
        if problems:
            return self._invalid("Request contains an invalid argument.", problems)
        message = body["message"]
        with self.lock:
            failure = self._failures.pop(0) if self._failures else None
            gone = message.get("token") in self.unregistered
        if failure:
            code, retry_after = failure
            status, rpc, text = self.FAILURES[code]
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            return status, fcm_error(status, rpc, text, code), headers
        if "token" in message and not self.FCM_TOKEN.fullmatch(message["token"]):
            return self._invalid("The registration token is not a valid FCM registration token",
                                 [("message.token", "Invalid registration token")])
        if gone:
            return 404, fcm_error(404, "NOT_FOUND", "Requested entity was not found.",
                                  "UNREGISTERED"), {}
        if body.get("validate_only"):
            return 200, {"name": f"projects/{self.project_id}/messages/fake_message_id"}, {}
        with self.lock:
            self._sent.append(message)
            name = f"0:{int(req.at * 1e6)}%{uuid.uuid4().hex[:16]}"
        return 200, {"name": f"projects/{self.project_id}/messages/{name}"}, {}

    def _invalid(self, text, violations=()):
        return 400, fcm_error(400, "INVALID_ARGUMENT", text, "INVALID_ARGUMENT", violations), {}

    def _check_data(self, where, data, problems):
        if not _string_map(data):
            problems.append((where, "must map strings to strings"))
            return
        for key in data:
            if key in ("from", "message_type") or key.startswith(("google", "gcm")):
                problems.append((where, f"Invalid data payload key: {key}"))

    def _check_body(self, body):
        """[(field, description)] of what FCM would refuse."""
        if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
            return [("message", "Required")]
        problems = [(k, "Unknown name") for k in body if k not in ("message", "validate_only")]
        if not isinstance(body.get("validate_only", False), bool):
            problems.append(("validate_only", "must be a boolean"))
        message = body["message"]
        problems += [(f"message.{k}", "Unknown name") for k in message
                     if k not in self.MESSAGE_FIELDS]
        targets = [k for k in ("token", "topic", "condition") if k in message]
        if len(targets) != 1:
            problems.append(("message", f"exactly one of token, topic, condition; got {targets}"))
        elif not isinstance(message[targets[0]], str) or not message[targets[0]]:
            problems.append((f"message.{targets[0]}", "must be a non-empty string"))
        if "data" in message:
            self._check_data("message.data", message["data"], problems)
        note = message.get("notification", {})
        if not isinstance(note, dict) or not _string_map(note) or set(note) - {"title", "body",
                                                                               "image"}:
            problems.append(("message.notification", "only string title, body, image"))
        android = message.get("android", {})
        if not isinstance(android, dict):
            return problems + [("message.android", "must be an object")]
        problems += [(f"message.android.{k}", "Unknown name") for k in android
                     if k not in self.ANDROID_FIELDS]
        if android.get("priority", "NORMAL") not in ("NORMAL", "HIGH"):
            problems.append(("message.android.priority",
                             f"Invalid value {android['priority']!r}: NORMAL or HIGH"))
        if "ttl" in android and not (isinstance(android["ttl"], str)
                                     and self._TTL.fullmatch(android["ttl"])):
            problems.append(("message.android.ttl", "Illegal duration format; duration must "
                             f"end with 's': {android['ttl']!r}"))
        if "data" in android:
            self._check_data("message.android.data", android["data"], problems)
        for part in ("notification", "fcm_options"):
            if not isinstance(android.get(part, {}), dict):
                problems.append((f"message.android.{part}", "must be an object"))
        for part in ("apns", "webpush", "fcm_options"):
            if not isinstance(message.get(part, {}), dict):
                problems.append((f"message.{part}", "must be an object"))
        return problems


# --- JPush REST API v3 ----------------------------------------------------------------------


class JPushMock(_HttpMock):
    """One JPush app (appKey and masterSecret). Facts, from the docs as published in
    jpush/jpush-docs (zh/JPush/docs/server/push/*.md), the sources of
    https://docs.jiguang.cn/jpush/server/push/rest_api_v3_push ,
    https://docs.jiguang.cn/jpush/server/push/server_overview and
    https://docs.jiguang.cn/jpush/server/push/http_status_code :

    - POST https://api.jpush.cn/v3/push (and /v3/push/validate: checks, sends nothing);
      Authorization: Basic base64(appKey:masterSecret); JSON body.
    - Body: platform "all" or a list of "android", "ios", "winphone" (later docs add
      "quickapp", "hmos"); audience "all" or an object of JSON arrays (tag, tag_and,
      alias, registration_id: at most 1000 ids); notification and/or message, at least
      one. notification: alert shorthand, android {alert (required), title, builder_id
      int, extras object}, ios {alert (string or object, required), sound, badge,
      content-available, mutable-content, category, extras}; message {msg_content
      (required), title, content_type, extras}; options {sendno int (echoed back),
      time_to_live int s (default 86400, at most 10 days, 0 = online only),
      override_msg_id, apns_production bool (true = production), big_push_duration int
      minutes (at most 1400), apns_collapse_id string (not in that copy of the docs; the
      clients' Options carry it; APNs allows 64 bytes)}.
    - Success 200 {"sendno":"18","msg_id":"1828256757"}; errors {"error":{"code":N,
      "message":"..."}} with: 1000 internal error 500, 1001 POST only 405, 1002 missing
      parameter 400, 1003 invalid parameter value 400 (e.g. "Empty
      tag/alias/registration_id is not allowed!"), 1004 authentication failed 401, 1005
      body too long 400 (android notification+message 4000 bytes, "ios":{...} 2000
      bytes), 1008 bad app_key 400, 1011 no push target matches the audience 400, 1020
      HTTPS only 404, 1030 internal timeout 503.
    - Rate limit per AppKey per 1-minute window (600 a minute for Push API v3 on the free
      plan); every response carries X-Rate-Limit-Quota (older copy: X-Rate-Limit-Limit),
      X-Rate-Limit-Remaining, X-Rate-Limit-Reset (seconds to the window's reset); past it
      429 {"error":{"code":2002,"message":"Rate limit exceeded"}}. Blacklisted: 403, 2003.
    - Not in the docs, seen in public client code and response logs: 1004's message is
      "Authen failed"; 1011 answers carry "msg_id" next to "error", message "cannot find
      user by this audience" (newer: "... or has been inactive for more than 255 days").

    JPushMock(app_key, master_secret, quota=600) checks in that order: method, path,
    auth (1004), quota (2002), the body (1002/1003/1005); then registration ids that the
    test mark_invalid()s: when every id in audience.registration_id is invalid, 1011.
    rate_limit_next(n) answers 2002 to the next n authenticated requests.
    """

    PLATFORMS = {"android", "ios", "winphone", "quickapp", "hmos"}
    AUDIENCE_KEYS = {"tag", "tag_and", "tag_not", "alias", "registration_id", "segment",
                     "abtest"}

    def __init__(self, app_key, master_secret, quota=600):
        self.app_key, self.master_secret, self.quota = app_key, master_secret, quota
        self.invalid = set()  # registration ids JPush cannot find
        self.pushes = []  # accepted bodies
        self.errors = []  # error codes answered
        self._limited = 0
        self._window = (0.0, 0)  # (start, requests in it)
        self._msg_ids = itertools.count(18100000000000001)
        super().__init__()
        self.push_url = self.url + "/v3/push"

    def mark_invalid(self, *registration_ids):
        with self.lock:
            self.invalid.update(registration_ids)

    def rate_limit_next(self, count):
        with self.lock:
            self._limited += count

    def sent(self):
        """The bodies of the pushes accepted."""
        with self.lock:
            return list(self.pushes)

    def error_codes(self):
        with self.lock:
            return list(self.errors)

    def _error(self, status, code, message, headers=None, msg_id=False):
        with self.lock:
            self.errors.append(code)
            body = {"error": {"code": code, "message": message}}
            if msg_id:
                body["msg_id"] = str(next(self._msg_ids))
        return status, body, headers or {}

    def _rate_headers(self, now):
        """Counts this request in the window; (limited, headers)."""
        with self.lock:
            start, used = self._window
            if now - start >= 60:
                start, used = now, 0
            used += 1
            self._window = (start, used)
            forced = self._limited > 0
            self._limited -= forced
        headers = {"X-Rate-Limit-Quota": self.quota, "X-Rate-Limit-Limit": self.quota,
                   "X-Rate-Limit-Remaining": 0 if forced else max(0, self.quota - used),
                   "X-Rate-Limit-Reset": max(1, int(start + 60 - now))}
        return forced or used > self.quota, headers

    def answer(self, req):
        if req.path not in ("/v3/push", "/v3/push/validate"):
            return self._error(404, 1000, f"no such API {req.path}")
        if req.method != "POST":
            return self._error(405, 1001, "Only support HTTP Post method")
        expected = "Basic " + base64.b64encode(
            f"{self.app_key}:{self.master_secret}".encode()).decode()
        if req.headers.get("authorization", "") != expected:
            return self._error(401, 1004, "Authen failed")
        limited, headers = self._rate_headers(req.at)
        if limited:
            return self._error(429, 2002, "Rate limit exceeded", headers)
        try:
            body = json.loads(req.body.decode("utf-8"))
        except ValueError:
            return self._error(400, 1002, "Missing parameter", headers)
        problem = self._check(body, req.headers.get("content-type", ""))
        if problem:
            return self._error(400, *problem, headers)
        audience = body["audience"]
        ids = audience.get("registration_id") if isinstance(audience, dict) else None
        with self.lock:
            unknown = ids is not None and all(i in self.invalid for i in ids)
        if unknown:
            return self._error(400, 1011, "cannot find user by this audience or has been "
                               "inactive for more than 255 days", headers, msg_id=True)
        sendno = body.get("options", {}).get("sendno", 0)
        with self.lock:
            msg_id = str(next(self._msg_ids))
            if req.path == "/v3/push":
                self.pushes.append(body)
        return 200, {"sendno": str(sendno), "msg_id": msg_id}, headers

    def _check(self, body, content_type):
        """None, or (code, message) of the first problem."""
        if not content_type.startswith("application/json"):
            return 1003, f"Content-Type {content_type!r} is not application/json"
        if not isinstance(body, dict) or "platform" not in body or "audience" not in body:
            return 1002, "Missing parameter"
        platform, audience = body["platform"], body["audience"]
        if platform != "all" and not (isinstance(platform, list) and platform
                                      and set(platform) <= self.PLATFORMS):
            return 1003, f"Invalid platform {platform!r}"
        if audience != "all":
            if not isinstance(audience, dict) or not audience or set(audience) - self.AUDIENCE_KEYS:
                return 1003, f"Invalid audience {audience!r}"
            for key, values in audience.items():
                if not isinstance(values, list):
                    return 1003, "Audience value must be JSON Array format!"
                if not all(isinstance(v, str) and v for v in values):
                    return 1003, "Empty tag/alias/registration_id is not allowed!"
            if len(audience.get("registration_id", [])) > 1000:
                return 1003, "more than 1000 registration ids"
        if "notification" not in body and "message" not in body:
            return 1002, "Missing parameter: notification or message"
        return (self._check_notification(body) or self._check_message(body)
                or self._check_options(body.get("options", {})))

    def _check_notification(self, body):
        note = body.get("notification")
        if note is None:
            return None
        if not isinstance(note, dict):
            return 1003, "notification must be an object"
        for name in ("android", "ios", "winphone"):
            part = note.get(name)
            if part is None:
                continue
            if not isinstance(part, dict):
                return 1003, f"notification.{name} must be an object"
            alert = part.get("alert", note.get("alert"))
            if not (isinstance(alert, str) or (name == "ios" and isinstance(alert, dict))):
                return 1003, f"notification.{name}.alert is required"
            if not isinstance(part.get("extras", {}), dict):
                return 1003, f"notification.{name}.extras must be an object"
            for key in ("title", "sound", "category"):
                if key in part and not isinstance(part[key], str):
                    return 1003, f"notification.{name}.{key} must be a string"
            if "builder_id" in part and not _int(part["builder_id"]):
                return 1003, f"notification.{name}.builder_id must be an int"
        if "alert" in note and not isinstance(note["alert"], str):
            return 1003, "notification.alert must be a string"
        if not any(k in note for k in ("alert", "android", "ios", "winphone")):
            return 1003, "notification has no alert"
        android = len(compact_json(note.get("android", {}))) + len(compact_json(
            body.get("message", {})))
        if "android" in note and android > 4000:
            return 1005, "Msg content too long"
        if len(compact_json(note.get("ios", {}))) > 2000:
            return 1005, "Msg content too long"
        return None

    def _check_message(self, body):
        message = body.get("message")
        if message is None:
            return None
        if not isinstance(message, dict) or not isinstance(message.get("msg_content"), str):
            return 1003, "message.msg_content is required"
        if not isinstance(message.get("extras", {}), dict):
            return 1003, "message.extras must be an object"
        return None

    def _check_options(self, options):
        if not isinstance(options, dict):
            return 1003, "options must be an object"
        for key in ("sendno", "time_to_live", "override_msg_id", "big_push_duration"):
            if key in options and not _int(options[key]):
                return 1003, f"options.{key} must be an integer"
        if not 0 <= options.get("time_to_live", 0) <= 10 * 86400:
            return 1003, "options.time_to_live must be 0..864000"
        if not 0 <= options.get("big_push_duration", 0) <= 1400:
            return 1003, "options.big_push_duration must be 0..1400"
        if "apns_production" in options and not isinstance(options["apns_production"], bool):
            return 1003, "options.apns_production must be a boolean"
        collapse = options.get("apns_collapse_id", "")
        if not isinstance(collapse, str) or len(collapse.encode()) > 64:
            return 1003, "options.apns_collapse_id must be a string of at most 64 bytes"
        return None


# --- Web Push (RFC 8030 push service, RFC 8292 VAPID, RFC 8291 payloads) ------------------------


@dataclass
class Subscription:
    id: str
    private_key: object  # the user agent's P-256 key (p256dh is its public half)
    auth: bytes  # 16 bytes
    application_server_key: bytes = None  # raw point, for a restricted subscription
    gone: int = None  # 404 or 410 once the test marks it gone


@dataclass
class WebPushMessage:
    at: float
    subscription: str  # its endpoint
    ttl: int  # as applied (the request's, lowered to max_ttl)
    urgency: str
    topic: str
    headers: dict
    body: bytes
    plaintext: bytes
    vapid_claims: dict = field(default_factory=dict)
    vapid_key: str = None  # k, base64url


class WebPushMock(_HttpMock):
    """A push service (providers.md §9). subscribe() -> PushSubscription JSON like a
    browser's: {"endpoint": URL/push/<id>, "expirationTime": null, "keys": {"p256dh",
    "auth"}}; with application_server_key (raw 65 bytes or base64url) the subscription
    is restricted to that VAPID key (RFC 8292 §4: another key gets 403).

    POST /push/<id> is checked in this order: a known subscription (404); POST (405);
    Authorization "vapid t=JWT, k=KEY" (401 with WWW-Authenticate: vapid when it is
    missing or does not verify: k a P-256 point, JWT alg ES256 with a raw r||s signature
    under k, aud = .url, exp in the future and at most 24 h (+ clock_skew) ahead, sub a
    mailto: or https: URI); a restricted subscription's key (403); mark_gone() (404/410);
    TTL a non-negative integer (400); Urgency very-low|low|normal|high when present
    (400); Topic at most 32 base64url characters (400); body at most max_body bytes (413);
    Content-Encoding aes128gcm for a body (400); the body decrypts (400: a real push
    service cannot tell, the browser would drop it); fail_next() (429 with Retry-After).
    Then 201 with Location and the applied TTL. Error bodies are JSON {"code", "error",
    "message"} of the mock's own (RFC 8030 defines none).
    """

    URGENCIES = ("very-low", "low", "normal", "high")
    _TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")

    def __init__(self, max_ttl=None, max_body=4096, clock_skew=60):
        self.max_ttl, self.max_body, self.clock_skew = max_ttl, max_body, clock_skew
        self.subscriptions = {}  # id -> Subscription
        self.delivered = []  # WebPushMessage
        self._failures = []  # Retry-After values for the next pushes
        super().__init__()

    def subscribe(self, application_server_key=None):
        if isinstance(application_server_key, str):
            application_server_key = b64u_decode(application_server_key)
        sub = Subscription(b64u(os.urandom(16)), ec.generate_private_key(ec.SECP256R1()),
                           os.urandom(16), application_server_key)
        with self.lock:
            self.subscriptions[sub.id] = sub
        return {"endpoint": f"{self.url}/push/{sub.id}", "expirationTime": None,
                "keys": {"p256dh": b64u(p256_raw(sub.private_key.public_key())),
                         "auth": b64u(sub.auth)}}

    def _subscription(self, subscription):
        """A Subscription from its JSON, endpoint or id."""
        if isinstance(subscription, dict):
            subscription = subscription["endpoint"]
        return self.subscriptions[subscription.rsplit("/", 1)[-1]]

    def mark_gone(self, subscription, status=410):
        with self.lock:
            self._subscription(subscription).gone = status

    def fail_next(self, count, retry_after=1):
        """The next `count` valid pushes get 429 with Retry-After (None: no header)."""
        with self.lock:
            self._failures += [retry_after] * count

    def sent(self, subscription=None):
        """WebPushMessage of each push accepted (for one subscription's JSON or endpoint)."""
        with self.lock:
            return [m for m in self.delivered
                    if subscription is None or m.subscription == (
                        subscription["endpoint"] if isinstance(subscription, dict)
                        else subscription)]

    @staticmethod
    def _refuse(status, error, message, headers=None):
        return status, {"code": status, "error": error, "message": message}, headers or {}

    def answer(self, req):
        with self.lock:
            sub = (self.subscriptions.get(req.path[len("/push/"):])
                   if req.path.startswith("/push/") else None)
        if sub is None:
            return self._refuse(404, "Not Found", f"no subscription at {req.path}")
        if req.method != "POST":
            return self._refuse(405, "Method Not Allowed", "push with POST")
        try:
            claims, key = self._check_vapid(req.headers.get("authorization", ""), req.at)
        except ValueError as e:
            return self._refuse(401, "Unauthorized", str(e), {"WWW-Authenticate": "vapid"})
        if sub.application_server_key is not None and key != sub.application_server_key:
            return self._refuse(403, "Forbidden", "the VAPID key is not the one this "
                                "subscription is restricted to")
        if sub.gone:
            return self._refuse(sub.gone, "Gone" if sub.gone == 410 else "Not Found",
                                "the subscription has expired or been unsubscribed")
        h = req.headers
        if not h.get("ttl", "").isdigit():
            return self._refuse(400, "Bad Request", f"TTL {h.get('ttl')!r}: a TTL header of "
                                "delta-seconds is required")
        ttl = int(h["ttl"]) if self.max_ttl is None else min(int(h["ttl"]), self.max_ttl)
        if h.get("urgency", "normal") not in self.URGENCIES:
            return self._refuse(400, "Bad Request", f"Urgency {h['urgency']!r}")
        if "topic" in h and not self._TOPIC.fullmatch(h["topic"]):
            return self._refuse(400, "Bad Request", f"Topic {h['topic']!r}: at most 32 "
                                "base64url characters")
        if len(req.body) > self.max_body:
            return self._refuse(413, "Payload Too Large", f"{len(req.body)} bytes")
        plaintext = None
        if req.body:
            if h.get("content-encoding") != "aes128gcm":
                return self._refuse(400, "Bad Request", f"Content-Encoding "
                                    f"{h.get('content-encoding')!r}, not aes128gcm")
            try:
                plaintext = webpush_decrypt(req.body, sub.private_key, sub.auth)
            except ValueError as e:
                return self._refuse(400, "Bad Request", f"cannot decrypt: {e}")
        with self.lock:
            retry_after = self._failures.pop(0) if self._failures else False
        if retry_after is not False:
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            return self._refuse(429, "Too Many Requests", "told to refuse", headers)
        message = WebPushMessage(req.at, f"{self.url}/push/{sub.id}", ttl,
                                 h.get("urgency", "normal"), h.get("topic"), h, req.body,
                                 plaintext, claims, b64u(key))
        with self.lock:
            self.delivered.append(message)
        return 201, None, {"Location": f"{self.url}/message/{uuid.uuid4().hex}", "TTL": ttl}

    def _check_vapid(self, authorization, now):
        """(claims, raw key) of a valid VAPID Authorization; ValueError otherwise."""
        scheme, _, params = authorization.strip().partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"Authorization scheme {scheme!r}, not vapid")
        fields = {}
        for part in params.split(","):
            name, _, value = part.strip().partition("=")
            fields[name.strip().lower()] = value.strip()
        if not fields.get("t") or not fields.get("k"):
            raise ValueError("vapid needs t= and k=")
        key = b64u_decode(fields["k"])
        public = p256_public(key)
        header, claims, signing_input, signature = jwt_parts(fields["t"])
        if header.get("alg") != "ES256" or header.get("typ", "JWT") != "JWT":
            raise ValueError(f"JWT header {header}")
        if not es256_verify(public, signing_input, signature):
            raise ValueError("the JWT signature does not verify under k")
        if claims.get("aud") != self.url:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.url!r}")
        exp = claims.get("exp")
        if not _int(exp) or not now < exp <= now + 86400 + self.clock_skew:
            raise ValueError(f"exp {exp!r} is not within the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError(f"sub {claims.get('sub')!r} is not a mailto: or https: URI")
        return claims, key


# --- self-test: the RFC vectors, then each mock ------------------------------------------------


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


def self_test_vectors():
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


def self_test_apns():
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


def self_test_fcm():
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


def self_test_jpush():
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


def self_test_webpush():
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
    self_test_vectors()
    self_test_apns()
    self_test_fcm()
    self_test_jpush()
    self_test_webpush()
    print(f"push_mocks: all checks passed in {time.time() - started:.1f} s")
