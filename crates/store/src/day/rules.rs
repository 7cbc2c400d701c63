//! The rules a crossing works under, one period after another: companions
//! allowed per patient, and whether entries must equal exits.

use corridor_domain::{CrossingId, CrossingRules, Text};
use jiff::Timestamp;
use sqlx::Row;

use crate::audit::NewAuditEntry;
use crate::codec::{date, flag, optional_date, small};
use crate::{Store, StoreError, Thing};

impl Store {
    pub async fn crossing_rules(&self) -> Result<Vec<CrossingRules>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        read_crossing_rules(&mut connection).await
    }

    /// Records the rules of a crossing from a date on. Refused if a period
    /// already starts that day.
    pub async fn add_crossing_rules(
        &self,
        rules: &CrossingRules,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        require_crossing(&mut transaction, &rules.crossing).await?;
        let taken = sqlx::query(
            "SELECT 1 AS one FROM crossing_rules WHERE crossing = $1 AND valid_from = $2",
        )
        .bind(rules.crossing.as_str().to_string())
        .bind(rules.valid_from.to_string())
        .fetch_optional(&mut **transaction)
        .await?;
        let period_taken = || StoreError::Exists {
            thing: Thing::CrossingRules,
            detail: format!(
                "{} already has rules from {}; give the new period another start date",
                rules.crossing, rules.valid_from
            ),
        };
        if taken.is_some() {
            return Err(period_taken());
        }
        insert_crossing_rules(&mut transaction, rules)
            .await
            .map_err(|error| error.on_violation("crossing_rules_pkey", period_taken))?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "crossing.rules".to_string(),
                subject: rules.crossing.to_string(),
                detail: serde_json::json!({
                    "valid_from": rules.valid_from.to_string(),
                    "valid_to": rules.valid_to.map(|d| d.to_string()),
                    "max_companions": rules.max_companions,
                    "entries_equal_exits": rules.entries_equal_exits,
                    "source": rules.source.as_str(),
                }),
            })
            .await?;
        Ok(())
    }
}

pub(crate) async fn require_crossing(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    crossing: &CrossingId,
) -> Result<(), StoreError> {
    let known = sqlx::query("SELECT 1 AS one FROM crossings WHERE id = $1")
        .bind(crossing.as_str().to_string())
        .fetch_optional(&mut **transaction)
        .await?;
    if known.is_none() {
        return Err(StoreError::not_found(Thing::Crossing, crossing));
    }
    Ok(())
}

pub(crate) async fn insert_crossing_rules(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    rules: &CrossingRules,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO crossing_rules (crossing, valid_from, valid_to, max_companions, \
         entries_equal_exits, source) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(rules.crossing.as_str().to_string())
    .bind(rules.valid_from.to_string())
    .bind(rules.valid_to.map(|d| d.to_string()))
    .bind(i64::from(rules.max_companions))
    .bind(flag(rules.entries_equal_exits))
    .bind(rules.source.as_str().to_string())
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Every crossing's rules, in crossing and start order.
pub(crate) async fn read_crossing_rules(
    connection: &mut sqlx::AnyConnection,
) -> Result<Vec<CrossingRules>, StoreError> {
    let mut all = Vec::new();
    for row in sqlx::query(
        "SELECT crossing, valid_from, valid_to, max_companions, entries_equal_exits, source \
         FROM crossing_rules ORDER BY crossing, valid_from",
    )
    .fetch_all(&mut *connection)
    .await?
    {
        let crossing: String = row.try_get("crossing")?;
        let invalid = StoreError::from_invalid("crossing_rules", &crossing);
        all.push(
            CrossingRules::new(
                CrossingId::parse(&crossing).map_err(&invalid)?,
                date(
                    "crossing_rules",
                    &crossing,
                    &row.try_get::<String, _>("valid_from")?,
                )?,
                optional_date("crossing_rules", &crossing, row.try_get("valid_to")?)?,
                small("crossing_rules", &crossing, row.try_get("max_companions")?)?,
                row.try_get::<i64, _>("entries_equal_exits")? != 0,
                Text::parse("source", &row.try_get::<String, _>("source")?, 500)
                    .map_err(&invalid)?,
            )
            .map_err(&invalid)?,
        );
    }
    Ok(all)
}
