// users_file.cpp - notify-bench gen-users: a JSON Lines file of users for the
// import and bulk-send figures, written fast enough not to count.
#include <cstdio>

#include "report.hpp"
#include "scenarios.hpp"

namespace notify::bench {

std::string bench_user_id(long i) {
    char id[32];
    std::snprintf(id, sizeof id, "u%07ld", i);
    return id;
}

int gen_users(const Options& o) {
    if (o.output.empty()) {
        progress("gen-users", "needs --output FILE");
        return 1;
    }
    std::FILE* f = std::fopen(o.output.c_str(), "w");
    if (!f) {
        std::perror(("notify-bench: gen-users: " + o.output).c_str());
        return 1;
    }
    const long count = o.count > 0 ? o.count : 100000;
    const char* locales[] = {"en", "zh-CN", "en-GB", "zh"};
    for (long i = 0; i < count; ++i)
        std::fprintf(f,
                     "{\"id\":\"%s\",\"name\":\"User %ld\",\"email\":\"u%07ld@example.com\","
                     "\"locale\":\"%s\",\"identities\":{\"%s\":\"addr-%07ld\"},"
                     "\"attributes\":{\"team\":\"t%ld\"}}\n",
                     bench_user_id(i).c_str(), i, i, locales[i % 4], o.channel.c_str(), i, i % 50);
    if (std::fclose(f) != 0) {
        std::perror(("notify-bench: gen-users: " + o.output).c_str());
        return 1;
    }
    return 0;
}

}  // namespace notify::bench
