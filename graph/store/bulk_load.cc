// The offline import's fast path into an empty store (GraphStore::StartBulkLoad, BulkLoader,
// and GraphStore::BulkLoad on top of them). Everything is validated and identified in memory
// with the same rules as StageNodes/StageEdges, then each column family is written as sorted
// SST files and all of them are ingested in one atomic IngestExternalFiles call: the store has
// all of the load or none of it. The commit listener then receives the load as one change set.
//
// The nodes come first: validated, identified and indexed by key at the start, their files
// written on a thread of their own from then on. Each edge is then checked and reduced to a
// 32-byte PreparedEdge (endpoint ids, type, start of validity, and its key and encoded record
// in the preparing thread's memory chunks) as soon as it is read, on the reading threads. At the
// end the edges are identified (each distinct edge is a "slot"; its id is slot + 1) and the edge
// column families sorted by bucketing on the node id (ids are dense) and sorting each node's
// few edges. Independent steps run on two threads.

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "graph/model/huge_pages.h"
#include "graph/model/status.h"
#include "graph/model/two_halves.h"
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
    Fill(slots_[at], q, key, id, kind);
  }

  // Insert, unless the key is in the table already (then false, and nothing changes).
  bool InsertNew(absl::string_view key, uint64_t id, uint32_t kind) {
    Probe q(key);
    size_t at = q.hash & mask_;
    for (; slots_[at].id != 0; at = (at + 1) & mask_) {
      if (Matches(slots_[at], q, key)) return false;
    }
    Fill(slots_[at], q, key, id, kind);
    return true;
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
      if (Matches(s, q, key)) return Found{s.id, s.kind};
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
  static bool Matches(const Slot& s, const Probe& q, absl::string_view key) {
    if (s.size != key.size()) return false;
    if (key.size() <= kInline) {
      return s.words[0] == q.words[0] && s.words[1] == q.words[1] && s.words[2] == q.words[2];
    }
    const char* data;
    std::memcpy(&data, s.words, sizeof(data));
    return std::memcmp(data, key.data(), key.size()) == 0;
  }
  static void Fill(Slot& s, const Probe& q, absl::string_view key, uint64_t id, uint32_t kind) {
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
  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  size_t mask_ = 0;
};

// One end of an edge as a node's bucket holds it: sorted by (type, other, id) it is the order
// of the edge column family's keys (self, type, other, id).
struct EndRef {
  uint32_t other;  // Ids fit 32 bits (kMaxId).
  uint32_t type;
  uint32_t slot;
  bool operator<(const EndRef& o) const {
    return std::tie(type, other, slot) < std::tie(o.type, o.other, o.slot);
  }
};

// The slots grouped by one end's node (from = out, to = in). Bucket n is
// refs[start[n], start[n + 1]).
struct Buckets {
  std::vector<size_t, HugePageAllocator<size_t>> start;
  std::vector<EndRef, HugePageAllocator<EndRef>> refs;
};

// One valid edge's endpoints, type and start of validity in 16 bytes: what identifying and
// bucketing read of it.
struct Link {
  uint32_t from, to, type;  // Ids fit 32 bits (kMaxId).
  int32_t valid_from;
};

// An edge checked and resolved, as the load keeps it (see the top of the file): 32 bytes. Its
// end of validity and weight are read back from the record when the topology sink needs them.
struct PreparedEdge {
  Link link;
  uint32_t key_size;  // `data` holds the edge's key, then its record (records::AppendEdge).
  uint32_t record_size;
  const char* data;
  absl::string_view key() const { return {data, key_size}; }
  absl::string_view record() const { return {data + key_size, record_size}; }
};
static_assert(sizeof(PreparedEdge) == 32);

// Memory for the keys and records of prepared edges: chunks that never move.
class Chunks {
 public:
  Chunks() = default;
  Chunks(const Chunks&) = delete;
  Chunks& operator=(const Chunks&) = delete;
  ~Chunks() {
    for (const auto& [data, size] : chunks_) HugePageAllocator<char>().deallocate(data, size);
  }
  const char* Keep(absl::string_view a, absl::string_view b) {
    const size_t n = a.size() + b.size();
    if (n > free_bytes_) {
      free_bytes_ = std::max(kChunk, n);
      free_at_ = HugePageAllocator<char>().allocate(free_bytes_);
      chunks_.emplace_back(free_at_, free_bytes_);
    }
    char* at = free_at_;
    if (!a.empty()) std::memcpy(at, a.data(), a.size());
    if (!b.empty()) std::memcpy(at + a.size(), b.data(), b.size());
    free_at_ += n;
    free_bytes_ -= n;
    return at;
  }
  // Takes over other's chunks, whose views stay valid. `other` goes on filling the free part
  // of its last chunk, which this then owns: it must not outlive this.
  void Take(Chunks& other) {
    for (const auto& c : other.chunks_) chunks_.push_back(c);
    other.chunks_.clear();
  }

 private:
  static constexpr size_t kChunk = size_t{4} << 20;  // Huge pages (HugePageAllocator).
  std::vector<std::pair<char*, size_t>> chunks_;
  char* free_at_ = nullptr;
  size_t free_bytes_ = 0;
};

// Grown by Append without zeroing: each appended range is copied in (on two threads for two
// blocks) right after.
using PreparedEdges = std::vector<PreparedEdge, HugePageArrayAllocator<PreparedEdge>>;

Buckets BucketSlots(const PreparedEdges& edges, uint64_t node_limit, bool by_from) {
  Buckets b;
  b.start.assign(node_limit + 1, 0);
  for (const PreparedEdge& e : edges) ++b.start[by_from ? e.link.from : e.link.to];
  // Exclusive prefix sums, shifted: start[n] = edges of nodes below n.
  size_t sum = 0;
  for (size_t& s : b.start) {
    const size_t c = s;
    s = sum;
    sum += c;
  }
  std::vector<size_t> cursor(b.start.begin(), b.start.end());
  b.refs.resize(edges.size());
  for (uint32_t slot = 0; slot < edges.size(); ++slot) {
    const Link& l = edges[slot].link;
    b.refs[cursor[by_from ? l.from : l.to]++] = {by_from ? l.to : l.from, l.type, slot};
  }
  b.start.push_back(edges.size());  // start[node_limit + 1]: the end of the last bucket.
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
bool SharesAnIdentity(const Buckets& out, const PreparedEdges& edges) {
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
        for (size_t k = a; k < b; ++k) starts.push_back(edges[out.refs[k].slot].link.valid_from);
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

// How errors name an edge (BulkLoad puts "edges[i] " in front).
std::string EdgeLabel(const EdgeTypeSpec* type, absl::string_view from, absl::string_view to) {
  return absl::StrCat("(", type ? type->name : "?", " ", from, " -> ", to, "): ");
}
}  // namespace

struct BulkLoader::Block::Impl {
  PreparedEdges edges;
  Chunks chunks;
  std::string scratch;  // The record being encoded.
  bool keyed = false;   // Some edge has a key.
};

BulkLoader::Block::Block() : impl_(std::make_unique<Impl>()) {}
BulkLoader::Block::~Block() = default;
BulkLoader::Block::Block(Block&&) noexcept = default;
BulkLoader::Block& BulkLoader::Block::operator=(Block&&) noexcept = default;
size_t BulkLoader::Block::size() const { return impl_->edges.size(); }
void BulkLoader::Block::Reserve(size_t edges) { impl_->edges.reserve(edges); }

struct BulkLoader::State {
  explicit State(GraphStore& s) : store(s), lock(s.write_mu_) {}
  ~State() {
    // An abandoned load (or one written: its files were moved) leaves nothing behind.
    if (node_writer.joinable()) node_writer.join();
    if (tmp_made.ok()) {
      std::error_code ec;
      std::filesystem::remove_all(tmp, ec);
    }
  }
  std::string Path(absl::string_view name) const { return absl::StrCat(tmp, "/", name, ".sst"); }
  // The key of the node with id `id` (a node of the load).
  absl::string_view KeyOf(uint64_t id) const { return nodes[node_order[id - 1]].key; }

  struct Job {
    Cf cf;
    absl::StatusOr<std::string> file;
  };

  GraphStore& store;
  std::unique_lock<GraphStore::WriteGate> lock;
  BatchResult result;  // The nodes' part from the start.
  StoreCounts counts;
  std::vector<Node> nodes;
  std::vector<uint32_t> node_order;  // Indices of the nodes written, in id order.
  uint64_t next_node = 1;
  std::optional<KeyTable> key_table;
  rocksdb::Options options;  // For the SST files.
  std::string tmp;           // Their directory.
  absl::Status tmp_made = absl::CancelledError("not written");
  std::vector<Job> node_files;  // Written by node_writer.
  std::thread node_writer;
  PreparedEdges edges;  // As appended.
  Chunks chunks;
  bool keyed = false;
  bool finished = false;
  bool edge_ids = true;  // Wanted in the result.
};

BulkLoader::BulkLoader(std::unique_ptr<State> state) : s_(std::move(state)) {}
BulkLoader::~BulkLoader() = default;

const BatchResult& BulkLoader::node_result() const { return s_->result; }
size_t BulkLoader::size() const { return s_->edges.size(); }
void BulkLoader::OmitEdgeIds() { s_->edge_ids = false; }
void BulkLoader::Reserve(size_t edges) { s_->edges.reserve(s_->edges.size() + edges); }

namespace {

using State = BulkLoader::State;

// The names index: each distinct token once, with the ids of its nodes in increasing order; the
// keys token\0id then come out sorted by sorting the distinct tokens only.
absl::StatusOr<std::string> WriteNames(const State& st, const std::string& p) {
  // The texts live in chunks that never move; the index holds views of them.
  std::vector<absl::string_view> token_text;
  Chunks texts;
  // Looked up at random for every token: in huge pages. Room for about three distinct tokens a
  // node (two of a key like "person/0042" are its own).
  absl::flat_hash_map<absl::string_view, uint32_t, absl::Hash<absl::string_view>,
                      std::equal_to<absl::string_view>,
                      HugePageAllocator<std::pair<const absl::string_view, uint32_t>>>
      token_index;
  token_index.reserve(st.node_order.size() * 3);
  std::vector<std::pair<uint32_t, uint32_t>> postings;  // (token index, node id): ids fit 32 bits
  postings.reserve(st.node_order.size() * 6);
  std::vector<uint32_t> mine;  // The tokens of one node.
  std::string scratch;
  // A few nodes at a time: their tokens gathered, the index's slots for them prefetched, then
  // looked up (one by one, each lookup would wait for memory).
  constexpr size_t kGroup = 16;
  struct Token {
    uint32_t node;      // Index into node_order.
    uint32_t at, size;  // In `gathered`.
  };
  std::string gathered;
  std::vector<Token> tokens;
  for (size_t g = 0; g < st.node_order.size(); g += kGroup) {
    const size_t end = std::min(st.node_order.size(), g + kGroup);
    gathered.clear();
    tokens.clear();
    for (size_t i = g; i < end; ++i) {
      const Node& n = st.nodes[st.node_order[i]];
      auto gather = [&](absl::string_view text) {
        ForEachIndexToken(text, &scratch, [&](absl::string_view t) {
          tokens.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(gathered.size()),
                            static_cast<uint32_t>(t.size())});
          gathered.append(t.data(), t.size());
        });
      };
      gather(n.name);
      for (const std::string& a : n.aliases) gather(a);
      gather(n.key);
    }
    auto text = [&](const Token& t) { return absl::string_view(gathered).substr(t.at, t.size); };
    for (const Token& t : tokens) token_index.prefetch(text(t));
    for (size_t k = 0; k < tokens.size();) {
      // The tokens of one node.
      const uint32_t i = tokens[k].node;
      mine.clear();
      for (; k < tokens.size() && tokens[k].node == i; ++k) {
        const absl::string_view t = text(tokens[k]);
        auto it = token_index.find(t);
        if (it == token_index.end()) {
          token_text.emplace_back(texts.Keep(t, {}), t.size());
          it = token_index.emplace(token_text.back(), static_cast<uint32_t>(token_text.size() - 1))
                   .first;
        }
        mine.push_back(it->second);
      }
      std::sort(mine.begin(), mine.end());
      mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
      const auto id = static_cast<uint32_t>(st.nodes[st.node_order[i]].id.value);
      for (uint32_t t : mine) postings.emplace_back(t, id);
    }
  }
  token_index = {};
  // Sorted by the first 16 bytes, the texts compared only on a tie.
  struct Rank {
    Prefix16 prefix;
    uint32_t token;
  };
  std::vector<Rank> ranks;
  ranks.reserve(token_text.size());
  for (uint32_t t = 0; t < token_text.size(); ++t) ranks.push_back({Prefix16(token_text[t]), t});
  std::sort(ranks.begin(), ranks.end(), [&](const Rank& a, const Rank& b) {
    if (!(a.prefix == b.prefix)) return a.prefix < b.prefix;
    return token_text[a.token] < token_text[b.token];
  });
  std::vector<uint32_t> order(ranks.size());
  for (size_t r = 0; r < ranks.size(); ++r) order[r] = ranks[r].token;
  ranks = {};
  std::vector<size_t, HugePageAllocator<size_t>> start(token_text.size() + 1, 0);
  for (const auto& [t, id] : postings) ++start[t + 1];
  for (size_t t = 1; t < start.size(); ++t) start[t] += start[t - 1];
  // Grouped by token, ids ascending (written at random).
  std::vector<uint32_t, HugePageAllocator<uint32_t>> ids(postings.size());
  for (const auto& [t, id] : postings) ids[start[t]++] = id;
  for (size_t t = start.size() - 1; t > 0; --t) start[t] = start[t - 1];
  start[0] = 0;
  size_t rank = 0, at = 0;
  bool new_token = true;
  return WriteSst(st.options, p, [&](std::string* k, std::string* v) {
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
}

absl::StatusOr<std::string> WriteNodes(const State& st, const std::string& p) {
  size_t i = 0;
  return WriteSst(st.options, p, [&](std::string* k, std::string* v) {
    if (i == st.node_order.size()) return false;
    const Node& n = st.nodes[st.node_order[i++]];
    Be64Into(k, n.id.value);
    *v = records::EncodeNode(n);
    return true;
  });
}

absl::StatusOr<std::string> WriteKeys(const State& st, const std::string& p) {
  // Keys are distinct: sorted by their first 16 bytes, then by their text.
  struct ByKey {
    Prefix16 prefix;
    absl::string_view key;
    uint64_t id;
  };
  std::vector<ByKey> by_key;
  by_key.reserve(st.node_order.size());
  for (uint32_t j : st.node_order) {
    const Node& n = st.nodes[j];
    by_key.push_back({Prefix16(n.key), n.key, n.id.value});
  }
  std::sort(by_key.begin(), by_key.end(), [](const ByKey& a, const ByKey& b) {
    if (!(a.prefix == b.prefix)) return a.prefix < b.prefix;
    return a.key < b.key;
  });
  size_t i = 0;
  return WriteSst(st.options, p, [&](std::string* k, std::string* v) {
    if (i == by_key.size()) return false;
    k->assign(by_key[i].key.data(), by_key[i].key.size());
    Be64Into(v, by_key[i++].id);
    return true;
  });
}

}  // namespace

bool GraphStore::pristine() const {
  std::lock_guard lock(write_mu_);
  return next_node_id_ == 1 && next_edge_id_ == 1;
}

absl::StatusOr<std::unique_ptr<BulkLoader>> GraphStore::StartBulkLoad(std::vector<Node> nodes,
                                                                      size_t max_errors,
                                                                      bool commit) {
  auto state = std::make_unique<State>(*this);  // Takes the write lock.
  State& st = *state;
  if (next_node_id_ != 1 || next_edge_id_ != 1) {
    return absl::FailedPreconditionError("bulk load: the store is not empty");
  }
  if (nodes.size() >= kNone) {
    return absl::ResourceExhaustedError("bulk load: more than 2^32 - 1 nodes in one load");
  }
  st.nodes = std::move(nodes);
  st.counts = counts_;
  BatchResult& result = st.result;
  const std::vector<Node>& in = st.nodes;

  // Validate (two halves on two threads).
  std::vector<uint8_t> valid(in.size(), 1);
  {
    std::vector<ItemError> errors_high;
    TwoHalves(in.size(), [&](size_t begin, size_t end) {
      std::vector<ItemError>& errors = begin == 0 ? result.node_errors : errors_high;
      for (size_t i = begin; i < end; ++i) {
        absl::Status s = schema_->ValidateNode(in[i]);
        if (!s.ok()) {
          valid[i] = 0;
          errors.push_back({i, Prefixed(s, NodeLabel(i, in[i]))});
        }
      }
    });
    for (ItemError& e : errors_high) result.node_errors.push_back(std::move(e));
  }
  // Usually every node is valid and each key new: then the ids follow the input, and the key
  // table, filled as the nodes come, notices a repeated key.
  if (result.node_errors.empty()) {
    st.key_table.emplace(in.size());
    size_t i = 0;
    while (i < in.size() && st.key_table->InsertNew(in[i].key, i + 1, in[i].kind.value)) ++i;
    if (i == in.size()) {
      st.node_order.resize(in.size());
      result.nodes.ids.resize(in.size());
      for (uint32_t k = 0; k < in.size(); ++k) {
        st.nodes[k].id = NodeId(k + 1);
        st.node_order[k] = k;
        result.nodes.ids[k] = k + 1;
        ++st.counts.by_kind[in[k].kind.value];
      }
      st.counts.nodes += in.size();
      st.next_node = in.size() + 1;
    } else {
      st.key_table.reset();
    }
  }
  if (!st.key_table) {
    // The last valid occurrence of a key wins; ids in order of those.
    // Key -> its last valid node: index, then id.
    struct NodeSlot {
      uint32_t index;
      uint64_t id = 0;
    };
    absl::flat_hash_map<absl::string_view, NodeSlot> last;
    last.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      if (valid[i]) last[in[i].key] = NodeSlot{static_cast<uint32_t>(i)};
    }
    st.node_order.reserve(last.size());
    for (size_t i = 0; i < in.size(); ++i) {
      if (!valid[i]) continue;
      NodeSlot& slot = last.find(in[i].key)->second;
      if (slot.index != i) continue;
      st.nodes[i].id = NodeId(st.next_node++);
      slot.id = st.nodes[i].id.value;
      st.node_order.push_back(static_cast<uint32_t>(i));
      ++st.counts.by_kind[in[i].kind.value];
      ++st.counts.nodes;
    }
    result.nodes.ids.reserve(in.size());
    for (const Node& n : in) {
      auto it = last.find(n.key);
      result.nodes.ids.push_back(it == last.end() ? 0 : it->second.id);
    }
    last = {};
    st.key_table.emplace(st.node_order.size());
    for (uint32_t i : st.node_order) {
      st.key_table->Insert(in[i].key, in[i].id.value, in[i].kind.value);
    }
  }
  result.nodes.created = static_cast<uint32_t>(st.node_order.size());

  // The store's options, with 16 KiB blocks for the files written here: a quarter of the
  // per-block work (compression, index entries) for the same bytes, and smaller files.
  st.options = *rocks_options_;
  st.options.statistics = nullptr;  // The store's tickers count its own reads and writes.
  {
    rocksdb::BlockBasedTableOptions table;
    if (const auto* store_table =
            st.options.table_factory->GetOptions<rocksdb::BlockBasedTableOptions>()) {
      table = *store_table;
    }
    table.block_size = std::max<size_t>(table.block_size, 16 << 10);
    st.options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  }
  // The files of the nodes alone (names, nodes, keys) are written from now on, on a thread of
  // their own, while the edges are read and prepared. Should the load not be written after
  // all, the thread is joined and the files removed when the loader goes.
  st.tmp = absl::StrCat(dir_, "/bulk-load.tmp");
  if (commit && result.node_errors.size() <= max_errors) {
    std::error_code ec;
    std::filesystem::remove_all(st.tmp, ec);
    std::filesystem::create_directories(st.tmp, ec);
    st.tmp_made = ec ? absl::InternalError(absl::StrCat("creating ", st.tmp, ": ", ec.message()))
                     : absl::OkStatus();
  }
  st.node_files = {{kNames, std::string()}, {kNodes, std::string()}, {kKeys, std::string()}};
  if (st.tmp_made.ok()) {
    st.node_writer = std::thread([&st] {
      st.node_files[0].file = WriteNames(st, st.Path("names"));
      st.node_files[1].file = WriteNodes(st, st.Path("nodes"));
      st.node_files[2].file = WriteKeys(st, st.Path("keys"));
    });
  }
  return std::unique_ptr<BulkLoader>(new BulkLoader(std::move(state)));
}

void BulkLoader::Prefetch(const EdgeWrite& edge) const {
  s_->key_table->Prefetch(edge.from_key);
  s_->key_table->Prefetch(edge.to_key);
}

absl::Status BulkLoader::Prepare(const EdgeWrite& w, Block* block) const {
  const State& st = *s_;
  const Edge& e = w.edge;
  const EdgeTypeSpec* type = st.store.schema_->Type(e.type);
  auto fail = [&](const absl::Status& s) {
    return Prefixed(s, EdgeLabel(type, w.from_key, w.to_key));
  };
  if (!type) {
    return fail(absl::InvalidArgumentError(absl::StrCat("type: unknown type id ", e.type.value)));
  }
  if (e.id.valid()) {
    return fail(absl::NotFoundError(absl::StrCat("id: no edge with id ", e.id.value)));
  }
  uint64_t ids[2];
  KindId kinds[2];
  for (int side = 0; side < 2; ++side) {
    const NodeId id = side == 0 ? e.from : e.to;
    const std::string& key = side == 0 ? w.from_key : w.to_key;
    const char* field = side == 0 ? "from" : "to";
    if (id.valid() || key.empty()) {
      // Ids cannot name anything in an empty store; keys are the import's currency.
      return fail(id.valid()
                      ? absl::NotFoundError(absl::StrCat(field, "_id: no node with id ", id.value))
                      : absl::InvalidArgumentError(
                            absl::StrCat(field, "_key/", field, "_id: exactly one must be set")));
    }
    const std::optional<KeyTable::Found> found = st.key_table->Find(key);
    if (!found) {
      return fail(absl::NotFoundError(absl::StrCat(field, "_key: no node with key '", key, "'")));
    }
    ids[side] = found->id;
    kinds[side] = KindId(found->kind);
  }
  if (absl::Status s = st.store.schema_->ValidateEdge(e, kinds[0], kinds[1]); !s.ok()) {
    return fail(s);
  }
  Block::Impl& b = *block->impl_;
  b.scratch.clear();
  records::AppendEdge(e, &b.scratch);
  b.edges.push_back({Link{static_cast<uint32_t>(ids[0]), static_cast<uint32_t>(ids[1]),
                          e.type.value, e.valid.from.days},
                     static_cast<uint32_t>(e.key.size()), static_cast<uint32_t>(b.scratch.size()),
                     b.chunks.Keep(e.key, b.scratch)});
  if (!e.key.empty()) b.keyed = true;
  return absl::OkStatus();
}

void BulkLoader::Append(std::span<Block> blocks) {
  if (blocks.size() != 2 || s_->edges.empty()) {
    for (Block& b : blocks) Append(b);
    return;
  }
  // The load's array grows by both blocks at once, then each block is copied into its part on
  // a thread of its own: the copies, and the faults of the fresh pages they land on, run side
  // by side.
  PreparedEdges& edges = s_->edges;
  const size_t at = edges.size();
  const size_t first = blocks[0].impl_->edges.size();
  edges.resize(at + first + blocks[1].impl_->edges.size());
  auto copy = [&](size_t k) {
    Block::Impl& b = *blocks[k].impl_;
    std::copy(b.edges.begin(), b.edges.end(), edges.begin() + at + (k == 0 ? 0 : first));
  };
  if (edges.size() - at >= 4096) {
    std::thread other([&] { copy(1); });
    copy(0);
    other.join();
  } else {
    copy(0);
    copy(1);
  }
  for (Block& block : blocks) {
    Block::Impl& b = *block.impl_;
    s_->chunks.Take(b.chunks);
    s_->keyed |= b.keyed;
    b.edges.clear();
    b.keyed = false;
  }
}

void BulkLoader::Append(Block& block) {
  Block::Impl& b = *block.impl_;
  if (s_->edges.empty() && b.edges.capacity() >= s_->edges.capacity()) {
    s_->edges.swap(b.edges);  // The first block, with room for more: taken whole.
  } else {
    s_->edges.insert(s_->edges.end(), b.edges.begin(), b.edges.end());
  }
  s_->chunks.Take(b.chunks);
  s_->keyed |= b.keyed;
  b.edges.clear();
  b.keyed = false;
}

absl::StatusOr<BatchResult> BulkLoader::Finish(size_t max_errors, bool commit,
                                               TopologySink* topology) {
  State& st = *s_;
  if (st.finished) return absl::FailedPreconditionError("bulk load: already finished");
  st.finished = true;
  GraphStore& store = st.store;
  BatchResult result = std::move(st.result);
  StoreCounts counts = std::move(st.counts);
  PreparedEdges& edges = st.edges;
  const std::vector<Node>& nodes = st.nodes;
  const std::vector<uint32_t>& node_order = st.node_order;
  const uint64_t next_node = st.next_node;
  if (edges.size() >= kNone) {
    return absl::ResourceExhaustedError("bulk load: more than 2^32 - 1 edges in one load");
  }

  // Identify (key, else (from, type, to, valid_from)); a later entry updates an earlier one,
  // ids in order of first appearance. rep[slot] is the index of the edge whose content the
  // edge with id slot + 1 keeps; id_of[i] is the id edge i was given (0 when refused).
  std::vector<uint32_t> rep;
  std::vector<uint32_t> id_of(st.keyed ? edges.size() : 0, 0);
  // Both edge directions bucketed by node (see BucketSlots), by slot.
  Buckets out_buckets, in_buckets;
  bool bucketed = false;
  if (!st.keyed) {
    // The usual load: every edge distinct, so that slot = index. Bucket both directions on
    // that assumption (the out buckets group the edges by source node, sorted by (type, to,
    // index)), then check it there: two edges with one identity would sit in one run of equal
    // (type, to) with equal starts. Otherwise identify below, as in general.
    bool distinct = true;
    {
      std::thread other([&] { in_buckets = BucketSlots(edges, next_node, false); });
      out_buckets = BucketSlots(edges, next_node, true);
      distinct = !SharesAnIdentity(out_buckets, edges);
      other.join();
    }
    if (distinct) {
      bucketed = true;  // Edge i has id i + 1.
      if (st.edge_ids) {
        result.edges.ids.resize(edges.size());
        for (uint32_t i = 0; i < edges.size(); ++i) result.edges.ids[i] = i + 1;
      }
    } else {
      out_buckets = {};
      in_buckets = {};
    }
  }
  if (bucketed) {
    // Identified above.
  } else if (!st.keyed) {
    id_of.assign(edges.size(), 0);
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
    for (const PreparedEdge& e : edges) ++start[e.link.from];
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
        const Link& e = edges[i].link;
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
      const uint32_t first = leader[i];
      if (first == i) {
        rep.push_back(content[i]);
        id_of[i] = static_cast<uint32_t>(rep.size());
      } else {
        id_of[i] = id_of[first];
      }
    }
  } else {
    // Edge keys: one edge after the other, exactly as StageEdges identifies them.
    using Identity = std::tuple<uint64_t, uint32_t, uint64_t, int32_t>;
    absl::flat_hash_map<Identity, uint32_t> by_identity;
    absl::flat_hash_map<absl::string_view, uint32_t> by_edge_key;
    by_identity.reserve(edges.size());
    for (size_t i = 0; i < edges.size(); ++i) {
      const PreparedEdge& e = edges[i];
      const Link& l = e.link;
      const absl::string_view key = e.key();
      auto fail = [&](const absl::Status& s) {
        result.edge_errors.push_back({i, Prefixed(s, EdgeLabel(store.schema_->Type(TypeId(l.type)),
                                                               st.KeyOf(l.from), st.KeyOf(l.to)))});
      };
      const Identity identity{l.from, l.type, l.to, l.valid_from};
      uint32_t slot = kNone;
      if (!key.empty()) {
        if (auto it = by_edge_key.find(key); it != by_edge_key.end()) slot = it->second;
      }
      if (slot == kNone) {
        if (auto it = by_identity.find(identity); it != by_identity.end()) slot = it->second;
      }
      if (slot != kNone) {
        const PreparedEdge& cur = edges[rep[slot]];
        if (cur.link.type != l.type || cur.link.from != l.from || cur.link.to != l.to) {
          fail(absl::FailedPreconditionError(
              absl::StrCat("edge ", slot + 1,
                           " exists with another type or endpoints; an edge's type and "
                           "endpoints cannot change: delete it and add a new one")));
          continue;
        }
        if (!key.empty() && cur.key() != key) {
          if (auto it = by_edge_key.find(key); it != by_edge_key.end() && it->second != slot) {
            fail(absl::FailedPreconditionError(
                absl::StrCat("key: '", key, "' already names edge ", it->second + 1)));
            continue;
          }
        }
        if (!cur.key().empty() && cur.key() != key) by_edge_key.erase(cur.key());
        rep[slot] = static_cast<uint32_t>(i);
      } else {
        slot = static_cast<uint32_t>(rep.size());
        rep.push_back(static_cast<uint32_t>(i));
      }
      id_of[i] = slot + 1;
      by_identity[identity] = slot;
      if (!key.empty()) by_edge_key[key] = slot;
    }
  }
  // By slot from here on: in place, since rep[slot] >= slot (a slot's record is its first
  // occurrence or a later one, and slots are numbered in order of first occurrence).
  if (!bucketed) {
    for (size_t slot = 0; slot < rep.size(); ++slot) edges[slot] = edges[rep[slot]];
    edges.resize(rep.size());
  }
  rep = {};
  for (const PreparedEdge& e : edges) ++counts.by_type[e.link.type];
  counts.edges += edges.size();
  const uint64_t next_edge = edges.size() + 1;
  result.edges.created = static_cast<uint32_t>(edges.size());
  if (!bucketed) {
    if (st.edge_ids) result.edges.ids.assign(id_of.begin(), id_of.end());
    id_of = {};
  }
  if (!commit || result.edge_errors.size() > max_errors) return result;  // Nothing written.
  if (node_order.empty() && edges.empty()) return result;
  RETURN_IF_ERROR(st.tmp_made);

  // Write the other sorted SST files on two threads, then ingest them all together. The two
  // edge column families are split in two files each (two node ranges) so that both threads
  // have about as much to do.
  using Job = State::Job;
  std::vector<Job> jobs;

  // The id counters and counts go in the same atomic ingestion (never a load without them).
  std::map<std::string, std::string> meta;
  meta[kMetaNextNode] = keys::IdValue(next_node);
  // The change log records the load as one entry that tells followers to resync.
  const uint64_t change = store.next_change_;
  meta[kMetaNextChange] = keys::IdValue(change + 1);
  ChangeSet marker;
  marker.bulk_load = true;
  marker.bulk_nodes = node_order.size();
  marker.bulk_edges = edges.size();
  bool change_written = false;
  jobs.push_back(
      {kChanges, WriteSst(st.options, st.Path("changes"), [&](std::string* k, std::string* v) {
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
  jobs.push_back({kMeta, WriteSst(st.options, st.Path("meta"), [&](std::string* k, std::string* v) {
                    if (meta_it == meta.end()) return false;
                    *k = meta_it->first;
                    *v = meta_it->second;
                    ++meta_it;
                    return true;
                  })});

  if (!bucketed) {
    std::thread other([&] { in_buckets = BucketSlots(edges, next_node, false); });
    out_buckets = BucketSlots(edges, next_node, true);
    other.join();
  }

  // The tasks, run by two threads in the order they are added (longest first, see below); each
  // file task fills its own entry of `files`.
  std::vector<std::function<void()>> tasks;
  std::vector<Job> files;
  files.reserve(16);
  auto add_task = [&](Cf cf, std::string name, auto&& write) {
    const size_t at = files.size();
    files.push_back({cf, std::string()});
    tasks.push_back([&, at, name = std::move(name), write]() mutable {
      files[at].file = write(st.Path(name));
    });
  };
  absl::Status fed;  // The topology task's (records that do not read back: a bug).
  std::function<void()> feed_topology;
  if (topology) {
    // The topology sink, fed in out_edges order (the buckets are sorted) while the files are
    // written; `delivered` is set once they are ingested.
    feed_topology = [&] {
      EdgeLink link;
      // The end of validity and the weight, from the record.
      auto lead = [&](const PreparedEdge& e) {
        if (!records::DecodeEdgeLead(e.record(), &link.valid_from, &link.valid_to, &link.weight) &&
            fed.ok()) {
          fed = absl::InternalError("bulk load: a prepared edge record does not read back");
        }
      };
      if (topology->begin) topology->begin(next_node, edges.size());
      if (topology->node) {
        for (uint32_t i : node_order) topology->node(nodes[i].id.value, nodes[i].kind.value);
      }
      if (topology->edge_attrs) {
        for (uint32_t slot = 0; slot < edges.size(); ++slot) {
          lead(edges[slot]);
          topology->edge_attrs(uint64_t{slot} + 1, link.valid_from, link.valid_to, link.weight);
        }
      }
      if (topology->edge) {
        const auto& refs = out_buckets.refs;
        size_t n = 0;
        for (size_t at = 0; at < refs.size(); ++at) {
          while (at == out_buckets.start[n + 1]) ++n;
          if (at + 16 < refs.size()) {
            // In bucket order, which is random in memory: the edge 16 ahead, its record 8.
            __builtin_prefetch(&edges[refs[at + 16].slot]);
            __builtin_prefetch(edges[refs[at + 8].slot].record().data());
          }
          const EndRef& r = refs[at];
          lead(edges[r.slot]);
          link.id = uint64_t{r.slot} + 1;
          link.from = n;
          link.to = r.other;
          link.type = r.type;
          topology->edge(link);
        }
      }
      if (topology->end) topology->end();
    };
  }
  // Each edge column family in kParts files (node ranges with about as many edges each), so
  // that the two threads run out of work at about the same time. The out_edges files (records
  // read at random, the most bytes) go first, the topology feed next, the short tasks last.
  constexpr int kParts = 3;
  auto add_edge_files = [&](bool out) {
    Buckets* b = out ? &out_buckets : &in_buckets;
    const size_t nodes_end = b->start.size() - 1;  // Buckets are the nodes [0, nodes_end).
    size_t first = 0;                              // Nodes [first, last) for each part.
    for (int part = 0; part < kParts; ++part) {
      const size_t last =
          part + 1 == kParts
              ? nodes_end
              : std::min(nodes_end,
                         static_cast<size_t>(std::upper_bound(b->start.begin(), b->start.end(),
                                                              edges.size() * (part + 1) / kParts) -
                                             b->start.begin()));
      const std::string name = absl::StrCat(out ? "out_edges" : "in_edges", "-", part);
      add_task(out ? kOutEdges : kInEdges, name, [&, b, out, first, last](const std::string& p) {
        const size_t hi = b->start[last];
        size_t n = first, at = b->start[first];
        return WriteSst(st.options, p, [&](std::string* k, std::string* v) {
          if (at == hi) return false;
          while (at == b->start[n + 1]) ++n;
          if (out && at + 16 < hi) {
            // The records are read in bucket order, which is random in memory: ask for them
            // ahead (the edge 16 ahead, its record 8 ahead).
            __builtin_prefetch(&edges[b->refs[at + 16].slot]);
            __builtin_prefetch(edges[b->refs[at + 8].slot].record().data());
          }
          const EndRef& r = b->refs[at++];
          EdgeKeyInto(k, n, r.type, r.other, uint64_t{r.slot} + 1);
          if (out) {
            const absl::string_view value = edges[r.slot].record();
            v->assign(value.data(), value.size());
          } else {
            v->clear();
          }
          return true;
        });
      });
      first = std::max(first, last);
    }
  };
  add_edge_files(true);
  if (feed_topology) tasks.push_back(feed_topology);
  add_edge_files(false);
  // edge_ids in kParts files (id ranges).
  for (int part = 0; part < kParts; ++part) {
    const uint64_t first = edges.size() * part / kParts;
    const uint64_t last = edges.size() * (part + 1) / kParts;  // Slots [first, last).
    add_task(kEdgeIds, absl::StrCat("edge_ids-", part), [&, first, last](const std::string& p) {
      uint64_t slot = first;
      return WriteSst(st.options, p, [&](std::string* k, std::string* v) {
        if (slot == last) return false;
        const Link& l = edges[slot++].link;
        Be64Into(k, slot);  // The id: slot + 1.
        v->resize(20);
        PutBe64(PutBe32(PutBe64(v->data(), l.from), l.type), l.to);
        return true;
      });
    });
  }
  add_task(kEdgeKeys, "edge_keys", [&](const std::string& p) {
    std::vector<std::pair<absl::string_view, uint64_t>> edge_keys;
    if (st.keyed) {
      for (uint32_t slot = 0; slot < edges.size(); ++slot) {
        if (edges[slot].key_size != 0) edge_keys.emplace_back(edges[slot].key(), slot + 1);
      }
    }
    std::sort(edge_keys.begin(), edge_keys.end());
    size_t i = 0;
    return WriteSst(st.options, p, [&](std::string* k, std::string* v) {
      if (i == edge_keys.size()) return false;
      k->assign(edge_keys[i].first.data(), edge_keys[i].first.size());
      Be64Into(v, edge_keys[i++].second);
      return true;
    });
  });
  {
    std::atomic<size_t> next_task{0};
    auto work = [&] {
      for (size_t t; (t = next_task.fetch_add(1)) < tasks.size();) tasks[t]();
    };
    std::thread other(work);
    work();
    other.join();
  }
  if (st.node_writer.joinable()) st.node_writer.join();
  RETURN_IF_ERROR(fed);
  for (Job& j : st.node_files) jobs.push_back(std::move(j));
  for (Job& j : files) jobs.push_back(std::move(j));

  // One ingestion argument per column family, its files in key order.
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (Job& j : jobs) {
    if (!j.file.ok()) return j.file.status();
    if (j.file->empty()) continue;
    auto same = std::find_if(args.begin(), args.end(),
                             [&](const auto& a) { return a.column_family == store.cfs_[j.cf]; });
    if (same != args.end()) {
      same->external_files.push_back(*j.file);
      continue;
    }
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = store.cfs_[j.cf];
    arg.external_files = {*j.file};
    arg.options.move_files = true;
    args.push_back(std::move(arg));
  }
  RETURN_IF_ERROR(FromRocks(store.db_->IngestExternalFiles(args), "ingesting the bulk load"));

  store.next_node_id_ = next_node;
  store.next_edge_id_ = next_edge;
  store.counts_ = std::move(counts);
  {
    std::lock_guard change_lock(store.change_mu_);
    store.next_change_ = change + 1;
  }
  store.change_cv_.notify_all();
  if (topology) topology->delivered = true;
  if (store.listener_) {
    ChangeSet changes;
    changes.sequence = change;
    if (topology && topology->feeds_listener) {
      // The sink received the graph (a running server's topology builds itself from it): the
      // listener learns that the load happened, not every node and edge again.
      changes.bulk_load = true;
      changes.bulk_nodes = node_order.size();
      changes.bulk_edges = edges.size();
    } else {
      // A running server's topology follows the load like any other commit.
      changes.nodes_upserted.reserve(node_order.size());
      for (uint32_t i : node_order) changes.nodes_upserted.push_back(nodes[i]);
      changes.nodes_created.assign(changes.nodes_upserted.size(), true);
      changes.edges_created.assign(edges.size(), true);
      changes.edges_upserted.resize(edges.size());
      for (uint32_t slot = 0; slot < edges.size(); ++slot) {
        const PreparedEdge& p = edges[slot];
        Edge& e = changes.edges_upserted[slot];
        RETURN_IF_ERROR(records::DecodeEdge(p.record(), &e));
        e.id = EdgeId(slot + 1);
        e.type = TypeId(p.link.type);
        e.from = NodeId(p.link.from);
        e.to = NodeId(p.link.to);
      }
    }
    store.listener_(changes);
  }
  return result;
}

absl::StatusOr<BatchResult> GraphStore::BulkLoad(std::vector<Node> nodes,
                                                 std::vector<EdgeWrite> edges, size_t max_errors,
                                                 bool commit, TopologySink* topology) {
  if (edges.size() >= kNone) {
    return absl::ResourceExhaustedError("bulk load: more than 2^32 - 1 edges in one load");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<BulkLoader> loader,
                   StartBulkLoad(std::move(nodes), max_errors, commit));
  // Each edge is checked on its own: two halves on two threads, appended in order.
  std::vector<absl::Status> status(edges.size());
  BulkLoader::Block blocks[2];
  blocks[0].Reserve(edges.size());  // Appended first: it becomes the load's list.
  blocks[1].Reserve(edges.size() - edges.size() / 2);
  TwoHalves(edges.size(), [&](size_t begin, size_t end) {
    BulkLoader::Block& block = blocks[begin == 0 ? 0 : 1];
    constexpr size_t kAhead = 8;  // Endpoint lookups prefetched this many edges ahead.
    for (size_t i = begin; i < end; ++i) {
      if (i + kAhead < end) loader->Prefetch(edges[i + kAhead]);
      status[i] = loader->Prepare(edges[i], &block);
    }
  });
  loader->Append(blocks[0]);
  loader->Append(blocks[1]);
  std::vector<uint32_t> index_of;  // Of each appended edge in `edges`.
  index_of.reserve(loader->size());
  std::vector<ItemError> refused;
  for (size_t i = 0; i < edges.size(); ++i) {
    if (status[i].ok()) {
      index_of.push_back(static_cast<uint32_t>(i));
    } else {
      refused.push_back({i, Prefixed(status[i], absl::StrCat("edges[", i, "] "))});
    }
  }
  const size_t count = edges.size();
  status = {};
  // The rows (gigabytes for millions of edges) are released while the load goes on.
  std::thread release([rows = std::move(edges)]() mutable { rows = {}; });
  absl::Cleanup join_release = [&] { release.join(); };
  const size_t before = loader->node_result().node_errors.size() + refused.size();
  const bool within = commit && before <= max_errors;
  ASSIGN_OR_RETURN(BatchResult result,
                   loader->Finish(within ? max_errors - before : 0, within, topology));
  // Back to the indices of `edges`, errors in edge order.
  for (ItemError& e : result.edge_errors) {
    e.index = index_of[e.index];
    e.status = Prefixed(e.status, absl::StrCat("edges[", e.index, "] "));
  }
  for (ItemError& e : refused) result.edge_errors.push_back(std::move(e));
  std::stable_sort(result.edge_errors.begin(), result.edge_errors.end(),
                   [](const ItemError& a, const ItemError& b) { return a.index < b.index; });
  std::vector<uint64_t> ids(count, 0);
  for (size_t k = 0; k < index_of.size(); ++k) ids[index_of[k]] = result.edges.ids[k];
  result.edges.ids = std::move(ids);
  return result;
}

}  // namespace innograph
