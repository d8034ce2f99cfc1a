-- pgbench script (bench/suite.py, workload "mixed"): 90% the neighbors query, 10% an upsert
-- of one Person node (keys load/pg-<client>-<n>, n drawn from 1..1000 per client, so new keys
-- at first and re-upserts later; synchronous_commit stays on, as innograph makes each
-- acknowledged write durable).
\set i random(0, :nkeys - 1)
\set n random(1, 1000)
\set r random(0, 99)
\if :r < 10
INSERT INTO nodes (key, kind, name)
  VALUES ('load/pg-' || :client_id || '-' || :n, 'Person', 'Load ' || :client_id || ' ' || :n)
  ON CONFLICT (key) DO UPDATE SET name = excluded.name;
\else
SELECT a.b, n.kind, n.name, a.w
  FROM adj a JOIN nodes n ON n.key = a.b
  WHERE a.a = (SELECT k FROM bench_keys WHERE i = :i)
  LIMIT 100;
\endif
