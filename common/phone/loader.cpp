// loader.cpp - is_e164_number (address.hpp) for notifyctl: the phone module
// (phone.so, which links libphonenumber, protobuf and ICU) is loaded the first
// time a number is checked, so that no other command loads those libraries.
// It is looked for where an installation puts it from the executable's folder
// (LIBDIR/notify relative to BINDIR), in ../lib/notify from it (a build tree),
// then in the LIBDIR notify was built for. Without it a check throws
// PhoneCheckUnavailable, and notifyctl exits 70 saying where it looked: a
// number is never taken as valid, or refused, unchecked.
#include <dlfcn.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "address.hpp"
#include "phone/module.hpp"
#include "util/executable_dir.hpp"

namespace notify {

namespace {

using Check = bool (*)(const char*, std::size_t);

Check load_module() {
    std::vector<std::string> candidates;
    auto add = [&](const std::string& path) {  // in order, each once
        if (std::find(candidates.begin(), candidates.end(), path) == candidates.end())
            candidates.push_back(path);
    };
    if (const std::string dir = util::executable_dir(); !dir.empty()) {
        add(dir + "/" NOTIFY_MODULE_FROM_BIN "/phone.so");
        add(dir + "/../lib/notify/phone.so");
    }
    add(NOTIFY_MODULE_DIR "/phone.so");
    std::string why;
    for (const auto& path : candidates) {
        void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!module) {
            const char* error = dlerror();
            why += (why.empty() ? "" : "; ") + std::string(error ? error : path);
            continue;
        }
        if (auto check = reinterpret_cast<Check>(dlsym(module, kPhoneModuleSymbol))) return check;
        why += (why.empty() ? "" : "; ") + path + ": no " + kPhoneModuleSymbol;
        dlclose(module);
    }
    throw PhoneCheckUnavailable("cannot check phone numbers: the phone module is missing (" + why +
                                ")");
}

}  // namespace

bool is_e164_number(std::string_view text) {
    static std::once_flag once;
    static Check check = nullptr;
    std::call_once(once, [] { check = load_module(); });
    return check(text.data(), text.size());
}

}  // namespace notify
