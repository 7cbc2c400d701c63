//! Accounts, sign-in locks, web sessions, API tokens, scope and breaking
//! the glass, on every database.

use corridor_domain::{Case, Scope, Tier, UserRole};
use corridor_store::{ListFilter, NewUser, RoleFilter, SignInCheck, UserUpdate, Visibility};
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

#[tokio::test(flavor = "multi_thread")]
async fn accounts_are_unique_audited_and_locked_after_repeated_failures() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        assert_eq!(store.count_users().await.unwrap(), 0);
        store
            .create_user(&new_user("amal", UserRole::Coordinator), now(), "admin")
            .await
            .unwrap();
        let duplicate = store
            .create_user(&new_user("amal", UserRole::Analyst), now(), "admin")
            .await
            .unwrap_err();
        assert!(duplicate.to_string().contains("exists already"), "{on}");
        assert_eq!(store.count_users().await.unwrap(), 1);

        // Three failures in a row lock for 1 s, the fourth for 2 s.
        for failure in 1..=2 {
            let lock = store.record_sign_in("amal", false, now()).await.unwrap();
            assert_eq!(lock, None, "{on}: failure {failure}");
        }
        let lock = store.record_sign_in("amal", false, now()).await.unwrap();
        assert_eq!(lock, Some(later(1)), "{on}");
        assert!(matches!(
            store.sign_in_check("amal", now()).await.unwrap(),
            SignInCheck::Locked { .. }
        ));
        assert!(matches!(
            store.sign_in_check("amal", later(1)).await.unwrap(),
            SignInCheck::Ready { .. }
        ));
        let lock = store.record_sign_in("amal", false, now()).await.unwrap();
        assert_eq!(lock, Some(later(2)), "{on}");
        // A success clears the count.
        store.record_sign_in("amal", true, later(5)).await.unwrap();
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
            store.sign_in_check("amal", later(10)).await.unwrap(),
            SignInCheck::Unknown
        );
        assert_eq!(
            store.sign_in_check("nobody", now()).await.unwrap(),
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

#[tokio::test(flavor = "multi_thread")]
async fn sessions_expire_and_tokens_stop_working_when_revoked_or_disabled() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        assert!(
            store
                .insert_web_session("s1", "{}", later(60))
                .await
                .unwrap()
        );
        assert!(
            !store
                .insert_web_session("s1", "{}", later(60))
                .await
                .unwrap(),
            "{on}"
        );
        store
            .save_web_session("s1", "{\"a\":1}", later(60))
            .await
            .unwrap();
        assert_eq!(
            store.web_session("s1", now()).await.unwrap().as_deref(),
            Some("{\"a\":1}")
        );
        assert_eq!(store.web_session("s1", later(61)).await.unwrap(), None);
        assert_eq!(
            store.delete_expired_web_sessions(later(61)).await.unwrap(),
            1
        );

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
            .insert_cases(&cases, &audit("person.register"), &mut |_| {})
            .await
            .unwrap();

        // A companion belongs to the scope of their patient.
        let ownership = store.ownership(&id("C-1")).await.unwrap().unwrap();
        assert_eq!(
            ownership,
            ("amal".to_string(), Some("Test Hospital".to_string())),
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
            organisation: Some("test hospital".to_string()),
        }))
        .await;
        assert_eq!(organisation.len(), 3, "{on}");
        let nothing = list(Some(Visibility {
            registered_by: "someone-else".to_string(),
            organisation: Some("Another Hospital".to_string()),
        }))
        .await;
        assert!(nothing.is_empty(), "{on}");

        store
            .create_user(&new_user("omar", UserRole::Referrer), now(), "admin")
            .await
            .unwrap();
        assert!(
            !store
                .has_break_glass("omar", &id("P-1"), now())
                .await
                .unwrap()
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
        assert!(
            store
                .has_break_glass("omar", &id("P-1"), later(10))
                .await
                .unwrap()
        );
        assert!(
            !store
                .has_break_glass("omar", &id("P-2"), later(10))
                .await
                .unwrap()
        );
        assert!(
            !store
                .has_break_glass("omar", &id("P-1"), later(3600))
                .await
                .unwrap(),
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
