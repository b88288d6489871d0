// web_assets.cpp - see web_assets.hpp.
#include "web_assets.hpp"

#include <fstream>
#include <sstream>

#include "util/log.hpp"

namespace notify::ingest {

namespace {

struct Known {
    const char* path;
    const char* file;
    const char* content_type;
};

constexpr Known kAssets[] = {
    {"/static/bootstrap.min.css", "/usr/share/javascript/bootstrap5/css/bootstrap.min.css",
     "text/css; charset=utf-8"},
    {"/static/chart.min.js", "/usr/share/javascript/chart.js/chart.min.js",
     "text/javascript; charset=utf-8"},
};

constexpr std::streamsize kMaxAsset = 4 << 20;

}  // namespace

const WebAsset* WebAssets::find(const std::string& path) {
    if (auto it = read_.find(path); it != read_.end()) return it->second ? &*it->second : nullptr;
    for (std::size_t i = 0; i < kEmbeddedScriptCount; ++i)
        if (path == kEmbeddedScripts[i].path)
            return &*(read_[path] =
                          WebAsset{"text/javascript; charset=utf-8", kEmbeddedScripts[i].text});
    for (const auto& k : kAssets) {
        if (path != k.path) continue;
        std::optional<WebAsset> asset;
        std::ifstream in(k.file, std::ios::binary);
        std::ostringstream text;
        if (in && (text << in.rdbuf()) && text.tellp() <= kMaxAsset)
            asset = WebAsset{k.content_type, text.str()};
        else
            NLOG(warning, "",
                 "dashboard asset " << k.file << " cannot be read; is its package "
                                    << "installed?");
        auto& kept = read_[path] = std::move(asset);
        return kept ? &*kept : nullptr;
    }
    return nullptr;
}

}  // namespace notify::ingest
