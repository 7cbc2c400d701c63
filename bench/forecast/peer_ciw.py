"""The common forecast model in Ciw (queueing networks).

One node; one customer class per tier and per origin (backlog or new
referral, so that the backlog can be followed), with priority classes by
tier. Day d is (d, d+1]: referrals of day d arrive in a batch at d + 1e-6
(the backlog with day 0's referrals), and the crossing is a slotted
schedule that serves `capacity` customers at each whole time d + 1, highest
priority class first, then arrival order, with a negligible service time.
Death while waiting is Ciw's reneging, exponential with the tier's hazard.

Usage: python peer_ciw.py params.json
"""

import math
import time

import ciw

from common import load_params, report

EPSILON = 1e-6
SERVICE = 1e-7


class DailyBatches(ciw.dists.Distribution):
    """Inter-arrival times: the first batch just after 0, then one a day."""

    def __init__(self):
        self.first = True

    def sample(self, t=None, ind=None):
        if self.first:
            self.first = False
            return EPSILON
        return 1.0


class OnceThenNever(ciw.dists.Distribution):
    """The backlog: one batch of `size` at the first arrival, then none."""

    def __init__(self, size):
        self.size = size
        self.first = True

    def sample(self, t=None, ind=None):
        if self.first:
            self.first = False
            return EPSILON
        return float("inf")


class Backlog(ciw.dists.Distribution):
    def __init__(self, size):
        self.size = size

    def sample(self, t=None, ind=None):
        return self.size


def one_replication(params, replication):
    ciw.seed(params["seed"] * 1_000_003 + replication)
    tiers = params["tiers"]
    horizon = params["horizon_days"]
    arrivals, batches, services, reneging, priorities = {}, {}, {}, {}, {}
    for index, tier in enumerate(tiers):
        name = tier["name"]
        hazard = tier["daily_death_hazard"]
        renege = [ciw.dists.Exponential(hazard)] if hazard > 0 else [None]
        for origin in ("backlog", "new"):
            key = f"{name}-{origin}"
            if origin == "backlog":
                arrivals[key] = [OnceThenNever(tier["backlog"]) if tier["backlog"] > 0 else None]
                batches[key] = [Backlog(tier["backlog"])]
            else:
                rate = tier["referrals_per_day"]
                arrivals[key] = [DailyBatches() if rate > 0 else None]
                batches[key] = [ciw.dists.Poisson(rate) if rate > 0 else Backlog(1)]
            services[key] = [ciw.dists.Deterministic(SERVICE)]
            reneging[key] = renege
            priorities[key] = index
    network = ciw.create_network(
        arrival_distributions=arrivals,
        batching_distributions=batches,
        service_distributions=services,
        reneging_time_distributions=reneging,
        priority_classes=priorities,
        number_of_servers=[ciw.Slotted(slots=[1.0], slot_sizes=[params["capacity_per_day"]])],
    )
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(horizon + 0.5)
    names = [tier["name"] for tier in tiers]
    deaths = [0] * len(tiers)
    waits = [[] for _ in tiers]
    backlog_exits = []
    backlog_total = sum(tier["backlog"] for tier in tiers)
    for record in simulation.get_all_records():
        tier_name, origin = record.customer_class.rsplit("-", 1)
        tier = names.index(tier_name)
        arrival_day = math.floor(record.arrival_date)
        if record.record_type == "renege":
            if record.exit_date < horizon + EPSILON:
                deaths[tier] += 1
                if origin == "backlog":
                    backlog_exits.append(math.floor(record.exit_date - EPSILON) + 1)
        elif record.record_type == "service":
            served_day = round(record.service_start_date) - 1
            if served_day < horizon:
                waits[tier].append(served_day - arrival_day)
                if origin == "backlog":
                    backlog_exits.append(served_day + 1)
    clear_day = max(backlog_exits) if len(backlog_exits) == backlog_total else None
    return {"clear_day": clear_day, "deaths": deaths, "waits": waits}


def main():
    params = load_params()
    started = time.perf_counter()
    results = [one_replication(params, r) for r in range(params["replications"])]
    report("Ciw", params, time.perf_counter() - started, results)


if __name__ == "__main__":
    main()
