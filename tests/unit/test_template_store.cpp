#include <catch2/catch.hpp>

#include "store/template_store.hpp"

using namespace notify;
using store::TemplateVersion;

namespace {
TemplateVersion variant(const std::string& channel, const std::string& locale,
                        const std::string& subject) {
    TemplateVersion t;
    t.name = "password-reset";
    t.channel = channel;
    t.locale = locale;
    t.subject = subject;
    t.text = "{{code}}";
    t.author = "ops";
    return t;
}
}  // namespace

TEST_CASE("locales fall back to their language, then to the default") {
    CHECK(store::locale_fallbacks("zh-CN") == std::vector<std::string>{"zh-CN", "zh", ""});
    CHECK(store::locale_fallbacks("zh-Hant-TW") ==
          std::vector<std::string>{"zh-Hant-TW", "zh-Hant", "zh", ""});
    CHECK(store::locale_fallbacks("") == std::vector<std::string>{""});
    CHECK(store::locale_fallbacks("fr-FR", "en-US") ==
          std::vector<std::string>{"fr-FR", "fr", "en-US", "en", ""});
    CHECK(store::locale_fallbacks("en-GB", "en") == std::vector<std::string>{"en-GB", "en", ""});
}

TEST_CASE("templates are versioned and found with fallbacks") {
    auto st = store::Store::open(":memory:", {});
    REQUIRE(st);
    store::TemplateStore templates(**st);

    REQUIRE(*templates.add(variant("", "", "Reset your password")) == 1);
    REQUIRE(*templates.add(variant("", "zh", "重置密码")) == 1);
    REQUIRE(*templates.add(variant("sms", "", "sms default")) == 1);
    REQUIRE(*templates.add(variant("", "", "Reset your password now")) == 2);

    SECTION("locale and channel fallbacks") {
        CHECK(templates.resolve("password-reset", "email", "zh-CN")->subject == "重置密码");
        CHECK(templates.resolve("password-reset", "email", "fr-FR")->subject ==
              "Reset your password now");
        CHECK(templates.resolve("password-reset", "sms", "zh-CN")->subject == "sms default");
        CHECK_FALSE(templates.resolve("no-such-template", "email", "en"));
    }
    SECTION("history keeps every version; restore writes an old one again") {
        CHECK(templates.history("password-reset").size() == 4);
        auto restored = templates.restore("password-reset", "", "", 1, "ops");
        REQUIRE(restored);
        CHECK(*restored == 3);
        CHECK(templates.current("password-reset", "", "")->subject == "Reset your password");
        CHECK_FALSE(templates.restore("password-reset", "", "", 9, "ops"));
        CHECK(templates.restore("password-reset", "", "", 9, "ops").error().message ==
              "no template 'password-reset' at version 9");
    }
    SECTION("removal is a version too, and the lookup falls through it") {
        REQUIRE(templates.remove("password-reset", "", "zh", "ops"));
        CHECK_FALSE(templates.current("password-reset", "", "zh"));
        CHECK(templates.resolve("password-reset", "email", "zh-CN")->subject ==
              "Reset your password now");
        CHECK(templates.list().size() == 2);
        CHECK(templates.history("password-reset").size() == 5);
        CHECK_FALSE(templates.remove("password-reset", "", "zh", "ops"));
    }
}
