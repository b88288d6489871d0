// directory_import.cpp - many users at once: an import of user records
// (directory_records.hpp), checked whole and written in one transaction with
// the groups it names, and an export in the same forms, a page at a time.
// Part of DirectoryStore (directory_store.hpp).
#include <algorithm>
#include <iterator>
#include <set>
#include <unordered_map>

#include "store/directory_records.hpp"
#include "store/directory_statements.hpp"
#include "util/time.hpp"

namespace notify::store {

namespace {

std::string read_all(std::istream& in) {
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

Expected<ImportReport> DirectoryStore::import_users(std::istream& in,
                                                    const ImportOptions& options) {
    std::string text = read_all(in);
    return import_users(std::string_view(text), options);
}

Expected<ImportReport> DirectoryStore::import_users(std::string_view text,
                                                    const ImportOptions& options) {
    if (!options.group.empty())
        if (auto s = check_group_name(options.group); !s)
            return make_error(ErrorKind::usage, "invalid_name", s.error().message, "group");
    auto read = read_user_records(text, options.format);
    if (!read) return read.error();
    RecordSet& set = *read;

    // The same id twice is a mistake in the input, not a replacement.
    std::unordered_map<std::string, long> first_line;
    first_line.reserve(set.records.size());
    std::vector<UserRecord> good;
    good.reserve(set.records.size());
    for (auto& r : set.records) {
        auto [it, fresh] = first_line.emplace(r.user.id, r.line);
        if (!fresh) {
            set.errors.push_back({r.line, "user '" + r.user.id + "' is on line " +
                                              std::to_string(it->second) + " already"});
            continue;
        }
        good.push_back(std::move(r));
    }
    std::stable_sort(set.errors.begin(), set.errors.end(),
                     [](const ImportError& a, const ImportError& b) { return a.line < b.line; });

    ImportReport report;
    report.errors = std::move(set.errors);
    if (!report.errors.empty() && !options.skip_bad) return report;

    std::set<std::string> groups;
    if (!options.group.empty()) groups.insert(options.group);
    for (const auto& r : good) groups.insert(r.user.groups.begin(), r.user.groups.end());
    try {
        Transaction tx(store_.handle());
        Millis now = util::now_ms();
        for (const auto& g : groups) st_->ensure_group.bind(1, g).bind(2, now).run();
        auto& add = st_->add_member;
        for (const auto& r : good) {
            write_user(r.user, now);
            for (const auto& g : r.user.groups) add.bind(1, g).bind(2, r.user.id).run();
            if (!options.group.empty()) add.bind(1, options.group).bind(2, r.user.id).run();
        }
        tx.commit();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
    report.imported = static_cast<long>(good.size());
    return report;
}

Status DirectoryStore::export_users(std::ostream& out, RecordFormat format,
                                    const UserFilter& filter) {
    // CSV needs every user first (its header names every channel and key);
    // JSON Lines goes out a page at a time.
    constexpr int kPage = 5000;
    UserFilter page = filter;
    std::vector<User> all;
    long left = filter.limit > 0 ? filter.limit : -1;
    try {
        for (;;) {
            page.limit = left < 0 ? kPage : static_cast<int>(std::min<long>(left, kPage));
            if (page.limit == 0) break;
            auto users = list_users(page);
            if (users.empty()) break;
            page.after = users.back().id;
            if (left > 0) left -= static_cast<long>(users.size());
            bool last = static_cast<int>(users.size()) < page.limit;
            if (format == RecordFormat::jsonl)
                write_user_records(out, format, users);
            else
                std::move(users.begin(), users.end(), std::back_inserter(all));
            if (last) break;
        }
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
    if (format == RecordFormat::csv) write_user_records(out, format, all);
    if (!out)
        return make_error(ErrorKind::internal, "write_failed", "the export could not be written");
    return ok();
}

}  // namespace notify::store
