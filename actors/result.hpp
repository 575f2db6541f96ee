// Turning the store's caf::expected into handler results.
#pragma once

#include <utility>

#include <caf/expected.hpp>
#include <caf/result.hpp>

namespace tasks {

/// The value, or the error, as a handler's result.
template <class T> caf::result<T> to_result(caf::expected<T>&& x) {
  if (x)
    return std::move(*x);
  return std::move(x.error());
}

} // namespace tasks
