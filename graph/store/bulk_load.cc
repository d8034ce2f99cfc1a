// GraphStore::BulkLoad: the offline import's fast path into an empty store. Everything is
// validated and identified in memory with the same rules as StageNodes/StageEdges, then each
// column family is written as one sorted SST file and all of them are ingested in one atomic
// IngestExternalFiles call: the store has all of the load or none of it. The commit listener
// then receives the load as one change set.
//
// The edges are never copied: validation writes the endpoints' ids into the caller's records,
// identification maps each distinct edge (a "slot"; its id is slot + 1) to the record whose
// content it keeps, and the edge column families are sorted by bucketing on the node id (ids
// are dense) and sorting each node's few edges. Independent steps run on two threads.

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "graph/model/status.h"
#include "graph/store/key_codec.h"
#include "graph/store/record_codec.h"
#include "graph/store/store.h"
#include "graph/store/store_internal.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/sst_file_writer.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace innograph {

using namespace store_internal;  // NOLINT: the store's own internals.

namespace {

constexpr uint32_t kNone = UINT32_MAX;

inline char* PutBe64(char* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return p + 8;
}

inline char* PutBe32(char* p, uint32_t v) {
  for (int i = 3; i >= 0; --i) {
    p[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return p + 4;
}

// keys::EdgeKey written into a reused buffer.
inline void EdgeKeyInto(std::string* k, uint64_t self, uint32_t type, uint64_t other, uint64_t id) {
  k->resize(keys::kEdgeKeySize);
  char* p = k->data();
  p = PutBe64(p, self);
  p = PutBe32(p, type);
  p = PutBe64(p, other);
  PutBe64(p, id);
}

inline void Be64Into(std::string* s, uint64_t v) {
  s->resize(8);
  PutBe64(s->data(), v);
}

// Runs f(begin, end) over [0, n) in two halves on two threads (one half on the caller's).
template <typename F>
void TwoHalves(size_t n, F&& f) {
  if (n < 4096) {
    f(size_t{0}, n);
    return;
  }
  const size_t half = n / 2;
  std::thread other([&] { f(half, n); });
  f(size_t{0}, half);
  other.join();
}

// The first 16 bytes of a string as two big-endian words, zero-padded. Ordering by them never
// contradicts the strings' byte order (zero is the smallest byte, so padding can only make two
// different strings tie); on a tie the strings themselves decide. Keys and tokens that share a
// long prefix ("person/1...") mostly differ within 16 bytes, so sorts rarely read the strings.
struct Prefix16 {
  uint64_t hi = 0, lo = 0;
  explicit Prefix16(absl::string_view s) {
    unsigned char b[16] = {};
    std::memcpy(b, s.data(), std::min<size_t>(s.size(), 16));
    for (int i = 0; i < 8; ++i) hi = (hi << 8) | b[i];
    for (int i = 8; i < 16; ++i) lo = (lo << 8) | b[i];
  }
  bool operator<(const Prefix16& o) const { return hi != o.hi ? hi < o.hi : lo < o.lo; }
  bool operator==(const Prefix16& o) const { return hi == o.hi && lo == o.lo; }
};

// Node key -> (id, kind) for resolving the edges' endpoints: open addressing, linear probing,
// with keys of up to 24 bytes held in the slot itself (zero-padded), so that a lookup touches
// one slot and no node record. Longer keys point into the node records (which outlive the
// table). Lookups are read-only and may run on several threads.
class KeyTable {
 public:
  struct Found {
    uint64_t id;
    uint32_t kind;
  };

  explicit KeyTable(size_t keys) {
    size_t capacity = 16;
    while (capacity < keys * 2) capacity <<= 1;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
  }

  // `key` is not in the table yet; id != 0.
  void Insert(absl::string_view key, uint64_t id, uint32_t kind) {
    Probe q(key);
    size_t at = q.hash & mask_;
    while (slots_[at].id != 0) at = (at + 1) & mask_;
    Slot& s = slots_[at];
    s.id = id;
    s.kind = kind;
    s.size = static_cast<uint32_t>(key.size());
    if (key.size() <= kInline) {
      std::memcpy(s.words, q.words, sizeof(s.words));
    } else {
      const char* data = key.data();
      std::memcpy(s.words, &data, sizeof(data));
    }
  }

  // Hints the cache about the slot a lookup of `key` starts at.
  void Prefetch(absl::string_view key) const {
    __builtin_prefetch(&slots_[Probe(key).hash & mask_]);
  }

  // nullopt when the key is not in the table.
  std::optional<Found> Find(absl::string_view key) const {
    Probe q(key);
    for (size_t at = q.hash & mask_;; at = (at + 1) & mask_) {
      const Slot& s = slots_[at];
      if (s.id == 0) return std::nullopt;
      if (s.size != key.size()) continue;
      if (key.size() <= kInline) {
        if (s.words[0] == q.words[0] && s.words[1] == q.words[1] && s.words[2] == q.words[2]) {
          return Found{s.id, s.kind};
        }
      } else {
        const char* data;
        std::memcpy(&data, s.words, sizeof(data));
        if (std::memcmp(data, key.data(), key.size()) == 0) return Found{s.id, s.kind};
      }
    }
  }

 private:
  static constexpr size_t kInline = 24;
  struct Slot {
    uint64_t id = 0;  // 0: empty.
    uint32_t kind = 0;
    uint32_t size = 0;
    uint64_t words[3] = {0, 0, 0};  // The key, zero-padded, or a pointer to it.
  };
  // A key's padded words (short keys) and hash.
  struct Probe {
    uint64_t words[3] = {0, 0, 0};
    uint64_t hash;
    explicit Probe(absl::string_view key) {
      if (key.size() <= kInline) {
        std::memcpy(words, key.data(), key.size());
        uint64_t h = key.size() * 0x9E3779B97F4A7C15ull;
        for (uint64_t w : words) {
          h = (h ^ w) * 0xFF51AFD7ED558CCDull;
          h ^= h >> 32;
        }
        // Murmur3's finalizer: every input bit reaches the low bits (the table's index).
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53ull;
        h ^= h >> 33;
        hash = h;
      } else {
        hash = absl::Hash<absl::string_view>{}(key);
      }
    }
  };
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

// One end of an edge as a node's bucket holds it: sorted by (type, other, id) it is the order
// of the edge column family's keys (self, type, other, id).
struct EndRef {
  uint64_t other;
  uint32_t type;
  uint32_t slot;
  bool operator<(const EndRef& o) const {
    return std::tie(type, other, slot) < std::tie(o.type, o.other, o.slot);
  }
};

// The slots grouped by one end's node (from = out, to = in). Bucket n is
// refs[start[n], start[n + 1]).
struct Buckets {
  std::vector<size_t> start;
  std::vector<EndRef> refs;
};

// One valid edge's endpoints, type and start of validity in 16 bytes: what the steps after
// resolving read of it, instead of a whole EdgeWrite. By input index until the edges are
// identified, then by slot.
struct Link {
  uint32_t from, to, type;  // Ids fit 32 bits (kMaxId).
  int32_t valid_from;
};

Buckets BucketSlots(const std::vector<Link>& links, uint64_t node_limit, bool by_from) {
  Buckets b;
  b.start.assign(node_limit + 1, 0);
  for (const Link& l : links) ++b.start[by_from ? l.from : l.to];
  // Exclusive prefix sums, shifted: start[n] = edges of nodes below n.
  size_t sum = 0;
  for (size_t& s : b.start) {
    const size_t c = s;
    s = sum;
    sum += c;
  }
  std::vector<size_t> cursor(b.start.begin(), b.start.end());
  b.refs.resize(links.size());
  for (uint32_t slot = 0; slot < links.size(); ++slot) {
    const Link& l = links[slot];
    b.refs[cursor[by_from ? l.from : l.to]++] = {by_from ? l.to : l.from, l.type, slot};
  }
  b.start.push_back(links.size());  // start[node_limit + 1]: the end of the last bucket.
  // Placed in slot order; now each bucket in key order: (type, other, slot).
  for (size_t n = 0; n + 1 < b.start.size(); ++n) {
    if (b.start[n + 1] - b.start[n] > 1) {
      std::sort(b.refs.begin() + b.start[n], b.refs.begin() + b.start[n + 1]);
    }
  }
  return b;
}

// Whether two of the edges in out buckets (by source node, each sorted by (type, to, slot))
// have one identity (from, type, to, valid_from): they would be neighbours in a run of equal
// (type, to) with equal valid_from. Such runs are parallel edges: rare and short.
bool SharesAnIdentity(const Buckets& out, const std::vector<Link>& links) {
  std::vector<int32_t> starts;
  for (size_t n = 0; n + 1 < out.start.size(); ++n) {
    const size_t end = out.start[n + 1];
    for (size_t a = out.start[n]; a < end;) {
      size_t b = a + 1;
      while (b < end && out.refs[b].type == out.refs[a].type &&
             out.refs[b].other == out.refs[a].other) {
        ++b;
      }
      if (b - a > 1) {
        starts.clear();
        for (size_t k = a; k < b; ++k) starts.push_back(links[out.refs[k].slot].valid_from);
        std::sort(starts.begin(), starts.end());
        if (std::adjacent_find(starts.begin(), starts.end()) != starts.end()) return true;
      }
      a = b;
    }
  }
  return false;
}

// Writes sorted (key, value) pairs produced by `next` into one SST file. `next` fills the
// reused buffers and returns false at the end. Returns the file's path, or "" when there was
// nothing to write.
template <typename Next>
absl::StatusOr<std::string> WriteSst(const rocksdb::Options& options, const std::string& path,
                                     Next&& next) {
  // No page-cache invalidation while writing: the files are ingested and read soon after.
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, nullptr,
                                /*invalidate_page_cache=*/false);
  bool opened = false;
  std::string key, value;
  while (next(&key, &value)) {
    if (!opened) {
      RETURN_IF_ERROR(FromRocks(writer.Open(path), absl::StrCat("creating ", path)));
      opened = true;
    }
    RETURN_IF_ERROR(FromRocks(writer.Put(key, value), absl::StrCat("writing ", path)));
  }
  if (!opened) return std::string();
  RETURN_IF_ERROR(FromRocks(writer.Finish(), absl::StrCat("finishing ", path)));
  return path;
}

std::string EdgeLabel(size_t i, const EdgeTypeSpec* type, const EdgeWrite& w) {
  return absl::StrCat("edges[", i, "] (", type ? type->name : "?", " ", w.from_key, " -> ",
                      w.to_key, "): ");
}

}  // namespace

bool GraphStore::pristine() const {
  std::lock_guard lock(write_mu_);
  return next_node_id_ == 1 && next_edge_id_ == 1;
}

absl::StatusOr<BatchResult> GraphStore::BulkLoad(std::vector<Node> nodes,
                                                 std::vector<EdgeWrite> edges, size_t max_errors,
                                                 bool commit, TopologySink* topology) {
  std::lock_guard lock(write_mu_);
  if (next_node_id_ != 1 || next_edge_id_ != 1) {
    return absl::FailedPreconditionError("bulk load: the store is not empty");
  }
  if (edges.size() >= kNone || nodes.size() >= kNone) {
    return absl::ResourceExhaustedError("bulk load: more than 2^32 - 1 items in one load");
  }
  BatchResult result;
  StoreCounts counts = counts_;

  // Nodes: validate; the last valid occurrence of a key wins; ids in order of those.
  std::vector<uint8_t> valid(nodes.size(), 1);
  // Key -> its last valid node: index, then id.
  struct NodeSlot {
    uint32_t index;
    uint64_t id = 0;
  };
  absl::flat_hash_map<absl::string_view, NodeSlot> last;
  last.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    absl::Status s = schema_->ValidateNode(nodes[i]);
    if (!s.ok()) {
      valid[i] = 0;
      result.node_errors.push_back({i, Prefixed(s, NodeLabel(i, nodes[i]))});
      continue;
    }
    last[nodes[i].key] = NodeSlot{static_cast<uint32_t>(i)};
  }
  std::vector<uint32_t> node_order;  // Indices of the nodes written, in id order.
  node_order.reserve(last.size());
  uint64_t next_node = 1;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!valid[i]) continue;
    NodeSlot& slot = last.find(nodes[i].key)->second;
    if (slot.index != i) continue;
    nodes[i].id = NodeId(next_node++);
    slot.id = nodes[i].id.value;
    node_order.push_back(static_cast<uint32_t>(i));
    ++counts.by_kind[nodes[i].kind.value];
    ++counts.nodes;
  }
  result.nodes.created = static_cast<uint32_t>(node_order.size());
  result.nodes.ids.reserve(nodes.size());
  for (const Node& n : nodes) {
    auto it = last.find(n.key);
    result.nodes.ids.push_back(it == last.end() ? 0 : it->second.id);
  }
  last = {};  // The edges' endpoints are resolved with key_table below.

  // From here on the files of the nodes alone (names, nodes, keys) are written on a thread of
  // their own while the edges are resolved, identified and bucketed: those steps keep the two
  // cores only partly busy. Should the load not be written after all, the thread is joined and
  // the files removed (at the latest when this function returns).
  const std::string tmp = absl::StrCat(dir_, "/bulk-load.tmp");
  std::error_code ec;
  absl::Status tmp_made = absl::OkStatus();
  if (commit && result.node_errors.size() <= max_errors) {
    std::filesystem::remove_all(tmp, ec);
    std::filesystem::create_directories(tmp, ec);
    if (ec) tmp_made = absl::InternalError(absl::StrCat("creating ", tmp, ": ", ec.message()));
  } else {
    tmp_made = absl::CancelledError("not written");
  }
  // The store's options, with 16 KiB blocks for the files written here: a quarter of the
  // per-block work (compression, index entries) for the same bytes, and smaller files.
  rocksdb::Options options = *rocks_options_;
  options.statistics = nullptr;  // The store's tickers count its own reads and writes.
  {
    rocksdb::BlockBasedTableOptions table;
    if (const auto* store_table =
            options.table_factory->GetOptions<rocksdb::BlockBasedTableOptions>()) {
      table = *store_table;
    }
    table.block_size = std::max<size_t>(table.block_size, 16 << 10);
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  }
  struct Job {
    Cf cf;
    absl::StatusOr<std::string> file;
  };
  auto path = [&](absl::string_view name) { return absl::StrCat(tmp, "/", name, ".sst"); };
  std::vector<Job> node_files;
  std::vector<std::function<void()>> node_tasks;
  auto add_node_task = [&](Cf cf, std::string name, auto&& write) {
    const size_t at = node_files.size();
    node_files.push_back({cf, std::string()});
    node_tasks.push_back([&, at, name = std::move(name), write]() mutable {
      node_files[at].file = write(path(name));
    });
  };
  add_node_task(kNames, "names", [&](const std::string& p) {
    // Each distinct token once, with the ids of its nodes in increasing order; the keys
    // token\0id then come out sorted by sorting the distinct tokens only.
    // The texts live in chunks that never move; the index holds views of them.
    std::vector<absl::string_view> token_text;
    std::vector<std::unique_ptr<char[]>> chunks;
    constexpr size_t kChunk = size_t{1} << 20;
    char* free_at = nullptr;  // The free part of the last chunk.
    size_t free_bytes = 0;
    auto keep = [&](absl::string_view t) {
      if (t.size() > free_bytes) {
        free_bytes = std::max(kChunk, t.size());
        chunks.push_back(std::make_unique_for_overwrite<char[]>(free_bytes));
        free_at = chunks.back().get();
      }
      char* at = free_at;
      std::memcpy(at, t.data(), t.size());
      free_at += t.size();
      free_bytes -= t.size();
      return absl::string_view(at, t.size());
    };
    absl::flat_hash_map<absl::string_view, uint32_t> token_index;
    token_index.reserve(node_order.size() * 4);
    std::vector<std::pair<uint32_t, uint64_t>> postings;  // (token index, node id)
    postings.reserve(node_order.size() * 6);
    std::vector<uint32_t> mine;  // The tokens of one node.
    std::string scratch;
    for (uint32_t j : node_order) {
      const Node& n = nodes[j];
      mine.clear();
      auto add = [&](absl::string_view text) {
        ForEachIndexToken(text, &scratch, [&](absl::string_view t) {
          auto it = token_index.find(t);
          if (it == token_index.end()) {
            token_text.push_back(keep(t));
            it =
                token_index.emplace(token_text.back(), static_cast<uint32_t>(token_text.size() - 1))
                    .first;
          }
          mine.push_back(it->second);
        });
      };
      add(n.name);
      for (const std::string& a : n.aliases) add(a);
      add(n.key);
      std::sort(mine.begin(), mine.end());
      mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
      for (uint32_t t : mine) postings.emplace_back(t, n.id.value);
    }
    token_index = {};
    // Sorted by the first 16 bytes, the texts compared only on a tie.
    struct Rank {
      Prefix16 prefix;
      uint32_t token;
    };
    std::vector<Rank> ranks;
    ranks.reserve(token_text.size());
    for (uint32_t t = 0; t < token_text.size(); ++t) {
      ranks.push_back({Prefix16(token_text[t]), t});
    }
    std::sort(ranks.begin(), ranks.end(), [&](const Rank& a, const Rank& b) {
      if (!(a.prefix == b.prefix)) return a.prefix < b.prefix;
      return token_text[a.token] < token_text[b.token];
    });
    std::vector<uint32_t> order(ranks.size());
    for (size_t r = 0; r < ranks.size(); ++r) order[r] = ranks[r].token;
    ranks = {};
    std::vector<size_t> start(token_text.size() + 1, 0);
    for (const auto& [t, id] : postings) ++start[t + 1];
    for (size_t t = 1; t < start.size(); ++t) start[t] += start[t - 1];
    std::vector<uint64_t> ids(postings.size());  // Grouped by token, ids ascending.
    for (const auto& [t, id] : postings) ids[start[t]++] = id;
    for (size_t t = start.size() - 1; t > 0; --t) start[t] = start[t - 1];
    start[0] = 0;
    size_t rank = 0, at = 0;
    bool new_token = true;
    return WriteSst(options, p, [&](std::string* k, std::string* v) {
      if (rank == order.size()) return false;
      const uint32_t t = order[rank];
      if (new_token) {
        at = start[t];
        k->assign(token_text[t].data(), token_text[t].size());
        k->push_back('\0');
        k->resize(k->size() + 8);
        new_token = false;
      }
      PutBe64(k->data() + k->size() - 8, ids[at++]);
      if (at == start[t + 1]) {
        ++rank;
        new_token = true;
      }
      v->clear();
      return true;
    });
  });
  add_node_task(kNodes, "nodes", [&](const std::string& p) {
    size_t i = 0;
    return WriteSst(options, p, [&](std::string* k, std::string* v) {
      if (i == node_order.size()) return false;
      const Node& n = nodes[node_order[i++]];
      Be64Into(k, n.id.value);
      *v = records::EncodeNode(n);
      return true;
    });
  });
  add_node_task(kKeys, "keys", [&](const std::string& p) {
    // Keys are distinct: sorted by their first 16 bytes, then by their text.
    struct ByKey {
      Prefix16 prefix;
      absl::string_view key;
      uint64_t id;
    };
    std::vector<ByKey> by_key;
    by_key.reserve(node_order.size());
    for (uint32_t j : node_order) {
      by_key.push_back({Prefix16(nodes[j].key), nodes[j].key, nodes[j].id.value});
    }
    std::sort(by_key.begin(), by_key.end(), [](const ByKey& a, const ByKey& b) {
      if (!(a.prefix == b.prefix)) return a.prefix < b.prefix;
      return a.key < b.key;
    });
    size_t i = 0;
    return WriteSst(options, p, [&](std::string* k, std::string* v) {
      if (i == by_key.size()) return false;
      k->assign(by_key[i].key.data(), by_key[i].key.size());
      Be64Into(v, by_key[i++].id);
      return true;
    });
  });
  std::thread node_writer;
  if (tmp_made.ok()) {
    node_writer = std::thread([&] {
      for (auto& task : node_tasks) task();
    });
  }
  absl::Cleanup finish_node_writer = [&] {
    if (node_writer.joinable()) node_writer.join();
    if (tmp_made.ok()) std::filesystem::remove_all(tmp, ec);
  };

  // Edges, step 1 (two threads): resolve the endpoints' keys and validate. Each edge is
  // checked on its own, so the halves are independent.
  KeyTable key_table(node_order.size());
  for (uint32_t i : node_order) {
    key_table.Insert(nodes[i].key, nodes[i].id.value, nodes[i].kind.value);
  }
  std::vector<uint8_t> ok(edges.size(), 0);
  std::vector<Link> links(edges.size());
  std::vector<ItemError> errors_high;
  bool keyed_low = false, keyed_high = false;
  auto resolve = [&](size_t begin, size_t end, std::vector<ItemError>* errors, bool* keyed) {
    constexpr size_t kAhead = 8;  // Lookups prefetched this many edges ahead.
    for (size_t i = begin; i < end; ++i) {
      if (i + kAhead < end) {
        key_table.Prefetch(edges[i + kAhead].from_key);
        key_table.Prefetch(edges[i + kAhead].to_key);
      }
      EdgeWrite& w = edges[i];
      Edge& e = w.edge;
      const EdgeTypeSpec* type = schema_->Type(e.type);
      auto fail = [&](const absl::Status& s) {
        errors->push_back({i, Prefixed(s, EdgeLabel(i, type, w))});
      };
      if (!type) {
        fail(absl::InvalidArgumentError(absl::StrCat("type: unknown type id ", e.type.value)));
        continue;
      }
      if (e.id.valid()) {
        fail(absl::NotFoundError(absl::StrCat("id: no edge with id ", e.id.value)));
        continue;
      }
      KindId kinds[2];
      bool resolved = true;
      for (int side = 0; side < 2 && resolved; ++side) {
        NodeId& id = side == 0 ? e.from : e.to;
        const std::string& key = side == 0 ? w.from_key : w.to_key;
        const char* field = side == 0 ? "from" : "to";
        if (id.valid() || key.empty()) {
          // Ids cannot name anything in an empty store; keys are the import's currency.
          fail(id.valid()
                   ? absl::NotFoundError(absl::StrCat(field, "_id: no node with id ", id.value))
                   : absl::InvalidArgumentError(
                         absl::StrCat(field, "_key/", field, "_id: exactly one must be set")));
          resolved = false;
          break;
        }
        const std::optional<KeyTable::Found> found = key_table.Find(key);
        if (!found) {
          fail(absl::NotFoundError(absl::StrCat(field, "_key: no node with key '", key, "'")));
          resolved = false;
          break;
        }
        id = NodeId(found->id);
        kinds[side] = KindId(found->kind);
      }
      if (!resolved) continue;
      if (absl::Status s = schema_->ValidateEdge(e, kinds[0], kinds[1]); !s.ok()) {
        fail(s);
        continue;
      }
      ok[i] = 1;
      links[i] = {static_cast<uint32_t>(e.from.value), static_cast<uint32_t>(e.to.value),
                  e.type.value, e.valid.from.days};
      if (!e.key.empty()) *keyed = true;
    }
  };
  if (edges.size() < 4096) {
    resolve(0, edges.size(), &result.edge_errors, &keyed_low);
  } else {
    const size_t half = edges.size() / 2;
    std::thread other([&] { resolve(half, edges.size(), &errors_high, &keyed_high); });
    resolve(0, half, &result.edge_errors, &keyed_low);
    other.join();
  }
  for (ItemError& e : errors_high) result.edge_errors.push_back(std::move(e));
  errors_high.clear();

  // Step 2: identify (key, else (from, type, to, valid_from)); a later entry updates an
  // earlier one, ids in order of first appearance. rep[slot] is the index of the record the
  // edge with id slot + 1 keeps; id_of[i] is the id edge i was given (0 when invalid).
  std::vector<uint32_t> rep;
  std::vector<uint32_t> id_of(edges.size(), 0);
  // Both edge directions bucketed by node (see BucketSlots), by slot.
  Buckets out_buckets, in_buckets;
  bool bucketed = false;
  if (!keyed_low && !keyed_high && result.edge_errors.empty()) {
    // The usual load: every edge valid and distinct, so that slot = index. Bucket both
    // directions on that assumption (the out buckets group the edges by source node, sorted by
    // (type, to, index)), then check it there: two edges with one identity would sit in one
    // run of equal (type, to) with equal starts. Otherwise identify below, as in general.
    bool distinct = true;
    {
      std::thread other([&] { in_buckets = BucketSlots(links, next_node, false); });
      out_buckets = BucketSlots(links, next_node, true);
      distinct = !SharesAnIdentity(out_buckets, links);
      other.join();
    }
    if (distinct) {
      bucketed = true;
      rep.resize(edges.size());
      for (uint32_t i = 0; i < rep.size(); ++i) {
        rep[i] = i;
        id_of[i] = i + 1;
      }
    } else {
      out_buckets = {};
      in_buckets = {};
    }
  }
  if (bucketed) {
    // Identified above.
  } else if (!keyed_low && !keyed_high) {
    // No edge keys: the natural identity alone. Duplicates share a source node, so group by
    // it (ids are dense) and sort each node's edges by (type, to, valid_from, index).
    struct Ref {
      uint64_t to;
      uint32_t type;
      int32_t valid_from;
      uint32_t index;
      bool operator<(const Ref& o) const {
        return std::tie(type, to, valid_from, index) <
               std::tie(o.type, o.to, o.valid_from, o.index);
      }
    };
    std::vector<size_t> start(next_node + 1, 0);
    for (size_t i = 0; i < edges.size(); ++i) {
      if (ok[i]) ++start[links[i].from];
    }
    size_t sum = 0;
    for (size_t& s : start) {
      const size_t c = s;
      s = sum;
      sum += c;
    }
    start.push_back(sum);
    std::vector<Ref> refs(sum);
    {
      std::vector<size_t> cursor(start.begin(), start.end() - 1);
      for (size_t i = 0; i < edges.size(); ++i) {
        if (!ok[i]) continue;
        const Link& e = links[i];
        refs[cursor[e.from]++] = {e.to, e.type, e.valid_from, static_cast<uint32_t>(i)};
      }
    }
    // leader[i]: the first edge of i's identity; content[leader]: the last one.
    std::vector<uint32_t> leader(edges.size(), kNone), content(edges.size(), kNone);
    auto group = [&](size_t node_begin, size_t node_end) {
      for (size_t n = node_begin; n < node_end; ++n) {
        const size_t lo = start[n], hi = start[n + 1];
        if (hi - lo > 1) std::sort(refs.begin() + lo, refs.begin() + hi);
        for (size_t g = lo; g < hi;) {
          size_t h = g + 1;
          while (h < hi && refs[h].type == refs[g].type && refs[h].to == refs[g].to &&
                 refs[h].valid_from == refs[g].valid_from) {
            ++h;
          }
          const uint32_t first = refs[g].index;
          content[first] = refs[h - 1].index;
          for (size_t k = g; k < h; ++k) leader[refs[k].index] = first;
          g = h;
        }
      }
    };
    const size_t node_count = start.size() - 1;
    if (sum < 4096) {
      group(0, node_count);
    } else {
      // Split the nodes so that both halves hold about as many edges.
      const size_t mid = static_cast<size_t>(
          std::upper_bound(start.begin(), start.end() - 1, sum / 2) - start.begin());
      std::thread other([&] { group(mid, node_count); });
      group(0, mid);
      other.join();
    }
    refs = {};
    rep.reserve(sum);
    for (size_t i = 0; i < edges.size(); ++i) {
      if (!ok[i]) continue;
      const uint32_t first = leader[i];
      if (first == i) {
        if (rep.size() >= kMaxId) {
          return absl::ResourceExhaustedError("edges: the store has used all 2^32 edge ids");
        }
        rep.push_back(content[i]);
        id_of[i] = static_cast<uint32_t>(rep.size());
        edges[content[i]].edge.id = EdgeId(rep.size());
      } else {
        id_of[i] = id_of[first];
      }
    }
  } else {
    // Edge keys: one edge after the other, exactly as StageEdges identifies them.
    using Identity = std::tuple<uint64_t, uint32_t, uint64_t, int32_t>;
    absl::flat_hash_map<Identity, uint32_t> by_identity;
    absl::flat_hash_map<std::string, uint32_t> by_edge_key;
    by_identity.reserve(edges.size());
    std::vector<ItemError> resolve_errors = std::move(result.edge_errors);
    result.edge_errors.clear();
    size_t next_error = 0;
    for (size_t i = 0; i < edges.size(); ++i) {
      // Keep the errors in edge order.
      while (next_error < resolve_errors.size() && resolve_errors[next_error].index <= i) {
        result.edge_errors.push_back(std::move(resolve_errors[next_error++]));
      }
      if (!ok[i]) continue;
      EdgeWrite& w = edges[i];
      Edge& e = w.edge;
      auto fail = [&](const absl::Status& s) {
        ok[i] = 0;
        result.edge_errors.push_back({i, Prefixed(s, EdgeLabel(i, schema_->Type(e.type), w))});
      };
      const Identity identity{e.from.value, e.type.value, e.to.value, e.valid.from.days};
      uint32_t slot = kNone;
      if (!e.key.empty()) {
        if (auto it = by_edge_key.find(e.key); it != by_edge_key.end()) slot = it->second;
      }
      if (slot == kNone) {
        if (auto it = by_identity.find(identity); it != by_identity.end()) slot = it->second;
      }
      if (slot != kNone) {
        const Edge& cur = edges[rep[slot]].edge;
        if (cur.type != e.type || cur.from != e.from || cur.to != e.to) {
          fail(absl::FailedPreconditionError(
              absl::StrCat("edge ", cur.id.value,
                           " exists with another type or endpoints; an edge's type and "
                           "endpoints cannot change: delete it and add a new one")));
          continue;
        }
        if (!e.key.empty() && cur.key != e.key) {
          if (auto it = by_edge_key.find(e.key); it != by_edge_key.end() && it->second != slot) {
            fail(absl::FailedPreconditionError(absl::StrCat(
                "key: '", e.key, "' already names edge ", edges[rep[it->second]].edge.id.value)));
            continue;
          }
        }
        e.id = cur.id;
        if (!cur.key.empty() && cur.key != e.key) by_edge_key.erase(cur.key);
        rep[slot] = static_cast<uint32_t>(i);
      } else {
        if (rep.size() >= kMaxId) {
          return absl::ResourceExhaustedError("edges: the store has used all 2^32 edge ids");
        }
        slot = static_cast<uint32_t>(rep.size());
        rep.push_back(static_cast<uint32_t>(i));
        e.id = EdgeId(rep.size());
      }
      id_of[i] = slot + 1;
      by_identity[identity] = slot;
      if (!e.key.empty()) by_edge_key[e.key] = slot;
    }
    while (next_error < resolve_errors.size()) {
      result.edge_errors.push_back(std::move(resolve_errors[next_error++]));
    }
  }
  for (uint32_t index : rep) ++counts.by_type[links[index].type];
  // By slot from here on: in place, since rep[slot] >= slot (a slot's record is its first
  // occurrence or a later one, and slots are numbered in order of first occurrence).
  if (!bucketed) {
    for (size_t slot = 0; slot < rep.size(); ++slot) links[slot] = links[rep[slot]];
  }
  links.resize(rep.size());
  counts.edges += rep.size();
  const uint64_t next_edge = rep.size() + 1;
  result.edges.created = static_cast<uint32_t>(rep.size());
  result.edges.ids.assign(id_of.begin(), id_of.end());
  id_of = {};
  const size_t errors = result.node_errors.size() + result.edge_errors.size();
  if (!commit || errors > max_errors) return result;  // Nothing written.
  if (node_order.empty() && rep.empty()) return result;
  RETURN_IF_ERROR(tmp_made);

  // Write the other sorted SST files on two threads, then ingest them all together. The two
  // edge column families are split in two files each (two node ranges) so that both threads
  // have about as much to do.
  std::vector<Job> jobs;

  // The id counters and counts go in the same atomic ingestion (never a load without them).
  std::map<std::string, std::string> meta;
  meta[kMetaNextNode] = keys::IdValue(next_node);
  // The change log records the load as one entry that tells followers to resync.
  const uint64_t change = next_change_;
  meta[kMetaNextChange] = keys::IdValue(change + 1);
  ChangeSet marker;
  marker.bulk_load = true;
  marker.bulk_nodes = node_order.size();
  marker.bulk_edges = rep.size();
  bool change_written = false;
  jobs.push_back({kChanges, WriteSst(options, path("changes"), [&](std::string* k, std::string* v) {
                    if (change_written) return false;
                    change_written = true;
                    *k = keys::IdValue(change);
                    *v = records::EncodeChangeSet(marker);
                    return true;
                  })});
  meta[kMetaNextEdge] = keys::IdValue(next_edge);
  for (uint32_t k = 0; k < counts.by_kind.size(); ++k) {
    if (counts.by_kind[k] != 0)
      meta[CountKey(kMetaKindCount, k)] = keys::IdValue(counts.by_kind[k]);
  }
  for (uint32_t t = 0; t < counts.by_type.size(); ++t) {
    if (counts.by_type[t] != 0)
      meta[CountKey(kMetaTypeCount, t)] = keys::IdValue(counts.by_type[t]);
  }
  auto meta_it = meta.begin();
  jobs.push_back({kMeta, WriteSst(options, path("meta"), [&](std::string* k, std::string* v) {
                    if (meta_it == meta.end()) return false;
                    *k = meta_it->first;
                    *v = meta_it->second;
                    ++meta_it;
                    return true;
                  })});

  // The edge records encoded in slot order (the order they are stored in, so that out_edges
  // reads them compactly), one half on each thread; then the buckets, if not made above.
  const size_t split = rep.size() / 2;
  std::string arena[2];  // The records of slots [0, split) and [split, size).
  std::vector<uint64_t> value_end(rep.size());  // Of slot s in its arena.
  // With a topology sink: each slot's validity and weight, read here in slot order (the sink
  // is fed in out_edges order, which is random in `edges`).
  struct Attrs {
    int32_t from, to;
    double weight;
  };
  std::vector<Attrs> attrs(topology && topology->edge ? rep.size() : 0);
  auto encode = [&](int half) {
    const size_t begin = half == 0 ? 0 : split, end = half == 0 ? split : rep.size();
    std::string& a = arena[half];
    a.reserve((end - begin) * 32);
    for (size_t slot = begin; slot < end; ++slot) {
      Edge& e = edges[rep[slot]].edge;
      e.id = EdgeId(slot + 1);  // For the commit listener, should it need the edges.
      records::AppendEdge(e, &a);
      value_end[slot] = a.size();
      if (!attrs.empty()) attrs[slot] = {e.valid.from.days, e.valid.to.days, e.weight};
    }
  };
  {
    std::thread other([&] { encode(1); });
    encode(0);
    other.join();
  }
  if (!bucketed) {
    std::thread other([&] { in_buckets = BucketSlots(links, next_node, false); });
    out_buckets = BucketSlots(links, next_node, true);
    other.join();
  }
  auto value_of = [&](uint32_t slot) {
    const int half = slot < split ? 0 : 1;
    const size_t begin = slot == 0 || slot == split ? 0 : value_end[slot - 1];
    return absl::string_view(arena[half].data() + begin, value_end[slot] - begin);
  };

  // The tasks, about biggest first; each file task fills its own entry of `files`.
  std::vector<std::function<void()>> tasks;
  std::vector<Job> files;
  files.reserve(16);
  auto add_task = [&](Cf cf, std::string name, auto&& write) {
    const size_t at = files.size();
    files.push_back({cf, std::string()});
    tasks.push_back(
        [&, at, name = std::move(name), write]() mutable { files[at].file = write(path(name)); });
  };
  // Edge keys first: after them nothing but the commit listener reads `edges`, whose memory
  // (gigabytes at 10^7 edges) is then released while the other files are written.
  const bool keyed = keyed_low || keyed_high;
  add_task(kEdgeKeys, "edge_keys", [&](const std::string& p) {
    std::vector<std::pair<absl::string_view, uint64_t>> edge_keys;
    if (keyed) {
      for (uint32_t index : rep) {
        const Edge& e = edges[index].edge;
        if (!e.key.empty()) edge_keys.emplace_back(e.key, e.id.value);
      }
    }
    std::sort(edge_keys.begin(), edge_keys.end());
    size_t i = 0;
    auto file = WriteSst(options, p, [&](std::string* k, std::string* v) {
      if (i == edge_keys.size()) return false;
      k->assign(edge_keys[i].first.data(), edge_keys[i].first.size());
      Be64Into(v, edge_keys[i++].second);
      return true;
    });
    if (!listener_ || (topology && topology->feeds_listener)) {
      std::vector<EdgeWrite>().swap(edges);
    }
    return file;
  });
  add_task(kEdgeIds, "edge_ids", [&](const std::string& p) {
    uint64_t id = 0;
    return WriteSst(options, p, [&](std::string* k, std::string* v) {
      if (id == links.size()) return false;
      const Link& l = links[id++];
      Be64Into(k, id);
      v->resize(20);
      PutBe64(PutBe32(PutBe64(v->data(), l.from), l.type), l.to);
      return true;
    });
  });
  for (bool out : {true, false}) {
    Buckets* b = out ? &out_buckets : &in_buckets;
    // Split at the node where half of the edges are behind.
    const size_t nodes_end = b->start.size() - 1;  // Buckets are the nodes [0, nodes_end).
    const size_t mid = std::min(
        nodes_end,
        static_cast<size_t>(std::upper_bound(b->start.begin(), b->start.end(), rep.size() / 2) -
                            b->start.begin()));
    for (int part = 0; part < 2; ++part) {
      const size_t first = part == 0 ? 0 : mid;
      const size_t last = part == 0 ? mid : nodes_end;  // Nodes [first, last).
      const std::string name = absl::StrCat(out ? "out_edges" : "in_edges", "-", part);
      add_task(out ? kOutEdges : kInEdges, name, [&, b, out, first, last](const std::string& p) {
        const size_t hi = b->start[last];
        size_t n = first, at = b->start[first];
        return WriteSst(options, p, [&](std::string* k, std::string* v) {
          if (at == hi) return false;
          while (at == b->start[n + 1]) ++n;
          if (out && at + 16 < hi) {
            // The records are read in bucket order, which is random in the arena: ask for
            // them ahead (the end offsets 16 edges ahead, the bytes 8 ahead).
            __builtin_prefetch(&value_end[b->refs[at + 16].slot]);
            const absl::string_view soon = value_of(b->refs[at + 8].slot);
            __builtin_prefetch(soon.data());
          }
          const EndRef& r = b->refs[at++];
          EdgeKeyInto(k, n, r.type, r.other, uint64_t{r.slot} + 1);
          if (out) {
            const absl::string_view value = value_of(r.slot);
            v->assign(value.data(), value.size());
          } else {
            v->clear();
          }
          return true;
        });
      });
    }
  }
  if (topology) {
    // The topology sink, fed in out_edges order (the buckets are sorted) while the files are
    // written; `delivered` is set once they are ingested.
    tasks.push_back([&] {
      if (topology->node) {
        for (uint32_t i : node_order) topology->node(nodes[i].id.value, nodes[i].kind.value);
      }
      if (topology->edge) {
        const std::vector<EndRef>& refs = out_buckets.refs;
        EdgeLink link;
        size_t n = 0;
        for (size_t at = 0; at < refs.size(); ++at) {
          while (at == out_buckets.start[n + 1]) ++n;
          if (at + 8 < refs.size()) __builtin_prefetch(&attrs[refs[at + 8].slot]);
          const EndRef& r = refs[at];
          const Attrs& a = attrs[r.slot];
          link.id = uint64_t{r.slot} + 1;
          link.from = n;
          link.to = r.other;
          link.type = r.type;
          link.valid_from = a.from;
          link.valid_to = a.to;
          link.weight = a.weight;
          topology->edge(link);
        }
      }
      if (topology->end) topology->end();
    });
  }
  {
    std::atomic<size_t> next_task{0};
    auto work = [&] {
      for (size_t t; (t = next_task.fetch_add(1)) < tasks.size();) tasks[t]();
    };
    std::thread other(work);
    work();
    other.join();
  }
  node_writer.join();
  for (Job& j : node_files) jobs.push_back(std::move(j));
  for (Job& j : files) jobs.push_back(std::move(j));

  // One ingestion argument per column family, its files in key order.
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (Job& j : jobs) {
    if (!j.file.ok()) return j.file.status();
    if (j.file->empty()) continue;
    auto same = std::find_if(args.begin(), args.end(),
                             [&](const auto& a) { return a.column_family == cfs_[j.cf]; });
    if (same != args.end()) {
      same->external_files.push_back(*j.file);
      continue;
    }
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = cfs_[j.cf];
    arg.external_files = {*j.file};
    arg.options.move_files = true;
    args.push_back(std::move(arg));
  }
  RETURN_IF_ERROR(FromRocks(db_->IngestExternalFiles(args), "ingesting the bulk load"));

  next_node_id_ = next_node;
  next_edge_id_ = next_edge;
  counts_ = std::move(counts);
  {
    std::lock_guard change_lock(change_mu_);
    next_change_ = change + 1;
  }
  change_cv_.notify_all();
  if (topology) topology->delivered = true;
  if (listener_ && topology && topology->feeds_listener) {
    // The sink received the graph (a running server's topology builds itself from it): the
    // listener learns that the load happened, not every node and edge again.
    ChangeSet changes;
    changes.sequence = change;
    changes.bulk_load = true;
    changes.bulk_nodes = node_order.size();
    changes.bulk_edges = rep.size();
    listener_(changes);
  } else if (listener_) {
    // A running server's topology follows the load like any other commit.
    ChangeSet changes;
    changes.sequence = change;
    changes.nodes_upserted.reserve(node_order.size());
    for (uint32_t i : node_order) changes.nodes_upserted.push_back(std::move(nodes[i]));
    changes.nodes_created.assign(changes.nodes_upserted.size(), true);
    changes.edges_created.assign(rep.size(), true);
    changes.edges_upserted.reserve(rep.size());
    for (uint32_t index : rep) changes.edges_upserted.push_back(std::move(edges[index].edge));
    listener_(changes);
  }
  return result;
}

}  // namespace innograph
