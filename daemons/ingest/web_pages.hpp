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

}  // namespace notify::ingest
