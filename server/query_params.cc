#include "server/query_params.h"

#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "graph/model/status.h"
#include "server/convert.h"

namespace innograph::server {

absl::StatusOr<TopologyFilter> ParseFilter(const v1::Filter& f, const Schema& schema) {
  TopologyFilter out;
  if (f.edge_types_size() > 0) out.types.assign(schema.max_type_id() + 1, false);
  for (int i = 0; i < f.edge_types_size(); ++i) {
    ASSIGN_OR_RETURN(
        TypeId t, schema.ResolveType(f.edge_types(i), absl::StrCat("filter.edge_types[", i, "]")));
    out.types[t.value] = true;
  }
  if (f.node_kinds_size() > 0) out.kinds.assign(schema.max_kind_id() + 1, false);
  for (int i = 0; i < f.node_kinds_size(); ++i) {
    ASSIGN_OR_RETURN(
        KindId k, schema.ResolveKind(f.node_kinds(i), absl::StrCat("filter.node_kinds[", i, "]")));
    out.kinds[k.value] = true;
  }
  const bool window = !f.window_from().empty() || !f.window_to().empty();
  if (!f.as_of().empty() && window) {
    return absl::InvalidArgumentError(
        "filter.as_of: give either as_of or window_from/window_to, not both");
  }
  if (!f.as_of().empty()) {
    auto d = ParseDate(f.as_of(), DateRounding::kStart);
    if (!d.ok()) return WithContext(d.status(), "filter.as_of");
    out.has_window = true;
    out.window = Interval{*d, *d};
  } else if (window) {
    out.has_window = true;
    if (!f.window_from().empty()) {
      auto d = ParseDate(f.window_from(), DateRounding::kStart);
      if (!d.ok()) return WithContext(d.status(), "filter.window_from");
      out.window.from = *d;
    }
    if (!f.window_to().empty()) {
      auto d = ParseDate(f.window_to(), DateRounding::kEnd);
      if (!d.ok()) return WithContext(d.status(), "filter.window_to");
      out.window.to = *d;
    }
    if (out.window.from > out.window.to) {
      return absl::InvalidArgumentError(absl::StrCat("filter.window_from: '", f.window_from(),
                                                     "' is after window_to '", f.window_to(), "'"));
    }
  }
  if (!std::isfinite(f.min_weight()) || f.min_weight() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter.min_weight: ", f.min_weight(), " must be a finite number >= 0"));
  }
  out.min_weight = f.min_weight();
  return out;
}

absl::StatusOr<QueryLimits> ParseLimits(const v1::Limits& l, const QueryOptions& options,
                                        const grpc::ServerContextBase* ctx) {
  QueryLimits out;
  out.max_depth = options.max_depth;
  auto pick = [](uint64_t value, uint64_t fallback, uint64_t cap,
                 absl::string_view field) -> absl::StatusOr<uint64_t> {
    if (value == 0) return fallback;
    if (value > cap) {
      return absl::InvalidArgumentError(
          absl::StrCat("limits.", field, ": ", value, " is above the server's cap ", cap));
    }
    return value;
  };
  ASSIGN_OR_RETURN(uint64_t edges, pick(l.max_edges_per_node(), options.default_edges_per_node,
                                        options.max_edges_per_node, "max_edges_per_node"));
  ASSIGN_OR_RETURN(out.max_visited, pick(l.max_visited(), options.default_visited,
                                         options.max_visited, "max_visited"));
  ASSIGN_OR_RETURN(uint64_t results, pick(l.max_results(), options.default_results,
                                          options.max_results, "max_results"));
  out.max_edges_per_node = static_cast<uint32_t>(edges);
  out.max_results = static_cast<uint32_t>(results);
  auto now = std::chrono::steady_clock::now();
  out.deadline = now + options.query_timeout;
  if (ctx) {
    auto remaining = ctx->deadline() - std::chrono::system_clock::now();
    if (remaining < options.query_timeout) {
      out.deadline = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                               std::max(remaining, std::chrono::system_clock::duration::zero()));
    }
  }
  return out;
}

Direction ParseDirection(v1::Direction d) {
  return d == v1::DIRECTION_OUT  ? Direction::kOut
         : d == v1::DIRECTION_IN ? Direction::kIn
                                 : Direction::kBoth;
}

absl::StatusOr<uint32_t> CheckRange(uint32_t value, uint32_t fallback, uint32_t cap,
                                    absl::string_view field) {
  if (value == 0) value = fallback;
  if (value == 0 || value > cap) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", value, " is out of range 1..", cap));
  }
  return value;
}

std::string MakeToken(absl::string_view tag, absl::string_view payload) {
  return absl::WebSafeBase64Escape(absl::StrCat(tag, ":", payload));
}

absl::StatusOr<std::string> ReadToken(const std::string& token, absl::string_view tag) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() <= tag.size() ||
      raw.compare(0, tag.size(), tag.data(), tag.size()) != 0 || raw[tag.size()] != ':') {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: '", token, "' is not a token of this call"));
  }
  return raw.substr(tag.size() + 1);
}

}  // namespace innograph::server
