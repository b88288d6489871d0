# apns_mock.py - ApnsMock, a local stand-in for the APNs provider API (providers.md §7):
# HTTP/2 over TLS on 127.0.0.1, written with h2 (sans-IO) on a raw socket and ssl.
#
#   In:  TLS connections offering ALPN "h2" (others are counted in
#        .refused_connections and closed), each with any number of concurrent streams:
#        POST /3/device/<hex token>, the provider JWT in authorization, apns-* headers,
#        a JSON payload. Received DATA is acknowledged at once (flow control), and each
#        stream is answered when its END_STREAM arrives.
#   Out: APNs' answers (200 with apns-id, or {"reason": ...} with 4xx/5xx), and what it
#        saw: .requests (ApnsRequest), .jwts, .connections, .streams,
#        .max_streams_in_flight.
#
# The certificate is signed by a throwaway CA made at start; clients trust .ca_file.
# Standard library, python3-h2 and python3-cryptography (/usr/bin/python3).

import json
import re
import select
import shutil
import socket
import ssl
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

from push_crypto import compact_json, es256_verify, jwt_parts, tls_files

@dataclass
class ApnsRequest:
    at: float  # time.time() when its END_STREAM arrived
    connection: int  # 1 for the first connection accepted, and so on
    stream_id: int
    headers: dict  # lower-case names, including the pseudo-headers (":path")
    token: str  # device token from the path
    body: bytes
    payload: object = None  # the body as JSON, when it is JSON
    status: int = 0
    reason: str = None  # the "reason" answered, None for 200
    apns_id: str = None  # the apns-id answered


class _ApnsLink:
    """One accepted connection, used only by its own thread."""

    def __init__(self, number, sock, conn):
        self.number, self.sock, self.conn = number, sock, conn
        self.streams = {}  # stream id -> [headers, bytearray body]
        self.pending = {}  # stream id -> response body not yet sent (flow control)
        self.held = []  # (stream id, headers, body) of requests waiting for release()
        self.unflushed = 0  # streams answered since the last flush
        self.last_jwt, self.jwt_changed_at = None, None
        self.goaway = False

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def send_pending(self, stream_id):
        data = self.pending.get(stream_id, b"")
        while data:
            room = min(self.conn.local_flow_control_window(stream_id),
                       self.conn.max_outbound_frame_size)
            if room <= 0:
                break
            chunk, data = data[:room], data[room:]
            self.conn.send_data(stream_id, chunk, end_stream=not data)
        if data:
            self.pending[stream_id] = data
        else:
            self.pending.pop(stream_id, None)


class ApnsMock:
    """APNs provider API for one team, key and app (providers.md §7).

    ApnsMock(team_id, key_id, public_key, bundle_id): public_key verifies the provider
    JWT (make_apns_key() makes the pair and the .p8). Clients trust .ca_file.
    Each request is checked, in this order: :method POST (405 MethodNotAllowed);
    :path /3/device/<token> (404 BadPath); no repeated header (400 DuplicateHeaders);
    authorization "bearer JWT" (403 MissingProviderToken / InvalidProviderToken: header
    alg ES256 and kid, claims iss and integer iat, raw r||s signature; iat more than
    `clock_skew` s ahead is invalid, older than 3600 s 403 ExpiredProviderToken); with
    `min_token_interval`, a new JWT on a connection sooner than that after the last
    change gets 429 TooManyProviderTokenUpdates; apns-topic = bundle id, plus the push
    type's suffix for voip etc. (400 MissingTopic / BadTopic); apns-push-type one of
    PUSH_TYPES (400 InvalidPushType; a missing one too, a stricter rule than Apple's);
    apns-priority 10, 5 or 1, not 10 for background (400 BadPriority); apns-expiration
    digits (400 BadExpirationDate); apns-id a canonical UUID (400 BadMessageId);
    apns-collapse-id at most 64 bytes (400 BadCollapseId); the token non-empty (400
    MissingDeviceToken), hex, even length, at least 64 digits (400 BadDeviceToken); the
    body non-empty (400 PayloadEmpty), at most 4096 bytes, 5120 for voip (413
    PayloadTooLarge), a JSON object with an "aps" object (400 BadPayload: the mock's own
    reason, Apple documents none). Then fail_next() answers, then unregister()ed tokens
    get 410 {"reason":"Unregistered","timestamp":ms}; else 200 with no body. Every answer
    carries apns-id (the request's, else a fresh upper-case UUID).
    hold() keeps complete requests unanswered until release(), so a test can see how many
    a client has in flight (.max_streams_in_flight); goaway() ends every open connection
    with GOAWAY, as APNs does when it shuts one down.
    """

    PUSH_TYPES = {"alert", "background", "location", "voip", "complication", "fileprovider",
                  "mdm", "liveactivity", "pushtotalk"}
    TOPIC_SUFFIX = {"voip": ".voip", "complication": ".complication",
                    "fileprovider": ".pushkit.fileprovider", "location": ".location-query",
                    "liveactivity": ".push-type.liveactivity", "pushtotalk": ".voip-ptt"}
    FAILURE_REASONS = {429: "TooManyRequests", 500: "InternalServerError",
                       503: "ServiceUnavailable"}
    _UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                       r"[0-9a-fA-F]{12}")

    def __init__(self, team_id, key_id, public_key, bundle_id, max_concurrent_streams=1000,
                 min_token_interval=None, clock_skew=60):
        self.team_id, self.key_id, self.public_key = team_id, key_id, public_key
        self.bundle_id = bundle_id
        self.max_concurrent_streams = max_concurrent_streams
        self.min_token_interval, self.clock_skew = min_token_interval, clock_skew
        self.lock = threading.Lock()
        self.requests = []  # ApnsRequest, every one answered
        self.jwts = []  # distinct provider JWTs seen, in order
        self.connections = 0  # TLS connections that negotiated h2
        self.streams = 0  # requests completed (END_STREAM seen)
        self.max_streams_in_flight = 0  # most requests open at once on one connection
        self.refused_connections = 0  # TLS failures, or no h2 in ALPN
        self.unregistered = {}  # token -> timestamp (ms) for the 410
        self._failures = []  # (status, reason) for the next requests
        self._gate = threading.Event()
        self._gate.set()
        self._links = []
        self._stop = threading.Event()
        self._dir = tempfile.mkdtemp(prefix="apns-mock-")
        self.ca_file, cert, key = tls_files(self._dir)
        self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._tls.minimum_version = ssl.TLSVersion.TLSv1_2
        self._tls.load_cert_chain(cert, key)
        self._tls.set_alpn_protocols(["h2"])
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    # what a test calls

    def unregister(self, token, timestamp_ms=None):
        """Later requests for `token` get 410 Unregistered with this timestamp."""
        with self.lock:
            self.unregistered[token] = int(timestamp_ms if timestamp_ms is not None
                                           else time.time() * 1000)

    def fail_next(self, count, status=503, reason=None):
        """The next `count` well-formed, authorized requests get `status` (429, 500 or
        503) with `reason` (default TooManyRequests, InternalServerError,
        ServiceUnavailable)."""
        with self.lock:
            self._failures += [(status, reason or self.FAILURE_REASONS[status])] * count

    def hold(self):
        """Complete requests wait unanswered until release() (to see them in flight)."""
        self._gate.clear()

    def release(self):
        self._gate.set()

    def goaway(self):
        """Each open connection gets GOAWAY and is closed (as APNs does on shutdown)."""
        with self.lock:
            for link in self._links:
                link.goaway = True

    def snapshot(self):
        with self.lock:
            return list(self.requests)

    def sent(self):
        """The requests answered 200."""
        with self.lock:
            return [r for r in self.requests if r.status == 200]

    def close(self):
        self._stop.set()
        for thread in list(self._threads):
            thread.join(2)
        self._listener.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # the server

    def _accept(self):
        while not self._stop.is_set():
            try:
                raw, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(raw,), daemon=True)
            with self.lock:
                self._threads.append(thread)
            thread.start()

    def _serve(self, raw):
        raw.settimeout(5)
        try:
            sock = self._tls.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            with self.lock:
                self.refused_connections += 1
            return
        if sock.selected_alpn_protocol() != "h2":  # APNs refuses HTTP/1.1
            sock.close()
            with self.lock:
                self.refused_connections += 1
            return
        conn = h2.connection.H2Connection(h2.config.H2Configuration(
            client_side=False, header_encoding=None))
        conn.local_settings = h2.settings.Settings(client=False, initial_values={
            h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: self.max_concurrent_streams,
            h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: 65536})
        conn.initiate_connection()
        with self.lock:
            self.connections += 1
            link = _ApnsLink(self.connections, sock, conn)
            self._links.append(link)
        sock.settimeout(10)  # for sendall; reads wait in select()
        try:
            link.flush()
            while not self._stop.is_set():
                if link.goaway:
                    conn.close_connection()
                    link.flush()
                    break
                if link.held and self._gate.is_set():
                    for stream_id, headers, body in link.held:
                        self._respond(link, stream_id, headers, body)
                    link.held = []
                    link.flush()
                data = self._read(sock)
                if data is None:
                    continue
                if not data:
                    break
                try:
                    events = conn.receive_data(data)
                except h2.exceptions.ProtocolError:
                    link.flush()  # the GOAWAY h2 queued
                    break
                ended = False
                for event in events:
                    ended |= self._on_event(link, event)
                with self.lock:
                    self.max_streams_in_flight = max(self.max_streams_in_flight,
                                                     len(link.streams) + len(link.held)
                                                     + link.unflushed)
                link.flush()
                link.unflushed = 0
                if ended:
                    break
        except OSError:
            pass
        finally:
            with self.lock:
                self._links.remove(link)
            sock.close()

    @staticmethod
    def _read(sock):
        """What has arrived (b"" at EOF), or None after 0.1 s without any. Reads on
        while more is ready, so requests sent together are answered together."""
        chunks = []
        while sum(map(len, chunks)) < (1 << 20):
            if not sock.pending() and not select.select([sock], [], [], 0 if chunks else 0.1)[0]:
                break
            try:
                data = sock.recv(65536)
            except ssl.SSLWantReadError:
                continue
            chunks.append(data)
            if not data:
                break
        return b"".join(chunks) if chunks else None

    def _on_event(self, link, event):
        """True when the connection is over."""
        conn = link.conn
        if isinstance(event, h2.events.RequestReceived):
            link.streams[event.stream_id] = [event.headers, bytearray()]
        elif isinstance(event, h2.events.DataReceived):
            if event.stream_id in link.streams:
                link.streams[event.stream_id][1] += event.data
            conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            headers, body = link.streams.pop(event.stream_id)
            if self._gate.is_set():
                self._respond(link, event.stream_id, headers, bytes(body))
            else:
                link.held.append((event.stream_id, headers, bytes(body)))
        elif isinstance(event, h2.events.StreamReset):
            link.streams.pop(event.stream_id, None)
            link.held = [held for held in link.held if held[0] != event.stream_id]
            link.pending.pop(event.stream_id, None)
        elif isinstance(event, h2.events.WindowUpdated):
            for stream_id in list(link.pending):
                link.send_pending(stream_id)
        elif isinstance(event, h2.events.ConnectionTerminated):
            return True
        return False

    def _respond(self, link, stream_id, raw_headers, body):
        headers, duplicated = {}, False
        for name, value in raw_headers:
            name, value = name.decode("latin-1"), value.decode("utf-8", "replace")
            duplicated |= name in headers
            headers[name] = value
        path = headers.get(":path", "")
        token = path[len("/3/device/"):] if path.startswith("/3/device/") else ""
        req = ApnsRequest(time.time(), link.number, stream_id, headers, token, body)
        try:
            req.payload = json.loads(body)
        except ValueError:
            pass
        try:
            status, reason, extra = self._answer(link, req, duplicated)
        except Exception as e:  # a mock bug must show up as a failing send, not a hang
            status, reason, extra = 500, f"mock error: {e!r}", {}
        req.status, req.reason = status, reason
        req.apns_id = headers.get("apns-id") or str(uuid.uuid4()).upper()
        out = [(b":status", str(status).encode()), (b"apns-id", req.apns_id.encode())]
        data = b""
        if reason is not None:
            data = compact_json({"reason": reason, **extra})
            out += [(b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode())]
        with self.lock:
            self.requests.append(req)
            self.streams += 1
        link.unflushed += 1
        link.conn.send_headers(stream_id, out, end_stream=not data)
        if data:
            link.pending[stream_id] = data
            link.send_pending(stream_id)

    def _answer(self, link, req, duplicated):
        """(status, reason or None, extra JSON members)."""
        h = req.headers
        if h.get(":method") != "POST":
            return 405, "MethodNotAllowed", {}
        if not h.get(":path", "").startswith("/3/device/"):
            return 404, "BadPath", {}
        if duplicated:
            return 400, "DuplicateHeaders", {}
        auth = h.get("authorization")
        if auth is None:
            return 403, "MissingProviderToken", {}
        problem = self._check_jwt(link, auth, req.at)
        if problem:
            return problem
        push_type = h.get("apns-push-type")
        topic = h.get("apns-topic")
        if not topic:
            return 400, "MissingTopic", {}
        if push_type not in self.PUSH_TYPES:
            return 400, "InvalidPushType", {}
        if topic != self.bundle_id + self.TOPIC_SUFFIX.get(push_type, ""):
            return 400, "BadTopic", {}
        priority = h.get("apns-priority", "10")
        if priority not in ("10", "5", "1") or (push_type == "background" and priority == "10"):
            return 400, "BadPriority", {}
        if "apns-expiration" in h and not h["apns-expiration"].isdigit():
            return 400, "BadExpirationDate", {}
        if "apns-id" in h and not self._UUID.fullmatch(h["apns-id"]):
            return 400, "BadMessageId", {}
        if len(h.get("apns-collapse-id", "").encode()) > 64:
            return 400, "BadCollapseId", {}
        if not req.token:
            return 400, "MissingDeviceToken", {}
        if (len(req.token) < 64 or len(req.token) % 2
                or not all(c in "0123456789abcdefABCDEF" for c in req.token)):
            return 400, "BadDeviceToken", {}
        if not req.body:
            return 400, "PayloadEmpty", {}
        if len(req.body) > (5120 if push_type == "voip" else 4096):
            return 413, "PayloadTooLarge", {}
        if not isinstance(req.payload, dict) or not isinstance(req.payload.get("aps"), dict):
            return 400, "BadPayload", {}
        with self.lock:
            failure = self._failures.pop(0) if self._failures else None
            gone = self.unregistered.get(req.token)
        if failure:
            return failure[0], failure[1], {}
        if gone is not None:
            return 410, "Unregistered", {"timestamp": gone}
        return 200, None, {}

    def _check_jwt(self, link, auth, now):
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return 403, "InvalidProviderToken", {}
        with self.lock:
            if token not in self.jwts:
                self.jwts.append(token)
        try:
            header, claims, signing_input, signature = jwt_parts(token)
        except ValueError:
            return 403, "InvalidProviderToken", {}
        iat = claims.get("iat")
        if (header.get("alg") != "ES256" or header.get("kid") != self.key_id
                or claims.get("iss") != self.team_id
                or not isinstance(iat, int) or isinstance(iat, bool)
                or not es256_verify(self.public_key, signing_input, signature)
                or iat > now + self.clock_skew):
            return 403, "InvalidProviderToken", {}
        if iat < now - 3600:
            return 403, "ExpiredProviderToken", {}
        if token != link.last_jwt:
            if (self.min_token_interval and link.jwt_changed_at is not None
                    and now - link.jwt_changed_at < self.min_token_interval):
                return 429, "TooManyProviderTokenUpdates", {}
            link.last_jwt, link.jwt_changed_at = token, now
        return None


