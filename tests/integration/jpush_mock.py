# jpush_mock.py - JPushMock, a local stand-in for the JPush REST API v3, an HTTP server on
# 127.0.0.1 (port 0: the chosen port is in .port and .url) in its own threads: POST
# /v3/push with HTTP Basic auth, the body checked as the docs describe; 1004, 1011 for
# registration ids the test marks invalid, 2002 with 429 past its quota. JPush's facts
# and their sources are in JPushMock's docstring. It records what it saw
# (vendor_mocks.VendorRequest) and the pushes it accepted. Standard library only
# (/usr/bin/python3).

import base64
import itertools
import json

from push_crypto import compact_json
from vendor_mocks import VendorMock, json_int


class JPushMock(VendorMock):
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
            if "builder_id" in part and not json_int(part["builder_id"]):
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
            if key in options and not json_int(options[key]):
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
