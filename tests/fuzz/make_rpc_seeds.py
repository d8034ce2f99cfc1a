#!/usr/bin/python3
"""Writes the seed corpus of the rpc fuzz target (corpus/rpc/): one file per request, its first
byte the rpc's index in rpc_fuzz.cc (kRpcs order), then the serialised request message. The
requests use keys of data/hunan and the examples of the docs. Run from anywhere:

    /usr/bin/python3 tests/fuzz/make_rpc_seeds.py
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))

# The order of the switch in rpc_fuzz.cc.
RPCS = ["GetSchema", "UpsertNodes", "UpsertEdges", "DeleteNodes", "DeleteEdges", "GetNodes",
        "GetEdges", "SearchNodes", "Neighbors", "Stats", "Expand", "ShortestPath", "Paths",
        "CommonNeighbors", "Similar", "Rank", "Components", "Communities"]
REQUEST = {"ShortestPath": "ShortestPathRequest"}

# (rpc, seed name, request as text format).
SEEDS = [
    ("GetSchema", "schema", ""),
    ("Stats", "stats", ""),
    ("UpsertNodes", "doc-person", 'nodes { key: "person/zou-xuexiao" kind: "Person" name: "邹学校" '
     'aliases: "Zou Xuexiao" properties { key: "field" value { string_value: "pepper breeding" } } '
     'sources { source: "source/hunan-award-conference-2023" locator: "attendees" } }'),
    ("UpsertNodes", "typed", 'nodes { key: "univ/fuzz" kind: "University" name: "测试大学" '
     'properties { key: "founded" value { date_value: "1903-05" } } '
     'properties { key: "n" value { int_value: -3 } } '
     'properties { key: "d" value { double_value: 2.5 } } '
     'properties { key: "b" value { bool_value: true } } } '
     'nodes { key: "topic/fuzz" kind: "Topic" name: "fuzz topic" }'),
    ("UpsertNodes", "bad-kind", 'nodes { key: "x/1" kind: "Nope" name: "n" }'),
    ("UpsertEdges", "doc-heads", 'edges { type: "HEADS" from_key: "person/zou-xuexiao" '
     'to_key: "lab/yuelu-mountain" valid_from: "2022-07-20" '
     'properties { key: "post" value { string_value: "director" } } '
     'sources { source: "source/hunan-cppcc-4-plus-4-2023" } }'),
    ("UpsertEdges", "weighted", 'edges { type: "COLLABORATES_WITH" from_key: "person/zou-xuexiao" '
     'to_id: 3 weight: 2.5 key: "e/fuzz" valid_from: "2015" valid_to: "2016-02" }'),
    ("UpsertEdges", "by-id", 'edges { id: 1 type: "MEMBER_OF" from_key: "person/zou-xuexiao" '
     'to_key: "academy/cae" valid_from: "2017" }'),
    ("DeleteNodes", "missing", 'nodes { key: "univ/none" } nodes { id: 99999 } allow_missing: true'),
    ("DeleteNodes", "topic", 'nodes { key: "topic/seed-industry" }'),
    ("DeleteEdges", "ids", 'ids: 1 ids: 2 keys: "e/none" allow_missing: true'),
    ("GetNodes", "keys", 'nodes { key: "univ/csu" } nodes { id: 1 } nodes { key: "x" } '
     'allow_missing: true'),
    ("GetEdges", "ids", 'ids: 1 ids: 5 ids: 1000 allow_missing: true'),
    ("SearchNodes", "cjk", 'query: "实验室" kinds: "Laboratory" limit: 5'),
    ("SearchNodes", "latin", 'query: "central south" limit: 2 page_token: "bm9wZQ"'),
    ("Neighbors", "csu", 'node { key: "univ/csu" } direction: DIRECTION_IN '
     'filter { edge_types: "EMPLOYED_BY" as_of: "2020" } limit: 3'),
    ("Neighbors", "window", 'node { key: "person/zou-xuexiao" } filter { node_kinds: "University" '
     'window_from: "2001" window_to: "2008-06" min_weight: 0.5 }'),
    ("Expand", "two-hops", 'seeds { key: "person/zou-xuexiao" } seeds { id: 2 } depth: 2 '
     'limits { max_edges_per_node: 10 max_visited: 100 max_results: 50 }'),
    ("Expand", "count", 'seeds { key: "region/hunan" } depth: 3 count_only: true direction: DIRECTION_OUT'),
    ("ShortestPath", "weighted", 'from { key: "person/zou-xuexiao" } to { key: "region/hunan" } '
     'weighted: true max_length: 4'),
    ("ShortestPath", "time", 'from { key: "person/zou-xuexiao" } to { key: "academy/cae" } '
     'time_respecting: true filter { as_of: "2020-01-01" }'),
    ("Paths", "k", 'from { key: "univ/csu" } to { key: "univ/hnu" } k: 3 max_length: 4'),
    ("Paths", "all", 'from { key: "univ/csu" } to { key: "region/hunan" } '
     'mode: PATHS_MODE_ALL_SHORTEST limits { max_results: 10 }'),
    ("CommonNeighbors", "unis", 'a { key: "univ/csu" } b { key: "univ/hnu" }'),
    ("Similar", "adamic", 'node { key: "univ/csu" } metric: SIMILARITY_METRIC_ADAMIC_ADAR k: 5 '
     'include_neighbors: true'),
    ("Rank", "pagerank", 'measure: MEASURE_PAGERANK damping: 0.85 iterations: 50 top_k: 5 '
     'weighted: true directed: true'),
    ("Rank", "betweenness", 'measure: MEASURE_BETWEENNESS samples: 10 seed: 7 '
     'filter { node_kinds: "Person" node_kinds: "University" }'),
    ("Rank", "closeness", 'measure: MEASURE_CLOSENESS top_k: 3'),
    ("Components", "cut", 'top_k: 3 members_per_component: 2 articulation_points: true'),
    ("Communities", "louvain", 'seed: 1 resolution: 1.0 top_k: 3'),
    ("Communities", "labels", 'algorithm: COMMUNITY_ALGORITHM_LABEL_PROPAGATION seed: 2 '
     'filter { edge_types: "EMPLOYED_BY" }'),
]


def main():
    with tempfile.TemporaryDirectory(prefix="innograph-seeds-") as tmp:
        subprocess.run(["/usr/bin/protoc", "-I", os.path.join(SOURCE_DIR, "proto"),
                        "--python_out=" + tmp, "innograph/v1/graph.proto"], check=True)
        sys.path.insert(0, tmp)
        from google.protobuf import text_format
        from innograph.v1 import graph_pb2

        out_dir = os.path.join(HERE, "corpus", "rpc")
        os.makedirs(out_dir, exist_ok=True)
        for rpc, name, text in SEEDS:
            cls = getattr(graph_pb2, REQUEST.get(rpc, rpc + "Request"))
            msg = text_format.Parse(text, cls())
            data = bytes([RPCS.index(rpc)]) + msg.SerializeToString()
            with open(os.path.join(out_dir, "%s-%s" % (rpc, name)), "wb") as f:
                f.write(data)
        print("wrote %d seeds to %s" % (len(SEEDS), out_dir))


if __name__ == "__main__":
    main()
