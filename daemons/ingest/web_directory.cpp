// web_directory.cpp - the dashboard's user directory: users found by text or
// group, one user with its identities, preferences and recent notifications,
// the groups, and one group with its members (GET /v1/users, /v1/groups,
// /v1/notifications?user=).
#include <memory>
#include <nlohmann/json.hpp>

#include "web_html.hpp"
#include "web_pages.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

constexpr int kPage = 50;
constexpr int kRecent = 20;

std::string list_of(const json& items) {
    std::string out;
    if (!items.is_array()) return out;
    for (const auto& i : items)
        if (i.is_string()) out += (out.empty() ? "" : ", ") + i.get<std::string>();
    return out;
}

std::string next_link(const std::string& path, util::FormFields kept, const json& page) {
    if (!page["next_cursor"].is_string()) return {};
    kept.emplace_back("cursor", page["next_cursor"].get<std::string>());
    return "<nav>" + link(with_query(path, kept), "»", "next-page") + "</nav>";
}

}  // namespace

void users_page(const WebCall& c) {
    util::FormFields filters{{"text", c.param("text")}, {"group", c.param("group")}};
    util::FormFields query = filters;
    query.emplace_back("cursor", c.param("cursor"));
    query.emplace_back("limit", std::to_string(kPage));
    c.get("/v1/users", query, [c, filters](json page) {
        HtmlTable table("users", {c.t("id"), c.t("name"), c.t("email"), c.t("phone"), c.t("group"),
                                  c.t("locale"), c.t("module")});
        for (const auto& u : page["users"]) {
            const std::string id = str(u, "id");
            table.row({link("/users/" + id, id), escape_html(str(u, "name")),
                       escape_html(str(u, "email")), escape_html(str(u, "phone")),
                       escape_html(list_of(u["groups"])), escape_html(str(u, "locale")),
                       escape_html(str(u, "module"))},
                      "data-id=\"" + escape_html(id) + "\"");
        }
        const std::string search =
            "<form method=\"get\" action=\"/users\" id=\"search\" class=\"row g-2 "
            "align-items-end mb-3\">" +
            input_field("search", "text", c.t("search_users"), c.param("text")) +
            input_field("text", "group", c.t("group"), c.param("group")) +
            "<div class=\"col-auto\"><button class=\"btn btn-primary btn-sm\" id=\"find\" "
            "type=\"submit\">" +
            c.t("search") + "</button> " + link("/groups", c.t("groups"), "to-groups") +
            "</div></form>";
        c.page(200, c.t("users"),
               heading(c.t("users")) + search + table.html(c.t("no_users")) +
                   next_link("/users", filters, page));
    });
}

void user_page(const WebCall& c) {
    const std::string id = c.parts[1];
    c.get("/v1/users/" + id, {}, [c, id](json user) {
        c.get("/v1/users/" + id + "/preferences", {}, [c, id, user](json prefs) {
            c.get(
                "/v1/notifications", {{"user", id}, {"limit", std::to_string(kRecent)}},
                [c, id, user, prefs](json recent) {
                    std::string facts = "<dl class=\"row\" id=\"facts\">";
                    for (const char* f : {"name", "email", "phone", "locale", "timezone",
                                          "quiet_hours", "module"}) {
                        if (str(user, f).empty()) continue;
                        facts += "<dt class=\"col-sm-2\">" + std::string(c.t(f)) +
                                 "</dt><dd class=\"col-sm-10\" id=\"user-" + f + "\">" +
                                 escape_html(str(user, f)) + "</dd>";
                    }
                    std::string groups;
                    for (const auto& g : user["groups"])
                        if (g.is_string())
                            groups +=
                                link("/groups/" + g.get<std::string>(), g.get<std::string>()) + " ";
                    facts += "<dt class=\"col-sm-2\">" + std::string(c.t("groups")) +
                             "</dt><dd class=\"col-sm-10\" id=\"user-groups\">" + groups + "</dd>";
                    if (user["unsubscribed_at"].is_string())
                        facts +=
                            "<dt class=\"col-sm-2\">" + std::string(c.t("unsubscribed")) +
                            "</dt><dd class=\"col-sm-10\" id=\"unsubscribed\">" +
                            escape_html(shown_time(user["unsubscribed_at"].get<std::string>())) +
                            "</dd>";
                    facts += "</dl>";

                    HtmlTable identities("identities", {c.t("channel"), c.t("address")});
                    if (user["addresses"].is_object())
                        for (const auto& [channel, addresses] : user["addresses"].items())
                            for (const auto& address : addresses)
                                identities.row(
                                    {escape_html(channel),
                                     escape_html(address.is_string() ? address.get<std::string>()
                                                                     : address.dump())},
                                    "data-channel=\"" + escape_html(channel) + "\"");

                    HtmlTable preferences("preferences",
                                          {c.t("category"), c.t("channel"), c.t("opted_out")});
                    for (const auto& p : prefs["preferences"])
                        preferences.row({escape_html(str(p, "category")),
                                         escape_html(str(p, "channel")),
                                         p.value("opted_out", false) ? c.t("yes") : c.t("no")});

                    HtmlTable notifications(
                        "notifications",
                        {c.t("created"), c.t("id"), c.t("channel"), c.t("content"), c.t("status")});
                    for (const auto& n : recent["notifications"]) {
                        const std::string nid = str(n, "id");
                        std::string states;
                        for (const auto& [state, count] : n["states"].items())
                            states += state_badge(state, count.get<long>()) + " ";
                        notifications.row(
                            {escape_html(shown_time(str(n, "created_at"))),
                             link("/notifications/" + nid, nid), escape_html(str(n, "channel")),
                             content_summary(n), states},
                            "data-id=\"" + escape_html(nid) + "\"");
                    }
                    auto section = [](const char* title, const std::string& html) {
                        return "<h2 class=\"h5 mt-4\">" + std::string(title) + "</h2>" + html;
                    };
                    c.page(
                        200, id,
                        heading(c.t("user") + std::string(" ") + id) + facts +
                            section(c.t("identities"), identities.html(c.t("no_identities"))) +
                            section(c.t("preferences"), preferences.html(c.t("no_preferences"))) +
                            section(c.t("recent_notifications"),
                                    notifications.html(c.t("no_notifications")) + "<p>" +
                                        link(with_query("/notifications", {{"user", id}}),
                                             c.t("all_notifications"), "all-notifications") +
                                        "</p>"));
                });
        });
    });
}

void groups_page(const WebCall& c) {
    c.get("/v1/groups", {}, [c](json list) {
        HtmlTable table(
            "groups", {c.t("group"), c.t("description"), c.t("members"), c.t("requires_approval")});
        for (const auto& g : list["groups"]) {
            const std::string name = str(g, "name");
            table.row({link("/groups/" + name, name), escape_html(str(g, "description")),
                       std::to_string(g.value("members", 0L)),
                       g.value("requires_approval", false) ? c.t("yes") : c.t("no")},
                      "data-name=\"" + escape_html(name) + "\"");
        }
        c.page(200, c.t("groups"), heading(c.t("groups")) + table.html(c.t("no_groups")));
    });
}

void group_page(const WebCall& c) {
    const std::string name = c.parts[1];
    c.get("/v1/groups/" + name, {}, [c, name](json group) {
        util::FormFields query{{"limit", std::to_string(kPage)}, {"cursor", c.param("cursor")}};
        c.get("/v1/groups/" + name + "/members", query, [c, name, group](json page) {
            HtmlTable members("members", {c.t("user")});
            for (const auto& m : page["members"])
                if (m.is_string())
                    members.row({link("/users/" + m.get<std::string>(), m.get<std::string>())},
                                "data-id=\"" + escape_html(m.get<std::string>()) + "\"");
            std::string facts = "<p id=\"group-facts\">" + escape_html(str(group, "description")) +
                                " · " + c.t("members") + ": " +
                                std::to_string(group.value("members", 0L));
            if (group.value("requires_approval", false))
                facts += " · " + std::string(c.t("requires_approval"));
            facts += " · " +
                     link(with_query("/notifications", {{"group", name}}), c.t("all_notifications"),
                          "group-notifications") +
                     "</p>";
            c.page(200, name,
                   heading(c.t("group") + std::string(" ") + name) + facts +
                       members.html(c.t("no_members")) + next_link("/groups/" + name, {}, page));
        });
    });
}

}  // namespace notify::ingest
