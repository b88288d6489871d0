// scenario_render.cpp - what rendering costs per delivery: a stored template
// rendered for one user after another, the way the router renders a fan-out's
// deliveries (the user object into the data, the version as of the send, the
// user's locale). Needs --store, a store holding the starter templates
// (tests/bench/run imports them); no daemon is involved.
#include <nlohmann/json.hpp>

#include <cstdio>

#include "clock.hpp"
#include "rendering/stored_templates.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "store/directory_store.hpp"
#include "store/store.hpp"

namespace notify::bench {

int render(const Options& o) {
    const std::string name = "render";
    if (o.store.empty()) {
        progress(name, "needs --store PATH, a store with the starter templates imported");
        return 1;
    }
    auto store = store::Store::open(o.store, store::Options{});
    if (!store) {
        progress(name, store.error().message);
        return 1;
    }
    rendering::StoredTemplates templates(**store, "en");
    nlohmann::json data{{"service", "Acme"},
                        {"minutes", 15},
                        {"url", "https://acme.example/reset/8f2c41"},
                        {"sender", "Acme IT"}};
    const long count = o.count > 0 ? o.count : 200000;
    const char* locales[] = {"en", "zh-CN", "en-GB", "zh"};
    const Millis as_of = util::now_ms();
    store::User user;
    user.email = "someone@example.com";
    user.attributes_json = R"({"team":"payments","plan":"pro"})";
    long rendered = 0;
    std::size_t bytes = 0;
    Micros t0 = now_us();
    for (long i = 0; i < count; ++i) {
        user.id = "u" + std::to_string(i);
        user.name = "User " + std::to_string(i);
        user.locale = locales[i % 4];
        data["user"] = rendering::user_object(user);
        auto content = templates.render(
            rendering::TemplateRef{"password-reset", o.channel, user.locale, as_of}, data);
        if (!content) {
            progress(name, "render failed: " + content.error().message);
            return 1;
        }
        bytes += content->subject.size() + content->body.size() + content->html.size();
        ++rendered;
    }
    double us = static_cast<double>(now_us() - t0) / static_cast<double>(rendered);
    char value[32];
    std::snprintf(value, sizeof value, "%.2f us", us);
    report(name, "password-reset per delivery", value, "<= 10 us", verdict(us <= 10.0));
    report(name, "rendered",
           format_count(rendered) + " (" + format_count(static_cast<long>(bytes / rendered)) +
               " bytes each, 4 locales)");
    return 0;
}

}  // namespace notify::bench
