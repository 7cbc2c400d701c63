//! The command that helps after the store refused something. The store's
//! messages say what is wrong; which command to run next is the CLI's to say.

use corridor_store::{DayRule, StoreError, Thing};

pub fn hint(error: &StoreError) -> Option<&'static str> {
    match error {
        StoreError::NotFound { thing, .. } => Some(match thing {
            Thing::Person => "`corridor patients list` finds people by name, status or tier",
            Thing::Consignment => "`corridor aid status` shows the consignments of a day",
            Thing::Crossing | Thing::CrossingRules => "`corridor rules list` shows the crossings",
            Thing::Facility | Thing::Country | Thing::BedOffer => {
                "`corridor beds list` shows the facilities and countries"
            }
            Thing::Organisation => "`corridor organisations list` shows the organisations",
            Thing::Account => "`corridor users list` shows the accounts",
            Thing::ApiToken => "the web application lists the API tokens (admin, API tokens)",
            Thing::ReasonCode => "`corridor reasons list --all` shows the codes of every kind",
            Thing::ClearanceBatch => "`corridor clearance list` shows the batches",
            Thing::Figure => "`corridor figures list` shows the figures recorded",
            Thing::Contact => "`corridor patients contact list PERSON` shows a person's contacts",
            Thing::AssemblyPoint => "`corridor plan assembly list` shows the day's assembly points",
            Thing::Notice => "check the notice key or gateway id the delivery report names",
        }),
        StoreError::DayRule { rule, .. } => match rule {
            DayRule::Gate => Some("`corridor gate list` shows who is expected"),
            DayRule::Luggage => Some(
                "`corridor luggage declare PERSON …` records a new declaration (an empty one if they carry nothing)",
            ),
            DayRule::Plan => Some(
                "`corridor plan show` explains the day's plan; `corridor plan confirm` schedules it",
            ),
            DayRule::Clearance => Some("`corridor clearance show BATCH` lists who is in a batch"),
            DayRule::Destination => Some("`corridor beds list` shows the beds free on a date"),
            DayRule::Places => Some("`corridor rules list` shows the quotas in force"),
            DayRule::Party => None,
            DayRule::Calls => Some("`corridor calls list` shows the day's parties and their calls"),
        },
        StoreError::UnknownOrganisation { .. } => {
            Some("`corridor organisations list` shows the organisations")
        }
        _ => None,
    }
}
