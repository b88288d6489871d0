// config_link.hpp - the links between the programs in notify.toml(5): the
// notify-ingest endpoints notifyctl tries (notifyctl.ingest), the routers a
// worker serves (worker.router), each one endpoint or several, and the CURVE
// keys of the router and its workers. The keys are declared in config.cpp's
// table with every other key; this checks their values and binds them to
// Config::Notifyctl, Config::Router and Config::Worker.
#pragma once

#include <map>
#include <string>

#include "config.hpp"

namespace notify {

// `settings`: every scalar key with its value and origin. A key written in
// the file is 40 characters of Z85 (a secret may also be an env: or file:
// reference, read when the daemon starts); a router with a secret key names
// the workers it lets in; a worker has its secret and the routers' public keys
// (one for all, or one for each router in worker.router's order) or neither;
// each router is given a share of worker.concurrency, so there are no more
// routers than that. Errors name the origin and the key.
Status bind_link(Config& c, const std::map<std::string, Setting>& settings);

// The endpoints of a key that takes one or several: at least one, none empty,
// none twice.
Expected<std::vector<std::string>> endpoint_list(const Setting& setting);

// A CURVE key setting resolved (resolve_secret) and checked to be 40 Z85
// characters; errors name `key` and where the value came from, never the value.
Expected<std::string> resolve_key(const std::string& value, const std::string& key);

}  // namespace notify
