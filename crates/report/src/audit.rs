//! A provider audit as a report: JSON (the [`AuditReport`] as `signet audit --json` prints it)
//! and a self-contained HTML page — the scorecard, the token's fate, a table of every check,
//! and for each what it checks, its verdict and why, what not enforcing it means for the
//! provider's users, and (folded) what was sent, how it differs from the valid request, what
//! came back and how the valid request was signed.

use std::fmt::Write as _;

use signet_audit::{AuditReport, CheckResult, TokenOutcome, Verdict};

use crate::About;
use crate::html::{esc, page, request, response, took, trace, when};

/// The report as pretty JSON: exactly what `signet audit --json` prints.
pub fn json(report: &AuditReport) -> String {
    // An AuditReport is strings, numbers and enums: writing it cannot fail.
    serde_json::to_string_pretty(report).unwrap_or_default() + "\n"
}

/// The order rows are read in: what the provider lets through first.
fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::NotEnforced => 0,
        Verdict::CouldNotTell => 1,
        Verdict::Enforced => 2,
        Verdict::DoesNotApply => 3,
    }
}

fn badge(v: Verdict) -> String {
    let label = v.label();
    let mut cap = label[..1].to_uppercase();
    cap.push_str(&label[1..]);
    format!("<span class=\"badge {}\">{cap}</span>", class(v))
}

fn kind(c: &CheckResult) -> &'static str {
    if c.required {
        "required"
    } else {
        "recommended"
    }
}

fn class(v: Verdict) -> &'static str {
    match v {
        Verdict::Enforced => "enforced",
        Verdict::NotEnforced => "not_enforced",
        Verdict::CouldNotTell => "could_not_tell",
        Verdict::DoesNotApply => "does_not_apply",
    }
}

/// A sentence's first letter in capitals (reasons are written to follow a verdict).
pub(crate) fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The report as one HTML page that opens offline in any browser.
pub fn html(report: &AuditReport, about: &About) -> String {
    let s = &report.score;
    let mut body = String::new();

    // What was audited, and the scorecard.
    let _ = writeln!(
        body,
        "<header>\n<p class=\"kicker\">Signet · provider audit</p>\n<h1>{}</h1>\n\
         <p class=\"headline\" id=\"score\">{}</p>",
        esc(&report.provider),
        esc(&s.headline())
    );
    body.push_str("<p>");
    if s.required_not_enforced > 0 {
        let _ = write!(
            body,
            "<span class=\"badge not_enforced\">{} required not enforced</span>",
            s.required_not_enforced
        );
    } else if s.inconclusive() {
        body.push_str("<span class=\"badge could_not_tell\">nothing could be told</span>");
    } else {
        body.push_str("<span class=\"badge enforced\">every required check enforced</span>");
    }
    for (n, what) in [
        (s.not_enforced, "not enforced"),
        (s.could_not_tell, "could not tell"),
        (s.does_not_apply, "do not apply"),
    ] {
        if n > 0 {
            let _ = write!(body, " <span class=\"muted\">· {n} {what}</span>");
        }
    }
    body.push_str("</p>\n<dl class=\"facts\">\n");
    let mut fact = |term: &str, value: String| {
        let _ = writeln!(body, "<dt>{term}</dt><dd>{value}</dd>");
    };
    fact("Connector", esc(&about.connector));
    fact("Instance", esc(&about.instance));
    fact("Signature method", esc(&report.signature_method));
    fact("OAuth parameters in", esc(&report.placement));
    fact("Started", esc(&when(report.started_ms)));
    fact(
        "Took",
        esc(&took(report.finished_ms.saturating_sub(report.started_ms))),
    );
    fact("Requests sent", report.requests_sent.to_string());
    fact(
        "Access token",
        match &report.token {
            TokenOutcome::StillValid => {
                "the token saved before still works and is kept (the one the audit's dance got \
                 is not: revoke it at the provider if you can)"
                    .to_owned()
            }
            TokenOutcome::Reissued { token } => format!(
                "the audit's dance issued a new access token (<code>{}</code>), kept in place \
                 of the old one",
                esc(token)
            ),
            TokenOutcome::Unchanged => {
                "the audit kept no access token of its own; the saved one (if any) is unchanged"
                    .to_owned()
            }
        },
    );
    body.push_str("</dl>\n</header>\n");
    for w in &report.warnings {
        let _ = writeln!(body, "<p class=\"note\">{}</p>", esc(w));
    }

    // Every check at a glance, what the provider lets through first.
    let mut rows: Vec<&CheckResult> = report.checks.iter().collect();
    rows.sort_by_key(|c| rank(c.verdict));
    body.push_str(
        "<h2 id=\"checks\">The checks</h2>\n<table class=\"summary\">\n<thead><tr>\
         <th scope=\"col\">Verdict</th><th scope=\"col\">Check</th><th scope=\"col\">Step</th>\
         <th scope=\"col\">Kind</th></tr></thead>\n<tbody>\n",
    );
    for c in &rows {
        let _ = writeln!(
            body,
            "<tr class=\"{}\"><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            class(c.verdict),
            badge(c.verdict),
            esc(&c.id.to_string()),
            esc(&c.title),
            c.step.number(),
            kind(c)
        );
    }
    body.push_str("</tbody>\n</table>\n");

    // Each check in full.
    for c in &rows {
        check(&mut body, c);
    }

    let footer = format!(
        "<p>Written by Signet {} on {}. Secret values are not in this report: the consumer \
         secret, token secrets and verifiers were redacted when the requests were recorded, \
         and a PLAINTEXT signature (which is the secrets) is shown redacted.</p>\n\
         <p>Audit only providers you are allowed to test: the wrong requests are what an \
         attacker sends.</p>\n",
        esc(&about.version),
        esc(&when(about.written_ms))
    );
    let title = format!("Signet audit of {}: {}", report.provider, s.headline());
    page(&title, &body, &footer)
}

fn check(out: &mut String, c: &CheckResult) {
    let _ = writeln!(
        out,
        "<section class=\"card check {}\" id=\"{}\" aria-labelledby=\"{}-title\">\n<header>{}\
         <h3 id=\"{}-title\">{}</h3><span class=\"muted\">step {} · {}</span></header>",
        class(c.verdict),
        esc(&c.id.to_string()),
        esc(&c.id.to_string()),
        badge(c.verdict),
        esc(&c.id.to_string()),
        esc(&c.title),
        c.step.number(),
        kind(c)
    );
    let _ = writeln!(out, "<p>{}</p>", esc(&sentence(&c.reason)));
    if c.verdict == Verdict::NotEnforced {
        let _ = writeln!(
            out,
            "<p><strong>What it means:</strong> {}.</p>",
            esc(&c.meaning)
        );
        if let Some(effect) = &c.side_effect {
            let _ = writeln!(
                out,
                "<p class=\"muted\">What it changed on the provider: {}.</p>",
                esc(effect)
            );
        }
    } else {
        let _ = writeln!(
            out,
            "<p class=\"muted\">Why it matters: when not enforced, {}.</p>",
            esc(&c.meaning)
        );
    }
    if c.sent.is_none() && c.answer.is_none() {
        out.push_str("</section>\n");
        return;
    }
    out.push_str("<details>\n<summary>What was sent and what came back</summary>\n");
    if let Some(sent) = &c.sent {
        if !sent.changes.is_empty() {
            out.push_str(
                "<h4>How it differs from the valid request</h4>\n<table class=\"changes\">\n\
                 <thead><tr><th scope=\"col\">What</th><th scope=\"col\">Valid</th>\
                 <th scope=\"col\">Sent</th><th scope=\"col\">Change</th></tr></thead>\n<tbody>\n",
            );
            for ch in &sent.changes {
                let _ = writeln!(
                    out,
                    "<tr><td><code>{}</code></td><td><code class=\"value\">{}</code></td>\
                     <td><code class=\"value\">{}</code></td><td>{}</td></tr>",
                    esc(&ch.part),
                    esc(&ch.valid),
                    esc(&ch.sent),
                    esc(&ch.note)
                );
            }
            out.push_str("</tbody>\n</table>\n");
        }
        out.push_str("<h4>Request sent</h4>\n");
        out.push_str(&request(&sent.request));
    }
    if let Some(answer) = &c.answer {
        out.push_str("<h4>What came back");
        if let Some(p) = &answer.problem {
            let _ = write!(out, ": <code>{}</code>", esc(p));
        }
        out.push_str("</h4>\n");
        if let Some(advice) = &answer.advice {
            let _ = writeln!(out, "<p class=\"muted\">{}</p>", esc(advice));
        }
        match (&answer.response, &answer.transport_error) {
            (Some(r), _) => out.push_str(&response(r)),
            (None, Some(e)) => {
                let _ = writeln!(out, "<p>No answer: {}</p>", esc(e));
            }
            (None, None) => out.push_str("<p>Nothing came back.</p>\n"),
        }
    }
    if let Some(sent) = &c.sent {
        out.push_str("<h4>How the valid request was signed</h4>\n");
        out.push_str(&trace(&sent.trace));
    }
    out.push_str("</details>\n</section>\n");
}
