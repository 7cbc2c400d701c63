//! `corridor demo` and `corridor summary`.

use super::support::Registry;

/// The lines of the summary that `demo` and `summary` both print.
fn assert_is_summary(stdout: &str) {
    for needle in [
        "Waiting list on 2026-02-01: ",
        " patients waiting, ",
        " of them children (under 18), with ",
        " companions.",
        "TIER",
        "WAITING",
        "DIED WHILE WAITING",
        "critical",
        "urgent",
        "routine",
        "all tiers",
        "Waiting time since referral: median ",
        ", longest ",
        "Deaths while waiting: ",
    ] {
        assert!(stdout.contains(needle), "lacks {needle:?}:\n{stdout}");
    }
}

/// The number printed before `what` on the line that holds it, e.g.
/// `number_before(out, " patients waiting")`.
fn number_before(stdout: &str, what: &str) -> u64 {
    let line = stdout
        .lines()
        .find(|line| line.contains(what))
        .unwrap_or_else(|| panic!("no line with {what:?}:\n{stdout}"));
    let before = &line[..line.find(what).unwrap()];
    let number: String = before
        .rsplit(' ')
        .next()
        .unwrap()
        .chars()
        .filter(|c| *c != ',')
        .collect();
    number
        .parse()
        .unwrap_or_else(|_| panic!("no number before {what:?} in {line:?}"))
}

#[test]
fn demo_loads_a_calibrated_registry_and_prints_the_summary() {
    let registry = Registry::new();
    let out = registry.ok(&["demo", "--size", "300"]);
    assert!(
        out.starts_with("Loaded the demo data set (seed 2026) into sqlite://"),
        "{out}"
    );
    assert_is_summary(&out);
    assert_eq!(number_before(&out, " patients waiting"), 300, "{out}");
    let children = number_before(&out, " of them children");
    assert!((30..=120).contains(&children), "about 22% children: {out}");
    assert!(number_before(&out, " companions.") > 0, "{out}");
    assert!(
        number_before(&out, " days; ") > 365,
        "someone waited over a year: {out}"
    );
    // The tier rows add up to the total.
    let tiers: u64 = ["critical", "urgent", "routine"]
        .iter()
        .map(|tier| {
            let line = out.lines().find(|l| l.starts_with(tier)).unwrap();
            line.split_whitespace()
                .nth(1)
                .unwrap()
                .parse::<u64>()
                .unwrap()
        })
        .sum();
    assert_eq!(tiers, 300, "{out}");
}

#[test]
fn demo_twice_leaves_the_database_unchanged_and_says_so() {
    let registry = Registry::new();
    let first = registry.ok(&["demo", "--size", "300"]);
    let listing = registry.ok(&["patients", "list", "--limit", "10000"]);
    let audit = registry.ok(&["audit", "log", "--limit", "1000"]);

    let second = registry.ok(&["demo", "--size", "300", "--seed", "7"]);
    assert!(second.starts_with("The database sqlite://"), "{second}");
    assert!(second.contains("it was left as it is"), "{second}");
    assert!(second.contains("use a new database"), "{second}");
    // The same summary follows, after the note.
    let summary_of = |out: &str| out[out.find("Waiting list on").unwrap()..].to_string();
    assert_eq!(summary_of(&second), summary_of(&first));
    assert_eq!(
        registry.ok(&["patients", "list", "--limit", "10000"]),
        listing
    );
    assert_eq!(registry.ok(&["audit", "log", "--limit", "1000"]), audit);
}

#[test]
fn summary_matches_what_demo_printed() {
    let registry = Registry::new();
    let demo = registry.ok(&["demo", "--size", "300"]);
    let summary = registry.ok(&["summary"]);
    assert_is_summary(&summary);
    assert!(
        summary.starts_with("Waiting list on 2026-02-01"),
        "{summary}"
    );
    assert_eq!(&demo[demo.find("Waiting list on").unwrap()..], summary);
}

#[test]
fn summary_of_an_empty_registry() {
    let registry = Registry::new();
    let out = registry.ok(&["summary"]);
    assert!(
        out.starts_with(
            "Waiting list on 2026-02-01: 0 patients waiting, 0 of them children (under 18), with 0 companions."
        ),
        "{out}"
    );
    assert!(out.contains("median -, longest -"), "{out}");
}

#[test]
fn the_same_seed_gives_the_same_registry() {
    let one = Registry::new();
    let two = Registry::new();
    one.ok(&["demo", "--size", "300", "--seed", "11"]);
    two.ok(&["demo", "--size", "300", "--seed", "11"]);
    let args = ["patients", "list", "--limit", "10000"];
    assert_eq!(one.ok(&args), two.ok(&args));
}

#[test]
fn demo_refuses_dates_and_sizes_it_cannot_generate() {
    let registry = Registry::new();
    registry
        .run(&["demo", "--size", "0"])
        .failure()
        .stderr_has("--size must be between 1 and 200,000");
    // Ages up to 90 as of 1950 would need birth years before 1900.
    let run = std::process::Command::new(assert_cmd::cargo::cargo_bin("corridor"))
        .args(["--database-url", registry.url(), "--as", "tester"])
        .args(["--today", "1950-01-01", "demo", "--size", "10"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("must be 2000-01-01 or later"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        registry
            .ok(&["patients", "list"])
            .contains("No one matches"),
        "nothing was loaded"
    );
}
