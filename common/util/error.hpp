// error.hpp - the error value that lower layers return instead of throwing.
//
// An Error names its kind (which maps to an exit code and an HTTP status at the
// edges), a stable code word for machines, a one-line message for people, and
// optionally the input field it is about.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace notify {

enum class ErrorKind {
    usage,         // bad command line (exit 64, HTTP 400)
    invalid,       // bad data: address, JSON, time (exit 65, HTTP 400/422)
    no_input,      // input file missing (exit 66)
    not_found,     // no such notification, key (exit 69?/HTTP 404) -- see exit_code()
    conflict,      // idempotency key reused with another body (HTTP 422)
    too_large,     // body over the limit (HTTP 413)
    unauthorized,  // missing or unknown API key (exit 77, HTTP 401)
    forbidden,     // key lacks the scope (exit 77, HTTP 403)
    unavailable,   // a daemon or the store cannot be reached (exit 69, HTTP 503)
    temporary,     // try again later (exit 75, HTTP 503/429)
    internal,      // a bug or an unexpected system failure (exit 70, HTTP 500)
};

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string code;     // stable code word, e.g. "invalid_address"
    std::string message;  // one line, lowercase, values quoted
    std::string field;    // the input field at fault, if any
};

inline Error make_error(ErrorKind kind, std::string code, std::string message,
                        std::string field = {}) {
    return Error{kind, std::move(code), std::move(message), std::move(field)};
}

// sysexits.h code for an error kind.
int exit_code(ErrorKind kind);
// HTTP status for an error kind.
int http_status(ErrorKind kind);
const char* to_string(ErrorKind kind);

// Expected<T>: a value or an Error (std::expected is C++23; GCC 12 lacks it).
template <class T>
class Expected {
  public:
    Expected(T value) : v_(std::move(value)) {}
    Expected(Error error) : v_(std::move(error)) {}
    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T value_or(T otherwise) const { return has_value() ? value() : std::move(otherwise); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

struct Ok {};
using Status = Expected<Ok>;
inline Status ok() {
    return Ok{};
}

}  // namespace notify
