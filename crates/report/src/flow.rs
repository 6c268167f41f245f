//! A connection run (the ten steps) as a report: JSON (the run's snapshot with its diagnosis)
//! and a self-contained HTML page — what happened in a line, the timeline, the sequence diagram
//! (an inline SVG), the diagnosis of a failure, and each step with its plain-words
//! explanation, what it noted, and every request it sent with the answer and the signing trace.

use std::fmt::Write as _;

use serde::Serialize;
use signet_oauth1::diagnose::FailureDiagnosis;
use signet_oauth1::flow::{Actor, Exchange, Phase, STEPS, Snapshot, StepSnapshot, StepStatus};

use crate::About;
use crate::html::{error_note, esc, page, request, response, took, trace, when};

/// What the JSON report holds.
#[derive(Debug, Serialize)]
pub struct FlowReport<'a> {
    /// What it is: `signet-connection-report`.
    pub format: &'static str,
    /// The format's version.
    pub version: u32,
    /// The connector.
    pub connector: &'a str,
    /// The instance.
    pub instance: &'a str,
    /// When the report was written (ms since the epoch).
    pub written_ms: u64,
    /// The run as it ended (secrets left out, as stored).
    pub snapshot: &'a Snapshot,
    /// The failure read in plain words, when it failed.
    pub diagnosis: Option<&'a FailureDiagnosis>,
}

/// The report as pretty JSON.
pub fn json(snapshot: &Snapshot, diagnosis: Option<&FailureDiagnosis>, about: &About) -> String {
    let report = FlowReport {
        format: "signet-connection-report",
        version: 1,
        connector: &about.connector,
        instance: &about.instance,
        written_ms: about.written_ms,
        snapshot,
        diagnosis,
    };
    // Strings, numbers and enums only: writing it cannot fail.
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

fn status_label(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Pending => "Not reached",
        StepStatus::Active => "Going",
        StepStatus::Done => "Done",
        StepStatus::Failed => "Failed",
        StepStatus::Skipped => "Skipped",
    }
}

fn status_class(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Pending => "does_not_apply",
        StepStatus::Active => "could_not_tell",
        StepStatus::Done => "enforced",
        StepStatus::Failed => "not_enforced",
        StepStatus::Skipped => "does_not_apply",
    }
}

/// What happened, in one line.
fn headline(s: &Snapshot) -> String {
    if let Some(f) = &s.error {
        return format!(
            "Failed at step {} ({}): {}",
            f.step.number(),
            f.step.info().title,
            f.error.message
        );
    }
    match s.phase {
        Phase::Finished => match &s.resource {
            Some(r) => format!(
                "Connected: access token issued; the API answered {}",
                r.status
            ),
            None => "Connected: access token issued".into(),
        },
        Phase::Cancelled => "Cancelled".into(),
        _ => match s.current_step {
            Some(step) => format!("Stopped at step {} ({})", step.number(), step.info().title),
            None => "Not started".into(),
        },
    }
}

/// The report as one HTML page that opens offline in any browser.
pub fn html(snapshot: &Snapshot, diagnosis: Option<&FailureDiagnosis>, about: &About) -> String {
    let s = snapshot;
    let mut body = String::new();
    let line = headline(s);
    let _ = writeln!(
        body,
        "<header>\n<p class=\"kicker\">Signet · OAuth 1.0a connection</p>\n<h1>{}</h1>\n\
         <p class=\"headline\" id=\"outcome\">{}</p>\n<dl class=\"facts\">",
        esc(&about.connector),
        esc(&line)
    );
    let mut fact = |term: &str, value: String| {
        let _ = writeln!(body, "<dt>{term}</dt><dd>{value}</dd>");
    };
    fact("Instance", esc(&about.instance));
    fact(
        "Consumer key",
        format!("<code>{}</code>", esc(&s.config.consumer_key)),
    );
    fact(
        "Signature method",
        esc(&s.config.signature_method.to_string()),
    );
    fact("OAuth parameters in", esc(&s.config.placement.to_string()));
    let started = s.steps.iter().filter_map(|x| x.started_ms).min();
    let finished = s.steps.iter().filter_map(|x| x.finished_ms).max();
    if let Some(t) = started {
        fact("Started", esc(&when(t)));
    }
    if let (Some(a), Some(b)) = (started, finished) {
        fact("Took", esc(&took(b.saturating_sub(a))));
    }
    if let Some(t) = &s.access_token {
        fact(
            "Access token",
            format!(
                "<code>{}</code> (its secret, {} characters, is not in this report)",
                esc(&t.token),
                t.secret_len
            ),
        );
    }
    if let Some(skew) = s.clock_skew_seconds {
        fact(
            "Clock skew",
            match skew {
                0 => "none: the provider's clock and Signet's agree to the second".into(),
                n if n > 0 => format!("the provider's clock is {n} s ahead of Signet's"),
                n => format!("the provider's clock is {} s behind Signet's", -n),
            },
        );
    }
    body.push_str("</dl>\n</header>\n");

    if let Some(d) = diagnosis {
        diagnosis_html(&mut body, d);
    }

    // The timeline and the picture of it.
    body.push_str(
        "<h2 id=\"timeline\">The ten steps</h2>\n<table class=\"summary\">\n<thead><tr>\
         <th scope=\"col\">Step</th><th scope=\"col\">What</th><th scope=\"col\">Who</th>\
         <th scope=\"col\">Status</th><th scope=\"col\">Took</th></tr></thead>\n<tbody>\n",
    );
    for step in &s.steps {
        let span = match (step.started_ms, step.finished_ms) {
            (Some(a), Some(b)) => took(b.saturating_sub(a)),
            _ => String::new(),
        };
        let _ = writeln!(
            body,
            "<tr class=\"{}\"><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td>\
             <td><span class=\"badge {}\">{}</span></td><td>{}</td></tr>",
            status_class(step.status),
            step.number,
            step.id.key(),
            esc(&step.title),
            actor(step.actor),
            status_class(step.status),
            status_label(step.status),
            esc(&span)
        );
    }
    body.push_str("</tbody>\n</table>\n");
    body.push_str(&diagram(s));

    for step in &s.steps {
        step_html(&mut body, step);
    }

    let footer = format!(
        "<p>Written by Signet {} on {}. Secret values are not in this report: the consumer \
         secret, token secrets and verifiers were redacted when the requests were recorded, \
         and a PLAINTEXT signature (which is the secrets) is shown redacted.</p>\n",
        esc(&about.version),
        esc(&when(about.written_ms))
    );
    let title = format!("Signet: {} — {line}", about.connector);
    page(&title, &body, &footer)
}

fn actor(a: Actor) -> &'static str {
    match a {
        Actor::User => "You",
        Actor::Signet => "Signet",
        Actor::Provider => "Provider",
    }
}

fn lane(a: Actor) -> u32 {
    match a {
        Actor::User => 0,
        Actor::Signet => 1,
        Actor::Provider => 2,
    }
}

/// The sequence diagram: you, Signet and the provider, one arrow per step, coloured by how
/// the step went.
fn diagram(s: &Snapshot) -> String {
    const WIDTH: u32 = 640;
    const TOP: u32 = 48;
    const ROW: u32 = 28;
    let x = |a: Actor| 110 + lane(a) * 220;
    let height = TOP + ROW * 10 + 12;
    let mut out = format!(
        "<figure class=\"card diagram\"><svg viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-label=\"Sequence diagram of the ten steps: who talks to whom\">\n"
    );
    for a in [Actor::User, Actor::Signet, Actor::Provider] {
        let _ = writeln!(
            out,
            "<line class=\"lifeline\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>\
             <rect class=\"lane\" x=\"{3}\" y=\"6\" width=\"120\" height=\"30\" rx=\"8\"/>\
             <text class=\"lane-label\" x=\"{0}\" y=\"26\" text-anchor=\"middle\">{4}</text>",
            x(a),
            TOP - 8,
            height - 4,
            x(a) - 60,
            actor(a)
        );
    }
    for info in &STEPS {
        let status = s.step(info.id).status;
        let m = info.message;
        let y = TOP + ROW * (u32::from(info.number) - 1) + ROW / 2;
        let (x1, x2) = (x(m.from), x(m.to));
        let _ = write!(
            out,
            "<g class=\"arrow {}\"><text class=\"num\" x=\"14\" y=\"{}\">{}</text>",
            status_class(status),
            y + 4,
            info.number
        );
        if x1 == x2 {
            let _ = write!(
                out,
                "<path class=\"shaft\" d=\"M {x1} {} h 40 v 16 h -34\"/>\
                 <path class=\"head\" d=\"M {x1} {} l 8 -5 v 10 z\"/>\
                 <text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                y - 8,
                y + 8,
                x1 - 10,
                y - 5,
                esc(m.label)
            );
        } else {
            let (dir, dash) = (
                if x2 > x1 { 1i64 } else { -1 },
                if m.reply { " reply" } else { "" },
            );
            let _ = write!(
                out,
                "<line class=\"shaft{dash}\" x1=\"{x1}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/>\
                 <path class=\"head\" d=\"M {x2} {y} l {} -5 v 10 z\"/>\
                 <text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                i64::from(x2) - dir * 8,
                -dir * 9,
                (x1 + x2) / 2,
                y - 6,
                esc(m.label)
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg></figure>\n");
    out
}

fn diagnosis_html(out: &mut String, d: &FailureDiagnosis) {
    let _ = writeln!(
        out,
        "<section class=\"card check not_enforced\" id=\"diagnosis\" aria-labelledby=\"diagnosis-title\">\n\
         <h2 id=\"diagnosis-title\">What went wrong at step {}, and how to fix it</h2>",
        d.step.number()
    );
    for x in &d.diagnoses {
        let _ = writeln!(
            out,
            "<h3>{}</h3>\n<p>{}</p>\n<p><strong>Fix:</strong> {}</p>\n\
             <p class=\"muted\">Read from: <code>{}</code></p>",
            esc(&crate::audit::sentence(&x.cause)),
            esc(&x.explanation),
            esc(&x.fix),
            esc(&x.evidence)
        );
    }
    if let Some(skew) = &d.skew {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(&skew.message));
    }
    if let Some(diff) = &d.diff {
        let _ = writeln!(
            out,
            "<h3>Our base string against the provider's</h3>\n<p>{}</p>\n<dl class=\"trace\">\
             <dt>Ours</dt><dd><code class=\"value\">{}</code></dd>\
             <dt>The provider's</dt><dd><code class=\"value\">{}</code></dd></dl>",
            esc(&diff.summary),
            esc(&diff.ours),
            esc(&diff.theirs)
        );
    }
    out.push_str("</section>\n");
}

fn step_html(out: &mut String, step: &StepSnapshot) {
    let _ = writeln!(
        out,
        "<section class=\"card check {}\" id=\"{}\" aria-labelledby=\"{}-title\">\n<header>\
         <span class=\"badge {}\">{}</span><h3 id=\"{}-title\">{}. {}</h3>\
         <span class=\"muted\">{}</span></header>\n<p>{}</p>",
        status_class(step.status),
        step.id.key(),
        step.id.key(),
        status_class(step.status),
        status_label(step.status),
        step.id.key(),
        step.number,
        esc(&step.title),
        actor(step.actor),
        esc(&step.explanation)
    );
    for n in &step.notes {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", esc(n));
    }
    if let Some(e) = &step.error {
        out.push_str(&error_note(e));
    }
    for x in &step.exchanges {
        exchange_html(out, x, step.exchanges.len() > 1);
    }
    out.push_str("</section>\n");
}

fn exchange_html(out: &mut String, x: &Exchange, numbered: bool) {
    let what = match (&x.response, &x.transport_error) {
        (Some(r), _) => format!("answered {}", r.status),
        (None, Some(e)) => format!("no answer: {}", e.message),
        (None, None) => "no answer yet".into(),
    };
    let attempt = if numbered {
        format!("Attempt {}: ", x.attempt)
    } else {
        String::new()
    };
    let duration = x
        .duration_ms
        .map(|d| format!(" in {}", took(d)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<details>\n<summary>{}{} {} — {}{}</summary>",
        esc(&attempt),
        esc(&x.request.method),
        esc(&x.request.url),
        esc(&what),
        esc(&duration)
    );
    out.push_str("<h4>Request sent</h4>\n");
    out.push_str(&request(&x.request));
    out.push_str("<h4>What came back</h4>\n");
    match (&x.response, &x.transport_error) {
        (Some(r), _) => out.push_str(&response(r)),
        (None, Some(e)) => {
            let _ = writeln!(out, "<p>No answer: {}</p>", esc(&e.message));
        }
        (None, None) => out.push_str("<p>Nothing came back.</p>\n"),
    }
    out.push_str("<h4>How it was signed</h4>\n");
    out.push_str(&trace(&x.trace));
    out.push_str("</details>\n");
}
