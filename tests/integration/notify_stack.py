# notify_stack.py - one notify installation for one test: its own directory, config,
# store, ipc sockets and HTTP port; the real daemons as subprocesses with their stderr
# in files beside the config; an HTTP client for the ingest API; notifyctl runs; and
# waits that poll with a deadline.
#
# Config: every test starts from BASE_SETTINGS (short retry timings, a free loopback
# port) and overrides keys by dotted name; providers and channels are passed as dicts
# (a channel as its list of providers, or as a table of its keys).
# Binaries: $NOTIFY_BIN_DIR, else build/bin of this checkout.
# Store: SQLite beside the config, or with NOTIFY_TEST_STORE=mariadb a database of its
# own on a MariaDB server the harness starts once (mariadb_server.py); store_query
# reads whichever it is.

import http.client
import json
import os
import signal
import socket
import atexit
import sqlite3
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("NOTIFY_BIN_DIR") or REPO / "build" / "bin")

DAEMONS = {
    "ingest": "notify-ingest",
    "router": "notify-priority-router",
    "worker": "notify-channel-worker",
}
STORE = os.environ.get("NOTIFY_TEST_STORE", "sqlite")
ON_MARIADB = STORE == "mariadb"
_mariadb = None
_databases = {}  # store.path -> (url, password, name): stacks given one path share one


def mariadb():
    """The harness's MariaDB server, started on first use and stopped at exit."""
    global _mariadb
    if _mariadb is None:
        from mariadb_server import MariaDbServer
        shared = os.environ.get("NOTIFY_TEST_MARIADB_DIR")
        if shared:
            _mariadb = MariaDbServer.running(shared)
            return _mariadb
        why = MariaDbServer.missing()
        if why:
            raise RuntimeError(why)
        _mariadb = MariaDbServer()
        _mariadb.start()
        atexit.register(_mariadb.stop)
    return _mariadb


FINAL_STATES = {"sent", "delivered", "failed", "expired", "suppressed", "canceled"}

BASE_SETTINGS = {
    "log.level": "info",
    "store.synchronous": "normal",
    "router.lease": "5s",
    "router.retry_min": "100ms",
    "router.retry_max": "1s",
    "router.sweep_interval": "200ms",
    "router.worker_timeout": "3s",
    "worker.timeout": "4s",
    "worker.heartbeat": "200ms",
}


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, what, interval=0.05, check=None):
    """Polls predicate() until it returns a true value, which is returned.
    check() runs on every round (e.g. to fail fast when a daemon died)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        if check:
            check()
        last = predicate()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")
        time.sleep(interval)


def endpoint_bound(endpoint):
    """Whether a ZeroMQ endpoint is bound: its ipc:// socket file exists, or its
    tcp:// port takes a connection."""
    if endpoint.startswith("ipc://"):
        return Path(endpoint[len("ipc://"):]).exists()
    assert endpoint.startswith("tcp://"), endpoint
    host, _, port = endpoint[len("tcp://"):].rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=1).close()
        return True
    except OSError:
        return False


def router_id(stack):
    """The cluster_members id of `stack`'s router."""
    return f"router@{os.uname().nodename}:{stack.run_dir}"


def lease_holders(stack):
    """Each router holding a live lease, with its partitions, as `notifyctl
    cluster status` shows them."""
    res = stack.ctl("--json", "cluster", "status")
    assert res.returncode in (0, 1), (res.returncode, res.stderr)
    held = {}
    for lease in json.loads(res.stdout)["leases"]:
        if lease["expires_in_ms"] > 0:
            held.setdefault(lease["holder"], []).append(lease["partition"])
    return held


def sharing(stack, a, b, partitions=4):
    """The routers of `a` and `b` hold every one of `partitions`, half each."""
    held = lease_holders(stack)
    return (set(held) == {router_id(a), router_id(b)}
            and sorted(sum(held.values(), [])) == list(range(partitions))
            and len({len(p) for p in held.values()}) == 1 and held)


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"no TOML form for {v!r}")


def render_config(settings, providers, channels):
    top, tables = [], {}
    for key, value in settings.items():
        if "." in key:
            table, name = key.split(".", 1)
            tables.setdefault(table, []).append(f"{name} = {toml_value(value)}")
        else:
            top.append(f"{key} = {toml_value(value)}")
    out = top[:]
    for table, lines in tables.items():
        out += ["", f"[{table}]"] + lines
    for name, p in (providers or {}).items():
        out += ["", f"[providers.{name}]"] + [f"{k} = {toml_value(v)}" for k, v in p.items()]
    for name, chan in (channels or {}).items():
        # A list of provider names, or a table of the channel's keys.
        chan = chan if isinstance(chan, dict) else {"providers": chan}
        out += ["", f"[channels.{name}]"] + [f"{k} = {toml_value(v)}" for k, v in chan.items()]
    return "\n".join(out) + "\n"


def clean_env():
    """The environment for daemons and notifyctl: NOTIFY_* variables would override the
    config file, so none are passed on."""
    return {k: v for k, v in os.environ.items() if not k.startswith("NOTIFY_")}


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise AssertionError(f"response {self.status} is not JSON: {self.body[:300]!r}") from e

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


class Stack:
    """The daemons of one installation. Nothing starts until start() is called."""

    def __init__(self, workdir, settings=None, providers=None, channels=None):
        self.dir = Path(workdir)
        self.run_dir = self.dir / "run"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.http_port = free_port()
        self.store_path = self.dir / "notify.db"
        merged = {
            "runtime_dir": str(self.run_dir),
            "store.path": str(self.store_path),
            "ingest.http": f"127.0.0.1:{self.http_port}",
        }
        merged.update(BASE_SETTINGS)
        self.database = None  # on MariaDB: the database's name
        if ON_MARIADB and "store.backend" not in (settings or {}):
            path = str((settings or {}).get("store.path", self.store_path))
            if path not in _databases:
                _databases[path] = mariadb().new_database()
            url, password, self.database = _databases[path]
            secret = self.dir / "store.password"
            secret.write_text(password, encoding="utf-8")
            secret.chmod(0o600)
            merged.update({"store.backend": "mysql", "store.url": url,
                           "store.password": f"file:{secret}"})
        merged.update(settings or {})
        self.settings = merged
        self.config = self.dir / "notify.toml"
        self.config.write_text(render_config(merged, providers, channels), encoding="utf-8")
        self.procs = {}
        self.launcher = []  # run before each program, e.g. nsenter into a mount namespace
        self.crashed = []  # daemons that exited while they should have been running
        self._admin_key = None

    # --- processes -------------------------------------------------------------------

    def log_path(self, name):
        return self.dir / f"{DAEMONS[name]}.log"

    def start(self, *names):
        """Starts the named daemons (all three when none is named) and waits until each
        is ready: ingest answers GET /healthz, the router has bound its sockets."""
        names = names or ("router", "worker", "ingest")
        for name in names:
            self._spawn(name)
        for name in names:
            self._wait_ready(name)

    def _spawn(self, name):
        assert name not in self.procs or self.procs[name].poll() is not None, f"{name} runs"
        binary = BIN_DIR / DAEMONS[name]
        assert binary.exists(), f"{binary} is not built"
        if name == "router":
            # A router killed with SIGKILL leaves its socket files behind; readiness is the
            # new process binding them again.
            for sock in ("router.sock", "router-control.sock"):
                (self.run_dir / sock).unlink(missing_ok=True)
        log = open(self.log_path(name), "ab")
        log.write(f"--- harness: starting {binary.name} at {time.time():.3f}\n".encode())
        log.flush()
        self.procs[name] = subprocess.Popen(
            [*self.launcher, str(binary), "--config", str(self.config)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=clean_env(), cwd=self.dir)
        log.close()

    def exit_status(self, name, timeout=30):
        """Starts the daemon and waits for it to exit, as one refused at start does; its
        status."""
        self._spawn(name)
        return self.procs.pop(name).wait(timeout=timeout)

    def _wait_ready(self, name, timeout=15):
        check = lambda: self.check_running(name)
        if name == "ingest":
            wait_for(self._healthy, timeout, "notify-ingest GET /healthz = 200", check=check)
        elif name == "router":
            endpoints = [self.settings.get("router.listen", f"ipc://{self.run_dir}/router.sock"),
                         self.settings.get("router.control",
                                           f"ipc://{self.run_dir}/router-control.sock")]
            wait_for(lambda: all(endpoint_bound(e) for e in endpoints), timeout,
                     f"the router's sockets {endpoints}", check=check)
        else:
            check()

    def _healthy(self):
        try:
            return self.request("GET", "/healthz", key=None, timeout=2).status == 200
        except OSError:
            return False

    def check_running(self, *names):
        for name in names or tuple(self.procs):
            proc = self.procs.get(name)
            if proc is not None and proc.poll() is not None:
                code = proc.returncode
                self.procs.pop(name)
                self.crashed.append((name, code))
                raise AssertionError(f"{DAEMONS[name]} exited with status {code}; see its log")

    def kill(self, name):
        """SIGKILL, as a crash would."""
        proc = self.procs.pop(name)
        proc.kill()
        proc.wait(timeout=10)

    def stop(self, name, timeout=10):
        """SIGTERM and wait; returns a problem description, or None when it stopped cleanly."""
        proc = self.procs.pop(name, None)
        if proc is None:
            return None
        if proc.poll() is not None:
            return f"{DAEMONS[name]} had already exited with status {proc.returncode}"
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return f"{DAEMONS[name]} did not stop within {timeout}s of SIGTERM"
        if code != 0:
            return f"{DAEMONS[name]} exited with status {code} on SIGTERM"
        return None

    def stop_all(self):
        problems = [f"{DAEMONS[n]} exited with status {c} during the test" for n, c in self.crashed]
        for name in ("ingest", "worker", "router"):
            problem = self.stop(name)
            if problem:
                problems.append(problem)
        return problems

    def logs(self):
        out = {}
        for name, binary in DAEMONS.items():
            path = self.dir / f"{binary}.log"
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace")
                lines = text.splitlines()
                if len(lines) > 150:
                    text = f"[... {len(lines) - 150} earlier lines in {path}]\n" + "\n".join(lines[-150:])
                out[binary] = text
        return out

    # --- notifyctl ---------------------------------------------------------------------

    def ctl(self, *args, timeout=30, input=None):
        binary = BIN_DIR / "notifyctl"
        assert binary.exists(), f"{binary} is not built"
        return subprocess.run([*self.launcher, str(binary), "--config", str(self.config), *args],
                              capture_output=True, text=True, timeout=timeout, input=input,
                              env=clean_env(), cwd=self.dir)

    def api_key(self, scope):
        res = self.ctl("apikey", "create", "--scope", scope)
        assert res.returncode == 0, f"apikey create failed ({res.returncode}): {res.stderr}"
        key = res.stdout.strip()
        assert key and "\n" not in key, f"apikey create printed {res.stdout!r}, not one key"
        return key

    @property
    def admin_key(self):
        if self._admin_key is None:
            self._admin_key = self.api_key("admin")
        return self._admin_key

    # --- HTTP API ------------------------------------------------------------------------

    ADMIN = object()

    def request(self, method, path, body=None, raw=None, key=ADMIN, headers=None, timeout=30):
        """body is sent as JSON, raw as given bytes. key: ADMIN, None (no header) or a key."""
        hdrs = dict(headers or {})
        if key is Stack.ADMIN:
            key = self.admin_key
        if key is not None:
            hdrs["Authorization"] = f"Bearer {key}"
        data = raw
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if data is not None:
            hdrs.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return Response(resp.status, dict(resp.getheaders()), resp.read())
        finally:
            conn.close()

    def submit(self, **fields):
        """POST /v1/notifications; asserts 202 and returns the response document."""
        res = self.request("POST", "/v1/notifications", body=fields)
        assert res.status == 202, f"POST /v1/notifications: {res!r}"
        return res.json

    def submit_batch(self, notifications):
        res = self.request("POST", "/v1/notifications/batch", body={"notifications": notifications})
        assert res.status == 202, f"POST /v1/notifications/batch: {res!r}"
        items = res.json["notifications"]
        assert len(items) == len(notifications), f"batch answered {len(items)} items"
        bad = [it for it in items if "id" not in it]
        assert not bad, f"batch refused items: {bad[:3]}"
        return [it["id"] for it in items]

    def get(self, notification_id):
        res = self.request("GET", f"/v1/notifications/{notification_id}")
        assert res.status == 200, f"GET /v1/notifications/{notification_id}: {res!r}"
        return res.json

    def wait_final(self, notification_id, timeout=20):
        """Polls until every delivery of the notification is in a final state."""
        def done():
            doc = self.get(notification_id)
            states = doc.get("states") or {}  # counts every delivery, listed or not
            if states and set(states) <= FINAL_STATES:
                return doc
            return None
        return wait_for(done, timeout, f"the deliveries of {notification_id} to end",
                        check=self.check_running)

    # --- the store, read directly ----------------------------------------------------------

    def store_query(self, sql, *params):
        if self.database:
            return mariadb().execute(self.database, sql, params)
        db = sqlite3.connect(f"file:{self.store_path}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()

    def store_connection(self):
        """A connection that writes to the store (StoreConnection), either backend."""
        return StoreConnection(self)

    def store_files(self):
        """The files the store's data is in (on MariaDB: its database's tables and the
        server's redo log)."""
        if self.database:
            data = mariadb().dir / "data"
            return sorted((data / self.database).iterdir()) + sorted(data.glob("ib_logfile*"))
        return sorted(self.dir.glob(self.store_path.name + "*"))

    def delivery_states(self):
        return dict(self.store_query("SELECT state, count(*) FROM deliveries GROUP BY state"))


class StoreConnection:
    """Writes straight into a stack's store, with SQLite's ? parameters on either backend:
    execute() returns the rows as a list; leaving a `with` block commits and closes."""

    def __init__(self, stack):
        self.on_mariadb = bool(stack.database)
        self.db = (mariadb().connect(stack.database, autocommit=False) if self.on_mariadb
                   else sqlite3.connect(str(stack.store_path), timeout=10))

    def execute(self, sql, params=()):
        if self.on_mariadb:
            from mariadb_server import run
            return run(self.db, sql, params)
        return self.db.execute(sql, params).fetchall()

    def commit(self):
        self.db.commit()

    def close(self):
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, kind, value, trace):
        if kind is None:
            self.commit()
        self.close()
