"""Prints the peers' results side by side with corridor's.

Usage: python compare.py corridor.json corridor-reference.json simpy.json ciw.json

`corridor.json` ran as many replications as the peers (for the time ratio);
`corridor-reference.json` ran many more, as a tight reference. A peer agrees
on a figure when its 95% interval overlaps the reference's.
"""

import json
import sys


def load(path):
    with open(path) as handle:
        return json.load(handle)


def cell(estimate):
    if estimate is None:
        return "n/a"
    return f"{estimate['mean']:.2f} [{estimate['low']:.2f} – {estimate['high']:.2f}]"


def overlaps(a, b):
    return a is not None and b is not None and a["low"] <= b["high"] and b["low"] <= a["high"]


def main():
    corridor, reference, *peers = [load(path) for path in sys.argv[1:]]
    runs = [corridor, reference, *peers]
    # The peers keep the tiers in the order of params.json (highest priority first).
    tiers = list(peers[0]["deaths"].keys()) if peers else list(corridor["deaths"].keys())
    rows = [("mean days to clear the backlog", lambda r: r["days_to_clear"])]
    rows += [(f"deaths while waiting, {t}", lambda r, t=t: r["deaths"][t]) for t in tiers]
    rows += [(f"mean wait (days), {t}", lambda r, t=t: r["mean_wait"][t]) for t in tiers]
    headers = ["figure (mean [95% CI])"] + [f"{r['tool']} ({r['replications']} reps)" for r in runs]
    headers += [f"{p['tool']} agrees" for p in peers]
    table = [headers]
    disagreements = 0
    for label, pick in rows:
        line = [label] + [cell(pick(r)) for r in runs]
        for peer in peers:
            agree = overlaps(pick(peer), pick(reference))
            disagreements += not agree
            line.append("yes" if agree else "NO")
        table.append(line)
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    for row in table:
        print("  ".join(value.ljust(width) for value, width in zip(row, widths)).rstrip())
    print()
    print(f"wall time for {corridor['replications']} replications (simulation only, no start-up):")
    print(f"  corridor {corridor['seconds']:.4f} s")
    for peer in peers:
        ratio = peer["seconds"] / corridor["seconds"]
        print(f"  {peer['tool']:<8} {peer['seconds']:.4f} s = {ratio:,.0f} x corridor")
    print(f"  (corridor reference: {reference['replications']} replications in {reference['seconds']:.3f} s)")
    print()
    print("agreement: all figures within Monte Carlo error" if disagreements == 0
          else f"agreement: {disagreements} figure(s) outside Monte Carlo error (expect about 5% by chance)")


if __name__ == "__main__":
    main()
