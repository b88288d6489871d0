#!/usr/bin/python3
# tests/bench/capacity.py - the parts of the capacity model (README, "Running more than
# one host") that one machine can check: what one notification costs each daemon in CPU
# and in round trips to the store, on MariaDB. It runs a stack of the integration
# harness (its own mariadbd on a loopback socket) in two phases:
#   accept   notify-ingest alone takes --count notifications over HTTP, in batches of
#            --batch (the router and the worker stopped);
#   deliver  the router and the worker start and deliver them all to a webhook receiver.
# Round trips are the statements MariaDB received in each phase (its Questions counter,
# the presence rows' beats included), and CPU is each process's user + system time
# (/proc). Both are printed per notification.
#
#   tests/bench/capacity.py [BUILD_DIR] [--count N] [--batch B]

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse():
    p = argparse.ArgumentParser(description="what one notification costs each daemon")
    p.add_argument("build", nargs="?", default="build")
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--batch", type=int, default=100)
    return p.parse_args()


ARGS = parse()
os.environ["NOTIFY_BIN_DIR"] = str(Path(ARGS.build).resolve() / "bin")
os.environ["NOTIFY_TEST_STORE"] = "mariadb"
sys.path.insert(0, str(HERE.parent / "integration"))
from notify_stack import Stack, mariadb, wait_for  # noqa: E402
from receivers import HttpReceiver  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system time of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def statements():
    """The statements MariaDB has received so far."""
    rows = mariadb().query(None, "SHOW GLOBAL STATUS LIKE 'Questions'")
    return int(rows[0][1])


class Phase:
    """CPU of each process and statements received, from start to end()."""

    def __init__(self, pids):
        self.pids = pids
        self.cpu = {name: cpu_seconds(pid) for name, pid in pids.items()}
        self.statements = statements()
        self.started = time.monotonic()

    def end(self):
        self.seconds = time.monotonic() - self.started
        self.statements = statements() - self.statements
        self.cpu = {name: cpu_seconds(pid) - self.cpu[name] for name, pid in self.pids.items()}
        return self


def main():
    receiver = HttpReceiver()
    stack = Stack(tempfile.mkdtemp(prefix="notify-capacity-"), {"log.level": "warning"},
                  providers={"hook": {"type": "webhook", "url": receiver.url}},
                  channels={"hook": ["hook"]})
    server = Path(mariadb().dir / "mariadbd.pid").read_text().strip()
    try:
        stack.start()
        stack.stop("router")
        stack.stop("worker")
        pids = {"ingest": stack.procs["ingest"].pid, "mariadbd": int(server)}
        accept = Phase(pids)
        body = [{"channel": "hook", "body": f"capacity {i}"} for i in range(ARGS.batch)]
        for _ in range(ARGS.count // ARGS.batch):
            stack.submit_batch(body)
        accept.end()
        n = ARGS.count // ARGS.batch * ARGS.batch

        stack.start("router", "worker")
        pids = {"router": stack.procs["router"].pid, "worker": stack.procs["worker"].pid,
                "ingest": stack.procs["ingest"].pid, "mariadbd": int(server)}
        deliver = Phase(pids)
        wait_for(lambda: receiver.count() >= n, 600, f"{n} deliveries", interval=0.2)
        deliver.end()
    finally:
        stack.stop_all()
        receiver.close()

    print(f"capacity, MariaDB, {n} notifications in batches of {ARGS.batch}, "
          f"{os.cpu_count()} cores")
    for name, phase in (("accept", accept), ("deliver", deliver)):
        cpu = ", ".join(f"{who} {phase.cpu[who] / n * 1e6:.0f} µs"
                        for who in phase.cpu)
        print(f"  {name}: {phase.seconds:.1f} s, {phase.statements / n:.3f} statements "
              f"per notification ({phase.statements} in all); CPU per notification: {cpu}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
