//===- Log.cpp - structured logging through spdlog ------------------------===//
#include "Log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace openopt::server {
namespace {

bool jsonFormat = false;

// Client-supplied strings may not be UTF-8: replace, never throw.
std::string dump(const nlohmann::json &value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string textValue(const nlohmann::json &value) {
  if (value.is_string()) {
    const std::string &s = value.get_ref<const std::string &>();
    bool plain = !s.empty() && s.find_first_of(" \t\n\"=") == std::string::npos;
    return plain ? s : dump(value);
  }
  return dump(value);
}

} // namespace

void initLogging(const std::string &format, const std::string &level) {
  jsonFormat = format == "json";
  auto logger = spdlog::stderr_logger_mt("openoptd");
  if (jsonFormat)
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                        spdlog::pattern_time_type::utc);
  else
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void logEvent(spdlog::level::level_enum level, std::string_view event,
              const nlohmann::json &fields) {
  if (!spdlog::should_log(level))
    return;
  std::string line;
  if (jsonFormat) {
    line = "\"event\":" + dump(nlohmann::json(event));
    for (const auto &[key, value] : fields.items())
      line += "," + dump(nlohmann::json(key)) + ":" + dump(value);
  } else {
    line = std::string(event);
    for (const auto &[key, value] : fields.items())
      line += " " + key + "=" + textValue(value);
  }
  spdlog::log(level, "{}", line);
}

} // namespace openopt::server
