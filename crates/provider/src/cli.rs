//! The command line of the demo provider, shared by the `signet-provider` binary and the
//! `signet provider` subcommand.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use crate::{Faults, ProviderConfig, QuirkProfile, demo, start};

/// Where the provider listens and which faults it starts with.
#[derive(Debug, Clone, clap::Args)]
pub struct ProviderArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Accepted distance between oauth_timestamp and the provider's clock, in seconds.
    #[arg(long, default_value_t = 300)]
    pub timestamp_window: u64,
    /// Fault: run the provider's clock this many seconds ahead (negative: behind).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub clock_skew_secs: i64,
    /// Fault: refuse every signature.
    #[arg(long)]
    pub reject_signatures: bool,
    /// Fault: delay every response this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub slow_ms: u64,
    /// Fault: token endpoints and resources answer 500.
    #[arg(long)]
    pub server_error: bool,
    /// Fault: token endpoints and resources answer with an HTML page.
    #[arg(long)]
    pub html_error: bool,
    /// Fault: leave oauth_callback_confirmed out of the request-token response.
    #[arg(long)]
    pub omit_callback_confirmed: bool,
    /// Fault: redirect after consent with a different oauth_token.
    #[arg(long)]
    pub wrong_token_in_redirect: bool,
    /// Fault: the consent page always denies.
    #[arg(long)]
    pub deny: bool,
    /// Lax: accept every signature, right or wrong.
    #[arg(long)]
    pub accept_any_signature: bool,
    /// Lax: accept a nonce already used (replayed requests).
    #[arg(long)]
    pub accept_replayed_nonces: bool,
    /// Lax: take any oauth_timestamp, however old or ahead.
    #[arg(long)]
    pub ignore_timestamps: bool,
    /// Lax: let a request token (and its verifier) be exchanged more than once.
    #[arg(long)]
    pub allow_token_reuse: bool,
    /// Imitate a real provider's quirks: a preset id (x, tumblr, netsuite, magento2, ...;
    /// `signet presets` lists them).
    #[arg(long, value_name = "PRESET")]
    pub profile: Option<String>,
    /// A value for the profile's placeholders (account=1234567-sb1 for NetSuite's realm).
    #[arg(long = "profile-value", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub profile_values: Vec<(String, String)>,
    /// Keep the access tokens it issues in this file, so a provider started again with the
    /// same file (and port) still accepts them.
    #[arg(long, value_name = "FILE")]
    pub token_store: Option<std::path::PathBuf>,
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("{s:?} is not NAME=VALUE"))
}

/// Runs the demo provider as `args` say, printing its URL, endpoints and the demo credentials,
/// until Ctrl-C.
pub async fn serve(a: ProviderArgs) -> ExitCode {
    let faults = Faults {
        clock_skew_secs: a.clock_skew_secs,
        reject_signatures: a.reject_signatures,
        slow_ms: a.slow_ms,
        server_error: a.server_error,
        html_error: a.html_error,
        omit_callback_confirmed: a.omit_callback_confirmed,
        wrong_token_in_redirect: a.wrong_token_in_redirect,
        deny: a.deny,
        accept_any_signature: a.accept_any_signature,
        accept_replayed_nonces: a.accept_replayed_nonces,
        ignore_timestamps: a.ignore_timestamps,
        allow_token_reuse: a.allow_token_reuse,
    };
    let mut config = ProviderConfig::demo()
        .with_port(a.port)
        .with_timestamp_window(Duration::from_secs(a.timestamp_window))
        .with_faults(faults.clone());
    config.token_store = a.token_store.clone();
    let mut profile_line = "none (the demo's own rules)".to_owned();
    if let Some(id) = &a.profile {
        let values = a.profile_values.iter().cloned().collect();
        match QuirkProfile::for_preset(id, &values) {
            Ok(p) => {
                let methods: Vec<&str> = p.allowed_methods.iter().map(|m| m.as_str()).collect();
                profile_line = format!("{} ({})", p.name, methods.join(", "));
                if let Some(realm) = &p.realm {
                    profile_line.push_str(&format!("; realm {realm}"));
                }
                if p.pre_issued_tokens {
                    profile_line.push_str(&format!(
                        "; pre-issued token {} / secret {}",
                        demo::PRE_ISSUED_TOKEN,
                        demo::PRE_ISSUED_TOKEN_SECRET
                    ));
                }
                config = config.with_profile(p);
            }
            Err(e) => {
                eprintln!("signet-provider: --profile {id}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let provider = match start(config).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("signet-provider: {e}");
            return ExitCode::FAILURE;
        }
    };
    let users = demo::USERS
        .iter()
        .map(|(u, p, _)| format!("{u} / {p}"))
        .collect::<Vec<_>>()
        .join(", ");
    let active = faults.active();
    // A reader that has gone (`signet provider | head -3`) stops nothing: the provider serves on.
    let _ = writeln!(
        std::io::stdout(),
        "Signet demo provider listening on {url}

Endpoints
  request token   POST {rt}
  authorize       GET  {az}?oauth_token=...
  access token    POST {at}
  profile         GET  {me}
  echo            GET/POST/PUT {echo}
  fault switches  GET/PUT {faults}  (JSON)

Demo credentials (throwaway demo values; printing them is intended)
  HMAC-SHA1/256/512, PLAINTEXT  consumer key {ck}  secret {cs}
  RSA-SHA1/256/512              consumer key {rk}  private key crates/provider/keys/rsa-private.pem
  users                         {users}
  callbacks                     {callbacks}

Faults: {active}
Profile: {profile_line}
Press Ctrl-C to stop.",
        url = provider.url(),
        rt = provider.request_token_url(),
        az = provider.authorize_url(),
        at = provider.access_token_url(),
        me = provider.me_url(),
        echo = provider.echo_url(),
        faults = provider.faults_url(),
        ck = demo::CONSUMER_KEY,
        cs = demo::CONSUMER_SECRET,
        rk = demo::RSA_CONSUMER_KEY,
        callbacks = demo::CALLBACK_PREFIXES.join(", "),
        active = if active.is_empty() {
            "none".to_owned()
        } else {
            active.join(", ")
        },
    );
    provider.run_until_ctrl_c().await;
    ExitCode::SUCCESS
}
