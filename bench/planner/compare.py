"""Checks corridor's exact day planner against a MILP solved by HiGHS.

Reads the instances written by `cargo run -p corridor-planner --example
instances`, builds for each an integer programme from the day's data alone
(who may travel, how many places each party takes, values, beds and which
beds each patient may take), solves it with HiGHS, and compares its optimum
with the planner's. Then reports how much the greedy baseline loses.

Usage: python compare.py instances.json
Exit status 1 if any optimum differs.
"""

import json
import statistics
import sys

import highspy

TIER_POINTS = {"critical": 100, "urgent": 10, "routine": 1}


def policy_value(candidate):
    """The planner's stated policy, recomputed independently."""
    counted = min(max(candidate["days_waited"], 0), 730)
    return TIER_POINTS[candidate["tier"]] * (2 * (365 + counted) + int(candidate["child"]))


def milp_optimum(instance):
    places = instance["quota"]
    if instance["cap"] is not None:
        places = min(places, instance["cap"])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)

    objective = 0
    party_places = 0
    holders = {index: [] for index in range(len(instance["beds"]))}
    for candidate in instance["candidates"]:
        assert candidate["value"] == policy_value(candidate), candidate
        travelling = min(candidate["cleared_companions"], instance["max_companions"])
        if candidate["child"] and travelling == 0:
            continue  # a child travels only with a cleared companion
        beds = [
            index
            for index, pool in enumerate(instance["beds"])
            if pool["free"] > 0
            and pool["specialty"] == candidate["specialty"]
            and (candidate["guarantee"] or not pool["requires_guarantee"])
        ]
        if not beds:
            continue
        # x: the patient travels; y: the patient takes a bed of that pool.
        x = h.addBinary()
        ys = [h.addBinary() for _ in beds]
        h.addConstr(sum(ys) == x)
        for index, y in zip(beds, ys):
            holders[index].append(y)
        # A party counts with the patient's value for each person in it.
        objective = objective + candidate["value"] * (1 + travelling) * x
        party_places = party_places + (1 + travelling) * x
    if isinstance(objective, int):
        return 0  # nobody can travel
    for index, ys in holders.items():
        if ys:
            h.addConstr(sum(ys) <= instance["beds"][index]["free"])
    h.addConstr(party_places <= places)
    h.maximize(objective)
    status = h.getModelStatus()
    assert status == highspy.HighsModelStatus.kOptimal, h.modelStatusToString(status)
    return round(h.getInfo().objective_function_value)


def main(path):
    with open(path) as file:
        data = json.load(file)
    instances = data["instances"]
    mismatches = []
    losses = []  # greedy's loss in % of the optimum, per instance with a positive optimum
    for number, instance in enumerate(instances):
        exact = milp_optimum(instance)
        if exact != instance["optimal"]:
            mismatches.append((number, instance["optimal"], exact))
        if exact > 0:
            losses.append(100.0 * (exact - instance["greedy"]) / exact)
    people = [len(i["candidates"]) for i in instances]
    facilities = [len({b["facility"] for b in i["beds"]}) for i in instances]
    print(f"instances: {len(instances)} (seed {data['seed']}), "
          f"{min(people)}-{max(people)} patients, {min(facilities)}-{max(facilities)} facilities")
    print(f"optimiser vs HiGHS MILP: {len(instances) - len(mismatches)}/{len(instances)} equal objectives")
    for number, ours, theirs in mismatches:
        print(f"  instance {number}: optimiser {ours}, HiGHS {theirs}")
    losing = [loss for loss in losses if loss > 0]
    print(f"greedy loses on {len(losing)}/{len(losses)} instances with a positive optimum")
    if losses:
        print(f"greedy loss, % of optimum: mean {statistics.mean(losses):.2f} over all, "
              f"mean {statistics.mean(losing) if losing else 0:.2f} where it loses, "
              f"worst {max(losses):.2f}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
