# webpush_mock.py - WebPushMock, a local stand-in for an RFC 8030 push service
# (/work/shared/reference/providers.md §9), an HTTP server on 127.0.0.1 (port 0: the
# chosen port is in .port and .url) in its own threads: POST /push/<id> with a VAPID
# (RFC 8292) JWT verified here, the body decrypted (RFC 8291/8188) with the
# subscription's keys; subscribe() hands out PushSubscription JSON; 404/410 when gone.
# It records each push it accepted as a WebPushMessage. Needs python3-cryptography
# (/usr/bin/python3).

import os
import re
import uuid
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ec

from push_crypto import (b64u, b64u_decode, es256_verify, jwt_parts, p256_public, p256_raw,
                         webpush_decrypt)
from vendor_mocks import VendorMock, json_int


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


class WebPushMock(VendorMock):
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
        if not json_int(exp) or not now < exp <= now + 86400 + self.clock_skew:
            raise ValueError(f"exp {exp!r} is not within the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError(f"sub {claims.get('sub')!r} is not a mailto: or https: URI")
        return claims, key
