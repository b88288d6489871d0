// test_store_health.cpp - a store whose file was deleted or replaced takes no
// commit (nothing would survive a restart), and a probe write tells whether the
// store takes writes.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>

#include "store/store.hpp"
#include "temp_dir.hpp"

using namespace notify;

namespace {

using notify::testing::TempDir;

std::unique_ptr<store::Store> open_store(const std::string& path) {
    auto s = store::Store::open(path, {false, 1000});
    REQUIRE(s);
    return std::move(*s);
}

}  // namespace

TEST_CASE("a store file deleted or replaced while open takes no commit") {
    TempDir dir;
    const std::string path = dir.path + "/notify.db";
    auto store = open_store(path);
    REQUIRE(store->probe_write(1));
    CHECK_FALSE(store->file_moved());

    SECTION("deleted") {
        std::filesystem::remove(path);
    }
    SECTION("replaced by another valid store") {
        open_store(dir.path + "/other.db").reset();
        std::filesystem::rename(dir.path + "/other.db", path);
    }

    CHECK(store->file_moved());
    auto probe = store->probe_write(2);
    REQUIRE_FALSE(probe);
    CHECK(probe.error().kind == ErrorKind::unavailable);
    CHECK(probe.error().code == "store_unavailable");
    CHECK(probe.error().message.find("deleted or replaced") != std::string::npos);
    auto key = store->create_api_key("ci", "send");
    CHECK_FALSE(key);
}

TEST_CASE("an in-memory store has no file to lose") {
    auto s = store::Store::open(":memory:", {});
    REQUIRE(s);
    CHECK_FALSE((*s)->file_moved());
    CHECK((*s)->probe_write(1));
}
