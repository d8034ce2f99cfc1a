#include "server/convert.h"

#include "absl/strings/str_cat.h"
#include "graph/model/status.h"

namespace innograph::server {
namespace {

absl::StatusOr<Value> ValueFromProto(const v1::Value& v, const std::string& field) {
  switch (v.kind_case()) {
    case v1::Value::kStringValue:
      return Value(v.string_value());
    case v1::Value::kIntValue:
      return Value(v.int_value());
    case v1::Value::kDoubleValue:
      return Value(v.double_value());
    case v1::Value::kBoolValue:
      return Value(v.bool_value());
    case v1::Value::kDateValue: {
      auto d = ParseDate(v.date_value(), DateRounding::kStart);
      if (!d.ok()) return WithContext(d.status(), field);
      return Value(*d);
    }
    case v1::Value::KIND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": value has no kind set"));
}

void ValueToProto(const Value& v, v1::Value* out) {
  struct Visitor {
    v1::Value* out;
    void operator()(const std::string& s) { out->set_string_value(s); }
    void operator()(int64_t i) { out->set_int_value(i); }
    void operator()(double d) { out->set_double_value(d); }
    void operator()(bool b) { out->set_bool_value(b); }
    void operator()(Date d) { out->set_date_value(FormatDate(d)); }
  };
  std::visit(Visitor{out}, v);
}

template <typename In>
absl::Status CommonFromProto(const In& in, PropertyMap* props, std::vector<Citation>* sources) {
  for (const auto& [name, value] : in.properties()) {
    ASSIGN_OR_RETURN((*props)[name], ValueFromProto(value, absl::StrCat("properties.", name)));
  }
  for (const v1::Citation& c : in.sources()) sources->push_back({c.source(), c.locator()});
  return absl::OkStatus();
}

template <typename Out>
void CommonToProto(const PropertyMap& props, const std::vector<Citation>& sources, Out* out) {
  for (const auto& [name, value] : props) ValueToProto(value, &(*out->mutable_properties())[name]);
  for (const Citation& c : sources) {
    v1::Citation* pc = out->add_sources();
    pc->set_source(c.source);
    pc->set_locator(c.locator);
  }
}

v1::PropertyType PropertyTypeToProto(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return v1::PROPERTY_TYPE_STRING;
    case ValueType::kInt:
      return v1::PROPERTY_TYPE_INT;
    case ValueType::kDouble:
      return v1::PROPERTY_TYPE_DOUBLE;
    case ValueType::kBool:
      return v1::PROPERTY_TYPE_BOOL;
    case ValueType::kDate:
      return v1::PROPERTY_TYPE_DATE;
  }
  return v1::PROPERTY_TYPE_UNSPECIFIED;
}

template <typename Out>
void PropertySpecsToProto(const std::vector<PropertySpec>& specs, Out* out) {
  for (const PropertySpec& s : specs) {
    v1::PropertySpec* p = out->add_properties();
    p->set_name(s.name);
    p->set_type(PropertyTypeToProto(s.type));
    p->set_required(s.required);
    p->set_description(s.description);
  }
}

}  // namespace

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

absl::Status WithContext(const absl::Status& s, absl::string_view context) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(context, ": ", s.message()));
}

absl::Status FromProto(const v1::Node& in, const Schema& schema, Node* out) {
  ASSIGN_OR_RETURN(out->kind, schema.ResolveKind(in.kind(), "kind"));
  out->key = in.key();
  out->name = in.name();
  out->aliases.assign(in.aliases().begin(), in.aliases().end());
  return CommonFromProto(in, &out->properties, &out->sources);
}

absl::Status FromProto(const v1::Edge& in, const Schema& schema, EdgeWrite* out) {
  Edge& e = out->edge;
  e.id = EdgeId(in.id());
  ASSIGN_OR_RETURN(e.type, schema.ResolveType(in.type(), "type"));
  e.from = NodeId(in.from_id());
  e.to = NodeId(in.to_id());
  out->from_key = in.from_key();
  out->to_key = in.to_key();
  if (!in.valid_from().empty()) {
    auto d = ParseDate(in.valid_from(), DateRounding::kStart);
    if (!d.ok()) return WithContext(d.status(), "valid_from");
    e.valid.from = *d;
  }
  if (!in.valid_to().empty()) {
    auto d = ParseDate(in.valid_to(), DateRounding::kEnd);
    if (!d.ok()) return WithContext(d.status(), "valid_to");
    e.valid.to = *d;
  }
  e.weight = in.has_weight() ? in.weight() : 1.0;
  e.key = in.key();
  return CommonFromProto(in, &e.properties, &e.sources);
}

absl::Status FromProto(const v1::NodeRef& in, NodeRef* out) {
  switch (in.ref_case()) {
    case v1::NodeRef::kKey:
      if (in.key().empty()) return absl::InvalidArgumentError("key: empty");
      out->key = in.key();
      return absl::OkStatus();
    case v1::NodeRef::kId:
      if (in.id() == 0) return absl::InvalidArgumentError("id: 0 is not a node id");
      out->id = NodeId(in.id());
      return absl::OkStatus();
    case v1::NodeRef::REF_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("set key or id");
}

void ToProto(const Node& in, const Schema& schema, v1::Node* out) {
  out->set_id(in.id.value);
  out->set_key(in.key);
  const NodeKindSpec* kind = schema.Kind(in.kind);
  out->set_kind(kind ? kind->name : absl::StrCat("#", in.kind.value));
  out->set_name(in.name);
  for (const std::string& a : in.aliases) out->add_aliases(a);
  CommonToProto(in.properties, in.sources, out);
}

void ToProto(const Edge& in, const Schema& schema, const std::string& from_key,
             const std::string& to_key, v1::Edge* out) {
  out->set_id(in.id.value);
  const EdgeTypeSpec* type = schema.Type(in.type);
  out->set_type(type ? type->name : absl::StrCat("#", in.type.value));
  out->set_from_id(in.from.value);
  out->set_from_key(from_key);
  out->set_to_id(in.to.value);
  out->set_to_key(to_key);
  out->set_valid_from(FormatDate(in.valid.from));
  out->set_valid_to(FormatDate(in.valid.to));
  out->set_weight(in.weight);
  out->set_key(in.key);
  CommonToProto(in.properties, in.sources, out);
}

void ToProto(const Schema& in, v1::Schema* out) {
  out->set_name(in.name());
  out->set_version(in.version());
  for (const NodeKindSpec& k : in.kinds()) {
    v1::NodeKindSpec* pk = out->add_node_kinds();
    pk->set_id(k.id.value);
    pk->set_name(k.name);
    pk->set_description(k.description);
    PropertySpecsToProto(k.properties, pk);
  }
  for (const EdgeTypeSpec& t : in.types()) {
    v1::EdgeTypeSpec* pt = out->add_edge_types();
    pt->set_id(t.id.value);
    pt->set_name(t.name);
    pt->set_description(t.description);
    for (KindId k : t.from_kinds) pt->add_from_kinds(in.Kind(k)->name);
    for (KindId k : t.to_kinds) pt->add_to_kinds(in.Kind(k)->name);
    pt->set_temporal(t.temporal == Temporal::kInterval ? v1::TEMPORAL_INTERVAL
                     : t.temporal == Temporal::kPoint  ? v1::TEMPORAL_POINT
                                                       : v1::TEMPORAL_NONE);
    pt->set_symmetric(t.symmetric);
    PropertySpecsToProto(t.properties, pt);
  }
}

}  // namespace innograph::server
