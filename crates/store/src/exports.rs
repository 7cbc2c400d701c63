//! Every file corridor exports, one function each, called alike by the CLI
//! (`corridor export …`, `corridor report`) and the web (the downloads of
//! `/exports` and `/api/v1/exports/…`).
//!
//! Each function gathers from the registry, records the audit entry of an
//! export about people, and only then writes the file with its
//! `corridor_interop` writer into the writer it is given: personal data
//! leaves the registry only once its export is on record. It returns what
//! it wrote (people, Bundles, rows or figures; bytes for the report). The
//! caller owns where the bytes go: the CLI a file written atomically or
//! standard output, the web the body of a download.

use std::collections::BTreeMap;
use std::io::Write;

use corridor_domain::{InvalidValue, Role, Text, TruckTarget};
use corridor_interop::aggregates::{
    DeathsRow, EvacuationRow, WaitingCell, write_aid, write_deaths, write_evacuations,
    write_utilisation, write_waiting,
};
use corridor_interop::consignments::write_consignments;
use corridor_interop::fhir::{Places, ReferralHistory, write_bundles};
use corridor_interop::figures::write_figures;
use corridor_interop::referrals::{ExportMode, write_referrals};
use corridor_interop::sitrep::render_html;
use corridor_sim::{ForecastConfig, Scenario};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::{EvacuationCount, NewAuditEntry, ReferenceData, RegistryForecast, Store, StoreError};

/// Days an aggregate export covers when its first day is not given: four
/// weeks, ending on its last day.
pub const DEFAULT_WINDOW_DAYS: i64 = 28;

/// The longest window of the situation report, in days: a year and a day.
pub const MAX_REPORT_WINDOW_DAYS: u32 = 366;

/// Longest purpose of a personal export, in characters.
pub const MAX_PURPOSE_CHARS: usize = 500;

/// The days an aggregate export covers, both included; never backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportWindow {
    pub from: Date,
    pub to: Date,
}

/// A window whose first day is after its last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{from} is after the last day, {to}; give a window that runs forwards")]
pub struct BackwardsWindow {
    pub from: Date,
    pub to: Date,
}

impl From<BackwardsWindow> for InvalidValue {
    fn from(window: BackwardsWindow) -> InvalidValue {
        InvalidValue::new("from", window.to_string())
    }
}

impl ExportWindow {
    /// The last day defaults to `today`, the first to four weeks ending on
    /// the last ([`DEFAULT_WINDOW_DAYS`]).
    pub fn new(
        from: Option<Date>,
        to: Option<Date>,
        today: Date,
    ) -> Result<ExportWindow, BackwardsWindow> {
        let to = to.unwrap_or(today);
        let from = from.unwrap_or(ExportWindow::ending(to).from);
        if from > to {
            return Err(BackwardsWindow { from, to });
        }
        Ok(ExportWindow { from, to })
    }

    /// The default window ending on `to`: [`DEFAULT_WINDOW_DAYS`] days.
    pub fn ending(to: Date) -> ExportWindow {
        ExportWindow {
            from: to.saturating_sub(jiff::Span::new().days(DEFAULT_WINDOW_DAYS - 1)),
            to,
        }
    }
}

/// Which referral file: without names, or with them for a stated purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralExport<'a> {
    /// No names, birth years in five-year bands.
    Pseudonymised,
    /// Names and exact birth years; the purpose is recorded in the audit log.
    Personal { purpose: &'a Text },
}

impl ReferralExport<'_> {
    fn mode(self) -> ExportMode {
        match self {
            ReferralExport::Pseudonymised => ExportMode::Pseudonymised,
            ReferralExport::Personal { .. } => ExportMode::Personal,
        }
    }
}

/// Who exports, when, and where to: what the audit entry of an export about
/// people records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exporter<'a> {
    pub actor: &'a str,
    pub at: Timestamp,
    /// The file written (a path, or a download's name); `None` for
    /// standard output.
    pub to: Option<&'a str>,
}

impl NewAuditEntry {
    /// The entry of a referral file exported: how many people, the purpose
    /// of a personal export, and where it went.
    pub fn referrals_exported(
        export: ReferralExport<'_>,
        people: usize,
        exporter: &Exporter<'_>,
    ) -> NewAuditEntry {
        let (action, purpose) = match export {
            ReferralExport::Pseudonymised => ("person.export-pseudonymised", None),
            ReferralExport::Personal { purpose } => ("person.export-personal", Some(purpose)),
        };
        NewAuditEntry {
            at: exporter.at,
            actor: exporter.actor.to_string(),
            action: action.to_string(),
            subject: "referrals".to_string(),
            detail: serde_json::json!({
                "people": people,
                "purpose": purpose.map(Text::as_str),
                "to": exporter.to,
            }),
        }
    }

    /// The entry of the FHIR export: pseudonymised, but still about people.
    pub fn fhir_exported(patients: usize, exporter: &Exporter<'_>) -> NewAuditEntry {
        NewAuditEntry {
            at: exporter.at,
            actor: exporter.actor.to_string(),
            action: "person.export-fhir".to_string(),
            subject: "referrals".to_string(),
            detail: serde_json::json!({
                "patients": patients,
                "to": exporter.to,
            }),
        }
    }
}

/// What the situation report is made of: the day, the window of its
/// sections, and the forecast's capacities and assumptions.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// The day the report is as of.
    pub date: Date,
    /// Days of the evacuation, death and denial sections, ending on `date`
    /// (1 to [`MAX_REPORT_WINDOW_DAYS`]).
    pub window_days: u32,
    /// The moment the aid pipeline's "in stage now" describes.
    pub now: Timestamp,
    /// Places a day of the "current" forecast; `None`: the evacuee quota in
    /// force on `date`, else the next one announced.
    pub current_capacity: Option<u32>,
    /// Places a day of the "proposed" forecast.
    pub proposed_capacity: u32,
    /// The scenario whose assumptions the forecast uses, and where it comes from.
    pub template: Scenario,
    pub origin: String,
    pub config: ForecastConfig,
}

fn write_failed(error: impl std::fmt::Display) -> StoreError {
    StoreError::Export(error.to_string())
}

impl Store {
    /// The referral file (patients and companions; returnees go the other
    /// way), on record before it is written. Returns the people written.
    pub async fn export_referrals(
        &self,
        export: ReferralExport<'_>,
        exporter: &Exporter<'_>,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError> {
        let people: Vec<_> = self
            .all_people()
            .await?
            .into_iter()
            .filter(|(person, _)| person.role() != Role::Returnee)
            .collect();
        self.record(&NewAuditEntry::referrals_exported(
            export,
            people.len(),
            exporter,
        ))
        .await?;
        let records = people.iter().map(|(person, line)| (person, line));
        write_referrals(out, records, export.mode()).map_err(write_failed)
    }

    /// One FHIR R4 Bundle per referral, one per line (NDJSON), on record
    /// before it is written. Returns the Bundles written.
    pub async fn export_fhir(
        &self,
        exporter: &Exporter<'_>,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError> {
        let histories = self.patient_histories().await?;
        let reference = self.reference().await?;
        let reasons = self.reason_codes().await?;
        self.record(&NewAuditEntry::fhir_exported(histories.len(), exporter))
            .await?;
        let places = Places {
            organisations: &reference.organisations,
            facilities: &reference.facilities,
            countries: &reference.countries,
            crossings: &reference.crossings,
        };
        write_bundles(
            out,
            histories.iter().map(|h| ReferralHistory {
                person: &h.person,
                line: &h.line,
                events: &h.events,
            }),
            places,
            &reasons,
            exporter.at,
        )
        .map_err(write_failed)
    }

    /// Patients waiting on `today` by tier, specialty and age group (HXL;
    /// counts below 5 as `<5`). Returns the rows written.
    pub async fn export_waiting_list(
        &self,
        today: Date,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError> {
        let cells: Vec<WaitingCell> = self
            .waiting_breakdown(today)
            .await?
            .into_iter()
            .map(|c| WaitingCell {
                tier: c.tier,
                specialty: c.specialty,
                age_group: c.age_group,
                count: c.count,
            })
            .collect();
        write_waiting(out, today, &cells).map_err(write_failed)
    }

    /// People evacuated per day, crossing and destination country, with the
    /// quota (HXL; counts below 5 as `<5`). Returns the rows written.
    pub async fn export_evacuations(
        &self,
        window: ExportWindow,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError> {
        let reference = self.reference().await?;
        let counts = self.evacuations(window.from, window.to).await?;
        let rows = evacuation_rows(&counts, &reference);
        write_evacuations(out, &rows).map_err(write_failed)
    }

    /// Deaths while waiting per day and tier (HXL; counts below 5 as `<5`).
    /// Returns the rows written.
    pub async fn export_deaths(
        &self,
        window: ExportWindow,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError> {
        let rows: Vec<DeathsRow> = self
            .deaths(window.from, window.to)
            .await?
            .into_iter()
            .map(|d| DeathsRow {
                date: d.date,
                tier: d.tier,
                deaths: d.count,
            })
            .collect();
        write_deaths(out, &rows).map_err(write_failed)
    }

    /// How the places of each confirmed day were used (HXL; people below
    /// 5 as `<5`). Returns the rows written.
    pub async fn export_utilisation(
        &self,
        window: ExportWindow,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError> {
        let days = self.utilisation(window.from, window.to).await?;
        write_utilisation(out, &days).map_err(write_failed)
    }

    /// Aid by day, stage reached and cargo category, with the daily truck
    /// target (HXL). Returns the rows written.
    pub async fn export_aid(
        &self,
        window: ExportWindow,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError> {
        let rows = self.aid_arrivals(window.from, window.to).await?;
        write_aid(out, &rows, TruckTarget::default().per_day).map_err(write_failed)
    }

    /// The public figures with their sources (HXL, re-importable). Returns
    /// the figures written.
    pub async fn export_figures(&self, out: &mut (dyn Write + Send)) -> Result<u64, StoreError> {
        let figures = self.figures().await?;
        write_figures(out, &figures).map_err(write_failed)
    }

    /// Every consignment with its stage times (CSV, re-importable; no
    /// personal data). Returns the consignments written.
    pub async fn export_consignments(
        &self,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError> {
        let all = self.all_consignments().await?;
        let mut records = Vec::with_capacity(all.len());
        for (consignment, _) in all {
            let record = self.consignment(&consignment.id).await?.ok_or_else(|| {
                StoreError::ChangedMeanwhile(format!("consignment {}", consignment.id))
            })?;
            records.push(record);
        }
        let rows = records
            .iter()
            .map(|record| (&record.consignment, record.events.as_slice()));
        write_consignments(out, rows).map_err(write_failed)
    }

    /// The situation report as one self-contained HTML file: the registry's
    /// figures ([`Store::situation`]) and the forecast of its backlog under
    /// the current and a proposed capacity (run off the async runtime).
    /// Returns the bytes written.
    pub async fn export_report(
        &self,
        request: &ReportRequest,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError> {
        let date = request.date;
        if !(1..=MAX_REPORT_WINDOW_DAYS).contains(&request.window_days) {
            return Err(StoreError::invalid(
                "window_days",
                format!("give 1 to {MAX_REPORT_WINDOW_DAYS} days"),
            ));
        }
        let mut data = self
            .situation(date, request.window_days, request.now)
            .await?;
        let reference = self.reference().await?;
        let summary = self.waiting_summary(date).await?;
        let current = match request.current_capacity {
            Some(places) => places,
            None => reference.current_evacuee_quota(date).ok_or_else(|| {
                StoreError::invalid(
                    "current_capacity",
                    format!(
                        "no evacuee quota is in force on {date} or announced after it; give the current capacity in places a day"
                    ),
                )
            })?,
        };
        let (weekdays, weekdays_text) = reference
            .evacuee_operating_days(date)
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        let forecast = RegistryForecast {
            template: request.template.clone(),
            origin: request.origin.clone(),
            backlog: summary.backlog_by_tier(),
            start: date,
            capacities: vec![
                (format!("current ({current} a day)"), current),
                (
                    format!("proposed ({} a day)", request.proposed_capacity),
                    request.proposed_capacity,
                ),
            ],
            weekdays,
            weekdays_text,
            config: request.config,
            measured: self.measured_turnout(date).await?,
        };
        let section = tokio::task::spawn_blocking(move || forecast.run())
            .await
            .map_err(|e| StoreError::Refused(format!("the forecast stopped: {e}")))?
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        data.forecast = Some(section);
        let html = render_html(&data);
        out.write_all(html.as_bytes()).map_err(write_failed)?;
        out.flush().map_err(write_failed)?;
        Ok(html.len() as u64)
    }
}

/// Evacuation counts summed per day, crossing and destination country,
/// patients and companions apart, with the crossing's name and quota.
fn evacuation_rows(counts: &[EvacuationCount], reference: &ReferenceData) -> Vec<EvacuationRow> {
    type Key = (Date, String, Option<(String, String)>);
    let mut rows: BTreeMap<Key, (u64, u64)> = BTreeMap::new();
    for count in counts {
        let crossing = count
            .crossing
            .as_ref()
            .map_or_else(String::new, |c| c.as_str().to_string());
        let key = (
            count.date,
            crossing,
            reference.destination(count.facility.as_ref()),
        );
        let entry = rows.entry(key).or_default();
        match count.role {
            Role::Patient => entry.0 += count.count,
            Role::Companion => entry.1 += count.count,
            // Evacuations are outbound; returnees enter and are not counted here.
            Role::Returnee => {}
        }
    }
    rows.into_iter()
        .map(
            |((date, crossing, destination), (patients, companions))| EvacuationRow {
                crossing_name: reference
                    .crossings
                    .iter()
                    .find(|c| c.id.as_str() == crossing)
                    .map_or_else(|| crossing.clone(), |c| c.name.to_string()),
                quota: reference.evacuee_quota_on(Some(&crossing), date),
                date,
                crossing,
                destination,
                patients,
                companions,
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_window_defaults_to_four_weeks_ending_today() {
        let today = date(2026, 2, 1);
        assert_eq!(
            ExportWindow::new(None, None, today),
            Ok(ExportWindow {
                from: date(2026, 1, 5),
                to: today
            })
        );
        assert_eq!(
            ExportWindow::new(None, Some(date(2026, 1, 28)), today),
            Ok(ExportWindow {
                from: date(2026, 1, 1),
                to: date(2026, 1, 28)
            })
        );
        assert_eq!(
            ExportWindow::new(Some(date(2026, 1, 20)), None, today).map(|window| window.from),
            Ok(date(2026, 1, 20))
        );
    }

    #[test]
    fn a_window_that_runs_backwards_is_refused_at_its_first_day() {
        let refused = ExportWindow::new(
            Some(date(2026, 2, 2)),
            Some(date(2026, 2, 1)),
            date(2026, 3, 1),
        )
        .unwrap_err();
        let invalid = InvalidValue::from(refused);
        assert_eq!(invalid.field, "from");
        assert_eq!(
            invalid.problem,
            "2026-02-02 is after the last day, 2026-02-01; give a window that runs forwards"
        );
    }
}
