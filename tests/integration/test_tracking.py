# test_tracking.py - email open and click tracking (tracking.opens, tracking.clicks):
# the HTML part that reaches a real SMTP server carries signed click links and an
# open image; notify-ingest serves them, redirecting only to the address a link was
# made for, and the router records the first open (read) and the first click
# (clicked, with the address's origin) of each delivery in its event log and the
# reports.

import email
import http.client
import json
import re
from email import policy
from urllib.parse import urlsplit

from notify_stack import wait_for

HTML = ('<html><body><p>Your invoice is ready.</p>'
        '<p><a href="https://billing.example.com/invoice?id=42&amp;lang=zh">查看账单</a> · '
        '<a href="mailto:billing@example.com">write to us</a> · '
        '<a data-notify-no-track href="https://example.com/private">private</a></p>'
        '</body></html>')


def tracked_stack(make_stack, smtp_receiver, **settings):
    stack = make_stack(
        settings={"tracking.opens": True, "tracking.clicks": True, **settings},
        providers={"corp-mail": {"type": "smtp", "url": smtp_receiver.url,
                                 "from": "Notify <notify@example.com>", "starttls": "never"}},
        channels={"email": ["corp-mail"]})
    stack.start()
    return stack


def html_of(smtp_receiver):
    *_, (_, _, raw) = smtp_receiver.snapshot()
    msg = email.message_from_bytes(raw, policy=policy.default)
    return (msg.get_body(preferencelist=("html",)).get_content(),
            msg.get_body(preferencelist=("plain",)).get_content())


def fetch(stack, method, url):
    parts = urlsplit(url)
    assert parts.port == stack.http_port, url
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, parts.path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def events(stack, delivery_id, kind):
    return [row[0] for row in stack.store_query(
        "SELECT detail FROM events WHERE delivery_id = ? AND type = ? ORDER BY seq",
        delivery_id, kind)]


def tracking_lines(stack, delivery_id):
    text = stack.log_path("router").read_text(encoding="utf-8", errors="replace")
    return re.findall(rf"tracking delivery={delivery_id} (\w+) (\w+)", text)


def test_opens_and_clicks_of_a_tracked_email_are_recorded_once(smtp_receiver, make_stack):
    stack = tracked_stack(make_stack, smtp_receiver)
    accepted = stack.submit(channel="email", to="ops@example.com", subject="Invoice",
                            body="Your invoice: https://billing.example.com/invoice?id=42",
                            html=HTML)
    (delivery,) = stack.wait_final(accepted["id"])["deliveries"]
    assert delivery["state"] == "sent", delivery
    did = delivery["id"]

    html, plain = html_of(smtp_receiver)
    assert "https://billing.example.com/invoice?id=42" in plain, "the text part is not rewritten"
    base = f"http://127.0.0.1:{stack.http_port}/v1/track"
    clicks = re.findall(rf'href="({re.escape(base)}/click/[^"]+)"', html)
    opens = re.findall(rf'<img src="({re.escape(base)}/open/[^"]+)"', html)
    assert len(clicks) == 1 and len(opens) == 1, html
    assert 'href="mailto:billing@example.com"' in html
    assert 'href="https://example.com/private"' in html
    assert html.index(opens[0]) < html.index("</body>")
    assert "查看账单" in html and "<p>Your invoice is ready.</p>" in html

    # A link checker's HEAD is answered and records nothing.
    status, headers, _ = fetch(stack, "HEAD", clicks[0])
    assert status == 302

    # An altered token, or an open token used as a click, redirects nowhere.
    token = clicks[0].rsplit("/", 1)[1]
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (f"{base}/click/{altered}", f"{base}/click/{opens[0].rsplit('/', 1)[1]}",
                f"{base}/open/{token}", f"{base}/click/", f"{base}/elsewhere/{token}"):
        status, headers, _ = fetch(stack, "GET", bad)
        assert status == 404 and "location" not in headers, (bad, status, headers)

    status, headers, _ = fetch(stack, "GET", clicks[0])
    assert status == 302
    assert headers["location"] == "https://billing.example.com/invoice?id=42&lang=zh"
    assert headers["referrer-policy"] == "no-referrer"
    assert "no-store" in headers["cache-control"]

    status, headers, body = fetch(stack, "GET", opens[0])
    assert status == 200 and headers["content-type"] == "image/gif"
    assert body.startswith(b"GIF89a") and len(body) == 43

    wait_for(lambda: len(tracking_lines(stack, did)) == 2, 10, "the open and the click to be recorded")
    assert sorted(tracking_lines(stack, did)) == [("clicked", "recorded"), ("read", "recorded")]

    # The same link again, and the image again: ingest knows it sent them.
    assert fetch(stack, "GET", clicks[0])[0] == 302
    assert fetch(stack, "GET", opens[0])[0] == 200
    # A restarted ingest does not: the router counts each once all the same.
    stack.stop("ingest")
    stack.start("ingest")
    fetch(stack, "GET", clicks[0])
    fetch(stack, "GET", opens[0])
    wait_for(lambda: len(tracking_lines(stack, did)) == 4, 10, "the repeats to be seen")
    assert sorted(tracking_lines(stack, did)[2:]) == [("clicked", "duplicate"),
                                                      ("read", "duplicate")]

    clicked = events(stack, did, "clicked")
    # Where it went, not the whole address (links may carry tokens).
    assert len(clicked) == 1 and clicked[0].endswith("tracking https://billing.example.com")
    assert len(events(stack, did, "read")) == 1
    doc = stack.get(accepted["id"])
    assert doc["deliveries"][0]["state"] == "delivered", "an opened email was delivered"

    def counts():
        res = stack.ctl("report", "--since", "now-1h", "--until", "now+1h", "--format", "json")
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout)["total"]["counts"]

    wait_for(lambda: counts()["read"] == 1 and counts()["clicked"] == 1, 10,
             "the report to count the open and the click")
    assert counts()["sent"] == 1


def test_an_open_and_a_click_while_the_email_is_in_flight_wait_for_its_send(smtp_receiver,
                                                                             make_stack):
    # A mail scanner may fetch a message's links before the server's 250 reaches
    # the worker: the delivery is still in flight, and the open and the click wait.
    smtp_receiver.reply_delay = 6.0
    stack = tracked_stack(make_stack, smtp_receiver,
                          **{"worker.timeout": "20s", "router.lease": "30s"})
    accepted = stack.submit(channel="email", to="ops@example.com", subject="Invoice",
                            body="Your invoice", html=HTML)
    wait_for(lambda: smtp_receiver.snapshot(), 10, "the message to reach the SMTP server")
    (delivery,) = stack.get(accepted["id"])["deliveries"]
    assert delivery["state"] == "in-flight", delivery
    did = delivery["id"]
    html, _ = html_of(smtp_receiver)
    base = f"http://127.0.0.1:{stack.http_port}/v1/track"
    (click,) = re.findall(rf'href="({re.escape(base)}/click/[^"]+)"', html)
    (image,) = re.findall(rf'<img src="({re.escape(base)}/open/[^"]+)"', html)
    assert fetch(stack, "GET", click)[0] == 302
    assert fetch(stack, "GET", image)[0] == 200
    wait_for(lambda: len(tracking_lines(stack, did)) == 2, 10, "the router to hear of them")
    assert sorted(tracking_lines(stack, did)) == [("clicked", "waiting"), ("read", "waiting")]

    (delivery,) = stack.wait_final(accepted["id"])["deliveries"]
    wait_for(lambda: len(tracking_lines(stack, did)) == 4, 10, "the waiting ones to be applied")
    assert sorted(tracking_lines(stack, did)[2:]) == [("clicked", "recorded"),
                                                      ("read", "recorded")]
    assert len(events(stack, did, "read")) == 1 and len(events(stack, did, "clicked")) == 1
    wait_for(lambda: stack.get(accepted["id"])["deliveries"][0]["state"] == "delivered", 10,
             "the opened email to be delivered")


def test_tracking_is_off_unless_configured(smtp_receiver, make_stack):
    stack = make_stack(
        providers={"corp-mail": {"type": "smtp", "url": smtp_receiver.url,
                                 "from": "Notify <notify@example.com>", "starttls": "never"}},
        channels={"email": ["corp-mail"]})
    stack.start()
    accepted = stack.submit(channel="email", to="ops@example.com", subject="Invoice",
                            body="Your invoice", html=HTML)
    assert [d["state"] for d in stack.wait_final(accepted["id"])["deliveries"]] == ["sent"]
    html, _ = html_of(smtp_receiver)
    assert html.replace("\r\n", "\n").strip() == HTML


def test_only_opens_tracked_leaves_the_links(smtp_receiver, make_stack):
    stack = tracked_stack(make_stack, smtp_receiver, **{"tracking.clicks": False})
    accepted = stack.submit(channel="email", to="ops@example.com", subject="Invoice",
                            body="Your invoice", html=HTML)
    assert [d["state"] for d in stack.wait_final(accepted["id"])["deliveries"]] == ["sent"]
    html, _ = html_of(smtp_receiver)
    assert "/v1/track/click/" not in html
    assert 'href="https://billing.example.com/invoice?id=42&amp;lang=zh"' in html
    assert "/v1/track/open/" in html
