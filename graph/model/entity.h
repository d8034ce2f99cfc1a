#pragma once

#include <string>
#include <vector>

#include "graph/model/date.h"
#include "graph/model/ids.h"
#include "graph/model/value.h"

namespace innograph {

// Where a fact comes from: a Source node's key or a URL, and an optional locator inside it.
struct Citation {
  std::string source;
  std::string locator;
  bool operator==(const Citation&) const = default;
};

// A node as stored. `id` is assigned by the store.
struct Node {
  NodeId id;
  std::string key;
  KindId kind;
  std::string name;
  std::vector<std::string> aliases;
  PropertyMap properties;
  std::vector<Citation> sources;
  bool operator==(const Node&) const = default;
};

// An edge as stored. `id` is assigned by the store; endpoints are internal ids.
struct Edge {
  EdgeId id;
  TypeId type;
  NodeId from;
  NodeId to;
  Interval valid;
  double weight = 1.0;
  std::string key;  // Optional external key; empty when none.
  PropertyMap properties;
  std::vector<Citation> sources;
  bool operator==(const Edge&) const = default;
};

}  // namespace innograph
