// aliyun_sms_receipt.cpp - Aliyun SMS status reports pushed over HTTP
// (SmsReport, receipt.hpp): a JSON array of {"biz_id", "out_id", "success",
// "err_code", "err_msg", "phone_number", "send_time", "report_time",
// "sms_size"}, where biz_id is the BizId that SendSms returned and out_id the
// delivery id notify sent as OutId. Aliyun does not sign them: the URL set in
// its console carries the provider's receipt_secret as ?token=. Answered
// {"code":0,"msg":"成功"}.
#include <nlohmann/json.hpp>

#include "channels/receipt.hpp"

namespace notify::channels::aliyun_sms {

namespace {

class AliyunReceipts : public receipts::TokenReportReader {
  public:
    using TokenReportReader::TokenReportReader;

    ReceiptAnswer answer(const std::string&) const override {
        return {"application/json", R"({"code":0,"msg":"成功"})"};
    }

  protected:
    Expected<Receipt> report(const nlohmann::json& report) const override {
        Receipt r;
        r.message_id = receipts::member(report, "biz_id");
        r.delivery_id = receipts::member(report, "out_id");
        const std::string success = receipts::member(report, "success");
        if ((r.message_id.empty() && r.delivery_id.empty()) ||
            (success != "true" && success != "false"))
            return receipts::invalid(provider_,
                                     "each report needs a biz_id or out_id and success "
                                     "true or false");
        r.status = success == "true" ? "delivered" : "failed";
        r.code = receipts::member(report, "err_code");
        r.detail = receipts::member(report, "err_msg");
        return r;
    }
};

}  // namespace

Expected<std::unique_ptr<ReceiptReader>> make_receipts(const ProviderConfig& provider) {
    return receipts::with_secret<AliyunReceipts>(provider);
}

}  // namespace notify::channels::aliyun_sms
