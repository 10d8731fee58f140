"""Stamp sequences run by real Alembic, for retort's differential test of `stamp`.

For each random graph of gen_cases.py (same generator), runs a sequence of `alembic stamp`
commands (single targets, several targets, `--purge`, labels, `heads`, `base`) on one SQLite
database and records the version rows after each, or the error. Writes the same layout as
gen_cases.py: OUT/case_NNN/{alembic,retort}/ and OUT/case_NNN/expected.json with
{"steps": [{"command": "stamp", "targets": [...], "purge": bool, "ok": ..., "heads": [...]} ...]}.
"""

import argparse
import json
import os
import random
import sys

if "PYTHONHASHSEED" not in os.environ:
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_cases  # noqa: E402
from alembic import command  # noqa: E402


def pick(graph, rng):
    ids = graph.ids
    labels = [l for r in graph.revs for l in r.labels]
    roll = rng.random()
    if roll < 0.45:
        return [gen_cases.rev_ref(graph, rng.choice(ids), rng)]
    if roll < 0.55:
        return ["heads"]
    if roll < 0.62:
        return ["base"]
    if roll < 0.75 and labels:
        return ["%s@head" % rng.choice(labels)]
    if roll < 0.82 and labels:
        return ["%s@base" % rng.choice(labels)]
    return rng.sample(ids, min(len(ids), rng.randint(2, 3)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--graphs", type=int, default=60)
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    gen_cases.enable_script_cache()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    ok = err = 0
    for i in range(args.graphs):
        rng = random.Random("retort-alembic-stamp:%d:%d" % (args.seed, i))
        graph = gen_cases.gen_graph(rng, i)
        case_dir = os.path.join(out, "case_%03d" % i)
        gen_cases.write_case(case_dir, graph)
        runner = gen_cases.Runner(case_dir)
        steps = []
        try:
            for _ in range(args.steps):
                targets = pick(graph, rng)
                purge = rng.random() < 0.2
                entry = {"command": "stamp", "targets": targets, "purge": purge}
                try:
                    command.stamp(runner.cfg, targets if len(targets) > 1 else targets[0], purge=purge)
                    heads, _ = gen_cases.read_state(runner.db_path)
                    entry.update(ok=True, heads=heads)
                    ok += 1
                except Exception as e:  # noqa: BLE001 - recorded
                    heads, _ = gen_cases.read_state(runner.db_path)
                    entry.update(ok=False, error=str(e), error_class=type(e).__name__, heads=heads)
                    err += 1
                steps.append(entry)
        finally:
            runner.close()
        with open(os.path.join(case_dir, "expected.json"), "w") as f:
            json.dump({"steps": steps}, f, indent=1)
        os.remove(runner.db_path) if os.path.exists(runner.db_path) else None
    sys.stderr.write("stamp cases: %d graphs, %d ok, %d errors\n" % (args.graphs, ok, err))


if __name__ == "__main__":
    main()
