# test_chaos.py - the chaos drill: under a steady load of sends (HTTP, and some through
# notifyctl over ZeroMQ), one daemon at a time (ingest, the router or the worker, in a
# random order from a seeded RNG) is killed with SIGKILL every few seconds for a minute
# and started again. Then every acknowledged notification must end, reach the webhook
# receiver, and no delivery may arrive more often than the kills allow.
#
# Acknowledged: a send that got 202 (HTTP) or exit 0 (notifyctl). A send refused while
# ingest is down is tried again with the same idempotency key, as a client does, so a
# notification acknowledged and then lost, or stored twice, shows.
# Duplicates: a delivery arrives twice only if it was in flight when its worker or the
# router died (sent, but its result not yet in the store). Each arrival after the first
# is put down to the first worker or router kill after the arrival before it; the
# arrivals put down to one kill may not exceed the in-flight window, worker.concurrency
# (the credit the router gives the one worker), and none may be left without a kill.
#
# NOTIFY_CHAOS_SEED picks the order and timing of the kills (printed; random when unset),
# NOTIFY_CHAOS_SECONDS how long the kills go on (default 60).

import collections
import http.client
import os
import random
import threading
import time
from dataclasses import dataclass

from notify_stack import FINAL_STATES, wait_for

CHAOS_SECONDS = float(os.environ.get("NOTIFY_CHAOS_SECONDS") or 60)
KILL_EVERY = (2.0, 4.0)  # seconds between kills, drawn from the seeded RNG
HTTP_RATE = 150          # sends per second over HTTP
CTL_RATE = 4             # sends per second through notifyctl (one process each)
HTTP_CLIENTS = 8         # threads sending over HTTP
CONCURRENCY = 32         # worker.concurrency: the in-flight window of the one worker
RETRY_PAUSE = 0.05       # a client's pause before it sends a refused request again
SEND_DEADLINE = 60       # seconds a send may take to be acknowledged, retries included
DRAIN_DEADLINE = 180     # seconds for every acknowledged delivery to end after the load
SLACK = 0.5  # seconds: the receiver may read a request after the worker that sent it died
PRIORITIES = ("high", "medium", "low")


class Load:
    """A steady stream of sends to channel "hook", each retried with its idempotency key
    until it is acknowledged. stop() ends the stream; sends already begun finish."""

    def __init__(self, stack, api_key):
        self.stack, self.api_key = stack, api_key
        self.acked = {}  # idempotency key -> notification id
        self.via = collections.Counter()  # acknowledgements by "http" and "notifyctl"
        self.retries = collections.Counter()
        self.replayed = 0  # retries answered with the first attempt's id: ingest had stored it
        self.errors = []  # answers no client should get
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._next = {"http": 0, "notifyctl": 0}
        self._threads = [threading.Thread(target=self._run, args=("http", HTTP_RATE, self._send_http))
                         for _ in range(HTTP_CLIENTS)]
        self._threads.append(threading.Thread(target=self._run,
                                              args=("notifyctl", CTL_RATE, self._send_ctl)))

    def start(self):
        self._t0 = time.monotonic()
        for t in self._threads:
            t.start()

    def stop(self, timeout):
        self._stop.set()
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)

    def _run(self, via, rate, send):
        while True:
            with self._lock:
                seq = self._next[via]
                self._next[via] += 1
            # Pacing: send number `seq` is due at seq/rate seconds after the start.
            if self._stop.wait(max(0.0, self._t0 + seq / rate - time.monotonic())):
                return
            send(seq)

    def _retry(self, via, key, started, why):
        if time.monotonic() - started > SEND_DEADLINE:
            self._error(f"{key}: not acknowledged within {SEND_DEADLINE}s; last: {why}")
            return False
        with self._lock:
            self.retries[via] += 1
        time.sleep(RETRY_PAUSE)
        return True

    def _ack(self, via, key, notification_id):
        with self._lock:
            self.acked[key] = notification_id
            self.via[via] += 1

    def _error(self, text):
        with self._lock:
            self.errors.append(text)

    def _send_http(self, seq):
        key = f"chaos-{seq}"
        body = {"channel": "hook", "subject": f"chaos {seq}", "body": "chaos drill",
                "priority": PRIORITIES[seq % 3], "idempotency_key": key}
        started = time.monotonic()
        while True:
            try:
                res = self.stack.request("POST", "/v1/notifications", body=body,
                                         key=self.api_key, timeout=10)
            except (OSError, http.client.HTTPException) as e:  # ingest is down or died
                res, why = None, repr(e)
            else:
                why = repr(res)
                if res.status == 202:
                    if res.headers.get("Idempotent-Replayed") == "true":
                        with self._lock:
                            self.replayed += 1
                    return self._ack("http", key, res.json["id"])
                if res.status not in (429, 503):
                    return self._error(f"{key}: {res!r}")
            if not self._retry("http", key, started, why):
                return

    def _send_ctl(self, seq):
        key = f"chaos-ctl-{seq}"
        started = time.monotonic()
        while True:
            res = self.stack.ctl("--timeout", "5s", "send", "--channel", "hook",
                                 "--subject", f"chaos ctl {seq}", "--priority", PRIORITIES[seq % 3],
                                 "--idempotency-key", key, "chaos drill (notifyctl)")
            if res.returncode == 0:
                return self._ack("notifyctl", key, res.stdout.strip())
            if res.returncode not in (69, 75):  # unavailable, temporary: try again
                return self._error(f"{key}: notifyctl exit {res.returncode}: {res.stderr.strip()}")
            if not self._retry("notifyctl", key, started, res.stderr.strip()):
                return


@dataclass
class Kill:
    daemon: str
    at: float        # time.time() just before SIGKILL
    in_flight: int   # deliveries in flight in the store at that moment
    restart: float   # seconds until the daemon was ready again
    duplicates: int = 0


def in_flight_now(stack):
    return stack.store_query("SELECT count(*) FROM deliveries WHERE state = 'in-flight'")[0][0]


def kill_and_restart(stack, daemon):
    # The router's share is what the store holds as in flight once it is dead (what the
    # next router queues again); a worker's is what the router had handed out before.
    before = in_flight_now(stack)
    at = time.time()
    stack.kill(daemon)
    in_flight = in_flight_now(stack) if daemon == "router" else before
    stack.start(daemon)
    return Kill(daemon, at, in_flight, time.time() - at)


def attribute_duplicates(arrivals, kills):
    """Puts each arrival of a delivery after its first down to the first worker or router
    kill at or after the arrival before it (less SLACK) and before this one. Counts them
    on the kills; returns the number left without a kill."""
    causes = [k for k in kills if k.daemon in ("router", "worker")]
    unexplained = 0
    for times in arrivals.values():
        for previous, this in zip(times, times[1:]):
            cause = next((k for k in causes if previous - SLACK <= k.at <= this), None)
            if cause is None:
                unexplained += 1
            else:
                cause.duplicates += 1
    return unexplained


def test_chaos_kills_lose_nothing(http_receiver, make_stack, capsys):
    seed = int(os.environ.get("NOTIFY_CHAOS_SEED") or random.SystemRandom().randrange(1 << 32))
    rng = random.Random(seed)
    with capsys.disabled():
        print(f"\nchaos: seed {seed} (NOTIFY_CHAOS_SEED={seed} repeats this run)")

    receiver = http_receiver()
    # A delivery in flight at three worker kills would end failed by the poison-job
    # rule (router.max_worker_deaths); these kills are the drill's, not the job's.
    stack = make_stack(settings={"worker.concurrency": CONCURRENCY,
                                 "router.max_worker_deaths": 1000},
                       providers={"chaos-hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["chaos-hook"]})
    stack.start()
    load = Load(stack, stack.api_key("send"))
    load.start()
    kills = []
    try:
        wait_for(lambda: receiver.count() >= 100 or load.errors, 30,
                 "the load to reach the receiver", check=stack.check_running)
        chaos_start = time.time()
        round_ = []
        while time.time() - chaos_start < CHAOS_SECONDS and not load.errors:
            time.sleep(rng.uniform(*KILL_EVERY))  # the kill interval: the drill's design
            stack.check_running()  # a daemon that died by itself is a finding
            if not round_:  # every daemon once per round, in a random order
                round_ = ["ingest", "router", "worker"]
                rng.shuffle(round_)
            kills.append(kill_and_restart(stack, round_.pop()))
    finally:
        stopped = load.stop(timeout=SEND_DEADLINE + 30)
    assert stopped, "the load generator's sends did not finish"
    assert not load.errors, f"{len(load.errors)} sends failed: {load.errors[:5]}"

    acked = set(load.acked.values())
    assert len(acked) == len(load.acked), "two idempotency keys got the same notification id"

    def deliveries():
        return {d: (n, s) for d, n, s in stack.store_query(
            "SELECT id, notification_id, state FROM deliveries")}

    def ended():
        rows = deliveries()
        have = {n for n, _ in rows.values()}
        return acked <= have and all(s in FINAL_STATES for n, s in rows.values() if n in acked)
    drain_start = time.time()
    drain_problem = None
    try:
        wait_for(ended, DRAIN_DEADLINE, "every acknowledged delivery to end", interval=0.5,
                 check=stack.check_running)
    except AssertionError as e:
        drain_problem = str(e)
    drain_took = time.time() - drain_start
    # A worker that stops finishes its transfers: after this no arrival is still to come.
    problems = stack.stop_all()

    rows = deliveries()
    stored = {n for (n,) in stack.store_query("SELECT id FROM notifications")}
    expected = {d for d, (n, _) in rows.items() if n in acked}
    arrivals = collections.defaultdict(list)
    for req in receiver.snapshot():
        arrivals[req.delivery_id].append(req.at)
    for times in arrivals.values():
        times.sort()
    unexplained = attribute_duplicates(arrivals, kills)
    duplicates = sum(len(t) - 1 for t in arrivals.values())
    with_delivery = {rows[d][0] for d in expected}
    lost = len(expected - set(arrivals)) + len(acked - with_delivery)
    not_ended = sum(1 for d in expected if rows[d][1] not in FINAL_STATES) + len(acked - with_delivery)
    unexpected = set(arrivals) - expected
    states = collections.Counter(rows[d][1] for d in expected)

    lines = [
        f"chaos: seed {seed}, {len(kills)} kills in {CHAOS_SECONDS:.0f}s, load {HTTP_RATE}/s HTTP"
        f" + {CTL_RATE}/s notifyctl, worker.concurrency {CONCURRENCY}, drain {drain_took:.1f}s",
        f"  acknowledged        {len(acked):6d}  (http {load.via['http']}, notifyctl "
        f"{load.via['notifyctl']}; retried sends: http {load.retries['http']}, "
        f"notifyctl {load.retries['notifyctl']}; answered as replays {load.replayed})",
        f"  delivered           {len(expected & set(arrivals)):6d}  (arrivals {receiver.count()})",
        f"  duplicates          {duplicates:6d}  (without a kill to explain them: {unexplained})",
        f"  lost                {lost:6d}",
        f"  not ended           {not_ended:6d}  (states: {dict(states)})",
        f"  stored, not acked   {len(stored - acked):6d}",
        f"  unexpected arrivals {len(unexpected):6d}",
        "  kill  daemon   at(s)  restart(s)  in-flight  duplicates",
    ]
    for i, k in enumerate(kills, 1):
        lines.append(f"  {i:4d}  {k.daemon:<7s} {k.at - chaos_start:6.1f}  {k.restart:10.2f}"
                     f"  {k.in_flight:9d}  {k.duplicates:10d}")
    with capsys.disabled():
        print("\n".join(lines))

    assert not problems, "; ".join(problems)
    assert drain_problem is None, drain_problem
    assert {k.daemon for k in kills} == {"ingest", "router", "worker"}, "not every daemon was killed"
    assert lost == 0 and not_ended == 0, f"lost {lost}, not ended {not_ended}"
    assert states == {"sent": len(expected)}, f"the receiver took everything, yet: {dict(states)}"
    assert not stored - acked, f"{len(stored - acked)} notifications stored that no send got"
    assert not unexpected, f"arrivals of unknown deliveries: {sorted(unexpected)[:5]}"
    assert unexplained == 0, f"{unexplained} duplicates with no worker or router kill before them"
    over = [k for k in kills if k.duplicates > CONCURRENCY]
    assert not over, f"more duplicates than the in-flight window ({CONCURRENCY}) at: {over}"
