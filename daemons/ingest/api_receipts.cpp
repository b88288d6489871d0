// api_receipts.cpp - POST /v1/receipts/{provider}: delivery receipts that a
// provider's vendor pushes (channels/receipt.hpp says which and how each is
// authenticated). They are checked here and recorded by the router, which
// owns delivery state; the vendor is answered the way it expects only after
// the router committed them, so a vendor that hears nothing sends them again.
//   404 not_found           no provider of that name takes receipts (ingest's
//                           log says why: unknown, no key set, a secret that
//                           cannot be read)
//   401 bad_signature       not signed by the provider's secret; nothing changes
//   400 invalid_receipt     not the body that vendor sends
//   503 router_unavailable  the router did not answer; the vendor retries
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "channels/receipt.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"
#include "util/time.hpp"

namespace notify::ingest {

using nlohmann::json;

const channels::ReceiptReader* Api::receipt_reader(const std::string& provider) {
    if (auto it = receipt_readers_.find(provider); it != receipt_readers_.end())
        return it->second.get();
    const ProviderConfig* p = config_.provider(provider);
    if (!p) return nullptr;
    // A provider's answer is made once, whatever it is: a missing or failing
    // secret is logged once, and callers learn nothing of the configuration.
    auto reader = channels::make_receipt_reader(*p);
    if (!reader) {
        NLOG(error, "",
             "receipts for provider '" << provider << "' are refused: " << reader.error().message);
    } else if (!*reader) {
        const char* key = channels::receipt_key(p->type);
        NLOG(warning, "",
             "receipts for provider '" << provider << "' (type " << p->type << ") are refused: "
                                       << (key ? std::string("its '") + key + "' is not set"
                                               : std::string("its type takes none")));
    }
    auto& kept = receipt_readers_[provider];
    if (reader && *reader) kept = std::move(*reader);
    return kept.get();
}

void Api::receipts_request(const Request& req, const std::vector<std::string>& parts,
                           const Reply& done) {
    if (parts.size() != 2)
        return fail(done, make_error(ErrorKind::not_found, "not_found",
                                     "no such route '" + log::clip(req.path) + "'"));
    const std::string& provider = parts[1];
    const channels::ReceiptReader* reader = receipt_reader(provider);
    if (!reader)
        return fail(done, make_error(ErrorKind::not_found, "not_found",
                                     "provider '" + log::clip(provider, 64) +
                                         "' takes no receipts here (the log says why)"));
    auto receipts = reader->read({req.query, req.headers, req.body, util::now_ms()});
    if (!receipts) return fail(done, receipts.error());
    auto reader_ref = receipt_readers_.at(provider);  // kept while the router answers
    auto answer = [reader_ref, done](const std::string& outcome) {
        auto a = reader_ref->answer(outcome);
        Response r;
        r.content_type = a.content_type;
        r.body = a.body;
        done(std::move(r));
    };
    if (receipts->empty()) return answer(R"({"ok":true,"recorded":0})");
    json list = json::array();
    for (const auto& r : *receipts)
        list.push_back({{"message_id", r.message_id},
                        {"delivery_id", r.delivery_id},
                        {"status", r.status},
                        {"code", r.code},
                        {"detail", r.detail}});
    std::string request = json{{"op", "receipt"}, {"provider", provider}, {"receipts", list}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
    control_.call(request, [this, done, answer, provider](Expected<std::string> reply) {
        guarded(done, [&] {
            json r = reply ? util::json_or_discarded(*reply) : json();
            if (!r.is_object() || !r.value("ok", false))
                return fail(done, make_error(ErrorKind::unavailable, "router_unavailable",
                                             "the router did not record the receipts (" +
                                                 (reply ? std::string("it refused them")
                                                        : reply.error().message) +
                                                 "); send them again"));
            answer(r.dump(-1, ' ', false, json::error_handler_t::replace));
        });
    });
}

}  // namespace notify::ingest
