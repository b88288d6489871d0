// tracked_html.hpp - open and click tracking put into an email's HTML part.
//
// Every <a> and <area> whose href is an address that `click` chooses to track
// gets the link `click` returns in its place, and an invisible 1x1 image
// pointing at `pixel` goes before </body> (or at the end). The rest of the
// HTML is copied byte for byte. A link with the attribute data-notify-no-track
// is left alone (for links that must not pass through a redirect), as is any
// link whose href is not absolute http or https (mailto:, tel:, #anchors).
// An href's character references (&amp;, &#39;, ...) are decoded before
// `click` sees the address.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace notify {

struct HtmlTracking {
    // The link to put in place of the address `url`; "" keeps the address.
    std::function<std::string(const std::string& url)> click;
    std::string pixel;  // the open image's address, or "" for none
};

std::string track_html(std::string_view html, const HtmlTracking& tracking);

}  // namespace notify
