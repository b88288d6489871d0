// web_words.hpp - the dashboard's two languages: which one a request is
// shown in, and every word of the pages in English and Chinese.
#pragma once

#include <string_view>

#include "api.hpp"

namespace notify::ingest {

enum class Lang { en, zh };

// ?lang= (en or zh), else the notify_lang cookie, else Accept-Language.
Lang lang_of(const Request& req);
const char* to_string(Lang lang);
// The words for `key` in `lang` ("?" for a key that has none).
const char* tr(Lang lang, std::string_view key);

}  // namespace notify::ingest
