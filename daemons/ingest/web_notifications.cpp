// web_notifications.cpp - the dashboard's notifications: the filtered list
// (keyset pages over GET /v1/notifications), one notification with its
// deliveries and timeline (GET /v1/notifications/{id}), and the buttons that
// resend, cancel, approve or reject it (POST /v1/notifications/{id}/...).
// Times are shown and read in UTC.
#include <nlohmann/json.hpp>

#include "model.hpp"
#include "store/fanout.hpp"
#include "util/strings.hpp"
#include "web_html.hpp"
#include "web_pages.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

constexpr const char* kFilters[] = {"since",  "until", "priority", "status",   "channel",
                                    "module", "user",  "group",    "template", "text"};
constexpr int kShownDeliveries = 200;
constexpr size_t kPageSize = 50;  // the API's default limit

// "2026-12-01" is that day's start; "2026-12-01T08:00" (a browser's
// datetime-local) reads as "2026-12-01 08:00". The API reads these in UTC and
// takes everything else it documents (RFC 3339, now-1d) as it is.
std::string api_time(std::string v) {
    if (v.size() == 10 && v[4] == '-' && v[7] == '-') return v + " 00:00";
    if (v.size() >= 16 && v[10] == 'T' && v.find_first_of("Zz+", 16) == std::string::npos &&
        v.find('-', 16) == std::string::npos)
        v[10] = ' ';
    return v;
}

std::string states_html(const json& n) {
    std::string out;
    if (auto f = n.find("fanout"); f != n.end() && f->is_object()) {
        std::string fs = str(*f, "state");
        if (fs != "done") out += state_badge(fs) + " ";
    }
    if (auto s = n.find("states"); s != n.end() && s->is_object())
        for (const auto& [state, count] : s->items())
            out += state_badge(state, count.is_number() ? count.get<long>() : 0) + " ";
    return out;
}

std::string recipients_html(const json& n) {
    std::string out;
    int shown = 0;
    if (auto to = n.find("to"); to != n.end() && to->is_array()) {
        for (const auto& r : *to) {
            if (!r.is_string()) continue;
            if (shown++ == 3) {
                out += " …";
                break;
            }
            out += (out.empty() ? "" : ", ") + escape_html(r.get<std::string>());
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> status_options() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& s : delivery_state_names()) out.emplace_back(s, s);
    for (auto s : {store::FanoutState::pending_approval, store::FanoutState::expanding,
                   store::FanoutState::rejected})
        out.emplace_back(store::to_string(s), store::to_string(s));
    return out;
}

std::string filter_form(const WebCall& c) {
    std::vector<std::pair<std::string, std::string>> priorities;
    for (const char* p : {"high", "medium", "low"}) priorities.emplace_back(p, c.t(p));
    const std::string any = c.t("any");
    return "<form method=\"get\" action=\"/notifications\" id=\"filters\" "
           "class=\"row g-2 align-items-end mb-3\">" +
           input_field("text", "since", c.t("since"), c.param("since")) +
           input_field("text", "until", c.t("until"), c.param("until")) +
           select_field("priority", c.t("priority"), any, priorities, c.param("priority")) +
           select_field("status", c.t("status"), any, status_options(), c.param("status")) +
           input_field("text", "channel", c.t("channel"), c.param("channel")) +
           input_field("text", "module", c.t("module"), c.param("module")) +
           input_field("text", "user", c.t("user"), c.param("user")) +
           input_field("text", "group", c.t("group"), c.param("group")) +
           input_field("text", "template", c.t("template"), c.param("template")) +
           input_field("search", "text", c.t("text"), c.param("text")) +
           "<div class=\"col-auto\"><button class=\"btn btn-primary btn-sm\" id=\"apply\" "
           "type=\"submit\">" +
           c.t("apply") + "</button> " + link("/notifications", c.t("clear"), "clear") +
           "</div><div class=\"form-text\">" + c.t("time_help") + "</div></form>";
}

}  // namespace

std::string content_summary(const json& n) {
    constexpr size_t kShown = 80;
    std::string text = str(n, "subject");
    if (text.empty()) text = str(n, "body");
    std::string cut = util::cut_utf8(text, kShown);
    std::string out = escape_html(cut) + (cut.size() < text.size() ? "…" : "");
    if (!str(n, "template").empty())
        out = "<code>" + escape_html(str(n, "template")) + "</code> " + out;
    return out;
}

std::string action_notice(const WebCall& c) {
    const std::string done = c.param("done");
    if (done.empty()) return {};
    std::string text = c.t(done == "resend"    ? "done_resend"
                           : done == "cancel"  ? "done_cancel"
                           : done == "approve" ? "done_approve"
                                               : "done_reject");
    const std::string n = c.param("n");
    return notice("success", text + (n.empty() ? "" : " (" + n + ")"));
}

void notifications_page(const WebCall& c) {
    util::FormFields filters;
    for (const char* f : kFilters) {
        std::string v = c.param(f);
        filters.emplace_back(
            f, f == std::string("since") || f == std::string("until") ? api_time(v) : v);
    }
    util::FormFields query = filters;
    query.emplace_back("cursor", c.param("cursor"));
    c.get("/v1/notifications", query, [c](json page) {
        HtmlTable table("notifications",
                        {c.t("created"), c.t("id"), c.t("channel"), c.t("priority"),
                         c.t("recipients"), c.t("content"), c.t("status"), c.t("module")});
        for (const auto& n : page["notifications"]) {
            const std::string id = str(n, "id");
            std::string content = content_summary(n);
            table.row(
                {escape_html(shown_time(str(n, "created_at"))), link("/notifications/" + id, id),
                 escape_html(str(n, "channel")), escape_html(c.t(str(n, "priority"))),
                 recipients_html(n), content, states_html(n), escape_html(str(n, "module"))},
                "data-id=\"" + escape_html(id) + "\"");
        }
        util::FormFields kept;
        for (const char* f : kFilters) kept.emplace_back(f, c.param(f));
        std::string paging = "<nav class=\"d-flex gap-3\">";
        if (!c.param("cursor").empty())
            paging += link(with_query("/notifications", kept), c.t("first_page"), "first-page");
        if (page["next_cursor"].is_string()) {
            util::FormFields next = kept;
            next.emplace_back("cursor", page["next_cursor"].get<std::string>());
            paging += link(with_query("/notifications", next), c.t("next_page"), "next-page");
        }
        paging += "</nav>";
        // A page of rare matches may end at the window the store reads per page.
        if (page["next_cursor"].is_string() && page["notifications"].size() < kPageSize)
            paging = "<p class=\"small text-muted\" id=\"read-on\">" + std::string(c.t("read_on")) +
                     "</p>" + paging;
        c.page(200, c.t("notifications"),
               heading(c.t("notifications")) + filter_form(c) +
                   table.html(c.t("no_notifications")) + paging);
    });
}

void notification_page(const WebCall& c) {
    const std::string id = c.parts[1];
    c.get("/v1/notifications/" + id, {{"deliveries", std::to_string(kShownDeliveries)}},
          [c, id](json n) {
              const std::string path = "/notifications/" + id;
              std::string facts = "<dl class=\"row\" id=\"facts\">";
              auto fact = [&](const char* word, const std::string& value_html) {
                  if (!value_html.empty())
                      facts += "<dt class=\"col-sm-2\">" + std::string(c.t(word)) +
                               "</dt><dd class=\"col-sm-10\">" + value_html + "</dd>";
              };
              fact("created", escape_html(shown_time(str(n, "created_at"))));
              fact("channel", escape_html(str(n, "channel")));
              fact("priority", escape_html(c.t(str(n, "priority"))));
              fact("recipients", recipients_html(n));
              fact("template", escape_html(str(n, "template")));
              fact("locale", escape_html(str(n, "locale")));
              fact("module", escape_html(str(n, "module")));
              fact("category", escape_html(str(n, "category")));
              fact("source", escape_html(str(n, "source")));
              fact("status", states_html(n));
              facts += "</dl>";

              std::string fanout;
              if (auto f = n.find("fanout"); f != n.end() && f->is_object()) {
                  fanout = "<p id=\"fanout\">" + std::string(c.t("fanout")) + ": " +
                           state_badge(str(*f, "state")) + " " +
                           std::to_string(f->value("expanded", 0L)) + " " + c.t("deliveries") +
                           " / " + std::to_string(f->value("total", 0L)) + " " + c.t("recipients");
                  if (!str(*f, "decided_by").empty())
                      fanout += " · " + std::string(c.t("decided_by")) + " " +
                                escape_html(str(*f, "decided_by"));
                  if (!str(*f, "reason").empty())
                      fanout += " · " + std::string(c.t("reason")) + ": <span id=\"reason\">" +
                                escape_html(str(*f, "reason")) + "</span>";
                  fanout += "</p>";
              }

              std::string actions;
              if (c.admin) {
                  actions = "<div class=\"d-flex flex-wrap gap-2 mb-3\" id=\"actions\">" +
                            post_button(path + "/resend", c.t("resend"), "resend", c.user.csrf) +
                            post_button(path + "/cancel", c.t("cancel"), "cancel", c.user.csrf,
                                        "btn-outline-danger");
                  auto f = n.find("fanout");
                  if (f != n.end() && f->is_object() && str(*f, "state") == "pending-approval")
                      actions += post_button(path + "/approve", c.t("approve"), "approve",
                                             c.user.csrf, "btn-success") +
                                 post_button(path + "/reject", c.t("reject"), "reject", c.user.csrf,
                                             "btn-outline-danger",
                                             "<input class=\"form-control form-control-sm\" "
                                             "name=\"reason\" id=\"reject-reason\" required "
                                             "placeholder=\"" +
                                                 escape_html(c.t("reason")) + "\">");
                  actions += "</div>";
              }

              std::string content = "<h2 class=\"h5\">" + std::string(c.t("content")) +
                                    "</h2><div class=\"card mb-4\"><div class=\"card-body\">";
              if (!str(n, "subject").empty())
                  content += "<p class=\"fw-bold\" id=\"subject\">" +
                             escape_html(str(n, "subject")) + "</p>";
              content += "<pre class=\"mb-0\" id=\"body\" style=\"white-space: pre-wrap\">" +
                         escape_html(str(n, "body")) + "</pre>";
              if (!str(n, "html").empty())
                  content += "<details class=\"mt-2\"><summary>HTML</summary><pre>" +
                             escape_html(str(n, "html")) + "</pre></details>";
              content += "</div></div>";

              HtmlTable deliveries("deliveries",
                                   {c.t("id"), c.t("recipient"), c.t("status"), c.t("attempts"),
                                    c.t("provider"), c.t("last_error"), c.t("updated")});
              for (const auto& d : n["deliveries"])
                  deliveries.row(
                      {escape_html(str(d, "id")), escape_html(str(d, "to")),
                       state_badge(str(d, "state")), std::to_string(d.value("attempts", 0)),
                       escape_html(str(d, "provider")), escape_html(str(d, "last_error")),
                       escape_html(shown_time(str(d, "updated_at")))},
                      "data-id=\"" + escape_html(str(d, "id")) + "\"");
              std::string more;
              if (n.contains("deliveries_total"))
                  more = "<p class=\"small\">" + std::string(c.t("shown_of")) + " " +
                         std::to_string(n["deliveries"].size()) + " / " +
                         std::to_string(n["deliveries_total"].get<long>()) + "</p>";

              HtmlTable timeline("timeline",
                                 {c.t("at"), c.t("delivery"), c.t("event"), c.t("detail")});
              for (const auto& e : n["events"])
                  timeline.row(
                      {escape_html(shown_time(str(e, "at"))), escape_html(str(e, "delivery_id")),
                       state_badge(str(e, "type")), escape_html(str(e, "detail"))},
                      "data-type=\"" + escape_html(str(e, "type")) + "\"");

              c.page(200, id,
                     heading(c.t("notification") + std::string(" ") + id) + action_notice(c) +
                         facts + fanout + actions + content + "<h2 class=\"h5\">" +
                         c.t("deliveries") + "</h2>" + deliveries.html(c.t("no_deliveries")) +
                         more + "<h2 class=\"h5\">" + c.t("timeline") + "</h2>" +
                         timeline.html(c.t("no_events")));
          });
}

void notification_action(const WebCall& c) {
    const std::string id = c.parts[1], action = c.parts[2];
    json body = json::object();
    if (action == "reject") body["reason"] = c.param("reason");
    const bool from_approvals = c.param("from") == "approvals";
    c.change("POST", "/v1/notifications/" + id + "/" + action, body,
             [c, id, action, from_approvals](json answer) {
                 std::string n;
                 if (answer.contains("requeued")) n = std::to_string(answer.value("requeued", 0));
                 if (answer.contains("canceled")) n = std::to_string(answer.value("canceled", 0));
                 const std::string back = from_approvals ? "/approvals" : "/notifications/" + id;
                 c.go(with_query(back, {{"done", action}, {"n", n}, {"id", id}}));
             });
}

}  // namespace notify::ingest
