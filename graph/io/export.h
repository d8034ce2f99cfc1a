#pragma once

// Export of a (sub)graph to files: the two import formats (CSV, JSON Lines) and the formats of
// the usual visualisation tools (GraphML, DOT, GEXF, Cytoscape.js JSON).
//
// Nodes are identified by their keys in every format; edge endpoints are written as node keys.
// Dates are YYYY-MM-DD; an open interval end is empty (omitted in the XML formats).

#include <ostream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "graph/model/entity.h"
#include "graph/model/schema.h"

namespace innograph::io {

// What to export: nodes and the edges between them (endpoints as internal ids).
struct GraphData {
  std::vector<Node> nodes;
  std::vector<Edge> edges;
};

enum class ExportFormat {
  kCsv,            // Nodes file and edges file in the import convention (docs/import.md).
  kJsonl,          // docs/data-format.md: node lines, then edge lines.
  kGraphml,        // GraphML; ids are node keys; properties as string attributes.
  kDot,            // Graphviz digraph; label = node name, edge label = edge type.
  kGexf,           // GEXF 1.2, static; properties as string attributes.
  kCytoscapeJson,  // Cytoscape.js {"elements":{"nodes":[...],"edges":[...]}}.
};

// "csv", "jsonl", "graphml", "dot", "gexf", "cytoscape".
const char* ExportFormatName(ExportFormat f);
// Parses an ExportFormatName; false when unknown.
bool ParseExportFormat(absl::string_view name, ExportFormat* out);

// Writes `g` to `out` in format `f`. kCsv writes the nodes file to `out` and the edges file to
// `*edges_out` (INVALID_ARGUMENT when null); other formats ignore `edges_out`.
//
// The graph is checked before anything is written:
//  - FAILED_PRECONDITION when an edge's endpoint is not in g.nodes (the message names the edge
//    and the node id);
//  - INVALID_ARGUMENT when a kind or type id is unknown to `schema`, or, for kCsv, when a text
//    value holds a line break (a CSV field may not span lines; use kJsonl).
// DATA_LOSS when a stream fails; INVALID_ARGUMENT if a JSON format meets invalid UTF-8 (which
// the store never holds), possibly after part of the output. Properties whose names collide
// with a format's own attribute names (e.g. a property `name` in GraphML) are written as
// `property_<name>`. Output is buffered; the streams are flushed before returning.
absl::Status Export(const GraphData& g, const Schema& schema, ExportFormat f, std::ostream& out,
                    std::ostream* edges_out);

}  // namespace innograph::io
