// daemon_path.cpp - finding the daemons beside notifyctl and running one to
// its end (see the header).
#include "daemon_path.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "util/executable_dir.hpp"
#include "util/strings.hpp"

extern char** environ;

namespace notify::cli {

namespace {

struct Pipe {
    int read = -1, write = -1;
    ~Pipe() {
        if (read >= 0) close(read);
        if (write >= 0) close(write);
    }
};

Error failed(const std::string& what) {
    return make_error(ErrorKind::internal, "spawn", what + ": " + std::strerror(errno));
}

}  // namespace

std::string find_daemon(const std::string& program, const std::string& self_dir,
                        const std::string& path_env) {
    auto runnable = [](const std::string& p) {
        struct stat st {};
        return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
    };
    if (!self_dir.empty()) {
        // A build keeps them together; an installation puts them in ../sbin.
        for (const std::string& dir : {self_dir, self_dir + "/../sbin"})
            if (runnable(dir + "/" + program)) return dir + "/" + program;
    }
    for (const auto& dir : util::split(path_env, ':')) {
        std::string p = (dir.empty() ? std::string(".") : dir) + "/" + program;
        if (runnable(p)) return p;
    }
    return "";
}

Expected<std::string> locate_daemon(const std::string& program) {
    const std::string dir = util::executable_dir();
    const char* path_env = std::getenv("PATH");
    std::string path = find_daemon(program, dir, path_env ? path_env : "");
    if (path.empty())
        return make_error(ErrorKind::unavailable, "no_daemon",
                          "cannot find '" + program + "' next to notifyctl ('" + dir +
                              "'), in its ../sbin or on PATH");
    return path;
}

Expected<Finished> run_to_end(const std::string& path, const std::vector<std::string>& args,
                              size_t max_output) {
    Pipe out, err;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return failed("pipe");
    out.read = fds[0];
    out.write = fds[1];
    if (pipe2(fds, O_CLOEXEC) != 0) return failed("pipe");
    err.read = fds[0];
    err.write = fds[1];

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    std::string program = path;
    argv.push_back(program.data());
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        errno = rc;
        return failed("cannot run '" + path + "'");
    }
    close(out.write);
    out.write = -1;
    close(err.write);
    err.write = -1;

    Finished done;
    struct Stream {
        int fd;
        std::string* text;
    } streams[2] = {{out.read, &done.out}, {err.read, &done.err}};
    int open_streams = 2;
    while (open_streams > 0) {
        pollfd polled[2];
        Stream* polled_stream[2];
        nfds_t n = 0;
        for (auto& s : streams)
            if (s.fd >= 0) {
                polled_stream[n] = &s;
                polled[n++] = {s.fd, POLLIN, 0};
            }
        if (poll(polled, n, -1) < 0) {
            if (errno == EINTR) continue;
            Error error = failed("poll");
            kill(pid, SIGKILL);  // not left running, nor unreaped
            while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
            }
            return error;
        }
        for (nfds_t i = 0; i < n; ++i) {
            if (polled[i].revents == 0) continue;
            Stream& s = *polled_stream[i];
            char buf[4096];
            ssize_t got = read(s.fd, buf, sizeof buf);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) {  // its end (or an error, which ends it as well)
                s.fd = -1;
                --open_streams;
                continue;
            }
            size_t room = max_output - std::min(max_output, s.text->size());
            s.text->append(buf, std::min(room, static_cast<size_t>(got)));
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return failed("waitpid");
    done.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return done;
}

}  // namespace notify::cli
