#pragma once

// The persisted topology image: a start-up accelerator, never a source of truth.
//
// At clean shutdown the server writes the topology as it stands at change sequence
// store.last_change() to <data dir>/topology.img (a temporary file, fsync, rename, fsync of the
// directory). At start, LoadTopology uses the image when it is whole (magic, format version,
// checksums), belongs to this RocksDB database (its identity) and the change log still holds
// every change made after it; it then replays those changes through Topology::Apply. In every
// other case (no image, damaged, another store, log trimmed past it, a bulk-load entry among
// the changes, any read error) it falls back to the full scan and says why. Layout: see
// docs/storage.md.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "graph/store/store.h"
#include "graph/topology/topology.h"

namespace innograph {

// The image's file name inside the data directory.
inline constexpr char kTopologyImageFile[] = "topology.img";

// What an image's header says (after its checks passed).
struct TopologyImageInfo {
  uint64_t change_sequence = 0;  // The change log sequence the image reflects.
  uint64_t nodes = 0;
  uint64_t edges = 0;
};

// Writes the image of `topology`, which must equal `store` at store.last_change() (no writes
// in flight), to <store.dir()>/topology.img, replacing any earlier one atomically.
absl::Status SaveTopologyImage(const Topology& topology, const GraphStore& store);

// Writes the image of a store filled by one bulk load straight from the load, through the
// TopologySink it is given (GraphStore::BulkLoad), without building the topology in memory:
// the node kinds and list offsets (6 bytes a node) are kept, the out-lists and the side table
// go to a temporary file as the load delivers them. The result is byte for byte the image
// SaveTopologyImage writes of the same graph. Should the sink receive anything it cannot
// write that way (not a whole load: ids not dense, lists out of order), the writer says so at
// Commit and the caller builds the image the ordinary way.
class TopologyImageWriter {
 public:
  // `dir`: the store's data directory.
  explicit TopologyImageWriter(std::string dir);
  ~TopologyImageWriter();  // Without a successful Commit: the temporary file is removed.
  TopologyImageWriter(const TopologyImageWriter&) = delete;
  TopologyImageWriter& operator=(const TopologyImageWriter&) = delete;

  // The sink for the bulk load; it refers to this writer, which must outlive it.
  TopologySink Sink();
  // Once the load the sink received was written (sink.delivered) and the store synced, with no
  // write since: adds the header (the store's identity and last change) and puts the image in
  // place. An error leaves any earlier image untouched.
  absl::Status Commit(const GraphStore& store);
  uint64_t nodes() const { return nodes_; }
  uint64_t edges() const { return edges_; }

 private:
  void Begin(uint64_t slots, uint64_t edges);
  void Node(uint64_t id, uint32_t kind);
  void Attrs(uint64_t id, int32_t valid_from, int32_t valid_to, double weight);
  void Edge(const EdgeLink& e);
  void End();
  void Fail(absl::Status s);
  void FlushAttrs();
  void FlushEntries();

  std::string dir_, tmp_;
  int fd_ = -1;
  absl::Status bad_;  // The first problem; nothing more is written after it.
  bool begun_ = false, ended_ = false;
  uint64_t nodes_ = 0, edges_ = 0;  // Received.
  uint64_t slots_ = 0, expected_edges_ = 0;
  uint64_t entries_at_ = 0, attrs_at_ = 0;  // File offsets of the sections.
  std::vector<uint16_t> kinds_;
  std::vector<uint32_t> offsets_;
  std::vector<AdjEntry> entry_buffer_;
  std::vector<EdgeAttrs> attr_buffer_;  // One side-table chunk.
  uint64_t attr_rows_ = 0;              // Rows received (row 0 included).
  std::vector<uint64_t> attr_sums_;
  uint64_t current_ = 0;  // Source of the last edge.
  uint64_t max_edge_ = 0;
  struct Sum;
  std::unique_ptr<Sum> entry_sum_;
  uint64_t section_sums_[4] = {};  // As the header holds them.
};

// Reads the image at `path` and checks it against `identity` (the store's db_identity()). The
// topology returned is the image's content alone (no change replayed).
absl::StatusOr<std::unique_ptr<Topology>> ReadTopologyImage(const std::string& path,
                                                            const std::string& identity,
                                                            TopologyImageInfo* info);

// How LoadTopology built the topology.
struct TopologyLoadReport {
  bool from_image = false;
  std::string fallback_reason;    // Why the image was not used (empty when used or absent).
  uint64_t image_sequence = 0;    // With from_image.
  uint64_t replayed_changes = 0;  // With from_image: changes applied after the image.
};

// The start-up load: the image plus the change log when usable, else Topology::Load (the
// scan). Call before the store takes writes (no commit listener set yet).
absl::StatusOr<std::unique_ptr<Topology>> LoadTopology(const GraphStore& store,
                                                       TopologyLoadReport* report);

// OK when `a` and `b` hold the same graph: the same live nodes with the same kinds, and per
// vertex and direction the same edges (order aside) with the same type, flags and side-table
// attributes. Otherwise DATA_LOSS naming the first difference.
absl::Status CompareTopologies(const Topology& a, const Topology& b);

}  // namespace innograph
