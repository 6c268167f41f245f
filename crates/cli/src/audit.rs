//! `signet audit`: the provider audit (see `signet_audit`). The connector comes from the same
//! flags as `signet flow` (or `--connector NAME`); the plan is printed and confirmed before
//! anything is sent; each check's verdict is printed as it comes; `--json` prints the report,
//! `--junit FILE` writes it for CI and `--html FILE` as a page for people; the exit code is 6
//! when a required check is not enforced.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use signet_app::{AuditProgress, Event};
use signet_audit::{
    AuditEvent, AuditPlan, AuditReport, AuditSettings, StopSwitch, TokenOutcome, Verdict,
};

use crate::args::AuditArgs;
use crate::exit::{Exit, Failure, Outcome};
use crate::flow::{Prepared, Printer, prepare};
use crate::output;

/// Runs `signet audit`.
pub async fn run(a: AuditArgs, data_dir: Option<&Path>) -> Outcome {
    let f = &a.flow;
    if f.one_legged || f.token.is_some() || f.until.is_some() {
        return Err(Failure::usage(
            "the audit runs the whole three-legged dance itself",
            "leave out --one-legged, --token and --until",
        ));
    }
    if !(0.1..=100.0).contains(&a.rate_limit) {
        return Err(Failure::usage(
            format!(
                "--rate-limit {} is outside 0.1 to 100 requests a second",
                a.rate_limit
            ),
            "pick a rate the provider allows, e.g. --rate-limit 2",
        ));
    }
    // Where the reports go is checked before anything is sent.
    for (flag, path) in [("--junit", &a.junit), ("--html", &a.html)] {
        if let Some(path) = path {
            output::writable(flag, path)?;
        }
    }
    let stop = StopSwitch::default();
    let settings = AuditSettings {
        min_interval: Duration::from_secs_f64(1.0 / a.rate_limit),
        stop: stop.clone(),
    };
    let Prepared {
        mut cli,
        app,
        _provider,
        view,
        instance,
        ..
    } = prepare(f, data_dir).await?;
    let plan = app.audit_plan(&instance).await?;
    let name = &view.document.connector.details.name;
    if !f.json {
        print_plan(name, &plan, &mut std::io::stdout());
    } else if !a.yes {
        // The question needs the plan beside it; the JSON stays alone on stdout.
        print_plan(name, &plan, &mut std::io::stderr());
    }
    confirm(&a, &plan)?;

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let audit = app.audit(&instance, settings, move |p| {
        let _ = tx.send(p);
    });
    tokio::pin!(audit);
    let mut dance: Option<Printer> = None;
    // Ctrl-C stops the audit (its dance, else before the next request) and still reports
    // what it found; a second one ends Signet at once.
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let result = loop {
        tokio::select! {
            biased;
            Ok(()) = &mut interrupted, if !stop.is_stopped() => {
                errln!("\nStopping the audit: nothing more is sent (Ctrl-C again ends at once).");
                stop.stop();
                if let Some(printer) = &dance {
                    let _ = app.flow_cancel(&printer.run_id());
                }
                tokio::spawn(async {
                    if tokio::signal::ctrl_c().await.is_ok() {
                        std::process::exit(130);
                    }
                });
            }
            Some(p) = rx.recv() => show(&mut dance, &app, f.json, p),
            Some(event) = cli.events.recv() => {
                if let (Event::FlowSnapshot(e), Some(printer)) = (event, dance.as_mut())
                    && printer.run_id() == e.run_id
                {
                    printer.show(&e.snapshot);
                }
            }
            r = &mut audit => break r,
        }
    };
    while let Ok(p) = rx.try_recv() {
        show(&mut dance, &app, f.json, p);
    }
    let result = result?;
    let report = &result.report;
    let stopped = stop.is_stopped();
    if let Some(path) = &a.junit {
        output::write_report(path, &report.junit())?;
    }
    if let Some(path) = &a.html {
        let about = signet_report::About {
            connector: name.clone(),
            instance: view.document.instance.name.clone(),
            written_ms: app.clock().now_ms(),
            version: env!("CARGO_PKG_VERSION").into(),
        };
        output::write_report(path, &signet_report::audit::html(report, &about))?;
    }
    if f.json {
        output::print_json(report);
    } else {
        print_scorecard(report);
        if f.connector.is_some() || f.save_as.is_some() {
            outln!("\nKept in the history of {name:?} (the desktop app's History shows it).");
        }
    }
    if report.score.required_not_enforced == 0 && stopped {
        return Err(Failure {
            exit: Exit::Abandoned,
            message: "the audit was stopped: the checks not made say so".into(),
            hint: Some("run it again to the end for a verdict on every check".into()),
        });
    }
    if report.score.inconclusive() {
        return Err(Failure {
            exit: Exit::Rejected,
            message: "the audit could tell nothing: no check was decided either way".into(),
            hint: Some("each check says why it could not tell (often a valid request refused too: connect normally first, with signet flow, and fix what fails)".into()),
        });
    }
    if report.score.required_not_enforced > 0 {
        return Err(Failure {
            exit: Exit::NotEnforced,
            message: format!(
                "{} required check{} not enforced by the provider",
                report.score.required_not_enforced,
                if report.score.required_not_enforced == 1 { " is" } else { "s are" }
            ),
            hint: Some("each check not enforced says what it means for the provider's users: report them to the provider".into()),
        });
    }
    Ok(())
}

fn print_plan(name: &str, plan: &AuditPlan, out: &mut dyn Write) {
    let _ = writeln!(
        out,
        "Audit of {name:?}: {} requests at most, and you allow access {} times.",
        plan.requests.len(),
        plan.consents
    );
    for (i, r) in plan.requests.iter().enumerate() {
        let check = r.check.map(|c| format!(" [{c}]")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:>2}. step {:>2}: {}{check}",
            i + 1,
            r.step.number(),
            r.what
        );
    }
    for n in &plan.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    let _ = writeln!(out);
}

/// `--yes`, or a yes typed at a terminal; anything else sends nothing.
fn confirm(a: &AuditArgs, plan: &AuditPlan) -> Result<(), Failure> {
    if a.yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Failure::usage(
            format!(
                "the audit sends up to {} requests to the provider and asks for a confirmation first, and nobody can answer here",
                plan.requests.len()
            ),
            "read the plan (signet audit ... without --json prints it) and add --yes",
        ));
    }
    err!("Send them? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = stdin.lock().read_line(&mut line);
    if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure {
            exit: Exit::Abandoned,
            message: "nothing was sent".into(),
            hint: None,
        })
    }
}

fn show(dance: &mut Option<Printer>, app: &signet_app::App, json: bool, p: AuditProgress) {
    match p {
        AuditProgress::Dance { which, run_id } => {
            if !json {
                outln!("Dance {which} of 2: allow access when the provider asks.");
            }
            // One printer for both dances: its reader of typed PINs moves on with it.
            match dance {
                Some(printer) => printer.retarget(run_id),
                None => *dance = Some(Printer::new(json, app.clone(), run_id)),
            }
        }
        AuditProgress::Audit(AuditEvent::Sending { .. } | AuditEvent::Consent { .. }) => {}
        AuditProgress::Audit(AuditEvent::Checked(row)) => {
            if !json {
                outln!(
                    "  {:<15} {}{}",
                    row.verdict.label(),
                    row.title,
                    if row.verdict == Verdict::Enforced {
                        String::new()
                    } else {
                        format!(": {}", row.reason)
                    }
                );
            }
        }
    }
}

fn print_scorecard(r: &AuditReport) {
    let s = &r.score;
    outln!(
        "\n{} — {} ({}, {} requests)",
        s.headline(),
        r.provider,
        r.signature_method,
        r.requests_sent
    );
    if s.could_not_tell + s.does_not_apply > 0 {
        outln!(
            "  {} could not tell, {} do not apply (each says why above)",
            s.could_not_tell,
            s.does_not_apply
        );
    }
    for c in r
        .checks
        .iter()
        .filter(|c| c.verdict == Verdict::NotEnforced)
    {
        outln!(
            "\n  NOT ENFORCED{}: {}\n    what came back: {}\n    what it means: {}",
            if c.required { " (required)" } else { "" },
            c.title,
            c.reason,
            c.meaning
        );
        if let Some(effect) = &c.side_effect {
            outln!("    what it changed: {effect}");
        }
    }
    match &r.token {
        TokenOutcome::StillValid => outln!(
            "\nThe token saved before still works; it is kept (the access token the audit's dance got is not: revoke it at the provider if you can)."
        ),
        TokenOutcome::Reissued { token } => outln!(
            "\nThe audit's dance issued access token {token}; it is kept (encrypted) in place of any older one."
        ),
        TokenOutcome::Unchanged => {
            outln!(
                "\nThe audit kept no access token of its own; the saved one (if any) is unchanged."
            )
        }
    }
    for w in &r.warnings {
        outln!("  warning: {w}");
    }
}
