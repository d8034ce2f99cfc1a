-- pgbench script (bench/suite.py, workload "khop2"): how many distinct nodes lie
-- within 2 hops (every edge, both directions) of a random key of bench_keys, the start
-- excluded. A recursive CTE; UNION removes repeated (node, depth) rows level by level.
\set i random(0, :nkeys - 1)
WITH RECURSIVE r(n, d) AS (
  SELECT k, 0 FROM bench_keys WHERE i = :i
  UNION
  SELECT adj.b, r.d + 1 FROM r JOIN adj ON adj.a = r.n WHERE r.d < 2
)
SELECT count(DISTINCT n) - 1 FROM r;
