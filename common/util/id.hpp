// id.hpp - time-sortable identifiers (ULID: 48-bit milliseconds + 80 random bits,
// Crockford base32, 26 characters). Ids made by one process sort in creation order.
#pragma once

#include <string>

#include "util/time.hpp"

namespace notify::util {

std::string new_ulid();
std::string new_ulid(Millis at);
// The creation time of a ULID, or -1 when `id` is not one.
Millis ulid_time(const std::string& id);

}  // namespace notify::util
