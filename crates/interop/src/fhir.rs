//! HL7 FHIR R4 export of referrals: one `collection` Bundle per patient,
//! written as NDJSON (one Bundle per line, as FHIR bulk data does).
//!
//! Each Bundle holds:
//! - `Patient`: the pseudonymous corridor id and the birth year, nothing else;
//! - `ServiceRequest`: the referral, priority from the tier (critical →
//!   `stat`, urgent → `urgent`, routine → `routine`), reason = condition,
//!   code = specialty, requester = the referring facility;
//! - a chain of `Task`s — listing, clearance, scheduling — each `basedOn`
//!   the ServiceRequest and the Task before it, whose `status` is the FHIR
//!   task state and whose `businessStatus` carries corridor's status (a
//!   denied clearance is a `failed` Task and a delayed one `on-hold`, with
//!   the reason in `statusReason`: the reason code in the code system of its
//!   kind, [`reason_system`], with its label as display — never the note,
//!   which is free text about the person);
//! - `Encounter` for the transfer once the patient crossed (class `FLD`,
//!   field), from the crossing's `Location` to the receiving facility;
//! - `Organization`s for the referring and receiving facilities, and
//!   `Location`s for the crossing and the receiving facility.
//!
//! Resource ids and `fullUrl`s are UUIDs derived from corridor's ids, so the
//! same registry exports the same references every time. The shapes are
//! hand-written: the tests validate them against the official R4 JSON schema.

use std::io;

use corridor_domain::{
    Action, Country, Crossing, Facility, FacilityId, NewPerson, Organisation, Reason,
    ReasonCatalogue, ReasonKind, Status, StatusEvent, StatusLine, Tier,
};
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

mod resources;

pub use resources::{
    Address, Bundle, CodeableConcept, Coding, Encounter, EncounterLocation, Entry, Hospitalization,
    Identifier, Location, Organization, Patient, Period, Reference, Resource, Restriction,
    ServiceRequest, Task,
};

/// Code systems of corridor's own values.
pub const PERSON_ID_SYSTEM: &str = "urn:corridor:person-id";
pub const FACILITY_ID_SYSTEM: &str = "urn:corridor:facility-id";
pub const ORGANISATION_ID_SYSTEM: &str = "urn:corridor:organisation-id";
pub const CROSSING_ID_SYSTEM: &str = "urn:corridor:crossing-id";
pub const STATUS_SYSTEM: &str = "urn:corridor:status";
pub const TASK_SYSTEM: &str = "urn:corridor:task";
pub const SPECIALTY_SYSTEM: &str = "urn:corridor:specialty";
pub const CONDITION_SYSTEM: &str = "urn:corridor:condition";
const ACT_CODE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

/// The code system of corridor's reason codes of one kind (codes are unique
/// within a kind), e.g. `urn:corridor:reason:denied`.
pub fn reason_system(kind: ReasonKind) -> &'static str {
    match kind {
        ReasonKind::Denied => "urn:corridor:reason:denied",
        ReasonKind::Delayed => "urn:corridor:reason:delayed",
        ReasonKind::TurnedBack => "urn:corridor:reason:turned-back",
        ReasonKind::NoShow => "urn:corridor:reason:no-show",
        ReasonKind::Unscheduled => "urn:corridor:reason:unscheduled",
        ReasonKind::Withdrawn => "urn:corridor:reason:withdrawn",
        ReasonKind::Reinstated => "urn:corridor:reason:reinstated",
    }
}

/// One patient's registration, current line and history.
#[derive(Debug, Clone, Copy)]
pub struct ReferralHistory<'a> {
    pub person: &'a NewPerson,
    pub line: &'a StatusLine,
    pub events: &'a [StatusEvent],
}

/// The reference data the export names places from.
#[derive(Debug, Clone, Copy)]
pub struct Places<'a> {
    /// The referring organisations, for their names.
    pub organisations: &'a [Organisation],
    pub facilities: &'a [Facility],
    pub countries: &'a [Country],
    pub crossings: &'a [Crossing],
}

#[derive(Debug, thiserror::Error)]
pub enum FhirError {
    #[error("{0} is a companion; the FHIR export has one Bundle per referral (patient)")]
    NotAPatient(String),
    #[error("could not write the FHIR export: {0}")]
    Io(#[from] io::Error),
}

/// The task state written into `Task.status`, by the rules in the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    Requested,
    Accepted,
    InProgress,
    OnHold,
    Failed,
    Completed,
    Cancelled,
}

/// The FHIR request priority of a tier.
pub fn priority(tier: Tier) -> &'static str {
    match tier {
        Tier::Critical => "stat",
        Tier::Urgent => "urgent",
        Tier::Routine => "routine",
    }
}

/// Writes one Bundle per patient in `histories`, one per line; companions
/// are skipped. Returns the number of Bundles written.
pub fn write_bundles<'a>(
    mut writer: impl io::Write,
    histories: impl IntoIterator<Item = ReferralHistory<'a>>,
    places: Places<'_>,
    reasons: &ReasonCatalogue,
    now: Timestamp,
) -> Result<u64, FhirError> {
    let mut written = 0;
    for history in histories {
        if history.person.referral().is_none() {
            continue;
        }
        let bundle = referral_bundle(history, places, reasons, now)?;
        serde_json::to_writer(&mut writer, &bundle).map_err(io::Error::from)?;
        writer.write_all(b"\n")?;
        written += 1;
    }
    writer.flush()?;
    Ok(written)
}

/// The Bundle of one patient's referral.
pub fn referral_bundle(
    history: ReferralHistory<'_>,
    places: Places<'_>,
    reasons: &ReasonCatalogue,
    now: Timestamp,
) -> Result<Bundle, FhirError> {
    let person = history.person;
    let id = person.id.as_str();
    let referral = person
        .referral()
        .ok_or_else(|| FhirError::NotAPatient(id.to_string()))?;
    let mut entries = Vec::new();

    let patient_id = uuid(&["patient", id]);
    let patient_ref = reference(&patient_id);
    entries.push(entry(
        &patient_id,
        Resource::Patient(Patient {
            id: patient_id.clone(),
            identifier: vec![Identifier {
                system: PERSON_ID_SYSTEM,
                value: id.to_string(),
            }],
            birth_date: format!("{:04}", person.birth_year.year()),
        }),
    ));

    let referring = referral.referring_facility.as_str();
    let referring_id = uuid(&["organisation", referring]);
    let referring_name = places
        .organisations
        .iter()
        .find(|organisation| organisation.id == referral.referring_facility)
        .map_or_else(|| referring.to_string(), |o| o.name.to_string());
    entries.push(entry(
        &referring_id,
        Resource::Organization(Organization {
            id: referring_id.clone(),
            identifier: vec![Identifier {
                system: ORGANISATION_ID_SYSTEM,
                value: referring.to_string(),
            }],
            name: referring_name,
            address: Vec::new(),
        }),
    ));

    let receiving = history
        .line
        .admitted_to
        .as_ref()
        .map(|facility| receiving_facility(facility, places));
    if let Some(receiving) = &receiving {
        entries.push(entry(
            &receiving.organization_id,
            Resource::Organization(receiving.organization.clone()),
        ));
        entries.push(entry(
            &receiving.location_id,
            Resource::Location(receiving.location.clone()),
        ));
    }

    let status = history.line.status;
    let request_id = uuid(&["service-request", id]);
    let request_ref = reference(&request_id);
    entries.push(entry(
        &request_id,
        Resource::ServiceRequest(ServiceRequest {
            id: request_id.clone(),
            identifier: vec![Identifier {
                system: PERSON_ID_SYSTEM,
                value: id.to_string(),
            }],
            status: if status.is_waiting() {
                "active"
            } else if matches!(status, Status::DiedWhileWaiting | Status::Withdrawn) {
                "revoked"
            } else {
                "completed"
            },
            intent: "order",
            priority: priority(referral.tier),
            code: concept(SPECIALTY_SYSTEM, referral.specialty.as_str()),
            subject: patient_ref.clone(),
            authored_on: referral.referral_date.date().to_string(),
            requester: reference(&referring_id),
            performer: receiving
                .iter()
                .map(|r| reference(&r.organization_id))
                .collect(),
            reason_code: vec![concept(CONDITION_SYSTEM, referral.condition.as_str())],
        }),
    ));

    // Only an exit that still stands ends the chain: one recorded in error
    // was followed by a reinstatement, and the person is waiting again.
    let ended = history
        .events
        .last()
        .filter(|event| matches!(event.to, Status::DiedWhileWaiting | Status::Withdrawn));
    let mut previous: Option<String> = None;
    for task in tasks(history, ended, reasons) {
        let task_id = uuid(&["task", id, task.name]);
        let mut based_on = vec![request_ref.clone()];
        based_on.extend(previous.as_deref().map(reference));
        entries.push(entry(
            &task_id,
            Resource::Task(Task {
                id: task_id.clone(),
                based_on,
                status: task.status,
                status_reason: task.reason,
                business_status: CodeableConcept {
                    coding: vec![Coding {
                        system: STATUS_SYSTEM,
                        code: task.business.as_str().to_string(),
                        display: None,
                    }],
                    text: task.business_text,
                },
                intent: "order",
                code: concept(TASK_SYSTEM, task.name),
                focus: request_ref.clone(),
                for_: patient_ref.clone(),
                authored_on: instant(task.authored),
                last_modified: instant(task.modified),
                restriction: task.booking_day.map(|day| Restriction {
                    period: Period {
                        start: Some(day.to_string()),
                        end: Some(day.to_string()),
                    },
                }),
            }),
        ));
        previous = Some(task_id);
    }

    if let Some(crossed) = history
        .events
        .iter()
        .rev()
        .find(|e| e.to == Status::Crossed)
    {
        let crossing = history
            .events
            .iter()
            .rev()
            .find_map(|event| match &event.action {
                Some(Action::Schedule { booking }) if event.version < crossed.version => {
                    Some(booking.crossing.clone())
                }
                _ => None,
            });
        let mut location = Vec::new();
        if let Some(crossing) = crossing {
            let crossing_id = uuid(&["crossing", crossing.as_str()]);
            let name = places
                .crossings
                .iter()
                .find(|c| c.id == crossing)
                .map_or_else(|| crossing.as_str().to_string(), |c| c.name.to_string());
            entries.push(entry(
                &crossing_id,
                Resource::Location(Location {
                    id: crossing_id.clone(),
                    identifier: vec![Identifier {
                        system: CROSSING_ID_SYSTEM,
                        value: crossing.as_str().to_string(),
                    }],
                    name,
                    managing_organization: None,
                }),
            ));
            location.push(EncounterLocation {
                location: reference(&crossing_id),
            });
        }
        let admitted = history
            .events
            .iter()
            .rev()
            .find(|e| e.to == Status::Admitted);
        let encounter_id = uuid(&["encounter", id]);
        entries.push(entry(
            &encounter_id,
            Resource::Encounter(Encounter {
                id: encounter_id.clone(),
                status: if admitted.is_some() {
                    "finished"
                } else {
                    "in-progress"
                },
                class: Coding {
                    system: ACT_CODE_SYSTEM,
                    code: "FLD".to_string(),
                    display: Some("field".to_string()),
                },
                subject: patient_ref.clone(),
                based_on: vec![request_ref.clone()],
                period: Period {
                    start: Some(instant(crossed.at)),
                    end: admitted.map(|event| instant(event.at)),
                },
                location,
                hospitalization: receiving.as_ref().map(|r| Hospitalization {
                    destination: reference(&r.location_id),
                }),
                service_provider: receiving.as_ref().map(|r| reference(&r.organization_id)),
            }),
        ));
    }

    Ok(Bundle {
        resource_type: "Bundle",
        id: uuid(&["bundle", id]),
        kind: "collection",
        timestamp: instant(now),
        entry: entries,
    })
}

struct Receiving {
    organization_id: String,
    organization: Organization,
    location_id: String,
    location: Location,
}

fn receiving_facility(facility: &FacilityId, places: Places<'_>) -> Receiving {
    let known = places.facilities.iter().find(|f| &f.id == facility);
    let name = known.map_or_else(|| facility.as_str().to_string(), |f| f.name.to_string());
    let country = known.map(|f| {
        places
            .countries
            .iter()
            .find(|c| c.code == f.country)
            .map_or_else(|| f.country.as_str().to_string(), |c| c.name.to_string())
    });
    let identifier = vec![Identifier {
        system: FACILITY_ID_SYSTEM,
        value: facility.as_str().to_string(),
    }];
    let organization_id = uuid(&["facility", facility.as_str()]);
    let location_id = uuid(&["facility-location", facility.as_str()]);
    Receiving {
        organization: Organization {
            id: organization_id.clone(),
            identifier: identifier.clone(),
            name: name.clone(),
            address: country
                .into_iter()
                .map(|country| Address { country })
                .collect(),
        },
        location: Location {
            id: location_id.clone(),
            identifier,
            name,
            managing_organization: Some(reference(&organization_id)),
        },
        organization_id,
        location_id,
    }
}

/// One step of the chain, before it becomes a `Task`.
struct TaskFacts {
    name: &'static str,
    status: TaskStatus,
    business: Status,
    business_text: String,
    reason: Option<CodeableConcept>,
    authored: Timestamp,
    modified: Timestamp,
    booking_day: Option<jiff::civil::Date>,
}

/// The listing, clearance and scheduling tasks that exist so far.
fn tasks(
    history: ReferralHistory<'_>,
    ended: Option<&StatusEvent>,
    reasons: &ReasonCatalogue,
) -> Vec<TaskFacts> {
    let events = history.events;
    let registered = events.first().map_or(Timestamp::UNIX_EPOCH, |e| e.at);
    let coded = |reason: &Reason| coded_reason(reason, reasons);
    let ended_text = ended.map(|event| match &event.action {
        Some(Action::Withdraw { reason }) => coded(reason),
        _ => CodeableConcept {
            coding: Vec::new(),
            text: "died while waiting".to_string(),
        },
    });
    let is = |event: &&StatusEvent, kinds: &[fn(&Action) -> bool]| {
        event
            .action
            .as_ref()
            .is_some_and(|action| kinds.iter().any(|kind| kind(action)))
    };
    let mut tasks = Vec::new();

    let listed = events
        .iter()
        .find(|e| is(e, &[|a| matches!(a, Action::List)]));
    tasks.push(match (listed, ended) {
        (Some(event), _) => TaskFacts {
            name: "listing",
            status: TaskStatus::Completed,
            business: Status::Listed,
            business_text: "listed: medically approved for treatment abroad".to_string(),
            reason: None,
            authored: registered,
            modified: event.at,
            booking_day: None,
        },
        (None, Some(end)) => TaskFacts {
            name: "listing",
            status: TaskStatus::Cancelled,
            business: end.to,
            business_text: end.to.as_str().to_string(),
            reason: ended_text.clone(),
            authored: registered,
            modified: end.at,
            booking_day: None,
        },
        (None, None) => TaskFacts {
            name: "listing",
            status: TaskStatus::Requested,
            business: Status::Referred,
            business_text: "referred: awaiting medical approval".to_string(),
            reason: None,
            authored: registered,
            modified: registered,
            booking_day: None,
        },
    });

    let clearance: Vec<&StatusEvent> = events
        .iter()
        .filter(|e| {
            is(
                e,
                &[
                    |a| matches!(a, Action::RequestClearance | Action::Resubmit),
                    |a| {
                        matches!(
                            a,
                            Action::Clear | Action::Deny { .. } | Action::Delay { .. }
                        )
                    },
                ],
            )
        })
        .collect();
    if let (Some(first), Some(last)) = (clearance.first(), clearance.last()) {
        let attempt = last.clearance_attempt;
        let (status, reason, text) = match &last.action {
            Some(Action::Clear) => (
                TaskStatus::Completed,
                None,
                format!("cleared (attempt {attempt})"),
            ),
            Some(Action::Deny { reason }) => (
                TaskStatus::Failed,
                Some(coded(reason)),
                format!("denied (attempt {attempt})"),
            ),
            Some(Action::Delay { needed_by, reason }) => (
                TaskStatus::OnHold,
                Some(coded(reason)),
                format!("delayed (attempt {attempt}): no decision by {needed_by}"),
            ),
            _ => (
                TaskStatus::InProgress,
                None,
                format!("clearance requested (attempt {attempt})"),
            ),
        };
        let (status, reason, modified, business) = match ended {
            Some(end) if end.version > last.version && status != TaskStatus::Completed => {
                (TaskStatus::Cancelled, ended_text.clone(), end.at, end.to)
            }
            _ => (status, reason, last.at, last.to),
        };
        tasks.push(TaskFacts {
            name: "clearance",
            status,
            business,
            business_text: text,
            reason,
            authored: first.at,
            modified,
            booking_day: None,
        });
    }

    let scheduling: Vec<&StatusEvent> = events
        .iter()
        .enumerate()
        .filter(|(index, e)| {
            is(
                e,
                &[
                    |a| matches!(a, Action::Schedule { .. } | Action::Unschedule { .. }),
                    |a| matches!(a, Action::Cross),
                ],
            ) || reinstated_without_place(events, *index)
        })
        .map(|(_, e)| e)
        .collect();
    if let (Some(first), Some(last)) = (scheduling.first(), scheduling.last()) {
        let booking_day = scheduling.iter().rev().find_map(|e| match &e.action {
            Some(Action::Schedule { booking }) => Some(booking.date),
            _ => None,
        });
        let (status, reason, text) = match &last.action {
            Some(Action::Cross) => (TaskStatus::Completed, None, "crossed".to_string()),
            Some(Action::Unschedule { reason }) => (
                TaskStatus::Failed,
                Some(coded(reason)),
                "unscheduled: back among the cleared".to_string(),
            ),
            Some(Action::Reinstate { reason }) => (
                TaskStatus::Cancelled,
                Some(coded(reason)),
                "reinstated after an exit recorded in error: back among the cleared, without \
                 the place"
                    .to_string(),
            ),
            _ => (
                TaskStatus::Accepted,
                None,
                match booking_day {
                    Some(day) => format!("scheduled to cross on {day}"),
                    None => "scheduled".to_string(),
                },
            ),
        };
        let (status, reason, modified, business) = match ended {
            Some(end) if end.version > last.version && status == TaskStatus::Accepted => {
                (TaskStatus::Cancelled, ended_text, end.at, end.to)
            }
            _ => (status, reason, last.at, last.to),
        };
        tasks.push(TaskFacts {
            name: "scheduling",
            status,
            business,
            business_text: text,
            reason,
            authored: first.at,
            modified,
            booking_day,
        });
    }
    tasks
}

/// Whether `events[index]` reinstates someone whose exit took them off a
/// day's manifest: they come back cleared, and the place stays given up.
fn reinstated_without_place(events: &[StatusEvent], index: usize) -> bool {
    matches!(events[index].action, Some(Action::Reinstate { .. }))
        && index
            .checked_sub(1)
            .is_some_and(|exit| events[exit].from == Some(Status::Scheduled))
}

/// A reason as FHIR carries it: the code in its kind's code system, the
/// label as display and text. The note is never read here: it is free text
/// about a person and does not leave the person's record.
fn coded_reason(reason: &Reason, reasons: &ReasonCatalogue) -> CodeableConcept {
    let label = reasons.label(reason.kind, &reason.code);
    CodeableConcept {
        coding: vec![Coding {
            system: reason_system(reason.kind),
            code: reason.code.to_string(),
            display: Some(label.clone()),
        }],
        text: label,
    }
}

fn entry(id: &str, resource: Resource) -> Entry {
    Entry {
        full_url: format!("urn:uuid:{id}"),
        resource,
    }
}

fn reference(id: &str) -> Reference {
    Reference {
        reference: format!("urn:uuid:{id}"),
    }
}

fn concept(system: &'static str, code: &str) -> CodeableConcept {
    CodeableConcept {
        coding: vec![Coding {
            system,
            code: code.to_string(),
            display: None,
        }],
        text: code.to_string(),
    }
}

/// An instant as FHIR writes it: UTC with seconds, e.g. `2026-02-01T09:30:00Z`.
fn instant(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A name-based UUID (RFC 9562 version 8) from SHA-256 of the parts, so
/// that the same registry exports the same ids every time.
pub fn uuid(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"corridor-fhir");
    for part in parts {
        hasher.update([0u8]);
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
