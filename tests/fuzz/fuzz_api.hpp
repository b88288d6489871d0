// fuzz_api.hpp - the unit tests' in-memory ingest API (ingest_in_memory.hpp)
// with a template, a user and a group in it, for the fuzz targets of the door.
#pragma once

#include <memory>

#include "ingest_in_memory.hpp"

namespace notify::fuzz {

// The unit tests' configuration and in-memory API with the template "welcome",
// the user "ann" and the group "ops" (ann is in it) stored through the API, so
// the fuzzed requests can name them. Logging only errors.
std::unique_ptr<ingest::test::InMemoryApi> seeded_api();

}  // namespace notify::fuzz
