//! `corridor audit verify|log`.

use std::process::ExitCode;

use std::path::Path;

use anyhow::Context as _;
use corridor_store::{AuditAnchor, AuditReport};

use crate::context::Context;
use crate::flags::audit::AuditCommand;
use crate::output::{count, table};

pub async fn run(context: &Context, command: &AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify(args) => {
            let anchor = match &args.anchor {
                Some(path) => Some(read_anchor(path)?),
                None => None,
            };
            let report = context.store.verify_audit_against(anchor.as_ref()).await?;
            Ok(print_report(&report, anchor.as_ref()))
        }
        AuditCommand::Anchor(args) => {
            let anchor = context.store.audit_anchor().await?;
            match &args.out {
                None => print!("{}", anchor.to_text()),
                Some(path) => {
                    std::fs::write(path, anchor.to_text()).with_context(|| {
                        format!("cannot write the anchor to {}", path.display())
                    })?;
                    println!(
                        "Anchored entry {} ({}) in {}.\n\
                         Keep this file where whoever can change the database cannot, and check \
                         against it with `corridor audit verify --anchor {}`.",
                        anchor.seq,
                        anchor.hash,
                        path.display(),
                        path.display()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Log(args) => {
            let entries = context.store.audit_tail(args.limit).await?;
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|entry| {
                    vec![
                        entry.seq.to_string(),
                        entry.at.strftime("%Y-%m-%d %H:%M:%S").to_string(),
                        entry.actor.clone(),
                        entry.action.clone(),
                        entry.subject.clone(),
                        shorten(&entry.detail, 80),
                    ]
                })
                .collect();
            print!(
                "{}",
                table(
                    &["SEQ", "AT (UTC)", "ACTOR", "ACTION", "SUBJECT", "DETAIL"],
                    &rows,
                    &[0]
                )
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let kept: String = text.chars().take(max_chars - 1).collect();
        format!("{kept}…")
    }
}

fn read_anchor(path: &Path) -> anyhow::Result<AuditAnchor> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the anchor {}", path.display()))?;
    AuditAnchor::parse(&text)
        .map_err(|problem| anyhow::anyhow!("{} is not an audit anchor: {problem}", path.display()))
}

/// Prints what `verify` found; the exit code says whether all is intact.
pub(crate) fn print_report(report: &AuditReport, anchor: Option<&AuditAnchor>) -> ExitCode {
    let entries = format!(
        "{} {}",
        count(report.entries),
        if report.entries == 1 {
            "entry"
        } else {
            "entries"
        }
    );
    if report.is_intact() {
        println!(
            "The audit log and the data are intact: {entries}, {} rows of data each as its last \
             change wrote it; head entry {} with hash {}.",
            count(report.rows),
            report.head_seq,
            report.head_hash
        );
        match anchor {
            Some(anchor) => println!(
                "The chain still holds the anchored entry {} of {}.",
                anchor.seq, anchor.at
            ),
            None => println!(
                "Keep an anchor outside this database (`corridor audit anchor --out FILE`) to \
                 detect a rewrite of the whole log."
            ),
        }
        ExitCode::SUCCESS
    } else {
        println!(
            "The audit log or the data has been tampered with: {} problem(s) in {entries} and {} \
             rows of data.",
            report.problems.len(),
            count(report.rows)
        );
        for problem in &report.problems {
            println!("  - {problem}");
        }
        ExitCode::FAILURE
    }
}
