// door.hpp - the checks a notification passes before it is stored
// (common/accept), by the names notify-ingest uses for them.
#pragma once

#include "accept/recipients.hpp"
#include "accept/request.hpp"
#include "accept/templating.hpp"

namespace notify::ingest {

using accept::build_notification;
using accept::check_body_size;
using accept::decide_fanout;
using accept::fanout_for;
using accept::FanoutDecision;
using accept::names_directory;
using accept::parse_body;
using accept::parse_sized_body;
using accept::Recipients;
using accept::request_hash;
using accept::RequestContext;
using accept::resolve_recipients;
using accept::StoredTemplates;
using accept::TemplateRenderer;

}  // namespace notify::ingest
