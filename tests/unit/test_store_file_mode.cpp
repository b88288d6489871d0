// The store's files (the database, its -wal and -shm) are its owner's alone:
// they hold bodies, the user directory and the unsubscribe signing secret.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "store/store.hpp"
#include "temp_dir.hpp"

using namespace notify;

namespace {

using notify::testing::TempDir;

mode_t mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// Runs `body` under a umask that would leave files readable by all.
template <class F>
void with_umask(mode_t mask, F body) {
    mode_t old = umask(mask);
    body();
    umask(old);
}

}  // namespace

TEST_CASE("a new store, its -wal and its -shm are created 0600", "[store]") {
    TempDir dir;
    std::string db = dir.path + "/sub/notify.db";
    with_umask(022, [&] {
        auto s = store::Store::open(db, {});
        REQUIRE(s);
        // Opening a new store writes its schema: the -wal and -shm exist while it is open.
        for (const char* suffix : {"", "-wal", "-shm"}) {
            INFO(db + suffix);
            REQUIRE(std::filesystem::exists(db + suffix));
            CHECK(mode_of(db + suffix) == 0600);
        }
    });
}

TEST_CASE("a store left readable by all by an older version loses those bits", "[store]") {
    TempDir dir;
    std::string db = dir.path + "/notify.db";
    with_umask(022, [&] {
        { REQUIRE(store::Store::open(db, {})); }
        REQUIRE(chmod(db.c_str(), 0644) == 0);
        auto s = store::Store::open(db, {});
        REQUIRE(s);
        CHECK(mode_of(db) == 0640);  // the group keeps what it had
    });
}
