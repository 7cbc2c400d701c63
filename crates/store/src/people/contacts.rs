//! A person's contact channels: phone numbers, whose they are, and the
//! language to use. Personal data: the edges show them only to the roles
//! that see names; no aggregate and no export reads this table.

use corridor_domain::{Contact, Language, NewContact, PersonId, PhoneNumber, Text};
use jiff::Timestamp;
use sqlx::Row;

use crate::audit::NewAuditEntry;
use crate::codec::{micros, small};
use crate::{Store, StoreError, Thing};

impl Store {
    /// The contacts a person has now (removed ones left out), in the order
    /// they were added.
    pub async fn contacts(&self, person: &PersonId) -> Result<Vec<Contact>, StoreError> {
        let rows = sqlx::query(
            "SELECT number, phone, label, language FROM contacts \
             WHERE person_id = $1 AND removed_at IS NULL ORDER BY number",
        )
        .bind(person.as_str().to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| read_contact(person.as_str(), row))
            .collect()
    }

    /// Adds a contact to a person (one transaction, one audit entry that
    /// names the person and the contact's number, not the phone number).
    pub async fn add_contact(
        &self,
        person: &PersonId,
        contact: &NewContact,
        at: Timestamp,
        actor: &str,
    ) -> Result<Contact, StoreError> {
        let mut transaction = self.write().await?;
        let known = sqlx::query("SELECT id FROM persons WHERE id = $1")
            .bind(person.as_str().to_string())
            .fetch_optional(&mut **transaction)
            .await?;
        if known.is_none() {
            return Err(StoreError::not_found(Thing::Person, person));
        }
        let duplicate = sqlx::query(
            "SELECT number FROM contacts WHERE person_id = $1 AND phone = $2 AND removed_at IS NULL",
        )
        .bind(person.as_str().to_string())
        .bind(contact.phone.as_str().to_string())
        .fetch_optional(&mut **transaction)
        .await?;
        if duplicate.is_some() {
            return Err(StoreError::Invalid {
                person: Some(person.clone()),
                invalid: corridor_domain::InvalidValue::new(
                    "phone",
                    format!(
                        "{} is already one of {person}'s contacts; remove it first to change its label or language",
                        contact.phone
                    ),
                ),
            });
        }
        // Numbers are never reused: removed contacts keep theirs.
        let last: Option<i64> =
            sqlx::query("SELECT MAX(number) AS last FROM contacts WHERE person_id = $1")
                .bind(person.as_str().to_string())
                .fetch_one(&mut **transaction)
                .await?
                .try_get("last")?;
        let number = last.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO contacts (person_id, number, phone, label, language, added_at, added_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(person.as_str().to_string())
        .bind(number)
        .bind(contact.phone.as_str().to_string())
        .bind(contact.label.as_str().to_string())
        .bind(contact.language.as_str())
        .bind(micros(at))
        .bind(actor.to_string())
        .execute(&mut **transaction)
        .await
        .map_err(|error| {
            // Two contacts added at the same moment (PostgreSQL): the later
            // one meets the first one's number.
            StoreError::from(error).on_violation("contacts_pkey", || {
                StoreError::ChangedMeanwhile(format!("{person}'s contacts"))
            })
        })?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "contact.add".to_string(),
                subject: person.to_string(),
                detail: serde_json::json!({
                    "number": number,
                    "language": contact.language.as_str(),
                }),
            })
            .await?;
        Ok(Contact {
            number: small("contacts", person.as_str(), number)?,
            phone: contact.phone.clone(),
            label: contact.label.clone(),
            language: contact.language,
        })
    }

    /// Removes a person's contact by its number (one transaction, one
    /// audit entry). The row stays, marked removed, so that its number is
    /// never given to another contact.
    pub async fn remove_contact(
        &self,
        person: &PersonId,
        number: u32,
        at: Timestamp,
        actor: &str,
    ) -> Result<Contact, StoreError> {
        let mut transaction = self.write().await?;
        let row = sqlx::query(
            "SELECT number, phone, label, language FROM contacts \
             WHERE person_id = $1 AND number = $2 AND removed_at IS NULL",
        )
        .bind(person.as_str().to_string())
        .bind(i64::from(number))
        .fetch_optional(&mut **transaction)
        .await?
        .ok_or_else(|| {
            StoreError::not_found(Thing::Contact, format!("number {number} of {person}"))
        })?;
        let contact = read_contact(person.as_str(), &row)?;
        sqlx::query(
            "UPDATE contacts SET removed_at = $1, removed_by = $2 \
             WHERE person_id = $3 AND number = $4",
        )
        .bind(micros(at))
        .bind(actor.to_string())
        .bind(person.as_str().to_string())
        .bind(i64::from(number))
        .execute(&mut **transaction)
        .await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "contact.remove".to_string(),
                subject: person.to_string(),
                detail: serde_json::json!({ "number": number }),
            })
            .await?;
        Ok(contact)
    }
}

pub(crate) fn read_contact(person: &str, row: &sqlx::any::AnyRow) -> Result<Contact, StoreError> {
    let invalid = StoreError::from_invalid("contacts", person);
    Ok(Contact {
        number: small("contacts", person, row.try_get("number")?)?,
        phone: PhoneNumber::parse(&row.try_get::<String, _>("phone")?).map_err(&invalid)?,
        label: Text::parse("label", &row.try_get::<String, _>("label")?, 200).map_err(&invalid)?,
        language: Language::parse(&row.try_get::<String, _>("language")?).map_err(&invalid)?,
    })
}

/// Inserts contacts in bulk inside a load (the demo data set): each
/// person's numbered from 1 in the order given.
pub(crate) async fn insert_contacts(
    backend: crate::Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    contacts: &[(PersonId, NewContact)],
    audit: &NewAuditEntry,
) -> Result<(), StoreError> {
    const ROWS: usize = 400;
    let mut numbers: std::collections::HashMap<&PersonId, i64> = std::collections::HashMap::new();
    let numbered: Vec<(&PersonId, i64, &NewContact)> = contacts
        .iter()
        .map(|(person, contact)| {
            let number = numbers.entry(person).or_insert(0);
            *number += 1;
            (person, *number, contact)
        })
        .collect();
    for chunk in numbered.chunks(ROWS) {
        let sql = crate::codec::insert_sql(
            backend,
            "contacts",
            "person_id, number, phone, label, language, added_at, added_by",
            7,
            chunk.len(),
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (person, number, contact) in chunk {
            query = query
                .bind(person.as_str().to_string())
                .bind(*number)
                .bind(contact.phone.as_str().to_string())
                .bind(contact.label.as_str().to_string())
                .bind(contact.language.as_str())
                .bind(micros(audit.at))
                .bind(audit.actor.clone());
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}
