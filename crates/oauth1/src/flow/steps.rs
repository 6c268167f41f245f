//! The ten steps of the three-legged flow as data: id, title, actor and a plain-words
//! explanation, in the order of the product's documentation (and `shared/ARCHITECTURE.md`).
//! The wizard and the CLI render this table; the state machine only refers to [`StepId`]s.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One of the ten steps, numbered 1 to 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StepId {
    /// 1. The consumer's credentials, endpoints and options are set up and checked.
    ConsumerRegistration = 1,
    /// 2. The user starts the flow (the Connect button).
    UserInitiation,
    /// 3. Signet asks for a request token (temporary credentials).
    TokenRequest,
    /// 4. The provider checks the request.
    UserAuthentication,
    /// 5. The provider issues the request token.
    RequestTokenIssued,
    /// 6. The user approves access at the provider.
    UserAuthorisation,
    /// 7. The provider sends the user back with a verifier.
    RedirectToConsumer,
    /// 8. Signet exchanges the request token and verifier for an access token.
    AccessTokenRequest,
    /// 9. The provider issues the access token (token credentials).
    AccessTokenIssued,
    /// 10. Signet calls a protected resource with the access token.
    ResourceAccess,
}

impl StepId {
    /// All ten, in order.
    pub const ALL: [StepId; 10] = [
        StepId::ConsumerRegistration,
        StepId::UserInitiation,
        StepId::TokenRequest,
        StepId::UserAuthentication,
        StepId::RequestTokenIssued,
        StepId::UserAuthorisation,
        StepId::RedirectToConsumer,
        StepId::AccessTokenRequest,
        StepId::AccessTokenIssued,
        StepId::ResourceAccess,
    ];

    /// The step's number, 1 to 10.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The step numbered `n` (1 to 10).
    pub fn from_number(n: u8) -> Option<Self> {
        Self::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    /// The step's row in [`STEPS`].
    pub fn info(self) -> &'static StepInfo {
        &STEPS[usize::from(self.number()) - 1]
    }

    /// The snake_case key (`token_request`), as serialized.
    pub fn key(self) -> &'static str {
        self.info().key
    }

    /// The steps the protocol skips when no request token is needed (3 to 9).
    pub(crate) fn is_dance(self) -> bool {
        (3..=9).contains(&self.number())
    }
}

impl fmt::Display for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {} ({})", self.number(), self.info().title)
    }
}

/// Who acts in a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The person using Signet.
    User,
    /// Signet itself (it signs and sends a request).
    Signet,
    /// The OAuth provider (the service being connected).
    Provider,
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not reached yet.
    #[default]
    Pending,
    /// Happening now (a request in flight, the user at the provider's page).
    Active,
    /// Completed.
    Done,
    /// Went wrong; the step's error says why.
    Failed,
    /// Not part of this run (the mode does not need it, or the run was cancelled).
    Skipped,
}

/// One row of the steps table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepInfo {
    /// The step.
    pub id: StepId,
    /// 1 to 10.
    pub number: u8,
    /// The snake_case key.
    pub key: &'static str,
    /// A short title.
    pub title: &'static str,
    /// Who acts.
    pub actor: Actor,
    /// What happens, in plain words for someone who is not a programmer.
    pub explanation: &'static str,
    /// The step as one message of the sequence diagram (you, Signet, the provider).
    pub message: StepMessage,
}

/// A step as an arrow of the sequence diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepMessage {
    /// Who sends it.
    pub from: Actor,
    /// Who receives it (the sender itself for what a party does on its own: the provider's
    /// check).
    pub to: Actor,
    /// What travels, in a few words.
    pub label: &'static str,
    /// A reply or a redirect rather than a request (drawn dashed).
    pub reply: bool,
}

/// The ten steps, in order.
pub const STEPS: [StepInfo; 10] = [
    StepInfo {
        id: StepId::ConsumerRegistration,
        number: 1,
        key: "consumer_registration",
        title: "Consumer registration",
        actor: Actor::User,
        explanation: "You registered an app with the provider and copied its consumer key and secret (or set up an RSA key). Signet checks that the key, the addresses and the options fit together.",
        message: StepMessage {
            from: Actor::User,
            to: Actor::Signet,
            label: "consumer key & secret",
            reply: false,
        },
    },
    StepInfo {
        id: StepId::UserInitiation,
        number: 2,
        key: "user_initiation",
        title: "User initiation",
        actor: Actor::User,
        explanation: "You press Connect. Signet starts talking to the provider.",
        message: StepMessage {
            from: Actor::User,
            to: Actor::Signet,
            label: "Connect",
            reply: false,
        },
    },
    StepInfo {
        id: StepId::TokenRequest,
        number: 3,
        key: "token_request",
        title: "Token request",
        actor: Actor::Signet,
        explanation: "Signet sends a signed request to the provider asking for a temporary request token. The request says where the provider should send you back afterwards.",
        message: StepMessage {
            from: Actor::Signet,
            to: Actor::Provider,
            label: "signed request-token request",
            reply: false,
        },
    },
    StepInfo {
        id: StepId::UserAuthentication,
        number: 4,
        key: "user_authentication",
        title: "User authentication",
        actor: Actor::Provider,
        explanation: "The provider checks the request: that it knows the app and that the signature is right. Later you sign in at the provider's site.",
        message: StepMessage {
            from: Actor::Provider,
            to: Actor::Provider,
            label: "checks key & signature",
            reply: false,
        },
    },
    StepInfo {
        id: StepId::RequestTokenIssued,
        number: 5,
        key: "request_token_issued",
        title: "Request token issued",
        actor: Actor::Provider,
        explanation: "The provider answers with a request token and its secret. The token is only good for asking you for permission.",
        message: StepMessage {
            from: Actor::Provider,
            to: Actor::Signet,
            label: "request token + secret",
            reply: true,
        },
    },
    StepInfo {
        id: StepId::UserAuthorisation,
        number: 6,
        key: "user_authorisation",
        title: "User authorisation",
        actor: Actor::User,
        explanation: "Your browser opens the provider's page. You sign in there if needed and choose whether to let the app in.",
        message: StepMessage {
            from: Actor::User,
            to: Actor::Provider,
            label: "sign in & allow (browser)",
            reply: false,
        },
    },
    StepInfo {
        id: StepId::RedirectToConsumer,
        number: 7,
        key: "redirect_to_consumer",
        title: "Redirect to consumer",
        actor: Actor::Provider,
        explanation: "The provider sends you back to Signet with a verifier that proves you said yes (or shows a PIN for you to type in). Signet checks it belongs to this attempt.",
        message: StepMessage {
            from: Actor::Provider,
            to: Actor::Signet,
            label: "redirect with verifier",
            reply: true,
        },
    },
    StepInfo {
        id: StepId::AccessTokenRequest,
        number: 8,
        key: "access_token_request",
        title: "Access token request",
        actor: Actor::Signet,
        explanation: "Signet sends a second signed request, with the request token and the verifier, asking for the real access token.",
        message: StepMessage {
            from: Actor::Signet,
            to: Actor::Provider,
            label: "signed access-token request",
            reply: false,
        },
    },
    StepInfo {
        id: StepId::AccessTokenIssued,
        number: 9,
        key: "access_token_issued",
        title: "Access token issued",
        actor: Actor::Provider,
        explanation: "The provider answers with the access token and its secret. Signet keeps them safely; they let the app act for you until you revoke them.",
        message: StepMessage {
            from: Actor::Provider,
            to: Actor::Signet,
            label: "access token + secret",
            reply: true,
        },
    },
    StepInfo {
        id: StepId::ResourceAccess,
        number: 10,
        key: "resource_access",
        title: "Resource access",
        actor: Actor::Signet,
        explanation: "Signet makes a signed call to the provider's API with the access token, to show the connection works.",
        message: StepMessage {
            from: Actor::Signet,
            to: Actor::Provider,
            label: "signed API call",
            reply: false,
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_ids_and_serde_keys() {
        for (i, info) in STEPS.iter().enumerate() {
            assert_eq!(usize::from(info.number), i + 1);
            assert_eq!(info.id.number(), info.number);
            assert_eq!(StepId::from_number(info.number), Some(info.id));
            let json = serde_json::to_string(&info.id).unwrap();
            assert_eq!(json, format!("\"{}\"", info.key));
        }
        assert_eq!(StepId::from_number(0), None);
        assert_eq!(StepId::from_number(11), None);
        assert_eq!(
            StepId::AccessTokenRequest.to_string(),
            "step 8 (Access token request)"
        );
    }
}
