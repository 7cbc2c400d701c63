//! `corridor users add|list|reset-password|token`, as an operator and a
//! benchmark script run them.

use corridor_domain::{Scope, UserRole};
use corridor_store::{SignInCheck, Store};

use super::support::{Registry, block_on, run_raw_with_env, with_postgres_registry};

const BENCH_PASSWORD: &str = "a long pass phrase for scripts";

/// The account's stored hash, checked against `password`.
fn password_works(registry: &Registry, username: &str, password: &str) -> bool {
    block_on(async {
        let store = Store::open(registry.url()).await.unwrap();
        let check = store
            .claim_sign_in(username, jiff::Timestamp::now())
            .await
            .unwrap();
        store.close().await;
        match check {
            SignInCheck::Ready { password_hash, .. } => {
                corridor_web::verify_password(password, &password_hash)
            }
            other => panic!("{username}: {other:?}"),
        }
    })
}

#[test]
fn a_script_adds_an_account_and_captures_a_token_from_standard_output() {
    script_forms(&Registry::new());
}

#[test]
fn the_script_forms_work_on_postgres() {
    with_postgres_registry(script_forms);
}

fn script_forms(registry: &Registry) {
    let home = registry.file("home");
    std::fs::create_dir_all(&home).unwrap();
    // Exactly the two forms the benchmark script uses.
    let added = run_raw_with_env(
        &home,
        &[
            "--database-url",
            registry.url(),
            "users",
            "add",
            "bench",
            "--role",
            "coordinator",
        ],
        &[("CORRIDOR_NEW_PASSWORD", BENCH_PASSWORD)],
    )
    .success();
    assert!(
        added
            .stdout
            .contains("Created the account 'bench' (Coordinator, scope all)"),
        "{}",
        added.stdout
    );
    assert!(!added.stdout.contains(BENCH_PASSWORD));
    assert!(password_works(registry, "bench", BENCH_PASSWORD));

    let token = run_raw_with_env(
        &home,
        &[
            "--database-url",
            registry.url(),
            "users",
            "token",
            "bench",
            "--label",
            "bench",
        ],
        &[],
    )
    .success();
    // Only the token on stdout; what it is on stderr.
    let lines: Vec<&str> = token.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", token.stdout);
    let value = lines[0];
    assert!(
        value.starts_with("corridor_") && value.len() == "corridor_".len() + 64,
        "{value}"
    );
    assert!(
        token
            .stderr
            .contains("Created the API token T-0001 for 'bench' (bench)"),
        "{}",
        token.stderr
    );
    let owner = block_on(async {
        let store = Store::open(registry.url()).await.unwrap();
        let owner = store
            .api_token_user(&corridor_web::hash_token(value))
            .await
            .unwrap();
        store.close().await;
        owner
    })
    .expect("the token belongs to an account");
    assert_eq!(
        (owner.username.as_str(), owner.role),
        ("bench", UserRole::Coordinator)
    );
}

#[test]
fn accounts_are_listed_and_a_reset_prints_a_new_password_once() {
    let registry = Registry::new();
    let added = registry.ok(&[
        "users",
        "add",
        "omar",
        "--role",
        "referrer",
        "--organisation",
        "nasser-medical-complex",
        "--display-name",
        "Omar H.",
    ]);
    let generated = added
        .lines()
        .find_map(|line| line.strip_prefix("Its password is "))
        .expect("a generated password")
        .to_string();
    assert_eq!(generated.len(), 20);
    assert!(added.contains("shown only this once"));
    assert!(
        password_works(&registry, "omar", &generated),
        "{generated:?} from {added}"
    );
    registry.ok(&[
        "users", "add", "amal", "--role", "analyst", "--scope", "own",
    ]);

    let list = registry.ok(&["users", "list"]);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0][..3], ["USERNAME", "ROLE", "SCOPE"]);
    assert_eq!(rows[1][..5], ["amal", "analyst", "own", "-", "active"]);
    assert_eq!(
        rows[2][..4],
        ["omar", "referrer", "organisation", "nasser-medical-complex"]
    );
    assert!(!list.contains(&generated));

    let reset = registry.ok(&["users", "reset-password", "omar"]);
    let fresh = reset
        .lines()
        .find_map(|line| line.strip_prefix("The new password of 'omar' is "))
        .expect("the new password")
        .to_string();
    assert_eq!(fresh.len(), 20, "{reset}");
    assert_ne!(fresh, generated);
    assert!(password_works(&registry, "omar", &fresh));
    assert!(!password_works(&registry, "omar", &generated));

    let log = registry.ok(&["audit", "log"]);
    assert!(log.contains("user.create"));
    assert!(log.contains("user.set-password"));
    let account = block_on(async {
        let store = Store::open(registry.url()).await.unwrap();
        let user = store.user("omar").await.unwrap().unwrap();
        store.close().await;
        user
    });
    assert_eq!(account.scope, Scope::Organisation);
    assert_eq!(account.display_name, "Omar H.");
}

#[test]
fn bad_accounts_are_refused_with_what_to_do() {
    let registry = Registry::new();
    registry
        .run(&["users", "add", "x", "--role", "pilot"])
        .failure()
        .stderr_has("role: unknown value 'pilot'");
    registry
        .run(&["users", "add", "omar", "--role", "referrer"])
        .failure()
        .stderr_has("organisation: is needed with the scope 'organisation'");
    registry
        .run(&["users", "add", "two words", "--role", "analyst"])
        .failure()
        .stderr_has("username:");
    registry
        .run(&["users", "token", "nobody", "--label", "x"])
        .failure()
        .stderr_has("no account named 'nobody'");
    let home = registry.file("home");
    std::fs::create_dir_all(&home).unwrap();
    run_raw_with_env(
        &home,
        &[
            "--database-url",
            registry.url(),
            "users",
            "add",
            "bench",
            "--role",
            "coordinator",
        ],
        &[("CORRIDOR_NEW_PASSWORD", "short")],
    )
    .failure()
    .stderr_has("CORRIDOR_NEW_PASSWORD: the password is 5 characters long; use at least 12");
    for (weak, why) in [
        ("a bench pass phrase", "contains the user name"),
        ("password1234", "attackers try first"),
    ] {
        run_raw_with_env(
            &home,
            &[
                "--database-url",
                registry.url(),
                "users",
                "add",
                "bench",
                "--role",
                "coordinator",
            ],
            &[("CORRIDOR_NEW_PASSWORD", weak)],
        )
        .failure()
        .stderr_has(why);
    }
    registry
        .run(&[
            "users",
            "add",
            "omar",
            "--role",
            "referrer",
            "--organisation",
            "Nasser Medical Complex",
        ])
        .failure()
        .stderr_has("organisation:");
    registry
        .run(&[
            "users",
            "add",
            "omar",
            "--role",
            "referrer",
            "--organisation",
            "nasser",
        ])
        .failure()
        .stderr_has("organisation: no organisation 'nasser' is registered");
    registry.ok(&["users", "add", "amal", "--role", "analyst"]);
    registry
        .run(&["users", "add", "AMAL", "--role", "analyst"])
        .failure()
        .stderr_has("an account named 'amal' exists already");
    assert_eq!(registry.ok(&["users", "list"]).lines().count(), 2);
}

#[test]
fn a_reset_from_the_terminal_ends_a_signed_in_browser_session() {
    reset_ends_session(&Registry::new());
}

#[test]
fn a_reset_from_the_terminal_ends_a_signed_in_browser_session_on_postgres() {
    with_postgres_registry(reset_ends_session);
}

/// A browser signed in to a running server; the operator resets the
/// account's password with the CLI, another process. Within the server's
/// delay for other processes' changes, the browser's session has ended.
fn reset_ends_session(registry: &Registry) {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use tower::ServiceExt as _;

    let home = registry.file("home");
    std::fs::create_dir_all(&home).unwrap();
    let database = ["--database-url", registry.url()];
    let add = [
        &database[..],
        &["users", "add", "amal", "--role", "coordinator"],
    ]
    .concat();
    run_raw_with_env(&home, &add, &[("CORRIDOR_NEW_PASSWORD", BENCH_PASSWORD)]).success();

    block_on(async {
        let store = Store::open(registry.url()).await.unwrap();
        let app = corridor_web::router(corridor_web::AppState {
            store: store.clone(),
            clock: corridor_web::Clock { fixed_today: None },
            forecasts: Default::default(),
            notices_secret: None,
            secure_cookies: false,
        });
        let send = |request: Request<Body>| {
            let app = app.clone();
            async move {
                let response = app.oneshot(request).await.unwrap();
                let status = response.status();
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .map(|v| v.to_str().unwrap().to_string());
                let cookie = response
                    .headers()
                    .get(header::SET_COOKIE)
                    .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
                let body = axum::body::to_bytes(response.into_body(), 1 << 24)
                    .await
                    .unwrap();
                (
                    status,
                    location,
                    cookie,
                    String::from_utf8_lossy(&body).into_owned(),
                )
            }
        };
        let get = |path: &str, cookie: &str| {
            Request::get(path)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap()
        };
        let (_, _, cookie, form) =
            send(Request::get("/sign-in").body(Body::empty()).unwrap()).await;
        let cookie = cookie.expect("a session cookie");
        let marker = "name=\"csrf\" value=\"";
        let start = form.find(marker).unwrap() + marker.len();
        let csrf = &form[start..start + form[start..].find('"').unwrap()];
        let body = format!(
            "username=amal&password={}&csrf={csrf}",
            BENCH_PASSWORD.replace(' ', "+")
        );
        let (status, _, signed_in, _) = send(
            Request::post("/sign-in")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let cookie = signed_in.expect("a new session on sign-in");
        assert_eq!(send(get("/people", &cookie)).await.0, StatusCode::OK);

        let reset: Vec<String> = [&database[..], &["users", "reset-password", "amal"]]
            .concat()
            .into_iter()
            .map(str::to_string)
            .collect();
        let home = home.clone();
        tokio::task::spawn_blocking(move || {
            let reset: Vec<&str> = reset.iter().map(String::as_str).collect();
            run_raw_with_env(&home, &reset, &[]).success()
        })
        .await
        .unwrap();
        tokio::time::sleep(
            corridor_store::OTHER_PROCESS_DELAY + std::time::Duration::from_millis(200),
        )
        .await;
        let (status, location, _, _) = send(get("/people", &cookie)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "the session ended");
        assert_eq!(location.as_deref(), Some("/sign-in"));
        assert_eq!(store.count_web_sessions("amal").await.unwrap(), 0);
        store.close().await;
    });
}
