// receipt.hpp - what vendors tell after a send: the receipts (delivery reports)
// they push to notify-ingest's POST /v1/receipts/{provider}, each checked the
// way its vendor authenticates them and read into one form.
//
//   twilio        status callbacks (form fields MessageSid, MessageStatus,
//                 ErrorCode) signed with X-Twilio-Signature: base64 of
//                 HMAC-SHA1(auth_token, status_callback URL + each field name
//                 and value, sorted); needs the provider's `status_callback`.
//   tencent-sms   the JSON array of status reports (sid, report_status, errmsg)
//   aliyun-sms    the JSON array of SmsReport pushes (biz_id, out_id, success,
//                 err_code): neither vendor signs them, so the URL given to the
//                 vendor carries the provider's `receipt_secret` as ?token=.
//   webhook, smtp a JSON receipt from a receiver or a relay (a bounce), signed as
//                 notify signs its webhooks: X-Notify-Timestamp (Unix seconds,
//                 within 5 minutes) and X-Notify-Signature: sha256=<hex
//                 HMAC-SHA256(receipt_secret, "<timestamp>.<body>")>. Body: one
//                 object or an array of them, each {"delivery_id" or
//                 "message_id", "status": delivered|failed|read|clicked,
//                 "code"?, "detail"?}.
// A receipt names a delivery by the provider's id for it (provider_message_id)
// or, when the vendor echoes it, by the delivery id notify sent along.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "config.hpp"
#include "util/error.hpp"

namespace notify::channels {

// At most this many receipts in one request.
inline constexpr size_t kMaxReceipts = 1000;

struct ReceiptRequest {
    std::map<std::string, std::string> query;    // the URL's query
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    Millis now = 0;
};

struct Receipt {
    std::string message_id;   // the provider's id of the delivery
    std::string delivery_id;  // notify's, when the vendor echoes it
    std::string status;       // delivered, failed, read or clicked
    std::string code;         // the vendor's code ("DELIVRD", "30003")
    std::string detail;       // its words
};

// What the vendor expects in answer once its receipts are recorded.
struct ReceiptAnswer {
    std::string content_type;
    std::string body;
};

class ReceiptReader {
  public:
    virtual ~ReceiptReader() = default;
    // The receipts in a request. Errors: "bad_signature" (kind unauthorized)
    // when the request is not authenticated by the provider's secret, kind
    // invalid for a body that is not what the vendor sends. A report that
    // changes nothing (Twilio's "queued", "sent") is left out.
    virtual Expected<std::vector<Receipt>> read(const ReceiptRequest& request) const = 0;
    // `outcome`: what was recorded, as JSON text ({"recorded":N,"unknown":N,...}).
    virtual ReceiptAnswer answer(const std::string& outcome) const = 0;
};

// The reader for a provider's receipts; nullptr when its type sends none or
// the key that authenticates them is not set. Errors: its settings.
Expected<std::unique_ptr<ReceiptReader>> make_receipt_reader(const ProviderConfig& provider);
// The setting that turns on receipts for a provider type; nullptr for a type
// that takes none.
const char* receipt_key(const std::string& type);

namespace receipts {
// 401 "bad_signature": the request is not from whom it claims.
Error bad_signature(const std::string& provider, const std::string& why);
// 400 "invalid_receipt".
Error invalid(const std::string& provider, const std::string& why);
// Whether ?token= matches `secret`, compared in constant time.
bool token_matches(const ReceiptRequest& request, const std::string& secret);
// The receipts of a body of JSON reports (an array, or one object), at most
// kMaxReceipts, each read by `read_one`.
Expected<std::vector<Receipt>> read_reports(
    const std::string& provider, const std::string& body,
    const std::function<Expected<Receipt>(const nlohmann::json&)>& read_one);
// A report's string member ("" when missing), at most 200 bytes of it; a
// number is read as its text.
std::string member(const nlohmann::json& report, const char* key);

// A reader whose requests are authenticated with the provider's receipt_secret.
class SecretReader : public ReceiptReader {
  public:
    SecretReader(std::string provider, std::string secret)
        : provider_(std::move(provider)), secret_(std::move(secret)) {}

  protected:
    std::string provider_;
    std::string secret_;
};

// A reader of JSON reports posted to a URL that carries the receipt_secret as
// ?token= (vendors that do not sign them); each report read by report().
class TokenReportReader : public SecretReader {
  public:
    using SecretReader::SecretReader;
    Expected<std::vector<Receipt>> read(const ReceiptRequest& request) const final;

  protected:
    virtual Expected<Receipt> report(const nlohmann::json& report) const = 0;
};

// The provider's `receipt_secret` (env: and file: resolved), "" when not set.
Expected<std::string> receipt_secret(const ProviderConfig& provider);

// A `Reader` (a SecretReader) for the provider; nullptr without a receipt_secret.
template <class Reader>
Expected<std::unique_ptr<ReceiptReader>> with_secret(const ProviderConfig& provider) {
    auto secret = receipt_secret(provider);
    if (!secret) return secret.error();
    if (secret->empty()) return std::unique_ptr<ReceiptReader>();
    return std::unique_ptr<ReceiptReader>(std::make_unique<Reader>(provider.name, *secret));
}
}  // namespace receipts

}  // namespace notify::channels
