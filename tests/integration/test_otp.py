# test_otp.py - one-time codes through the real daemons: POST /v1/otp sends a code with
# the starter template "one-time-code" to a webhook receiver, and POST /v1/otp/verify
# takes it once (valid, then invalid), counts wrong codes down to locked, and answers
# expired after the ttl. The code is in the delivered message and nowhere else: not in
# the store's files, a daemon's log, the notification as the API and notifyctl status
# show it. A second code to the same recipient too soon, past the hourly count or past
# the API key's rate is refused 429 with Retry-After, and of codes asked for at once
# only one goes; a new code replaces the old one; a code is checked only by the key
# that sent it (or an admin key), and an email recipient in any case; a vendor that
# quotes the message back in its refusal does not put the code in the store; bad
# fields are refused naming them; notifyctl otp send and verify, with their exit
# codes.

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from notify_stack import DAEMONS, REPO, wait_for
from receivers import Reply

DATA = {"service": "Acme", "sender": "Acme Security"}


def started(make_stack, receiver, settings=None):
    stack = make_stack(settings=settings,
                       providers={"hook": {"type": "webhook", "url": receiver.url},
                                  "box": {"type": "inbox"},
                                  "room": {"type": "slack", "url": receiver.url}},
                       channels={"hook": ["hook"], "box": ["box"], "ops": ["hook", "room"]})
    stack.start()
    res = stack.ctl("template", "import", str(REPO / "templates"))
    assert res.returncode == 0, res.stderr
    return stack


def otp_body(to, **fields):
    return {"to": to, "channel": "hook", "data": DATA, **fields}


def send(stack, to, **fields):
    res = stack.request("POST", "/v1/otp", body=otp_body(to, **fields))
    assert res.status == 202, f"POST /v1/otp: {res!r}"
    return res.json


def verify(stack, to, code):
    res = stack.request("POST", "/v1/otp/verify", body={"to": to, "code": code})
    assert res.status == 200, f"POST /v1/otp/verify: {res!r}"
    return res.json


def send_when_allowed(stack, to, timeout=10):
    """POST /v1/otp again and again until it is accepted (otp.resend_after has passed)."""
    def attempt():
        res = stack.request("POST", "/v1/otp", body=otp_body(to))
        assert res.status in (202, 429), res
        return res.status == 202 and res.json
    return wait_for(attempt, timeout, f"a new code to {to} to be accepted", interval=0.25)


def delivered_code(stack, receiver, nid, length=6):
    """The code in the webhook the receiver got for notification `nid`."""
    doc = stack.wait_final(nid)
    assert [d["state"] for d in doc["deliveries"]] == ["sent"], doc
    (message,) = [r.json for r in receiver.snapshot() if r.json.get("notification_id") == nid]
    found = re.findall(rf"(?<!\d)\d{{{length}}}(?!\d)", message["subject"])
    assert len(found) == 1, message
    assert found[0] in message["body"], message
    return found[0]


def wrong(code):
    return str((int(code) + 1) % 10 ** len(code)).zfill(len(code))


def headers_of(res):
    return {k.lower(): v for k, v in res.headers.items()}


def check_error(res, status, code=None, field=None):
    assert res.status == status, res
    err = res.json.get("error")
    assert isinstance(err, dict) and err.get("message"), res
    if code:
        assert err.get("code") == code, err
    if field:
        assert err.get("field") == field, err


def test_a_code_arrives_and_verifies_once(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    sent = send(stack, "ana")
    assert sent["to"] == "ana" and sent["channel"] == "hook" and sent["length"] == 6, sent
    expires = datetime.fromisoformat(sent["expires_at"]).timestamp()
    assert abs(expires - (time.time() + 300)) < 30, sent  # otp.ttl's default, 5m

    code = delivered_code(stack, receiver, sent["id"])
    (message,) = [r.json for r in receiver.snapshot()]
    assert message["to"] == "ana", message
    assert message["priority"] == "high" and message["category"] == "one-time-code", message
    assert "Acme" in message["subject"], message

    assert verify(stack, "ana", code)["result"] == "valid"
    assert verify(stack, "ana", code)["result"] == "invalid", "a code works once"


def test_wrong_codes_lock_the_code(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver, {"otp.max_attempts": 3})
    code = delivered_code(stack, receiver, send(stack, "ben")["id"])
    answers = [verify(stack, "ben", wrong(code)) for _ in range(3)]
    assert [(a["result"], a["attempts_left"]) for a in answers[:2]] == [("invalid", 2),
                                                                       ("invalid", 1)], answers
    assert answers[2]["result"] in ("invalid", "locked") and answers[2]["attempts_left"] == 0
    locked = verify(stack, "ben", code)
    assert (locked["result"], locked["attempts_left"]) == ("locked", 0), locked
    assert verify(stack, "ben", wrong(code))["result"] == "locked"


def test_a_code_expires_after_its_ttl(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    sent = send(stack, "cleo", ttl="10s")
    expires = datetime.fromisoformat(sent["expires_at"]).timestamp()
    assert abs(expires - (time.time() + 10)) < 5, sent
    code = delivered_code(stack, receiver, sent["id"])
    early = verify(stack, "cleo", wrong(code))
    assert (early["result"], early["attempts_left"]) == ("invalid", 4), early
    # A verify with the right code before the end would use it up: wait for the clock
    # to pass expires_at (with a second for its rounding), then ask with it.
    wait_for(lambda: time.time() > expires + 1, 20, "the code's expires_at to pass",
             interval=0.2, check=stack.check_running)
    assert verify(stack, "cleo", code)["result"] == "expired"


def test_the_code_is_only_in_the_delivered_message(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver, {"log.level": "debug"})
    # Ten digits, so that no timestamp or id in a file holds them by chance.
    nid = send(stack, "dora", length=10)["id"]
    code = delivered_code(stack, receiver, nid, length=10)
    assert verify(stack, "dora", code)["result"] == "valid"
    leaks = []

    def look(what, data):
        if code.encode() in (data if isinstance(data, bytes) else data.encode()):
            leaks.append(what)

    def look_at_store(when):
        files = stack.store_files()
        assert files
        for path in files:
            look(f"{path.name} {when}", path.read_bytes())

    look_at_store("with the daemons running")
    one = stack.request("GET", f"/v1/notifications/{nid}")
    assert one.status == 200 and one.json["events"], one
    look(f"GET /v1/notifications/{nid}", one.body)
    look("GET /v1/notifications", stack.request("GET", "/v1/notifications").body)
    for args in (("status", nid), ("status", nid, "--json")):
        res = stack.ctl(*args)
        assert res.returncode == 0, res.stderr
        look("notifyctl " + " ".join(args), res.stdout + res.stderr)

    assert stack.stop_all() == []
    look_at_store("after the daemons stopped")
    for name in DAEMONS:
        look(stack.log_path(name).name, stack.log_path(name).read_bytes())
    assert not leaks, f"the code {code} is in clear in: {leaks}"


def test_a_second_code_too_soon_is_refused(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    send(stack, "erin")
    res = stack.request("POST", "/v1/otp", body=otp_body("erin"))
    check_error(res, 429, "too_many_codes")
    assert 1 <= int(headers_of(res)["retry-after"]) <= 30, res.headers  # otp.resend_after 30s
    send(stack, "finn")


def test_the_hourly_count(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver, {"otp.resend_after": "1s", "otp.hourly_sends": 2})
    send(stack, "gus")
    send_when_allowed(stack, "gus")

    def third():
        res = stack.request("POST", "/v1/otp", body=otp_body("gus"))
        assert res.status == 429, f"a third code to gus within the hour: {res!r}"
        return int(headers_of(res)["retry-after"]) > 60 and res  # past resend_after
    res = wait_for(third, 10, "a refusal for the hour's count, not resend_after",
                   interval=0.25)
    check_error(res, 429, "too_many_codes")
    send(stack, "hal")


def test_the_key_rate(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver, {"otp.key_rate": "3/1m"})
    for to in ("ida", "jon", "kai"):
        send(stack, to)
    res = stack.request("POST", "/v1/otp", body=otp_body("lou"))
    check_error(res, 429, "too_many_codes")
    assert 1 <= int(headers_of(res)["retry-after"]) <= 60, res.headers


def test_a_new_code_replaces_the_old_one(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver, {"otp.resend_after": "1s"})
    old = delivered_code(stack, receiver, send(stack, "kim")["id"])
    new = delivered_code(stack, receiver, send_when_allowed(stack, "kim")["id"])
    if new != old:  # one time in a million they are the same
        assert verify(stack, "kim", old)["result"] == "invalid"
    assert verify(stack, "kim", new)["result"] == "valid"


def test_bad_input_is_refused(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    assert stack.ctl("user", "add", "lea").returncode == 0
    cases = [
        ("missing to", {"channel": "hook", "data": DATA}, 400, None, "to"),
        ("two recipients", otp_body(["lea", "max"]), 400, None, "to"),
        ("missing channel", {"to": "lea", "data": DATA}, 400, None, "channel"),
        ("ttl too short", otp_body("lea", ttl="5s"), 400, None, "ttl"),
        ("ttl too long", otp_body("lea", ttl="2h"), 400, None, "ttl"),
        ("ttl not a duration", otp_body("lea", ttl="soon"), 400, None, "ttl"),
        ("length too short", otp_body("lea", length=3), 400, None, "length"),
        ("length too long", otp_body("lea", length=11), 400, None, "length"),
        ("an inbox channel", {**otp_body("user:lea"), "channel": "box"}, 400,
         "otp_not_for_inbox", None),
        ("a group chat's robot among the channel's providers", {**otp_body("lea"),
                                                               "channel": "ops"}, 400,
         "otp_not_for_group_chat", "channel"),
    ]
    for case, body, status, code, field in cases:
        try:
            check_error(stack.request("POST", "/v1/otp", body=body), status, code, field)
        except AssertionError as e:
            raise AssertionError(f"{case}: {e}") from None
    res = stack.request("POST", "/v1/otp", body={**otp_body("lea"), "channel": "nope"})
    assert 400 <= res.status < 500, res
    assert stack.request("GET", "/v1/notifications").json["notifications"] == []

    res = stack.request("POST", "/v1/otp/verify", body={"to": "lea", "code": "123456"})
    check_error(res, 404, "no_code")
    cli = stack.ctl("otp", "verify", "--to", "lea", "123456")
    assert cli.returncode != 0 and cli.stderr.strip(), (cli.returncode, cli.stderr)
    for code in ("12ab56", "", "1" * 17):
        res = stack.request("POST", "/v1/otp/verify", body={"to": "lea", "code": code})
        assert res.status == 400, (code, res)
    res = stack.request("POST", "/v1/otp/verify", body={"code": "123456"})
    assert res.status == 400, res


def test_notifyctl_sends_and_verifies(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    res = stack.ctl("otp", "send", "--to", "nia", "--channel", "hook", "--data", json.dumps(DATA))
    assert res.returncode == 0, res.stderr
    nid = res.stdout.strip()
    assert nid and "\n" not in nid, res.stdout
    code = delivered_code(stack, receiver, nid)

    res = stack.ctl("otp", "verify", "--to", "nia", code)
    assert (res.returncode, res.stdout.strip()) == (0, "valid"), (res.returncode, res.stdout,
                                                                   res.stderr)
    res = stack.ctl("otp", "verify", "--to", "nia", code)
    assert (res.returncode, res.stdout.strip()) == (1, "invalid"), (res.returncode, res.stdout,
                                                                     res.stderr)

    res = stack.ctl("--json", "otp", "send", "--to", "oto", "--channel", "hook",
                    "--template", "one-time-code", "--ttl", "2m", "--length", "8",
                    "--data", json.dumps(DATA))
    assert res.returncode == 0, res.stderr
    sent = json.loads(res.stdout)
    assert sent["to"] == "oto" and sent["length"] == 8, sent
    expires = datetime.fromisoformat(sent["expires_at"]).timestamp()
    assert abs(expires - (time.time() + 120)) < 30, sent
    code = delivered_code(stack, receiver, sent["id"], length=8)
    res = stack.ctl("otp", "verify", "--to", "oto", wrong(code))
    assert (res.returncode, res.stdout.strip()) == (1, "invalid"), (res.returncode, res.stdout)
    # '-' reads the code from stdin, out of the process list.
    res = stack.ctl("otp", "verify", "--to", "oto", "-", input="")
    assert res.returncode == 64 and "stdin" in res.stderr, (res.returncode, res.stderr)
    res = stack.ctl("otp", "verify", "--to", "oto", "-", input=code + "\n")
    assert (res.returncode, res.stdout.strip()) == (0, "valid"), (res.returncode, res.stdout,
                                                                   res.stderr)


def test_a_sealed_code_is_shown_to_nobody_and_taken_from_nobody(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    nid = send(stack, "erin")["id"]
    delivered_code(stack, receiver, nid)
    # The stored notification's data shows no sealed copy of the code.
    data = stack.get(nid)["data"]
    assert "one_time_code_sealed" not in data and "code" in data, data
    # Nobody else may hand notify a sealed code, one by one or in a batch.
    sealed = {"one_time_code_sealed": "AAAA", "service": "x"}
    res = stack.request("POST", "/v1/notifications",
                        body={"channel": "hook", "to": "mallory", "body": "x", "data": sealed})
    assert res.status == 400 and res.json["error"]["code"] == "reserved_field", res
    res = stack.request("POST", "/v1/notifications/batch", body={"notifications": [
        {"channel": "hook", "to": "mallory", "body": "x", "data": sealed}]})
    assert res.status == 202, res
    assert res.json["notifications"][0]["error"]["code"] == "reserved_field", res.json
    # A code goes to one recipient, not a group.
    res = stack.request("POST", "/v1/otp", body=otp_body("group:ops"))
    assert res.status == 400 and res.json["error"]["field"] == "to", res


def test_codes_asked_for_at_once_send_one(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(
            lambda _: stack.request("POST", "/v1/otp", body=otp_body("rue")), range(8)))
    assert sorted(a.status for a in answers) == [202] + [429] * 7, answers
    (sent,) = [a.json for a in answers if a.status == 202]
    code = delivered_code(stack, receiver, sent["id"])
    assert verify(stack, "rue", code)["result"] == "valid"


def test_a_code_is_checked_by_the_key_that_sent_it(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)
    sender, other = stack.api_key("send"), stack.api_key("send")
    res = stack.request("POST", "/v1/otp", body=otp_body("Pia@Example.COM"), key=sender)
    assert res.status == 202, res
    code = delivered_code(stack, receiver, res.json["id"])

    def check(key, to, code):
        return stack.request("POST", "/v1/otp/verify", body={"to": to, "code": code}, key=key)
    check_error(check(other, "pia@example.com", code), 404, "no_code")
    res = check(stack.admin_key, "PIA@example.com", wrong(code))
    assert (res.status, res.json["result"], res.json["attempts_left"]) == (200, "invalid", 4), res
    res = check(sender, "pia@example.com", code)
    assert (res.status, res.json["result"]) == (200, "valid"), res


def test_a_vendor_quoting_the_code_back_keeps_it_out_of_the_store(http_receiver, make_stack):
    def refuse(req):
        quoted = {"message": "content refused: " + req.json["subject"] + " " + req.json["body"]}
        return Reply(status=400, body=json.dumps(quoted).encode())
    receiver = http_receiver(respond=refuse)
    stack = started(make_stack, receiver)
    nid = send(stack, "sol", length=10)["id"]
    doc = stack.wait_final(nid)
    assert [d["state"] for d in doc["deliveries"]] == ["failed"], doc
    (message,) = [r.json for r in receiver.snapshot()]
    (code,) = set(re.findall(r"(?<!\d)\d{10}(?!\d)", message["body"]))
    shown = stack.request("GET", f"/v1/notifications/{nid}").body.decode()
    assert "[one-time code]" in shown, shown
    assert code not in shown, shown
    assert stack.stop_all() == []
    for path in stack.store_files():
        assert code.encode() not in path.read_bytes(), path
