// up.cpp - `notifyctl up`: the whole stack in the foreground, for a laptop or
// a demo. Starts notify-priority-router, waits for its socket, then
// notify-channel-worker and notify-ingest, each with the same --config.
//
// The daemons are found next to the notifyctl executable (/proc/self/exe), in
// ../sbin from it (where cmake --install puts them), else on PATH. Each line a daemon writes
// (stdout or stderr) is copied to notifyctl's stderr behind its name: "router | ...". Ctrl-C or
// SIGTERM stops them all (SIGTERM, then SIGKILL after 10 s) and exits 0; a daemon that exits on its
// own stops the others and exits 70 naming it (75 when it found another of its kind running). A
// stack already running for the same runtime_dir (its daemons' lock files there are held) is
// refused with 75 before anything starts. The daemons run in their own process group so that a
// Ctrl-C reaches notifyctl alone and the order of shutdown stays notifyctl's.
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <ostream>

#include "command.hpp"
#include "daemon_path.hpp"
#include "util/instance_lock.hpp"
#include "util/ipc.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

constexpr Millis kStopGrace = 10000;
constexpr Millis kReadyWait = 5000;

struct Daemon {
    std::string label;    // "router"
    std::string program;  // "notify-priority-router"
    std::string path;
    pid_t pid = -1;
    int fd = -1;  // read end of the pipe that carries its stdout and stderr
    std::string partial;
    bool running = false;
    int status = 0;
};

enum class Event { none, signaled, died };

class Stack {
  public:
    Stack(Context& ctx, std::vector<Daemon> daemons, int sigfd)
        : ctx_(ctx), daemons_(std::move(daemons)), sigfd_(sigfd) {}

    Status start(Daemon& d, const std::vector<std::string>& args, const sigset_t& old_mask);
    // Copies output and reaps children for up to `ms` (-1: until something happens).
    Event pump(Millis ms);
    // The daemon that exited on its own, after pump() returned died.
    const Daemon* dead() const { return dead_; }
    void stop_all();
    std::vector<Daemon>& daemons() { return daemons_; }

  private:
    void forward(Daemon& d, bool at_eof);
    void reap();

    Context& ctx_;
    std::vector<Daemon> daemons_;
    int sigfd_;
    const Daemon* dead_ = nullptr;
    bool stopping_ = false;
};

Status Stack::start(Daemon& d, const std::vector<std::string>& args, const sigset_t& old_mask) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return make_error(ErrorKind::internal, "pipe",
                          std::string("pipe: ") + std::strerror(errno));
    std::vector<char*> argv;
    argv.push_back(d.path.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return make_error(ErrorKind::internal, "fork",
                          std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, STDIN_FILENO);
        sigprocmask(SIG_SETMASK, &old_mask, nullptr);
        execv(d.path.c_str(), argv.data());
        std::string msg = "cannot run '" + d.path + "': " + std::strerror(errno) + "\n";
        (void)!write(STDERR_FILENO, msg.data(), msg.size());
        _exit(127);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    d.pid = pid;
    d.fd = fds[0];
    d.running = true;
    return ok();
}

void Stack::forward(Daemon& d, bool at_eof) {
    char buf[4096];
    for (;;) {
        ssize_t n = read(d.fd, buf, sizeof buf);
        if (n > 0) {
            d.partial.append(buf, static_cast<size_t>(n));
            size_t nl;
            while ((nl = d.partial.find('\n')) != std::string::npos) {
                ctx_.err << d.label << " | " << d.partial.substr(0, nl) << "\n";
                d.partial.erase(0, nl + 1);
            }
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 || at_eof || (n < 0 && errno != EAGAIN)) {
            if (n == 0 || (n < 0 && errno != EAGAIN)) {
                if (!d.partial.empty()) ctx_.err << d.label << " | " << d.partial << "\n";
                d.partial.clear();
                close(d.fd);
                d.fd = -1;
            }
        }
        break;
    }
    ctx_.err.flush();
}

void Stack::reap() {
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return;
        for (auto& d : daemons_) {
            if (d.pid != pid) continue;
            d.running = false;
            d.status = status;
            if (d.fd >= 0) forward(d, true);
            if (!stopping_ && !dead_) dead_ = &d;
        }
    }
}

Event Stack::pump(Millis ms) {
    Millis deadline = ms < 0 ? -1 : util::steady_ms() + ms;
    for (;;) {
        std::vector<pollfd> fds{{sigfd_, POLLIN, 0}};
        std::vector<Daemon*> owners{nullptr};
        for (auto& d : daemons_)
            if (d.fd >= 0) {
                fds.push_back({d.fd, POLLIN, 0});
                owners.push_back(&d);
            }
        int wait_ms =
            deadline < 0 ? -1 : static_cast<int>(std::max<Millis>(0, deadline - util::steady_ms()));
        int n = poll(fds.data(), fds.size(), wait_ms);
        if (n < 0 && errno != EINTR) return Event::none;
        bool signaled = false;
        if (n > 0 && (fds[0].revents & POLLIN)) {
            signalfd_siginfo info;
            while (read(sigfd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
                if (info.ssi_signo == SIGCHLD)
                    reap();
                else
                    signaled = true;
            }
        }
        for (size_t i = 1; n > 0 && i < fds.size(); ++i)
            if (fds[i].revents) forward(*owners[i], false);
        if (signaled) return Event::signaled;
        if (dead_ && !stopping_) return Event::died;
        if (deadline >= 0 && util::steady_ms() >= deadline) return Event::none;
    }
}

void Stack::stop_all() {
    stopping_ = true;
    auto any_running = [&] {
        for (const auto& d : daemons_)
            if (d.running) return true;
        return false;
    };
    // The reverse of the start order: ingest stops taking work first.
    for (auto it = daemons_.rbegin(); it != daemons_.rend(); ++it)
        if (it->running) kill(it->pid, SIGTERM);
    Millis deadline = util::steady_ms() + kStopGrace;
    while (any_running() && util::steady_ms() < deadline) pump(100);
    for (auto& d : daemons_)
        if (d.running) {
            ctx_.err << "notifyctl: " << d.program << " did not stop within "
                     << util::format_duration(kStopGrace) << "; killing it\n";
            kill(-d.pid, SIGKILL);  // its process group: helpers it started go too
        }
    while (any_running()) pump(100);
    for (auto& d : daemons_)
        if (d.fd >= 0) forward(d, true);
}

std::string how_it_ended(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
    return "stopped";
}

// Pumps output until the ipc endpoint's socket file exists (or kReadyWait).
Event wait_for_socket(Stack& stack, const std::string& endpoint) {
    std::string path = util::ipc_path(endpoint);
    if (path.empty()) return Event::none;
    Millis deadline = util::steady_ms() + kReadyWait;
    while (util::steady_ms() < deadline) {
        if (access(path.c_str(), F_OK) == 0) return Event::none;
        Event e = stack.pump(50);
        if (e != Event::none) return e;
    }
    return Event::none;
}

int run_up(Context& ctx) {
    auto config = load(ctx);
    if (!config) return fail(ctx, config.error());
    const Config& c = *config;

    std::vector<Daemon> daemons(3);
    daemons[0].label = "router";
    daemons[0].program = "notify-priority-router";
    daemons[1].label = "worker";
    daemons[1].program = "notify-channel-worker";
    daemons[2].label = "ingest";
    daemons[2].program = "notify-ingest";
    for (auto& d : daemons) {
        auto path = locate_daemon(d.program);
        if (!path) return fail(ctx, exit_unavailable, "up: " + path.error().message);
        d.path = *path;
    }
    // A stack already running for this runtime_dir keeps it: starting nothing
    // leaves its sockets alone (the daemons refuse on their own too).
    for (const auto& d : daemons) {
        long pid = util::InstanceLock::holder(util::lock_path(c.runtime_dir, d.program));
        if (pid != 0)
            return fail(ctx, exit_temp,
                        "up: " + d.program + " is already running for runtime_dir '" +
                            c.runtime_dir + "' (" +
                            (pid > 0 ? "pid " + std::to_string(pid) : std::string("starting")) +
                            "); stop it first or give this stack its own runtime_dir");
    }
    std::error_code ec;
    std::filesystem::create_directories(c.runtime_dir, ec);

    std::vector<std::string> args;
    if (!c.file.empty()) args = {"--config", c.file};

    sigset_t mask, old_mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, &old_mask);
    int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0) {
        sigprocmask(SIG_SETMASK, &old_mask, nullptr);
        return fail(ctx, exit_software, std::string("up: signalfd: ") + std::strerror(errno));
    }
    Stack stack(ctx, std::move(daemons), sigfd);
    auto finish = [&](int rc) {
        close(sigfd);
        sigprocmask(SIG_SETMASK, &old_mask, nullptr);
        return rc;
    };
    auto died = [&]() {
        const Daemon* d = stack.dead();
        std::string what = d->program + " " + how_it_ended(d->status);
        // 75: one of its kind already runs for this runtime_dir (its own line says
        // which PID); try again once that one has stopped.
        bool busy = WIFEXITED(d->status) && WEXITSTATUS(d->status) == exit_temp;
        stack.stop_all();
        return finish(
            fail(ctx, busy ? exit_temp : exit_software, "up: " + what + "; stopped the others"));
    };

    Event e = Event::none;
    for (size_t i = 0; i < stack.daemons().size() && e == Event::none; ++i) {
        Daemon& d = stack.daemons()[i];
        if (auto st = stack.start(d, args, old_mask); !st) {
            stack.stop_all();
            return finish(fail(ctx, exit_software, "up: " + d.program + ": " + st.error().message));
        }
        if (d.label == "router") e = wait_for_socket(stack, c.router.listen);
    }
    if (e == Event::none) e = wait_for_socket(stack, c.ingest.listen);
    if (e == Event::none) e = stack.pump(0);
    if (e == Event::died) return died();
    if (e == Event::signaled) {
        stack.stop_all();
        return finish(exit_ok);
    }
    if (!ctx.globals.quiet)
        ctx.err << "notifyctl: up: notify is running: http://"
                << (c.ingest.http.empty() ? std::string("(http off)") : c.ingest.http)
                << "  notifyctl: " << c.ingest.listen << "  (Ctrl-C stops it)\n";
    for (;;) {
        e = stack.pump(-1);
        if (e == Event::died) return died();
        if (e == Event::signaled) break;
    }
    if (!ctx.globals.quiet) ctx.err << "notifyctl: up: stopping\n";
    stack.stop_all();
    return finish(exit_ok);
}

}  // namespace

Runner setup_up(CLI::App& cmd, Context& ctx) {
    cmd.footer(
        "Runs notify-priority-router, notify-channel-worker and notify-ingest (found next to\n"
        "notifyctl, in ../sbin, else on PATH) until Ctrl-C; their output is on stderr behind\n"
        "their names.\n\n"
        "Example:\n"
        "  notifyctl --config ./notify.toml up");
    return [&ctx]() -> int { return run_up(ctx); };
}

}  // namespace notify::cli
