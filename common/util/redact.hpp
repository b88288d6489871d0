// redact.hpp - how a secret is shown when it must be named: in `notifyctl
// config show`, in error messages and in log lines.
#pragma once

#include <string>
#include <string_view>

namespace notify::util {

inline constexpr std::string_view kMasked = "********";

// A secret's value as it may be shown: "********", except a reference
// ("env:NAME", "file:/path"), which says where the secret is and not what it
// is, and "" (nothing set), which stays "".
std::string masked_secret(std::string_view value);

// `text` with the password of a URL's user information replaced by "********"
// ("https://user:********@host/"), wherever "scheme://user:password@" occurs
// in it; other text is returned as it is.
std::string without_password(std::string_view text);

}  // namespace notify::util
