// fuzz_import.cpp - user records from any text (common/store/csv.cpp,
// directory_csv.cpp, directory_records.cpp, directory_import.cpp), read both as
// CSV and as JSON Lines and imported into a fresh in-memory store, the good
// rows kept. What was imported must export and read back without an error.
#include <cstdlib>
#include <sstream>

#include "store/csv.hpp"
#include "store/directory_records.hpp"
#include "store/directory_store.hpp"

using namespace notify;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    store::CsvReader reader(text);
    for (store::CsvRow row; reader.next(row);) {
    }

    auto opened = store::Store::open(":memory:", {});
    if (!opened) std::abort();
    store::DirectoryStore directory(**opened);
    for (auto format : {store::RecordFormat::csv, store::RecordFormat::jsonl}) {
        auto report = directory.import_users(text, {format, true, "imported"});
        if (!report || report->imported == 0) continue;
        std::ostringstream out;
        if (!directory.export_users(out, format, {})) std::abort();
        auto back = store::read_user_records(out.str(), format);
        if (!back || !back->errors.empty()) std::abort();
    }
    return 0;
}
