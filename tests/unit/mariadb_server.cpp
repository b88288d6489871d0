// mariadb_server.cpp - see mariadb_server.hpp.
#include "mariadb_server.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "temp_dir.hpp"

namespace notify::testing {

namespace {

std::string program(const std::string& name) {
    for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/usr/local/sbin/", "/usr/local/bin/"}) {
        const std::string path = std::string(dir) + name;
        if (::access(path.c_str(), X_OK) == 0) return path;
    }
    return "";
}

std::string user_name() {
    return ::geteuid() == 0 ? "root" : (std::getenv("USER") ? std::getenv("USER") : "");
}

class Server {
  public:
    Server() {
        const std::string install = program("mariadb-install-db");
        const std::string server = program("mariadbd");
        if (install.empty() || server.empty()) {
            failure_ = "mariadb-server is not installed (scripts/install-deps installs it)";
            return;
        }
        data_ = dir_.path + "/data";
        socket_ = dir_.path + "/mariadb.sock";
        const std::string user = "--user=" + user_name();
        // Temporary tables in a folder of its own: servers set up side by side
        // (another test program's, the integration tests') never meet in /tmp.
        const std::string tmpdir = "--tmpdir=" + dir_.path;
        const std::string prepare = install + " --no-defaults --datadir=" + data_ + " " + tmpdir +
                                    " --auth-root-authentication-method=normal --skip-test-db " +
                                    user + " > " + dir_.path + "/install.log 2>&1";
        if (std::system(prepare.c_str()) != 0) {
            failure_ = "mariadb-install-db failed; see " + dir_.path + "/install.log";
            return;
        }
        pid_ = ::fork();
        if (pid_ == 0) {
            const std::string log = dir_.path + "/server.log";
            freopen(log.c_str(), "w", stdout);
            freopen(log.c_str(), "a", stderr);
            const std::string datadir = "--datadir=" + data_;
            const std::string sock = "--socket=" + socket_;
            const std::string pid_file = "--pid-file=" + dir_.path + "/mariadbd.pid";
            execl(server.c_str(), server.c_str(), "--no-defaults", datadir.c_str(), sock.c_str(),
                  tmpdir.c_str(), "--skip-networking", user.c_str(), pid_file.c_str(),
                  "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=2",
                  static_cast<char*>(nullptr));
            _exit(127);
        }
        // Ready once it takes a connection.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                failure_ = "mariadbd ended at start; see " + dir_.path + "/server.log";
                return;
            }
            try {
                store::MariaDb probe(target(""));
                return;
            } catch (const store::StoreFailure&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
        failure_ = "mariadbd did not take connections within 60 s";
    }
    ~Server() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    store::MariaTarget target(const std::string& database) const {
        store::MariaTarget t;
        t.socket = socket_;
        t.user = "root";
        t.database = database;
        return t;
    }
    const std::string& failure() const { return failure_; }
    const std::string& socket() const { return socket_; }

  private:
    TempDir dir_;
    std::string data_, socket_, failure_;
    pid_t pid_ = -1;
};

Server& server() {
    static Server s;
    if (!s.failure().empty()) FAIL(s.failure());
    return s;
}

}  // namespace

store::MariaTarget fresh_mariadb_database() {
    static int made = 0;
    Server& s = server();
    const std::string name = "test_" + std::to_string(++made);
    store::MariaDb admin(s.target(""));
    admin.exec(("DROP DATABASE IF EXISTS " + name).c_str());
    admin.exec(("CREATE DATABASE " + name).c_str());
    return s.target(name);
}

std::string mariadb_socket() {
    return server().socket();
}

bool stores_on_mariadb() {
    const char* on = std::getenv("NOTIFY_TEST_STORE");
    return on && std::string(on) == "mariadb";
}

SharedStore::SharedStore() {
    if (stores_on_mariadb()) target_ = fresh_mariadb_database();
}

std::unique_ptr<store::Store> SharedStore::open() {
    auto s = stores_on_mariadb() ? store::Store::open(target_, {})
                                 : store::Store::open(dir_.path + "/notify.db", {});
    REQUIRE(s);
    return std::move(*s);
}

}  // namespace notify::testing
