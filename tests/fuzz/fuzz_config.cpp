// fuzz_config.cpp - notify.toml (common/config.cpp) from any text: the TOML
// parser, every declared key's checks, and what the daemons then ask of a
// configuration that loaded (channels, their types, caps, rate limits).
#include "config.hpp"
#include "util/log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    notify::log::set_level(notify::log::Level::error);
    auto config =
        notify::parse_config(std::string(reinterpret_cast<const char*>(data), size), "fuzz.toml");
    if (!config) return 0;
    for (const auto& name : config->channel_names()) {
        (void)config->check_channel(name, "channel");
        (void)notify::default_rate_limit(config->channel_type(name));
        (void)config->frequency_cap(name);
    }
    (void)config->is_mandatory("security");
    return 0;
}
