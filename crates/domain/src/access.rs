//! Who may do what: the roles of the people who use corridor, what each role
//! may do, and which personal records each user may see.
//!
//! Personal data is shown only to the roles that need it for their work,
//! within the user's scope. An analyst sees aggregates only; an admin manages
//! accounts and reads the audit log, but sees no personal record. Seeing a
//! record outside one's scope is possible only by breaking the glass, which
//! the web layer records with its reason.

use crate::{ActionKind, InvalidValue, Text, check_identifier, labelled_enum};

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
        ManageUsers = "manage-users",
        ViewAudit = "view-audit",
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
            ],
            UserRole::ClearanceLiaison => &[
                P::ViewAggregates,
                P::ViewPeople,
                P::ViewClearance,
                P::RecordClearance,
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
            UserRole::Analyst => &[P::ViewAggregates, P::RunForecasts],
            UserRole::Admin => &[P::ViewAggregates, P::ManageUsers, P::ViewAudit],
        }
    }

    pub fn can(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    /// The status changes a role may make by hand on a person's page.
    /// Scheduling happens only by confirming a day plan, and crossing only at
    /// the gate, so neither is here.
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

/// Longest display name and organisation name of an account.
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
    pub organisation: Option<String>,
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

/// Checks the scope of an account with its organisation: the organisation
/// is trimmed and optional, except that an organisation scope needs one.
pub fn parse_scope(
    role: UserRole,
    scope: Scope,
    organisation: Option<&str>,
) -> Result<(Scope, Option<String>), InvalidValue> {
    let organisation = organisation
        .filter(|name| !name.trim().is_empty())
        .map(|name| Text::parse("organisation", name, MAX_ACCOUNT_TEXT_CHARS))
        .transpose()?
        .map(|name| name.as_str().to_string());
    if scope == Scope::Organisation && organisation.is_none() {
        return Err(InvalidValue::new(
            "organisation",
            format!(
                "is needed with the scope 'organisation' (a {} then sees the people referred by it); name it, e.g. the referring facility, or choose the scope 'own' or 'all'",
                role.label().to_lowercase()
            ),
        ));
    }
    Ok((scope, organisation))
}

/// What the scope check needs to know about a personal record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordOwnership<'a> {
    /// Who registered the person (or their patient, for a companion).
    pub registered_by: &'a str,
    /// The referring facility of the person's referral (or their patient's).
    pub organisation: Option<&'a str>,
}

/// Whether a user may see a record without breaking the glass.
pub fn in_scope(
    scope: Scope,
    username: &str,
    user_organisation: Option<&str>,
    record: RecordOwnership<'_>,
) -> bool {
    match scope {
        Scope::All => true,
        Scope::Own => record.registered_by == username,
        Scope::Organisation => {
            record.registered_by == username
                || matches!(
                    (user_organisation, record.organisation),
                    (Some(mine), Some(theirs)) if mine.eq_ignore_ascii_case(theirs)
                )
        }
    }
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
            Some(" Al-Awda "),
        )
        .unwrap();
        assert_eq!(referrer.display_name, "Omar H.");
        assert_eq!(referrer.scope, Scope::Organisation);
        assert_eq!(referrer.organisation.as_deref(), Some("Al-Awda"));
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
    fn scope_decides_which_records_are_seen() {
        let record = RecordOwnership {
            registered_by: "amal",
            organisation: Some("Nasser Medical Complex"),
        };
        assert!(in_scope(Scope::All, "someone", None, record));
        assert!(in_scope(Scope::Own, "amal", None, record));
        assert!(!in_scope(
            Scope::Own,
            "omar",
            Some("Nasser Medical Complex"),
            record
        ));
        assert!(in_scope(
            Scope::Organisation,
            "omar",
            Some("nasser medical complex"),
            record
        ));
        assert!(!in_scope(
            Scope::Organisation,
            "omar",
            Some("Al-Awda"),
            record
        ));
        assert!(!in_scope(Scope::Organisation, "omar", None, record));
        let no_organisation = RecordOwnership {
            registered_by: "amal",
            organisation: None,
        };
        assert!(!in_scope(
            Scope::Organisation,
            "omar",
            Some("Al-Awda"),
            no_organisation
        ));
    }
}
