//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use signet_oauth1::{Placement, SignatureMethod};

/// Signet: OAuth 1.0a made visible.
#[derive(Debug, Parser)]
#[command(
    name = "signet",
    version,
    about = "Run OAuth 1.0a dances, sign and send requests, and run the demo provider",
    after_help = "Exit codes: 0 done, 2 usage mistake, 3 the provider refused, 4 network failure, \
                  5 nobody answered in time or cancelled, 6 an audit found a required check \
                  not enforced, 1 anything else."
)]
pub struct Cli {
    /// Where Signet keeps its database (default: $SIGNET_DATA_DIR, else ~/.local/share/signet).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the built-in demo provider on 127.0.0.1 and print its URL and demo credentials.
    Provider(signet_provider::cli::ProviderArgs),
    /// Run the whole three-legged dance (or one-legged, or with a pre-issued token), printing
    /// each of the ten steps as it happens.
    Flow(FlowCommand),
    /// Audit a provider: after the usual dance (you allow access twice), send deliberately
    /// wrong requests — a bad signature, a replayed nonce, an old timestamp, a request token
    /// used twice, ... — and report, per check, whether the provider refuses them. Audit only
    /// providers you are allowed to test.
    Audit(AuditArgs),
    /// Sign a request and print the trace, the signed request and a curl command.
    Sign(SignArgs),
    /// QA: send every endpoint of the connectors named (or listed in --file), one test case
    /// each — passed, failed with the decoded reason, or skipped with why; --junit FILE for CI.
    Check(CheckArgs),
    /// Send one of a saved connector's endpoints, signed with its token (`signet call CONNECTOR
    /// ENDPOINT --var NAME=VALUE`), or any URL (`--url`) signed with a connector's or the
    /// flags' credentials.
    Call(CallArgs),
    /// Approve (or deny) a demo-provider authorization page without a browser: a stand-in
    /// browser for scripts (`--browser "signet approve"`).
    Approve(ApproveArgs),
    /// Saved connectors: list, show, add, set, remove, export, import.
    #[command(subcommand)]
    Connectors(ConnectorsCommand),
    /// Bring connectors in from other tools: `signet import postman COLLECTION.json`.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a connector for other tools: `signet export postman CONNECTOR -o FILE`.
    #[command(subcommand)]
    Export(ExportCommand),
    /// A saved connector's endpoints: list them.
    #[command(subcommand)]
    Endpoints(EndpointsCommand),
    /// Stored token credentials: list, forget.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// The provider presets (X, Trello, Flickr, NetSuite, Magento, ...): list them, or explain
    /// one; `signet flow --preset NAME` uses one.
    Presets(PresetsArgs),
    /// Signet's database: whether it opens (and why not), and moving a damaged one aside.
    #[command(subcommand)]
    Database(DatabaseCommand),
    /// Run history: how much is kept, and forgetting it.
    #[command(subcommand)]
    History(HistoryCommand),
}

/// `signet history ...`.
#[derive(Debug, Clone, Subcommand)]
pub enum HistoryCommand {
    /// Say how many runs each instance keeps, or set it (older runs are forgotten at once).
    Keep {
        /// The newest runs each instance keeps (1 to 10000; 200 unless set).
        runs: Option<u32>,
    },
    /// Forget past runs: every connector's, or one's (runs in progress stay).
    Clear {
        /// Only this connector's runs.
        #[arg(long, value_name = "NAME")]
        connector: Option<String>,
    },
}

/// `signet database ...`.
#[derive(Debug, Clone, Subcommand)]
pub enum DatabaseCommand {
    /// Say whether the database opens; when it does not, what happened and what to run.
    Status {
        /// As JSON (the problem as the desktop app's recovery window gets it).
        #[arg(long)]
        json: bool,
    },
    /// Rename a damaged database folder to db.damaged-<date and time> (every file kept, nothing
    /// deleted) and start with a fresh, empty one.
    MoveAside,
}

/// `signet presets`.
#[derive(Debug, Clone, Args)]
pub struct PresetsArgs {
    /// Explain this preset (its id, as listed).
    pub name: Option<String>,
    /// As JSON (every field of the preset files).
    #[arg(long)]
    pub json: bool,
}

/// `signet connectors ...`.
#[derive(Debug, Subcommand)]
pub enum ConnectorsCommand {
    /// List saved connectors and whether each has a token.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one connector: its variables, authentication, endpoints and instances (secrets are
    /// never printed).
    Show {
        /// The connector's name.
        name: String,
        /// Which instance's values (its first when left out).
        #[arg(long, value_name = "NAME")]
        instance: Option<String>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Save a connector with its consumer credentials (from flags, or a preset and flags).
    Add(Box<AddConnectorArgs>),
    /// Set the values of a connector's variables for one of its instances (secret variables
    /// stored encrypted; an empty value clears one).
    Set {
        /// The connector's name.
        name: String,
        /// The values (`NAME=VALUE`, repeatable).
        #[arg(value_name = "NAME=VALUE", required = true, value_parser = parse_pair)]
        values: Vec<(String, String)>,
        /// Which instance (its first when left out).
        #[arg(long, value_name = "NAME")]
        instance: Option<String>,
    },
    /// Remove a connector with its credentials, tokens and run history.
    Remove {
        /// The connector's name.
        name: String,
    },
    /// Write connectors as JSON (secrets left out unless --include-secrets).
    Export {
        /// The file to write (default: standard output).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Only these connectors (repeatable).
        #[arg(long = "only", value_name = "NAME")]
        only: Vec<String>,
        /// Include the secrets, encrypted under the passphrase in SIGNET_EXPORT_PASSPHRASE.
        #[arg(long)]
        include_secrets: bool,
    },
    /// Read connectors from an export file (every problem is reported at once).
    Import {
        /// The export file.
        file: PathBuf,
        /// What to do when a name is taken: fail, skip or replace.
        #[arg(long, default_value = "fail")]
        on_conflict: String,
    },
}

/// `signet import ...`.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A Postman collection (v2.0 or v2.1) as a new connector: OAuth 1.0 auth at any level
    /// becomes its OAuth 1.0a method (credentials into its instance, encrypted), requests its
    /// endpoints, variables its variables; every setting Signet does differently or leaves out
    /// is reported. Postman scripts are kept as text, never run.
    Postman {
        /// The collection file (Postman: ⋯ → Export → Collection v2.1).
        file: PathBuf,
        /// A Postman environment file whose values win over the collection's.
        #[arg(long, short = 'e', value_name = "FILE")]
        environment: Option<PathBuf>,
        /// Print the connector and the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `signet export ...`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A connector as a Postman v2.1 collection: its first authentication method on the
    /// collection, each endpoint a request, the OAuth 1.0a token requests in a folder, its
    /// values as collection variables. Secrets are empty {{variables}} unless
    /// --include-secrets. `signet import postman` reads it back to the same connector.
    Postman {
        /// The connector's name.
        connector: String,
        /// Whose values go in (its first instance when left out).
        #[arg(long)]
        instance: Option<String>,
        /// The file to write (default: standard output).
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
        /// Put the secrets' values in the collection, in clear.
        #[arg(long)]
        include_secrets: bool,
    },
}

/// `signet tokens ...`.
#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// List the token credentials stored per connector (secrets never printed).
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Forget a connector's token credentials.
    Forget {
        /// The connector's name.
        name: String,
        /// Which instance (its first when left out).
        #[arg(long, value_name = "NAME")]
        instance: Option<String>,
    },
}

/// `signet endpoints ...`.
#[derive(Debug, Subcommand)]
pub enum EndpointsCommand {
    /// List a connector's endpoints and the variables each needs.
    List {
        /// The connector's name.
        connector: String,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `signet connectors add`.
#[derive(Debug, Clone, Args)]
pub struct AddConnectorArgs {
    /// A unique name for the connector.
    pub name: String,
    /// The connector: a preset and flags.
    #[command(flatten)]
    pub definition: DefinitionArgs,
}

/// What a connector is made of on the command line: a preset (optional) and flags over it.
#[derive(Debug, Clone, Args)]
pub struct DefinitionArgs {
    /// Who signs and how.
    #[command(flatten)]
    pub credentials: CredentialArgs,
    /// The request-token (temporary credentials) URL.
    #[arg(long)]
    pub request_token_url: Option<String>,
    /// The provider's authorization page.
    #[arg(long)]
    pub authorize_url: Option<String>,
    /// The access-token (token credentials) URL.
    #[arg(long)]
    pub access_token_url: Option<String>,
    /// How the provider sends the user back: `loopback` (a one-shot listener on 127.0.0.1),
    /// `oob` (the provider shows a PIN you type here), or a URL (a loopback
    /// http://127.0.0.1:PORT/PATH is listened on exactly there; any other address you paste
    /// back after authorising).
    #[arg(long, default_value = "loopback")]
    pub callback: String,
    /// Extra parameters for the authorization URL (`name=value`, repeatable).
    #[arg(long = "authorize-param", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub authorize_params: Vec<(String, String)>,
    /// The provider does not send oauth_callback_confirmed (TripIt and other 1.0 providers).
    #[arg(long)]
    pub allow_unconfirmed_callback: bool,
    /// A protected resource to call at step 10 with the new token (saved as the endpoint
    /// `resource`).
    #[arg(long)]
    pub resource_url: Option<String>,
    /// The method for the resource call.
    #[arg(long, default_value = "GET")]
    pub resource_method: String,
    /// Start from a provider preset (`signet presets` lists them) and explain each choice;
    /// every flag typed wins over it. With --demo, the demo provider imitates that provider.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// The account id for presets with an {{account}} variable (NetSuite: 1234567-sb1).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// A value for one of the connector's variables (base_url=https://shop.example).
    #[arg(long = "value", visible_alias = "preset-value", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub values: Vec<(String, String)>,
}

/// Who signs and how.
#[derive(Debug, Clone, Args)]
pub struct CredentialArgs {
    /// The consumer key.
    #[arg(long, env = "SIGNET_CONSUMER_KEY")]
    pub consumer_key: Option<String>,
    /// The consumer secret (prefer the SIGNET_CONSUMER_SECRET variable: flags end up in
    /// shell history).
    #[arg(
        long,
        env = "SIGNET_CONSUMER_SECRET",
        hide_env_values = true,
        conflicts_with = "rsa_key"
    )]
    pub consumer_secret: Option<String>,
    /// A PEM RSA private key (PKCS#1 or PKCS#8), for the RSA-* methods.
    #[arg(long, value_name = "FILE")]
    pub rsa_key: Option<PathBuf>,
    /// HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, RSA-SHA1, RSA-SHA256, RSA-SHA512 or PLAINTEXT.
    #[arg(long, default_value = "HMAC-SHA1", value_parser = parse_method)]
    pub signature_method: SignatureMethod,
    /// Where the oauth_* parameters travel: header, query or body.
    #[arg(long, default_value = "header", value_parser = parse_placement)]
    pub placement: Placement,
    /// The realm of the Authorization header (never signed).
    #[arg(long)]
    pub realm: Option<String>,
    /// Leave oauth_version=1.0 out (a few providers refuse it).
    #[arg(long)]
    pub no_version: bool,
    /// Send protocol parameters whose value is empty instead of leaving them out.
    #[arg(long)]
    pub include_empty: bool,
    /// Add oauth_body_hash to requests whose body is not a form.
    #[arg(long)]
    pub body_hash: bool,
}

/// `signet audit`.
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// The provider to audit: the same flags as `signet flow` (or --connector NAME).
    #[command(flatten)]
    pub flow: FlowArgs,
    /// Send the listed requests without asking (needed when nobody can answer the question).
    #[arg(long)]
    pub yes: bool,
    /// Write the result as JUnit XML to FILE too (a test case per check), for CI.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the result as a self-contained HTML report to FILE too (opens offline in any
    /// browser; no secret in it).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// At most this many requests a second (the provider's rate limits; 0.1 to 100).
    #[arg(long, value_name = "N", default_value_t = 5.0)]
    pub rate_limit: f64,
}

/// `signet check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Saved connectors (their names): each endpoint of each is sent.
    #[arg(value_name = "CONNECTOR")]
    pub connectors: Vec<String>,
    /// A text file listing what to check: a connector a line (`Shop`), or one endpoint
    /// (`Shop / orders`); blank lines and `#` comments are skipped.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Which instance of each connector signs (its first when left out).
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// A value (`NAME=VALUE`, repeatable), as `signet call --var`, for each endpoint that uses
    /// it.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub vars: Vec<(String, String)>,
    /// Send endpoints of every method, not only GET and HEAD (POST, PUT, DELETE may change
    /// data at the provider; an endpoint named in --file is sent whatever its method).
    #[arg(long)]
    pub all_methods: bool,
    /// Write the cases as JUnit XML to FILE (a suite per connector, a case per endpoint).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Print the cases as JSON instead of a line each.
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

/// `signet flow`: the connector's flags, and where a report goes.
#[derive(Debug, Clone, Args)]
pub struct FlowCommand {
    /// The connector and how to run it.
    #[command(flatten)]
    pub flow: FlowArgs,
    /// Write the run as a report to FILE too: a self-contained HTML page (the timeline, the
    /// sequence diagram, each step with its requests and signing trace, the diagnosis of a
    /// failure), or JSON when FILE ends in .json. No secret is in it.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// The flags of `signet flow` (and `signet audit`).
#[derive(Debug, Clone, Args)]
pub struct FlowArgs {
    /// The connector: a preset and flags (ignored with --connector and --connector-file).
    #[command(flatten)]
    pub definition: DefinitionArgs,
    /// Start a demo provider inside this process and use it (endpoints and demo consumer
    /// filled in; combine with --browser "signet approve" for a fully automatic dance).
    #[arg(long)]
    pub demo: bool,
    /// The command that opens the authorization page (default: $BROWSER, else the system
    /// opener); the URL is appended, or replaces %s.
    #[arg(long, value_name = "CMD")]
    pub browser: Option<String>,
    /// One-legged: sign the resource call with the consumer credentials only (steps 3-9
    /// skipped).
    #[arg(long, conflicts_with = "token")]
    pub one_legged: bool,
    /// A pre-issued access token (NetSuite token-based auth, say): steps 3-9 are skipped.
    #[arg(long, requires = "token_secret")]
    pub token: Option<String>,
    /// The pre-issued token's secret (prefer SIGNET_TOKEN_SECRET).
    #[arg(long, env = "SIGNET_TOKEN_SECRET", hide_env_values = true)]
    pub token_secret: Option<String>,
    /// Stop once this step (1-10) is done.
    #[arg(long, value_name = "STEP", value_parser = clap::value_parser!(u8).range(1..=10))]
    pub until: Option<u8>,
    /// Seconds to wait for each HTTP response.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Seconds to wait for the redirect or PIN.
    #[arg(long, default_value_t = 600)]
    pub callback_timeout: u64,
    /// Add this many seconds to oauth_timestamp (when the provider's clock disagrees).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true,
          value_parser = clap::value_parser!(i64).range(-signet_engine::clock::MAX_OFFSET_SECONDS..=signet_engine::clock::MAX_OFFSET_SECONDS))]
    pub clock_offset: i64,
    /// Use a saved connector (its endpoints and credentials); its token is saved when issued
    /// and the run is kept in its history. With --connector-file: which connector of the file.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["demo", "preset"])]
    pub connector: Option<String>,
    /// With --connector: which of its instances (its first when left out).
    #[arg(long, value_name = "NAME", requires = "connector")]
    pub instance: Option<String>,
    /// Run a connector from a connectors file (`signet connectors export`, format in
    /// crates/store/EXPORT-FORMAT.md); consumer credentials from the flags unless the file
    /// carries them (encrypted: SIGNET_EXPORT_PASSPHRASE). Nothing is saved.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["demo", "save_as"])]
    pub connector_file: Option<PathBuf>,
    /// Save the connector under this name, then keep its token and history.
    #[arg(
        long,
        visible_alias = "save",
        value_name = "NAME",
        conflicts_with = "connector"
    )]
    pub save_as: Option<String>,
    /// Print one JSON document at the end (every step, its status, and the token credentials)
    /// instead of the step-by-step text.
    #[arg(long)]
    pub json: bool,
    /// Put the token secret in the output (it is left out otherwise).
    #[arg(long)]
    pub show_secrets: bool,
    /// Leave the token secret out (the default; kept so older scripts still run).
    #[arg(long, hide = true, conflicts_with = "show_secrets")]
    pub no_secrets: bool,
}

/// The request to sign or send.
#[derive(Debug, Clone, Args)]
pub struct RequestArgs {
    /// The HTTP method.
    #[arg(long, short = 'X', default_value = "GET")]
    pub method: String,
    /// The absolute URL, with its query.
    #[arg(long)]
    pub url: Option<String>,
    /// The body (form-encoded unless --content-type says otherwise).
    #[arg(long)]
    pub body: Option<String>,
    /// The body's content type (default: application/x-www-form-urlencoded when there is a
    /// body).
    #[arg(long)]
    pub content_type: Option<String>,
    /// The token (request token or access token). With `signet call CONNECTOR`: which of the
    /// connector's saved tokens (instances) to sign with, by name.
    #[arg(long)]
    pub token: Option<String>,
    /// The token secret (prefer SIGNET_TOKEN_SECRET).
    #[arg(long, env = "SIGNET_TOKEN_SECRET", hide_env_values = true)]
    pub token_secret: Option<String>,
    /// oauth_callback, for a request-token request.
    #[arg(long)]
    pub callback: Option<String>,
    /// oauth_verifier, for an access-token request.
    #[arg(long)]
    pub verifier: Option<String>,
}

/// `signet sign`.
#[derive(Debug, Clone, Args)]
pub struct SignArgs {
    /// Who signs and how.
    #[command(flatten)]
    pub credentials: CredentialArgs,
    /// The request.
    #[command(flatten)]
    pub request: RequestArgs,
    /// The nonce (default: a fresh random one).
    #[arg(long)]
    pub nonce: Option<String>,
    /// The timestamp (default: now).
    #[arg(long)]
    pub timestamp: Option<String>,
    /// Read one request in the vector format of crates/oauth1/tests/vectors/README.md on stdin and
    /// print its base string, signature and oauth_* parameters as JSON.
    #[arg(long)]
    pub json: bool,
    /// Show PLAINTEXT signatures (which are the secrets) in the printed request and curl
    /// command instead of <redacted>.
    #[arg(long)]
    pub show_secrets: bool,
}

/// `signet call`.
#[derive(Debug, Clone, Args)]
pub struct CallArgs {
    /// A saved connector (its name): its credentials, its instance's values and token.
    #[arg(value_name = "CONNECTOR")]
    pub connector: Option<String>,
    /// One of its endpoints (id or name; `signet endpoints list CONNECTOR` lists them).
    #[arg(value_name = "ENDPOINT", conflicts_with = "url")]
    pub endpoint: Option<String>,
    /// The connector, as a flag (same as the first argument).
    #[arg(
        long = "connector",
        value_name = "NAME",
        hide = true,
        conflicts_with = "connector"
    )]
    pub connector_flag: Option<String>,
    /// Which of the connector's instances (its saved token) signs the call: its first when left
    /// out. `--token NAME` says the same with a connector.
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// A value for this call (`NAME=VALUE`, repeatable): wins over the endpoint's, the
    /// instance's and the connector's values.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub vars: Vec<(String, String)>,
    /// Who signs and how (without a connector).
    #[command(flatten)]
    pub credentials: CredentialArgs,
    /// The request (instead of an endpoint: any URL, signed with the connector's or the
    /// flags' credentials).
    #[command(flatten)]
    pub request: RequestArgs,
    /// Seconds to wait for the response.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Add this many seconds to oauth_timestamp.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true,
          value_parser = clap::value_parser!(i64).range(-signet_engine::clock::MAX_OFFSET_SECONDS..=signet_engine::clock::MAX_OFFSET_SECONDS))]
    pub clock_offset: i64,
    /// Print the call as JSON: what was sent (secrets masked), how it was signed, what came
    /// back and, when it failed, why. With --all-pages: the combined items as one JSON array
    /// (each page's line goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// Walk every page of the endpoint (its pagination setting), each page signed afresh.
    #[arg(long, requires = "endpoint")]
    pub all_pages: bool,
    /// With --all-pages: fetch at most this many pages (fewer than the endpoint's own most).
    #[arg(long, value_name = "N", requires = "all_pages", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_pages: Option<u32>,
    /// Print the call as a curl command instead of sending it (only the command goes to
    /// stdout): signed afresh with a new nonce and timestamp, so it works once, within the
    /// provider's time window. Secrets in it (an API key, a Basic password, a PLAINTEXT
    /// signature) are <redacted> unless --show-secrets.
    #[arg(long, conflicts_with = "all_pages")]
    pub curl: bool,
    /// With --curl: put the secrets in the command.
    #[arg(long, requires = "curl")]
    pub show_secrets: bool,
}

/// `signet approve`.
#[derive(Debug, Clone, Args)]
pub struct ApproveArgs {
    /// The authorization URL (with oauth_token), as a browser would be given it.
    pub url: String,
    /// The demo user to sign in as.
    #[arg(long, default_value = "alice")]
    pub user: String,
    /// Their password.
    #[arg(long, default_value = "wonderland")]
    pub password: String,
    /// Press Deny instead of Allow.
    #[arg(long)]
    pub deny: bool,
    /// For an `oob` callback, write the PIN the provider shows to this file.
    #[arg(long, value_name = "FILE")]
    pub pin_file: Option<PathBuf>,
}

fn parse_method(s: &str) -> Result<SignatureMethod, String> {
    s.parse().map_err(|e: signet_oauth1::Error| e.to_string())
}

fn parse_placement(s: &str) -> Result<Placement, String> {
    s.parse().map_err(|e: signet_oauth1::Error| e.to_string())
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("{s:?} is not NAME=VALUE"))
}
