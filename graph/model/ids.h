#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace innograph {

// A strongly typed integer id. Ids are dense, start at 1 and are never reused; 0 means "none".
template <typename Tag, typename Rep>
struct StrongId {
  Rep value = 0;

  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : value(v) {}
  constexpr bool valid() const { return value != 0; }
  constexpr auto operator<=>(const StrongId&) const = default;
};

struct NodeIdTag {};
struct EdgeIdTag {};
struct KindIdTag {};
struct TypeIdTag {};

using NodeId = StrongId<NodeIdTag, uint64_t>;  // A node's internal id.
using EdgeId = StrongId<EdgeIdTag, uint64_t>;  // An edge's internal id.
using KindId = StrongId<KindIdTag, uint32_t>;  // A node kind's schema id. Persisted.
using TypeId = StrongId<TypeIdTag, uint32_t>;  // An edge type's schema id. Persisted.

}  // namespace innograph

template <typename Tag, typename Rep>
struct std::hash<innograph::StrongId<Tag, Rep>> {
  size_t operator()(const innograph::StrongId<Tag, Rep>& id) const noexcept {
    return std::hash<Rep>()(id.value);
  }
};
