"""Runs the real innograph-server binary for integration tests.

A `Server` owns one temporary directory (its data directory and the server's stderr logs),
starts `innograph-server` on a free loopback port (with its HTTP gateway off, see
isolation_args) and waits for the "listening on" line it prints on stdout when ready. `cli()`
runs the real `innograph` command line client against it.

Binaries and sources come from the environment (CTest sets them) or, when a test is run by
hand, from the release build next to this file:

  INNOGRAPH_SERVER_BIN  path of innograph-server  (default build/release/server/innograph-server)
  INNOGRAPH_CLI_BIN     path of innograph          (default build/release/client/innograph)
  INNOGRAPH_SOURCE_DIR  repository root            (default two directories above this file)

Standard library only; Python 3.9 or later.
"""

import json as jsonlib
import os
import sys
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

SOURCE_DIR = os.environ.get(
    "INNOGRAPH_SOURCE_DIR",
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
)
SERVER_BIN = os.environ.get(
    "INNOGRAPH_SERVER_BIN",
    os.path.join(SOURCE_DIR, "build", "release", "server", "innograph-server"),
)
CLI_BIN = os.environ.get(
    "INNOGRAPH_CLI_BIN",
    os.path.join(SOURCE_DIR, "build", "release", "client", "innograph"),
)
HUNAN_JSONL = os.path.join(SOURCE_DIR, "data", "hunan", "hunan.jsonl")

# How long the server may take to print "listening on" (seeding included).
START_TIMEOUT_S = 30
# How long a stopping server or a CLI call may take before the test fails.
STOP_TIMEOUT_S = 30
CLI_TIMEOUT_S = 60

READY_MARKER = " listening on "


def free_port():
    """A loopback TCP port that was free a moment ago (bind 127.0.0.1:0, then release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_server_flags = None


def server_flags():
    """The names of the flags innograph-server accepts (from its --helpfull), cached."""
    global _server_flags
    if _server_flags is None:
        proc = subprocess.run([SERVER_BIN, "--helpfull"], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
        _server_flags = set(re.findall(r"^\s+--([A-Za-z0-9_]+) \(", proc.stdout + proc.stderr,
                                       re.MULTILINE))
    return _server_flags


def isolation_args():
    """Server flags that keep a test server off fixed, shared resources: no HTTP listener (its
    default port is fixed, so two servers would collide). Only flags this binary knows."""
    return ["--http="] if "http" in server_flags() else []


def read_jsonl_counts(path=HUNAN_JSONL):
    """(nodes, edges): the node and edge records of a data file (docs/data-format.md)."""
    nodes = edges = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            text = line.strip()
            if not text or text.startswith("//"):
                continue
            record = jsonlib.loads(text)
            if "kind" in record:
                nodes += 1
            elif "type" in record:
                edges += 1
            else:
                raise ValueError("%s: neither node nor edge: %s" % (path, text[:80]))
    return nodes, edges


def read_jsonl_records(path=HUNAN_JSONL):
    """All records of a data file, in file order."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            text = line.strip()
            if text and not text.startswith("//"):
                out.append(jsonlib.loads(text))
    return out


def run_server(args, timeout=START_TIMEOUT_S, isolate=True):
    """Runs innograph-server with `args` where it is expected to refuse to start (exit 2, 3, 4).

    Returns (returncode, stdout, stderr). When the server instead starts listening, it is
    stopped at once and returncode is None (stdout then holds its "listening on" line). Fails
    when it neither exits nor listens within `timeout` seconds. With `isolate`, the
    isolation_args() come first."""
    proc = subprocess.Popen(
        [SERVER_BIN] + (isolation_args() if isolate else []) + list(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    lines = queue.Queue()
    collected = []
    threading.Thread(target=_pump, args=(proc.stdout, lines, collected), daemon=True).start()
    err_chunks = []
    err_reader = threading.Thread(
        target=lambda: err_chunks.append(proc.stderr.read()), daemon=True
    )
    err_reader.start()
    listening = False
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            proc.kill()
            proc.wait()
            err_reader.join(STOP_TIMEOUT_S)
            raise AssertionError(
                "innograph-server %s neither exited nor listened within %d s\nstdout:\n%s"
                "\nstderr:\n%s" % (" ".join(args), timeout, "".join(collected), _text(err_chunks))
            )
        try:
            line = lines.get(timeout=min(remaining, 1.0))
        except queue.Empty:
            continue
        if line is None:
            break
        if READY_MARKER in line:
            listening = True
            proc.kill()
    rc = proc.wait(timeout=STOP_TIMEOUT_S)
    err_reader.join(STOP_TIMEOUT_S)
    proc.stderr.close()
    return (None if listening else rc), "".join(collected), _text(err_chunks)


def _text(chunks):
    return b"".join(chunks).decode("utf-8", "replace")


def _pump(stream, lines, collected):
    """Copies a process's stdout, line by line, to `lines` and `collected`; None at the end."""
    with stream:
        for raw in stream:
            line = raw.decode("utf-8", "replace")
            collected.append(line)
            lines.put(line)
    lines.put(None)


def run_cli(args, env=None, timeout=CLI_TIMEOUT_S):
    """Runs the innograph CLI with `args`: (returncode, stdout, stderr)."""
    proc = subprocess.run(
        [CLI_BIN] + list(args),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    return proc.returncode, proc.stdout, proc.stderr


def cli_env(**overrides):
    """The environment for a CLI run: ours without INNOGRAPH_SERVER, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if k != "INNOGRAPH_SERVER"}
    env.update(overrides)
    return env


class Server:
    """One innograph-server process over a private temporary data directory.

    Use as a context manager, or call close(): it kills a still-running server and removes the
    directory. The data directory survives stop(), kill9() and restart()."""

    def __init__(self, seed=None, extra_args=(), start=True):
        self.seed = seed
        self.extra_args = list(extra_args)
        self.root = tempfile.mkdtemp(prefix="innograph-it-")
        self.data_dir = os.path.join(self.root, "data")
        self.port = None
        self.proc = None
        self.starts = 0
        self.stdout_lines = []  # Every stdout line of the current process.
        self._lines = None
        self._stderr_path = None
        if start:
            try:
                self.start()
            except BaseException:
                self.close()
                raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- lifecycle -----------------------------------------------------------------------------

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self, port=None):
        """Starts the server and waits until it listens. A port taken in the meantime by someone
        else (exit 4) is retried on a new free port, unless `port` was given."""
        assert not self.running(), "server already running"
        for _ in range(5):
            self.port = port or free_port()
            rc = self._start_once()
            if rc is None:
                return
            if rc != 4 or port is not None:
                break
        raise AssertionError(
            "innograph-server exited with code %s before listening\nstdout:\n%s\nstderr:\n%s"
            % (rc, "".join(self.stdout_lines), self.stderr())
        )

    def _start_once(self):
        """Starts one process; None when it listens, else its exit code."""
        self.starts += 1
        self._stderr_path = os.path.join(self.root, "server-%d.stderr" % self.starts)
        args = [SERVER_BIN, "--data-dir", self.data_dir, "--listen", self.address]
        args += isolation_args()
        if self.seed:
            args += ["--seed", self.seed]
        args += self.extra_args
        self.stdout_lines = []
        self._lines = queue.Queue()
        collected = self.stdout_lines
        with open(self._stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr
            )
        threading.Thread(
            target=_pump, args=(self.proc.stdout, self._lines, collected), daemon=True
        ).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(
                    "innograph-server did not print 'listening on' within %d s\nstdout:\n%s"
                    "\nstderr:\n%s"
                    % (START_TIMEOUT_S, "".join(self.stdout_lines), self.stderr())
                )
            try:
                line = self._lines.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            if line is None:  # stdout closed: the process is exiting.
                return self.proc.wait(timeout=STOP_TIMEOUT_S)
            if READY_MARKER in line and "(gRPC)" in line:
                # The line names the address actually bound: trust it over our guess.
                bound = line.split(READY_MARKER, 1)[1].split()[0]
                self.port = int(bound.rsplit(":", 1)[1])
                return None

    def stderr(self):
        """The stderr of the current (or last) process."""
        if not self._stderr_path or not os.path.exists(self._stderr_path):
            return ""
        with open(self._stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stdout(self):
        return "".join(self.stdout_lines)

    def kill9(self):
        """SIGKILL: the process dies without any cleanup. Returns its exit code (-9)."""
        assert self.running(), "server not running"
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(timeout=STOP_TIMEOUT_S)

    def stop(self, sig=signal.SIGTERM):
        """Graceful stop: sends `sig`, waits, and asserts exit code 0."""
        assert self.running(), "server not running"
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(
                "innograph-server did not exit within %d s of signal %d\nstderr:\n%s"
                % (STOP_TIMEOUT_S, sig, self.stderr())
            )
        if rc != 0:
            raise AssertionError(
                "innograph-server exited with %d on signal %d (want 0)\nstdout:\n%s\nstderr:\n%s"
                % (rc, sig, self.stdout(), self.stderr())
            )
        return rc

    def restart(self):
        """Starts a new process on the same data directory (stops a running one gracefully).
        Tries the same port first."""
        if self.running():
            self.stop()
        old = self.port
        try:
            self.start(port=old)
        except AssertionError:
            if self.running():
                raise
            self.start()

    def close(self):
        if self.running():
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- client --------------------------------------------------------------------------------

    def cli(self, *args, json=False, env=None, timeout=CLI_TIMEOUT_S):
        """Runs `innograph --server ADDR [--json] ARGS...`.

        Returns (returncode, stdout, stderr); with json=True (returncode, stdout, stderr,
        parsed) where parsed is the decoded stdout, or None when the command failed."""
        argv = ["--server", self.address]
        if json:
            argv.append("--json")
        argv += [str(a) for a in args]
        rc, out, err = run_cli(argv, env=env if env is not None else cli_env(), timeout=timeout)
        if not json:
            return rc, out, err
        parsed = jsonlib.loads(out) if rc == 0 else None
        return rc, out, err, parsed


def generate_stubs(out_dir):
    """Generates innograph/v1/graph_pb2{,_grpc}.py into out_dir; returns the protoc used."""
    proto_dir = os.path.join(SOURCE_DIR, "proto")
    proto = "innograph/v1/graph.proto"
    attempts = [
        ["/usr/bin/protoc", "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin"],
        [sys.executable, "-m", "grpc_tools.protoc"],
    ]
    errors = []
    for cmd in attempts:
        if not os.path.exists(cmd[0]):
            continue
        argv = cmd + ["-I", proto_dir, "--python_out=" + out_dir, "--grpc_python_out=" + out_dir,
                      proto]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if proc.returncode == 0:
            return " ".join(cmd)
        errors.append("%s: exit %d: %s" % (" ".join(argv), proc.returncode, proc.stderr.strip()))
    raise RuntimeError("cannot generate Python stubs:\n" + "\n".join(errors))


def run_offline_import(data_dir, files, args=(), timeout=CLI_TIMEOUT_S):
    """Runs `innograph-server import --data-dir DATA_DIR ARGS... FILES...`, the offline import
    into a stopped store (server/main.cc): (returncode, stdout, stderr). Exit codes: 0 every
    row written, 1 rows rejected or the import aborted, 2 usage, 3 store unusable or locked."""
    argv = [SERVER_BIN, "import", "--data-dir", data_dir] + [str(a) for a in args]
    argv += [str(f) for f in files]
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          errors="replace", timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def http_args(port=0):
    """Server flags for an HTTP gateway on a loopback port (0: one the server picks); pass them as
    Server(extra_args=...), where they come after isolation_args() and so override its --http=.
    Learn the bound port with http_port(server)."""
    return ["--http=127.0.0.1:%d" % port]


_HTTP_URL = re.compile(r"http://[^/\s\"]+:(\d+)/")


def http_port(server):
    """The HTTP port `server` listens on, from the HTTP line of its stderr log (json or text
    format); the server logs it before it prints "listening on"."""
    match = _HTTP_URL.search(server.stderr())
    if not match:
        raise AssertionError("no HTTP listening line in the server's stderr:\n%s" % server.stderr())
    return int(match.group(1))


def make_tls_cert(out_dir):
    """A self-signed certificate for localhost and 127.0.0.1, valid one day, made with the
    openssl command: (cert_path, key_path) in out_dir. The certificate is its own CA."""
    cert = os.path.join(out_dir, "cert.pem")
    key = os.path.join(out_dir, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
         cert, "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-days", "1"],
        stdin=subprocess.DEVNULL, capture_output=True, check=True, timeout=CLI_TIMEOUT_S)
    return cert, key


_HTTPS_URL = re.compile(r"https://[^/\s\"]+:(\d+)/")


def https_port(server):
    """The HTTPS port `server` listens on (with --tls-cert), from its stderr log."""
    match = _HTTPS_URL.search(server.stderr())
    if not match:
        raise AssertionError("no HTTPS listening line in the server's stderr:\n%s"
                             % server.stderr())
    return int(match.group(1))


def audit_lines(server):
    """The audit records (JSON log lines with "audit": true) of `server`'s stderr."""
    out = []
    for line in server.stderr().splitlines():
        try:
            record = jsonlib.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("audit") is True:
            out.append(record)
    return out
