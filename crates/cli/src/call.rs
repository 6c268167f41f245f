//! `signet call` (one signed request) and `signet approve` (a stand-in browser for the demo
//! provider's consent page).

use std::time::Duration;

use serde::Serialize;
use signet_engine::http::{Http, HttpSettings};
use signet_engine::nonce::nonce;
use signet_engine::{Clock, http::Outcome as Sent};
use signet_oauth1::flow::{OutgoingRequest, StepId};
use signet_oauth1::response::{excerpt, parse_problem};
use std::path::Path;

use signet_oauth1::flow::ConsumerKey;
use signet_oauth1::{Signer, sign};

use crate::args::{ApproveArgs, CallArgs};
use crate::connectors;
use crate::exit::{Exit, Failure, Outcome};
use crate::sign::{content_type, http_request, oauth_params, options, signer};

#[derive(Serialize)]
struct CallReport {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

/// Runs `signet call`.
pub async fn run(mut a: CallArgs, data_dir: Option<&Path>) -> Outcome {
    let url = a
        .request
        .url
        .clone()
        .ok_or_else(|| Failure::usage("no url", "pass --url with the resource to call"))?;
    let (consumer_key, signer) = match a.connector.clone() {
        Some(name) => from_connector(&mut a, &name, data_dir)?,
        None => signer(&a.credentials, a.request.token_secret.as_deref())?,
    };
    let r = &a.request;
    let clock = Clock::with_offset(a.clock_offset);
    let (nonce, timestamp) = (nonce(), clock.timestamp().to_string());
    let ct = content_type(r);
    let req = http_request(r, &url, ct.as_deref());
    let oauth = oauth_params(
        r,
        &consumer_key,
        &nonce,
        &timestamp,
        a.credentials.realm.as_deref(),
    );
    let signed = sign(&req, &oauth, &signer, &options(&a.credentials)).map_err(|e| {
        let rep = signet_oauth1::ErrorReport::from(&e);
        Failure::usage(
            rep.message,
            rep.hint.unwrap_or_else(|| "check the flags".into()),
        )
    })?;
    let outgoing = OutgoingRequest {
        step: StepId::ResourceAccess,
        method: signed.method.to_string(),
        url: signed.url.to_string(),
        headers: signed
            .authorization
            .iter()
            .map(|h| ("Authorization".to_owned(), h.clone()))
            .collect(),
        content_type: signed.content_type.map(str::to_owned),
        body: signed.body.as_deref().map(<[u8]>::to_vec),
    };
    let http = Http::new(HttpSettings {
        timeout: Duration::from_secs(a.timeout.max(1)),
        ..HttpSettings::default()
    })
    .map_err(|e| Failure::report(&e.report()))?;
    let received = match http.send(&outgoing).await {
        Sent::Ok(r) => r,
        Sent::Err(f) => {
            return Err(Failure {
                exit: Exit::Network,
                message: f.message,
                hint: Some("check the URL, that the provider is running, and your network".into()),
            });
        }
    };
    let resp = received.response;
    let body = String::from_utf8_lossy(&resp.body).into_owned();
    if a.json {
        let report = CallReport {
            status: resp.status,
            headers: resp.headers.clone(),
            body: body.clone(),
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("plain data serializes")
        );
    } else {
        println!("HTTP {}", resp.status);
        for (k, v) in &resp.headers {
            println!("{k}: {v}");
        }
        println!("\n{body}");
    }
    if (200..300).contains(&resp.status) {
        return Ok(());
    }
    let ct = resp
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str());
    Err(match parse_problem(resp.status, ct, &resp.body) {
        Some(p) => Failure {
            exit: Exit::Rejected,
            message: format!("the provider refused the request: {} ({})", p.code, p.cause),
            hint: Some(p.fix),
        },
        None => Failure {
            exit: Exit::Rejected,
            message: format!(
                "the provider answered http {}: {}",
                resp.status,
                excerpt(&resp.body)
            ),
            hint: None,
        },
    })
}

/// Takes the consumer credentials, token and signing options from a saved connector.
fn from_connector(
    a: &mut CallArgs,
    name: &str,
    data_dir: Option<&Path>,
) -> Result<(String, Signer), Failure> {
    let store = connectors::open(data_dir)?;
    let c = connectors::find(&store, name)?;
    let (config, creds) = connectors::flow_config(&store, &c)?;
    let token = creds.token.ok_or_else(|| {
        Failure::usage(
            format!("connector {name:?} has no token yet"),
            format!("run `signet flow --connector {name:?}` first"),
        )
    })?;
    a.request.token = Some(token.token.clone());
    a.credentials.placement = config.sign_options.placement;
    a.credentials.no_version = !config.sign_options.include_version;
    a.credentials.realm = config.realm.clone();
    a.credentials.signature_method = config.signature_method;
    let signer = match &config.key {
        ConsumerKey::Secret(s) => {
            Signer::shared(config.signature_method, s, Some(&token.token_secret))
        }
        ConsumerKey::Rsa(k) => Signer::rsa(config.signature_method, k),
    }
    .map_err(|e| Failure::usage(e.to_string(), "save the connector again"))?;
    Ok((config.consumer_key, signer))
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
        println!("redirect {redirect}");
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
        println!("pin {pin}");
        if let Some(path) = &a.pin_file {
            std::fs::write(path, format!("{pin}\n")).map_err(|e| Failure {
                exit: Exit::Internal,
                message: format!("cannot write the pin to {}: {e}", path.display()),
                hint: None,
            })?;
        }
    }
    if outcome.denied {
        println!("denied");
    }
    Ok(())
}
