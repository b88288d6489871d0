# generated_month.py - a month of mixed traffic written straight into a store, as
# the daemons would have written it: notifications, deliveries and their events
# over November 2026 (and a little before and after it) in a zone with a
# daylight-saving change, every channel kind, priority and outcome, with a
# burst; reports count it after `notifyctl report --rebuild`.

import random
from datetime import datetime
from zoneinfo import ZoneInfo


def ms(t):
    return int(t.timestamp() * 1000)


ZONE = ZoneInfo("America/New_York")  # 2026-11-01 has 25 hours there
CHANNELS = {  # channel -> providers
    "email": ["smtp-a", "smtp-b"], "sms": ["twilio", "aliyun"], "wecom": ["wecom"],
    "hook": ["hook"], "dingtalk": ["dingtalk"], "push": ["fcm"],
}
FAILURES = ["21211 Invalid 'To' Phone Number", "isv.BUSINESS_LIMIT_CONTROL",
            "550 5.1.1 mailbox unavailable", "HTTP 400"]
SUPPRESSIONS = ["unsubscribed", "opted out of category 'promo' on every channel",
                "duplicate of 01X.1 within 10m", "frequency cap 5/1h reached on channel 'sms'",
                "user 'u9' has no address for channel 'sms'"]


def generate_month(stack, seed=7, notifications=2500):
    """Notifications, deliveries and events spread over November 2026 (and a little
    before and after it), written straight into the stack's store."""
    rnd = random.Random(seed)
    start = ms(datetime(2026, 10, 31, 20, 0, tzinfo=ZONE))
    end = ms(datetime(2026, 12, 1, 3, 0, tzinfo=ZONE))
    db = stack.store_connection()
    deliveries, log = [], []
    for i in range(notifications):
        nid = f"01GEN{i:08d}"
        created = rnd.randrange(start, end)
        # Bursts: a fifth of the traffic lands in a few busy seconds.
        if rnd.random() < 0.2:
            created = ms(datetime(2026, 11, 17, 9, 0, 5, tzinfo=ZONE)) + rnd.randrange(0, 3000)
        channel = rnd.choice(list(CHANNELS))
        template = rnd.choice(["", "welcome", "otp", "invoice", "digest"])
        module = rnd.choice(["", "billing", "auth", "marketing"])
        category = rnd.choice(["", "security", "promo", "account"])
        targets = rnd.choice([["a@example.com"], ["group:ops"], ["group:sales", "group:ops"],
                              ["user:u1"]])
        priority = rnd.choice([0, 1, 2])
        db.execute("INSERT INTO notifications (id, created_at, channel, recipients, template, "
                   "module, category, priority) VALUES (?,?,?,?,?,?,?,?)",
                   (nid, created, channel, "\n".join(targets), template, module, category,
                    priority))
        for k in range(rnd.choice([1, 1, 2, 3])):
            did = f"{nid}.{k + 1}"
            events = [("accepted", created, "", "", -1)]
            t = created
            outcome = rnd.choices(["sent", "retry-sent", "failed", "suppressed", "expired",
                                   "canceled", "retry-failed"], [50, 10, 10, 10, 5, 5, 10])[0]
            provider = rnd.choice(CHANNELS[channel])
            if outcome.startswith("retry"):
                t += rnd.randrange(50, 5000)
                events.append(("retry", t, provider, rnd.choice(FAILURES), -1))
                provider = rnd.choice(CHANNELS[channel])
            if outcome.endswith("sent"):
                t += rnd.randrange(5, 20000)
                events.append(("sent", t, provider, "", rnd.randrange(20, 5000)))
                if rnd.random() < 0.3:
                    events.append(("delivered", t + rnd.randrange(100, 9000), provider, "", -1))
            elif outcome.endswith("failed"):
                t += rnd.randrange(5, 20000)
                events.append(("failed", t, provider, rnd.choice(FAILURES), -1))
            elif outcome == "suppressed":
                reason = rnd.choice(SUPPRESSIONS)
                events.append(("suppressed", t + 1, "", reason.split(" ")[0], -1))
            elif outcome == "expired":
                events.append(("expired", t + 3_600_000, "", "", -1))
            else:
                events.append(("canceled", t + rnd.randrange(1, 60000), "", "", -1))
            state = {"retry-sent": "sent", "retry-failed": "failed"}.get(outcome, outcome)
            deliveries.append((created, did, nid, channel, priority, state, t, provider))
            log += [(at, did, etype, prov, reason, size) for etype, at, prov, reason, size in events]
    # In store order, as the daemons write them: by time.
    for created, did, nid, channel, priority, state, t, provider in sorted(deliveries):
        db.execute("INSERT INTO deliveries (id, notification_id, channel, recipient, priority, "
                   "state, created_at, updated_at, provider) VALUES (?,?,?,?,?,?,?,?,?)",
                   (did, nid, channel, "r", priority, state, created, t, provider))
    for at, did, etype, prov, reason, size in sorted(log):
        db.execute("INSERT INTO events (delivery_id, at, type, detail, provider, reason, size) "
                   "VALUES (?,?,?,?,?,?,?)", (did, at, etype, "", prov, reason, size))
    db.commit()
    db.close()
