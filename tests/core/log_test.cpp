// Tests the stderr log formats by capturing file descriptor 2.
#define CAF_SUITE core.log
#include <caf/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "core/log.hpp"
#include "core/time.hpp"
#include "core/utf8.hpp"

using namespace tasks;

namespace {

/// Runs `f` with stderr redirected to a file; returns what it wrote.
std::string capture_stderr(const std::function<void()>& f) {
  auto path = std::filesystem::temp_directory_path()
              / ("tasks-log-test-" + std::to_string(getpid()));
  std::fflush(stderr);
  auto saved = dup(2);
  auto fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  dup2(fd, 2);
  close(fd);
  f();
  spdlog::default_logger()->flush();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::ifstream in{path};
  std::stringstream out;
  out << in.rdbuf();
  std::filesystem::remove(path);
  return out.str();
}

} // namespace

CAF_TEST(text_lines_start_with_a_utc_timestamp_and_the_level) {
  auto out = capture_stderr([] {
    log::init(log_format::text);
    log::info("hello {}", 42);
    log::warn("careful");
  });
  auto first = out.substr(0, out.find('\n'));
  CAF_REQUIRE(first.size() > 24);
  CAF_CHECK(parse_iso8601(first.substr(0, 24)));
  CAF_CHECK_EQUAL(first.substr(24), " [info] hello 42");
  CAF_CHECK(out.find(" [warning] careful\n") != std::string::npos);
}

CAF_TEST(json_lines_escape_the_message_and_repair_utf8) {
  auto out = capture_stderr([] {
    log::init(log_format::json);
    log::info("say {}", "\"hi\" \\ \n\x01 \xFF");
    log::error("second");
  });
  log::init(log_format::text);
  auto newline = out.find('\n');
  CAF_REQUIRE(newline != std::string::npos);
  auto first = out.substr(0, newline);
  // {"ts":"2026-11-26T08:32:47.123Z","level":"info","msg":"…"}
  CAF_REQUIRE(first.size() > 32);
  CAF_CHECK_EQUAL(first.substr(0, 7), R"({"ts":")");
  CAF_CHECK(parse_iso8601(first.substr(7, 24)));
  CAF_CHECK_EQUAL(first.substr(31),
                  R"(","level":"info","msg":"say \"hi\" \\ \n\u0001 )"
                  "\xEF\xBF\xBD\"}");
  CAF_CHECK(utf8::is_valid(out));
  CAF_CHECK(out.find(R"("level":"error","msg":"second"})"
                     "\n")
            != std::string::npos);
}
