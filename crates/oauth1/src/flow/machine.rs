//! The state machine proper: [`Flow::handle`] moves between states that each carry only the
//! data valid in them (the request token and its secret while the user authorises, the
//! verifier while the access-token request is in flight, ...).

use std::borrow::Cow;

use super::config::{FlowConfig, ModeConfig, ThreeLeggedConfig, TokenCredentials};
use super::snapshot::{
    ConfigSummary, Exchange, Phase, PublicToken, RecordedRequest, RecordedResponse, ResourceResult,
    Snapshot, StepFailure, StepSnapshot, Waiting, bounded_text, safe_fields,
};
use super::steps::{StepId, StepStatus};
use super::{Command, Event, FlowError, HttpResponse, Inputs, OutgoingRequest, transport_report};
use crate::callback::{Callback, CallbackError, CallbackMode};
use crate::error::{Error, ErrorKind, ErrorReport};
use crate::request::{HttpRequest, OAuthParams, sign_traced};
use crate::response::{
    ResponseError, TokenResponse, excerpt, parse_problem, parse_token_response,
    redact_secret_values,
};
use crate::secret::{REDACTED, Secret};
use crate::trace::SigningTrace;

/// One OAuth 1.0a run: the ten steps, driven by events, answering with commands.
#[derive(Debug)]
pub struct Flow {
    config: FlowConfig,
    state: State,
    steps: Vec<StepRecord>,
    authorization_url: Option<String>,
    request_token: Option<PublicToken>,
    access_token: Option<PublicToken>,
    issued: Option<TokenCredentials>,
    resource: Option<ResourceResult>,
    clock_skew_seconds: Option<i64>,
    failure: Option<StepFailure>,
    /// The redirect that carried the verifier, while the verifier is pending (not typed in).
    redirect: Option<Secret>,
}

/// What the access-token request (step 8) is signed with: see [`Flow::pending_exchange`].
#[derive(Debug, Clone, Copy)]
pub struct PendingExchange<'a> {
    /// The request token.
    pub token: &'a str,
    /// Its secret.
    pub token_secret: &'a Secret,
    /// The verifier the provider gave with the redirect or as a PIN.
    pub verifier: &'a Secret,
    /// The redirect as received (it carries the verifier); `None` when it was typed in.
    pub redirect: Option<&'a str>,
}

/// Temporary credentials: the request token and its secret.
#[derive(Debug, Clone)]
struct Temporary {
    token: String,
    secret: Secret,
}

#[derive(Debug)]
enum State {
    Ready,
    RequestingTemporary,
    AwaitingAuthorization(Temporary),
    RequestingToken {
        temporary: Temporary,
        verifier: Secret,
    },
    /// `None`: one-legged, consumer credentials only.
    AccessingResource(Option<TokenCredentials>),
    Finished,
    Failed(Resume),
    Cancelled,
}

/// Where Retry picks up after a failure.
#[derive(Debug)]
enum Resume {
    /// A new request token (failures in steps 3 to 6, and dead request tokens in step 9).
    RequestToken,
    /// Resend the access-token request with a fresh nonce.
    AccessToken {
        temporary: Temporary,
        verifier: Secret,
    },
    /// Resend the resource call.
    Resource(Option<TokenCredentials>),
}

#[derive(Debug, Default)]
struct StepRecord {
    status: StepStatus,
    started_ms: Option<u64>,
    finished_ms: Option<u64>,
    notes: Vec<String>,
    error: Option<ErrorReport>,
    exchanges: Vec<Exchange>,
}

/// A request before it is signed.
struct Spec<'a> {
    step: StepId,
    method: &'a str,
    url: &'a str,
    content_type: Option<&'a str>,
    body: Option<&'a [u8]>,
    token: Option<&'a str>,
    token_secret: Option<&'a Secret>,
    callback: Option<&'a str>,
    verifier: Option<&'a str>,
    /// More headers (never signed).
    headers: &'a [(String, String)],
    /// Names of headers whose values are recorded as `<redacted>`.
    masked_headers: &'a [String],
}

impl<'a> Spec<'a> {
    fn new(step: StepId, method: &'a str, url: &'a str) -> Self {
        Self {
            step,
            method,
            url,
            content_type: None,
            body: None,
            token: None,
            token_secret: None,
            callback: None,
            verifier: None,
            headers: &[],
            masked_headers: &[],
        }
    }
}

/// A token request's URL, content type and body with the configured extras: the query
/// parameters on the URL, the form fields in a form body (or on the URL for `GET`).
fn with_extras(
    endpoint: &super::config::Endpoint,
    extras: &super::config::RequestExtras,
) -> (String, Option<&'static str>, Option<String>) {
    use crate::encoding::encode;
    let get = endpoint.method.trim().eq_ignore_ascii_case("GET");
    let mut on_url: Vec<&(String, String)> = extras.query.iter().collect();
    if get {
        on_url.extend(extras.form.iter());
    }
    let mut url = endpoint.url.clone();
    let on_url: Vec<(&str, &str)> = on_url
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    crate::encoding::append_query(&mut url, &on_url);
    if get || extras.form.is_empty() {
        return (url, None, None);
    }
    let body = extras
        .form
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    (url, Some(crate::request::FORM), Some(body))
}

struct SignedParts {
    outgoing: OutgoingRequest,
    recorded: RecordedRequest,
    trace: SigningTrace,
}

/// `oauth_problem` codes after which the request token is of no more use.
const DEAD_TOKEN_PROBLEMS: [&str; 5] = [
    "token_used",
    "token_expired",
    "token_revoked",
    "token_rejected",
    "verifier_invalid",
];

impl Flow {
    /// A flow for `config`, with step 1 checked. Fails with every problem of the configuration.
    pub fn new(config: FlowConfig) -> Result<Self, FlowError> {
        let mut problems = config.validate();
        if let ModeConfig::ThreeLegged(t) = &config.mode
            && t.callback
                .loopback_parts()
                .is_some_and(|(_, port, _)| port == 0)
        {
            problems.push(super::FieldProblem {
                field: "callback.url".into(),
                message: "the loopback port is 0 (pick one): the engine binds a port and fills it in before the flow starts".into(),
            });
        }
        if !problems.is_empty() {
            return Err(FlowError::InvalidConfig(problems));
        }
        let mut steps: Vec<StepRecord> = (0..10).map(|_| StepRecord::default()).collect();
        steps[0].status = StepStatus::Done;
        steps[0].notes.push(format!(
            "checked: consumer key {}, {} signatures, parameters in the {}, {}",
            config.consumer_key,
            config.signature_method,
            config.sign_options.placement,
            match &config.mode {
                ModeConfig::ThreeLegged(t) => format!("three-legged, callback {}", t.callback.url),
                ModeConfig::OneLegged => "one-legged (consumer credentials only)".into(),
                ModeConfig::PreIssuedToken(_) => "with a pre-issued access token".into(),
            }
        ));
        let access_token = match &config.mode {
            ModeConfig::PreIssuedToken(c) => Some(PublicToken {
                token: c.token.clone(),
                secret_len: c.secret.len(),
                callback_confirmed: None,
                extra: safe_fields(&c.extra),
            }),
            _ => None,
        };
        Ok(Self {
            config,
            state: State::Ready,
            steps,
            authorization_url: None,
            request_token: None,
            access_token,
            issued: None,
            resource: None,
            clock_skew_seconds: None,
            failure: None,
            redirect: None,
        })
    }

    /// The configuration the flow runs with.
    pub fn config(&self) -> &FlowConfig {
        &self.config
    }

    /// Where the flow stands.
    pub fn phase(&self) -> Phase {
        match &self.state {
            State::Ready => Phase::Ready,
            State::RequestingTemporary => Phase::RequestingTemporaryCredentials,
            State::AwaitingAuthorization(_) => Phase::AwaitingAuthorization,
            State::RequestingToken { .. } => Phase::RequestingTokenCredentials,
            State::AccessingResource(_) => Phase::AccessingResource,
            State::Finished => Phase::Finished,
            State::Failed(_) => Phase::Failed,
            State::Cancelled => Phase::Cancelled,
        }
    }

    /// The status of step `id`.
    pub fn status(&self, id: StepId) -> StepStatus {
        self.record(id).status
    }

    /// The token credentials to store: after step 9 (three-legged) or as configured
    /// (pre-issued token). `None` for one-legged flows and before step 9.
    pub fn token_credentials(&self) -> Option<TokenCredentials> {
        match &self.config.mode {
            ModeConfig::ThreeLegged(_) => self.issued.clone(),
            ModeConfig::OneLegged => None,
            ModeConfig::PreIssuedToken(c) => Some(c.clone()),
        }
    }

    /// The request token, its secret and the verifier once the redirect or PIN has been read
    /// (step 7 done) and until the access token is issued: what the access-token request of
    /// step 8 is signed with. For tools that send that request themselves (the provider
    /// audit, which stops a flow after step 7).
    pub fn pending_exchange(&self) -> Option<PendingExchange<'_>> {
        match &self.state {
            State::RequestingToken {
                temporary,
                verifier,
            }
            | State::Failed(Resume::AccessToken {
                temporary,
                verifier,
            }) => Some(PendingExchange {
                token: &temporary.token,
                token_secret: &temporary.secret,
                verifier,
                redirect: self.redirect.as_ref().map(|r| r.expose()),
            }),
            _ => None,
        }
    }

    /// Records the provider's clock minus ours (seconds), measured by the engine from a
    /// `Date` header; it appears in the snapshot and in the hints of later failures.
    pub fn observe_clock_skew(&mut self, seconds: i64) {
        self.clock_skew_seconds = Some(seconds);
    }

    /// Handles one event with the inputs drawn for it. An event that does not apply now is an
    /// error and changes nothing.
    pub fn handle(&mut self, event: Event, inputs: &Inputs) -> Result<Vec<Command>, FlowError> {
        if matches!(
            event,
            Event::Start | Event::Response(_) | Event::Callback(_) | Event::Pin(_) | Event::Retry
        ) {
            if inputs.nonce.is_empty() {
                return Err(FlowError::InvalidInputs("the nonce is empty"));
            }
            if inputs.timestamp == 0 {
                return Err(FlowError::InvalidInputs("the timestamp is 0"));
            }
        }
        let state = std::mem::replace(&mut self.state, State::Cancelled);
        match self.transition(state, event, inputs) {
            Ok(commands) => Ok(commands),
            Err(rejected) => {
                let (state, err) = *rejected;
                self.state = state;
                Err(err)
            }
        }
    }

    fn transition(
        &mut self,
        state: State,
        event: Event,
        inputs: &Inputs,
    ) -> Result<Vec<Command>, Box<(State, FlowError)>> {
        let now = inputs.now_ms;
        Ok(match (state, event) {
            (State::Ready, Event::Start) => {
                self.done(StepId::UserInitiation, now, "you pressed Connect".into());
                match &self.config.mode {
                    ModeConfig::ThreeLegged(_) => self.request_temporary(inputs),
                    ModeConfig::OneLegged => {
                        self.skip_dance(now, "skipped: one-legged — the provider trusts the consumer key and secret alone (e.g. WooCommerce over HTTP), so there is no request token, no authorisation and no access token");
                        self.access_resource(None, inputs)
                    }
                    ModeConfig::PreIssuedToken(c) => {
                        let c = c.clone();
                        self.skip_dance(now, "skipped: pre-issued token (NetSuite token-based auth) — the provider issued the access token ahead of time");
                        self.access_resource(Some(c), inputs)
                    }
                }
            }

            (State::RequestingTemporary, Event::Response(resp)) => {
                self.on_temporary_response(resp, inputs)
            }
            (
                State::RequestingToken {
                    temporary,
                    verifier,
                },
                Event::Response(resp),
            ) => self.on_token_response(temporary, verifier, resp, inputs),
            (State::AccessingResource(creds), Event::Response(resp)) => {
                self.on_resource_response(creds, resp, now)
            }

            (
                state @ (State::RequestingTemporary
                | State::RequestingToken { .. }
                | State::AccessingResource(_)),
                Event::TransportFailed { kind, message },
            ) => {
                let (step, resume) = match state {
                    State::RequestingTemporary => (StepId::TokenRequest, Resume::RequestToken),
                    State::RequestingToken {
                        temporary,
                        verifier,
                    } => (
                        StepId::AccessTokenRequest,
                        Resume::AccessToken {
                            temporary,
                            verifier,
                        },
                    ),
                    State::AccessingResource(c) => (StepId::ResourceAccess, Resume::Resource(c)),
                    _ => unreachable!("matched above"),
                };
                let report = transport_report(kind, &message);
                self.complete_exchange(step, now, None, Some(report.clone()));
                self.fail(step, report, resume, now)
            }

            (State::AwaitingAuthorization(temporary), Event::Callback(input)) => {
                self.on_callback(temporary, &input, false, inputs)
            }
            (State::AwaitingAuthorization(temporary), Event::Pin(input)) => {
                self.on_callback(temporary, &input, true, inputs)
            }

            (State::Failed(resume), Event::Retry) => {
                self.failure = None;
                match resume {
                    Resume::RequestToken => {
                        for step in StepId::ALL.into_iter().filter(|s| s.number() >= 3) {
                            self.reset(step);
                        }
                        self.request_token = None;
                        self.authorization_url = None;
                        self.request_temporary(inputs)
                    }
                    Resume::AccessToken {
                        temporary,
                        verifier,
                    } => {
                        for step in [
                            StepId::AccessTokenRequest,
                            StepId::AccessTokenIssued,
                            StepId::ResourceAccess,
                        ] {
                            self.reset(step);
                        }
                        self.request_token_credentials(temporary, verifier, inputs)
                    }
                    Resume::Resource(creds) => {
                        self.reset(StepId::ResourceAccess);
                        self.access_resource(creds, inputs)
                    }
                }
            }
            (State::AwaitingAuthorization(temporary), Event::Retry) => {
                self.failure = None;
                self.reset(StepId::RedirectToConsumer);
                self.state = State::AwaitingAuthorization(temporary);
                vec![self.await_command()]
            }

            (
                State::Ready
                | State::RequestingTemporary
                | State::AwaitingAuthorization(_)
                | State::RequestingToken { .. }
                | State::AccessingResource(_)
                | State::Failed(_),
                Event::Cancel,
            ) => {
                for r in &mut self.steps {
                    if matches!(r.status, StepStatus::Pending | StepStatus::Active) {
                        r.status = StepStatus::Skipped;
                        r.finished_ms = Some(now);
                        r.notes.push("skipped: cancelled".into());
                    }
                }
                self.failure = None;
                self.state = State::Cancelled;
                vec![Command::Cancelled]
            }

            (state, event) => {
                let phase = phase_of(&state);
                let reason = match &state {
                    State::Ready => "press Connect first (start) or cancel".to_owned(),
                    State::RequestingTemporary
                    | State::RequestingToken { .. }
                    | State::AccessingResource(_) => format!(
                        "a request is in flight ({}); only its response, a transport failure or cancel apply",
                        self.in_flight_step(&state)
                    ),
                    State::AwaitingAuthorization(_) => {
                        "Signet is waiting for the provider's redirect or PIN; a callback, a PIN, retry or cancel apply".to_owned()
                    }
                    State::Failed(_) => format!(
                        "{} failed; retry or cancel",
                        self.failure.as_ref().map_or(StepId::TokenRequest, |f| f.step)
                    ),
                    State::Finished => {
                        "the flow is finished; start a new flow to connect again".to_owned()
                    }
                    State::Cancelled => {
                        "the flow was cancelled; start a new flow to connect again".to_owned()
                    }
                };
                return Err(Box::new((
                    state,
                    FlowError::UnexpectedEvent {
                        event: event.name(),
                        phase,
                        reason,
                    },
                )));
            }
        })
    }

    fn in_flight_step(&self, state: &State) -> StepId {
        match state {
            State::RequestingToken { .. } => StepId::AccessTokenRequest,
            State::AccessingResource(_) => StepId::ResourceAccess,
            _ => StepId::TokenRequest,
        }
    }

    fn three_legged(&self) -> &ThreeLeggedConfig {
        match &self.config.mode {
            ModeConfig::ThreeLegged(t) => t,
            // The states that call this exist only in three-legged flows.
            _ => unreachable!("three-legged state in a {:?} flow", self.config.flow_mode()),
        }
    }

    // ---- step 3: the request-token request ----

    fn request_temporary(&mut self, inputs: &Inputs) -> Vec<Command> {
        match sign_leg(&self.config, &Leg::TokenRequest, inputs) {
            Ok(parts) => {
                self.state = State::RequestingTemporary;
                vec![self.record_send(parts, inputs.now_ms)]
            }
            Err(e) => self.fail(StepId::TokenRequest, e, Resume::RequestToken, inputs.now_ms),
        }
    }

    // ---- steps 4 and 5: the provider's answer ----

    fn on_temporary_response(&mut self, resp: HttpResponse, inputs: &Inputs) -> Vec<Command> {
        let now = inputs.now_ms;
        self.complete_exchange(StepId::TokenRequest, now, Some(&resp), None);
        if (300..400).contains(&resp.status) {
            let report = redirect_report("request-token", &resp);
            return self.fail(StepId::TokenRequest, report, Resume::RequestToken, now);
        }
        self.done(
            StepId::TokenRequest,
            now,
            format!("sent; the provider answered http {}", resp.status),
        );
        let tr = match parse_token_response(resp.status, resp.content_type(), &resp.body) {
            Ok(tr) => tr,
            Err(e) if is_refusal(&e, resp.status) => {
                return self.fail(
                    StepId::UserAuthentication,
                    response_report(e),
                    Resume::RequestToken,
                    now,
                );
            }
            Err(e) => {
                self.accepted(now, resp.status);
                return self.fail(
                    StepId::RequestTokenIssued,
                    response_report(e),
                    Resume::RequestToken,
                    now,
                );
            }
        };
        self.accepted(now, resp.status);
        let t = self.three_legged();
        if t.require_callback_confirmed && tr.callback_confirmed != Some(true) {
            let report = not_confirmed_report(tr.callback_confirmed);
            return self.fail(
                StepId::RequestTokenIssued,
                report,
                Resume::RequestToken,
                now,
            );
        }
        let url = authorization_url(t, &tr.token);
        let note = format!(
            "request token {} issued{}",
            tr.token,
            match tr.callback_confirmed {
                Some(true) => ", callback confirmed (oauth_callback_confirmed=true)",
                Some(false) => ", callback not confirmed (oauth_callback_confirmed=false)",
                None => ", without oauth_callback_confirmed",
            }
        );
        self.request_token = Some(public_token(&tr));
        self.done(StepId::RequestTokenIssued, now, note);
        self.authorization_url = Some(url.clone());
        self.activate(StepId::UserAuthorisation, now);
        self.state = State::AwaitingAuthorization(Temporary {
            token: tr.token,
            secret: tr.token_secret,
        });
        vec![Command::OpenUrl { url }, self.await_command()]
    }

    fn accepted(&mut self, now: u64, status: u16) {
        self.done(
            StepId::UserAuthentication,
            now,
            format!("the provider accepted the signed request (http {status})"),
        );
    }

    fn await_command(&self) -> Command {
        let cb = &self.three_legged().callback;
        match cb.mode {
            CallbackMode::Oob => Command::AwaitPin,
            mode => Command::AwaitCallback {
                mode,
                callback_url: cb.url.clone(),
            },
        }
    }

    // ---- steps 6 and 7: authorisation and the redirect ----

    fn on_callback(
        &mut self,
        temporary: Temporary,
        input: &str,
        typed: bool,
        inputs: &Inputs,
    ) -> Vec<Command> {
        let now = inputs.now_ms;
        // Typed in by the user, or carrying the run's code in its path: this attempt's own.
        let bound = typed || self.three_legged().callback.carries_binding(input);
        let checked = Callback::parse(input).and_then(|cb| cb.check(&temporary.token, bound));
        match checked {
            Ok(verified) => {
                self.redirect = (!typed).then(|| Secret::new(input));
                let via = match (typed, self.three_legged().callback.mode) {
                    (true, _) | (false, CallbackMode::Oob) => "typed in",
                    (false, CallbackMode::DeepLink) => "received by deep link",
                    (false, CallbackMode::Loopback) => "caught by the loopback listener",
                };
                self.done(
                    StepId::UserAuthorisation,
                    now,
                    "you approved access at the provider".into(),
                );
                self.done(
                    StepId::RedirectToConsumer,
                    now,
                    format!(
                        "verifier {via}; it belongs to request token {}",
                        temporary.token
                    ),
                );
                self.request_token_credentials(temporary, Secret::new(verified.verifier), inputs)
            }
            Err(e @ (CallbackError::Denied | CallbackError::Problem { .. })) => self.fail(
                StepId::UserAuthorisation,
                callback_report(&e),
                Resume::RequestToken,
                now,
            ),
            Err(e) => {
                // A stray or garbled redirect: report it, and keep waiting for the right one.
                let report = callback_report(&e);
                let r = self.record_mut(StepId::RedirectToConsumer);
                r.status = StepStatus::Failed;
                r.started_ms.get_or_insert(now);
                r.finished_ms = Some(now);
                r.notes
                    .push(format!("rejected a callback: {}", report.message));
                r.error = Some(report.clone());
                self.failure = Some(StepFailure {
                    step: StepId::RedirectToConsumer,
                    error: report.clone(),
                });
                self.state = State::AwaitingAuthorization(temporary);
                vec![
                    Command::Failed {
                        step: StepId::RedirectToConsumer,
                        error: report,
                    },
                    self.await_command(),
                ]
            }
        }
    }

    // ---- step 8: the access-token request ----

    fn request_token_credentials(
        &mut self,
        temporary: Temporary,
        verifier: Secret,
        inputs: &Inputs,
    ) -> Vec<Command> {
        let leg = Leg::AccessTokenRequest {
            token: &temporary.token,
            token_secret: Some(&temporary.secret),
            verifier: verifier.expose(),
        };
        match sign_leg(&self.config, &leg, inputs) {
            Ok(parts) => {
                let cmd = self.record_send(parts, inputs.now_ms);
                self.state = State::RequestingToken {
                    temporary,
                    verifier,
                };
                vec![cmd]
            }
            Err(e) => self.fail(
                StepId::AccessTokenRequest,
                e,
                Resume::AccessToken {
                    temporary,
                    verifier,
                },
                inputs.now_ms,
            ),
        }
    }

    // ---- step 9: the access token ----

    fn on_token_response(
        &mut self,
        temporary: Temporary,
        verifier: Secret,
        resp: HttpResponse,
        inputs: &Inputs,
    ) -> Vec<Command> {
        let now = inputs.now_ms;
        self.complete_exchange(StepId::AccessTokenRequest, now, Some(&resp), None);
        let resend = Resume::AccessToken {
            temporary,
            verifier,
        };
        if (300..400).contains(&resp.status) {
            let report = redirect_report("access-token", &resp);
            return self.fail(StepId::AccessTokenRequest, report, resend, now);
        }
        self.done(
            StepId::AccessTokenRequest,
            now,
            format!("sent; the provider answered http {}", resp.status),
        );
        let tr = match parse_token_response(resp.status, resp.content_type(), &resp.body) {
            Ok(tr) => tr,
            Err(e) => {
                let dead = matches!(&e, ResponseError::Problem(p) if DEAD_TOKEN_PROBLEMS.contains(&p.code.as_str()));
                let resume = if dead { Resume::RequestToken } else { resend };
                return self.fail(StepId::AccessTokenIssued, response_report(e), resume, now);
            }
        };
        let mut note = format!("access token {} issued", tr.token);
        if !tr.extra.is_empty() {
            let names: Vec<&str> = tr.extra.iter().map(|(k, _)| k.as_str()).collect();
            note.push_str(&format!(" with {}", names.join(", ")));
        }
        self.access_token = Some(public_token(&tr));
        self.done(StepId::AccessTokenIssued, now, note);
        let creds = TokenCredentials {
            token: tr.token,
            secret: tr.token_secret,
            extra: tr.extra,
        };
        self.issued = Some(creds.clone());
        self.access_resource(Some(creds), inputs)
    }

    // ---- step 10: the resource call ----

    fn access_resource(
        &mut self,
        creds: Option<TokenCredentials>,
        inputs: &Inputs,
    ) -> Vec<Command> {
        let now = inputs.now_ms;
        if self.config.resource.is_none() {
            self.skip(
                StepId::ResourceAccess,
                now,
                "skipped: no resource call is configured; the access token is ready to use".into(),
            );
            return self.finish();
        }
        let leg = Leg::ResourceAccess {
            token: creds.as_ref().map(|c| (c.token.as_str(), Some(&c.secret))),
        };
        match sign_leg(&self.config, &leg, inputs) {
            Ok(parts) => {
                let cmd = self.record_send(parts, now);
                self.state = State::AccessingResource(creds);
                vec![cmd]
            }
            Err(e) => self.fail(StepId::ResourceAccess, e, Resume::Resource(creds), now),
        }
    }

    fn on_resource_response(
        &mut self,
        creds: Option<TokenCredentials>,
        resp: HttpResponse,
        now: u64,
    ) -> Vec<Command> {
        self.complete_exchange(StepId::ResourceAccess, now, Some(&resp), None);
        self.resource = Some(ResourceResult {
            status: resp.status,
            content_type: resp.content_type().map(str::to_owned),
            excerpt: resource_excerpt(&resp.body),
            body_bytes: resp.body.len(),
        });
        let status = resp.status;
        if (200..300).contains(&status) {
            self.done(
                StepId::ResourceAccess,
                now,
                format!("the provider answered http {status}: the connection works"),
            );
            return self.finish();
        }
        let report = if (300..400).contains(&status) {
            redirect_report("resource", &resp)
        } else {
            let e = match parse_problem(status, resp.content_type(), &resp.body) {
                Some(p) => ResponseError::Problem(Box::new(p)),
                None => ResponseError::HttpStatus {
                    status,
                    excerpt: excerpt(&resp.body),
                },
            };
            response_report(e)
        };
        self.fail(StepId::ResourceAccess, report, Resume::Resource(creds), now)
    }

    fn finish(&mut self) -> Vec<Command> {
        self.failure = None;
        self.state = State::Finished;
        vec![Command::Finished]
    }

    // ---- bookkeeping ----

    fn record(&self, id: StepId) -> &StepRecord {
        &self.steps[usize::from(id.number()) - 1]
    }

    fn record_mut(&mut self, id: StepId) -> &mut StepRecord {
        &mut self.steps[usize::from(id.number()) - 1]
    }

    fn activate(&mut self, id: StepId, now: u64) {
        let r = self.record_mut(id);
        r.status = StepStatus::Active;
        r.started_ms = Some(now);
        r.finished_ms = None;
        r.error = None;
    }

    fn done(&mut self, id: StepId, now: u64, note: String) {
        let r = self.record_mut(id);
        r.status = StepStatus::Done;
        r.started_ms.get_or_insert(now);
        r.finished_ms = Some(now);
        r.error = None;
        r.notes.push(note);
    }

    fn skip(&mut self, id: StepId, now: u64, note: String) {
        let r = self.record_mut(id);
        r.status = StepStatus::Skipped;
        r.finished_ms = Some(now);
        r.notes.push(note);
    }

    fn skip_dance(&mut self, now: u64, note: &str) {
        for id in StepId::ALL.into_iter().filter(|s| s.is_dance()) {
            self.skip(id, now, note.to_owned());
        }
    }

    /// Back to pending for a retry; the exchanges stay, as the history of attempts.
    fn reset(&mut self, id: StepId) {
        let r = self.record_mut(id);
        r.status = StepStatus::Pending;
        r.started_ms = None;
        r.finished_ms = None;
        r.error = None;
        r.notes.clear();
    }

    fn fail(
        &mut self,
        step: StepId,
        mut error: ErrorReport,
        resume: Resume,
        now: u64,
    ) -> Vec<Command> {
        if let Some(skew) = self.clock_skew_seconds
            && skew.abs() >= 60
            && error.message.contains("timestamp_refused")
        {
            let hint = error.hint.take().unwrap_or_default();
            error.hint = Some(format!(
                "{hint} (the provider's clock is {} seconds {} this computer's)",
                skew.abs(),
                if skew > 0 { "ahead of" } else { "behind" }
            ));
        }
        let r = self.record_mut(step);
        r.status = StepStatus::Failed;
        r.started_ms.get_or_insert(now);
        r.finished_ms = Some(now);
        r.error = Some(error.clone());
        self.failure = Some(StepFailure {
            step,
            error: error.clone(),
        });
        self.state = State::Failed(resume);
        vec![Command::Failed { step, error }]
    }

    fn record_send(&mut self, parts: SignedParts, now: u64) -> Command {
        let step = parts.outgoing.step;
        self.failure = None;
        self.activate(step, now);
        let r = self.record_mut(step);
        r.exchanges.push(Exchange {
            attempt: u32::try_from(r.exchanges.len())
                .unwrap_or(u32::MAX)
                .saturating_add(1),
            request: parts.recorded,
            trace: parts.trace,
            sent_ms: now,
            response: None,
            transport_error: None,
            finished_ms: None,
            duration_ms: None,
        });
        Command::Send(parts.outgoing)
    }

    fn complete_exchange(
        &mut self,
        step: StepId,
        now: u64,
        resp: Option<&HttpResponse>,
        transport_error: Option<ErrorReport>,
    ) {
        let Some(x) = self.record_mut(step).exchanges.last_mut() else {
            return;
        };
        x.response = resp.map(RecordedResponse::of);
        x.transport_error = transport_error;
        x.finished_ms = Some(now);
        x.duration_ms = Some(now.saturating_sub(x.sent_ms));
    }

    /// Everything safe to show and store.
    pub fn snapshot(&self) -> Snapshot {
        let phase = self.phase();
        let current_step = match &self.state {
            State::Ready | State::Finished | State::Cancelled => None,
            State::RequestingTemporary => Some(StepId::TokenRequest),
            State::AwaitingAuthorization(_) => Some(StepId::UserAuthorisation),
            State::RequestingToken { .. } => Some(StepId::AccessTokenRequest),
            State::AccessingResource(_) => Some(StepId::ResourceAccess),
            State::Failed(_) => self.failure.as_ref().map(|f| f.step),
        };
        let waiting_for = match &self.state {
            State::RequestingTemporary
            | State::RequestingToken { .. }
            | State::AccessingResource(_) => Some(Waiting::Response {
                step: self.in_flight_step(&self.state),
            }),
            State::AwaitingAuthorization(_) => Some(match self.await_command() {
                Command::AwaitCallback { mode, callback_url } => {
                    Waiting::Callback { mode, callback_url }
                }
                _ => Waiting::Pin,
            }),
            State::Failed(_) => Some(Waiting::Decision),
            _ => None,
        };
        let retry = match &self.state {
            State::Failed(Resume::RequestToken) => Some(
                "retry asks the provider for a new request token (step 3) with a fresh nonce and timestamp",
            ),
            State::Failed(Resume::AccessToken { .. }) => Some(
                "retry sends the access-token request (step 8) again with a fresh nonce and timestamp",
            ),
            State::Failed(Resume::Resource(_)) => {
                Some("retry makes the resource call (step 10) again")
            }
            State::AwaitingAuthorization(_) => {
                Some("retry keeps waiting for the provider's redirect or PIN (step 7)")
            }
            _ => None,
        }
        .map(str::to_owned);
        let steps = StepId::ALL
            .into_iter()
            .map(|id| {
                let info = id.info();
                let r = self.record(id);
                StepSnapshot {
                    id,
                    number: info.number,
                    title: info.title.to_owned(),
                    actor: info.actor,
                    explanation: info.explanation.to_owned(),
                    status: r.status,
                    started_ms: r.started_ms,
                    finished_ms: r.finished_ms,
                    notes: r.notes.clone(),
                    error: r.error.clone(),
                    exchanges: r.exchanges.clone(),
                }
            })
            .collect();
        let c = &self.config;
        Snapshot {
            mode: c.flow_mode(),
            phase,
            current_step,
            waiting_for,
            steps,
            error: self.failure.clone(),
            retry,
            config: ConfigSummary {
                consumer_key: c.consumer_key.clone(),
                signature_method: c.signature_method,
                placement: c.sign_options.placement,
                include_version: c.sign_options.include_version,
                realm: c.realm.clone(),
                three_legged: match &c.mode {
                    ModeConfig::ThreeLegged(t) => Some(t.clone()),
                    _ => None,
                },
                pre_issued_token: match &c.mode {
                    ModeConfig::PreIssuedToken(t) => Some(t.token.clone()),
                    _ => None,
                },
                resource: c.resource.clone().map(|mut r| {
                    r.body = r.body.map(|b| redact_secret_values(&b));
                    for (k, v) in &mut r.headers {
                        if r.masked_headers.iter().any(|m| m.eq_ignore_ascii_case(k)) {
                            *v = REDACTED.to_owned();
                        }
                    }
                    r
                }),
            },
            authorization_url: self.authorization_url.clone(),
            request_token: self.request_token.clone(),
            access_token: self.access_token.clone(),
            resource: self.resource.clone(),
            clock_skew_seconds: self.clock_skew_seconds,
        }
    }
}

fn phase_of(state: &State) -> Phase {
    match state {
        State::Ready => Phase::Ready,
        State::RequestingTemporary => Phase::RequestingTemporaryCredentials,
        State::AwaitingAuthorization(_) => Phase::AwaitingAuthorization,
        State::RequestingToken { .. } => Phase::RequestingTokenCredentials,
        State::AccessingResource(_) => Phase::AccessingResource,
        State::Finished => Phase::Finished,
        State::Failed(_) => Phase::Failed,
        State::Cancelled => Phase::Cancelled,
    }
}

/// One of the three signed requests of a flow, with the credentials it carries.
#[derive(Debug, Clone, Copy)]
pub enum Leg<'a> {
    /// Step 3: the request-token request (with `oauth_callback`).
    TokenRequest,
    /// Step 8: the access-token request for a request token and its verifier. `token_secret`
    /// `None` signs without the request token's secret.
    AccessTokenRequest {
        /// The request token.
        token: &'a str,
        /// Its secret.
        token_secret: Option<&'a Secret>,
        /// The verifier the provider gave.
        verifier: &'a str,
    },
    /// Step 10: the configured resource call, with an access token and its secret (`None`:
    /// consumer credentials only). Fails when no resource call is configured.
    ResourceAccess {
        /// The access token and its secret.
        token: Option<(&'a str, Option<&'a Secret>)>,
    },
}

/// A request of one leg, built and signed exactly as a [`Flow`] builds it.
#[derive(Debug, Clone)]
pub struct SignedStep {
    /// What to send.
    pub outgoing: OutgoingRequest,
    /// What to keep (secret values redacted).
    pub recorded: RecordedRequest,
    /// How it was signed.
    pub trace: SigningTrace,
}

/// Builds and signs the request of `leg` for `config`, with `inputs`' nonce and timestamp,
/// exactly as a flow would at that step (its extras, headers, placement). For tools that send
/// a flow's requests themselves: the provider audit sends them again, and altered.
pub fn sign_step(
    config: &FlowConfig,
    leg: &Leg<'_>,
    inputs: &Inputs,
) -> Result<SignedStep, ErrorReport> {
    sign_leg(config, leg, inputs).map(|p| SignedStep {
        outgoing: p.outgoing,
        recorded: p.recorded,
        trace: p.trace,
    })
}

fn sign_leg(
    config: &FlowConfig,
    leg: &Leg<'_>,
    inputs: &Inputs,
) -> Result<SignedParts, ErrorReport> {
    let three_legged = || match &config.mode {
        ModeConfig::ThreeLegged(t) => Ok(t),
        _ => Err(ErrorReport::new(
            ErrorKind::InvalidConfig,
            "this step belongs to the three-legged flow, and the method is not three-legged",
        )),
    };
    match *leg {
        Leg::TokenRequest => {
            let t = three_legged()?;
            let (url, content_type, body) = with_extras(&t.request_token, &config.extras);
            let mut spec = Spec::new(StepId::TokenRequest, &t.request_token.method, &url);
            spec.callback = Some(&t.callback.url);
            spec.content_type = content_type;
            spec.body = body.as_deref().map(str::as_bytes);
            spec.headers = &config.extras.headers;
            spec.masked_headers = &config.extras.masked_headers;
            sign_request(config, &spec, inputs)
        }
        Leg::AccessTokenRequest {
            token,
            token_secret,
            verifier,
        } => {
            let t = three_legged()?;
            let (url, content_type, body) = with_extras(&t.access_token, &config.extras);
            let mut spec = Spec::new(StepId::AccessTokenRequest, &t.access_token.method, &url);
            spec.content_type = content_type;
            spec.body = body.as_deref().map(str::as_bytes);
            spec.headers = &config.extras.headers;
            spec.masked_headers = &config.extras.masked_headers;
            spec.token = Some(token);
            spec.token_secret = token_secret;
            spec.verifier = Some(verifier);
            sign_request(config, &spec, inputs)
        }
        Leg::ResourceAccess { token } => {
            let Some(r) = &config.resource else {
                return Err(ErrorReport::new(
                    ErrorKind::InvalidConfig,
                    "no resource call is configured (step 10)",
                ));
            };
            let mut spec = Spec::new(StepId::ResourceAccess, &r.method, &r.url);
            spec.content_type = r.content_type.as_deref();
            spec.body = r.body.as_deref().map(str::as_bytes);
            spec.headers = &r.headers;
            spec.masked_headers = &r.masked_headers;
            if let Some((token, secret)) = token {
                spec.token = Some(token);
                spec.token_secret = secret;
            }
            sign_request(config, &spec, inputs)
        }
    }
}

fn sign_request(
    config: &FlowConfig,
    spec: &Spec<'_>,
    inputs: &Inputs,
) -> Result<SignedParts, ErrorReport> {
    let mut signer = config.signer(spec.token_secret)?;
    if let Some(seed) = inputs.blinding {
        signer = signer.with_blinding(seed);
    }
    let timestamp = inputs.timestamp.to_string();
    let req = HttpRequest {
        method: spec.method,
        url: spec.url,
        content_type: spec.content_type,
        body: spec.body,
    };
    let oauth = OAuthParams {
        consumer_key: &config.consumer_key,
        token: spec.token,
        callback: spec.callback,
        verifier: spec.verifier,
        nonce: &inputs.nonce,
        timestamp: &timestamp,
        realm: config.realm.as_deref(),
        extra: &[],
    };
    let (signed, trace) = sign_traced(&req, &oauth, &signer, &config.sign_options)
        .map_err(|e| ErrorReport::from(&e))?;
    let mut headers = spec.headers.to_vec();
    headers.extend(
        signed
            .authorization
            .map(|a| ("Authorization".to_owned(), a)),
    );
    let outgoing = OutgoingRequest {
        step: spec.step,
        method: signed.method.into_owned(),
        url: signed.url.into_owned(),
        headers,
        content_type: signed.content_type.map(str::to_owned),
        body: signed.body.map(Cow::into_owned),
    };
    let recorded = RecordedRequest {
        method: trace.method.clone(),
        url: redact_secret_values(&trace.signed_url),
        headers: spec
            .headers
            .iter()
            .map(|(k, v)| {
                let masked = spec
                    .masked_headers
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(k));
                let value = if masked {
                    REDACTED.to_owned()
                } else {
                    v.clone()
                };
                (k.clone(), value)
            })
            .chain(
                trace
                    .authorization_header
                    .iter()
                    .map(|h| ("Authorization".to_owned(), h.clone())),
            )
            .collect(),
        content_type: outgoing.content_type.clone(),
        body: trace
            .signed_body
            .as_deref()
            .map(|b| bounded_text(b.as_bytes()).0),
    };
    Ok(SignedParts {
        outgoing,
        recorded,
        trace,
    })
}

/// The authorize URL: `oauth_token`, the extra parameters, and `oauth_callback` when asked.
fn authorization_url(t: &ThreeLeggedConfig, token: &str) -> String {
    use crate::encoding::encode;
    let mut url = t.authorize_url.clone();
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b.to_owned(), Some(f.to_owned())),
        None => (url.clone(), None),
    };
    url = base;
    let mut sep = if url.contains('?') {
        if url.ends_with('?') || url.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    let mut push = |url: &mut String, name: &str, value: &str| {
        url.push_str(sep);
        url.push_str(&encode(name));
        url.push('=');
        url.push_str(&encode(value));
        sep = "&";
    };
    push(&mut url, "oauth_token", token);
    for (name, value) in &t.authorize_params {
        push(&mut url, name, value);
    }
    if t.callback_on_authorize_url {
        push(&mut url, "oauth_callback", &t.callback.url);
    }
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(&f);
    }
    url
}

/// A refusal is the provider saying no (a problem report, or an error status); anything else
/// that is not credentials is a broken answer to an accepted request.
fn is_refusal(e: &ResponseError, status: u16) -> bool {
    matches!(e, ResponseError::Problem(_)) || !(200..300).contains(&status)
}

fn response_report(e: ResponseError) -> ErrorReport {
    ErrorReport::from(&Error::Response(e))
}

fn callback_report(e: &CallbackError) -> ErrorReport {
    ErrorReport::from(&Error::Callback(e.clone()))
}

fn redirect_report(endpoint: &str, resp: &HttpResponse) -> ErrorReport {
    let to = resp
        .header("location")
        .map(|l| format!(" to {}", redact_secret_values(l)))
        .unwrap_or_default();
    ErrorReport {
        fields: Vec::new(),
        provider_says: None,
        kind: ErrorKind::Redirected,
        message: format!(
            "the {endpoint} endpoint answered with a redirect (http {}){to}; Signet does not follow redirects here, because the signature covers the exact URL",
            resp.status
        ),
        hint: Some(
            "use the address the provider redirects to as the endpoint (often https instead of http, or a trailing slash)".into(),
        ),
    }
}

fn not_confirmed_report(confirmed: Option<bool>) -> ErrorReport {
    ErrorReport {
        fields: Vec::new(),
        provider_says: None,
        kind: ErrorKind::CallbackNotConfirmed,
        message: match confirmed {
            Some(_) => "the provider did not confirm the callback: oauth_callback_confirmed is not true".into(),
            None => "the provider did not confirm the callback: the response has no oauth_callback_confirmed".into(),
        },
        hint: Some(
            "OAuth 1.0a providers send oauth_callback_confirmed=true; some older ones (TripIt) never do: turn off \"require callback confirmation\" for this connector if the provider is one of them".into(),
        ),
    }
}

fn public_token(tr: &TokenResponse) -> PublicToken {
    PublicToken {
        token: tr.token.clone(),
        secret_len: tr.token_secret.len(),
        callback_confirmed: tr.callback_confirmed,
        extra: safe_fields(&tr.extra),
    }
}

/// The start of a resource's answer as text to show: up to 2,000 characters, secret-looking
/// values redacted, unquoted (the raw response in the exchange has the rest).
fn resource_excerpt(body: &[u8]) -> String {
    const MAX: usize = 2000;
    let text = redact_secret_values(&String::from_utf8_lossy(body));
    if text.chars().count() > MAX {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    } else {
        text
    }
}
