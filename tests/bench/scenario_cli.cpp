// scenario_cli.cpp - what a script pays for each notifyctl command: the wall
// time from spawning it to its exit, the median of --count runs (200; a
// quarter of them for send --wait) or of as many as a quarter of --seconds
// (120) allows, beside /bin/true's, which is what any process costs to start
// on this machine. Needs --notifyctl PATH and --config
// FILE (the stack's, with its `outbox` channel, a file provider).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "clock.hpp"
#include "latency_recorder.hpp"
#include "report.hpp"
#include "scenarios.hpp"

extern char** environ;

namespace notify::bench {

namespace {

struct Timing {
    LatencyRecorder runs;  // each run, from spawn to exit
    std::string failure;   // why a run failed; empty when every one exited 0
};

// Runs `args` `runs` times, one after another, stdout and stderr to /dev/null,
// until `deadline`.
Timing time_runs(const std::vector<std::string>& args, long runs, Micros deadline) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    Timing t;
    for (long i = 0; i < runs && t.failure.empty() && now_us() < deadline; ++i) {
        Micros t0 = now_us();
        pid_t pid = -1;
        if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
            t.failure = "cannot run " + args[0];
            break;
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        t.runs.record(now_us() - t0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            t.failure = args[0] + " ... " + args.back() + " exited " +
                        std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    posix_spawn_file_actions_destroy(&actions);
    return t;
}

}  // namespace

int cli(const Options& o) {
    const std::string name = "cli";
    if (o.notifyctl.empty() || o.config.empty()) {
        progress(name, "needs --notifyctl PATH and --config FILE");
        return 1;
    }
    const long runs = o.count > 0 ? o.count : 200;
    const std::string& ctl = o.notifyctl;
    auto send = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = {ctl,      "--config", o.config, "send", "--channel",
                                         "outbox", "--to",     "ops",    "bench"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    };
    struct Case {
        std::string figure;
        std::vector<std::string> args;
        long runs;
        int target_ms;  // 0: none
    } cases[] = {
        {"/bin/true (any process, for reference)", {"/bin/true"}, runs, 0},
        {"notifyctl --version", {ctl, "--version"}, runs, 2},
        {"notifyctl send (to the running stack)", send({}), runs, 4},
        {"notifyctl send --wait (to the outbox)", send({"--wait"}), std::max(1L, runs / 4), 10},
    };
    // Each command gets a quarter of --seconds (120 s).
    const double seconds = o.seconds > 0 ? o.seconds : 120;
    int rc = 0;
    for (const auto& c : cases) {
        const std::string target = c.target_ms ? "<= " + std::to_string(c.target_ms) + " ms" : "";
        Timing t = time_runs(c.args, c.runs, now_us() + static_cast<Micros>(seconds / 4 * 1e6));
        if (!t.failure.empty()) {
            progress(name, t.failure);
            report(name, c.figure, "(failed: " + t.failure + ")", target, Verdict::missed);
            rc = 1;
            continue;
        }
        const Micros median = t.runs.percentile(50);
        report(name, c.figure,
               format_ms(median) + " (p90 " + format_ms(t.runs.percentile(90)) + ")", target,
               c.target_ms ? verdict(median <= c.target_ms * 1000) : Verdict::info);
    }
    return rc;
}

}  // namespace notify::bench
