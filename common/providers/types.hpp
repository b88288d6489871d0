// types.hpp - the provider types notify knows, one line each, and the
// declarations of their keys and descriptors (provider_type.hpp), which
// common/providers/<type>.cpp defines. Each type's adapter is
// daemons/channel-worker/channels/<type>.cpp; the worker's registry pairs them
// by this same list.
//
// A new type is its descriptor file here, its adapter file, its line below and
// its two sources in the CMakeLists.txt files.
#pragma once

#include "provider_type.hpp"

#define NOTIFY_PROVIDER_TYPES(X) \
    X(file)                      \
    X(smtp)                      \
    X(webhook)                   \
    X(dingtalk_robot)            \
    X(dingtalk_work_notice)      \
    X(wecom_robot)               \
    X(wecom_app)                 \
    X(feishu_bot)                \
    X(wechat_template)           \
    X(onebot)                    \
    X(aliyun_sms)                \
    X(tencent_sms)               \
    X(twilio)                    \
    X(slack)                     \
    X(telegram)                  \
    X(apns)                      \
    X(fcm)                       \
    X(webpush)                   \
    X(jpush)                     \
    X(inbox)

namespace notify::providers {

#define NOTIFY_DECLARE_PROVIDER_TYPE(ns) \
    namespace ns {                       \
    extern const ProviderKeys keys;      \
    extern const ProviderType type;      \
    }
NOTIFY_PROVIDER_TYPES(NOTIFY_DECLARE_PROVIDER_TYPE)
#undef NOTIFY_DECLARE_PROVIDER_TYPE

}  // namespace notify::providers
