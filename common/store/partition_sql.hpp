// partition_sql.hpp - the partitions of partitions.hpp inside a statement, so
// that a router sharing them reads only the rows of its own: the lease rows it
// serves, and the new deliveries of its partitions (the same rule as
// partition_of, computed by the store: CRC32() is MySQL's and MariaDB's, and
// each SQLite connection of a Store is given one).
#pragma once

#include <string>
#include <string_view>

#include "partitions.hpp"
#include "store/db.hpp"

namespace notify::store {

// " AND <partition> IN (0,1)" for a set that is not every partition ("" for
// one that is, " AND 0 = 1" for none); `partition` is an SQL expression.
std::string among(const PartitionSet& serves, std::string_view partition = "partition_no");

// A deliveries row's partition among `count`, as an SQL expression.
std::string delivery_partition(int count);

// Gives a SQLite connection CRC32(X), as MySQL's (nothing on a server, which has it).
void define_crc32(Db& db);

}  // namespace notify::store
