//! Returnees' luggage: the versioned rules of each crossing, returnees
//! registered with their declaration, declarations replaced, and the
//! violations of the rules in force.

use corridor_domain::{
    Case, CashAmount, CashLimit, CrossingId, CurrencyCode, DeclaredItem, ItemCategory,
    LuggageDeclaration, LuggageRuleSet, PersonId, PersonKind, Role, Text, Violation, check_luggage,
    check_luggage_versions, rule_set_in_force,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use super::rules::require_crossing;
use crate::audit::{NewAuditEntry, lock_chain};
use crate::codec::{date, micros, optional_date, small};
use crate::people::registration::insert_cases_in;
use crate::{DayRule, Store, StoreError, Thing};

impl Store {
    pub async fn luggage_rule_sets(&self) -> Result<Vec<LuggageRuleSet>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        read_luggage_rule_sets(&mut connection).await
    }

    /// Records a new version of a crossing's luggage rules. Refused if its
    /// period overlaps another version's.
    pub async fn add_luggage_rule_set(
        &self,
        set: &LuggageRuleSet,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        // The versions are checked against each other (numbers, periods);
        // hold the chain's lock so that a version added at the same moment
        // is among those checked.
        lock_chain(&mut transaction).await?;
        require_crossing(&mut transaction, &set.crossing).await?;
        let mut all = read_luggage_rule_sets(&mut transaction).await?;
        all.push(set.clone());
        check_luggage_versions(&all).map_err(StoreError::from)?;
        insert_luggage_rule_set(&mut transaction, set).await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "luggage.rules".to_string(),
                subject: set.crossing.to_string(),
                detail: serde_json::json!({
                    "version": set.version,
                    "valid_from": set.valid_from.to_string(),
                    "rules": set.describe(),
                }),
            })
            .await?;
        Ok(())
    }

    /// Registers a returnee with their luggage declaration, in one
    /// transaction. The country they return from must be registered.
    pub async fn register_returnee(
        &self,
        case: &Case,
        declaration: &LuggageDeclaration,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError> {
        let PersonKind::Returnee { returning_from } = &case.person.kind else {
            return Err(StoreError::invalid(
                "role",
                format!("{} is not registered as a returnee", case.person.id),
            ));
        };
        let mut transaction = self.write().await?;
        let country = sqlx::query("SELECT 1 AS one FROM countries WHERE code = $1")
            .bind(returning_from.as_str().to_string())
            .fetch_optional(&mut **transaction)
            .await?;
        if country.is_none() {
            return Err(StoreError::invalid(
                "returning_from",
                format!("no country {returning_from} is registered"),
            ));
        }
        insert_cases_in(
            self.backend,
            &mut transaction,
            std::slice::from_ref(case),
            &mut |_| {},
        )
        .await?;
        write_declaration(
            &mut transaction,
            &case.person.id,
            declaration,
            audit.at,
            &audit.actor,
        )
        .await?;
        transaction.commit(audit).await?;
        Ok(())
    }

    /// Replaces a returnee's luggage declaration.
    pub async fn declare_luggage(
        &self,
        person: &PersonId,
        declaration: &LuggageDeclaration,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        let role: String = sqlx::query("SELECT role FROM persons WHERE id = $1")
            .bind(person.as_str().to_string())
            .fetch_optional(&mut **transaction)
            .await?
            .ok_or_else(|| StoreError::not_found(Thing::Person, person))?
            .try_get("role")?;
        if role != Role::Returnee.as_str() {
            return Err(StoreError::day_rule(
                DayRule::Luggage,
                format!("{person} is a {role}; luggage is declared by returnees"),
            ));
        }
        write_declaration(&mut transaction, person, declaration, at, actor).await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "luggage.declare".to_string(),
                subject: person.to_string(),
                detail: declaration_json(declaration),
            })
            .await?;
        Ok(())
    }

    pub async fn luggage_declaration(
        &self,
        person: &PersonId,
    ) -> Result<Option<LuggageDeclaration>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        read_declaration(&mut connection, person).await
    }

    /// Checks a returnee's declaration against the rules in force on a
    /// crossing on a date. `None` when no rule set is in force.
    pub async fn check_luggage_of(
        &self,
        person: &PersonId,
        crossing: &CrossingId,
        on: Date,
    ) -> Result<Option<(LuggageRuleSet, Vec<Violation>)>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        let sets = read_luggage_rule_sets(&mut connection).await?;
        let Some(set) = rule_set_in_force(&sets, crossing, on) else {
            return Ok(None);
        };
        let violations = luggage_violations(&mut connection, &sets, crossing, on, person).await?;
        Ok(Some((set.clone(), violations)))
    }
}

impl NewAuditEntry {
    /// The entry of one returnee registered with their declaration (a form,
    /// the API, the CLI), with the crossing they are to enter by.
    pub fn returnee_registered(
        case: &Case,
        crossing: &CrossingId,
        at: Timestamp,
        actor: &str,
    ) -> NewAuditEntry {
        NewAuditEntry {
            at,
            actor: actor.to_string(),
            action: "person.register".to_string(),
            subject: case.person.id.to_string(),
            detail: serde_json::json!({ "role": "returnee", "crossing": crossing.as_str() }),
        }
    }
}

pub(crate) async fn insert_luggage_rule_set(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    set: &LuggageRuleSet,
) -> Result<(), StoreError> {
    let forbidden: Vec<&str> = set.forbidden.iter().map(|c| c.as_str()).collect();
    sqlx::query(
        "INSERT INTO luggage_rule_sets (crossing, version, valid_from, valid_to, max_pieces, \
         max_weight_grams, forbidden, max_medication_days, max_cash_currency, max_cash_amount, source) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(set.crossing.as_str().to_string())
    .bind(i64::from(set.version))
    .bind(set.valid_from.to_string())
    .bind(set.valid_to.map(|d| d.to_string()))
    .bind(set.max_pieces.map(i64::from))
    .bind(set.max_weight_grams.map(i64::from))
    .bind(forbidden.join(","))
    .bind(set.max_medication_days.map(i64::from))
    .bind(set.max_cash.as_ref().map(|c| c.currency.as_str().to_string()))
    .bind(set.max_cash.as_ref().map(|c| i64::from(c.amount)))
    .bind(set.source.as_str().to_string())
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

pub(crate) async fn read_luggage_rule_sets(
    connection: &mut sqlx::AnyConnection,
) -> Result<Vec<LuggageRuleSet>, StoreError> {
    let mut sets = Vec::new();
    for row in sqlx::query(
        "SELECT crossing, version, valid_from, valid_to, max_pieces, max_weight_grams, forbidden, \
         max_medication_days, max_cash_currency, max_cash_amount, source \
         FROM luggage_rule_sets ORDER BY crossing, version",
    )
    .fetch_all(&mut *connection)
    .await?
    {
        let crossing: String = row.try_get("crossing")?;
        let invalid = StoreError::from_invalid("luggage_rule_sets", &crossing);
        let limit = |column: &str| -> Result<Option<u32>, StoreError> {
            row.try_get::<Option<i64>, _>(column)?
                .map(|value| small("luggage_rule_sets", &crossing, value))
                .transpose()
        };
        let mut set = LuggageRuleSet::new(
            CrossingId::parse(&crossing).map_err(&invalid)?,
            small("luggage_rule_sets", &crossing, row.try_get("version")?)?,
            date(
                "luggage_rule_sets",
                &crossing,
                &row.try_get::<String, _>("valid_from")?,
            )?,
            optional_date("luggage_rule_sets", &crossing, row.try_get("valid_to")?)?,
            Text::parse("source", &row.try_get::<String, _>("source")?, 500).map_err(&invalid)?,
        )
        .map_err(&invalid)?;
        if let Some(pieces) = limit("max_pieces")? {
            set = set.with_max_pieces(pieces);
        }
        if let Some(grams) = limit("max_weight_grams")? {
            set = set.with_max_weight_grams(grams);
        }
        if let Some(days) = limit("max_medication_days")? {
            set = set.with_max_medication_days(days);
        }
        let forbidden: String = row.try_get("forbidden")?;
        let categories = forbidden
            .split(',')
            .filter(|label| !label.is_empty())
            .map(ItemCategory::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(&invalid)?;
        set = set.forbidding(&categories);
        if let (Some(currency), Some(amount)) = (
            row.try_get::<Option<String>, _>("max_cash_currency")?,
            limit("max_cash_amount")?,
        ) {
            set = set.with_max_cash(CashLimit {
                currency: CurrencyCode::parse(&currency).map_err(&invalid)?,
                amount,
            });
        }
        sets.push(set);
    }
    Ok(sets)
}

pub(super) async fn luggage_violations(
    connection: &mut sqlx::AnyConnection,
    sets: &[LuggageRuleSet],
    crossing: &CrossingId,
    on: Date,
    person: &PersonId,
) -> Result<Vec<Violation>, StoreError> {
    let Some(set) = rule_set_in_force(sets, crossing, on) else {
        return Ok(Vec::new());
    };
    let declaration = read_declaration(connection, person).await?.ok_or_else(|| {
        StoreError::day_rule(
            DayRule::Luggage,
            format!("{person} has no luggage declaration; record one (an empty one if they carry nothing)"),
        )
    })?;
    Ok(check_luggage(set, &declaration))
}

async fn write_declaration(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    person: &PersonId,
    declaration: &LuggageDeclaration,
    at: Timestamp,
    actor: &str,
) -> Result<(), StoreError> {
    for table in ["luggage_lines", "luggage_declarations"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE person_id = $1"
        )))
        .bind(person.as_str().to_string())
        .execute(&mut **transaction)
        .await?;
    }
    sqlx::query(
        "INSERT INTO luggage_declarations (person_id, pieces, weight_grams, medication_days, \
         declared_at, declared_by) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(person.as_str().to_string())
    .bind(i64::from(declaration.pieces))
    .bind(i64::from(declaration.weight_grams))
    .bind(i64::from(declaration.medication_days))
    .bind(micros(at))
    .bind(actor.to_string())
    .execute(&mut **transaction)
    .await
    .map_err(|error| {
        StoreError::from(error).on_violation("luggage_declarations_pkey", || {
            StoreError::ChangedMeanwhile(format!("the luggage declaration of {person}"))
        })
    })?;
    for line in declaration_lines(person, declaration) {
        sqlx::query(
            "INSERT INTO luggage_lines (person_id, position, kind, category, description, quantity) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(line.person)
        .bind(line.position)
        .bind(line.kind)
        .bind(line.category)
        .bind(line.description)
        .bind(line.quantity)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// One row of `luggage_lines`: an item, or cash in one currency.
pub(crate) struct DeclarationLine {
    pub(crate) person: String,
    pub(crate) position: i64,
    pub(crate) kind: &'static str,
    pub(crate) category: String,
    pub(crate) description: Option<String>,
    pub(crate) quantity: i64,
}

pub(crate) fn declaration_lines(
    person: &PersonId,
    declaration: &LuggageDeclaration,
) -> Vec<DeclarationLine> {
    let items = declaration.items.iter().map(|item| {
        (
            "item",
            item.category.as_str().to_string(),
            item.description.as_ref().map(|d| d.as_str().to_string()),
            item.quantity,
        )
    });
    let cash = declaration.cash.iter().map(|cash| {
        (
            "cash",
            cash.currency.as_str().to_string(),
            None,
            cash.amount,
        )
    });
    items
        .chain(cash)
        .enumerate()
        .map(
            |(position, (kind, category, description, quantity))| DeclarationLine {
                person: person.as_str().to_string(),
                position: position as i64,
                kind,
                category,
                description,
                quantity: i64::from(quantity),
            },
        )
        .collect()
}

async fn read_declaration(
    connection: &mut sqlx::AnyConnection,
    person: &PersonId,
) -> Result<Option<LuggageDeclaration>, StoreError> {
    let key = person.as_str();
    let Some(row) = sqlx::query(
        "SELECT pieces, weight_grams, medication_days FROM luggage_declarations WHERE person_id = $1",
    )
    .bind(key.to_string())
    .fetch_optional(&mut *connection)
    .await?
    else {
        return Ok(None);
    };
    let invalid = StoreError::from_invalid("luggage_lines", key);
    let mut declaration = LuggageDeclaration {
        pieces: small("luggage_declarations", key, row.try_get("pieces")?)?,
        weight_grams: small("luggage_declarations", key, row.try_get("weight_grams")?)?,
        medication_days: small("luggage_declarations", key, row.try_get("medication_days")?)?,
        ..LuggageDeclaration::default()
    };
    for line in sqlx::query(
        "SELECT kind, category, description, quantity FROM luggage_lines WHERE person_id = $1 \
         ORDER BY position",
    )
    .bind(key.to_string())
    .fetch_all(&mut *connection)
    .await?
    {
        let kind: String = line.try_get("kind")?;
        let category: String = line.try_get("category")?;
        let quantity = small("luggage_lines", key, line.try_get("quantity")?)?;
        if kind == "cash" {
            declaration.cash.push(CashAmount {
                currency: CurrencyCode::parse(&category).map_err(&invalid)?,
                amount: quantity,
            });
        } else {
            declaration.items.push(DeclaredItem {
                category: ItemCategory::parse(&category).map_err(&invalid)?,
                description: line
                    .try_get::<Option<String>, _>("description")?
                    .map(|d| Text::parse("description", &d, 200))
                    .transpose()
                    .map_err(&invalid)?,
                quantity,
            });
        }
    }
    Ok(Some(declaration))
}

fn declaration_json(declaration: &LuggageDeclaration) -> serde_json::Value {
    serde_json::json!({
        "pieces": declaration.pieces,
        "weight_grams": declaration.weight_grams,
        "medication_days": declaration.medication_days,
        "items": declaration.items.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "cash": declaration.cash.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}
