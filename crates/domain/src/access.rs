//! Who may do what: the roles of the people who use corridor, what each role
//! may do, and which personal records each user may see.
//!
//! Personal data is shown only to the roles that need it for their work,
//! within the user's scope. An analyst sees aggregates only; an admin manages
//! accounts and reads the audit log, but sees no personal record. Seeing a
//! record outside one's scope is possible only by breaking the glass, which
//! the web layer records with its reason.

use crate::{ActionKind, InvalidValue, OrganisationId, Text, check_identifier, labelled_enum};

labelled_enum! {
    /// The role of a user account.
    UserRole, field = "role" {
        /// Registers patients and companions for a health ministry or hospital.
        Referrer = "referrer",
        /// Keeps the waiting list, submits clearance batches, plans crossing days.
        Coordinator = "coordinator",
        /// Records the clearing authority's decisions.
        ClearanceLiaison = "clearance-liaison",
        /// Works the day's manifest at the gate.
        CrossingOfficer = "crossing-officer",
        /// Publishes beds in a receiving country and confirms admissions.
        ReceivingLiaison = "receiving-liaison",
        /// Tracks aid trucks through staging and inspection.
        LogisticsOfficer = "logistics-officer",
        /// Sees aggregate dashboards, forecasts and reports only.
        Analyst = "analyst",
        /// Manages accounts and reads the audit log.
        Admin = "admin",
    }
}

labelled_enum! {
    /// Which personal records a user may see without breaking the glass.
    Scope, field = "scope" {
        /// People the user registered.
        Own = "own",
        /// People referred by the user's organisation (the referring facility).
        Organisation = "organisation",
        All = "all",
    }
}

labelled_enum! {
    /// One thing a user may be allowed to do.
    Permission, field = "permission" {
        ViewAggregates = "view-aggregates",
        ViewPeople = "view-people",
        RegisterPatients = "register-patients",
        /// See clearance batches and their requests (ids, no names).
        ViewClearance = "view-clearance",
        SubmitClearance = "submit-clearance",
        RecordClearance = "record-clearance",
        PlanDays = "plan-days",
        ViewManifests = "view-manifests",
        /// The bed board: those who plan days against it and those who publish beds.
        ViewBeds = "view-beds",
        WorkGate = "work-gate",
        ManageBeds = "manage-beds",
        ManageAid = "manage-aid",
        RunForecasts = "run-forecasts",
        /// Add and import the public figures every report cites.
        ManageFigures = "manage-figures",
        ManageUsers = "manage-users",
        ViewAudit = "view-audit",
        /// Download files with a row per person but no names: the
        /// pseudonymised referrals and the FHIR Bundles (audited).
        ExportRecords = "export-records",
        /// Download the referrals with names and exact birth years, for a
        /// stated purpose (audited with it); only with `view-people`.
        ExportPersonal = "export-personal",
        /// Add and remove a person's contact channels (phone numbers):
        /// personal data, so only with `view-people`, for those who
        /// register people or call them.
        EditContacts = "edit-contacts",
        /// Work the call list of a confirmed day: read every party's phone
        /// numbers and record what each call answered; only with
        /// `view-people`.
        CallParties = "call-parties",
    }
}

impl UserRole {
    pub fn label(self) -> &'static str {
        match self {
            UserRole::Referrer => "Referrer",
            UserRole::Coordinator => "Coordinator",
            UserRole::ClearanceLiaison => "Clearance liaison",
            UserRole::CrossingOfficer => "Crossing officer",
            UserRole::ReceivingLiaison => "Receiving liaison",
            UserRole::LogisticsOfficer => "Logistics officer",
            UserRole::Analyst => "Analyst",
            UserRole::Admin => "Admin",
        }
    }

    /// The permissions of the role. Every role sees aggregates; only the
    /// roles whose work is about named people see people.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission as P;
        match self {
            UserRole::Referrer => &[
                P::ViewAggregates,
                P::ViewPeople,
                P::RegisterPatients,
                P::RunForecasts,
                P::EditContacts,
            ],
            UserRole::Coordinator => &[
                P::ViewAggregates,
                P::ViewPeople,
                P::RegisterPatients,
                P::ViewClearance,
                P::SubmitClearance,
                P::PlanDays,
                P::ViewManifests,
                P::ViewBeds,
                P::RunForecasts,
                P::ManageFigures,
                P::ExportRecords,
                P::ExportPersonal,
                P::EditContacts,
                P::CallParties,
            ],
            UserRole::ClearanceLiaison => &[
                P::ViewAggregates,
                P::ViewPeople,
                P::ViewClearance,
                P::RecordClearance,
                P::EditContacts,
                P::CallParties,
            ],
            UserRole::CrossingOfficer => &[
                P::ViewAggregates,
                P::ViewPeople,
                P::ViewManifests,
                P::WorkGate,
            ],
            UserRole::ReceivingLiaison => {
                &[P::ViewAggregates, P::ViewPeople, P::ViewBeds, P::ManageBeds]
            }
            UserRole::LogisticsOfficer => &[P::ViewAggregates, P::ManageAid, P::RunForecasts],
            UserRole::Analyst => &[P::ViewAggregates, P::RunForecasts, P::ManageFigures],
            UserRole::Admin => &[P::ViewAggregates, P::ManageUsers, P::ViewAudit],
        }
    }

    pub fn can(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    /// The status changes a role may make by hand on a person's page.
    /// Scheduling happens only by confirming a day plan, and crossing only at
    /// the gate, so neither is here. Only the coordinator, who keeps the
    /// waiting list, reinstates a death or withdrawal recorded in error.
    pub fn status_actions(self) -> &'static [ActionKind] {
        use ActionKind as A;
        match self {
            UserRole::Referrer => &[A::List, A::Die, A::Withdraw],
            UserRole::Coordinator => &[
                A::List,
                A::RequestClearance,
                A::Resubmit,
                A::Unschedule,
                A::Return,
                A::Die,
                A::Withdraw,
                A::Reinstate,
            ],
            UserRole::ClearanceLiaison => &[A::Clear, A::Deny, A::Delay],
            UserRole::ReceivingLiaison => &[A::Admit, A::Return],
            UserRole::CrossingOfficer
            | UserRole::LogisticsOfficer
            | UserRole::Analyst
            | UserRole::Admin => &[],
        }
    }

    /// The scope a new account of this role gets unless the admin says otherwise.
    pub fn default_scope(self) -> Scope {
        match self {
            UserRole::Referrer => Scope::Organisation,
            _ => Scope::All,
        }
    }
}

/// Longest display name of an account and label of a token.
pub const MAX_ACCOUNT_TEXT_CHARS: usize = 100;

/// The facts of a new account as an admin gives them, checked: the user
/// name is a short identifier, the scope defaults to the role's, and an
/// organisation scope needs an organisation. The web screens and
/// `corridor users add` both build accounts through this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRequest {
    pub username: String,
    pub display_name: String,
    pub role: UserRole,
    pub scope: Scope,
    pub organisation: Option<OrganisationId>,
}

/// What a user name may be: 1 to 32 letters, digits, `-`, `_` or `.`.
pub fn parse_username(text: &str) -> Result<String, InvalidValue> {
    check_identifier("username", text)
}

impl AccountRequest {
    /// Without a display name the user name stands for it; without a scope
    /// the role's default scope applies.
    pub fn parse(
        username: &str,
        display_name: Option<&str>,
        role: UserRole,
        scope: Option<Scope>,
        organisation: Option<&str>,
    ) -> Result<AccountRequest, InvalidValue> {
        let username = parse_username(username)?;
        let display_name = match display_name.filter(|name| !name.trim().is_empty()) {
            Some(name) => Text::parse("display_name", name, MAX_ACCOUNT_TEXT_CHARS)?
                .as_str()
                .to_string(),
            None => username.clone(),
        };
        let (scope, organisation) =
            parse_scope(role, scope.unwrap_or(role.default_scope()), organisation)?;
        Ok(AccountRequest {
            username,
            display_name,
            role,
            scope,
            organisation,
        })
    }
}

/// Checks what an API token is for, e.g. "MoH registry sync": the label the
/// admin sees in the list of tokens.
pub fn parse_token_label(text: &str) -> Result<Text, InvalidValue> {
    Text::parse("label", text, MAX_ACCOUNT_TEXT_CHARS)
}

/// Checks the scope of an account with its organisation (the id of a
/// registered organisation): optional, except that an organisation scope
/// needs one. Whether the organisation exists is the store's to check.
pub fn parse_scope(
    role: UserRole,
    scope: Scope,
    organisation: Option<&str>,
) -> Result<(Scope, Option<OrganisationId>), InvalidValue> {
    let organisation = organisation
        .filter(|id| !id.trim().is_empty())
        .map(|id| OrganisationId::parse("organisation", id))
        .transpose()?;
    if scope == Scope::Organisation && organisation.is_none() {
        return Err(InvalidValue::new(
            "organisation",
            format!(
                "is needed with the scope 'organisation' (a {} then sees the people referred by it); choose one of the organisations, or the scope 'own' or 'all'",
                role.label().to_lowercase()
            ),
        ));
    }
    Ok((scope, organisation))
}

/// Who is asking, as the scope check needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer<'a> {
    pub username: &'a str,
    pub scope: Scope,
    pub organisation: Option<&'a OrganisationId>,
}

/// What the scope check needs to know about a personal record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordOwnership<'a> {
    /// Who registered the person (or their patient, for a companion).
    pub registered_by: &'a str,
    /// The referring facility of the person's referral (or their patient's).
    pub organisation: Option<&'a OrganisationId>,
}

/// What a user may do with one personal record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordAccess {
    /// Within the user's scope: they read it and make the changes their
    /// role allows.
    ReadAndChange,
    /// Outside the scope, opened by breaking the glass: read only, since
    /// the reason given was to see the record, not to decide about it.
    ReadOnly,
    /// Outside the scope: nothing, until the glass is broken.
    Closed,
}

/// The scope rule: which records a user sees and changes. Own scope: the
/// people they registered; organisation scope: those too and the people
/// referred by their organisation (ids compared, never names); all: everyone.
/// A grant from breaking the glass opens a record outside it for reading.
pub fn record_access(
    viewer: Viewer<'_>,
    record: RecordOwnership<'_>,
    glass_broken: bool,
) -> RecordAccess {
    let in_scope = match viewer.scope {
        Scope::All => true,
        Scope::Own => record.registered_by == viewer.username,
        Scope::Organisation => {
            record.registered_by == viewer.username
                || matches!(
                    (viewer.organisation, record.organisation),
                    (Some(mine), Some(theirs)) if mine == theirs
                )
        }
    };
    match (in_scope, glass_broken) {
        (true, _) => RecordAccess::ReadAndChange,
        (false, true) => RecordAccess::ReadOnly,
        (false, false) => RecordAccess::Closed,
    }
}

/// The referring facility of a patient that `viewer` registers: a user
/// with the organisation scope registers for their own organisation only
/// (`Err` with it when another is asked for), so what they register stays
/// in their scope; anyone else names one, their own by default.
pub fn registering_organisation<'a>(
    viewer: Viewer<'a>,
    asked: Option<&'a str>,
) -> Result<Option<&'a str>, &'a OrganisationId> {
    let asked = asked.map(str::trim).filter(|id| !id.is_empty());
    match (viewer.scope, viewer.organisation) {
        (Scope::Organisation, Some(own)) => match asked {
            Some(other) if other != own.as_str() => Err(own),
            _ => Ok(Some(own.as_str())),
        },
        _ => Ok(asked.or(viewer.organisation.map(OrganisationId::as_str))),
    }
}

/// How long a break-the-glass grant lasts: one working shift.
pub const BREAK_GLASS_HOURS: i64 = 8;
/// The shortest and longest reason for breaking the glass.
pub const MIN_BREAK_GLASS_REASON_CHARS: usize = 10;
pub const MAX_BREAK_GLASS_REASON_CHARS: usize = 300;

/// Checks the reason for breaking the glass: the admin reads it, so it
/// says something (at least 10 characters) and is bounded like every free text.
pub fn parse_break_glass_reason(text: &str) -> Result<Text, InvalidValue> {
    let reason = Text::parse("reason", text, MAX_BREAK_GLASS_REASON_CHARS).map_err(|invalid| {
        InvalidValue::new(
            "reason",
            format!(
                "{}; state why you need this record in {MIN_BREAK_GLASS_REASON_CHARS} to {MAX_BREAK_GLASS_REASON_CHARS} characters on one line",
                invalid.problem
            ),
        )
    })?;
    let length = reason.as_str().chars().count();
    if length < MIN_BREAK_GLASS_REASON_CHARS {
        return Err(InvalidValue::new(
            "reason",
            format!(
                "is {length} characters long; state why you need this record in at least {MIN_BREAK_GLASS_REASON_CHARS} characters: the admin reads it"
            ),
        ));
    }
    Ok(reason)
}

/// Failed sign-ins allowed in a row before the account is locked for a while.
pub const FREE_SIGN_IN_FAILURES: u32 = 3;
/// The longest lock after failed sign-ins: a quarter of an hour.
pub const LONGEST_SIGN_IN_LOCK_SECONDS: u64 = 15 * 60;

/// How long the next sign-in is refused after `failures` failed ones in a
/// row: nothing for the first few, then 1 s, doubling with each failure up
/// to a quarter of an hour. Guessing a password becomes slow, and a user
/// who mistypes is not locked out for long.
pub fn sign_in_lock_seconds(failures: u32) -> u64 {
    if failures < FREE_SIGN_IN_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_SIGN_IN_FAILURES).min(20);
    (1u64 << doublings).min(LONGEST_SIGN_IN_LOCK_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_sign_ins_lock_for_longer_and_longer_up_to_a_limit() {
        let locks: Vec<u64> = (0..8).map(sign_in_lock_seconds).collect();
        assert_eq!(locks, [0, 0, 0, 1, 2, 4, 8, 16]);
        assert_eq!(sign_in_lock_seconds(40), LONGEST_SIGN_IN_LOCK_SECONDS);
        assert_eq!(sign_in_lock_seconds(u32::MAX), LONGEST_SIGN_IN_LOCK_SECONDS);
    }

    #[test]
    fn only_roles_working_with_people_see_people() {
        let seeing: Vec<UserRole> = UserRole::ALL
            .iter()
            .copied()
            .filter(|role| role.can(Permission::ViewPeople))
            .collect();
        assert_eq!(
            seeing,
            [
                UserRole::Referrer,
                UserRole::Coordinator,
                UserRole::ClearanceLiaison,
                UserRole::CrossingOfficer,
                UserRole::ReceivingLiaison,
            ]
        );
        assert!(
            UserRole::ALL
                .iter()
                .all(|r| r.can(Permission::ViewAggregates))
        );
    }

    #[test]
    fn only_the_coordinator_exports_records_and_personal_data_only_with_people_in_view() {
        for role in UserRole::ALL {
            for permission in [Permission::ExportRecords, Permission::ExportPersonal] {
                assert_eq!(
                    role.can(permission),
                    *role == UserRole::Coordinator,
                    "{role:?} {permission:?}"
                );
            }
            if role.can(Permission::ExportPersonal) {
                assert!(role.can(Permission::ViewPeople), "{role:?}");
            }
        }
    }

    /// Phone numbers are personal data like names: only roles that see
    /// names change them or call them, and the call list is for those who
    /// reach families (the coordination cell and the clearance liaison).
    #[test]
    fn contacts_and_calls_only_with_people_in_view() {
        for role in UserRole::ALL {
            for permission in [Permission::EditContacts, Permission::CallParties] {
                if role.can(permission) {
                    assert!(role.can(Permission::ViewPeople), "{role:?} {permission:?}");
                }
            }
        }
        let calling: Vec<UserRole> = UserRole::ALL
            .iter()
            .copied()
            .filter(|role| role.can(Permission::CallParties))
            .collect();
        assert_eq!(calling, [UserRole::Coordinator, UserRole::ClearanceLiaison]);
    }

    #[test]
    fn only_admins_manage_users_and_only_roles_seeing_people_change_statuses() {
        for role in UserRole::ALL {
            assert_eq!(
                role.can(Permission::ManageUsers),
                *role == UserRole::Admin,
                "{role}"
            );
            if !role.can(Permission::ViewPeople) {
                assert!(role.status_actions().is_empty(), "{role}");
            }
            assert!(!role.status_actions().contains(&ActionKind::Schedule));
            assert!(!role.status_actions().contains(&ActionKind::Cross));
            assert_eq!(
                role.status_actions().contains(&ActionKind::Reinstate),
                *role == UserRole::Coordinator,
                "{role}"
            );
        }
    }

    #[test]
    fn account_requests_default_the_scope_and_need_an_organisation_for_it() {
        let coordinator =
            AccountRequest::parse(" amal ", None, UserRole::Coordinator, None, None).unwrap();
        assert_eq!(coordinator.username, "amal");
        assert_eq!(coordinator.display_name, "amal");
        assert_eq!(coordinator.scope, Scope::All);
        let referrer = AccountRequest::parse("omar", Some("Omar"), UserRole::Referrer, None, None)
            .unwrap_err();
        assert_eq!(referrer.field, "organisation");
        let referrer = AccountRequest::parse(
            "omar",
            Some(" Omar H. "),
            UserRole::Referrer,
            None,
            Some(" al-awda "),
        )
        .unwrap();
        assert_eq!(referrer.display_name, "Omar H.");
        assert_eq!(referrer.scope, Scope::Organisation);
        assert_eq!(
            referrer.organisation.as_ref().map(OrganisationId::as_str),
            Some("al-awda")
        );
        let error = AccountRequest::parse(
            "omar",
            None,
            UserRole::Referrer,
            None,
            Some("Al-Awda Hospital"),
        )
        .unwrap_err();
        assert_eq!(error.field, "organisation");
        for bad in ["", "two words", "a/b", &"x".repeat(33)] {
            let error =
                AccountRequest::parse(bad, None, UserRole::Analyst, None, None).unwrap_err();
            assert_eq!(error.field, "username", "{bad:?}");
        }
        let error = AccountRequest::parse("ok", Some("a\u{7}b"), UserRole::Analyst, None, None)
            .unwrap_err();
        assert_eq!(error.field, "display_name");
    }

    #[test]
    fn scope_decides_which_records_are_read_and_changed_and_the_glass_only_opens_for_reading() {
        let nasser = OrganisationId::parse("organisation", "nasser").unwrap();
        let awda = OrganisationId::parse("organisation", "al-awda").unwrap();
        let record = RecordOwnership {
            registered_by: "amal",
            organisation: Some(&nasser),
        };
        let viewer = |username, scope, organisation| Viewer {
            username,
            scope,
            organisation,
        };
        let access = |viewer, glass| record_access(viewer, record, glass);
        use RecordAccess::*;
        assert_eq!(
            access(viewer("someone", Scope::All, None), false),
            ReadAndChange
        );
        assert_eq!(
            access(viewer("amal", Scope::Own, None), false),
            ReadAndChange
        );
        assert_eq!(
            access(viewer("omar", Scope::Own, Some(&nasser)), false),
            Closed
        );
        assert_eq!(
            access(viewer("omar", Scope::Organisation, Some(&nasser)), false),
            ReadAndChange
        );
        assert_eq!(
            access(viewer("omar", Scope::Organisation, Some(&awda)), false),
            Closed
        );
        assert_eq!(
            access(viewer("omar", Scope::Organisation, None), false),
            Closed
        );
        // Breaking the glass opens the record for reading, never for changing.
        assert_eq!(
            access(viewer("omar", Scope::Organisation, Some(&awda)), true),
            ReadOnly
        );
        assert_eq!(access(viewer("omar", Scope::Own, None), true), ReadOnly);
        assert_eq!(
            access(viewer("amal", Scope::Own, None), true),
            ReadAndChange
        );
        let no_organisation = RecordOwnership {
            registered_by: "amal",
            organisation: None,
        };
        assert_eq!(
            record_access(
                viewer("omar", Scope::Organisation, Some(&awda)),
                no_organisation,
                false
            ),
            Closed
        );
    }

    #[test]
    fn an_organisation_scoped_user_registers_for_their_organisation_only() {
        let nasser = OrganisationId::parse("organisation", "nasser").unwrap();
        let referrer = Viewer {
            username: "omar",
            scope: Scope::Organisation,
            organisation: Some(&nasser),
        };
        assert_eq!(registering_organisation(referrer, None), Ok(Some("nasser")));
        assert_eq!(
            registering_organisation(referrer, Some(" ")),
            Ok(Some("nasser"))
        );
        assert_eq!(
            registering_organisation(referrer, Some("nasser")),
            Ok(Some("nasser"))
        );
        assert_eq!(
            registering_organisation(referrer, Some("al-awda")),
            Err(&nasser)
        );
        let coordinator = Viewer {
            username: "amal",
            scope: Scope::All,
            organisation: Some(&nasser),
        };
        assert_eq!(
            registering_organisation(coordinator, Some("al-awda")),
            Ok(Some("al-awda"))
        );
        assert_eq!(
            registering_organisation(coordinator, None),
            Ok(Some("nasser"))
        );
        let unattached = Viewer {
            organisation: None,
            ..coordinator
        };
        assert_eq!(registering_organisation(unattached, None), Ok(None));
    }

    #[test]
    fn a_break_glass_reason_says_something_and_is_bounded() {
        assert_eq!(
            parse_break_glass_reason("  transferred to our ward tonight ")
                .unwrap()
                .as_str(),
            "transferred to our ward tonight"
        );
        for bad in ["need", "", "line one\nline two", &"x".repeat(301)] {
            let error = parse_break_glass_reason(bad).unwrap_err();
            assert_eq!(error.field, "reason", "{bad:?}");
            assert!(error.problem.contains("characters"), "{bad:?}: {error}");
        }
        assert!(parse_break_glass_reason(&"x".repeat(300)).is_ok());
    }
}
