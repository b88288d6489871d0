// tracking_link and tracked_html: the signed open and click links of tracked
// email, and how an HTML part gets them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "signed_link.hpp"
#include "tracked_html.hpp"
#include "tracking_link.hpp"

using namespace notify;

namespace {

const std::string kSecret = "s3cret-for-tests";
const std::string kBase = "https://t.example.com/v1/track";

std::string token_of(const std::string& link) {
    return link.substr(link.rfind('/') + 1);
}

// Every link and the open image as the router makes them for delivery "d1".
std::string tracked(const std::string& html, bool clicks = true, bool opens = false) {
    HtmlTracking t;
    if (clicks)
        t.click = [](const std::string& url) {
            return trackable_url(url) ? click_link(kBase, kSecret, "d1", url) : std::string();
        };
    if (opens) t.pixel = open_link(kBase, kSecret, "d1");
    return track_html(html, t);
}

// The addresses the click links in `html` lead to, in order.
std::vector<std::string> destinations(const std::string& html) {
    std::vector<std::string> out;
    const std::string marker = kBase + "/click/";
    for (auto at = html.find(marker); at != std::string::npos; at = html.find(marker, at + 1)) {
        auto end = html.find_first_of("\"' >", at + marker.size());
        auto link = verify_tracking_token(
            kSecret, TrackKind::click, html.substr(at + marker.size(), end - at - marker.size()));
        REQUIRE(link);
        CHECK(link->delivery_id == "d1");
        out.push_back(link->url);
    }
    return out;
}

}  // namespace

TEST_CASE("a tracking link names its delivery and, for a click, its address", "[tracking]") {
    auto open = open_link(kBase + "/", kSecret, "d1");
    CHECK(open.rfind(kBase + "/open/", 0) == 0);
    auto o = verify_tracking_token(kSecret, TrackKind::open, token_of(open));
    REQUIRE(o);
    CHECK(o->delivery_id == "d1");
    CHECK(o->url.empty());

    auto click = click_link(kBase, kSecret, "d2", "https://example.com/a?b=1&c=2");
    CHECK(click.rfind(kBase + "/click/", 0) == 0);
    auto c = verify_tracking_token(kSecret, TrackKind::click, token_of(click));
    REQUIRE(c);
    CHECK(c->delivery_id == "d2");
    CHECK(c->url == "https://example.com/a?b=1&c=2");
}

TEST_CASE("a tracking token of the other kind, altered or signed elsewhere is refused",
          "[tracking]") {
    std::string open = token_of(open_link(kBase, kSecret, "d1"));
    std::string click = token_of(click_link(kBase, kSecret, "d1", "https://example.com/"));
    CHECK_FALSE(verify_tracking_token(kSecret, TrackKind::click, open));
    CHECK_FALSE(verify_tracking_token(kSecret, TrackKind::open, click));
    CHECK_FALSE(verify_tracking_token("another", TrackKind::click, click));
    std::string altered = click;
    altered[3] = altered[3] == 'A' ? 'B' : 'A';
    CHECK_FALSE(verify_tracking_token(kSecret, TrackKind::click, altered));
    CHECK_FALSE(verify_tracking_token(kSecret, TrackKind::click, ""));
    CHECK_FALSE(verify_tracking_token(kSecret, TrackKind::click, "."));
    CHECK_FALSE(verify_tracking_token(kSecret, TrackKind::click, std::string(5000, 'a')));
    // A signed click of an address that is not http(s) is no redirect either.
    CHECK_FALSE(verify_tracking_token(kSecret, TrackKind::click,
                                      sign_link(kSecret, {"c", "d1", "javascript:alert(1)"})));
    CHECK_FALSE(verify_tracking_token(kSecret, TrackKind::click,
                                      sign_link(kSecret, {"c", "", "https://x.example/"})));
    // An unsubscribe token's shape is not a tracking token's.
    CHECK_FALSE(
        verify_tracking_token(kSecret, TrackKind::open, sign_link(kSecret, {"u", "alice", ""})));
}

TEST_CASE("only absolute http and https addresses are tracked", "[tracking]") {
    CHECK(trackable_url("https://example.com/"));
    CHECK(trackable_url("HTTP://example.com/x"));
    CHECK_FALSE(trackable_url("mailto:a@example.com"));
    CHECK_FALSE(trackable_url("tel:+8613800000000"));
    CHECK_FALSE(trackable_url("#top"));
    CHECK_FALSE(trackable_url("/relative"));
    CHECK_FALSE(trackable_url("https://"));
    CHECK_FALSE(trackable_url("javascript:alert(1)"));
    CHECK_FALSE(trackable_url("https://example.com/a b"));
    CHECK_FALSE(trackable_url("https://example.com/" + std::string(kMaxTrackedUrl, 'a')));
}

TEST_CASE("links of an HTML part become click links, the rest stays byte for byte", "[tracking]") {
    std::string html =
        "<html><body><p>Hi</p>"
        "<a href=\"https://example.com/one\">one</a> "
        "<A class=x HREF='http://example.com/two?a=1&amp;b=2'>two</A> "
        "<a href=https://example.com/three>three</a> "
        "<a href=\"mailto:help@example.com\">mail</a> "
        "<a href=\"#top\">top</a> "
        "<a data-notify-no-track href=\"https://example.com/private\">private</a> "
        "<area shape=rect href=\"https://example.com/map\"> "
        "<abbr title=\"a\">abbr</abbr> <address>here</address>"
        "<!-- <a href=\"https://example.com/comment\"> -->"
        "</body></html>";
    std::string out = tracked(html);
    CHECK(destinations(out) ==
          std::vector<std::string>{"https://example.com/one", "http://example.com/two?a=1&b=2",
                                   "https://example.com/three", "https://example.com/map"});
    CHECK(out.find("mailto:help@example.com") != std::string::npos);
    CHECK(out.find("href=\"#top\"") != std::string::npos);
    CHECK(out.find("href=\"https://example.com/private\"") != std::string::npos);
    CHECK(out.find("<!-- <a href=\"https://example.com/comment\"> -->") != std::string::npos);
    CHECK(out.find("<abbr title=\"a\">abbr</abbr> <address>here</address>") != std::string::npos);
    CHECK(out.find("<A class=x HREF='" + kBase + "/click/") != std::string::npos);
    CHECK(out.find("<p>Hi</p>") != std::string::npos);

    // Nothing to track: the same bytes.
    std::string plain = "<p>no links <b>here</b> a<b c</p>";
    CHECK(tracked(plain) == plain);
    // An unclosed tag at the end is copied as it is.
    CHECK(tracked("<a href=\"mailto:x@y\"") == "<a href=\"mailto:x@y\"");
}

TEST_CASE("numeric character references in an href are decoded", "[tracking]") {
    auto out = tracked("<a href=\"https://example.com/&#47;x?q=&#x41;&#39;&bogus;\">x</a>");
    CHECK(destinations(out) == std::vector<std::string>{"https://example.com//x?q=A'&bogus;"});
}

TEST_CASE("the open image goes before </body>, or at the end", "[tracking]") {
    std::string with_body = tracked("<html><BODY><p>x</p></Body></html>", false, true);
    auto img = with_body.find("<img src=\"" + kBase + "/open/");
    REQUIRE(img != std::string::npos);
    CHECK(with_body.find("</Body></html>") > img);
    CHECK(with_body.rfind("<p>x</p>", img) != std::string::npos);
    CHECK(with_body.find("width=\"1\" height=\"1\" alt=\"\"") != std::string::npos);

    std::string fragment = tracked("<p>x</p>", false, true);
    CHECK(fragment.rfind("<p>x</p><img src=\"" + kBase + "/open/", 0) == 0);

    // Clicks off: links stay.
    CHECK(fragment.find("/click/") == std::string::npos);
    std::string links_only = tracked("<a href=\"https://e.example/\">e</a>", false, true);
    CHECK(links_only.rfind("<a href=\"https://e.example/\">e</a><img", 0) == 0);
}

TEST_CASE("comments that close at once, and a </body> inside a comment", "[tracking]") {
    auto out =
        tracked("<!--><a href=\"https://a.example/\">a</a><!---><p>x</p></body><!-- </body> -->",
                true, true);
    CHECK(destinations(out) == std::vector<std::string>{"https://a.example/"});
    auto img = out.find("<img src=");
    REQUIRE(img != std::string::npos);
    CHECK(out.substr(img).find("</body><!-- </body> -->") != std::string::npos);
    CHECK(out.find("<!-- </body> -->") > img);
}

TEST_CASE("a click records where it went, and an address too long for a token stays",
          "[tracking]") {
    CHECK(url_origin("https://shop.example.com:8443/reset?token=abc#x") ==
          "https://shop.example.com:8443");
    CHECK(url_origin("http://user:pw@example.com/p") == "http://example.com");
    CHECK(url_origin("https://example.com") == "https://example.com");
    CHECK(url_origin("https://example.com?q=1") == "https://example.com");
    CHECK(url_origin("mailto:x@example.com").empty());
    // Quotes and backslashes double in the token's JSON: a link of them is
    // not made at all, rather than one that never verifies.
    std::string quoted = "https://example.com/" + std::string(2000, '"');
    REQUIRE(trackable_url(quoted));
    CHECK(click_link(kBase, kSecret, "d1", quoted).empty());
    std::string plain = "https://example.com/" + std::string(2000, 'a');
    auto link = click_link(kBase, kSecret, "d1", plain);
    REQUIRE_FALSE(link.empty());
    CHECK(verify_tracking_token(kSecret, TrackKind::click, token_of(link))->url == plain);
}
