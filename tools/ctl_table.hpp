// An aligned text table for tasksctl's list commands.
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace tasks::ctl {

/// Prints `header` and `rows` to stdout, columns padded to their widest cell
/// and separated by two spaces; the last column is not padded.
inline void print_table(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  };
  measure(header);
  for (const auto& row : rows)
    measure(row);
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    std::puts(line.c_str());
  };
  print(header);
  for (const auto& row : rows)
    print(row);
}

} // namespace tasks::ctl
