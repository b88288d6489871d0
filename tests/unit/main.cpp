#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <string>

#include "store/sqlite_db.hpp"

// A store's failure escaping a test says what SQLite said, not "Unknown exception".
CATCH_TRANSLATE_EXCEPTION(const notify::store::StoreFailure& f) {
    return "store failure " + std::to_string(f.code) + ": " + f.message;
}
