//! Organisations: the referring facilities, receiving agencies and the
//! coordination cell. Accounts (`users.organisation`) and referrals
//! (`persons.referring_facility`) hold an organisation's id; the store
//! refuses an id that names no organisation, naming the field.

use corridor_domain::{Organisation, OrganisationId, OrganisationKind, Text};
use jiff::Timestamp;
use sqlx::Row;

use crate::audit::{NewAuditEntry, lock_chain};
use crate::codec::micros;
use crate::{Store, StoreError, Thing};

impl Store {
    /// Every organisation, by name.
    pub async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows = sqlx::query("SELECT id, name, kind FROM organisations ORDER BY LOWER(name), id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                let invalid = StoreError::from_invalid("organisations", &id);
                Ok(Organisation {
                    name: Text::parse(
                        "name",
                        &row.try_get::<String, _>("name")?,
                        corridor_domain::MAX_ORGANISATION_NAME_CHARS,
                    )
                    .map_err(&invalid)?,
                    kind: OrganisationKind::parse(&row.try_get::<String, _>("kind")?)
                        .map_err(&invalid)?,
                    id: OrganisationId::parse("id", &id).map_err(&invalid)?,
                })
            })
            .collect()
    }

    /// Adds an organisation (audited). Refused if its id or, whatever the
    /// case, its name is taken.
    pub async fn add_organisation(
        &self,
        organisation: &Organisation,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        // Serialises additions, so that the checks below hold at the insert.
        lock_chain(&mut transaction).await?;
        let taken = sqlx::query(
            "SELECT id, name FROM organisations WHERE id = $1 OR LOWER(name) = LOWER($2)",
        )
        .bind(organisation.id.to_string())
        .bind(organisation.name.to_string())
        .fetch_optional(&mut **transaction)
        .await?;
        if let Some(row) = taken {
            let id: String = row.try_get("id")?;
            let name: String = row.try_get("name")?;
            return Err(StoreError::Exists {
                thing: Thing::Organisation,
                detail: format!(
                    "the organisation '{id}' ({name}) exists already; choose another id and name, \
                     or use that one"
                ),
            });
        }
        insert_organisations(&mut transaction, std::slice::from_ref(organisation), at).await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "organisation.add".to_string(),
                subject: organisation.id.to_string(),
                detail: serde_json::json!({
                    "name": organisation.name.as_str(),
                    "kind": organisation.kind.as_str(),
                }),
            })
            .await?;
        Ok(())
    }
}

/// Inserts organisations inside the caller's transaction; one already there
/// (same id or name) is left as it is.
pub(crate) async fn insert_organisations(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    organisations: &[Organisation],
    at: Timestamp,
) -> Result<(), StoreError> {
    for organisation in organisations {
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(organisation.id.to_string())
        .bind(organisation.name.to_string())
        .bind(organisation.kind.as_str())
        .bind(micros(at))
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// Refuses an organisation id that names no organisation; `field` is the
/// input it came from (e.g. `organisation`, `referring_facility`).
pub(crate) async fn check_organisation(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    field: &'static str,
    id: &OrganisationId,
) -> Result<(), StoreError> {
    let found = sqlx::query("SELECT 1 AS one FROM organisations WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **transaction)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::UnknownOrganisation {
            field,
            id: id.to_string(),
        }),
    }
}
