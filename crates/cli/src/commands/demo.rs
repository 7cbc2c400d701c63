//! `corridor demo` and `corridor summary`.

use std::process::ExitCode;

use anyhow::{Context as _, bail};

use corridor_demo::{DemoConfig, generate};
use corridor_store::{NewAuditEntry, ReferenceData, WaitingSummary};

use crate::context::Context;
use crate::flags::serve::DemoArgs;
use crate::output::{count, progress_bar, table};

pub async fn run(context: &Context, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    load(context, args).await?;
    summary(context).await
}

/// Loads the demo data set into an empty registry; says so and changes
/// nothing if the registry holds people already.
pub async fn load(context: &Context, args: &DemoArgs) -> anyhow::Result<()> {
    let people = context.store.count_people().await?;
    if people > 0 {
        println!(
            "The database {} already holds {} people; it was left as it is.\n\
             To generate the demo data set again, use a new database, e.g. --database-url sqlite:///tmp/demo.db\n",
            corridor_store::redact(&context.database_url),
            count(people)
        );
        return Ok(());
    }
    if !(1..=DemoConfig::MAX_WAITING_PATIENTS).contains(&args.size) {
        bail!(
            "--size must be between 1 and {} waiting patients",
            count(u64::from(DemoConfig::MAX_WAITING_PATIENTS))
        );
    }
    let started = std::time::Instant::now();
    let config = DemoConfig {
        seed: args.seed,
        today: context.today,
        now: context.now,
        waiting_patients: args.size,
    };
    config
        .check()
        .context("cannot generate the demo data set")?;
    let data = generate(&config);
    let generated = started.elapsed();
    let reference = ReferenceData {
        organisations: data.organisations,
        crossings: data.crossings,
        quotas: data.quotas,
        countries: data.countries,
        facilities: data.facilities,
        figures: data.figures,
        crossing_rules: data.crossing_rules,
        luggage_rules: data.luggage_rules,
    };
    let audit = NewAuditEntry {
        at: context.now,
        actor: context.actor.clone(),
        action: "dataset.load-demo".to_string(),
        subject: "demo".to_string(),
        detail: serde_json::json!({
            "seed": args.seed,
            "waiting_patients": args.size,
            "cases": data.cases.len(),
            "consignments": data.consignments.len(),
            "as_of": context.today.to_string(),
        }),
    };
    let bar = progress_bar(data.cases.len() as u64, "loading");
    let mut on_progress = |done: u64| bar.set_position(done);
    context
        .store
        .load_dataset(
            &reference,
            &data.cases,
            &data.luggage,
            &data.contacts,
            &data.consignments,
            &audit,
            &mut on_progress,
        )
        .await?;
    bar.finish_and_clear();
    println!(
        "Loaded the demo data set (seed {}) into {} in {:.1} s (generated in {:.2} s): {} people, {} facilities, {} sourced public figures, {} aid consignments.\n",
        args.seed,
        corridor_store::redact(&context.database_url),
        started.elapsed().as_secs_f64(),
        generated.as_secs_f64(),
        count(data.cases.len() as u64),
        reference.facilities.len(),
        reference.figures.len(),
        count(data.consignments.len() as u64),
    );
    Ok(())
}

pub async fn summary(context: &Context) -> anyhow::Result<ExitCode> {
    let summary = context.store.waiting_summary(context.today).await?;
    print!("{}", render_summary(&summary));
    Ok(ExitCode::SUCCESS)
}

fn render_summary(summary: &WaitingSummary) -> String {
    let mut out = format!(
        "Waiting list on {}: {} patients waiting, {} of them children (under 18), with {} companions.\n\n",
        summary.today,
        count(summary.waiting_patients),
        count(summary.waiting_children),
        count(summary.waiting_companions),
    );
    let rows: Vec<Vec<String>> = summary
        .waiting_by_tier
        .iter()
        .zip(&summary.died_by_tier)
        .map(|(waiting, died)| {
            vec![
                waiting.tier.to_string(),
                count(waiting.count),
                count(died.count),
            ]
        })
        .chain(std::iter::once(vec![
            "all tiers".to_string(),
            count(summary.waiting_patients),
            count(summary.died_while_waiting),
        ]))
        .collect();
    out.push_str(&table(
        &["TIER", "WAITING", "DIED WHILE WAITING"],
        &rows,
        &[1, 2],
    ));
    let days = |days: Option<i64>| days.map_or("-".to_string(), |d| format!("{d} days"));
    out.push_str(&format!(
        "\nWaiting time since referral: median {}, longest {}; {} patients have waited more than a year.\n",
        days(summary.median_wait_days),
        days(summary.longest_wait_days),
        count(summary.waiting_over_a_year),
    ));
    out.push_str(&format!(
        "Deaths while waiting: {}. Patients evacuated so far: {}.\n",
        count(summary.died_while_waiting),
        count(summary.evacuated_patients),
    ));
    out
}
