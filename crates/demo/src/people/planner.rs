//! The plan of each patient: a profile, a referral day, the moves of their
//! status line with the day of each, and their companions.

use super::*;

pub(super) struct Profile {
    pub(super) age: i16,
    pub(super) sex: Sex,
    pub(super) condition: ConditionCategory,
    pub(super) specialty: Specialty,
    pub(super) tier: Tier,
}

/// A step of a status line, before it becomes an `Action` on a day.
#[derive(Clone)]
pub(super) enum Move {
    List,
    RequestClearance,
    Clear,
    Deny,
    Delay,
    Resubmit,
    Schedule { on: Day, crossing: &'static str },
    Unschedule(ReasonKind, &'static str),
    Cross(&'static str),
    Admit(FacilityId),
    Return,
    Die,
    Withdraw(&'static str),
}

/// How a companion's line departs from their patient's.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Divergence {
    /// Every move of the patient's, as it applies to a companion.
    Follows,
    /// Not yet put forward for clearance with the patient.
    NotYetRequested,
    /// Denied in the round in which the patient was cleared.
    DeniedWhilePatientCleared,
}

pub(super) struct CompanionPlan {
    pub(super) relationship: Relationship,
    pub(super) age: i16,
    pub(super) sex: Sex,
    pub(super) same_family: bool,
    pub(super) divergence: Divergence,
}

pub(super) struct PatientPlan {
    pub(super) profile: Profile,
    pub(super) referral_day: Day,
    pub(super) return_guarantee: bool,
    pub(super) steps: Vec<(Day, Move)>,
    pub(super) companions: Vec<CompanionPlan>,
}

pub(super) struct Planner<'a> {
    pub(super) calendar: &'a Calendar,
    pub(super) rng: &'a mut Xoshiro256PlusPlus,
}

impl Planner<'_> {
    pub(super) fn waiting(
        &mut self,
        count: usize,
        children: usize,
        critical: usize,
    ) -> Vec<PatientPlan> {
        let mut statuses = Vec::with_capacity(count);
        for &(status, per_thousand) in WAITING_SHARES {
            let share = (count as u64 * u64::from(per_thousand) / 1000) as usize;
            statuses.extend(std::iter::repeat_n(status, share));
        }
        statuses.truncate(count);
        statuses.resize(count, Status::Listed);
        statuses.shuffle(self.rng);
        let is_child = self.exact_flags(count, children.min(count));

        let mut profiles: Vec<Profile> = is_child
            .iter()
            .map(|&child| self.profile(child, Tier::Routine))
            .collect();
        // The critical tier goes to a fixed number of patients, drawn with
        // weights by condition (weighted sampling without replacement).
        let mut keys: Vec<(f64, usize)> = profiles
            .iter()
            .enumerate()
            .map(|(index, profile)| {
                let weight = criticality(profile.condition);
                (self.rng.random::<f64>().powf(1.0 / weight), index)
            })
            .collect();
        keys.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, index) in keys.iter().take(critical) {
            profiles[index].tier = Tier::Critical;
        }
        for profile in profiles.iter_mut().filter(|p| p.tier != Tier::Critical) {
            if self.rng.random_bool(0.45) {
                profile.tier = Tier::Urgent;
            }
        }

        profiles
            .into_iter()
            .zip(statuses)
            .map(|(profile, status)| self.waiting_plan(profile, status))
            .collect()
    }

    fn waiting_plan(&mut self, profile: Profile, status: Status) -> PatientPlan {
        let latest = self.calendar.latest_day;
        // A line that has come further needs an older referral.
        let min_age = match status {
            Status::Referred | Status::Listed => 0,
            Status::ClearanceRequested => 20,
            Status::Denied | Status::Delayed => 25,
            _ => 30,
        };
        let referral_day = if status == Status::Referred {
            -self.rng.random_range(0..=120)
        } else {
            self.referral_day(min_age)
        }
        .min(latest);

        let extra_rounds = |planner: &mut Self, chance: f64| {
            if planner.rng.random_bool(chance) {
                planner.rng.random_range(1..=2)
            } else {
                0
            }
        };
        let mut chain = Vec::new();
        let mut tail = Vec::new();
        match status {
            Status::Referred => {}
            Status::Listed => chain.push(self.gap(1, 21, Move::List)),
            Status::ClearanceRequested => {
                let rounds = extra_rounds(self, 0.3);
                self.clearance(&mut chain, rounds, None);
            }
            Status::Denied | Status::Delayed => {
                let rounds = extra_rounds(self, 0.2);
                let outcome = if status == Status::Denied {
                    Move::Deny
                } else {
                    Move::Delay
                };
                self.clearance(&mut chain, rounds, Some(outcome));
            }
            Status::Cleared => {
                let rounds = extra_rounds(self, 0.2);
                self.clearance(&mut chain, rounds, Some(Move::Clear));
            }
            _ => unreachable!("only waiting statuses are planned here"),
        }
        let companions = self.companions(&profile, status);
        let mut end = latest;
        if status == Status::Cleared && self.rng.random_bool(0.05) {
            // Put on a day plan, then taken off it again: the place goes back.
            let on = self.next_operating_days(1)[0];
            end = (latest - 1).max(referral_day);
            tail.push((
                end,
                Move::Schedule {
                    on,
                    crossing: RAFAH,
                },
            ));
            let (kind, code) = self.pick(UNSCHEDULE_REASONS);
            tail.push((latest, Move::Unschedule(kind, code)));
        }
        let mut steps = if status == Status::Cleared {
            // Clearance is sought for a crossing in sight: the requests of
            // those cleared now are recent, however long ago they were listed.
            let listing = chain.remove(0);
            let mut steps = place(vec![listing], referral_day, end);
            let listed_on = steps[0].0;
            let cleared_by = (end - self.rng.random_range(0..=10)).max(listed_on);
            steps.extend(place_before(chain, listed_on, cleared_by));
            steps
        } else {
            place(chain, referral_day, end)
        };
        steps.extend(tail);
        self.plan(profile, referral_day, steps, companions)
    }

    pub(super) fn died(&mut self) -> PatientPlan {
        let tier = self.pick(&[
            (Tier::Critical, 35),
            (Tier::Urgent, 45),
            (Tier::Routine, 20),
        ]);
        let child = self.rng.random_bool(0.2);
        let profile = self.profile(child, tier);
        let latest = self.calendar.latest_day;
        let referral_day = self.rng.random_range(FIRST_DAY..=latest);
        let mean_days = match tier {
            Tier::Critical => 60.0,
            Tier::Urgent => 150.0,
            Tier::Routine => 250.0,
        };
        let death_day = (referral_day + self.exponential(mean_days)).min(latest);
        let before = self.pick(&[
            (Status::Referred, 10),
            (Status::Listed, 70),
            (Status::ClearanceRequested, 8),
            (Status::Denied, 6),
            (Status::Delayed, 6),
        ]);
        let chain = self.chain_before_exit(before);
        let companions = self.companions(&profile, before);
        let mut steps = place(chain, referral_day, death_day);
        steps.push((death_day, Move::Die));
        self.plan(profile, referral_day, steps, companions)
    }

    pub(super) fn withdrawn(&mut self) -> PatientPlan {
        let tier = self.pick(&[(Tier::Critical, 5), (Tier::Urgent, 40), (Tier::Routine, 55)]);
        let child = self.rng.random_bool(0.15);
        let profile = self.profile(child, tier);
        let latest = self.calendar.latest_day;
        let referral_day = self.rng.random_range(FIRST_DAY..=latest);
        let withdrawal_day = (referral_day + self.rng.random_range(10..=200)).min(latest);
        let before = self.pick(&[
            (Status::Referred, 30),
            (Status::Listed, 55),
            (Status::Denied, 15),
        ]);
        let chain = self.chain_before_exit(before);
        let companions = self.companions(&profile, before);
        let mut steps = place(chain, referral_day, withdrawal_day);
        let code = self.pick(WITHDRAWAL_CODES);
        steps.push((withdrawal_day, Move::Withdraw(code)));
        self.plan(profile, referral_day, steps, companions)
    }

    /// The evacuees of the last two years, week by week as public reporting
    /// describes the throughput (see the crate documentation).
    pub(super) fn evacuated(&mut self, scale: f64, facilities: &[Facility]) -> Vec<PatientPlan> {
        let latest = self.calendar.latest_day;
        let last_crossing_day = latest.min(-1);
        let surge = (
            self.calendar.shifted(date(2025, 1, 19)),
            self.calendar.shifted(date(2025, 3, 18)),
        );
        let phases = [
            (
                FIRST_DAY,
                self.calendar.shifted(date(2024, 5, 6)),
                RAFAH,
                17.0,
            ),
            (
                self.calendar.shifted(date(2024, 5, 7)),
                surge.0 - 1,
                KEREM_SHALOM,
                17.0,
            ),
            (surge.0, surge.1, RAFAH, 220.0),
            (
                surge.1 + 1,
                self.calendar.shifted(date(2025, 10, 9)),
                KEREM_SHALOM,
                17.0,
            ),
            (
                self.calendar.shifted(date(2025, 10, 10)),
                last_crossing_day,
                KEREM_SHALOM,
                25.0,
            ),
        ];
        let days = operating_days();
        let mut plans = Vec::new();
        for (start, end, crossing, per_week) in phases {
            let start = start.max(FIRST_DAY);
            let end = end.min(last_crossing_day);
            let crossing_days: Vec<Day> = (start..=end)
                .filter(|&day| days.operates_on(self.calendar.date(day)))
                .collect();
            if crossing_days.is_empty() {
                continue;
            }
            let weeks = f64::from(end - start + 1) / 7.0;
            let count = (weeks * per_week * scale).round() as usize;
            for _ in 0..count {
                let crossing_day = *self.choose(&crossing_days);
                let plan = self.evacuee(crossing_day, crossing, surge, facilities);
                plans.push(plan);
            }
        }
        plans
    }

    fn evacuee(
        &mut self,
        crossing_day: Day,
        crossing: &'static str,
        surge: (Day, Day),
        facilities: &[Facility],
    ) -> PatientPlan {
        let tier = self.pick(&[
            (Tier::Critical, 20),
            (Tier::Urgent, 50),
            (Tier::Routine, 30),
        ]);
        let child = self.rng.random_bool(0.25);
        let profile = self.profile(child, tier);
        let latest = self.calendar.latest_day;
        let referral_day = (crossing_day - self.rng.random_range(20..=300)).max(FIRST_DAY);
        let schedule_day = (crossing_day - self.rng.random_range(1..=4)).max(referral_day);
        let mut chain = Vec::new();
        let rounds = usize::from(self.rng.random_bool(0.15));
        self.clearance(&mut chain, rounds, Some(Move::Clear));
        let mut steps = place(chain, referral_day, schedule_day);
        steps.push((
            schedule_day,
            Move::Schedule {
                on: crossing_day,
                crossing,
            },
        ));
        steps.push((crossing_day, Move::Cross(crossing)));
        let return_guarantee = self.rng.random_bool(0.15);
        let facility = self.receiving_facility(facilities, profile.specialty, return_guarantee);
        let admission_day = (crossing_day + self.rng.random_range(0..=1)).min(latest);
        steps.push((admission_day, Move::Admit(facility)));
        // Returns were possible only while Rafah was open in early 2025.
        let earliest_return = (crossing_day + 30).max(surge.0);
        let last_return = surge.1.min(latest);
        if earliest_return <= last_return && self.rng.random_bool(0.10) {
            let return_day = self.rng.random_range(earliest_return..=last_return);
            steps.push((return_day, Move::Return));
        }
        let companions = self.companions(&profile, Status::Crossed);
        let mut plan = self.plan(profile, referral_day, steps, companions);
        plan.return_guarantee = return_guarantee;
        plan
    }

    fn receiving_facility(
        &mut self,
        facilities: &[Facility],
        specialty: Specialty,
        return_guarantee: bool,
    ) -> FacilityId {
        let candidates: Vec<(&Facility, u32)> = facilities
            .iter()
            .filter(|facility| facility.open)
            .filter(|facility| return_guarantee || !facility.requires_return_guarantee)
            .filter(|facility| facility.beds.iter().any(|beds| beds.specialty == specialty))
            .map(|facility| (facility, country_share(&facility.country)))
            .filter(|&(_, share)| share > 0)
            .collect();
        let total: u32 = candidates.iter().map(|(_, share)| share).sum();
        let mut ticket = self.rng.random_range(0..total.max(1));
        for (facility, share) in &candidates {
            if ticket < *share {
                return facility.id.clone();
            }
            ticket -= share;
        }
        candidates
            .first()
            .map(|(facility, _)| facility.id.clone())
            .expect("every specialty has an open facility in an open country without a return-guarantee requirement")
    }

    fn chain_before_exit(&mut self, before: Status) -> Vec<(i32, Move)> {
        let mut chain = Vec::new();
        match before {
            Status::Referred => {}
            Status::Listed => chain.push(self.gap(1, 21, Move::List)),
            Status::ClearanceRequested => self.clearance(&mut chain, 0, None),
            Status::Denied => self.clearance(&mut chain, 0, Some(Move::Deny)),
            _ => self.clearance(&mut chain, 0, Some(Move::Delay)),
        }
        chain
    }

    /// Listing, the first request, `rounds` earlier refusals each followed by
    /// a resubmission, and the outcome of the last request if there is one.
    fn clearance(&mut self, chain: &mut Vec<(i32, Move)>, rounds: usize, outcome: Option<Move>) {
        chain.push(self.gap(1, 21, Move::List));
        chain.push(self.gap(7, 150, Move::RequestClearance));
        for _ in 0..rounds {
            let refusal = if self.rng.random_bool(0.6) {
                Move::Deny
            } else {
                Move::Delay
            };
            chain.push(self.gap(5, 40, refusal));
            chain.push(self.gap(7, 60, Move::Resubmit));
        }
        if let Some(outcome) = outcome {
            chain.push(self.gap(3, 30, outcome));
        }
    }

    fn gap(&mut self, min: i32, max: i32, step: Move) -> (i32, Move) {
        (self.rng.random_range(min..=max), step)
    }

    fn plan(
        &mut self,
        mut profile: Profile,
        referral_day: Day,
        steps: Vec<(Day, Move)>,
        companions: Vec<CompanionPlan>,
    ) -> PatientPlan {
        // Born no later than referred: a referral two years ago was not of a newborn of today.
        let referral_year = self.calendar.date(referral_day).year();
        let today_year = self.calendar.date(0).year();
        profile.age = profile.age.max(today_year - referral_year);
        PatientPlan {
            profile,
            referral_day,
            return_guarantee: self.rng.random_bool(0.15),
            steps,
            companions,
        }
    }

    /// A referral day at least `min_age` days ago, recent ones more likely.
    fn referral_day(&mut self, min_age: i32) -> Day {
        let span = f64::from(-FIRST_DAY - min_age);
        let back = (span * self.rng.random::<f64>().powf(1.6)) as i32;
        -(min_age + back)
    }

    fn profile(&mut self, child: bool, tier: Tier) -> Profile {
        let weights: Vec<u32> = CONDITIONS
            .iter()
            .map(|&(_, _, adult, young)| if child { young } else { adult })
            .collect();
        let index = self.weighted_index(&weights);
        let (condition, specialty, _, _) = CONDITIONS[index];
        let age = if child {
            if condition == ConditionCategory::Congenital {
                self.rng.random_range(0..=5)
            } else {
                self.rng.random_range(1..=17)
            }
        } else {
            let (youngest, oldest) = match condition {
                ConditionCategory::Cancer => (25, 80),
                ConditionCategory::Cardiovascular => (35, 80),
                ConditionCategory::Renal => (25, 75),
                ConditionCategory::Blood => (18, 50),
                ConditionCategory::WarInjury
                | ConditionCategory::Burns
                | ConditionCategory::Eye => (18, 60),
                _ => (18, 75),
            };
            // The mean of two draws makes middle ages more common than the extremes.
            let mean = (self.rng.random_range(youngest..=oldest)
                + self.rng.random_range(youngest..=oldest))
                / 2;
            mean.max(18)
        };
        let male_share = match condition {
            ConditionCategory::WarInjury | ConditionCategory::Burns if !child => 0.7,
            _ => 0.5,
        };
        let sex = if self.rng.random_bool(male_share) {
            Sex::Male
        } else {
            Sex::Female
        };
        Profile {
            age,
            sex,
            condition,
            specialty,
            tier,
        }
    }

    fn companions(&mut self, patient: &Profile, status: Status) -> Vec<CompanionPlan> {
        let child = patient.age < 18;
        let count = if child {
            if self.rng.random_bool(0.3) { 2 } else { 1 }
        } else {
            self.pick(&[(0, 20), (1, 72), (2, 8)])
        };
        let mut companions: Vec<CompanionPlan> = Vec::with_capacity(count);
        for index in 0..count {
            let relationship = if child {
                if index == 0 {
                    self.pick(&[
                        (Relationship::Parent, 90),
                        (Relationship::Sibling, 4),
                        (Relationship::OtherRelative, 6),
                    ])
                } else {
                    self.pick(&[
                        (Relationship::Parent, 70),
                        (Relationship::Sibling, 15),
                        (Relationship::OtherRelative, 15),
                    ])
                }
            } else if patient.age <= 30 {
                self.pick(&[
                    (Relationship::Parent, 45),
                    (Relationship::Sibling, 30),
                    (Relationship::Spouse, 20),
                    (Relationship::OtherRelative, 5),
                ])
            } else if patient.age < 55 {
                let child_weight = if patient.age >= 40 { 10 } else { 0 };
                self.pick(&[
                    (Relationship::Spouse, 55),
                    (Relationship::Sibling, 20),
                    (Relationship::Parent, 5),
                    (Relationship::OtherRelative, 10),
                    (Relationship::Child, child_weight),
                ])
            } else {
                self.pick(&[
                    (Relationship::Child, 50),
                    (Relationship::Spouse, 35),
                    (Relationship::Sibling, 10),
                    (Relationship::Caregiver, 5),
                ])
            };
            let age = match relationship {
                Relationship::Parent => (patient.age + self.rng.random_range(18..=38)).min(90),
                Relationship::Spouse => patient.age + self.rng.random_range(-8..=8),
                Relationship::Child => patient.age - self.rng.random_range(20..=35),
                Relationship::Sibling => patient.age + self.rng.random_range(-10..=12),
                Relationship::OtherRelative | Relationship::Caregiver => {
                    self.rng.random_range(20..=60)
                }
            }
            .max(18);
            let other_parent = companions
                .first()
                .filter(|first| first.relationship == Relationship::Parent)
                .map(|first| first.sex);
            let sex = match (relationship, other_parent) {
                (Relationship::Parent, Some(Sex::Female)) => Sex::Male,
                (Relationship::Parent, Some(_)) => Sex::Female,
                (Relationship::Spouse, _) if patient.sex == Sex::Male => Sex::Female,
                (Relationship::Spouse, _) => Sex::Male,
                _ => {
                    let female_share = match relationship {
                        Relationship::Parent if child => 0.75,
                        Relationship::Parent => 0.65,
                        Relationship::Caregiver => 0.7,
                        _ => 0.5,
                    };
                    if self.rng.random_bool(female_share) {
                        Sex::Female
                    } else {
                        Sex::Male
                    }
                }
            };
            let same_family = match relationship {
                Relationship::Parent | Relationship::Child | Relationship::Sibling => true,
                Relationship::Spouse | Relationship::Caregiver => false,
                Relationship::OtherRelative => self.rng.random_bool(0.5),
            };
            // A child always keeps one companion on the patient's line.
            let may_diverge = !child || index > 0;
            let divergence = match status {
                Status::ClearanceRequested | Status::Denied | Status::Delayed
                    if may_diverge && self.rng.random_bool(0.1) =>
                {
                    Divergence::NotYetRequested
                }
                Status::Cleared if may_diverge && self.rng.random_bool(0.1) => {
                    Divergence::DeniedWhilePatientCleared
                }
                _ => Divergence::Follows,
            };
            companions.push(CompanionPlan {
                relationship,
                age,
                sex,
                same_family,
                divergence,
            });
        }
        companions
    }

    /// The operating days from `from` (a day after today) on, a week's worth.
    fn next_operating_days(&self, from: Day) -> Vec<Day> {
        let days = operating_days();
        (from.max(1)..from.max(1) + 7)
            .filter(|&day| days.operates_on(self.calendar.date(day)))
            .collect()
    }

    /// `count` flags of which exactly `set` are true, in random order.
    fn exact_flags(&mut self, count: usize, set: usize) -> Vec<bool> {
        let mut flags = vec![false; count];
        flags[..set].fill(true);
        flags.shuffle(self.rng);
        flags
    }

    fn exponential(&mut self, mean_days: f64) -> i32 {
        let uniform: f64 = self.rng.random();
        (-mean_days * (1.0 - uniform).ln()) as i32
    }

    fn pick<T: Copy>(&mut self, options: &[(T, u32)]) -> T {
        pick(self.rng, options)
    }

    fn weighted_index(&mut self, weights: &[u32]) -> usize {
        weighted_index(self.rng, weights)
    }

    fn choose<'s, T>(&mut self, items: &'s [T]) -> &'s T {
        &items[self.rng.random_range(0..items.len())]
    }
}

/// Lays the gaps of `chain` out from `start`, squeezed proportionally when
/// they do not fit before `end`.
fn place(chain: Vec<(i32, Move)>, start: Day, end: Day) -> Vec<(Day, Move)> {
    let total: i64 = chain.iter().map(|&(gap, _)| i64::from(gap)).sum();
    let room = i64::from((end - start).max(0));
    let mut elapsed = 0i64;
    chain
        .into_iter()
        .map(|(gap, step)| {
            elapsed += i64::from(gap);
            let offset = if total > room {
                elapsed * room / total
            } else {
                elapsed
            };
            (start + offset as i32, step)
        })
        .collect()
}

/// Lays the gaps of `chain` out so that the last step falls on `end`,
/// squeezed proportionally when they do not fit after `start`.
fn place_before(chain: Vec<(i32, Move)>, start: Day, end: Day) -> Vec<(Day, Move)> {
    let total: i32 = chain.iter().map(|&(gap, _)| gap).sum();
    let room = (end - start).max(0);
    if total >= room {
        return place(chain, start, end);
    }
    place(chain, end - total, end)
}
