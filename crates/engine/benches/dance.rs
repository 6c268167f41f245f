//! The complete dance against the local demo provider, from Start to the protected resource's
//! response, with the browser step automated (sign in, Allow, follow the redirect to the
//! loopback listener, as a browser would). Prints the median over many runs.
//!
//! `cargo bench -p signet-engine --bench dance` (target: median under 50 ms on loopback).

use std::time::{Duration, Instant};

use signet_engine::{Browser, Engine, EngineSettings, Stop};
use signet_oauth1::flow::{
    CallbackConfig, ConsumerKey, Endpoint, FlowConfig, ModeConfig, ResourceRequest,
    ThreeLeggedConfig,
};
use signet_oauth1::{Secret, SignOptions, SignatureMethod};
use signet_provider::{ProviderConfig, approve, demo, start};

/// Signs in as alice, allows, and follows the redirect back to the loopback listener.
struct AutoBrowser(tokio::runtime::Handle);

impl Browser for AutoBrowser {
    fn open(&self, url: &str) -> signet_engine::Result<()> {
        let url = url.to_owned();
        self.0.spawn(async move {
            let out = approve(&url, "alice", "wonderland", true)
                .await
                .expect("consent");
            let redirect = out.redirect.expect("a redirect to the loopback listener");
            reqwest::get(&redirect).await.expect("the listener answers");
        });
        Ok(())
    }
}

fn main() {
    let runs: usize = std::env::var("DANCE_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let provider = start(ProviderConfig::demo()).await.unwrap();
        let engine = Engine::new(EngineSettings::default())
            .unwrap()
            .with_browser(AutoBrowser(tokio::runtime::Handle::current()));
        let config = || FlowConfig {
            extras: Default::default(),
            consumer_key: demo::CONSUMER_KEY.into(),
            key: ConsumerKey::Secret(Secret::new(demo::CONSUMER_SECRET)),
            signature_method: SignatureMethod::HmacSha1,
            sign_options: SignOptions::default(),
            realm: None,
            mode: ModeConfig::ThreeLegged(ThreeLeggedConfig {
                request_token: Endpoint::post(provider.request_token_url()),
                authorize_url: provider.authorize_url(),
                access_token: Endpoint::post(provider.access_token_url()),
                callback: CallbackConfig::loopback(0, "/callback"),
                authorize_params: Vec::new(),
                callback_on_authorize_url: false,
                require_callback_confirmed: true,
            }),
            resource: Some(ResourceRequest::get(provider.me_url())),
        };
        // Warm up connections and code paths.
        for _ in 0..10 {
            let (_, o) = engine.run(config(), None, |_| {}).await.unwrap();
            assert_eq!(o.stop, Stop::Finished);
        }
        let mut times: Vec<Duration> = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let (_, o) = engine.run(config(), None, |_| {}).await.unwrap();
            times.push(t.elapsed());
            assert_eq!(o.stop, Stop::Finished, "{:?}", o.snapshot.error);
            assert_eq!(o.snapshot.resource.as_ref().map(|r| r.status), Some(200));
        }
        times.sort();
        let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
        println!(
            "complete dance (HMAC-SHA1, header, loopback callback, automated consent, /api/me) over {runs} runs:\n  median {:.2} ms, p90 {:.2} ms, min {:.2} ms, max {:.2} ms (target: median under 50 ms)",
            pct(0.5).as_secs_f64() * 1e3,
            pct(0.9).as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
        );
        provider.shutdown().await;
    });
}
