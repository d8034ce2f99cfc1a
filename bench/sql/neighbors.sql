-- pgbench script (bench/suite.py, workload "neighbors"): the neighbours of a random key of
-- bench_keys (every edge, both directions), with the edge weight and the neighbour's kind and
-- name, at most 100.
\set i random(0, :nkeys - 1)
SELECT a.b, n.kind, n.name, a.w
  FROM adj a JOIN nodes n ON n.key = a.b
  WHERE a.a = (SELECT k FROM bench_keys WHERE i = :i)
  LIMIT 100;
