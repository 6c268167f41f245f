//! How things look in a terminal: the signing trace, a signed request with its curl command,
//! and the ten steps as they happen.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use signet_oauth1::flow::{Snapshot, StepSnapshot, StepStatus};
use signet_oauth1::secret::REDACTED;
use signet_oauth1::{Signed, SigningTrace};

/// Where [`emit`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output: what the command answers.
    Out,
    /// Standard error: progress, warnings and failures.
    Err,
}

static OUT_GONE: AtomicBool = AtomicBool::new(false);
static ERR_GONE: AtomicBool = AtomicBool::new(false);

/// Writes to `stream` (what `outln!`, `out!`, `errln!` and `err!` call). A stream whose
/// reader has gone (`signet history list | head`, a closed terminal) is not a bug: what
/// follows on it is dropped and the command still finishes its work — a dance still saves
/// its token, a run is still recorded — where `println!` would panic. Any other failure to
/// write standard output is said once on standard error.
pub fn emit(stream: Stream, args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let gone = match stream {
        Stream::Out => &OUT_GONE,
        Stream::Err => &ERR_GONE,
    };
    if gone.load(Ordering::Relaxed) {
        return;
    }
    let result = match stream {
        Stream::Out => {
            let mut out = std::io::stdout().lock();
            out.write_fmt(args).and_then(|()| out.flush())
        }
        Stream::Err => std::io::stderr().lock().write_fmt(args),
    };
    if let Err(e) = result
        && !gone.swap(true, Ordering::Relaxed)
        && stream == Stream::Out
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        errln!("signet: standard output cannot be written ({e}); the rest of it is dropped");
    }
}

/// Refuses, before anything is sent, a report file whose folder does not exist.
pub fn writable(flag: &str, path: &std::path::Path) -> Result<(), crate::exit::Failure> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    if folder.is_some_and(|f| !f.is_dir()) {
        return Err(crate::exit::Failure::usage(
            format!("{flag} {}: its folder does not exist", path.display()),
            "make the folder first, or write the report elsewhere",
        ));
    }
    Ok(())
}

/// Writes a report the run made.
pub fn write_report(path: &std::path::Path, text: &str) -> Result<(), crate::exit::Failure> {
    std::fs::write(path, text).map_err(|e| crate::exit::Failure {
        exit: crate::exit::Exit::Internal,
        message: format!("cannot write the report to {}: {e}", path.display()),
        hint: Some("check the folder exists and can be written".into()),
    })
}

/// A value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize + ?Sized>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(text) => outln!("{text}"),
        Err(e) => errln!("signet: cannot write JSON: {e}"),
    }
}

/// The signing trace, section by section.
pub fn trace(t: &SigningTrace) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Signing {} {}", t.method, t.url);
    let _ = writeln!(
        o,
        "  signature method {}, parameters in the {}\n",
        t.signature_method, t.placement
    );
    let _ = writeln!(o, "Parameters");
    let w = t
        .parameters
        .iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(4)
        .min(28);
    for p in &t.parameters {
        let _ = writeln!(
            o,
            "  {:<6} {:<w$} {:<7} {}",
            format!("{:?}", p.source).to_lowercase(),
            p.name,
            if p.signed { "signed" } else { "not" },
            shorten(&p.value, 60),
        );
        let _ = writeln!(o, "  {:<6} {:<w$} {:<7} why: {}", "", "", "", p.why);
    }
    let _ = writeln!(o, "\nNormalized parameters\n  {}", t.normalized_parameters);
    let _ = writeln!(o, "\nBase string URI\n  {}", t.base_string_uri);
    for n in &t.base_string_uri_notes {
        let _ = writeln!(o, "  - {n}");
    }
    let _ = writeln!(o, "\nSignature base string\n  {}", t.base_string);
    let _ = writeln!(o, "\nSigning key\n  {}", t.signing_key);
    let _ = writeln!(o, "\nSignature\n  {}", t.signature);
    for n in &t.notes {
        let _ = writeln!(o, "\nNote: {n}");
    }
    o.push('\n');
    o
}

/// The request as it goes on the wire, and a curl command that sends it. A PLAINTEXT
/// signature is the secrets, so it shows only when `reveal`.
pub fn signed_request(s: &Signed<'_>, reveal: bool) -> String {
    let hide = |text: &str| -> String {
        if reveal {
            return text.to_owned();
        }
        let sig = s.signature();
        let encoded = signet_oauth1::encoding::encode(sig);
        text.replace(&*encoded, REDACTED).replace(sig, REDACTED)
    };
    let mut o = String::new();
    let _ = writeln!(o, "Signed request\n  {} {}", s.method, hide(&s.url));
    if let Some(a) = &s.authorization {
        let _ = writeln!(o, "  Authorization: {}", hide(a));
    }
    if let Some(ct) = s.content_type {
        let _ = writeln!(o, "  Content-Type: {ct}");
    }
    let body = s.body.as_deref().map(|b| hide(&String::from_utf8_lossy(b)));
    if let Some(b) = &body {
        let _ = writeln!(o, "\n  {b}");
    }
    let url = hide(&s.url);
    let headers: Vec<(String, String)> = s
        .authorization
        .iter()
        .map(|a| ("Authorization".to_owned(), hide(a)))
        .collect();
    let curl = signet_connector::curl::render(&signet_connector::curl::Wire {
        method: &s.method,
        url: &url,
        headers: &headers,
        content_type: s.content_type,
        body: body.as_deref().map(str::as_bytes),
    });
    let _ = writeln!(o, "\ncurl\n  {}", curl.replace('\n', "\n  "));
    if !reveal {
        let _ = writeln!(
            o,
            "\n(PLAINTEXT sends the secrets as the signature; pass --show-secrets to print them.)"
        );
    }
    o
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// Prints the steps whose status changed since `before`, one line each.
pub fn step_changes(before: Option<&Snapshot>, now: &Snapshot) -> String {
    let mut o = String::new();
    for step in &now.steps {
        let old = before.map(|b| b.step(step.id).status);
        if old == Some(step.status) && !exchanges_grew(before, step) {
            continue;
        }
        if step.status == StepStatus::Pending {
            continue;
        }
        o.push_str(&step_line(step));
    }
    o
}

fn exchanges_grew(before: Option<&Snapshot>, step: &StepSnapshot) -> bool {
    let done = |s: &StepSnapshot| {
        s.exchanges
            .iter()
            .filter(|x| x.finished_ms.is_some())
            .count()
    };
    before.is_some_and(|b| done(b.step(step.id)) != done(step))
}

/// One step: number, title, status, who acts, and what happened.
pub fn step_line(step: &StepSnapshot) -> String {
    let status = match step.status {
        StepStatus::Pending => "pending",
        StepStatus::Active => "in progress",
        StepStatus::Done => "done",
        StepStatus::Failed => "FAILED",
        StepStatus::Skipped => "skipped",
    };
    let mut o = format!(
        "{:>3}. {:<26} {:<11} ({:?})\n",
        step.number, step.title, status, step.actor
    );
    if let Some(x) = step.exchanges.last() {
        match (&x.response, x.duration_ms) {
            (Some(r), Some(ms)) => {
                let _ = writeln!(
                    o,
                    "      {} {} -> {} ({ms} ms)",
                    x.request.method,
                    strip_query(&x.request.url),
                    r.status
                );
            }
            _ if x.transport_error.is_none() && step.status == StepStatus::Active => {
                let _ = writeln!(
                    o,
                    "      {} {} ...",
                    x.request.method,
                    strip_query(&x.request.url)
                );
            }
            _ => {}
        }
    }
    if step.status == StepStatus::Skipped || step.status == StepStatus::Done {
        for n in &step.notes {
            let _ = writeln!(o, "      {n}");
        }
    }
    if let Some(e) = &step.error {
        let _ = writeln!(o, "      problem: {}", e.message);
        if let Some(h) = &e.hint {
            let _ = writeln!(o, "      what to do: {h}");
        }
    }
    o
}

fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}
