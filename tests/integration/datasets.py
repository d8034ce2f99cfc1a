"""Real networks for the cross-check tests, as graphs to load through the API and as networkx
references.

Each function returns a `Dataset`: the nodes and edges to upsert (in the API's terms: keys,
kinds, edge types, weights) and `graph`, an undirected networkx.Graph over the same keys, so a
test can compare the server's answers with networkx or igraph directly, node key for node key.

Nothing here is committed data: the networks come from python3-networkx and
python3-graph-tool (graph_tool.collection), installed as Debian packages (docs: DOMAIN.md,
"Real networks available here").
"""

import collections

import networkx as nx

# One node to upsert: external key, node kind, display name.
NodeSpec = collections.namedtuple("NodeSpec", "key kind name")
# One edge to upsert: type, source key, target key, weight (0 = unset: left out, the API reads 1),
# validity interval (empty = open).
EdgeSpec = collections.namedtuple("EdgeSpec", "type from_key to_key weight valid_from valid_to")
EdgeSpec.__new__.__defaults__ = (0.0, "", "")


class Dataset:
    def __init__(self, name, nodes, edges, graph):
        self.name = name
        self.nodes = nodes  # [NodeSpec]
        self.edges = edges  # [EdgeSpec]
        self.graph = graph  # networkx.Graph over node keys; node attribute "kind"

    def kind(self, key):
        return self.graph.nodes[key]["kind"]


def person_key(i):
    return "p/%d" % i


def karate():
    """Zachary's karate club (34 members, 78 friendships), unweighted: the edges are sent
    without a weight, and the reference graph carries none (networkx 2.8's karate_club_graph
    has interaction counts as "weight"; they are dropped here)."""
    source = nx.karate_club_graph()
    g = nx.Graph()
    nodes = []
    for i in sorted(source.nodes):
        key = person_key(i)
        nodes.append(NodeSpec(key, "Person", "Karate member %d" % i))
        g.add_node(key, kind="Person")
    edges = []
    for u, v in source.edges:
        a, b = sorted((u, v))
        edges.append(EdgeSpec("COLLABORATES_WITH", person_key(a), person_key(b)))
        g.add_edge(person_key(a), person_key(b))
    return Dataset("karate", nodes, edges, g)


def davis():
    """Davis' southern women: 18 women x 14 social events, 89 attendances. Women are Person
    nodes "p/<i>", events Project nodes "e/<i>" (i in networkx's order), attendance is
    PARTICIPATES_IN from the woman to the event."""
    source = nx.davis_southern_women_graph()
    women = source.graph["top"]
    events = source.graph["bottom"]
    key_of = {}
    nodes = []
    g = nx.Graph()
    for i, w in enumerate(women):
        key_of[w] = person_key(i)
        nodes.append(NodeSpec(key_of[w], "Person", w))
        g.add_node(key_of[w], kind="Person", name=w)
    for i, e in enumerate(events):
        key_of[e] = "e/%d" % i
        nodes.append(NodeSpec(key_of[e], "Project", "Event %s" % e))
        g.add_node(key_of[e], kind="Project", name=e)
    edges = []
    for u, v in source.edges:
        w, e = (u, v) if u in source.graph["top"] else (v, u)
        edges.append(EdgeSpec("PARTICIPATES_IN", key_of[w], key_of[e]))
        g.add_edge(key_of[w], key_of[e])
    return Dataset("davis", nodes, edges, g)


def netscience():
    """Newman's network-science co-authorship network (1,589 authors, 2,742 weighted links),
    from graph_tool.collection. Authors are Person nodes "p/<vertex index>" named by the
    "label" vertex property; links are COLLABORATES_WITH with weight = the "value" edge
    property. The reference graph has "weight" = value and "cost" = 1/value (the weighted
    path cost the API documents)."""
    import graph_tool.collection  # Imported here: slow, and only this dataset needs it.

    source = graph_tool.collection.data["netscience"]
    label = source.vp["label"]
    value = source.ep["value"]
    nodes = []
    g = nx.Graph()
    for v in source.vertices():
        key = person_key(int(v))
        nodes.append(NodeSpec(key, "Person", label[v] or key))
        g.add_node(key, kind="Person")
    edges = []
    for e in source.edges():
        a, b = person_key(int(e.source())), person_key(int(e.target()))
        w = float(value[e])
        # The collection has no parallel edges or self-loops; the references below rely on it
        # (the API would merge parallel edges for analytics but not for paths).
        assert a != b and not g.has_edge(a, b), (a, b)
        edges.append(EdgeSpec("COLLABORATES_WITH", a, b, w))
        g.add_edge(a, b, weight=w, cost=1.0 / w)
    return Dataset("netscience", nodes, edges, g)
