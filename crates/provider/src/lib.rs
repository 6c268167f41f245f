//! The built-in demo OAuth 1.0a provider: a strict local provider for demos, QA and tests.
//!
//! It binds `127.0.0.1` (port 0 picks a free one), serves the request-token, authorize,
//! access-token endpoints and protected resources (among them a 1,234-order collection paged
//! in every common style, see [`paged`]), and verifies every request as a
//! careful real provider does: all seven signature methods, a timestamp window, nonce replay,
//! single-use request tokens and verifiers, registered callbacks. [`Faults`] make it misbehave
//! on demand. The signing core's [`signet_oauth1::verify`] does the protocol work.
//!
//! ```no_run
//! # async fn demo() -> signet_provider::Result<()> {
//! use signet_provider::{ProviderConfig, start};
//! let provider = start(ProviderConfig::demo()).await?;
//! println!("request tokens at {}", provider.request_token_url());
//! provider.shutdown().await;
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

pub mod api;
mod approve;
mod authorize;
mod check;
pub mod cli;
pub mod config;
pub mod error;
pub mod faults;
pub mod paged;
mod pages;
pub mod profile;
mod routes;
mod state;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use approve::{ApproveOutcome, approve};
pub use config::{Consumer, ConsumerCredentials, ProviderConfig, User, demo};
pub use error::{Error, Result};
pub use faults::Faults;
pub use profile::QuirkProfile;
pub use routes::{
    ACCESS_TOKEN_PATH, AUTHORIZE_PATH, ECHO_PATH, FAULTS_PATH, ME_PATH, REQUEST_TOKEN_PATH,
};

use state::AppState;

/// A provider serving in the background. Dropping it stops it too.
#[derive(Debug)]
pub struct RunningProvider {
    addr: SocketAddr,
    url: String,
    state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Binds `127.0.0.1:{config.port}` and serves in a background task of the current runtime.
pub async fn start(config: ProviderConfig) -> Result<RunningProvider> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, config.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| Error::Bind { addr, source })?;
    let state = Arc::new(AppState::new(config));
    let app = routes::router(state.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            // A send or a dropped sender both mean stop.
            let _ = stopped.await;
        })
        .await;
        if let Err(e) = served {
            eprintln!("signet-provider: the server stopped: {e}");
        }
    });
    Ok(RunningProvider {
        addr,
        url: format!("http://{addr}"),
        state,
        stop: Some(stop),
        task: Some(task),
    })
}

impl RunningProvider {
    /// The socket it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The request-token (temporary credentials) endpoint.
    pub fn request_token_url(&self) -> String {
        format!("{}{REQUEST_TOKEN_PATH}", self.url)
    }

    /// The authorize (resource owner authorization) page, without a token.
    pub fn authorize_url(&self) -> String {
        format!("{}{AUTHORIZE_PATH}", self.url)
    }

    /// The access-token (token credentials) endpoint.
    pub fn access_token_url(&self) -> String {
        format!("{}{ACCESS_TOKEN_PATH}", self.url)
    }

    /// The profile resource (`GET`).
    pub fn me_url(&self) -> String {
        format!("{}{ME_PATH}", self.url)
    }

    /// The echo resource (`GET`, `POST`, `PUT`).
    pub fn echo_url(&self) -> String {
        format!("{}{ECHO_PATH}", self.url)
    }

    /// A paged route of the order collection (see [`paged`] for the wire contract).
    pub fn paged_url(&self, route: paged::Route) -> String {
        format!("{}{}", self.url, route.path())
    }

    /// How many pages the paged routes ([`paged`]) have served with success since the provider
    /// started, over all of them. A page counts only once its request passed the signature
    /// check (signature, timestamp, nonce, token), so a test that walked N pages and reads N here
    /// knows every page was verified. Refused requests, bad parameters and the `flaky` routes'
    /// failures do not count.
    pub fn pages_served(&self) -> u64 {
        self.state.pages_served.load(Ordering::Relaxed)
    }

    /// The fault switches' admin endpoint (`GET`, `PUT` JSON).
    pub fn faults_url(&self) -> String {
        format!("{}{FAULTS_PATH}", self.url)
    }

    /// The fault switches in force.
    pub fn faults(&self) -> Faults {
        self.state.faults()
    }

    /// Replaces the fault switches; takes effect for the next request.
    pub fn set_faults(&self, faults: Faults) {
        self.state.set_faults(faults);
    }

    /// The configuration it was started with.
    pub fn config(&self) -> &ProviderConfig {
        &self.state.config
    }

    /// Stops accepting connections and waits for the server to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serves until the process is interrupted (Ctrl-C), then shuts down.
    pub async fn run_until_ctrl_c(self) {
        let _ = tokio::signal::ctrl_c().await;
        self.shutdown().await;
    }
}

impl Drop for RunningProvider {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
