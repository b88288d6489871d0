// web_pages.hpp - the dashboard's pages beyond sign-in and the overview, each
// a view over the /v1/ API (web_call.hpp). api_web.cpp maps paths to them.
#pragma once

#include "web_call.hpp"

namespace notify::ingest {

// web_notifications.cpp
//   GET /notifications?since=&until=&priority=&status=&channel=&module=&user=
//       &group=&template=&text=&cursor=   a page of notifications, newest first
//   GET /notifications/{id}               one, with its deliveries and timeline
//   POST /notifications/{id}/resend|cancel|approve|reject (reject: reason=)
void notifications_page(const WebCall& call);
void notification_page(const WebCall& call);
void notification_action(const WebCall& call);
// A notification's template, and its subject (or the start of its body).
std::string content_summary(const nlohmann::json& n);
// The notice an action leaves on the page it returns to (?done=ACTION&n=N).
std::string action_notice(const WebCall& call);
// web_approvals.cpp
//   GET /approvals    bulk sends waiting for an administrator, with their size
//                     and a sample of their recipients
void approvals_page(const WebCall& call);
// web_reports.cpp
//   GET /reports?since=&until=&by=&by2=   the report as a chart and tables
//   GET /reports.csv?...                  the same report as CSV, to download
void reports_page(const WebCall& call);
void report_csv(const WebCall& call);
// web_directory.cpp
//   GET /users?text=&group=&cursor=   users found by text (id, name, email, phone) or group
//   GET /users/{id}                   one user: identities, preferences, recent notifications
//   GET /groups, /groups/{name}       the groups; one group with its members
void users_page(const WebCall& call);
void user_page(const WebCall& call);
void groups_page(const WebCall& call);
void group_page(const WebCall& call);
// web_templates.cpp
//   GET  /templates                    the current variant of every template
//   GET  /templates/{name}?channel=&locale=&a=&b=
//                                      its variants, its version history, and
//                                      with a and b the line diff of those two
//                                      versions of the variant
//   POST /templates/{name}/restore     version, channel, locale: roll back (admin)
// web_template_editor.cpp
//   GET  /new-template, /templates/{name}/edit?channel=&locale=
//                                      the editor, with the server's preview
//   POST /templates/{name}, /new-template
//                                      op=save: a new version (admin); op=preview:
//                                      the editor again with its preview
//   POST /template-preview             (web/templates.js) the preview as JSON
void templates_page(const WebCall& call);
void template_page(const WebCall& call);
void template_restore(const WebCall& call);
void template_editor(const WebCall& call);
void template_post(const WebCall& call);
// Shared by both: "/templates/NAME", and the notice a read key sees.
std::string template_path(const std::string& name);
std::string read_only_notice(const WebCall& call);

}  // namespace notify::ingest
