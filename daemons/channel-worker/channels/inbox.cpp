// inbox.cpp - the `inbox` provider type: the in-app inbox of each directory
// user, kept in the store. It needs no vendor and takes no keys (but the
// router's `rate_limit`). notify-priority-router writes every delivery of an
// inbox channel into its user's inbox itself (daemons/priority-router/
// inbox.cpp) and never hands one to a worker; notify-ingest serves the
// inboxes and their live streams. Recipients are users: `user:ID` and
// `group:NAME` only.
#include <memory>

#include "channels/adapter.hpp"
#include "channels/settings.hpp"
#include "providers/types.hpp"

namespace notify::channels::inbox {

using providers::inbox::keys;

namespace {

// Never asked: a worker that got an inbox job says so rather than drop it.
class InboxAdapter : public Adapter {
  public:
    Started start(const wire::Job&) override {
        return Attempt::permanent("not_for_workers",
                                  "inbox deliveries are written by notify-priority-router");
    }
};

}  // namespace

Status validate(const ProviderConfig& provider) {
    return status_of(Settings::parse(provider, keys));
}

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider, const AdapterOptions&) {
    if (auto st = validate(provider); !st) return st.error();
    return std::unique_ptr<Adapter>(std::make_unique<InboxAdapter>());
}

}  // namespace notify::channels::inbox
