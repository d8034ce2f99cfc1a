#pragma once

// Boost.Graph view of the live topology. A TopologyGraph models IncidenceGraph,
// BidirectionalGraph and VertexListGraph over a Topology::Reader in one direction mode:
//   kOut  - edges as stored (u -> v),
//   kIn   - edges reversed (walks against their direction),
//   kBoth - undirected view: every edge usable both ways.
// Filters become boost::filtered_graph predicates (FilteredTopology below), so BGL algorithms
// (breadth_first_visit, dijkstra_shortest_paths_no_color_map_no_init, ...) run unchanged on a
// filtered view. Vertex descriptors are node ids (uint32_t); vertices of deleted ids exist in the
// vertex range but have no edges and are filtered out by the vertex predicate.
//
// The adapter functions keep BGL's names (out_edges, num_vertices, ...), as BGL requires.

#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/graph_traits.hpp>
#include <boost/iterator/counting_iterator.hpp>
#include <boost/iterator/iterator_facade.hpp>
#include <utility>

#include "graph/topology/topology.h"

namespace innograph {

enum class Direction { kOut, kIn, kBoth };

// An edge seen from the vertex it was reached from: `source` is that vertex, `entry->nbr` the
// other end; `forward` tells whether the stored edge points from source to target.
struct TopoEdge {
  uint32_t source = 0;
  const AdjEntry* entry = nullptr;
  bool forward = true;

  uint32_t target() const { return entry->nbr; }
  bool operator==(const TopoEdge& o) const { return entry == o.entry && source == o.source; }
  bool operator!=(const TopoEdge& o) const { return !(*this == o); }
};

class TopologyGraph {
 public:
  TopologyGraph(const Topology::Reader& reader, Direction dir) : reader_(&reader), dir_(dir) {}
  const Topology::Reader& reader() const { return *reader_; }
  Direction direction() const { return dir_; }

  // The primary and secondary adjacency lists of v for this direction mode.
  std::span<const AdjEntry> first(uint32_t v) const {
    return dir_ == Direction::kIn ? reader_->in(v) : reader_->out(v);
  }
  std::span<const AdjEntry> second(uint32_t v) const {
    return dir_ == Direction::kBoth ? reader_->in(v) : std::span<const AdjEntry>();
  }

 private:
  const Topology::Reader* reader_;
  Direction dir_;
};

// Iterates first(v) then second(v).
class TopoEdgeIterator : public boost::iterator_facade<TopoEdgeIterator, TopoEdge,
                                                       boost::forward_traversal_tag, TopoEdge> {
 public:
  TopoEdgeIterator() = default;
  TopoEdgeIterator(uint32_t v, std::span<const AdjEntry> a, std::span<const AdjEntry> b,
                   bool a_forward, bool at_end)
      : v_(v), a_(a), b_(b), a_forward_(a_forward), i_(at_end ? a.size() + b.size() : 0) {}

 private:
  friend class boost::iterator_core_access;
  TopoEdge dereference() const {
    return i_ < a_.size() ? TopoEdge{v_, &a_[i_], a_forward_}
                          : TopoEdge{v_, &b_[i_ - a_.size()], !a_forward_};
  }
  bool equal(const TopoEdgeIterator& o) const { return i_ == o.i_ && v_ == o.v_; }
  void increment() { ++i_; }

  uint32_t v_ = 0;
  std::span<const AdjEntry> a_, b_;
  bool a_forward_ = true;
  size_t i_ = 0;
};

// --- BGL free functions -------------------------------------------------------------------

inline std::pair<TopoEdgeIterator, TopoEdgeIterator> out_edges(uint32_t v, const TopologyGraph& g) {
  const bool fwd = g.direction() != Direction::kIn;
  return {TopoEdgeIterator(v, g.first(v), g.second(v), fwd, false),
          TopoEdgeIterator(v, g.first(v), g.second(v), fwd, true)};
}
inline size_t out_degree(uint32_t v, const TopologyGraph& g) {
  return g.first(v).size() + g.second(v).size();
}
inline uint32_t source(const TopoEdge& e, const TopologyGraph&) { return e.source; }
inline uint32_t target(const TopoEdge& e, const TopologyGraph&) { return e.target(); }
inline std::pair<boost::counting_iterator<uint32_t>, boost::counting_iterator<uint32_t>> vertices(
    const TopologyGraph& g) {
  return {boost::counting_iterator<uint32_t>(0),
          boost::counting_iterator<uint32_t>(g.reader().num_slots())};
}
inline uint32_t num_vertices(const TopologyGraph& g) { return g.reader().num_slots(); }

// Predicates for boost::filtered_graph.
struct TopoEdgePredicate {
  const Topology::Reader* reader = nullptr;
  const TopologyFilter* filter = nullptr;
  bool operator()(const TopoEdge& e) const { return reader->EdgeOk(*filter, *e.entry); }
};
struct TopoVertexPredicate {
  const Topology::Reader* reader = nullptr;
  const TopologyFilter* filter = nullptr;
  // Vertices that may be reached regardless of the kind filter (the query's endpoints).
  uint32_t exempt_a = 0, exempt_b = 0;
  bool operator()(uint32_t v) const {
    if (!reader->alive(v)) return false;
    return v == exempt_a || v == exempt_b || filter->KindOk(reader->kind(v));
  }
};

using FilteredTopology =
    boost::filtered_graph<TopologyGraph, TopoEdgePredicate, TopoVertexPredicate>;

}  // namespace innograph

namespace boost {

template <>
struct graph_traits<innograph::TopologyGraph> {
  struct traversal_category : incidence_graph_tag, vertex_list_graph_tag {};
  using vertex_descriptor = uint32_t;
  using edge_descriptor = innograph::TopoEdge;
  using out_edge_iterator = innograph::TopoEdgeIterator;
  using vertex_iterator = counting_iterator<uint32_t>;
  using directed_category = directed_tag;
  using edge_parallel_category = allow_parallel_edge_tag;
  using degree_size_type = size_t;
  using vertices_size_type = uint32_t;
  using edges_size_type = uint64_t;
  using in_edge_iterator = void;
  using adjacency_iterator = void;
  using edge_iterator = void;
  static vertex_descriptor null_vertex() { return 0; }
};

}  // namespace boost
