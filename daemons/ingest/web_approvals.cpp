// web_approvals.cpp - bulk sends waiting for an administrator: each with who
// asked, its targets, its size and a sample of its recipients (the first
// members of each group it targets), and for an admin the buttons to approve
// it or reject it with a reason.
#include <memory>
#include <nlohmann/json.hpp>

#include "util/strings.hpp"
#include "web_html.hpp"
#include "web_pages.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

constexpr int kListed = 100;
constexpr int kSample = 5;
constexpr size_t kSampledGroups = 3;

struct Pending {
    json notification;
    std::vector<std::string> sample;  // user ids
};

void render(const WebCall& c, const std::vector<Pending>& pending) {
    HtmlTable table("approvals",
                    {c.t("created"), c.t("id"), c.t("channel"), c.t("source"), c.t("content"),
                     c.t("recipients"), c.t("size"), c.t("sample"), ""});
    for (const auto& p : pending) {
        const json& n = p.notification;
        const std::string id = str(n, "id");
        std::string targets;
        for (const auto& t : n["to"])
            if (t.is_string()) targets += (targets.empty() ? "" : ", ") + t.get<std::string>();
        long size = 0;
        if (auto f = n.find("fanout"); f != n.end() && f->is_object()) size = f->value("total", 0L);
        std::string actions;
        if (c.admin) {
            const std::string path = "/notifications/" + id;
            const std::string from = hidden("from", "approvals");
            actions = "<div class=\"d-flex flex-wrap gap-2\">" +
                      post_button(path + "/approve", c.t("approve"), "approve-" + id, c.user.csrf,
                                  "btn-success", from) +
                      post_button(path + "/reject", c.t("reject"), "reject-" + id, c.user.csrf,
                                  "btn-outline-danger",
                                  from +
                                      "<input class=\"form-control form-control-sm\" "
                                      "name=\"reason\" required id=\"reason-" +
                                      escape_html(id) + "\" placeholder=\"" +
                                      escape_html(c.t("reason")) + "\">") +
                      "</div>";
        }
        table.row({escape_html(shown_time(str(n, "created_at"))), link("/notifications/" + id, id),
                   escape_html(str(n, "channel")), escape_html(str(n, "source")),
                   content_summary(n), escape_html(targets), std::to_string(size),
                   escape_html(util::join(p.sample, ", ")), actions},
                  "data-id=\"" + escape_html(id) + "\"");
    }
    std::string note;
    if (!c.admin) note = notice("info", c.t("admin_to_decide"), "read-only");
    c.page(200, c.t("approvals"),
           heading(c.t("approvals")) + action_notice(c) + note + table.html(c.t("no_approvals")));
}

// Reads a sample of each targeted group's members, one group after another,
// then shows the page. Each read's answer holds the reader alive.
struct SampleReader : std::enable_shared_from_this<SampleReader> {
    WebCall c;
    std::vector<Pending> pending;
    std::vector<std::pair<size_t, std::string>> groups;  // (index into pending, group)

    explicit SampleReader(const WebCall& call) : c(call) {}
    void read(size_t i) {
        if (i == groups.size()) {
            render(c, pending);
            return;
        }
        // A group deleted since has no sample; the page still shows.
        Request r;
        r.method = "GET";
        r.path = "/v1/groups/" + groups[i].second + "/members";
        r.query["limit"] = std::to_string(kSample);
        c.api(std::move(r), [self = shared_from_this(), i](Response answer) {
            json members = nlohmann::json::parse(answer.body, nullptr, false);
            auto& sample = self->pending[self->groups[i].first].sample;
            if (answer.status == 200 && members.is_object())
                for (const auto& m : members["members"])
                    if (m.is_string() && sample.size() < kSample)
                        sample.push_back(m.get<std::string>());
            self->read(i + 1);
        });
    }
};

}  // namespace

void approvals_page(const WebCall& c) {
    c.get("/v1/notifications", {{"status", "pending-approval"}, {"limit", std::to_string(kListed)}},
          [c](json page) {
              auto reader = std::make_shared<SampleReader>(c);
              auto& pending = reader->pending;
              for (const auto& n : page["notifications"]) {
                  pending.push_back({n, {}});
                  size_t asked = 0;
                  for (const auto& t : n["to"]) {
                      if (!t.is_string()) continue;
                      std::string target = t.get<std::string>();
                      if (target.rfind("user:", 0) == 0) {
                          if (pending.back().sample.size() < kSample)
                              pending.back().sample.push_back(target.substr(5));
                      } else if (target.rfind("group:", 0) == 0 && asked++ < kSampledGroups) {
                          reader->groups.emplace_back(pending.size() - 1, target.substr(6));
                      }
                  }
              }
              reader->read(0);
          });
}

}  // namespace notify::ingest
