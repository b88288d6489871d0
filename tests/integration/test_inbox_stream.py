# test_inbox_stream.py - the inbox's event stream through the real daemons
# (GET /v1/inbox/{user}/stream): a new item reaches the user's open streams, a
# mark made elsewhere reaches them too, a client that comes back with
# Last-Event-ID gets what it missed, a stream outlives the HTTP idle timeout
# with heartbeats, a stream opens for its own user's token alone, and it ends
# when its client goes, when its token expires and when ingest stops.

import time

from inbox_client import CHANNELS, PROVIDERS, SECRET, inbox, own_token
from notify_stack import wait_for
from sse_client import EventStream

SETTINGS = {"inbox.secret": SECRET, "inbox.stream_heartbeat": "1s",
            "ingest.http_idle_timeout": "1s"}


def started(make_stack, settings=None):
    stack = make_stack(settings={**SETTINGS, **(settings or {})}, providers=PROVIDERS,
                       channels=CHANNELS)
    stack.start()
    for user in ("ana", "ben"):
        assert stack.ctl("user", "add", user).returncode == 0
    return stack


def token(user, ttl=600):
    return own_token(SECRET, user, time.time() + ttl)


def stream(stack, user, headers=None, query=""):
    return EventStream(stack.http_port, f"/v1/inbox/{user}/stream?token={token(user)}{query}",
                       headers)


def test_new_items_and_marks_reach_every_open_stream(make_stack):
    stack = started(make_stack)
    tabs = [stream(stack, "ana"), stream(stack, "ana")]
    other = stream(stack, "ben")
    for s in tabs + [other]:
        assert s.status == 200, s.body()
        assert s.headers["Content-Type"].startswith("text/event-stream")
        ready = s.next_of("ready")
        assert ready.data == {"unread": 0}
    assert tabs[0].retry == 3000

    nid = stack.submit(channel="inbox", to="user:ana", subject="Hi", body="first")["id"]
    news = [s.next_of("new") for s in tabs]
    for event in news:
        assert event.data["item"]["notification_id"] == nid
        assert event.data["item"]["body"] == "first"
        assert event.data["unread"] == 1
    item = news[0].data["item"]

    # Marked read in one tab: both tabs hear of it, with the new count.
    assert inbox(stack, f"ana/items/{item['id']}/read", token("ana"), method="POST").status == 200
    for s in tabs:
        event = s.next_of("read")
        assert event.data["item"]["id"] == item["id"] and event.data["item"]["read"] is True
        assert event.data["unread"] == 0
    # Ben's stream heard nothing of Ana's inbox (only heartbeats).
    try:
        event = other.next(timeout=1.5)
        assert False, f"ben's stream got {event}"
    except TimeoutError:
        pass
    for s in tabs + [other]:
        s.close()


def test_a_client_resumes_from_its_last_event_id(make_stack):
    stack = started(make_stack)
    s = stream(stack, "ana")
    s.next_of("ready")
    stack.submit(channel="inbox", to="user:ana", body="one")
    first = s.next_of("new")
    s.close()

    # While it is away: a new item and a read-all.
    nid = stack.submit(channel="inbox", to="user:ana", body="two")["id"]
    stack.wait_final(nid)
    assert inbox(stack, "ana/read-all", token("ana"), method="POST").status == 200

    back = stream(stack, "ana", headers={"Last-Event-ID": str(first.id)})
    missed = back.next()
    assert missed.kind == "new" and missed.data["item"]["body"] == "two", missed
    assert back.next().kind == "read_all"
    ready = back.next()
    assert ready.kind == "ready" and ready.data == {"unread": 0}
    back.close()

    # An id this store never gave: start again from the inbox.
    odd = stream(stack, "ana", query="&last_event_id=999999")
    assert odd.next().kind == "reset"
    odd.close()


def test_a_stream_outlives_the_idle_timeout(make_stack):
    stack = started(make_stack)
    s = stream(stack, "ana")
    s.next_of("ready")
    # Two heartbeats, each a second apart, while ingest.http_idle_timeout is 1s.
    deadline = time.monotonic() + 10
    while s.comments < 3 and time.monotonic() < deadline:
        try:
            s.next(timeout=0.5)
        except TimeoutError:
            pass
    assert s.comments >= 3
    stack.submit(channel="inbox", to="user:ana", body="still here")
    assert s.next_of("new").data["item"]["body"] == "still here"
    s.close()


def test_a_stream_opens_for_its_own_user_alone(make_stack):
    stack = started(make_stack)
    s = EventStream(stack.http_port, f"/v1/inbox/ana/stream?token={token('ben')}")
    assert s.status == 401, s.body()
    s.close()
    s = EventStream(stack.http_port, "/v1/inbox/ana/stream?last_event_id=x",
                    {"Authorization": f"Bearer {token('ana')}"})
    assert s.status == 400, s.body()
    s.close()
    res = stack.request("POST", f"/v1/inbox/ana/stream?token={token('ana')}", key=None)
    assert res.status == 405, res


def test_too_many_streams_are_refused(make_stack):
    stack = started(make_stack, {"inbox.max_streams": 2})
    open_ = [stream(stack, "ana"), stream(stack, "ben")]
    for s in open_:
        s.next_of("ready")
    refused = stream(stack, "ana")
    assert refused.status == 503, refused.body()
    refused.close()
    open_[0].close()
    # Once one has gone, a new one opens (the close is seen shortly).
    deadline = time.monotonic() + 10
    while True:
        again = stream(stack, "ana")
        if again.status == 200 or time.monotonic() > deadline:
            break
        again.close()
        time.sleep(0.05)
    assert again.status == 200
    again.close()
    open_[1].close()


def streams_open(stack):
    text = stack.request("GET", "/metrics", key=None).body.decode()
    (line,) = [x for x in text.splitlines() if x.startswith("notify_inbox_streams_open ")]
    return float(line.split()[1])


def test_streams_end_with_their_client_their_token_and_ingest(make_stack):
    stack = started(make_stack)
    s = stream(stack, "ana")
    s.next_of("ready")
    assert streams_open(stack) == 1
    s.close()  # the client goes
    wait_for(lambda: streams_open(stack) == 0, 10, "the closed stream to be let go")

    # A stream lives no longer than its token (checked at each heartbeat, 1s here).
    short = EventStream(stack.http_port, f"/v1/inbox/ana/stream?token={token('ana', ttl=2)}")
    short.next_of("ready")
    try:
        while True:
            short.next(timeout=10)
    except EOFError:
        pass
    short.close()

    # Ingest stops at once with streams open; each sees its end.
    open_ = [stream(stack, "ana"), stream(stack, "ben")]
    for s in open_:
        s.next_of("ready")
    assert stack.stop("ingest") is None
    for s in open_:
        try:
            while True:
                s.next(timeout=10)
        except EOFError:
            pass
        s.close()
