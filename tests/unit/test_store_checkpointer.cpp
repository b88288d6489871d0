// test_store_checkpointer.cpp - connections opened with checkpoints off leave
// the write-ahead log to the Checkpointer: their commits copy nothing into the
// file, and the Checkpointer's thread copies it all.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "store/checkpointer.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

using namespace notify;

namespace {

// `commits` × 25 pages of blobs (2,000 by default), one commit of 25 rows at a time.
void write_pages(store::Store& s, int commits = 80) {
    store::exec(s.handle(), "CREATE TABLE IF NOT EXISTS bulk (b BLOB)");
    for (int tx = 0; tx < commits; ++tx) {
        store::exec(s.handle(), "BEGIN IMMEDIATE");
        for (int i = 0; i < 25; ++i)
            store::exec(s.handle(), "INSERT INTO bulk VALUES (randomblob(3900))");
        store::exec(s.handle(), "COMMIT");
    }
}

std::uintmax_t size_of(const std::string& path) {
    return std::filesystem::file_size(path);
}

// Waits (10 s at most) until the file at `path` is larger than `size`.
void wait_larger_than(const std::string& path, std::uintmax_t size) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (size_of(path) <= size && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(store::Checkpointer::kInterval);
}

// A connection whose commits leave checkpoints to a Checkpointer.
std::unique_ptr<store::Store> open_quiet(const std::string& path) {
    store::Options quiet;
    quiet.checkpoints = false;
    auto s = store::Store::open(path, quiet);
    REQUIRE(s);
    return std::move(*s);
}

// A new store whose writer leaves checkpoints alone, its log's length watched.
struct QuietStore {
    testing::TempDir dir;
    const std::string path = dir.path + "/notify.db";
    std::unique_ptr<store::Store> writer = open_quiet(path);
    store::LogLength log;
    QuietStore() { log.watch(*writer); }
};

}  // namespace

TEST_CASE("Commits with checkpoints off leave the log to the Checkpointer") {
    QuietStore quiet;
    const std::string& path = quiet.path;
    store::LogLength& log = quiet.log;
    const auto before = size_of(path);
    write_pages(*quiet.writer);
    // Nothing copied: the file is as it was, the log holds every page.
    CHECK(size_of(path) == before);
    CHECK(size_of(path + "-wal") > 2000u * 4096u);
    CHECK(log.pages() > 2000);

    store::Checkpointer checkpointer(open_quiet(path), log);
    SECTION("one step copies the whole log") {
        const store::CheckpointStep s = checkpointer.step();
        CHECK(s.ok);
        CHECK(s.log_frames >= 2000);
        CHECK(s.copied_frames == s.log_frames);
        CHECK(size_of(path) > 2000u * 4096u);
    }
    SECTION("its thread copies it within a few intervals, and stops when asked") {
        checkpointer.start();
        wait_larger_than(path, 2000u * 4096u);
        CHECK(size_of(path) > 2000u * 4096u);
        checkpointer.stop();
    }
}

TEST_CASE("No checkpoint runs while the store refuses writes") {
    QuietStore quiet;
    const std::string& path = quiet.path;
    store::LogLength& log = quiet.log;
    write_pages(*quiet.writer);
    const auto before = size_of(path);
    std::atomic<bool> writable{false};
    store::Checkpointer checkpointer(open_quiet(path), log, [&] { return writable.load(); });
    checkpointer.start();
    std::this_thread::sleep_for(store::Checkpointer::kInterval * 5);
    CHECK(size_of(path) == before);
    writable = true;
    // The file grows page by page as they are copied: wait for all of them.
    wait_larger_than(path, 2000u * 4096u);
    CHECK(size_of(path) > 2000u * 4096u);
}

TEST_CASE("A log shorter than SQLite's threshold is left alone, as SQLite leaves it") {
    QuietStore quiet;
    const std::string& path = quiet.path;
    store::LogLength& log = quiet.log;
    write_pages(*quiet.writer, 20);  // 500 pages
    CHECK(log.pages() > 400);
    CHECK(log.pages() < store::Checkpointer::kLogPages);
    const auto before = size_of(path);
    store::Checkpointer checkpointer(open_quiet(path), log);
    checkpointer.start();
    std::this_thread::sleep_for(store::Checkpointer::kInterval * 5);
    CHECK(size_of(path) == before);
    write_pages(*quiet.writer, 30);  // past it
    wait_larger_than(path, 1000u * 4096u);
    CHECK(size_of(path) > 1000u * 4096u);
}

TEST_CASE("Commits with checkpoints on copy the log themselves, as SQLite does") {
    testing::TempDir dir;
    const std::string path = dir.path + "/notify.db";
    auto writer = store::Store::open(path, {});
    REQUIRE(writer);
    write_pages(**writer);
    CHECK(size_of(path) > 1000u * 4096u);
}
