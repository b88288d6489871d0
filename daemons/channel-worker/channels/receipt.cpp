// receipt.cpp - the table of provider types that take receipts, and what
// their readers share.
#include "channels/receipt.hpp"

#include <nlohmann/json.hpp>

#include "channels/registry.hpp"
#include "channels/settings.hpp"
#include "util/crypto.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"

namespace notify::channels {

using ReceiptFactory = Expected<std::unique_ptr<ReceiptReader>>(const ProviderConfig&);

// clang-format off
namespace twilio      { ReceiptFactory make_receipts; }
namespace tencent_sms { ReceiptFactory make_receipts; }
namespace aliyun_sms  { ReceiptFactory make_receipts; }
namespace signed_receipt { ReceiptFactory make_receipts; }
// clang-format on

namespace {

struct ReceiptType {
    const char* type;
    ReceiptFactory* make;
    const char* key;  // the setting that turns its receipts on
};

const ReceiptType kTypes[] = {
    {"twilio", &twilio::make_receipts, "status_callback"},
    {"tencent-sms", &tencent_sms::make_receipts, "receipt_secret"},
    {"aliyun-sms", &aliyun_sms::make_receipts, "receipt_secret"},
    {"webhook", &signed_receipt::make_receipts, "receipt_secret"},
    {"smtp", &signed_receipt::make_receipts, "receipt_secret"},
};

const ReceiptType* find_type(const std::string& type) {
    for (const auto& t : kTypes)
        if (type == t.type) return &t;
    return nullptr;
}

}  // namespace

Expected<std::unique_ptr<ReceiptReader>> make_receipt_reader(const ProviderConfig& provider) {
    const ReceiptType* t = find_type(provider.type);
    if (!t) return std::unique_ptr<ReceiptReader>();
    return t->make(provider);
}

const char* receipt_key(const std::string& type) {
    const ReceiptType* t = find_type(type);
    return t ? t->key : nullptr;
}

namespace receipts {

Error bad_signature(const std::string& provider, const std::string& why) {
    return make_error(ErrorKind::unauthorized, "bad_signature",
                      "receipt for provider '" + provider + "' refused: " + why);
}

Error invalid(const std::string& provider, const std::string& why) {
    return make_error(ErrorKind::invalid, "invalid_receipt",
                      "receipt for provider '" + provider + "': " + why, "body");
}

bool token_matches(const ReceiptRequest& request, const std::string& secret) {
    auto it = request.query.find("token");
    return it != request.query.end() && !secret.empty() &&
           util::constant_time_equal(it->second, secret);
}

Expected<std::vector<Receipt>> read_reports(
    const std::string& provider, const std::string& body,
    const std::function<Expected<Receipt>(const nlohmann::json&)>& read_one) {
    auto j = util::parse_json(body, {util::kMaxJsonDepth, util::kMaxJsonBytes, "the receipt"});
    if (!j) return invalid(provider, j.error().message);
    if (j->is_object()) j = nlohmann::json::array({std::move(*j)});
    if (!j->is_array()) return invalid(provider, "the body must be a JSON array of reports");
    if (j->size() > kMaxReceipts)
        return invalid(provider, std::to_string(j->size()) + " reports are over the limit of " +
                                     std::to_string(kMaxReceipts) + " per request");
    std::vector<Receipt> out;
    for (size_t i = 0; i < j->size(); ++i) {
        if (!(*j)[i].is_object())
            return invalid(provider, "report " + std::to_string(i) + " is not a JSON object");
        auto r = read_one((*j)[i]);
        if (!r) return r.error();
        out.push_back(std::move(*r));
    }
    return out;
}

std::string member(const nlohmann::json& report, const char* key) {
    auto it = report.find(key);
    if (it == report.end()) return {};
    std::string text = it->is_string()                       ? it->get<std::string>()
                       : it->is_number() || it->is_boolean() ? it->dump()
                                                             : std::string();
    return text.size() > 200 ? log::clip(text, 200) : text;
}

Expected<std::vector<Receipt>> TokenReportReader::read(const ReceiptRequest& request) const {
    if (!token_matches(request, secret_))
        return bad_signature(provider_, "the URL's token is missing or wrong");
    return read_reports(provider_, request.body,
                        [this](const nlohmann::json& one) { return report(one); });
}

Expected<std::string> receipt_secret(const ProviderConfig& provider) {
    const ProviderKeys* keys = provider_keys(provider.type);
    if (!keys) return std::string();
    auto s = Settings::parse(provider, *keys);
    if (!s) return s.error();
    return s->secret("receipt_secret", false);
}

}  // namespace receipts

}  // namespace notify::channels
