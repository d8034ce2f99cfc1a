// GraphStore::ScanTopology: the full scan behind the in-memory topology's load. It reads the
// nodes and out_edges column families only, decodes the fixed-width keys directly and stops
// decoding each record after the fields the topology keeps (a node's kind; an edge's validity
// and weight), so properties, keys and sources are never materialized.

#include <cstring>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "graph/model/status.h"
#include "graph/store/key_codec.h"
#include "graph/store/record_codec.h"
#include "graph/store/store.h"
#include "graph/store/store_internal.h"
#include "rocksdb/db.h"

namespace innograph {
namespace {

using store_internal::FromRocks;

// A cursor over the leading fields of a record (the formats of record_codec.h).
class Prefix {
 public:
  explicit Prefix(const rocksdb::Slice& s)
      : p_(reinterpret_cast<const uint8_t*>(s.data())), end_(p_ + s.size()) {}
  bool Byte(uint8_t* b) {
    if (p_ == end_) return false;
    *b = *p_++;
    return true;
  }
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && p_ != end_; shift += 7) {
      const uint8_t b = *p_++;
      *v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool Signed32(int32_t* out) {
    uint64_t u;
    if (!Varint(&u)) return false;
    const auto v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
      return false;
    }
    *out = static_cast<int32_t>(v);
    return true;
  }
  bool Double(double* d) {
    if (end_ - p_ < 8) return false;
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(p_[i]) << (8 * i);
    std::memcpy(d, &bits, sizeof bits);
    p_ += 8;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

rocksdb::ReadOptions ScanOptions(const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.fill_cache = false;  // A one-off full scan must not evict the working set.
  ro.readahead_size = size_t{4} << 20;
  ro.async_io = false;
  return ro;
}

}  // namespace

absl::Status GraphStore::ScanTopology(
    const std::function<void(uint64_t id, uint32_t kind)>& node_fn,
    const std::function<void(const EdgeLink&)>& edge_fn) const {
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_.get(), snapshot};
  const rocksdb::ReadOptions ro = ScanOptions(snapshot);
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[store_internal::kNodes]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const rocksdb::Slice key = it->key();
      if (key.size() != keys::kNodeKeySize) return absl::DataLossError("malformed node key");
      Prefix r(it->value());
      uint8_t format;
      uint64_t kind;
      if (!r.Byte(&format) || format != records::kRecordFormat || !r.Varint(&kind) ||
          kind > std::numeric_limits<uint32_t>::max()) {
        return absl::DataLossError(
            absl::StrCat("corrupt node record of node ", keys::GetFixed64BE(key.data())));
      }
      node_fn(keys::GetFixed64BE(key.data()), static_cast<uint32_t>(kind));
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scanning nodes"));
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[store_internal::kOutEdges]));
  EdgeLink e;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key.size() != keys::kEdgeKeySize) return absl::DataLossError("malformed edge key");
    const char* k = key.data();
    e.from = keys::GetFixed64BE(k);
    e.type = keys::GetFixed32BE(k + 8);
    e.to = keys::GetFixed64BE(k + 12);
    e.id = keys::GetFixed64BE(k + 20);
    Prefix r(it->value());
    uint8_t format;
    if (!r.Byte(&format) || format != records::kRecordFormat || !r.Signed32(&e.valid_from) ||
        !r.Signed32(&e.valid_to) || !r.Double(&e.weight)) {
      return absl::DataLossError(absl::StrCat("corrupt edge record of edge ", e.id));
    }
    edge_fn(e);
  }
  return FromRocks(it->status(), "scanning out_edges");
}

}  // namespace innograph
