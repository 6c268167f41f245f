//! The audit itself: the plan (every request it will send, listed before it starts), then the
//! requests in order — the request-token leg, two consents, the access-token leg, the resource
//! call — each wrong request beside the valid one it was made from, and a verdict per check.
//!
//! Safe by design: the number of requests is fixed by the plan; a request that could change
//! something on the provider says what it changed when it was let through; the real consumer
//! secret is never sent where the connection itself would not send it (the PLAINTEXT check
//! signs with a made-up secret); a rate limit spaces the requests.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use signet_engine::http::{Failure, Outcome};
use signet_engine::{Clock, Http};
use signet_oauth1::encoding::encode;
use signet_oauth1::flow::{
    ConsumerKey, FlowConfig, HttpResponse, Inputs, Leg, ModeConfig, OutgoingRequest,
    RecordedResponse, SignedStep, StepId, TokenCredentials, TransportKind, sign_step,
};
use signet_oauth1::response::{parse_problem, parse_token_response, redact_secret_values};
use signet_oauth1::secret::REDACTED;
use signet_oauth1::{ErrorKind, ErrorReport, Secret, SignatureMethod};

use crate::alter::{self, Altered, Change};
use crate::checks::CheckId;
use crate::report::{Answer, AuditReport, CheckResult, SentRequest, TokenOutcome, Verdict};

/// A request token the user authorised: what steps 1 to 7 give the audit.
#[derive(Debug, Clone)]
pub struct Authorised {
    /// The request token.
    pub token: String,
    /// Its secret.
    pub token_secret: Secret,
    /// The verifier.
    pub verifier: Secret,
    /// The callback sent in step 3 (as the engine sent it: the loopback port and the
    /// attempt's code in place).
    pub callback_sent: String,
    /// The redirect the provider made, as received; `None` when the verifier was typed (PIN).
    pub redirect: Option<String>,
    /// `oauth_callback_confirmed` in the request-token answer.
    pub callback_confirmed: Option<bool>,
}

/// Walks steps 1 to 7 — the user consents as usual — and hands over the authorised request
/// token. The CLI, the app and the tests each do it their way (browser, deep link, PIN).
pub trait Consent {
    /// Authorises a request token for `config` (`which`: 1 or 2, for what the user is told).
    fn authorise(
        &mut self,
        config: &FlowConfig,
        which: u8,
    ) -> impl Future<Output = Result<Authorised, ErrorReport>> + Send;
}

/// How an audit runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSettings {
    /// At least this long between two requests (the rate limit).
    pub min_interval: Duration,
    /// Stops the audit between two requests.
    pub stop: StopSwitch,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            min_interval: Duration::from_millis(200),
            stop: StopSwitch::default(),
        }
    }
}

/// Stops an audit when the user asks: the request in flight finishes, nothing more is sent
/// (not even one waiting for the rate limit), and every check not made says the audit was
/// stopped before it. Clones share one switch.
#[derive(Debug, Clone, Default)]
pub struct StopSwitch(Arc<AtomicBool>);

impl StopSwitch {
    /// Stops the audit.
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether it was stopped.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl PartialEq for StopSwitch {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for StopSwitch {}

/// Why a request was not sent.
const STOPPED: &str = "the audit was stopped before this request";

/// One request of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlannedRequest {
    /// The check it serves (none: a valid request the checks are compared with).
    pub check: Option<CheckId>,
    /// The step whose request it is.
    pub step: StepId,
    /// What it is, in plain words.
    pub what: String,
}

/// What an audit will do, shown before it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditPlan {
    /// Every request, in order (at most this many are sent; fewer when a leg fails).
    pub requests: Vec<PlannedRequest>,
    /// How many times the user is asked to allow access (each dance to step 7).
    pub consents: u8,
    /// What to know before starting.
    pub notes: Vec<String>,
}

/// What the audit sends a PLAINTEXT signature with: never the real consumer secret.
const WRONG_SECRET: &str = "signet-audit-not-the-secret";
/// The consumer key the audit makes up.
const UNKNOWN_CONSUMER: &str = "signet-audit-unknown-consumer";
/// The access token the audit makes up.
const UNKNOWN_TOKEN: &str = "signet-audit-unknown-token";
/// The query parameter added after signing.
const ADDED: (&str, &str) = ("signet_audit", "1");
/// How far the wrong timestamps are from now.
const HOUR: u64 = 3600;

fn three_legged(
    config: &FlowConfig,
) -> Result<&signet_oauth1::flow::ThreeLeggedConfig, ErrorReport> {
    match &config.mode {
        ModeConfig::ThreeLegged(t) => Ok(t),
        _ => Err(ErrorReport::new(
            ErrorKind::InvalidConfig,
            "the audit needs a three-legged OAuth 1.0a method: it checks the request token, the consent and the access token",
        )
        .hint("switch the method to three-legged (a request-token, authorize and access-token address), then audit it")),
    }
}

/// Whether `url` is plain HTTP to a host other than this machine.
fn plain_http_over_a_network(url: &str) -> Option<bool> {
    let rest = url.strip_prefix("http://").or_else(|| {
        url.get(..7)
            .filter(|s| s.eq_ignore_ascii_case("http://"))
            .map(|_| &url[7..])
    });
    let Some(rest) = rest else {
        return Some(false);
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host.split(':').next()?
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    Some(!loopback)
}

/// The config the audit signs with and dances with: the connection's own, except that the
/// dance does not stop on a missing `oauth_callback_confirmed` (a check reads it instead).
pub fn audit_config(config: &FlowConfig) -> Result<FlowConfig, ErrorReport> {
    three_legged(config)?;
    let mut c = config.clone();
    if let ModeConfig::ThreeLegged(t) = &mut c.mode {
        t.require_callback_confirmed = false;
    }
    Ok(c)
}

/// Every request an audit of `config` sends, and what to know first.
pub fn plan(config: &FlowConfig) -> Result<AuditPlan, ErrorReport> {
    let t = three_legged(config)?;
    let mut requests = Vec::new();
    let mut add = |check: Option<CheckId>, step, what: &str| {
        requests.push(PlannedRequest {
            check,
            step,
            what: what.to_owned(),
        })
    };
    use StepId::{AccessTokenRequest as Access, ResourceAccess as Resource, TokenRequest as Rt};
    add(
        None,
        Rt,
        "a valid request-token request, to compare the others with",
    );
    for id in [
        CheckId::NonceReplay,
        CheckId::RequestTokenSignature,
        CheckId::UnknownConsumer,
        CheckId::TimestampOld,
        CheckId::TimestampAhead,
        CheckId::TwoPlaces,
    ] {
        add(Some(id), Rt, id.info().sends);
    }
    let plaintext = plain_http_over_a_network(&t.request_token.url) == Some(true);
    if plaintext {
        add(
            Some(CheckId::PlaintextOverHttp),
            Rt,
            CheckId::PlaintextOverHttp.info().sends,
        );
    }
    add(
        None,
        Rt,
        "the first dance's request-token request (then you allow access)",
    );
    add(
        None,
        Rt,
        "the second dance's request-token request (then you allow access again)",
    );
    add(
        Some(CheckId::ForeignVerifier),
        Access,
        CheckId::ForeignVerifier.info().sends,
    );
    if !config.signature_method.is_rsa() {
        add(
            Some(CheckId::WithoutTokenSecret),
            Access,
            CheckId::WithoutTokenSecret.info().sends,
        );
    }
    add(
        None,
        Access,
        "the valid access-token request: the audit's access token",
    );
    add(
        Some(CheckId::TokenReuse),
        Access,
        CheckId::TokenReuse.info().sends,
    );
    let mut notes = vec![
        "You will be asked to allow access twice: the audit needs two request tokens you authorised (one verifier is tried with the other's token).".to_owned(),
        "Audit only providers you are allowed to test: the wrong requests look like an attack to the provider's monitoring.".to_owned(),
    ];
    if config.resource.is_some() {
        add(
            None,
            Resource,
            "a valid resource call with the audit's access token",
        );
        for id in [
            CheckId::ResourceSignature,
            CheckId::AddedParameter,
            CheckId::UnknownToken,
        ] {
            // A PLAINTEXT signature covers no parameter: nothing to add one after.
            if id == CheckId::AddedParameter
                && config.signature_method == SignatureMethod::Plaintext
            {
                continue;
            }
            add(Some(id), Resource, id.info().sends);
        }
        add(
            None,
            Resource,
            "the resource call with the token saved before, to tell whether it is still valid",
        );
    } else {
        notes.push("The method has no resource call (step 10): the three resource checks will not be made. Add a resource call to make them.".into());
    }
    if !plaintext {
        notes.push(format!(
            "PLAINTEXT over plain HTTP is not tried: {}.",
            if plain_http_over_a_network(&t.request_token.url) == Some(false)
                && t.request_token
                    .url
                    .get(..7)
                    .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
            {
                "the provider is on this machine, so nothing would cross a network"
            } else {
                "the provider is reached over HTTPS"
            }
        ));
    }
    if config.signature_method == SignatureMethod::Plaintext
        && plain_http_over_a_network(&t.request_token.url) == Some(true)
    {
        notes.push("This method signs with PLAINTEXT over plain HTTP: its own valid requests carry the consumer secret in clear, as every connection with it does.".into());
    }
    Ok(AuditPlan {
        requests,
        consents: 2,
        notes,
    })
}

/// What an audit reports as it goes.
#[derive(Debug, Clone)]
pub enum AuditEvent {
    /// A request is about to go (`n` of the plan's total).
    Sending {
        /// Its place in the plan, from 1.
        n: u32,
        /// What it is.
        what: String,
    },
    /// The user is asked to allow access (`which`: 1 or 2).
    Consent {
        /// Which dance.
        which: u8,
    },
    /// A check has its verdict.
    Checked(Box<CheckResult>),
}

/// The audit's result: the report, and the access token it issued (for the caller to keep
/// when the saved one no longer works).
#[derive(Debug)]
pub struct AuditOutcome {
    /// The report.
    pub report: AuditReport,
    /// The access token the audit's dance issued, when it did.
    pub issued: Option<TokenCredentials>,
}

/// Runs the audit of `config`. `saved` is the access token kept before (tried at the end).
pub async fn run<C: Consent>(
    config: &FlowConfig,
    saved: Option<&TokenCredentials>,
    http: &Http,
    clock: Clock,
    consent: &mut C,
    settings: AuditSettings,
    progress: impl FnMut(AuditEvent) + Send,
) -> Result<AuditOutcome, ErrorReport> {
    let config = audit_config(config)?;
    let started_ms = clock.now_ms();
    let mut a = Auditor {
        config: &config,
        http,
        clock,
        settings,
        progress,
        rows: Vec::new(),
        sent: 0,
        last: None,
        warnings: Vec::new(),
        verifiers: Vec::new(),
        stopped: false,
    };
    a.request_token_leg().await;
    let dances = a.dances(consent).await;
    let issued = a.access_token_leg(dances).await;
    let token = a.resource_leg(issued.as_ref(), saved).await;
    // Every check has its row, whatever stopped a leg early.
    for id in CheckId::ALL {
        if !matches!(id, CheckId::StatusCodes | CheckId::ProblemReporting)
            && !a.rows.iter().any(|r| r.id == id)
        {
            let why = if a.stopped {
                "the audit was stopped before this check"
            } else {
                "the audit did not get to it: an earlier request of its leg could not be made"
            };
            a.untold(id, Verdict::CouldNotTell, why);
        }
    }
    a.answers();
    // The report lists the checks in the catalogue's order (they were made in the legs').
    let mut checks = std::mem::take(&mut a.rows);
    checks.sort_by_key(|c| CheckId::ALL.iter().position(|id| *id == c.id));
    let t = three_legged(&config)?;
    let report = AuditReport {
        provider: host_of(&t.request_token.url),
        signature_method: config.signature_method.to_string(),
        placement: format!("{:?}", config.sign_options.placement).to_lowercase(),
        started_ms,
        finished_ms: a.clock.now_ms(),
        score: AuditReport::score_of(&checks),
        checks,
        requests_sent: a.sent,
        token,
        warnings: a.warnings,
    };
    Ok(AuditOutcome { report, issued })
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_owned()
}

/// A request sent and what came of it.
struct Sent {
    request: OutgoingRequest,
    step: SignedStep,
    changes: Vec<Change>,
    outcome: Outcome,
}

impl Sent {
    fn response(&self) -> Option<&HttpResponse> {
        self.outcome.as_ref().ok().map(|r| &r.response)
    }

    fn accepted(&self) -> bool {
        self.response()
            .is_some_and(|r| (200..300).contains(&r.status))
    }

    /// The token response, when the request was accepted with one.
    fn token(&self) -> Option<signet_oauth1::TokenResponse> {
        let r = self.response().filter(|r| (200..300).contains(&r.status))?;
        parse_token_response(r.status, r.header("content-type"), &r.body).ok()
    }

    fn said(&self) -> String {
        said(&self.outcome)
    }
}

/// "answered 401 (signature_invalid)", "answered 200", "no answer (timeout)".
fn said(outcome: &Outcome) -> String {
    match outcome {
        Err(f) => format!("no answer ({})", f.message),
        Ok(r) => {
            let status = r.response.status;
            match problem_of(&r.response) {
                Some(p) => format!("answered {status} ({p})"),
                None => format!("answered {status}"),
            }
        }
    }
}

fn problem_of(r: &HttpResponse) -> Option<String> {
    parse_problem(r.status, r.header("content-type"), &r.body).map(|p| p.code)
}

struct Auditor<'a, P> {
    config: &'a FlowConfig,
    http: &'a Http,
    clock: Clock,
    settings: AuditSettings,
    progress: P,
    rows: Vec<CheckResult>,
    sent: u32,
    last: Option<Instant>,
    warnings: Vec<String>,
    /// The verifiers of the dances: never kept in a row.
    verifiers: Vec<String>,
    /// The user stopped the audit (cancelled a dance): nothing more is sent.
    stopped: bool,
}

/// The dances' authorised request tokens (either may have failed).
struct Dances {
    first: Result<Authorised, String>,
    second: Result<Authorised, String>,
}

impl<P: FnMut(AuditEvent) + Send> Auditor<'_, P> {
    fn inputs(&self, timestamp: u64) -> Inputs {
        Inputs::new(
            self.clock.now_ms(),
            timestamp,
            signet_engine::nonce::nonce(),
        )
        .with_blinding(signet_engine::nonce::blinding_seed())
    }

    fn sign(
        &self,
        config: &FlowConfig,
        leg: &Leg<'_>,
        timestamp: u64,
    ) -> Result<SignedStep, ErrorReport> {
        sign_step(config, leg, &self.inputs(timestamp))
    }

    /// Whether the user stopped the audit (then nothing more is sent).
    fn stop_asked(&mut self) -> bool {
        if self.settings.stop.is_stopped() {
            self.stopped = true;
        }
        self.stopped
    }

    /// Sends `request`, spaced from the last one by the rate limit; sends nothing once the
    /// audit is stopped (not even after waiting for the rate limit).
    async fn send(&mut self, request: &OutgoingRequest, what: &str) -> Outcome {
        let stopped = || {
            Err(Failure {
                kind: TransportKind::Other,
                message: STOPPED.into(),
            })
        };
        if let Some(last) = self.last {
            // Waited in short slices, so a stop is heard at once.
            loop {
                let wait = self.settings.min_interval.saturating_sub(last.elapsed());
                if wait.is_zero() || self.stop_asked() {
                    break;
                }
                tokio::time::sleep(wait.min(Duration::from_millis(50))).await;
            }
        }
        if self.stop_asked() {
            return stopped();
        }
        self.sent += 1;
        (self.progress)(AuditEvent::Sending {
            n: self.sent,
            what: what.to_owned(),
        });
        let out = self.http.send(request).await;
        self.last = Some(Instant::now());
        out
    }

    async fn send_step(&mut self, step: SignedStep, changes: Vec<Change>, what: &str) -> Sent {
        let outcome = self.send(&step.outgoing, what).await;
        Sent {
            request: step.outgoing.clone(),
            step,
            changes,
            outcome,
        }
    }

    async fn send_altered(&mut self, valid: &SignedStep, altered: Altered, what: &str) -> Sent {
        let outcome = self.send(&altered.request, what).await;
        Sent {
            request: altered.request,
            step: valid.clone(),
            changes: altered.changes,
            outcome,
        }
    }

    fn push(&mut self, row: CheckResult) {
        let row = self.masked(row);
        (self.progress)(AuditEvent::Checked(Box::new(row.clone())));
        self.rows.push(row);
    }

    /// A row for `id` with `verdict` and `reason`, and what was sent and received.
    fn row(
        &self,
        id: CheckId,
        verdict: Verdict,
        reason: String,
        sent: Option<&Sent>,
    ) -> CheckResult {
        CheckResult {
            sent: sent.map(|s| self.sent_request(s)),
            answer: sent.map(|s| answer_of(&s.outcome)),
            ..CheckResult::new(id, verdict, reason)
        }
    }

    /// What was sent, as kept: secret values redacted, the headers the connector masks
    /// masked, and a PLAINTEXT signature (the consumer secret itself) never kept — in the
    /// request and in every change.
    fn sent_request(&self, s: &Sent) -> SentRequest {
        let plaintext = s.step.trace.signature_method == SignatureMethod::Plaintext
            || self.config.signature_method == SignatureMethod::Plaintext;
        let mut changes = s.changes.clone();
        if plaintext {
            for c in &mut changes {
                if c.part == "oauth_signature" {
                    c.valid = REDACTED.into();
                    c.sent = REDACTED.into();
                } else {
                    c.valid = redact_signature(&c.valid);
                    c.sent = redact_signature(&c.sent);
                }
            }
        }
        SentRequest {
            request: recorded(&s.request, &s.step.recorded, plaintext),
            trace: s.step.trace.clone(),
            changes,
        }
    }

    /// `row` with every verifier the audit holds replaced wherever it appears — the request, the
    /// trace, the provider's answer (a `debug_base_string` carries the verifier) — as sent and
    /// percent-encoded once and twice. Should the row not read back, it keeps only its verdict
    /// and reason.
    fn masked(&self, row: CheckResult) -> CheckResult {
        if self.verifiers.is_empty() {
            return row;
        }
        let Ok(mut text) = serde_json::to_string(&row) else {
            return stripped(row);
        };
        for v in &self.verifiers {
            for form in [
                v.clone(),
                encode(v).into_owned(),
                encode(&encode(v)).into_owned(),
            ] {
                if !form.is_empty() {
                    text = text.replace(&form, REDACTED);
                }
            }
        }
        match serde_json::from_str(&text) {
            Ok(masked) => masked,
            Err(_) => stripped(row),
        }
    }

    /// A check whose wrong request must be refused.
    fn refusal(&mut self, id: CheckId, sent: &Sent) {
        let (verdict, reason) = must_refuse(id, &sent.outcome);
        let mut row = self.row(id, verdict, reason, Some(sent));
        if verdict == Verdict::NotEnforced {
            row.side_effect = side_effect(id);
        }
        self.push(row);
    }

    /// A check that cannot be made, and why.
    fn untold(&mut self, id: CheckId, verdict: Verdict, reason: &str) {
        let row = self.row(id, verdict, reason.to_owned(), None);
        self.push(row);
    }

    // ---- step 3: the request-token leg ----

    async fn request_token_leg(&mut self) {
        let config = self.config;
        let now = self.clock.timestamp();
        let valid = match self.sign(config, &Leg::TokenRequest, now) {
            Ok(v) => v,
            Err(e) => {
                for id in REQUEST_TOKEN_CHECKS {
                    self.untold(
                        id,
                        Verdict::CouldNotTell,
                        &format!("the request-token request cannot be signed: {}", e.message),
                    );
                }
                return;
            }
        };
        let baseline = self
            .send_step(valid.clone(), vec![], "a valid request-token request")
            .await;
        if !baseline.accepted() {
            let why = format!(
                "a valid request-token request was refused too ({}): a refusal of a wrong one would prove nothing. Connect normally first and fix what fails",
                baseline.said()
            );
            for id in REQUEST_TOKEN_CHECKS {
                self.untold(id, Verdict::CouldNotTell, &why);
            }
            return;
        }
        let confirmed = baseline.token().and_then(|t| t.callback_confirmed);
        let callback_row = match confirmed {
            Some(true) => self.row(
                CheckId::CallbackConfirmed,
                Verdict::Enforced,
                "the request-token answer carries oauth_callback_confirmed=true".into(),
                Some(&baseline),
            ),
            Some(false) => self.row(
                CheckId::CallbackConfirmed,
                Verdict::NotEnforced,
                "the request-token answer says oauth_callback_confirmed=false".into(),
                Some(&baseline),
            ),
            None => self.row(
                CheckId::CallbackConfirmed,
                Verdict::NotEnforced,
                "the request-token answer has no oauth_callback_confirmed: RFC 5849 §2.1 says it must be there, set to true".into(),
                Some(&baseline),
            ),
        };
        self.push(callback_row);

        // The same bytes again: the same nonce and timestamp.
        let replay = self
            .send_step(baseline.step.clone(), vec![Change {
                part: "the whole request".into(),
                valid: String::new(),
                sent: String::new(),
                note: "sent again byte for byte: the same oauth_nonce and oauth_timestamp, the same signature".into(),
            }], CheckId::NonceReplay.info().sends)
            .await;
        self.refusal(CheckId::NonceReplay, &replay);

        let fresh = match self.sign(config, &Leg::TokenRequest, self.clock.timestamp()) {
            Ok(v) => v,
            Err(e) => {
                self.warnings.push(e.message);
                return;
            }
        };
        match alter::wrong_signature(&fresh.outgoing) {
            Some(altered) => {
                let sent = self
                    .send_altered(&fresh, altered, CheckId::RequestTokenSignature.info().sends)
                    .await;
                self.refusal(CheckId::RequestTokenSignature, &sent);
            }
            None => self.untold(
                CheckId::RequestTokenSignature,
                Verdict::CouldNotTell,
                "the request carries no oauth_signature to change",
            ),
        }

        let mut unknown = config.clone();
        unknown.consumer_key = UNKNOWN_CONSUMER.into();
        self.resigned(
            CheckId::UnknownConsumer,
            &unknown,
            &Leg::TokenRequest,
            self.clock.timestamp(),
            Change {
                part: "oauth_consumer_key".into(),
                valid: config.consumer_key.clone(),
                sent: UNKNOWN_CONSUMER.into(),
                note: "a consumer key the provider never issued, signed with the same secret"
                    .into(),
            },
        )
        .await;
        let now = self.clock.timestamp();
        for (id, timestamp, note) in [
            (
                CheckId::TimestampOld,
                now.saturating_sub(HOUR),
                "an hour before now, signed correctly",
            ),
            (
                CheckId::TimestampAhead,
                now + HOUR,
                "an hour after now, signed correctly",
            ),
        ] {
            self.resigned(
                id,
                config,
                &Leg::TokenRequest,
                timestamp,
                Change {
                    part: "oauth_timestamp".into(),
                    valid: now.to_string(),
                    sent: timestamp.to_string(),
                    note: note.into(),
                },
            )
            .await;
        }

        match self
            .sign(config, &Leg::TokenRequest, self.clock.timestamp())
            .ok()
            .and_then(|v| alter::two_places(&v.outgoing).map(|a| (v, a)))
        {
            Some((valid, altered)) => {
                let sent = self
                    .send_altered(&valid, altered, CheckId::TwoPlaces.info().sends)
                    .await;
                self.refusal(CheckId::TwoPlaces, &sent);
            }
            None => self.untold(
                CheckId::TwoPlaces,
                Verdict::CouldNotTell,
                "the request carries no OAuth parameters to copy",
            ),
        }

        let t = three_legged(config).ok();
        match t.map(|t| plain_http_over_a_network(&t.request_token.url)) {
            Some(Some(true)) => {
                let mut plaintext = config.clone();
                plaintext.signature_method = SignatureMethod::Plaintext;
                plaintext.key = ConsumerKey::Secret(Secret::new(WRONG_SECRET));
                plaintext.sign_options.body_hash = false;
                self.resigned(CheckId::PlaintextOverHttp, &plaintext, &Leg::TokenRequest, self.clock.timestamp(), Change {
                    part: "oauth_signature_method".into(),
                    valid: config.signature_method.to_string(),
                    sent: "PLAINTEXT".into(),
                    note: "signed with PLAINTEXT over plain HTTP, with a made-up secret (the real one is never sent)".into(),
                })
                .await;
            }
            Some(Some(false)) => self.untold(
                CheckId::PlaintextOverHttp,
                Verdict::DoesNotApply,
                "the provider is on this machine (loopback): nothing crosses a network, so PLAINTEXT over HTTP exposes nothing",
            ),
            _ => self.untold(
                CheckId::PlaintextOverHttp,
                Verdict::DoesNotApply,
                "the provider is reached over HTTPS: PLAINTEXT is protected by TLS there",
            ),
        }
    }

    /// Signs `leg` with `config` (altered before signing) and sends it: a check whose request
    /// must be refused.
    async fn resigned(
        &mut self,
        id: CheckId,
        config: &FlowConfig,
        leg: &Leg<'_>,
        timestamp: u64,
        change: Change,
    ) {
        match self.sign(config, leg, timestamp) {
            Ok(step) => {
                let sent = self.send_step(step, vec![change], id.info().sends).await;
                self.refusal(id, &sent);
            }
            Err(e) => self.untold(
                id,
                Verdict::CouldNotTell,
                &format!("the request cannot be signed: {}", e.message),
            ),
        }
    }

    // ---- steps 1 to 7, twice ----

    async fn dances<C: Consent>(&mut self, consent: &mut C) -> Dances {
        let mut results: Vec<Result<Authorised, String>> = Vec::new();
        for which in [1, 2] {
            // Every later check needs the first dance: without it, the second is not asked for.
            if results.first().is_some_and(Result::is_err) {
                results.push(Err(
                    "the first dance did not reach step 7, so the second was not started".into(),
                ));
                continue;
            }
            if self.stop_asked() {
                break;
            }
            (self.progress)(AuditEvent::Consent { which });
            self.sent += 1;
            let got = consent.authorise(self.config, which).await.map_err(|e| {
                if e.kind == ErrorKind::Cancelled {
                    // The user stopped the audit: nothing more is sent.
                    self.stopped = true;
                }
                format!("the dance did not reach step 7 ({})", e.message)
            });
            self.last = Some(Instant::now());
            results.push(got);
            if self.stopped {
                break;
            }
        }
        for a in results.iter().flatten() {
            self.verifiers.push(a.verifier.expose().to_owned());
        }
        let stopped = || Err("the audit was stopped before this dance".to_owned());
        let mut results = results.into_iter();
        let first = results.next().unwrap_or_else(stopped);
        let second = results.next().unwrap_or_else(stopped);
        if let Ok(a) = &first {
            let row = callback_redirect(
                self.row(
                    CheckId::CallbackRedirect,
                    Verdict::Enforced,
                    String::new(),
                    None,
                ),
                a,
            );
            self.push(row);
        } else if let Err(why) = &first {
            self.untold(CheckId::CallbackRedirect, Verdict::CouldNotTell, why);
        }
        Dances { first, second }
    }

    // ---- step 8: the access-token leg ----

    async fn access_token_leg(&mut self, dances: Dances) -> Option<TokenCredentials> {
        let config = self.config;
        if self.stopped {
            return None;
        }
        let first = match &dances.first {
            Ok(a) => a.clone(),
            Err(why) => {
                for id in [
                    CheckId::ForeignVerifier,
                    CheckId::WithoutTokenSecret,
                    CheckId::TokenReuse,
                ] {
                    self.untold(id, Verdict::CouldNotTell, why);
                }
                return None;
            }
        };
        // The second token with the first's verifier.
        match &dances.second {
            Ok(second) if second.verifier == first.verifier => self.untold(
                CheckId::ForeignVerifier,
                Verdict::CouldNotTell,
                "both dances gave the same verifier (a provider whose verifiers belong to the user, or the same PIN typed twice): the other token's verifier is this one's too",
            ),
            Ok(second) => {
                let leg = Leg::AccessTokenRequest {
                    token: &second.token,
                    token_secret: Some(&second.token_secret),
                    verifier: first.verifier.expose(),
                };
                self.resigned(CheckId::ForeignVerifier, config, &leg, self.clock.timestamp(), Change {
                    part: "oauth_verifier".into(),
                    valid: REDACTED.into(),
                    sent: REDACTED.into(),
                    note: "the verifier the provider gave for the first request token, sent with the second".into(),
                })
                .await;
            }
            Err(why) => self.untold(CheckId::ForeignVerifier, Verdict::CouldNotTell, why),
        }
        let exchange = Leg::AccessTokenRequest {
            token: &first.token,
            token_secret: Some(&first.token_secret),
            verifier: first.verifier.expose(),
        };
        let mut issued = None;
        if config.signature_method.is_rsa() {
            self.untold(
                CheckId::WithoutTokenSecret,
                Verdict::DoesNotApply,
                &format!("{} signs with the RSA key alone: the token secret is not part of the signature (RFC 5849 §3.4.3), so there is nothing to leave out", config.signature_method),
            );
        } else {
            let bare = Leg::AccessTokenRequest {
                token: &first.token,
                token_secret: None,
                verifier: first.verifier.expose(),
            };
            match self.sign(config, &bare, self.clock.timestamp()) {
                Ok(step) => {
                    let sent = self
                        .send_step(
                            step,
                            vec![Change {
                                part: "the signing key".into(),
                                valid: "consumer secret & request token secret".into(),
                                sent: "consumer secret & (nothing)".into(),
                                note: "signed without the request token's secret".into(),
                            }],
                            CheckId::WithoutTokenSecret.info().sends,
                        )
                        .await;
                    self.refusal(CheckId::WithoutTokenSecret, &sent);
                    issued = sent.token().map(credentials);
                }
                Err(e) => self.untold(
                    CheckId::WithoutTokenSecret,
                    Verdict::CouldNotTell,
                    &format!("the request cannot be signed: {}", e.message),
                ),
            }
        }
        if issued.is_none() {
            match self.sign(config, &exchange, self.clock.timestamp()) {
                Ok(step) => {
                    let sent = self
                        .send_step(step, vec![], "the valid access-token request")
                        .await;
                    issued = sent.token().map(credentials);
                    if issued.is_none() {
                        let why = format!(
                            "the valid access-token request was refused ({}): a refusal of the second exchange would prove nothing (a provider that retires a request token after one failed exchange, such as the one signed without its secret, answers so)",
                            sent.said()
                        );
                        self.untold(CheckId::TokenReuse, Verdict::CouldNotTell, &why);
                        return None;
                    }
                }
                Err(e) => {
                    self.untold(
                        CheckId::TokenReuse,
                        Verdict::CouldNotTell,
                        &format!("the request cannot be signed: {}", e.message),
                    );
                    return None;
                }
            }
        }
        self.resigned(CheckId::TokenReuse, config, &exchange, self.clock.timestamp(), Change {
            part: "oauth_token".into(),
            valid: first.token.clone(),
            sent: first.token.clone(),
            note: "the request token already exchanged, with its verifier, a fresh nonce and timestamp".into(),
        })
        .await;
        issued
    }

    // ---- step 10: the resource call ----

    async fn resource_leg(
        &mut self,
        issued: Option<&TokenCredentials>,
        saved: Option<&TokenCredentials>,
    ) -> TokenOutcome {
        let config = self.config;
        if self.stopped {
            // The saved token is not tried: it stays; the audit's is kept only in its place.
            return match (issued, saved) {
                (Some(t), None) => TokenOutcome::Reissued {
                    token: t.token.clone(),
                },
                _ => TokenOutcome::Unchanged,
            };
        }
        if config.resource.is_none() {
            for id in RESOURCE_CHECKS {
                self.untold(id, Verdict::CouldNotTell, "the method has no resource call (step 10) to try: add one that needs the access token, and audit again");
            }
            return match issued {
                Some(t) => TokenOutcome::Reissued {
                    token: t.token.clone(),
                },
                None => TokenOutcome::Unchanged,
            };
        }
        if let Some(at) = issued {
            let leg = Leg::ResourceAccess {
                token: Some((&at.token, Some(&at.secret))),
            };
            match self.sign(config, &leg, self.clock.timestamp()) {
                Ok(valid) => {
                    let baseline = self
                        .send_step(valid.clone(), vec![], "a valid resource call")
                        .await;
                    if baseline.accepted() {
                        self.resource_checks(at).await;
                    } else {
                        let why = format!(
                            "a valid resource call with the audit's access token was refused too ({}): a refusal of a wrong one would prove nothing",
                            baseline.said()
                        );
                        for id in RESOURCE_CHECKS {
                            self.untold(id, Verdict::CouldNotTell, &why);
                        }
                    }
                }
                Err(e) => {
                    for id in RESOURCE_CHECKS {
                        self.untold(
                            id,
                            Verdict::CouldNotTell,
                            &format!("the resource call cannot be signed: {}", e.message),
                        );
                    }
                }
            }
        } else {
            for id in RESOURCE_CHECKS {
                self.untold(
                    id,
                    Verdict::CouldNotTell,
                    "the audit got no access token to call the resource with",
                );
            }
        }
        // The token kept before: still good?
        if let Some(old) = saved {
            let leg = Leg::ResourceAccess {
                token: Some((&old.token, Some(&old.secret))),
            };
            if let Ok(step) = self.sign(config, &leg, self.clock.timestamp()) {
                let sent = self
                    .send_step(
                        step,
                        vec![],
                        "the resource call with the token saved before",
                    )
                    .await;
                if sent.accepted() {
                    return TokenOutcome::StillValid;
                }
            }
            if self.stopped {
                // Stopped before it was tried: it stays.
                return TokenOutcome::Unchanged;
            }
        }
        match issued {
            Some(t) => TokenOutcome::Reissued {
                token: t.token.clone(),
            },
            None => TokenOutcome::Unchanged,
        }
    }

    async fn resource_checks(&mut self, at: &TokenCredentials) {
        let config = self.config;
        let leg = Leg::ResourceAccess {
            token: Some((&at.token, Some(&at.secret))),
        };
        for id in [CheckId::ResourceSignature, CheckId::AddedParameter] {
            if id == CheckId::AddedParameter
                && config.signature_method == SignatureMethod::Plaintext
            {
                self.untold(
                    id,
                    Verdict::DoesNotApply,
                    "a PLAINTEXT signature is the secrets alone and covers no parameter (RFC 5849 §3.4.4): no provider can see one added after signing; sign with HMAC or RSA where requests must not change on the way",
                );
                continue;
            }
            let Ok(valid) = self.sign(config, &leg, self.clock.timestamp()) else {
                continue;
            };
            let altered = match id {
                CheckId::ResourceSignature => alter::wrong_signature(&valid.outgoing),
                _ => Some(alter::added_parameter(&valid.outgoing, ADDED.0, ADDED.1)),
            };
            match altered {
                Some(altered) => {
                    let sent = self.send_altered(&valid, altered, id.info().sends).await;
                    self.refusal(id, &sent);
                }
                None => self.untold(
                    id,
                    Verdict::CouldNotTell,
                    "the request carries no oauth_signature to change",
                ),
            }
        }
        let unknown_secret = Secret::new(WRONG_SECRET);
        let leg = Leg::ResourceAccess {
            token: Some((UNKNOWN_TOKEN, Some(&unknown_secret))),
        };
        self.resigned(
            CheckId::UnknownToken,
            config,
            &leg,
            self.clock.timestamp(),
            Change {
                part: "oauth_token".into(),
                valid: at.token.clone(),
                sent: UNKNOWN_TOKEN.into(),
                note: "an access token the provider never issued".into(),
            },
        )
        .await;
    }

    // ---- the answers themselves ----

    /// Reads every refusal: the status RFC 5849 §3.2 names, and `oauth_problem`.
    fn answers(&mut self) {
        let refusals: Vec<(CheckId, u16, Option<String>)> = self
            .rows
            .iter()
            .filter(|r| r.verdict == Verdict::Enforced && r.id.info().expected_status.is_some())
            .filter_map(|r| {
                let resp = r.answer.as_ref()?.response.as_ref()?;
                Some((r.id, resp.status, r.answer.as_ref()?.problem.clone()))
            })
            .collect();
        if refusals.is_empty() {
            for id in [CheckId::StatusCodes, CheckId::ProblemReporting] {
                self.untold(
                    id,
                    Verdict::CouldNotTell,
                    "no request was refused, so there is no refusal to read",
                );
            }
            return;
        }
        let wrong: Vec<String> = refusals
            .iter()
            .filter(|(id, status, _)| {
                id.info()
                    .expected_status
                    .is_some_and(|e| !accepts(id, e, *status))
            })
            .map(|(id, status, _)| {
                format!(
                    "{id} answered {status} (RFC 5849 §3.2: {})",
                    id.info().expected_status.unwrap_or_default()
                )
            })
            .collect();
        let row = if wrong.is_empty() {
            self.row(CheckId::StatusCodes, Verdict::Enforced, format!("all {} refusals used the status RFC 5849 §3.2 names (400 for a malformed request, 401 for bad credentials, signature, token or nonce)", refusals.len()), None)
        } else {
            self.row(
                CheckId::StatusCodes,
                Verdict::NotEnforced,
                format!(
                    "{} of {} refusals used another status: {}",
                    wrong.len(),
                    refusals.len(),
                    wrong.join("; ")
                ),
                None,
            )
        };
        self.push(row);
        let silent: Vec<String> = refusals
            .iter()
            .filter(|(_, _, p)| p.is_none())
            .map(|(id, _, _)| id.to_string())
            .collect();
        let row = if silent.is_empty() {
            self.row(
                CheckId::ProblemReporting,
                Verdict::Enforced,
                format!(
                    "all {} refusals said why with oauth_problem",
                    refusals.len()
                ),
                None,
            )
        } else {
            self.row(
                CheckId::ProblemReporting,
                Verdict::NotEnforced,
                format!(
                    "{} of {} refusals gave no oauth_problem: {}",
                    silent.len(),
                    refusals.len(),
                    silent.join(", ")
                ),
                None,
            )
        };
        self.push(row);
    }
}

/// Whether a refusal with `status` is the one RFC 5849 §3.2 names for `id` (a timestamp
/// refusal may be either: the RFC names none).
fn accepts(id: &CheckId, expected: u16, status: u16) -> bool {
    match id {
        CheckId::TimestampOld | CheckId::TimestampAhead => matches!(status, 400 | 401),
        _ => status == expected,
    }
}

const REQUEST_TOKEN_CHECKS: [CheckId; 8] = [
    CheckId::NonceReplay,
    CheckId::RequestTokenSignature,
    CheckId::UnknownConsumer,
    CheckId::TimestampOld,
    CheckId::TimestampAhead,
    CheckId::TwoPlaces,
    CheckId::PlaintextOverHttp,
    CheckId::CallbackConfirmed,
];

const RESOURCE_CHECKS: [CheckId; 3] = [
    CheckId::ResourceSignature,
    CheckId::AddedParameter,
    CheckId::UnknownToken,
];

fn credentials(t: signet_oauth1::TokenResponse) -> TokenCredentials {
    TokenCredentials {
        token: t.token,
        secret: t.token_secret,
        extra: t.extra,
    }
}

/// What a wrong request let through changed on the provider.
fn side_effect(id: CheckId) -> Option<String> {
    Some(match id.info().step {
        StepId::TokenRequest => "the provider issued a request token for it (never authorised or used; it expires on its own)".into(),
        StepId::AccessTokenRequest => match id {
            CheckId::WithoutTokenSecret => "the provider exchanged the first request token: the access token it issued is the audit's own".into(),
            _ => "the provider issued an access token for it (the audit does not keep it; revoke it at the provider if you can)".into(),
        },
        StepId::ResourceAccess => "the provider carried out the resource call (the method's own call, a read if it is a GET)".into(),
        _ => return None,
    })
}

/// The verdict on a wrong request that must be refused.
fn must_refuse(id: CheckId, outcome: &Outcome) -> (Verdict, String) {
    let r = match outcome {
        Err(f) => return (Verdict::CouldNotTell, no_answer(f)),
        Ok(r) => &r.response,
    };
    let status = r.status;
    let said = said(outcome);
    let problem = problem_of(r);
    match status {
        200..=299 => (
            Verdict::NotEnforced,
            format!("the provider accepted it: {said}"),
        ),
        // Rate limits, timeouts, missing routes and methods refuse anything, right or wrong.
        404 | 405 | 408 | 429 => (
            Verdict::CouldNotTell,
            format!(
                "{said}: that answer refuses any request, right or wrong, so it says nothing about this check{}",
                if status == 429 {
                    " (lower --rate-limit and audit again)"
                } else {
                    ""
                }
            ),
        ),
        400..=499 if id == CheckId::PlaintextOverHttp => match problem.as_deref() {
            Some("signature_invalid") => (
                Verdict::NotEnforced,
                format!(
                    "the provider checked the PLAINTEXT signature that came over plain HTTP ({said}): a right one would have been accepted, the consumer secret readable on the way"
                ),
            ),
            Some(_) => (Verdict::Enforced, format!("refused: {said}")),
            None if status == 401 => (
                Verdict::CouldNotTell,
                format!(
                    "refused ({said}) without saying why: the provider may refuse PLAINTEXT, or only the made-up secret"
                ),
            ),
            None => (Verdict::Enforced, format!("refused: {said}")),
        },
        400..=499 => (Verdict::Enforced, format!("refused: {said}")),
        500..=599 => (
            Verdict::CouldNotTell,
            format!(
                "the provider failed ({said}) instead of refusing: a server error proves neither"
            ),
        ),
        _ => (
            Verdict::CouldNotTell,
            format!("{said}: neither accepted nor refused"),
        ),
    }
}

fn no_answer(f: &Failure) -> String {
    format!(
        "no answer came ({}): nothing can be told from silence",
        f.message
    )
}

fn answer_of(outcome: &Outcome) -> Answer {
    match outcome {
        Ok(r) => {
            let problem = parse_problem(
                r.response.status,
                r.response.header("content-type"),
                &r.response.body,
            );
            Answer {
                response: Some(RecordedResponse::of(&r.response)),
                transport_error: None,
                problem: problem.as_ref().map(|p| p.code.clone()),
                advice: problem.and_then(|p| p.advice),
            }
        }
        Err(f) => Answer {
            response: None,
            transport_error: Some(f.message.clone()),
            problem: None,
            advice: None,
        },
    }
}

/// A row without what was sent and received: its verdict and reason only.
fn stripped(row: CheckResult) -> CheckResult {
    CheckResult {
        sent: None,
        answer: None,
        ..row
    }
}

/// A request as kept: secret values redacted, the headers the valid request's record masks
/// masked; with PLAINTEXT, the signature (the secret itself) too.
fn recorded(
    req: &OutgoingRequest,
    valid: &signet_oauth1::flow::RecordedRequest,
    plaintext: bool,
) -> signet_oauth1::flow::RecordedRequest {
    let masked = |name: &str| {
        valid
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case(name) && v == REDACTED)
    };
    let redact = |s: &str| {
        let s = redact_secret_values(s);
        if plaintext { redact_signature(&s) } else { s }
    };
    signet_oauth1::flow::RecordedRequest {
        method: req.method.clone(),
        url: redact(&req.url),
        headers: req
            .headers
            .iter()
            .map(|(n, v)| {
                let v = if masked(n) {
                    REDACTED.to_owned()
                } else {
                    redact(v)
                };
                (n.clone(), v)
            })
            .collect(),
        content_type: req.content_type.clone(),
        body: req
            .body
            .as_deref()
            .map(|b| redact(&String::from_utf8_lossy(b))),
    }
}

/// `oauth_signature`'s value replaced (header `name="value"` or `name=value` pairs).
fn redact_signature(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("oauth_signature=") {
        let (head, tail) = rest.split_at(i + "oauth_signature=".len());
        out.push_str(head);
        // `oauth_signature_method=` is not the signature.
        let quoted = tail.starts_with('"');
        let value_end = if quoted {
            tail[1..].find('"').map_or(tail.len(), |e| e + 2)
        } else {
            tail.find(['&', ',', ' ']).unwrap_or(tail.len())
        };
        out.push_str(if quoted { "\"<redacted>\"" } else { REDACTED });
        rest = &tail[value_end..];
    }
    out.push_str(rest);
    out
}

/// The redirect check: the redirect went to the callback given, with the request token.
fn callback_redirect(mut row: CheckResult, a: &Authorised) -> CheckResult {
    let Some(redirect) = &a.redirect else {
        row.verdict = Verdict::DoesNotApply;
        row.reason =
            "the verifier was typed in (PIN, out of band): there is no redirect to compare".into();
        return row;
    };
    // Where a URL goes: its scheme and host (any case) and its path (as written), not its query.
    let place = |url: &str| {
        let url = url.split(['?', '#']).next().unwrap_or(url).to_owned();
        let split = url.find("://").map_or(0, |i| i + 3);
        let host_end = url[split..].find('/').map_or(url.len(), |i| split + i);
        (
            url[..host_end].to_ascii_lowercase(),
            url[host_end..].to_owned(),
            url,
        )
    };
    let token_in = signet_oauth1::Callback::parse(redirect)
        .ok()
        .and_then(|cb| cb.token);
    let (got_host, got_path, shown) = place(redirect);
    let (sent_host, sent_path, given) = place(&a.callback_sent);
    if (got_host, got_path) != (sent_host, sent_path) {
        row.verdict = Verdict::NotEnforced;
        row.reason =
            format!("the provider redirected to {shown}, not to the callback given ({given})");
    } else if token_in.as_deref().is_some_and(|t| t != a.token) {
        row.verdict = Verdict::NotEnforced;
        row.reason =
            "the redirect went to the callback given, but named another request token".into();
    } else {
        row.verdict = Verdict::Enforced;
        row.reason = format!(
            "the provider redirected to the callback given ({shown}){}",
            if token_in.is_some() {
                ", with the request token"
            } else {
                ""
            }
        );
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use signet_oauth1::flow::{
        CallbackConfig, Endpoint, RequestExtras, ResourceRequest, ThreeLeggedConfig,
    };
    use signet_oauth1::verify::{Incoming, inspect};
    use signet_oauth1::{HttpRequest, SignOptions, Verifier};

    const CONSUMER_SECRET: &str = "kd94hf93k423kf44";

    fn config() -> FlowConfig {
        FlowConfig {
            consumer_key: "dpf43f3p2l4k3l03".into(),
            key: ConsumerKey::Secret(Secret::new(CONSUMER_SECRET)),
            signature_method: SignatureMethod::HmacSha256,
            sign_options: SignOptions::default(),
            realm: None,
            mode: ModeConfig::ThreeLegged(ThreeLeggedConfig {
                request_token: Endpoint::post("https://photos.example.net/initiate"),
                authorize_url: "https://photos.example.net/authorize".into(),
                access_token: Endpoint::post("https://photos.example.net/token"),
                callback: CallbackConfig::deep_link(),
                authorize_params: vec![],
                callback_on_authorize_url: false,
                require_callback_confirmed: true,
            }),
            resource: Some(ResourceRequest::get(
                "https://photos.example.net/photos?size=original",
            )),
            extras: RequestExtras::default(),
        }
    }

    /// What the provider's verifier reads from a signed step.
    fn read(step: &SignedStep) -> Incoming {
        let r = &step.outgoing;
        let auth = r
            .headers
            .iter()
            .find(|(n, _)| n == "Authorization")
            .map(|(_, v)| v.as_str());
        let http = HttpRequest {
            method: &r.method,
            url: &r.url,
            content_type: r.content_type.as_deref(),
            body: r.body.as_deref(),
        };
        inspect(&http, auth).unwrap()
    }

    fn inputs(timestamp: u64) -> Inputs {
        Inputs::new(0, timestamp, "the-same-nonce")
    }

    fn verifier(token_secret: Option<&str>) -> Verifier {
        Verifier::Shared {
            consumer_secret: Secret::new(CONSUMER_SECRET),
            token_secret: token_secret.map(Secret::new),
        }
    }

    /// Issue 20: the deviations made before signing differ from the valid request in exactly
    /// the intended way, as the provider's own verifier reads them.
    #[test]
    fn an_old_timestamp_changes_the_timestamp_only_and_still_verifies() {
        let c = config();
        let now = 1_800_000_000;
        let valid = read(&sign_step(&c, &Leg::TokenRequest, &inputs(now)).unwrap());
        for t in [now - HOUR, now + HOUR] {
            let old = read(&sign_step(&c, &Leg::TokenRequest, &inputs(t)).unwrap());
            assert!(old.verify(&verifier(None)), "signed correctly");
            assert_eq!(old.timestamp, t.to_string());
            assert_eq!(
                old.base_string.replace(
                    &format!("oauth_timestamp%3D{t}"),
                    &format!("oauth_timestamp%3D{now}")
                ),
                valid.base_string,
                "nothing else signed differs"
            );
            assert_eq!(
                (old.nonce, old.consumer_key, old.callback),
                (
                    valid.nonce.clone(),
                    valid.consumer_key.clone(),
                    valid.callback.clone()
                )
            );
        }
    }

    #[test]
    fn an_unknown_consumer_changes_the_key_only() {
        let c = config();
        let mut unknown = c.clone();
        unknown.consumer_key = UNKNOWN_CONSUMER.into();
        let valid = read(&sign_step(&c, &Leg::TokenRequest, &inputs(1)).unwrap());
        let sent = read(&sign_step(&unknown, &Leg::TokenRequest, &inputs(1)).unwrap());
        assert_eq!(sent.consumer_key, UNKNOWN_CONSUMER);
        assert!(
            sent.verify(&verifier(None)),
            "signed correctly, with the same secret"
        );
        assert_eq!(
            sent.base_string
                .replace(UNKNOWN_CONSUMER, "dpf43f3p2l4k3l03"),
            valid.base_string
        );
    }

    #[test]
    fn without_the_token_secret_only_the_signing_key_changes() {
        let c = config();
        let secret = Secret::new("pfkkdhi9sl3r4s00");
        let leg = |token_secret| Leg::AccessTokenRequest {
            token: "hh5s93j4hdidpola",
            token_secret,
            verifier: "hfdp7dh39dks9884",
        };
        let valid = read(&sign_step(&c, &leg(Some(&secret)), &inputs(1)).unwrap());
        let bare = read(&sign_step(&c, &leg(None), &inputs(1)).unwrap());
        assert_eq!(
            bare.base_string, valid.base_string,
            "the same request is signed"
        );
        assert_ne!(bare.signature, valid.signature);
        assert!(valid.verify(&verifier(Some("pfkkdhi9sl3r4s00"))));
        assert!(
            !bare.verify(&verifier(Some("pfkkdhi9sl3r4s00"))),
            "a provider that checks refuses it"
        );
        assert!(
            bare.verify(&verifier(None)),
            "it is the consumer secret alone"
        );
    }

    #[test]
    fn the_plaintext_check_never_signs_with_the_real_secret() {
        let mut c = config();
        c.signature_method = SignatureMethod::Plaintext;
        c.key = ConsumerKey::Secret(Secret::new(WRONG_SECRET));
        let step = sign_step(&c, &Leg::TokenRequest, &inputs(1)).unwrap();
        let sent = read(&step);
        assert_eq!(sent.signature, format!("{WRONG_SECRET}&"));
        assert!(
            !format!("{:?}{:?}", step.outgoing.headers, step.outgoing.url)
                .contains(CONSUMER_SECRET)
        );
    }

    #[test]
    fn only_plain_http_to_another_machine_counts_as_a_network() {
        assert_eq!(
            plain_http_over_a_network("http://api.example.com/oauth"),
            Some(true)
        );
        assert_eq!(
            plain_http_over_a_network("HTTP://api.example.com:8080/x"),
            Some(true)
        );
        assert_eq!(
            plain_http_over_a_network("http://127.0.0.1:8000/oauth"),
            Some(false)
        );
        assert_eq!(plain_http_over_a_network("http://localhost/x"), Some(false));
        assert_eq!(plain_http_over_a_network("http://[::1]:80/x"), Some(false));
        assert_eq!(
            plain_http_over_a_network("http://user@10.0.0.1/x"),
            Some(true)
        );
        assert_eq!(
            plain_http_over_a_network("https://api.example.com/"),
            Some(false)
        );
    }

    #[test]
    fn a_plaintext_signature_never_stays_in_a_record() {
        assert_eq!(
            redact_signature(
                r#"OAuth oauth_signature_method="PLAINTEXT", oauth_signature="kd94%26", oauth_nonce="x""#
            ),
            r#"OAuth oauth_signature_method="PLAINTEXT", oauth_signature="<redacted>", oauth_nonce="x""#
        );
        assert_eq!(
            redact_signature("https://x/y?oauth_signature=kd94%26&a=1"),
            "https://x/y?oauth_signature=<redacted>&a=1"
        );
    }

    fn answered(status: u16, problem: Option<&str>) -> Outcome {
        let body = problem
            .map(|p| format!("oauth_problem={p}"))
            .unwrap_or_default();
        Ok(signet_engine::http::Received {
            response: HttpResponse {
                status,
                headers: vec![(
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                )],
                body: body.into_bytes(),
            },
            at: std::time::SystemTime::now(),
        })
    }

    #[test]
    fn refusals_are_enforced_acceptance_is_not_and_failures_tell_nothing() {
        let v = |status, problem| must_refuse(CheckId::NonceReplay, &answered(status, problem)).0;
        assert_eq!(v(401, Some("nonce_used")), Verdict::Enforced);
        assert_eq!(v(400, None), Verdict::Enforced);
        assert_eq!(v(200, None), Verdict::NotEnforced);
        assert_eq!(v(500, None), Verdict::CouldNotTell);
        assert_eq!(v(302, None), Verdict::CouldNotTell);
        for status in [404, 405, 408, 429] {
            assert_eq!(v(status, None), Verdict::CouldNotTell, "{status}");
        }
        assert_eq!(v(403, None), Verdict::Enforced);
        let p =
            |status, problem| must_refuse(CheckId::PlaintextOverHttp, &answered(status, problem)).0;
        assert_eq!(p(401, Some("signature_invalid")), Verdict::NotEnforced);
        assert_eq!(p(400, Some("signature_method_rejected")), Verdict::Enforced);
        assert_eq!(p(401, Some("signature_method_rejected")), Verdict::Enforced);
        assert_eq!(p(401, None), Verdict::CouldNotTell);
        assert_eq!(p(400, Some("signature_invalid")), Verdict::NotEnforced);
        assert_eq!(p(400, None), Verdict::Enforced);
    }

    #[test]
    fn the_redirect_must_go_where_it_was_asked_with_the_token() {
        let row = || CheckResult {
            id: CheckId::CallbackRedirect,
            title: String::new(),
            step: StepId::RedirectToConsumer,
            required: true,
            verdict: Verdict::CouldNotTell,
            reason: String::new(),
            meaning: String::new(),
            sent: None,
            answer: None,
            side_effect: None,
        };
        let a = |redirect: Option<&str>| Authorised {
            token: "rt1".into(),
            token_secret: Secret::new("s"),
            verifier: Secret::new("v"),
            callback_sent: "http://127.0.0.1:5000/cb/k7Qz".into(),
            redirect: redirect.map(str::to_owned),
            callback_confirmed: Some(true),
        };
        let verdict = |r| callback_redirect(row(), &a(r)).verdict;
        assert_eq!(
            verdict(Some(
                "http://127.0.0.1:5000/cb/k7Qz?oauth_token=rt1&oauth_verifier=v"
            )),
            Verdict::Enforced
        );
        assert_eq!(
            verdict(Some(
                "http://127.0.0.1:5000/registered?oauth_token=rt1&oauth_verifier=v"
            )),
            Verdict::NotEnforced
        );
        assert_eq!(
            verdict(Some(
                "http://127.0.0.1:5000/cb/k7Qz?oauth_token=other&oauth_verifier=v"
            )),
            Verdict::NotEnforced
        );
        assert_eq!(verdict(None), Verdict::DoesNotApply);
    }
}
