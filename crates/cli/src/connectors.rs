//! `signet connectors` and `signet tokens`, and the bridge between saved connectors and flows.

use std::path::Path;

use serde::Serialize;
use signet_oauth1::flow::{
    CallbackConfig, ConsumerKey, Endpoint, FlowConfig, ModeConfig, ResourceRequest,
    ThreeLeggedConfig,
};
use signet_oauth1::{CallbackMode, RsaPrivateKeyPem, Secret};
use signet_store::{
    ClientSecret, Connector, ConnectorSpec, Credentials, ExportOptions, ExportSecrets,
    ImportOptions, OnConflict, OpenOptions, Store,
};

use crate::args::{AddConnectorArgs, ConnectorsCommand, CredentialArgs, TokensCommand};
use crate::exit::{Exit, Failure, Outcome};
use crate::flow::callback;

/// Opens the database (`--data-dir`, else `$SIGNET_DATA_DIR`, else the XDG data directory).
pub fn open(data_dir: Option<&Path>) -> Result<Store, Failure> {
    let options = OpenOptions::from_env(data_dir).map_err(store_failure)?;
    Store::open(&options).map_err(store_failure)
}

/// A store error as a failure with its exit code.
pub fn store_failure(e: signet_store::Error) -> Failure {
    let report = e.report();
    let exit = match report.kind.as_str() {
        "not_found" | "duplicate_name" | "invalid" | "import" | "wrong_passphrase"
        | "weak_passphrase" => Exit::Usage,
        _ => Exit::Internal,
    };
    Failure {
        exit,
        message: report.message,
        hint: report.hint,
    }
}

/// The connector called `name`, or a usage failure listing what exists.
pub fn find(store: &Store, name: &str) -> Result<Connector, Failure> {
    store
        .connector_by_name(name)
        .map_err(store_failure)?
        .ok_or_else(|| {
            let names: Vec<String> = store
                .list_connectors()
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.spec.name)
                .collect();
            Failure::usage(
                format!("no connector called {name:?}"),
                if names.is_empty() {
                    "save one first with `signet connectors add` or `signet flow --save-as NAME`"
                        .to_owned()
                } else {
                    format!("saved connectors: {}", names.join(", "))
                },
            )
        })
}

/// The flow configuration of a saved connector, with its decrypted credentials.
pub fn flow_config(store: &Store, c: &Connector) -> Result<(FlowConfig, Credentials), Failure> {
    let creds = store
        .credentials(c.id)
        .map_err(store_failure)?
        .ok_or_else(|| {
            Failure::usage(
                format!("connector {:?} has no consumer credentials", c.spec.name),
                "add them with `signet connectors add` (or remove and add it again)",
            )
        })?;
    let key = match &creds.client_secret {
        ClientSecret::Shared(s) => ConsumerKey::Secret(s.clone()),
        ClientSecret::RsaPrivateKey(pem) => {
            ConsumerKey::Rsa(RsaPrivateKeyPem::parse(pem.expose()).map_err(|e| {
                Failure::usage(e.to_string(), "save the connector again with a valid key")
            })?)
        }
    };
    let s = &c.spec;
    let callback = match (s.callback_mode, &s.callback_url) {
        (CallbackMode::Oob, _) => CallbackConfig::oob(),
        (mode, Some(url)) => CallbackConfig {
            mode,
            url: url.clone(),
        },
        (CallbackMode::Loopback, None) => CallbackConfig::loopback(0, "/callback"),
        (CallbackMode::DeepLink, None) => CallbackConfig::deep_link(),
    };
    let config = FlowConfig {
        extras: Default::default(),
        consumer_key: creds.consumer_key.clone(),
        key,
        signature_method: s.signature_method,
        sign_options: signet_oauth1::SignOptions {
            placement: s.placement,
            include_version: s.include_version,
            ..Default::default()
        },
        realm: s.realm.clone(),
        mode: ModeConfig::ThreeLegged(ThreeLeggedConfig {
            request_token: Endpoint::post(s.request_token_url.clone()),
            authorize_url: s.authorize_url.clone(),
            access_token: Endpoint::post(s.access_token_url.clone()),
            callback,
            authorize_params: s.extra_authorize_params.clone(),
            callback_on_authorize_url: false,
            require_callback_confirmed: true,
        }),
        resource: s.resource_url.clone().map(ResourceRequest::get),
    };
    Ok((config, creds))
}

/// A connector spec and credentials from flags.
pub fn spec_from_flags(
    name: &str,
    c: &CredentialArgs,
    urls: [&str; 3],
    resource_url: Option<&str>,
    callback_flag: &str,
    authorize_params: &[(String, String)],
) -> Result<(ConnectorSpec, Credentials), Failure> {
    let mut spec = ConnectorSpec::new(name, urls[0], urls[1], urls[2]);
    spec.resource_url = resource_url.map(str::to_owned);
    spec.signature_method = c.signature_method;
    spec.placement = c.placement;
    spec.realm = c.realm.clone();
    spec.include_version = !c.no_version;
    spec.extra_authorize_params = authorize_params.to_vec();
    let cb = callback(callback_flag)?;
    spec.callback_mode = cb.mode;
    spec.callback_url = (cb.mode != CallbackMode::Oob).then_some(cb.url);
    let consumer_key = c
        .consumer_key
        .clone()
        .ok_or_else(|| Failure::usage("no consumer key", "pass --consumer-key"))?;
    let client_secret = client_secret(c, c.signature_method)?;
    Ok((
        spec,
        Credentials {
            consumer_key,
            client_secret,
            token: None,
        },
    ))
}

/// The flow configuration of one connector in a connectors file: imported into a throwaway
/// store (so the file gets the same validation as an import), with the consumer credentials
/// from the flags when the file carries none.
pub fn from_file(
    file: &Path,
    name: Option<&str>,
    flags: &CredentialArgs,
) -> Result<FlowConfig, Failure> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        Failure::usage(
            format!("cannot read {}: {e}", file.display()),
            "check the path",
        )
    })?;
    let scratch = tempfile::tempdir().map_err(|e| Failure {
        exit: Exit::Internal,
        message: format!("cannot make a temporary directory: {e}"),
        hint: None,
    })?;
    let store =
        Store::open(&OpenOptions::new(scratch.path()).keyring(signet_store::KeyringChoice::File))
            .map_err(store_failure)?;
    let passphrase = std::env::var("SIGNET_EXPORT_PASSPHRASE")
        .ok()
        .map(Secret::new);
    store
        .import(
            &text,
            &ImportOptions {
                passphrase,
                on_conflict: OnConflict::Fail,
            },
        )
        .map_err(store_failure)?;
    let all = store.list_connectors().map_err(store_failure)?;
    let c = match (name, all.as_slice()) {
        (Some(name), _) => find(&store, name)?,
        (None, [one]) => one.clone(),
        (None, many) => {
            let names: Vec<&str> = many.iter().map(|c| c.spec.name.as_str()).collect();
            return Err(Failure::usage(
                format!("{} holds {} connectors", file.display(), many.len()),
                format!("pick one with --connector NAME: {}", names.join(", ")),
            ));
        }
    };
    if store
        .credentials_summary(c.id)
        .map_err(store_failure)?
        .is_none()
    {
        let consumer_key = flags.consumer_key.clone().ok_or_else(|| {
            Failure::usage(
                format!("the file has no consumer credentials for {:?}", c.spec.name),
                "pass --consumer-key and --consumer-secret (or --rsa-key)",
            )
        })?;
        let secret = client_secret(flags, c.spec.signature_method)?;
        store
            .set_client_credentials(c.id, &consumer_key, secret)
            .map_err(store_failure)?;
    }
    Ok(flow_config(&store, &c)?.0)
}

/// The consumer secret or RSA private key the flags give, for `method`.
fn client_secret(
    c: &CredentialArgs,
    method: signet_oauth1::SignatureMethod,
) -> Result<ClientSecret, Failure> {
    if method.is_rsa() {
        let path = c.rsa_key.as_ref().ok_or_else(|| {
            Failure::usage(
                format!("{method} needs an RSA private key"),
                "pass --rsa-key FILE",
            )
        })?;
        let pem = std::fs::read_to_string(path).map_err(|e| {
            Failure::usage(
                format!("cannot read the rsa key {}: {e}", path.display()),
                "check the path",
            )
        })?;
        Ok(ClientSecret::RsaPrivateKey(Secret::new(pem)))
    } else {
        let secret = c.consumer_secret.clone().ok_or_else(|| {
            Failure::usage(
                format!("{method} needs the consumer secret"),
                "pass --consumer-secret (or set SIGNET_CONSUMER_SECRET)",
            )
        })?;
        Ok(ClientSecret::Shared(Secret::new(secret)))
    }
}

#[derive(Serialize)]
struct Listed<'a> {
    name: &'a str,
    id: String,
    signature_method: signet_oauth1::SignatureMethod,
    request_token_url: &'a str,
    token: Option<String>,
    token_obtained_at: Option<String>,
}

/// Runs `signet connectors ...`.
pub fn connectors(data_dir: Option<&Path>, cmd: ConnectorsCommand) -> Outcome {
    let store = open(data_dir)?;
    match cmd {
        ConnectorsCommand::List { json } => {
            let all = store.list_connectors().map_err(store_failure)?;
            let listed: Vec<Listed<'_>> = all
                .iter()
                .map(|c| {
                    let token = store
                        .credentials_summary(c.id)
                        .ok()
                        .flatten()
                        .and_then(|s| s.token);
                    Listed {
                        name: &c.spec.name,
                        id: c.id.to_string(),
                        signature_method: c.spec.signature_method,
                        request_token_url: &c.spec.request_token_url,
                        token_obtained_at: token.as_ref().map(|t| t.obtained_at.to_string()),
                        token: token.map(|t| t.token),
                    }
                })
                .collect();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&listed).expect("plain data serializes")
                );
            } else if listed.is_empty() {
                println!(
                    "No connectors yet. Save one with `signet connectors add NAME ...` or `signet flow ... --save-as NAME`."
                );
            } else {
                for l in &listed {
                    let token = match (&l.token, &l.token_obtained_at) {
                        (Some(t), Some(at)) => format!("token {t} (since {at})"),
                        _ => "no token yet".into(),
                    };
                    println!("{:<24} {:<12} {token}", l.name, l.signature_method.as_str());
                }
            }
        }
        ConnectorsCommand::Show { name, json } => {
            let c = find(&store, &name)?;
            let summary = store.credentials_summary(c.id).map_err(store_failure)?;
            if json {
                #[derive(Serialize)]
                struct Shown<'a> {
                    connector: &'a Connector,
                    credentials: Option<signet_store::CredentialsSummary>,
                }
                let shown = Shown {
                    connector: &c,
                    credentials: summary,
                };
                println!(
                    "{}",
                    serde_json::to_string_pretty(&shown).expect("plain data serializes")
                );
            } else {
                let s = &c.spec;
                println!(
                    "{}\n  request token  {}\n  authorize      {}\n  access token   {}",
                    s.name, s.request_token_url, s.authorize_url, s.access_token_url
                );
                if let Some(r) = &s.resource_url {
                    println!("  resource       {r}");
                }
                println!(
                    "  signature      {}, parameters in the {}",
                    s.signature_method, s.placement
                );
                println!(
                    "  callback       {}{}",
                    s.callback_mode,
                    s.callback_url
                        .as_deref()
                        .map(|u| format!(" ({u})"))
                        .unwrap_or_default()
                );
                match summary {
                    Some(sum) => {
                        println!(
                            "  consumer key   {} (secret stored{})",
                            sum.consumer_key,
                            if sum.secrets_readable {
                                ""
                            } else {
                                " but unreadable: the data key is missing"
                            }
                        );
                        match sum.token {
                            Some(t) => println!(
                                "  token          {} (obtained {})",
                                t.token, t.obtained_at
                            ),
                            None => println!(
                                "  token          none yet: run `signet flow --connector {:?}`",
                                s.name
                            ),
                        }
                    }
                    None => println!("  credentials    none"),
                }
                println!("  data key       {}", store.key_status().describe());
            }
        }
        ConnectorsCommand::Add(a) => add(&store, &a)?,
        ConnectorsCommand::Remove { name } => {
            let c = find(&store, &name)?;
            store.remove_connector(c.id).map_err(store_failure)?;
            println!("Removed {name:?} with its credentials, token and run history.");
        }
        ConnectorsCommand::Export {
            out,
            only,
            include_secrets,
        } => {
            let only = if only.is_empty() {
                None
            } else {
                Some(
                    only.iter()
                        .map(|n| find(&store, n).map(|c| c.id))
                        .collect::<Result<Vec<_>, _>>()?,
                )
            };
            let secrets = if include_secrets {
                ExportSecrets::EncryptWith(passphrase()?)
            } else {
                ExportSecrets::Exclude
            };
            let text = store
                .export(&ExportOptions { only, secrets })
                .map_err(store_failure)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, text).map_err(|e| Failure {
                        exit: Exit::Internal,
                        message: format!("cannot write {}: {e}", path.display()),
                        hint: None,
                    })?;
                    eprintln!(
                        "Wrote {}{}",
                        path.display(),
                        if include_secrets {
                            " (secrets encrypted under your passphrase)"
                        } else {
                            " (no secrets)"
                        }
                    );
                }
                None => println!("{text}"),
            }
        }
        ConnectorsCommand::Import { file, on_conflict } => {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                Failure::usage(
                    format!("cannot read {}: {e}", file.display()),
                    "check the path",
                )
            })?;
            let on_conflict = match on_conflict.as_str() {
                "fail" => OnConflict::Fail,
                "skip" => OnConflict::Skip,
                "replace" => OnConflict::Replace,
                other => {
                    return Err(Failure::usage(
                        format!("--on-conflict {other:?} is not fail, skip or replace"),
                        "use --on-conflict skip to keep existing connectors",
                    ));
                }
            };
            let passphrase = std::env::var("SIGNET_EXPORT_PASSPHRASE")
                .ok()
                .map(Secret::new);
            let report = store
                .import(
                    &text,
                    &ImportOptions {
                        passphrase,
                        on_conflict,
                    },
                )
                .map_err(store_failure)?;
            println!(
                "Imported: added {:?}, replaced {:?}, skipped {:?}",
                report.added, report.replaced, report.skipped
            );
        }
    }
    Ok(())
}

fn add(store: &Store, a: &AddConnectorArgs) -> Outcome {
    let (spec, creds) = spec_from_flags(
        &a.name,
        &a.credentials,
        [&a.request_token_url, &a.authorize_url, &a.access_token_url],
        a.resource_url.as_deref(),
        &a.callback,
        &a.authorize_params,
    )?;
    let c = store
        .create_connector_with_credentials(spec, creds)
        .map_err(store_failure)?;
    println!(
        "Saved {:?}. Connect with: signet flow --connector {:?}",
        c.spec.name, c.spec.name
    );
    println!("{}", store.key_status().describe());
    Ok(())
}

fn passphrase() -> Result<Secret, Failure> {
    std::env::var("SIGNET_EXPORT_PASSPHRASE").map(Secret::new).map_err(|_| {
        Failure::usage(
            "exporting secrets needs a passphrase",
            "set SIGNET_EXPORT_PASSPHRASE (at least 12 characters); the file is useless without it",
        )
    })
}

/// Runs `signet tokens ...`.
pub fn tokens(data_dir: Option<&Path>, cmd: TokensCommand) -> Outcome {
    let store = open(data_dir)?;
    match cmd {
        TokensCommand::List { json } => {
            #[derive(Serialize)]
            struct Tok {
                connector: String,
                token: String,
                obtained_at: String,
                extra: Vec<(String, String)>,
            }
            let mut out = Vec::new();
            for c in store.list_connectors().map_err(store_failure)? {
                if let Some(t) = store
                    .credentials_summary(c.id)
                    .map_err(store_failure)?
                    .and_then(|s| s.token)
                {
                    out.push(Tok {
                        connector: c.spec.name.clone(),
                        token: t.token,
                        obtained_at: t.obtained_at.to_string(),
                        extra: t.extra,
                    });
                }
            }
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&out).expect("plain data serializes")
                );
            } else if out.is_empty() {
                println!("No stored tokens. Run `signet flow --connector NAME` to get one.");
            } else {
                for t in &out {
                    println!(
                        "{:<24} {} (obtained {}; secret stored encrypted)",
                        t.connector, t.token, t.obtained_at
                    );
                }
            }
        }
        TokensCommand::Forget { name } => {
            let c = find(&store, &name)?;
            store.clear_token(c.id).map_err(store_failure)?;
            println!("Forgot the token of {name:?}; its consumer credentials stay.");
        }
    }
    Ok(())
}
