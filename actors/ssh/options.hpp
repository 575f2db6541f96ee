// libssh helpers shared by session.cpp and exec.cpp.
#pragma once

#include <chrono>

struct ssh_session_struct;

namespace tasks::ssh {

/// Sets how long blocking libssh calls on `raw` may wait (at least 1 ms).
void set_timeout(ssh_session_struct* raw, std::chrono::milliseconds timeout);

/// True while libssh has not seen the connection end (as far as it read).
bool alive(ssh_session_struct* raw);

} // namespace tasks::ssh
