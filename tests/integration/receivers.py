# receivers.py - the real peers the worker talks to in tests, all on loopback:
#
#   HttpReceiver  a threaded HTTP server that records every request (arrival time,
#                 headers, raw body), checks the webhook signature against the
#                 provider's secret, and answers from a per-test script of Replies.
#   SmtpReceiver  an aiosmtpd server that keeps each message's raw bytes.
#   CountingReceiver  an asyncio HTTP/1.1 server for large sends: answers 200 at
#                 once (or after a delay) and counts each webhook body's "to" (no
#                 per-request thread), and its connections open at once.

import asyncio
import collections
import hashlib
import hmac
import json
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from notify_stack import free_port


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"ok":true}'
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering


@dataclass
class Request:
    at: float  # time.time() when the request had been read
    method: str
    path: str
    headers: dict  # lower-cased names
    body: bytes
    signature_ok: bool = None  # None: the receiver has no secret to check with

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def delivery_id(self):
        return self.headers.get("x-notify-delivery") or self.json.get("id")


def scripted(*replies, then=Reply()):
    """Answers the first requests with `replies` in order, every later one with `then`."""
    queue = list(replies)
    lock = threading.Lock()

    def next_reply(_request):
        with lock:
            return queue.pop(0) if queue else then
    return next_reply


def always(reply):
    return lambda _request: reply


def expected_signature(secret, timestamp, body):
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as libcurl prefers

    def log_message(self, *args):
        pass

    def _handle(self):
        receiver = self.server.receiver
        body = read_request_body(self)
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = Request(time.time(), self.command, self.path, headers, body)
        if receiver.secret is not None:
            ts = headers.get("x-notify-timestamp", "")
            req.signature_ok = hmac.compare_digest(
                headers.get("x-notify-signature", ""), expected_signature(receiver.secret, ts, body))
        reply = receiver.record(req)
        if reply.delay:
            time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (its timeout)

    do_POST = do_PUT = do_GET = _handle


class LoopbackHttpServer(ThreadingHTTPServer):
    request_queue_size = 256  # a burst of connections from the worker is normal
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a killed worker is expected
            super().handle_error(request, client_address)


def read_request_body(handler):
    """The body of the request `handler` is reading: by Content-Length, or chunked."""
    if handler.headers.get("Transfer-Encoding", "").lower() != "chunked":
        return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
    chunks = []
    while True:
        size = int(handler.rfile.readline().split(b";")[0].strip(), 16)
        if size == 0:
            while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        chunks.append(handler.rfile.read(size))
        handler.rfile.readline()


def serve_http(handler_class, **attributes):
    """An HTTP server on 127.0.0.1 at a free port, serving on its own thread, with
    `attributes` set on it for the handler to find (self.server.NAME)."""
    server = LoopbackHttpServer(("127.0.0.1", 0), handler_class)
    for name, value in attributes.items():
        setattr(server, name, value)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return server


def stop_http(server):
    server.shutdown()
    server.server_close()


class HttpReceiver:
    def __init__(self, respond=always(Reply()), secret=None):
        self.respond = respond
        self.secret = secret
        self.requests = []
        self._lock = threading.Lock()
        self._ids = set()
        self.server = serve_http(_Handler, receiver=self)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def record(self, req):
        reply = self.respond(req)
        with self._lock:
            self.requests.append(req)
            did = req.headers.get("x-notify-delivery")
            if did:
                self._ids.add(did)
        return reply

    def snapshot(self):
        with self._lock:
            return list(self.requests)

    def count(self):
        with self._lock:
            return len(self.requests)

    def unique_ids(self):
        with self._lock:
            return set(self._ids)

    def close(self):
        stop_http(self.server)


class _SmtpHandler:
    def __init__(self, owner):
        self.owner = owner

    async def handle_DATA(self, server, session, envelope):
        self.owner._add((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        self.owner._session(tls=session.ssl is not None,
                            login=login if session.authenticated else None)
        if self.owner.reply_delay:
            await asyncio.sleep(self.owner.reply_delay)
        return "250 OK message accepted"


def self_signed_context(workdir):
    """A TLS server context with a throwaway self-signed certificate for 127.0.0.1."""
    cert, key = Path(workdir) / "smtp.crt", Path(workdir) / "smtp.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context


class SmtpReceiver:
    """An SMTP server on loopback. With `tls_context` it offers STARTTLS and requires it;
    with `credentials` (login, password) it also requires AUTH, over TLS only."""

    def __init__(self, tls_context=None, credentials=None):
        self.messages = []  # (mail_from, rcpt_tos, raw bytes)
        self.reply_delay = 0.0  # seconds between a message's end and its 250, once kept
        self.sessions = []  # {"tls": bool, "login": bytes or None} per message
        self._lock = threading.Lock()
        self.port = free_port()
        kwargs = {}
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=True)
        if credentials is not None:
            login, password = (c.encode() for c in credentials)

            def authenticate(server, session, envelope, mechanism, auth_data):
                ok = (isinstance(auth_data, LoginPassword) and auth_data.login == login
                      and auth_data.password == password)
                return AuthResult(success=ok, handled=False, auth_data=auth_data)
            kwargs.update(authenticator=authenticate, auth_required=True, auth_require_tls=True)
        self.controller = Controller(_SmtpHandler(self), hostname="127.0.0.1", port=self.port,
                                     **kwargs)
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.port}"

    def _session(self, **info):
        with self._lock:
            self.sessions.append(info)

    def _add(self, message):
        with self._lock:
            self.messages.append(message)

    def snapshot(self):
        with self._lock:
            return list(self.messages)

    def close(self):
        self.controller.stop()


class _CountingProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive: requests with Content-Length bodies, answered 200."""

    def __init__(self, owner):
        self.owner = owner
        self.buf = b""

    def connection_made(self, transport):
        self.transport = transport
        self.owner._opened()

    def connection_lost(self, exc):
        self.owner._closed()

    def data_received(self, data):
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buf) < end + 4 + length:
                return
            body = self.buf[end + 4:end + 4 + length]
            self.buf = self.buf[end + 4 + length:]
            self.owner._count(body)
            answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            if self.owner.delay:
                asyncio.get_running_loop().call_later(self.owner.delay, self.transport.write,
                                                      answer)
            else:
                self.transport.write(answer)


class CountingReceiver:
    """Counts webhook bodies by their "to" field; for sends too large for HttpReceiver."""

    def __init__(self, delay=0.0):
        self.delay = delay  # seconds before each answer
        self.by_to = collections.Counter()
        self.total = 0
        self.open = 0  # connections open now
        self.most_open = 0  # the most open at once
        self._lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve():
            asyncio.set_event_loop(self._loop)
            server = self._loop.run_until_complete(self._loop.create_server(
                lambda: _CountingProtocol(self), "127.0.0.1", self.port, backlog=512))
            self._server = server
            ready.set()
            self._loop.run_forever()
            server.close()
            self._loop.run_until_complete(server.wait_closed())

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        ready.wait(10)

    def _count(self, body):
        to = json.loads(body).get("to", "")
        with self._lock:
            self.by_to[to] += 1
            self.total += 1

    def _opened(self):
        with self._lock:
            self.open += 1
            self.most_open = max(self.most_open, self.open)

    def _closed(self):
        with self._lock:
            self.open -= 1

    def count(self):
        with self._lock:
            return self.total

    def snapshot(self):
        with self._lock:
            return collections.Counter(self.by_to)

    def close(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
