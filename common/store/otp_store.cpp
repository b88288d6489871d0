// otp_store.cpp - one-time codes in the store; see otp_store.hpp.
#include "store/otp_store.hpp"

#include <algorithm>

#include "store/dialect.hpp"
#include "util/crypto.hpp"

namespace notify::store {

namespace {

constexpr Millis kHour = 3'600'000;

}  // namespace

const char* to_string(OtpResult r) {
    switch (r) {
        case OtpResult::valid:
            return "valid";
        case OtpResult::invalid:
            return "invalid";
        case OtpResult::expired:
            return "expired";
        case OtpResult::locked:
            break;
    }
    return "locked";
}

struct OtpStore::Statements {
    explicit Statements(Db& db)
        : window(
              db,
              "SELECT created_at, window_start, window_sends FROM otp_codes WHERE recipient = ?"),
          issue(db,
                "INSERT INTO otp_codes (recipient, code_mac, channel, created_at, expires_at, "
                "max_attempts, window_start, window_sends, api_key_id) VALUES (?1, ?2, ?3, ?4, "
                "?5, ?6, ?4, 1, ?8) " +
                    on_conflict_update(
                        db.dialect(), "recipient",
                        "code_mac = excluded.code_mac, channel = excluded.channel, created_at = "
                        "excluded.created_at, expires_at = excluded.expires_at, max_attempts = "
                        "excluded.max_attempts, api_key_id = excluded.api_key_id, attempts = 0, "
                        "used_at = 0, "
                        // window_sends first: it reads the window_start this statement
                        // replaces (an upsert that assigns left to right with new values
                        // would not).
                        "window_sends = CASE WHEN ?4 - window_start >= ?7 THEN 1 ELSE "
                        "window_sends + 1 END, window_start = CASE "
                        "WHEN ?4 - window_start >= ?7 THEN ?4 ELSE window_start END")),
          code(db,
               "SELECT code_mac, expires_at, attempts, max_attempts, used_at, api_key_id FROM "
               "otp_codes WHERE recipient = ?"),
          used(db, "UPDATE otp_codes SET used_at = ? WHERE recipient = ?"),
          attempt(db, "UPDATE otp_codes SET attempts = attempts + 1 WHERE recipient = ?"),
          prune(db, "DELETE FROM otp_codes WHERE expires_at < ?1 AND window_start < ?1 - ?2") {}
    Stmt window, issue, code, used, attempt, prune;
};

OtpStore::OtpStore(Db& db) : db_(db), st_(std::make_unique<Statements>(db)) {}

OtpStore::~OtpStore() = default;

Millis OtpStore::wait_for(const std::string& to, Millis now, const OtpLimits& limits) {
    struct Row {
        Millis created_at, window_start;
        long sends;
    };
    auto row = st_->window.bind(1, to).first([](const Stmt& r) {
        return Row{r.integer(0), r.integer(1), static_cast<long>(r.integer(2))};
    });
    if (!row) return 0;
    Millis wait = std::max<Millis>(0, row->created_at + limits.resend_after - now);
    if (now - row->window_start < kHour && row->sends >= limits.hourly_sends)
        wait = std::max(wait, row->window_start + kHour - now);
    return wait;
}

void OtpStore::issue(const OtpCode& c) {
    st_->issue.bind(1, c.to)
        .bind_blob(2, c.mac)
        .bind(3, c.channel)
        .bind(4, c.created_at)
        .bind(5, c.expires_at)
        .bind(6, c.max_attempts)
        .bind(7, kHour)
        .bind(8, c.api_key_id)
        .run();
}

std::optional<OtpCheck> OtpStore::verify(const std::string& to, const std::string& mac, Millis now,
                                         const std::optional<std::string>& sent_by) {
    struct Row {
        std::string mac;
        Millis expires_at;
        long attempts, max_attempts;
        Millis used_at;
        std::string api_key_id;
    };
    std::optional<Transaction> tx;
    if (!db_.in_transaction()) tx.emplace(db_);
    auto row = st_->code.bind(1, to).first([](const Stmt& r) {
        return Row{std::string(r.blob(0)),          r.integer(1), static_cast<long>(r.integer(2)),
                   static_cast<long>(r.integer(3)), r.integer(4), r.text(5)};
    });
    if (!row || (sent_by && row->api_key_id != *sent_by)) return std::nullopt;
    OtpCheck check;
    check.attempts_left = std::max(0L, row->max_attempts - row->attempts);
    if (row->used_at != 0) {
        check.result = OtpResult::invalid;
    } else if (row->attempts >= row->max_attempts) {
        check.result = OtpResult::locked;
    } else if (now >= row->expires_at) {
        check.result = OtpResult::expired;
    } else if (util::constant_time_equal(row->mac, mac)) {
        st_->used.bind(1, now).bind(2, to).run();
        check.result = OtpResult::valid;
    } else {
        st_->attempt.bind(1, to).run();
        check.attempts_left -= 1;
        check.result = check.attempts_left == 0 ? OtpResult::locked : OtpResult::invalid;
    }
    if (tx) tx->commit();
    return check;
}

long OtpStore::prune(Millis now) {
    st_->prune.bind(1, now).bind(2, kHour).run();
    return static_cast<long>(db_.changes());
}

}  // namespace notify::store
