"""The topology image (docs/storage.md, "Topology image") with the real server: written at a clean
shutdown and used at the next start; writes made after it (the server then killed with SIGKILL,
so no new image) replayed from the change log; a damaged image and the image of another store
ignored with a log line. In every case the answers equal those of a server that scanned the
store. `innograph-server check` and `backup` are not confused by the file. The offline import
(`innograph-server import`) and `innograph-server restore` end by writing the image, so that
the next start loads it.

Run by hand: /usr/bin/python3 tests/integration/topology_image_test.py -v
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

IMAGE = "topology.img"


def node_keys(limit, kind=None):
    keys = [r["key"] for r in harness.read_jsonl_records()
            if "kind" in r and (kind is None or r["kind"] == kind)]
    return keys[:limit]


def canonical(value):
    """The JSON value with every list sorted (list order is not part of an answer here)."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def load_lines(server):
    """The "topology loaded" and "topology image not used" log lines of the current process."""
    out = []
    for line in server.stderr().splitlines():
        if "topology loaded" in line or "topology image not used" in line:
            out.append(json.loads(line))
    return out


class TopologyImageTest(unittest.TestCase):
    def setUp(self):
        self.persons = node_keys(10, "Person")
        self.keys = node_keys(15) + self.persons + ["person/img-a", "person/img-b"]

    def answers(self, server):
        out = {}
        for key in self.keys:
            rc, text, err, parsed = server.cli("neighbors", key, "--all", json=True)
            out[key] = canonical(parsed) if rc == 0 else ("error", rc, err.strip()[:80])
        rc, text, err, parsed = server.cli("stats", json=True)
        self.assertEqual(rc, 0, err)
        out["stats"] = {k: parsed.get(k) for k in ("nodes", "edges")}
        return out

    def source(self, server):
        lines = [l for l in load_lines(server) if l.get("msg") == "topology loaded"]
        self.assertEqual(len(lines), 1, server.stderr())
        return lines[0]

    def put_edge(self, server, frm, to, edge_type="COLLABORATES_WITH"):
        rc, out, err = server.cli("edges", "put", "--from", frm, "--type", edge_type, "--to", to)
        self.assertEqual(rc, 0, err)

    def test_image_written_used_replayed_and_refused(self):
        with harness.Server(seed=harness.HUNAN_JSONL) as s:
            self.assertEqual(self.source(s)["source"], "scan")
            image = os.path.join(s.data_dir, IMAGE)
            self.assertFalse(os.path.exists(image))
            rc, out, err = s.cli("nodes", "put", "--kind", "Person", "--key", "person/img-a",
                                 "--name", "A")
            self.assertEqual(rc, 0, err)
            self.put_edge(s, "person/img-a", self.persons[3])
            before = self.answers(s)

            # Clean shutdown writes the image; the next start uses it.
            s.stop()
            self.assertTrue(os.path.exists(image))
            self.assertIn("topology image written", s.stderr())
            s.start()
            line = self.source(s)
            self.assertEqual(line["source"], "image", s.stderr())
            self.assertEqual(line["replayed_changes"], 0)
            self.assertEqual(self.answers(s), before)

            # Writes after the image, then SIGKILL: the image stays old and the changes are
            # replayed at the next start.
            rc, out, err = s.cli("nodes", "put", "--kind", "Person", "--key", "person/img-b",
                                 "--name", "B")
            self.assertEqual(rc, 0, err)
            self.put_edge(s, "person/img-b", "person/img-a")
            self.put_edge(s, self.persons[5], "person/img-b", "ADVISED")
            rc, out, err = s.cli("nodes", "delete", self.persons[7])
            self.assertEqual(rc, 0, err)
            after = self.answers(s)
            self.assertNotEqual(after, before)
            s.kill9()
            s.start()
            line = self.source(s)
            self.assertEqual(line["source"], "image", s.stderr())
            self.assertGreaterEqual(line["replayed_changes"], 4)
            self.assertEqual(self.answers(s), after)

            # A store scanned from scratch (no image) gives the same answers.
            s.stop()
            saved = os.path.join(s.root, "saved.img")
            shutil.move(image, saved)
            s.start()
            self.assertEqual(self.source(s)["source"], "scan")
            self.assertEqual(self.answers(s), after)
            s.stop()

            # One flipped byte: ignored with a log line naming the reason.
            shutil.copyfile(saved, image)
            with open(image, "r+b") as f:
                f.seek(os.path.getsize(image) // 2)
                b = f.read(1)
                f.seek(-1, os.SEEK_CUR)
                f.write(bytes([b[0] ^ 0x40]))
            s.start()
            self.assertEqual(self.source(s)["source"], "scan")
            refused = [l for l in load_lines(s) if l.get("msg", "").startswith("topology image not used")]
            self.assertEqual(len(refused), 1, s.stderr())
            self.assertIn("checksum", refused[0]["reason"])
            self.assertEqual(self.answers(s), after)
            s.stop()

            # `check` is not confused by the image; an offline backup does not copy it.
            # (The clean stop above wrote a fresh image over the damaged one.)
            def check():
                proc = subprocess.run([harness.SERVER_BIN, "check", "--data-dir", s.data_dir],
                                      capture_output=True, text=True, timeout=120)
                self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
                return proc.stdout
            self.assertIn("topology image: matches the store", check())
            with open(image, "r+b") as f:
                f.seek(30)
                b = f.read(1)
                f.seek(30)
                f.write(bytes([b[0] ^ 1]))
            self.assertIn("topology image: not used at start", check())
            backup = os.path.join(s.root, "backup")
            proc = subprocess.run([harness.SERVER_BIN, "backup", "--data-dir", s.data_dir,
                                   "--to", backup], capture_output=True, timeout=120)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertTrue(os.path.exists(os.path.join(backup, "CURRENT")))
            self.assertFalse(os.path.exists(os.path.join(backup, IMAGE)))
            # A restore writes an image of the restored store, one that a start would use.
            restored = os.path.join(s.root, "restored")
            proc = subprocess.run([harness.SERVER_BIN, "restore", "--from", backup,
                                   "--data-dir", restored], capture_output=True, text=True,
                                  timeout=120)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            self.assertIn("restore: topology image written", proc.stdout)
            proc = subprocess.run([harness.SERVER_BIN, "check", "--data-dir", restored],
                                  capture_output=True, text=True, timeout=120)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            self.assertIn("topology image: matches the store", proc.stdout)

            # The image of another store (same seed, so the same content) is refused.
            with harness.Server(seed=harness.HUNAN_JSONL) as other:
                other.stop()
                shutil.copyfile(os.path.join(other.data_dir, IMAGE), image)
            s.start()
            self.assertEqual(self.source(s)["source"], "scan")
            refused = [l for l in load_lines(s) if l.get("msg", "").startswith("topology image not used")]
            self.assertEqual(len(refused), 1, s.stderr())
            self.assertIn("another store", refused[0]["reason"])
            self.assertEqual(self.answers(s), after)
            s.stop()

    def import_offline(self, server, files, args=()):
        rc, out, err = harness.run_offline_import(server.data_dir, files, args)
        return rc, out, err

    def check_matches(self, server):
        proc = subprocess.run([harness.SERVER_BIN, "check", "--data-dir", server.data_dir],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("topology image: matches the store", proc.stdout)

    def scanned_answers(self, server):
        """The answers of a server that scanned the store (the image moved aside meanwhile)."""
        image = os.path.join(server.data_dir, IMAGE)
        aside = os.path.join(server.root, "aside.img")
        shutil.move(image, aside)
        server.start()
        self.assertEqual(self.source(server)["source"], "scan")
        got = self.answers(server)
        server.kill9()  # No new image: the one moved aside goes back unchanged.
        shutil.move(aside, image)
        return got

    def test_offline_import_writes_image(self):
        with harness.Server(start=False) as s:
            image = os.path.join(s.data_dir, IMAGE)
            # A bulk load into an empty store ends with an image of the result.
            rc, out, err = self.import_offline(s, [harness.HUNAN_JSONL])
            self.assertEqual(rc, 0, out + err)
            # Written from the load as it went, and equal to what a scan builds.
            self.assertIn("from the bulk load as it was written", out)
            self.assertTrue(os.path.exists(image))
            self.check_matches(s)
            scanned = self.scanned_answers(s)
            s.start()
            line = self.source(s)
            self.assertEqual(line["source"], "image", s.stderr())
            self.assertEqual(line["replayed_changes"], 0)
            self.assertEqual(self.answers(s), scanned)
            n, e = harness.read_jsonl_counts()
            self.assertEqual(scanned["stats"], {"nodes": str(n), "edges": str(e)})
            s.kill9()

            # An import into the filled store (ordinary writes) writes a new image too.
            extra = os.path.join(s.root, "extra.jsonl")
            with open(extra, "w") as f:
                f.write(json.dumps({"kind": "Person", "key": "person/img-a", "name": "A"}) + "\n")
                f.write(json.dumps({"kind": "Person", "key": "person/img-b", "name": "B"}) + "\n")
                f.write(json.dumps({"type": "COLLABORATES_WITH", "from": "person/img-a",
                                    "to": self.persons[2]}) + "\n")
                f.write(json.dumps({"type": "ADVISED", "from": self.persons[4],
                                    "to": "person/img-b"}) + "\n")
            before = os.path.getmtime(image)
            rc, out, err = self.import_offline(s, [extra])
            self.assertEqual(rc, 0, out + err)
            self.assertIn("topology image written", out)
            self.assertNotEqual(os.path.getmtime(image), before)
            self.check_matches(s)
            scanned = self.scanned_answers(s)
            self.assertEqual(scanned["stats"], {"nodes": str(n + 2), "edges": str(e + 2)})
            s.start()
            line = self.source(s)
            self.assertEqual(line["source"], "image", s.stderr())
            self.assertEqual(line["replayed_changes"], 0)
            self.assertEqual(self.answers(s), scanned)
            s.kill9()

            # A dry run and an import that rejects its rows (all or nothing) leave the image
            # as it was, and it still gives the store's graph.
            with open(image, "rb") as f:
                kept = f.read()
            bad = os.path.join(s.root, "bad.jsonl")
            with open(bad, "w") as f:
                f.write(json.dumps({"kind": "Person", "key": "person/img-c", "name": "C"}) + "\n")
                f.write(json.dumps({"type": "ADVISED", "from": "person/img-c",
                                    "to": "person/none-such"}) + "\n")
            rc, out, err = self.import_offline(s, [extra], ["--dry-run"])
            self.assertEqual(rc, 0, out + err)
            self.assertNotIn("topology image written", out)
            rc, out, err = self.import_offline(s, [bad])
            self.assertEqual(rc, 1, out + err)
            with open(image, "rb") as f:
                self.assertEqual(f.read(), kept)
            s.start()
            self.assertEqual(self.source(s)["source"], "image", s.stderr())
            self.assertEqual(self.answers(s), scanned)
            s.kill9()

        # An older image of a store that a bulk load then filled is refused at start, with the
        # reason in the log (the image written by that import would replace it; here the old one
        # is put back by hand).
        with harness.Server() as s:
            image = os.path.join(s.data_dir, IMAGE)
            s.stop()
            old = os.path.join(s.root, "old.img")
            shutil.copyfile(image, old)
            rc, out, err = self.import_offline(s, [harness.HUNAN_JSONL])
            self.assertEqual(rc, 0, out + err)
            shutil.copyfile(old, image)
            s.start()
            self.assertEqual(self.source(s)["source"], "scan")
            refused = [l for l in load_lines(s)
                       if l.get("msg", "").startswith("topology image not used")]
            self.assertEqual(len(refused), 1, s.stderr())
            self.assertIn("bulk load", refused[0]["reason"])
            n, e = harness.read_jsonl_counts()
            self.assertEqual(self.answers(s)["stats"], {"nodes": str(n), "edges": str(e)})
            s.stop()


if __name__ == "__main__":
    unittest.main()
