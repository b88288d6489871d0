// registry.cpp - the one table of provider types. A new adapter is a new file
// in this folder defining notify::channels::<type>::make, ::validate and ::keys
// (its keys, secrets marked), plus one line below (and its source in
// CMakeLists.txt).
#include "channels/registry.hpp"

#include <algorithm>

#include "channels/adapter.hpp"
#include "channels/receipt.hpp"
#include "util/strings.hpp"

namespace notify::channels {

// clang-format off
namespace file    { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace smtp    { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace webhook { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace dingtalk_robot       { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace dingtalk_work_notice { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace wecom_robot          { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace wecom_app            { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace feishu_bot           { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace wechat_template      { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace onebot               { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace aliyun_sms           { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace tencent_sms          { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace twilio               { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace slack                { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
namespace telegram             { AdapterFactory make; ProviderValidator validate; extern const ProviderKeys keys; }
// clang-format on

namespace {

struct AdapterType {
    const char* type;
    AdapterFactory* make;
    ProviderValidator* validate;
    const ProviderKeys* keys;
};

const AdapterType kTypes[] = {
    {"file", &file::make, &file::validate, &file::keys},
    {"smtp", &smtp::make, &smtp::validate, &smtp::keys},
    {"webhook", &webhook::make, &webhook::validate, &webhook::keys},
    {"dingtalk-robot", &dingtalk_robot::make, &dingtalk_robot::validate, &dingtalk_robot::keys},
    {"dingtalk-work-notice", &dingtalk_work_notice::make, &dingtalk_work_notice::validate,
     &dingtalk_work_notice::keys},
    {"wecom-robot", &wecom_robot::make, &wecom_robot::validate, &wecom_robot::keys},
    {"wecom-app", &wecom_app::make, &wecom_app::validate, &wecom_app::keys},
    {"feishu-bot", &feishu_bot::make, &feishu_bot::validate, &feishu_bot::keys},
    {"wechat-template", &wechat_template::make, &wechat_template::validate, &wechat_template::keys},
    {"onebot", &onebot::make, &onebot::validate, &onebot::keys},
    {"aliyun-sms", &aliyun_sms::make, &aliyun_sms::validate, &aliyun_sms::keys},
    {"tencent-sms", &tencent_sms::make, &tencent_sms::validate, &tencent_sms::keys},
    {"twilio", &twilio::make, &twilio::validate, &twilio::keys},
    {"slack", &slack::make, &slack::validate, &slack::keys},
    {"telegram", &telegram::make, &telegram::validate, &telegram::keys},
};

const AdapterType* find_type(const std::string& type) {
    for (const auto& t : kTypes)
        if (type == t.type) return &t;
    return nullptr;
}

Error unknown_type(const ProviderConfig& p) {
    std::string hint = util::did_you_mean(p.type, known_types());
    if (hint.empty()) hint = " (known types: " + util::join(known_types(), ", ") + ")";
    return make_error(ErrorKind::invalid, "invalid_provider",
                      "provider '" + p.name + "': unknown type '" + p.type + "'" + hint, "type");
}

}  // namespace

std::vector<std::string> known_types() {
    std::vector<std::string> out;
    for (const auto& t : kTypes) out.emplace_back(t.type);
    std::sort(out.begin(), out.end());
    return out;
}

Status validate_provider(const ProviderConfig& provider) {
    const AdapterType* t = find_type(provider.type);
    if (!t) return unknown_type(provider);
    if (auto st = t->validate(provider); !st) return st;
    auto receipts = make_receipt_reader(provider);  // its receipt keys
    return receipts ? ok() : Status(receipts.error());
}

const ProviderKeys* provider_keys(const std::string& type) {
    const AdapterType* t = find_type(type);
    return t ? t->keys : nullptr;
}

Expected<std::unique_ptr<Adapter>> make_adapter(const ProviderConfig& provider,
                                                const AdapterOptions& options) {
    const AdapterType* t = find_type(provider.type);
    if (!t) return unknown_type(provider);
    return t->make(provider, options);
}

}  // namespace notify::channels
