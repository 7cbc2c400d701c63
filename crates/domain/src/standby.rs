//! The standby list of a confirmed crossing day and the amendments that
//! fill, add to or shorten its manifest.
//!
//! Confirming a day fixes a ranked standby list: the cleared parties who
//! would come next under the same rules. Its size counts people (a party
//! with companions counts as its people), by default 30 % of the quota,
//! rounded up, so that a day of 50 places keeps 15 people ready.

use crate::{InvalidValue, labelled_enum};

/// The share of the quota kept on standby when no size is given, in percent.
pub const DEFAULT_STANDBY_PERCENT: u32 = 30;

/// The largest standby list a day may keep, in people.
pub const MAX_STANDBY_SIZE: u32 = 10_000;

/// The default standby size of a day: 30 % of its quota, rounded up.
pub fn standby_size(quota: u32) -> u32 {
    let people = (u64::from(quota) * u64::from(DEFAULT_STANDBY_PERCENT)).div_ceil(100);
    u32::try_from(people).unwrap_or(u32::MAX)
}

/// A standby size given by a user: a whole number of people, 0 for none.
pub fn parse_standby_size(text: &str) -> Result<u32, InvalidValue> {
    let wanted = text.trim();
    match wanted.parse::<u32>() {
        Ok(size) if size <= MAX_STANDBY_SIZE => Ok(size),
        Ok(_) => Err(InvalidValue::new(
            "standby",
            format!(
                "'{wanted}' is more than {MAX_STANDBY_SIZE} people; give a smaller standby list"
            ),
        )),
        Err(_) => Err(InvalidValue::new(
            "standby",
            format!(
                "'{wanted}' is not a number of people; give a whole number such as 15, or 0 for no standby list"
            ),
        )),
    }
}

labelled_enum! {
    /// How a confirmed manifest was amended.
    AmendmentKind, field = "amendment" {
        /// Freed places filled from the standby list by the optimiser.
        Fill = "fill",
        /// A party added by hand.
        Add = "add",
        /// A party taken off by hand, with a reason.
        Remove = "remove",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_size_is_thirty_percent_of_the_quota_rounded_up() {
        assert_eq!(standby_size(0), 0);
        assert_eq!(standby_size(1), 1);
        assert_eq!(standby_size(10), 3);
        assert_eq!(standby_size(11), 4);
        assert_eq!(standby_size(50), 15);
        assert_eq!(standby_size(u32::MAX), 1_288_490_189);
    }

    #[test]
    fn a_size_is_a_whole_number_of_people() {
        assert_eq!(parse_standby_size(" 12 "), Ok(12));
        assert_eq!(parse_standby_size("0"), Ok(0));
        let error = parse_standby_size("-1").unwrap_err();
        assert_eq!(error.field, "standby");
        assert!(error.problem.contains("whole number"), "{}", error.problem);
        assert!(parse_standby_size("ten").is_err());
        assert!(
            parse_standby_size("10001")
                .unwrap_err()
                .problem
                .contains("more than 10000")
        );
    }

    #[test]
    fn amendment_kinds_read_back_their_labels() {
        for kind in AmendmentKind::ALL {
            assert_eq!(AmendmentKind::parse(kind.as_str()), Ok(*kind));
        }
        assert_eq!(AmendmentKind::parse("FILL"), Ok(AmendmentKind::Fill));
        assert!(
            AmendmentKind::parse("swap")
                .unwrap_err()
                .problem
                .contains("fill, add, remove")
        );
    }
}
