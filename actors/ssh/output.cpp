// Pure helpers of exec(): the capped output buffers.
#include "actors/ssh/output.hpp"

#include <algorithm>

namespace tasks::ssh {

void capped_output::append(std::string_view data) {
  total_ += data.size();
  if (!keep_)
    return;
  const uint64_t room = max_ - std::min<uint64_t>(max_, text_.size());
  const size_t take
      = static_cast<size_t>(std::min<uint64_t>(room, data.size()));
  text_.append(data.data(), take);
  if (take < data.size())
    truncated_ = true;
}

} // namespace tasks::ssh
