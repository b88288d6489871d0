// directory_formats.hpp - what the two file formats of user records share,
// for directory_records.cpp (checks, JSON Lines) and directory_csv.cpp (CSV)
// only: the checks of a user made here, rows turned into users in parallel,
// and the CSV reader and writer that read_user_records and write_user_records
// call.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <optional>
#include <ostream>
#include <string_view>
#include <thread>
#include <vector>

#include "store/directory_records.hpp"

namespace notify::store {

// check_user, trusting `attributes_json` when it was made from a JSON object here.
Status check_user_fields(const User& u, bool attributes_checked);

// Parses the CSV text into `set`; an error only for a header that cannot be used.
Status read_csv_records(std::string_view text, RecordSet& set);
void write_csv_records(std::ostream& out, const std::vector<User>& users);

// Rows become users on every core: checking a phone number with libphonenumber
// costs more than parsing the row, and the rows do not depend on each other.
// `make(i)` gives row i's user or its error; an exception is that row's error.
constexpr size_t kParallelRows = 2000;

template <class Make>
std::vector<std::optional<Expected<User>>> users_from_rows(size_t n, Make make) {
    std::vector<std::optional<Expected<User>>> out(n);
    auto work = [&out, &make](size_t from, size_t to) {
        for (size_t i = from; i < to; ++i) {
            try {
                out[i].emplace(make(i));
            } catch (const std::exception& e) {
                out[i].emplace(make_error(ErrorKind::invalid, "invalid_record", e.what(), ""));
            }
        }
    };
    size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
    if (n < kParallelRows || threads < 2) {
        work(0, n);
        return out;
    }
    size_t step = (n + threads - 1) / threads;
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t)
        pool.emplace_back(work, std::min(n, t * step), std::min(n, (t + 1) * step));
    work(0, std::min(n, step));
    for (auto& th : pool) th.join();
    return out;
}

}  // namespace notify::store
