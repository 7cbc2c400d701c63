//! Reference data: crossings and quotas, receiving countries and
//! facilities with their beds, and sourced public figures.

use corridor_domain::{
    BedCapacity, Case, ConsignmentCase, Country, CountryCode, Crossing, CrossingId, CrossingRules,
    Direction, Facility, FacilityId, LuggageDeclaration, LuggageRuleSet, NewContact, PersonId,
    Quota, QuotaCategory, Source, SourcedFigure, Specialty, Text, WeekdaySet,
    check_luggage_versions, check_quota_periods,
};
use sqlx::Row;

use crate::aid::insert_consignments_in;
use crate::audit::NewAuditEntry;
use crate::codec::{date, flag, insert_sql, micros, optional_date, small};
use crate::day::luggage::{declaration_lines, insert_luggage_rule_set};
use crate::day::rules::insert_crossing_rules;
use crate::people::registration::insert_cases_in;
use crate::{Backend, Store, StoreError};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReferenceData {
    /// The referring facilities, receiving agencies and coordination cell.
    pub organisations: Vec<corridor_domain::Organisation>,
    pub crossings: Vec<Crossing>,
    pub quotas: Vec<Quota>,
    pub countries: Vec<Country>,
    pub facilities: Vec<Facility>,
    pub figures: Vec<SourcedFigure>,
    pub crossing_rules: Vec<CrossingRules>,
    pub luggage_rules: Vec<LuggageRuleSet>,
}

impl Store {
    /// Loads reference data, cases and aid consignments into an empty
    /// registry in one transaction with one audit entry: all of it, or nothing.
    // Each argument is one kind of record the demo loads; a struct grouping
    // them is the follow-up (noted on issue 14).
    #[allow(clippy::too_many_arguments)]
    pub async fn load_dataset(
        &self,
        reference: &ReferenceData,
        cases: &[Case],
        luggage: &[(PersonId, LuggageDeclaration)],
        contacts: &[(PersonId, NewContact)],
        consignments: &[ConsignmentCase],
        audit: &NewAuditEntry,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        let people: i64 = sqlx::query("SELECT COUNT(*) AS n FROM persons")
            .fetch_one(&mut **transaction)
            .await?
            .try_get("n")?;
        let crossings: i64 = sqlx::query("SELECT COUNT(*) AS n FROM crossings")
            .fetch_one(&mut **transaction)
            .await?
            .try_get("n")?;
        if people > 0 || crossings > 0 {
            return Err(StoreError::Refused(format!(
                "the database is not empty (it holds {people} people and {crossings} crossings); \
                 load the data set into a new database, e.g. with another --database-url"
            )));
        }
        crate::organisations::insert_organisations(
            &mut transaction,
            &reference.organisations,
            audit.at,
        )
        .await?;
        insert_reference(&mut transaction, reference).await?;
        insert_cases_in(self.backend, &mut transaction, cases, progress).await?;
        insert_declarations(self.backend, &mut transaction, luggage, audit).await?;
        crate::people::contacts::insert_contacts(self.backend, &mut transaction, contacts, audit)
            .await?;
        insert_consignments_in(self.backend, &mut transaction, consignments, &mut |_| {}).await?;
        transaction.commit(audit).await?;
        self.refresh_statistics().await
    }

    pub async fn reference(&self) -> Result<ReferenceData, StoreError> {
        let mut data = ReferenceData {
            organisations: self.organisations().await?,
            ..ReferenceData::default()
        };
        for row in
            sqlx::query("SELECT id, name, directions, operating_days FROM crossings ORDER BY id")
                .fetch_all(&self.pool)
                .await?
        {
            let id: String = row.try_get("id")?;
            let invalid = StoreError::from_invalid("crossings", &id);
            let directions: String = row.try_get("directions")?;
            data.crossings.push(Crossing {
                id: CrossingId::parse(&id).map_err(&invalid)?,
                name: Text::parse("name", &row.try_get::<String, _>("name")?, 200)
                    .map_err(&invalid)?,
                directions: directions
                    .split(',')
                    .map(Direction::parse)
                    .collect::<Result<_, _>>()
                    .map_err(&invalid)?,
                operating_days: WeekdaySet::parse(&row.try_get::<String, _>("operating_days")?)
                    .map_err(&invalid)?,
            });
        }
        data.quotas = read_quotas(&mut *self.pool.acquire().await?).await?;
        for row in sqlx::query("SELECT code, name, open FROM countries ORDER BY code")
            .fetch_all(&self.pool)
            .await?
        {
            let code: String = row.try_get("code")?;
            let invalid = StoreError::from_invalid("countries", &code);
            data.countries.push(Country {
                code: CountryCode::parse(&code).map_err(&invalid)?,
                name: Text::parse("name", &row.try_get::<String, _>("name")?, 200)
                    .map_err(&invalid)?,
                open: row.try_get::<i64, _>("open")? != 0,
            });
        }
        let beds = sqlx::query(
            "SELECT facility, specialty, beds, from_date, to_date FROM facility_beds \
             ORDER BY facility, specialty, from_date",
        )
        .fetch_all(&self.pool)
        .await?;
        for row in sqlx::query(
            "SELECT id, name, country, requires_return_guarantee, open FROM facilities ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?
        {
            let id: String = row.try_get("id")?;
            let invalid = StoreError::from_invalid("facilities", &id);
            let mut capacities = Vec::new();
            for bed in &beds {
                if bed.try_get::<String, _>("facility")? != id {
                    continue;
                }
                capacities.push(
                    BedCapacity::new(
                        Specialty::parse(&bed.try_get::<String, _>("specialty")?)
                            .map_err(&invalid)?,
                        small("facility_beds", &id, bed.try_get("beds")?)?,
                        date(
                            "facility_beds",
                            &id,
                            &bed.try_get::<String, _>("from_date")?,
                        )?,
                        date("facility_beds", &id, &bed.try_get::<String, _>("to_date")?)?,
                    )
                    .map_err(&invalid)?,
                );
            }
            data.facilities.push(Facility {
                id: FacilityId::parse(&id).map_err(&invalid)?,
                name: Text::parse("name", &row.try_get::<String, _>("name")?, 200)
                    .map_err(&invalid)?,
                country: CountryCode::parse(&row.try_get::<String, _>("country")?)
                    .map_err(&invalid)?,
                requires_return_guarantee: row.try_get::<i64, _>("requires_return_guarantee")? != 0,
                open: row.try_get::<i64, _>("open")? != 0,
                beds: capacities,
            });
        }
        data.figures = self.figures().await?;
        data.crossing_rules = self.crossing_rules().await?;
        data.luggage_rules = self.luggage_rule_sets().await?;
        Ok(data)
    }

    pub async fn figures(&self) -> Result<Vec<SourcedFigure>, StoreError> {
        let mut figures = Vec::new();
        for row in sqlx::query(
            "SELECT key, date, label, value, unit, publisher, title, published, url, note FROM figures \
             ORDER BY key, date",
        )
        .fetch_all(&self.pool)
        .await?
        {
            let key: String = row.try_get("key")?;
            let invalid = StoreError::from_invalid("figures", &key);
            let text = |column: &'static str| -> Result<Text, StoreError> {
                Text::parse(column, &row.try_get::<String, _>(column)?, 500).map_err(&invalid)
            };
            let optional = |column: &'static str| -> Result<Option<Text>, StoreError> {
                row.try_get::<Option<String>, _>(column)?
                    .map(|value| Text::parse(column, &value, 2000))
                    .transpose()
                    .map_err(&invalid)
            };
            figures.push(SourcedFigure {
                key: key.clone(),
                label: text("label")?,
                value: row.try_get("value")?,
                unit: text("unit")?,
                date: date("figures", &key, &row.try_get::<String, _>("date")?)?,
                source: Source {
                    publisher: text("publisher")?,
                    title: text("title")?,
                    published: date("figures", &key, &row.try_get::<String, _>("published")?)?,
                    url: optional("url")?,
                },
                note: optional("note")?,
            });
        }
        Ok(figures)
    }
}

/// Every quota, by crossing, direction, category and start.
pub(crate) async fn read_quotas(
    connection: &mut sqlx::AnyConnection,
) -> Result<Vec<Quota>, StoreError> {
    let mut quotas = Vec::new();
    for row in sqlx::query(
        "SELECT crossing, direction, category, per_day, valid_from, valid_to FROM quotas \
         ORDER BY crossing, direction, category, valid_from",
    )
    .fetch_all(&mut *connection)
    .await?
    {
        let crossing: String = row.try_get("crossing")?;
        let invalid = StoreError::from_invalid("quotas", &crossing);
        quotas.push(
            Quota::new(
                CrossingId::parse(&crossing).map_err(&invalid)?,
                Direction::parse(&row.try_get::<String, _>("direction")?).map_err(&invalid)?,
                QuotaCategory::parse(&row.try_get::<String, _>("category")?).map_err(&invalid)?,
                small("quotas", &crossing, row.try_get("per_day")?)?,
                date(
                    "quotas",
                    &crossing,
                    &row.try_get::<String, _>("valid_from")?,
                )?,
                optional_date("quotas", &crossing, row.try_get("valid_to")?)?,
            )
            .map_err(&invalid)?,
        );
    }
    Ok(quotas)
}

async fn insert_reference(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    data: &ReferenceData,
) -> Result<(), StoreError> {
    for crossing in &data.crossings {
        let directions: Vec<&str> = crossing.directions.iter().map(|d| d.as_str()).collect();
        sqlx::query(
            "INSERT INTO crossings (id, name, directions, operating_days) VALUES ($1, $2, $3, $4)",
        )
        .bind(crossing.id.as_str().to_string())
        .bind(crossing.name.as_str().to_string())
        .bind(directions.join(","))
        .bind(crossing.operating_days.to_string())
        .execute(&mut **transaction)
        .await?;
    }
    check_quota_periods(&data.quotas).map_err(StoreError::from)?;
    for quota in &data.quotas {
        sqlx::query(
            "INSERT INTO quotas (crossing, direction, category, per_day, valid_from, valid_to) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(quota.crossing.as_str().to_string())
        .bind(quota.direction.as_str())
        .bind(quota.category.as_str())
        .bind(i64::from(quota.per_day))
        .bind(quota.valid_from.to_string())
        .bind(quota.valid_to.map(|d| d.to_string()))
        .execute(&mut **transaction)
        .await?;
    }
    for country in &data.countries {
        sqlx::query("INSERT INTO countries (code, name, open) VALUES ($1, $2, $3)")
            .bind(country.code.as_str().to_string())
            .bind(country.name.as_str().to_string())
            .bind(flag(country.open))
            .execute(&mut **transaction)
            .await?;
    }
    for facility in &data.facilities {
        sqlx::query(
            "INSERT INTO facilities (id, name, country, requires_return_guarantee, open) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(facility.id.as_str().to_string())
        .bind(facility.name.as_str().to_string())
        .bind(facility.country.as_str().to_string())
        .bind(flag(facility.requires_return_guarantee))
        .bind(flag(facility.open))
        .execute(&mut **transaction)
        .await?;
        for capacity in &facility.beds {
            sqlx::query(
                "INSERT INTO facility_beds (facility, specialty, beds, from_date, to_date) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(facility.id.as_str().to_string())
            .bind(capacity.specialty.as_str())
            .bind(i64::from(capacity.beds))
            .bind(capacity.from.to_string())
            .bind(capacity.to.to_string())
            .execute(&mut **transaction)
            .await?;
        }
    }
    for rules in &data.crossing_rules {
        insert_crossing_rules(transaction, rules).await?;
    }
    check_luggage_versions(&data.luggage_rules).map_err(StoreError::from)?;
    for set in &data.luggage_rules {
        insert_luggage_rule_set(transaction, set).await?;
    }
    insert_figures(transaction, &data.figures).await
}

pub(crate) async fn insert_figures(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    figures: &[SourcedFigure],
) -> Result<(), StoreError> {
    for figure in figures {
        sqlx::query(
            "INSERT INTO figures (key, date, label, value, unit, publisher, title, published, url, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(figure.key.clone())
        .bind(figure.date.to_string())
        .bind(figure.label.as_str().to_string())
        .bind(figure.value)
        .bind(figure.unit.as_str().to_string())
        .bind(figure.source.publisher.as_str().to_string())
        .bind(figure.source.title.as_str().to_string())
        .bind(figure.source.published.to_string())
        .bind(figure.source.url.as_ref().map(|u| u.as_str().to_string()))
        .bind(figure.note.as_ref().map(|n| n.as_str().to_string()))
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// Writes luggage declarations of people registered in the same
/// transaction, with multi-row INSERTs.
async fn insert_declarations(
    backend: Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    luggage: &[(PersonId, LuggageDeclaration)],
    audit: &NewAuditEntry,
) -> Result<(), StoreError> {
    const ROWS: usize = 400;
    for chunk in luggage.chunks(ROWS) {
        let sql = insert_sql(
            backend,
            "luggage_declarations",
            "person_id, pieces, weight_grams, medication_days, declared_at, declared_by",
            6,
            chunk.len(),
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (person, declaration) in chunk {
            query = query
                .bind(person.as_str().to_string())
                .bind(i64::from(declaration.pieces))
                .bind(i64::from(declaration.weight_grams))
                .bind(i64::from(declaration.medication_days))
                .bind(micros(audit.at))
                .bind(audit.actor.clone());
        }
        query.execute(&mut **transaction).await?;
    }
    let lines: Vec<_> = luggage
        .iter()
        .flat_map(|(person, declaration)| declaration_lines(person, declaration))
        .collect();
    for chunk in lines.chunks(ROWS) {
        let sql = insert_sql(
            backend,
            "luggage_lines",
            "person_id, position, kind, category, description, quantity",
            6,
            chunk.len(),
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for line in chunk {
            query = query
                .bind(line.person.clone())
                .bind(line.position)
                .bind(line.kind)
                .bind(line.category.clone())
                .bind(line.description.clone())
                .bind(line.quantity);
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}
