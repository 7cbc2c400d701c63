"""Shared by the peer simulators: parameters, Poisson draws, summaries.

Every peer reports, over its replications, the mean with a 95% t-interval of:
days until no one of the initial backlog is waiting (served or dead), deaths
while waiting by tier, and the mean wait of the evacuated by tier (days from
the referral day, or day 0 for the backlog, to the day of leaving). These
are the definitions of corridor-sim (crates/sim/src/lib.rs).
"""

import json
import math
import random
import statistics
import sys

# 97.5% quantiles of Student's t for small degrees of freedom; beyond, the
# normal quantile with the first Cornish-Fisher correction.
T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
         2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
         2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def t_975(degrees):
    if degrees <= len(T_975):
        return T_975[degrees - 1]
    z = 1.959963984540054
    return z + (z ** 3 + z) / (4 * degrees) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * degrees ** 2)


def estimate(samples):
    """Mean and 95% t-interval, or None without samples."""
    if not samples:
        return None
    mean = statistics.fmean(samples)
    if len(samples) < 2:
        return {"mean": mean, "low": mean, "high": mean}
    half = t_975(len(samples) - 1) * statistics.stdev(samples) / math.sqrt(len(samples))
    return {"mean": mean, "low": mean - half, "high": mean + half}


def load_params():
    with open(sys.argv[1]) as handle:
        return json.load(handle)


def poisson(rng, mean):
    """Knuth's method: fine for the small daily means used here."""
    if mean <= 0:
        return 0
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def report(tool, params, seconds, replications):
    """`replications` is a list of dicts with keys clear_day (or None),
    deaths (per tier) and waits (per tier: list of waits in days)."""
    tiers = [tier["name"] for tier in params["tiers"]]
    cleared = [r["clear_day"] for r in replications if r["clear_day"] is not None]
    out = {
        "tool": tool,
        "replications": len(replications),
        "seconds": seconds,
        "days_to_clear": estimate(cleared) if len(cleared) == len(replications) else None,
        "cleared_in": len(cleared),
        "deaths": {name: estimate([r["deaths"][i] for r in replications]) for i, name in enumerate(tiers)},
        "mean_wait": {
            name: estimate([statistics.fmean(r["waits"][i]) for r in replications if r["waits"][i]])
            for i, name in enumerate(tiers)
        },
    }
    json.dump(out, sys.stdout)
    print()


def new_rng(seed, replication):
    return random.Random(seed * 1_000_003 + replication)
