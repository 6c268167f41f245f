//! The checks an audit makes, in the order it makes them, with what each sends and what it
//! means for the provider's users when the provider lets the request through.

use serde::{Deserialize, Serialize};
use signet_oauth1::flow::StepId;

/// One check of the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// A request-token request whose signature has one character changed.
    RequestTokenSignature,
    /// A request-token request from a consumer key the provider never issued.
    UnknownConsumer,
    /// A request-token request stamped an hour ago (signed correctly).
    TimestampOld,
    /// A request-token request stamped an hour ahead (signed correctly).
    TimestampAhead,
    /// A request-token request sent a second time, byte for byte (same nonce and timestamp).
    NonceReplay,
    /// A request-token request carrying its OAuth parameters in the header and the query.
    TwoPlaces,
    /// A PLAINTEXT request over plain HTTP (signed with a wrong secret: the real one never
    /// leaves Signet).
    PlaintextOverHttp,
    /// The request-token answer carries `oauth_callback_confirmed=true`.
    CallbackConfirmed,
    /// The provider redirected to the callback given in step 3, with the request token.
    CallbackRedirect,
    /// An access-token request with the verifier of another request token.
    ForeignVerifier,
    /// An access-token request signed without the request token's secret.
    WithoutTokenSecret,
    /// An access-token request for a request token (and verifier) already exchanged.
    TokenReuse,
    /// A resource call whose signature has one character changed.
    ResourceSignature,
    /// A resource call with a query parameter added after it was signed.
    AddedParameter,
    /// A resource call with an access token the provider never issued.
    UnknownToken,
    /// Every refusal uses the status RFC 5849 §3.2 names (400 or 401).
    StatusCodes,
    /// Every refusal says why with `oauth_problem` (the Problem Reporting extension).
    ProblemReporting,
}

/// What the audit knows of a check before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    /// What is checked, in plain words.
    pub title: &'static str,
    /// The step whose request is altered.
    pub step: StepId,
    /// A hole for the provider's users when not enforced (the CLI's exit code counts these);
    /// the others are the RFC's recommendations.
    pub required: bool,
    /// What the audit sends.
    pub sends: &'static str,
    /// What it means for the provider's users when the provider lets it through.
    pub not_enforced: &'static str,
    /// The status RFC 5849 §3.2 gives a refusal of this request (none for the checks that read
    /// answers instead of sending).
    pub expected_status: Option<u16>,
}

impl CheckId {
    /// Every check, in the order reports list them (by step).
    pub const ALL: [CheckId; 17] = [
        CheckId::RequestTokenSignature,
        CheckId::UnknownConsumer,
        CheckId::TimestampOld,
        CheckId::TimestampAhead,
        CheckId::NonceReplay,
        CheckId::TwoPlaces,
        CheckId::PlaintextOverHttp,
        CheckId::CallbackConfirmed,
        CheckId::CallbackRedirect,
        CheckId::ForeignVerifier,
        CheckId::WithoutTokenSecret,
        CheckId::TokenReuse,
        CheckId::ResourceSignature,
        CheckId::AddedParameter,
        CheckId::UnknownToken,
        CheckId::StatusCodes,
        CheckId::ProblemReporting,
    ];

    /// The check's name in reports (`request_token_signature`, ...).
    pub fn name(self) -> &'static str {
        match self {
            CheckId::RequestTokenSignature => "request_token_signature",
            CheckId::UnknownConsumer => "unknown_consumer",
            CheckId::TimestampOld => "timestamp_old",
            CheckId::TimestampAhead => "timestamp_ahead",
            CheckId::NonceReplay => "nonce_replay",
            CheckId::TwoPlaces => "two_places",
            CheckId::PlaintextOverHttp => "plaintext_over_http",
            CheckId::CallbackConfirmed => "callback_confirmed",
            CheckId::CallbackRedirect => "callback_redirect",
            CheckId::ForeignVerifier => "foreign_verifier",
            CheckId::WithoutTokenSecret => "without_token_secret",
            CheckId::TokenReuse => "token_reuse",
            CheckId::ResourceSignature => "resource_signature",
            CheckId::AddedParameter => "added_parameter",
            CheckId::UnknownToken => "unknown_token",
            CheckId::StatusCodes => "status_codes",
            CheckId::ProblemReporting => "problem_reporting",
        }
    }

    /// What the audit knows of the check.
    pub fn info(self) -> CheckInfo {
        use StepId::{
            AccessTokenRequest, RedirectToConsumer, RequestTokenIssued, ResourceAccess,
            TokenRequest,
        };
        let info = |title, step, required, sends, not_enforced, expected_status| CheckInfo {
            title,
            step,
            required,
            sends,
            not_enforced,
            expected_status,
        };
        match self {
            CheckId::RequestTokenSignature => info(
                "A wrong signature is refused (request token)",
                TokenRequest,
                true,
                "the request-token request with one character of oauth_signature changed",
                "the provider does not check signatures: anyone who knows a consumer key can act as that application, without its secret",
                Some(401),
            ),
            CheckId::UnknownConsumer => info(
                "An unknown consumer key is refused",
                TokenRequest,
                true,
                "the request-token request from a consumer key the provider never issued",
                "the provider hands request tokens to applications it never registered",
                Some(401),
            ),
            CheckId::TimestampOld => info(
                "A timestamp an hour old is refused",
                TokenRequest,
                true,
                "the request-token request stamped an hour ago, signed correctly",
                "requests captured on the wire stay usable for an hour or more: the nonce check alone must stop every replay",
                Some(401),
            ),
            CheckId::TimestampAhead => info(
                "A timestamp an hour ahead is refused",
                TokenRequest,
                true,
                "the request-token request stamped an hour in the future, signed correctly",
                "a request prepared in advance stays usable until its time comes: replays can be planned",
                Some(401),
            ),
            CheckId::NonceReplay => info(
                "A replayed request is refused",
                TokenRequest,
                true,
                "the request-token request sent a second time, byte for byte (the same nonce and timestamp)",
                "a request seen on the wire can be sent again by anyone, and the provider carries it out again",
                Some(401),
            ),
            CheckId::TwoPlaces => info(
                "OAuth parameters in two places at once are refused",
                TokenRequest,
                false,
                "the request-token request with its oauth_* parameters in the Authorization header and in the query",
                "the provider picks one copy of the parameters and may verify another: a request can say one thing and be checked as another",
                Some(400),
            ),
            CheckId::PlaintextOverHttp => info(
                "PLAINTEXT over plain HTTP is refused",
                TokenRequest,
                false,
                "a PLAINTEXT request over plain HTTP, signed with a wrong secret (the real one is never sent)",
                "applications may send their consumer secret in clear over the network, where anyone on the way can read it",
                Some(400),
            ),
            CheckId::CallbackConfirmed => info(
                "The request-token answer confirms the callback",
                RequestTokenIssued,
                true,
                "nothing more: the answer to the valid request-token request is read",
                "without oauth_callback_confirmed=true an application cannot tell an OAuth 1.0a provider from a 1.0 one, which is open to session fixation",
                None,
            ),
            CheckId::CallbackRedirect => info(
                "The redirect goes to the callback given",
                RedirectToConsumer,
                true,
                "nothing more: the redirect after consent is compared with the callback sent in step 3",
                "the user's verifier goes to an address the application did not ask for",
                None,
            ),
            CheckId::ForeignVerifier => info(
                "A verifier from another request token is refused",
                AccessTokenRequest,
                true,
                "the access-token request for one authorised request token with the verifier of another",
                "a verifier is not tied to its request token: whoever holds any verifier can finish someone else's authorisation",
                Some(401),
            ),
            CheckId::WithoutTokenSecret => info(
                "The access-token request needs the request token's secret",
                AccessTokenRequest,
                true,
                "the access-token request signed with the consumer secret only, without the request token's secret",
                "whoever sees a request token and its verifier (in a redirect, a log, a browser history) can exchange it without its secret",
                Some(401),
            ),
            CheckId::TokenReuse => info(
                "A request token and its verifier work once",
                AccessTokenRequest,
                true,
                "the access-token request for a request token already exchanged, with the same verifier and a fresh nonce",
                "a request token and verifier that leak after use still issue access tokens",
                Some(401),
            ),
            CheckId::ResourceSignature => info(
                "A wrong signature is refused (resource call)",
                ResourceAccess,
                true,
                "the resource call with one character of oauth_signature changed",
                "protected resources do not check signatures: anyone who sees an access token can use it without its secret",
                Some(401),
            ),
            CheckId::AddedParameter => info(
                "A parameter added after signing is refused",
                ResourceAccess,
                true,
                "the resource call with a query parameter appended after it was signed",
                "a request can be changed on the way (a parameter added to a signed call) and the provider still carries it out",
                Some(401),
            ),
            CheckId::UnknownToken => info(
                "An unknown access token is refused",
                ResourceAccess,
                true,
                "the resource call with an access token the provider never issued",
                "protected resources answer for tokens nobody was given",
                Some(401),
            ),
            CheckId::StatusCodes => info(
                "Refusals use the RFC's status codes",
                ResourceAccess,
                false,
                "nothing more: every refusal above is read",
                "applications cannot tell a bad request (400) from bad credentials (401), and retry or give up wrongly",
                None,
            ),
            CheckId::ProblemReporting => info(
                "Refusals say why (oauth_problem)",
                ResourceAccess,
                false,
                "nothing more: every refusal above is read",
                "applications and their users get no reason for a refusal: every failure looks the same",
                None,
            ),
        }
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serialized_names_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for id in CheckId::ALL {
            assert_eq!(
                serde_json::to_value(id).unwrap(),
                serde_json::Value::String(id.name().into())
            );
            assert!(seen.insert(id.name()), "{id} twice");
            let info = id.info();
            assert!(!info.title.is_empty() && !info.not_enforced.is_empty());
        }
    }
}
