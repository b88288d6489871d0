# test_bounds.py - input that would make a program recurse without bound or read
# nonsense as its config is refused with the documented error, and every daemon keeps
# running: data nested 60,000 and 100,000 levels deep, a number too large for a double,
# a template with 20,000 nested sections, notifyctl --data @deep.json, a notifyctl
# request over ingest's ZeroMQ frame limit, and --config naming a directory, a device
# or nothing.

import json
import subprocess
import time

from notify_stack import BIN_DIR, DAEMONS, clean_env

BASE = {"channel": "hook", "subject": "disk", "body": "db-01 at 95%"}


def nested(levels):
    return "[" * levels + "1" + "]" * levels


def deep_body(levels):
    return ('{"channel":"hook","subject":"disk","body":"b","data":{"host":"db-01","trace":'
            + nested(levels) + "}}").encode()


def started(make_stack, receiver):
    stack = make_stack(providers={"ops-hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["ops-hook"]})
    stack.start()
    return stack


def check_error(res, status, code, field):
    assert res.status == status, res
    err = res.json["error"]
    assert err["code"] == code and err["field"] == field, err
    return err


def test_deep_data_is_refused_and_every_daemon_keeps_running(http_receiver, make_stack):
    receiver = http_receiver()
    stack = started(make_stack, receiver)

    for levels in (60_000, 100_000):
        res = stack.request("POST", "/v1/notifications", raw=deep_body(levels))
        err = check_error(res, 400, "too_deep", "data.trace")
        assert "deeper than 64 levels" in err["message"], err
    batch = b'{"notifications":[' + deep_body(60_000) + b"]}"
    res = stack.request("POST", "/v1/notifications/batch", raw=batch)
    check_error(res, 400, "too_deep", "notifications[0].data.trace")

    digits = "1" + "0" * 5000
    res = stack.request("POST", "/v1/notifications",
                        raw=('{"channel":"hook","body":"b","data":{"n":' + digits + "e400}}")
                        .encode())
    check_error(res, 400, "number_out_of_range", "data.n")

    stack.check_running()
    assert stack.request("GET", "/v1/notifications").json["notifications"] == []
    # Sixty-four levels are fine, and the stack still delivers.
    data = {"trace": json.loads(nested(62))}
    nid = stack.submit(**BASE, data=data)["id"]
    assert [d["state"] for d in stack.wait_final(nid)["deliveries"]] == ["sent"]
    (req,) = receiver.snapshot()
    assert req.json["data"] == data
    stack.check_running()
    for text in stack.logs().values():
        assert digits not in text, "a number from a request was logged whole"


def test_notifyctl_refuses_deep_data_with_65(http_receiver, make_stack, tmp_path):
    stack = started(make_stack, http_receiver())
    deep = tmp_path / "deep.json"
    deep.write_text('{"trace":' + nested(100_000) + "}")
    res = stack.ctl("send", "--channel", "hook", "--data", f"@{deep}", "body")
    assert res.returncode == 65, (res.returncode, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("notifyctl: error:"), res.stderr
    assert "'trace'" in lines[0] and "deeper than 64 levels" in lines[0], lines[0]
    assert len(lines[0]) < 400, lines[0]
    res = stack.ctl("template", "render", "--file", str(deep), "--data", f"@{deep}")
    assert res.returncode == 65, (res.returncode, res.stderr)
    stack.check_running()
    assert stack.request("GET", "/v1/notifications").json["notifications"] == []


def test_notifyctl_refuses_a_request_over_the_ingest_frame_limit_at_once(make_stack, tmp_path):
    # ingest drops a frame over 2 x ingest.max_body_bytes + 64 KiB unanswered; notifyctl
    # must not wait for the reply that never comes.
    stack = make_stack(settings={"ingest.max_body_bytes": 1024})
    stack.start("ingest")
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"log": "x" * (2 * 1024 + 64 * 1024)}))
    start = time.monotonic()
    res = stack.ctl("send", "--channel", "email", "--data", f"@{big}", "body")
    took = time.monotonic() - start
    assert res.returncode == 65, (res.returncode, res.stderr)
    assert took < 5, took
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("notifyctl: error: request of "), lines
    assert "over the limit of 67584" in lines[0] and "ingest.max_body_bytes" in lines[0], lines
    stack.check_running()


def test_a_deeply_nested_template_is_never_stored(http_receiver, make_stack, tmp_path):
    stack = started(make_stack, http_receiver())
    text = "{{#a}}" * 20_000 + "x" + "{{/a}}" * 20_000

    res = stack.request("PUT", "/v1/templates/deep", body={"channel": "hook", "text": text})
    assert res.status == 422, res
    err = res.json["error"]
    assert err["code"] == "template_syntax" and err["field"] == "text", err
    assert "line 1, column 385: sections nest deeper than 64 levels" in err["message"], err

    path = tmp_path / "deep.mustache"
    path.write_text(text)
    res = stack.ctl("template", "add", "deep", "--channel", "hook", "--text", f"@{path}")
    assert res.returncode == 65, (res.returncode, res.stderr)
    assert "line 1, column 385" in res.stderr, res.stderr

    res = stack.request("POST", "/v1/notifications", body={"channel": "hook", "template": "deep"})
    assert res.status == 422 and res.json["error"]["code"] == "unknown_template", res
    stack.check_running()


def run(binary, *args):
    return subprocess.run([str(BIN_DIR / binary), *args], capture_output=True, text=True,
                          timeout=30, env=clean_env(), stdin=subprocess.DEVNULL)


def test_config_that_is_not_a_regular_file_is_refused(tmp_path):
    cases = [(str(tmp_path), "is a directory"), ("/dev/null", "not a regular file"),
             ("", "--config names no file")]
    for path, why in cases:
        for args in (("notifyctl", "--config", path, "config", "check"),
                     *((binary, "--config", path) for binary in DAEMONS.values())):
            res = run(*args)
            where = f"{args}: exit {res.returncode}, stderr {res.stderr!r}"
            assert res.returncode == 66, where
            assert why in res.stderr and "config OK" not in res.stdout, where


def test_every_text_field_at_its_limit_is_kept_and_one_byte_more_refused(http_receiver,
                                                                         make_stack):
    # The same on every store: what the API takes, the store keeps whole.
    stack = started(make_stack, http_receiver())
    longest = {"category": "c" * 256, "module": "m" * 256, "locale": "zh-Hans-" + "x" * 248,
               "idempotency_key": "k" * 256}
    nid = stack.submit(**BASE, to=["r" * 256], **longest)["id"]
    shown = stack.wait_final(nid)
    assert {k: shown[k] for k in longest} == longest
    assert [d["to"] for d in shown["deliveries"]] == ["r" * 256]
    assert [d["state"] for d in shown["deliveries"]] == ["sent"]
    listed = stack.request("GET", "/v1/notifications?module=" + "m" * 256).json
    assert [n["id"] for n in listed["notifications"]] == [nid]
    for field in longest:
        res = stack.request("POST", "/v1/notifications", body={**BASE, field: "y" * 257})
        assert res.status == 400, (field, res)
        assert res.json["error"]["code"] == "too_long", (field, res)
        assert res.json["error"]["field"] == field
    res = stack.request("POST", "/v1/notifications", body={**BASE, "to": ["r" * 257]})
    assert res.status in (400, 422), res
