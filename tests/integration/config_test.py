"""Integration tests: innograph-server's --config file, --print-config and the backup subcommand.

Run by hand: /usr/bin/python3 tests/integration/config_test.py -v
(CTest runs it with INNOGRAPH_SERVER_BIN, INNOGRAPH_CLI_BIN and INNOGRAPH_SOURCE_DIR set.)
"""

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

sys.dont_write_bytecode = True  # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

# Server exit codes (server/main.cc).
SERVER_EXIT_USAGE, SERVER_EXIT_STORE = 2, 3


def toml_string(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def run(args, timeout=harness.CLI_TIMEOUT_S):
    """Runs innograph-server ARGS to completion (for --print-config, backup and refusals)."""
    proc = subprocess.run([harness.SERVER_BIN] + list(args), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, errors="replace", timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def parse_config(text):
    """{name: value text} of --print-config output (one `name = value` per line)."""
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split(" = ", 1)
            out[name] = value
    return out


class Process:
    """innograph-server started with exactly `args` (no flags added), until it listens."""

    def __init__(self, args):
        self.proc = subprocess.Popen([harness.SERVER_BIN] + list(args), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.stdout = []
        threading.Thread(target=harness._pump, args=(self.proc.stdout, self.lines, self.stdout),
                         daemon=True).start()
        deadline = time.monotonic() + harness.START_TIMEOUT_S
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise AssertionError("no 'listening on' within %d s:\n%s"
                                     % (harness.START_TIMEOUT_S, "".join(self.stdout)))
            try:
                line = self.lines.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            if line is None:
                rc = self.proc.wait(timeout=harness.STOP_TIMEOUT_S)
                raise AssertionError("innograph-server exited %d before listening:\n%s\n%s"
                                     % (rc, "".join(self.stdout), self.proc.stderr.read()))
            if harness.READY_MARKER in line and "(gRPC)" in line:
                self.address = line.split(harness.READY_MARKER, 1)[1].split()[0]
                return

    def cli(self, *args, json=False):
        argv = ["--server", self.address] + (["--json"] if json else []) + [str(a) for a in args]
        rc, out, err = harness.run_cli(argv, env=harness.cli_env())
        if json:
            return rc, out, err, (harness.jsonlib.loads(out) if rc == 0 else None)
        return rc, out, err

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=harness.STOP_TIMEOUT_S)
        self.proc.stderr.close()
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()


class ConfigTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="innograph-config-")
        self.processes = []

    def tearDown(self):
        for p in self.processes:
            p.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.root, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def start(self, args):
        p = Process(args)
        self.processes.append(p)
        return p

    def base_config(self, **extra):
        """A config that sets data_dir, listen, http and the max_depth limit (2)."""
        self.data_dir = os.path.join(self.root, "data")
        self.grpc_port = harness.free_port()
        self.http_port = harness.free_port()
        lines = [
            "# a test configuration",
            "data_dir = %s" % toml_string(self.data_dir),
            'listen = "127.0.0.1:%d"' % self.grpc_port,
            'http = "127.0.0.1:%d"' % self.http_port,
            "max_depth = 2",
            "sync_writes = false",
            "seed = %s" % toml_string(harness.HUNAN_JSONL),
        ]
        lines += ["%s = %s" % kv for kv in extra.items()]
        return self.write("innograph.toml", "\n".join(lines) + "\n")

    def test_config_file_sets_data_dir_listen_http_and_limits(self):
        config = self.base_config()
        server = self.start(["--config", config])
        self.assertEqual(server.address, "127.0.0.1:%d" % self.grpc_port)
        self.assertTrue(os.path.exists(os.path.join(self.data_dir, "CURRENT")))
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % self.http_port,
                                    timeout=10) as r:
            self.assertEqual(r.status, 200)
        # max_depth = 2 from the file: depth 2 is allowed, depth 3 is refused.
        rc, _, err = server.cli("expand", "lab/xiangjiang", "--depth", 2)
        self.assertEqual(rc, 0, err)
        rc, _, err = server.cli("expand", "lab/xiangjiang", "--depth", 3)
        self.assertNotEqual(rc, 0)
        self.assertIn("depth", err)
        self.assertEqual(server.stop(), 0)

    def test_command_line_overrides_the_file(self):
        config = self.base_config()
        rc, out, err = run(["--config", config, "--max-depth", "3", "--print-config"])
        self.assertEqual(rc, 0, err)
        effective = parse_config(out)
        self.assertEqual(effective["max_depth"], "3")
        self.assertEqual(effective["data_dir"], toml_string(self.data_dir))
        self.assertEqual(effective["sync_writes"], "false")
        # And in behaviour: the command line's max_depth (3) and listen address win.
        port = harness.free_port()
        server = self.start(["--config", config, "--max_depth=3", "--listen",
                             "127.0.0.1:%d" % port, "--http="])
        self.assertEqual(server.address, "127.0.0.1:%d" % port)
        rc, _, err = server.cli("expand", "lab/xiangjiang", "--depth", 3)
        self.assertEqual(rc, 0, err)
        self.assertEqual(server.stop(), 0)

    def test_unknown_key_exits_2_naming_the_key_and_the_file(self):
        config = self.base_config(no_such_setting="1")
        rc, out, err = harness.run_server(["--config", config], isolate=False)
        self.assertEqual(rc, SERVER_EXIT_USAGE, out + err)
        self.assertIn("no_such_setting", err)
        self.assertIn(config, err)

    def test_bad_values_exit_2(self):
        for value in ["-1", '"two"', "2.5", "true"]:
            config = self.write("bad.toml", "max_depth = %s\n" % value)
            rc, out, err = harness.run_server(["--config", config], isolate=False)
            self.assertEqual(rc, SERVER_EXIT_USAGE, "max_depth = %s: %s%s" % (value, out, err))
            self.assertIn("max_depth", err)
            self.assertIn(config, err)
        config = self.write("bad.toml", 'sync_writes = "yes"\n')
        rc, _, err = run(["--config", config, "--print-config"])
        self.assertEqual(rc, SERVER_EXIT_USAGE, err)
        self.assertIn("sync_writes", err)
        config = self.write("bad.toml", "max_depth = \n")
        rc, _, err = run(["--config", config, "--print-config"])
        self.assertEqual(rc, SERVER_EXIT_USAGE, err)
        self.assertIn("bad.toml", err)
        rc, _, err = run(["--config", os.path.join(self.root, "missing.toml"), "--print-config"])
        self.assertEqual(rc, SERVER_EXIT_USAGE, err)
        self.assertIn("missing.toml", err)

    def test_print_config_output_is_a_config_file(self):
        config = self.base_config()
        rc, printed, err = run(["--config", config, "--max-depth", "4", "--print-config"])
        self.assertEqual(rc, 0, err)
        names = list(parse_config(printed))
        self.assertEqual(names, sorted(names))
        for flag in ["data_dir", "listen", "http", "web_root", "sync_writes", "max_depth",
                     "query_timeout_ms", "shutdown_grace_seconds"]:
            self.assertIn(flag, names)
        self.assertNotIn("config", names)
        self.assertNotIn("print_config", names)
        refed = self.write("printed.toml", printed)
        rc, again, err = run(["--config", refed, "--print-config"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(again, printed)
        server = self.start(["--config", refed])
        self.assertEqual(server.address, "127.0.0.1:%d" % self.grpc_port)
        rc, _, err = server.cli("expand", "lab/xiangjiang", "--depth", 4)
        self.assertEqual(rc, 0, err)
        self.assertEqual(server.stop(), 0)


class BackupTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="innograph-backup-")

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    @staticmethod
    def stats(server):
        rc, _, err, resp = server.cli("stats", json=True)
        if rc != 0:
            raise AssertionError("stats: exit %d: %s" % (rc, err))
        return (resp["nodes"], resp["edges"],
                sorted((k["name"], k.get("count", "0")) for k in resp.get("nodesByKind", [])),
                sorted((t["name"], t.get("count", "0")) for t in resp.get("edgesByType", [])))

    def test_backup_of_a_stopped_store_serves_the_same_graph(self):
        dest = os.path.join(self.root, "backup")
        with harness.Server(seed=harness.HUNAN_JSONL) as server:
            # Writes after the seed (the WAL, not only SST files) must be in the backup too.
            rc, _, err = server.cli("nodes", "put", "--key", "person/backup-probe", "--kind",
                                    "Person", "--name", "Backup Probe")
            self.assertEqual(rc, 0, err)
            before = self.stats(server)
            self.assertGreater(int(before[0]), 1)
            # While the server runs, the store is locked: the subcommand refuses and says why.
            rc, _, err = run(["backup", "--data-dir", server.data_dir, "--to", dest])
            self.assertEqual(rc, SERVER_EXIT_STORE, err)
            self.assertIn("stop the server", err)
            self.assertFalse(os.path.exists(dest))
            server.stop()
            rc, out, err = run(["backup", "--data-dir", server.data_dir, "--to", dest])
            self.assertEqual(rc, 0, err)
            self.assertIn(dest, out)
            # The destination must be new.
            rc, _, err = run(["backup", "--data-dir", server.data_dir, "--to", dest])
            self.assertEqual(rc, SERVER_EXIT_USAGE, err)
            self.assertIn("already exists", err)
        # The original is gone (Server.close removed it); restore = serve on the backup.
        self.assertTrue(os.path.isdir(dest))
        port = harness.free_port()
        restored = Process(["--data-dir", dest, "--listen", "127.0.0.1:%d" % port, "--http="])
        try:
            self.assertEqual(self.stats(restored), before)
            rc, _, err = restored.cli("nodes", "get", "person/backup-probe")
            self.assertEqual(rc, 0, err)
            self.assertEqual(restored.stop(), 0)
        finally:
            restored.kill()

    def test_backup_usage_errors(self):
        rc, _, err = run(["backup", "--data-dir", os.path.join(self.root, "none"), "--to",
                          os.path.join(self.root, "dest")])
        self.assertEqual(rc, SERVER_EXIT_STORE, err)
        self.assertIn("no store", err)
        self.assertFalse(os.path.exists(os.path.join(self.root, "none")))
        rc, _, err = run(["backup", "--data-dir", self.root])
        self.assertEqual(rc, SERVER_EXIT_USAGE, err)
        self.assertIn("--to", err)


if __name__ == "__main__":
    unittest.main()
