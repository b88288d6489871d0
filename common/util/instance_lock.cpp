// instance_lock.cpp - flock(2) on a file holding the owner's PID.
#include "util/instance_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace notify::util {

namespace {

// The PID written in an open lock file; -1 when it holds none yet.
long read_pid(int fd) {
    char buf[32] = {};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return -1;
    char* end = nullptr;
    long pid = std::strtol(buf, &end, 10);
    return pid > 0 ? pid : -1;
}

bool locked_by_other(int fd) {
    if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
        flock(fd, LOCK_UN);
        return false;
    }
    return errno == EWOULDBLOCK;
}

}  // namespace

Expected<InstanceLock> InstanceLock::acquire(const std::string& path, const std::string& what) {
    std::filesystem::path p(path);
    std::error_code ec;
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return make_error(ErrorKind::unavailable, "lock",
                          "cannot open lock file '" + path + "': " + std::strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        long pid = err == EWOULDBLOCK ? read_pid(fd) : 0;
        close(fd);
        if (err != EWOULDBLOCK)
            return make_error(ErrorKind::unavailable, "lock",
                              "cannot lock '" + path + "': " + std::strerror(err));
        std::string who = pid > 0 ? "pid " + std::to_string(pid) : "another process";
        return make_error(ErrorKind::temporary, "already_running",
                          what + " is already running (" + who + " holds '" + path + "')");
    }
    std::string text = std::to_string(getpid()) + "\n";
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) < 0) {
        int err = errno;
        close(fd);
        return make_error(ErrorKind::unavailable, "lock",
                          "cannot write lock file '" + path + "': " + std::strerror(err));
    }
    return InstanceLock(fd);
}

long InstanceLock::holder(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return 0;
    long pid = locked_by_other(fd) ? read_pid(fd) : 0;
    close(fd);
    return pid;
}

InstanceLock::InstanceLock(InstanceLock&& other) noexcept : fd_(other.fd_) {
    other.fd_ = -1;
}

InstanceLock& InstanceLock::operator=(InstanceLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

InstanceLock::~InstanceLock() {
    if (fd_ >= 0) close(fd_);
}

std::string lock_path(const std::string& runtime_dir, const std::string& program,
                      const std::string& instance) {
    std::string name = program;
    if (!instance.empty()) {
        name += '.';
        // Percent-encoded, so that two names never share a file ("a/b" is "a%2Fb").
        static const char* hex = "0123456789ABCDEF";
        for (char c : instance) {
            bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (plain) {
                name += c;
            } else {
                unsigned char u = static_cast<unsigned char>(c);
                name += '%';
                name += hex[u >> 4];
                name += hex[u & 0xF];
            }
        }
    }
    return (runtime_dir.empty() ? std::string(".") : runtime_dir) + "/" + name + ".lock";
}

}  // namespace notify::util
