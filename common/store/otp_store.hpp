// otp_store.hpp - one-time codes in the store (schemas 16, 17): one row per
// recipient (the `to` a code was sent to), with the MAC of its latest code
// (one_time_code.hpp), the API key that sent it, when it expires, how many
// wrong codes were tried and whether it was used, and how many codes the
// recipient was sent this hour. notify-ingest writes it, in the group commit
// of its writer (Store::one_time_codes): a new code replaces the last, a
// verify counts.
//
// Methods throw StoreFailure; callers turn it into an Error (to_error).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "store/db.hpp"
#include "util/time.hpp"

namespace notify::store {

using util::Millis;

struct OtpLimits {
    Millis resend_after = 30000;  // between two codes to one recipient
    long hourly_sends = 5;        // codes to one recipient in an hour
};

struct OtpCode {
    std::string to;
    std::string mac;  // code_mac() of the code
    std::string channel;
    std::string api_key_id;  // the key that sent it
    Millis created_at = 0;
    Millis expires_at = 0;
    long max_attempts = 5;
};

enum class OtpResult { valid, invalid, expired, locked };
const char* to_string(OtpResult r);

struct OtpCheck {
    OtpResult result = OtpResult::invalid;
    long attempts_left = 0;
};

class OtpStore {
  public:
    explicit OtpStore(Db& db);
    ~OtpStore();

    // How long `to` must wait for another code at `now` under `limits`; 0:
    // it may have one.
    Millis wait_for(const std::string& to, Millis now, const OtpLimits& limits);
    // Keeps `code` as the recipient's, in place of any before, and counts it
    // in the recipient's hour.
    void issue(const OtpCode& code);
    // Checks `mac` against the recipient's code at `now`: a valid code is used
    // up, a wrong one uses an attempt. nullopt: no code was sent to `to` (by
    // the API key `sent_by`, when given). In a transaction of its own unless
    // one is open.
    std::optional<OtpCheck> verify(const std::string& to, const std::string& mac, Millis now,
                                   const std::optional<std::string>& sent_by = std::nullopt);
    // Forgets codes that can neither be verified nor limit a send any more
    // (expired, and their hour over) at `now`; how many.
    long prune(Millis now);

  private:
    struct Statements;
    Db& db_;
    std::unique_ptr<Statements> st_;
};

}  // namespace notify::store
