//! Plans turned into cases, in referral order, by `Case::register` and
//! `Case::apply` alone.

use super::planner::{CompanionPlan, Divergence, PatientPlan};
use super::*;

pub(super) struct Builder<'a> {
    pub(super) calendar: &'a Calendar,
    pub(super) rng: &'a mut Xoshiro256PlusPlus,
    pub(super) companions_built: usize,
}

impl Builder<'_> {
    pub(super) fn build(&mut self, number: usize, plan: PatientPlan, cases: &mut Vec<Case>) {
        let patient_id = person_id(&format!("P-{number:06}"));
        let family = self.rng.random_range(0..FAMILY.len());
        let referral = Referral {
            condition: plan.profile.condition,
            specialty: plan.profile.specialty,
            tier: plan.profile.tier,
            referral_date: ReferralDate::new(self.calendar.date(plan.referral_day), self.today())
                .expect("referral days are not after the latest day, which is not after today"),
            referring_facility: OrganisationId::parse(
                "referring_facility",
                REFERRING_FACILITIES[self.rng.random_range(0..REFERRING_FACILITIES.len())].0,
            )
            .expect("REFERRING_FACILITIES holds valid ids"),
            return_guarantee: plan.return_guarantee,
        };
        let legal_basis = if plan.profile.tier == Tier::Critical && self.rng.random_bool(0.5) {
            LegalBasis::VitalInterest
        } else {
            LegalBasis::Consent
        };
        let person = NewPerson {
            id: patient_id.clone(),
            name: Some(self.name(plan.profile.sex, family)),
            birth_year: self.birth_year(plan.profile.age),
            sex: plan.profile.sex,
            legal_basis,
            kind: PersonKind::Patient(referral),
        };

        let mut clock = EventClock::new();
        let registered = self.minute(&mut clock, plan.referral_day);
        let mut case = Case::register(person, self.calendar.timestamp(registered), REFERRER);
        let mut history = Vec::with_capacity(plan.steps.len());
        let mut previous_day = plan.referral_day;
        for (day, step) in plan.steps {
            let action = self.action(&step, day, previous_day);
            let minute = self.minute(&mut clock, day);
            let actor = actor(&step);
            case.apply(action.clone(), self.calendar.timestamp(minute), actor, None)
                .expect("plans follow the legal transitions of a patient's line");
            history.push((minute, action, actor));
            previous_day = day;
        }
        cases.push(case);

        for (index, companion) in plan.companions.into_iter().enumerate() {
            self.companions_built += 1;
            let offset = index as i64 + 1;
            let companion_family = self.companion_family(family, &companion);
            let person = NewPerson {
                id: person_id(&format!("C-{:06}", self.companions_built)),
                name: Some(self.name(companion.sex, companion_family)),
                birth_year: self.birth_year(companion.age),
                sex: companion.sex,
                legal_basis: LegalBasis::Consent,
                kind: PersonKind::Companion {
                    of: patient_id.clone(),
                    relationship: companion.relationship,
                },
            };
            let mut case = Case::register(
                person,
                self.calendar.timestamp(registered + offset),
                REFERRER,
            );
            let last = history.len().saturating_sub(1);
            for (position, (minute, action, actor)) in history.iter().enumerate() {
                let mirrored = match (action, companion.divergence) {
                    (Action::List | Action::Admit { .. }, _) => None,
                    (Action::Die { .. }, _) => Some(Action::Withdraw {
                        reason: reason(ReasonKind::Withdrawn, "patient-died"),
                    }),
                    (Action::Withdraw { .. }, _) => Some(Action::Withdraw {
                        reason: reason(ReasonKind::Withdrawn, "patient-withdrawn"),
                    }),
                    (_, Divergence::NotYetRequested) => None,
                    (Action::Clear, Divergence::DeniedWhilePatientCleared) if position == last => {
                        Some(Action::Deny {
                            reason: reason(ReasonKind::Denied, self.pick(DENIAL_CODES)),
                        })
                    }
                    (other, _) => Some(other.clone()),
                };
                if let Some(action) = mirrored {
                    case.apply(
                        action,
                        self.calendar.timestamp(minute + offset),
                        actor,
                        None,
                    )
                    .expect("a companion's line mirrors the legal line of their patient");
                }
            }
            cases.push(case);
        }
    }

    fn action(&mut self, step: &Move, day: Day, previous_day: Day) -> Action {
        match step {
            Move::List => Action::List,
            Move::RequestClearance => Action::RequestClearance,
            Move::Clear => Action::Clear,
            Move::Deny => Action::Deny {
                reason: reason(ReasonKind::Denied, self.pick(DENIAL_CODES)),
            },
            Move::Delay => {
                let needed_by = (day - self.rng.random_range(0..=5)).max(previous_day);
                Action::Delay {
                    needed_by: self.calendar.date(needed_by),
                    reason: reason(ReasonKind::Delayed, self.pick(DELAY_CODES)),
                }
            }
            Move::Resubmit => Action::Resubmit,
            Move::Schedule { on, crossing } => Action::Schedule {
                booking: Booking {
                    date: self.calendar.date(*on),
                    crossing: crossing_id(crossing),
                },
            },
            Move::Unschedule(kind, code) => Action::Unschedule {
                reason: reason(*kind, code),
            },
            Move::Cross(_) => Action::Cross,
            Move::Admit(facility) => Action::Admit {
                facility: facility.clone(),
            },
            Move::Return => Action::Return,
            Move::Die => Action::Die {
                on: self.calendar.date(day),
            },
            Move::Withdraw(code) => Action::Withdraw {
                reason: reason(ReasonKind::Withdrawn, code),
            },
        }
    }

    fn minute(&mut self, clock: &mut EventClock, day: Day) -> i64 {
        let spread = self.rng.random_range(0..180);
        let step = self.rng.random_range(1..=5);
        clock.minute_on(day, spread, step)
    }

    fn name(&mut self, sex: Sex, family: usize) -> PersonName {
        let given = if sex == Sex::Female {
            self.choose(FEMALE_GIVEN)
        } else {
            self.choose(MALE_GIVEN)
        };
        PersonName::parse(&format!("{given} {}", FAMILY[family]))
            .expect("names from the lists are short, non-empty plain text")
    }

    fn companion_family(&mut self, patient_family: usize, companion: &CompanionPlan) -> usize {
        if companion.same_family {
            patient_family
        } else {
            self.rng.random_range(0..FAMILY.len())
        }
    }

    fn birth_year(&self, age: i16) -> BirthYear {
        BirthYear::new(self.today().year() - age, self.today())
            .expect("ages are between 0 and 90, so birth years are between 1900 and today")
    }

    fn today(&self) -> jiff::civil::Date {
        self.calendar.date(0)
    }

    fn choose(&mut self, items: &[&'static str]) -> &'static str {
        items[self.rng.random_range(0..items.len())]
    }

    fn pick<T: Copy>(&mut self, options: &[(T, u32)]) -> T {
        pick(self.rng, options)
    }
}
