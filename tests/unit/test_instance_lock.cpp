// util/instance_lock: one holder per lock file; the next one learns its PID.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "temp_dir.hpp"
#include "util/instance_lock.hpp"

using notify::ErrorKind;
using notify::util::InstanceLock;
using notify::util::lock_path;

namespace {

using notify::testing::TempDir;

// Whether another process can take the lock: its exit status is 0 when it did,
// 75 when it was refused (flock locks belong to the open file, so a test must
// ask from another process).
int try_from_child(const std::string& path) {
    pid_t pid = fork();
    if (pid == 0) {
        auto lock = InstanceLock::acquire(path, "test");
        _exit(lock ? 0 : notify::exit_code(lock.error().kind));
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("an instance lock has one holder and names it", "[util]") {
    TempDir dir;
    std::string path = lock_path(dir.path + "/run", "notify-ingest");
    CHECK(path == dir.path + "/run/notify-ingest.lock");
    CHECK(InstanceLock::holder(path) == 0);
    {
        auto lock = InstanceLock::acquire(path, "notify-ingest");
        REQUIRE(lock);
        CHECK(try_from_child(path) == 75);
        // Its holder is seen from here only through another open file, as in a second process.
        pid_t pid = fork();
        if (pid == 0) _exit(InstanceLock::holder(path) == getppid() ? 0 : 1);
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK(WEXITSTATUS(status) == 0);
    }
    // Released with its holder.
    CHECK(try_from_child(path) == 0);
    CHECK(InstanceLock::holder(path) == 0);
}

TEST_CASE("a refused instance is told which PID holds the lock", "[util]") {
    TempDir dir;
    std::string path = lock_path(dir.path, "notify-priority-router");
    int ready[2], done[2];
    REQUIRE(pipe(ready) == 0);
    REQUIRE(pipe(done) == 0);
    pid_t holder = fork();
    if (holder == 0) {
        auto lock = InstanceLock::acquire(path, "router");
        char c = lock ? 'y' : 'n';
        (void)!write(ready[1], &c, 1);
        (void)!read(done[0], &c, 1);
        _exit(0);
    }
    char c = 0;
    REQUIRE(read(ready[0], &c, 1) == 1);
    REQUIRE(c == 'y');
    auto second = InstanceLock::acquire(path, "notify-priority-router");
    REQUIRE_FALSE(second);
    CHECK(second.error().kind == ErrorKind::temporary);
    CHECK(second.error().message == "notify-priority-router is already running (pid " +
                                        std::to_string(holder) + " holds '" + path + "')");
    CHECK(InstanceLock::holder(path) == holder);
    (void)!write(done[1], "x", 1);
    int status = 0;
    waitpid(holder, &status, 0);
    CHECK(InstanceLock::acquire(path, "notify-priority-router"));
}

TEST_CASE("a worker's name becomes a safe part of its lock file", "[util]") {
    CHECK(lock_path("/run/notify", "notify-channel-worker", "mail-1") ==
          "/run/notify/notify-channel-worker.mail-1.lock");
    CHECK(lock_path("/run/notify", "notify-channel-worker", "../x y") ==
          "/run/notify/notify-channel-worker...%2Fx%20y.lock");
    // Two names, two lock files: one worker cannot keep another from starting.
    CHECK(lock_path("/run", "w", "a/b") != lock_path("/run", "w", "a_b"));
    CHECK(lock_path("/run", "w", "a%2Fb") != lock_path("/run", "w", "a/b"));
}
