//! Replacing a companion who cannot travel with another family member.
//!
//! The replaced companion keeps their record and history: they leave the
//! list as `withdrawn` with the reason `replaced` (unless already out of
//! it, withdrawn or died), and `companion_replacements` links them to the
//! new companion, registered in the same transaction for the same patient
//! and needing clearance like any new companion. The patient is not
//! touched: their referral date, tier and place in the list stay.

use corridor_domain::{Action, Case, PersonId, Reason, Replacement, Status, check_replaceable};
use jiff::Timestamp;
use sqlx::Row;

use crate::audit::NewAuditEntry;
use crate::codec::{
    EVENT_COLUMNS, PERSON_COLUMNS, exited_from_column, micros, read_event, read_person,
};
use crate::people::registration::insert_cases_in;
use crate::people::transitions::{StatusChange, transition_in};
use crate::{Store, StoreError, Thing};

/// A companion of a patient as the patient's record shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanionStanding {
    pub id: PersonId,
    pub status: Status,
    /// They cannot travel and may be replaced ([`check_replaceable`]), and
    /// have not been yet.
    pub replaceable: bool,
    /// The companion registered in their place.
    pub replaced_by: Option<PersonId>,
    /// The companion they were registered to replace.
    pub replaces: Option<PersonId>,
}

/// The result of a replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    pub patient: PersonId,
    pub replaced: PersonId,
    pub replacement: PersonId,
    /// Whether the replaced companion was withdrawn by the replacement
    /// (false when they had already left the list).
    pub withdrawn: bool,
}

impl Store {
    /// Replaces a companion who cannot travel (denied, turned back,
    /// withdrawn or died) with a new companion of the same patient, within
    /// the companion limit of the crossing rules (the replaced one no
    /// longer counts). One transaction, one audit entry.
    pub async fn replace_companion(
        &self,
        replacement: &Replacement,
        at: Timestamp,
        actor: &str,
    ) -> Result<Replaced, StoreError> {
        let Replacement {
            patient,
            replaced,
            companion,
            reason,
        } = replacement;
        let refused = |problem: String| StoreError::Invalid {
            person: Some(replaced.clone()),
            invalid: corridor_domain::InvalidValue::new("companion", problem),
        };
        let mut transaction = self.write().await?;
        let read = |id: &PersonId| {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {PERSON_COLUMNS}, {} FROM persons WHERE id = $1",
                exited_from_column()
            )))
            .bind(id.as_str().to_string())
        };
        let patient_row = read(patient)
            .fetch_optional(&mut **transaction)
            .await?
            .ok_or_else(|| StoreError::not_found(Thing::Person, patient))?;
        let (_, patient_line) = read_person(&patient_row)?;
        // A companion turned back at the gate is often replaced after the
        // patient crossed without them: a family member joins them abroad.
        let patient_needs_one = patient_line.status.is_waiting()
            || matches!(patient_line.status, Status::Crossed | Status::Admitted);
        if !patient_needs_one {
            return Err(StoreError::Refused(format!(
                "{patient} is {}: a companion is replaced only while the patient waits to cross \
                 or is abroad for treatment",
                patient_line.status
            )));
        }
        let old_row = read(replaced)
            .fetch_optional(&mut **transaction)
            .await?
            .ok_or_else(|| refused(format!("no person with id {replaced} is registered")))?;
        let (old, old_line) = read_person(&old_row)?;
        if old.companion_of() != Some(patient) {
            return Err(refused(format!(
                "{replaced} is not a companion of {patient}; choose one of {patient}'s companions"
            )));
        }
        let already: Option<String> =
            sqlx::query("SELECT replacement FROM companion_replacements WHERE replaced = $1")
                .bind(replaced.as_str().to_string())
                .fetch_optional(&mut **transaction)
                .await?
                .map(|row| row.try_get("replacement"))
                .transpose()?;
        if let Some(by) = already {
            return Err(refused(format!("{replaced} was already replaced by {by}")));
        }
        let last = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM status_events WHERE person_id = $1 \
             ORDER BY version DESC LIMIT 1"
        )))
        .bind(replaced.as_str().to_string())
        .fetch_optional(&mut **transaction)
        .await?
        .map(|row| read_event(&row))
        .transpose()?;
        check_replaceable(&old_line, last.as_ref()).map_err(refused)?;
        // The link first, so that the companion limit checked as the new
        // companion is registered no longer counts the replaced one; its
        // reference to the new companion is checked at commit.
        sqlx::query(
            "INSERT INTO companion_replacements (replaced, replacement, patient, reason, at, actor) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(replaced.as_str().to_string())
        .bind(companion.id.as_str().to_string())
        .bind(patient.as_str().to_string())
        .bind(reason.to_string())
        .bind(micros(at))
        .bind(actor.to_string())
        .execute(&mut **transaction)
        .await?;
        let withdrawn = old_line.status.is_waiting();
        if withdrawn {
            transition_in(
                self.backend,
                &mut transaction,
                StatusChange {
                    person: replaced,
                    expected_version: None,
                    action: Action::Withdraw {
                        reason: Reason::replaced(reason.clone()),
                    },
                    note: None,
                },
                at,
                actor,
            )
            .await?;
        }
        let case = Case::register(companion.clone(), at, actor);
        insert_cases_in(self.backend, &mut transaction, &[case], &mut |_| {}).await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "person.replace-companion".to_string(),
                subject: patient.to_string(),
                detail: serde_json::json!({
                    "replaced": replaced.as_str(),
                    "replacement": companion.id.as_str(),
                    "withdrawn": withdrawn,
                }),
            })
            .await?;
        Ok(Replaced {
            patient: patient.clone(),
            replaced: replaced.clone(),
            replacement: companion.id.clone(),
            withdrawn,
        })
    }

    /// The companions of a patient with their status, whether each may be
    /// replaced, and the replacements linking them, in id order.
    pub async fn companions_of(
        &self,
        patient: &PersonId,
    ) -> Result<Vec<CompanionStanding>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS}, {}, \
             (SELECT r.replacement FROM companion_replacements r WHERE r.replaced = persons.id) AS replaced_by, \
             (SELECT r.replaced FROM companion_replacements r WHERE r.replacement = persons.id) AS replaces \
             FROM persons WHERE companion_of = $1 ORDER BY id",
            exited_from_column()
        )))
        .bind(patient.as_str().to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut standings = Vec::new();
        for row in rows {
            let (person, line) = read_person(&row)?;
            let key = person.id.to_string();
            let invalid = StoreError::from_invalid("persons", &key);
            let linked = |column: &str| -> Result<Option<PersonId>, StoreError> {
                row.try_get::<Option<String>, _>(column)?
                    .map(|text| PersonId::parse(&text).map_err(&invalid))
                    .transpose()
            };
            let replaced_by = linked("replaced_by")?;
            let replaces = linked("replaces")?;
            let last = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {EVENT_COLUMNS} FROM status_events WHERE person_id = $1 \
                 ORDER BY version DESC LIMIT 1"
            )))
            .bind(person.id.as_str().to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(|row| read_event(&row))
            .transpose()?;
            standings.push(CompanionStanding {
                replaceable: replaced_by.is_none()
                    && check_replaceable(&line, last.as_ref()).is_ok(),
                status: line.status,
                id: person.id,
                replaced_by,
                replaces,
            });
        }
        Ok(standings)
    }
}
