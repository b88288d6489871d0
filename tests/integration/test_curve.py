# test_curve.py - the link between the router and its workers under ZeroMQ CURVE:
# `notifyctl keys generate` makes Z85 key pairs (the secret optionally into a 0600
# file it will not overwrite); through a relay that records every byte, a job's
# payload is seen in clear without CURVE and not at all with it; a worker whose key
# the router does not allow is refused, both sides say so, and nothing goes out
# through it until it runs with an allowed key; and notifyctl and the daemons refuse
# an incomplete or malformed CURVE configuration, naming the key.

import json
import secrets
import socket
import stat
import subprocess
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from notify_stack import BIN_DIR, DAEMONS, clean_env, free_port, wait_for

Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"


def z85_decode(text):
    """RFC 32/Z85: five characters to four bytes, base 85, most significant first."""
    assert len(text) % 5 == 0 and set(text) <= set(Z85), text
    out = bytearray()
    for i in range(0, len(text), 5):
        value = 0
        for c in text[i:i + 5]:
            value = value * 85 + Z85.index(c)
        out += value.to_bytes(4, "big")
    return bytes(out)


def z85_encode(data):
    assert len(data) % 4 == 0
    out = []
    for i in range(0, len(data), 4):
        value = int.from_bytes(data[i:i + 4], "big")
        out += reversed([Z85[value // 85 ** k % 85] for k in range(5)])
    return "".join(out)


def public_of(secret):
    """The Z85 public key of a Z85 CURVE (X25519) secret key."""
    key = X25519PrivateKey.from_private_bytes(z85_decode(secret))
    return z85_encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def generate(stack, *args):
    res = stack.ctl("keys", "generate", *args, "--json")
    assert res.returncode == 0, (res.returncode, res.stderr)
    return json.loads(res.stdout)


def new_pairs(make_stack, n):
    """n key pairs, made by notifyctl in a stack of their own (never started)."""
    keygen = make_stack()
    return keygen, [generate(keygen) for _ in range(n)]


def log_line(stack, name, *parts):
    """The first line of a daemon's log that holds every one of parts, or None."""
    path = stack.log_path(name)
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return next((line for line in text.splitlines() if all(p in line for p in parts)), None)


class Relay:
    """A TCP relay on 127.0.0.1: each connection it accepts is joined to the target
    port, and the bytes it copies are recorded, per connection and direction, before
    they are passed on."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.endpoint = f"tcp://127.0.0.1:{self.listener.getsockname()[1]}"
        self.streams = []  # (direction, bytearray)
        self.sockets = []
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self):
        while not self.closing.is_set():
            try:
                client, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self.lock:
                self.sockets += [client, upstream]
                for src, dst, direction in ((client, upstream, "worker->router"),
                                            (upstream, client, "router->worker")):
                    record = bytearray()
                    self.streams.append((direction, record))
                    thread = threading.Thread(target=self._pump, args=(src, dst, record),
                                              daemon=True)
                    self.threads.append(thread)
                    thread.start()

    def _pump(self, src, dst, record):
        try:
            while chunk := src.recv(65536):
                with self.lock:
                    record += chunk
                dst.sendall(chunk)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def recorded(self):
        with self.lock:
            return [(direction, bytes(record)) for direction, record in self.streams]

    def close(self):
        self.closing.set()
        self.listener.close()
        with self.lock:
            sockets, threads = list(self.sockets), list(self.threads)
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in threads:
            t.join(10)
        for s in sockets:
            s.close()


@pytest.fixture
def relays():
    """Relays closed after the daemons stopped (request this fixture before make_stack)."""
    made = []

    def make(target_port):
        made.append(Relay(target_port))
        return made[-1]
    yield make
    for relay in made:
        relay.close()


def test_keys_generate(make_stack, tmp_path):
    # The decoder and encoder agree with RFC 32's example.
    raw = bytes([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])
    assert z85_encode(raw) == "HelloWorld" and z85_decode("HelloWorld") == raw
    stack, pairs = new_pairs(make_stack, 2)
    for pair in pairs:
        assert set(pair) == {"public_key", "secret_key"}, pair
        for key in pair.values():
            assert len(key) == 40 and set(key) <= set(Z85), key
        assert public_of(pair["secret_key"]) == pair["public_key"], pair
    assert pairs[0]["public_key"] != pairs[1]["public_key"]
    assert pairs[0]["secret_key"] != pairs[1]["secret_key"]

    path = tmp_path / "worker.key"
    res = stack.ctl("keys", "generate", "--secret-file", str(path), "--json")
    assert res.returncode == 0, (res.returncode, res.stderr)
    doc = json.loads(res.stdout)
    assert set(doc) == {"public_key", "secret_file"} and doc["secret_file"] == str(path), doc
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, oct(path.stat().st_mode)
    content = path.read_text(encoding="ascii")
    secret = content[:-1]
    assert content == secret + "\n" and len(secret) == 40 and set(secret) <= set(Z85), content
    assert public_of(secret) == doc["public_key"]
    assert secret not in res.stdout + res.stderr

    # An existing file is not overwritten.
    res = stack.ctl("keys", "generate", "--secret-file", str(path), "--json")
    assert res.returncode == 73, (res.returncode, res.stdout, res.stderr)
    assert res.stdout == "" and str(path) in res.stderr, (res.stdout, res.stderr)
    assert path.read_text(encoding="ascii") == content
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("curve", [True, False], ids=["curve", "clear-control"])
def test_curve_link_is_encrypted(relays, http_receiver, make_stack, curve):
    receiver = http_receiver()
    router_port = free_port()
    relay = relays(router_port)
    settings = {"router.listen": f"tcp://127.0.0.1:{router_port}",
                "worker.router": relay.endpoint}
    if curve:
        keygen, (router_keys,) = new_pairs(make_stack, 1)
        # The worker's secret is read from the file notifyctl wrote.
        worker_key_file = keygen.dir / "worker.key"
        worker_public = generate(keygen, "--secret-file", str(worker_key_file))["public_key"]
        settings.update({"router.curve_secret_key": router_keys["secret_key"],
                         "router.curve_workers": [worker_public],
                         "worker.curve_secret_key": f"file:{worker_key_file}",
                         "worker.router_public_key": router_keys["public_key"]})
    stack = make_stack(settings=settings,
                       providers={"hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["hook"]})
    stack.start()

    marker = "marker-" + secrets.token_hex(12)
    nid = stack.submit(channel="hook", body=f"order {marker} shipped",
                       data={"reference": marker})["id"]
    doc = stack.wait_final(nid)
    assert doc["states"] == {"sent": 1}, doc["states"]
    (req,) = receiver.snapshot()
    assert req.json["body"] == f"order {marker} shipped"
    assert req.json["data"] == {"reference": marker}

    streams = relay.recorded()
    # The worker's link went through the relay, and the job came down it.
    assert any(d == "router->worker" and len(b) > 64 for d, b in streams), \
        [(d, len(b)) for d, b in streams]
    # Each side's ZMTP 3 greeting names the security mechanism at bytes 12..31.
    mechanism = (b"CURVE" if curve else b"NULL").ljust(20, b"\0")
    greeted = [b for _, b in streams if len(b) >= 32]
    assert greeted and all(b[12:32] == mechanism for b in greeted), \
        [(d, b[:32]) for d, b in streams]
    seen = [d for d, b in streams if marker.encode() in b]
    if curve:
        assert seen == [], f"the payload crossed the link in clear ({seen})"
        assert log_line(stack, "router", "refused a worker") is None
    else:
        assert "router->worker" in seen, "the relay did not see the payload in clear"


def test_worker_with_a_wrong_key_is_refused(http_receiver, make_stack):
    receiver = http_receiver()
    _, (router_keys, allowed, other) = new_pairs(make_stack, 3)
    stack = make_stack(
        settings={"router.listen": f"tcp://127.0.0.1:{free_port()}",
                  "router.curve_secret_key": router_keys["secret_key"],
                  "router.curve_workers": [allowed["public_key"]],
                  "worker.curve_secret_key": other["secret_key"],
                  "worker.router_public_key": router_keys["public_key"]},
        providers={"hook": {"type": "webhook", "url": receiver.url}},
        channels={"hook": ["hook"]})
    stack.start()
    nid = stack.submit(channel="hook", body="for an allowed worker only")["id"]

    wait_for(lambda: log_line(stack, "router", "notify-priority-router: warning:",
                              "refused a worker", other["public_key"]),
             20, "the router's refusal of the worker's key", check=stack.check_running)
    wait_for(lambda: log_line(stack, "worker", "notify-channel-worker: error:",
                              "refused this worker's CURVE key"),
             20, "the worker's report of its refusal", check=stack.check_running)
    assert stack.get(nid)["states"] == {"queued": 1}
    assert receiver.count() == 0
    assert stack.stop("worker") is None

    # The same worker with the allowed key.
    text = stack.config.read_text(encoding="utf-8")
    assert text.count(other["secret_key"]) == 1
    stack.config.write_text(text.replace(other["secret_key"], allowed["secret_key"]),
                            encoding="utf-8")
    stack.start("worker")
    assert stack.wait_final(nid)["states"] == {"sent": 1}
    (req,) = receiver.snapshot()
    assert req.json["notification_id"] == nid
    assert log_line(stack, "router", "refused a worker", allowed["public_key"]) is None
    # No secret key shows in any log.
    for name in DAEMONS:
        log = stack.log_path(name).read_text(encoding="utf-8", errors="replace")
        for pair in (router_keys, allowed, other):
            assert pair["secret_key"] not in log, f"a secret key in the {DAEMONS[name]} log"


@pytest.mark.parametrize("case", ["wrong-router-key", "plain-worker", "plain-router"])
def test_a_mismatched_link_says_what_is_wrong(http_receiver, make_stack, case):
    receiver = http_receiver()
    _, (router_keys, worker_keys, other) = new_pairs(make_stack, 3)
    settings = {"router.listen": f"tcp://127.0.0.1:{free_port()}"}
    if case != "plain-router":
        settings.update({"router.curve_secret_key": router_keys["secret_key"],
                         "router.curve_workers": [worker_keys["public_key"]]})
    if case != "plain-worker":
        router_public = other if case == "wrong-router-key" else router_keys
        settings.update({"worker.curve_secret_key": worker_keys["secret_key"],
                         "worker.router_public_key": router_public["public_key"]})
    expected = {
        "wrong-router-key": "is worker.router_public_key the router's public key?",
        "plain-worker": "the router requires CURVE: set worker.curve_secret_key",
        "plain-router": "the router does not use CURVE",
    }[case]
    stack = make_stack(settings=settings,
                       providers={"hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["hook"]})
    stack.start()
    nid = stack.submit(channel="hook", body="not through a mismatched link")["id"]
    wait_for(lambda: log_line(stack, "worker", "notify-channel-worker: error:",
                              "the handshake with the router failed", expected),
             20, f"the worker's report ({expected})", check=stack.check_running)
    assert stack.get(nid)["states"] == {"queued": 1}
    assert receiver.count() == 0


def test_bad_curve_config(make_stack):
    keygen, (router_keys, worker_keys) = new_pairs(make_stack, 2)
    router_secret, worker_public = router_keys["secret_key"], worker_keys["public_key"]
    # A secret file that holds no key, and one that does not exist: config check
    # reads them as the daemons do, and names the file, never what it holds.
    short_file = keygen.dir / "short.key"
    short_file.write_text(router_secret[:39] + "\n", encoding="ascii")
    missing_file = keygen.dir / "missing.key"
    cases = [
        # (daemon, settings, the key the refusal names, text it must not show)
        ("router", {"router.curve_secret_key": router_secret, "router.curve_workers": []},
         "router.curve_workers", router_secret),
        ("router", {"router.curve_secret_key": router_secret[:39],
                    "router.curve_workers": [worker_public]},
         "router.curve_secret_key", router_secret[:39]),
        ("router", {"router.curve_secret_key": router_secret,
                    "router.curve_workers": [worker_public[:39] + "~"]},
         "router.curve_workers", router_secret),
        ("worker", {"worker.curve_secret_key": worker_keys["secret_key"]},
         "worker.router_public_key", worker_keys["secret_key"]),
        ("router", {"router.curve_secret_key": f"file:{short_file}",
                    "router.curve_workers": [worker_public]},
         f"'router.curve_secret_key' must be a key of 40 Z85 characters (notifyctl keys "
         f"generate); file:{short_file} holds 39 characters", router_secret[:39]),
        ("worker", {"worker.curve_secret_key": f"file:{missing_file}",
                    "worker.router_public_key": router_keys["public_key"]},
         f"cannot read secret file '{missing_file}'", router_secret),
    ]
    for daemon, settings, key, hidden in cases:
        stack = make_stack(settings={"router.listen": f"tcp://127.0.0.1:{free_port()}",
                                     **settings})
        res = stack.ctl("config", "check")
        where = f"{settings}: exit {res.returncode}, stderr {res.stderr!r}"
        assert res.returncode == 65, where
        assert key in res.stderr and "config OK" not in res.stdout, where
        assert hidden not in res.stdout + res.stderr, where
        # The daemon refuses the same configuration instead of starting.
        res = subprocess.run([str(BIN_DIR / DAEMONS[daemon]), "--config", str(stack.config)],
                             capture_output=True, text=True, timeout=15, env=clean_env(),
                             cwd=stack.dir, stdin=subprocess.DEVNULL)
        where = f"{DAEMONS[daemon]} with {settings}: exit {res.returncode}, stderr {res.stderr!r}"
        assert res.returncode == 65 and key in res.stderr, where
        assert hidden not in res.stderr, where
