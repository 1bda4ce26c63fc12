//===- CompileCache.cpp - memory LRU in front of SQLite -------------------===//
#include "storage/CompileCache.h"

namespace openopt::server {
namespace {

json compileToJson(const CompileRow &row) {
  return {{"id", row.id},         {"modelId", row.modelId}, {"recipeHash", row.recipeHash},
          {"cacheKey", row.cacheKey}, {"graphKey", row.graphKey}, {"summary", row.summary},
          {"createdAt", row.createdAt}};
}

CompileRow compileFromJson(const json &j) {
  return {j["id"], j["modelId"], j["recipeHash"], j["cacheKey"], j["graphKey"], j["summary"],
          j["createdAt"]};
}

} // namespace

std::optional<CompileRow> CompileCache::findCompile(const std::string &cacheKey) {
  if (auto hit = entries.get("c:" + cacheKey))
    return compileFromJson(*hit);
  auto row = storage.findCompileByCacheKey(cacheKey);
  if (row)
    rememberCompile(*row);
  return row;
}

void CompileCache::rememberCompile(const CompileRow &row) {
  auto value = std::make_shared<const json>(compileToJson(row));
  size_t bytes = value->dump().size();
  entries.put("c:" + row.cacheKey, std::move(value), bytes);
}

std::optional<GraphCacheRow> CompileCache::findGraph(const std::string &graphKey) {
  if (auto hit = entries.get("g:" + graphKey))
    return GraphCacheRow{graphKey, (*hit)["graphIR"], (*hit)["record"], (*hit)["stats"]};
  auto row = storage.findGraphCache(graphKey);
  if (row)
    rememberGraph(*row);
  return row;
}

void CompileCache::rememberGraph(const GraphCacheRow &row) {
  auto value = std::make_shared<const json>(
      json{{"graphIR", row.graphIRArtifact}, {"record", row.recordArtifact}, {"stats", row.stats}});
  entries.put("g:" + row.graphKey, value, value->dump().size());
}

std::string CompileCache::storeArtifact(std::string_view bytes, const std::string &mediaType) {
  std::string hash = storage.putArtifact(bytes, mediaType);
  blobs.put(hash, std::make_shared<const Artifact>(Artifact{hash, mediaType, std::string(bytes)}),
            bytes.size());
  return hash;
}

std::shared_ptr<const Artifact> CompileCache::artifact(const std::string &hash) {
  if (auto hit = blobs.get(hash))
    return hit;
  auto stored = storage.getArtifact(hash);
  if (!stored)
    return nullptr;
  auto value = std::make_shared<const Artifact>(std::move(*stored));
  blobs.put(hash, value, value->data.size());
  return value;
}

json CompileCache::artifactRef(const std::string &hash) {
  if (auto hit = blobs.get(hash))
    return {{"hash", hash}, {"bytes", hit->data.size()}, {"mediaType", hit->mediaType}};
  auto info = storage.artifactInfo(hash);
  if (!info)
    return nullptr;
  return {{"hash", hash}, {"bytes", info->first}, {"mediaType", info->second}};
}

} // namespace openopt::server
