// registry.cpp - the one table of provider types. A new adapter is a new file
// in this folder defining notify::channels::<type>::make and ::validate, plus
// one line below (and its source in CMakeLists.txt).
#include "channels/registry.hpp"

#include <algorithm>

#include "channels/adapter.hpp"
#include "util/strings.hpp"

namespace notify::channels {

// clang-format off
namespace file    { AdapterFactory make; ProviderValidator validate; }
namespace smtp    { AdapterFactory make; ProviderValidator validate; }
namespace webhook { AdapterFactory make; ProviderValidator validate; }
namespace dingtalk_robot       { AdapterFactory make; ProviderValidator validate; }
namespace dingtalk_work_notice { AdapterFactory make; ProviderValidator validate; }
namespace wecom_robot          { AdapterFactory make; ProviderValidator validate; }
namespace wecom_app            { AdapterFactory make; ProviderValidator validate; }
namespace feishu_bot           { AdapterFactory make; ProviderValidator validate; }
namespace wechat_template      { AdapterFactory make; ProviderValidator validate; }
namespace onebot               { AdapterFactory make; ProviderValidator validate; }
namespace aliyun_sms           { AdapterFactory make; ProviderValidator validate; }
namespace tencent_sms          { AdapterFactory make; ProviderValidator validate; }
namespace twilio               { AdapterFactory make; ProviderValidator validate; }
namespace slack                { AdapterFactory make; ProviderValidator validate; }
namespace telegram             { AdapterFactory make; ProviderValidator validate; }
// clang-format on

namespace {

struct AdapterType {
    const char* type;
    AdapterFactory* make;
    ProviderValidator* validate;
};

const AdapterType kTypes[] = {
    {"file", &file::make, &file::validate},
    {"smtp", &smtp::make, &smtp::validate},
    {"webhook", &webhook::make, &webhook::validate},
    {"dingtalk-robot", &dingtalk_robot::make, &dingtalk_robot::validate},
    {"dingtalk-work-notice", &dingtalk_work_notice::make, &dingtalk_work_notice::validate},
    {"wecom-robot", &wecom_robot::make, &wecom_robot::validate},
    {"wecom-app", &wecom_app::make, &wecom_app::validate},
    {"feishu-bot", &feishu_bot::make, &feishu_bot::validate},
    {"wechat-template", &wechat_template::make, &wechat_template::validate},
    {"onebot", &onebot::make, &onebot::validate},
    {"aliyun-sms", &aliyun_sms::make, &aliyun_sms::validate},
    {"tencent-sms", &tencent_sms::make, &tencent_sms::validate},
    {"twilio", &twilio::make, &twilio::validate},
    {"slack", &slack::make, &slack::validate},
    {"telegram", &telegram::make, &telegram::validate},
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
    return t->validate(provider);
}

Expected<std::unique_ptr<Adapter>> make_adapter(const ProviderConfig& provider,
                                                const AdapterOptions& options) {
    const AdapterType* t = find_type(provider.type);
    if (!t) return unknown_type(provider);
    return t->make(provider, options);
}

}  // namespace notify::channels
