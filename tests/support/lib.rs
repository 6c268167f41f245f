//! Shared pieces of the end-to-end tests: a browser that signs in at the demo provider and
//! brings the answer back the way a real one would (following the redirect to the loopback
//! listener, as a deep link, or as a typed PIN), and connector configurations for the demo
//! provider.
#![allow(missing_docs)]

pub mod hostile;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use signet_engine::{Browser, Engine, EngineSettings, Inbox};
use signet_oauth1::flow::*;
use signet_oauth1::{Placement, RsaPrivateKeyPem, Secret, SignOptions, SignatureMethod};
use signet_provider::{RunningProvider, approve, demo};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Deliver {
    /// The browser follows the redirect to the loopback listener.
    Follow,
    /// The app hands the redirect in as a deep link.
    DeepLink,
    /// The user types the PIN.
    Pin,
}

/// A browser that signs in as alice, decides, and brings the answer back the way `deliver` says.
pub struct TestBrowser {
    pub inbox: Inbox,
    pub deliver: Deliver,
    pub allow: bool,
    /// Replace the redirect's token with the right one after delivering it as is (the provider's
    /// `wrong_token_in_redirect` fault).
    pub fix_token: bool,
    pub opened: Arc<Mutex<Vec<String>>>,
}

impl Browser for TestBrowser {
    fn open(&self, url: &str) -> signet_engine::Result<()> {
        self.opened.lock().unwrap().push(url.to_owned());
        let (url, inbox, deliver, allow, fix) = (
            url.to_owned(),
            self.inbox.clone(),
            self.deliver,
            self.allow,
            self.fix_token,
        );
        tokio::spawn(async move {
            let out = approve(&url, "alice", "wonderland", allow).await.unwrap();
            match (deliver, out.redirect, out.pin) {
                (Deliver::Pin, _, Some(pin)) => inbox.pin(pin),
                (Deliver::Pin, _, None) => inbox.cancel(),
                (Deliver::Follow, Some(redirect), _) => {
                    let page = reqwest::get(&redirect).await.unwrap();
                    assert_eq!(page.status(), 200);
                    assert!(
                        page.text()
                            .await
                            .unwrap()
                            .contains("You can return to Signet")
                    );
                    if fix {
                        let token = url
                            .split("oauth_token=")
                            .nth(1)
                            .unwrap()
                            .split('&')
                            .next()
                            .unwrap();
                        inbox.deep_link(fix_token(&redirect, token));
                    }
                }
                (Deliver::DeepLink, Some(redirect), _) => {
                    inbox.deep_link(redirect.clone());
                    if fix {
                        let token = url
                            .split("oauth_token=")
                            .nth(1)
                            .unwrap()
                            .split('&')
                            .next()
                            .unwrap();
                        inbox.deep_link(fix_token(&redirect, token));
                    }
                }
                (d, r, p) => panic!("cannot deliver {d:?} from {r:?} {p:?}"),
            }
        });
        Ok(())
    }
}

pub fn fix_token(redirect: &str, token: &str) -> String {
    let (base, query) = redirect.split_once('?').unwrap();
    let query: Vec<String> = query
        .split('&')
        .map(|p| {
            if p.starts_with("oauth_token=") {
                format!("oauth_token={token}")
            } else {
                p.to_owned()
            }
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

pub fn config(
    p: &RunningProvider,
    method: SignatureMethod,
    callback: CallbackConfig,
    placement: Placement,
) -> FlowConfig {
    let (consumer_key, key) = if method.is_rsa() {
        (
            demo::RSA_CONSUMER_KEY,
            ConsumerKey::Rsa(RsaPrivateKeyPem::parse(demo::RSA_PRIVATE_KEY_PEM).unwrap()),
        )
    } else {
        (
            demo::CONSUMER_KEY,
            ConsumerKey::Secret(Secret::new(demo::CONSUMER_SECRET)),
        )
    };
    FlowConfig {
        extras: Default::default(),
        consumer_key: consumer_key.into(),
        key,
        signature_method: method,
        sign_options: SignOptions {
            placement,
            ..Default::default()
        },
        realm: None,
        mode: ModeConfig::ThreeLegged(ThreeLeggedConfig {
            request_token: Endpoint::post(p.request_token_url()),
            authorize_url: p.authorize_url(),
            access_token: Endpoint::post(p.access_token_url()),
            callback,
            authorize_params: vec![],
            callback_on_authorize_url: false,
            require_callback_confirmed: true,
        }),
        resource: Some(ResourceRequest {
            headers: Vec::new(),
            masked_headers: Vec::new(),
            method: "POST".into(),
            url: format!("{}?page=1", p.echo_url()),
            content_type: Some("application/x-www-form-urlencoded".into()),
            body: Some("status=hello%20world".into()),
        }),
    }
}

pub fn callback_for(deliver: Deliver) -> CallbackConfig {
    match deliver {
        Deliver::Follow => CallbackConfig::loopback(0, "/callback"),
        Deliver::DeepLink => CallbackConfig::deep_link(),
        Deliver::Pin => CallbackConfig::oob(),
    }
}

pub fn engine_with(
    settings: EngineSettings,
    deliver: Deliver,
    allow: bool,
    fix_token: bool,
) -> (Engine, Arc<Mutex<Vec<String>>>) {
    let engine = Engine::new(settings).unwrap();
    let opened = Arc::new(Mutex::new(Vec::new()));
    let browser = TestBrowser {
        inbox: engine.inbox(),
        deliver,
        allow,
        fix_token,
        opened: opened.clone(),
    };
    (engine.with_browser(browser), opened)
}

pub fn quick() -> EngineSettings {
    EngineSettings {
        callback_timeout: Duration::from_secs(20),
        ..Default::default()
    }
}
