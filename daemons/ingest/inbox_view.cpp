// inbox_view.cpp - see inbox_view.hpp.
#include "inbox_view.hpp"

#include "util/time.hpp"

namespace notify::ingest {

namespace {

nlohmann::json time_or_null(util::Millis t) {
    return t == 0 ? nlohmann::json(nullptr) : nlohmann::json(util::format_rfc3339(t));
}

}  // namespace

nlohmann::json inbox_item_view(const store::InboxItem& item) {
    nlohmann::json data = nullptr;
    if (!item.data_json.empty()) {
        data = nlohmann::json::parse(item.data_json, nullptr, false);
        if (data.is_discarded()) data = nullptr;
    }
    return {{"id", item.id},
            {"seq", item.seq},
            {"notification_id", item.notification_id},
            {"channel", item.channel},
            {"category", item.category},
            {"subject", item.subject},
            {"body", item.body},
            {"data", std::move(data)},
            {"created_at", util::format_rfc3339(item.created_at)},
            {"seen", item.seen_at != 0},
            {"read", item.read_at != 0},
            {"archived", item.archived_at != 0},
            {"seen_at", time_or_null(item.seen_at)},
            {"read_at", time_or_null(item.read_at)},
            {"archived_at", time_or_null(item.archived_at)}};
}

}  // namespace notify::ingest
