// main.cpp - notifyctl, the command-line tool of notify: see notifyctl(1).
// Everything happens in run() (app.cpp); this file only hands it the
// arguments and the standard streams, and is the last place an error is caught.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "command.hpp"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        return notify::cli::run(args, std::cin, std::cout, std::cerr);
    } catch (const std::exception& e) {
        std::cerr << "notifyctl: error: " << e.what() << "\n";
        return notify::cli::exit_software;
    }
}
