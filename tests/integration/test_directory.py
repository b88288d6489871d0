# test_directory.py - the user directory from notifyctl and over HTTP: a malformed
# import row is reported by line and nothing is half-imported; CSV and JSON Lines
# round-trip through export; users and groups made over HTTP are seen by notifyctl.

import json


def users_in(stack, *args):
    res = stack.ctl("user", "ls", "--json", *args)
    assert res.returncode == 0, res.stderr
    return [json.loads(line)["id"] for line in res.stdout.splitlines() if line.strip()]


def test_a_malformed_row_stops_the_import_with_its_line(make_stack, tmp_path):
    stack = make_stack()
    rows = [{"id": "ann", "email": "ann@example.com"},
            {"id": "ben", "email": "ben@example.com"},
            {"id": "cat", "email": "not-an-email"},
            {"id": "dan", "phone": "+8613800138000"}]
    path = tmp_path / "users.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    res = stack.ctl("user", "import", str(path))
    assert res.returncode == 65, (res.returncode, res.stderr)
    assert "line 3" in res.stderr and "not-an-email" in res.stderr, res.stderr
    assert users_in(stack) == [], "nothing is imported from a file with a bad row"

    res = stack.ctl("user", "import", str(path), "--skip-bad")
    assert res.returncode == 0, res.stderr
    assert "line 3" in res.stderr, "skipped rows are still reported"
    assert users_in(stack) == ["ann", "ben", "dan"]

    broken = tmp_path / "broken.csv"
    broken.write_text('id,email,shoe_size\nx,x@example.com,42\n', encoding="utf-8")
    res = stack.ctl("user", "import", str(broken))
    assert res.returncode == 65 and "shoe_size" in res.stderr, res.stderr


def test_csv_round_trip_through_export(make_stack, tmp_path):
    stack = make_stack()
    csv = tmp_path / "users.csv"
    csv.write_text(
        "id,name,email,locale,groups,identity.dingtalk,attr.team\n"
        'li,"Li, Lei",li@example.com,zh-CN,ops;dev,dt-001,"db ""core"""\n'
        "mo,Mo,mo@example.com,en,ops,,\n", encoding="utf-8")
    res = stack.ctl("user", "import", str(csv))
    assert res.returncode == 0, res.stderr
    assert users_in(stack, "--group", "ops") == ["li", "mo"]
    assert users_in(stack, "--group", "dev") == ["li"]
    shown = json.loads(stack.ctl("user", "show", "li", "--json").stdout)
    assert shown["name"] == "Li, Lei" and shown["identities"] == {"dingtalk": "dt-001"}, shown
    assert shown["attributes"] == {"team": 'db "core"'}, shown

    out = tmp_path / "export.jsonl"
    assert stack.ctl("user", "export", "--format", "jsonl", "-o", str(out)).returncode == 0
    other = make_stack()
    assert other.ctl("user", "import", str(out)).returncode == 0
    again = json.loads(other.ctl("user", "show", "li", "--json").stdout)
    for key in ("name", "email", "locale", "identities", "attributes", "groups"):
        assert again[key] == shown[key], key


def test_users_and_groups_over_http(make_stack):
    stack = make_stack()
    stack.start("ingest")
    res = stack.request("POST", "/v1/users", body={"id": "ivy", "email": "ivy@example.com",
                                                   "locale": "en", "attributes": {"plan": "pro"}})
    assert res.status == 201, res
    assert stack.request("POST", "/v1/users", body={"id": "ivy"}).status == 409
    bad = stack.request("POST", "/v1/users", body={"id": "jo", "emial": "jo@example.com"})
    assert bad.status == 400 and "email" in bad.json["error"]["message"], bad
    bad = stack.request("PUT", "/v1/users/ivy/preferences",
                        body={"channel": "smss", "opted_out": True})
    assert bad.status == 400 and bad.json["error"]["code"] == "unknown_channel", bad
    assert stack.request("POST", "/v1/groups", body={"name": "ops"}).status == 201
    res = stack.request("POST", "/v1/groups/ops/members", body={"users": ["ivy"]})
    assert res.status == 200, res
    assert users_in(stack, "--group", "ops") == ["ivy"]
    assert stack.request("GET", "/v1/users/ivy").json["groups"] == ["ops"]
    assert stack.request("DELETE", "/v1/users/ivy").status in (200, 204)
    assert stack.request("GET", "/v1/users/ivy").status == 404
