// signed_receipt.cpp - receipts from a webhook receiver or an in-house mail
// relay (a bounce), signed the way notify signs its webhooks
// (webhook_payload.hpp) with the provider's receipt_secret; see receipt.hpp
// for the body. Answered with what was recorded.
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "channels/receipt.hpp"
#include "channels/webhook_payload.hpp"
#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace notify::channels::signed_receipt {

namespace {

constexpr Millis kMaxSkew = 5 * 60 * 1000;

bool is_timestamp(const std::string& text) {
    return text.size() <= 12 && util::all_digits(text);
}

class SignedReceipts : public receipts::SecretReader {
  public:
    using SecretReader::SecretReader;

    Expected<std::vector<Receipt>> read(const ReceiptRequest& request) const override {
        auto ts = request.headers.find("x-notify-timestamp");
        auto sig = request.headers.find("x-notify-signature");
        if (ts == request.headers.end() || sig == request.headers.end())
            return receipts::bad_signature(provider_,
                                           "X-Notify-Timestamp and X-Notify-Signature are "
                                           "required");
        if (!is_timestamp(ts->second))
            return receipts::bad_signature(provider_, "X-Notify-Timestamp is not Unix seconds");
        Millis at = std::strtoll(ts->second.c_str(), nullptr, 10) * 1000;
        if (at < request.now - kMaxSkew || at > request.now + kMaxSkew)
            return receipts::bad_signature(provider_,
                                           "X-Notify-Timestamp is more than 5 minutes from now");
        if (!util::constant_time_equal(sig->second,
                                       webhook_signature(secret_, ts->second, request.body)))
            return receipts::bad_signature(provider_, "X-Notify-Signature does not match");
        return receipts::read_reports(
            provider_, request.body, [&](const nlohmann::json& report) -> Expected<Receipt> {
                Receipt r;
                r.delivery_id = receipts::member(report, "delivery_id");
                r.message_id = receipts::member(report, "message_id");
                r.status = receipts::member(report, "status");
                r.code = receipts::member(report, "code");
                r.detail = receipts::member(report, "detail");
                if (r.delivery_id.empty() && r.message_id.empty())
                    return receipts::invalid(provider_,
                                             "each receipt needs a delivery_id or message_id");
                if (r.status != "delivered" && r.status != "failed" && r.status != "read" &&
                    r.status != "clicked")
                    return receipts::invalid(provider_,
                                             "a receipt's status must be delivered, failed, "
                                             "read or clicked, not '" +
                                                 r.status + "'");
                return r;
            });
    }

    ReceiptAnswer answer(const std::string& outcome) const override {
        return {"application/json", outcome};
    }
};

}  // namespace

Expected<std::unique_ptr<ReceiptReader>> make_receipts(const ProviderConfig& provider) {
    return receipts::with_secret<SignedReceipts>(provider);
}

}  // namespace notify::channels::signed_receipt
