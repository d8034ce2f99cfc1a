"""Integration tests of operations: GET /metrics (Prometheus text format 0.0.4, parsed by the
real Prometheus client parser) and the server's structured logs on stderr (JSON lines, the
slow-query log).

Run by hand: /usr/bin/python3 tests/integration/metrics_test.py -v
Needs, besides what python_client_test.py needs, Debian's python3-prometheus-client.
"""

import importlib
import json
import os
import random
import re
import shutil
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

sys.dont_write_bytecode = True  # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

import grpc  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

ZOU = "person/zou-xuexiao"
RPC_TIMEOUT_S = 30
HTTP_TIMEOUT_S = 30

pb = None  # innograph.v1.graph_pb2, imported by setUpModule.
pb_grpc = None  # innograph.v1.graph_pb2_grpc.
_stub_dir = None


def setUpModule():
    global pb, pb_grpc, _stub_dir
    _stub_dir = tempfile.mkdtemp(prefix="innograph-it-stubs-")
    harness.generate_stubs(_stub_dir)
    sys.path.insert(0, _stub_dir)
    pb = importlib.import_module("innograph.v1.graph_pb2")
    pb_grpc = importlib.import_module("innograph.v1.graph_pb2_grpc")


def tearDownModule():
    if _stub_dir:
        shutil.rmtree(_stub_dir, ignore_errors=True)


class Scrape:
    """One parsed /metrics answer: families by name, and every sample by (name, labels)."""

    def __init__(self, text):
        self.text = text
        self.families = {f.name: f for f in text_string_to_metric_families(text)}
        self.samples = {}
        for family in self.families.values():
            for s in family.samples:
                self.samples[(s.name, frozenset(s.labels.items()))] = s.value

    def get(self, name, **labels):
        """The value of a sample; 0 when the series does not exist (yet)."""
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def series(self, name):
        """[(labels dict, value)] of every sample called `name`."""
        return [(dict(k[1]), v) for k, v in self.samples.items() if k[0] == name]


class ServerTestCase(unittest.TestCase):
    """One server per class (seeded with the demo data, HTTP on), a gRPC stub and an HTTP base
    URL."""

    EXTRA_ARGS = ()

    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(seed=harness.HUNAN_JSONL,
                                    extra_args=harness.http_args() + list(cls.EXTRA_ARGS))
        cls.channel = grpc.insecure_channel(cls.server.address)
        cls.stub = pb_grpc.GraphServiceStub(cls.channel)
        cls.base = "http://127.0.0.1:%d" % harness.http_port(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.close()

    def call(self, method, request):
        return getattr(self.stub, method)(request, timeout=RPC_TIMEOUT_S)

    def call_fails(self, code, method, request):
        with self.assertRaises(grpc.RpcError, msg="%s did not fail" % method) as cm:
            self.call(method, request)
        self.assertEqual(cm.exception.code(), code, cm.exception.details())

    def http(self, path, body=None):
        """(status, content type, body text) of GET path, or POST body (a JSON value) to path."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self.base + path, data=data, method="GET" if data is None
                                     else "POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_S) as resp:
                return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read().decode()

    def scrape(self):
        status, content_type, text = self.http("/metrics")
        self.assertEqual(status, 200, text)
        self.assertTrue(content_type.startswith("text/plain; version=0.0.4"), content_type)
        return Scrape(text)


class MetricsTest(ServerTestCase):

    def test_every_family_has_help_and_type(self):
        scrape = self.scrape()
        want = {
            "innograph_rpc_requests": "counter",
            "innograph_rpc_latency_seconds": "histogram",
            "innograph_queries_truncated": "counter",
            "innograph_import_rows": "counter",
            "innograph_watch_streams": "gauge",
            "innograph_uptime_seconds": "gauge",
            "innograph_build_info": "gauge",
            "innograph_rocksdb_sst_bytes": "gauge",
            "innograph_rocksdb_memtable_bytes": "gauge",
            "innograph_rocksdb_block_cache_hit_ratio": "gauge",
            "innograph_rocksdb_compaction_pending_bytes": "gauge",
            "innograph_topology_nodes": "gauge",
            "innograph_topology_edges": "gauge",
            "innograph_topology_bytes": "gauge",
        }
        for name, kind in want.items():
            self.assertIn(name, scrape.families, "no family %s in:\n%s" % (name, scrape.text))
            self.assertEqual(scrape.families[name].type, kind, name)
        for line in scrape.text.splitlines():
            if line.startswith("# TYPE "):
                name = line.split()[2]
                self.assertIn("# HELP %s " % name, scrape.text)

    def test_rpc_counters_count_both_transports_with_their_codes(self):
        before = self.scrape()
        code = grpc.StatusCode
        # gRPC: unary good and bad calls, a server stream, a client stream.
        self.call("Stats", pb.StatsRequest())
        self.call("Stats", pb.StatsRequest())
        self.call_fails(code.NOT_FOUND, "GetNodes",
                        pb.GetNodesRequest(nodes=[pb.NodeRef(key="person/nobody")]))
        self.call_fails(code.INVALID_ARGUMENT, "Expand",
                        pb.ExpandRequest(seeds=[pb.NodeRef(key=ZOU)], depth=99))
        chunks = list(self.stub.Subgraph(pb.SubgraphRequest(center=pb.NodeRef(key=ZOU), radius=1),
                                         timeout=RPC_TIMEOUT_S))
        self.assertTrue(chunks[-1].last)
        rows = [{"kind": "Person", "key": "person/metrics-test", "name": "M"},
                {"kind": "NoSuchKind", "key": "x/bad", "name": "Bad"}]
        lines = [json.dumps(row).encode("utf-8") for row in rows]
        answer = self.stub.Import(iter([
            pb.ImportRequest(options=pb.ImportOptions(max_errors=5)),
            pb.ImportRequest(file=pb.ImportFile(name="metrics.jsonl")),
            pb.ImportRequest(lines=pb.ImportLines(lines=lines)),
        ]), timeout=RPC_TIMEOUT_S)
        self.assertEqual((answer.nodes_written, answer.rows_rejected), (1, 1))
        # HTTP, through the gateway's in-process channel: one good, one bad.
        status, _, body = self.http("/api/v1/Stats", {})
        self.assertEqual(status, 200, body)
        status, _, body = self.http("/api/v1/Expand", {"seeds": [{"key": "person/nobody"}],
                                                       "depth": 1})
        self.assertEqual(status, 404, body)
        after = self.scrape()

        def delta(method, code_name):
            name = "innograph_rpc_requests_total"
            return (after.get(name, method=method, code=code_name)
                    - before.get(name, method=method, code=code_name))

        self.assertEqual(delta("Stats", "OK"), 3)
        self.assertEqual(delta("GetNodes", "NOT_FOUND"), 1)
        self.assertEqual(delta("GetNodes", "OK"), 0)
        self.assertEqual(delta("Expand", "INVALID_ARGUMENT"), 1)
        self.assertEqual(delta("Expand", "NOT_FOUND"), 1)
        self.assertEqual(delta("Expand", "OK"), 0)
        self.assertEqual(delta("Subgraph", "OK"), 1)
        self.assertEqual(delta("Import", "OK"), 1)
        for method, calls in (("Stats", 3), ("GetNodes", 1), ("Expand", 2), ("Subgraph", 1),
                              ("Import", 1)):
            name = "innograph_rpc_latency_seconds_count"
            self.assertEqual(after.get(name, method=method) - before.get(name, method=method),
                             calls, method)
        rows = "innograph_import_rows_total"
        self.assertEqual(after.get(rows, result="written") - before.get(rows, result="written"), 1)
        self.assertEqual(after.get(rows, result="rejected") - before.get(rows, result="rejected"),
                         1)

    def test_histogram_buckets_are_cumulative_and_count_matches(self):
        self.call("Stats", pb.StatsRequest())
        self.call("Neighbors", pb.NeighborsRequest(node=pb.NodeRef(key=ZOU)))
        scrape = self.scrape()
        buckets = {}
        for labels, value in scrape.series("innograph_rpc_latency_seconds_bucket"):
            buckets.setdefault(labels["method"], []).append((float(labels["le"]), value))
        self.assertIn("Stats", buckets)
        requests = {}
        for labels, value in scrape.series("innograph_rpc_requests_total"):
            requests[labels["method"]] = requests.get(labels["method"], 0) + value
        for method, points in buckets.items():
            points.sort()
            values = [v for _, v in points]
            self.assertEqual(values, sorted(values), "%s: buckets not cumulative" % method)
            self.assertEqual(points[-1][0], float("inf"), method)
            self.assertGreaterEqual(points[0][0], 0.0001, method)
            self.assertEqual(points[-2][0], 10, method)
            count = scrape.get("innograph_rpc_latency_seconds_count", method=method)
            self.assertEqual(points[-1][1], count, method)
            self.assertEqual(count, requests.get(method, 0), method)
            total = scrape.get("innograph_rpc_latency_seconds_sum", method=method)
            self.assertGreaterEqual(total, 0, method)
            if count:
                self.assertGreater(total, 0, method)
        self.assertGreaterEqual(scrape.get("innograph_rpc_latency_seconds_count", method="Stats"),
                                1)

    def test_truncated_query_counter_moves_after_expand_with_max_visited_1(self):
        name = "innograph_queries_truncated_total"
        before = self.scrape()
        resp = self.call("Expand", pb.ExpandRequest(seeds=[pb.NodeRef(key=ZOU)], depth=2,
                                                    limits=pb.Limits(max_visited=1)))
        self.assertTrue(resp.truncated)
        self.assertIn(pb.LIMIT_KIND_VISITED, resp.limits_hit)
        after = self.scrape()
        self.assertEqual(after.get(name, method="Expand", limit="visited")
                         - before.get(name, method="Expand", limit="visited"), 1)
        # An answer that was not cut counts nothing.
        resp = self.call("Expand", pb.ExpandRequest(seeds=[pb.NodeRef(key=ZOU)], depth=1))
        self.assertFalse(resp.truncated)
        self.assertEqual(self.scrape().series(name), after.series(name))

    def test_topology_and_store_gauges_agree_with_stats(self):
        stats = self.call("Stats", pb.StatsRequest())
        scrape = self.scrape()
        self.assertEqual(scrape.get("innograph_topology_nodes"), stats.nodes)
        self.assertEqual(scrape.get("innograph_topology_edges"), stats.edges)
        self.assertEqual(scrape.get("innograph_topology_bytes"), stats.topology_bytes)
        self.assertGreater(stats.topology_bytes, 0)
        self.assertGreater(stats.rocksdb_memtable_bytes, 0)
        self.assertGreater(scrape.get("innograph_rocksdb_memtable_bytes"), 0)
        ratio = scrape.get("innograph_rocksdb_block_cache_hit_ratio")
        self.assertTrue(0 <= ratio <= 1, ratio)
        self.assertTrue(0 <= stats.block_cache_hit_ratio <= 1, stats.block_cache_hit_ratio)
        self.assertGreaterEqual(scrape.get("innograph_rocksdb_compaction_pending_bytes"), 0)
        self.assertGreaterEqual(scrape.get("innograph_rocksdb_sst_bytes"), 0)

    def test_build_info_uptime_and_watch_streams(self):
        stats = self.call("Stats", pb.StatsRequest())
        scrape = self.scrape()
        self.assertEqual(scrape.get("innograph_build_info", version=stats.server_version), 1)
        self.assertGreater(scrape.get("innograph_uptime_seconds"), 0)
        self.assertEqual(scrape.get("innograph_watch_streams"), 0)

    def test_cli_stats_prints_the_rocksdb_figures(self):
        rc, out, err = self.server.cli("stats")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"rocksdb: \d+ memtable bytes, block cache hit ratio [0-9.]+, "
                              r"\d+ bytes pending compaction")


RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def log_lines(server):
    """Every stderr line of `server`, parsed as JSON (fails on a line that is not)."""
    out = []
    for line in server.stderr().splitlines():
        if line.strip():
            out.append(json.loads(line))
    return out


def heavy_graph(stub, n=3000):
    """Adds n Person nodes joined by random COLLABORATES_WITH edges (one UpsertNodes with every
    node, then edges), so that a deep Expand from p/0 reaches them all."""
    nodes = [pb.Node(key="p/%d" % i, kind="Person", name="P%d" % i) for i in range(n)]
    stub.UpsertNodes(pb.UpsertNodesRequest(nodes=nodes), timeout=RPC_TIMEOUT_S)
    rng = random.Random(7)
    edges = []
    for i in range(n):
        for _ in range(3):
            j = (i + rng.randrange(1, n)) % n  # Never i itself.
            edges.append(pb.Edge(type="COLLABORATES_WITH", from_key="p/%d" % i,
                                 to_key="p/%d" % j))
    for at in range(0, len(edges), 10000):
        stub.UpsertEdges(pb.UpsertEdgesRequest(edges=edges[at:at + 10000]), timeout=RPC_TIMEOUT_S)


def heavy_expand():
    return pb.ExpandRequest(seeds=[pb.NodeRef(key="p/0")], depth=6)


class SlowQueryLogTest(ServerTestCase):
    """--slow-query-ms=1 and queries over a few thousand nodes."""

    EXTRA_ARGS = ("--slow-query-ms=1",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        heavy_graph(cls.stub)
        resp = cls.stub.Expand(heavy_expand(), timeout=RPC_TIMEOUT_S)
        assert len(resp.nodes) > 1000, len(resp.nodes)

    def test_every_stderr_line_is_a_json_object_with_ts_level_msg(self):
        lines = log_lines(self.server)
        self.assertTrue(lines)
        for entry in lines:
            self.assertRegex(entry["ts"], RFC3339_UTC)
            self.assertIn(entry["level"], ("debug", "info", "warn", "error"))
            self.assertIsInstance(entry["msg"], str)
        msgs = [e["msg"] for e in lines]
        self.assertTrue(any(m.startswith("listening on 127.0.0.1:%d" % self.server.port)
                            for m in msgs), msgs)
        self.assertIn("seeded the store", msgs)

    def test_a_slow_query_is_logged_at_warn_with_its_request(self):
        slow = [e for e in log_lines(self.server)
                if e["msg"] == "slow query" and e.get("method") == "Expand"]
        self.assertTrue(slow, self.server.stderr())
        entry = slow[0]
        self.assertEqual(entry["level"], "warn")
        self.assertEqual(entry["code"], "OK")
        self.assertGreaterEqual(entry["ms"], 1)
        request = json.loads(entry["request"])
        self.assertEqual(request["seeds"], [{"key": "p/0"}])
        self.assertEqual(request["depth"], 6)
        self.assertFalse(entry["request_truncated"])

    def test_a_large_slow_request_is_cut_to_2_kb(self):
        slow = [e for e in log_lines(self.server)
                if e["msg"] == "slow query" and e.get("method") == "UpsertNodes"]
        self.assertTrue(slow, self.server.stderr())
        entry = slow[0]
        self.assertTrue(entry["request_truncated"])
        self.assertLessEqual(len(entry["request"].encode("utf-8")), 2048)
        self.assertIn('"key":"p/0"', entry["request"])


class SlowQueryLogOffTest(ServerTestCase):
    """--slow-query-ms=0 turns the slow-query log off."""

    EXTRA_ARGS = ("--slow-query-ms=0",)

    def test_no_slow_query_lines(self):
        heavy_graph(self.stub, n=1000)
        self.stub.Expand(heavy_expand(), timeout=RPC_TIMEOUT_S)
        self.assertFalse([e for e in log_lines(self.server) if e["msg"] == "slow query"],
                         self.server.stderr())
        # The calls were counted all the same.
        self.assertGreaterEqual(self.scrape().get("innograph_rpc_requests_total",
                                                  method="Expand", code="OK"), 1)


class LogFlagsTest(unittest.TestCase):

    def test_text_format(self):
        with harness.Server(seed=harness.HUNAN_JSONL,
                            extra_args=["--log-format=text", "--log-level=debug"]) as server:
            lines = [l for l in server.stderr().splitlines() if l.strip()]
            self.assertTrue(lines)
            for line in lines:
                self.assertRegex(line, r"^\S+Z (DEBUG|INFO|WARN|ERROR) ")
                self.assertRegex(line.split()[0], RFC3339_UTC)
            self.assertTrue(any(" INFO listening on " in l for l in lines), lines)
            server.stop()

    def test_level_filters_lines(self):
        with harness.Server(seed=harness.HUNAN_JSONL, extra_args=["--log-level=warn"]) as server:
            self.assertFalse([e for e in log_lines(server) if e["level"] in ("debug", "info")])
            server.stop()

    def test_bad_log_flags_exit_2(self):
        data = tempfile.mkdtemp(prefix="innograph-it-log-")
        self.addCleanup(shutil.rmtree, data, True)
        for flag in ("--log-level=loud", "--log-format=xml"):
            with self.subTest(flag=flag):
                rc, out, err = harness.run_server(
                    ["--data-dir", data, "--listen", "127.0.0.1:%d" % harness.free_port(), flag])
                self.assertEqual(rc, 2, "stdout:\n%s\nstderr:\n%s" % (out, err))
                self.assertIn(flag.split("=")[0], err)


if __name__ == "__main__":
    unittest.main()
