//! `corridor users add|list|reset-password|token`, as an operator and a
//! benchmark script run them.

use corridor_domain::{Scope, UserRole};
use corridor_store::{SignInCheck, Store};

use super::support::{Registry, block_on, run_raw_with_env, with_postgres_registry};

const BENCH_PASSWORD: &str = "a long benchmark password";

/// The account's stored hash, checked against `password`.
fn password_works(registry: &Registry, username: &str, password: &str) -> bool {
    block_on(async {
        let store = Store::open(registry.url()).await.unwrap();
        let check = store
            .sign_in_check(username, jiff::Timestamp::now())
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
        "Nasser Medical Complex",
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
    assert_eq!(rows[2][..4], ["omar", "referrer", "organisation", "Nasser"]);
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
    .stderr_has("CORRIDOR_NEW_PASSWORD: a password needs at least 12 characters");
    registry.ok(&["users", "add", "amal", "--role", "analyst"]);
    registry
        .run(&["users", "add", "amal", "--role", "analyst"])
        .failure()
        .stderr_has("exists already");
    assert_eq!(registry.ok(&["users", "list"]).lines().count(), 2);
}
