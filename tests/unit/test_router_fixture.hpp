// test_router_fixture.hpp - a store in a fresh temporary folder with a config of
// three channels (email over smtp, sms over an SMS provider, hook over a
// webhook), and helpers that write users, groups and sends with plain SQL.
#pragma once

#include <catch2/catch.hpp>
#include "store/db.hpp"

#include <cstdio>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "mariadb_server.hpp"
#include "store/dialect.hpp"
#include "store/fanout.hpp"
#include "store/store.hpp"
#include "util/id.hpp"

namespace notify::testing {

inline Config router_config(const std::string& extra = {}) {
    auto c = parse_config(R"(
[providers.mail]
type = "smtp"
host = "127.0.0.1"
from = "notify@example.com"
[providers.text]
type = "twilio"
account_sid = "AC1"
auth_token = "t"
from = "+15005550006"
[providers.hook]
type = "webhook"
url = "http://127.0.0.1:9/x"
[channels.email]
providers = ["mail"]
[channels.sms]
providers = ["text"]
[channels.hook]
providers = ["hook"]
)" + extra,
                          "test.toml");
    REQUIRE(c);
    return *c;
}

class TempStore {
  public:
    TempStore() {
        char pattern[] = "/tmp/notify-router-test-XXXXXX";
        REQUIRE(mkdtemp(pattern));
        dir_ = pattern;
        if (stores_on_mariadb()) mariadb_ = fresh_mariadb_database();
        store_ = open();
    }
    ~TempStore() {
        store_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    // Another connection to the same file, as a restarted router would open;
    // one that waits `busy_timeout` for the write lock.
    std::unique_ptr<store::Store> open(Millis busy_timeout = 5000) {
        auto s = mariadb_ ? store::Store::open(*mariadb_, {false, busy_timeout})
                          : store::Store::open(dir_ + "/notify.db", {false, busy_timeout});
        REQUIRE(s);
        return std::move(*s);
    }
    store::Store& operator*() { return *store_; }
    store::Store* operator->() { return store_.get(); }
    store::Db& db() { return store_->handle(); }

    void exec(const std::string& sql) {
        try {
            store::exec(db(), sql.c_str());
        } catch (const store::StoreFailure& f) {
            FAIL(sql << ": " << f.message);
        }
    }
    // On `on` when given: another connection (while a router runs on this one).
    std::string scalar(const std::string& sql, store::Store* on = nullptr) {
        try {
            store::Stmt s(on ? on->handle() : db(), sql);
            return s.first([](store::Stmt& row) { return row.text(0); }).value_or("");
        } catch (const store::StoreFailure& f) {
            FAIL(sql << ": " << f.message);
        }
        return {};
    }
    long count(const std::string& sql, store::Store* on = nullptr) {
        return std::stol(scalar(sql, on));
    }

    void user(const std::string& id, const std::string& email, const std::string& phone = {},
              const std::string& locale = {}, const std::string& name = {},
              const std::string& attributes = {}) {
        exec(
            "INSERT INTO users (id, name, email, phone, locale, attributes, created_at, "
            "updated_at) VALUES ('" +
            id + "','" + name + "','" + email + "','" + phone + "','" + locale + "','" +
            attributes + "',1,1)");
    }
    void group(const std::string& name, const std::vector<std::string>& members) {
        exec(std::string(store::insert_ignore(db().dialect())) +
             " INTO `groups` (name, created_at) VALUES ('" + name + "', 1)");
        for (const auto& m : members)
            exec("INSERT INTO group_members (group_name, user_id) VALUES ('" + name + "','" + m +
                 "')");
    }

    // Group `name` of `count` users "user000000"... with an email each, in one
    // transaction.
    void big_group(const std::string& name, int count) {
        exec("BEGIN");
        std::vector<std::string> members;
        for (int i = 0; i < count; ++i) {
            char id[16];
            std::snprintf(id, sizeof id, "user%06d", i);
            user(id, std::string(id) + "@example.com");
            members.emplace_back(id);
        }
        group(name, members);
        exec("COMMIT");
    }

    // Stores a send to `targets` as ingest does for users and groups.
    std::string fanout(const std::vector<std::string>& targets, const std::string& channel,
                       store::FanoutState state = store::FanoutState::expanding,
                       Millis send_at = 0) {
        store::Accepted a;
        Notification& n = a.notification;
        n.created_at = util::now_ms();
        n.id = util::new_ulid(n.created_at);
        n.channel = channel;
        n.to = targets;
        n.subject = "s";
        n.body = "b";
        n.send_at = send_at;
        store::Fanout f;
        f.notification_id = n.id;
        f.targets = targets;
        f.state = state;
        f.total = static_cast<std::int64_t>(targets.size());
        f.created_at = n.created_at;
        a.fanout = f;
        const std::string id = n.id;
        std::vector<store::Accepted> batch{std::move(a)};
        REQUIRE(store_->insert_batch(batch));
        return id;
    }

  private:
    std::string dir_;
    std::optional<store::MariaTarget> mariadb_;  // the store's database, on MariaDB
    std::unique_ptr<store::Store> store_;
};

}  // namespace notify::testing
