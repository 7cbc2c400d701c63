//! Conversions between domain values and database columns. Values read back
//! were validated when written; reading parses them again so that a value
//! changed outside corridor is reported, never trusted.

use corridor_domain::{
    Action, ActionKind, BirthYear, Booking, ConditionCategory, CountryCode, CrossingId, FacilityId,
    LegalBasis, NewPerson, PersonId, PersonKind, PersonName, Reason, ReasonCode, ReasonKind,
    Referral, ReferralDate, Relationship, Role, Sex, Specialty, Status, StatusEvent, StatusLine,
    Text, Tier,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::{AnyArguments, AnyRow};

use crate::{Backend, StoreError};

pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, AnyArguments>;

/// Stored values are re-parsed without the "not in the future" checks: they
/// held when the value was written, and the clock has only moved on.
const NO_LATER_THAN: Date = Date::MAX;

pub(crate) fn micros(at: Timestamp) -> i64 {
    at.as_microsecond()
}

pub(crate) fn timestamp(
    table: &'static str,
    key: &str,
    micros: i64,
) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(micros).map_err(|error| StoreError::corrupt(table, key, error))
}

pub(crate) fn date(table: &'static str, key: &str, text: &str) -> Result<Date, StoreError> {
    text.parse()
        .map_err(|error| StoreError::corrupt(table, key, format!("date '{text}': {error}")))
}

pub(crate) fn optional_date(
    table: &'static str,
    key: &str,
    text: Option<String>,
) -> Result<Option<Date>, StoreError> {
    text.map(|text| date(table, key, &text)).transpose()
}

pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

pub(crate) const PERSON_COLUMNS: &str = "id, role, name, birth_year, sex, legal_basis, companion_of, \
     relationship, condition, specialty, tier, tier_rank, referral_date, referring_facility, return_guarantee, \
     status, clearance_attempt, booking_date, booking_crossing, admitted_to, died_on, version, \
     registered_at, status_changed_at, returning_from";
pub(crate) const PERSON_COLUMN_COUNT: usize = 25;

/// Selected after [`PERSON_COLUMNS`] to read a whole line: for a person who
/// died while waiting or withdrew, the status their last event moved them
/// out of (`corridor_domain::exited_from` of the history, which a
/// reinstatement needs). Read from the history rather than kept in a
/// column, so that it cannot disagree with it.
pub(crate) fn exited_from_column() -> String {
    format!(
        "CASE WHEN persons.status IN ('{}', '{}') \
         THEN (SELECT e.from_status FROM status_events e \
         WHERE e.person_id = persons.id AND e.version = persons.version) END AS exited_from",
        Status::DiedWhileWaiting.as_str(),
        Status::Withdrawn.as_str(),
    )
}

pub(crate) fn bind_person<'q>(
    query: AnyQuery<'q>,
    person: &NewPerson,
    line: &StatusLine,
    registered_at: Timestamp,
    status_changed_at: Timestamp,
) -> AnyQuery<'q> {
    let referral = person.referral();
    let (companion_of, relationship) = match &person.kind {
        PersonKind::Companion { of, relationship } => {
            (Some(of.as_str().to_string()), Some(relationship.as_str()))
        }
        PersonKind::Patient(_) | PersonKind::Returnee { .. } => (None, None),
    };
    let returning_from = match &person.kind {
        PersonKind::Returnee { returning_from } => Some(returning_from.as_str().to_string()),
        PersonKind::Patient(_) | PersonKind::Companion { .. } => None,
    };
    query
        .bind(person.id.as_str().to_string())
        .bind(person.role().as_str())
        .bind(person.name.as_ref().map(|name| name.as_str().to_string()))
        .bind(i64::from(person.birth_year.year()))
        .bind(person.sex.as_str())
        .bind(person.legal_basis.as_str())
        .bind(companion_of)
        .bind(relationship)
        .bind(referral.map(|r| r.condition.as_str()))
        .bind(referral.map(|r| r.specialty.as_str()))
        .bind(referral.map(|r| r.tier.as_str()))
        .bind(referral.map_or(COMPANION_TIER_RANK, |r| tier_rank(r.tier)))
        .bind(referral.map(|r| r.referral_date.date().to_string()))
        .bind(referral.map(|r| r.referring_facility.as_str().to_string()))
        .bind(referral.map(|r| flag(r.return_guarantee)))
        .bind(line.status.as_str())
        .bind(i64::from(line.clearance_attempt))
        .bind(line.booking.as_ref().map(|b| b.date.to_string()))
        .bind(
            line.booking
                .as_ref()
                .map(|b| b.crossing.as_str().to_string()),
        )
        .bind(line.admitted_to.as_ref().map(|f| f.as_str().to_string()))
        .bind(line.died_on.map(|d| d.to_string()))
        .bind(i64::from(line.version))
        .bind(micros(registered_at))
        .bind(micros(status_changed_at))
        .bind(returning_from)
}

/// Reads a row selected with [`PERSON_COLUMNS`] and [`EXITED_FROM`].
pub(crate) fn read_person(row: &AnyRow) -> Result<(NewPerson, StatusLine), StoreError> {
    let id_text: String = row.try_get("id")?;
    let key = id_text.as_str();
    let invalid = StoreError::from_invalid("persons", key);
    let text = |column: &str| -> Result<Option<String>, StoreError> { Ok(row.try_get(column)?) };
    let required = |column: &'static str| -> Result<String, StoreError> {
        text(column)?
            .ok_or_else(|| StoreError::corrupt("persons", key, format!("{column} is empty")))
    };

    let role = Role::parse(&required("role")?).map_err(&invalid)?;
    let birth_year: i64 = row.try_get("birth_year")?;
    let birth_year = i16::try_from(birth_year)
        .map_err(|_| StoreError::corrupt("persons", key, format!("birth year {birth_year}")))
        .and_then(|year| BirthYear::new(year, NO_LATER_THAN).map_err(&invalid))?;
    let kind = match role {
        Role::Patient => PersonKind::Patient(Referral {
            condition: ConditionCategory::parse(&required("condition")?).map_err(&invalid)?,
            specialty: Specialty::parse(&required("specialty")?).map_err(&invalid)?,
            tier: Tier::parse(&required("tier")?).map_err(&invalid)?,
            referral_date: ReferralDate::parse(&required("referral_date")?, NO_LATER_THAN)
                .map_err(&invalid)?,
            referring_facility: corridor_domain::OrganisationId::parse(
                "referring_facility",
                &required("referring_facility")?,
            )
            .map_err(&invalid)?,
            return_guarantee: row
                .try_get::<Option<i64>, _>("return_guarantee")?
                .unwrap_or(0)
                != 0,
        }),
        Role::Companion => PersonKind::Companion {
            of: PersonId::parse(&required("companion_of")?).map_err(&invalid)?,
            relationship: Relationship::parse(&required("relationship")?).map_err(&invalid)?,
        },
        Role::Returnee => PersonKind::Returnee {
            returning_from: CountryCode::parse(&required("returning_from")?).map_err(&invalid)?,
        },
    };
    let person = NewPerson {
        id: PersonId::parse(key).map_err(&invalid)?,
        name: text("name")?
            .map(|name| PersonName::parse(&name))
            .transpose()
            .map_err(&invalid)?,
        birth_year,
        sex: Sex::parse(&required("sex")?).map_err(&invalid)?,
        legal_basis: LegalBasis::parse(&required("legal_basis")?).map_err(&invalid)?,
        kind,
    };

    let booking = match (text("booking_date")?, text("booking_crossing")?) {
        (Some(day), Some(crossing)) => Some(Booking {
            date: date("persons", key, &day)?,
            crossing: CrossingId::parse(&crossing).map_err(&invalid)?,
        }),
        (None, None) => None,
        _ => return Err(StoreError::corrupt("persons", key, "half a booking")),
    };
    let line = StatusLine {
        status: Status::parse(&required("status")?).map_err(&invalid)?,
        clearance_attempt: small("persons", key, row.try_get("clearance_attempt")?)?,
        booking,
        admitted_to: text("admitted_to")?
            .map(|facility| FacilityId::parse(&facility))
            .transpose()
            .map_err(&invalid)?,
        died_on: optional_date("persons", key, text("died_on")?)?,
        exited_from: text("exited_from")?
            .map(|status| Status::parse(&status))
            .transpose()
            .map_err(&invalid)?,
        version: small("persons", key, row.try_get("version")?)?,
    };
    Ok((person, line))
}

/// Companions sort after every tier of patient.
pub(crate) const COMPANION_TIER_RANK: i64 = 99;

pub(crate) fn tier_rank(tier: Tier) -> i64 {
    Tier::ALL
        .iter()
        .position(|t| *t == tier)
        .map_or(COMPANION_TIER_RANK, |position| position as i64)
}

pub(crate) fn small(table: &'static str, key: &str, value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::corrupt(table, key, format!("count {value}")))
}

/// `reason` holds the free-text reason of events recorded before reasons
/// were coded (migration 0006); newer events fill `reason_kind`,
/// `reason_code` and `reason_note` instead.
pub(crate) const EVENT_COLUMNS: &str = "person_id, version, at, actor, from_status, to_status, action, \
     reason, action_date, crossing, facility, clearance_attempt, note, reason_kind, reason_code, reason_note";
pub(crate) const EVENT_COLUMN_COUNT: usize = 16;

pub(crate) fn bind_event<'q>(
    query: AnyQuery<'q>,
    person: &PersonId,
    event: &StatusEvent,
) -> AnyQuery<'q> {
    let action = event.action.as_ref();
    let (action_date, crossing, facility) = match action {
        Some(Action::Delay { needed_by, .. }) => (Some(needed_by.to_string()), None, None),
        Some(Action::Die { on }) => (Some(on.to_string()), None, None),
        Some(Action::Schedule { booking } | Action::UndoGate { booking }) => (
            Some(booking.date.to_string()),
            Some(booking.crossing.as_str().to_string()),
            None,
        ),
        Some(Action::Admit { facility }) => (None, None, Some(facility.as_str().to_string())),
        _ => (None, None, None),
    };
    let query = query
        .bind(person.as_str().to_string())
        .bind(i64::from(event.version))
        .bind(micros(event.at))
        .bind(event.actor.clone())
        .bind(event.from.map(Status::as_str))
        .bind(event.to.as_str())
        .bind(action.map(|a| a.kind().as_str()))
        .bind(None::<String>)
        .bind(action_date)
        .bind(crossing)
        .bind(facility)
        .bind(i64::from(event.clearance_attempt))
        .bind(event.note.as_ref().map(|n| n.as_str().to_string()));
    bind_reason(query, action.and_then(Action::reason))
}

/// Binds a reason's kind, code and note, in that order (all NULL for none).
pub(crate) fn bind_reason<'q>(query: AnyQuery<'q>, reason: Option<&Reason>) -> AnyQuery<'q> {
    query
        .bind(reason.map(|r| r.kind.as_str()))
        .bind(reason.map(|r| r.code.as_str().to_string()))
        .bind(reason.and_then(|r| r.note.as_ref().map(|n| n.as_str().to_string())))
}

/// A reason as an audit entry records it: kind and code. The note is about
/// a person and stays in their history, not in the audit log, which admins
/// read and `corridor audit log` prints.
pub(crate) fn reason_json(reason: Option<&Reason>) -> serde_json::Value {
    match reason {
        Some(reason) => serde_json::json!({
            "kind": reason.kind.as_str(),
            "code": reason.code.as_str(),
        }),
        None => serde_json::Value::Null,
    }
}

/// Where a table keeps a reason: the kind (when the row's action or
/// outcome does not imply it), code and note columns, and the free-text
/// column of rows written before reasons were coded (migration 0006).
pub(crate) struct ReasonColumns {
    pub kind: Option<&'static str>,
    pub code: &'static str,
    pub note: &'static str,
    pub legacy: &'static str,
}

pub(crate) const EVENT_REASON: ReasonColumns = ReasonColumns {
    kind: Some("reason_kind"),
    code: "reason_code",
    note: "reason_note",
    legacy: "reason",
};

/// Reads a row's reason. A row written before reasons were coded has its
/// free text read as code `other` with the text as the note; a row without
/// any reason gets the default code of `kind`, if the kind has one.
/// `kind` is what the row's action or outcome implies.
pub(crate) fn read_reason(
    row: &AnyRow,
    columns: &ReasonColumns,
    table: &'static str,
    key: &str,
    kind: ReasonKind,
) -> Result<Option<Reason>, StoreError> {
    let invalid = StoreError::from_invalid(table, key);
    let text = |column: &str| -> Result<Option<String>, StoreError> {
        Ok(row.try_get::<Option<String>, _>(column)?)
    };
    if let Some(code) = text(columns.code)? {
        let kind = match columns.kind.map(text).transpose()?.flatten() {
            Some(stored) => ReasonKind::parse(&stored).map_err(&invalid)?,
            None => kind,
        };
        let note = text(columns.note)?
            .map(|note| Text::parse("note", &note, Reason::NOTE_MAX_CHARS))
            .transpose()
            .map_err(&invalid)?;
        let code = ReasonCode::parse(&code).map_err(&invalid)?;
        return Reason::new(kind, code, note).map(Some).map_err(&invalid);
    }
    if let Some(old) = text(columns.legacy)? {
        let old = Text::parse("reason", &old, Reason::NOTE_MAX_CHARS).map_err(&invalid)?;
        return Ok(Some(Reason::legacy(kind, old)));
    }
    Ok(kind.default_code().map(|code| Reason {
        kind,
        code,
        note: None,
    }))
}

/// Reads a row selected with [`EVENT_COLUMNS`].
pub(crate) fn read_event(row: &AnyRow) -> Result<StatusEvent, StoreError> {
    let person: String = row.try_get("person_id")?;
    let version: i64 = row.try_get("version")?;
    let key = format!("{person} version {version}");
    let invalid = StoreError::from_invalid("status_events", &key);
    let text = |column: &str| -> Result<Option<String>, StoreError> { Ok(row.try_get(column)?) };
    let reason = |action: ActionKind| -> Result<Reason, StoreError> {
        let kind = action
            .reason_kind()
            .expect("only actions that carry a reason read one");
        read_reason(row, &EVENT_REASON, "status_events", &key, kind)?.ok_or_else(|| {
            StoreError::corrupt(
                "status_events",
                key.clone(),
                format!("{action} without a reason"),
            )
        })
    };
    let action_date = || -> Result<Date, StoreError> {
        optional_date("status_events", &key, text("action_date")?)?
            .ok_or_else(|| StoreError::corrupt("status_events", key.clone(), "no action date"))
    };
    let booking = || -> Result<Booking, StoreError> {
        Ok(Booking {
            date: action_date()?,
            crossing: CrossingId::parse(&text("crossing")?.unwrap_or_default())
                .map_err(&invalid)?,
        })
    };
    let action = match text("action")? {
        None => None,
        Some(kind) => Some(match ActionKind::parse(&kind).map_err(&invalid)? {
            kind @ ActionKind::Deny => Action::Deny {
                reason: reason(kind)?,
            },
            kind @ ActionKind::Delay => Action::Delay {
                needed_by: action_date()?,
                reason: reason(kind)?,
            },
            kind @ ActionKind::Unschedule => Action::Unschedule {
                reason: reason(kind)?,
            },
            kind @ ActionKind::Withdraw => Action::Withdraw {
                reason: reason(kind)?,
            },
            ActionKind::List => Action::List,
            ActionKind::RequestClearance => Action::RequestClearance,
            ActionKind::Clear => Action::Clear,
            ActionKind::Resubmit => Action::Resubmit,
            ActionKind::Schedule => Action::Schedule {
                booking: booking()?,
            },
            ActionKind::UndoGate => Action::UndoGate {
                booking: booking()?,
            },
            ActionKind::Cross => Action::Cross,
            ActionKind::Admit => Action::Admit {
                facility: FacilityId::parse(&text("facility")?.unwrap_or_default())
                    .map_err(&invalid)?,
            },
            ActionKind::Return => Action::Return,
            ActionKind::Die => Action::Die { on: action_date()? },
            kind @ ActionKind::Reinstate => Action::Reinstate {
                reason: reason(kind)?,
            },
        }),
    };
    Ok(StatusEvent {
        version: small("status_events", &key, version)?,
        at: timestamp("status_events", &key, row.try_get("at")?)?,
        actor: row.try_get("actor")?,
        from: text("from_status")?
            .map(|status| Status::parse(&status))
            .transpose()
            .map_err(&invalid)?,
        to: Status::parse(&text("to_status")?.unwrap_or_default()).map_err(&invalid)?,
        action,
        clearance_attempt: small("status_events", &key, row.try_get("clearance_attempt")?)?,
        note: text("note")?
            .map(|note| Text::parse("note", &note, 500))
            .transpose()
            .map_err(&invalid)?,
    })
}

/// `INSERT INTO table (columns) VALUES ($1, …), (…)` for `rows` rows.
///
/// SQLite gets anonymous `?` placeholders here: it resolves named ones such
/// as `$1` with a linear search per parameter, which makes a statement with
/// thousands of them quadratic (seconds instead of milliseconds).
pub(crate) fn insert_sql(
    backend: Backend,
    table: &str,
    columns: &str,
    column_count: usize,
    rows: usize,
) -> String {
    let mut sql = format!("INSERT INTO {table} ({columns}) VALUES ");
    let mut number = 1;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..column_count {
            if column > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&number.to_string());
                }
            }
            number += 1;
        }
        sql.push(')');
    }
    sql
}

/// Placeholders for an `IN (…)` list of `count` values bound first; see
/// [`insert_sql`] for why SQLite gets `?`.
pub(crate) fn placeholders(backend: Backend, count: usize) -> String {
    (1..=count)
        .map(|n| match backend {
            Backend::Sqlite => "?".to_string(),
            Backend::Postgres => format!("${n}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The birth year of a `persons` row.
pub(crate) fn birth_year(row: &sqlx::any::AnyRow, id: &str) -> Result<BirthYear, StoreError> {
    let year: i64 = row.try_get("birth_year")?;
    i16::try_from(year)
        .ok()
        .and_then(|year| BirthYear::new(year, Date::MAX).ok())
        .ok_or_else(|| StoreError::corrupt("persons", id, format!("birth year {year}")))
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use corridor_domain::{ActionKind, Direction, GateOutcome, Role, Status};

    use crate::day::EntryState;
    use crate::day::beds::BedHoldState;

    fn source_files(folder: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                source_files(&path, files);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                files.push(path);
            }
        }
    }

    /// Statuses, roles, directions, gate outcomes, actions, manifest entry
    /// states and bed-hold states are bound as parameters, or their SQL is
    /// built from `as_str()`: a quoted label in the source is a literal
    /// that would not follow a renamed variant.
    #[test]
    fn no_label_of_an_enum_is_quoted_in_the_sources() {
        let entry_states = EntryState::ALL;
        let bed_hold_states = [
            BedHoldState::Held,
            BedHoldState::Released,
            BedHoldState::Consumed,
        ];
        let labels: Vec<&str> = (Status::ALL.iter().map(|s| s.as_str()))
            .chain(Role::ALL.iter().map(|r| r.as_str()))
            .chain(Direction::ALL.iter().map(|d| d.as_str()))
            .chain(GateOutcome::ALL.iter().map(|o| o.as_str()))
            .chain(ActionKind::ALL.iter().map(|a| a.as_str()))
            .chain(entry_states.iter().map(|e| e.as_str()))
            .chain(bed_hold_states.iter().map(|b| b.as_str()))
            .collect();
        let mut files = Vec::new();
        source_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        assert!(files.len() > 20, "found only {files:?}");
        let mut quoted = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            for (number, line) in text.lines().enumerate() {
                for label in &labels {
                    if line.contains(&format!("'{label}'")) {
                        quoted.push(format!("{}:{}: '{label}'", file.display(), number + 1));
                    }
                }
            }
        }
        assert!(
            quoted.is_empty(),
            "bind these as parameters or build them from as_str():\n{}",
            quoted.join("\n")
        );
    }
}
