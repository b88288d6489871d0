// override_list.hpp - what the two forms of the override file share
// (overrides.cpp reads plain text, icalendar.cpp iCalendar): the days read so
// far, their bounds, and the messages that name the file and the line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/overrides.hpp"

namespace notify::calendar {

class OverrideList {
  public:
    explicit OverrideList(std::string file) : file_(std::move(file)) {}

    // `count` days from `first`, each of `kind` and `name`, listed on `line`;
    // an error over kMaxRangeDays or kMaxDays.
    Status add(const Date& first, std::int64_t count, OverrideKind kind, const std::string& name,
               int line);
    // Invalid "FILE:LINE: what".
    Error error(int line, const std::string& what) const;
    // Sorted by date, each once; a day listed with both kinds is an error
    // naming both lines.
    Expected<std::vector<Override>> finish();

  private:
    std::string file_;
    std::vector<Override> days_;
};

// Reads iCalendar text into `list` (icalendar.cpp).
Status read_icalendar(std::string_view text, OverrideList& list);

// "holiday" or "workday", any case.
std::optional<OverrideKind> kind_named(std::string_view word);

}  // namespace notify::calendar
