"""Online backup and restore (docs/operations.md, "Backup and restore"): the admin rpc Backup
takes a consistent checkpoint of the live store while a writer streams acknowledged upserts;
`innograph-server restore` copies it into a new data directory and verifies it; a server on the
restored store holds every write acknowledged before the backup began, every edge whole (seen
from both ends), and `innograph-server check` passes. Also: only the admin role may call Backup
(a reader or writer gets PERMISSION_DENIED, audit-logged), the target directory is validated,
and restore refuses a non-empty target.

Run by hand: /usr/bin/python3 tests/integration/backup_test.py -v
"""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.dont_write_bytecode = True  # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

import grpc  # noqa: E402

_stubs = tempfile.mkdtemp(prefix="innograph-backup-stubs-")
atexit.register(shutil.rmtree, _stubs, True)
harness.generate_stubs(_stubs)
sys.path.insert(0, _stubs)
from innograph.v1 import graph_pb2 as pb  # noqa: E402
from innograph.v1 import graph_pb2_grpc as pb_grpc  # noqa: E402

RPC_TIMEOUT_S = 30
EXIT_USAGE = 2

READER = "reader-secret-0123456789"
WRITER = "writer-secret-0123456789"
ADMIN = "admin-secret-01234567890"


def bearer(secret):
    return (("authorization", "Bearer " + secret),) if secret else ()


class Writer(threading.Thread):
    """Streams writes until stopped: 3 new Person nodes in one call, then 2 COLLABORATES_WITH
    edges between them. Records each acknowledged write with the time it was acknowledged."""

    def __init__(self, stub, metadata=()):
        super().__init__(daemon=True)
        self.stub, self.metadata = stub, metadata
        self.stop_flag = threading.Event()
        self.acked = []  # (monotonic time of the ack, "nodes" | "edges", keys or pairs)
        self.error = None
        self.next = 0

    def run(self):
        try:
            while not self.stop_flag.is_set():
                keys = ["bk/%06d" % (self.next + i) for i in range(3)]
                self.next += 3
                self.stub.UpsertNodes(pb.UpsertNodesRequest(nodes=[
                    pb.Node(key=k, kind="Person", name=k) for k in keys]),
                    metadata=self.metadata, timeout=RPC_TIMEOUT_S)
                self.acked.append((time.monotonic(), "nodes", keys))
                pairs = [(keys[0], keys[1]), (keys[1], keys[2])]
                self.stub.UpsertEdges(pb.UpsertEdgesRequest(edges=[
                    pb.Edge(type="COLLABORATES_WITH", from_key=a, to_key=b, weight=1.0)
                    for a, b in pairs]), metadata=self.metadata, timeout=RPC_TIMEOUT_S)
                self.acked.append((time.monotonic(), "edges", pairs))
        except grpc.RpcError as e:  # Reported by the test.
            self.error = e


def neighbours(stub, key, metadata=()):
    resp = stub.Neighbors(pb.NeighborsRequest(
        node=pb.NodeRef(key=key), limit=1000,
        filter=pb.Filter(edge_types=["COLLABORATES_WITH"])), metadata=metadata,
        timeout=RPC_TIMEOUT_S)
    return {n.node.key for n in resp.neighbors}


def run_server_cmd(*args):
    proc = subprocess.run([harness.SERVER_BIN] + [str(a) for a in args],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


class OnlineBackupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="innograph-it-backup-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_backup_while_writing_then_restore(self):
        server = harness.Server(seed=harness.HUNAN_JSONL)
        self.addCleanup(server.close)
        channel = grpc.insecure_channel(server.address)
        self.addCleanup(channel.close)
        stub = pb_grpc.GraphServiceStub(channel)
        writer = Writer(stub)
        writer.start()
        time.sleep(1.0)  # Some writes before the backup.
        backup_dir = os.path.join(self.tmp, "backup")
        began = time.monotonic()
        resp = stub.Backup(pb.BackupRequest(dir=backup_dir), timeout=RPC_TIMEOUT_S)
        time.sleep(0.5)  # Writes go on after it.
        writer.stop_flag.set()
        writer.join(RPC_TIMEOUT_S)
        self.assertIsNone(writer.error, "a write failed during the backup: %s" % writer.error)
        before = [a for a in writer.acked if a[0] < began]
        after = [a for a in writer.acked if a[0] >= began]
        self.assertGreater(len(before), 10, "too few writes before the backup")
        self.assertGreater(len(after), 0, "no writes during/after the backup")
        self.assertEqual(resp.dir, backup_dir)
        self.assertGreater(resp.files, 0)
        self.assertGreater(resp.bytes, 0)
        self.assertGreaterEqual(resp.nodes, 72)  # The seed's nodes at least.
        # The live server keeps working.
        self.assertGreater(stub.Stats(pb.StatsRequest(), timeout=RPC_TIMEOUT_S).nodes, resp.nodes)
        # The backup log line.
        self.assertIn("backup written", server.stderr())

        restored = os.path.join(self.tmp, "restored")
        rc, out, err = run_server_cmd("restore", "--from", backup_dir, "--data-dir", restored)
        self.assertEqual(rc, 0, out + err)
        self.assertIn(" 0 problems", out)
        rc, out, err = run_server_cmd("check", "--data-dir", restored)
        self.assertEqual(rc, 0, out + err)

        # A server on the restored store: every write acknowledged before the backup began.
        port = harness.free_port()
        proc = subprocess.Popen([harness.SERVER_BIN, "--data-dir", restored, "--listen",
                                 "127.0.0.1:%d" % port] + harness.isolation_args(),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        line = proc.stdout.readline()
        self.assertIn(" listening on ", line)
        rch = grpc.insecure_channel("127.0.0.1:%d" % port)
        self.addCleanup(rch.close)
        rstub = pb_grpc.GraphServiceStub(rch)
        keys = [k for _, kind, ks in before if kind == "nodes" for k in ks]
        got = rstub.GetNodes(pb.GetNodesRequest(nodes=[pb.NodeRef(key=k) for k in keys]),
                             timeout=RPC_TIMEOUT_S)
        self.assertEqual(sorted(n.key for n in got.nodes), sorted(keys))
        for _, kind, pairs in before:
            if kind != "edges":
                continue
            for a, b in pairs:
                self.assertIn(b, neighbours(rstub, a), "edge %s-%s lost" % (a, b))
        # Whatever the backup holds of later writes is whole: every edge from both ends, and
        # node batches all or nothing.
        all_nodes = [ks for _, kind, ks in writer.acked if kind == "nodes"]
        present = {n.key for n in rstub.GetNodes(pb.GetNodesRequest(
            nodes=[pb.NodeRef(key=k) for ks in all_nodes for k in ks], allow_missing=True),
            timeout=RPC_TIMEOUT_S).nodes}
        for ks in all_nodes:
            self.assertIn(len(present & set(ks)), (0, 3), "half a node batch: %s" % ks)
        for _, kind, pairs in after:
            if kind != "edges":
                continue
            for a, b in pairs:
                if a in present and b in present:
                    self.assertEqual(b in neighbours(rstub, a), a in neighbours(rstub, b),
                                     "half an edge %s-%s" % (a, b))
        proc.terminate()
        proc.wait(timeout=30)
        rc, out, err = run_server_cmd("check", "--data-dir", restored)
        self.assertEqual(rc, 0, out + err)
        print("\nbackup of %d files, %d bytes in %.3f s while writing; %d writes acknowledged "
              "before it, %d after" % (resp.files, resp.bytes, resp.seconds, len(before),
                                       len(after)), file=sys.stderr)

    def test_backup_target_is_validated(self):
        with harness.Server() as server:
            stub = pb_grpc.GraphServiceStub(grpc.insecure_channel(server.address))

            def refused(d):
                with self.assertRaises(grpc.RpcError) as ctx:
                    stub.Backup(pb.BackupRequest(dir=d), timeout=RPC_TIMEOUT_S)
                return ctx.exception

            e = refused("")
            self.assertEqual(e.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn("dir:", e.details())
            e = refused("relative/dir")
            self.assertEqual(e.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn("not an absolute path", e.details())
            full = os.path.join(self.tmp, "full")
            os.makedirs(full)
            with open(os.path.join(full, "x"), "w") as f:
                f.write("keep me")
            e = refused(full)
            self.assertEqual(e.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn("not empty", e.details())
            self.assertEqual(os.listdir(full), ["x"])
            e = refused(os.path.join(self.tmp, "no", "such", "parent"))
            self.assertEqual(e.code(), grpc.StatusCode.FAILED_PRECONDITION)
            self.assertIn("parent directory", e.details())
            e = refused(os.path.join(server.data_dir, "inside"))
            self.assertEqual(e.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn("inside the data directory", e.details())
            # An existing empty directory is fine; the CLI prints where the backup went.
            empty = os.path.join(self.tmp, "empty")
            os.makedirs(empty)
            rc, out, err = server.cli("backup", empty)
            self.assertEqual(rc, 0, out + err)
            self.assertIn("backup: " + empty, out)
            self.assertTrue(os.path.exists(os.path.join(empty, "CURRENT")))
            rc, out, err = server.cli("backup", full)
            self.assertEqual(rc, 1)
            self.assertIn("not empty", err)

    def test_restore_refuses_bad_arguments(self):
        with harness.Server(seed=harness.HUNAN_JSONL) as server:
            backup_dir = os.path.join(self.tmp, "b")
            rc, out, err = server.cli("backup", backup_dir)
            self.assertEqual(rc, 0, out + err)
        target = os.path.join(self.tmp, "t")
        os.makedirs(target)
        with open(os.path.join(target, "precious"), "w") as f:
            f.write("x")
        rc, out, err = run_server_cmd("restore", "--from", backup_dir, "--data-dir", target)
        self.assertEqual(rc, EXIT_USAGE, out + err)
        self.assertIn("not empty", err)
        self.assertEqual(os.listdir(target), ["precious"])
        rc, out, err = run_server_cmd("restore", "--data-dir", os.path.join(self.tmp, "u"))
        self.assertEqual(rc, EXIT_USAGE)
        self.assertIn("--from", err)
        rc, out, err = run_server_cmd("restore", "--from", self.tmp, "--data-dir",
                                      os.path.join(self.tmp, "u"))
        self.assertEqual(rc, EXIT_USAGE)
        self.assertIn("no backup", err)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "u")))
        # An empty target directory is fine.
        empty = os.path.join(self.tmp, "e")
        os.makedirs(empty)
        rc, out, err = run_server_cmd("restore", "--from", backup_dir, "--data-dir", empty)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("72 nodes", out)


class BackupAccessTest(unittest.TestCase):
    def test_only_admin_may_back_up(self):
        tmp = tempfile.mkdtemp(prefix="innograph-it-backup-")
        self.addCleanup(shutil.rmtree, tmp, True)
        tokens = os.path.join(tmp, "tokens.txt")
        with open(tokens, "w") as f:
            f.write("ro reader %s\netl writer %s\nroot admin %s\n" % (READER, WRITER, ADMIN))
        with harness.Server(extra_args=["--tokens", tokens]) as server:
            stub = pb_grpc.GraphServiceStub(grpc.insecure_channel(server.address))
            for name, secret, want in (("none", None, grpc.StatusCode.UNAUTHENTICATED),
                                       ("reader", READER, grpc.StatusCode.PERMISSION_DENIED),
                                       ("writer", WRITER, grpc.StatusCode.PERMISSION_DENIED)):
                d = os.path.join(tmp, "by-" + name)
                with self.assertRaises(grpc.RpcError) as ctx:
                    stub.Backup(pb.BackupRequest(dir=d), metadata=bearer(secret),
                                timeout=RPC_TIMEOUT_S)
                self.assertEqual(ctx.exception.code(), want, name)
                self.assertFalse(os.path.exists(d), name)
            d = os.path.join(tmp, "by-admin")
            resp = stub.Backup(pb.BackupRequest(dir=d), metadata=bearer(ADMIN),
                               timeout=RPC_TIMEOUT_S)
            self.assertEqual(resp.dir, d)
            rc, out, err = server.cli("backup", os.path.join(tmp, "cli-writer"),
                                      env=harness.cli_env(INNOGRAPH_TOKEN=WRITER))
            self.assertEqual(rc, 1)
            self.assertIn("PERMISSION_DENIED", err)
            audits = [a for a in harness.audit_lines(server) if a.get("method") == "Backup"]
            codes = sorted(a.get("code") for a in audits)
            self.assertEqual(codes, sorted(["UNAUTHENTICATED", "PERMISSION_DENIED",
                                            "PERMISSION_DENIED", "PERMISSION_DENIED", "OK"]),
                             audits)
            self.assertIn("root", [a.get("who") for a in audits if a.get("code") == "OK"])


if __name__ == "__main__":
    unittest.main()
