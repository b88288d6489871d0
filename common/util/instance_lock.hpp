// instance_lock.hpp - one running instance per lock file.
//
// A daemon takes an exclusive flock(2) on a file in runtime_dir before it binds
// anything, and writes its PID into it; the lock goes when the process does,
// however it ends (the kernel drops it with the last descriptor), so there is no
// stale lock after a crash. A second instance learns the holder's PID and leaves
// without touching the first one's sockets.
#pragma once

#include <string>

#include "util/error.hpp"

namespace notify::util {

class InstanceLock {
  public:
    // Creates `path` (and its folder) and locks it. Another process holding it
    // is ErrorKind::temporary (exit 75): "WHAT is already running (pid N holds
    // 'PATH')". Other failures (a folder that cannot be made) are unavailable.
    static Expected<InstanceLock> acquire(const std::string& path, const std::string& what);
    // The PID that holds `path`, 0 when nobody does (or the file is absent), -1
    // when someone does but has not written its PID yet.
    static long holder(const std::string& path);

    InstanceLock(InstanceLock&& other) noexcept;
    InstanceLock& operator=(InstanceLock&& other) noexcept;
    InstanceLock(const InstanceLock&) = delete;
    InstanceLock& operator=(const InstanceLock&) = delete;
    ~InstanceLock();

  private:
    explicit InstanceLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

// The lock file of `program` in runtime_dir: "RUNTIME_DIR/PROGRAM.lock", with
// `instance` ("RUNTIME_DIR/PROGRAM.INSTANCE.lock") for programs that may run
// more than once under different names; characters other than letters, digits,
// '.', '_' and '-' in it are percent-encoded ("%2F"), so no two names share one.
std::string lock_path(const std::string& runtime_dir, const std::string& program,
                      const std::string& instance = {});

}  // namespace notify::util
