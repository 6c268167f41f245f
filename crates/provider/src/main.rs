//! `signet-provider`: runs the demo OAuth 1.0a provider on 127.0.0.1 until Ctrl-C.

use std::process::ExitCode;

use clap::Parser;
use signet_provider::cli::{ProviderArgs, serve};

/// A strict local OAuth 1.0a provider for demos, QA and tests.
#[derive(Debug, Parser)]
#[command(name = "signet-provider", version)]
struct Args {
    #[command(flatten)]
    provider: ProviderArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    serve(Args::parse().provider).await
}
