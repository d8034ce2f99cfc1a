"""Cross-checks: the real innograph-server's traversal and analytics rpcs against independent
implementations (networkx 2.8, python-igraph) on real networks.

Each test class starts one server over a private temporary data directory (harness.Server),
loads its graph through the public API (UpsertNodes / UpsertEdges, at most 10,000 items per
call) and compares the answers with the reference computed in this process.

  KarateTest       Zachary's karate club: paths, expansion, every measure, similarity,
                   communities.
  DavisTest        Davis' southern women (women x events, two node kinds): components,
                   betweenness, closeness, kind-filtered expansion.
  NetscienceTest   Newman's netscience co-authorship network (weighted, 396 components):
                   components, weighted PageRank, hop and weighted paths, igraph betweenness.
  TemporalTest     A hand-made employment history: as_of, windows, time-respecting paths.
  HubLimitsTest    One node with 100,000 edges: limits, deadlines, the exact-betweenness cap.
  BadInputTest     Status codes and messages for malformed requests.

Tolerances (absolute unless stated): PageRank 1e-5 (power iteration to tol 1e-6 on both
sides); exact betweenness, closeness, Jaccard, Adamic-Adar 1e-9; the modularity the server
reports vs networkx's of the returned partition 1e-6; igraph betweenness relative 1e-6;
weighted path cost relative 1e-9 (the API's weights are doubles). Hop counts, per-hop counts,
node sets, path sets, component counts and degrees are compared exactly.

Run by hand: /usr/bin/python3 tests/integration/crosscheck_test.py -v
(CTest sets INNOGRAPH_SERVER_BIN and INNOGRAPH_SOURCE_DIR.) Needs python3-grpcio,
python3-grpc-tools, python3-networkx, python3-igraph and python3-graph-tool.
"""

import atexit
import collections
import itertools
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import warnings

import grpc
import networkx as nx

sys.dont_write_bytecode = True  # Leave no __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datasets  # noqa: E402
import harness  # noqa: E402

BATCH = 10000  # Items per UpsertNodes / UpsertEdges call (the API's maximum).
CALL_TIMEOUT_S = 60  # Every call has a deadline: a hung server fails the test, never hangs it.

# Server defaults this file relies on (server/query_params.h, server/main.cc).
MAX_DEPTH = 6
MAX_K = 100
EXACT_BETWEENNESS_WORK_CAP = 20_000_000_000  # n * m above which exact betweenness is refused.


# --- gRPC stubs, generated at test time --------------------------------------------------------

_STUBS = None


def stubs():
    """(graph_pb2, graph_pb2_grpc), generated once per process from the repository's proto."""
    global _STUBS
    if _STUBS is None:
        out = tempfile.mkdtemp(prefix="innograph-stubs-")
        atexit.register(shutil.rmtree, out, True)
        harness.generate_stubs(out)
        sys.path.insert(0, out)
        from innograph.v1 import graph_pb2, graph_pb2_grpc

        _STUBS = (graph_pb2, graph_pb2_grpc)
    return _STUBS


pb, pb_grpc = stubs()


def ref(key):
    return pb.NodeRef(key=key)


def keys(nodes):
    return [n.key for n in nodes]


def trimmed(counts):
    """A per-hop count list without trailing zeros (at least the seeds' entry), as Expand
    reports it."""
    counts = list(counts)
    while len(counts) > 1 and counts[-1] == 0:
        counts.pop()
    return counts


def hops_from(g, seeds, depth, kinds=None):
    """{node: hops from the nearest seed} within `depth` by networkx. With `kinds`, the walk
    enters only nodes of those kinds (the seeds always count), as Expand's node_kinds filter
    does: distances in the subgraph induced by the seeds and the nodes of those kinds."""
    if kinds is not None:
        g = g.subgraph([k for k, kind in g.nodes(data="kind") if kind in kinds or k in seeds])
    return nx.multi_source_dijkstra_path_length(g, set(seeds), cutoff=depth,
                                                weight=lambda u, v, d: 1)


def pagerank(g, **kwargs):
    """networkx.pagerank without networkx 2.8's own deprecation warning about pagerank_scipy."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return nx.pagerank(g, **kwargs)


def per_hop(hops, depth):
    counts = [0] * (depth + 1)
    for h in hops.values():
        counts[h] += 1
    return trimmed(counts)


def process_cpu_seconds(pid):
    """utime + stime of a process, from /proc."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerTestCase(unittest.TestCase):
    """One server per class, loaded by the class's `load()`."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(extra_args=cls.server_args)
        try:
            cls.channel = grpc.insecure_channel(
                cls.server.address, options=[("grpc.max_receive_message_length", 64 << 20)]
            )
            cls.stub = pb_grpc.GraphServiceStub(cls.channel)
            started = time.monotonic()
            cls.load()
            cls.load_seconds = time.monotonic() - started
        except BaseException:
            cls.server.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.close()

    @classmethod
    def load(cls):
        raise NotImplementedError

    @classmethod
    def upsert(cls, nodes, edges):
        """Loads NodeSpecs and EdgeSpecs, BATCH items per call; returns {key: id}."""
        ids = {}
        for i in range(0, len(nodes), BATCH):
            chunk = nodes[i:i + BATCH]
            resp = cls.stub.UpsertNodes(
                pb.UpsertNodesRequest(
                    nodes=[pb.Node(key=n.key, kind=n.kind, name=n.name) for n in chunk]
                ),
                timeout=CALL_TIMEOUT_S,
            )
            ids.update(zip((n.key for n in chunk), resp.ids))
        for i in range(0, len(edges), BATCH):
            chunk = edges[i:i + BATCH]
            cls.stub.UpsertEdges(
                pb.UpsertEdgesRequest(
                    edges=[
                        # weight 0 means "unset": the field is left out (the API reads 1).
                        pb.Edge(type=e.type, from_key=e.from_key, to_key=e.to_key,
                                valid_from=e.valid_from, valid_to=e.valid_to,
                                **({"weight": e.weight} if e.weight else {}))
                        for e in chunk
                    ]
                ),
                timeout=CALL_TIMEOUT_S,
            )
        return ids

    # --- calls and common checks -----------------------------------------------------------------

    def call(self, rpc, request, timeout=CALL_TIMEOUT_S):
        return getattr(self.stub, rpc)(request, timeout=timeout)

    def rank(self, measure, n, **kwargs):
        """{key: score} of the top n nodes, and the response."""
        resp = self.call("Rank", pb.RankRequest(measure=measure, top_k=n, **kwargs))
        return {s.node.key: s.score for s in resp.nodes}, resp

    def assert_scores(self, got, want, tol, what):
        """Every node of `got` has its reference score within `tol` (absolute)."""
        for key, score in got.items():
            self.assertAlmostEqual(score, want[key], delta=tol,
                                   msg="%s of %s: server %r, reference %r"
                                   % (what, key, score, want[key]))

    def assert_top(self, got_in_order, want, n, tol, what):
        """The server's top n (in its order) has the reference's top n scores, best first, and
        each node's score is its own reference score. Robust to ties in the reference."""
        self.assertEqual(len(got_in_order), min(n, len(want)), what)
        ref_top = sorted(want.values(), reverse=True)[:n]
        for i, ((key, score), ref_score) in enumerate(zip(got_in_order, ref_top)):
            self.assertAlmostEqual(score, ref_score, delta=tol,
                                   msg="%s rank %d (%s): server %r, reference %r"
                                   % (what, i, key, score, ref_score))
            self.assertAlmostEqual(score, want[key], delta=tol,
                                   msg="%s of %s: server %r, reference %r"
                                   % (what, key, score, want[key]))

    def assert_path(self, g, path, source, target, hops=None):
        """A path from source to target whose steps are edges of `g` joining consecutive
        nodes, oriented as the API says; simple; cost = hops for unweighted searches."""
        nodes = keys(path.nodes)
        self.assertEqual(nodes[0], source)
        self.assertEqual(nodes[-1], target)
        self.assertEqual(len(path.steps), len(nodes) - 1)
        self.assertEqual(len(set(nodes)), len(nodes), "path is not simple: %s" % nodes)
        for a, b, step in zip(nodes, nodes[1:], path.steps):
            self.assertTrue(g.has_edge(a, b), "step %s - %s is not an edge" % (a, b))
            ends = (step.edge.from_key, step.edge.to_key)
            self.assertEqual(ends, (a, b) if step.forward else (b, a))
        if hops is not None:
            self.assertEqual(len(nodes) - 1, hops, "path %s" % nodes)
        return nodes

    def assert_status(self, code, fn, *mentions):
        with self.assertRaises(grpc.RpcError) as cm:
            fn()
        err = cm.exception
        self.assertEqual(err.code(), code, err.details())
        for m in mentions:
            self.assertIn(m, err.details())
        return err


# --- 1. Zachary's karate club -----------------------------------------------------------------


class KarateTest(ServerTestCase):
    SOURCES = ["p/0", "p/5", "p/16", "p/24", "p/33"]
    PAIRS = [("p/0", "p/33"), ("p/5", "p/25"), ("p/16", "p/26"), ("p/24", "p/11"),
             ("p/9", "p/4"), ("p/12", "p/29")]

    @classmethod
    def load(cls):
        cls.ds = datasets.karate()
        cls.g = cls.ds.graph
        cls.upsert(cls.ds.nodes, cls.ds.edges)

    def test_shortest_path_hops_equal_networkx(self):
        for s in self.SOURCES:
            want = nx.single_source_shortest_path_length(self.g, s)
            for t in sorted(self.g.nodes):
                with self.subTest(source=s, target=t):
                    resp = self.call("ShortestPath", pb.ShortestPathRequest(
                        **{"from": ref(s)}, to=ref(t)))
                    self.assertFalse(resp.truncated)
                    self.assertEqual(len(resp.paths), 1)
                    self.assert_path(self.g, resp.paths[0], s, t, hops=want[t])
                    self.assertEqual(resp.paths[0].cost, want[t])

    def test_all_shortest_paths_equal_networkx(self):
        for s, t in self.PAIRS:
            with self.subTest(source=s, target=t):
                resp = self.call("Paths", pb.PathsRequest(
                    **{"from": ref(s)}, to=ref(t), mode=pb.PATHS_MODE_ALL_SHORTEST))
                got = [tuple(self.assert_path(self.g, p, s, t)) for p in resp.paths]
                self.assertEqual(len(got), len(set(got)), "duplicate paths")
                self.assertEqual(set(got), set(map(tuple, nx.all_shortest_paths(self.g, s, t))))
                self.assertFalse(resp.truncated)

    def test_k_shortest_paths_lengths_equal_networkx(self):
        for s, t in self.PAIRS:
            with self.subTest(source=s, target=t):
                resp = self.call("Paths", pb.PathsRequest(
                    **{"from": ref(s)}, to=ref(t), mode=pb.PATHS_MODE_K_SHORTEST, k=5))
                got = [self.assert_path(self.g, p, s, t) for p in resp.paths]
                want = [len(p) - 1 for p in
                        itertools.islice(nx.shortest_simple_paths(self.g, s, t), 5)]
                self.assertEqual([len(p) - 1 for p in got], want)
                self.assertEqual([p.cost for p in resp.paths], want)
                self.assertEqual(len(set(map(tuple, got))), len(got), "duplicate paths")

    def test_expand_per_hop_equals_bfs_layers(self):
        for s in self.SOURCES:
            for depth in (1, 2, 3):
                with self.subTest(seed=s, depth=depth):
                    want = hops_from(self.g, [s], depth)
                    resp = self.call("Expand", pb.ExpandRequest(seeds=[ref(s)], depth=depth))
                    self.assertEqual(list(resp.per_hop), per_hop(want, depth))
                    self.assertEqual(dict(zip(keys(resp.nodes), resp.hops)), want)
                    self.assertEqual(len(resp.nodes), len(want), "a node listed twice")
                    for e in resp.edges:
                        self.assertTrue(self.g.has_edge(e.from_key, e.to_key))
                    self.assertFalse(resp.truncated)
                    counted = self.call("Expand", pb.ExpandRequest(
                        seeds=[ref(s)], depth=depth, count_only=True))
                    self.assertEqual(list(counted.per_hop), per_hop(want, depth))
                    self.assertEqual(len(counted.nodes), 0)

    def test_subgraph_ego_network_equals_networkx(self):
        for s in ("p/0", "p/24"):
            with self.subTest(center=s):
                chunks = list(self.stub.Subgraph(
                    pb.SubgraphRequest(center=ref(s), radius=2, chunk_size=7),
                    timeout=CALL_TIMEOUT_S))
                self.assertTrue(chunks[-1].last)
                self.assertFalse(any(c.last for c in chunks[:-1]))
                self.assertFalse(chunks[-1].truncated)
                nodes = [n.key for c in chunks for n in c.nodes]
                edges = [frozenset((e.from_key, e.to_key)) for c in chunks for e in c.edges]
                ego = nx.ego_graph(self.g, s, radius=2)
                self.assertEqual(len(nodes), len(set(nodes)))
                self.assertEqual(set(nodes), set(ego.nodes))
                self.assertEqual(len(edges), len(set(edges)))
                self.assertEqual(set(edges), {frozenset(e) for e in ego.edges})

    def test_components(self):
        resp = self.call("Components", pb.ComponentsRequest(articulation_points=True))
        self.assertEqual(resp.count, nx.number_connected_components(self.g))
        self.assertEqual([c.size for c in resp.components],
                         sorted((len(c) for c in nx.connected_components(self.g)), reverse=True))
        self.assertEqual(set(keys(resp.articulation_points)),
                         set(nx.articulation_points(self.g)))
        self.assertEqual(resp.articulation_point_count, len(resp.articulation_points))
        self.assertEqual((resp.graph_nodes, resp.graph_edges),
                         (self.g.number_of_nodes(), self.g.number_of_edges()))

    def test_pagerank_equals_networkx(self):
        got, resp = self.rank(pb.MEASURE_PAGERANK, 34)
        self.assertEqual(len(got), 34)
        self.assert_scores(got, pagerank(self.g), 1e-5, "pagerank")
        self.assertAlmostEqual(sum(got.values()), 1.0, delta=1e-9)

    def test_betweenness_exact_top10_equals_networkx(self):
        got, resp = self.rank(pb.MEASURE_BETWEENNESS, 10)
        self.assertEqual(resp.samples_used, 0)
        want = nx.betweenness_centrality(self.g, normalized=True)
        self.assert_top([(s.node.key, s.score) for s in resp.nodes], want, 10, 1e-9,
                        "betweenness")

    def test_closeness_equals_networkx(self):
        got, _ = self.rank(pb.MEASURE_CLOSENESS, 34)
        self.assertEqual(len(got), 34)
        self.assert_scores(got, nx.closeness_centrality(self.g), 1e-9, "closeness")

    def test_degree_equals_networkx(self):
        got, resp = self.rank(pb.MEASURE_DEGREE, 34)
        self.assertEqual(got, {k: float(d) for k, d in self.g.degree})
        scores = [s.score for s in resp.nodes]
        self.assertEqual(scores, sorted(scores, reverse=True))

    def check_similar(self, metric, reference):
        for s in self.SOURCES:
            with self.subTest(node=s, metric=metric):
                resp = self.call("Similar", pb.SimilarRequest(node=ref(s), metric=metric, k=10))
                # Candidates: nodes two hops away, not s, not already its neighbours.
                cands = [v for v, d in nx.single_source_shortest_path_length(self.g, s, 2).items()
                         if d == 2]
                want = {v: score for _, v, score in reference(self.g, [(s, v) for v in cands])}
                got = [(n.node.key, n.score) for n in resp.nodes]
                self.assert_top(got, want, 10, 1e-9, "similarity to %s" % s)
                for n in resp.nodes:
                    self.assertEqual(n.common,
                                     len(list(nx.common_neighbors(self.g, s, n.node.key))))

    def test_similar_jaccard_equals_networkx(self):
        self.check_similar(pb.SIMILARITY_METRIC_JACCARD, nx.jaccard_coefficient)

    def test_similar_adamic_adar_equals_networkx(self):
        self.check_similar(pb.SIMILARITY_METRIC_ADAMIC_ADAR, nx.adamic_adar_index)

    def test_common_neighbors_equal_networkx(self):
        for a, b in self.PAIRS + [("p/0", "p/1"), ("p/32", "p/33")]:
            with self.subTest(a=a, b=b):
                resp = self.call("CommonNeighbors", pb.CommonNeighborsRequest(a=ref(a), b=ref(b)))
                got = keys(n.node for n in resp.neighbors)
                self.assertEqual(len(got), len(set(got)))
                self.assertEqual(set(got), set(nx.common_neighbors(self.g, a, b)))
                for n in resp.neighbors:
                    for end, step in ((a, n.from_a), (b, n.from_b)):
                        self.assertEqual({step.edge.from_key, step.edge.to_key},
                                         {end, n.node.key},
                                         "edge %d given for %s - %s" % (step.edge.id, end,
                                                                        n.node.key))

    def communities(self, algorithm, seed):
        resp = self.call("Communities", pb.CommunitiesRequest(
            algorithm=algorithm, seed=seed, top_k=100, members_per_community=100))
        parts = [keys(c.members) for c in resp.communities]
        # top_k and members_per_community cover everything: the partition is complete.
        self.assertEqual(len(parts), resp.count)
        self.assertEqual([len(p) for p in parts], [c.size for c in resp.communities])
        flat = [k for p in parts for k in p]
        self.assertEqual(sorted(flat), sorted(self.g.nodes), "not a partition")
        return resp, [set(p) for p in parts]

    def test_louvain_modularity_and_determinism(self):
        resp, parts = self.communities(pb.COMMUNITY_ALGORITHM_LOUVAIN, 42)
        want = nx.algorithms.community.modularity(self.g, parts)
        self.assertAlmostEqual(resp.modularity, want, delta=1e-6)
        # The best partition of the karate club has modularity 0.4198 (Brandes et al. 2008).
        self.assertGreaterEqual(want, 0.40)
        again, parts_again = self.communities(pb.COMMUNITY_ALGORITHM_LOUVAIN, 42)
        self.assertEqual(parts_again, parts)
        self.assertEqual(again.modularity, resp.modularity)

    def test_label_propagation_modularity_equals_networkx(self):
        resp, parts = self.communities(pb.COMMUNITY_ALGORITHM_LABEL_PROPAGATION, 7)
        self.assertAlmostEqual(resp.modularity,
                               nx.algorithms.community.modularity(self.g, parts), delta=1e-6)
        again, parts_again = self.communities(pb.COMMUNITY_ALGORITHM_LABEL_PROPAGATION, 7)
        self.assertEqual(parts_again, parts)


# --- 2. Davis' southern women -----------------------------------------------------------------


class DavisTest(ServerTestCase):
    @classmethod
    def load(cls):
        cls.ds = datasets.davis()
        cls.g = cls.ds.graph
        cls.upsert(cls.ds.nodes, cls.ds.edges)

    def test_components_and_articulation_points(self):
        resp = self.call("Components", pb.ComponentsRequest(articulation_points=True))
        self.assertEqual(resp.count, nx.number_connected_components(self.g))
        self.assertEqual([c.size for c in resp.components], [32])
        self.assertEqual((resp.graph_nodes, resp.graph_edges), (32, 89))
        self.assertEqual(set(keys(resp.articulation_points)),
                         set(nx.articulation_points(self.g)))

    def test_betweenness_equals_networkx(self):
        got, resp = self.rank(pb.MEASURE_BETWEENNESS, 32)
        self.assertEqual(len(got), 32)
        self.assert_scores(got, nx.betweenness_centrality(self.g), 1e-9, "betweenness")

    def test_closeness_equals_networkx(self):
        got, _ = self.rank(pb.MEASURE_CLOSENESS, 32)
        self.assertEqual(len(got), 32)
        self.assert_scores(got, nx.closeness_centrality(self.g), 1e-9, "closeness")

    def test_expand_with_node_kinds_reaches_only_those_kinds(self):
        cases = [(["p/0"], "Project"), (["p/3", "p/16"], "Project"), (["e/8"], "Person"),
                 (["p/0"], "Person")]
        for seeds, kind in cases:
            for depth in (1, 2, 3):
                with self.subTest(seeds=seeds, kind=kind, depth=depth):
                    want = hops_from(self.g, seeds, depth, kinds=[kind])
                    resp = self.call("Expand", pb.ExpandRequest(
                        seeds=[ref(s) for s in seeds], depth=depth,
                        filter=pb.Filter(node_kinds=[kind])))
                    self.assertEqual(list(resp.per_hop), per_hop(want, depth))
                    self.assertEqual(dict(zip(keys(resp.nodes), resp.hops)), want)
                    for n in resp.nodes:
                        if n.key not in seeds:
                            self.assertEqual(n.kind, kind)


# --- 3. netscience --------------------------------------------------------------------------


class NetscienceTest(ServerTestCase):
    # Paths in the largest component are up to 17 hops long: let the server search that far.
    server_args = ("--max-depth", "20")
    MAX_LENGTH = 20

    @classmethod
    def load(cls):
        cls.ds = datasets.netscience()
        cls.g = cls.ds.graph
        cls.upsert(cls.ds.nodes, cls.ds.edges)
        comps = sorted(nx.connected_components(cls.g), key=len, reverse=True)
        cls.largest = sorted(comps[0])
        cls.rng = random.Random(20240601)

    def pairs(self, population, n):
        return [tuple(self.rng.sample(population, 2)) for _ in range(n)]

    def test_dataset_is_the_published_one(self):
        self.assertEqual((self.g.number_of_nodes(), self.g.number_of_edges()), (1589, 2742))
        stats = self.call("Stats", pb.StatsRequest())
        self.assertEqual((stats.nodes, stats.edges), (1589, 2742))

    def test_components_and_articulation_points(self):
        resp = self.call("Components", pb.ComponentsRequest(articulation_points=True, top_k=3))
        self.assertEqual(resp.count, nx.number_connected_components(self.g))
        self.assertEqual(resp.components[0].size, len(self.largest))
        self.assertEqual(resp.articulation_point_count,
                         len(list(nx.articulation_points(self.g))))
        self.assertEqual(set(keys(resp.articulation_points)), set(nx.articulation_points(self.g)))

    def test_weighted_pagerank_equals_networkx(self):
        got, resp = self.rank(pb.MEASURE_PAGERANK, 1589, weighted=True)
        self.assertEqual(len(got), 1589)
        self.assert_scores(got, pagerank(self.g, weight="weight"), 1e-5, "weighted pagerank")

    def test_hop_distances_equal_networkx(self):
        # Uniform pairs are mostly in different components; half the pairs come from the
        # largest component so that long paths are checked too.
        pairs = self.pairs(sorted(self.g.nodes), 25) + self.pairs(self.largest, 25)
        for s, t in pairs:
            with self.subTest(source=s, target=t):
                resp = self.call("ShortestPath", pb.ShortestPathRequest(
                    **{"from": ref(s)}, to=ref(t), max_length=self.MAX_LENGTH))
                self.assertFalse(resp.truncated)
                if nx.has_path(self.g, s, t):
                    self.assertEqual(len(resp.paths), 1)
                    self.assert_path(self.g, resp.paths[0], s, t,
                                     hops=nx.shortest_path_length(self.g, s, t))
                else:
                    self.assertEqual(len(resp.paths), 0, "no path exists")

    def test_weighted_path_cost_equals_dijkstra(self):
        for s, t in self.pairs(self.largest, 20):
            with self.subTest(source=s, target=t):
                resp = self.call("ShortestPath", pb.ShortestPathRequest(
                    **{"from": ref(s)}, to=ref(t), weighted=True, max_length=self.MAX_LENGTH))
                self.assertEqual(len(resp.paths), 1)
                nodes = self.assert_path(self.g, resp.paths[0], s, t)
                want = nx.dijkstra_path_length(self.g, s, t, weight="cost")
                # The path is a cheapest one by the weights we sent ...
                own = sum(self.g.edges[a, b]["cost"] for a, b in zip(nodes, nodes[1:]))
                self.assertTrue(math.isclose(own, want, rel_tol=1e-9),
                                "path %s costs %r, dijkstra %r" % (nodes, own, want))
                # ... and the cost it reports is that cost (weights are doubles in the API).
                self.assertTrue(math.isclose(resp.paths[0].cost, want, rel_tol=1e-9),
                                "reported cost %r, dijkstra %r (rel. error %.1e)"
                                % (resp.paths[0].cost, want, abs(resp.paths[0].cost / want - 1)))

    def test_expand_two_hops_equals_networkx(self):
        for s in self.rng.sample(self.largest, 10) + self.rng.sample(sorted(self.g.nodes), 10):
            with self.subTest(seed=s):
                want = hops_from(self.g, [s], 2)
                resp = self.call("Expand", pb.ExpandRequest(seeds=[ref(s)], depth=2))
                self.assertEqual(list(resp.per_hop), per_hop(want, 2))
                self.assertEqual(dict(zip(keys(resp.nodes), resp.hops)), want)

    def test_betweenness_top20_equals_igraph(self):
        import igraph

        order = sorted(self.g.nodes)
        index = {k: i for i, k in enumerate(order)}
        ig = igraph.Graph(n=len(order), edges=[(index[a], index[b]) for a, b in self.g.edges],
                          directed=False)
        n = ig.vcount()
        scale = (n - 1) * (n - 2) / 2  # networkx's normalization for undirected graphs.
        want = {order[i]: b / scale for i, b in enumerate(ig.betweenness(directed=False))}
        _, resp = self.rank(pb.MEASURE_BETWEENNESS, 20)
        self.assertEqual(resp.samples_used, 0)
        got = [(s.node.key, s.score) for s in resp.nodes]
        ref_top = sorted(want.values(), reverse=True)[:20]
        self.assertEqual(len(got), 20)
        for i, ((key, score), ref_score) in enumerate(zip(got, ref_top)):
            self.assertTrue(math.isclose(score, ref_score, rel_tol=1e-6),
                            "rank %d (%s): server %r, igraph %r" % (i, key, score, ref_score))
            self.assertTrue(math.isclose(score, want[key], rel_tol=1e-6),
                            "%s: server %r, igraph %r" % (key, score, want[key]))


# --- 4. Validity intervals: as_of, windows, time-respecting paths ------------------------------


class TemporalTest(ServerTestCase):
    """Employment histories at two universities:

      u/csu   a  2001 .. 2008        b  2005 .. (open)      c  (open) .. 2003
              d  2012 .. (open)      e  2001 .. 2008, and again 2012 .. (open) (two edges)
      u/hnu   f  1990 .. 1995        g  2000 .. 2005        h  1994 .. 1999

    Years as bounds mean the first day of the year as a start (and as_of), the last as an end.
    """

    U = "u/csu"
    STINTS = [("p/a", U, "2001", "2008"), ("p/b", U, "2005", ""), ("p/c", U, "", "2003"),
              ("p/d", U, "2012", ""), ("p/e", U, "2001", "2008"), ("p/e", U, "2012", ""),
              ("p/f", "u/hnu", "1990", "1995"), ("p/g", "u/hnu", "2000", "2005"),
              ("p/h", "u/hnu", "1994", "1999")]

    @classmethod
    def load(cls):
        nodes = [datasets.NodeSpec(cls.U, "University", "Central South University"),
                 datasets.NodeSpec("u/hnu", "University", "Hunan University")]
        nodes += [datasets.NodeSpec("p/" + x, "Person", "Person " + x) for x in "abcdefgh"]
        edges = [datasets.EdgeSpec("EMPLOYED_BY", p, u, 0.0, f, t) for p, u, f, t in cls.STINTS]
        cls.upsert(nodes, edges)
        cls.g = nx.Graph()
        cls.g.add_edges_from((p, u) for p, u, _, _ in cls.STINTS)

    def neighbours(self, node, **flt):
        resp = self.call("Neighbors", pb.NeighborsRequest(
            node=ref(node), filter=pb.Filter(**flt), limit=100))
        self.assertEqual(resp.next_page_token, "")
        return sorted(n.node.key for n in resp.neighbors)

    def expanded(self, node, depth, **flt):
        resp = self.call("Expand", pb.ExpandRequest(
            seeds=[ref(node)], depth=depth, filter=pb.Filter(**flt)))
        return sorted(keys(resp.nodes))

    # One entry per edge valid at the date (e has two).
    AS_OF = {
        "2000": ["p/c"],
        "2004": ["p/a", "p/e"],
        "2010": ["p/b"],
        "2013": ["p/b", "p/d", "p/e"],
        "2008-12-31": ["p/a", "p/b", "p/e"],  # Inclusive end.
        "2012-01-01": ["p/b", "p/d", "p/e"],  # Inclusive start.
    }
    WINDOWS = {
        ("2009", "2011"): ["p/b"],
        ("2008", "2012"): ["p/a", "p/b", "p/d", "p/e", "p/e"],
        ("2002", "2002"): ["p/a", "p/c", "p/e"],
        ("2012", ""): ["p/b", "p/d", "p/e"],
        ("", "2000"): ["p/c"],
        ("", ""): ["p/a", "p/b", "p/c", "p/d", "p/e", "p/e"],
    }

    def test_neighbors_and_expand_as_of(self):
        for date, want in self.AS_OF.items():
            with self.subTest(as_of=date):
                self.assertEqual(self.neighbours(self.U, as_of=date), want)
                self.assertEqual(self.expanded(self.U, 1, as_of=date),
                                 sorted(set(want) | {self.U}))

    def test_neighbors_and_expand_in_window(self):
        for (lo, hi), want in self.WINDOWS.items():
            with self.subTest(window_from=lo, window_to=hi):
                self.assertEqual(self.neighbours(self.U, window_from=lo, window_to=hi), want)
                self.assertEqual(self.expanded(self.U, 1, window_from=lo, window_to=hi),
                                 sorted(set(want) | {self.U}))

    def test_expand_two_hops_as_of_links_only_contemporaries(self):
        self.assertEqual(self.expanded("p/a", 2, as_of="2004"), ["p/a", "p/e", self.U])
        self.assertEqual(self.expanded("p/d", 2, as_of="2013"), ["p/b", "p/d", "p/e", self.U])
        self.assertEqual(self.expanded("p/a", 2, as_of="2010"), ["p/a"])

    def shortest(self, a, b, time_respecting):
        resp = self.call("ShortestPath", pb.ShortestPathRequest(
            **{"from": ref(a)}, to=ref(b), time_respecting=time_respecting))
        return resp.paths

    def assert_stints_overlap(self, path):
        for s1, s2 in zip(path.steps, path.steps[1:]):
            first, second = s1.edge, s2.edge
            # Dates in answers are full dates, so they compare as strings; empty = open.
            self.assertTrue((not first.valid_from or not second.valid_to
                             or first.valid_from <= second.valid_to)
                            and (not second.valid_from or not first.valid_to
                                 or second.valid_from <= first.valid_to),
                            "%s and %s" % (first, second))

    def check_time_respecting(self, a, b, overlapped):
        plain = self.shortest(a, b, False)
        self.assertEqual(len(plain), 1)
        self.assert_path(self.g, plain[0], a, b, hops=2)
        timed = self.shortest(a, b, True)
        if overlapped:
            self.assertEqual(len(timed), 1)
            self.assert_path(self.g, timed[0], a, b, hops=2)
            self.assert_stints_overlap(timed[0])
        else:
            walk = [(s.edge.from_key, s.edge.to_key, s.edge.id, s.forward)
                    for p in timed for s in p.steps]
            self.assertEqual(len(timed), 0,
                             "stints did not overlap, yet a time-respecting path: %s" % walk)

    def test_time_respecting_path_needs_overlapping_stints(self):
        # (person, person): whether their stints at the one university they share overlapped.
        # At u/hnu nobody links g and f (h, who overlapped f, left the day before g came).
        cases = {("p/f", "p/g"): False, ("p/g", "p/h"): False, ("p/f", "p/h"): True,
                 ("p/h", "p/f"): True, ("p/a", "p/b"): True, ("p/e", "p/d"): True,
                 ("p/e", "p/c"): True, ("p/a", "p/e"): True, ("p/d", "p/b"): True}
        for (a, b), overlapped in cases.items():
            with self.subTest(a=a, b=b):
                self.check_time_respecting(a, b, overlapped)

    def test_time_respecting_path_does_not_walk_back_over_an_edge(self):
        # a and d never overlapped; b overlapped both, but b has a single edge to u/csu, so the
        # only time-respecting walk a -> csu -> b -> csu -> d goes over b's edge twice, back
        # and forth: not a path (csu twice, one edge twice). Same for (c, d) and (c, b).
        for a, b in (("p/a", "p/d"), ("p/c", "p/d"), ("p/c", "p/b")):
            with self.subTest(a=a, b=b):
                self.check_time_respecting(a, b, False)


# --- 5. Limits on a hub -------------------------------------------------------------------------


class HubLimitsTest(ServerTestCase):
    """p/0 COLLABORATES_WITH each of p/1 .. p/100000. The leaves also form a ring of ADVISED
    edges (p/i -> p/i+1), which puts the unfiltered view (100,001 nodes x 200,000 edges) just
    above the server's exact-betweenness cap of n * m = 2e10; the star alone (1e10) is below."""

    LEAVES = 100_000
    HUB = "p/0"
    STAR = pb.Filter(edge_types=["COLLABORATES_WITH"])

    @classmethod
    def load(cls):
        n = cls.LEAVES
        nodes = [datasets.NodeSpec(datasets.person_key(i), "Person", "Person %d" % i)
                 for i in range(n + 1)]
        edges = [datasets.EdgeSpec("COLLABORATES_WITH", cls.HUB, datasets.person_key(i))
                 for i in range(1, n + 1)]
        edges += [datasets.EdgeSpec("ADVISED", datasets.person_key(i),
                                    datasets.person_key(i % n + 1)) for i in range(1, n + 1)]
        cls.upsert(nodes, edges)

    def assert_deadline_respected(self, rpc, request, allow_truncated):
        """A 50 ms call ends as DEADLINE_EXCEEDED (or, for traversals, an answer truncated by
        the deadline) in well under 2 s, and the server stops working on it."""
        started = time.monotonic()
        try:
            resp = self.call(rpc, request, timeout=0.05)
        except grpc.RpcError as err:
            self.assertEqual(err.code(), grpc.StatusCode.DEADLINE_EXCEEDED, err.details())
        else:
            self.assertTrue(allow_truncated, "%s finished within 50 ms: not heavy enough" % rpc)
            self.assertTrue(resp.truncated)
            self.assertIn(pb.LIMIT_KIND_DEADLINE, resp.limits_hit)
        self.assertLess(time.monotonic() - started, 2.0)
        # The server must not go on computing an answer nobody waits for.
        time.sleep(0.5)
        before = process_cpu_seconds(self.server.proc.pid)
        time.sleep(1.0)
        busy = process_cpu_seconds(self.server.proc.pid) - before
        self.assertLess(busy, 0.5, "server still busy %.2f s/s after the %s deadline" % (busy, rpc))

    def test_expand_from_leaf_stops_at_max_visited(self):
        started = time.monotonic()
        resp = self.call("Expand", pb.ExpandRequest(
            seeds=[ref("p/17")], depth=2, limits=pb.Limits(max_visited=1000)), timeout=10)
        self.assertLess(time.monotonic() - started, 10)
        self.assertTrue(resp.truncated)
        self.assertIn(pb.LIMIT_KIND_VISITED, resp.limits_hit)
        self.assertLessEqual(len(resp.nodes), 1000)
        self.assertEqual(list(resp.per_hop[:2]), [1, 3])  # The hub and two ring neighbours.
        self.assertEqual(sum(resp.per_hop), len(resp.nodes))

    def test_expand_from_hub_reads_max_edges_per_node(self):
        resp = self.call("Expand", pb.ExpandRequest(
            seeds=[ref(self.HUB)], depth=1, limits=pb.Limits(max_edges_per_node=500)))
        self.assertTrue(resp.truncated)
        self.assertIn(pb.LIMIT_KIND_EDGES_PER_NODE, resp.limits_hit)
        self.assertEqual(resp.per_hop[0], 1)
        self.assertTrue(499 <= resp.per_hop[1] <= 500, list(resp.per_hop))
        self.assertTrue(500 <= len(resp.nodes) <= 501, len(resp.nodes))

    def test_k_shortest_paths_around_the_hub(self):
        # Simple paths p/1 .. p/50001 of at most 6 hops: i ring steps from p/1 (either way when
        # i > 0), the hub, j ring steps to p/50001 (either way when j > 0), i + j + 2 hops.
        want = collections.Counter()
        for i in range(5):
            for j in range(5 - i):
                want[i + j + 2] += (2 if i else 1) * (2 if j else 1)
        self.assertEqual(sum(want.values()), 41)
        resp = self.call("Paths", pb.PathsRequest(
            **{"from": ref("p/1")}, to=ref("p/50001"), mode=pb.PATHS_MODE_K_SHORTEST, k=MAX_K))
        self.assertFalse(resp.truncated)
        lengths = [len(p.nodes) - 1 for p in resp.paths]
        self.assertEqual(lengths, sorted(lengths))
        self.assertEqual(collections.Counter(lengths), want)
        self.assertEqual(len({tuple(keys(p.nodes)) for p in resp.paths}), 41)

    def test_short_deadline_on_k_shortest_paths(self):
        # Without a deadline this takes ~0.7 s here (test_k_shortest_paths_around_the_hub).
        self.assert_deadline_respected("Paths", pb.PathsRequest(
            **{"from": ref("p/1")}, to=ref("p/50001"), mode=pb.PATHS_MODE_K_SHORTEST, k=MAX_K),
            allow_truncated=True)

    def test_short_deadline_on_closeness(self):
        # The star is under the cap (1e10 work), so closeness starts: 100,001 BFS runs.
        self.assert_deadline_respected("Rank", pb.RankRequest(
            measure=pb.MEASURE_CLOSENESS, filter=self.STAR), allow_truncated=False)

    def test_sampled_betweenness_of_star(self):
        # Exact value: the hub lies on every leaf-leaf path, normalized betweenness 1.
        got, resp = self.rank(pb.MEASURE_BETWEENNESS, 1, samples=50, seed=3, filter=self.STAR)
        self.assertEqual(resp.samples_used, 50)
        self.assertEqual(list(got), [self.HUB])
        self.assertAlmostEqual(got[self.HUB], 1.0, delta=1e-3)

    def test_exact_betweenness_above_cap_is_resource_exhausted(self):
        _, view = self.rank(pb.MEASURE_DEGREE, 1)
        work = view.graph_nodes * view.graph_edges
        self.assertEqual((view.graph_nodes, view.graph_edges), (self.LEAVES + 1, 2 * self.LEAVES))
        if work <= EXACT_BETWEENNESS_WORK_CAP:
            self.skipTest("view %d x %d is not above the cap" % (view.graph_nodes,
                                                                 view.graph_edges))
        self.assert_status(
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            lambda: self.call("Rank", pb.RankRequest(measure=pb.MEASURE_BETWEENNESS), timeout=20),
            "samples")


# --- 6. Bad input ---------------------------------------------------------------------------


class BadInputTest(ServerTestCase):
    @classmethod
    def load(cls):
        cls.upsert([datasets.NodeSpec("p/1", "Person", "One"),
                    datasets.NodeSpec("p/2", "Person", "Two")],
                   [datasets.EdgeSpec("COLLABORATES_WITH", "p/1", "p/2")])

    def expand(self, **kwargs):
        kwargs.setdefault("seeds", [ref("p/1")])
        kwargs.setdefault("depth", 1)
        return lambda: self.call("Expand", pb.ExpandRequest(**kwargs))

    def test_unknown_node_is_not_found(self):
        self.assert_status(grpc.StatusCode.NOT_FOUND, self.expand(seeds=[ref("p/nobody")]),
                           "p/nobody")
        self.assert_status(grpc.StatusCode.NOT_FOUND, lambda: self.call(
            "ShortestPath", pb.ShortestPathRequest(**{"from": ref("p/1")}, to=ref("p/ghost"))),
            "p/ghost")
        self.assert_status(grpc.StatusCode.NOT_FOUND, lambda: self.call(
            "Neighbors", pb.NeighborsRequest(node=ref("p/absent"))), "p/absent")

    def test_unknown_edge_type_or_node_kind_is_invalid(self):
        self.assert_status(grpc.StatusCode.INVALID_ARGUMENT,
                           self.expand(filter=pb.Filter(edge_types=["KNOWS"])), "KNOWS")
        self.assert_status(grpc.StatusCode.INVALID_ARGUMENT,
                           self.expand(filter=pb.Filter(node_kinds=["Alien"])), "Alien")
        self.assert_status(grpc.StatusCode.INVALID_ARGUMENT, lambda: self.call(
            "Rank", pb.RankRequest(filter=pb.Filter(edge_types=["KNOWS"]))), "KNOWS")

    def test_depth_outside_1_to_cap_is_invalid(self):
        for depth in (0, MAX_DEPTH + 1):
            with self.subTest(depth=depth):
                self.assert_status(grpc.StatusCode.INVALID_ARGUMENT, self.expand(depth=depth),
                                   "depth")
        self.call("Expand", pb.ExpandRequest(seeds=[ref("p/1")], depth=MAX_DEPTH))

    def test_k_above_cap_is_invalid(self):
        def paths(k):
            return lambda: self.call("Paths", pb.PathsRequest(
                **{"from": ref("p/1")}, to=ref("p/2"), mode=pb.PATHS_MODE_K_SHORTEST, k=k))

        self.assert_status(grpc.StatusCode.INVALID_ARGUMENT, paths(MAX_K + 1), "k:", "101")
        self.assertEqual(len(paths(MAX_K)().paths), 1)

    def test_bad_as_of_is_invalid(self):
        self.assert_status(grpc.StatusCode.INVALID_ARGUMENT,
                           self.expand(filter=pb.Filter(as_of="2021-13")), "as_of")
        self.assert_status(grpc.StatusCode.INVALID_ARGUMENT, lambda: self.call(
            "Neighbors", pb.NeighborsRequest(node=ref("p/1"), filter=pb.Filter(as_of="2021-13"))),
            "as_of")


if __name__ == "__main__":
    unittest.main()
