//! `signet`: the same engine, provider and core as the desktop app, from a terminal — for QA
//! scripts as much as for people.
//!
//! - `signet provider` runs the demo provider.
//! - `signet flow` runs the ten-step dance and prints each step as it happens.
//! - `signet sign` prints a signing trace, the signed request and a curl command; with
//!   `--json` it reads one request in the vector format on stdin.
//! - `signet call` sends one of a connector's endpoints (or any URL), signed.
//! - `signet approve` is a browser stand-in for the demo provider's consent page.
//! - `signet connectors`, `signet endpoints` and `signet tokens` manage the saved connectors,
//!   their endpoints, and their instances' tokens.
#![warn(missing_docs)]

pub mod app;
pub mod args;
pub mod call;
pub mod connectors;
pub mod define;
pub mod exit;
pub mod flow;
pub mod output;
pub mod presets;
pub mod sign;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::exit::{Exit, Failure};

/// Parses the command line, runs the subcommand and turns its outcome into an exit code.
pub fn main() -> ExitCode {
    signet_app::process::harden();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("signet: cannot start the async runtime: {e}");
            return Exit::Internal.into();
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Provider(a) => {
                return Ok(signet_provider::cli::serve(a).await);
            }
            Command::Flow(a) => flow::run(a, cli.data_dir.as_deref()).await,
            Command::Sign(a) => sign::run(a),
            Command::Call(a) => call::run(a, cli.data_dir.as_deref()).await,
            Command::Approve(a) => call::approve(a).await,
            Command::Connectors(c) => connectors::connectors(cli.data_dir.as_deref(), c),
            Command::Endpoints(c) => connectors::endpoints(cli.data_dir.as_deref(), c),
            Command::Tokens(c) => connectors::tokens(cli.data_dir.as_deref(), c),
            Command::Presets(a) => presets::list(a),
        }
        .map(|()| ExitCode::from(Exit::Ok))
    });
    match outcome {
        Ok(code) => code,
        Err(Failure {
            exit,
            message,
            hint,
        }) => {
            eprintln!("signet: {message}");
            if let Some(hint) = hint {
                eprintln!("  what to do: {hint}");
            }
            exit.into()
        }
    }
}
