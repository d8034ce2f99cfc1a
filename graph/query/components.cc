// Connected components and articulation points (declared in analytics.h), both by Boost.Graph
// on an undirected copy of the graph.

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/biconnected_components.hpp>
#include <boost/graph/connected_components.hpp>
#include <iterator>
#include <vector>

#include "graph/query/analytics.h"

namespace innograph {
namespace {

// EdgeListS = vecS keeps the edge list in one vector instead of one heap node per edge.
using UndirectedGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                          boost::no_property, boost::no_property, boost::vecS>;

bool HasArc(const AnalyticsGraph& g, uint32_t u, uint32_t v) {
  const auto first = g.targets.begin() + g.offsets[u];
  const auto last = g.targets.begin() + g.offsets[u + 1];
  return std::binary_search(first, last, v);
}

// Each unordered pair {u, v} joined by an edge or by an arc in either direction, once.
UndirectedGraph ToUndirected(const AnalyticsGraph& g) {
  const uint32_t n = g.num_nodes();
  UndirectedGraph bg(n);
  for (uint32_t u = 0; u < n; ++u) {
    for (uint32_t a = g.offsets[u]; a < g.offsets[u + 1]; ++a) {
      const uint32_t v = g.targets[a];
      // An undirected edge is in both rows: take it from the smaller end. A directed arc u->v
      // with u > v is taken unless its twin v->u was already taken from v's row.
      if (u < v || (g.directed && !HasArc(g, v, u))) boost::add_edge(u, v, bg);
    }
  }
  return bg;
}

}  // namespace

ComponentsResult ConnectedComponents(const AnalyticsGraph& g) {
  ComponentsResult result;
  const uint32_t n = g.num_nodes();
  if (n == 0) return result;
  const UndirectedGraph bg = ToUndirected(g);
  result.component.assign(n, 0);
  boost::connected_components(
      bg, boost::make_iterator_property_map(result.component.begin(),
                                            boost::get(boost::vertex_index, bg)));
  result.sizes = analytics_internal::RenumberBySize(result.component);
  return result;
}

std::vector<uint32_t> ArticulationPoints(const AnalyticsGraph& g) {
  std::vector<uint32_t> points;
  if (g.num_nodes() == 0) return points;
  const UndirectedGraph bg = ToUndirected(g);
  std::vector<boost::graph_traits<UndirectedGraph>::vertex_descriptor> found;
  boost::articulation_points(bg, std::back_inserter(found));
  // Boost reports each point once, when the DFS finishes it: sorting is all that is left.
  points.assign(found.begin(), found.end());
  std::sort(points.begin(), points.end());
  return points;
}

}  // namespace innograph
