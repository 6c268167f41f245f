//! Endpoint calls: an endpoint filled in with an instance's values and this call's inputs,
//! signed with the instance's token (a fresh nonce and timestamp), sent, answered, read in plain
//! words when it fails, and kept in the instance's history.

use std::collections::BTreeMap;
use std::time::Instant;

use signet_connector::curl::CurlCommand;
use signet_connector::{PreparedCall, SignedCall};
use signet_engine::http::{Http, Outcome};
use signet_oauth1::diagnose::diagnose_exchange;
use signet_oauth1::flow::snapshot::MAX_RECORDED_BODY;
use signet_oauth1::flow::{
    HttpResponse, OutgoingRequest, RecordedRequest, RecordedResponse, StepId,
};
use signet_oauth1::response::{error_words, excerpt, parse_problem, redact_secret_values};
use signet_oauth1::{Error, ErrorKind, ErrorReport, ResponseError};
use signet_store::{NewRun, RunKind, RunOutcome, Timestamp};

use crate::api::{CallRecord, CallResponse, CallResult};
use crate::error::{AppError, Result};
use crate::{App, ids};

/// One signed call sent: its record and the answer whole.
pub(crate) struct Sent {
    pub(crate) record: CallRecord,
    pub(crate) response: Option<HttpResponse>,
    pub(crate) started_at: Timestamp,
}

/// How much of a body an answer carries back to the UI (the engine refuses larger answers).
const MAX_SHOWN_BODY: usize = 10 * 1024 * 1024;

fn redacted() -> String {
    signet_oauth1::secret::REDACTED.to_owned()
}

/// The request as recorded: secrets masked as copy-as-curl masks them
/// ([`signet_connector::curl::mask`]), the body bounded.
fn recorded_request(call: &PreparedCall, signed: &SignedCall) -> RecordedRequest {
    let masked = signet_connector::curl::mask(call, signed);
    let body = masked.body.map(|mut text| {
        if text.len() > MAX_RECORDED_BODY {
            let mut cut = MAX_RECORDED_BODY;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        text
    });
    RecordedRequest {
        method: signed.method.clone(),
        url: masked.url,
        headers: masked.headers,
        content_type: signed.content_type.clone(),
        body,
    }
}

/// The answer as shown: bounded to `limit`, cookies masked.
fn response_of(r: &HttpResponse, limit: usize) -> CallResponse {
    let text = String::from_utf8_lossy(&r.body);
    let truncated = text.len() > limit;
    let mut body = text.into_owned();
    if truncated {
        let mut cut = limit;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
    }
    CallResponse {
        status: r.status,
        headers: r
            .headers
            .iter()
            .map(|(k, v)| {
                if k.eq_ignore_ascii_case("set-cookie") {
                    (k.clone(), redacted())
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect(),
        content_type: r.content_type().map(str::to_owned),
        body,
        body_bytes: r.body.len() as u64,
        truncated,
    }
}

/// The answer as the diagnosis reads it.
fn recorded_response(r: &CallResponse) -> RecordedResponse {
    RecordedResponse {
        status: r.status,
        headers: r.headers.clone(),
        body: r.body.clone(),
        body_bytes: usize::try_from(r.body_bytes).unwrap_or(usize::MAX),
        truncated: r.truncated,
    }
}

/// An error status read in plain words: the provider's OAuth problem report when it sent one,
/// else what the status means for a call and the provider's own words from the body.
fn status_error(r: &HttpResponse) -> ErrorReport {
    let status = r.status;
    if (300..400).contains(&status) {
        let to = r
            .header("location")
            .map(|l| format!(" to {}", redact_secret_values(l)))
            .unwrap_or_default();
        return ErrorReport::new(
            ErrorKind::Redirected,
            format!(
                "the endpoint answered with a redirect (http {status}){to}; Signet does not follow it, because the signature covers the exact URL"
            ),
        )
        .hint("use the address it redirects to as the endpoint's URL (often https instead of http, or a trailing slash)");
    }
    if let Some(p) = parse_problem(status, r.content_type(), &r.body) {
        return ErrorReport::from(&Error::Response(ResponseError::Problem(Box::new(p))));
    }
    let reason = reason_phrase(status)
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    let mut report = ErrorReport::new(
        ErrorKind::CallFailed,
        format!("the endpoint answered http {status}{reason}"),
    )
    .hint(call_hint(status));
    report.provider_says = error_words(r.content_type(), &r.body)
        .or_else(|| Some(excerpt(&r.body)).filter(|e| e != "(empty body)"));
    report
}

/// The standard name of an error status.
fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "bad request",
        401 => "unauthorized",
        402 => "payment required",
        403 => "forbidden",
        404 => "not found",
        405 => "method not allowed",
        406 => "not acceptable",
        408 => "request timeout",
        409 => "conflict",
        410 => "gone",
        413 => "content too large",
        414 => "URI too long",
        415 => "unsupported media type",
        422 => "unprocessable content",
        429 => "too many requests",
        500 => "internal server error",
        501 => "not implemented",
        502 => "bad gateway",
        503 => "service unavailable",
        504 => "gateway timeout",
        _ => return None,
    })
}

/// What to do about an error status on an endpoint call.
fn call_hint(status: u16) -> &'static str {
    match status {
        400 | 422 => {
            "the provider refused what was sent: check this call's values and the body against the provider's documentation"
        }
        401 => {
            "the signature or the token was refused: compare the base string with the provider's, and connect again if the token was revoked or expired"
        }
        403 => {
            "the token is valid but not allowed this: check the permissions granted when authorising, and values such as a tenant or account"
        }
        404 | 410 => {
            "check the endpoint's URL and every {{variable}} in it (an id, an account, a host)"
        }
        405 => "the endpoint does not take this method: check GET, POST, PUT or DELETE",
        406 | 415 => {
            "the provider does not take this content type: check the endpoint's body type and its Accept header"
        }
        413 | 414 => "the request is too large for the provider: send less in one call",
        429 => {
            "too many requests: wait before sending again (the Retry-After header says how long)"
        }
        500..=599 => "the provider failed on its side: wait a moment and send again",
        _ => "read the response for the provider's reason",
    }
}

impl App {
    /// `endpoint_send`: signs and sends one call of `endpoint` with the instance's values and
    /// token and this call's `inputs`, and keeps it in the instance's history. A call that
    /// cannot be filled in is refused before anything is sent, with every field named; an
    /// answer with an error status is still a result (its `error` and `diagnosis` say why).
    pub async fn endpoint_send(
        &self,
        instance: &str,
        endpoint: &str,
        inputs: &BTreeMap<String, String>,
    ) -> Result<CallResult> {
        self.send(instance, None, endpoint, inputs).await
    }

    /// [`App::endpoint_send`] of an endpoint the connector does not save (the CLI's
    /// `signet call --url`): signed and kept like the connector's own.
    pub async fn endpoint_send_unsaved(
        &self,
        instance: &str,
        endpoint: signet_connector::Endpoint,
        inputs: &BTreeMap<String, String>,
    ) -> Result<CallResult> {
        let id = endpoint.id.clone();
        self.send(instance, Some(endpoint), &id, inputs).await
    }

    async fn send(
        &self,
        instance: &str,
        extra: Option<signet_connector::Endpoint>,
        endpoint: &str,
        inputs: &BTreeMap<String, String>,
    ) -> Result<CallResult> {
        let (inst, c, call) = self.prepared(instance, extra, endpoint, inputs).await?;
        let endpoint_name = c
            .definition
            .endpoint(&call.endpoint_id)
            .map(|e| e.name.clone())
            .unwrap_or_default();
        let saved_schema = c
            .definition
            .endpoint(&call.endpoint_id)
            .and_then(|e| e.schema.clone());
        let Some(sent) = self.exchange(&call, endpoint_name, None).await? else {
            return Err(AppError::new(
                ErrorKind::Cancelled,
                "the call was cancelled before an answer came",
            ));
        };
        let started_at = sent.started_at;
        let record = sent.record;
        // The history keeps a bounded body.
        let mut kept = record.clone();
        if let Some(r) = &mut kept.response
            && r.body.len() > MAX_RECORDED_BODY
        {
            let mut cut = MAX_RECORDED_BODY;
            while !r.body.is_char_boundary(cut) {
                cut -= 1;
            }
            r.body.truncate(cut);
            r.truncated = true;
        }
        let run = self.store().record_run(NewRun {
            instance_id: inst.id,
            kind: RunKind::Call,
            started_at,
            finished_at: Some(Timestamp::now()),
            outcome: match &record.error {
                None => RunOutcome::Completed,
                Some(e) => RunOutcome::Failed {
                    step: None,
                    message: e.message.clone(),
                },
            },
            snapshot: serde_json::to_value(&kept).unwrap_or_default(),
            summary: crate::history::Listed::call(&kept).value(),
        })?;
        // A JSON answer teaches the endpoint's schema (the whole body).
        let mut builder = signet_connector::schema::SchemaBuilder::new();
        if record.error.is_none()
            && let Some(r) = &sent.response
            && r.content_type().is_some_and(is_json)
        {
            let _ = builder.add_json(&r.body);
        }
        let (schema, drift) = learnt(builder, saved_schema.as_ref());
        Ok(CallResult {
            run_id: ids::run_id(inst.id, run.id),
            call: record,
            schema,
            drift,
        })
    }

    /// `endpoint_curl`: signs one call of `endpoint` afresh (a new nonce and timestamp) exactly
    /// as Send would, sends nothing, and answers it as a curl command — secrets masked unless
    /// `reveal`. The command is good once, within the provider's timestamp window.
    pub async fn endpoint_curl(
        &self,
        instance: &str,
        extra: Option<signet_connector::Endpoint>,
        endpoint: &str,
        inputs: &BTreeMap<String, String>,
        reveal: bool,
    ) -> Result<CurlCommand> {
        let (_, _, call) = self.prepared(instance, extra, endpoint, inputs).await?;
        let signed = self.sign_afresh(&call)?;
        Ok(signet_connector::curl::of_call(&call, &signed, reveal))
    }

    /// `exchange_curl`: a request as recorded (a step of the ten, or a call in the history) as
    /// a curl command that sends it again byte for byte. Secrets were never kept with a run, so
    /// what the record masks stays masked (and is named); its nonce is spent, so a provider
    /// that checks nonces refuses it — which is itself a test of the provider.
    pub fn exchange_curl(&self, request: &RecordedRequest) -> CurlCommand {
        let r = signet_oauth1::secret::REDACTED;
        let mut masked = Vec::new();
        if request.url.contains(r) {
            masked.push("a value in the URL".to_owned());
        }
        for (name, value) in &request.headers {
            if value.contains(r) {
                masked.push(format!("the header {name}"));
            }
        }
        if request.body.as_deref().is_some_and(|b| b.contains(r)) {
            masked.push("a value in the body".to_owned());
        }
        if request
            .body
            .as_ref()
            .is_some_and(|b| b.len() >= MAX_RECORDED_BODY)
        {
            masked.push(format!(
                "the body after its first {} KiB (a record keeps no more)",
                MAX_RECORDED_BODY / 1024
            ));
        }
        CurlCommand {
            command: signet_connector::curl::render(&signet_connector::curl::Wire {
                method: &request.method,
                url: &request.url,
                headers: &request.headers,
                content_type: request.content_type.as_deref(),
                body: request.body.as_deref().map(str::as_bytes),
            }),
            masked,
        }
    }

    /// The instance, its connector (with `extra` among its endpoints) and the call of
    /// `endpoint` filled in.
    async fn prepared(
        &self,
        instance: &str,
        extra: Option<signet_connector::Endpoint>,
        endpoint: &str,
        inputs: &BTreeMap<String, String>,
    ) -> Result<(
        signet_store::Instance,
        signet_store::StoredConnector,
        PreparedCall,
    )> {
        let (inst, mut c) = self.instance_and_connector(instance)?;
        self.ensure_demo(&inst, &c.definition).await?;
        if let Some(e) = extra {
            c.definition.endpoints.retain(|x| x.id != e.id);
            c.definition.endpoints.push(e);
        }
        let call = self.prepare(inst.id, &c.definition, endpoint, inputs)?;
        Ok((inst, c, call))
    }

    /// `call` signed with a fresh nonce and timestamp.
    fn sign_afresh(&self, call: &PreparedCall) -> Result<SignedCall> {
        signet_connector::sign_call_blinded(
            call,
            &signet_engine::nonce::nonce(),
            self.clock().timestamp(),
            signet_engine::nonce::blinding_seed(),
        )
        .map_err(AppError::from)
    }

    /// An endpoint of `definition` filled in with the instance's values and token and this
    /// call's `inputs`; refused before anything is sent, every field named.
    pub(crate) fn prepare(
        &self,
        instance: signet_store::InstanceId,
        definition: &signet_connector::Connector,
        endpoint: &str,
        inputs: &BTreeMap<String, String>,
    ) -> Result<PreparedCall> {
        let installed = self.store().installed(instance)?;
        let timestamp = self.clock().timestamp();
        let builtins = signet_engine::nonce::builtins(timestamp);
        signet_connector::prepare_call(definition, endpoint, &installed, inputs, builtins).map_err(
            |problems| {
                if problems.iter().any(|p| p.field == "instance.token") {
                    let msg = problems
                        .iter()
                        .find(|p| p.field == "instance.token")
                        .map(|p| p.message.clone())
                        .unwrap_or_default();
                    let mut e = AppError::invalid(problems);
                    e.0.kind = ErrorKind::NotConnected;
                    e.0.message = msg;
                    e.hint("connect the instance (the ten steps), then send again")
                } else {
                    AppError::invalid(problems)
                }
            },
        )
    }

    /// The client of endpoint calls (made once).
    pub(crate) fn call_http(&self) -> Result<&Http> {
        Ok(match self.inner.call_http.get() {
            Some(http) => http,
            None => {
                let made = Http::new(self.inner.settings.call_http)?;
                self.inner.call_http.get_or_init(|| made)
            }
        })
    }

    /// Signs `call` afresh (a new nonce and timestamp), sends it and reads the answer: the
    /// record as shown and kept, with the answer's whole body for whoever reads it further.
    /// `cancel`, when it fires first, abandons the request (`None`).
    pub(crate) async fn exchange(
        &self,
        call: &PreparedCall,
        endpoint_name: String,
        cancel: Option<&tokio::sync::Notify>,
    ) -> Result<Option<Sent>> {
        let clock = self.clock();
        let signed = self.sign_afresh(call)?;
        let http = self.call_http()?;
        let outgoing = OutgoingRequest {
            step: StepId::ResourceAccess,
            method: signed.method.clone(),
            url: signed.url.clone(),
            headers: signed.headers.clone(),
            content_type: signed.content_type.clone(),
            body: signed.body.clone(),
        };
        let request = recorded_request(call, &signed);
        let started_at = Timestamp::now();
        let started = Instant::now();
        let outcome: Outcome = match cancel {
            None => http.send(&outgoing).await,
            Some(c) => tokio::select! {
                o = http.send(&outgoing) => o,
                () = c.notified() => return Ok(None),
            },
        };
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut clock_skew = None;
        let (response, error) = match &outcome {
            Ok(got) => {
                if let Some(date) = got.response.header("date") {
                    clock_skew = clock.skew_from_date(date, got.at);
                }
                let shown = response_of(&got.response, MAX_SHOWN_BODY);
                let error = (!(200..300).contains(&got.response.status))
                    .then(|| status_error(&got.response));
                (Some(shown), error)
            }
            Err(f) => (
                None,
                Some(ErrorReport::new(f.kind.kind(), f.message.clone()).hint(f.kind.hint())),
            ),
        };
        let diagnosis = error.as_ref().map(|e| {
            let recorded = response.as_ref().map(recorded_response);
            let mut d = diagnose_exchange(
                StepId::ResourceAccess,
                e,
                recorded.as_ref(),
                signed.trace.as_ref(),
                clock_skew,
            );
            point_at_variables(&mut d, call);
            d
        });
        let record = CallRecord {
            endpoint_id: call.endpoint_id.clone(),
            endpoint_name,
            auth_method: call.auth_method.clone(),
            request,
            trace: signed.trace.clone(),
            variables: call.variables.clone(),
            parameters: call.parameters.clone(),
            response,
            error,
            diagnosis,
            sent_ms: ids::millis(started_at),
            duration_ms: outcome.is_ok().then_some(duration_ms),
        };
        Ok(Some(Sent {
            record,
            response: outcome.ok().map(|g| g.response),
            started_at,
        }))
    }
}

/// Whether a content type is JSON (`application/json`, `application/problem+json`, ...).
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// The schema learnt from what `builder` saw (none when it saw nothing), with the saved
/// schema's tags carried over, and how it differs from the saved one.
pub(crate) fn learnt(
    builder: signet_connector::schema::SchemaBuilder,
    saved: Option<&signet_connector::schema::Schema>,
) -> (
    Option<signet_connector::schema::Schema>,
    Vec<signet_connector::schema::Drift>,
) {
    if builder.samples() == 0 {
        return (None, Vec::new());
    }
    let mut fresh = builder.finish();
    let drift = match saved {
        Some(saved) => {
            fresh.carry_tags_from(saved);
            signet_connector::schema::drift(saved, &fresh)
        }
        None => Vec::new(),
    };
    (Some(fresh), drift)
}

/// A refused signature whose difference is a parameter set from a variable: say which.
fn point_at_variables(d: &mut signet_oauth1::diagnose::FailureDiagnosis, call: &PreparedCall) {
    let Some(diff) = &d.diff else { return };
    let names: Vec<&str> = diff
        .differences
        .iter()
        .filter_map(|x| match x {
            signet_oauth1::diagnose::Difference::Value { name, .. }
            | signet_oauth1::diagnose::Difference::OnlyOurs { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    for name in names {
        let Some(p) = call.parameters.iter().find(|p| p.name == name) else {
            continue;
        };
        let from: Vec<String> = call
            .variables
            .iter()
            .filter(|u| !u.secret && !u.value.is_empty() && p.value.contains(&u.value))
            .map(|u| format!("{{{{{}}}}}", u.name))
            .collect();
        if from.is_empty() {
            continue;
        }
        d.diagnoses.insert(
            0,
            signet_oauth1::diagnose::Diagnosis {
                id: "variable_differs".into(),
                provider: None,
                cause: format!(
                    "the parameter {name} the provider read differently comes from {}",
                    from.join(", ")
                ),
                explanation: format!(
                    "Signet signed {name}={} ({} {} it); the provider's base string has another value",
                    p.value,
                    if from.len() == 1 { "the variable" } else { "the variables" },
                    if from.len() == 1 { "fills" } else { "fill" },
                ),
                fix: format!(
                    "check the value of {} and how the provider expects it encoded",
                    from.join(", ")
                ),
                evidence: "the base-string comparison".into(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use signet_connector::model::*;
    use signet_connector::{Builtins, ClientSecret, Installed, prepare_call, sign_call};
    use signet_oauth1::Secret;
    use signet_oauth1::diagnose::{FailureDiagnosis, diff_base_strings};
    use signet_oauth1::flow::{StepId, TokenCredentials};

    use super::point_at_variables;

    /// A refused signature whose difference is a parameter a variable filled in names the
    /// variable first.
    #[test]
    fn a_differing_parameter_points_at_its_variable() {
        let mut c = Connector::named("Shop");
        c.auth_methods.push(AuthMethod {
            id: "oauth1".into(),
            name: "OAuth 1.0a".into(),
            kind: AuthKind::OAuth1(Box::new(OAuth1::three_legged(
                "https://api.example.com/rt",
                "https://api.example.com/auth",
                "https://api.example.com/at",
            ))),
            options: AuthOptions::default(),
        });
        let mut limit = Variable::text("limit", "Limit");
        limit.default = Some("2 items".into());
        c.endpoints.push(Endpoint {
            query: vec![Param::new("limit", "{{limit}}"), Param::new("fixed", "yes")],
            variables: vec![limit],
            ..Endpoint::get("orders", "Orders", "https://api.example.com/orders")
        });
        let installed = Installed {
            values: BTreeMap::new(),
            secrets: BTreeMap::new(),
            consumer_key: "key".into(),
            client_secret: Some(ClientSecret::Shared(Secret::new("secret"))),
            token: Some(TokenCredentials {
                token: "t".into(),
                secret: Secret::new("ts"),
                extra: Vec::new(),
            }),
        };
        let builtins = Builtins {
            timestamp: 1_700_000_000,
            uuid: "u".into(),
            random_int: 1,
        };
        let call = prepare_call(&c, "orders", &installed, &BTreeMap::new(), builtins).unwrap();
        let signed = sign_call(&call, "nonce", 1_700_000_000).unwrap();
        let ours = signed.trace.unwrap().base_string;
        // The provider read the value with `+` for the space.
        let theirs = ours.replace("limit%3D2%2520items", "limit%3D2%252Bitems");
        assert_ne!(ours, theirs, "the base string holds the value: {ours}");
        let mut d = FailureDiagnosis {
            step: StepId::ResourceAccess,
            diagnoses: Vec::new(),
            skew: None,
            diff: Some(diff_base_strings(&ours, &theirs)),
        };
        point_at_variables(&mut d, &call);
        let first = &d.diagnoses[0];
        assert_eq!(first.id, "variable_differs");
        assert!(
            first.cause.contains("limit") && first.cause.contains("{{limit}}"),
            "{first:?}"
        );
        assert!(first.fix.contains("{{limit}}"), "{first:?}");
        // A parameter no variable filled in is not blamed on one.
        let theirs = ours.replace("fixed%3Dyes", "fixed%3Dno");
        let mut d = FailureDiagnosis {
            step: StepId::ResourceAccess,
            diagnoses: Vec::new(),
            skew: None,
            diff: Some(diff_base_strings(&ours, &theirs)),
        };
        point_at_variables(&mut d, &call);
        assert!(d.diagnoses.is_empty(), "{:?}", d.diagnoses);
    }
}
