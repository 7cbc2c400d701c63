//! The greedy baseline: in priority order, take a patient if the places left
//! hold the party and a facility has a free bed they may take (the first in
//! facility id order); otherwise pass over them.

use crate::model::{DayPlan, LeftOutReason};
use crate::prepare::Prepared;

pub(crate) fn plan(mut prepared: Prepared<'_>) -> DayPlan {
    let mut patients = std::mem::take(&mut prepared.patients);
    patients.sort_unstable_by(|a, b| prepared.rank(a, b));
    let eligible = patients.len();
    let mut chosen = Vec::new();
    let mut not_chosen = Vec::with_capacity(patients.len());
    for patient in patients {
        if patient.places > prepared.places_left {
            // The same order of reasons as the optimiser's: no bed published
            // or none without a guarantee, then places, then beds taken.
            let why = match prepared.no_bed(&patient) {
                LeftOutReason::BedsTaken { .. } => prepared.no_place(patient.places),
                static_reason => static_reason,
            };
            not_chosen.push((patient, why));
            continue;
        }
        match prepared.beds[patient.specialty].place_first(patient.guarantee) {
            Some(facility) => {
                prepared.places_left -= patient.places;
                chosen.push((patient, facility));
            }
            None => {
                let why = prepared.no_bed(&patient);
                not_chosen.push((patient, why));
            }
        }
    }
    let notes = vec![format!(
        "method: greedy baseline over {eligible} patients who can travel: in priority order, \
         take a patient if the places left hold the party and a facility has a free bed \
         they may take (the first in facility id order), otherwise pass over them"
    )];
    prepared.finish(chosen, not_chosen, notes)
}
