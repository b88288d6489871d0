// smtp.cpp - the `smtp` adapter: sends each delivery as an email to job.to
// through libcurl's SMTP client.
//
// Keys: url (required, smtp://host:port or smtps://host:port), from (required,
// "Name <addr@domain>"), username, password (may be env:/file:), starttls
// ("always" | "never" | "opportunistic", default "opportunistic"), tls_verify
// (default true), timeout, receipt_secret (secret; signs a relay's receipts,
// signed_receipt.cpp). The message is composed by mime.hpp; its Message-ID
// "<delivery-id@domain-of-from>" is the provider message id when sent. A job
// with an unsubscribe_url gets List-Unsubscribe and List-Unsubscribe-Post
// (one-click, RFC 8058) header fields.
// Outcomes: 4xx replies retryable, 5xx permanent, connection failures retryable.
#include <algorithm>
#include <cstring>

#include "channels/mime.hpp"
#include "channels/outcome.hpp"
#include "channels/settings.hpp"
#include "channels/transfer.hpp"
#include "providers/types.hpp"
#include "util/strings.hpp"

namespace notify::channels::smtp {

using providers::smtp::keys;

namespace {

struct SmtpSettings {
    std::string url;
    mime::Mailbox from;
    std::string username;
    std::string password;
    long use_ssl = CURLUSESSL_TRY;
    bool tls_verify = true;
    Millis timeout = 0;
};

Expected<SmtpSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    SmtpSettings out;
    auto url = s->url("url", {"smtp", "smtps"});
    if (!url) return url.error();
    out.url = *url;
    auto from = s->text("from", true);
    if (!from) return from.error();
    auto mailbox = mime::parse_mailbox(*from);
    if (!mailbox) return s->error("from", "'from': " + mailbox.error().message);
    out.from = *mailbox;
    auto username = s->secret("username", false);
    if (!username) return username.error();
    out.username = *username;
    auto password = s->secret("password", false);
    if (!password) return password.error();
    out.password = *password;
    if (!out.password.empty() && out.username.empty())
        return s->error("username", "'password' is set but 'username' is missing");
    auto starttls = s->text("starttls", false, "opportunistic");
    if (!starttls) return starttls.error();
    if (*starttls == "always")
        out.use_ssl = CURLUSESSL_ALL;
    else if (*starttls == "never")
        out.use_ssl = CURLUSESSL_NONE;
    else if (*starttls == "opportunistic")
        out.use_ssl = CURLUSESSL_TRY;
    else
        return s->error("starttls",
                        "'starttls' must be \"always\", \"never\" or "
                        "\"opportunistic\", not '" +
                            *starttls + "'" +
                            util::did_you_mean(*starttls, {"always", "never", "opportunistic"}));
    auto verify = s->boolean("tls_verify", true);
    if (!verify) return verify.error();
    out.tls_verify = *verify;
    auto timeout = s->duration("timeout", default_timeout);
    if (!timeout) return timeout.error();
    out.timeout = *timeout;
    return out;
}

// The text of the server's last reply with code `code` ("550-a", "550 b" -> "a b").
std::string reply_text(const std::vector<std::string>& lines, long code) {
    if (code <= 0) return {};
    std::string prefix = std::to_string(code);
    std::vector<std::string> parts;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        const std::string& line = *it;
        bool ours = line.size() >= 3 && line.compare(0, 3, prefix) == 0;
        bool last = line.size() == 3 || (line.size() > 3 && line[3] == ' ');
        if (!ours) {
            if (!parts.empty()) break;
            continue;
        }
        if (last && !parts.empty()) break;  // the end of an earlier reply
        parts.insert(parts.begin(), line.size() > 4 ? line.substr(4) : std::string());
    }
    return util::join(parts, " ");
}

class SmtpTransfer : public CurlTransfer {
  public:
    SmtpTransfer(const SmtpSettings& settings, const std::string& to, std::string message,
                 std::string message_id)
        : CurlTransfer(settings.timeout),
          message_(std::move(message)),
          message_id_(std::move(message_id)),
          mail_from_("<" + settings.from.address + ">") {
        if (!valid()) return;
        CURL* h = handle();
        curl_easy_setopt(h, CURLOPT_URL, settings.url.c_str());
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from_.c_str());
        std::string rcpt = "<" + to + ">";
        curl_easy_setopt(h, CURLOPT_MAIL_RCPT, keep(curl_slist_append(nullptr, rcpt.c_str())));
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, &SmtpTransfer::on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, this);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message_.size()));
        curl_easy_setopt(h, CURLOPT_USE_SSL, settings.use_ssl);
        if (!settings.tls_verify) {
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (!settings.username.empty()) {
            curl_easy_setopt(h, CURLOPT_USERNAME, settings.username.c_str());
            curl_easy_setopt(h, CURLOPT_PASSWORD, settings.password.c_str());
        }
    }

    Started finish(CURLcode result) override {
        long code = response_code();
        return classify_smtp(result, code, reply_text(header_lines(), code), message_id_);
    }

  private:
    static size_t on_read(char* buffer, size_t size, size_t n, void* self) {
        auto* t = static_cast<SmtpTransfer*>(self);
        size_t len = std::min(size * n, t->message_.size() - t->sent_);
        std::memcpy(buffer, t->message_.data() + t->sent_, len);
        t->sent_ += len;
        return len;
    }

    std::string message_;
    std::string message_id_;
    std::string mail_from_;
    size_t sent_ = 0;
};

class SmtpAdapter : public Adapter {
  public:
    explicit SmtpAdapter(SmtpSettings settings)
        : settings_(std::move(settings)), domain_(mime::domain_of(settings_.from.address)) {}

    Started start(const wire::Job& job) override {
        if (!mime::is_address(job.to))
            return Attempt::permanent("invalid_recipient",
                                      "invalid recipient address '" + job.to + "'");
        mime::Message m;
        m.from = settings_.from;
        m.to = job.to;
        m.subject = job.subject;
        m.text = job.body;
        m.html = job.html;
        m.message_id = job.delivery_id + "@" + domain_;
        m.delivery_id = job.delivery_id;
        m.unsubscribe_url = job.unsubscribe_url;
        m.date = util::now_ms();
        m.boundary = mime::new_boundary();
        auto transfer = std::make_unique<SmtpTransfer>(settings_, job.to, mime::compose(m),
                                                       "<" + m.message_id + ">");
        if (!transfer->valid()) return Attempt::retryable("curl:init", "cannot create a transfer");
        return transfer;
    }

  private:
    SmtpSettings settings_;
    std::string domain_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    auto settings = read_settings(provider, options.default_timeout);
    if (!settings) return settings.error();
    return std::unique_ptr<Adapter>(std::make_unique<SmtpAdapter>(std::move(*settings)));
}

Status validate(const ProviderConfig& provider) {
    auto settings = read_settings(provider, AdapterOptions{}.default_timeout);
    if (!settings) return settings.error();
    return ok();
}

}  // namespace notify::channels::smtp
