// web_assets.hpp - the browser libraries the dashboard uses, served under
// /static/ from where Debian installs them (libjs-bootstrap5, libjs-chart.js);
// nothing else is served from the disk. Read on first use and kept.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace notify::ingest {

struct WebAsset {
    std::string content_type;
    std::string body;
};

class WebAssets {
  public:
    // The asset at `path` ("/static/bootstrap.min.css"); nullopt for any other
    // path or a file that cannot be read.
    const WebAsset* find(const std::string& path);

  private:
    std::map<std::string, std::optional<WebAsset>> read_;
};

}  // namespace notify::ingest
