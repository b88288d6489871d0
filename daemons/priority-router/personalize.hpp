// personalize.hpp - the parts of a job that depend on its recipient, filled when
// the router builds the job (after Store::load_job):
//   - a delivery made for a directory user of a notification with a template is
//     rendered for that user: the template version current when the notification
//     was accepted, in the delivery's locale, with the notification's data plus a
//     "user" object (see rendering::user_object). Raw-address deliveries keep the
//     content stored at the door.
//   - every delivery of a category that is not mandatory gets a signed one-click
//     unsubscribe link (Job::unsubscribe_url) for its user, or for its channel
//     and address.
//   - a one-time code sealed in the notification's data is opened and put
//     where its marker is, in the content and in the data (one_time_code.hpp);
//     nothing of it is stored.
//   - with tracking.opens or tracking.clicks, the HTML part of an email (a
//     channel of smtp providers) gets its open image and its links made into
//     click links (tracking_link.hpp), signed for the delivery.
// A failure (the user is gone, the template lacks or does not render for this
// user) is an error that fails the delivery for good.
//
// User records (for a short while) and each notification's parsed data are
// cached here; parsed templates and lookups as of a past time in the router's
// one template cache.
//
// Reads: templates.default_locale, preferences.unsubscribe_url,
// preferences.unsubscribe_secret, preferences.mandatory_categories, tracking.*.
#pragma once

#include <memory>
#include <string>

#include "config.hpp"
#include "rendering/stored_templates.hpp"
#include "store/directory_store.hpp"
#include "store/store.hpp"
#include "util/error.hpp"
#include "wire.hpp"

namespace notify::router {

class Personalizer {
  public:
    // `templates`: the router's one cache of parsed templates (Schedules uses it too).
    Personalizer(const Config& config, store::Store& store, store::DirectoryStore& directory,
                 rendering::StoredTemplates& templates);
    ~Personalizer();
    Status personalize(wire::Job& job, Millis now);

  private:
    void add_unsubscribe_link(wire::Job& job) const;
    Status render_for_user(wire::Job& job, Millis now);
    void track(wire::Job& job) const;
    // The one-time code sealed in the job's data (one_time_code.hpp), now in
    // its data as "code"; "" for a job without one.
    Expected<std::string> open_code(wire::Job& job) const;

    struct State;
    const Config& config_;
    store::DirectoryStore& directory_;
    std::unique_ptr<State> state_;
};

}  // namespace notify::router
