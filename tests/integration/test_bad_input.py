# test_bad_input.py - bad input gets a clear error and changes nothing, over HTTP and
# over notifyctl: the documented status code or exit code, an error naming what is
# wrong, and an empty store afterwards.

import json

import pytest

MAX_BODY = 4096
GOOD = {"channel": "email", "to": "ops@example.com", "subject": "disk", "body": "db-01 at 95%"}


@pytest.fixture
def stack(make_stack):
    s = make_stack(
        settings={"ingest.max_body_bytes": MAX_BODY},
        providers={"corp-mail": {"type": "smtp", "url": "smtp://127.0.0.1:9",
                                 "from": "notify@example.com", "starttls": "never"},
                   "ops-hook": {"type": "webhook", "url": "http://127.0.0.1:9/hook"}},
        channels={"email": ["corp-mail"], "hook": ["ops-hook"]})
    s.start("ingest")
    return s


def with_fields(**changes):
    return json.dumps({**GOOD, **changes}).encode()


# (case, raw body, status, code, field, text the message must quote)
HTTP_CASES = [
    ("malformed json", b'{"channel": "email", "to": ', 400, "malformed_json", None, None),
    ("unknown channel", with_fields(channel="emial"), 400, "unknown_channel", "channel", "emial"),
    ("invalid address", with_fields(to="not-an-address"), 400, "invalid_address", "to",
     "not-an-address"),
    ("oversize body", with_fields(body="x" * (2 * MAX_BODY)), 413, "too_large", None, None),
    ("unknown priority", with_fields(priority="urgent"), 400, "invalid_priority", "priority",
     "urgent"),
    ("bad time", with_fields(send_at="next tuesday-ish"), 400, "invalid_time", "send_at",
     "next tuesday-ish"),
]


def check_error(res, status, code, field=None, quoted=None):
    assert res.status == status, res
    err = res.json.get("error")
    assert isinstance(err, dict), res
    assert err.get("code") == code, err
    assert err.get("message"), err
    if field:
        assert err.get("field") == field, err
    if quoted:
        assert quoted in err["message"], err


def assert_store_empty(stack):
    res = stack.request("GET", "/v1/notifications")
    assert res.status == 200, res
    assert res.json["notifications"] == [], res.json
    assert stack.store_query("SELECT count(*) FROM notifications") == [(0,)]
    assert stack.store_query("SELECT count(*) FROM deliveries") == [(0,)]


def test_http_refuses_bad_requests_and_stores_nothing(stack):
    for case, raw, status, code, field, quoted in HTTP_CASES:
        res = stack.request("POST", "/v1/notifications", raw=raw)
        try:
            check_error(res, status, code, field, quoted)
        except AssertionError as e:
            raise AssertionError(f"{case}: {e}") from None

    for case, key in (("missing api key", None), ("wrong api key", "nk_not-a-real-key")):
        res = stack.request("POST", "/v1/notifications", body=GOOD, key=key)
        try:
            check_error(res, 401, "unauthorized")
        except AssertionError as e:
            raise AssertionError(f"{case}: {e}") from None
    res = stack.request("POST", "/v1/notifications", body=GOOD, key=stack.api_key("read"))
    check_error(res, 403, "forbidden")

    assert_store_empty(stack)


# (case, notifyctl send arguments, accepted exit codes, text stderr must quote)
# Where INTERFACE.md names the code (bad address and bad JSON: 65, missing file: 66) only
# that code passes; an unknown name or value in a flag may be a usage error (64) as well.
CLI_CASES = [
    ("malformed json", ["--channel", "hook", "--data", '{"host": ', "body"], {65}, None),
    ("unknown channel", ["--channel", "emial", "--to", "ops@example.com", "body"], {64, 65},
     "emial"),
    ("invalid address", ["--channel", "email", "--to", "not-an-address", "body"], {65},
     "not-an-address"),
    ("oversize body", ["--channel", "email", "--to", "ops@example.com", "x" * (2 * MAX_BODY)],
     {65}, None),
    ("unknown priority", ["--channel", "email", "--to", "ops@example.com", "--priority", "urgent",
                          "body"], {64, 65}, "urgent"),
    ("bad time", ["--channel", "email", "--to", "ops@example.com", "--at", "next tuesday-ish",
                  "body"], {64, 65}, "next tuesday-ish"),
    ("missing data file", ["--channel", "hook", "--data", "@/nonexistent/data.json", "body"],
     {66}, "/nonexistent/data.json"),
]


def test_cli_refuses_bad_input_and_stores_nothing(stack):
    for case, args, codes, quoted in CLI_CASES:
        res = stack.ctl("send", "--subject", "disk", *args)
        where = f"{case}: exit {res.returncode}, stderr {res.stderr!r}"
        assert res.returncode in codes, where
        assert res.stdout == "", where
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("notifyctl: error:"), where
        if quoted:
            assert quoted in lines[0], where

    assert_store_empty(stack)
