#pragma once

// Request parameters shared by the traversal and analytics handlers: filters, limits, page
// tokens, and the server-wide defaults and caps they are checked against.

#include <chrono>
#include <string>

#include "absl/status/statusor.h"
#include "graph/model/schema.h"
#include "graph/query/traversal.h"
#include "graph/topology/bgl_adapter.h"
#include "grpcpp/server_context.h"
#include "innograph/v1/graph.pb.h"

namespace innograph::server {

// Server-wide defaults and caps of queries (flags of innograph-server).
struct QueryOptions {
  uint32_t max_depth = 6;                                // Cap on depth, radius, max_length.
  uint32_t default_edges_per_node = 100000;              // Default max_edges_per_node.
  uint32_t max_edges_per_node = 10000000;                // Cap.
  uint64_t default_visited = 1000000;                    // Default max_visited.
  uint64_t max_visited = 50000000;                       // Cap.
  uint32_t default_results = 10000;                      // Default max_results.
  uint32_t max_results = 1000000;                        // Cap.
  uint32_t max_k = 100;                                  // Cap on Paths k.
  std::chrono::milliseconds query_timeout{30000};        // Deadline when the call has none shorter.
  uint64_t max_exact_betweenness_work = 20000000000ull;  // n * m above which exact is refused.
};

absl::StatusOr<TopologyFilter> ParseFilter(const v1::Filter& f, const Schema& schema);

// The limits of a call: request values (0 = default), checked against the caps, and the
// deadline: the earlier of the call's deadline and now + query_timeout.
absl::StatusOr<QueryLimits> ParseLimits(const v1::Limits& l, const QueryOptions& options,
                                        const grpc::ServerContextBase* ctx);

Direction ParseDirection(v1::Direction d);

// Checks 1 <= value <= cap (0 means `fallback`), naming the field.
absl::StatusOr<uint32_t> CheckRange(uint32_t value, uint32_t fallback, uint32_t cap,
                                    absl::string_view field);

// Page tokens: web-safe base64 of "<tag>:<payload>", opaque to clients.
std::string MakeToken(absl::string_view tag, absl::string_view payload);
absl::StatusOr<std::string> ReadToken(const std::string& token, absl::string_view tag);

}  // namespace innograph::server
