// toml.cpp - toml++'s compiled part. Every other file includes <toml++/toml.h>
// with TOML_HEADER_ONLY=0 (the notify_toml target) and links this one.
#define TOML_IMPLEMENTATION 1
#include <toml++/toml.h>
