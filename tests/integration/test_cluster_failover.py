# test_cluster_failover.py - the whole cluster on loopback, each part failing in turn
# under a steady load: a MariaDB leader and a replica of it (real replication),
# two ingests, two routers (sharing four partitions, two each) and two workers,
# each worker connected to both routers and each notifyctl to both ingests. While
# sends go through both ingests: one router is killed with SIGKILL (the other
# takes its partitions over), one ingest is killed (its notifyctl asks the other,
# with the same idempotency key), the replica is stopped (reads move to the
# leader), and each is started again (the router takes its share back). Every
# send is stored once and delivered; only those in flight with the killed router
# are delivered twice. The counts are printed.

import json
import threading
import time
from collections import Counter

from notify_stack import free_port, lease_holders, router_id, sharing, wait_for


def cluster(make_stack, receiver, leader, replica, tmp_path):
    url, password, database = leader.new_database()
    leader._client(f"GRANT SLAVE MONITOR ON *.* TO '{database}'@'127.0.0.1'")
    secret = tmp_path / "store.password"
    secret.write_text(password + "\n", encoding="utf-8")
    secret.chmod(0o600)
    ports = lambda: [f"tcp://127.0.0.1:{free_port()}" for _ in range(2)]
    listen, control, ingest = ports(), ports(), ports()
    shared = {"store.backend": "mysql", "store.url": url, "store.password": f"file:{secret}",
              "store.replicas": [f"mysql://{database}@127.0.0.1:{replica.port}/{database}"],
              "router.partition_lease": "2s", "router.partitions": 4, "worker.router": listen,
              "ingest.router": control}
    common = {"providers": {"hook": {"type": "webhook", "url": receiver.url}},
              "channels": {"hook": ["hook"]}}
    stacks = [make_stack(settings={**shared, "router.listen": listen[i],
                                   "router.control": control[i], "ingest.listen": ingest[i],
                                   "notifyctl.ingest": [ingest[i], ingest[1 - i]]}, **common)
              for i in range(2)]
    return stacks, database


def status(stack):
    res = stack.ctl("--json", "cluster", "status")
    assert res.returncode in (0, 1), (res.returncode, res.stderr)
    return json.loads(res.stdout)




class Senders:
    """notifyctl send through each stack (so through both ingests), one after
    another on a thread per stack, until stopped."""

    def __init__(self, stacks):
        self.results = []  # (time.time() when sent, returncode, stdout, stderr)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(s,)) for s in stacks]
        for t in self.threads:
            t.start()

    def run(self, stack):
        n = 0
        while not self.stop.is_set():
            at = time.time()
            res = stack.ctl("send", "--channel", "hook", "--json", f"steady {stack.dir.name} {n}",
                            timeout=60)
            with self.lock:
                self.results.append((at, res.returncode, res.stdout, res.stderr))
            n += 1

    def count(self):
        with self.lock:
            return len(self.results)

    def more(self, n, what):
        start = self.count()
        wait_for(lambda: self.count() >= start + n, 120, what)

    def end(self):
        self.stop.set()
        for t in self.threads:
            t.join(120)


def test_the_cluster_survives_each_part_failing(pair, http_receiver, make_stack, tmp_path):
    leader, replica = pair
    receiver = http_receiver()
    (a, b), database = cluster(make_stack, receiver, leader, replica, tmp_path)
    a.start()
    b.start("worker", "ingest")
    b._spawn("router")
    wait_for(lambda: sharing(a, a, b), 30, "the routers sharing the partitions",
             check=b.check_running)

    senders = Senders([a, b])
    try:
        senders.more(20, "sends through both ingests")

        # A router killed: b's takes its partitions over.
        a.kill("router")
        router_killed = time.time()
        wait_for(lambda: lease_holders(a) == {router_id(b): [0, 1, 2, 3]}, 30,
                 "b's router holding every partition", check=b.check_running)
        took_over = time.time() - router_killed
        senders.more(20, "sends after the router's failover")

        # An ingest killed: a's notifyctl asks b's ingest.
        a.kill("ingest")
        senders.more(20, "sends while ingest a is down")

        # The replica stopped: reads go to the leader, and nothing fails.
        replica.halt()
        listed = a.ctl("ls", "--json")
        assert listed.returncode == 0, listed.stderr
        res = b.request("GET", "/v1/notifications?limit=10")
        assert res.status == 200, res
        senders.more(20, "sends while the replica is down")

        # Each started again: a's router takes its share back, its ingest answers.
        replica.resume()
        a.start("ingest")
        a._spawn("router")
        wait_for(lambda: sharing(a, a, b), 30, "the routers sharing the partitions again",
                 check=a.check_running)
        senders.more(20, "sends with every part back")
    finally:
        senders.end()

    failed = [(code, err) for _, code, _, err in senders.results if code != 0]
    assert not failed, failed[:5]
    ids = [json.loads(out)["id"] for _, _, out, _ in senders.results]
    assert len(set(ids)) == len(ids), "one send stored under two ids, or ids repeated"
    for nid in ids:
        assert a.wait_final(nid, timeout=60)["states"] == {"sent": 1}, nid
    stored = int(leader.query(database, "SELECT count(*) FROM notifications")[0][0])
    got = receiver.snapshot()
    counts = Counter(r.json["notification_id"] for r in got)
    first = {}
    for r in got:
        nid = r.json["notification_id"]
        first[nid] = min(first.get(nid, r.at), r.at)
    lost = [nid for nid in ids if counts[nid] == 0]
    twice = [nid for nid in ids if counts[nid] > 1]
    print(f"cluster: {len(ids)} sends through two ingests, {stored} stored, "
          f"{len(ids) - len(lost)} delivered, {len(lost)} lost, {len(twice)} delivered twice "
          f"(in flight when the router was killed); its partitions taken over in "
          f"{took_over:.1f} s")
    assert stored == len(ids), f"{stored} notifications stored for {len(ids)} sends"
    assert not lost, lost[:5]
    assert all(first[nid] <= router_killed for nid in twice), \
        "a send delivered twice that the killed router had not handed out"
    assert set(counts) == set(ids)
