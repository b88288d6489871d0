// private_file.cpp - 0600 store files (see private_file.hpp).
#include "store/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace notify::store {

namespace {

void drop_others(const std::string& path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
    if (st.st_mode & S_IRWXO) chmod(path.c_str(), st.st_mode & 07770);
}

}  // namespace

void make_private(const std::string& path, bool create) {
    if (path.empty() || path == ":memory:" || path.front() == ':') return;
    if (create) {
        int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) close(fd);
    }
    for (const char* suffix : {"", "-wal", "-shm"}) drop_others(path + suffix);
}

}  // namespace notify::store
