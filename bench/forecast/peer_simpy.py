"""The common forecast model in SimPy (process-based discrete-event simulation).

Time is in days; day d is [d, d+1). Referrals of day d arrive at time d (the
backlog at 0). Each patient is a process that waits for either its call to
the crossing or its death (exponential with the tier's hazard from arrival),
whichever comes first: SimPy's reneging idiom. The crossing is a process that
runs at the end of each day (d + 1 - 1e-9) and calls up to `capacity`
patients by strict priority: tier, then arrival order.

Usage: python peer_simpy.py params.json
"""

import collections
import math
import time

import simpy

from common import load_params, new_rng, poisson, report

END_OF_DAY = 1 - 1e-9


def one_replication(params, replication):
    rng = new_rng(params["seed"], replication)
    tiers = params["tiers"]
    horizon = params["horizon_days"]
    env = simpy.Environment()
    queues = [collections.deque() for _ in tiers]
    deaths = [0] * len(tiers)
    waits = [[] for _ in tiers]
    state = {"backlog_left": sum(t["backlog"] for t in tiers), "clear_day": None}

    def leave_backlog():
        state["backlog_left"] -= 1
        if state["backlog_left"] == 0 and state["clear_day"] is None:
            state["clear_day"] = math.floor(env.now) + 1

    def patient(tier, in_backlog):
        arrival_day = math.floor(env.now)
        called = env.event()
        entry = {"called": called, "alive": True}
        queues[tier].append(entry)
        hazard = tiers[tier]["daily_death_hazard"]
        if hazard > 0:
            outcome = yield called | env.timeout(rng.expovariate(hazard))
        else:
            outcome = yield called
        if called in outcome:
            waits[tier].append(math.floor(env.now) - arrival_day)
        else:
            entry["alive"] = False
            deaths[tier] += 1
        if in_backlog:
            leave_backlog()

    def referrals():
        for tier_index, tier in enumerate(tiers):
            for _ in range(tier["backlog"]):
                env.process(patient(tier_index, True))
        day = 0
        while day < horizon:
            for tier_index, tier in enumerate(tiers):
                for _ in range(poisson(rng, tier["referrals_per_day"])):
                    env.process(patient(tier_index, False))
            day += 1
            yield env.timeout(1)

    def crossing():
        day = 0
        yield env.timeout(END_OF_DAY)
        while day < horizon:
            places = params["capacity_per_day"]
            for queue in queues:
                while places > 0 and queue:
                    entry = queue.popleft()
                    if entry["alive"]:
                        entry["called"].succeed()
                        places -= 1
            day += 1
            yield env.timeout(1)

    env.process(referrals())
    env.process(crossing())
    env.run(until=horizon)
    return {"clear_day": state["clear_day"], "deaths": deaths, "waits": waits}


def main():
    params = load_params()
    started = time.perf_counter()
    results = [one_replication(params, r) for r in range(params["replications"])]
    report("SimPy", params, time.perf_counter() - started, results)


if __name__ == "__main__":
    main()
