//! Endpoint calls as a report page: one call, or a walk of pages (a call per page) — for each,
//! what it sent (every parameter, where it went, whether it was signed and why), the variables
//! it used, the signing trace, what came back, and the diagnosis of a failure.

use std::fmt::Write as _;

use signet_connector::VariableUse;
use signet_connector::resolve::SentParameter;
use signet_oauth1::diagnose::FailureDiagnosis;
use signet_oauth1::flow::{RecordedRequest, RecordedResponse};
use signet_oauth1::{ErrorReport, SigningTrace};

use crate::About;
use crate::html::{error_note, esc, page, request, response, took, trace, when};

/// One call as the report shows it.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// "Page 3", or the endpoint's name for a single call.
    pub heading: &'a str,
    /// The authentication method used.
    pub auth_method: Option<&'a str>,
    /// What was sent (secrets masked).
    pub request: &'a RecordedRequest,
    /// How it was signed (OAuth 1.0a calls).
    pub trace: Option<&'a SigningTrace>,
    /// Every parameter, where it went and whether it was signed.
    pub parameters: &'a [SentParameter],
    /// The variables used (secrets masked).
    pub variables: &'a [VariableUse],
    /// What came back.
    pub response: Option<&'a RecordedResponse>,
    /// Why it failed.
    pub error: Option<&'a ErrorReport>,
    /// The failure read in plain words.
    pub diagnosis: Option<&'a FailureDiagnosis>,
    /// When it was sent (ms since the epoch).
    pub sent_ms: u64,
    /// How long the answer took.
    pub duration_ms: Option<u64>,
}

/// The calls as one HTML page: `what` names them ("Orders — one call", "Orders — 12 pages"),
/// `outcome` says how they went in a line.
pub fn html(what: &str, outcome: &str, calls: &[Call<'_>], about: &About) -> String {
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<header>\n<p class=\"kicker\">Signet · endpoint call</p>\n<h1>{}</h1>\n\
         <p class=\"headline\" id=\"outcome\">{}</p>\n<dl class=\"facts\">\n\
         <dt>Connector</dt><dd>{}</dd>\n<dt>Instance</dt><dd>{}</dd>",
        esc(what),
        esc(outcome),
        esc(&about.connector),
        esc(&about.instance)
    );
    if let Some(first) = calls.first() {
        let _ = writeln!(body, "<dt>Sent</dt><dd>{}</dd>", esc(&when(first.sent_ms)));
        if let Some(m) = first.auth_method {
            let _ = writeln!(body, "<dt>Authentication</dt><dd>{}</dd>", esc(m));
        }
    }
    body.push_str("</dl>\n</header>\n");
    let many = calls.len() > 1;
    if many {
        body.push_str(
            "<h2 id=\"calls\">The calls</h2>\n<table class=\"summary\">\n<thead><tr>\
             <th scope=\"col\">Call</th><th scope=\"col\">Request</th>\
             <th scope=\"col\">Answer</th><th scope=\"col\">Took</th></tr></thead>\n<tbody>\n",
        );
        for (i, c) in calls.iter().enumerate() {
            let _ = writeln!(
                body,
                "<tr><td><a href=\"#call-{}\">{}</a></td><td><code class=\"value\">{} {}</code></td>\
                 <td>{}</td><td>{}</td></tr>",
                i + 1,
                esc(c.heading),
                esc(&c.request.method),
                esc(&c.request.url),
                esc(&answered(c)),
                esc(&c.duration_ms.map(took).unwrap_or_default())
            );
        }
        body.push_str("</tbody>\n</table>\n");
    }
    for (i, c) in calls.iter().enumerate() {
        call_html(&mut body, i + 1, c);
    }
    let footer = format!(
        "<p>Written by Signet {} on {}. Secret values are not in this report: secret \
         variables, the consumer secret and token secrets are masked, and a PLAINTEXT \
         signature (which is the secrets) is shown redacted.</p>\n",
        esc(&about.version),
        esc(&when(about.written_ms))
    );
    page(&format!("Signet: {what} — {outcome}"), &body, &footer)
}

fn answered(c: &Call<'_>) -> String {
    match (c.response, c.error) {
        (Some(r), _) => format!("answered {}", r.status),
        (None, Some(e)) => format!("no answer: {}", e.message),
        (None, None) => "no answer".into(),
    }
}

fn call_html(out: &mut String, n: usize, c: &Call<'_>) {
    let failed = c.error.is_some();
    let _ = writeln!(
        out,
        "<section class=\"card check {}\" id=\"call-{n}\" aria-labelledby=\"call-{n}-title\">\n\
         <header><span class=\"badge {}\">{}</span><h3 id=\"call-{n}-title\">{}</h3>\
         <span class=\"muted\">{}</span></header>",
        if failed { "not_enforced" } else { "enforced" },
        if failed { "not_enforced" } else { "enforced" },
        if failed { "Failed" } else { "Answered" },
        esc(c.heading),
        esc(&answered(c))
    );
    if let Some(e) = c.error {
        out.push_str(&error_note(e));
    }
    if let Some(d) = c.diagnosis {
        for x in &d.diagnoses {
            let _ = writeln!(
                out,
                "<p><strong>{}.</strong> {} <strong>Fix:</strong> {}</p>",
                esc(&crate::audit::sentence(&x.cause)),
                esc(&x.explanation),
                esc(&x.fix)
            );
        }
        if let Some(skew) = &d.skew {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(&skew.message));
        }
    }
    out.push_str("<h4>Request sent</h4>\n");
    out.push_str(&request(c.request));
    if !c.parameters.is_empty() {
        out.push_str(
            "<table class=\"params\">\n<thead><tr><th scope=\"col\">Parameter</th>\
             <th scope=\"col\">Value</th><th scope=\"col\">In</th><th scope=\"col\">From</th>\
             <th scope=\"col\">Signed</th><th scope=\"col\">Why</th></tr></thead>\n<tbody>\n",
        );
        for p in c.parameters {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td><code class=\"value\">{}</code></td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.name),
                esc(&p.value),
                esc(&p.place),
                esc(&p.from),
                if p.signed { "yes" } else { "no" },
                esc(&p.why)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !c.variables.is_empty() {
        out.push_str("<h4>Variables used</h4>\n<dl class=\"facts\">\n");
        for v in c.variables {
            let origin = serde_json::to_value(v.origin)
                .ok()
                .and_then(|o| o.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<dt><code>{{{{{}}}}}</code></dt><dd><code class=\"value\">{}</code> \
                 <span class=\"muted\">({})</span></dd>",
                esc(&v.name),
                esc(&v.value),
                esc(&origin)
            );
        }
        out.push_str("</dl>\n");
    }
    out.push_str("<h4>What came back</h4>\n");
    match c.response {
        Some(r) => out.push_str(&response(r)),
        None => out.push_str("<p>Nothing came back.</p>\n"),
    }
    if let Some(t) = c.trace {
        out.push_str("<details>\n<summary>How it was signed</summary>\n");
        out.push_str(&trace(t));
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}
