# inbox_client.py - what the inbox tests share: a stack's inbox channel, the
# inbox secret a back end shares with notify, an inbox token made the way the
# README tells a back end in another language to make it, and a call of the
# inbox routes with a token.

import base64
import hashlib
import hmac
import json
import urllib.parse

PROVIDERS = {"app": {"type": "inbox"}}
CHANNELS = {"inbox": ["app"]}
SECRET = "a-secret-the-back-end-shares"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def own_token(secret, user, expires):
    """base64url(JSON ["inbox", user, expiry in Unix seconds]) "." base64url(HMAC-SHA256)."""
    payload = b64url(json.dumps(["inbox", user, str(int(expires))]).encode())
    mac = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return payload + "." + b64url(mac)


def inbox(stack, path, token, method="GET", query=None):
    """/v1/inbox/PATH with `token` as the bearer (None: no header), and `query` (a dict)."""
    query = "?" + urllib.parse.urlencode(query) if query else ""
    return stack.request(method, f"/v1/inbox/{path}{query}", key=token)
