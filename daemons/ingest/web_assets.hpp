// web_assets.hpp - what the dashboard's pages load, served under /static/: the
// browser libraries from where Debian installs them (libjs-bootstrap5,
// libjs-chart.js), read on first use and kept, and the dashboard's own scripts
// (web/*.js), embedded at build time. Nothing else is served from the disk.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace notify::ingest {

struct WebAsset {
    std::string content_type;
    std::string body;
};

// One of the dashboard's own scripts (web_scripts.cpp, made by CMake).
struct EmbeddedAsset {
    const char* path;  // "/static/dashboard.js"
    const char* text;
};
extern const EmbeddedAsset kEmbeddedScripts[];
extern const std::size_t kEmbeddedScriptCount;

class WebAssets {
  public:
    // The asset at `path` ("/static/bootstrap.min.css"); nullopt for any other
    // path or a file that cannot be read.
    const WebAsset* find(const std::string& path);

  private:
    std::map<std::string, std::optional<WebAsset>> read_;
};

}  // namespace notify::ingest
