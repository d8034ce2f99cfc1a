"""Integration tests: a Python gRPC client, with stubs generated from proto/ at test time,
against the real innograph-server binary.

Run by hand: /usr/bin/python3 tests/integration/python_client_test.py -v
Needs Debian's python3-grpcio and protobuf (python3-protobuf); stubs come from
`python3 -m grpc_tools.protoc` (python3-grpc-tools) or, when that protoc is too old for the
proto (proto3 `optional` needs protoc 3.15+; Debian 12 ships grpc_tools with protoc 3.5), from
/usr/bin/protoc with /usr/bin/grpc_python_plugin (protobuf-compiler, protobuf-compiler-grpc).
"""

import importlib
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

import grpc  # noqa: E402

ZOU = "person/zou-xuexiao"
RPC_TIMEOUT_S = 30

pb = None  # innograph.v1.graph_pb2, imported by setUpModule.
pb_grpc = None  # innograph.v1.graph_pb2_grpc.
_stub_dir = None


generate_stubs = harness.generate_stubs


def setUpModule():
    global pb, pb_grpc, _stub_dir
    _stub_dir = tempfile.mkdtemp(prefix="innograph-it-stubs-")
    generate_stubs(_stub_dir)
    sys.path.insert(0, _stub_dir)
    pb = importlib.import_module("innograph.v1.graph_pb2")
    pb_grpc = importlib.import_module("innograph.v1.graph_pb2_grpc")


def tearDownModule():
    if _stub_dir:
        shutil.rmtree(_stub_dir, ignore_errors=True)


def seed_counts():
    return harness.read_jsonl_counts()


class GrpcTestCase(unittest.TestCase):
    """A fresh server per test (seeded unless SEED is None) and a stub for it."""

    SEED = harness.HUNAN_JSONL

    def setUp(self):
        self.server = harness.Server(seed=self.SEED)
        self.addCleanup(self.server.close)
        self.channel = grpc.insecure_channel(self.server.address)
        self.addCleanup(self.channel.close)
        self.stub = pb_grpc.GraphServiceStub(self.channel)

    def call(self, method, request):
        return getattr(self.stub, method)(request, timeout=RPC_TIMEOUT_S)

    def assertCode(self, code, method, request, *needles):
        """`method(request)` fails with `code`, and its message contains every needle."""
        with self.assertRaises(grpc.RpcError, msg="%s did not fail" % method) as cm:
            self.call(method, request)
        err = cm.exception
        self.assertEqual(err.code(), code, "%s: %s: %s" % (method, err.code(), err.details()))
        for needle in needles:
            self.assertIn(needle, err.details(),
                          "%s: %r not in %r" % (method, needle, err.details()))
        return err

    def stats(self):
        return self.call("Stats", pb.StatsRequest())

    def snapshot(self):
        s = self.stats()
        return (s.nodes, s.edges, [(c.name, c.count) for c in s.nodes_by_kind],
                [(c.name, c.count) for c in s.edges_by_type], s.last_sequence)

    # --- builders ---

    @staticmethod
    def person(key, name, **props):
        node = pb.Node(key=key, kind="Person", name=name)
        for k, v in props.items():
            if isinstance(v, int):
                node.properties[k].int_value = v
            else:
                node.properties[k].string_value = v
        return node

    @staticmethod
    def key_ref(key):
        return pb.NodeRef(key=key)

    def get_node(self, key):
        resp = self.call("GetNodes", pb.GetNodesRequest(nodes=[pb.NodeRef(key=key)],
                                                        allow_missing=True))
        return resp.nodes[0] if resp.nodes else None

    def neighbour_keys(self, key, **kwargs):
        resp = self.call("Neighbors", pb.NeighborsRequest(node=pb.NodeRef(key=key), limit=10000,
                                                          **kwargs))
        return {(n.edge.type, n.node.key) for n in resp.neighbors}


# --- Schema, stats, health, reflection -----------------------------------------------------------


class ServiceBasicsTest(GrpcTestCase):

    def test_get_schema(self):
        schema = self.call("GetSchema", pb.GetSchemaRequest()).schema
        kinds = {k.name: k for k in schema.node_kinds}
        types = {t.name: t for t in schema.edge_types}
        self.assertIn("Person", kinds)
        self.assertIn("EMPLOYED_BY", types)
        self.assertEqual(list(types["EMPLOYED_BY"].from_kinds), ["Person"])
        self.assertEqual(types["RECEIVED"].temporal, pb.TEMPORAL_POINT)
        self.assertEqual(types["HEADS"].temporal, pb.TEMPORAL_INTERVAL)
        founded = {p.name: p for p in kinds["University"].properties}["founded"]
        self.assertEqual(founded.type, pb.PROPERTY_TYPE_DATE)
        # Ids are persisted and distinct.
        self.assertEqual(len({k.id for k in schema.node_kinds}), len(schema.node_kinds))
        self.assertEqual(len({t.id for t in schema.edge_types}), len(schema.edge_types))

    def test_stats(self):
        nodes, edges = seed_counts()
        s = self.stats()
        self.assertEqual((s.nodes, s.edges), (nodes, edges))
        self.assertEqual(sum(c.count for c in s.nodes_by_kind), nodes)
        self.assertEqual(sum(c.count for c in s.edges_by_type), edges)
        self.assertEqual(os.path.realpath(s.data_dir), os.path.realpath(self.server.data_dir))
        self.assertGreater(s.format_version, 0)
        self.assertTrue(s.server_version)
        self.assertGreater(s.last_sequence, 0)
        schema = self.call("GetSchema", pb.GetSchemaRequest()).schema
        self.assertEqual([c.name for c in s.nodes_by_kind], [k.name for k in schema.node_kinds])
        self.assertEqual([c.name for c in s.edges_by_type], [t.name for t in schema.edge_types])

    def test_health_check_serving(self):
        try:
            from grpc_health.v1 import health_pb2, health_pb2_grpc
        except ImportError:
            check = self.channel.unary_unary("/grpc.health.v1.Health/Check")
            # HealthCheckRequest{service: ""} is empty; HealthCheckResponse{status: SERVING=1}.
            self.assertEqual(check(b"", timeout=RPC_TIMEOUT_S), b"\x08\x01")
        else:
            resp = health_pb2_grpc.HealthStub(self.channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=RPC_TIMEOUT_S)
            self.assertEqual(resp.status, health_pb2.HealthCheckResponse.SERVING)

    def test_reflection_lists_the_service(self):
        try:
            from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
        except ImportError:
            info = self.channel.stream_stream(
                "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
            # ServerReflectionRequest{list_services: ""}: field 7, length-delimited, empty.
            answers = list(info(iter([b"\x3a\x00"]), timeout=RPC_TIMEOUT_S))
            self.assertEqual(len(answers), 1)
            self.assertIn(b"innograph.v1.GraphService", answers[0])
            self.assertIn(b"grpc.health.v1.Health", answers[0])
        else:
            stub = reflection_pb2_grpc.ServerReflectionStub(self.channel)
            answers = list(stub.ServerReflectionInfo(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                timeout=RPC_TIMEOUT_S))
            names = {s.name for s in answers[0].list_services_response.service}
            self.assertIn("innograph.v1.GraphService", names)


# --- Writes --------------------------------------------------------------------------------


class UpsertNodesTest(GrpcTestCase):
    SEED = None

    def test_batch_is_idempotent_by_key(self):
        req = pb.UpsertNodesRequest(nodes=[
            self.person("person/py-a", "甲", birth_year=1960),
            self.person("person/py-b", "乙", field="optics"),
            pb.Node(key="univ/py-u", kind="University", name="测试大学",
                    aliases=["Test University"],
                    properties={"founded": pb.Value(date_value="1926-05")},
                    sources=[pb.Citation(source="https://example.org/u", locator="p. 1")]),
        ])
        first = self.call("UpsertNodes", req)
        self.assertEqual(first.created, 3)
        self.assertEqual(len(first.ids), 3)
        self.assertEqual(len(set(first.ids)), 3)
        self.assertNotIn(0, first.ids)
        second = self.call("UpsertNodes", req)
        self.assertEqual(second.created, 0)
        self.assertEqual(list(second.ids), list(first.ids))
        self.assertEqual(self.stats().nodes, 3)
        u = self.get_node("univ/py-u")
        self.assertEqual(u.id, first.ids[2])
        self.assertEqual(u.properties["founded"].date_value, "1926-05-01")  # Outputs: full dates.
        self.assertEqual(list(u.aliases), ["Test University"])
        self.assertEqual(u.sources[0].locator, "p. 1")

    def test_replace_sets_all_fields(self):
        self.call("UpsertNodes", pb.UpsertNodesRequest(nodes=[
            self.person("person/py-c", "丙", birth_year=1970, field="x")]))
        replaced = self.person("person/py-c", "丙二")
        replaced.aliases.append("Bing")
        self.call("UpsertNodes", pb.UpsertNodesRequest(nodes=[replaced]))
        node = self.get_node("person/py-c")
        self.assertEqual(node.name, "丙二")
        self.assertEqual(list(node.aliases), ["Bing"])
        self.assertEqual(dict(node.properties), {})

    def test_same_key_twice_in_a_batch_later_wins(self):
        resp = self.call("UpsertNodes", pb.UpsertNodesRequest(nodes=[
            self.person("person/py-d", "first"), self.person("person/py-d", "second")]))
        self.assertEqual(resp.ids[0], resp.ids[1])
        self.assertEqual(resp.created, 1)
        self.assertEqual(self.get_node("person/py-d").name, "second")
        self.assertEqual(self.stats().nodes, 1)

    def test_free_form_properties_keep_their_type(self):
        node = pb.Node(key="topic/py-t", kind="Topic", name="T", properties={
            "n": pb.Value(int_value=-5), "x": pb.Value(double_value=2.5),
            "b": pb.Value(bool_value=True), "s": pb.Value(string_value="文本"),
            "d": pb.Value(date_value="2020")})
        self.call("UpsertNodes", pb.UpsertNodesRequest(nodes=[node]))
        got = self.get_node("topic/py-t").properties
        self.assertEqual(got["n"].int_value, -5)
        self.assertEqual(got["x"].double_value, 2.5)
        self.assertTrue(got["b"].bool_value)
        self.assertEqual(got["s"].string_value, "文本")
        self.assertEqual(got["d"].date_value, "2020-01-01")


class UpsertEdgesTest(GrpcTestCase):

    def test_create_and_update_by_natural_identity(self):
        before = self.stats().edges
        edge = pb.Edge(type="EMPLOYED_BY", from_key="person/jiang-tao", to_key="univ/hnu",
                       valid_from="2010", weight=2.0,
                       properties={"role": pb.Value(string_value="visiting")})
        first = self.call("UpsertEdges", pb.UpsertEdgesRequest(edges=[edge]))
        self.assertEqual(first.created, 1)
        # Same (from, type, to, valid_from), the start written differently: the same edge.
        edge2 = pb.Edge(type="EMPLOYED_BY", from_key="person/jiang-tao", to_key="univ/hnu",
                        valid_from="2010-01-01", valid_to="2012-06", weight=3.0)
        second = self.call("UpsertEdges", pb.UpsertEdgesRequest(edges=[edge2]))
        self.assertEqual(second.created, 0)
        self.assertEqual(list(second.ids), list(first.ids))
        self.assertEqual(self.stats().edges, before + 1)
        got = self.call("GetEdges", pb.GetEdgesRequest(ids=first.ids)).edges[0]
        self.assertEqual(got.valid_from, "2010-01-01")
        self.assertEqual(got.valid_to, "2012-06-30")
        self.assertEqual(got.weight, 3.0)
        self.assertEqual(got.from_key, "person/jiang-tao")
        self.assertEqual(got.to_key, "univ/hnu")
        self.assertGreater(got.from_id, 0)
        self.assertGreater(got.to_id, 0)
        # Another start date is another edge ("worked there 2010-2012, again from 2015").
        third = self.call("UpsertEdges", pb.UpsertEdgesRequest(edges=[pb.Edge(
            type="EMPLOYED_BY", from_key="person/jiang-tao", to_key="univ/hnu",
            valid_from="2015")]))
        self.assertEqual(third.created, 1)
        self.assertNotEqual(third.ids[0], first.ids[0])

    def test_update_by_id_and_by_key(self):
        zou_id = self.get_node(ZOU).id
        award_id = self.get_node("award/hunan-natural-science-2021").id
        made = self.call("UpsertEdges", pb.UpsertEdgesRequest(edges=[pb.Edge(
            type="RECEIVED", from_id=zou_id, to_id=award_id, valid_from="2023-02-24",
            key="received/zou-natural-2021")]))
        edge_id = made.ids[0]
        by_id = self.call("UpsertEdges", pb.UpsertEdgesRequest(edges=[pb.Edge(
            id=edge_id, type="RECEIVED", from_key=ZOU, to_key="award/hunan-natural-science-2021",
            valid_from="2023-02-24", key="received/zou-natural-2021",
            properties={"rank": pb.Value(int_value=1)})]))
        self.assertEqual((list(by_id.ids), by_id.created), ([edge_id], 0))
        by_key = self.call("UpsertEdges", pb.UpsertEdgesRequest(edges=[pb.Edge(
            key="received/zou-natural-2021", type="RECEIVED", from_key=ZOU,
            to_key="award/hunan-natural-science-2021", valid_from="2023-02-25",
            properties={"grade": pb.Value(string_value="first")})]))
        self.assertEqual((list(by_key.ids), by_key.created), ([edge_id], 0))
        got = self.call("GetEdges", pb.GetEdgesRequest(ids=[edge_id])).edges[0]
        self.assertEqual(got.key, "received/zou-natural-2021")
        self.assertEqual(got.valid_from, "2023-02-25")
        self.assertEqual(got.properties["grade"].string_value, "first")
        # An update may not change the endpoints.
        self.assertCode(grpc.StatusCode.FAILED_PRECONDITION, "UpsertEdges", pb.UpsertEdgesRequest(
            edges=[pb.Edge(id=edge_id, type="RECEIVED", from_key="person/jiang-tao",
                           to_key="award/hunan-natural-science-2021")]))
        # An id that does not exist.
        self.assertCode(grpc.StatusCode.NOT_FOUND, "UpsertEdges", pb.UpsertEdgesRequest(
            edges=[pb.Edge(id=987654, type="HEADS", from_key=ZOU, to_key="univ/csu")]))


# --- Lookups -------------------------------------------------------------------------------


class LookupTest(GrpcTestCase):

    def test_get_nodes_by_key_and_id(self):
        zou = self.call("GetNodes", pb.GetNodesRequest(nodes=[pb.NodeRef(key=ZOU)])).nodes[0]
        self.assertEqual(zou.name, "邹学校")
        self.assertGreater(zou.id, 0)
        resp = self.call("GetNodes", pb.GetNodesRequest(nodes=[
            pb.NodeRef(key="univ/csu"), pb.NodeRef(id=zou.id)]))
        self.assertEqual([n.key for n in resp.nodes], ["univ/csu", ZOU])  # Request order.
        self.assertEqual(resp.nodes[1], zou)

    def test_get_nodes_missing(self):
        self.assertCode(grpc.StatusCode.NOT_FOUND, "GetNodes", pb.GetNodesRequest(nodes=[
            pb.NodeRef(key=ZOU), pb.NodeRef(key="person/nobody")]), "person/nobody")
        self.assertCode(grpc.StatusCode.NOT_FOUND, "GetNodes", pb.GetNodesRequest(nodes=[
            pb.NodeRef(id=4000000000)]))
        resp = self.call("GetNodes", pb.GetNodesRequest(allow_missing=True, nodes=[
            pb.NodeRef(key="person/nobody"), pb.NodeRef(key=ZOU), pb.NodeRef(id=4000000000)]))
        self.assertEqual([n.key for n in resp.nodes], [ZOU])
        self.assertEqual(list(resp.missing), [pb.NodeRef(key="person/nobody"),
                                              pb.NodeRef(id=4000000000)])

    def test_get_edges(self):
        nbrs = self.call("Neighbors", pb.NeighborsRequest(
            node=pb.NodeRef(key=ZOU), filter=pb.Filter(edge_types=["HEADS"]))).neighbors
        ids = [n.edge.id for n in nbrs]
        self.assertEqual(len(ids), 3)
        resp = self.call("GetEdges", pb.GetEdgesRequest(ids=list(reversed(ids))))
        self.assertEqual([e.id for e in resp.edges], list(reversed(ids)))
        for e in resp.edges:
            self.assertEqual((e.type, e.from_key), ("HEADS", ZOU))
        self.assertCode(grpc.StatusCode.NOT_FOUND, "GetEdges",
                        pb.GetEdgesRequest(ids=[ids[0], 999999]))
        resp = self.call("GetEdges", pb.GetEdgesRequest(ids=[999999, ids[0]], allow_missing=True))
        self.assertEqual([e.id for e in resp.edges], [ids[0]])
        self.assertEqual(list(resp.missing_ids), [999999])


class SearchTest(GrpcTestCase):

    def search_all(self, query, limit, kinds=()):
        """Follows next_page_token to the end: (all nodes, pages)."""
        nodes, pages, token = [], 0, ""
        while True:
            resp = self.call("SearchNodes", pb.SearchNodesRequest(
                query=query, kinds=list(kinds), limit=limit, page_token=token))
            pages += 1
            self.assertLessEqual(len(resp.nodes), limit)
            nodes.extend(resp.nodes)
            token = resp.next_page_token
            if not token:
                return nodes, pages
            self.assertLess(pages, 1000, "paging does not end")

    def test_paging_visits_each_match_once(self):
        # 45 extra topics sharing a word, so that there are many pages.
        self.call("UpsertNodes", pb.UpsertNodesRequest(nodes=[
            pb.Node(key="topic/paging-%02d" % i, kind="Topic", name="Pagingword topic %d" % i)
            for i in range(45)]))
        for query, limit in (("pagingword", 7), ("hunan", 3), ("实验室", 2), ("pagingword", 45),
                             ("pagingword", 1)):
            with self.subTest(query=query, limit=limit):
                paged, pages = self.search_all(query, limit)
                keys = [n.key for n in paged]
                self.assertEqual(len(keys), len(set(keys)), "duplicates across pages")
                whole = self.call("SearchNodes", pb.SearchNodesRequest(query=query, limit=1000))
                self.assertFalse(whole.next_page_token)
                self.assertEqual(keys, [n.key for n in whole.nodes])
                # A full last page may or may not announce one more (empty) page.
                full_pages = max(1, math.ceil(len(keys) / limit))
                self.assertIn(pages, (full_pages, full_pages + 1))
        paged, _ = self.search_all("pagingword", 7)
        self.assertEqual(len(paged), 45)

    def test_ranking_and_kinds(self):
        resp = self.call("SearchNodes", pb.SearchNodesRequest(query="Xiangjiang Laboratory"))
        self.assertEqual(resp.nodes[0].key, "lab/xiangjiang")  # Exact alias first.
        resp = self.call("SearchNodes", pb.SearchNodesRequest(query="hunan", kinds=["University"]))
        self.assertTrue(resp.nodes)
        self.assertEqual({n.kind for n in resp.nodes}, {"University"})
        resp = self.call("SearchNodes", pb.SearchNodesRequest(query="邹学校"))
        self.assertEqual(resp.nodes[0].key, ZOU)

    def test_bad_requests(self):
        self.assertCode(grpc.StatusCode.INVALID_ARGUMENT, "SearchNodes",
                        pb.SearchNodesRequest(query=""), "query")
        self.assertCode(grpc.StatusCode.INVALID_ARGUMENT, "SearchNodes",
                        pb.SearchNodesRequest(query="x" * 257), "query")
        self.assertCode(grpc.StatusCode.INVALID_ARGUMENT, "SearchNodes",
                        pb.SearchNodesRequest(query="hunan", kinds=["Planet"]), "Planet")
        self.assertCode(grpc.StatusCode.INVALID_ARGUMENT, "SearchNodes",
                        pb.SearchNodesRequest(query="hunan", page_token="not-a-token"),
                        "page_token")


class NeighborsTest(GrpcTestCase):

    def pages(self, key, limit, **kwargs):
        out, token, pages = [], "", 0
        while True:
            resp = self.call("Neighbors", pb.NeighborsRequest(
                node=pb.NodeRef(key=key), limit=limit, page_token=token, **kwargs))
            pages += 1
            self.assertLessEqual(len(resp.neighbors), limit)
            out.extend(resp.neighbors)
            token = resp.next_page_token
            if not token:
                return out, pages
            self.assertLess(pages, 10000, "paging does not end")

    def test_paging_with_limit_1_equals_one_big_page(self):
        # A hub: lab/xiangjiang has edges both ways; add more in both directions.
        self.call("UpsertNodes", pb.UpsertNodesRequest(nodes=[
            self.person("person/py-n%02d" % i, "N%d" % i) for i in range(12)]))
        self.call("UpsertEdges", pb.UpsertEdgesRequest(edges=[
            pb.Edge(type="MEMBER_OF", from_key="person/py-n%02d" % i, to_key="lab/xiangjiang",
                    valid_from="20%02d" % (10 + i)) for i in range(12)] + [
            pb.Edge(type="EMPLOYED_BY", from_key="person/py-n00", to_key="lab/xiangjiang",
                    valid_from="2000"),
            pb.Edge(type="EMPLOYED_BY", from_key="person/py-n00", to_key="lab/xiangjiang",
                    valid_from="2005")]))
        for key, kwargs in (("lab/xiangjiang", {}),
                            ("lab/xiangjiang", {"direction": pb.DIRECTION_OUT}),
                            ("lab/xiangjiang", {"direction": pb.DIRECTION_IN}),
                            ("lab/xiangjiang", {"filter": pb.Filter(as_of="2015")}),
                            ("person/py-n00", {}),
                            (ZOU, {"filter": pb.Filter(edge_types=["HEADS", "MEMBER_OF"])})):
            with self.subTest(key=key, **{k: str(v) for k, v in kwargs.items()}):
                whole = self.call("Neighbors", pb.NeighborsRequest(node=pb.NodeRef(key=key),
                                                                   limit=10000, **kwargs))
                self.assertFalse(whole.next_page_token)
                one, pages = self.pages(key, 1, **kwargs)
                ids = [(n.direction, n.edge.id) for n in one]
                self.assertEqual(len(ids), len(set(ids)), "%s %s: duplicates" % (key, kwargs))
                self.assertEqual(list(one), list(whole.neighbors), "%s %s" % (key, kwargs))
                self.assertGreaterEqual(pages, len(one))
                three, _ = self.pages(key, 3, **kwargs)
                self.assertEqual(list(three), list(whole.neighbors), "%s %s" % (key, kwargs))
        everything = self.call("Neighbors", pb.NeighborsRequest(
            node=pb.NodeRef(key="lab/xiangjiang"), limit=10000)).neighbors
        self.assertGreater(len(everything), 20)
        # (direction, edge type, neighbour id, edge id) order: OUT before IN, and within one
        # direction and type by neighbour id, then edge id.
        directions = [n.direction for n in everything]
        self.assertEqual(directions, sorted(directions))
        groups = {}
        for n in everything:
            groups.setdefault((n.direction, n.edge.type), []).append((n.node.id, n.edge.id))
        for group, members in groups.items():
            self.assertEqual(members, sorted(members), group)

    def test_directions_and_filters(self):
        out = self.neighbour_keys("lab/xiangjiang", direction=pb.DIRECTION_OUT)
        inn = self.neighbour_keys("lab/xiangjiang", direction=pb.DIRECTION_IN)
        both = self.neighbour_keys("lab/xiangjiang")
        self.assertIn(("LOCATED_IN", "region/changsha"), out)
        self.assertIn(("HEADS", "person/chen-xiaohong"), inn)
        self.assertEqual(out | inn, both)
        resp = self.call("Neighbors", pb.NeighborsRequest(node=pb.NodeRef(key="lab/xiangjiang"),
                                                          direction=pb.DIRECTION_IN))
        self.assertTrue(all(n.direction == pb.DIRECTION_IN for n in resp.neighbors))
        self.assertTrue(all(n.edge.to_key == "lab/xiangjiang" for n in resp.neighbors))
        kinds = self.neighbour_keys("lab/xiangjiang", filter=pb.Filter(node_kinds=["University"]))
        self.assertTrue(kinds)
        self.assertTrue(all(k.startswith("univ/") for _, k in kinds))
        self.assertEqual(self.neighbour_keys(ZOU, filter=pb.Filter(as_of="2010-06-15",
                                                                  edge_types=["HEADS"])),
                         {("HEADS", "inst/haas"), ("HEADS", "lab/yuelu-mountain")})
        self.call("UpsertEdges", pb.UpsertEdgesRequest(edges=[pb.Edge(
            type="COLLABORATES_WITH", from_key=ZOU, to_key="person/bai-lianyang", weight=5)]))
        self.assertEqual(self.neighbour_keys(ZOU, filter=pb.Filter(min_weight=2)),
                         {("COLLABORATES_WITH", "person/bai-lianyang")})
        # By id.
        zou_id = self.get_node(ZOU).id
        resp = self.call("Neighbors", pb.NeighborsRequest(node=pb.NodeRef(id=zou_id)))
        self.assertEqual({(n.edge.type, n.node.key) for n in resp.neighbors},
                         self.neighbour_keys(ZOU))

    def test_bad_requests(self):
        self.assertCode(grpc.StatusCode.NOT_FOUND, "Neighbors",
                        pb.NeighborsRequest(node=pb.NodeRef(key="person/nobody")), "person/nobody")
        self.assertCode(grpc.StatusCode.INVALID_ARGUMENT, "Neighbors", pb.NeighborsRequest(
            node=pb.NodeRef(key=ZOU), filter=pb.Filter(as_of="2021-02-30")), "2021-02-30")
        self.assertCode(grpc.StatusCode.INVALID_ARGUMENT, "Neighbors", pb.NeighborsRequest(
            node=pb.NodeRef(key=ZOU), filter=pb.Filter(edge_types=["LIKES"])), "LIKES")
        self.assertCode(grpc.StatusCode.INVALID_ARGUMENT, "Neighbors", pb.NeighborsRequest(
            node=pb.NodeRef(key=ZOU), filter=pb.Filter(node_kinds=["Planet"])), "Planet")
        for token in ("garbage", "bnJiOjEsMiwz", "\xff\xfe"):
            self.assertCode(grpc.StatusCode.INVALID_ARGUMENT, "Neighbors", pb.NeighborsRequest(
                node=pb.NodeRef(key=ZOU), page_token=token), "page_token")


# --- Deletes -------------------------------------------------------------------------------


class DeleteTest(GrpcTestCase):

    def test_delete_edges_by_id_and_key(self):
        made = self.call("UpsertEdges", pb.UpsertEdgesRequest(edges=[
            pb.Edge(type="AFFILIATED_WITH", from_key="person/jiang-tao", to_key="lab/xiangjiang"),
            pb.Edge(type="AFFILIATED_WITH", from_key="person/jiang-tao", to_key="lab/furong",
                    key="aff/jiang-furong")]))
        before = self.stats().edges
        resp = self.call("DeleteEdges", pb.DeleteEdgesRequest(ids=[made.ids[0]],
                                                              keys=["aff/jiang-furong"]))
        self.assertEqual(resp.deleted_edges, 2)
        self.assertEqual(self.stats().edges, before - 2)
        left = self.neighbour_keys("person/jiang-tao")
        self.assertNotIn(("AFFILIATED_WITH", "lab/xiangjiang"), left)
        self.assertNotIn(("AFFILIATED_WITH", "lab/furong"), left)
        self.assertIn(("EMPLOYED_BY", "univ/csu"), left)
        resp = self.call("GetEdges", pb.GetEdgesRequest(ids=made.ids, allow_missing=True))
        self.assertEqual(list(resp.missing_ids), list(made.ids))
        self.assertCode(grpc.StatusCode.NOT_FOUND, "DeleteEdges",
                        pb.DeleteEdgesRequest(ids=[made.ids[0]]))
        self.assertCode(grpc.StatusCode.NOT_FOUND, "DeleteEdges",
                        pb.DeleteEdgesRequest(keys=["aff/jiang-furong"]), "aff/jiang-furong")
        resp = self.call("DeleteEdges", pb.DeleteEdgesRequest(ids=[made.ids[0]],
                                                              allow_missing=True))
        self.assertEqual(resp.deleted_edges, 0)

    def test_delete_edges_is_atomic(self):
        zou_heads = [n.edge.id for n in self.call("Neighbors", pb.NeighborsRequest(
            node=pb.NodeRef(key=ZOU), filter=pb.Filter(edge_types=["HEADS"]))).neighbors]
        before = self.snapshot()
        self.assertCode(grpc.StatusCode.NOT_FOUND, "DeleteEdges",
                        pb.DeleteEdgesRequest(ids=zou_heads + [999999]))
        self.assertEqual(self.snapshot(), before)

    def test_delete_nodes_cascades(self):
        records = harness.read_jsonl_records()
        zou_edges = sum(1 for r in records if "type" in r and ZOU in (r["from"], r["to"]))
        lab_edges = sum(1 for r in records
                        if "type" in r and "lab/yuelu-mountain" in (r["from"], r["to"]))
        shared = sum(1 for r in records if "type" in r
                     and {r["from"], r["to"]} == {ZOU, "lab/yuelu-mountain"})
        nodes, edges = seed_counts()
        resp = self.call("DeleteNodes", pb.DeleteNodesRequest(nodes=[
            pb.NodeRef(key=ZOU), pb.NodeRef(id=self.get_node("lab/yuelu-mountain").id)]))
        self.assertEqual(resp.deleted_nodes, 2)
        self.assertEqual(resp.deleted_edges, zou_edges + lab_edges - shared)
        s = self.stats()
        self.assertEqual((s.nodes, s.edges), (nodes - 2, edges - resp.deleted_edges))
        self.assertNotIn(("HEADS", ZOU), self.neighbour_keys("univ/hunan-agricultural"))
        self.assertNotIn(("MEMBER_OF", ZOU), self.neighbour_keys("academy/cae"))
        self.assertNotIn(("HEADS", "lab/yuelu-mountain"), self.neighbour_keys("person/wan-jianmin"))
        found = self.call("SearchNodes", pb.SearchNodesRequest(query="Zou Xuexiao"))
        self.assertEqual(list(found.nodes), [])
        self.assertCode(grpc.StatusCode.NOT_FOUND, "DeleteNodes",
                        pb.DeleteNodesRequest(nodes=[pb.NodeRef(key=ZOU)]), ZOU)
        resp = self.call("DeleteNodes", pb.DeleteNodesRequest(nodes=[pb.NodeRef(key=ZOU)],
                                                              allow_missing=True))
        self.assertEqual((resp.deleted_nodes, resp.deleted_edges), (0, 0))
        # The key can be used again, with a new id; the old edges do not come back.
        made = self.call("UpsertNodes",
                         pb.UpsertNodesRequest(nodes=[self.person(ZOU, "邹学校")]))
        self.assertEqual(made.created, 1)
        self.assertEqual(self.neighbour_keys(ZOU), set())

    def test_delete_nodes_is_atomic(self):
        before = self.snapshot()
        self.assertCode(grpc.StatusCode.NOT_FOUND, "DeleteNodes", pb.DeleteNodesRequest(nodes=[
            pb.NodeRef(key=ZOU), pb.NodeRef(key="person/nobody")]), "person/nobody")
        self.assertEqual(self.snapshot(), before)
        self.assertIsNotNone(self.get_node(ZOU))


# --- Bad input ---------------------------------------------------------------------------------


class BadInputTest(GrpcTestCase):
    """Every refused write leaves the store exactly as it was."""

    def setUp(self):
        super().setUp()
        self.before = self.snapshot()

    def tearDown(self):
        self.assertEqual(self.snapshot(), self.before, "a refused call changed the store")

    def nodes(self, code, nodes, *needles):
        return self.assertCode(code, "UpsertNodes", pb.UpsertNodesRequest(nodes=nodes), *needles)

    def edges(self, code, edges, *needles):
        return self.assertCode(code, "UpsertEdges", pb.UpsertEdgesRequest(edges=edges), *needles)

    def test_malformed_dates(self):
        INVALID = grpc.StatusCode.INVALID_ARGUMENT
        self.edges(INVALID, [pb.Edge(type="HEADS", from_key=ZOU, to_key="univ/csu",
                                     valid_from="2021-13-01")], "valid_from", "2021-13-01")
        self.edges(INVALID, [pb.Edge(type="HEADS", from_key=ZOU, to_key="univ/csu",
                                     valid_to="21-01-01")], "valid_to", "21-01-01")
        self.edges(INVALID, [pb.Edge(type="HEADS", from_key=ZOU, to_key="univ/csu",
                                     valid_from="2021-06-01", valid_to="2021-05-31")],
                   "valid_from", "2021-06-01")
        lab = pb.Node(key="lab/py-bad", kind="Laboratory", name="X",
                      properties={"established": pb.Value(date_value="2022-02-29")})
        self.nodes(INVALID, [lab], "established", "2022-02-29")

    def test_wrong_property_types(self):
        INVALID = grpc.StatusCode.INVALID_ARGUMENT
        self.nodes(INVALID, [pb.Node(key="univ/py-bad", kind="University", name="X",
                                     properties={"founded": pb.Value(string_value="notadate")})],
                   "founded")
        self.nodes(INVALID, [pb.Node(key="univ/py-bad", kind="University", name="X",
                                     properties={"founded": pb.Value(int_value=1926)})],
                   "founded")
        self.nodes(INVALID, [pb.Node(key="person/py-bad", kind="Person", name="X",
                                     properties={"birth_year": pb.Value(string_value="abc")})],
                   "birth_year")
        self.edges(INVALID, [pb.Edge(type="RECEIVED", from_key=ZOU,
                                     to_key="award/hunan-natural-science-2021",
                                     properties={"rank": pb.Value(string_value="first")})], "rank")
        self.nodes(INVALID, [pb.Node(key="topic/py-nan", kind="Topic", name="X",
                                     properties={"x": pb.Value(double_value=float("nan"))})], "x")
        self.nodes(INVALID, [pb.Node(key="topic/py-unset", kind="Topic", name="X",
                                     properties={"x": pb.Value()})], "x")

    def test_malformed_nodes(self):
        INVALID = grpc.StatusCode.INVALID_ARGUMENT
        self.nodes(INVALID, [pb.Node(key="", kind="Person", name="X")], "key")
        self.nodes(INVALID, [pb.Node(key="person/has space", kind="Person", name="X")],
                   "person/has space")
        self.nodes(INVALID, [pb.Node(key="k" * 257, kind="Person", name="X")], "key")
        self.nodes(INVALID, [pb.Node(key="person/py-noname", kind="Person", name="")], "name")
        self.nodes(INVALID, [pb.Node(key="planet/mars", kind="Planet", name="X")], "Planet")
        self.nodes(grpc.StatusCode.FAILED_PRECONDITION,
                   [pb.Node(key=ZOU, kind="Topic", name="邹学校")], "kind")

    def test_malformed_edges(self):
        INVALID = grpc.StatusCode.INVALID_ARGUMENT
        self.edges(INVALID, [pb.Edge(type="LIKES", from_key=ZOU, to_key="univ/csu")], "LIKES")
        self.edges(INVALID, [pb.Edge(type="HEADS", from_key=ZOU, to_key="univ/csu", weight=-1)],
                   "weight")
        self.edges(INVALID, [pb.Edge(type="HEADS", from_key=ZOU, to_key="univ/csu",
                                     weight=float("inf"))], "weight")
        self.edges(INVALID, [pb.Edge(type="HEADS", from_key=ZOU, to_key="univ/csu",
                                     weight=float("nan"))], "weight")
        self.edges(INVALID, [pb.Edge(type="HEADS", to_key="univ/csu")], "from")

    def test_zero_weight(self):
        # `weight` is `optional`: an explicit 0 is present and breaks "finite and > 0".
        self.edges(grpc.StatusCode.INVALID_ARGUMENT,
                   [pb.Edge(type="HEADS", from_key=ZOU, to_key="univ/csu", weight=0)], "weight")

    def test_missing_nodes(self):
        NOT_FOUND = grpc.StatusCode.NOT_FOUND
        self.edges(NOT_FOUND, [pb.Edge(type="HEADS", from_key="person/nobody", to_key="univ/csu")],
                   "person/nobody")
        self.edges(NOT_FOUND, [pb.Edge(type="HEADS", from_key=ZOU, to_id=4000000000)], "to")

    def test_schema_breaking_endpoints(self):
        FAILED = grpc.StatusCode.FAILED_PRECONDITION
        self.edges(FAILED, [pb.Edge(type="RECEIVED", from_key=ZOU, to_key="univ/csu")],
                   "RECEIVED", "University")
        self.edges(FAILED, [pb.Edge(type="EMPLOYED_BY", from_key="univ/csu", to_key="univ/hnu")],
                   "EMPLOYED_BY", "University")
        self.edges(FAILED, [pb.Edge(type="RECEIVED", from_key=ZOU,
                                    to_key="award/hunan-natural-science-2021",
                                    valid_from="2023-02-24", valid_to="2023-12-31")], "valid_to")

    def test_empty_batches(self):
        INVALID = grpc.StatusCode.INVALID_ARGUMENT
        self.assertCode(INVALID, "UpsertNodes", pb.UpsertNodesRequest())
        self.assertCode(INVALID, "UpsertEdges", pb.UpsertEdgesRequest())
        self.assertCode(INVALID, "DeleteNodes", pb.DeleteNodesRequest())
        self.assertCode(INVALID, "DeleteEdges", pb.DeleteEdgesRequest())
        self.assertCode(INVALID, "GetNodes", pb.GetNodesRequest())
        self.assertCode(INVALID, "GetEdges", pb.GetEdgesRequest())

    def test_empty_node_ref(self):
        self.assertCode(grpc.StatusCode.INVALID_ARGUMENT, "GetNodes",
                        pb.GetNodesRequest(nodes=[pb.NodeRef()]))
        self.assertCode(grpc.StatusCode.INVALID_ARGUMENT, "Neighbors", pb.NeighborsRequest())

    def test_batch_over_the_limit(self):
        self.assertCode(grpc.StatusCode.RESOURCE_EXHAUSTED, "UpsertNodes", pb.UpsertNodesRequest(
            nodes=[pb.Node(key="topic/py-many-%d" % i, kind="Topic", name="M")
                   for i in range(10001)]))

    def test_failing_node_batch_writes_nothing(self):
        good = [self.person("person/py-good-1", "好一"), self.person("person/py-good-2", "好二")]
        bad = pb.Node(key="univ/py-bad", kind="University", name="X",
                      properties={"founded": pb.Value(date_value="2021-13-01")})
        self.nodes(grpc.StatusCode.INVALID_ARGUMENT, good + [bad], "nodes[2]", "2021-13-01")
        self.nodes(grpc.StatusCode.INVALID_ARGUMENT, [good[0], bad, good[1]], "nodes[1]")
        resp = self.call("GetNodes", pb.GetNodesRequest(allow_missing=True, nodes=[
            pb.NodeRef(key="person/py-good-1"), pb.NodeRef(key="person/py-good-2")]))
        self.assertEqual(list(resp.nodes), [])
        self.assertEqual(len(resp.missing), 2)
        found = self.call("SearchNodes", pb.SearchNodesRequest(query="好一"))
        self.assertEqual(list(found.nodes), [])

    def test_failing_edge_batch_writes_nothing(self):
        good = [pb.Edge(type="HEADS", from_key="person/jiang-tao", to_key="univ/hnu"),
                pb.Edge(type="MEMBER_OF", from_key="person/qu-hai", to_key="academy/cae")]
        bad = pb.Edge(type="RECEIVED", from_key=ZOU, to_key="univ/csu")
        self.edges(grpc.StatusCode.FAILED_PRECONDITION, good + [bad], "edges[2]")
        self.assertNotIn(("HEADS", "univ/hnu"), self.neighbour_keys("person/jiang-tao"))
        self.assertNotIn(("MEMBER_OF", "academy/cae"), self.neighbour_keys("person/qu-hai"))


if __name__ == "__main__":
    unittest.main()
