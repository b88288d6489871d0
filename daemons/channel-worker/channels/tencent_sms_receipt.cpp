// tencent_sms_receipt.cpp - Tencent Cloud SMS status reports (receipt.hpp): a
// JSON array of {"sid", "report_status": SUCCESS|FAIL, "errmsg", "description",
// "user_receive_time", "mobile", "nationcode"}, where sid is the SerialNo that
// SendSms returned. Tencent does not sign them: the URL set in its console
// carries the provider's receipt_secret as ?token=. Answered {"result":0,"errmsg":"OK"}.
#include <nlohmann/json.hpp>

#include "channels/receipt.hpp"

namespace notify::channels::tencent_sms {

namespace {

class TencentReceipts : public receipts::TokenReportReader {
  public:
    using TokenReportReader::TokenReportReader;

    ReceiptAnswer answer(const std::string&) const override {
        return {"application/json", R"({"result":0,"errmsg":"OK"})"};
    }

  protected:
    Expected<Receipt> report(const nlohmann::json& report) const override {
        Receipt r;
        r.message_id = receipts::member(report, "sid");
        const std::string status = receipts::member(report, "report_status");
        if (r.message_id.empty() || (status != "SUCCESS" && status != "FAIL"))
            return receipts::invalid(provider_,
                                     "each report needs a sid and a report_status of "
                                     "SUCCESS or FAIL");
        r.status = status == "SUCCESS" ? "delivered" : "failed";
        r.code = receipts::member(report, "errmsg");
        r.detail = receipts::member(report, "description");
        return r;
    }
};

}  // namespace

Expected<std::unique_ptr<ReceiptReader>> make_receipts(const ProviderConfig& provider) {
    return receipts::with_secret<TencentReceipts>(provider);
}

}  // namespace notify::channels::tencent_sms
