# sse_client.py - a Server-Sent Events client for the tests of the inbox stream
# (GET /v1/inbox/{user}/stream): it reads the text/event-stream answer as it
# arrives, as a browser's EventSource does, and hands out one event at a time.
# A plain socket, so that waiting for an event that does not come leaves the
# stream usable.

import json
import select
import socket
import time


class Event:
    def __init__(self, id, kind, data):
        self.id, self.kind, self.data = id, kind, data

    def __repr__(self):
        return f"<Event {self.id} {self.kind} {self.data}>"


class EventStream:
    """An open stream; `status` and `headers` are its answer's. `comments` counts
    the comment lines (heartbeats) read so far."""

    def __init__(self, port, path, headers=None, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: text/event-stream"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.raw = b""  # bytes read and not yet decoded
        while b"\r\n\r\n" not in self.raw:
            self._read(time.monotonic() + timeout)
        head, self.raw = self.raw.split(b"\r\n\r\n", 1)
        status_line, *fields = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {}
        for f in fields:
            name, _, value = f.partition(":")
            self.headers[name.strip()] = value.strip()
        self.chunked = self.headers.get("Transfer-Encoding", "").lower() == "chunked"
        self.buffer = b""  # decoded body not yet parsed into events
        self.comments = 0
        self.retry = None

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([self.sock], [], [], left)[0]:
            raise TimeoutError("nothing arrived within the time")
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the stream ended")
        self.raw += data

    def _decode(self):
        """Moves whole chunks (or, unchunked, every byte) from raw to buffer."""
        if not self.chunked:
            self.buffer += self.raw
            self.raw = b""
            return
        while b"\r\n" in self.raw:
            size_line, rest = self.raw.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            if len(rest) < size + 2:
                return
            if size == 0:
                raise EOFError("the stream ended")
            self.buffer += rest[:size]
            self.raw = rest[size + 2:]

    def body(self, timeout=10):
        """The whole body of an answer that is not a stream (a refusal)."""
        deadline = time.monotonic() + timeout
        length = int(self.headers.get("Content-Length", "0"))
        while len(self.raw) < length:
            self._read(deadline)
        return self.raw[:length]

    def next(self, timeout=10):
        """The next event; TimeoutError when none comes within `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            self._decode()
            while b"\n\n" in self.buffer:
                block, self.buffer = self.buffer.split(b"\n\n", 1)
                event = self._parse(block.decode("utf-8"))
                if event:
                    return event
            self._read(deadline)

    def next_of(self, kind, timeout=10):
        """The next event of `kind`, skipping others."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next(max(0.01, deadline - time.monotonic()))
            if event.kind == kind:
                return event

    def _parse(self, block):
        fields = {}
        for line in block.split("\n"):
            if line.startswith(":"):
                self.comments += 1
                continue
            name, _, value = line.partition(":")
            fields[name] = value[1:] if value.startswith(" ") else value
        if "retry" in fields:
            self.retry = int(fields["retry"])
        if "event" not in fields and "data" not in fields:
            return None
        data = json.loads(fields["data"]) if "data" in fields else None
        return Event(int(fields["id"]) if "id" in fields else None,
                     fields.get("event", "message"), data)

    def close(self):
        self.sock.close()
