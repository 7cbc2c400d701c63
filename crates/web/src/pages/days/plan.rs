//! The day plan with its reasons, the people left out (paged and
//! filtered), the override of one person on a page of its own, and the
//! printable manifest. Once the day is confirmed, the same page shows its
//! freed places and standby list, and the forms that amend the manifest:
//! fill the freed places from standby, add a party by hand, remove one.
//!
//! The plan page holds no form per person: the picks and one page of the
//! people left out, each with a link to the override page of that person.
//! That keeps the busiest day's page small (the demo's was about 1 MB with a
//! form for each of some 1,400 people).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{AmendmentKind, Permission, PersonId, Specialty, Tier};
use corridor_store::Amended;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::{crossings, day_link};
use crate::api::days::{
    AmendRequest, CancelRequest, ConfirmRequest, DayQuery, FacilityChoice, LeftOutView,
    ManifestView, OverrideRequest, PersonFacts, PlanView, StandbyView, amend_for, cancel_for,
    confirm_for, facility_choices, override_for, plan_and_inputs, read_manifest, standby_for,
};
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageResult};
use crate::pages::form::{Refusal, answer};
use crate::pages::{Chrome, PageRoutes, flash, render};
use crate::state::AppState;

pub(super) fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/plan", plan)
        .get("/plan/override", override_page)
        .post("/plan/overrides", set_override)
        .post("/plan/confirm", confirm)
        .post("/plan/amend", amend)
        .post("/plan/cancel", cancel)
        .get("/plan/manifest", manifest)
}

/// People left out shown on one page of the plan.
const LEFT_OUT_PAGE: usize = 25;

/// The plan page's address: the day, and the filter and page of the people
/// left out. Every field is text, so that any address opens a page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct PlanQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crossing: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    direction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    /// `critical`, `urgent` or `routine`; empty: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tier: Option<String>,
    /// A specialty; empty: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    specialty: Option<String>,
    /// `child` or `adult`; empty: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    age: Option<String>,
    /// The page of the people left out, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

impl PlanQuery {
    fn day(&self) -> DayQuery {
        DayQuery {
            crossing: self.crossing.clone(),
            date: self.date.clone(),
            direction: self.direction.clone(),
            method: self.method.clone(),
        }
    }

    fn filter(&self) -> LeftOutFilter {
        let given = |field: &Option<String>| {
            field
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_string)
        };
        LeftOutFilter {
            tier: given(&self.tier),
            specialty: given(&self.specialty),
            age: given(&self.age),
        }
    }

    fn page(&self) -> usize {
        self.page
            .as_deref()
            .and_then(|page| page.trim().parse::<usize>().ok())
            .unwrap_or(1)
            .max(1)
    }

    /// This page's address with another page of the people left out.
    fn with_page(&self, page: usize) -> String {
        let query = PlanQuery {
            page: Some(page.to_string()),
            ..self.clone()
        };
        format!(
            "/plan?{}#left-out",
            serde_urlencoded::to_string(&query).unwrap_or_default()
        )
    }
}

/// Which people left out the coordinator is looking at.
#[derive(Debug, Clone, Default)]
struct LeftOutFilter {
    tier: Option<String>,
    specialty: Option<String>,
    age: Option<String>,
}

impl LeftOutFilter {
    fn matches(&self, facts: &PersonFacts) -> bool {
        let keeps = |wanted: &Option<String>, has: &Option<String>| {
            wanted.is_none() || wanted.as_deref() == has.as_deref()
        };
        keeps(&self.tier, &facts.tier)
            && keeps(&self.specialty, &facts.specialty)
            && keeps(&self.age, &facts.age_group)
    }

    fn is_empty(&self) -> bool {
        self.tier.is_none() && self.specialty.is_none() && self.age.is_none()
    }
}

/// One page of the people left out who match the filter.
struct LeftOutPage {
    rows: Vec<LeftOutView>,
    /// How many match the filter, on all pages.
    matching: usize,
    page: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
}

fn left_out_page(left_out: Vec<LeftOutView>, query: &PlanQuery) -> LeftOutPage {
    let filter = query.filter();
    let matching: Vec<LeftOutView> = left_out
        .into_iter()
        .filter(|l| filter.matches(&l.facts))
        .collect();
    let pages = matching.len().div_ceil(LEFT_OUT_PAGE).max(1);
    let page = query.page().min(pages);
    let count = matching.len();
    LeftOutPage {
        rows: matching
            .into_iter()
            .skip((page - 1) * LEFT_OUT_PAGE)
            .take(LEFT_OUT_PAGE)
            .collect(),
        matching: count,
        page,
        pages,
        previous: (page > 1).then(|| query.with_page(page - 1)),
        next: (page < pages).then(|| query.with_page(page + 1)),
    }
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    plan: PlanView,
    crossings: Vec<(String, String)>,
    can_view_manifest: bool,
    manifest_link: String,
    other_direction: String,
    inbound_plan: String,
    /// This day's plan without a filter.
    unfiltered: String,
    left_out_total: usize,
    left_out: LeftOutPage,
    filter: LeftOutFilter,
    tiers: &'static [Tier],
    specialties: &'static [Specialty],
    /// Why the confirmation was refused, shown beside its button.
    confirm_refusal: Option<Refusal>,
    /// A confirmed day's freed places, standby list and amendment forms.
    standby: Option<StandbySection>,
    /// An amendment refused on a day that shows no amendment form (not
    /// confirmed, or closed): said above the plan.
    amend_elsewhere: Option<Refusal>,
}

impl PlanPage {
    /// The override page of one person on this day.
    fn override_link(&self, person: &str) -> String {
        person_link(&self.plan, person)
    }

    /// Outbound, capped at no places because nobody has come in yet.
    fn waits_for_inbound(&self) -> bool {
        self.plan.direction == "outbound"
            && self.plan.entries_equal_exits
            && self.plan.cap.as_ref().is_some_and(|cap| cap.places == 0)
    }
}

fn person_link(plan: &PlanView, person: &str) -> String {
    #[derive(Serialize)]
    struct Link<'a> {
        crossing: &'a str,
        date: &'a str,
        direction: &'a str,
        person: &'a str,
    }
    format!(
        "/plan/override?{}",
        serde_urlencoded::to_string(Link {
            crossing: &plan.crossing,
            date: &plan.date,
            direction: &plan.direction,
            person,
        })
        .unwrap_or_default()
    )
}

async fn plan(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<PlanQuery>,
) -> PageResult<Response> {
    plan_page(&state, &identity, &session, &query, None).await
}

/// Which form of the plan page was refused, with what was typed.
enum Refused {
    Confirm(Refusal),
    Amend(AmendForm, Refusal),
}

async fn plan_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    query: &PlanQuery,
    refused: Option<Refused>,
) -> PageResult<Response> {
    let (_, mut plan) = plan_and_inputs(state, identity, &query.day()).await?;
    let status = match &refused {
        Some(Refused::Confirm(refusal) | Refused::Amend(_, refusal)) => Some(refusal.clone()),
        None => None,
    };
    let (confirm_refusal, amend_refused) = match refused {
        Some(Refused::Confirm(refusal)) => (Some(refusal), None),
        Some(Refused::Amend(form, refusal)) => (None, Some((form, refusal))),
        None => (None, None),
    };
    // A cancelled day is not amended: no standby section, no forms.
    let open = plan
        .confirmed
        .as_ref()
        .is_some_and(|manifest| manifest.cancelled.is_none());
    let (standby, amend_elsewhere) = if open && plan.closed_reason.is_none() {
        let section = standby_section(state, identity, &plan, amend_refused).await?;
        (Some(section), None)
    } else {
        (None, amend_refused.map(|(_, refusal)| refusal))
    };
    let chrome = Chrome::new(
        identity,
        session,
        state,
        "/plan",
        format!(
            "Day plan: {} {} {}",
            plan.crossing, plan.date, plan.direction
        ),
    )
    .await?;
    let left_out_total = plan.left_out.len();
    let left_out = left_out_page(std::mem::take(&mut plan.left_out), query);
    let page = PlanPage {
        chrome,
        crossings: crossings(state).await?,
        can_view_manifest: identity.can(Permission::ViewManifests),
        manifest_link: day_link(
            "/plan/manifest",
            &plan.crossing,
            &plan.date,
            Some(&plan.direction),
        ),
        other_direction: day_link(
            "/plan",
            &plan.crossing,
            &plan.date,
            Some(if plan.direction == "outbound" {
                "inbound"
            } else {
                "outbound"
            }),
        ),
        inbound_plan: day_link("/plan", &plan.crossing, &plan.date, Some("inbound")),
        unfiltered: day_link("/plan", &plan.crossing, &plan.date, Some(&plan.direction)),
        left_out_total,
        left_out,
        filter: query.filter(),
        tiers: Tier::ALL,
        specialties: Specialty::ALL,
        plan,
        confirm_refusal,
        standby,
        amend_elsewhere,
    };
    Ok(answer(render(&page)?, status.as_ref()))
}

/// The amendment forms of a confirmed day, as sent (the hidden `kind`
/// says which); every field is text so that a refused form comes back
/// exactly as it was typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct AmendForm {
    #[serde(default)]
    crossing: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    direction: String,
    /// `fill`, `add` or `remove`; `cancel` on the form that cancels the
    /// day (posted to `/plan/cancel`).
    #[serde(default)]
    kind: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    facility: String,
    #[serde(default)]
    reason: String,
}

/// A field as typed, or `None` when left empty.
fn given(text: &str) -> Option<String> {
    Some(text.to_string()).filter(|text| !text.trim().is_empty())
}

impl AmendForm {
    /// The day's page the form was sent from, to go back to when it is done.
    fn day_page(&self) -> String {
        day_link(
            "/plan",
            self.crossing.trim(),
            self.date.trim(),
            given(&self.direction).as_deref().map(str::trim),
        )
    }

    /// The day's page, to show again with a refused form.
    fn day_query(&self) -> PlanQuery {
        PlanQuery {
            crossing: Some(self.crossing.clone()),
            date: Some(self.date.clone()),
            direction: given(&self.direction),
            ..PlanQuery::default()
        }
    }

    /// The form that cancels the day (kind `cancel`, not an amendment).
    fn cancels(&self) -> bool {
        self.kind.trim() == "cancel"
    }

    fn kind(&self) -> Option<AmendmentKind> {
        AmendmentKind::parse(self.kind.trim()).ok()
    }

    /// The fields of its form, by the names the API's errors use.
    fn fields(&self) -> &'static [&'static str] {
        if self.cancels() {
            return &["reason"];
        }
        match self.kind() {
            Some(AmendmentKind::Add) => &["person", "facility"],
            Some(AmendmentKind::Remove) => &["person", "reason"],
            Some(AmendmentKind::Fill) | None => &[],
        }
    }
}

/// The freed places of a confirmed day, its standby list and the forms
/// that amend its manifest, with what was typed in a refused one.
struct StandbySection {
    view: StandbyView,
    outbound: bool,
    /// The receiving facilities a party added by hand may go to, as
    /// (id, name).
    facilities: Vec<(String, String)>,
    fill_refusal: Option<Refusal>,
    add: AmendForm,
    add_refusal: Option<Refusal>,
    remove: AmendForm,
    remove_refusal: Option<Refusal>,
    cancel: AmendForm,
    cancel_refusal: Option<Refusal>,
}

impl StandbySection {
    /// "3 places freed: 2 declined, 1 unreachable".
    fn freed_summary(&self) -> String {
        let total: u32 = self.view.freed.iter().map(|f| f.people).sum();
        if total == 0 {
            return "No place has been freed yet: a decline, an unreachable party after the \
                    cut-off, a no-show, a turn-back or a removal frees one."
                .to_string();
        }
        let by_why: Vec<String> = self
            .view
            .freed
            .iter()
            .map(|f| format!("{} {}", f.people, f.state))
            .collect();
        format!("{} freed: {}.", places(total), by_why.join(", "))
    }

    fn free_now(&self) -> String {
        places(self.view.free)
    }

    fn facility_chosen(&self, id: &str) -> bool {
        self.add.facility.trim() == id
    }
}

/// "1 place", "3 places".
fn places(count: u32) -> String {
    if count == 1 {
        "1 place".to_string()
    } else {
        format!("{count} places")
    }
}

async fn standby_section(
    state: &AppState,
    identity: &Identity,
    plan: &PlanView,
    refused: Option<(AmendForm, Refusal)>,
) -> Result<StandbySection, AppError> {
    let day = DayQuery {
        crossing: Some(plan.crossing.clone()),
        date: Some(plan.date.clone()),
        direction: Some(plan.direction.clone()),
        method: None,
    };
    let view = standby_for(state, identity, &day).await?;
    let outbound = plan.direction == "outbound";
    let facilities = if outbound {
        state
            .store
            .reference()
            .await?
            .facilities
            .iter()
            .map(|f| (f.id.to_string(), f.name.as_str().to_string()))
            .collect()
    } else {
        Vec::new()
    };
    let mut section = StandbySection {
        view,
        outbound,
        facilities,
        fill_refusal: None,
        add: AmendForm::default(),
        add_refusal: None,
        remove: AmendForm::default(),
        remove_refusal: None,
        cancel: AmendForm::default(),
        cancel_refusal: None,
    };
    if let Some((form, refusal)) = refused {
        if form.cancels() {
            section.cancel = form;
            section.cancel_refusal = Some(refusal);
            return Ok(section);
        }
        match form.kind() {
            Some(AmendmentKind::Add) => {
                section.add = form;
                section.add_refusal = Some(refusal);
            }
            Some(AmendmentKind::Remove) => {
                section.remove = form;
                section.remove_refusal = Some(refusal);
            }
            Some(AmendmentKind::Fill) | None => section.fill_refusal = Some(refusal),
        }
    }
    Ok(section)
}

/// Fills the freed places from standby, or adds or removes a party; then
/// back to the day's page with what was done, or the page again with the
/// refused form as typed.
async fn amend(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<AmendForm>,
) -> PageResult<Response> {
    let request = AmendRequest {
        crossing: form.crossing.clone(),
        date: form.date.clone(),
        direction: given(&form.direction),
        kind: form.kind.clone(),
        person: given(&form.person),
        facility: given(&form.facility),
        reason: given(&form.reason),
    };
    match amend_for(&state, &identity, &request).await {
        Ok(amended) => {
            flash(&session, amended_message(&amended)).await;
            Ok(Redirect::to(&form.day_page()).into_response())
        }
        Err(error) => {
            let fields = form.fields();
            let refusal = Refusal::of(error, |field| Refusal::named(field, fields))?;
            let query = form.day_query();
            plan_page(
                &state,
                &identity,
                &session,
                &query,
                Some(Refused::Amend(form, refusal)),
            )
            .await
        }
    }
}

/// Cancels a confirmed day (the crossing did not open); then back to the
/// day's page, which says so, or the page again with the reason as typed.
async fn cancel(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<AmendForm>,
) -> PageResult<Response> {
    let request = CancelRequest {
        crossing: form.crossing.clone(),
        date: form.date.clone(),
        direction: given(&form.direction),
        reason: given(&form.reason),
    };
    match cancel_for(&state, &identity, &request).await {
        Ok(cancelled) => {
            let parties = cancelled.parties.len();
            flash(
                &session,
                format!(
                    "Day cancelled: {parties} {} ({} people) back on the waiting list as cleared, \
                     beds released; {} {} to the parties taken off and those on standby.",
                    if parties == 1 { "party" } else { "parties" },
                    cancelled.people,
                    cancelled.notices,
                    if cancelled.notices == 1 {
                        "notice queued"
                    } else {
                        "notices queued"
                    },
                ),
            )
            .await;
            Ok(Redirect::to(&form.day_page()).into_response())
        }
        Err(error) => {
            let form = AmendForm {
                kind: "cancel".to_string(),
                ..form
            };
            let refusal = Refusal::of(error, |field| Refusal::named(field, form.fields()))?;
            let query = form.day_query();
            plan_page(
                &state,
                &identity,
                &session,
                &query,
                Some(Refused::Amend(form, refusal)),
            )
            .await
        }
    }
}

/// What an amendment did, for the notice on the day's page.
fn amended_message(amended: &Amended) -> String {
    let parties: Vec<String> = amended
        .parties
        .iter()
        .map(|party| {
            let people = 1 + party.companions.len();
            let mut said = format!(
                "{} ({} {}",
                party.person,
                people,
                if people == 1 { "person" } else { "people" }
            );
            if !party.companions.is_empty() {
                let companions: Vec<&str> = party.companions.iter().map(PersonId::as_str).collect();
                said.push_str(&format!(": with {}", companions.join(", ")));
            }
            if let Some(facility) = &party.facility {
                match amended.kind {
                    AmendmentKind::Remove => {
                        said.push_str(&format!(", bed at {facility} released"));
                    }
                    AmendmentKind::Fill | AmendmentKind::Add => {
                        said.push_str(&format!(", bed at {facility}"));
                    }
                }
            }
            said.push(')');
            said
        })
        .collect();
    let free = places(amended.free);
    match amended.kind {
        AmendmentKind::Fill => format!(
            "Added from standby: {}. {free} still free.",
            parties.join("; ")
        ),
        AmendmentKind::Add => format!("Added by hand: {}. {free} still free.", parties.join("; ")),
        AmendmentKind::Remove => format!(
            "Removed from the manifest: {}; back on the waiting list as cleared. {free} free now.",
            parties.join("; ")
        ),
    }
}

/// The override form as typed; every field is text so that a refused form
/// comes back exactly as it was sent.
#[derive(Debug, Clone, Default, Deserialize)]
struct OverrideForm {
    #[serde(default)]
    crossing: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    facility: String,
}

const OVERRIDE_FIELDS: [&str; 3] = ["action", "reason", "facility"];

/// Where one person stands on the day's plan.
enum Standing {
    Picked {
        facility: Option<String>,
        companions: Vec<String>,
        reason: String,
    },
    LeftOut {
        reason: String,
    },
}

#[derive(Template)]
#[template(path = "plan_override.html")]
struct OverridePage {
    chrome: Chrome,
    plan_link: String,
    crossing: String,
    date: String,
    direction: String,
    person: String,
    facts: PersonFacts,
    standing: Standing,
    /// The override the person has now, if any: `include` or `exclude`, and why.
    current: Option<(String, String)>,
    facilities: Vec<FacilityChoice>,
    form: OverrideForm,
    refusal: Option<Refusal>,
}

#[derive(Debug, Deserialize)]
struct PersonQuery {
    #[serde(default)]
    crossing: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    direction: Option<String>,
    #[serde(default)]
    person: String,
}

async fn override_page(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<PersonQuery>,
) -> PageResult<Response> {
    let form = OverrideForm {
        crossing: query.crossing.unwrap_or_default(),
        date: query.date.unwrap_or_default(),
        direction: query.direction.unwrap_or_default(),
        person: query.person.trim().to_string(),
        ..OverrideForm::default()
    };
    override_form_page(&state, &identity, &session, form, None).await
}

async fn override_form_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    mut form: OverrideForm,
    refusal: Option<Refusal>,
) -> PageResult<Response> {
    let day = DayQuery {
        crossing: given(&form.crossing),
        date: given(&form.date),
        direction: given(&form.direction),
        method: None,
    };
    let (inputs, plan) = plan_and_inputs(state, identity, &day).await?;
    let person = PersonId::parse(&form.person)
        .map_err(|invalid| AppError::bad_request("person", invalid.to_string()))?;
    if plan.confirmed.is_some() {
        return Err(AppError::Conflict(format!(
            "the {} plan of {} on {} is confirmed; it can no longer be overridden",
            plan.direction, plan.crossing, plan.date
        ))
        .into());
    }
    let (standing, facts) = if let Some(pick) = plan.picks.iter().find(|p| p.person == form.person)
    {
        let standing = Standing::Picked {
            facility: pick.facility.clone(),
            companions: pick.companions.clone(),
            reason: pick.reason.clone(),
        };
        (standing, pick.facts.clone())
    } else if let Some(left) = plan.left_out.iter().find(|l| l.person == form.person) {
        let standing = Standing::LeftOut {
            reason: left.reason.clone(),
        };
        (standing, left.facts.clone())
    } else {
        return Err(AppError::NotFound(format!(
            "{person} is not a cleared person waiting for the {} plan of {} on {}",
            plan.direction, plan.crossing, plan.date
        ))
        .into());
    };
    let current = plan
        .overrides
        .iter()
        .find(|o| o.person == form.person)
        .map(|o| (o.kind.clone(), o.reason.clone()));
    if form.action.is_empty() {
        // Offered first: the change that moves the person across.
        form.action = match standing {
            Standing::Picked { .. } => "remove",
            Standing::LeftOut { .. } => "add",
        }
        .to_string();
    }
    let names: HashMap<_, _> = state
        .store
        .reference()
        .await?
        .facilities
        .iter()
        .map(|f| (f.id.clone(), f.name.as_str().to_string()))
        .collect();
    let facilities = if plan.direction == "outbound" {
        facility_choices(&inputs, &person, &names)
    } else {
        Vec::new()
    };
    let chrome = Chrome::new(
        identity,
        session,
        state,
        "/plan",
        format!("Override for {person}: {} {}", plan.crossing, plan.date),
    )
    .await?;
    let page = OverridePage {
        chrome,
        plan_link: day_link("/plan", &plan.crossing, &plan.date, Some(&plan.direction)),
        crossing: plan.crossing,
        date: plan.date,
        direction: plan.direction,
        person: person.to_string(),
        facts,
        standing,
        current,
        facilities,
        form,
        refusal,
    };
    Ok(answer(render(&page)?, page.refusal.as_ref()))
}

async fn set_override(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<OverrideForm>,
) -> PageResult<Response> {
    let request = OverrideRequest {
        crossing: form.crossing.clone(),
        date: form.date.clone(),
        direction: Some(form.direction.clone()).filter(|d| !d.is_empty()),
        person: form.person.clone(),
        action: form.action.clone(),
        reason: form.reason.clone(),
        facility: Some(form.facility.clone()).filter(|f| !f.trim().is_empty()),
    };
    match override_for(&state, &identity, &request).await {
        Ok(result) => {
            let person = form.person.trim();
            let pick = result.plan.picks.iter().find(|p| p.person == person);
            let mut message = match (form.action.trim(), pick) {
                ("withdraw", _) => format!("Withdrew the override of {person}."),
                (_, Some(pick)) => format!(
                    "{person} is now on the plan{}.",
                    pick.facility
                        .as_deref()
                        .map(|f| format!(", with a bed at {f}"))
                        .unwrap_or_default()
                ),
                (_, None) => format!("{person} is now off the plan."),
            };
            if result.displaced.is_empty() {
                message.push_str(" Nobody else left the plan.");
            } else {
                message.push_str(&format!(
                    " It displaced {}, now left out.",
                    result.displaced.join(", ")
                ));
            }
            flash(&session, message).await;
            let back = day_link(
                "/plan",
                &result.plan.crossing,
                &result.plan.date,
                Some(&result.plan.direction),
            );
            Ok(Redirect::to(&back).into_response())
        }
        Err(error) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &OVERRIDE_FIELDS))?;
            override_form_page(&state, &identity, &session, form, Some(refusal)).await
        }
    }
}

async fn confirm(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<ConfirmRequest>,
) -> PageResult<Response> {
    match confirm_for(&state, &identity, &form).await {
        Ok(m) => {
            flash(
                &session,
                format!(
                    "Confirmed the {} manifest of {} on {}: {} people in {} parties scheduled{}.",
                    m.direction,
                    m.crossing,
                    m.date,
                    m.people,
                    m.parties.len(),
                    if m.direction == "outbound" {
                        ", each patient's bed held"
                    } else {
                        ""
                    }
                ),
            )
            .await;
            let back = day_link("/plan", &m.crossing, &m.date, Some(&m.direction));
            Ok(Redirect::to(&back).into_response())
        }
        Err(error) => {
            // The confirm form has no field to correct: the message is for
            // the form, beside its button.
            let refusal = Refusal::of(error, |_| None)?;
            let query = PlanQuery {
                crossing: Some(form.crossing),
                date: Some(form.date),
                direction: form.direction,
                method: form.method,
                ..PlanQuery::default()
            };
            plan_page(
                &state,
                &identity,
                &session,
                &query,
                Some(Refused::Confirm(refusal)),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "manifest.html")]
struct ManifestPage {
    chrome: Chrome,
    manifest: ManifestView,
}

async fn manifest(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<DayQuery>,
) -> PageResult<Response> {
    let manifest = read_manifest(&state, &identity, &query).await?;
    let chrome = Chrome::new(
        &identity,
        &session,
        &state,
        "/plan",
        format!(
            "Manifest {} {} {}",
            manifest.crossing, manifest.date, manifest.direction
        ),
    )
    .await?;
    Ok(render(&ManifestPage { chrome, manifest })?)
}
