# test_cli.py - a notifyctl round trip on the embedded default configuration (no
# providers or channels configured: the "outbox" channel writes a file beside the
# store): send --wait, status, ls; and exit 69 when the ingest daemon is down.

import json


def test_send_wait_status_and_unreachable(make_stack):
    stack = make_stack()
    stack.start()
    outbox = stack.store_path.parent / "outbox.jsonl"

    res = stack.ctl("send", "--channel", "outbox", "--subject", "nightly backup", "--wait",
                    "backup of db-01 finished")
    assert res.returncode == 0, res.stderr
    nid = res.stdout.strip()
    assert nid and "\n" not in nid, res.stdout

    lines = outbox.read_text(encoding="utf-8").splitlines()
    mine = [line for line in lines if nid in line and "backup of db-01 finished" in line]
    assert len(mine) == 1, lines

    res = stack.ctl("status", nid, "--json")
    assert res.returncode == 0, res.stderr
    status = json.loads(res.stdout)
    assert status["id"] == nid
    assert [d["state"] for d in status["deliveries"]] == ["sent"], status

    res = stack.ctl("ls", "--json")
    assert res.returncode == 0, res.stderr
    listed = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    assert nid in [item["id"] for item in listed], listed

    assert stack.stop("ingest") is None
    res = stack.ctl("send", "--channel", "outbox", "--subject", "s", "nobody listens")
    assert res.returncode == 69, (res.returncode, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("notifyctl: error:"), res.stderr
