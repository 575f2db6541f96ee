// The stderr logger: spdlog's text pattern, or a JSON-lines sink of our own.
#include "core/log.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "core/time.hpp"
#include "core/utf8.hpp"

namespace tasks::log {

namespace {

/// Writes `{"ts":"…Z","level":"info","msg":"…"}` lines to stderr. Messages
/// may quote peer data, so they are made valid UTF-8 before rapidjson sees
/// them: its default Writer copies invalid bytes into invalid JSON.
class json_stderr_sink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    auto ts = format_iso8601(
        std::chrono::time_point_cast<std::chrono::microseconds>(msg.time));
    auto level = spdlog::level::to_string_view(msg.level);
    auto text = utf8::sanitize(
        std::string_view{msg.payload.data(), msg.payload.size()});
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> writer{buf};
    writer.StartObject();
    writer.Key("ts");
    writer.String(ts.data(), static_cast<rapidjson::SizeType>(ts.size()));
    writer.Key("level");
    writer.String(level.data(), static_cast<rapidjson::SizeType>(level.size()));
    writer.Key("msg");
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    writer.EndObject();
    std::string line{buf.GetString(), buf.GetSize()};
    line += '\n';
    // One write per line, so that lines of concurrent processes sharing
    // the stream do not interleave.
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

  void flush_() override { std::fflush(stderr); }
};

} // namespace

void init(log_format format) {
  spdlog::sink_ptr sink;
  if (format == log_format::json) {
    sink = std::make_shared<json_stderr_sink>();
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ [%l] %v", spdlog::pattern_time_type::utc));
  }
  auto logger = std::make_shared<spdlog::logger>("tasksd", std::move(sink));
  spdlog::set_default_logger(std::move(logger));
}

} // namespace tasks::log
