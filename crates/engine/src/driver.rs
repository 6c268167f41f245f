//! Runs a [`Flow`] to completion or to a chosen step: feeds it events with fresh inputs (clock,
//! timestamp, nonce), carries out its commands (send, open the browser, wait for the redirect
//! or PIN), and reports a snapshot after every event.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use signet_oauth1::CallbackMode;
use signet_oauth1::flow::{
    Command, Event, Flow, FlowConfig, Inputs, ModeConfig, OutgoingRequest, Phase, Snapshot, StepId,
    StepStatus, TokenCredentials,
};
use tokio::sync::Mutex;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::browser::{Browser, SystemBrowser};
use crate::callback_server::LoopbackListener;
use crate::clock::Clock;
use crate::error::Result;
use crate::http::{Http, HttpSettings};
use crate::nonce::nonce;

/// How the engine behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineSettings {
    /// Timeouts and the response-size cap.
    pub http: HttpSettings,
    /// The clock and its offset for `oauth_timestamp`.
    pub clock: Clock,
    /// How long to wait for the redirect or PIN after opening the browser.
    pub callback_timeout: Duration,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            http: HttpSettings::default(),
            clock: Clock::default(),
            callback_timeout: Duration::from_secs(10 * 60),
        }
    }
}

/// What the app or the CLI hands in while a flow waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A deep link the operating system gave the app (`signet://callback?...`), or an address
    /// the user pasted.
    DeepLink(String),
    /// A PIN the user typed.
    Pin(String),
    /// The user gave up.
    Cancel,
}

/// The sending end of the engine's inbox: clone it into the deep-link handler and the UI.
#[derive(Debug, Clone)]
pub struct Inbox(UnboundedSender<Incoming>);

impl Inbox {
    /// Hands in a deep link (or a pasted address).
    pub fn deep_link(&self, url: impl Into<String>) {
        let _ = self.0.send(Incoming::DeepLink(url.into()));
    }

    /// Hands in a PIN.
    pub fn pin(&self, pin: impl Into<String>) {
        let _ = self.0.send(Incoming::Pin(pin.into()));
    }

    /// Cancels the run in progress.
    pub fn cancel(&self) {
        let _ = self.0.send(Incoming::Cancel);
    }
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Every step is done or skipped.
    Finished,
    /// A step failed; [`Engine::drive`] with [`Event::Retry`] tries it again.
    Failed(StepId),
    /// The user cancelled.
    Cancelled,
    /// The step asked for is done (or skipped); drive on with the next event to continue.
    Reached(StepId),
    /// No redirect or PIN came in time; the flow still waits ([`Event::Retry`] waits again).
    CallbackTimeout,
}

/// The result of driving a flow.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Why it stopped.
    pub stop: Stop,
    /// The flow as it stands.
    pub snapshot: Snapshot,
    /// The token credentials to store, once issued (or pre-issued).
    pub credentials: Option<TokenCredentials>,
    /// Things that went wrong without stopping the run (the browser did not open, say).
    pub warnings: Vec<String>,
}

/// One flow and what the engine keeps for it between drives (its loopback listener).
#[derive(Debug)]
pub struct Run {
    flow: Flow,
    listener: Option<LoopbackListener>,
    queued: VecDeque<Incoming>,
}

impl Run {
    /// The flow.
    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    /// The flow's snapshot.
    pub fn snapshot(&self) -> Snapshot {
        self.flow.snapshot()
    }

    /// The loopback callback's port, while a listener is open.
    pub fn loopback_port(&self) -> Option<u16> {
        self.listener.as_ref().map(LoopbackListener::port)
    }

    /// The flow, for the caller to keep.
    pub fn into_flow(self) -> Flow {
        self.flow
    }
}

/// Runs flows: the only holder of the HTTP client, the clock, the nonce source and the browser.
pub struct Engine {
    http: Http,
    /// The clock's offset in seconds; the user may change it between a failure and its retry.
    clock_offset: AtomicI64,
    callback_timeout: Duration,
    browser: Arc<dyn Browser>,
    inbox: UnboundedSender<Incoming>,
    received: Mutex<UnboundedReceiver<Incoming>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("http", &self.http.settings())
            .field("clock", &self.clock())
            .field("callback_timeout", &self.callback_timeout)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine that opens the system browser.
    pub fn new(settings: EngineSettings) -> Result<Self> {
        let (inbox, received) = unbounded_channel();
        Ok(Self {
            http: Http::new(settings.http)?,
            clock_offset: AtomicI64::new(settings.clock.offset_seconds),
            callback_timeout: settings.callback_timeout,
            browser: Arc::new(SystemBrowser),
            inbox,
            received: Mutex::new(received),
        })
    }

    /// Opens authorization URLs with `browser` instead.
    pub fn with_browser(mut self, browser: impl Browser + 'static) -> Self {
        self.browser = Arc::new(browser);
        self
    }

    /// Where deep links, PINs and cancellations go in.
    pub fn inbox(&self) -> Inbox {
        Inbox(self.inbox.clone())
    }

    /// The clock in use.
    pub fn clock(&self) -> Clock {
        Clock::with_offset(self.clock_offset.load(Ordering::Relaxed))
    }

    /// Sets the seconds added to `oauth_timestamp` from the next request on — what the user
    /// chooses when a provider refuses timestamps (a retry of the same run then uses it).
    pub fn set_clock_offset(&self, seconds: i64) {
        self.clock_offset
            .store(crate::clock::clamp_offset(seconds), Ordering::Relaxed);
    }

    /// Builds the flow; for a loopback callback, binds the listener first (port 0: a free
    /// one) and writes the real port into the `oauth_callback` value.
    pub async fn prepare(&self, mut config: FlowConfig) -> Result<Run> {
        let mut listener = None;
        if let ModeConfig::ThreeLegged(t) = &mut config.mode {
            if t.callback.bind && t.callback.mode != CallbackMode::Oob {
                let code = crate::nonce::binding_code();
                t.callback.url = with_code_in_path(&t.callback.url, &code);
                t.callback.binding = Some(code);
            }
            if t.callback.mode == CallbackMode::Loopback
                && let Some((host, port, path)) = t.callback.loopback_parts()
            {
                let path = path.split(['?', '#']).next().unwrap_or(path);
                let query = &t.callback.url[t
                    .callback
                    .url
                    .find(['?', '#'])
                    .unwrap_or(t.callback.url.len())..];
                let l = LoopbackListener::bind(host, port, path).await?;
                t.callback.url = format!("http://{host}:{}{path}{query}", l.port());
                listener = Some(l);
            }
        }
        Ok(Run {
            flow: Flow::new(config)?,
            listener,
            queued: VecDeque::new(),
        })
    }

    /// Prepares and starts a flow, and drives it until it finishes, fails, is cancelled, or
    /// reaches `until`. `progress` sees a snapshot after every event.
    pub async fn run(
        &self,
        config: FlowConfig,
        until: Option<StepId>,
        progress: impl FnMut(&Snapshot),
    ) -> Result<(Run, RunOutcome)> {
        let mut run = self.prepare(config).await?;
        let outcome = self.drive(&mut run, Event::Start, until, progress).await?;
        Ok((run, outcome))
    }

    /// Feeds `event` (start, retry, cancel, a callback...) to the run's flow and carries on
    /// until it stops.
    pub async fn drive(
        &self,
        run: &mut Run,
        mut event: Event,
        until: Option<StepId>,
        mut progress: impl FnMut(&Snapshot),
    ) -> Result<RunOutcome> {
        let mut warnings = Vec::new();
        loop {
            let clock = self.clock();
            let inputs = Inputs::new(clock.now_ms(), clock.timestamp(), nonce())
                .with_blinding(crate::nonce::blinding_seed());
            let commands = run.flow.handle(event, &inputs)?;
            if run.flow.status(StepId::RedirectToConsumer) == StepStatus::Done {
                // Single use: the redirect came in and checked out.
                run.listener = None;
            }
            if let Some(step) = until
                && matches!(
                    run.flow.status(step),
                    StepStatus::Done | StepStatus::Skipped
                )
                && !run.flow.phase().is_over()
            {
                // The next step's request, built as `step` ended, is never sent: not shown.
                let reached = outcome(run, Stop::Reached(step), warnings);
                progress(&reached.snapshot);
                return Ok(reached);
            }
            progress(&run.flow.snapshot());
            let mut next = None;
            for command in commands {
                match command {
                    Command::Send(req) => next = Some(self.send(run, req).await),
                    Command::OpenUrl { url } => {
                        if let Err(e) = self.browser.open(&url) {
                            warnings.push(e.to_string());
                        }
                    }
                    Command::AwaitCallback { mode, callback_url } => {
                        if mode == CallbackMode::Loopback && run.listener.is_none() {
                            // A retry after the listener was closed: listen on the same port.
                            let (host, port, path) = loopback_host_port_path(&callback_url);
                            run.listener = Some(LoopbackListener::bind(&host, port, &path).await?);
                        }
                        match self.wait_for_user(run).await? {
                            Some(e) => next = Some(e),
                            None => return Ok(outcome(run, Stop::CallbackTimeout, warnings)),
                        }
                    }
                    Command::AwaitPin => match self.wait_for_user(run).await? {
                        Some(e) => next = Some(e),
                        None => return Ok(outcome(run, Stop::CallbackTimeout, warnings)),
                    },
                    Command::Finished => return Ok(outcome(run, Stop::Finished, warnings)),
                    Command::Cancelled => return Ok(outcome(run, Stop::Cancelled, warnings)),
                    Command::Failed { .. } => {}
                }
            }
            match next {
                Some(e) => event = e,
                None => {
                    let stop = match (run.flow.phase(), run.flow.snapshot().current_step) {
                        (Phase::Finished, _) => Stop::Finished,
                        (Phase::Cancelled, _) => Stop::Cancelled,
                        (_, Some(step)) => Stop::Failed(step),
                        (_, None) => Stop::Failed(StepId::UserInitiation),
                    };
                    return Ok(outcome(run, stop, warnings));
                }
            }
        }
    }

    /// Sends one request; a cancel handed in meanwhile wins, other items wait their turn.
    async fn send(&self, run: &mut Run, req: OutgoingRequest) -> Event {
        let mut received = self.received.lock().await;
        let sending = self.http.send(&req);
        tokio::pin!(sending);
        let outcome = loop {
            tokio::select! {
                out = &mut sending => break out,
                item = received.recv() => match item {
                    Some(Incoming::Cancel) => return Event::Cancel,
                    Some(other) => run.queued.push_back(other),
                    None => break sending.await,
                },
            }
        };
        match outcome {
            Ok(got) => {
                if let Some(date) = got.response.header("date")
                    && let Some(skew) = self.clock().skew_from_date(date, got.at)
                {
                    run.flow.observe_clock_skew(skew);
                }
                Event::Response(got.response)
            }
            Err(f) => Event::TransportFailed {
                kind: f.kind,
                message: f.message,
            },
        }
    }

    /// Waits for a deep link, a PIN, the loopback redirect, or a cancel. `None`: timed out.
    async fn wait_for_user(&self, run: &mut Run) -> Result<Option<Event>> {
        if let Some(item) = run.queued.pop_front() {
            return Ok(Some(event_of(item)));
        }
        let mut received = self.received.lock().await;
        let timeout = self.callback_timeout;
        let loopback = async {
            match &run.listener {
                Some(l) => l.next_callback(timeout).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            item = received.recv() => Ok(item.map(event_of)),
            caught = loopback => Ok(caught?.map(Event::Callback)),
            () = tokio::time::sleep(timeout) => Ok(None),
        }
    }
}

fn event_of(item: Incoming) -> Event {
    match item {
        Incoming::DeepLink(url) => Event::Callback(url),
        Incoming::Pin(pin) => Event::Pin(pin),
        Incoming::Cancel => Event::Cancel,
    }
}

/// `url` with `/code` at the end of its path (before any query or fragment).
fn with_code_in_path(url: &str, code: &str) -> String {
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    let (base, rest) = url.split_at(cut);
    format!("{}/{code}{rest}", base.trim_end_matches('/'))
}

fn loopback_host_port_path(url: &str) -> (String, u16, String) {
    let cb = signet_oauth1::flow::CallbackConfig::new(CallbackMode::Loopback, url);
    cb.loopback_parts().map_or(
        ("127.0.0.1".to_owned(), 0, "/".to_owned()),
        |(host, port, path)| {
            let path = path.split(['?', '#']).next().unwrap_or(path);
            (host.to_owned(), port, path.to_owned())
        },
    )
}

fn outcome(run: &Run, stop: Stop, warnings: Vec<String>) -> RunOutcome {
    let snapshot = run.flow.snapshot();
    RunOutcome {
        snapshot: match stop {
            Stop::Reached(step) => snapshot.stopped_after(step),
            _ => snapshot,
        },
        stop,
        credentials: run.flow.token_credentials(),
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runs_code_goes_at_the_end_of_the_callbacks_path() {
        assert_eq!(
            with_code_in_path("signet://callback", "c0de"),
            "signet://callback/c0de"
        );
        assert_eq!(
            with_code_in_path("http://127.0.0.1:0/callback/?state=1#f", "c0de"),
            "http://127.0.0.1:0/callback/c0de?state=1#f"
        );
        assert_eq!(
            loopback_host_port_path("http://[::1]:8765/cb/c0de?x=1"),
            ("[::1]".to_owned(), 8765, "/cb/c0de".to_owned())
        );
    }

    /// A bound loopback run listens on the code's path only: a guessed path gets a 404.
    #[tokio::test]
    async fn a_bound_loopback_run_listens_on_its_codes_path() {
        use signet_oauth1::flow::{CallbackConfig, ConsumerKey, Endpoint, ThreeLeggedConfig};
        let config = FlowConfig {
            extras: Default::default(),
            consumer_key: "k".into(),
            key: ConsumerKey::Secret(signet_oauth1::Secret::new("s")),
            signature_method: signet_oauth1::SignatureMethod::HmacSha1,
            sign_options: signet_oauth1::SignOptions::default(),
            realm: None,
            mode: ModeConfig::ThreeLegged(ThreeLeggedConfig {
                request_token: Endpoint::post("http://127.0.0.1:9/rt"),
                authorize_url: "http://127.0.0.1:9/authorize".into(),
                access_token: Endpoint::post("http://127.0.0.1:9/at"),
                callback: CallbackConfig::loopback(0, "/callback").bound(),
                authorize_params: vec![],
                callback_on_authorize_url: false,
                require_callback_confirmed: true,
            }),
            resource: None,
        };
        let engine = Engine::new(crate::EngineSettings::default()).unwrap();
        let run = engine.prepare(config).await.unwrap();
        let snap = run.flow.snapshot();
        let cb = snap.config.callback().cloned().unwrap();
        let code = cb.binding.clone().expect("a code");
        assert_eq!(code.len(), 24);
        assert!(cb.url.ends_with(&format!("/callback/{code}")), "{}", cb.url);
        let listener = run.listener.as_ref().unwrap();
        assert!(
            listener
                .callback_url()
                .ends_with(&format!("/callback/{code}"))
        );
    }
}
