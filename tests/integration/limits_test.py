"""Server-wide limits and bad input at the edges (docs/operations.md, "Limits"):

- --max-heavy-queries: with one slot, concurrent heavy calls (Rank) beyond it wait
  --heavy-query-wait-ms and then fail RESOURCE_EXHAUSTED naming the flag, while light calls
  (Neighbors, GetNodes, one-hop Expand) never do; /metrics counts the refusals.
- --max-query-memory: a traversal that outgrows the memory budget, explicit limits that cannot
  fit it, and whole-graph analytics over a graph too big for it fail RESOURCE_EXHAUSTED naming
  the flag and the estimate; the server stays healthy.
- --max-message-size: a larger gRPC message is RESOURCE_EXHAUSTED, a larger HTTP body 413;
  nothing is written.
- Bad input: invalid UTF-8 in names, huge or too many property values, deeply nested JSON,
  dates out of range: each a clear status naming the field, nothing written, no crash.

The graph is generated with bench/innograph-generate (200,000 edges). Run by hand:
  /usr/bin/python3 tests/integration/limits_test.py -v
"""

import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.error
import urllib.request

sys.dont_write_bytecode = True  # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

import grpc  # noqa: E402

_tmp = tempfile.mkdtemp(prefix="innograph-it-limits-")
atexit.register(shutil.rmtree, _tmp, True)
harness.generate_stubs(_tmp)
sys.path.insert(0, _tmp)
from innograph.v1 import graph_pb2 as pb  # noqa: E402
from innograph.v1 import graph_pb2_grpc as pb_grpc  # noqa: E402

RPC_TIMEOUT_S = 60
HTTP_TIMEOUT_S = 30
EXIT_USAGE = 2
GENERATE_BIN = os.environ.get(
    "INNOGRAPH_GENERATE_BIN",
    os.path.join(os.path.dirname(os.path.dirname(harness.SERVER_BIN)), "bench",
                 "innograph-generate"))
HUB = "univ/000"  # The generator's hub (20,000 edges at 200,000 edges).

_generated = None  # A data directory holding the generated graph, made once.


def generated_store():
    """The data directory of the generated graph (imported offline once)."""
    global _generated
    if _generated is None:
        files = os.path.join(_tmp, "gen")
        os.makedirs(files)
        subprocess.run([GENERATE_BIN, "--out", files, "--edges", "200000"], check=True,
                       capture_output=True, timeout=120)
        data = os.path.join(_tmp, "gen-data")
        rc, out, err = harness.run_offline_import(
            data, [os.path.join(files, "nodes.csv"), os.path.join(files, "edges.csv")],
            timeout=300)
        if rc != 0:
            raise AssertionError("import of the generated graph failed: " + out + err)
        _generated = data
    return _generated


def server_on_generated(extra_args):
    server = harness.Server(extra_args=extra_args, start=False)
    shutil.copytree(generated_store(), server.data_dir)
    try:
        server.start()
    except BaseException:
        server.close()
        raise
    return server


def metric(text, name, labels):
    pattern = re.escape(name) + re.escape(labels) + r" ([0-9.e+]+)$"
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else None


def http_get(port, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
                                timeout=HTTP_TIMEOUT_S) as resp:
        return resp.read().decode()


def http_post(port, path, body):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=body,
                                 method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_S) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


class HeavySlotsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = server_on_generated(["--max-heavy-queries", "1", "--heavy-query-wait-ms",
                                          "50"] + harness.http_args())
        cls.channel = grpc.insecure_channel(cls.server.address)
        cls.stub = pb_grpc.GraphServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.close()

    def test_heavy_calls_beyond_the_slots_are_refused_light_ones_never(self):
        heavy_codes, heavy_details, light_codes = [], [], []
        lock = threading.Lock()
        heavy_done = threading.Event()

        def heavy():
            try:
                self.stub.Rank(pb.RankRequest(measure=pb.MEASURE_BETWEENNESS, samples=50,
                                              seed=1), timeout=RPC_TIMEOUT_S)
                code, details = grpc.StatusCode.OK, ""
            except grpc.RpcError as e:
                code, details = e.code(), e.details()
            with lock:
                heavy_codes.append(code)
                heavy_details.append(details)

        def light():
            while not heavy_done.is_set():
                for call in (lambda: self.stub.Neighbors(pb.NeighborsRequest(
                                 node=pb.NodeRef(key=HUB), limit=10), timeout=RPC_TIMEOUT_S),
                             lambda: self.stub.GetNodes(pb.GetNodesRequest(
                                 nodes=[pb.NodeRef(key=HUB)]), timeout=RPC_TIMEOUT_S),
                             lambda: self.stub.Expand(pb.ExpandRequest(
                                 seeds=[pb.NodeRef(key=HUB)], depth=1, count_only=True),
                                 timeout=RPC_TIMEOUT_S)):
                    try:
                        call()
                        code = grpc.StatusCode.OK
                    except grpc.RpcError as e:
                        code = e.code()
                    with lock:
                        light_codes.append(code)

        light_threads = [threading.Thread(target=light) for _ in range(2)]
        for t in light_threads:
            t.start()
        heavy_threads = [threading.Thread(target=heavy) for _ in range(6)]
        for t in heavy_threads:
            t.start()
        for t in heavy_threads:
            t.join(RPC_TIMEOUT_S * 2)
        heavy_done.set()
        for t in light_threads:
            t.join(RPC_TIMEOUT_S)
        refused = heavy_codes.count(grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertEqual(heavy_codes.count(grpc.StatusCode.OK) + refused, 6, heavy_codes)
        self.assertGreaterEqual(refused, 1, "no heavy call was refused with one slot")
        self.assertGreaterEqual(heavy_codes.count(grpc.StatusCode.OK), 1)
        for d in heavy_details:
            if d:
                self.assertIn("--max-heavy-queries", d)
                self.assertIn("Rank", d)
        self.assertGreater(len(light_codes), 0)
        self.assertEqual(set(light_codes), {grpc.StatusCode.OK})
        text = http_get(harness.http_port(self.server), "/metrics")
        self.assertEqual(metric(text, "innograph_limit_rejections_total",
                                '{limit="max_heavy_queries"}'), refused)
        self.assertEqual(metric(text, "innograph_heavy_queries_running", ""), 0)
        # Slots are released: a heavy call alone succeeds.
        self.stub.Rank(pb.RankRequest(measure=pb.MEASURE_PAGERANK), timeout=RPC_TIMEOUT_S)


class QueryMemoryTest(unittest.TestCase):
    BUDGET = 2000000

    @classmethod
    def setUpClass(cls):
        cls.server = server_on_generated(["--max-query-memory", str(cls.BUDGET)] +
                                         harness.http_args())
        cls.channel = grpc.insecure_channel(cls.server.address)
        cls.stub = pb_grpc.GraphServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.close()

    def refused(self, method, req):
        with self.assertRaises(grpc.RpcError) as ctx:
            getattr(self.stub, method)(req, timeout=RPC_TIMEOUT_S)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED,
                         ctx.exception.details())
        details = ctx.exception.details()
        self.assertIn("--max-query-memory %d" % self.BUDGET, details)
        self.assertIn("estimated", details)
        estimate = int(re.search(r"estimated (\d+) bytes", details).group(1))
        return details, estimate

    def test_memory_limit(self):
        stats_before = self.stub.Stats(pb.StatsRequest(), timeout=RPC_TIMEOUT_S)
        # A traversal that outgrows the budget on the way (the server's default limits).
        details, estimate = self.refused("Expand", pb.ExpandRequest(
            seeds=[pb.NodeRef(key=HUB)], depth=3))
        self.assertIn("Expand", details)
        self.assertGreater(estimate, self.BUDGET * 0.9)
        # Explicit limits that cannot fit: refused before running, naming them.
        details, estimate = self.refused("Expand", pb.ExpandRequest(
            seeds=[pb.NodeRef(key=HUB)], depth=3, limits=pb.Limits(max_visited=1000000)))
        self.assertIn("limits.max_visited 1000000", details)
        self.assertGreater(estimate, self.BUDGET)
        details, _ = self.refused("Paths", pb.PathsRequest(
            **{"from": pb.NodeRef(key=HUB)}, to=pb.NodeRef(key="region/430000"),
            limits=pb.Limits(max_results=100000)))
        self.assertIn("limits.max_results 100000", details)
        # Explicit small limits: a truncated answer, as without the memory limit.
        resp = self.stub.Expand(pb.ExpandRequest(seeds=[pb.NodeRef(key=HUB)], depth=3,
                                                 limits=pb.Limits(max_visited=500,
                                                                  max_results=100)),
                                timeout=RPC_TIMEOUT_S)
        self.assertTrue(resp.truncated)
        # Whole-graph analytics, estimated from the graph's size before running.
        details, estimate = self.refused("Rank", pb.RankRequest(measure=pb.MEASURE_PAGERANK))
        self.assertIn("pagerank over %d nodes" % stats_before.nodes, details)
        self.assertGreater(estimate, self.BUDGET)
        self.refused("Communities", pb.CommunitiesRequest())
        with self.assertRaises(grpc.RpcError) as ctx:
            list(self.stub.Export(pb.ExportRequest(format=pb.EXPORT_FORMAT_JSONL),
                                  timeout=RPC_TIMEOUT_S))
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("export over", ctx.exception.details())
        # Small work still runs; the server is healthy.
        resp = self.stub.Expand(pb.ExpandRequest(seeds=[pb.NodeRef(key="region/430000")],
                                                 depth=1), timeout=RPC_TIMEOUT_S)
        self.assertGreater(len(resp.nodes), 1)
        self.assertEqual(self.stub.Stats(pb.StatsRequest(), timeout=RPC_TIMEOUT_S).nodes,
                         stats_before.nodes)
        text = http_get(harness.http_port(self.server), "/metrics")
        self.assertEqual(metric(text, "innograph_limit_rejections_total",
                                '{limit="max_query_memory"}'), 6)
        self.assertEqual(http_get(harness.http_port(self.server), "/healthz").strip(), "ok")


class MessageSizeTest(unittest.TestCase):
    LIMIT = 100000

    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(seed=harness.HUNAN_JSONL,
                                    extra_args=["--max-message-size", str(cls.LIMIT)] +
                                    harness.http_args())
        cls.channel = grpc.insecure_channel(cls.server.address)
        cls.stub = pb_grpc.GraphServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.close()

    def missing(self, key):
        resp = self.stub.GetNodes(pb.GetNodesRequest(nodes=[pb.NodeRef(key=key)],
                                                     allow_missing=True), timeout=RPC_TIMEOUT_S)
        return len(resp.nodes) == 0

    def test_grpc_message_over_the_limit(self):
        nodes = [pb.Node(key="topic/big-%d" % i, kind="Topic", name="n" * 1000)
                 for i in range(150)]
        with self.assertRaises(grpc.RpcError) as ctx:
            self.stub.UpsertNodes(pb.UpsertNodesRequest(nodes=nodes), timeout=RPC_TIMEOUT_S)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("larger than max", ctx.exception.details())
        self.assertIn(str(self.LIMIT), ctx.exception.details())
        self.assertTrue(self.missing("topic/big-0"))
        # Just under the limit is fine.
        self.stub.UpsertNodes(pb.UpsertNodesRequest(nodes=nodes[:50]), timeout=RPC_TIMEOUT_S)
        self.assertFalse(self.missing("topic/big-0"))

    def test_answer_over_the_limit(self):
        keys = ["topic/resp-%d" % i for i in range(120)]
        for part in (keys[:60], keys[60:]):
            self.stub.UpsertNodes(pb.UpsertNodesRequest(nodes=[
                pb.Node(key=k, kind="Topic", name="r" * 1000) for k in part]),
                timeout=RPC_TIMEOUT_S)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.stub.GetNodes(pb.GetNodesRequest(nodes=[pb.NodeRef(key=k) for k in keys]),
                               timeout=RPC_TIMEOUT_S)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("Sent message larger than max", ctx.exception.details())
        # Half of it fits.
        resp = self.stub.GetNodes(pb.GetNodesRequest(nodes=[pb.NodeRef(key=k) for k in keys[:60]]),
                                  timeout=RPC_TIMEOUT_S)
        self.assertEqual(len(resp.nodes), 60)

    def test_http_body_over_the_limit(self):
        body = json.dumps({"nodes": [{"key": "topic/http-big", "kind": "Topic",
                                      "name": "n" * (self.LIMIT + 10)}]}).encode()
        status, text = http_post(harness.http_port(self.server), "/api/v1/UpsertNodes", body)
        # RESOURCE_EXHAUSTED, as gRPC says it (HTTP 429 in grpc-gateway's mapping).
        self.assertEqual(status, 429, text)
        self.assertIn("too large", text)
        self.assertTrue(self.missing("topic/http-big"))

    def test_bad_flag_values(self):
        rc, out, err = harness.run_server(["--max-message-size", "0", "--data-dir",
                                           os.path.join(_tmp, "bad-flag")])
        self.assertEqual(rc, EXIT_USAGE, out + err)
        self.assertIn("--max-message-size", out + err)
        rc, out, err = harness.run_server(["--max-heavy-queries", "-1"])
        self.assertEqual(rc, EXIT_USAGE)
        self.assertIn("max_heavy_queries", err)

    def test_limits_in_the_config_file(self):
        config = os.path.join(_tmp, "limits.toml")
        with open(config, "w") as f:
            f.write("max_heavy_queries = 3\nmax-query-memory = 123456789\n"
                    "max_message_size = 5000000\nheavy_query_wait_ms = 20\n")
        proc = subprocess.run([harness.SERVER_BIN, "--config", config, "--print-config"],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for line in ("max_heavy_queries = 3", "max_query_memory = 123456789",
                     "max_message_size = 5000000", "heavy_query_wait_ms = 20"):
            self.assertIn(line + "\n", proc.stdout)


class BadInputTest(unittest.TestCase):
    """Each bad request: a clear status naming the field, nothing written, the server alive."""

    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(seed=harness.HUNAN_JSONL, extra_args=harness.http_args())
        cls.channel = grpc.insecure_channel(cls.server.address)
        cls.stub = pb_grpc.GraphServiceStub(cls.channel)
        cls.counts = cls.stub.Stats(pb.StatsRequest(), timeout=RPC_TIMEOUT_S)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.close()

    def tearDown(self):
        # Nothing was written, and the server still answers.
        stats = self.stub.Stats(pb.StatsRequest(), timeout=RPC_TIMEOUT_S)
        self.assertEqual((stats.nodes, stats.edges), (self.counts.nodes, self.counts.edges))
        self.assertTrue(self.server.running())

    def refused(self, method, req, code=grpc.StatusCode.INVALID_ARGUMENT, *needles):
        with self.assertRaises(grpc.RpcError) as ctx:
            getattr(self.stub, method)(req, timeout=RPC_TIMEOUT_S)
        self.assertEqual(ctx.exception.code(), code, ctx.exception.details())
        for n in needles:
            self.assertIn(n, ctx.exception.details())
        return ctx.exception.details()

    @staticmethod
    def field(number, payload):
        """A length-delimited protobuf field (wire type 2)."""
        def varint(n):
            out = b""
            while True:
                b, n = n & 0x7F, n >> 7
                if n:
                    out += bytes([b | 0x80])
                else:
                    return out + bytes([b])
        return varint(number << 3 | 2) + varint(len(payload)) + payload

    def raw_upsert_nodes(self, node_bytes):
        call = self.channel.unary_unary("/innograph.v1.GraphService/UpsertNodes",
                                        request_serializer=lambda b: b,
                                        response_deserializer=pb.UpsertNodesResponse.FromString)
        with self.assertRaises(grpc.RpcError) as ctx:
            call(self.field(1, node_bytes), timeout=RPC_TIMEOUT_S)
        return ctx.exception

    def test_invalid_utf8_in_names(self):
        # Node: key = 2, kind = 3, name = 4, aliases = 5.
        base = self.field(2, b"person/bad-utf8") + self.field(3, b"Person")
        e = self.raw_upsert_nodes(base + self.field(4, b"ab\xff\xfecd"))
        self.assertEqual(e.code(), grpc.StatusCode.INVALID_ARGUMENT, e.details())
        self.assertIn("innograph.v1.Node.name", e.details())
        self.assertIn("UTF-8", e.details())
        e = self.raw_upsert_nodes(base + self.field(4, b"ok") + self.field(5, b"\xc3\x28"))
        self.assertEqual(e.code(), grpc.StatusCode.INVALID_ARGUMENT, e.details())
        self.assertIn("innograph.v1.Node.aliases", e.details())
        # Bytes that are not a message at all.
        e = self.raw_upsert_nodes(b"\xff\xff\xff")
        self.assertEqual(e.code(), grpc.StatusCode.INVALID_ARGUMENT, e.details())
        self.assertIn("UpsertNodes", e.details())
        # Over HTTP: the JSON parser refuses it.
        status, text = http_post(harness.http_port(self.server), "/api/v1/UpsertNodes",
                                 b'{"nodes":[{"key":"person/bad-utf8","kind":"Person",'
                                 b'"name":"a\xff\xfeb"}]}')
        self.assertEqual(status, 400, text)
        self.assertIn("INVALID_ARGUMENT", text)
        got = self.stub.GetNodes(pb.GetNodesRequest(nodes=[pb.NodeRef(key="person/bad-utf8")],
                                                    allow_missing=True), timeout=RPC_TIMEOUT_S)
        self.assertEqual(len(got.nodes), 0)

    def test_huge_and_many_property_values(self):
        self.refused("UpsertNodes", pb.UpsertNodesRequest(nodes=[pb.Node(
            key="topic/huge", kind="Topic", name="x",
            properties={"blob": pb.Value(string_value="y" * 70000)})]),
            grpc.StatusCode.INVALID_ARGUMENT, "properties.blob", "70000 bytes")
        self.refused("UpsertNodes", pb.UpsertNodesRequest(nodes=[pb.Node(
            key="topic/many", kind="Topic", name="x",
            properties={"p%d" % i: pb.Value(int_value=i) for i in range(300)})]),
            grpc.StatusCode.INVALID_ARGUMENT, "properties")
        self.refused("UpsertNodes", pb.UpsertNodesRequest(nodes=[pb.Node(
            key="topic/long-name", kind="Topic", name="名" * 2000)]),
            grpc.StatusCode.INVALID_ARGUMENT, "name")
        self.refused("UpsertEdges", pb.UpsertEdgesRequest(edges=[pb.Edge(
            type="HEADS", from_key="person/zou-xuexiao", to_key="univ/csu",
            properties={"role": pb.Value(string_value="r" * 70000)})]),
            grpc.StatusCode.INVALID_ARGUMENT, "properties.role")

    def test_deeply_nested_json(self):
        port = harness.http_port(self.server)
        depth = 100000
        body = (b'{"nodes":[{"key":"topic/nested","kind":"Topic","name":"x",'
                b'"properties":{"p":{"stringValue":' + b"[" * depth + b"]" * depth + b"}}}]}")
        status, text = http_post(port, "/api/v1/UpsertNodes", body)
        self.assertEqual(status, 400, text[:500])
        self.assertIn("INVALID_ARGUMENT", text)
        body = b'{"filter":' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"
        status, text = http_post(port, "/api/v1/Rank", body)
        self.assertEqual(status, 400, text[:500])
        # Import lines with a deeply nested property value, or nested past any parser's depth:
        # each row rejected with its line, nothing written.
        def messages():
            yield pb.ImportRequest(file=pb.ImportFile(name="nested.jsonl"))
            yield pb.ImportRequest(lines=pb.ImportLines(first_line=1, lines=[
                b'{"key":"topic/nested-1","kind":"Topic","name":"x","properties":{"p":' +
                b'{"a":' * 50 + b"1" + b"}" * 50 + b"}}",
                b'{"key":"topic/nested-2","kind":"Topic","name":"x","properties":{"p":' +
                b"[" * depth + b"]" * depth + b"}}"]))
        resp = self.stub.Import(messages(), timeout=RPC_TIMEOUT_S)
        self.assertEqual(resp.nodes_written, 0)
        self.assertEqual(len(resp.errors), 2, resp)
        self.assertEqual([e.line for e in resp.errors], [1, 2])

    def test_dates_out_of_range(self):
        for field in ("valid_from", "valid_to"):
            for bad in ("0000-01-01", "10000-01-01", "2021-02-30", "-0001"):
                self.refused("UpsertEdges", pb.UpsertEdgesRequest(edges=[pb.Edge(
                    type="HEADS", from_key="person/zou-xuexiao", to_key="univ/csu",
                    **{field: bad})]), grpc.StatusCode.INVALID_ARGUMENT, field, bad)
        self.refused("UpsertNodes", pb.UpsertNodesRequest(nodes=[pb.Node(
            key="lab/bad-date", kind="Laboratory", name="X",
            properties={"established": pb.Value(date_value="99999-01-01")})]),
            grpc.StatusCode.INVALID_ARGUMENT, "established", "99999-01-01")
        self.refused("Expand", pb.ExpandRequest(
            seeds=[pb.NodeRef(key="person/zou-xuexiao")], depth=2,
            filter=pb.Filter(as_of="0000-12-31")), grpc.StatusCode.INVALID_ARGUMENT,
            "filter.as_of", "0000-12-31")
        self.refused("Rank", pb.RankRequest(filter=pb.Filter(window_from="2020",
                                                             window_to="10000")),
                     grpc.StatusCode.INVALID_ARGUMENT, "filter.window_to", "10000")


if __name__ == "__main__":
    unittest.main()
