//! Users and roles, API tokens, one's own password, and the audit view
//! with the break-the-glass grants.

use axum::http::{Method, StatusCode, header};
use corridor_domain::{Permission, Scope, UserRole};
use serde_json::json;

use crate::harness::{Client, PASSWORD, RouteCase, TestApp, apps};

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/admin/users",
        body: None,
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/admin/users",
        body: Some("username=matrix-page&role=analyst&display_name=&scope=&organisation="),
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/admin/users/analyst",
        body: None,
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/admin/users/analyst",
        body: Some("role=analyst&scope=all&organisation=&active=active"),
        permission: Permission::ManageUsers,
        answers: &[StatusCode::SEE_OTHER],
    },
    RouteCase {
        method: "POST",
        path: "/admin/users/matrix-page/password",
        body: Some(""),
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/admin/tokens",
        body: None,
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/admin/tokens",
        body: Some("username=analyst&label=route+matrix"),
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/admin/tokens/T-0001/revoke",
        body: Some(""),
        permission: Permission::ManageUsers,
        answers: &[StatusCode::SEE_OTHER],
    },
    RouteCase {
        method: "GET",
        path: "/admin/organisations",
        body: None,
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/admin/organisations",
        body: Some("id=matrix-page&name=Matrix+page+agency&kind=receiving-agency"),
        permission: Permission::ManageUsers,
        answers: &[StatusCode::SEE_OTHER],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/organisations",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/organisations",
        body: Some(
            r#"{"id": "matrix-api", "name": "Matrix API agency", "kind": "receiving-agency"}"#,
        ),
        permission: Permission::ManageUsers,
        answers: &[StatusCode::CREATED],
    },
    RouteCase {
        method: "GET",
        path: "/admin/audit",
        body: None,
        permission: Permission::ViewAudit,
        answers: &[StatusCode::OK],
    },
    // Every signed-in user has an account page; every role sees aggregates.
    RouteCase {
        method: "GET",
        path: "/account",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/account/password",
        body: Some(
            "current_password=not+the+password&new_password=another+long+password&repeat_password=another+long+password",
        ),
        permission: Permission::ViewAggregates,
        // 400: the current password given is wrong on purpose, so that the matrix changes
        // no one's password.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/users",
        body: None,
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/users",
        body: Some(r#"{"username": "matrix-api", "role": "analyst"}"#),
        permission: Permission::ManageUsers,
        answers: &[StatusCode::CREATED],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/users/analyst",
        body: None,
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "PATCH",
        path: "/api/v1/users/analyst",
        body: Some(r#"{"role": "analyst", "active": true}"#),
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/users/matrix-api/password",
        body: None,
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/tokens",
        body: None,
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/tokens",
        body: Some(r#"{"username": "analyst", "label": "route matrix"}"#),
        permission: Permission::ManageUsers,
        answers: &[StatusCode::CREATED],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/tokens/T-0002/revoke",
        body: None,
        permission: Permission::ManageUsers,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/audit?limit=10",
        body: None,
        permission: Permission::ViewAudit,
        answers: &[StatusCode::OK],
    },
];

/// The generated secret a page shows once.
fn secret_in(html: &str) -> String {
    let marker = "class=\"secret-value\">";
    let start = html.find(marker).expect("a secret on the page") + marker.len();
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].to_string()
}

/// Signs in with a password; the status of the answer.
async fn sign_in(app: &TestApp, username: &str, password: &str) -> StatusCode {
    let mut browser = app.anonymous();
    browser.get("/sign-in").await;
    browser
        .post_form(
            "/sign-in",
            &[("username", username), ("password", password)],
        )
        .await
        .status
}

async fn actions(app: &TestApp) -> Vec<String> {
    app.audit().await.into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn the_admin_creates_accounts_whose_password_is_shown_once_and_works() {
    for app in apps().await {
        let mut admin = app.signed_in(UserRole::Admin).await;
        let page = admin.get("/admin/users").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Test coordinator"), "{}", app.backend);

        let created = admin
            .post_form(
                "/admin/users",
                &[
                    ("username", "amal"),
                    ("display_name", "Amal Haddad"),
                    ("role", "coordinator"),
                    ("scope", ""),
                    ("organisation", ""),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        let password = secret_in(&created.body);
        assert_eq!(password.len(), 20);
        assert!(created.body.contains("shown only this once"));
        // Shown once: the list does not show it again, and only a hash is kept.
        let again = admin.get("/admin/users").await;
        assert!(!again.body.contains(&password));
        assert!(again.body.contains("Amal Haddad"));
        match app
            .state
            .store
            .claim_sign_in("amal", crate::harness::now())
            .await
            .unwrap()
        {
            corridor_store::SignInCheck::Ready {
                account,
                password_hash,
            } => {
                assert!(password_hash.starts_with("$argon2id$"));
                assert!(!password_hash.contains(&password));
                assert_eq!(account.role, UserRole::Coordinator);
                assert_eq!(account.scope, Scope::All);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            sign_in(&app, "amal", &password).await,
            StatusCode::SEE_OTHER
        );
        // Sign-in by name does not depend on case.
        assert_eq!(
            sign_in(&app, "Amal", &password).await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            sign_in(&app, "amal", "not the password").await,
            StatusCode::UNAUTHORIZED
        );

        // A form error keeps the values and names the field.
        let refused = admin
            .post_form(
                "/admin/users",
                &[
                    ("username", "omar"),
                    ("display_name", "Omar"),
                    ("role", "referrer"),
                    ("scope", ""),
                    ("organisation", ""),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        // Beside the organisation field, without naming it again.
        assert!(
            refused
                .body
                .contains(r#"id="error-organisation">is needed"#),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("value=\"omar\""));
        let duplicate = admin
            .post_form("/admin/users", &[("username", "amal"), ("role", "analyst")])
            .await;
        assert_eq!(duplicate.status, StatusCode::CONFLICT);
        assert!(duplicate.body.contains("exists already"));
        // User names are unique whatever their case.
        let duplicate = admin
            .post_form(
                "/admin/users",
                &[("username", "COORDINATOR"), ("role", "analyst")],
            )
            .await;
        assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.body);
        assert!(
            duplicate
                .body
                .contains("an account named &#39;coordinator&#39; exists already"),
            "{}",
            duplicate.body
        );

        // The API: created with the role's default scope, password once.
        let mut api = app.with_token(UserRole::Admin).await;
        let reply = api
            .send_json(
                Method::POST,
                "/api/v1/users",
                &json!({"username": "omar", "role": "referrer", "organisation": "al-awda-hospital"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let body = reply.json();
        assert_eq!(body["user"]["scope"], "organisation");
        assert_eq!(body["user"]["organisation"], "al-awda-hospital");
        assert_eq!(body["user"]["display_name"], "omar");
        let password = body["password"].as_str().unwrap().to_string();
        assert_eq!(
            sign_in(&app, "omar", &password).await,
            StatusCode::SEE_OTHER
        );
        for (request, field) in [
            (
                json!({"username": "two words", "role": "analyst"}),
                "username",
            ),
            (json!({"username": "x", "role": "pilot"}), "role"),
            (
                json!({"username": "y", "role": "analyst", "scope": "galaxy"}),
                "scope",
            ),
            (json!({"username": "z", "role": "referrer"}), "organisation"),
            (
                json!({"username": "z", "role": "referrer", "organisation": "Al-Awda Hospital"}),
                "organisation",
            ),
            (
                json!({"username": "z", "role": "referrer", "organisation": "no-such-place"}),
                "organisation",
            ),
        ] {
            let reply = api.send_json(Method::POST, "/api/v1/users", &request).await;
            assert_eq!(
                reply.problem(StatusCode::BAD_REQUEST)["field"],
                field,
                "{request}"
            );
        }
        let list = api.get("/api/v1/users?per_page=2&page=2").await.json();
        assert_eq!(list["total"], 10);
        assert_eq!(list["pages"], 5);
        assert_eq!(list["users"].as_array().unwrap().len(), 2);
        let creations = actions(&app)
            .await
            .iter()
            .filter(|action| *action == "user.create")
            .count();
        assert_eq!(creations, UserRole::ALL.len() + 2);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_role_change_or_disabling_ends_the_sessions_and_enabling_brings_none_back() {
    for app in apps().await {
        app.add_user("nadia", UserRole::Analyst, Scope::All, None)
            .await;
        let mut nadia = app.signed_in_as("nadia").await;
        assert_eq!(nadia.get("/people").await.status, StatusCode::FORBIDDEN);

        let mut admin = app.with_token(UserRole::Admin).await;
        let changed = admin
            .send_json(
                Method::PATCH,
                "/api/v1/users/nadia",
                &json!({"role": "coordinator"}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        assert_eq!(changed.json()["role"], "coordinator");
        // The role change ended her session: she signs in again, under it.
        let ended = nadia.get("/people").await;
        assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", app.backend);
        assert_eq!(ended.headers[header::LOCATION], "/sign-in");
        let mut nadia = app.signed_in_as("nadia").await;
        assert_eq!(nadia.get("/people").await.status, StatusCode::OK);
        let kept_for_later = nadia.clone();

        let token = admin
            .send_json(
                Method::POST,
                "/api/v1/tokens",
                &json!({"username": "nadia", "label": "ward tablet"}),
            )
            .await;
        assert_eq!(token.status, StatusCode::CREATED, "{}", token.body);
        let token = token.json()["token"].as_str().unwrap().to_string();
        let me = app
            .anonymous()
            .send_bearer(Method::GET, "/api/v1/me", &token)
            .await;
        assert_eq!(me.json()["role"], "coordinator");

        // Disabled from the account page.
        let mut browser = app.signed_in(UserRole::Admin).await;
        let saved = browser
            .post_form(
                "/admin/users/nadia",
                &[
                    ("role", "coordinator"),
                    ("scope", "all"),
                    ("organisation", ""),
                    ("active", "disabled"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        let page = browser.get("/admin/users/nadia").await;
        assert!(page.body.contains("no longer work"), "{}", page.body);

        let after = nadia.get("/people").await;
        assert_eq!(after.status, StatusCode::SEE_OTHER);
        assert_eq!(after.headers[header::LOCATION], "/sign-in");
        app.anonymous()
            .send_bearer(Method::GET, "/api/v1/me", &token)
            .await
            .problem(StatusCode::UNAUTHORIZED);
        assert_eq!(
            sign_in(&app, "nadia", PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        // No new token for a disabled account.
        let refused = admin
            .send_json(
                Method::POST,
                "/api/v1/tokens",
                &json!({"username": "nadia", "label": "again"}),
            )
            .await;
        refused.problem(StatusCode::BAD_REQUEST);

        // Enabled again, the same password works.
        let enabled = admin
            .send_json(
                Method::PATCH,
                "/api/v1/users/nadia",
                &json!({"active": true}),
            )
            .await;
        assert_eq!(enabled.json()["active"], true);
        assert_eq!(
            sign_in(&app, "nadia", PASSWORD).await,
            StatusCode::SEE_OTHER
        );
        // The session from before she was disabled stays ended.
        let mut old = kept_for_later;
        let stale = old.get("/people").await;
        assert_eq!(stale.status, StatusCode::SEE_OTHER, "{}", app.backend);
        assert_eq!(stale.headers[header::LOCATION], "/sign-in");
        assert_eq!(
            app.state.store.count_web_sessions("nadia").await.unwrap(),
            1,
            "only the new sign-in"
        );
        let updates = actions(&app)
            .await
            .iter()
            .filter(|action| *action == "user.update")
            .count();
        assert_eq!(updates, 3);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_disabled_or_demoted() {
    for app in apps().await {
        let mut api = app.with_token(UserRole::Admin).await;
        for change in [json!({"active": false}), json!({"role": "analyst"})] {
            let reply = api
                .send_json(Method::PATCH, "/api/v1/users/admin", &change)
                .await;
            let problem = reply.problem(StatusCode::CONFLICT);
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains("last active admin"),
                "{problem}"
            );
        }
        let mut browser = app.signed_in(UserRole::Admin).await;
        let reply = browser
            .post_form(
                "/admin/users/admin",
                &[
                    ("role", "admin"),
                    ("scope", "all"),
                    ("organisation", ""),
                    ("active", "disabled"),
                ],
            )
            .await;
        // The form comes back as typed, with why it was not saved.
        assert_eq!(reply.status, StatusCode::CONFLICT);
        assert!(
            reply.body.contains("Not done: ") && reply.body.contains("last active admin"),
            "{}",
            reply.body
        );
        assert!(
            reply.body.contains(r#"<option value="disabled" selected>"#),
            "the typed status is kept: {}",
            reply.body
        );
        let account = app.state.store.user("admin").await.unwrap().unwrap();
        assert!(account.active);
        assert_eq!(account.role, UserRole::Admin);

        // The store refuses it too, whoever asks.
        let direct = app
            .state
            .store
            .update_user(
                "admin",
                &corridor_store::UserUpdate {
                    role: UserRole::Admin,
                    scope: Scope::All,
                    organisation: None,
                    active: false,
                },
                crate::harness::now(),
                "test",
            )
            .await;
        assert!(direct.is_err());

        // With a second admin, the first may go.
        app.add_user("second-admin", UserRole::Admin, Scope::All, None)
            .await;
        let reply = api
            .send_json(
                Method::PATCH,
                "/api/v1/users/admin",
                &json!({"active": false}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            sign_in(&app, "admin", PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn only_the_admin_manages_accounts_and_reads_the_audit() {
    for app in apps().await {
        for role in UserRole::ALL
            .iter()
            .filter(|role| **role != UserRole::Admin)
        {
            let mut api = app.with_token(*role).await;
            for path in ["/api/v1/users", "/api/v1/tokens", "/api/v1/audit"] {
                api.get(path).await.problem(StatusCode::FORBIDDEN);
            }
            let created = api
                .send_json(
                    Method::POST,
                    "/api/v1/users",
                    &json!({"username": "sneaky", "role": "admin"}),
                )
                .await;
            created.problem(StatusCode::FORBIDDEN);
            let mut browser = app.signed_in(*role).await;
            assert_eq!(
                browser.get("/admin/users").await.status,
                StatusCode::FORBIDDEN
            );
            assert_eq!(
                browser.get("/admin/audit").await.status,
                StatusCode::FORBIDDEN
            );
            let home = browser.get("/").await;
            assert!(!home.body.contains("href=\"/admin/users\""), "{role}");
            assert!(home.body.contains("href=\"/account\""), "{role}");
        }
        assert!(app.state.store.user("sneaky").await.unwrap().is_none());
        app.finish().await;
    }
}

#[tokio::test]
async fn api_tokens_are_shown_once_and_stop_working_when_revoked() {
    for app in apps().await {
        let mut admin = app.signed_in(UserRole::Admin).await;
        let page = admin
            .post_form(
                "/admin/tokens",
                &[("username", "analyst"), ("label", "dashboard feed")],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let token = secret_in(&page.body);
        assert!(token.starts_with("corridor_"));
        let me = app
            .anonymous()
            .send_bearer(Method::GET, "/api/v1/me", &token)
            .await;
        assert_eq!(me.json()["username"], "analyst");
        assert!(!admin.get("/admin/tokens").await.body.contains(&token));

        let mut api = app.with_token(UserRole::Admin).await;
        let list = api.get("/api/v1/tokens").await.json();
        let rows = list["tokens"].as_array().unwrap();
        let ours = rows
            .iter()
            .find(|row| row["label"] == "dashboard feed")
            .expect("the token is listed");
        assert_eq!(ours["username"], "analyst");
        assert!(ours["revoked_at"].is_null());
        assert!(ours.get("token").is_none());
        let id = ours["id"].as_str().unwrap().to_string();

        let revoked = api
            .send(
                Method::POST,
                &format!("/api/v1/tokens/{id}/revoke"),
                None,
                None,
            )
            .await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
        assert!(!revoked.json()["revoked_at"].is_null());
        let refused = app
            .anonymous()
            .send_bearer(Method::GET, "/api/v1/me", &token)
            .await;
        refused.problem(StatusCode::UNAUTHORIZED);
        api.send(
            Method::POST,
            &format!("/api/v1/tokens/{id}/revoke"),
            None,
            None,
        )
        .await
        .problem(StatusCode::CONFLICT);
        api.send(Method::POST, "/api/v1/tokens/T-9999/revoke", None, None)
            .await
            .problem(StatusCode::NOT_FOUND);
        // Revoked from the page as well.
        let second = admin
            .post_form(
                "/admin/tokens",
                &[("username", "analyst"), ("label", "second feed")],
            )
            .await;
        let second_token = secret_in(&second.body);
        let list = api.get("/api/v1/tokens").await.json();
        let second_id = list["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["label"] == "second feed")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let reply = admin
            .post_form(&format!("/admin/tokens/{second_id}/revoke"), &[])
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert!(
            admin
                .get("/admin/tokens")
                .await
                .body
                .contains("Revoked the API token")
        );
        app.anonymous()
            .send_bearer(Method::GET, "/api/v1/me", &second_token)
            .await
            .problem(StatusCode::UNAUTHORIZED);
        let log = actions(&app).await;
        assert_eq!(log.iter().filter(|a| *a == "api-token.revoke").count(), 2);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_audit_view_shows_the_chain_and_every_break_of_the_glass_with_its_reason() {
    for app in apps().await {
        let mut referrer = app.with_token(UserRole::Referrer).await;
        let reason = "patient transferred to our ward tonight";
        let granted = referrer
            .send_json(
                Method::POST,
                "/api/v1/people/P-000001/break-glass",
                &json!({ "reason": reason }),
            )
            .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);

        let mut admin = app.signed_in(UserRole::Admin).await;
        let page = admin.get("/admin/audit").await;
        assert_eq!(page.status, StatusCode::OK);
        // The chain is walked only when asked: it grows with every read.
        assert!(
            page.body.contains("Verify the audit chain") && !page.body.contains("is intact"),
            "{}",
            page.body
        );
        let verified = admin.get("/admin/audit?verify=true").await;
        assert!(
            verified
                .body
                .contains("The audit log and the data are intact"),
            "{}",
            verified.body
        );
        let grants = &page.body[page.body.find("Break-the-glass grants").unwrap()..];
        assert!(grants.contains(reason));
        assert!(grants.contains("P-000001"));
        assert!(grants.contains("<td>referrer</td>"));
        assert!(grants.contains("(open now)"));

        let mut api = app.with_token(UserRole::Admin).await;
        let view = api
            .get("/api/v1/audit?limit=5&action=person.break-glass&verify=true")
            .await
            .json();
        assert_eq!(view["integrity"]["intact"], true);
        assert_eq!(view["break_glass"][0]["username"], "referrer");
        assert_eq!(view["break_glass"][0]["reason"], reason);
        assert_eq!(view["break_glass"][0]["active"], true);
        let entries = view["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["action"], "person.break-glass");
        assert!(entries[0]["detail"].as_str().unwrap().contains(reason));

        let users = api.get("/api/v1/audit?action=user.&limit=500").await.json();
        assert!(users["integrity"].is_null(), "{users}");
        let users = users["entries"].as_array().unwrap();
        assert!(users.len() >= UserRole::ALL.len());
        assert!(
            users
                .iter()
                .all(|e| e["action"].as_str().unwrap().starts_with("user."))
        );
        let seqs: Vec<u64> = users.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first");
        // `_` is not a wildcard in the filter.
        let none = api.get("/api/v1/audit?action=user_").await.json();
        assert!(none["entries"].as_array().unwrap().is_empty());
        api.get("/api/v1/audit?limit=0")
            .await
            .problem(StatusCode::BAD_REQUEST);
        app.finish().await;
    }
}

async fn change_password(
    client: &mut Client,
    current: &str,
    new: &str,
    repeat: &str,
) -> crate::harness::Reply {
    client
        .post_form(
            "/account/password",
            &[
                ("current_password", current),
                ("new_password", new),
                ("repeat_password", repeat),
            ],
        )
        .await
}

#[tokio::test]
async fn users_change_their_own_password_with_the_current_one_and_end_their_other_sessions() {
    for app in apps().await {
        let mut analyst = app.signed_in(UserRole::Analyst).await;
        let mut elsewhere = app.signed_in(UserRole::Analyst).await;
        let mut someone_else = app.signed_in(UserRole::Coordinator).await;
        let page = analyst.get("/account").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Change your password"));
        let new = "a new and longer pass phrase";

        let wrong = change_password(&mut analyst, "not my password", new, new).await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        assert!(
            wrong.body.contains("current password is wrong"),
            "{}",
            wrong.body
        );
        let differ = change_password(&mut analyst, PASSWORD, new, "something else entirely").await;
        assert_eq!(differ.status, StatusCode::BAD_REQUEST);
        assert!(differ.body.contains("repeat_password"));
        for (weak, why) in [
            ("short", "use at least 12"),
            ("              ", "only spaces"),
            ("my analyst password", "contains the user name"),
            ("Password2026!", "attackers try first"),
            ("qwertyuiop12", "attackers try first"),
        ] {
            let refused = change_password(&mut analyst, PASSWORD, weak, weak).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{weak:?}");
            assert!(refused.body.contains(why), "{weak:?}: {}", refused.body);
        }
        assert_eq!(
            sign_in(&app, "analyst", PASSWORD).await,
            StatusCode::SEE_OTHER
        );

        let changed = change_password(&mut analyst, PASSWORD, new, new).await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
        // The session it was changed in goes on; the user's other session
        // ends; another account's does not.
        assert!(
            analyst
                .get("/account")
                .await
                .body
                .contains("Your password is changed")
        );
        let ended = elsewhere.get("/account").await;
        assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", app.backend);
        assert_eq!(ended.headers[header::LOCATION], "/sign-in");
        assert_eq!(someone_else.get("/account").await.status, StatusCode::OK);
        assert_eq!(
            sign_in(&app, "analyst", PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(sign_in(&app, "analyst", new).await, StatusCode::SEE_OTHER);
        let entry = app
            .audit()
            .await
            .into_iter()
            .find(|e| e.action == "user.set-password")
            .expect("audited");
        assert_eq!(
            (entry.actor.as_str(), entry.subject.as_str()),
            ("analyst", "analyst")
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_reset_password_is_shown_once_clears_the_lock_and_ends_the_sessions() {
    for app in apps().await {
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        assert_eq!(coordinator.get("/people").await.status, StatusCode::OK);
        for _ in 0..3 {
            sign_in(&app, "coordinator", "not the password").await;
        }
        let before = app.state.store.user("coordinator").await.unwrap().unwrap();
        assert_eq!(before.failed_sign_ins, 3);
        assert!(before.locked_until.is_some());
        let mut admin = app.signed_in(UserRole::Admin).await;
        let listed = admin.get("/admin/users/coordinator").await;
        assert!(
            listed.body.contains("<dt>Failed sign-ins</dt><dd>3"),
            "{}",
            listed.body
        );
        let page = admin
            .post_form("/admin/users/coordinator/password", &[])
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let password = secret_in(&page.body);
        assert!(corridor_domain::check_password(&password, "coordinator").is_ok());
        let after = app.state.store.user("coordinator").await.unwrap().unwrap();
        assert_eq!((after.failed_sign_ins, after.locked_until), (0, None));
        // The session signed in before the reset has ended.
        let ended = coordinator.get("/people").await;
        assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", app.backend);
        assert_eq!(ended.headers[header::LOCATION], "/sign-in");
        assert_eq!(
            sign_in(&app, "coordinator", &password).await,
            StatusCode::SEE_OTHER
        );

        let mut api = app.with_token(UserRole::Admin).await;
        let reply = api
            .send(
                Method::POST,
                "/api/v1/users/coordinator/password",
                None,
                None,
            )
            .await;
        let again = reply.json()["password"].as_str().unwrap().to_string();
        assert_ne!(again, password);
        assert_eq!(
            sign_in(&app, "coordinator", &password).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            sign_in(&app, "coordinator", &again).await,
            StatusCode::SEE_OTHER
        );
        api.send(Method::POST, "/api/v1/users/nobody/password", None, None)
            .await
            .problem(StatusCode::NOT_FOUND);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_admin_adds_organisations_that_accounts_then_name() {
    for app in apps().await {
        let mut admin = app.signed_in(UserRole::Admin).await;
        let page = admin.get("/admin/organisations").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Nasser Medical Complex"),
            "{}",
            app.backend
        );
        assert!(page.body.contains("Medevac coordination cell (demo)"));

        let added = admin
            .post_form(
                "/admin/organisations",
                &[
                    ("id", "gaza-european"),
                    ("name", "Gaza European Clinic"),
                    ("kind", "referring-facility"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        // A name taken whatever its case comes back on the form as typed.
        let taken = admin
            .post_form(
                "/admin/organisations",
                &[
                    ("id", "another-id"),
                    ("name", "NASSER MEDICAL COMPLEX"),
                    ("kind", "referring-facility"),
                ],
            )
            .await;
        assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
        assert!(taken.body.contains("exists already"));
        assert!(taken.body.contains("value=\"another-id\""));

        let mut api = app.with_token(UserRole::Admin).await;
        let bad = api
            .send_json(
                Method::POST,
                "/api/v1/organisations",
                &json!({"id": "x y", "name": "X", "kind": "referring-facility"}),
            )
            .await;
        assert_eq!(bad.problem(StatusCode::BAD_REQUEST)["field"], "id");
        let list = app
            .with_token(UserRole::Analyst)
            .await
            .get("/api/v1/organisations")
            .await
            .json();
        let ids: Vec<&str> = list["organisations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .collect();
        assert!(
            ids.contains(&"gaza-european") && ids.contains(&"wfp"),
            "{ids:?}"
        );

        // An account names an organisation by id; the form offers them.
        let form = admin.get("/admin/users").await;
        assert!(form.body.contains("<option value=\"gaza-european\""));
        let created = api
            .send_json(
                Method::POST,
                "/api/v1/users",
                &json!({"username": "rana", "role": "referrer", "organisation": "gaza-european"}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let moved = api
            .send_json(
                Method::PATCH,
                "/api/v1/users/rana",
                &json!({"organisation": "gaza-europe"}),
            )
            .await;
        let problem = moved.problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "organisation");
        assert!(problem["detail"].as_str().unwrap().contains("gaza-europe"));
        let added = app
            .audit()
            .await
            .into_iter()
            .filter(|entry| entry.action == "organisation.add")
            .count();
        assert_eq!(added, 1);
        app.finish().await;
    }
}
