# test_unsubscribe.py - one-click unsubscribe (RFC 8058): a delivered email carries
# List-Unsubscribe with a signed link that notify-ingest serves; a POST to it, as a
# mail provider sends it, suppresses the next send to that user or address.

import email
import http.client
import re
from email import policy
from urllib.parse import urlsplit


def started(make_stack, smtp_receiver):
    stack = make_stack(
        providers={"corp-mail": {"type": "smtp", "url": smtp_receiver.url,
                                 "from": "Notify <notify@example.com>", "starttls": "never"}},
        channels={"email": ["corp-mail"]})
    stack.start()
    return stack


def last_message(smtp_receiver):
    *_, (_, _, raw) = smtp_receiver.snapshot()
    return email.message_from_bytes(raw, policy=policy.default)


def one_click(url, body=b"List-Unsubscribe=One-Click"):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("POST", parts.path, body=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def link_of(msg):
    header = msg["List-Unsubscribe"]
    assert header, f"no List-Unsubscribe in {list(msg.keys())}"
    m = re.search(r"<(https?://[^>]+)>", str(header))
    assert m, header
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return m.group(1)


def test_one_click_unsubscribe_from_a_delivered_email(smtp_receiver, make_stack):
    stack = started(make_stack, smtp_receiver)
    assert stack.ctl("user", "add", "gina", "--email", "gina@example.com").returncode == 0
    # An opt-in on the channel must not outlive the click.
    res = stack.ctl("user", "pref", "set", "gina", "--category", "newsletter",
                    "--channel", "email", "--opt-in")
    assert res.returncode == 0, res.stderr

    first = stack.submit(channel="email", to="user:gina", category="newsletter",
                         subject="November news", body="Our news")
    assert [d["state"] for d in stack.wait_final(first["id"])["deliveries"]] == ["sent"]
    url = link_of(last_message(smtp_receiver))

    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert one_click(tampered)[0] == 404, "an altered link is refused"
    page = stack.request("GET", urlsplit(url).path, key=None)
    assert page.status == 200 and b"<form" in page.body, page
    status, _ = one_click(url)
    assert status == 200

    second = stack.wait_final(stack.submit(channel="email", to="user:gina", category="newsletter",
                                           subject="December news", body="More news")["id"])
    (d,) = second["deliveries"]
    assert d["state"] == "suppressed", d
    assert len(smtp_receiver.snapshot()) == 1

    otp = stack.wait_final(stack.submit(channel="email", to="user:gina", category="security",
                                        subject="Sign-in code", body="493021")["id"])
    assert [d["state"] for d in otp["deliveries"]] == ["sent"], "mandatory mail still goes"
    assert last_message(smtp_receiver)["List-Unsubscribe"] is None, \
        "mail that cannot be unsubscribed from offers no link"


def test_one_click_unsubscribe_of_a_raw_address(smtp_receiver, make_stack):
    stack = started(make_stack, smtp_receiver)
    first = stack.submit(channel="email", to="hank@example.com", category="digest",
                         subject="Digest", body="Weekly digest")
    stack.wait_final(first["id"])
    status, _ = one_click(link_of(last_message(smtp_receiver)))
    assert status == 200
    again = stack.wait_final(stack.submit(channel="email", to="hank@example.com",
                                          category="digest", subject="Digest 2",
                                          body="Weekly digest 2")["id"])
    assert [d["state"] for d in again["deliveries"]] == ["suppressed"], again["deliveries"]
