# fcm_mock.py - FcmMock, a local stand-in for FCM HTTP v1 and its OAuth2 token endpoint
# (/work/shared/reference/providers.md §8), an HTTP server on 127.0.0.1 (port 0: the
# chosen port is in .port and .url) in its own threads:
#
#   POST /token                         the OAuth2 JWT-bearer grant: an RS256 JWT checked
#                                       with the service account the mock made
#   POST /v1/projects/P/messages:send   Bearer must be a live token it issued; the message
#                                       checked as FCM does; UNREGISTERED,
#                                       INVALID_ARGUMENT, QUOTA_EXCEEDED/UNAVAILABLE with
#                                       Retry-After, UNAUTHENTICATED
#
# It records what it saw (vendor_mocks.VendorRequest) and the messages it accepted.
# Needs python3-cryptography (/usr/bin/python3).

import itertools
import json
import re
import urllib.parse
import uuid

from push_crypto import jwt_parts, make_service_account, rs256_verify, write_json
from vendor_mocks import VendorMock, json_int


def _string_map(value):
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


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


class FcmMock(VendorMock):
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
        if not (json_int(iat) and json_int(exp) and iat <= req.at + self.clock_skew
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
