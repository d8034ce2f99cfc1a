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
