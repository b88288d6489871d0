# mariadb_server.py - a MariaDB server of the tests' own: mariadb-install-db into a
# temporary directory, mariadbd on a free loopback port (and a Unix socket for the
# harness), no other server touched. One per test session; each test makes its own
# database and user (new_database), reached as a notify store.url.

import decimal
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from notify_stack import free_port


def _program(name):
    for folder in ("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"):
        path = Path(folder) / name
        if os.access(path, os.X_OK):
            return str(path)
    return None


def _user():
    return "root" if os.geteuid() == 0 else os.environ.get("USER", "")


def _as_sqlite(value):
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(value)
    if isinstance(value, decimal.Decimal) and value == int(value):
        return int(value)
    return value


def run(db, sql, params=()):
    """`sql` with SQLite's ? parameters on a pymysql connection; its rows as SQLite's
    module gives them: text as str (the store keeps it as bytes), whole numbers as int."""
    with db.cursor() as cursor:
        if params:
            cursor.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(params))
        else:
            cursor.execute(sql)
        return [tuple(_as_sqlite(v) for v in row) for row in cursor.fetchall()]


class MariaDbServer:
    """A running mariadbd; missing() says why there is none."""

    def __init__(self, folder=None, durable=False, options=()):
        self.durable = durable
        self.options = list(options)  # more of mariadbd's options
        self.dir = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="notify-mariadb-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.socket = str(self.dir / "mariadb.sock")
        self.port = free_port()
        self.proc = None
        self.databases = 0

    @classmethod
    def running(cls, folder):
        """The server `serve` started in `folder`, shared by several test processes."""
        server = cls(folder)
        server.port = int((server.dir / "port").read_text())
        return server

    @staticmethod
    def missing():
        if not (_program("mariadb-install-db") and _program("mariadbd") and _program("mariadb")):
            return "mariadb-server is not installed (scripts/install-deps installs it)"
        return None

    def start(self, timeout=60):
        with open(self.dir / "install.log", "wb") as log:
            # Temporary tables in a folder of its own: servers set up side by side
            # never meet in /tmp.
            subprocess.run([_program("mariadb-install-db"), "--no-defaults",
                            f"--datadir={self.dir / 'data'}", f"--tmpdir={self.dir}",
                            "--auth-root-authentication-method=normal", "--skip-test-db",
                            f"--user={_user()}"], stdout=log, stderr=log, check=True)
        self.resume(timeout)

    def halt(self):
        """Stops the server and keeps its data, as a server taken down would."""
        self.proc.terminate()
        self.proc.wait(timeout=60)

    def resume(self, timeout=60):
        """Starts the server on its data, on the same port, and waits until it answers."""
        data = self.dir / "data"
        log = open(self.dir / "server.log", "ab")
        self.proc = subprocess.Popen(
            [_program("mariadbd"), "--no-defaults", f"--datadir={data}", f"--socket={self.socket}",
             f"--tmpdir={self.dir}",
             f"--port={self.port}", "--bind-address=127.0.0.1", f"--user={_user()}",
             f"--pid-file={self.dir / 'mariadbd.pid'}",
             # Durable: the redo log flushed at every commit, as in production.
             "--innodb-buffer-pool-size=" + ("1G" if self.durable else "64M"),
             "--innodb-flush-log-at-trx-commit=" + ("1" if self.durable else "2"),
             *self.options],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mariadbd ended at start; see {self.dir}/server.log")
            if self._client("SELECT 1", check=False).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError(f"mariadbd took no connection within {timeout} s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _client(self, sql, database=None, check=True):
        args = [_program("mariadb"), "--no-defaults", f"--socket={self.socket}", "-uroot",
                "--batch", "--skip-column-names", "--raw", "-e", sql]
        if database:
            args.insert(-2, database)
        return subprocess.run(args, capture_output=True, text=True, check=check)

    def query(self, database, sql):
        """The rows of `sql` in `database`, each a tuple of strings."""
        out = self._client(sql, database).stdout
        return [tuple(line.split("\t")) for line in out.splitlines()]

    def connect(self, database, autocommit=True):
        import pymysql
        return pymysql.connect(unix_socket=self.socket, user="root", database=database,
                               autocommit=autocommit)

    def execute(self, database, sql, params=()):
        """The rows of `sql` with ? parameters, as SQLite's module gives them."""
        db = self.connect(database)
        try:
            return run(db, sql, params)
        finally:
            db.close()

    def new_database(self, password="store-secret"):
        """A new empty database with a user of its own: (url, password, name)."""
        self.databases += 1
        name = f"notify{os.getpid()}_{self.databases}"
        self._client(f"CREATE DATABASE {name}; "
                     f"CREATE USER '{name}'@'127.0.0.1' IDENTIFIED BY '{password}'; "
                     f"GRANT ALL ON {name}.* TO '{name}'@'127.0.0.1'")
        return f"mysql://{name}@127.0.0.1:{self.port}/{name}", password, name


REPLICATION_PASSWORD = "replication-secret"


def replicated_pair():
    """A leader and a replica of it (real replication, by global transaction ids), both
    started; the replica copies everything the leader writes from its first write."""
    leader = MariaDbServer(options=["--server-id=1", "--log-bin=leader-bin",
                                    "--binlog-format=ROW"])
    replica = MariaDbServer(options=["--server-id=2", "--read-only=ON",
                                     "--relay-log=replica-relay-bin"])
    leader.start()
    replica.start()
    leader._client("CREATE USER 'replication'@'127.0.0.1' IDENTIFIED BY "
                   f"'{REPLICATION_PASSWORD}'; "
                   "GRANT REPLICATION SLAVE ON *.* TO 'replication'@'127.0.0.1'")
    replica._client(f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={leader.port}, "
                    f"MASTER_USER='replication', MASTER_PASSWORD='{REPLICATION_PASSWORD}', "
                    "MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE")
    return leader, replica


def replica_caught_up(leader, replica):
    """Whether the replica has applied every transaction the leader has written."""
    position = leader.query(None, "SELECT @@gtid_binlog_pos")[0][0]
    return replica.query(None, "SELECT @@gtid_slave_pos")[0][0] == position


def serve(folder, durable=""):
    """Starts a server in `folder` for other processes (NOTIFY_TEST_MARIADB_DIR) and
    returns; `stop(folder)` ends it. `durable`: flushed at every commit (the benchmark)."""
    server = MariaDbServer(folder, durable=durable == "durable")
    server.start()
    (server.dir / "port").write_text(str(server.port))
    (server.dir / "pid").write_text(str(server.proc.pid))


def stop(folder):
    folder = Path(folder)
    try:
        pid = int((folder / "pid").read_text())
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            os.kill(pid, 0)
            time.sleep(0.05)
    except ProcessLookupError:
        pass
    shutil.rmtree(folder, ignore_errors=True)


def database(folder):
    """Prints a new database's store.url and its user's password, a line each."""
    url, password, _ = MariaDbServer.running(folder).new_database()
    print(url)
    print(password)


if __name__ == "__main__":
    import sys
    {"serve": serve, "stop": stop, "database": database}[sys.argv[1]](*sys.argv[2:])
