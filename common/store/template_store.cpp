#include "store/template_store.hpp"

#include <algorithm>

#include "store/db.hpp"
#include "util/strings.hpp"

namespace notify::store {

namespace {

#define TEMPLATE_COLUMNS \
    "name, channel, locale, version, subject, text, html, params, created_at, author, deleted"

TemplateVersion read_template(const Stmt& s) {
    TemplateVersion t;
    t.name = s.text(0);
    t.channel = s.text(1);
    t.locale = s.text(2);
    t.version = static_cast<int>(s.integer(3));
    t.subject = s.text(4);
    t.text = s.text(5);
    t.html = s.text(6);
    t.params_json = s.text(7);
    t.created_at = s.integer(8);
    t.author = s.text(9);
    t.deleted = s.integer(10) != 0;
    return t;
}

}  // namespace

std::vector<std::string> locale_fallbacks(const std::string& locale,
                                          const std::string& default_locale) {
    std::vector<std::string> out;
    for (std::string l : {locale, default_locale}) {
        while (!l.empty()) {
            if (std::find(out.begin(), out.end(), l) == out.end()) out.push_back(l);
            auto cut = l.find_last_of("-_");
            l = cut == std::string::npos ? std::string() : l.substr(0, cut);
        }
    }
    out.emplace_back();
    return out;
}

struct TemplateStore::Statements {
    explicit Statements(Db& db)
        : newest_version(db,
                         "SELECT COALESCE(MAX(version), 0) FROM templates WHERE name = ? AND "
                         "channel = ? AND locale = ?"),
          insert(db, "INSERT INTO templates (" TEMPLATE_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,?,?)"),
          current(db, "SELECT " TEMPLATE_COLUMNS
                      " FROM templates WHERE name = ?1 AND channel = ?2 AND locale = ?3 AND "
                      "(?4 = 0 OR created_at <= ?4) ORDER BY version DESC LIMIT 1"),
          one(db, "SELECT " TEMPLATE_COLUMNS
                  " FROM templates WHERE name = ? AND channel = ? AND locale = ? AND version = ?"),
          history(db, "SELECT " TEMPLATE_COLUMNS
                      " FROM templates WHERE name = ? ORDER BY channel, locale, version"),
          list(db, "SELECT " TEMPLATE_COLUMNS
                   " FROM templates t WHERE version = (SELECT MAX(version) FROM templates u "
                   "WHERE u.name = t.name AND u.channel = t.channel AND u.locale = t.locale) "
                   "AND deleted = 0 ORDER BY name, channel, locale") {}
    Stmt newest_version, insert, current, one, history, list;
};

TemplateStore::TemplateStore(Store& store, std::string default_locale)
    : store_(store),
      default_locale_(std::move(default_locale)),
      st_(std::make_unique<Statements>(store.handle())) {}

TemplateStore::~TemplateStore() = default;

Expected<int> TemplateStore::add(TemplateVersion t) {
    try {
        Transaction tx(store_.handle());
        auto& n = st_->newest_version;
        n.bind(1, t.name).bind(2, t.channel).bind(3, t.locale);
        n.step();
        t.version = static_cast<int>(n.integer(0)) + 1;
        n.reset();
        auto& s = st_->insert;
        s.bind(1, t.name)
            .bind(2, t.channel)
            .bind(3, t.locale)
            .bind(4, t.version)
            .bind(5, t.subject)
            .bind(6, t.text)
            .bind(7, t.html)
            .bind(8, t.params_json)
            .bind(9, t.created_at ? t.created_at : util::now_ms())
            .bind(10, t.author)
            .bind(11, t.deleted ? 1 : 0);
        s.step();
        s.reset();
        tx.commit();
        return t.version;
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

std::optional<TemplateVersion> TemplateStore::current(const std::string& name,
                                                      const std::string& channel,
                                                      const std::string& locale, Millis as_of) {
    auto& s = st_->current;
    s.bind(1, name).bind(2, channel).bind(3, locale).bind(4, as_of);
    std::optional<TemplateVersion> out;
    if (s.step()) out = read_template(s);
    s.reset();
    if (out && out->deleted) out.reset();
    return out;
}

std::optional<TemplateVersion> TemplateStore::resolve(const std::string& name,
                                                      const std::string& channel,
                                                      const std::string& locale, Millis as_of) {
    for (const std::string& ch : {channel, std::string()}) {
        for (const std::string& l : locale_fallbacks(locale, default_locale_))
            if (auto t = current(name, ch, l, as_of)) return t;
        if (channel.empty()) break;
    }
    return std::nullopt;
}

std::vector<TemplateVersion> TemplateStore::history(const std::string& name) {
    return st_->history.bind(1, name).collect(read_template);
}

std::vector<TemplateVersion> TemplateStore::list() {
    return st_->list.collect(read_template);
}

namespace {
Error no_template(const std::string& name, const std::string& channel, const std::string& locale,
                  const std::string& what) {
    std::string variant = "'" + name + "'";
    if (!channel.empty()) variant += " for channel '" + channel + "'";
    if (!locale.empty()) variant += " in locale '" + locale + "'";
    return make_error(ErrorKind::not_found, "not_found", "no template " + variant + what);
}
}  // namespace

Expected<int> TemplateStore::remove(const std::string& name, const std::string& channel,
                                    const std::string& locale, const std::string& author) {
    auto t = current(name, channel, locale);
    if (!t) return no_template(name, channel, locale, "");
    t->deleted = true;
    t->author = author;
    t->created_at = 0;
    return add(*t);
}

Expected<int> TemplateStore::restore(const std::string& name, const std::string& channel,
                                     const std::string& locale, int version,
                                     const std::string& author) {
    auto& s = st_->one;
    s.bind(1, name).bind(2, channel).bind(3, locale).bind(4, version);
    std::optional<TemplateVersion> old;
    if (s.step()) old = read_template(s);
    s.reset();
    if (!old || old->deleted)
        return no_template(name, channel, locale, " at version " + std::to_string(version));
    old->author = author;
    old->created_at = 0;
    return add(*old);
}

}  // namespace notify::store
