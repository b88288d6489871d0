# test_single_instance.py - one instance of each daemon per runtime_dir: a second
# notify-ingest, notify-priority-router, named notify-channel-worker or `notifyctl up`
# with the same configuration says which PID holds the lock and exits 75, leaving
# the first stack's sockets alone (cancel and resend through them still work). And the
# store's files, which hold bodies and the unsubscribe secret, are the owner's alone.

import os
import stat
import subprocess

import pytest

from notify_stack import BIN_DIR, DAEMONS, ON_MARIADB, clean_env, wait_for

HOOK = "hook"


def hook_stack(make_stack, receiver):
    stack = make_stack(providers={HOOK: {"type": "webhook", "url": receiver.url}},
                       channels={"hook": [HOOK]})
    stack.start()
    return stack


def run_daemon(stack, name, *args, timeout=20):
    return subprocess.run([str(BIN_DIR / DAEMONS[name]), "--config", str(stack.config), *args],
                          capture_output=True, text=True, timeout=timeout, env=clean_env(),
                          cwd=stack.dir)


def sockets(stack):
    return {p.name: p.stat().st_ino for p in stack.run_dir.iterdir() if p.is_socket()}


def states(stack, nid):
    return [d["state"] for d in stack.get(nid)["deliveries"]]


def test_a_second_stack_is_refused_and_the_first_keeps_working(http_receiver, make_stack):
    stack = hook_stack(make_stack, http_receiver())
    before = sockets(stack)
    assert {"ingest.sock", "router.sock", "router-control.sock"} <= set(before), before

    for name in ("ingest", "router"):
        res = run_daemon(stack, name)
        holder = stack.procs[name].pid
        assert res.returncode == 75, f"second {DAEMONS[name]}: {res.returncode} {res.stderr!r}"
        assert f"{DAEMONS[name]} is already running (pid {holder} holds" in res.stderr, res.stderr

    res = stack.ctl("up", timeout=30)
    assert res.returncode == 75, f"second notifyctl up: {res.returncode} {res.stderr!r}"
    assert f"(pid {stack.procs['router'].pid})" in res.stderr, res.stderr
    assert "already running for runtime_dir" in res.stderr, res.stderr

    # The first stack's sockets are the same files, and answer.
    assert sockets(stack) == before
    stack.check_running()
    nid = stack.submit(channel="hook", body="later", send_at="now+1h")["id"]
    res = stack.ctl("cancel", nid)
    assert res.returncode == 0, f"cancel: {res.returncode} {res.stderr!r}"
    assert states(stack, nid) == ["canceled"]
    res = stack.ctl("resend", nid)
    assert res.returncode == 0, f"resend: {res.returncode} {res.stderr!r}"
    assert states(stack, nid) == ["scheduled"]


def test_workers_run_side_by_side_but_not_under_one_name(http_receiver, make_stack):
    stack = hook_stack(make_stack, http_receiver())
    log = open(stack.dir / "worker-w1.log", "wb")
    first = subprocess.Popen([str(BIN_DIR / DAEMONS["worker"]), "--config", str(stack.config),
                              "--name", "w1"], stdout=log, stderr=log, env=clean_env(),
                             cwd=stack.dir)
    log.close()
    try:
        lock = stack.run_dir / "notify-channel-worker.w1.lock"
        def still_running():
            assert first.poll() is None, f"worker w1 exited with {first.returncode}"

        wait_for(lambda: lock.exists() and lock.read_text().strip() == str(first.pid), 15,
                 "the first w1 worker to hold its lock", check=still_running)
        res = run_daemon(stack, "worker", "--name", "w1")
        assert res.returncode == 75, f"second w1: {res.returncode} {res.stderr!r}"
        assert f"pid {first.pid} holds" in res.stderr, res.stderr
        assert first.poll() is None
        # The stack's own worker (its default name) ran beside w1 all along.
        stack.check_running("worker")
    finally:
        first.terminate()
        assert first.wait(timeout=10) == 0


@pytest.mark.skipif(ON_MARIADB, reason="the SQLite store's files")
def test_the_store_and_its_wal_and_shm_are_private(http_receiver, make_stack):
    old = os.umask(0o022)  # a umask that would leave them readable by all
    try:
        stack = hook_stack(make_stack, http_receiver())
        stack.submit(channel="hook", body="hello")
    finally:
        os.umask(old)
    for suffix in ("", "-wal", "-shm"):
        path = f"{stack.store_path}{suffix}"
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode == 0o600, f"{path} is {mode:o}"
