// libssh settings shared by session.cpp and exec.cpp.
#pragma once

#include <chrono>

struct ssh_session_struct;

namespace tasks::ssh {

/// Sets how long blocking libssh calls on `raw` may wait (at least 1 ms).
void set_timeout(ssh_session_struct* raw, std::chrono::milliseconds timeout);

} // namespace tasks::ssh
