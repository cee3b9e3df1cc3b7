#!/usr/bin/env python3
"""Writes the load harness's mixed workload: COUNT distinct search paths over a bundle's offerings.

One to three words taken from the offerings' titles (some with filters), filters alone, the
broadest search of all (no words) and a word most offerings hold. The same bundle and seed give
the same paths, so figures compare across runs.
"""
import json
import pathlib
import random
import sys
import urllib.parse

bundle, count = pathlib.Path(sys.argv[1]), int(sys.argv[2])
rng = random.Random(20261129)
lines = (bundle / "offerings.jsonl")
offerings = (
    [json.loads(line) for line in lines.open()]
    if lines.exists()
    else json.load((bundle / "offerings.json").open())
)
stop = {"and", "the", "for", "of", "a", "to", "in", "on", "with", "your", "an", "at", "from"}
words = sorted({w.strip(":,.()").lower() for o in offerings for w in o["title"].split()} - stop)
words = [w for w in words if len(w) > 2 and w.isalpha()]
filters = [
    ("format", ["in_person", "online_live", "online_self_paced", "hybrid", "conference"]),
    ("level", ["introductory", "intermediate", "advanced"]),
    ("audience", ["librarians", "support_staff", "trustees", "administrators"]),
    ("when", ["week", "month", "quarter", "later", "self_paced"]),
    ("free", ["true"]),
]
paths = {"/api/v1/search", "/api/v1/search?q=library"}
while len(paths) < count:
    pairs = []
    kind = rng.random()
    if kind < 0.8:
        pairs.append(("q", " ".join(rng.sample(words, rng.randint(1, 3)))))
    if kind >= 0.5:
        for name, values in rng.sample(filters, rng.randint(1, 2)):
            pairs.append((name, rng.choice(values)))
    paths.add("/api/v1/search?" + urllib.parse.urlencode(pairs))
for path in sorted(paths):
    print(path)
