# test_email.py - an email through the real SMTP adapter to an SMTP server on loopback,
# parsed back with Python's email package: UTF-8 subject and both bodies arrive intact.

import email
from email import policy

from receivers import SmtpReceiver, self_signed_context

SUBJECT = "服务器告警：磁盘使用率 95%"
BODY = "服务器 db-01 的磁盘使用率已达到 95%，请尽快清理日志。"
HTML = "<p>服务器 <b>db-01</b> 的磁盘使用率已达到 <b>95%</b>，请尽快清理日志。</p>"


def normalized(text):
    return text.replace("\r\n", "\n").strip()


def test_email_with_chinese_subject_and_bodies_arrives_intact(smtp_receiver, make_stack):
    stack = make_stack(
        providers={"corp-mail": {"type": "smtp", "url": smtp_receiver.url,
                                 "from": "Notify <notify@example.com>", "starttls": "never"}},
        channels={"email": ["corp-mail"]})
    stack.start()

    accepted = stack.submit(channel="email", to="ops@example.com", subject=SUBJECT, body=BODY,
                            html=HTML, priority="high")
    doc = stack.wait_final(accepted["id"])
    (delivery,) = doc["deliveries"]
    assert delivery["state"] == "sent", delivery

    (mail_from, rcpt_tos, raw), = smtp_receiver.snapshot()
    assert mail_from == "notify@example.com"
    assert rcpt_tos == ["ops@example.com"]
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == SUBJECT
    assert "ops@example.com" in msg["To"]
    assert "notify@example.com" in msg["From"]
    assert msg["Date"] is not None and msg["Date"].datetime is not None
    assert msg["Message-ID"], "no Message-ID header"
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert normalized(plain.get_content()) == BODY
    assert normalized(html.get_content()) == HTML
    assert delivery["provider_message_id"].strip("<>") == msg["Message-ID"].strip("<>")


def test_starttls_and_auth_are_used_when_the_server_requires_them(tmp_path, make_stack):
    receiver = SmtpReceiver(tls_context=self_signed_context(tmp_path),
                            credentials=("notify", "s3cret"))
    try:
        def provider(password):
            return {"type": "smtp", "url": receiver.url, "from": "notify@example.com",
                    "starttls": "always", "tls_verify": False,
                    "username": "notify", "password": password}
        stack = make_stack(providers={"good": provider("s3cret"), "bad": provider("wrong")},
                           channels={"email": ["good"], "misconfigured": ["bad"]})
        stack.start()

        nid = stack.submit(channel="email", to="ops@example.com", subject="tls", body="b")["id"]
        (delivery,) = stack.wait_final(nid)["deliveries"]
        assert delivery["state"] == "sent", delivery
        assert receiver.sessions == [{"tls": True, "login": b"notify"}], receiver.sessions

        nid = stack.submit(channel="misconfigured", to="ops@example.com", subject="x", body="b")["id"]
        (delivery,) = stack.wait_final(nid)["deliveries"]
        assert delivery["state"] == "failed", delivery
        assert delivery["attempts"] == 1, delivery
        assert len(receiver.snapshot()) == 1, "nothing may be accepted without the right password"
    finally:
        receiver.close()
