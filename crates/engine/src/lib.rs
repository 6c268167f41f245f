//! The engine: everything Signet's flows need from the outside world, and nothing else. It
//! sends the signed requests the pure [`signet_oauth1::flow::Flow`] asks for (reqwest with
//! rustls, timeouts, a response-size cap, redirects never followed), draws a fresh nonce and
//! timestamp for every request, reads the provider's clock skew from its `Date` header, catches
//! the redirect (loopback listener, deep link handed in, or PIN typed), and opens the browser.
//!
//! ```no_run
//! # async fn demo(config: signet_oauth1::flow::FlowConfig) -> signet_engine::Result<()> {
//! use signet_engine::{Engine, EngineSettings, Stop};
//! let engine = Engine::new(EngineSettings::default())?;
//! let deep_links = engine.inbox(); // hand this to the deep-link handler
//! let (_run, outcome) = engine.run(config, None, |snapshot| {
//!     let _ = snapshot; // show it
//! }).await?;
//! assert_eq!(outcome.stop, Stop::Finished);
//! # let _ = deep_links; Ok(()) }
//! ```
#![warn(missing_docs)]

pub mod browser;
pub mod callback_server;
pub mod clock;
pub mod driver;
pub mod error;
pub mod http;
pub mod nonce;

pub use browser::{Browser, CommandBrowser, SystemBrowser};
pub use callback_server::LoopbackListener;
pub use clock::Clock;
pub use driver::{Engine, EngineSettings, Inbox, Incoming, Run, RunOutcome, Stop};
pub use error::{Error, Result};
pub use http::{Http, HttpSettings};
