//! A fresh registry per test and the few helpers every test uses.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The date every test works as of.
pub const TODAY: &str = "2026-02-01";
/// Who every test acts as.
pub const ACTOR: &str = "tester";

/// What one run of the binary printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn success(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\n--- stdout\n{}--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that the command failed with exit code 1 (a refused command,
    /// not a crash: a panic exits with 101), and did not panic.
    #[track_caller]
    pub fn failure(self) -> Run {
        assert_eq!(
            self.code, 1,
            "expected exit code 1\n--- stdout\n{}--- stderr\n{}",
            self.stdout, self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        self
    }

    /// Asserts that clap refused the command line (exit code 2).
    #[track_caller]
    pub fn usage_error(self) -> Run {
        assert_eq!(
            self.code, 2,
            "expected a usage error\n--- stdout\n{}--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Run {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}\n--- stdout\n{}--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n--- stdout\n{}--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// A registry in its own temporary directory.
pub struct Registry {
    directory: tempfile::TempDir,
    url: String,
}

impl Registry {
    pub fn new() -> Registry {
        let directory = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite://{}",
            directory.path().join("corridor.db").display()
        );
        add_test_organisations(&url);
        Registry { directory, url }
    }

    /// A new SQLite registry that corridor has not opened yet, e.g. to
    /// restore a backup into.
    pub fn unopened() -> Registry {
        let directory = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite://{}",
            directory.path().join("corridor.db").display()
        );
        Registry { directory, url }
    }

    /// A registry on a database corridor has not opened yet, e.g. a new
    /// PostgreSQL database.
    pub fn unopened_at(url: &str) -> Registry {
        Registry {
            directory: tempfile::tempdir().expect("temporary directory"),
            url: url.to_string(),
        }
    }

    /// A registry on another database, e.g. PostgreSQL.
    pub fn at(url: &str) -> Registry {
        add_test_organisations(url);
        Registry {
            directory: tempfile::tempdir().expect("temporary directory"),
            url: url.to_string(),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A path for a file of this test, e.g. a CSV file.
    pub fn file(&self, name: &str) -> PathBuf {
        self.directory.path().join(name)
    }

    pub fn write_file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.file(name);
        std::fs::write(&path, content).expect("write a test file");
        path
    }

    /// Runs `corridor --database-url URL --today 2026-02-01 --as tester ARGS`.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--database-url", self.url.as_str()];
        all.extend(["--today", TODAY, "--as", ACTOR]);
        all.extend(args);
        run_raw(self.directory.path(), &all)
    }

    /// Runs the command as of `today` instead of 2026-02-01 (the gate
    /// records outcomes only once their day has come).
    pub fn run_on(&self, today: &str, args: &[&str]) -> Run {
        let mut all = vec!["--database-url", self.url.as_str()];
        all.extend(["--today", today, "--as", ACTOR]);
        all.extend(args);
        run_raw(self.directory.path(), &all)
    }

    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        self.run(args).success().stdout
    }

    /// Registers a patient with the given id, tier, birth year, referral
    /// date and specialty, and any extra arguments (e.g. a companion).
    #[track_caller]
    pub fn add_patient(&self, p: &PatientSpec<'_>) -> String {
        let mut args = vec![
            "patients",
            "add",
            "--id",
            p.id,
            "--birth-year",
            p.birth_year,
            "--sex",
            "female",
            "--condition",
            "cancer",
            "--specialty",
            p.specialty,
            "--tier",
            p.tier,
            "--referral-date",
            p.referred,
            "--referring-facility",
            "al-shifa-hospital",
            "--legal-basis",
            "consent",
        ];
        args.extend(p.extra);
        self.ok(&args)
    }

    /// The ids `patients list ARGS` prints, in order.
    #[track_caller]
    pub fn list_ids(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["patients", "list"];
        all.extend(args);
        ids_of_listing(&self.ok(&all))
    }
}

/// Runs the binary with exactly these arguments, with no database or actor
/// coming from the environment, and the data directory inside `home`.
pub fn run_raw(home: &Path, args: &[&str]) -> Run {
    run_raw_with_env(home, args, &[])
}

/// Like [`run_raw`], with these environment variables set.
pub fn run_raw_with_env(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::cargo_bin("corridor")
        .expect("the corridor binary")
        .args(args)
        .env_remove("CORRIDOR_NEW_PASSWORD")
        .env_remove("CORRIDOR_DATABASE_URL")
        .env_remove("CORRIDOR_ACTOR")
        .envs(env.iter().copied())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run corridor");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// The first column of the rows of a `patients list` table.
pub fn ids_of_listing(stdout: &str) -> Vec<String> {
    if stdout.starts_with("No one matches") {
        return Vec::new();
    }
    let mut lines = stdout.lines();
    let header = lines.next().unwrap_or_default();
    assert!(header.starts_with("ID "), "not a listing:\n{stdout}");
    lines
        .take_while(|line| {
            !line.is_empty() && !line.starts_with("Rows ") && !line.starts_with("Page ")
        })
        .map(|line| {
            line.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

pub struct PatientSpec<'a> {
    pub id: &'a str,
    pub tier: &'a str,
    pub birth_year: &'a str,
    pub referred: &'a str,
    pub specialty: &'a str,
    pub extra: &'a [&'a str],
}

impl Default for PatientSpec<'_> {
    fn default() -> Self {
        PatientSpec {
            id: "P-1",
            tier: "urgent",
            birth_year: "1980",
            referred: "2025-11-03",
            specialty: "oncology",
            extra: &[],
        }
    }
}

/// Runs a future to completion, for the few tests that talk to a database
/// directly.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

/// Runs `test` on a registry in a PostgreSQL database made for it and
/// dropped after (even when the test fails), when CORRIDOR_TEST_POSTGRES_URL
/// names a server; otherwise says that it was skipped.
pub fn with_postgres_registry(test: impl FnOnce(&Registry)) {
    with_postgres_database(|url| test(&Registry::at(url)));
}

/// Runs `test` with the URL of a new, empty PostgreSQL database made for
/// it and dropped after, as [`with_postgres_registry`] does.
pub fn with_postgres_database(test: impl FnOnce(&str)) {
    use sqlx::Executor as _;
    use std::io::Write as _;

    let admin_url = match std::env::var("CORRIDOR_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            // Written past the test harness's capture so that it shows.
            let _ = std::io::stderr().write_all(
                b"PostgreSQL CLI test SKIPPED: set CORRIDOR_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres to run it\n",
            );
            return;
        }
    };
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "corridor_cli_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros()
            % 1_000_000
    );
    let admin = |sql: String| {
        let admin_url = admin_url.clone();
        block_on(async move {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&admin_url)
                .await
                .expect("connect to CORRIDOR_TEST_POSTGRES_URL");
            pool.execute(sqlx::AssertSqlSafe(sql))
                .await
                .expect("administer the test database");
            pool.close().await;
        });
    };
    admin(format!("CREATE DATABASE {name}"));
    // Dropped even when an assertion in `test` fails.
    struct DropDatabase<F: Fn(String)>(F, String);
    impl<F: Fn(String)> Drop for DropDatabase<F> {
        fn drop(&mut self) {
            (self.0)(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.1));
        }
    }
    let _guard = DropDatabase(admin, name.clone());
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(base, _)| base);
    test(&format!("{base}/{name}"));
}

/// The referring facilities the tests' patients name (id, name), put in
/// the registry as a fixture (not audited, so no test sees them in the log).
pub const TEST_ORGANISATIONS: &[(&str, &str)] = &[
    ("al-shifa-hospital", "Al-Shifa Hospital"),
    ("nasser-medical-complex", "Nasser Medical Complex"),
    ("european-gaza-hospital", "European Gaza Hospital"),
];

/// The organisations the test referrals name, put there as fixtures before
/// the data is first bound to the audit chain, so that the registry's first
/// entry (which binds the seeded reason codes) binds them too.
fn add_test_organisations(url: &str) {
    block_on(async {
        let store = corridor_store::Store::open_for_restore(url)
            .await
            .expect("open the test registry");
        store.close().await;
        let raw = sqlx::AnyPool::connect(url).await.expect("raw connection");
        for (id, name) in TEST_ORGANISATIONS {
            sqlx::query(
                "INSERT INTO organisations (id, name, kind, created_at) \
                 VALUES ($1, $2, 'referring-facility', 0) ON CONFLICT DO NOTHING",
            )
            .bind(*id)
            .bind(*name)
            .execute(&raw)
            .await
            .expect("a test organisation");
        }
        raw.close().await;
        corridor_store::Store::open(url)
            .await
            .expect("open the test registry")
            .close()
            .await;
    });
}
