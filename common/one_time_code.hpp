// one_time_code.hpp - one-time codes (POST /v1/otp): made from the system's
// random source, kept in the store only as a keyed MAC (otp_store.hpp), and
// carried to the router sealed.
//
// A code's notification is stored with kCodeMarker where the code goes (its
// data's "code", and so its content rendered at the door) and the code itself
// sealed in its data's kSealedField: AES-256-GCM under a key derived from the
// OTP secret, with a random nonce. The router opens it when it builds the job
// (fill_code), so the code is in clear only in memory on its way to the
// provider, never in the store, an event or a log line.
#pragma once

#include <string>
#include <string_view>

#include "config.hpp"
#include "util/error.hpp"

namespace notify::store {
class Store;
}

namespace notify {

// Where the code goes in a stored notification: letters alone, so that no
// escaping in a template changes it.
constexpr const char* kCodeMarker = "NTFYxOTPxCODExMARK";
// The member of a notification's data that holds its sealed code.
constexpr const char* kSealedField = "one_time_code_sealed";
// The category of what POST /v1/otp sends, the only one a code is opened for.
constexpr const char* kCodeCategory = "one-time-code";
// What stands for a code in what is kept of a delivery (a vendor's error
// quoting the message it refused).
constexpr const char* kHiddenCode = "[one-time code]";

// otp.secret (a secret reference), else the one the store keeps under
// "otp.secret", made on first use.
Expected<std::string> otp_secret(const Config& config, store::Store& store);

// `length` decimal digits, each uniform, from the system's random source.
std::string generate_code(int length);
// base64url(nonce || AES-256-GCM(code) || tag).
Expected<std::string> seal_code(const std::string& secret, std::string_view code);
// The code in `sealed`; invalid "bad_seal" when it does not open with `secret`.
Expected<std::string> open_code(const std::string& secret, std::string_view sealed);
// What the store keeps of `code` sent to `to`: HMAC-SHA256 under a key of its
// own derived from the secret, over the recipient and the code.
std::string code_mac(const std::string& secret, std::string_view to, std::string_view code);
// Every kCodeMarker in `text` replaced by `code`.
void fill_code(std::string& text, const std::string& code);
// Every `code` in `text` replaced by kHiddenCode (none when `code` is empty).
void hide_code(std::string& text, const std::string& code);

}  // namespace notify
