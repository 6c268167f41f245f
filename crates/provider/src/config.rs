//! What the provider knows before it starts: registered consumers (with their secret or RSA
//! public key and callback prefixes), users who can sign in, and its policy.

use std::time::Duration;

use signet_oauth1::{RsaPublicKeyPem, Secret, SignatureMethod};

use crate::error::Result;
use crate::faults::Faults;
use crate::profile::QuirkProfile;

/// The documented demo values. They are throwaway credentials for a local demo provider:
/// printing them is intended.
pub mod demo {
    /// The shared-secret demo consumer's key (HMAC-SHA1/256/512 and PLAINTEXT).
    pub const CONSUMER_KEY: &str = "signet-demo";
    /// The shared-secret demo consumer's secret.
    pub const CONSUMER_SECRET: &str = "signet-demo-secret";
    /// The RSA demo consumer's key (RSA-SHA1/256/512).
    pub const RSA_CONSUMER_KEY: &str = "signet-demo-rsa";
    /// The RSA demo consumer's private key (PKCS#1 PEM), a throwaway key shipped with the crate.
    pub const RSA_PRIVATE_KEY_PEM: &str = include_str!("../keys/rsa-private.pem");
    /// The public key the RSA demo consumer registered.
    pub const RSA_PUBLIC_KEY_PEM: &str = include_str!("../keys/rsa-public.pem");
    /// The demo users: (username, password, display name).
    pub const USERS: [(&str, &str, &str); 2] = [
        ("alice", "wonderland", "Alice Liddell"),
        ("bob", "builder", "Bob the Builder"),
    ];
    /// The access token a quirk profile with pre-issued tokens (NetSuite, Magento 2) accepts
    /// for the shared-secret consumer, on behalf of `alice`.
    pub const PRE_ISSUED_TOKEN: &str = "signet-demo-token";
    /// Its secret.
    pub const PRE_ISSUED_TOKEN_SECRET: &str = "signet-demo-token-secret";
    /// Callback prefixes the demo consumers registered.
    pub const CALLBACK_PREFIXES: [&str; 4] = [
        "signet://callback",
        "http://127.0.0.1",
        "http://localhost",
        "oob",
    ];
}

/// How a consumer proves who it is.
#[derive(Debug, Clone)]
pub enum ConsumerCredentials {
    /// A shared consumer secret: HMAC-SHA1/256/512 and PLAINTEXT.
    Shared(Secret),
    /// A registered RSA public key: RSA-SHA1/256/512.
    Rsa(RsaPublicKeyPem),
}

impl ConsumerCredentials {
    /// Whether a consumer registered this way may sign with `method`.
    pub fn allows(&self, method: SignatureMethod) -> bool {
        match self {
            Self::Shared(_) => !method.is_rsa(),
            Self::Rsa(_) => method.is_rsa(),
        }
    }

    /// The methods this consumer may use, for problem advice.
    pub fn allowed_methods(&self) -> Vec<&'static str> {
        SignatureMethod::ALL
            .into_iter()
            .filter(|m| self.allows(*m))
            .map(SignatureMethod::as_str)
            .collect()
    }
}

/// A registered consumer (client).
#[derive(Debug, Clone)]
pub struct Consumer {
    /// `oauth_consumer_key`.
    pub key: String,
    /// The application name the consent page shows.
    pub name: String,
    /// The secret or public key.
    pub credentials: ConsumerCredentials,
    /// Callbacks must start with one of these (at a URL boundary); `oob` must match exactly.
    pub callback_prefixes: Vec<String>,
}

impl Consumer {
    /// A shared-secret consumer with the demo callback prefixes.
    pub fn shared(key: &str, name: &str, secret: &str) -> Self {
        Self {
            key: key.to_owned(),
            name: name.to_owned(),
            credentials: ConsumerCredentials::Shared(Secret::new(secret)),
            callback_prefixes: demo::CALLBACK_PREFIXES.map(str::to_owned).to_vec(),
        }
    }

    /// An RSA consumer with the demo callback prefixes.
    pub fn rsa(key: &str, name: &str, public_key_pem: &str) -> Result<Self> {
        Ok(Self {
            key: key.to_owned(),
            name: name.to_owned(),
            credentials: ConsumerCredentials::Rsa(RsaPublicKeyPem::parse(public_key_pem)?),
            callback_prefixes: demo::CALLBACK_PREFIXES.map(str::to_owned).to_vec(),
        })
    }

    /// Whether `callback` is registered: `oob` exactly, or a URL matching a registered one
    /// part by part ([`callback_matches`]): `http://127.0.0.1` admits
    /// `http://127.0.0.1:8765/cb`, never `http://127.0.0.1.evil.example` or
    /// `http://127.0.0.1:1@evil.example/`.
    pub fn accepts_callback(&self, callback: &str) -> bool {
        self.callback_prefixes
            .iter()
            .any(|registered| callback_matches(registered, callback))
    }
}

/// Whether `callback` is one the registered callback allows, compared as a strict provider
/// does, part by part once both are parsed: `oob` only as itself; no user info (`user@host`
/// hides the real host); the same scheme and host; the registered port when it names one (a
/// loopback callback may take any port, RFC 8252 section 7.3); the registered path, or one
/// below it at a `/`; the registered query, when it has one, exactly.
pub fn callback_matches(registered: &str, callback: &str) -> bool {
    if registered == "oob" || callback == "oob" {
        return registered == callback;
    }
    let (Ok(r), Ok(c)) = (
        reqwest::Url::parse(registered),
        reqwest::Url::parse(callback),
    ) else {
        return false;
    };
    if !c.username().is_empty() || c.password().is_some() {
        return false;
    }
    if r.scheme() != c.scheme() || r.host_str() != c.host_str() || c.host_str().is_none() {
        return false;
    }
    if r.port().is_some() && r.port() != c.port() {
        return false;
    }
    let (rp, cp) = (r.path(), c.path());
    let path_ok = rp.is_empty()
        || rp == "/"
        || cp == rp
        || cp
            .strip_prefix(rp)
            .is_some_and(|rest| rp.ends_with('/') || rest.starts_with('/'));
    path_ok && r.query().is_none_or(|q| c.query() == Some(q))
}

/// A user who can sign in on the consent page.
#[derive(Debug, Clone)]
pub struct User {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: Secret,
    /// Display name.
    pub display_name: String,
}

impl User {
    /// A user.
    pub fn new(username: &str, password: &str, display_name: &str) -> Self {
        Self {
            username: username.to_owned(),
            password: Secret::new(password),
            display_name: display_name.to_owned(),
        }
    }
}

/// Everything the provider is started with.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// Registered consumers.
    pub consumers: Vec<Consumer>,
    /// Users who can sign in.
    pub users: Vec<User>,
    /// Accepted distance between `oauth_timestamp` and the provider's clock (default 300 s).
    pub timestamp_window: Duration,
    /// How long a request token may wait for consent and exchange (default 10 minutes).
    pub request_token_ttl: Duration,
    /// The port on 127.0.0.1 to listen on; 0 picks a free one.
    pub port: u16,
    /// The realm named in `WWW-Authenticate` challenges.
    pub realm: String,
    /// Fault switches in force at start.
    pub faults: Faults,
    /// Imitate a real provider's quirks (`None`: the demo's own documented behaviour).
    pub profile: Option<QuirkProfile>,
    /// A file that keeps the access tokens it issues, so a provider started again (the next run
    /// of the app or of `signet call`) still accepts them; `None` keeps them in memory only.
    pub token_store: Option<std::path::PathBuf>,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        Self {
            consumers: Vec::new(),
            users: Vec::new(),
            timestamp_window: Duration::from_secs(300),
            request_token_ttl: Duration::from_secs(600),
            port: 0,
            realm: "Signet Demo".to_owned(),
            faults: Faults::default(),
            profile: None,
            token_store: None,
        }
    }
}

impl ProviderConfig {
    /// The documented demo: consumers `signet-demo` (shared secret) and `signet-demo-rsa`
    /// (the shipped RSA key), users `alice` and `bob`.
    pub fn demo() -> Self {
        let rsa = Consumer::rsa(
            demo::RSA_CONSUMER_KEY,
            "Signet Demo (RSA)",
            demo::RSA_PUBLIC_KEY_PEM,
        )
        .expect("the shipped demo public key parses");
        Self {
            consumers: vec![
                Consumer::shared(demo::CONSUMER_KEY, "Signet Demo", demo::CONSUMER_SECRET),
                rsa,
            ],
            users: demo::USERS
                .iter()
                .map(|(u, p, n)| User::new(u, p, n))
                .collect(),
            ..Self::default()
        }
    }

    /// Listen on this port (0: any free one).
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Keep issued access tokens in this file (see [`ProviderConfig::token_store`]).
    pub fn with_token_store(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.token_store = Some(path.into());
        self
    }

    /// Start with these faults on.
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Register another consumer.
    pub fn with_consumer(mut self, consumer: Consumer) -> Self {
        self.consumers.push(consumer);
        self
    }

    /// Add a user.
    pub fn with_user(mut self, user: User) -> Self {
        self.users.push(user);
        self
    }

    /// Use another timestamp window.
    pub fn with_timestamp_window(mut self, window: Duration) -> Self {
        self.timestamp_window = window;
        self
    }

    /// Imitate a provider's quirks (see [`QuirkProfile::for_preset`]).
    pub fn with_profile(mut self, profile: QuirkProfile) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Use another request-token lifetime.
    pub fn with_request_token_ttl(mut self, ttl: Duration) -> Self {
        self.request_token_ttl = ttl;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_prefixes_match_at_url_boundaries() {
        let c = Consumer::shared("k", "App", "s");
        for ok in [
            "oob",
            "signet://callback",
            "signet://callback?state=1",
            "http://127.0.0.1:8765/callback",
            "http://127.0.0.1/cb",
            "http://localhost:9/x?y=z",
            "http://LOCALHOST:9/x",
            "signet://callback/k7Qz3a9XbTq",
        ] {
            assert!(c.accepts_callback(ok), "{ok}");
        }
        // Ports and paths, when the registration names them.
        let exact = "https://app.example:8443/oauth/done?x=1";
        assert!(callback_matches(
            exact,
            "https://app.example:8443/oauth/done?x=1"
        ));
        assert!(callback_matches(
            exact,
            "https://app.example:8443/oauth/done/more?x=1"
        ));
        for bad in [
            "https://app.example/oauth/done?x=1",
            "https://app.example:8444/oauth/done?x=1",
            "https://app.example:8443/oauth/donekey?x=1",
            "https://app.example:8443/oauth?x=1",
            "https://app.example:8443/oauth/done?x=2",
            "https://app.example:8443/oauth/done",
        ] {
            assert!(!callback_matches(exact, bad), "{bad}");
        }
        for bad in [
            "OOB",
            "oob2",
            "signet://callbackevil",
            "http://127.0.0.1.evil.example/",
            "http://localhost.evil.example",
            "https://evil.example/?http://127.0.0.1",
            "",
            // Issue 18: user info hides the real host.
            "http://127.0.0.1:1@evil.example/",
            "http://127.0.0.1@evil.example/cb",
            "signet://user@callback",
            "https://127.0.0.1/cb",
            "signet:callback",
        ] {
            assert!(!c.accepts_callback(bad), "{bad}");
        }
    }

    #[test]
    fn demo_consumers_split_methods_by_key_kind() {
        let cfg = ProviderConfig::demo();
        let shared = &cfg.consumers[0].credentials;
        let rsa = &cfg.consumers[1].credentials;
        for m in SignatureMethod::ALL {
            assert_eq!(shared.allows(m), !m.is_rsa());
            assert_eq!(rsa.allows(m), m.is_rsa());
        }
    }
}
