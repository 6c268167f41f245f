//! `signet check`: a QA run — every endpoint of the connectors named (or of the lines of a
//! file), each sent as `signet call` sends it, one test case each: passed, failed (the decoded
//! failure as the message) or skipped (why). `--junit FILE` writes JUnit XML, `--json` prints
//! the cases; the exit code is 3 when any endpoint failed.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;
use signet_app::Settings;
use signet_oauth1::ErrorKind;

use crate::app;
use crate::args::CheckArgs;
use crate::exit::{Exit, Failure, Outcome};
use crate::output;

/// What came of one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Verdict {
    Passed,
    Failed,
    Skipped,
}

/// One endpoint's case.
#[derive(Debug, Serialize)]
struct Case {
    connector: String,
    endpoint: String,
    verdict: Verdict,
    /// The answer's status, when one came.
    status: Option<u16>,
    /// Why it failed or was skipped (the decoded failure, in plain words).
    message: Option<String>,
    /// What to do about it.
    hint: Option<String>,
    /// The error's kind, when it failed.
    kind: Option<ErrorKind>,
    /// Its run in the history.
    run_id: Option<String>,
    duration_ms: u64,
}

/// What `--json` prints.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    passed: usize,
    failed: usize,
    skipped: usize,
    cases: &'a [Case],
}

/// A line of the list: a connector, and one of its endpoints or all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Wanted {
    connector: String,
    endpoint: Option<String>,
}

/// Reads a list file: one connector a line (`Shop`), or one endpoint (`Shop / orders`);
/// blank lines and lines starting with `#` are skipped.
fn read_list(path: &Path) -> Result<Vec<Wanted>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(
            format!("--file {}: {e}", path.display()),
            "give a text file with one connector (or `connector / endpoint`) a line",
        )
    })?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let split = line
            .split_once(" / ")
            .or_else(|| line.strip_suffix(" /").map(|c| (c, "")));
        let (connector, endpoint) = match split {
            Some((c, e)) => (c.trim(), Some(e.trim())),
            None => (line, None),
        };
        if connector.is_empty() || endpoint.is_some_and(str::is_empty) {
            return Err(Failure::usage(
                format!(
                    "--file {} line {}: {line:?} names no connector or endpoint",
                    path.display(),
                    n + 1
                ),
                "write `connector` or `connector / endpoint` on each line",
            ));
        }
        out.push(Wanted {
            connector: connector.to_owned(),
            endpoint: endpoint.map(str::to_owned),
        });
    }
    Ok(out)
}

/// Runs `signet check`.
pub async fn run(a: CheckArgs, data_dir: Option<&Path>) -> Outcome {
    let mut wanted: Vec<Wanted> = a
        .connectors
        .iter()
        .map(|c| Wanted {
            connector: c.clone(),
            endpoint: None,
        })
        .collect();
    if let Some(file) = &a.file {
        wanted.extend(read_list(file)?);
    }
    if wanted.is_empty() {
        return Err(Failure::usage(
            "no connector to check",
            "name saved connectors (`signet connectors list`), or give --file with one a line",
        ));
    }
    if let Some(path) = &a.junit {
        output::writable("--junit", path)?;
    }
    let mut settings = Settings::default();
    settings.call_http.timeout = Duration::from_secs(a.timeout.max(1));
    let cli = app::open(data_dir, None, settings)?;
    let app = &cli.app;
    let inputs: BTreeMap<String, String> = a.vars.iter().cloned().collect();
    // Every connector and endpoint named is found before anything is sent: a name that does
    // not exist is a usage mistake.
    let mut plan = Vec::new();
    for w in &wanted {
        let view = app::find(app, &w.connector, a.instance.as_deref())?;
        let endpoints = &view.document.connector.endpoints;
        let chosen: Vec<signet_connector::Endpoint> = match &w.endpoint {
            Some(e) => {
                let found = endpoints
                    .iter()
                    .find(|x| x.id == *e)
                    .or_else(|| endpoints.iter().find(|x| x.name.eq_ignore_ascii_case(e)));
                match found {
                    Some(x) => vec![x.clone()],
                    None => {
                        let name = &view.document.connector.details.name;
                        return Err(Failure::usage(
                            format!("connector {name:?} has no endpoint {e:?}"),
                            format!("`signet endpoints list {name:?}` lists them"),
                        ));
                    }
                }
            }
            None => endpoints.clone(),
        };
        plan.push((view, chosen, w.endpoint.is_some()));
    }
    let started = Instant::now();
    let mut cases = Vec::new();
    for (view, chosen, named) in &plan {
        let name = view.document.connector.details.name.clone();
        let instance = view.document.instance.id.clone().unwrap_or_default();
        if chosen.is_empty() {
            let case = Case {
                connector: name.clone(),
                endpoint: "(no endpoints)".into(),
                verdict: Verdict::Skipped,
                status: None,
                message: Some("the connector has no endpoints".into()),
                hint: Some("add endpoints to it in the app (step 4)".into()),
                kind: None,
                run_id: None,
                duration_ms: 0,
            };
            if !a.json {
                print_case(&case);
            }
            cases.push(case);
        }
        for e in chosen {
            let label = if e.name.is_empty() {
                e.id.clone()
            } else {
                e.name.clone()
            };
            let method = e.method.to_ascii_uppercase();
            // Only reading is safe to repeat: other methods go when asked for by name or with
            // --all-methods.
            if !matches!(method.as_str(), "GET" | "HEAD") && !named && !a.all_methods {
                let case = skipped(
                    &name,
                    &label,
                    format!(
                        "{method} may change data at the provider, so it is not sent by default"
                    ),
                    "add --all-methods, or name the endpoint (`connector / endpoint` in --file)",
                );
                if !a.json {
                    print_case(&case);
                }
                cases.push(case);
                continue;
            }
            // Each endpoint gets the values it uses (its variables, or a {{name}} in it).
            let text = serde_json::to_string(e).unwrap_or_default();
            let given: BTreeMap<String, String> = inputs
                .iter()
                .filter(|(k, _)| {
                    e.variables.iter().any(|v| v.name == **k)
                        || text.contains(&format!("{{{{{k}}}}}"))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let t = Instant::now();
            let case = match app.endpoint_send(&instance, &e.id, &given).await {
                Ok(r) => {
                    let call = &r.call;
                    let status = call.response.as_ref().map(|x| x.status);
                    match &call.error {
                        None => Case {
                            connector: name.clone(),
                            endpoint: label.clone(),
                            verdict: Verdict::Passed,
                            status,
                            message: None,
                            hint: None,
                            kind: None,
                            run_id: Some(r.run_id.clone()),
                            duration_ms: call.duration_ms.unwrap_or(0),
                        },
                        Some(err) => {
                            let cause = call
                                .diagnosis
                                .as_ref()
                                .and_then(|d| d.diagnoses.first())
                                .map(|d| format!(" ({}; fix: {})", d.cause, d.fix))
                                .unwrap_or_default();
                            Case {
                                connector: name.clone(),
                                endpoint: label.clone(),
                                verdict: Verdict::Failed,
                                status,
                                message: Some(format!("{}{cause}", err.message)),
                                hint: err.hint.clone(),
                                kind: Some(err.kind),
                                run_id: Some(r.run_id.clone()),
                                duration_ms: call.duration_ms.unwrap_or(0),
                            }
                        }
                    }
                }
                Err(err) => {
                    let report = err.report();
                    if matches!(
                        report.kind,
                        ErrorKind::MissingValue | ErrorKind::UnknownPlaceholder
                    ) {
                        skipped(
                            &name,
                            &label,
                            report.message.clone(),
                            "give the value with --var NAME=VALUE",
                        )
                    } else {
                        Case {
                            connector: name.clone(),
                            endpoint: label.clone(),
                            verdict: Verdict::Failed,
                            status: None,
                            message: Some(report.message.clone()),
                            hint: report.hint.clone(),
                            kind: Some(report.kind),
                            run_id: None,
                            duration_ms: t.elapsed().as_millis() as u64,
                        }
                    }
                }
            };
            if !a.json {
                print_case(&case);
            }
            cases.push(case);
        }
    }
    let count = |v: Verdict| cases.iter().filter(|c| c.verdict == v).count();
    let (passed, failed, skipped_n) = (
        count(Verdict::Passed),
        count(Verdict::Failed),
        count(Verdict::Skipped),
    );
    if let Some(path) = &a.junit {
        output::write_report(path, &junit(&cases, started.elapsed()))?;
    }
    if a.json {
        output::print_json(&Summary {
            passed,
            failed,
            skipped: skipped_n,
            cases: &cases,
        });
    } else {
        outln!("\n{passed} passed, {failed} failed, {skipped_n} skipped");
    }
    if failed > 0 {
        return Err(Failure {
            exit: Exit::Rejected,
            message: format!(
                "{failed} of {} endpoint{} failed",
                cases.len(),
                if cases.len() == 1 { "" } else { "s" }
            ),
            hint: Some(
                "each failure says why; `signet call CONNECTOR ENDPOINT` shows one in full".into(),
            ),
        });
    }
    Ok(())
}

fn skipped(connector: &str, endpoint: &str, why: String, hint: &str) -> Case {
    Case {
        connector: connector.to_owned(),
        endpoint: endpoint.to_owned(),
        verdict: Verdict::Skipped,
        status: None,
        message: Some(why),
        hint: Some(hint.to_owned()),
        kind: None,
        run_id: None,
        duration_ms: 0,
    }
}

fn print_case(c: &Case) {
    let what = format!("{} / {}", c.connector, c.endpoint);
    match c.verdict {
        Verdict::Passed => outln!(
            "  pass  {what}  HTTP {} in {} ms",
            c.status.unwrap_or(0),
            c.duration_ms
        ),
        Verdict::Failed => outln!(
            "  FAIL  {what}  {}",
            c.message.as_deref().unwrap_or_default()
        ),
        Verdict::Skipped => outln!(
            "  skip  {what}  {}",
            c.message.as_deref().unwrap_or_default()
        ),
    }
}

/// The cases as JUnit XML: a suite per connector, a case per endpoint.
fn junit(cases: &[Case], took: Duration) -> String {
    let esc = signet_report::html::esc;
    let failures = cases
        .iter()
        .filter(|c| c.verdict == Verdict::Failed)
        .count();
    let skipped = cases
        .iter()
        .filter(|c| c.verdict == Verdict::Skipped)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"signet check\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.3}\">\n",
        cases.len(),
        took.as_secs_f64()
    ));
    let mut connectors: Vec<&str> = Vec::new();
    for c in cases {
        if !connectors.contains(&c.connector.as_str()) {
            connectors.push(&c.connector);
        }
    }
    for name in connectors {
        let of: Vec<&Case> = cases.iter().filter(|c| c.connector == name).collect();
        let f = of.iter().filter(|c| c.verdict == Verdict::Failed).count();
        let s = of.iter().filter(|c| c.verdict == Verdict::Skipped).count();
        let secs: f64 = of.iter().map(|c| c.duration_ms as f64 / 1000.0).sum();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" skipped=\"{s}\" time=\"{secs:.3}\">\n",
            esc(name),
            of.len()
        ));
        for c in of {
            out.push_str(&format!(
                "    <testcase classname=\"signet.check\" name=\"{}\" time=\"{:.3}\">",
                esc(&format!("{} / {}", c.connector, c.endpoint)),
                c.duration_ms as f64 / 1000.0
            ));
            let message = c.message.as_deref().unwrap_or_default();
            match c.verdict {
                Verdict::Passed => {}
                Verdict::Failed => {
                    let kind = c
                        .kind
                        .map(|k| k.as_str().to_owned())
                        .unwrap_or_else(|| "failed".into());
                    let body = match &c.hint {
                        Some(h) => format!("{message}\nWhat to do: {h}"),
                        None => message.to_owned(),
                    };
                    out.push_str(&format!(
                        "<failure message=\"{}\" type=\"{}\">{}</failure>",
                        esc(message),
                        esc(&kind),
                        esc(&body)
                    ));
                }
                Verdict::Skipped => {
                    out.push_str(&format!("<skipped message=\"{}\"/>", esc(message)));
                }
            }
            out.push_str("</testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
