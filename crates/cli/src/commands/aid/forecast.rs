//! `aid forecast`: the staging queue simulated from inspection capacity
//! and arrivals.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::bail;
use corridor_domain::Stage;
use corridor_sim::{ForecastConfig, HorizonDays, QueueScenario, Replications, Shortfall};

use crate::context::Context;
use crate::flags::aid::ForecastArgs;
use crate::output::{count, table};

pub(super) async fn forecast(context: &Context, args: &ForecastArgs) -> anyhow::Result<ExitCode> {
    let horizon = HorizonDays::new(args.days).map_err(|e| anyhow::anyhow!("--days {e}"))?;
    let replications =
        Replications::new(args.replications).map_err(|e| anyhow::anyhow!("--replications {e}"))?;
    if args.target == 0 {
        bail!("--target must be at least 1 truck a day");
    }
    let (initial_queue, queue_source) = match args.queue {
        Some(queue) => (queue, "given"),
        None => {
            let staging: u64 = context
                .store
                .aid_in_stage()
                .await?
                .iter()
                .filter(|count| count.stage == Stage::Staging)
                .map(|count| count.trucks)
                .sum();
            (u32::try_from(staging).unwrap_or(u32::MAX), "in staging now")
        }
    };
    let scenario = QueueScenario {
        horizon_days: horizon,
        initial_queue,
        arrivals_per_day: args.arrivals,
        arrivals_growth_per_day: args.arrivals_growth,
        inspection_capacity: args.inspection_capacity,
        capacity_growth_per_day: args.capacity_growth,
        target_per_day: args.target,
    };
    scenario.check().map_err(|e| anyhow::anyhow!("{e}"))?;
    let config = ForecastConfig {
        replications,
        seed: args.seed,
    };
    let result = corridor_sim::forecast_queue(&scenario, &config);
    let mut out = format!(
        "Staging queue from {} over {} days: {} trucks at the start ({queue_source}), arrivals {} a day{}, inspection capacity {} a day{}; target {} trucks inspected a day.\n\
         {} replications, seed {}; trucks in staging at the end of the day, 5th / 50th / 95th percentile:\n\n",
        context.today,
        args.days,
        count(u64::from(initial_queue)),
        args.arrivals,
        growth(args.arrivals_growth),
        args.inspection_capacity,
        growth(args.capacity_growth),
        args.target,
        result.replications,
        result.seed,
    );
    // Day 1, every seventh day, and the last.
    let mut shown: Vec<u32> = std::iter::once(1)
        .chain((7..=args.days).step_by(7))
        .collect();
    if shown.last() != Some(&args.days) {
        shown.push(args.days);
    }
    shown.dedup();
    let rows: Vec<Vec<String>> = shown
        .into_iter()
        .map(|day| {
            let index = (day - 1) as usize;
            let queue = result.queue[index];
            vec![
                day.to_string(),
                context
                    .today
                    .checked_add(jiff::Span::new().days(i64::from(day - 1)))
                    .map_or(String::new(), |date| date.to_string()),
                format!("{:.0}", queue.p5),
                format!("{:.0}", queue.p50),
                format!("{:.0}", queue.p95),
                format!("{:.0}", result.inspected[index].p50),
            ]
        })
        .collect();
    out.push_str(&table(
        &["DAY", "DATE", "QUEUE P5", "P50", "P95", "INSPECTED P50"],
        &rows,
        &[0, 2, 3, 4, 5],
    ));
    out.push('\n');
    match (&result.target_met.days, scenario.shortfall()) {
        (Some(days), _) => {
            let _ = writeln!(
                out,
                "The target of {} trucks inspected in a day is first met on day {:.1} (95% CI {:.1} to {:.1}).",
                args.target, days.mean, days.low, days.high
            );
        }
        (None, shortfall) => {
            let why = match shortfall {
                Some(Shortfall::Capacity { best }) => format!(
                    "the inspection capacity stays at or below {best} trucks a day, under the target of {}",
                    args.target
                ),
                Some(Shortfall::Arrivals { best }) => format!(
                    "arrivals stay at or below {best:.0} trucks a day on average, under the target of {}; it can be met only while a queue lasts",
                    args.target
                ),
                None => "the queue and the capacity reach it only in some replications".to_string(),
            };
            let _ = writeln!(
                out,
                "The target of {} trucks inspected in a day is not met within the horizon in {} of {} replications: {why}.",
                args.target,
                result.replications - result.target_met.completed,
                result.replications,
            );
        }
    }
    let _ = writeln!(
        out,
        "Trucks in staging after {} days: {:.0} on average (95% CI {:.0} to {:.0}).",
        args.days, result.final_queue.mean, result.final_queue.low, result.final_queue.high
    );
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn growth(per_day: f64) -> String {
    if per_day == 0.0 {
        String::new()
    } else {
        format!(" ({per_day:+} a day)")
    }
}
