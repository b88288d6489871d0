// test_vendor_mock.hpp - a vendor's HTTP API played on 127.0.0.1 for the
// adapter tests, and a driver that runs one attempt of an adapter to its end.
//
// VendorMock accepts connections on its own thread, reads each request
// (request line, headers, Content-Length body), keeps it, and answers what the
// test's handler returns (one request per connection). run_attempt() performs
// an adapter's transfers one after another (a token fetch, then the send, ...)
// with curl_easy_perform, as the worker would with curl multi.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "channels/adapter.hpp"
#include "test_loopback_server.hpp"
#include "util/strings.hpp"

namespace notify::test {

struct MockRequest {
    std::string method;
    std::string target;                          // path and query, as sent
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    std::string path() const { return target.substr(0, target.find('?')); }
    // A query parameter's raw (still percent-encoded) value, or "<missing>".
    std::string query(const std::string& name) const {
        size_t q = target.find('?');
        if (q == std::string::npos) return "<missing>";
        for (const auto& pair : util::split(target.substr(q + 1), '&')) {
            size_t eq = pair.find('=');
            if (pair.substr(0, eq) == name)
                return eq == std::string::npos ? std::string() : pair.substr(eq + 1);
        }
        return "<missing>";
    }
    std::string header(const std::string& name) const {
        auto it = headers.find(util::to_lower(name));
        return it == headers.end() ? "<missing>" : it->second;
    }
};

struct MockReply {
    MockReply(int status_code = 200, std::string reply_body = {})
        : status(status_code), body(std::move(reply_body)) {}
    int status;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::string> headers;  // extra "Name: value" lines
};

class VendorMock {
  public:
    using Handler = std::function<MockReply(const MockRequest&)>;

    explicit VendorMock(Handler handler) : handler_(std::move(handler)) {
        fd_ = listen_on_loopback(16, port_);
        thread_ = std::thread([this] { serve(); });
    }
    ~VendorMock() {
        stop_ = true;
        shutdown(fd_, SHUT_RDWR);
        thread_.join();
        close(fd_);
    }
    VendorMock(const VendorMock&) = delete;
    VendorMock& operator=(const VendorMock&) = delete;

    std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<MockRequest> requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }

  private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            int c = accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            handle(c);
            close(c);
        }
    }

    void handle(int c) {
        std::string data;
        char buf[8192];
        size_t head_end = std::string::npos, want = std::string::npos;
        while (data.size() < want) {
            ssize_t n = read(c, buf, sizeof buf);
            if (n <= 0) return;
            data.append(buf, static_cast<size_t>(n));
            if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != data.npos) {
                std::string lower = util::to_lower(data.substr(0, head_end));
                size_t cl = lower.find("content-length:");
                want = head_end + 4 +
                       (cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 15)));
            }
        }
        MockRequest r;
        auto lines = util::split(data.substr(0, head_end), '\n');
        auto first = util::split(util::trim(lines[0]), ' ');
        r.method = first.size() > 0 ? first[0] : "";
        r.target = first.size() > 1 ? first[1] : "";
        for (size_t i = 1; i < lines.size(); ++i) {
            size_t colon = lines[i].find(':');
            if (colon == std::string::npos) continue;
            r.headers[util::to_lower(util::trim(lines[i].substr(0, colon)))] =
                util::trim(lines[i].substr(colon + 1));
        }
        r.body = data.substr(head_end + 4);
        MockReply reply = handler_(r);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            requests_.push_back(r);
        }
        std::string out = "HTTP/1.1 " + std::to_string(reply.status) +
                          " X\r\nContent-Type: " + reply.content_type +
                          "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                          "\r\nConnection: close\r\n";
        for (const auto& h : reply.headers) out += h + "\r\n";
        out += "\r\n" + reply.body;
        (void)!write(c, out.data(), out.size());
    }

    Handler handler_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<MockRequest> requests_;
    std::thread thread_;  // last: it uses the members above
};

// Runs one attempt of `adapter` for `job` to its end. A Wait cannot end in a
// test that runs one attempt at a time, so it fails the test.
inline channels::Attempt run_attempt(channels::Adapter& adapter, const wire::Job& job) {
    channels::Started s = adapter.start(job);
    for (int hops = 0; hops < 10; ++hops) {
        if (auto* done = std::get_if<channels::Attempt>(&s)) return *done;
        REQUIRE_FALSE(std::holds_alternative<channels::Wait>(s));
        auto transfer = std::move(std::get<std::unique_ptr<channels::Transfer>>(s));
        s = transfer->finish(curl_easy_perform(transfer->handle()));
    }
    FAIL("the attempt did not end after 10 requests");
    return {};
}

}  // namespace notify::test
