//! The reason codes (table `reason_codes`, migration 0006): read as a
//! [`ReasonCatalogue`], and the check every write of a reason goes through.

use corridor_domain::{
    Action, InvalidValue, PersonId, ReasonCatalogue, ReasonCode, ReasonEntry, ReasonKind, Text,
};
use jiff::Timestamp;
use sqlx::Row;

use crate::audit::NewAuditEntry;
use crate::codec::flag;
use crate::{Store, StoreError, Thing};

/// The longest label of a reason code.
pub const REASON_LABEL_MAX_CHARS: usize = 200;

impl Store {
    /// Every reason code of every kind, in the order they are offered.
    pub async fn reason_codes(&self) -> Result<ReasonCatalogue, StoreError> {
        let mut connection = self.pool.acquire().await?;
        read_reason_codes(&mut connection, None).await
    }

    /// Adds a code to a kind's list, offered after the others (and before
    /// `other`). Refused if the kind already has the code.
    pub async fn add_reason_code(
        &self,
        kind: ReasonKind,
        code: &ReasonCode,
        label: &Text,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        if label.as_str().chars().count() > REASON_LABEL_MAX_CHARS {
            return Err(StoreError::invalid(
                "label",
                format!(
                    "the label is longer than {REASON_LABEL_MAX_CHARS} characters; say it in fewer words"
                ),
            ));
        }
        let mut transaction = self.write().await?;
        let catalogue = read_reason_codes(&mut transaction, Some(kind)).await?;
        if let Some(entry) = catalogue.entry(kind, code) {
            return Err(StoreError::Exists {
                thing: Thing::ReasonCode,
                detail: format!(
                    "{kind} already has the code {code} ('{}'{}); choose another code",
                    entry.label,
                    if entry.in_use {
                        ""
                    } else {
                        ", no longer in use: restore it instead"
                    }
                ),
            });
        }
        sqlx::query(
            "INSERT INTO reason_codes (kind, code, label, in_use, position) \
             SELECT $1, $2, $3, 1, COALESCE(MAX(position), 0) + 1 FROM reason_codes \
             WHERE kind = $1 AND code <> 'other'",
        )
        .bind(kind.as_str())
        .bind(code.as_str().to_string())
        .bind(label.as_str().to_string())
        .execute(&mut **transaction)
        .await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "reason.add".to_string(),
                subject: format!("{kind} {code}"),
                detail: serde_json::json!({ "label": label.as_str() }),
            })
            .await?;
        Ok(())
    }

    /// Takes a code out of use (records that carry it still read, with its
    /// label) or back into use. The codes corridor records by itself
    /// ([`ReasonKind::fixed_codes`]) stay in use.
    pub async fn set_reason_code_in_use(
        &self,
        kind: ReasonKind,
        code: &ReasonCode,
        in_use: bool,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        if !in_use && kind.fixed_codes().contains(code) {
            return Err(StoreError::Refused(format!(
                "{kind} {code} is a code corridor records by itself; it stays in use"
            )));
        }
        let mut transaction = self.write().await?;
        let changed =
            sqlx::query("UPDATE reason_codes SET in_use = $1 WHERE kind = $2 AND code = $3")
                .bind(flag(in_use))
                .bind(kind.as_str())
                .bind(code.as_str().to_string())
                .execute(&mut **transaction)
                .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::not_found(
                Thing::ReasonCode,
                format!("{code} ({kind})"),
            ));
        }
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: if in_use {
                    "reason.restore"
                } else {
                    "reason.retire"
                }
                .to_string(),
                subject: format!("{kind} {code}"),
                detail: serde_json::json!({ "in_use": in_use }),
            })
            .await?;
        Ok(())
    }
}

/// The reason codes, of one kind or of all.
pub(crate) async fn read_reason_codes(
    connection: &mut sqlx::AnyConnection,
    kind: Option<ReasonKind>,
) -> Result<ReasonCatalogue, StoreError> {
    let rows = sqlx::query(
        "SELECT kind, code, label, in_use FROM reason_codes WHERE ($1 = '' OR kind = $1) \
         ORDER BY kind, CASE WHEN code = 'other' THEN 1 ELSE 0 END, position, code",
    )
    .bind(kind.map_or("", ReasonKind::as_str))
    .fetch_all(&mut *connection)
    .await?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: String = row.try_get("kind")?;
        let code: String = row.try_get("code")?;
        let key = format!("{kind} {code}");
        let invalid = StoreError::from_invalid("reason_codes", &key);
        entries.push(ReasonEntry {
            kind: ReasonKind::parse(&kind).map_err(&invalid)?,
            code: ReasonCode::parse(&code).map_err(&invalid)?,
            label: row.try_get("label")?,
            in_use: row.try_get::<i64, _>("in_use")? != 0,
        });
    }
    // Kinds in the domain's order, codes in the table's.
    entries.sort_by_key(|entry| {
        ReasonKind::ALL
            .iter()
            .position(|kind| *kind == entry.kind)
            .unwrap_or(usize::MAX)
    });
    Ok(ReasonCatalogue::new(entries))
}

/// Refuses a reason a new record may not carry (a kind the action does not
/// take, a code not on the list or no longer in use), naming the person and
/// the field at fault.
pub(crate) async fn check_action_reason(
    connection: &mut sqlx::AnyConnection,
    person: &PersonId,
    action: &Action,
) -> Result<(), StoreError> {
    let Some(reason) = action.reason() else {
        return Ok(());
    };
    let catalogue = read_reason_codes(connection, Some(reason.kind)).await?;
    action
        .check_reason(&catalogue)
        .map_err(|invalid| refused(person, invalid))
}

/// The same check against a catalogue already read, for bulk writes.
pub(crate) fn check_reason_against(
    catalogue: &ReasonCatalogue,
    person: &PersonId,
    action: &Action,
) -> Result<(), StoreError> {
    action
        .check_reason(catalogue)
        .map_err(|invalid| refused(person, invalid))
}

fn refused(person: &PersonId, invalid: InvalidValue) -> StoreError {
    StoreError::Invalid {
        person: Some(person.clone()),
        invalid,
    }
}
