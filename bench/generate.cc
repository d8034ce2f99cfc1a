// innograph-generate: a deterministic synthetic innovation system for benchmarks.
//
//   innograph-generate --out DIR [--edges N] [--seed S] [--profile innovation|social]
//
// Writes DIR/nodes.csv and DIR/edges.csv in the CSV import convention (docs/import.md) with
// exactly N edges (1,000 <= N <= 100,000,000; default 100,000) and about N/10 nodes. The
// default profile, `innovation`:
//  - Persons (about 95% of the nodes) with COLLABORATES_WITH edges grown as in Price's model:
//    people join one by one and link to earlier people, a fraction q = 10/13 of the targets
//    chosen proportionally to the links they have received so far and the rest uniformly;
//    that gives a power-law degree tail with exponent 1 + 1/q = 2.3. A pair picked again
//    raises the integer weight instead of adding an edge;
//  - Universities, ResearchInstitutes, Laboratories, Enterprises, two Academies, Projects,
//    Awards (category x year) and Regions (Hunan and its 14 prefecture-level divisions,
//    GB/T 2260);
//  - EMPLOYED_BY with intervals (some people have two stints at the same organisation, e.g.
//    2001-2008 and 2012-open), MEMBER_OF, PARTICIPATES_IN, RECEIVED (point dates), LOCATED_IN,
//    COOPERATES_WITH;
//  - one hub: univ/000 has exactly N/10 edges (the big university most people work at, some
//    twice), so >= 100,000 edges from N = 1,000,000 on.
// The `social` profile has the same nodes, node and edge counts, kinds, types and properties,
// but power-law degrees without megahubs, so that neighbourhoods stay small (at 10^6 edges the
// median 2-hop ball is about 370 nodes and the 3-hop ball about 6,300, every type, both
// directions; the default profile's are about 81,000 and the whole graph):
//  - organisations are picked uniformly (no big ones) and univ/000 is not a hub; people of one
//    block of consecutive numbers (about 68) work at one organisation, and their lab and
//    projects come from the same order, so colleagues and teams are neighbours in that order;
//  - COLLABORATES_WITH is a Chung-Lu graph with locality: person weights proportional to
//    (r + r0)^(-1/2) for a random rank r give expected degrees with a power-law tail of
//    exponent 3, r0 bounding the largest at about 10 times the mean (123 at 10^6
//    edges); each edge takes one end in proportion to weight and the other, 5 times in 7,
//    among the people within 30 numbers of it (same or nearby organisation), else among
//    everyone, again in proportion to weight.
// Every edge's endpoint kinds and every property type are checked against the default schema
// before anything is written.
//
// Deterministic: the same seed, size and profile give byte-identical files on every platform. Only
// std::mt19937_64 (whose output the standard fixes) and integer arithmetic are used; no
// std:: distributions and no floating point in the sampling.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "graph/model/schema.h"

namespace innograph::bench {
namespace {

// ---------------------------------------------------------------------------------------------
// Randomness: the engine's raw output and integer arithmetic only.

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  uint64_t Next() { return engine_(); }
  // Uniform in [0, n), n > 0 (Lemire's multiply-shift; the bias is below 2^-40 here).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(engine_()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  int Between(int lo, int hi) { return lo + static_cast<int>(Below(hi - lo + 1)); }
  // True with probability num/den.
  bool Chance(uint64_t num, uint64_t den) { return Below(den) < num; }

 private:
  std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------------------------
// Output: one big buffer per file, written in 1 MiB pieces.

class CsvFile {
 public:
  bool Open(const std::string& path) {
    path_ = path;
    f_ = std::fopen(path.c_str(), "wb");
    buf_.reserve(kChunk + 4096);
    return f_ != nullptr;
  }
  CsvFile& operator<<(absl::string_view s) {
    buf_.append(s.data(), s.size());
    return *this;
  }
  CsvFile& operator<<(char c) {
    buf_.push_back(c);
    return *this;
  }
  CsvFile& Int(int64_t v) {
    char tmp[24];
    auto [p, ec] = std::to_chars(tmp, tmp + sizeof(tmp), v);
    buf_.append(tmp, p);
    return *this;
  }
  // A key: prefix + zero-padded number.
  CsvFile& Key(absl::string_view prefix, uint64_t n, int width) {
    char tmp[24];
    auto [p, ec] = std::to_chars(tmp, tmp + sizeof(tmp), n);
    buf_.append(prefix.data(), prefix.size());
    for (int pad = width - static_cast<int>(p - tmp); pad > 0; --pad) buf_.push_back('0');
    buf_.append(tmp, p);
    return *this;
  }
  void EndRow() {
    buf_.push_back('\n');
    if (buf_.size() >= kChunk) Flush();
  }
  bool Close() {
    Flush();
    const bool ok = f_ != nullptr && !std::ferror(f_);
    if (f_ != nullptr && std::fclose(f_) != 0) return false;
    f_ = nullptr;
    return ok;
  }

 private:
  static constexpr size_t kChunk = size_t{1} << 20;
  void Flush() {
    if (f_ != nullptr && !buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), f_);
    buf_.clear();
  }
  std::string path_;
  std::FILE* f_ = nullptr;
  std::string buf_;
};

// ---------------------------------------------------------------------------------------------
// Vocabulary.

struct Prefecture {
  const char* code;
  const char* name;
  const char* short_name;
  const char* pinyin;
};

// Hunan's 14 prefecture-level divisions (GB/T 2260).
constexpr Prefecture kPrefectures[] = {
    {"430100", "长沙市", "长沙", "Changsha"}, {"430200", "株洲市", "株洲", "Zhuzhou"},
    {"430300", "湘潭市", "湘潭", "Xiangtan"}, {"430400", "衡阳市", "衡阳", "Hengyang"},
    {"430500", "邵阳市", "邵阳", "Shaoyang"}, {"430600", "岳阳市", "岳阳", "Yueyang"},
    {"430700", "常德市", "常德", "Changde"},  {"430800", "张家界市", "张家界", "Zhangjiajie"},
    {"430900", "益阳市", "益阳", "Yiyang"},   {"431000", "郴州市", "郴州", "Chenzhou"},
    {"431100", "永州市", "永州", "Yongzhou"}, {"431200", "怀化市", "怀化", "Huaihua"},
    {"431300", "娄底市", "娄底", "Loudi"},    {"433100", "湘西土家族苗族自治州", "湘西", "Xiangxi"},
};
constexpr int kNumPrefectures = 14;

constexpr const char* kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨",   "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑",   "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁",   "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
    "魏", "吕", "丁", "任", "沈", "欧阳", "谭", "廖", "邹", "贺", "龙", "易", "文", "刘"};
constexpr const char* kGiven[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀", "霞", "平", "刚", "华", "建", "国", "文", "辉", "鹏", "宇", "浩", "凯",
    "俊", "帆", "晨", "欣", "怡", "婷", "雪", "琳", "雨", "思", "子", "涵", "博", "睿", "轩",
    "然", "嘉", "泽", "晓", "红", "卫", "东", "海", "波", "斌", "林", "峰", "湘", "岳", "麓"};
constexpr const char* kFields[] = {
    "先进计算", "人工智能", "种业", "精准医学", "新材料",   "智能制造", "食品工程", "航空动力",
    "储能",     "生物育种", "冶金", "林业工程", "水产育种", "工程机械", "轨道交通", "杂交水稻"};
constexpr const char* kUnivTypes[] = {"理工", "师范", "农业", "医科", "工业",
                                      "科技", "财经", "交通", "林业", "工程"};
constexpr const char* kBrandChars[] = {"华", "湘", "楚", "麓", "潇", "岳", "衡", "芙", "星", "云"};
constexpr const char* kIndustries[] = {"科技", "智能", "材料", "生物", "装备",
                                       "电子", "能源", "医药", "软件", "机械"};
constexpr const char* kProgrammes[] = {"湖南省重点研发计划", "湖南省自然科学基金",
                                       "湖南省科技创新计划", "国家重点研发计划"};
constexpr const char* kAwardCategories[] = {"湖南省自然科学奖", "湖南省技术发明奖",
                                            "湖南省科学技术进步奖", "湖南省创新团队奖",
                                            "湖南省国际科学技术合作奖"};
constexpr int kNumAwardCategories = 5;
constexpr const char* kGrades[] = {"一等奖", "二等奖", "三等奖"};
constexpr const char* kRoles[] = {"教授", "研究员", "副教授", "工程师", "讲师", "博士后"};
constexpr const char* kForms[] = {"联合实验室", "共同专利", "合作协议"};
constexpr const char* kLabLevels[] = {"state key", "provincial", "node"};

template <typename T, size_t N>
const T& Pick(Rng& rng, const T (&arr)[N]) {
  return arr[rng.Below(N)];
}

int Digits(uint64_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// The generator.

// Organisations that employ people, host cooperation and lead projects, in one index space:
// universities, then institutes, labs, enterprises.
enum class OrgKind { kUniversity, kInstitute, kLaboratory, kEnterprise };

struct Sizes {
  uint64_t edges = 0;
  uint64_t persons = 0, universities = 0, institutes = 0, labs = 0, enterprises = 0;
  uint64_t projects = 0;
  int award_years = 0;
  uint64_t orgs() const { return universities + institutes + labs + enterprises; }
};

Sizes SizesFor(uint64_t edges) {
  Sizes s;
  s.edges = edges;
  s.persons = std::max<uint64_t>(60, edges * 2 / 21);
  s.universities = std::max<uint64_t>(3, edges / 10000);
  s.institutes = std::max<uint64_t>(2, edges / 10000);
  s.labs = std::max<uint64_t>(3, edges / 5000);
  s.enterprises = std::max<uint64_t>(5, edges / 1000);
  s.projects = std::max<uint64_t>(5, edges / 500);
  s.award_years = static_cast<int>(std::clamp<uint64_t>(edges / 20000, 2, 24));
  return s;
}

// The edge types written, for the statistics.
enum TypeIndex {
  kLocatedIn = 0,
  kCooperates,
  kParticipates,
  kReceived,
  kEmployed,
  kMember,
  kCollaborates,
  kNumTypes
};
constexpr const char* kTypeNames[kNumTypes] = {
    "LOCATED_IN",  "COOPERATES_WITH", "PARTICIPATES_IN",  "RECEIVED",
    "EMPLOYED_BY", "MEMBER_OF",       "COLLABORATES_WITH"};

// Statistics for the report on stderr.
struct Stats {
  uint64_t nodes = 0;
  uint64_t by_type[kNumTypes] = {};
  uint64_t hub_edges = 0;
  uint64_t max_collab_degree = 0;
  uint64_t max_weight = 0;
};

enum class Profile { kInnovation, kSocial };

class Generator {
 public:
  Generator(const Sizes& sizes, uint64_t seed, const Schema& schema, Profile profile)
      : s_(sizes), rng_(seed), schema_(schema), profile_(profile) {
    person_width_ = std::max(6, Digits(s_.persons - 1));
    ent_width_ = std::max(4, Digits(s_.enterprises - 1));
    lab_width_ = std::max(3, Digits(s_.labs - 1));
    univ_width_ = std::max(3, Digits(s_.universities - 1));
    inst_width_ = std::max(3, Digits(s_.institutes - 1));
    proj_width_ = std::max(4, Digits(s_.projects - 1));
  }

  // Checks the kinds and types this generator writes against the schema.
  std::string CheckSchema() const {
    struct Use {
      const char* type;
      const char* from;
      const char* to;
    };
    const Use uses[] = {
        {"LOCATED_IN", "University", "Region"},
        {"LOCATED_IN", "ResearchInstitute", "Region"},
        {"LOCATED_IN", "Laboratory", "Region"},
        {"LOCATED_IN", "Enterprise", "Region"},
        {"LOCATED_IN", "Region", "Region"},
        {"COOPERATES_WITH", "University", "Enterprise"},
        {"COOPERATES_WITH", "ResearchInstitute", "Laboratory"},
        {"COOPERATES_WITH", "Enterprise", "University"},
        {"COOPERATES_WITH", "Laboratory", "ResearchInstitute"},
        {"PARTICIPATES_IN", "University", "Project"},
        {"PARTICIPATES_IN", "ResearchInstitute", "Project"},
        {"PARTICIPATES_IN", "Laboratory", "Project"},
        {"PARTICIPATES_IN", "Enterprise", "Project"},
        {"PARTICIPATES_IN", "Person", "Project"},
        {"RECEIVED", "Person", "Award"},
        {"RECEIVED", "University", "Award"},
        {"RECEIVED", "Enterprise", "Award"},
        {"RECEIVED", "Laboratory", "Award"},
        {"RECEIVED", "ResearchInstitute", "Award"},
        {"EMPLOYED_BY", "Person", "University"},
        {"EMPLOYED_BY", "Person", "ResearchInstitute"},
        {"EMPLOYED_BY", "Person", "Laboratory"},
        {"EMPLOYED_BY", "Person", "Enterprise"},
        {"MEMBER_OF", "Person", "Laboratory"},
        {"MEMBER_OF", "Person", "Academy"},
        {"COLLABORATES_WITH", "Person", "Person"},
    };
    for (const Use& u : uses) {
      const EdgeTypeSpec* t = schema_.FindType(u.type);
      const NodeKindSpec* from = schema_.FindKind(u.from);
      const NodeKindSpec* to = schema_.FindKind(u.to);
      if (!t || !from || !to) return absl::StrCat("schema lacks ", u.type, "/", u.from, "/", u.to);
      if (!t->AllowsFrom(from->id) || !t->AllowsTo(to->id)) {
        return absl::StrCat("schema does not allow ", u.from, " -", u.type, "-> ", u.to);
      }
    }
    for (const char* point : {"RECEIVED"}) {
      if (schema_.FindType(point)->temporal != Temporal::kPoint) {
        return absl::StrCat(point, " is not a point type");
      }
    }
    if (schema_.FindType("LOCATED_IN")->temporal != Temporal::kNone) {
      return "LOCATED_IN is not timeless";
    }
    // Declared property types: the header declares the same.
    struct Prop {
      const char* owner;
      bool edge;
      const char* name;
      ValueType type;
    };
    const Prop props[] = {
        {"Person", false, "birth_year", ValueType::kInt},
        {"Person", false, "field", ValueType::kString},
        {"University", false, "founded", ValueType::kDate},
        {"University", false, "abbreviation", ValueType::kString},
        {"Laboratory", false, "established", ValueType::kDate},
        {"Laboratory", false, "level", ValueType::kString},
        {"Laboratory", false, "field", ValueType::kString},
        {"Enterprise", false, "founded", ValueType::kDate},
        {"Enterprise", false, "industry", ValueType::kString},
        {"Academy", false, "abbreviation", ValueType::kString},
        {"Project", false, "budget", ValueType::kDouble},
        {"Project", false, "programme", ValueType::kString},
        {"Award", false, "year", ValueType::kInt},
        {"Region", false, "code", ValueType::kString},
        {"Region", false, "level", ValueType::kString},
        {"EMPLOYED_BY", true, "role", ValueType::kString},
        {"MEMBER_OF", true, "role", ValueType::kString},
        {"PARTICIPATES_IN", true, "role", ValueType::kString},
        {"RECEIVED", true, "grade", ValueType::kString},
        {"RECEIVED", true, "rank", ValueType::kInt},
        {"RECEIVED", true, "year", ValueType::kInt},
        {"COOPERATES_WITH", true, "form", ValueType::kString},
    };
    for (const Prop& p : props) {
      const PropertySpec* spec = p.edge ? schema_.FindType(p.owner)->FindProperty(p.name)
                                        : schema_.FindKind(p.owner)->FindProperty(p.name);
      if (spec == nullptr || spec->type != p.type) {
        return absl::StrCat(p.owner, ".", p.name, " is not declared ", ValueTypeName(p.type));
      }
    }
    return "";
  }

  bool Run(const std::string& dir, Stats* stats) {
    if (!nodes_.Open(dir + "/nodes.csv") || !edges_.Open(dir + "/edges.csv")) {
      std::fprintf(stderr, "innograph-generate: cannot write to '%s'\n", dir.c_str());
      return false;
    }
    stats_ = stats;
    WriteNodes();
    edges_ << "from,type,to,valid_from,valid_to,weight,role,grade,rank:int,year:int,form";
    edges_.EndRow();
    WriteOrganisationEdges();
    if (profile_ == Profile::kSocial) {
      WritePersonEdgesSocial();
      if (!WriteCollaborationsSocial()) return false;
    } else {
      WritePersonEdges();
      if (!WriteCollaborations()) return false;
    }
    const bool nodes_ok = nodes_.Close();
    const bool ok = edges_.Close() && nodes_ok;
    if (!ok) std::fprintf(stderr, "innograph-generate: writing to '%s' failed\n", dir.c_str());
    return ok;
  }

 private:
  // --- Keys -----------------------------------------------------------------------------------

  uint64_t hub() const { return 0; }  // Org index of univ/000.

  OrgKind KindOf(uint64_t org, uint64_t* local) const {
    if (org < s_.universities) {
      *local = org;
      return OrgKind::kUniversity;
    }
    org -= s_.universities;
    if (org < s_.institutes) {
      *local = org;
      return OrgKind::kInstitute;
    }
    org -= s_.institutes;
    if (org < s_.labs) {
      *local = org;
      return OrgKind::kLaboratory;
    }
    *local = org - s_.labs;
    return OrgKind::kEnterprise;
  }
  void OrgKey(CsvFile& f, uint64_t org) {
    uint64_t local;
    switch (KindOf(org, &local)) {
      case OrgKind::kUniversity:
        f.Key("univ/", local, univ_width_);
        break;
      case OrgKind::kInstitute:
        f.Key("inst/", local, inst_width_);
        break;
      case OrgKind::kLaboratory:
        f.Key("lab/", local, lab_width_);
        break;
      case OrgKind::kEnterprise:
        f.Key("ent/", local, ent_width_);
        break;
    }
  }
  void PersonKey(CsvFile& f, uint64_t p) { f.Key("person/", p, person_width_); }
  void ProjectKey(CsvFile& f, uint64_t j) { f.Key("project/", j, proj_width_); }
  void AwardKey(CsvFile& f, uint64_t a) { f.Key("award/", a, 3); }
  uint64_t num_awards() const {
    return static_cast<uint64_t>(kNumAwardCategories) * s_.award_years;
  }
  int AwardYear(uint64_t a) const { return 2024 - s_.award_years + static_cast<int>(a) / 5; }

  // --- Edges ----------------------------------------------------------------------------------

  // Starts an edge row: from and type; the caller writes `,to` and the rest.
  void EdgeStart(const char* type, int type_index) {
    ++stats_->by_type[type_index];
    edges_ << ',' << type << ',';
  }
  // valid_from,valid_to,weight,role,grade,rank,year,form after the `to` column.
  void Tail(absl::string_view from, absl::string_view to, uint64_t weight, absl::string_view role,
            absl::string_view grade = "", int rank = 0, int year = 0, absl::string_view form = "") {
    edges_ << ',' << from << ',' << to << ',';
    if (weight > 0) edges_.Int(static_cast<int64_t>(weight));
    edges_ << ',' << role << ',' << grade << ',';
    if (rank > 0) edges_.Int(rank);
    edges_ << ',';
    if (year > 0) edges_.Int(year);
    edges_ << ',' << form;
    edges_.EndRow();
  }
  static std::string Year(int y) { return absl::StrCat(y); }

  // Picks an organisation with a heavy-tailed size distribution: with probability 7/10 one
  // chosen before (so big ones grow), else uniformly. `exclude` is never returned.
  // The social profile picks uniformly (no organisation grows big).
  uint64_t PickOrg(uint64_t exclude) {
    for (int attempt = 0; attempt < 64; ++attempt) {
      uint64_t org;
      if (profile_ == Profile::kSocial) {
        org = rng_.Below(s_.orgs());
        if (org != exclude) return org;
        continue;
      }
      if (!org_picks_.empty() && rng_.Chance(7, 10)) {
        org = org_picks_[rng_.Below(org_picks_.size())];
      } else {
        org = rng_.Below(s_.orgs());
      }
      if (org != exclude) {
        org_picks_.push_back(static_cast<uint32_t>(org));
        return org;
      }
    }
    return exclude == 1 ? 2 : 1;
  }

  // --- Nodes ----------------------------------------------------------------------------------

  void NodeRow(absl::string_view kind, absl::string_view name, absl::string_view aliases) {
    nodes_ << ',' << kind << ',' << name << ',' << aliases;
    ++stats_->nodes;
  }

  void WriteNodes() {
    nodes_ << "key,kind,name,aliases,field,birth_year:int,abbreviation,founded:date,level,"
              "established:date,industry,programme,budget:double,year:int,code";
    nodes_.EndRow();
    // Columns after aliases: field,birth_year,abbreviation,founded,level,established,industry,
    // programme,budget,year,code (11).
    nodes_ << "region/430000";
    NodeRow("Region", "湖南省", "Hunan");
    nodes_ << ",,,,,province,,,,,,430000";
    nodes_.EndRow();
    for (const Prefecture& p : kPrefectures) {
      nodes_ << "region/" << p.code;
      NodeRow("Region", p.name, p.pinyin);
      nodes_ << ",,,,,prefecture,,,,,," << p.code;
      nodes_.EndRow();
    }
    nodes_ << "academy/000";
    NodeRow("Academy", "湘楚科学院", "Xiangchu Academy of Sciences|XAS");
    nodes_ << ",,,XAS,,,,,,,,";
    nodes_.EndRow();
    nodes_ << "academy/001";
    NodeRow("Academy", "湘楚工程院", "Xiangchu Academy of Engineering|XAE");
    nodes_ << ",,,XAE,,,,,,,,";
    nodes_.EndRow();
    std::string name;
    for (uint64_t o = 0; o < s_.orgs(); ++o) {
      uint64_t i;
      const OrgKind kind = KindOf(o, &i);
      const Prefecture& city = kPrefectures[CityOf(o)];
      OrgKey(nodes_, o);
      switch (kind) {
        case OrgKind::kUniversity: {
          name = o == hub() ? std::string("湘江综合大学")
                            : absl::StrCat(city.short_name, Pick(rng_, kUnivTypes), "大学");
          if (o != hub() && i >= 10) absl::StrAppend(&name, " ", i);
          const std::string abbr = absl::StrCat("SU", i);
          NodeRow("University", name, "");
          nodes_ << ",," << ',' << abbr << ',';
          nodes_.Int(rng_.Between(1900, 2010)) << "-0" << static_cast<char>('1' + rng_.Below(9))
                                               << "-1" << static_cast<char>('0' + rng_.Below(9));
          nodes_ << ",,,,,,,";
          break;
        }
        case OrgKind::kInstitute:
          name = absl::StrCat(city.short_name, Pick(rng_, kFields), "研究院");
          if (i >= 10) absl::StrAppend(&name, " ", i);
          NodeRow("ResearchInstitute", name, "");
          nodes_ << ",,,,,,,,,,,";
          break;
        case OrgKind::kLaboratory: {
          const char* field = Pick(rng_, kFields);
          name = absl::StrCat(field, "实验室 ", i);
          NodeRow("Laboratory", name, "");
          nodes_ << ',' << field << ",,,," << Pick(rng_, kLabLevels) << ',';
          nodes_.Int(rng_.Between(1985, 2023));
          nodes_ << ",,,,,";
          break;
        }
        case OrgKind::kEnterprise: {
          const char* industry = Pick(rng_, kIndustries);
          name = absl::StrCat(city.short_name, Pick(rng_, kBrandChars), Pick(rng_, kBrandChars),
                              industry, "有限公司");
          if (i >= 100) absl::StrAppend(&name, " ", i);
          NodeRow("Enterprise", name, "");
          nodes_ << ",,,,";
          nodes_.Int(rng_.Between(1990, 2023));
          nodes_ << ",,," << industry << ",,,,";
          break;
        }
      }
      nodes_.EndRow();
    }
    for (uint64_t j = 0; j < s_.projects; ++j) {
      ProjectKey(nodes_, j);
      const char* programme = Pick(rng_, kProgrammes);
      name = absl::StrCat(Pick(rng_, kFields), "关键技术研究 ", j);
      NodeRow("Project", name, "");
      nodes_ << ",,,,,,,," << programme << ',';
      // Budget in CNY with two decimals: an exact double text from integers.
      nodes_.Int(rng_.Between(10, 5000) * 10000)
          << '.' << static_cast<char>('0' + rng_.Below(10)) << '5';
      nodes_ << ",,";
      nodes_.EndRow();
    }
    for (uint64_t a = 0; a < num_awards(); ++a) {
      AwardKey(nodes_, a);
      const int year = AwardYear(a);
      name = absl::StrCat(year, "年度", kAwardCategories[a % kNumAwardCategories]);
      NodeRow("Award", name, "");
      nodes_ << ",,,,,,,,,,";
      nodes_.Int(year) << ',';
      nodes_.EndRow();
    }
    for (uint64_t p = 0; p < s_.persons; ++p) {
      PersonKey(nodes_, p);
      name = Pick(rng_, kSurnames);
      name += Pick(rng_, kGiven);
      if (rng_.Chance(3, 5)) name += Pick(rng_, kGiven);
      const int birth = rng_.Between(1940, 1996);
      birth_.push_back(static_cast<uint16_t>(birth));
      NodeRow("Person", name, "");
      nodes_ << ',' << Pick(rng_, kFields) << ',';
      nodes_.Int(birth) << ",,,,,,,,,";
      nodes_.EndRow();
    }
  }

  // Organisations cluster in Changsha: 40% there, the rest spread.
  int CityOf(uint64_t org) const {
    const uint64_t h = (org * 0x9E3779B97F4A7C15ULL) >> 32;
    return org == hub() || h % 10 < 4 ? 0 : static_cast<int>(1 + h % (kNumPrefectures - 1));
  }

  void WriteOrganisationEdges() {
    // Regions in the province; organisations in their city.
    for (const Prefecture& p : kPrefectures) {
      edges_ << "region/" << p.code;
      EdgeStart("LOCATED_IN", kLocatedIn);
      edges_ << "region/430000";
      Tail("", "", 0, "");
    }
    for (uint64_t o = 0; o < s_.orgs(); ++o) {
      OrgKey(edges_, o);
      EdgeStart("LOCATED_IN", kLocatedIn);
      edges_ << "region/" << kPrefectures[CityOf(o)].code;
      Tail("", "", 0, "");
      if (o == hub()) ++stats_->hub_edges;
    }
    // Cooperation: about one distinct pair per organisation (the set only answers membership;
    // its iteration order is never used, so it does not affect determinism).
    std::unordered_set<uint64_t> pairs;
    for (uint64_t k = 0; k < 2 * s_.orgs() && pairs.size() < s_.orgs(); ++k) {
      uint64_t a = PickOrg(s_.orgs());
      uint64_t b = PickOrg(a);
      if (a > b) std::swap(a, b);
      if (!pairs.insert(a * s_.orgs() + b).second) continue;
      const int from = rng_.Between(2000, 2023);
      OrgKey(edges_, a);
      EdgeStart("COOPERATES_WITH", kCooperates);
      OrgKey(edges_, b);
      Tail(Year(from), rng_.Chance(1, 2) ? "" : Year(std::min(2024, from + rng_.Between(1, 6))), 0,
           "", "", 0, 0, Pick(rng_, kForms));
      if (a == hub() || b == hub()) ++stats_->hub_edges;
    }
    // Projects: a lead unit and up to two partners, over the project's years.
    project_years_.resize(s_.projects);
    for (uint64_t j = 0; j < s_.projects; ++j) {
      const int start = rng_.Between(2005, 2023);
      const int end = std::min(2027, start + rng_.Between(2, 5));
      project_years_[j] = {static_cast<uint16_t>(start), static_cast<uint16_t>(end)};
      // A unit takes part once per project (else two lines would name the same edge).
      const int partners = static_cast<int>(rng_.Below(3));
      uint64_t units[3] = {PickOrg(s_.orgs()), 0, 0};
      for (int k = 1; k <= partners; ++k) {
        do {
          units[k] = PickOrg(units[0]);
        } while (k == 2 && units[2] == units[1]);
      }
      for (int k = 0; k <= partners; ++k) {
        OrgKey(edges_, units[k]);
        EdgeStart("PARTICIPATES_IN", kParticipates);
        ProjectKey(edges_, j);
        Tail(Year(start), Year(end), 0, k == 0 ? "lead unit" : "partner unit");
        if (units[k] == hub()) ++stats_->hub_edges;
      }
    }
    // Organisations receive awards (innovation team and progress awards go to units too).
    for (uint64_t o = 0; o < s_.orgs(); ++o) {
      if (o != hub() && !rng_.Chance(1, 10)) continue;
      const uint64_t a = rng_.Below(num_awards());
      OrgKey(edges_, o);
      EdgeStart("RECEIVED", kReceived);
      AwardKey(edges_, a);
      Tail(AwardDate(a), "", 0, "", Pick(rng_, kGrades), 0, AwardYear(a));
      if (o == hub()) ++stats_->hub_edges;
    }
  }

  // All receipts of one award share the ceremony date, early in the following year.
  std::string AwardDate(uint64_t a) const {
    return absl::StrFormat("%04d-%02d-%02d", AwardYear(a) + 1, 1 + (a * 7) % 4, 1 + (a * 13) % 28);
  }

  // Employment, memberships, project roles and awards of people. The hub's employment fills its
  // edge count up to exactly edges/10.
  void WritePersonEdges() {
    const uint64_t hub_target = s_.edges / 10;
    uint64_t hub_needed = hub_target > stats_->hub_edges ? hub_target - stats_->hub_edges : 0;
    // People in random order: the first ones (as many as needed) work at the hub.
    std::vector<uint32_t> order(s_.persons);
    for (uint64_t p = 0; p < s_.persons; ++p) order[p] = static_cast<uint32_t>(p);
    Shuffle(&order);
    // How many hub people get two stints, so that the count comes out exact.
    for (uint32_t p : order) {
      const int birth = birth_[p];
      const int career = std::max(1980, birth + 24);
      if (hub_needed > 0) {
        const bool twice = hub_needed >= 2 && career <= 2008 && rng_.Chance(3, 10);
        if (twice) {
          // E.g. 2001-2008, then 2012-open.
          const int s1 = rng_.Between(career, 2008);
          const int e1 = std::min(2016, s1 + rng_.Between(1, 8));
          const int s2 = std::min(2023, e1 + rng_.Between(2, 6));
          Employed(p, hub(), Year(s1), Year(e1));
          Employed(p, hub(), Year(s2), "");
          hub_needed -= 2;
          stats_->hub_edges += 2;
        } else {
          const int s = rng_.Between(career, 2023);
          if (s >= career + 4 && rng_.Chance(1, 4)) {
            // An earlier job elsewhere.
            const int s0 = rng_.Between(career, s - 3);
            Employed(p, PickOrg(hub()), Year(s0), Year(rng_.Between(s0 + 1, s - 1)));
          }
          Employed(p, hub(), Year(s), rng_.Chance(7, 10) ? "" : Year(rng_.Between(s, 2024)));
          hub_needed -= 1;
          stats_->hub_edges += 1;
        }
      } else {
        const uint64_t org = PickOrg(hub());
        if (career <= 2008 && rng_.Chance(1, 5)) {
          TwoStints(p, org, career);
        } else {
          const int s = rng_.Between(career, 2023);
          Employed(p, org, Year(s), rng_.Chance(7, 10) ? "" : Year(rng_.Between(s, 2024)));
        }
      }
    }
    if (hub_needed > 0) {
      std::fprintf(stderr, "innograph-generate: warning: hub short by %llu edges\n",
                   static_cast<unsigned long long>(hub_needed));
    }
    for (uint64_t p = 0; p < s_.persons; ++p) {
      const int career = std::max(1980, birth_[p] + 24);
      // Memberships: a lab for one in ten; an academy for three in a thousand.
      if (rng_.Chance(1, 10)) {
        MemberOfLab(p, s_.universities + s_.institutes + rng_.Below(s_.labs), career);
      }
      if (rng_.Chance(3, 1000)) Academician(p);
      // Projects: none, one or two distinct ones.
      const int k = static_cast<int>(rng_.Below(3));
      uint64_t first = s_.projects;
      for (int i = 0; i < k; ++i) {
        const uint64_t j = rng_.Below(s_.projects);
        if (j == first) continue;
        first = j;
        Participates(p, j);
      }
      // Awards: one in twenty people.
      if (rng_.Chance(1, 20)) Received(p, rng_.Below(num_awards()));
    }
  }

  // --- Edges of one person, shared by the profiles (each draws its random numbers in the order
  // written, so a profile's output does not change when these are called from elsewhere).

  // Two stints at one organisation, e.g. 2001-2008, then 2012-open.
  void TwoStints(uint64_t p, uint64_t org, int career) {
    const int s1 = rng_.Between(career, 2008);
    const int e1 = std::min(2016, s1 + rng_.Between(1, 8));
    Employed(p, org, Year(s1), Year(e1));
    Employed(p, org, Year(std::min(2023, e1 + rng_.Between(2, 6))), "");
  }

  void MemberOfLab(uint64_t p, uint64_t lab, int career) {
    const int s = rng_.Between(career, 2023);
    PersonKey(edges_, p);
    EdgeStart("MEMBER_OF", kMember);
    OrgKey(edges_, lab);
    Tail(Year(s), rng_.Chance(1, 2) ? "" : Year(rng_.Between(s, 2024)), 0, "member");
  }

  void Academician(uint64_t p) {
    PersonKey(edges_, p);
    EdgeStart("MEMBER_OF", kMember);
    edges_ << (rng_.Chance(1, 2) ? "academy/000" : "academy/001");
    Tail(Year(rng_.Between(std::min(2023, std::max(1995, birth_[p] + 40)), 2023)), "", 0,
         "academician");
  }

  void Participates(uint64_t p, uint64_t project) {
    PersonKey(edges_, p);
    EdgeStart("PARTICIPATES_IN", kParticipates);
    ProjectKey(edges_, project);
    Tail(Year(project_years_[project].first), Year(project_years_[project].second), 0,
         rng_.Chance(1, 8) ? "PI" : "member");
  }

  void Received(uint64_t p, uint64_t award) {
    PersonKey(edges_, p);
    EdgeStart("RECEIVED", kReceived);
    AwardKey(edges_, award);
    Tail(AwardDate(award), "", 0, "", Pick(rng_, kGrades), rng_.Between(1, 10), AwardYear(award));
  }

  // --- The social profile ---------------------------------------------------------------------
  //
  // People of one block of about persons/orgs consecutive numbers share a home organisation,
  // and their labs and projects follow the same order, so colleagues, lab mates and project
  // teams are neighbours in person order; collaborations favour that neighbourhood.

  uint64_t HomeOrg(uint64_t p) const { return p * s_.orgs() / s_.persons; }

  void WritePersonEdgesSocial() {
    for (uint64_t p = 0; p < s_.persons; ++p) {
      const int career = std::max(1980, birth_[p] + 24);
      const uint64_t org = HomeOrg(p);
      if (career <= 2008 && rng_.Chance(1, 5)) {
        TwoStints(p, org, career);
      } else {
        const int s = rng_.Between(career, 2023);
        if (s >= career + 4 && rng_.Chance(1, 4)) {
          // An earlier job at the next organisation.
          const int s0 = rng_.Between(career, s - 3);
          Employed(p, (org + 1) % s_.orgs(), Year(s0), Year(rng_.Between(s0 + 1, s - 1)));
        }
        Employed(p, org, Year(s), rng_.Chance(7, 10) ? "" : Year(rng_.Between(s, 2024)));
      }
      // Memberships: the block's lab for one in ten; an academy for three in a thousand.
      if (rng_.Chance(1, 10)) {
        MemberOfLab(p, s_.universities + s_.institutes + p * s_.labs / s_.persons, career);
      }
      if (rng_.Chance(3, 1000)) Academician(p);
      // Projects: none, one or two distinct ones among the four of the block.
      const int k = static_cast<int>(rng_.Below(3));
      uint64_t first = s_.projects;
      for (int i = 0; i < k; ++i) {
        const uint64_t j = (p * s_.projects / s_.persons + rng_.Below(4)) % s_.projects;
        if (j == first) continue;
        first = j;
        Participates(p, j);
      }
      // Awards: one in twenty people.
      if (rng_.Chance(1, 20)) Received(p, rng_.Below(num_awards()));
    }
  }

  static uint64_t ISqrt(uint64_t x) {
    uint64_t r = 0;
    for (uint64_t bit = uint64_t{1} << 62; bit != 0; bit >>= 2) {
      if (x >= r + bit) {
        x -= r + bit;
        r = (r >> 1) + bit;
      } else {
        r >>= 1;
      }
    }
    return r;
  }

  // Collaborations of the social profile: a Chung-Lu graph with locality. Each person gets a
  // weight 2^32 / isqrt(r + r0) for its rank r in a random order, i.e. proportional to
  // (r + r0)^(-1/2): expected degrees follow a power law with exponent 3, cut off at about
  // kMaxToMean times the mean by r0. Each edge takes one end with probability proportional to
  // weight; the other end, with probability kLocalNum/kLocalDen, is a person within kWindow
  // numbers of it (the same or a nearby organisation), else anyone, in both cases again in
  // proportion to weight (by rejection). A pair drawn again raises its edge's weight. The edge
  // count fills the budget exactly.
  static constexpr uint64_t kMaxToMean = 10;
  static constexpr uint64_t kWindow = 30;
  static constexpr uint64_t kLocalNum = 5, kLocalDen = 7;

  bool WriteCollaborationsSocial() {
    uint64_t used = 0;
    for (int t = 0; t < kNumTypes; ++t) used += stats_->by_type[t];
    const uint64_t n = s_.persons;
    if (used > s_.edges || s_.edges - used < s_.edges / 4 || s_.edges - used > n * (n - 1) / 4) {
      std::fprintf(stderr, "innograph-generate: internal: edge budget exhausted (%llu of %llu)\n",
                   static_cast<unsigned long long>(used),
                   static_cast<unsigned long long>(s_.edges));
      return false;
    }
    const uint64_t wanted = s_.edges - used;
    std::vector<uint32_t> rank(n);
    for (uint64_t p = 0; p < n; ++p) rank[p] = static_cast<uint32_t>(p);
    Shuffle(&rank);
    // Mean of (r + r0)^(-1/2) over r < n is about 2/sqrt(n) (r0 << n); the largest, r0^(-1/2),
    // is kMaxToMean times that for r0 = n / (2 kMaxToMean)^2.
    const uint64_t r0 = std::max<uint64_t>(1, n / (4 * kMaxToMean * kMaxToMean));
    std::vector<uint64_t> weight(n), cumulative(n);
    uint64_t total = 0;
    for (uint64_t p = 0; p < n; ++p) {
      weight[p] = (uint64_t{1} << 32) / ISqrt(rank[p] + r0);
      total += weight[p];
      cumulative[p] = total;
    }
    const uint64_t max_weight = (uint64_t{1} << 32) / ISqrt(r0);
    const uint64_t window = std::min<uint64_t>(kWindow, (n - 1) / 2);
    auto weighted = [&]() -> uint64_t {
      const uint64_t x = rng_.Below(total);
      return static_cast<uint64_t>(std::upper_bound(cumulative.begin(), cumulative.end(), x) -
                                   cumulative.begin());
    };
    struct Drawn {
      uint32_t a, b, weight;
    };
    std::vector<Drawn> drawn;
    drawn.reserve(wanted);
    absl::flat_hash_map<uint64_t, uint32_t> index;  // Pair -> position in drawn (lookups only).
    index.reserve(wanted);
    std::vector<uint32_t> degree(n, 0);
    for (uint64_t attempts = 0; drawn.size() < wanted; ++attempts) {
      if (attempts > 64 * wanted) {
        std::fprintf(stderr, "innograph-generate: internal: too few distinct collaborations\n");
        return false;
      }
      const uint64_t a = weighted();
      uint64_t b;
      if (rng_.Chance(kLocalNum, kLocalDen)) {
        do {
          const uint64_t d = 1 + rng_.Below(window);
          b = rng_.Chance(1, 2) ? (a + d) % n : (a + n - d) % n;
        } while (rng_.Below(max_weight) >= weight[b]);
      } else {
        b = weighted();
        if (b == a) continue;
      }
      const uint64_t key = std::min(a, b) * n + std::max(a, b);
      auto [it, fresh] = index.try_emplace(key, static_cast<uint32_t>(drawn.size()));
      if (!fresh) {
        ++drawn[it->second].weight;  // Drawn again: a stronger collaboration.
        continue;
      }
      drawn.push_back({static_cast<uint32_t>(a), static_cast<uint32_t>(b), 1});
      ++degree[a];
      ++degree[b];
    }
    for (Drawn& d : drawn) {
      uint64_t w = d.weight;
      if (rng_.Chance(1, 8)) w += static_cast<uint64_t>(rng_.Between(1, 5));
      stats_->max_weight = std::max(stats_->max_weight, w);
      const bool flip = rng_.Chance(1, 2);
      PersonKey(edges_, flip ? d.b : d.a);
      EdgeStart("COLLABORATES_WITH", kCollaborates);
      PersonKey(edges_, flip ? d.a : d.b);
      const int from = rng_.Between(1995, 2023);
      Tail(Year(from), rng_.Chance(1, 2) ? "" : Year(std::min(2024, from + rng_.Between(0, 8))), w,
           "");
    }
    for (uint32_t d : degree)
      stats_->max_collab_degree = std::max<uint64_t>(stats_->max_collab_degree, d);
    return true;
  }

  void Employed(uint64_t person, uint64_t org, const std::string& from, const std::string& to) {
    PersonKey(edges_, person);
    EdgeStart("EMPLOYED_BY", kEmployed);
    OrgKey(edges_, org);
    Tail(from, to, 0, Pick(rng_, kRoles));
  }

  template <typename T>
  void Shuffle(std::vector<T>* v) {
    for (size_t i = v->size(); i > 1; --i) std::swap((*v)[i - 1], (*v)[rng_.Below(i)]);
  }

  // Co-authorship by attachment (Price's model): people join in a random order; each joins
  // with m links to earlier people, each target chosen with probability q = 10/13
  // proportionally to the links it has received (a uniform element of `targets`) and else
  // uniformly. Counting received links only (not a newcomer's own m) is what puts the exponent
  // at 1 + 1/q = 2.3 rather than above 3. The edge count fills the budget exactly.
  bool WriteCollaborations() {
    uint64_t used = 0;
    for (int t = 0; t < kNumTypes; ++t) used += stats_->by_type[t];
    if (used > s_.edges || s_.edges - used < s_.edges / 4) {
      std::fprintf(stderr, "innograph-generate: internal: edge budget exhausted (%llu of %llu)\n",
                   static_cast<unsigned long long>(used),
                   static_cast<unsigned long long>(s_.edges));
      return false;
    }
    uint64_t remaining = s_.edges - used;
    const uint64_t n = s_.persons;
    std::vector<uint32_t> person(n);  // Join order -> person number.
    for (uint64_t p = 0; p < n; ++p) person[p] = static_cast<uint32_t>(p);
    Shuffle(&person);
    std::vector<uint32_t> targets;  // Join indexes, once per link received.
    targets.reserve(remaining);
    std::vector<uint32_t> degree(n, 0);
    std::vector<std::pair<uint32_t, uint32_t>> chosen;  // (target, weight) of one newcomer.
    for (uint64_t b = 1; b < n && remaining > 0; ++b) {
      // Links for this newcomer: on average what is left over the people left, varied +-100%.
      const uint64_t people_left = n - b;
      const uint64_t mean = (remaining + people_left - 1) / people_left;
      uint64_t m = people_left == 1 ? remaining : 1 + rng_.Below(2 * mean - 1);
      m = std::min({m, b, remaining});
      chosen.clear();
      uint64_t attempts = 0;
      while (chosen.size() < m) {
        uint64_t target;
        if (++attempts > 8 * m + 64) {
          // Dense corner of tiny graphs: take the next earlier person not chosen yet.
          target = rng_.Below(b);
          while (std::any_of(chosen.begin(), chosen.end(),
                             [&](const auto& c) { return c.first == target; })) {
            target = (target + 1) % b;
          }
        } else if (!targets.empty() && rng_.Chance(10, 13)) {
          target = targets[rng_.Below(targets.size())];
        } else {
          target = rng_.Below(b);
        }
        auto it = std::find_if(chosen.begin(), chosen.end(),
                               [&](const auto& c) { return c.first == target; });
        if (it != chosen.end()) {
          ++it->second;  // Picked again: a stronger collaboration.
          continue;
        }
        chosen.emplace_back(static_cast<uint32_t>(target), 1);
      }
      for (auto& [target, weight] : chosen) {
        if (rng_.Chance(1, 8)) weight += static_cast<uint32_t>(rng_.Between(1, 5));
        targets.push_back(target);
        ++degree[b];
        ++degree[target];
        stats_->max_weight = std::max<uint64_t>(stats_->max_weight, weight);
        const bool flip = rng_.Chance(1, 2);
        PersonKey(edges_, person[flip ? target : b]);
        EdgeStart("COLLABORATES_WITH", kCollaborates);
        PersonKey(edges_, person[flip ? b : target]);
        const int from = rng_.Between(1995, 2023);
        Tail(Year(from), rng_.Chance(1, 2) ? "" : Year(std::min(2024, from + rng_.Between(0, 8))),
             weight, "");
      }
      remaining -= chosen.size();
    }
    for (uint32_t d : degree)
      stats_->max_collab_degree = std::max<uint64_t>(stats_->max_collab_degree, d);
    if (remaining > 0) {
      std::fprintf(stderr, "innograph-generate: internal: %llu collaborations left over\n",
                   static_cast<unsigned long long>(remaining));
      return false;
    }
    return true;
  }

  const Sizes s_;
  Rng rng_;
  const Schema& schema_;
  const Profile profile_;
  Stats* stats_ = nullptr;
  CsvFile nodes_, edges_;
  int person_width_, ent_width_, lab_width_, univ_width_, inst_width_, proj_width_;
  std::vector<uint16_t> birth_;
  std::vector<std::pair<uint16_t, uint16_t>> project_years_;
  std::vector<uint32_t> org_picks_;
};

int Usage() {
  std::fprintf(stderr,
               "usage: innograph-generate --out DIR [--edges N] [--seed S] [--profile P]\n"
               "  Writes DIR/nodes.csv and DIR/edges.csv: a synthetic innovation system with\n"
               "  exactly N edges (1000..100000000, default 100000) and about N/10 nodes.\n"
               "  --profile innovation (default): preferential collaborations, one hub\n"
               "  organisation with N/10 edges; --profile social: power-law degrees without\n"
               "  hubs and local collaborations (small neighbourhoods).\n"
               "  The same seed (default 1), N and profile give byte-identical files.\n");
  return 2;
}

int Main(int argc, char** argv) {
  std::string out;
  uint64_t edges = 100000;
  uint64_t seed = 1;
  Profile profile = Profile::kInnovation;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    auto value = [&](absl::string_view name) -> const char* {
      if (arg == name && i + 1 < argc) return argv[++i];
      return nullptr;
    };
    if (const char* v = value("--out")) {
      out = v;
    } else if (const char* v = value("--edges")) {
      if (!absl::SimpleAtoi(v, &edges)) return Usage();
    } else if (const char* v = value("--seed")) {
      if (!absl::SimpleAtoi(v, &seed)) return Usage();
    } else if (const char* v = value("--profile")) {
      if (absl::string_view(v) == "innovation") {
        profile = Profile::kInnovation;
      } else if (absl::string_view(v) == "social") {
        profile = Profile::kSocial;
      } else {
        return Usage();
      }
    } else {
      return Usage();
    }
  }
  if (out.empty() || edges < 1000 || edges > 100000000) return Usage();
  const auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const Schema> schema = Schema::Default();
  Generator gen(SizesFor(edges), seed, *schema, profile);
  if (std::string err = gen.CheckSchema(); !err.empty()) {
    std::fprintf(stderr, "innograph-generate: %s\n", err.c_str());
    return 1;
  }
  Stats stats;
  if (!gen.Run(out, &stats)) return 1;
  uint64_t total = 0;
  for (uint64_t c : stats.by_type) total += c;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr,
               "innograph-generate: %llu nodes, %llu edges in %.1f s (seed %llu); hub univ/000: "
               "%llu edges; max collaborators %llu; max weight %llu\n",
               static_cast<unsigned long long>(stats.nodes), static_cast<unsigned long long>(total),
               seconds, static_cast<unsigned long long>(seed),
               static_cast<unsigned long long>(stats.hub_edges),
               static_cast<unsigned long long>(stats.max_collab_degree),
               static_cast<unsigned long long>(stats.max_weight));
  for (int t = 0; t < kNumTypes; ++t) {
    std::fprintf(stderr, "  %-18s %llu\n", kTypeNames[t],
                 static_cast<unsigned long long>(stats.by_type[t]));
  }
  return 0;
}

}  // namespace
}  // namespace innograph::bench

int main(int argc, char** argv) { return innograph::bench::Main(argc, argv); }
