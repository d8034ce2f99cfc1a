"""Integration tests of access control, TLS and the audit log (docs/operations.md, "Access
control and TLS"): bearer tokens with roles over gRPC and HTTP, TLS for gRPC, HTTPS and the
CLI, the loopback-only rule without tokens, and audit lines on stderr.

Run by hand: /usr/bin/python3 tests/integration/security_test.py -v
Needs what python_client_test.py needs, plus the openssl command (certificates are made at
test time).
"""

import importlib
import json
import os
import shutil
import ssl
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

sys.dont_write_bytecode = True  # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

import grpc  # noqa: E402

RPC_TIMEOUT_S = 30
HTTP_TIMEOUT_S = 30
EXIT_USAGE = 2

READER = "reader-secret-0123456789"
WRITER = "writer-secret-0123456789"
ADMIN = "admin-secret-01234567890"
TOKENS = """# name role secret
ro      reader  %s
etl     writer  %s   # the loader
root    admin   %s
""" % (READER, WRITER, ADMIN)

pb = None  # innograph.v1.graph_pb2, imported by setUpModule.
pb_grpc = None
_tmp = None
_tokens_path = None


def setUpModule():
    global pb, pb_grpc, _tmp, _tokens_path
    _tmp = tempfile.mkdtemp(prefix="innograph-it-security-")
    harness.generate_stubs(_tmp)
    sys.path.insert(0, _tmp)
    pb = importlib.import_module("innograph.v1.graph_pb2")
    pb_grpc = importlib.import_module("innograph.v1.graph_pb2_grpc")
    _tokens_path = os.path.join(_tmp, "tokens.txt")
    with open(_tokens_path, "w") as f:
        f.write(TOKENS)


def tearDownModule():
    if _tmp:
        shutil.rmtree(_tmp, ignore_errors=True)


def node(key):
    return pb.Node(key=key, kind="Person", name=key)


def bearer(secret):
    return (("authorization", "Bearer " + secret),) if secret else ()


class TokenTest(unittest.TestCase):
    """A plaintext server with --tokens and an HTTP gateway."""

    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(extra_args=["--tokens", _tokens_path] + harness.http_args())
        cls.channel = grpc.insecure_channel(cls.server.address)
        cls.stub = pb_grpc.GraphServiceStub(cls.channel)
        cls.base = "http://127.0.0.1:%d" % harness.http_port(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.close()

    def code_of(self, method, req, secret):
        try:
            getattr(self.stub, method)(req, metadata=bearer(secret), timeout=RPC_TIMEOUT_S)
            return grpc.StatusCode.OK
        except grpc.RpcError as e:
            return e.code()

    def http(self, path, secret=None, body=None):
        """(status, body) of a POST (with body) or GET."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data,
                                     method="GET" if data is None else "POST")
        if secret:
            req.add_header("Authorization", "Bearer " + secret)
        try:
            with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_S) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def test_no_token_is_unauthenticated(self):
        self.assertEqual(self.code_of("Stats", pb.StatsRequest(), None),
                         grpc.StatusCode.UNAUTHENTICATED)

    def test_wrong_token_is_unauthenticated(self):
        self.assertEqual(self.code_of("Stats", pb.StatsRequest(), "not-a-token-0123456789"),
                         grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(self.code_of("Stats", pb.StatsRequest(), READER[:-1]),
                         grpc.StatusCode.UNAUTHENTICATED)

    def test_reader_reads_but_cannot_write(self):
        self.assertEqual(self.code_of("Stats", pb.StatsRequest(), READER), grpc.StatusCode.OK)
        req = pb.UpsertNodesRequest(nodes=[node("person/sec-reader")])
        self.assertEqual(self.code_of("UpsertNodes", req, READER),
                         grpc.StatusCode.PERMISSION_DENIED)
        got = self.stub.GetNodes(pb.GetNodesRequest(nodes=[pb.NodeRef(key="person/sec-reader")],
                                                    allow_missing=True),
                                 metadata=bearer(READER), timeout=RPC_TIMEOUT_S)
        self.assertEqual(len(got.nodes), 0)

    def test_writer_and_admin_write(self):
        for secret, key in ((WRITER, "person/sec-writer"), (ADMIN, "person/sec-admin")):
            req = pb.UpsertNodesRequest(nodes=[node(key)])
            self.assertEqual(self.code_of("UpsertNodes", req, secret), grpc.StatusCode.OK)
        # A streaming write: Import.
        def messages():
            yield pb.ImportRequest(file=pb.ImportFile(name="x.jsonl"))
            yield pb.ImportRequest(lines=pb.ImportLines(first_line=1, lines=[
                json.dumps({"key": "person/sec-import", "kind": "Person", "name": "i"}).encode()]))
        resp = self.stub.Import(messages(), metadata=bearer(WRITER), timeout=RPC_TIMEOUT_S)
        self.assertEqual(resp.nodes_written, 1)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.stub.Import(messages(), metadata=bearer(READER), timeout=RPC_TIMEOUT_S)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED)

    def test_streaming_reads_need_a_token(self):
        with self.assertRaises(grpc.RpcError) as ctx:
            list(self.stub.Export(pb.ExportRequest(), timeout=RPC_TIMEOUT_S))
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        chunks = list(self.stub.Export(pb.ExportRequest(), metadata=bearer(READER),
                                       timeout=RPC_TIMEOUT_S))
        self.assertTrue(chunks)

    def test_http_api(self):
        self.assertEqual(self.http("/api/v1/Stats", body={})[0], 401)
        self.assertEqual(self.http("/api/v1/Stats", "wrong-token-0123456789", body={})[0], 401)
        self.assertEqual(self.http("/api/v1/Stats", READER, body={})[0], 200)
        upsert = {"nodes": [{"key": "person/sec-http", "kind": "Person", "name": "h"}]}
        status, body = self.http("/api/v1/UpsertNodes", READER, body=upsert)
        self.assertEqual(status, 403, body)
        self.assertEqual(json.loads(body)["status"], "PERMISSION_DENIED")
        self.assertEqual(self.http("/api/v1/UpsertNodes", WRITER, body=upsert)[0], 200)

    def test_http_metrics_needs_a_token_healthz_does_not(self):
        self.assertEqual(self.http("/metrics")[0], 401)
        self.assertEqual(self.http("/metrics", "wrong-token-0123456789")[0], 401)
        self.assertEqual(self.http("/metrics", READER)[0], 200)
        status, body = self.http("/healthz")
        self.assertEqual((status, body.strip()), (200, "ok"))

    def test_cli_sends_the_token(self):
        rc, _, err = self.server.cli("stats")
        self.assertNotEqual(rc, 0)
        self.assertIn("UNAUTHENTICATED", err)
        rc, out, err = self.server.cli("--token", READER, "stats")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.server.cli("stats", env=harness.cli_env(INNOGRAPH_TOKEN=READER))
        self.assertEqual(rc, 0, err)

    def test_audit_lines_for_writes_and_refusals(self):
        req = pb.UpsertNodesRequest(nodes=[node("person/sec-audit-1"), node("person/sec-audit-2")])
        self.assertEqual(self.code_of("UpsertNodes", req, WRITER), grpc.StatusCode.OK)
        self.assertEqual(self.code_of("GetSchema", pb.GetSchemaRequest(), None),
                         grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(self.code_of("UpsertNodes", req, READER),
                         grpc.StatusCode.PERMISSION_DENIED)
        # Log lines are written as the status is sent: allow a moment.
        deadline = time.monotonic() + 10
        while True:
            lines = harness.audit_lines(self.server)
            write = [r for r in lines if r.get("method") == "UpsertNodes" and r.get("who") == "etl"
                     and r.get("code") == "OK" and r.get("items") == 2]
            anon = [r for r in lines if r.get("method") == "GetSchema"
                    and r.get("who") == "anonymous" and r.get("code") == "UNAUTHENTICATED"]
            denied = [r for r in lines if r.get("method") == "UpsertNodes"
                      and r.get("who") == "ro" and r.get("code") == "PERMISSION_DENIED"]
            if (write and anon and denied) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertTrue(write, lines)
        self.assertTrue(anon, lines)
        self.assertTrue(denied, lines)
        self.assertEqual(write[0]["level"], "info")
        # Secrets never reach the log.
        self.assertNotIn(WRITER, self.server.stderr())
        self.assertNotIn(READER, self.server.stderr())


class TlsTest(unittest.TestCase):
    """A server with --tls-cert/--tls-key and --tokens: gRPC and HTTPS over TLS."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="innograph-it-tls-")
        cls.cert, cls.key = harness.make_tls_cert(cls.dir)
        with open(cls.cert, "rb") as f:
            cls.ca = f.read()
        cls.server = harness.Server(extra_args=[
            "--tokens", _tokens_path, "--tls-cert", cls.cert, "--tls-key", cls.key,
        ] + harness.http_args())

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_tls_client_with_the_ca_works(self):
        creds = grpc.ssl_channel_credentials(root_certificates=self.ca)
        with grpc.secure_channel(self.server.address, creds) as channel:
            stub = pb_grpc.GraphServiceStub(channel)
            stub.Stats(pb.StatsRequest(), metadata=bearer(READER), timeout=RPC_TIMEOUT_S)
            with self.assertRaises(grpc.RpcError) as ctx:
                stub.Stats(pb.StatsRequest(), timeout=RPC_TIMEOUT_S)
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.UNAUTHENTICATED)

    def test_plaintext_client_fails(self):
        with grpc.insecure_channel(self.server.address) as channel:
            stub = pb_grpc.GraphServiceStub(channel)
            with self.assertRaises(grpc.RpcError) as ctx:
                stub.Stats(pb.StatsRequest(), metadata=bearer(READER), timeout=5)
            self.assertIn(ctx.exception.code(),
                          (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED))

    def test_https(self):
        port = harness.https_port(self.server)
        context = ssl.create_default_context(cafile=self.cert)
        req = urllib.request.Request("https://127.0.0.1:%d/api/v1/Stats" % port, data=b"{}",
                                     method="POST")
        req.add_header("Authorization", "Bearer " + READER)
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_S, context=context) as resp:
            self.assertEqual(resp.status, 200)
            self.assertIn("nodes", json.loads(resp.read()))

    def test_cli_with_tls_ca_and_token(self):
        rc, out, err = self.server.cli("--tls-ca", self.cert, "--token", READER, "--json", "stats")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.server.cli(
            "stats", env=harness.cli_env(INNOGRAPH_TLS_CA=self.cert, INNOGRAPH_TOKEN=READER))
        self.assertEqual(rc, 0, err)
        rc, out, err = self.server.cli("--token", READER, "stats", timeout=60)
        self.assertNotEqual(rc, 0)


class StartupTest(unittest.TestCase):
    """Refusals at start-up: exit 2 with a message."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="innograph-it-startup-")
        self.data = os.path.join(self.dir, "data")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_server(self, *args):
        return harness.run_server(["--data-dir", self.data] + list(args))

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_non_loopback_listen_without_tokens_exits_2(self):
        rc, _, err = self.run_server("--listen", "0.0.0.0:%d" % harness.free_port())
        self.assertEqual(rc, EXIT_USAGE, err)
        self.assertIn("--tokens", err)
        rc, _, err = self.run_server("--listen", "127.0.0.1:%d" % harness.free_port(),
                                     "--http", "0.0.0.0:%d" % harness.free_port())
        self.assertEqual(rc, EXIT_USAGE, err)

    def test_non_loopback_listen_allowed_explicitly_or_with_tokens(self):
        rc, out, err = self.run_server("--listen", "0.0.0.0:%d" % harness.free_port(),
                                       "--allow-unauthenticated")
        self.assertIsNone(rc, err)
        rc, out, err = self.run_server("--listen", "0.0.0.0:%d" % harness.free_port(),
                                       "--tokens", _tokens_path)
        self.assertIsNone(rc, err)

    def test_loopback_without_tokens_logs_that_authentication_is_off(self):
        rc, _, err = self.run_server("--listen", "127.0.0.1:%d" % harness.free_port())
        self.assertIsNone(rc, err)
        self.assertIn("authentication is off", err)

    def test_bad_tokens_file_names_file_and_line(self):
        cases = [
            "ok reader 0123456789abcdef\nshort writer 0123\n",
            "ok reader 0123456789abcdef\n# c\nbad superuser 0123456789abcdef\n",
            "ok reader 0123456789abcdef\n\ntwo words\n",
        ]
        for text in cases:
            path = self.write("tokens.txt", text)
            rc, _, err = self.run_server("--tokens", path)
            self.assertEqual(rc, EXIT_USAGE, err)
            self.assertIn(path, err)
            self.assertIn("line 3" if "# c" in text or "\n\n" in text else "line 2", err)

    def test_tls_flags_both_or_neither_and_readable(self):
        rc, _, err = self.run_server("--tls-cert", "/nonexistent/cert.pem",
                                     "--tls-key", "/nonexistent/key.pem")
        self.assertEqual(rc, EXIT_USAGE, err)
        self.assertIn("/nonexistent/cert.pem", err)
        rc, _, err = self.run_server("--tls-cert", "/nonexistent/cert.pem")
        self.assertEqual(rc, EXIT_USAGE, err)


if __name__ == "__main__":
    unittest.main()
