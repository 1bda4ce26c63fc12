//===- Log.h - one structured line per event -------------------*- C++ -*-===//
#ifndef OPENOPT_SERVER_LOG_H
#define OPENOPT_SERVER_LOG_H

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace openopt::server {

/// Sets up the process logger (stderr): "text" prints `event key=value ...`,
/// "json" one JSON object per line with ts, level, event and the fields.
void initLogging(const std::string &format, const std::string &level);

/// Logs `event` with its fields (ids, durations, outcomes).
void logEvent(spdlog::level::level_enum level, std::string_view event,
              const nlohmann::json &fields = nlohmann::json::object());

} // namespace openopt::server

#endif
