//! The confirmed manifest: parties, companions and destinations, with names
//! on the audited read.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use corridor_domain::{Permission, PersonId, ReasonCatalogue, Scope};
use corridor_store::{EntryState, Manifest, NewAuditEntry};
use serde::Serialize;
use utoipa::ToSchema;

use super::DayQuery;
use crate::api::ApiQuery;
use crate::api::reasons::CodedReason;
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

/// One person on a manifest.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub person: String,
    pub role: String,
    /// Only on the audited manifest read, and only within the reader's scope.
    pub name: Option<String>,
    pub birth_year: Option<i16>,
    /// `expected`, `crossed`, `turned-back`, `no-show`, `removed`,
    /// `declined` or `unreachable`.
    pub state: String,
    /// Why the person did not cross: code and label (the note is in the person's record).
    pub state_reason: Option<CodedReason>,
}

/// A patient with the companions who travel with them, or a returnee.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyView {
    pub number: usize,
    pub head: MemberView,
    pub companions: Vec<MemberView>,
    pub facility: Option<String>,
    pub facility_name: Option<String>,
    pub specialty: Option<String>,
    /// Why the party is on the manifest.
    pub reason: String,
    /// Nobody in the party has an outcome yet.
    pub expected: bool,
    /// Where the party meets on the day (the point given to it, or the
    /// day's first), and when (`HH:MM`); none while the day has no point.
    pub assembly_place: Option<String>,
    pub assembly_time: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ManifestView {
    pub crossing: String,
    pub date: String,
    pub direction: String,
    pub method: String,
    pub places: u32,
    pub people: usize,
    pub confirmed_at: String,
    pub confirmed_by: String,
    pub notes: Vec<String>,
    /// Set when the day was cancelled after confirmation.
    pub cancelled: Option<CancellationView>,
    pub parties: Vec<PartyView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CancellationView {
    pub at: String,
    pub by: String,
    pub reason: String,
}

/// What the audited read adds to a manifest: names, birth years,
/// specialties and facility names.
#[derive(Debug, Default)]
pub(super) struct Names {
    people: HashMap<PersonId, (Option<String>, i16, Option<String>)>,
    facilities: HashMap<String, String>,
    /// Each party's assembly point, by its head: (place, time).
    points: HashMap<PersonId, (String, String)>,
}

pub(super) fn manifest_view(
    manifest: &Manifest,
    names: &Names,
    reasons: &ReasonCatalogue,
) -> ManifestView {
    let member = |entry: &corridor_store::ManifestEntry| {
        let known = names.people.get(&entry.person);
        MemberView {
            person: entry.person.to_string(),
            role: entry.role.as_str().to_string(),
            name: known.and_then(|(name, _, _)| name.clone()),
            birth_year: known.map(|(_, year, _)| *year),
            state: entry.state.as_str().to_string(),
            state_reason: entry
                .state_reason
                .as_ref()
                .map(|reason| CodedReason::of(reasons, reason)),
        }
    };
    let mut parties: Vec<PartyView> = Vec::new();
    for entry in &manifest.entries {
        if entry.party == entry.person {
            let facility = entry.facility.as_ref().map(ToString::to_string);
            parties.push(PartyView {
                number: parties.len() + 1,
                head: member(entry),
                companions: Vec::new(),
                facility_name: facility
                    .as_ref()
                    .and_then(|f| names.facilities.get(f).cloned()),
                facility,
                specialty: names
                    .people
                    .get(&entry.person)
                    .and_then(|(_, _, specialty)| specialty.clone()),
                reason: entry.reason.clone(),
                expected: entry.state == EntryState::Expected,
                assembly_place: names
                    .points
                    .get(&entry.person)
                    .map(|(place, _)| place.clone()),
                assembly_time: names
                    .points
                    .get(&entry.person)
                    .map(|(_, time)| time.clone()),
            });
        } else if let Some(party) = parties
            .iter_mut()
            .rev()
            .find(|p| p.head.person == entry.party.as_str())
        {
            party.expected &= entry.state == EntryState::Expected;
            party.companions.push(member(entry));
        }
    }
    ManifestView {
        crossing: manifest.crossing.to_string(),
        date: manifest.date.to_string(),
        direction: manifest.direction.as_str().to_string(),
        method: manifest.method.clone(),
        places: manifest.places,
        people: manifest.entries.len(),
        confirmed_at: manifest.confirmed_at.to_string(),
        confirmed_by: manifest.confirmed_by.clone(),
        notes: manifest.notes.clone(),
        cancelled: manifest
            .cancelled
            .as_ref()
            .map(|cancelled| CancellationView {
                at: cancelled.at.to_string(),
                by: cancelled.by.clone(),
                reason: cancelled.reason.clone(),
            }),
        parties,
    }
}

/// Reads the names of the people on manifests and writes one
/// `manifest.read` audit entry per manifest, listing the ids shown. Names
/// are shown only to users whose scope is every record.
pub(super) async fn named_manifests(
    state: &AppState,
    identity: &Identity,
    manifests: &[Manifest],
) -> Result<Vec<ManifestView>, AppError> {
    let mut names = Names::default();
    let show_names = identity.user.scope == Scope::All;
    if show_names {
        for facility in state.store.reference().await?.facilities {
            names
                .facilities
                .insert(facility.id.to_string(), facility.name.as_str().to_string());
        }
    }
    for manifest in manifests {
        let points = state
            .store
            .party_points(&manifest.crossing, manifest.date)
            .await?;
        for entry in manifest.entries.iter().filter(|e| e.party == e.person) {
            if let Some(point) = points.point_of(&entry.person) {
                names.points.insert(
                    entry.person.clone(),
                    (point.place.to_string(), point.time.to_string()),
                );
            }
        }
        for entry in &manifest.entries {
            if let Some(record) = state.store.person(&entry.person).await? {
                let person = &record.person;
                names.people.insert(
                    entry.person.clone(),
                    (
                        person
                            .name
                            .as_ref()
                            .filter(|_| show_names)
                            .map(|n| n.as_str().to_string()),
                        person.birth_year.year(),
                        person.referral().map(|r| r.specialty.as_str().to_string()),
                    ),
                );
            }
        }
        state
            .store
            .record(&NewAuditEntry {
                at: state.clock.now(),
                actor: identity.username().to_string(),
                action: "manifest.read".to_string(),
                subject: format!("{} {} {}", manifest.crossing, manifest.date, manifest.direction),
                detail: serde_json::json!({
                    "via": identity.via.as_str(),
                    "names": show_names,
                    "people": manifest.entries.iter().map(|e| e.person.as_str()).collect::<Vec<_>>(),
                }),
            })
            .await?;
    }
    let reasons = state.store.reason_codes().await?;
    Ok(manifests
        .iter()
        .map(|m| manifest_view(m, &names, &reasons))
        .collect())
}

/// The confirmed manifest of a day with names; the read is audited.
pub async fn read_manifest(
    state: &AppState,
    identity: &Identity,
    query: &DayQuery,
) -> Result<ManifestView, AppError> {
    identity.require(Permission::ViewManifests)?;
    let (day, direction) = query.resolve(state).await?;
    let manifest = state
        .store
        .manifest(&day.crossing, day.date, direction)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "no {direction} manifest is confirmed for {} on {}; the coordinator confirms the day's plan first",
                day.crossing, day.date
            ))
        })?;
    Ok(
        named_manifests(state, identity, std::slice::from_ref(&manifest))
            .await?
            .remove(0),
    )
}

/// The confirmed manifest of a day: parties, names, companions,
/// destinations and what happened at the gate. Personal data: every read
/// is written to the audit log (`manifest.read`, listing the ids).
#[utoipa::path(get, path = "/api/v1/manifests", tag = "crossing days", params(DayQuery),
    responses((status = 200, body = ManifestView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn manifest(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<DayQuery>,
) -> ApiResult<Json<ManifestView>> {
    Ok(Json(read_manifest(&state, &identity, &query).await?))
}
