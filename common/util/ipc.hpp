// ipc.hpp - the socket files behind ZeroMQ ipc:// endpoints.
#pragma once

#include <string>

namespace notify::util {

// The filesystem path of an ipc:// endpoint, or "" for other transports.
std::string ipc_path(const std::string& endpoint);
// Makes the folder of an ipc:// endpoint so that binding can create the socket file.
void prepare_ipc(const std::string& endpoint);
// Removes the socket file of an ipc:// endpoint this process bound, so that clients
// see at once that nothing listens there.
void remove_ipc(const std::string& endpoint);

}  // namespace notify::util
