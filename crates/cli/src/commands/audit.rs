//! `corridor audit verify|log`.

use std::process::ExitCode;

use crate::args::AuditCommand;
use crate::context::Context;
use crate::output::{count, table};

pub async fn run(context: &Context, command: &AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify => {
            let report = context.store.verify_audit().await?;
            if report.is_intact() {
                println!(
                    "The audit log is intact: {} {}, head entry {} with hash {}.\n\
                     Keep the head hash somewhere outside this database to detect a rewrite of the whole log.",
                    count(report.entries),
                    if report.entries == 1 {
                        "entry"
                    } else {
                        "entries"
                    },
                    report.head_seq,
                    report.head_hash
                );
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "The audit log has been tampered with: {} problem(s) in {} entries.",
                    report.problems.len(),
                    count(report.entries)
                );
                for problem in &report.problems {
                    println!("  - {problem}");
                }
                Ok(ExitCode::FAILURE)
            }
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
