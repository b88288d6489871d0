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
// The time part of the ULIDs made at `at` (10 characters): it sorts before
// every ULID of that millisecond and after every earlier one.
std::string ulid_prefix(Millis at);

}  // namespace notify::util
