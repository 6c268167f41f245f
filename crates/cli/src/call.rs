//! `signet call` (one endpoint of a saved connector, or any URL, signed and sent through the
//! same use case as the desktop app's Send) and `signet approve` (a stand-in browser for the
//! demo provider's consent page).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use signet_app::api::{CallRecord, CallResult, PagesProgressEvent, PagesResult};
use signet_app::{App, Settings};
use signet_connector::{AuthKind, Body, Endpoint, Param};
use signet_engine::http::{Http, HttpSettings, Outcome as Sent};
use signet_oauth1::flow::{OutgoingRequest, StepId};

use crate::app;
use crate::args::{ApproveArgs, CallArgs, DefinitionArgs, RequestArgs};
use crate::define::{self, Mode};
use crate::exit::{Exit, Failure, Outcome};
use crate::sign::content_type;

/// The id an ad-hoc `--url` call is recorded under.
const AD_HOC: &str = "command-line";

/// Runs `signet call`.
pub async fn run(a: CallArgs, data_dir: Option<&Path>) -> Outcome {
    if a.request.callback.is_some() || a.request.verifier.is_some() {
        return Err(Failure::usage(
            "--callback and --verifier only shape a token request",
            "use `signet sign` to see such a request, or `signet flow` to run the steps",
        ));
    }
    let mut settings = Settings::default();
    settings.call_http.timeout = Duration::from_secs(a.timeout.max(1));
    let inputs: BTreeMap<String, String> = a.vars.iter().cloned().collect();
    let connector = a.connector.clone().or_else(|| a.connector_flag.clone());
    let mut cli = match &connector {
        Some(_) => app::open(data_dir, None, settings)?,
        None => app::scratch(None, settings)?,
    };
    let app = &cli.app;
    app.clock_offset_set(a.clock_offset);
    let result = match &connector {
        Some(name) => {
            // With a connector, `--token NAME` picks one of its saved tokens: an instance.
            let instance = match (&a.instance, &a.request.token) {
                (Some(_), Some(_)) => {
                    return Err(Failure::usage(
                        "--instance and --token both pick the connector's saved token",
                        "give one of them",
                    ));
                }
                (Some(i), None) | (None, Some(i)) => Some(i.as_str()),
                (None, None) => None,
            };
            if a.request.token_secret.is_some() && define::typed("--token-secret") {
                return Err(Failure::usage(
                    "a connector signs with its instance's stored token secret",
                    "leave --token-secret out (or call without a connector: signet call --url URL --token T --token-secret S)",
                ));
            }
            let view = app::find(app, name, instance)?;
            let instance = view.document.instance.id.clone().unwrap_or_default();
            match (&a.endpoint, &a.request.url) {
                (Some(wanted), _) => {
                    let endpoints = &view.document.connector.endpoints;
                    let found = endpoints.iter().find(|e| e.id == *wanted).or_else(|| {
                        endpoints
                            .iter()
                            .find(|e| e.name.eq_ignore_ascii_case(wanted))
                    });
                    let Some(e) = found else {
                        let ids: Vec<&str> = endpoints.iter().map(|e| e.id.as_str()).collect();
                        return Err(Failure::usage(
                            format!("connector {name:?} has no endpoint {wanted:?}"),
                            if ids.is_empty() {
                                format!(
                                    "it has no endpoints; call any URL with `signet call {name:?} --url URL`"
                                )
                            } else {
                                format!(
                                    "its endpoints: {} (`signet endpoints list {name:?}` says more)",
                                    ids.join(", ")
                                )
                            },
                        ));
                    };
                    if a.all_pages {
                        let id = e.id.clone();
                        let job = format!("cli-{}", std::process::id());
                        let walk = app.endpoint_send_pages(
                            &instance,
                            &id,
                            &inputs,
                            &job,
                            signet_app::PagesOptions {
                                max_pages: a.max_pages,
                                items_in_events: false,
                            },
                        );
                        tokio::pin!(walk);
                        let events = &mut cli.events;
                        let print = |ev: signet_app::Event| {
                            if let signet_app::Event::PagesProgress(p) = ev {
                                errln!("{}", page_line(&p));
                            }
                        };
                        let result = loop {
                            tokio::select! {
                                r = &mut walk => break r,
                                Some(ev) = events.recv() => print(ev),
                            }
                        };
                        // The last pages' events may still be queued.
                        while let Ok(ev) = events.try_recv() {
                            print(ev);
                        }
                        let result = result?;
                        return report_pages(&result, a.json);
                    }
                    if a.curl {
                        return curl(app, &instance, None, &e.id, &inputs, &a).await;
                    }
                    app.endpoint_send(&instance, &e.id, &inputs).await?
                }
                (None, Some(url)) => {
                    let mut e = endpoint(&a.request, url)?;
                    declare_inputs(&mut e, &view.document.connector, &inputs);
                    if a.curl {
                        let id = e.id.clone();
                        return curl(app, &instance, Some(e), &id, &inputs, &a).await;
                    }
                    app.endpoint_send_unsaved(&instance, e, &inputs).await?
                }
                (None, None) => {
                    return Err(Failure::usage(
                        format!("which endpoint of {name:?}?"),
                        format!(
                            "signet call {name:?} ENDPOINT (`signet endpoints list {name:?}` lists them), or --url URL"
                        ),
                    ));
                }
            }
        }
        None => {
            let Some(url) = &a.request.url else {
                return Err(Failure::usage(
                    "no connector and no --url",
                    "signet call CONNECTOR ENDPOINT, or signet call --url URL with --consumer-key, --consumer-secret, --token and --token-secret",
                ));
            };
            let mut e = endpoint(&a.request, url)?;
            declare_inputs(&mut e, &signet_connector::Connector::named(""), &inputs);
            let instance = ad_hoc(app, &a, e)?;
            if a.curl {
                return curl(app, &instance, None, AD_HOC, &inputs, &a).await;
            }
            app.endpoint_send(&instance, AD_HOC, &inputs).await?
        }
    };
    report(&result, a.json)
}

/// `--curl`: the call signed afresh, printed as a curl command (or as JSON), not sent.
async fn curl(
    app: &App,
    instance: &str,
    extra: Option<Endpoint>,
    endpoint: &str,
    inputs: &BTreeMap<String, String>,
    a: &CallArgs,
) -> Outcome {
    let c = app
        .endpoint_curl(instance, extra, endpoint, inputs, a.show_secrets)
        .await?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&c).unwrap_or_default());
        return Ok(());
    }
    outln!("{}", c.command);
    if !c.masked.is_empty() {
        errln!(
            "<redacted> in the command: {}; pass --show-secrets to put them in.",
            c.masked.join(", ")
        );
    }
    errln!(
        "Signed just now with a fresh nonce and timestamp: it works once, within the provider's time window."
    );
    Ok(())
}

/// A throwaway connector from the credential flags with `endpoint` as its only endpoint:
/// one-legged, or signed with `--token`.
fn ad_hoc(app: &App, a: &CallArgs, endpoint: Endpoint) -> Result<String, Failure> {
    let definition = DefinitionArgs {
        credentials: a.credentials.clone(),
        request_token_url: None,
        authorize_url: None,
        access_token_url: None,
        callback: "oob".into(),
        authorize_params: Vec::new(),
        allow_unconfirmed_callback: false,
        resource_url: None,
        resource_method: "GET".into(),
        preset: None,
        account: None,
        values: Vec::new(),
    };
    let token = a
        .request
        .token
        .as_deref()
        .map(|t| (t, a.request.token_secret.as_deref().unwrap_or_default()));
    let mode = Mode {
        one_legged: token.is_none(),
        token,
    };
    let (mut doc, _) = define::document(&definition, Some("Command line"), mode, app, None)?;
    for m in &mut doc.connector.auth_methods {
        if let AuthKind::OAuth1(o) = &mut m.kind {
            o.test_endpoint = Some(endpoint.id.clone());
        }
    }
    doc.connector.endpoints = vec![endpoint];
    define::check_complete(app, &doc)?;
    let view = app.connector_save(doc)?;
    Ok(view.document.instance.id.unwrap_or_default())
}

/// The endpoint `--url`, `-X`, `--body` and `--content-type` describe. The URL and body are
/// templates like any endpoint's: `{{name}}` takes a `--var` or a connector variable.
fn endpoint(r: &RequestArgs, url: &str) -> Result<Endpoint, Failure> {
    let method = r.method.trim().to_ascii_uppercase();
    let mut e = Endpoint {
        method,
        description: "Sent from the command line with --url.".into(),
        ..Endpoint::get(AD_HOC, "Command line", url)
    };
    if let Some(text) = &r.body {
        let ct = content_type(r).unwrap_or_default();
        let essence = ct
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        e.body = match essence.as_str() {
            "application/x-www-form-urlencoded" | "" => Body::Form {
                fields: form_fields(text)?,
            },
            "application/json" => Body::Json { text: text.clone() },
            "application/xml" | "text/xml" => Body::Xml { text: text.clone() },
            _ => Body::Text {
                content_type: ct.clone(),
                text: text.clone(),
            },
        };
    }
    Ok(e)
}

/// `--var` values for an ad-hoc `--url` call: each one the connector does not define is the
/// endpoint's own variable, so `{{id}}` in the URL takes `--var id=5`.
fn declare_inputs(
    e: &mut Endpoint,
    connector: &signet_connector::Connector,
    inputs: &BTreeMap<String, String>,
) {
    for name in inputs.keys() {
        if !connector.variables.iter().any(|v| &v.name == name) {
            e.variables
                .push(signet_connector::Variable::text(name, name));
        }
    }
}

/// A form body's fields, decoded (the endpoint encodes them again when it sends).
fn form_fields(text: &str) -> Result<Vec<Param>, Failure> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let decode = |s: &str| {
                String::from_utf8(signet_oauth1::encoding::form_decode(s).into_owned()).map_err(
                    |_| {
                        Failure::usage(
                            "--body decodes to bytes that are not UTF-8 text",
                            "encode the form's text as UTF-8, or pass --content-type",
                        )
                    },
                )
            };
            Ok(Param::new(decode(k)?, decode(v)?))
        })
        .collect()
}

/// Prints the answer (or the whole record as JSON) and turns a failure into an exit code.
fn report(result: &CallResult, json: bool) -> Outcome {
    let call = &result.call;
    if json {
        match serde_json::to_string_pretty(result) {
            Ok(text) => outln!("{text}"),
            Err(e) => errln!("signet: cannot write JSON: {e}"),
        }
    } else {
        print_call(call);
    }
    match &call.error {
        None => Ok(()),
        Some(e) => {
            let mut failure = Failure::report(e);
            if let Some(words) = &e.provider_says {
                failure
                    .message
                    .push_str(&format!("\n  the provider says: {words}"));
            }
            // The decoder's reading, when it knows more than the status does (a signature
            // that differs, a variable behind it, a clock that is off).
            if let Some(d) = call
                .diagnosis
                .as_ref()
                .and_then(|d| d.diagnoses.first())
                .filter(|d| !d.id.starts_with("http."))
            {
                failure.message.push_str(&format!("\n  why: {}", d.cause));
                failure.hint = Some(d.fix.clone());
            }
            Err(failure)
        }
    }
}

/// One page as it arrives: `page 3: HTTP 200 in 12 ms, 50 items (150 so far)`.
fn page_line(p: &PagesProgressEvent) -> String {
    let status = p
        .status
        .map_or_else(|| "no answer".to_owned(), |s| format!("HTTP {s}"));
    let took = p
        .duration_ms
        .map(|ms| format!(" in {ms} ms"))
        .unwrap_or_default();
    let again = if p.attempts > 1 { ", sent twice" } else { "" };
    format!(
        "page {}: {status}{took}, {} items ({} so far){again}",
        p.number, p.items, p.total_items
    )
}

/// A walk of pages: with `json`, the combined items as one JSON array on stdout (the pages went
/// to stderr as they came); else the pages and why the walk ended. A failed walk exits like a
/// failed call, after its items are printed.
fn report_pages(result: &PagesResult, json: bool) -> Outcome {
    let summary = format!(
        "{} items in {} pages ({} ms): {}",
        result.item_count,
        result.pages.len(),
        result.duration_ms,
        result.stop_message
    );
    if json {
        match serde_json::to_string(&result.items) {
            Ok(text) => outln!("{text}"),
            Err(e) => errln!("signet: cannot write JSON: {e}"),
        }
        errln!("{summary}");
    } else {
        for p in &result.pages {
            let r = &p.call.request;
            let status = p
                .call
                .response
                .as_ref()
                .map_or_else(|| "no answer".to_owned(), |r| format!("HTTP {}", r.status));
            outln!(
                "page {}: {} {} -> {status}, {} items",
                p.number,
                r.method,
                r.url,
                p.items
            );
        }
        outln!("{summary}");
        if result.item_count > 0 {
            outln!("(add --json to print the items as one JSON array)");
        }
    }
    if !result.failed {
        return Ok(());
    }
    let last = result.pages.last().and_then(|p| p.call.error.as_ref());
    let mut failure = match last {
        Some(e) => Failure::report(e),
        None => Failure {
            exit: Exit::Rejected,
            message: String::new(),
            hint: None,
        },
    };
    failure.message = format!(
        "{}; the {} pages before are kept",
        result.stop_message,
        result
            .pages
            .len()
            .saturating_sub(usize::from(last.is_some()))
    );
    if let Some(h) = &result.stop_hint {
        failure.hint = Some(h.clone());
    }
    Err(failure)
}

fn print_call(call: &CallRecord) {
    let r = &call.request;
    errln!("{} {}", r.method, r.url);
    let Some(resp) = &call.response else { return };
    let took = call
        .duration_ms
        .map(|ms| format!(" ({ms} ms)"))
        .unwrap_or_default();
    outln!("HTTP {}{took}", resp.status);
    for (k, v) in &resp.headers {
        outln!("{k}: {v}");
    }
    outln!("\n{}", resp.body);
    if resp.truncated {
        errln!(
            "signet: the body was cut at {} of {} bytes",
            resp.body.len(),
            resp.body_bytes
        );
    }
}

/// Runs `signet approve`: signs in at the demo provider and allows (or denies); follows a
/// loopback redirect like a browser would, prints any other redirect, and writes an `oob`
/// PIN where asked.
pub async fn approve(a: ApproveArgs) -> Outcome {
    let outcome = signet_provider::approve(&a.url, &a.user, &a.password, !a.deny)
        .await
        .map_err(|e| Failure {
            exit: Exit::Rejected,
            message: e.to_string(),
            hint: None,
        })?;
    if let Some(redirect) = &outcome.redirect {
        outln!("redirect {redirect}");
        if redirect.starts_with("http://127.0.0.1") || redirect.starts_with("http://localhost") {
            let http =
                Http::new(HttpSettings::default()).map_err(|e| Failure::report(&e.report()))?;
            let req = OutgoingRequest {
                step: StepId::RedirectToConsumer,
                method: "GET".into(),
                url: redirect.clone(),
                headers: Vec::new(),
                content_type: None,
                body: None,
            };
            if let Sent::Err(f) = http.send(&req).await {
                return Err(Failure {
                    exit: Exit::Network,
                    message: f.message,
                    hint: None,
                });
            }
        }
    }
    if let Some(pin) = &outcome.pin {
        outln!("pin {pin}");
        if let Some(path) = &a.pin_file {
            std::fs::write(path, format!("{pin}\n")).map_err(|e| Failure {
                exit: Exit::Internal,
                message: format!("cannot write the pin to {}: {e}", path.display()),
                hint: None,
            })?;
        }
    }
    if outcome.denied {
        outln!("denied");
    }
    Ok(())
}
