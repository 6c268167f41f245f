//! The provider audit: does an OAuth 1.0a provider refuse what RFC 5849 says it must?
//!
//! After the usual dance (the user allows access, twice), the audit sends a bounded, listed set
//! of deliberately wrong requests — a signature with one character changed, a parameter added
//! after signing, a replayed nonce, timestamps an hour off, a request token exchanged twice, a
//! verifier from another request token, the access-token leg signed without the request token's
//! secret, an unknown consumer key and token, PLAINTEXT over plain HTTP, the OAuth parameters in
//! two places — and reads each answer: *enforced*, *not enforced* (with what that means for the
//! provider's users), *could not tell* (and why) or *does not apply*.
//!
//! - [`checks`]: the catalogue (what each check sends and why it matters);
//! - [`alter`]: the deviations made after signing, each exactly one change (checked against the
//!   verifier in `signet_oauth1::verify`);
//! - [`run()`]: the plan and the audit itself, over a [`Consent`] the caller provides (the app's
//!   flows, the CLI's browser, the tests' automatic approval);
//! - [`report`]: the rows, the scorecard and JUnit XML.
//!
//! The wrong requests are built by the same code that signs the flow's own
//! ([`signet_oauth1::flow::sign_step`]), so each differs from a valid one in exactly the way
//! the check says and no other. No hook changes a request after signing except the alterations
//! here, and each is recorded with its diff.
#![warn(missing_docs)]

pub mod alter;
pub mod checks;
pub mod report;
pub mod run;

pub use alter::{Altered, Change};
pub use checks::{CheckId, CheckInfo};
pub use report::{Answer, AuditReport, CheckResult, Score, SentRequest, TokenOutcome, Verdict};
pub use run::{
    AuditEvent, AuditOutcome, AuditPlan, AuditSettings, Authorised, Consent, PlannedRequest,
    StopSwitch, audit_config, plan, run,
};

use signet_engine::{Engine, Stop};
use signet_oauth1::flow::{FlowConfig, ModeConfig, StepId};
use signet_oauth1::{ErrorKind, ErrorReport};

/// Steps 1 to 7 through an [`Engine`] (its browser, loopback listener or PIN inbox): the
/// consent of the CLI without a database, and of the tests.
pub struct EngineConsent<'a> {
    /// The engine that runs the dances.
    pub engine: &'a Engine,
}

impl Consent for EngineConsent<'_> {
    async fn authorise(
        &mut self,
        config: &FlowConfig,
        _which: u8,
    ) -> Result<Authorised, ErrorReport> {
        let (run, outcome) = self
            .engine
            .run(config.clone(), Some(StepId::RedirectToConsumer), |_| {})
            .await
            .map_err(|e| e.report())?;
        if outcome.stop != Stop::Reached(StepId::RedirectToConsumer) {
            return Err(outcome.snapshot.error.map(|f| f.error).unwrap_or_else(|| {
                ErrorReport::new(
                    ErrorKind::Internal,
                    format!("the dance stopped before step 7 ({:?})", outcome.stop),
                )
            }));
        }
        authorised(
            run.flow(),
            outcome
                .snapshot
                .request_token
                .and_then(|t| t.callback_confirmed),
        )
    }
}

/// What a flow stopped after step 7 holds for the audit.
pub fn authorised(
    flow: &signet_oauth1::Flow,
    callback_confirmed: Option<bool>,
) -> Result<Authorised, ErrorReport> {
    let pending = flow.pending_exchange().ok_or_else(|| {
        ErrorReport::new(
            ErrorKind::Internal,
            "the dance reached step 7 without a request token and verifier",
        )
    })?;
    let callback_sent = match &flow.config().mode {
        ModeConfig::ThreeLegged(t) => t.callback.url.clone(),
        _ => String::new(),
    };
    Ok(Authorised {
        token: pending.token.to_owned(),
        token_secret: pending.token_secret.clone(),
        verifier: pending.verifier.clone(),
        callback_sent,
        redirect: pending.redirect.map(str::to_owned),
        callback_confirmed,
    })
}
