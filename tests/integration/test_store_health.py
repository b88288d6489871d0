# test_store_health.py - no send is acknowledged that the store cannot keep, and
# /healthz says what the store can do now:
#   - the store file deleted or replaced under a running ingest: sends get 503
#     store_unavailable (notifyctl exits 75) and /healthz 503, without traffic;
#   - a full disk (a small tmpfs in a mount namespace of its own, filled up):
#     sends get 503, the router backs off and logs a few lines rather than one
#     per try, and once space is freed /healthz is 200 again within a couple of
#     seconds with no traffic, and the held outcomes are written.

import errno
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time

import pytest

from notify_stack import ON_MARIADB, wait_for

pytestmark = pytest.mark.skipif(
    ON_MARIADB, reason="the SQLite store's file; a MariaDB server going away is "
                       "test_mysql_store's")
from receivers import Reply, always

HOOK = "hook-1"


def hook_stack(make_stack, receiver, settings=None):
    return make_stack(settings=settings,
                      providers={HOOK: {"type": "webhook", "url": receiver.url}},
                      channels={"hook": [HOOK]})


def healthz(stack):
    return stack.request("GET", "/healthz", key=None, timeout=5).status


def send(stack, subject, body="checking"):
    return stack.request("POST", "/v1/notifications",
                         body={"channel": "hook", "subject": subject, "body": body})


def log_lines(stack, name):
    path = stack.log_path(name)
    return path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []


def replace_with_copy(path):
    """Puts a valid copy of the store where it was: another file (inode) at the same path."""
    copy = f"{path}.copy"
    src, dst = sqlite3.connect(path), sqlite3.connect(copy)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    os.replace(copy, path)


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_store_file_gone_under_ingest_takes_no_send(how, http_receiver, make_stack):
    receiver = http_receiver()
    stack = hook_stack(make_stack, receiver)
    stack.start()
    first = stack.submit(channel="hook", subject="before", body="stored")["id"]
    assert stack.wait_final(first)["deliveries"][0]["state"] == "sent"

    if how == "deleted":
        os.unlink(stack.store_path)
    else:
        replace_with_copy(stack.store_path)

    # Without any traffic, /healthz finds out by itself.
    wait_for(lambda: healthz(stack) == 503, 5, "GET /healthz = 503 with the store file " + how)

    res = send(stack, "after")
    assert res.status == 503, f"a send was acknowledged into a store file that is gone: {res!r}"
    assert res.json["error"]["code"] == "store_unavailable", res.json
    assert "deleted or replaced" in res.json["error"]["message"], res.json

    ctl = stack.ctl("send", "--channel", "hook", "--subject", "after", "from notifyctl")
    assert ctl.returncode == 75, (ctl.returncode, ctl.stdout, ctl.stderr)

    assert healthz(stack) == 503
    log = "\n".join(log_lines(stack, "ingest"))
    assert "deleted or replaced" in log, log[-2000:]


@pytest.fixture
def small_filesystem():
    """An 8 MiB tmpfs in a mount namespace of its own, held by a sleeping process;
    programs run in it through `launcher`, the test reaches its files through `view`."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"):
        pytest.skip("needs root with unshare(1) and nsenter(1) to mount a small tmpfs")
    holder = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sleep", "infinity"])
    mountpoint = tempfile.mkdtemp(prefix="notify-fs-")
    try:
        own = os.readlink("/proc/self/ns/mnt")
        wait_for(lambda: os.readlink(f"/proc/{holder.pid}/ns/mnt") != own, 5,
                 "the mount namespace of the holder")
        launcher = ["nsenter", "-t", str(holder.pid), "-m", "--"]
        mounted = subprocess.run([*launcher, "mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs",
                                  mountpoint], capture_output=True, text=True)
        if mounted.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs in a private mount namespace: {mounted.stderr}")
        yield {"path": mountpoint, "view": f"/proc/{holder.pid}/root{mountpoint}",
               "launcher": launcher}
    finally:
        holder.kill()
        holder.wait()
        os.rmdir(mountpoint)


def fill(path):
    """Writes `path` until the file system has no space left."""
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError as e:
            assert e.errno == errno.ENOSPC, e


def test_a_full_disk_refuses_sends_backs_off_and_recovers_without_traffic(
        small_filesystem, http_receiver, make_stack):
    receiver = http_receiver(respond=always(Reply(200, delay=1.0)))
    stack = hook_stack(make_stack, receiver,
                       settings={"store.path": small_filesystem["path"] + "/notify.db"})
    stack.launcher = small_filesystem["launcher"]
    stack.start()
    # In flight while the disk fills: the router cannot record their outcomes.
    held = [stack.submit(channel="hook", subject=f"held {i}", body="x")["id"] for i in range(5)]
    wait_for(lambda: receiver.count() >= 1, 10, "the first delivery at the receiver")
    filler = small_filesystem["view"] + "/filler"
    fill(filler)

    refused = None
    for i in range(50):
        res = send(stack, f"full {i}", body="y" * 60_000)
        assert res.status in (202, 503), res
        if res.status == 503:
            refused = res
            break
    assert refused is not None, "50 sends of 60 KB each were all stored on a full 8 MiB disk"
    assert refused.json["error"]["code"] == "store_unavailable", refused.json
    assert healthz(stack) == 503

    wait_for(lambda: any("disk is full" in line for line in log_lines(stack, "router")),
             10, "the router to report that its writes fail")
    router_before, ingest_before = len(log_lines(stack, "router")), len(log_lines(stack, "ingest"))
    # Two seconds of a full disk: /healthz stays 503, and neither daemon logs each retry.
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        assert healthz(stack) == 503
        time.sleep(0.1)
    # A delivery's outcome is logged as its result comes in, whether or not it
    # can be recorded: those lines are not retries.
    router_new = [line for line in log_lines(stack, "router")[router_before:]
                  if " delivery=" not in line]
    ingest_new = log_lines(stack, "ingest")[ingest_before:]
    assert len(router_new) <= 5, f"the router logged {len(router_new)} lines in 2s: {router_new[:5]}"
    assert len(ingest_new) <= 3, f"ingest logged {len(ingest_new)} lines in 2s: {ingest_new[:5]}"

    os.unlink(filler)
    freed = time.monotonic()
    wait_for(lambda: healthz(stack) == 200, 3, "GET /healthz = 200 after space was freed, "
             "with no traffic")
    print(f"healthz 200 again {time.monotonic() - freed:.2f}s after space was freed")

    for nid in held:
        assert stack.wait_final(nid, timeout=30)["deliveries"][0]["state"] == "sent"
    assert send(stack, "after").status == 202
    assert any("works again" in line for line in log_lines(stack, "router")), \
        log_lines(stack, "router")[-20:]


def set_immutable(paths, on):
    flag = "+i" if on else "-i"
    return subprocess.run(["chattr", flag, *paths], capture_output=True, text=True)


def test_a_read_only_store_takes_no_send_and_recovers_without_traffic(http_receiver, make_stack):
    """The store's files made immutable (chattr +i: even root cannot write them, also
    through descriptors already open) under a running stack, then writable again."""
    if os.geteuid() != 0 or not shutil.which("chattr"):
        pytest.skip("needs root and chattr(1) to make the store read-only")
    receiver = http_receiver()
    stack = hook_stack(make_stack, receiver)
    stack.start()
    first = stack.submit(channel="hook", subject="before", body="stored")["id"]
    assert stack.wait_final(first)["deliveries"][0]["state"] == "sent"

    files = [p for p in (stack.store_path, f"{stack.store_path}-wal", f"{stack.store_path}-shm")
             if os.path.exists(p)]
    made = set_immutable(files, True)
    if made.returncode != 0:
        pytest.skip(f"the file system of {stack.store_path} takes no immutable flag: "
                    f"{made.stderr.strip()}")
    try:
        wait_for(lambda: healthz(stack) == 503, 5, "GET /healthz = 503 with a read-only store")
        res = send(stack, "read-only")
        assert res.status == 503, f"a send was acknowledged into a read-only store: {res!r}"
        assert res.json["error"]["code"] == "store_unavailable", res.json
        ctl = stack.ctl("send", "--channel", "hook", "--subject", "read-only", "from notifyctl")
        assert ctl.returncode == 75, (ctl.returncode, ctl.stdout, ctl.stderr)
    finally:
        set_immutable(files, False)

    wait_for(lambda: healthz(stack) == 200, 3, "GET /healthz = 200 once the store is writable "
             "again, with no traffic")
    after = send(stack, "writable again")
    assert after.status == 202, after
    assert stack.wait_final(after.json["id"])["deliveries"][0]["state"] == "sent"
