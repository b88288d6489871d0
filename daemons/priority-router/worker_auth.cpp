#include "worker_auth.hpp"

#include <zmq.h>

#include "curve_secret.hpp"
#include "util/log.hpp"
#include "util/time.hpp"
#include "util/z85.hpp"
#include "util/zmq_again.hpp"

namespace notify::router {

namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr const char* kDomain = "notify-workers";
// RFC 27's request: version, request id, domain, address, identity,
// mechanism, then the mechanism's credentials (CURVE: the client's public key).
constexpr std::size_t kRequestFrames = 7;
constexpr std::size_t kKeyBytes = 32;

}  // namespace

WorkerAuth::WorkerAuth(zmq::context_t& context, std::set<std::string> allowed)
    : zap_(context, zmq::socket_type::rep), allowed_(std::move(allowed)) {}

Expected<std::unique_ptr<WorkerAuth>> WorkerAuth::start(zmq::context_t& context,
                                                        zmq::socket_t& workers,
                                                        const Config::Router& config) {
    if (config.curve_secret_key.empty()) return std::unique_ptr<WorkerAuth>();
    auto secret = curve_secret(config.curve_secret_key, "router.curve_secret_key");
    if (!secret) return secret.error();
    std::set<std::string> allowed;
    for (const auto& key : config.curve_workers) allowed.insert(*util::z85_decode(key));
    std::unique_ptr<WorkerAuth> auth(new WorkerAuth(context, std::move(allowed)));
    auth->zap_.set(zmq::sockopt::linger, 0);
    auth->zap_.bind(kZapEndpoint);
    workers.set(zmq::sockopt::zap_domain, kDomain);
    workers.set(zmq::sockopt::curve_server, 1);
    workers.set(zmq::sockopt::curve_secretkey, *util::z85_decode(*secret));
    return auth;
}

void WorkerAuth::refused(const std::string& who) {
    const Millis now = util::steady_ms();
    util::RepeatedFailure* failure = refusals_.find(who);
    if (!failure)
        failure = &refusals_.put(
            who, util::RepeatedFailure("refused a worker: its key is not in router.curve_workers"));
    if (auto line = failure->failed(who, now)) NLOG(warning, "", *line);
}

const char* WorkerAuth::decide(const std::vector<zmq::message_t>& request) {
    if (request.size() != kRequestFrames || request[0].to_string_view() != "1.0" ||
        request[5].to_string_view() != "CURVE" || request[6].size() != kKeyBytes) {
        NLOG(warning, "",
             "refused a worker: a ZAP request this router does not understand frames="
                 << request.size());
        return "400";
    }
    const std::string key = request[6].to_string();
    if (allowed_.count(key)) return "200";
    refused("key=" + util::z85_encode(key) +
            " address=" + log::clip(request[3].to_string_view(), 64));
    return "400";
}

void WorkerAuth::answer() {
    for (int n = 0; n < kAnswersPerTurn; ++n) {
        std::vector<zmq::message_t> request;
        zmq::message_t frame;
        if (!util::zmq_again([&] { return zap_.recv(frame, zmq::recv_flags::dontwait); })) return;
        request.push_back(std::move(frame));
        while (request.back().more()) {
            zmq::message_t more;
            (void)util::zmq_again([&] { return zap_.recv(more, zmq::recv_flags::none); });
            request.push_back(std::move(more));
        }
        const std::string status = decide(request);
        const bool ok = status == "200";
        // A REP socket must answer before it takes the next request.
        const std::string reply[] = {
            "1.0",
            request.size() > 1 ? request[1].to_string() : std::string(),
            status,
            ok ? "OK" : "key not in router.curve_workers",
            ok ? util::z85_encode(request[6].to_string()) : std::string(),
            "",
        };
        for (std::size_t i = 0; i < std::size(reply); ++i) {
            const auto flags =
                i + 1 < std::size(reply) ? zmq::send_flags::sndmore : zmq::send_flags::none;
            (void)util::zmq_again([&] { return zap_.send(zmq::buffer(reply[i]), flags); });
        }
    }
}

}  // namespace notify::router
