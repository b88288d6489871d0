// file.cpp - the `file` adapter: appends each delivery as one JSON line to a
// file (the embedded default's outbox, and a sink for tests and demos).
//
// Key: path (required). The line: {"id", "notification_id", "channel", "to",
// "subject", "body", "html"?, "data"?, "priority", "at"}. Parent folders are
// created; the file is opened O_APPEND and each line is one write(2), so
// several workers may share the file. Sent with the delivery id as the
// provider message id; an I/O error is retryable with the errno text.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "channels/adapter.hpp"
#include "channels/settings.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"

namespace notify::channels::file {

using providers::file::keys;

namespace {

Expected<std::string> read_path(const ProviderConfig& provider) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    return s->text("path", true);
}

std::string line_for(const wire::Job& job) {
    nlohmann::ordered_json j;
    j["id"] = job.delivery_id;
    j["notification_id"] = job.notification_id;
    j["channel"] = job.channel;
    j["to"] = job.to;
    j["subject"] = job.subject;
    j["body"] = job.body;
    if (!job.html.empty()) j["html"] = job.html;
    if (!job.data_json.empty()) {
        auto data = util::ordered_json_or_discarded(job.data_json);
        j["data"] = data.is_discarded() ? nlohmann::ordered_json(job.data_json) : data;
    }
    j["priority"] = to_string(job.priority);
    j["at"] = util::format_rfc3339(util::now_ms());
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

Attempt io_error(const char* what, const std::string& path, int err) {
    return Attempt::retryable("errno:" + std::to_string(err),
                              std::string(what) + " '" + path + "': " + std::strerror(err));
}

class FileAdapter : public Adapter {
  public:
    explicit FileAdapter(std::string path) : path_(std::move(path)) {}

    Started start(const wire::Job& job) override {
        std::string line = line_for(job);
        std::filesystem::path parent = std::filesystem::path(path_).parent_path();
        if (!parent.empty()) {
            std::error_code ec;
            std::filesystem::create_directories(parent, ec);
            if (ec) return io_error("cannot create the folder of", path_, ec.value());
        }
        int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0) return io_error("cannot open", path_, errno);
        ssize_t n = ::write(fd, line.data(), line.size());
        int err = errno;
        ::close(fd);
        if (n < 0) return io_error("cannot write", path_, err);
        if (static_cast<size_t>(n) != line.size())
            return Attempt::retryable("short_write", "short write to '" + path_ + "'");
        return Attempt::sent(job.delivery_id);
    }

  private:
    std::string path_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider, const AdapterOptions&) {
    auto path = read_path(provider);
    if (!path) return path.error();
    return std::unique_ptr<Adapter>(std::make_unique<FileAdapter>(std::move(*path)));
}

Status validate(const ProviderConfig& provider) {
    auto path = read_path(provider);
    if (!path) return path.error();
    return ok();
}

}  // namespace notify::channels::file
