-- pgbench script (bench/suite.py, workload "path"): the hops of a shortest path between two
-- random keys of bench_keys, at most 6 (bfs_hops, bench/sql/functions.sql).
\set i random(0, :nkeys - 1)
\set j random(0, :nkeys - 1)
SELECT bfs_hops((SELECT k FROM bench_keys WHERE i = :i),
                (SELECT k FROM bench_keys WHERE i = :j), 6);
