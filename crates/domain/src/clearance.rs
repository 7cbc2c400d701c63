//! Security clearance by the outside authority: batches of requests, the
//! outcomes the health-access reports count, and the rates they report.
//!
//! A request ends cleared, denied (with a reason) or delayed: no answer by
//! the date it was needed. Delay is an outcome in its own right, not
//! "pending forever". A resubmission is a new request with the next attempt
//! number, so re-applications are counted as such.

use jiff::civil::Date;

use crate::{InvalidValue, ReasonKind, check_identifier, labelled_enum};

/// A short, stable name for a clearance batch, such as `CB-0007`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BatchId(String);

impl BatchId {
    pub fn parse(text: &str) -> Result<BatchId, InvalidValue> {
        check_identifier("batch", text).map(BatchId)
    }

    /// The batch id for a sequence number: `CB-0001`, `CB-0002`, …
    pub fn numbered(number: u32) -> BatchId {
        BatchId(format!("CB-{number:04}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BatchId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

labelled_enum! {
    /// How a clearance request ended.
    ClearanceOutcome, field = "decision" {
        Cleared = "cleared",
        Denied = "denied",
        /// No answer by the date the clearance was needed.
        Delayed = "delayed",
    }
}

impl ClearanceOutcome {
    /// The kind of reason the outcome carries: denials and delays have one.
    pub fn reason_kind(self) -> Option<ReasonKind> {
        match self {
            ClearanceOutcome::Cleared => None,
            ClearanceOutcome::Denied => Some(ReasonKind::Denied),
            ClearanceOutcome::Delayed => Some(ReasonKind::Delayed),
        }
    }
}

/// Which people a row of the clearance statistics counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClearanceGroup {
    AdultPatients,
    ChildPatients,
    Companions,
    Returnees,
}

impl ClearanceGroup {
    pub const ALL: [ClearanceGroup; 4] = [
        ClearanceGroup::AdultPatients,
        ClearanceGroup::ChildPatients,
        ClearanceGroup::Companions,
        ClearanceGroup::Returnees,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ClearanceGroup::AdultPatients => "patients (adults)",
            ClearanceGroup::ChildPatients => "patients (children)",
            ClearanceGroup::Companions => "companions",
            ClearanceGroup::Returnees => "returnees",
        }
    }
}

/// One request as the statistics need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    pub group: ClearanceGroup,
    pub attempt: u32,
    pub submitted_on: Date,
    pub decision: Option<(ClearanceOutcome, Date)>,
}

/// Counts and rates over a set of requests. Rates are over decided
/// requests; turnaround is in days from submission to decision.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClearanceRates {
    pub requests: u64,
    pub resubmissions: u64,
    pub pending: u64,
    pub cleared: u64,
    pub denied: u64,
    pub delayed: u64,
    pub median_turnaround_days: Option<f64>,
    pub longest_turnaround_days: Option<i32>,
}

impl ClearanceRates {
    pub fn of<'a>(requests: impl IntoIterator<Item = &'a RequestFacts>) -> ClearanceRates {
        let mut rates = ClearanceRates::default();
        let mut turnarounds = Vec::new();
        for request in requests {
            rates.requests += 1;
            if request.attempt > 1 {
                rates.resubmissions += 1;
            }
            match request.decision {
                None => rates.pending += 1,
                Some((outcome, on)) => {
                    match outcome {
                        ClearanceOutcome::Cleared => rates.cleared += 1,
                        ClearanceOutcome::Denied => rates.denied += 1,
                        ClearanceOutcome::Delayed => rates.delayed += 1,
                    }
                    turnarounds.push((on - request.submitted_on).get_days());
                }
            }
        }
        turnarounds.sort_unstable();
        rates.median_turnaround_days = median(&turnarounds);
        rates.longest_turnaround_days = turnarounds.last().copied();
        rates
    }

    pub fn decided(&self) -> u64 {
        self.cleared + self.denied + self.delayed
    }

    /// The share of decided requests with this outcome, 0 to 1.
    pub fn rate(&self, outcome: ClearanceOutcome) -> Option<f64> {
        let count = match outcome {
            ClearanceOutcome::Cleared => self.cleared,
            ClearanceOutcome::Denied => self.denied,
            ClearanceOutcome::Delayed => self.delayed,
        };
        (self.decided() > 0).then(|| count as f64 / self.decided() as f64)
    }
}

fn median(sorted: &[i32]) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let middle = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 {
        f64::from(sorted[middle])
    } else {
        (f64::from(sorted[middle - 1]) + f64::from(sorted[middle])) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn request(attempt: u32, decision: Option<(ClearanceOutcome, Date)>) -> RequestFacts {
        RequestFacts {
            group: ClearanceGroup::AdultPatients,
            attempt,
            submitted_on: date(2026, 2, 1),
            decision,
        }
    }

    #[test]
    fn rates_are_over_decided_requests_and_turnaround_is_the_median() {
        use ClearanceOutcome::*;
        let requests = [
            request(1, Some((Cleared, date(2026, 2, 3)))),
            request(1, Some((Cleared, date(2026, 2, 5)))),
            request(2, Some((Denied, date(2026, 2, 2)))),
            request(1, Some((Delayed, date(2026, 2, 11)))),
            request(1, None),
        ];
        let rates = ClearanceRates::of(&requests);
        assert_eq!(rates.requests, 5);
        assert_eq!(rates.resubmissions, 1);
        assert_eq!(rates.pending, 1);
        assert_eq!((rates.cleared, rates.denied, rates.delayed), (2, 1, 1));
        assert_eq!(rates.rate(Cleared), Some(0.5));
        assert_eq!(rates.rate(Delayed), Some(0.25));
        // Turnarounds 1, 2, 4, 10 days.
        assert_eq!(rates.median_turnaround_days, Some(3.0));
        assert_eq!(rates.longest_turnaround_days, Some(10));
        assert_eq!(ClearanceRates::of(&[]).rate(Cleared), None);
    }

    #[test]
    fn batch_ids() {
        assert_eq!(BatchId::numbered(7).as_str(), "CB-0007");
        assert!(BatchId::parse("CB 7").is_err());
    }
}
