//! Accounts, sign-in locks, web sessions, API tokens, scope and breaking
//! the glass, on every database.

use corridor_domain::{Case, Organisation, OrganisationId, Scope, Tier, UserRole};
use corridor_store::{
    ListFilter, NewUser, RoleFilter, SignInCheck, StoreError, Thing, UserUpdate, Visibility,
};
use jiff::SignedDuration;
use jiff::civil::date;

use crate::*;

fn new_user(username: &str, role: UserRole) -> NewUser {
    NewUser {
        username: username.to_string(),
        display_name: format!("User {username}"),
        role,
        scope: role.default_scope(),
        organisation: None,
        password_hash: "$argon2id$not-a-real-hash".to_string(),
    }
}

fn later(seconds: i64) -> jiff::Timestamp {
    now()
        .checked_add(SignedDuration::from_secs(seconds))
        .unwrap()
}

/// One sign-in attempt as the web does it: counted, then its outcome.
async fn attempt(
    store: &corridor_store::Store,
    name: &str,
    right: bool,
    at: jiff::Timestamp,
) -> SignInCheck {
    let check = store.claim_sign_in(name, at).await.unwrap();
    if let SignInCheck::Ready { account, .. } = &check {
        store
            .record_sign_in(&account.username, right, at)
            .await
            .unwrap();
    }
    check
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_are_unique_whatever_the_case_audited_and_locked_after_repeated_failures() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        assert_eq!(store.count_users().await.unwrap(), 0);
        store
            .create_user(&new_user("amal", UserRole::Coordinator), now(), "admin")
            .await
            .unwrap();
        for taken in ["amal", "AMAL", "Amal"] {
            let duplicate = store
                .create_user(&new_user(taken, UserRole::Analyst), now(), "admin")
                .await
                .unwrap_err();
            assert!(
                matches!(&duplicate, StoreError::Exists { thing: Thing::Account, detail }
                    if detail.contains("an account named 'amal' exists already")),
                "{on}: {duplicate}"
            );
        }
        assert_eq!(store.count_users().await.unwrap(), 1);

        // Attempts are counted before the check: the third in a row locks
        // for 1 s, the fourth for 2 s; a name differing in case is the same.
        for failure in 1..=2 {
            let check = attempt(&store, "amal", false, now()).await;
            assert!(
                matches!(check, SignInCheck::Ready { .. }),
                "{on}: {failure}"
            );
        }
        assert!(matches!(
            attempt(&store, "AMAL", false, now()).await,
            SignInCheck::Ready { .. }
        ));
        assert_eq!(
            store.claim_sign_in("amal", now()).await.unwrap(),
            SignInCheck::Locked { until: later(1) },
            "{on}"
        );
        assert!(matches!(
            attempt(&store, "amal", false, later(1)).await,
            SignInCheck::Ready { .. }
        ));
        assert_eq!(
            store.claim_sign_in("Amal", later(2)).await.unwrap(),
            SignInCheck::Locked { until: later(3) },
            "{on}"
        );
        // The count lives apart from the account, and shows with it.
        let account = store.user("amal").await.unwrap().unwrap();
        assert_eq!(account.failed_sign_ins, 4, "{on}");
        assert_eq!(account.locked_until, Some(later(3)));
        // A success clears the count.
        let check = attempt(&store, "amal", true, later(5)).await;
        assert!(
            matches!(check, SignInCheck::Ready { ref account, .. } if account.username == "amal")
        );
        let account = store.user("amal").await.unwrap().unwrap();
        assert_eq!(account.failed_sign_ins, 0);
        assert_eq!(account.locked_until, None);

        // A disabled account cannot sign in, and looks like an unknown one.
        store
            .update_user(
                "amal",
                &UserUpdate {
                    role: UserRole::Analyst,
                    scope: Scope::All,
                    organisation: None,
                    active: false,
                },
                now(),
                "admin",
            )
            .await
            .unwrap();
        assert_eq!(
            store.claim_sign_in("amal", later(10)).await.unwrap(),
            SignInCheck::Unknown
        );
        assert_eq!(
            store.claim_sign_in("nobody", now()).await.unwrap(),
            SignInCheck::Unknown
        );

        let actions: Vec<String> = store
            .audit_tail(100)
            .await
            .unwrap()
            .into_iter()
            .rev()
            .map(|entry| entry.action)
            .collect();
        assert_eq!(
            actions,
            [
                "schema.migrate",
                "user.create",
                "user.sign-in-failed",
                "user.sign-in-failed",
                "user.sign-in-failed",
                "user.sign-in-failed",
                "user.sign-in",
                "user.update",
            ],
            "{on}"
        );
        assert!(store.verify_audit().await.unwrap().is_intact());
        database.drop_database().await;
    }
}

/// Forty guesses sent at once: the attempt is counted before the password
/// is checked, so once the lock is reached the others are refused without
/// a check. Before, all forty were checked. Unknown names alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_guesses_at_once_reach_the_password_check_no_more_often_than_the_lock_allows() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        store
            .create_user(&new_user("amal", UserRole::Coordinator), now(), "admin")
            .await
            .unwrap();
        for name in ["amal", "nobody"] {
            let attempts: Vec<_> = (0..40)
                .map(|_| {
                    let store = store.clone();
                    tokio::spawn(async move { store.claim_sign_in(name, now()).await.unwrap() })
                })
                .collect();
            let mut checked = 0;
            let mut locked = 0;
            for attempt in attempts {
                match attempt.await.unwrap() {
                    SignInCheck::Ready { .. } | SignInCheck::Unknown => checked += 1,
                    SignInCheck::Locked { .. } => locked += 1,
                }
            }
            assert_eq!(
                checked,
                corridor_domain::FREE_SIGN_IN_FAILURES,
                "{on}: {name}: {checked} attempts reached the password check"
            );
            assert_eq!(locked, 40 - checked, "{on}: {name}");
        }
        database.drop_database().await;
    }
}

/// Two admins demote each other at the same moment: exactly one succeeds,
/// and one active admin remains. Before, both succeeded on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        for round in 0..5 {
            let (one, two) = (format!("admin-a{round}"), format!("admin-b{round}"));
            for name in [&one, &two] {
                store
                    .create_user(&new_user(name, UserRole::Admin), now(), "setup")
                    .await
                    .unwrap();
            }
            // Only the two of this round are admins.
            for earlier in 0..round {
                for name in [format!("admin-a{earlier}"), format!("admin-b{earlier}")] {
                    if store.user(&name).await.unwrap().unwrap().role == UserRole::Admin {
                        store
                            .update_user(&name, &analyst(), now(), "setup")
                            .await
                            .unwrap();
                    }
                }
            }
            let demote = |target: String, actor: String| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .update_user(&target, &analyst(), now(), &actor)
                        .await
                        .is_ok()
                })
            };
            let first = demote(one.clone(), two.clone());
            let second = demote(two.clone(), one.clone());
            let outcomes = [first.await.unwrap(), second.await.unwrap()];
            assert_eq!(
                outcomes.iter().filter(|ok| **ok).count(),
                1,
                "{on}, round {round}: {outcomes:?}"
            );
            let admins = store
                .users()
                .await
                .unwrap()
                .into_iter()
                .filter(|user| user.active && user.role == UserRole::Admin)
                .count();
            assert_eq!(admins, 1, "{on}, round {round}");
        }
        database.drop_database().await;
    }
}

fn analyst() -> UserUpdate {
    UserUpdate {
        role: UserRole::Analyst,
        scope: Scope::All,
        organisation: None,
        active: true,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_expire_and_tokens_stop_working_when_revoked_or_disabled() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        assert!(
            store
                .insert_web_session("s1", None, "{}", later(60))
                .await
                .unwrap()
        );
        assert!(
            !store
                .insert_web_session("s1", None, "{}", later(60))
                .await
                .unwrap(),
            "{on}"
        );
        assert!(
            store
                .save_web_session("s1", None, "{\"a\":1}", later(60))
                .await
                .unwrap()
        );
        assert_eq!(
            store.web_session("s1", now()).await.unwrap().as_deref(),
            Some("{\"a\":1}")
        );
        assert_eq!(store.web_session("s1", later(61)).await.unwrap(), None);
        assert_eq!(
            store.delete_expired_web_sessions(later(61)).await.unwrap(),
            1
        );
        // Saving a session that is gone does not bring it back.
        assert!(
            !store
                .save_web_session("s1", None, "{}", later(120))
                .await
                .unwrap(),
            "{on}"
        );
        assert_eq!(store.web_session("s1", now()).await.unwrap(), None);

        store
            .create_user(&new_user("omar", UserRole::Analyst), now(), "admin")
            .await
            .unwrap();
        let token = store
            .create_api_token("omar", "dashboard feed", "hash-1", now(), "admin")
            .await
            .unwrap();
        assert_eq!(token.id, "T-0001");
        let user = store.api_token_user("hash-1").await.unwrap().unwrap();
        assert_eq!(user.username, "omar");
        assert!(store.api_token_user("hash-2").await.unwrap().is_none());
        store
            .revoke_api_token("T-0001", now(), "admin")
            .await
            .unwrap();
        assert!(
            store.api_token_user("hash-1").await.unwrap().is_none(),
            "{on}"
        );
        assert!(
            store
                .revoke_api_token("T-0001", now(), "admin")
                .await
                .is_err()
        );
        database.drop_database().await;
    }
}

/// A password reset ends every session of the account but the one it is
/// made in; a role change and disabling end them all; enabling again
/// brings none back; other accounts keep theirs.
#[tokio::test(flavor = "multi_thread")]
async fn a_reset_a_role_change_or_disabling_ends_the_accounts_sessions() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        for name in ["omar", "nadia"] {
            store
                .create_user(&new_user(name, UserRole::Coordinator), now(), "admin")
                .await
                .unwrap();
        }
        let sign_in = |id: &'static str, name: &'static str| {
            let store = store.clone();
            async move {
                assert!(
                    store
                        .insert_web_session(id, Some(name), "{}", later(3600))
                        .await
                        .unwrap()
                );
            }
        };
        let alive = |id: &'static str| {
            let store = store.clone();
            async move { store.web_session(id, now()).await.unwrap().is_some() }
        };
        sign_in("omar-laptop", "omar").await;
        sign_in("omar-tablet", "omar").await;
        sign_in("nadia-laptop", "nadia").await;
        store
            .set_password_hash("omar", "$argon2id$new", Some("omar-laptop"), now(), "omar")
            .await
            .unwrap();
        assert!(
            alive("omar-laptop").await,
            "{on}: the session it was changed in"
        );
        assert!(!alive("omar-tablet").await, "{on}: another session of omar");
        assert!(alive("nadia-laptop").await, "{on}: another account");

        store
            .set_password_hash("omar", "$argon2id$newer", None, now(), "admin")
            .await
            .unwrap();
        assert!(
            !alive("omar-laptop").await,
            "{on}: an admin's reset ends all"
        );
        assert_eq!(store.count_web_sessions("omar").await.unwrap(), 0);

        // The same role, another scope: sessions stay; another role: they end.
        sign_in("omar-laptop-2", "omar").await;
        let mut update = UserUpdate {
            role: UserRole::Coordinator,
            scope: Scope::Own,
            organisation: None,
            active: true,
        };
        store
            .update_user("omar", &update, now(), "admin")
            .await
            .unwrap();
        assert!(alive("omar-laptop-2").await, "{on}");
        update.role = UserRole::Analyst;
        store
            .update_user("omar", &update, now(), "admin")
            .await
            .unwrap();
        assert!(!alive("omar-laptop-2").await, "{on}: a role change");

        sign_in("omar-laptop-3", "omar").await;
        update.active = false;
        store
            .update_user("omar", &update, now(), "admin")
            .await
            .unwrap();
        assert!(!alive("omar-laptop-3").await, "{on}: disabled");
        update.active = true;
        store
            .update_user("omar", &update, now(), "admin")
            .await
            .unwrap();
        assert!(
            !alive("omar-laptop-3").await,
            "{on}: enabled again, still ended"
        );
        assert!(alive("nadia-laptop").await);

        let ended: Vec<String> = store
            .audit_tail(100)
            .await
            .unwrap()
            .into_iter()
            .filter(|entry| entry.subject == "omar" && entry.action != "user.create")
            .map(|entry| entry.detail)
            .collect();
        assert!(
            ended
                .iter()
                .any(|detail| detail.contains("\"sessions_ended\":1")),
            "{ended:?}"
        );
        database.drop_database().await;
    }
}

/// A trigger that makes one statement fail, named `refuse_for_test`: the
/// failure injected between the two halves of a sign-out.
async fn refuse(raw: &sqlx::AnyPool, postgres: bool, when: &str, table: &str, condition: &str) {
    let statements = if postgres {
        vec![
            "CREATE OR REPLACE FUNCTION refuse_for_test() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'refused for the test'; END $$ LANGUAGE plpgsql"
                .to_string(),
            format!(
                "CREATE TRIGGER refuse_for_test {when} ON {table} FOR EACH ROW \
                 WHEN ({condition}) EXECUTE FUNCTION refuse_for_test()"
            ),
        ]
    } else {
        vec![format!(
            "CREATE TRIGGER refuse_for_test {when} ON {table} WHEN {condition} \
             BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
        )]
    };
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(raw)
            .await
            .unwrap();
    }
}

async fn stop_refusing(raw: &sqlx::AnyPool, postgres: bool, table: &str) {
    let statement = if postgres {
        format!("DROP TRIGGER refuse_for_test ON {table}")
    } else {
        "DROP TRIGGER refuse_for_test".to_string()
    };
    sqlx::query(sqlx::AssertSqlSafe(statement))
        .execute(raw)
        .await
        .unwrap();
}

/// Signing out ends the session and records it in one transaction: when
/// either half fails, neither happens, so the audit head (which the web's
/// cache of sessions relies on) moves exactly when the session is gone.
#[tokio::test(flavor = "multi_thread")]
async fn a_sign_out_ends_the_session_and_moves_the_head_together() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        let postgres = on == "PostgreSQL";
        store
            .create_user(&new_user("omar", UserRole::Coordinator), now(), "admin")
            .await
            .unwrap();
        assert!(
            store
                .insert_web_session("omar-laptop", Some("omar"), "{}", later(3600))
                .await
                .unwrap()
        );
        let last_entry = || {
            let store = store.clone();
            async move {
                let entry = store.audit_tail(1).await.unwrap().remove(0);
                (entry.seq, entry.action)
            }
        };
        let alive = || {
            let store = store.clone();
            async move {
                store
                    .web_session("omar-laptop", now())
                    .await
                    .unwrap()
                    .is_some()
            }
        };
        let before = last_entry().await;
        let raw = database.raw().await;

        // The session cannot be deleted: nothing is recorded either.
        refuse(&raw, postgres, "BEFORE DELETE", "web_sessions", "1 = 1").await;
        let error = store.sign_out("omar-laptop", "omar", now()).await;
        assert!(error.is_err(), "{on}: {error:?}");
        assert!(alive().await, "{on}");
        assert_eq!(
            last_entry().await,
            before,
            "{on}: an entry without its change"
        );
        stop_refusing(&raw, postgres, "web_sessions").await;

        // The entry cannot be appended: the session stays.
        refuse(
            &raw,
            postgres,
            "BEFORE INSERT",
            "audit_log",
            "NEW.action = 'user.sign-out'",
        )
        .await;
        let error = store.sign_out("omar-laptop", "omar", now()).await;
        assert!(error.is_err(), "{on}: {error:?}");
        assert!(alive().await, "{on}: a change without its entry");
        assert_eq!(last_entry().await, before, "{on}");
        stop_refusing(&raw, postgres, "audit_log").await;
        raw.close().await;

        let head = store.head().await.unwrap();
        assert!(store.sign_out("omar-laptop", "omar", now()).await.unwrap());
        assert!(!alive().await, "{on}");
        assert_eq!(
            last_entry().await,
            (before.0 + 1, "user.sign-out".to_string()),
            "{on}"
        );
        assert!(store.head().await.unwrap() > head, "{on}");
        let entry = store.audit_tail(1).await.unwrap().remove(0);
        assert_eq!(
            (entry.actor.as_str(), entry.subject.as_str()),
            ("omar", "omar")
        );
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
        store.close().await;
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn organisations_are_unique_and_accounts_and_referrals_name_registered_ones() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        let awda =
            Organisation::parse("al-awda", "Al-Awda Hospital", "referring-facility").unwrap();
        store.add_organisation(&awda, now(), "admin").await.unwrap();
        for (id, name) in [("al-awda", "Another"), ("awda-2", "AL-AWDA HOSPITAL")] {
            let taken = Organisation::parse(id, name, "referring-facility").unwrap();
            let error = store
                .add_organisation(&taken, now(), "admin")
                .await
                .unwrap_err();
            assert!(matches!(error, StoreError::Exists { .. }), "{on}: {error}");
        }
        let names: Vec<String> = store
            .organisations()
            .await
            .unwrap()
            .into_iter()
            .map(|organisation| organisation.id.to_string())
            .collect();
        assert_eq!(names, ["al-awda", TEST_HOSPITAL], "{on}");

        let mut referrer = new_user("omar", UserRole::Referrer);
        referrer.organisation = Some(OrganisationId::parse("organisation", "al-awdah").unwrap());
        let error = store
            .create_user(&referrer, now(), "admin")
            .await
            .unwrap_err();
        assert!(
            matches!(&error, StoreError::UnknownOrganisation { field: "organisation", id } if id == "al-awdah"),
            "{on}: {error}"
        );
        referrer.organisation = Some(awda.id.clone());
        let account = store.create_user(&referrer, now(), "admin").await.unwrap();
        assert_eq!(account.organisation, Some(awda.id.clone()));

        let mut unknown = patient("P-1", 1970, Tier::Urgent, date(2025, 1, 10));
        if let corridor_domain::PersonKind::Patient(referral) = &mut unknown.kind {
            referral.referring_facility =
                OrganisationId::parse("referring_facility", "nowhere").unwrap();
        }
        let error = store
            .insert_cases(
                &[Case::register(unknown, now(), "omar")],
                &audit("person.register"),
                corridor_store::ImportMode::Commit,
                &mut |_| {},
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                &error,
                StoreError::UnknownOrganisation {
                    field: "referring_facility",
                    ..
                }
            ),
            "{on}: {error}"
        );
        assert!(
            error.to_string().contains("the list of organisations"),
            "{error}"
        );
        assert_eq!(
            store
                .audit_tail(100)
                .await
                .unwrap()
                .iter()
                .filter(|e| e.action == "organisation.add")
                .count(),
            1
        );
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn scope_follows_the_registrar_and_the_referring_facility_and_glass_grants_expire() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        load_reference(&store).await;
        let cases = vec![
            Case::register(
                patient("P-1", 1970, Tier::Urgent, date(2025, 1, 10)),
                now(),
                "amal",
            ),
            Case::register(companion("C-1", "P-1"), now(), "amal"),
            Case::register(
                patient("P-2", 1980, Tier::Routine, date(2025, 2, 10)),
                now(),
                "omar",
            ),
        ];
        store
            .insert_cases(
                &cases,
                &audit("person.register"),
                ImportMode::Commit,
                &mut |_| {},
            )
            .await
            .unwrap();

        // A companion belongs to the scope of their patient.
        let ownership = store.ownership(&id("C-1")).await.unwrap().unwrap();
        assert_eq!(
            ownership,
            (
                "amal".to_string(),
                Some(OrganisationId::parse("organisation", TEST_HOSPITAL).unwrap())
            ),
            "{on}"
        );

        let list = |visibility: Option<Visibility>| {
            let store = store.clone();
            async move {
                let page = store
                    .list(
                        &ListFilter {
                            role: RoleFilter::Everyone,
                            visible_to: visibility,
                            limit: 50,
                            ..ListFilter::default()
                        },
                        TODAY,
                    )
                    .await
                    .unwrap();
                page.rows
                    .into_iter()
                    .map(|row| row.id.to_string())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(list(None).await.len(), 3);
        let own = list(Some(Visibility {
            registered_by: "amal".to_string(),
            organisation: None,
        }))
        .await;
        assert_eq!(own, ["P-1", "C-1"], "{on}");
        let organisation = list(Some(Visibility {
            registered_by: "someone-else".to_string(),
            organisation: Some(OrganisationId::parse("organisation", TEST_HOSPITAL).unwrap()),
        }))
        .await;
        assert_eq!(organisation.len(), 3, "{on}");
        // Ids are compared, not names: another id sees nothing.
        let nothing = list(Some(Visibility {
            registered_by: "someone-else".to_string(),
            organisation: Some(OrganisationId::parse("organisation", "another").unwrap()),
        }))
        .await;
        assert!(nothing.is_empty(), "{on}");

        store
            .create_user(&new_user("omar", UserRole::Referrer), now(), "admin")
            .await
            .unwrap();
        assert_eq!(
            store
                .break_glass_until("omar", &id("P-1"), now())
                .await
                .unwrap(),
            None
        );
        store
            .break_glass(
                "omar",
                &id("P-1"),
                "transferred to our ward",
                now(),
                later(3600),
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .break_glass_until("omar", &id("P-1"), later(10))
                .await
                .unwrap(),
            Some(later(3600))
        );
        assert_eq!(
            store
                .break_glass_until("omar", &id("P-2"), later(10))
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .break_glass_until("omar", &id("P-1"), later(3600))
                .await
                .unwrap(),
            None,
            "{on}"
        );
        let grants = store.break_glass_grants(10).await.unwrap();
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].reason, "transferred to our ward");
        let last = store.audit_tail(1).await.unwrap().remove(0);
        assert_eq!(last.action, "person.break-glass");
        assert!(last.detail.contains("transferred to our ward"));
        database.drop_database().await;
    }
}

/// A database from before organisations were data: its free-text names
/// become organisations (one per name, whatever the case), users and
/// referrals point to them, and a referrer's scope still holds the same
/// people. Sign-in counts move out of the accounts.
#[tokio::test(flavor = "multi_thread")]
async fn an_upgrade_turns_the_organisation_names_in_use_into_organisations() {
    for database in databases().await {
        let on = database.name;
        let folder = if on == "SQLite" { "sqlite" } else { "postgres" };
        let before = tempfile::tempdir().unwrap();
        let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(folder);
        for entry in std::fs::read_dir(&source).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.as_str() < "0005" {
                std::fs::copy(&path, before.path().join(name)).unwrap();
            }
        }
        let url = match on {
            "SQLite" => format!("{}?mode=rwc", database.url),
            _ => database.url.clone(),
        };
        let raw = sqlx::AnyPool::connect(&url).await.unwrap();
        sqlx::migrate::Migrator::new(before.path())
            .await
            .unwrap()
            .run(&raw)
            .await
            .unwrap();
        for statement in [
            "INSERT INTO users (username, display_name, role, scope, organisation, password_hash, \
             active, created_at, failed_sign_ins, locked_until) VALUES \
             ('omar', 'Omar', 'referrer', 'organisation', 'nasser medical complex ', 'h', 1, 7, 2, 9)",
            "INSERT INTO persons (id, role, birth_year, sex, legal_basis, condition, specialty, tier, \
             tier_rank, referral_date, referring_facility, status, clearance_attempt, version, \
             registered_at, status_changed_at) VALUES \
             ('P-1', 'patient', 1970, 'female', 'consent', 'cancer', 'oncology', 'urgent', 1, \
              '2025-01-10', 'Nasser Medical Complex', 'referred', 0, 1, 0, 0), \
             ('P-2', 'patient', 1971, 'female', 'consent', 'cancer', 'oncology', 'urgent', 1, \
              '2025-01-11', 'Al-Awda Hospital', 'referred', 0, 1, 0, 0)",
            "INSERT INTO status_events (person_id, version, at, actor, to_status, clearance_attempt) \
             VALUES ('P-1', 1, 0, 'amal', 'referred', 0), ('P-2', 1, 0, 'amal', 'referred', 0)",
            "INSERT INTO web_sessions (id, record, expires_at) VALUES ('old', '{}', 99999999999999999)",
        ] {
            sqlx::query(statement).execute(&raw).await.unwrap();
        }
        raw.close().await;

        let store = database.store().await;
        let organisations: Vec<(String, String)> = store
            .organisations()
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.id.to_string(), o.name.to_string()))
            .collect();
        assert!(
            organisations.contains(&("org-1".to_string(), "Al-Awda Hospital".to_string())),
            "{on}: {organisations:?}"
        );
        let nasser = organisations
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case("nasser medical complex"))
            .map(|(id, _)| OrganisationId::parse("organisation", id).unwrap())
            .expect("one organisation for both spellings");
        let omar = store.user("omar").await.unwrap().unwrap();
        assert_eq!(omar.organisation.as_ref(), Some(&nasser), "{on}");
        assert_eq!(omar.failed_sign_ins, 2, "{on}: the count moved, not lost");
        let (_, referred_by) = store.ownership(&id("P-1")).await.unwrap().unwrap();
        assert_eq!(referred_by.as_ref(), Some(&nasser));
        let seen = store
            .list(
                &ListFilter {
                    role: RoleFilter::Everyone,
                    visible_to: Some(Visibility {
                        registered_by: "omar".to_string(),
                        organisation: omar.organisation.clone(),
                    }),
                    limit: 50,
                    ..ListFilter::default()
                },
                TODAY,
            )
            .await
            .unwrap();
        let seen: Vec<String> = seen.rows.iter().map(|row| row.id.to_string()).collect();
        assert_eq!(seen, ["P-1"], "{on}");
        assert_eq!(store.web_session("old", now()).await.unwrap(), None);
        database.drop_database().await;
    }
}
