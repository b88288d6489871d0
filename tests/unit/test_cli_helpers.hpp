// test_cli_helpers.hpp - running notifyctl's command line in-process for the
// unit tests, with its streams captured, and a scratch directory per test.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "command.hpp"

namespace notify::cli::test {

struct Outcome {
    int rc = -1;
    std::string out;
    std::string err;
};

inline Outcome notifyctl(const std::vector<std::string>& args, const std::string& input = "") {
    std::istringstream in(input);
    std::ostringstream out, err;
    Outcome o;
    o.rc = run(args, in, out, err);
    o.out = out.str();
    o.err = err.str();
    return o;
}

// A fresh directory under /tmp, removed at the end of the test.
class ScratchDir {
  public:
    ScratchDir() {
        char tmpl[] = "/tmp/notifyctl-test-XXXXXX";
        path_ = mkdtemp(tmpl);
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }
    std::string write(const std::string& name, const std::string& text) const {
        std::string p = path_ + "/" + name;
        std::ofstream(p) << text;
        return p;
    }

  private:
    std::string path_;
};

}  // namespace notify::cli::test
