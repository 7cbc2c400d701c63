//! Random outbound days for the benchmark and the HiGHS cross-check
//! (`examples/instances.rs`). Deterministic from a seed, with a small
//! generator of our own so the planner needs no random-number dependency.

use corridor_domain::{
    CrossingId, DayCap, DayRules, Direction, FacilityId, PersonId, Specialty, Tier,
};
use corridor_planner::{BedPool, Candidate, OutboundDay, Overrides};
use jiff::ToSpan;
use jiff::civil::{Date, date};

pub const DAY: Date = date(2026, 2, 3);

/// The size and scarcity of a random day.
pub struct Shape {
    pub candidates: usize,
    pub facilities: usize,
    /// The first `specialties` of `Specialty::ALL` are used.
    pub specialties: usize,
    pub quota: u32,
    pub cap: Option<u32>,
    pub max_companions: u32,
    /// Specialties offered per facility, at most.
    pub offers: usize,
    /// Free beds per offer, at most.
    pub free: u32,
    /// Share of facilities that require a return guarantee, in percent.
    pub guarantee_facilities: u64,
}

/// SplitMix64: small, fast and good enough to spread test data.
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Random {
        Random(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with `percent` % probability.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

pub fn random_day(shape: &Shape, random: &mut Random) -> OutboundDay {
    let mut candidates = Vec::with_capacity(shape.candidates);
    for n in 0..shape.candidates {
        let tier = match random.below(100) {
            0..=4 => Tier::Critical,
            5..=39 => Tier::Urgent,
            _ => Tier::Routine,
        };
        let waited = random.below(900) as i64;
        let is_child = random.chance(22);
        let cleared = match random.below(10) {
            0..=3 => 0,
            4..=6 => 1,
            7..=8 => 2,
            _ => 3,
        };
        let patient = format!("P-{n:06}");
        candidates.push(Candidate {
            companions: (0..cleared)
                .map(|c| PersonId::parse(&format!("{patient}-{c}")).expect("a valid id"))
                .collect(),
            patient: PersonId::parse(&patient).expect("a valid id"),
            tier,
            referral_date: DAY.checked_sub(waited.days()).expect("a date in range"),
            is_child,
            specialty: Specialty::ALL[random.below(shape.specialties as u64) as usize],
            return_guarantee: random.chance(60),
            companions_not_cleared: u32::from(random.chance(15)),
        });
    }
    let mut beds = Vec::new();
    for n in 0..shape.facilities {
        let facility = FacilityId::parse(&format!("f-{n:03}")).expect("a valid id");
        let requires = random.chance(shape.guarantee_facilities);
        let offers = 1 + random.below(shape.offers as u64) as usize;
        let first = random.below(shape.specialties as u64) as usize;
        for k in 0..offers.min(shape.specialties) {
            beds.push(BedPool {
                facility: facility.clone(),
                specialty: Specialty::ALL[(first + k) % shape.specialties],
                free: random.below(u64::from(shape.free) + 1) as u32,
                requires_return_guarantee: requires,
            });
        }
    }
    OutboundDay {
        rules: DayRules {
            crossing: CrossingId::parse("rafah").expect("a valid crossing id"),
            date: DAY,
            direction: Direction::Outbound,
            quota: shape.quota,
            cap: shape.cap.map(|places| DayCap {
                places,
                reason: "entries must equal exits".to_string(),
            }),
            max_companions: shape.max_companions,
        },
        candidates,
        beds,
        next_free_bed: Vec::new(),
        overrides: Overrides::default(),
    }
}
