//! The HTML of a report: one self-contained page and the parts reports share. Every value
//! goes through [`esc`]; the markup around values is this module's own. The page carries a
//! Content-Security-Policy that allows no script, no request and no form, so even a value that
//! slipped past escaping could not run or call anywhere.

use std::fmt::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use signet_oauth1::SigningTrace;
use signet_oauth1::flow::{RecordedRequest, RecordedResponse};

/// Text as HTML (content and attribute values alike). Control characters other than tab and
/// newline become U+FFFD, so a hostile answer cannot hide text from the reader.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            '\r' => {}
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A moment (ms since the epoch) as the web writes dates: `Tue, 08 Dec 2026 00:30:42 GMT`.
pub fn when(ms: u64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_millis(ms))
}

/// A duration in plain words: `850 ms`, `4.2 s`, `3 min 5 s`.
pub fn took(ms: u64) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

/// The whole page: `title` in the tab, `body` (markup built by this crate) inside `<main>`,
/// and `footer` (markup) at the end.
pub fn page(title: &str, body: &str, footer: &str) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n",
    );
    out.push_str("<meta name=\"generator\" content=\"Signet\">\n");
    let _ = writeln!(out, "<title>{}</title>", esc(title));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(out, "<main>\n{body}</main>");
    let _ = writeln!(out, "<footer>\n{footer}</footer>\n</body>\n</html>");
    out
}

/// A failure in plain words, with what to do about it.
pub fn error_note(e: &signet_oauth1::ErrorReport) -> String {
    match &e.hint {
        Some(h) => format!(
            "<p class=\"note\"><strong>{}</strong> — {}</p>\n",
            esc(&e.message),
            esc(h)
        ),
        None => format!(
            "<p class=\"note\"><strong>{}</strong></p>\n",
            esc(&e.message)
        ),
    }
}

/// A request as it went over the wire (secret values already redacted).
pub fn request(r: &RecordedRequest) -> String {
    let mut text = format!("{} {}\n", r.method, r.url);
    for (n, v) in &r.headers {
        let _ = writeln!(text, "{n}: {v}");
    }
    if let Some(ct) = &r.content_type {
        let _ = writeln!(text, "Content-Type: {ct}");
    }
    if let Some(body) = &r.body {
        let _ = write!(text, "\n{body}");
    }
    format!("<pre class=\"wire\">{}</pre>\n", esc(text.trim_end()))
}

/// An answer as it came back (secret values already redacted; the body as recorded, bounded).
pub fn response(r: &RecordedResponse) -> String {
    let mut text = format!("HTTP {}\n", r.status);
    for (n, v) in &r.headers {
        let _ = writeln!(text, "{n}: {v}");
    }
    if !r.body.is_empty() {
        let _ = write!(text, "\n{}", r.body);
    }
    let mut out = format!("<pre class=\"wire\">{}</pre>\n", esc(text.trim_end()));
    if r.truncated {
        let _ = writeln!(
            out,
            "<p class=\"muted\">The body was {} bytes; the first {} are shown.</p>",
            r.body_bytes,
            r.body.len()
        );
    }
    out
}

/// How a request was signed: every parameter and why it was (or was not) signed, the
/// normalized parameters, the base string URI, the base string, the signing key (secrets
/// redacted) and the signature.
pub fn trace(t: &SigningTrace) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<p>{} <code>{}</code> signed with {}, the OAuth parameters in the {}.</p>",
        esc(&t.method),
        esc(&t.url),
        esc(&t.signature_method.to_string()),
        esc(&t.placement.to_string())
    );
    out.push_str(
        "<table class=\"params\">\n<thead><tr><th scope=\"col\">Parameter</th>\
         <th scope=\"col\">Value</th><th scope=\"col\">From</th><th scope=\"col\">Signed</th>\
         <th scope=\"col\">Why</th></tr></thead>\n<tbody>\n",
    );
    for p in &t.parameters {
        let source = serde_json::to_value(p.source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td><code class=\"value\">{}</code></td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            esc(&p.name),
            esc(&p.value),
            esc(&source),
            if p.signed { "yes" } else { "no" },
            esc(&p.why)
        );
    }
    out.push_str("</tbody>\n</table>\n<dl class=\"trace\">\n");
    let mut item = |term: &str, value: &str, notes: &[String]| {
        let _ = write!(
            out,
            "<dt>{term}</dt><dd><code class=\"value\">{}</code>",
            esc(value)
        );
        for n in notes {
            let _ = write!(out, "<br><span class=\"muted\">{}</span>", esc(n));
        }
        out.push_str("</dd>\n");
    };
    item("Normalized parameters", &t.normalized_parameters, &[]);
    item(
        "Base string URI",
        &t.base_string_uri,
        &t.base_string_uri_notes,
    );
    item("Signature base string", &t.base_string, &[]);
    item("Signing key", &t.signing_key, &[]);
    item("Signature", &t.signature, &[]);
    out.push_str("</dl>\n");
    for n in &t.notes {
        let _ = writeln!(out, "<p class=\"muted\">Note: {}</p>", esc(n));
    }
    out
}

/// The page's style: readable on screen and paper, light or dark as the reader's system is.
const STYLE: &str = r#"
:root { color-scheme: light dark; --bg: #f6f7fb; --surface: #fff; --text: #0f172a;
  --muted: #475569; --border: #cbd5e1; --code: #eef1f7; --ok: #047857; --ok-soft: #d1fae5;
  --bad: #b91c1c; --bad-soft: #fee2e2; --warn: #92400e; --warn-soft: #fef3c7;
  --quiet: #475569; --quiet-soft: #e2e8f0; --accent: #4338ca; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0b1020; --surface: #131a2e; --text: #f1f5f9; --muted: #a5b4cf;
    --border: #334155; --code: #1b2440; --ok: #34d399; --ok-soft: #0f3b2e; --bad: #f87171;
    --bad-soft: #3f1a1d; --warn: #fbbf24; --warn-soft: #3b2a0a; --quiet: #a5b4cf;
    --quiet-soft: #1b2440; --accent: #a5b4fc; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.5 system-ui, sans-serif; }
main, footer { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
footer { color: var(--muted); font-size: 0.9rem; padding-top: 0; }
h1 { font-size: 1.7rem; margin: 0.2rem 0; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.75rem; }
h3 { font-size: 1.05rem; margin: 0; }
h4 { font-size: 0.95rem; margin: 1rem 0 0.4rem; }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, monospace; font-size: 0.88rem; }
code.value { overflow-wrap: anywhere; }
pre.wire { background: var(--code); border: 1px solid var(--border); border-radius: 8px;
  padding: 0.75rem; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.4rem 0; }
.kicker { color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em;
  font-size: 0.8rem; margin: 0; }
.headline { font-size: 1.3rem; font-weight: 600; margin: 0.4rem 0; }
.muted { color: var(--muted); }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: 10px;
  padding: 1rem 1.2rem; margin: 0.75rem 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.75rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd, dl.trace dd { margin: 0; }
dl.trace dt { font-weight: 600; margin-top: 0.5rem; }
table { border-collapse: collapse; width: 100%; margin: 0.4rem 0; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem;
  border-bottom: 1px solid var(--border); }
th { font-size: 0.85rem; color: var(--muted); }
.badge { display: inline-block; border-radius: 999px; padding: 0.05rem 0.6rem;
  font-size: 0.82rem; font-weight: 600; white-space: nowrap; border: 1px solid currentColor; }
.enforced .badge, .badge.enforced { color: var(--ok); background: var(--ok-soft); }
.not_enforced .badge, .badge.not_enforced { color: var(--bad); background: var(--bad-soft); }
.could_not_tell .badge, .badge.could_not_tell { color: var(--warn); background: var(--warn-soft); }
.does_not_apply .badge, .badge.does_not_apply { color: var(--quiet); background: var(--quiet-soft); }
section.check.not_enforced { border-left: 4px solid var(--bad); }
.check header { display: flex; flex-wrap: wrap; gap: 0.5rem 0.75rem; align-items: baseline; }
.note { background: var(--warn-soft); border-radius: 8px; padding: 0.5rem 0.75rem; }
details { margin-top: 0.6rem; }
summary { cursor: pointer; color: var(--accent); }
#diagnosis h2 { margin-top: 0; }
figure.diagram { margin: 1rem 0; padding: 0.5rem; }
figure.diagram svg { width: 100%; max-width: 52rem; height: auto; display: block; margin: 0 auto; }
svg .lifeline { stroke: var(--border); stroke-width: 1.5; stroke-dasharray: 4 4; }
svg .lane { fill: var(--code); stroke: var(--border); }
svg .lane-label { fill: var(--text); font: 600 13px system-ui, sans-serif; }
svg .num { fill: var(--muted); font: 12px system-ui, sans-serif; }
svg .label { fill: var(--text); font: 11px system-ui, sans-serif; }
svg .shaft { stroke: currentColor; stroke-width: 1.6; fill: none; }
svg .shaft.reply { stroke-dasharray: 5 4; }
svg .head { fill: currentColor; }
svg .arrow { color: var(--quiet); }
svg .arrow.enforced { color: var(--ok); }
svg .arrow.not_enforced { color: var(--bad); }
svg .arrow.could_not_tell { color: var(--warn); }
svg .arrow.does_not_apply .label { fill: var(--muted); }
@media print { body { background: #fff; } .card { break-inside: avoid-page; } }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup_and_no_hidden_controls() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("a\u{1b}[31mb\r\nc\u{7f}"), "a\u{FFFD}[31mb\nc\u{FFFD}");
    }

    #[test]
    fn dates_and_durations_read_plainly() {
        assert_eq!(when(1_796_000_000_000), "Mon, 30 Nov 2026 00:53:20 GMT");
        assert_eq!(took(850), "850 ms");
        assert_eq!(took(4_240), "4.2 s");
        assert_eq!(took(185_000), "3 min 5 s");
    }

    #[test]
    fn the_page_allows_no_script_and_no_request() {
        let p = page("a <title>", "<p>body</p>\n", "<p>foot</p>\n");
        assert!(p.starts_with("<!DOCTYPE html>"));
        assert!(p.contains("<title>a &lt;title&gt;</title>"));
        assert!(p.contains("content=\"default-src 'none'; style-src 'unsafe-inline';"));
        assert!(!p.contains("<script"));
        assert!(!p.contains("src="));
        assert!(!p.contains("http://") && !p.contains("https://"));
    }

    #[test]
    fn a_response_says_when_its_body_was_cut() {
        let r = RecordedResponse {
            status: 401,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: "<b>no</b>".into(),
            body_bytes: 70_000,
            truncated: true,
        };
        let h = response(&r);
        assert!(h.contains("HTTP 401\nContent-Type: text/html\n\n&lt;b&gt;no&lt;/b&gt;</pre>"));
        assert!(h.contains("The body was 70000 bytes; the first 9 are shown."));
    }
}
