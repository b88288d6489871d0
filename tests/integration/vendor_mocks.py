# vendor_mocks.py - local stand-ins for the vendors' APIs that the chat and SMS
# adapters call, each an HTTP server on 127.0.0.1 in its own threads. Each checks
# a request the way the vendor documents it (recomputing signatures from the
# documented algorithms), answers the vendor's success or error body, and records
# what it saw:
#
#   DingTalkRobotMock  POST /robot/send?access_token=..&timestamp=..&sign=..
#                      (HMAC-SHA256 "加签"); can enforce the 20-a-minute limit (130101).
#   WeComAppMock       GET /cgi-bin/gettoken, POST /cgi-bin/message/send; tokens with a
#                      chosen lifetime that the test can expire (42001) or forget (40014).
#   AliyunSmsMock      Dysmsapi SendSms, RPC style with signature V1 (HMAC-SHA1);
#                      nonces must be unique; can be told to fail every request.
#   TencentSmsMock     SendSms 2021-01-11 signed with TC3-HMAC-SHA256.
#   TwilioMock         POST /2010-04-01/Accounts/{sid}/Messages.json with HTTP Basic auth;
#                      can hold its answers until the test lets them go.
#
# Standard library only (/usr/bin/python3). `python3 vendor_mocks.py` checks the
# signing functions against the provider reference's worked examples, then drives
# each mock with a correctly and an incorrectly signed request.

import base64
import datetime
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from receivers import read_request_body, serve_http, stop_http

# --- signing, from the vendors' documentation -------------------------------------------------


def dingtalk_sign(secret, timestamp):
    """The robot's sign before URL-encoding: base64(HMAC-SHA256(secret, ts + "\\n" + secret))."""
    mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def aliyun_percent_encode(text):
    """RFC 3986: unreserved characters kept, everything else %XX in upper-case hex."""
    return urllib.parse.quote(str(text), safe="-_.~")


def aliyun_string_to_sign(method, params):
    canonical = "&".join(f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}"
                         for k, v in sorted(params.items()) if k != "Signature")
    return f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"


def aliyun_signature(secret, method, params):
    """Signature V1: base64(HMAC-SHA1(secret + "&", StringToSign))."""
    mac = hmac.new((secret + "&").encode(), aliyun_string_to_sign(method, params).encode(),
                   hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def twilio_signature(auth_token, url, fields):
    """X-Twilio-Signature: base64 HMAC-SHA1 of the URL and each distinct name and value of
    the form fields, sorted by name, then value."""
    text = url + "".join(k + v for k, v in sorted(set(fields)))
    return base64.b64encode(hmac.new(auth_token.encode(), text.encode(),
                                     hashlib.sha1).digest()).decode()


def _sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def _hmac256(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_canonical_request(method, query, headers, signed_headers, body):
    """headers: lower-case name -> value as sent; signed_headers: the names signed."""
    lines = "".join(f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed_headers)
    return "\n".join([method, "/", query, lines, ";".join(signed_headers), _sha256_hex(body)])


def tc3_utc_date(timestamp):
    utc = datetime.datetime.fromtimestamp(int(timestamp), datetime.timezone.utc)
    return utc.strftime("%Y-%m-%d")


def tc3_signing_key(secret_key, date, service):
    secret_date = _hmac256(("TC3" + secret_key).encode(), date)
    secret_service = _hmac256(secret_date, service)
    return _hmac256(secret_service, "tc3_request")


def tc3_string_to_sign(timestamp, service, canonical_request):
    scope = f"{tc3_utc_date(timestamp)}/{service}/tc3_request"
    return f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256_hex(canonical_request.encode())}"


def tc3_signature(signing_key, string_to_sign):
    return hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()


# --- the HTTP server every mock runs on --------------------------------------------------------


@dataclass
class VendorRequest:
    at: float  # time.time() when it had been read
    method: str
    path: str  # without the query
    query: dict  # name -> value (the last one), decoded
    headers: dict  # lower-case names
    body: bytes
    answer: dict = field(default_factory=dict)  # what the mock answered (decoded JSON)
    status: int = 0  # the status it answered

    @property
    def json(self):
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _handle(self):
        body = read_request_body(self)
        target = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(target.query, keep_blank_values=True))
        req = VendorRequest(time.time(), self.command, target.path, query,
                            {k.lower(): v for k, v in self.headers.items()}, body)
        req.raw_query = target.query
        try:
            # (status, JSON) or (status, JSON or None for no body, extra headers)
            status, answer, *more = self.server.mock.answer(req)
        except Exception as e:  # a mock bug must show up as a failing send, not a hang
            status, answer, more = 500, {"mock_error": repr(e)}, []
        headers = more[0] if more else {}
        req.status, req.answer = status, answer
        self.server.mock.record(req)
        data = b"" if answer is None else json.dumps(answer, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, str(value))
            if answer is not None:
                self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class VendorMock:
    """A server on 127.0.0.1; subclasses define answer(req) -> (status, JSON object), or
    (status, JSON object or None, extra response headers)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.server = serve_http(_Handler, mock=self)
        self.port = self.server.server_address[1]
        self.base = self.url = f"http://127.0.0.1:{self.port}"

    def record(self, req):
        with self.lock:
            self.requests.append(req)

    def snapshot(self):
        with self.lock:
            return list(self.requests)

    def close(self):
        stop_http(self.server)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def json_int(value):
    """Whether a value decoded from JSON is an integer (true and false are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


# --- DingTalk custom robot ---------------------------------------------------------------------


class DingTalkRobotMock(VendorMock):
    """One robot: its access_token and (optional) signing secret. `rate_limit` = (count,
    seconds) answers 130101 to a message that would exceed it (the vendor: 20 per 60 s)."""

    MSGTYPES = {"text", "markdown", "link", "actionCard", "feedCard"}

    def __init__(self, access_token, secret=None, rate_limit=None):
        self.access_token, self.secret, self.rate_limit = access_token, secret, rate_limit
        self.accepted = []  # (arrival time, body as JSON)
        self.refused = []  # (errcode, errmsg)
        super().__init__()

    def _refuse(self, code, message):
        with self.lock:
            self.refused.append((code, message))
        return 200, {"errcode": code, "errmsg": message}

    def answer(self, req):
        if req.method != "POST" or req.path != "/robot/send":
            return 404, {"errcode": 404, "errmsg": f"no {req.method} {req.path}"}
        if req.query.get("access_token") != self.access_token:
            return self._refuse(300001, "token is not exist")
        if self.secret is not None:
            ts = req.query.get("timestamp", "")
            if not ts.isdigit() or abs(int(ts) - time.time() * 1000) > 3600 * 1000:
                return self._refuse(310000, f"invalid timestamp {ts!r}")
            expected = dingtalk_sign(self.secret, ts)
            # parse_qsl has decoded the query once: an unencoded '+' became a space.
            if not hmac.compare_digest(req.query.get("sign", ""), expected):
                return self._refuse(310000, "sign not match, more: [https://ding-doc.dingtalk.com]")
        if not req.headers.get("content-type", "").startswith("application/json"):
            return self._refuse(40035, "content-type must be application/json")
        try:
            body = json.loads(req.body.decode("utf-8"))
        except ValueError:
            return self._refuse(43004, "body is not json")
        kind = body.get("msgtype") if isinstance(body, dict) else None
        if kind not in self.MSGTYPES or not isinstance(body.get(kind), dict):
            return self._refuse(40035, f"invalid msgtype {kind!r}")
        if kind == "text" and not body["text"].get("content"):
            return self._refuse(40035, "text.content is empty")
        if len(req.body) > 20000:
            return self._refuse(460101, "message too long, exceed 20000 bytes")
        with self.lock:
            if self.rate_limit:
                count, seconds = self.rate_limit
                recent = [t for t, _ in self.accepted if t > req.at - seconds]
                if len(recent) >= count:
                    self.refused.append((130101, "send too fast"))
                    return 200, {"errcode": 130101,
                                 "errmsg": f"send too fast, exceed {count} times per minute"}
            self.accepted.append((req.at, body))
        return 200, {"errcode": 0, "errmsg": "ok"}

    def messages(self):
        with self.lock:
            return [b for _, b in self.accepted]

    def arrival_times(self):
        with self.lock:
            return [t for t, _ in self.accepted]

    def refusals(self):
        with self.lock:
            return list(self.refused)


def max_in_window(times, seconds):
    """The most arrivals inside any half-open window of `seconds`."""
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while times[lo] <= t - seconds:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


# --- WeCom application messages ------------------------------------------------------------


class WeComAppMock(VendorMock):
    """One corp and app: gettoken with corpid/corpsecret issues a new token living
    `token_lifetime` seconds; message/send answers 40014 for a token it never issued and
    42001 for an expired one."""

    def __init__(self, corpid, corpsecret, agentid, token_lifetime=7200):
        self.corpid, self.corpsecret, self.agentid = corpid, corpsecret, agentid
        self.token_lifetime = token_lifetime
        self.tokens = {}  # token -> expiry (time.time())
        self.gettokens = 0
        self.sends = []  # bodies of accepted sends
        self.token_errors = []  # (errcode, token) answered to sends
        self._serial = itertools.count(1)
        super().__init__()

    def expire_tokens(self):
        """Every token issued so far expires now."""
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = 0.0

    def answer(self, req):
        if req.path == "/cgi-bin/gettoken" and req.method == "GET":
            return self._gettoken(req)
        if req.path == "/cgi-bin/message/send" and req.method == "POST":
            return self._send(req)
        return 404, {"errcode": 404, "errmsg": f"no {req.method} {req.path}"}

    def _gettoken(self, req):
        if req.query.get("corpid") != self.corpid:
            return 200, {"errcode": 40013, "errmsg": "invalid corpid"}
        if req.query.get("corpsecret") != self.corpsecret:
            return 200, {"errcode": 40001, "errmsg": "invalid credential"}
        with self.lock:
            self.gettokens += 1
            token = f"wx-token-{next(self._serial)}-{uuid.uuid4().hex[:8]}"
            self.tokens[token] = time.time() + self.token_lifetime
        return 200, {"errcode": 0, "errmsg": "ok", "access_token": token,
                     "expires_in": int(self.token_lifetime)}

    def _send(self, req):
        token = req.query.get("access_token", "")
        with self.lock:
            expiry = self.tokens.get(token)
            if expiry is None or expiry <= time.time():
                code = 40014 if expiry is None else 42001
                self.token_errors.append((code, token))
                return 200, {"errcode": code, "errmsg": "invalid access_token" if code == 40014
                             else "access_token expired"}
        try:
            body = json.loads(req.body.decode("utf-8"))
        except ValueError:
            return 200, {"errcode": 47001, "errmsg": "data format error"}
        if not isinstance(body, dict):
            return 200, {"errcode": 47001, "errmsg": "data format error"}
        agentid = body.get("agentid")
        if not isinstance(agentid, int) or isinstance(agentid, bool):
            return 200, {"errcode": 40056, "errmsg": f"invalid agentid {agentid!r}"}
        if agentid != self.agentid:
            return 200, {"errcode": 301002,
                         "errmsg": "not allow operate another agent with this accesstoken"}
        if not any(body.get(k) for k in ("touser", "toparty", "totag")):
            return 200, {"errcode": 40035, "errmsg": "touser, toparty and totag are all empty"}
        kind = body.get("msgtype")
        if not isinstance(body.get(kind), dict):
            return 200, {"errcode": 40008, "errmsg": f"invalid message type {kind!r}"}
        if kind == "text" and not body["text"].get("content"):
            return 200, {"errcode": 44004, "errmsg": "empty content"}
        with self.lock:
            self.sends.append(body)
            msgid = f"msg-{len(self.sends)}"
        return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": msgid}

    def sent(self):
        with self.lock:
            return list(self.sends)

    def token_refusals(self):
        """(errcode, token) of each send refused for its token."""
        with self.lock:
            return list(self.token_errors)

    def gettoken_count(self):
        with self.lock:
            return self.gettokens


# --- Aliyun Dysmsapi SendSms ---------------------------------------------------------------


def _aliyun_timestamp_ok(text, now, slack=15 * 60):
    try:
        t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
        t = t.replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return False
    return abs(t.timestamp() - now) <= slack


class AliyunSmsMock(VendorMock):
    """One AccessKey. Requests are checked in the vendor's order: the common parameters,
    the signature (recomputed over every parameter but Signature), the nonce, then the
    SMS's own fields. fail_with(code) answers every later (well-signed) request with that
    error; fail_with(None) stops it."""

    # code -> (HTTP status, message) for errors the test may choose
    ERRORS = {
        "ServiceUnavailable": (503, "The request has failed due to a temporary failure of the "
                                    "server."),
        "Throttling.User": (400, "Request was denied due to user flow control."),
        "isv.BUSINESS_LIMIT_CONTROL": (200, "触发分钟级流控Permits:1"),
        "isv.AMOUNT_NOT_ENOUGH": (200, "账户余额不足"),
        "isv.MOBILE_NUMBER_ILLEGAL": (200, "非法手机号"),
    }

    def __init__(self, access_key_id, access_key_secret, sign_name=None):
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.sign_name = sign_name
        self.nonces = set()
        self.accepted = []  # params (dict) of accepted sends
        self.errors = []  # codes answered
        self._failure = None
        self._biz = itertools.count(900619)
        super().__init__()

    def fail_with(self, code):
        with self.lock:
            self._failure = code

    def _error(self, code, message=None, status=None):
        known_status, known_message = self.ERRORS.get(code, (400, code))
        with self.lock:
            self.errors.append(code)
        return (status or known_status), {"RequestId": str(uuid.uuid4()).upper(), "Code": code,
                                          "Message": message or known_message}

    def answer(self, req):
        if req.path != "/" or req.method not in ("GET", "POST"):
            return self._error("InvalidAction.NotFound", f"no {req.method} {req.path}", 404)
        params = dict(req.query)
        if req.method == "POST":
            ctype = req.headers.get("content-type", "")
            if not ctype.startswith("application/x-www-form-urlencoded"):
                return self._error("InvalidParameter", f"unexpected content type {ctype!r}")
            params.update(urllib.parse.parse_qsl(req.body.decode("utf-8"), keep_blank_values=True))
        for name, want in (("Action", "SendSms"), ("Version", "2017-05-25"),
                           ("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0"),
                           ("Format", "JSON")):
            if params.get(name) != want:
                return self._error("InvalidParameter",
                                   f"{name} is {params.get(name)!r}, not {want!r}")
        if params.get("AccessKeyId") != self.access_key_id:
            return self._error("InvalidAccessKeyId.NotFound", "Specified access key is not found.",
                               404)
        if not _aliyun_timestamp_ok(params.get("Timestamp", ""), req.at):
            return self._error("InvalidTimeStamp.Expired",
                               "Specified time stamp or date value is expired: "
                               f"{params.get('Timestamp')!r}")
        expected = aliyun_signature(self.access_key_secret, req.method, params)
        if not hmac.compare_digest(params.get("Signature", ""), expected):
            return self._error("SignatureDoesNotMatch",
                               "Specified signature is not matched with our calculation. server "
                               "string to sign is:" + aliyun_string_to_sign(req.method, params))
        nonce = params.get("SignatureNonce", "")
        with self.lock:
            reused = not nonce or nonce in self.nonces
            self.nonces.add(nonce)
            failure = self._failure
        if reused:
            return self._error("SignatureNonceUsed",
                               f"Specified signature nonce was used already: {nonce!r}")
        if failure:
            return self._error(failure)
        numbers = params.get("PhoneNumbers", "").split(",")
        # Mainland mobile numbers: 11 digits, 1[3-9]...
        if not all(n.isdigit() and len(n) == 11 and n[0] == "1" and n[1] in "3456789"
                   for n in numbers):
            return self._error("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号", 200)
        if not params.get("SignName") or (self.sign_name and params["SignName"] != self.sign_name):
            return self._error("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名", 200)
        if not params.get("TemplateCode"):
            return self._error("MissingTemplateCode", "TemplateCode is mandatory for this action.")
        if "TemplateParam" in params:
            try:
                ok = isinstance(json.loads(params["TemplateParam"]), dict)
            except ValueError:
                ok = False
            if not ok:
                return self._error("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值", 200)
        with self.lock:
            self.accepted.append(params)
            biz = f"{next(self._biz)}^0"
        return 200, {"Message": "OK", "RequestId": str(uuid.uuid4()).upper(), "BizId": biz,
                     "Code": "OK"}

    def sent(self):
        with self.lock:
            return list(self.accepted)

    def error_codes(self):
        with self.lock:
            return list(self.errors)


# --- Tencent Cloud SMS SendSms ---------------------------------------------------------------


class TencentSmsMock(VendorMock):
    """One SecretId/SecretKey and SmsSdkAppId. fail_with(code) answers every later
    (well-signed) request with Response.Error of that code; fail_with(None) stops it."""

    REGIONS = {"ap-beijing", "ap-guangzhou", "ap-nanjing"}

    def __init__(self, secret_id, secret_key, sdk_app_id):
        self.secret_id, self.secret_key, self.sdk_app_id = secret_id, secret_key, sdk_app_id
        self.accepted = []  # request bodies (JSON) of accepted sends
        self.errors = []
        self._failure = None
        self._serial = itertools.count(1)
        super().__init__()

    def fail_with(self, code):
        with self.lock:
            self._failure = code

    def _error(self, code, message):
        with self.lock:
            self.errors.append(code)
        return 200, {"Response": {"Error": {"Code": code, "Message": message},
                                  "RequestId": str(uuid.uuid4())}}

    def _check_signature(self, req):
        """None when the Authorization header verifies, else (code, message)."""
        auth = req.headers.get("authorization", "")
        algorithm, _, rest = auth.partition(" ")
        if algorithm != "TC3-HMAC-SHA256":
            return "AuthFailure.InvalidAuthorization", f"algorithm {algorithm!r}"
        fields = {}
        for part in rest.split(", "):
            name, _, value = part.partition("=")
            fields[name] = value
        credential = fields.get("Credential", "").split("/")
        if len(credential) != 4 or credential[3] != "tc3_request":
            return "AuthFailure.InvalidAuthorization", f"credential {fields.get('Credential')!r}"
        secret_id, date, service, _ = credential
        if secret_id != self.secret_id:
            return "AuthFailure.SecretIdNotFound", "The SecretId is not found"
        timestamp = req.headers.get("x-tc-timestamp", "")
        if date != tc3_utc_date(timestamp) or service != "sms":
            return "AuthFailure.InvalidAuthorization", f"credential scope {date}/{service}"
        signed = fields.get("SignedHeaders", "").split(";")
        if "content-type" not in signed or "host" not in signed or signed != sorted(signed):
            return "AuthFailure.InvalidAuthorization", f"signed headers {signed}"
        canonical = tc3_canonical_request(req.method, req.raw_query, req.headers, signed, req.body)
        expected = tc3_signature(tc3_signing_key(self.secret_key, date, service),
                                 tc3_string_to_sign(timestamp, service, canonical))
        if not hmac.compare_digest(fields.get("Signature", ""), expected):
            return ("AuthFailure.SignatureFailure",
                    "The provided credentials could not be validated.")
        return None

    def answer(self, req):
        if req.path != "/" or req.method != "POST":
            return self._error("InvalidAction", f"no {req.method} {req.path}")
        h = req.headers
        if h.get("x-tc-action") != "SendSms":
            return self._error("InvalidAction", f"action {h.get('x-tc-action')!r}")
        if h.get("x-tc-version") != "2021-01-11":
            return self._error("NoSuchVersion", f"version {h.get('x-tc-version')!r}")
        if h.get("x-tc-region") not in self.REGIONS:
            return self._error("UnsupportedRegion", f"region {h.get('x-tc-region')!r}")
        ts = h.get("x-tc-timestamp", "")
        if not ts.isdigit():
            return self._error("MissingParameter", "X-TC-Timestamp")
        if abs(int(ts) - req.at) > 300:
            return self._error("AuthFailure.SignatureExpire",
                               f"timestamp {ts} is more than 5 minutes off")
        if not h.get("content-type", "").startswith("application/json"):
            return self._error("InvalidParameter", f"content type {h.get('content-type')!r}")
        problem = self._check_signature(req)
        if problem:
            return self._error(*problem)
        with self.lock:
            failure = self._failure
        if failure:
            return self._error(failure, f"{failure} (told to fail)")
        try:
            body = json.loads(req.body.decode("utf-8"))
        except ValueError:
            return self._error("InvalidParameter", "body is not JSON")
        numbers = body.get("PhoneNumberSet")
        if not isinstance(numbers, list) or not numbers or len(numbers) > 200:
            return self._error("MissingParameter", "PhoneNumberSet")
        if body.get("SmsSdkAppId") != self.sdk_app_id:
            return self._error("InvalidParameterValue.SdkAppIdNotExist",
                               f"SmsSdkAppId {body.get('SmsSdkAppId')!r}")
        if not isinstance(body.get("TemplateId"), str) or not body["TemplateId"]:
            return self._error("MissingParameter", "TemplateId")
        params = body.get("TemplateParamSet", [])
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            return self._error("InvalidParameterValue.TemplateParameterFormatError",
                               "TemplateParamSet must be an array of strings")
        domestic = all(isinstance(n, str) and n.startswith("+86") for n in numbers)
        if domestic and not body.get("SignName"):
            return self._error("MissingParameter", "SignName")
        statuses = []
        for n in numbers:
            good = (isinstance(n, str) and n.startswith("+") and n[1:].isdigit()
                    and 8 <= len(n) <= 16)
            statuses.append({"SerialNo": f"2028:{next(self._serial):010d}" if good else "",
                             "PhoneNumber": n, "Fee": 1 if good else 0,
                             "SessionContext": body.get("SessionContext", ""),
                             "Code": "Ok" if good else "InvalidParameterValue.IncorrectPhoneNumber",
                             "Message": "send success" if good else "incorrect number",
                             "IsoCode": "CN" if str(n).startswith("+86") else "DEF"})
        with self.lock:
            self.accepted.append(body)
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}}

    def sent(self):
        with self.lock:
            return list(self.accepted)

    def error_codes(self):
        with self.lock:
            return list(self.errors)


# --- Twilio Messages API ----------------------------------------------------------------------


class TwilioMock(VendorMock):
    """One account (SID and auth token). hold() makes later sends wait for release()."""

    def __init__(self, account_sid, auth_token):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.accepted = []  # the form fields of accepted sends, as dicts
        self._next = 1
        self._gate = threading.Event()
        self._gate.set()
        self.waiting = threading.Semaphore(0)  # released once per held send
        super().__init__()

    def next_sid(self):
        """The SID the next send will get (they are numbered in order)."""
        with self.lock:
            return f"SM{self._next:032x}"

    def hold(self):
        self._gate.clear()

    def release(self):
        self._gate.set()

    def answer(self, req):
        path = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        if req.method != "POST" or req.path != path:
            return 404, {"code": 20404, "message": "The requested resource was not found",
                         "status": 404}
        expected = "Basic " + base64.b64encode(
            f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if not hmac.compare_digest(req.headers.get("authorization", ""), expected):
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if not req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return 400, {"code": 20001, "message": "content type", "status": 400}
        fields = dict(urllib.parse.parse_qsl(req.body.decode(), keep_blank_values=True))
        to = fields.get("To", "")
        if not (to.startswith("+") and to[1:].isdigit()):
            return 400, {"code": 21211, "message": f"The 'To' number {to} is not valid",
                         "status": 400}
        if not fields.get("Body") or not (fields.get("From") or fields.get("MessagingServiceSid")):
            return 400, {"code": 21602, "message": "Message body is required", "status": 400}
        if not self._gate.is_set():
            self.waiting.release()
            self._gate.wait(30)
        with self.lock:
            sid = f"SM{self._next:032x}"
            self._next += 1
            self.accepted.append(fields)
        return 201, {"sid": sid, "status": "queued", "to": to, "from": fields.get("From"),
                     "body": fields["Body"], "num_segments": "1",
                     "direction": "outbound-api", "api_version": "2010-04-01",
                     "error_code": None}

    def sent(self):
        with self.lock:
            return list(self.accepted)


# --- self-test: the reference's vectors, then each mock over HTTP -------------------------------


def _check(what, got, want):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")
    print(f"ok  {what}")


def _self_test_vectors():
    for ts, secret, want in (
            ("1700000000000", "this is secret", "sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0="),
            ("1599360473000", "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd",
             "LakaO1dOiKvWH9rT5fL9OUVg9G573lHd1yht89XjDu0=")):
        _check(f"dingtalk sign {ts}", dingtalk_sign(secret, ts), want)
    _check("dingtalk sign url-encoded",
           urllib.parse.quote_plus(dingtalk_sign("this is secret", "1700000000000")),
           "sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%3D")

    _check("aliyun percentEncode", aliyun_percent_encode("中 文+~*"),
           "%E4%B8%AD%20%E6%96%87%2B~%2A")
    sms = {"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
           "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou",
           "SignName": "阿里云短信测试专用",
           "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
           "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007",
           "TemplateParam": '{"customer":"test"}', "Timestamp": "2017-07-12T02:42:19Z",
           "Version": "2017-05-25"}
    _check("aliyun SendSms StringToSign", aliyun_string_to_sign("GET", sms),
           "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26"
           "PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9"
           "%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595"
           "%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26"
           "SignatureNonce%3D45e25e9b-"
           "0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007%26"
           "TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp%3D2017-07-"
           "12T02%253A42%253A19Z%26Version%3D2017-05-25")
    _check("aliyun SendSms signature", aliyun_signature("testSecret", "GET", sms),
           "zJDF+Lrzhj/ThnlvIToysFRq6t4=")
    hosts = {"AccessKeyId": "testid", "Action": "DescribeDedicatedHosts", "Format": "JSON",
             "RegionId": "cn-beijing", "SignatureMethod": "HMAC-SHA1",
             "SignatureNonce": "edb2b34af0af9a6d14deaf7c1a5315eb", "SignatureVersion": "1.0",
             "Timestamp": "2023-03-13T08:34:30Z", "Version": "2014-05-26"}
    _check("aliyun generic signature", aliyun_signature("testsecret", "GET", hosts),
           "9NaGiOspFP5UPcwX8Iwt2YJXXuk=")

    key = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
    body = (b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], '
            b'"Name": "instance-name"}]}')
    headers = {"content-type": "application/json; charset=utf-8", "host": "cvm.tencentcloudapi.com",
               "x-tc-action": "DescribeInstances"}
    _check("tc3 payload hash", _sha256_hex(body),
           "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064")
    signing = tc3_signing_key(key, "2019-02-25", "cvm")
    _check("tc3 SecretSigning (A)", signing.hex(),
           "ac658d5dde49e9bfdd14e04e062f66b05d9f637d44b8a8d845327d4a77f666b1")
    canon_a = tc3_canonical_request("POST", "", headers, ["content-type", "host"], body)
    _check("tc3 canonical hash (A)", _sha256_hex(canon_a.encode()),
           "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031")
    _check("tc3 signature (A)",
           tc3_signature(signing, tc3_string_to_sign("1551113065", "cvm", canon_a)),
           "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")
    signed_b = ["content-type", "host", "x-tc-action"]
    canon_b = tc3_canonical_request("POST", "", headers, signed_b, body)
    _check("tc3 canonical hash (B)", _sha256_hex(canon_b.encode()),
           "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84")
    published = bytes.fromhex("b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af")
    _check("tc3 signature (B, published SecretSigning)",
           tc3_signature(published, tc3_string_to_sign("1551113065", "cvm", canon_b)),
           "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f")
    get_headers = {"content-type": "application/x-www-form-urlencoded",
                   "host": "cvm.tencentcloudapi.com"}
    canon_c = tc3_canonical_request("GET", "Limit=10&Offset=0", get_headers,
                                    ["content-type", "host"], b"")
    _check("tc3 canonical hash (C, GET)", _sha256_hex(canon_c.encode()),
           "91c9c192c14460df6c1ffc69e34e6c5e90708de2a6d282cccf957dbf1aa7f3a7")
    _check("tc3 signature (C, GET)",
           tc3_signature(tc3_signing_key(key, "2018-10-09", "cvm"),
                         tc3_string_to_sign("1539084154", "cvm", canon_c)),
           "5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474")
    sms_body = (b'{"SmsSdkAppId": "1400006666", "SignName": "\\u817e\\u8baf\\u4e91", '
                b'"TemplateId": "1234", "TemplateParamSet": ["12345"], '
                b'"PhoneNumberSet": ["+8618511122266"], "SessionContext": "test"}')
    sms_headers = {"content-type": "application/json; charset=utf-8",
                   "host": "sms.tencentcloudapi.com", "x-tc-action": "SendSms"}
    canon_s = tc3_canonical_request("POST", "", sms_headers, signed_b, sms_body)
    _check("tc3 SendSms canonical hash", _sha256_hex(canon_s.encode()),
           "c1c09c3bbbed55dc30f0b46d42361b440df84f229ad97c083a23a6ae17257ca4")
    sms_signing = tc3_signing_key(key, "2019-02-25", "sms")
    _check("tc3 SendSms SecretSigning", sms_signing.hex(),
           "40058bf55f59e334e3a85c4564edb55159f3aedecb70a3515bb9de63de33bed1")
    _check("tc3 SendSms signature",
           tc3_signature(sms_signing, tc3_string_to_sign("1551113065", "sms", canon_s)),
           "5aed0a4fd1669e6402592a4236dd33a23eff55b5d175afdc98d9a66a1992408b")


def _call(method, url, body=b"", headers=None):
    import http.client
    target = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    try:
        path = target.path + ("?" + target.query if target.query else "")
        conn.request(method, path, body=body or None, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def _self_test_mocks():
    secret = "SECf00dfeed"
    with DingTalkRobotMock("tok", secret, rate_limit=(2, 60)) as robot:
        def post(sign_for=secret):
            ts = str(int(time.time() * 1000))
            sign = urllib.parse.quote_plus(dingtalk_sign(sign_for, ts))
            url = f"{robot.base}/robot/send?access_token=tok&timestamp={ts}&sign={sign}"
            return _call("POST", url,
                         json.dumps({"msgtype": "text", "text": {"content": "hi"}}).encode(),
                         {"Content-Type": "application/json"})[1]["errcode"]
        _check("dingtalk mock: signed", post(), 0)
        _check("dingtalk mock: wrong secret", post("SECother"), 310000)
        _check("dingtalk mock: second in the window", post(), 0)
        _check("dingtalk mock: third in a 2/60s window", post(), 130101)
        _check("dingtalk mock: counts", (len(robot.messages()), len(robot.refusals())), (2, 2))

    with WeComAppMock("corp1", "s3cret", 1000002, token_lifetime=60) as wecom:
        def gettoken():
            url = f"{wecom.base}/cgi-bin/gettoken?corpid=corp1&corpsecret=s3cret"
            return _call("GET", url)[1]["access_token"]
        token = gettoken()
        msg = json.dumps({"touser": "zhangsan", "msgtype": "text", "agentid": 1000002,
                          "text": {"content": "hi"}}).encode()

        def send(token):
            url = f"{wecom.base}/cgi-bin/message/send?access_token={token}"
            return _call("POST", url, msg)[1]["errcode"]
        _check("wecom mock: send with a fresh token", send(token), 0)
        _check("wecom mock: unknown token", send("nope"), 40014)
        wecom.expire_tokens()
        _check("wecom mock: expired token", send(token), 42001)
        bad = _call("GET", f"{wecom.base}/cgi-bin/gettoken?corpid=corp1&corpsecret=x")[1]
        _check("wecom mock: bad secret", bad["errcode"], 40001)
        wecom.token_lifetime = 0.3
        token = gettoken()
        _check("wecom mock: a short-lived token, fresh", send(token), 0)
        time.sleep(0.4)  # the lifetime itself is what is tested here
        _check("wecom mock: a short-lived token, later", send(token), 42001)
        _check("wecom mock: token fetches", wecom.gettoken_count(), 2)

    with AliyunSmsMock("LTAIkey", "aliSecret", sign_name="Acme") as ali:
        def ali_send(secret_used="aliSecret", nonce=None, phone="13800138000"):
            params = {"AccessKeyId": "LTAIkey", "Action": "SendSms", "Format": "JSON",
                      "PhoneNumbers": phone, "RegionId": "cn-hangzhou", "SignName": "Acme",
                      "SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce or uuid.uuid4().hex,
                      "SignatureVersion": "1.0", "TemplateCode": "SMS_1",
                      "TemplateParam": '{"code":"1"}',
                      "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                      "Version": "2017-05-25"}
            params["Signature"] = aliyun_signature(secret_used, "POST", params)
            form = "&".join(f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}"
                            for k, v in params.items())
            return _call("POST", ali.base + "/", form.encode(),
                         {"Content-Type": "application/x-www-form-urlencoded"})[1]["Code"]
        _check("aliyun mock: signed", ali_send(nonce="n-1"), "OK")
        _check("aliyun mock: nonce again", ali_send(nonce="n-1"), "SignatureNonceUsed")
        _check("aliyun mock: wrong secret", ali_send("other"), "SignatureDoesNotMatch")
        _check("aliyun mock: +1 number", ali_send(phone="12025550123"), "isv.MOBILE_NUMBER_ILLEGAL")
        ali.fail_with("ServiceUnavailable")
        _check("aliyun mock: told to fail", ali_send(), "ServiceUnavailable")

    with TencentSmsMock("AKIDtest", "tcSecret", "1400006666") as tc:
        def tc_send(key="tcSecret"):
            body = json.dumps({"SmsSdkAppId": "1400006666", "SignName": "Acme",
                               "TemplateId": "1234", "TemplateParamSet": ["12345"],
                               "PhoneNumberSet": ["+8618511122266"]}).encode()
            ts = str(int(time.time()))
            host = tc.base.split("//")[1]
            headers = {"content-type": "application/json; charset=utf-8", "host": host,
                       "x-tc-action": "SendSms"}
            signed = ["content-type", "host", "x-tc-action"]
            date = tc3_utc_date(ts)
            sig = tc3_signature(tc3_signing_key(key, date, "sms"),
                                tc3_string_to_sign(ts, "sms", tc3_canonical_request(
                                    "POST", "", headers, signed, body)))
            auth = (f"TC3-HMAC-SHA256 Credential=AKIDtest/{date}/sms/tc3_request, "
                    f"SignedHeaders={';'.join(signed)}, Signature={sig}")
            return _call("POST", tc.base + "/", body, {
                "Authorization": auth, "Content-Type": headers["content-type"], "Host": host,
                "X-TC-Action": "SendSms", "X-TC-Version": "2021-01-11", "X-TC-Timestamp": ts,
                "X-TC-Region": "ap-guangzhou"})[1]["Response"]
        _check("tencent mock: signed", tc_send()["SendStatusSet"][0]["Code"], "Ok")
        _check("tencent mock: wrong key", tc_send("other")["Error"]["Code"],
               "AuthFailure.SignatureFailure")
        tc.fail_with("InternalError")
        _check("tencent mock: told to fail", tc_send()["Error"]["Code"], "InternalError")

    _check("max_in_window", max_in_window([0, 0.5, 1.9, 2.0, 2.1, 5], 2), 4)
    _check("max_in_window, spread out", max_in_window([0, 1, 2, 3, 4], 1.5), 2)


if __name__ == "__main__":
    _self_test_vectors()
    _self_test_mocks()
    print("vendor_mocks: all checks passed")
