# test_http_limits.py - the HTTP server's limits against the real notify-ingest over
# loopback sockets: slow clients are cut off at the request deadline, oversized or too
# many headers and long URLs are refused without memory or log growing with them, a
# body over ingest.max_body_bytes gets a JSON 413 on every route, connections past
# ingest.max_connections are refused and counted while /healthz still answers, running
# out of file descriptors neither spins nor floods the log, and an oversized ZeroMQ
# frame does not grow ingest's memory.

import http.client
import json
import os
import resource
import select
import socket
import time

import pytest
import zmq

from notify_stack import wait_for


def rss_kib(pid, field="VmHWM"):
    """Peak (VmHWM) or current (VmRSS) resident memory of a process, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for pid {pid}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def connect(stack, timeout=10):
    return socket.create_connection(("127.0.0.1", stack.http_port), timeout=timeout)


def read_answer(sock, limit=1 << 20):
    """Everything the server sends until it closes (or the limit): (status, headers, body)."""
    data = b""
    try:
        while len(data) < limit:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    if not data:
        return None, {}, b""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in
               (l.split(":", 1) for l in lines[1:] if ":" in l)}
    return status, headers, body


def metric(stack, name):
    """The sum of a /metrics series, or -1 when /metrics could not be read."""
    try:
        res = stack.request("GET", "/metrics", key=None, timeout=5)
    except (OSError, http.client.HTTPException):
        return -1
    if res.status != 200:
        return -1
    text = res.body.decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def send_all(sock, data):
    """Sends until done or the server stops taking it; returns the bytes sent."""
    sent = 0
    try:
        while sent < len(data):
            sent += sock.send(data[sent:sent + 65536])
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    return sent


@pytest.fixture
def ingest(make_stack):
    def start(**settings):
        stack = make_stack(settings=settings)
        stack.start("ingest")
        return stack
    return start


def test_slow_client_is_cut_off_at_the_request_deadline(ingest):
    stack = ingest(**{"ingest.http_request_timeout": "2s", "ingest.http_idle_timeout": "30s"})
    sock = connect(stack, timeout=15)
    started = time.monotonic()
    sock.sendall(b"POST /v1/notifications HTTP/1.1\r\nHost: x\r\n")
    # One header byte a quarter second: never idle, never done.
    closed_after = None
    for _ in range(60):
        try:
            sock.sendall(b"X")
        except (BrokenPipeError, ConnectionResetError):
            closed_after = time.monotonic() - started
            break
        stack.check_running("ingest")
        readable, _, _ = select.select([sock], [], [], 0.25)
        if readable:  # an answer or the close
            closed_after = time.monotonic() - started
            break
    assert closed_after is not None, "a client sending a byte every 250 ms was served for 15 s"
    assert closed_after < 5, f"cut off after {closed_after:.1f}s; the deadline is 2s"
    sock.settimeout(5)
    status, headers, body = read_answer(sock)
    sock.close()
    if status is not None:
        assert status == 408
        assert json.loads(body)["error"]["code"] == "request_timeout"
    assert metric(stack, 'notify_ingest_rejected_total{code="request_timeout"}') == 1


def test_request_deadline_counts_from_each_requests_first_byte(ingest):
    stack = ingest(**{"ingest.http_request_timeout": "1s", "ingest.http_idle_timeout": "30s"})
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=5)
    for _ in range(2):
        conn.request("GET", "/healthz")
        assert conn.getresponse().read() is not None
        # Quiet between requests for longer than the deadline: that is idle time.
        time.sleep(1.5)
    # Two requests in one write: both answered.
    sock = connect(stack)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    _, _, rest = read_answer(sock)
    sock.close()
    assert b"HTTP/1.1 200" in rest, rest
    conn.request("GET", "/healthz")
    assert conn.getresponse().status == 200


def test_idle_connection_is_closed_after_the_idle_timeout(ingest):
    stack = ingest(**{"ingest.http_idle_timeout": "1s"})
    sock = connect(stack)
    started = time.monotonic()
    assert sock.recv(1) == b""  # the server closes it
    assert time.monotonic() - started < 4


def test_oversized_headers_are_refused_and_memory_stays_bounded(ingest):
    stack = ingest()
    pid = stack.procs["ingest"].pid
    before = rss_kib(pid)
    socks = []
    for _ in range(4):
        sock = connect(stack)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
        send_all(sock, b"a" * (24 << 20))
        socks.append(sock)
    for sock in socks:
        status, _, _ = read_answer(sock)
        assert status in (None, 400, 431)
        sock.close()
    grown = rss_kib(pid) - before
    assert grown < 16 * 1024, f"ingest's peak memory grew by {grown} KiB for 4 x 24 MB of headers"
    assert stack.request("GET", "/healthz", key=None).status == 200


def test_headers_over_the_limit_get_a_json_431(ingest):
    stack = ingest(**{"ingest.http_max_header_bytes": 2048, "ingest.http_max_headers": 20})
    res = stack.request("GET", "/healthz", key=None, headers={"X-Big": "a" * 3000})
    assert res.status == 431, res
    assert res.json["error"]["code"] == "headers_too_large"
    assert res.json["error"]["field"] == "headers"
    many = {f"X-H{i}": "1" for i in range(30)}
    res = stack.request("GET", "/healthz", key=None, headers=many)
    assert res.status == 431, res
    assert res.json["error"]["code"] == "too_many_headers"
    assert stack.request("GET", "/healthz", key=None, headers={"X-A": "1"}).status == 200


def test_long_url_is_refused_and_not_echoed_or_logged_whole(ingest):
    stack = ingest()
    sock = connect(stack)
    send_all(sock, b"GET /v1/" + b"a" * (1 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    status, _, body = read_answer(sock)
    sock.close()
    assert status in (None, 400, 414), status
    assert len(body) < 4096
    res = stack.request("GET", "/v1/" + "b" * 9000, key=None)
    assert res.status == 414, res
    assert res.json["error"]["code"] == "url_too_long"
    assert len(res.body) < 1024
    res = stack.request("GET", "/nope/" + "c" * 7000, key=None)
    assert res.status == 404, res
    assert len(res.body) < 1024, f"the 404 echoes {len(res.body)} bytes of URL"
    log = stack.log_path("ingest").read_text(errors="replace")
    for line in log.splitlines():
        assert len(line) < 1024, f"a log line of {len(line)} bytes: {line[:200]}..."


@pytest.mark.parametrize("path", ["/v1/notifications", "/v1/users/import?format=jsonl",
                                  "/v1/templates/t", "/v1/notifications/batch"])
def test_body_over_the_limit_gets_a_json_413_on_every_route(ingest, path):
    stack = ingest(**{"ingest.max_body_bytes": 65536})
    key = stack.admin_key
    for size in (70_000, 3 << 20):
        line = b'{"id": "u", "email": "u@example.com"}\n'
        body = line * (size // len(line) + 1)
        res = stack.request("PUT" if "/templates/" in path else "POST", path, raw=body, key=key)
        assert res.status == 413, f"{size} bytes to {path}: {res!r}"
        assert res.json["error"]["code"] == "too_large"
    assert stack.request("GET", "/healthz", key=None).status == 200


def test_connections_past_the_limit_are_refused_and_counted(ingest):
    stack = ingest(**{"ingest.max_connections": 8})
    keepalive = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=5)
    keepalive.request("GET", "/healthz")
    assert keepalive.getresponse().read() is not None
    held = [connect(stack) for _ in range(6)]
    # keepalive, 6 held and the one asking: 8, the limit.
    wait_for(lambda: metric(stack, "notify_http_connections_open") >= 8, 5,
             "8 connections open")
    held.append(connect(stack))  # the 8th for good
    refusals_began = time.monotonic()
    extra = [connect(stack) for _ in range(3)]
    for sock in extra:
        sock.settimeout(5)
        status, _, body = read_answer(sock)
        assert status in (None, 503), status
        if status == 503:
            assert json.loads(body)["error"]["code"] == "too_many_connections"
        sock.close()
    # At the limit, a connection already open is still served.
    keepalive.request("GET", "/healthz")
    assert keepalive.getresponse().status == 200
    keepalive.close()
    for sock in held:
        sock.close()
    wait_for(lambda: metric(stack, 'notify_ingest_rejected_total{code="too_many_connections"}') >= 3,
             5, "refusals counted in /metrics")
    assert stack.request("GET", "/healthz", key=None).status == 200
    # At most one line a second (with a count), however slowly the machine runs.
    seconds = time.monotonic() - refusals_began
    log = stack.log_path("ingest").read_text()
    assert 1 <= log.count("too_many_connections") <= int(seconds) + 2, log


def test_out_of_file_descriptors_neither_spins_nor_floods_the_log(ingest):
    stack = ingest()
    pid = stack.procs["ingest"].pid
    keepalive = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=5)
    keepalive.request("GET", "/healthz")
    assert keepalive.getresponse().read() is not None
    used = len(os.listdir(f"/proc/{pid}/fd"))
    soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (used + 4, hard))
    socks = []
    for _ in range(40):
        try:
            socks.append(connect(stack, timeout=2))
        except OSError:
            break
    log_before = stack.log_path("ingest").stat().st_size
    cpu_before = cpu_seconds(pid)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:  # a window of pressure, checked at its end
        stack.check_running("ingest")
        time.sleep(0.1)
    cpu = cpu_seconds(pid) - cpu_before
    grown = stack.log_path("ingest").stat().st_size - log_before
    # Spinning on accept() takes the whole 3 s; waiting takes next to nothing
    # (1.5 leaves room for a sanitizer build on a busy machine).
    assert cpu < 1.5, f"ingest used {cpu:.2f} s of CPU in 3 s with no descriptors left"
    assert grown < 4096, f"the log grew by {grown} bytes in 3 s"
    keepalive.request("GET", "/healthz")
    assert keepalive.getresponse().status == 200
    for sock in socks:
        sock.close()
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
    wait_for(lambda: stack._healthy(), 10, "/healthz on a new connection")
    assert metric(stack, "notify_http_accept_failures_total") >= 1


def test_oversized_zmq_frame_does_not_grow_memory(ingest):
    stack = ingest(**{"ingest.max_body_bytes": 65536})
    pid = stack.procs["ingest"].pid
    before = rss_kib(pid)
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(f"ipc://{stack.run_dir}/ingest.sock")
    monitor = sock.get_monitor_socket(zmq.EVENT_DISCONNECTED)
    sock.send_multipart([b"", b"{" + b" " * (64 << 20)])
    # Either ingest answers the frame (it was read whole) or drops the peer.
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    poller.register(monitor, zmq.POLLIN)
    assert poller.poll(30000), "no answer and no disconnect within 30 s"
    # A request after it, on a new socket, is still answered.
    ok = ctx.socket(zmq.REQ)
    ok.setsockopt(zmq.LINGER, 0)
    ok.setsockopt(zmq.RCVTIMEO, 10000)
    ok.connect(f"ipc://{stack.run_dir}/ingest.sock")
    ok.send(json.dumps({"method": "GET", "path": "/healthz"}).encode())
    assert json.loads(ok.recv())["status"] == 200
    sock.disable_monitor()
    monitor.close()
    sock.close()
    ok.close()
    ctx.term()
    grown = rss_kib(pid) - before
    assert grown < 32 * 1024, f"ingest's peak memory grew by {grown} KiB for a 64 MB frame"
