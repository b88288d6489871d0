// transfer.hpp - the common part of an HTTP or SMTP transfer: an easy handle
// with the options every adapter wants (no signals, a total timeout, no
// redirects, TLS verification on), a capped response body, the response header
// lines (HTTP) or server reply lines (SMTP), and the request's header list.
// An adapter derives from CurlTransfer, sets its protocol options and keeps the
// buffers the handle points at as members, so they live as long as the handle.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "channels/adapter.hpp"

namespace notify::channels {

// The value of the last header `name` (case-insensitive) among response header
// lines "Name: value", trimmed; "" when there is none.
std::string header_in(const std::vector<std::string>& lines, std::string_view name);

class CurlTransfer : public Transfer {
  public:
    explicit CurlTransfer(Millis timeout);
    ~CurlTransfer() override;
    CurlTransfer(const CurlTransfer&) = delete;
    CurlTransfer& operator=(const CurlTransfer&) = delete;

    CURL* handle() const override { return easy_; }
    Millis timeout() const override { return timeout_; }
    // False when curl could not make a handle.
    bool valid() const { return easy_ != nullptr; }

  protected:
    // Appends "Name: value" to the request headers (installed by use_headers()).
    void add_header(const std::string& line);
    void use_headers();
    // Keeps a list the handle points at (CURLOPT_MAIL_RCPT, ...) until the handle is gone.
    struct curl_slist* keep(struct curl_slist* list);
    long response_code() const;
    // The value of the last response header `name` (case-insensitive), trimmed.
    std::string header_value(std::string_view name) const;
    const std::string& body() const { return body_; }
    const std::vector<std::string>& header_lines() const { return header_lines_; }

  private:
    static size_t on_body(char* data, size_t size, size_t n, void* self);
    static size_t on_header(char* data, size_t size, size_t n, void* self);

    CURL* easy_ = nullptr;
    Millis timeout_;
    struct curl_slist* headers_ = nullptr;
    std::vector<struct curl_slist*> kept_;
    std::string body_;
    std::vector<std::string> header_lines_;
};

}  // namespace notify::channels
