// twilio_receipt.cpp - Twilio's status callbacks (receipt.hpp): form fields
// MessageSid, MessageStatus and, on a failure, ErrorCode, posted to the
// provider's `status_callback` URL and signed with X-Twilio-Signature, the
// base64 HMAC-SHA1 under the account's auth token of that URL followed by each
// distinct field name and value, sorted, without separators.
// MessageStatus delivered is delivered, undelivered and failed are failed,
// read is read; queued, sending, sent and the others change nothing.
#include <algorithm>

#include "channels/receipt.hpp"
#include "channels/settings.hpp"
#include "providers/types.hpp"
#include "util/crypto.hpp"
#include "util/form.hpp"
#include "util/strings.hpp"

namespace notify::channels::twilio {

using providers::twilio::keys;

namespace {

// A field's value, at most 200 bytes of it.
std::string field(const util::FormFields& fields, const char* name) {
    return util::cut_utf8(util::form_value(fields, name), 200);
}

class TwilioReceipts : public ReceiptReader {
  public:
    TwilioReceipts(std::string provider, std::string auth_token, std::string url)
        : provider_(std::move(provider)),
          auth_token_(std::move(auth_token)),
          url_(std::move(url)) {}

    Expected<std::vector<Receipt>> read(const ReceiptRequest& request) const override {
        auto header = request.headers.find("x-twilio-signature");
        if (header == request.headers.end())
            return receipts::bad_signature(provider_, "no X-Twilio-Signature header");
        auto fields = util::parse_form(request.body);
        if (!fields) return receipts::invalid(provider_, "the body is not a valid form");
        if (!util::constant_time_equal(header->second, signature(*fields)))
            return receipts::bad_signature(provider_, "X-Twilio-Signature does not match");
        Receipt r;
        r.message_id = field(*fields, "MessageSid");
        const std::string status = field(*fields, "MessageStatus");
        if (r.message_id.empty() || status.empty())
            return receipts::invalid(provider_, "MessageSid and MessageStatus are required");
        r.code = field(*fields, "ErrorCode");
        r.detail = status;
        if (status == "delivered")
            r.status = "delivered";
        else if (status == "undelivered" || status == "failed")
            r.status = "failed";
        else if (status == "read")
            r.status = "read";
        else
            return std::vector<Receipt>{};
        return std::vector<Receipt>{std::move(r)};
    }

    ReceiptAnswer answer(const std::string&) const override { return {"text/plain", ""}; }

  private:
    std::string signature(util::FormFields fields) const {
        std::sort(fields.begin(), fields.end());
        fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
        std::string text = url_;
        for (const auto& [k, v] : fields) text.append(k).append(v);
        return util::base64(util::hmac_sha1(auth_token_, text));
    }

    std::string provider_;
    std::string auth_token_;
    std::string url_;
};

}  // namespace

Expected<std::unique_ptr<ReceiptReader>> make_receipts(const ProviderConfig& provider) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    if (!s->has("status_callback")) return std::unique_ptr<ReceiptReader>();
    auto url = s->url("status_callback", {"http", "https"});
    if (!url) return url.error();
    auto token = s->secret("auth_token", true);
    if (!token) return token.error();
    return std::unique_ptr<ReceiptReader>(
        std::make_unique<TwilioReceipts>(provider.name, *token, *url));
}

}  // namespace notify::channels::twilio
