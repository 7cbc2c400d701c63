//! The gate: each party of the day's manifests as a card, its outcome, and
//! the undo of an outcome tapped in error. Recording keeps the officer at
//! the card they were on (the redirect names it in the URL fragment); a
//! refused outcome shows the page again with the message inside its card.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{
    GateChange, GateOutcome, GateParty, GateProposal, PersonId, ReasonKind, check_gate,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::crossings;
use crate::api::days::{
    GateRequest, GateUndoRequest, ManifestView, ReconciliationView, gate_day, record_outcome,
    undo_outcome,
};
use crate::api::days::{MemberView, PartyView};
use crate::api::reasons::choices;
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageResult};
use crate::pages::form::{Refusal, answer};
use crate::pages::{Chrome, PageRoutes, flash, render};
use crate::state::AppState;

pub(super) fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/gate", gate)
        .post("/gate", record)
        .post("/gate/undo", undo)
}

/// The gate asked for: the day, and which cards to show.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct GateView {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    crossing: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    date: String,
    /// A person's id or (for those who may see names) part of a name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    q: String,
    /// `expected`: only the parties not yet recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    show: String,
}

impl GateView {
    fn only_expected(&self) -> bool {
        self.show == SHOW_EXPECTED
    }

    /// The gate's address for this view, at the element `anchor` if given
    /// (a party's card, or one person's row in it).
    fn link_to(&self, anchor: Option<String>) -> String {
        let query = serde_urlencoded::to_string(self).unwrap_or_default();
        let fragment = anchor.map(|id| format!("#{id}")).unwrap_or_default();
        format!("/gate?{query}{fragment}")
    }

    /// Whether a party is shown: not yet recorded when only those are
    /// asked for, and matching the search by the id or the name (shown
    /// only to those who may see names) of anyone in it.
    fn shows(&self, party: &PartyView) -> bool {
        if self.only_expected() && !someone_expected(party) {
            return false;
        }
        let wanted = self.q.trim().to_lowercase();
        wanted.is_empty()
            || std::iter::once(&party.head)
                .chain(&party.companions)
                .any(|member| matches_search(member, &wanted))
    }
}

const SHOW_EXPECTED: &str = "expected";

/// Someone in the party is still to be recorded.
fn someone_expected(party: &PartyView) -> bool {
    std::iter::once(&party.head)
        .chain(&party.companions)
        .any(|member| member.state == EXPECTED)
}

const EXPECTED: &str = "expected";

fn matches_search(member: &MemberView, wanted: &str) -> bool {
    member.person.to_lowercase().contains(wanted)
        || member
            .name
            .as_deref()
            .is_some_and(|name| name.to_lowercase().contains(wanted))
}

/// The element id of a party's card, which the redirect after a tap names.
fn card_id(party: &str) -> String {
    format!("party-{party}")
}

/// The element id of one person's row in a card, which the redirect after
/// a tap for that person names.
fn member_id(person: &str) -> String {
    format!("member-{person}")
}

/// A form of a card, as it was sent: an outcome, or the undo of one.
#[derive(Debug, Clone, Default, Deserialize)]
struct GateForm {
    #[serde(default)]
    crossing: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    show: String,
    #[serde(default)]
    person: String,
    /// One person of the party, on the forms of their row; empty on the
    /// party's own forms.
    #[serde(default)]
    member: String,
    /// `crossed`, `turned-back` or `no-show`; empty on the undo form.
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason_code: String,
    #[serde(default)]
    note: String,
    /// Why an outcome is undone (the undo form).
    #[serde(default)]
    reason: String,
    /// The next party still expected after this one, where the officer is
    /// taken when the recorded card leaves a "not yet recorded" view.
    #[serde(default)]
    next: String,
}

impl GateForm {
    fn view(&self) -> GateView {
        GateView {
            crossing: self.crossing.clone(),
            date: self.date.clone(),
            q: self.q.clone(),
            show: self.show.clone(),
        }
    }
}

/// The kind of form of a card that was refused.
const UNDO: &str = "undo";

/// One party's card, with what was typed in it when a form of it was
/// refused.
struct Card {
    party: PartyView,
    /// The next party still expected after this one, in page order.
    next_expected: Option<String>,
    /// The form refused in this card (`crossed`, `turned-back`,
    /// `no-show` or `undo`, for one person `PERSON:` before it), as typed,
    /// and why.
    refused: Option<(GateForm, Refusal)>,
    /// The party as the gate's rules see it, which decides the actions
    /// offered ([`GateParty::allows`]).
    gate: Option<GateParty>,
}

impl Card {
    fn id(&self) -> String {
        card_id(&self.party.head.person)
    }

    fn members(&self) -> impl Iterator<Item = &MemberView> {
        std::iter::once(&self.party.head).chain(&self.party.companions)
    }

    /// Someone in the party is still to be recorded.
    fn open(&self) -> bool {
        someone_expected(&self.party)
    }

    /// The party's own `outcome` for those still expected keeps the
    /// gate's rules (the button is offered).
    fn party_allows(&self, outcome: &str) -> bool {
        let (Some(gate), Ok(outcome)) = (&self.gate, GateOutcome::parse(outcome)) else {
            return false;
        };
        let proposal = GateProposal {
            people: gate.expected(),
            change: GateChange::Record(outcome),
        };
        check_gate(gate, &proposal).is_empty()
    }

    /// Whether the card offers actions for one person at a time: a patient
    /// with companions (a returnee or a patient alone is the party).
    fn per_person(&self) -> bool {
        !self.party.companions.is_empty()
    }

    /// `change` (`crossed`, `turned-back`, `no-show` or `undo`) for
    /// `person` alone keeps the gate's rules (the row offers it).
    fn member_allows(&self, person: &str, change: &str) -> bool {
        let (Some(gate), Ok(person)) = (&self.gate, PersonId::parse(person)) else {
            return false;
        };
        let change = if change == UNDO {
            GateChange::Undo
        } else {
            match GateOutcome::parse(change) {
                Ok(outcome) => GateChange::Record(outcome),
                Err(_) => return false,
            }
        };
        gate.allows(&person, change)
    }

    /// Whether `person`'s row has any action to offer.
    fn member_has_actions(&self, person: &str, may_undo: bool) -> bool {
        ["crossed", "turned-back", "no-show"]
            .iter()
            .any(|outcome| self.member_allows(person, outcome))
            || (may_undo && self.member_allows(person, UNDO))
    }

    /// The kind of a form of `person`'s row.
    fn member_kind(&self, person: &str, change: &str) -> String {
        format!("{person}:{change}")
    }

    /// A form of `person`'s row was refused (their actions are shown open).
    fn member_refused(&self, person: &str) -> bool {
        self.refused
            .as_ref()
            .is_some_and(|(form, _)| form.member.trim() == person)
    }

    /// A refusal whose form the card no longer offers (the party changed
    /// between showing the button and the tap): said at the top of the
    /// card, so that no message is lost.
    fn orphan_refusal(&self) -> Option<Refusal> {
        let (form, refusal) = self.refused.as_ref()?;
        let change = if form.outcome.is_empty() {
            UNDO
        } else {
            form.outcome.as_str()
        };
        let offered = match (form.member.trim(), change) {
            ("", UNDO) => self.undoable().is_some(),
            ("", outcome) => self.open() && self.party_allows(outcome),
            (member, change) => self.per_person() && self.member_allows(member, change),
        };
        (!offered).then(|| refusal.clone())
    }

    /// The refusal of this card's form of `kind`, if that one was refused.
    fn refusal(&self, kind: &str) -> Option<Refusal> {
        self.refused
            .as_ref()
            .filter(|(form, _)| form_kind(form) == kind)
            .map(|(_, refusal)| refusal.clone())
    }

    /// What was typed in the field of this card's form of `kind`.
    fn typed(&self, kind: &str, field: &str) -> &str {
        let Some((form, _)) = self.refused.as_ref().filter(|(f, _)| form_kind(f) == kind) else {
            return "";
        };
        match field {
            "reason_code" => &form.reason_code,
            "note" => &form.note,
            "reason" => &form.reason,
            _ => "",
        }
    }

    /// The outcome recorded, when it is one the gate may undo.
    fn undoable(&self) -> Option<&str> {
        let state = self.party.head.state.as_str();
        (!self.party.expected && ["crossed", "turned-back", "no-show"].contains(&state))
            .then_some(state)
    }
}

fn form_kind(form: &GateForm) -> String {
    let change = if form.outcome.is_empty() {
        UNDO
    } else {
        &form.outcome
    };
    match form.member.trim() {
        "" => change.to_string(),
        member => format!("{member}:{change}"),
    }
}

/// One direction's manifest as the gate shows it.
struct ManifestCards {
    direction: String,
    people: usize,
    parties: usize,
    cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "gate.html")]
struct GatePage {
    chrome: Chrome,
    crossing: String,
    date: String,
    q: String,
    only_expected: bool,
    crossings: Vec<(String, String)>,
    manifests: Vec<ManifestCards>,
    /// Parties on the day's manifests, and how many the search and filter show.
    total_parties: usize,
    shown_parties: usize,
    reconciliation: ReconciliationView,
    /// Outcomes may be undone only on the crossing day itself.
    may_undo: bool,
    /// The codes a turn-back and a no-show may give, as (code, label); a
    /// no-show's default comes first.
    turn_back_reasons: Vec<(String, String)>,
    no_show_reasons: Vec<(String, String)>,
}

async fn gate(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(view): Query<GateView>,
) -> PageResult<Response> {
    page(&state, &identity, &session, &view, None).await
}

async fn page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    view: &GateView,
    refused: Option<(GateForm, Refusal)>,
) -> PageResult<Response> {
    let given = |text: &str| Some(text.to_string()).filter(|text| !text.trim().is_empty());
    let day = gate_day(
        state,
        identity,
        given(&view.crossing).as_deref(),
        given(&view.date).as_deref(),
    )
    .await?;
    let chrome = Chrome::new(
        identity,
        session,
        state,
        "/gate",
        format!("Gate: {} {}", day.day.crossing, day.day.date),
    )
    .await?;
    let catalogue = state.store.reason_codes().await?;
    let status = refused.as_ref().map(|(_, refusal)| refusal.clone());
    let total_parties = day.manifests.iter().map(|m| m.parties.len()).sum();
    let gates = state
        .store
        .gate_parties(&day.day.crossing, day.day.date)
        .await?;
    let manifests = cards(day.manifests, gates, view, refused);
    let shown_parties = manifests.iter().map(|m| m.cards.len()).sum();
    let page = render(&GatePage {
        turn_back_reasons: choices(&catalogue, ReasonKind::TurnedBack),
        no_show_reasons: choices(&catalogue, ReasonKind::NoShow),
        chrome,
        crossing: day.day.crossing.to_string(),
        date: day.day.date.to_string(),
        q: view.q.clone(),
        only_expected: view.only_expected(),
        crossings: crossings(state).await?,
        manifests,
        total_parties,
        shown_parties,
        reconciliation: day.reconciliation,
        may_undo: day.day.date == state.clock.today(),
    })?;
    Ok(answer(page, status.as_ref()))
}

/// The cards the view shows, each knowing the next party still expected;
/// a refused form's card is shown whatever the view.
fn cards(
    manifests: Vec<ManifestView>,
    gates: Vec<GateParty>,
    view: &GateView,
    mut refused: Option<(GateForm, Refusal)>,
) -> Vec<ManifestCards> {
    let expected: Vec<String> = manifests
        .iter()
        .flat_map(|manifest| &manifest.parties)
        .filter(|party| someone_expected(party))
        .map(|party| party.head.person.clone())
        .collect();
    manifests
        .into_iter()
        .map(|manifest| {
            let parties = manifest.parties.len();
            let cards = manifest
                .parties
                .into_iter()
                .filter_map(|party| {
                    let mine = refused
                        .as_ref()
                        .is_some_and(|(form, _)| form.person.trim() == party.head.person);
                    if !mine && !view.shows(&party) {
                        return None;
                    }
                    let next_expected = next_after(&expected, &party.head.person);
                    let gate = gates
                        .iter()
                        .find(|gate| gate.head.id.as_str() == party.head.person)
                        .cloned();
                    Some(Card {
                        refused: if mine { refused.take() } else { None },
                        next_expected,
                        party,
                        gate,
                    })
                })
                .collect();
            ManifestCards {
                direction: manifest.direction,
                people: manifest.people,
                parties,
                cards,
            }
        })
        .collect()
}

/// The party still expected after `person` in page order, if any.
fn next_after(expected: &[String], person: &str) -> Option<String> {
    match expected.iter().position(|id| id == person) {
        Some(at) => expected.get(at + 1).cloned(),
        None => None,
    }
}

/// Where the officer is taken after a recorded tap: the row of the person
/// recorded alone, or the party's card; a party recorded whole leaves the
/// "not yet recorded" view, so there they go on to the next party still
/// expected.
fn back_to(form: &GateForm) -> String {
    match form.member.trim() {
        "" if form.view().only_expected() && !form.next.is_empty() => card_id(&form.next),
        "" => card_id(form.person.trim()),
        member => member_id(member),
    }
}

/// Shows the page again with the refused form in its card, or fails.
async fn refuse(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    form: GateForm,
    error: AppError,
    fields: &[&str],
) -> PageResult<Response> {
    let refusal = Refusal::of(error, |field| Refusal::named(field, fields))?;
    let view = form.view();
    page(state, identity, session, &view, Some((form, refusal))).await
}

async fn record(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<GateForm>,
) -> PageResult<Response> {
    let request = GateRequest {
        crossing: form.crossing.clone(),
        date: form.date.clone(),
        person: form.person.clone(),
        member: Some(form.member.clone()),
        outcome: form.outcome.clone(),
        reason_code: Some(form.reason_code.clone()),
        note: Some(form.note.clone()),
    };
    match record_outcome(&state, &identity, &request).await {
        Ok(recorded) => {
            let consequence = if recorded.outcome == "crossed" {
                ""
            } else {
                "; back on the list as cleared, beds released"
            };
            flash(
                &session,
                format!(
                    "{}: {}{consequence}.",
                    recorded.outcome,
                    recorded.people.join(", ")
                ),
            )
            .await;
            let view = form.view();
            Ok(Redirect::to(&view.link_to(Some(back_to(&form)))).into_response())
        }
        Err(error) => {
            refuse(
                &state,
                &identity,
                &session,
                form,
                error,
                &["reason_code", "note"],
            )
            .await
        }
    }
}

async fn undo(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(mut form): Form<GateForm>,
) -> PageResult<Response> {
    // The undo form has no outcome: its refusal is the card's undo's.
    form.outcome.clear();
    let request = GateUndoRequest {
        crossing: form.crossing.clone(),
        date: form.date.clone(),
        person: form.person.clone(),
        member: Some(form.member.clone()),
        reason: form.reason.clone(),
    };
    match undo_outcome(&state, &identity, &request).await {
        Ok(undone) => {
            let bed = undone
                .bed_held_at
                .map(|facility| format!("; the bed at {facility} is held again"))
                .unwrap_or_default();
            flash(
                &session,
                format!(
                    "Undone {}: {} expected at the gate again{bed}.",
                    undone.undone,
                    undone.people.join(", ")
                ),
            )
            .await;
            let view = form.view();
            let at = match form.member.trim() {
                "" => card_id(form.person.trim()),
                member => member_id(member),
            };
            Ok(Redirect::to(&view.link_to(Some(at))).into_response())
        }
        Err(error) => refuse(&state, &identity, &session, form, error, &["reason"]).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_card_is_the_next_party_still_expected() {
        let expected = ["P-1".to_string(), "P-3".to_string(), "P-4".to_string()];
        assert_eq!(next_after(&expected, "P-1"), Some("P-3".to_string()));
        assert_eq!(next_after(&expected, "P-4"), None);
        assert_eq!(next_after(&expected, "P-2"), None);
    }

    #[test]
    fn the_link_back_keeps_the_view_and_names_the_card() {
        let view = GateView {
            crossing: "rafah".to_string(),
            date: "2026-02-02".to_string(),
            q: String::new(),
            show: SHOW_EXPECTED.to_string(),
        };
        assert_eq!(
            view.link_to(Some(card_id("P-000123"))),
            "/gate?crossing=rafah&date=2026-02-02&show=expected#party-P-000123"
        );
    }
}
