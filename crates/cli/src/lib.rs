//! `signet`: the same engine, provider and core as the desktop app, from a terminal — for QA
//! scripts as much as for people.
//!
//! - `signet provider` runs the demo provider.
//! - `signet flow` runs the ten-step dance and prints each step as it happens.
//! - `signet sign` prints a signing trace, the signed request and a curl command; with
//!   `--json` it reads one request in the vector format on stdin.
//! - `signet call` sends one of a connector's endpoints (or any URL), signed; with `--curl` it
//!   signs it afresh and prints a curl command instead of sending it.
//! - `signet check` sends every endpoint of some connectors as a QA run (JUnit XML for CI).
//! - `signet approve` is a browser stand-in for the demo provider's consent page.
//! - `signet connectors`, `signet endpoints` and `signet tokens` manage the saved connectors,
//!   their endpoints, and their instances' tokens.
//! - `signet import postman` and `signet export postman` bring connectors in from Postman
//!   collections and write them out as ones.
//! - `signet history` sets how many runs are kept, and forgets them.
//! - `signet database` says whether the database opens (and why not), and moves a damaged
//!   one aside.
#![warn(missing_docs)]

/// A line on standard output; when its reader has gone (`signet … | head`) the rest is
/// dropped and the command still finishes its work (see [`output::emit`]).
macro_rules! outln {
    () => { $crate::output::emit($crate::output::Stream::Out, format_args!("\n")) };
    ($($t:tt)*) => { $crate::output::emit($crate::output::Stream::Out, format_args!("{}\n", format_args!($($t)*))) };
}
/// Text on standard output, as [`outln!`] without the newline.
macro_rules! out {
    ($($t:tt)*) => { $crate::output::emit($crate::output::Stream::Out, format_args!($($t)*)) };
}
/// A line on standard error, as [`outln!`].
macro_rules! errln {
    () => { $crate::output::emit($crate::output::Stream::Err, format_args!("\n")) };
    ($($t:tt)*) => { $crate::output::emit($crate::output::Stream::Err, format_args!("{}\n", format_args!($($t)*))) };
}
/// Text on standard error, as [`errln!`] without the newline.
macro_rules! err {
    ($($t:tt)*) => { $crate::output::emit($crate::output::Stream::Err, format_args!($($t)*)) };
}

pub mod app;
pub mod args;
pub mod audit;
pub mod call;
pub mod check;
pub mod connectors;
pub mod database;
pub mod define;
pub mod exit;
pub mod flow;
pub mod interchange;
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
    // A bug ends in a message and a report in the data directory, then exit code 1.
    let reports = signet_store::resolve_data_dir(cli.data_dir.as_deref())
        .map(|d| signet_app::process::crash_report_dir(&d))
        .unwrap_or_else(|_| std::env::temp_dir().join("signet-crash-reports"));
    signet_app::process::install_crash_reporter(
        "cli",
        reports,
        Some(Box::new(|_| std::process::exit(Exit::Internal as i32))),
    );
    // The crash path under test (debug builds only).
    #[cfg(debug_assertions)]
    if std::env::var_os("SIGNET_PANIC_FOR_TESTS").is_some() {
        panic!("a bug planted for the crash-report test (oauth_token_secret=planted-secret)");
    }
    let outcome = match cli.command {
        // Signing and the presets need no database, no keyring and no runtime: they start
        // as light as the process itself.
        Command::Sign(a) => sign::run(a).map(|()| ExitCode::from(Exit::Ok)),
        Command::Presets(a) => presets::list(a).map(|()| ExitCode::from(Exit::Ok)),
        command => {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    errln!("signet: cannot start the async runtime: {e}");
                    return Exit::Internal.into();
                }
            };
            runtime.block_on(with_runtime(command, cli.data_dir.as_deref()))
        }
    };
    match outcome {
        Ok(code) => code,
        Err(Failure {
            exit,
            message,
            hint,
        }) => {
            errln!("signet: {message}");
            if let Some(hint) = hint {
                errln!("  what to do: {hint}");
            }
            exit.into()
        }
    }
}

/// The subcommands that talk to the network or build the app's use cases (which run their
/// work on a Tokio runtime).
async fn with_runtime(
    command: Command,
    data_dir: Option<&std::path::Path>,
) -> Result<ExitCode, Failure> {
    match command {
        Command::Provider(a) => return Ok(signet_provider::cli::serve(a).await),
        Command::Flow(a) => flow::run(a, data_dir).await,
        Command::Audit(a) => audit::run(a, data_dir).await,
        Command::Call(a) => call::run(a, data_dir).await,
        Command::Check(a) => check::run(a, data_dir).await,
        Command::Approve(a) => call::approve(a).await,
        Command::Connectors(c) => connectors::connectors(data_dir, c),
        Command::Import(c) => interchange::import(data_dir, c),
        Command::Export(c) => interchange::export(data_dir, c),
        Command::Endpoints(c) => connectors::endpoints(data_dir, c),
        Command::Tokens(c) => connectors::tokens(data_dir, c),
        Command::Database(c) => database::database(data_dir, c),
        Command::History(c) => connectors::history(data_dir, c),
        Command::Sign(a) => sign::run(a),
        Command::Presets(a) => presets::list(a),
    }
    .map(|()| ExitCode::from(Exit::Ok))
}
