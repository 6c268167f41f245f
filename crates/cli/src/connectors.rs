//! `signet connectors`, `signet endpoints` and `signet tokens`: the saved connectors, their
//! endpoints and their instances' tokens, through the same use cases as the desktop app.

use std::path::Path;

use serde::Serialize;
use signet_app::App;
use signet_app::api::{ConnectorView, Endpoint, Variable, VariableKind};
use signet_connector::AuthKind;
use signet_oauth1::Secret;
use signet_store::{ExportOptions, ExportSecrets, ImportOptions, OnConflict};

use crate::app::{self, store_failure};
use crate::args::{AddConnectorArgs, ConnectorsCommand, EndpointsCommand, TokensCommand};
use crate::define::{self, Mode};
use crate::exit::{Exit, Failure, Outcome};
use crate::output::print_json;

fn read(file: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(file).map_err(|e| {
        Failure::usage(
            format!("cannot read {}: {e}", file.display()),
            "check the path",
        )
    })
}

fn instance_id(view: &ConnectorView) -> Result<String, Failure> {
    view.document.instance.id.clone().ok_or_else(|| Failure {
        exit: Exit::Internal,
        message: format!(
            "connector {:?} has no instance",
            view.document.connector.details.name
        ),
        hint: Some("save it again".into()),
    })
}

/// Runs `signet connectors ...`.
pub fn connectors(data_dir: Option<&Path>, cmd: ConnectorsCommand) -> Outcome {
    let cli = app::open(data_dir, None, signet_app::Settings::default())?;
    let app = &cli.app;
    match cmd {
        ConnectorsCommand::List { json } => list(app, json)?,
        ConnectorsCommand::Show {
            name,
            instance,
            json,
        } => {
            let view = app::find(app, &name, instance.as_deref())?;
            if json {
                print_json(&view);
            } else {
                show(app, &view);
            }
        }
        ConnectorsCommand::Add(a) => add(app, &a)?,
        ConnectorsCommand::Set {
            name,
            values,
            instance,
        } => set(app, &name, instance.as_deref(), &values)?,
        ConnectorsCommand::Remove { name } => {
            let view = app::find(app, &name, None)?;
            app.connector_delete(&view.id)?;
            outln!("Removed {name:?} with its instances, credentials, tokens and run history.");
        }
        ConnectorsCommand::Export {
            out,
            only,
            include_secrets,
        } => export(app, out.as_deref(), &only, include_secrets)?,
        ConnectorsCommand::Import { file, on_conflict } => {
            let text = read(&file)?;
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
            let report = app
                .store()
                .import(
                    &text,
                    &ImportOptions {
                        passphrase,
                        on_conflict,
                    },
                )
                .map_err(store_failure)?;
            outln!(
                "Imported: added {:?}, replaced {:?}, skipped {:?}",
                report.added,
                report.replaced,
                report.skipped
            );
        }
    }
    Ok(())
}

fn list(app: &App, json: bool) -> Outcome {
    let all = app.connectors_list()?;
    if json {
        print_json(&all);
        return Ok(());
    }
    if all.is_empty() {
        outln!(
            "No connectors yet. Save one with `signet connectors add NAME --preset ID ...` or `signet flow ... --save-as NAME`."
        );
        return Ok(());
    }
    for c in &all {
        let method = c.signature_method.map_or("-", |m| m.as_str());
        let token = match &c.token {
            Some(t) => format!("token {}", t.token),
            None => "no token yet".into(),
        };
        outln!(
            "{:<28} {:<12} {:>2} endpoint{} {:>2} instance{}  {token}",
            c.name,
            method,
            c.endpoint_count,
            if c.endpoint_count == 1 { " " } else { "s" },
            c.instance_count,
            if c.instance_count == 1 { " " } else { "s" },
        );
    }
    Ok(())
}

fn variable_line(v: &Variable, value: Option<&str>, stored_secret: bool) -> String {
    let shown = match (v.kind, value) {
        (VariableKind::Secret, _) if stored_secret => "(secret, stored)".to_owned(),
        (VariableKind::Secret, _) => "(secret, not set)".to_owned(),
        (_, Some(v)) => v.to_owned(),
        (_, None) => match &v.default {
            Some(d) => format!("{d} (default)"),
            None if v.required => "(not set: required)".to_owned(),
            None => "(not set)".to_owned(),
        },
    };
    let name = format!("{{{{{}}}}}", v.name);
    format!("    {name:<18} {shown:<28} {}", v.label)
}

fn show(app: &App, view: &ConnectorView) {
    let doc = &view.document;
    let c = &doc.connector;
    let d = &c.details;
    outln!("{}", d.name);
    if !d.system.is_empty() {
        outln!("  system         {}", d.system);
    }
    if !d.description.is_empty() {
        outln!("  about          {}", d.description);
    }
    if let Some(p) = &d.preset {
        outln!("  preset         {p}");
    }
    outln!("  instance       {}", doc.instance.name);
    if !c.variables.is_empty() {
        outln!("  variables");
        for v in &c.variables {
            outln!(
                "{}",
                variable_line(
                    v,
                    doc.instance.values.get(&v.name).map(String::as_str),
                    view.stored.variables.contains(&v.name)
                )
            );
        }
    }
    for m in &c.auth_methods {
        outln!("  auth method    {} ({})", m.name, m.kind.type_name());
        if let AuthKind::OAuth1(o) = &m.kind {
            outln!(
                "    request token  {} {}",
                o.request_token.method,
                o.request_token.url
            );
            outln!("    authorize      {}", o.authorize_url);
            outln!(
                "    access token   {} {}",
                o.access_token.method,
                o.access_token.url
            );
            outln!(
                "    signature      {}, parameters in the {}",
                o.signature_method,
                o.placement
            );
            outln!("    callback       {}", o.callback.mode);
        }
    }
    outln!(
        "  consumer key   {}",
        if doc.instance.consumer_key.is_empty() {
            "(not set)"
        } else {
            &doc.instance.consumer_key
        }
    );
    let stored = if view.stored.consumer_secret {
        "consumer secret stored"
    } else if view.stored.rsa_private_key {
        "RSA private key stored"
    } else {
        "no consumer secret or RSA key stored"
    };
    outln!("  credentials    {stored}");
    match &view.token {
        Some(t) => outln!(
            "  token          {} (issued {})",
            t.token,
            signet_store::Timestamp(i64::try_from(t.issued_ms).unwrap_or(i64::MAX))
        ),
        None => outln!(
            "  token          none yet: run `signet flow --connector {:?}`",
            d.name
        ),
    }
    if !c.endpoints.is_empty() {
        outln!("  endpoints");
        for e in &c.endpoints {
            outln!("    {:<16} {:<6} {}", e.id, e.method, e.url);
        }
    }
    if view.instances.len() > 1 {
        let names: Vec<&str> = view.instances.iter().map(|i| i.name.as_str()).collect();
        outln!("  instances      {}", names.join(", "));
    }
    outln!("  data key       {}", app.store().key_status().describe());
}

fn add(app: &App, a: &AddConnectorArgs) -> Outcome {
    if app
        .store()
        .connector_by_name(&a.name)
        .map_err(store_failure)?
        .is_some()
    {
        return Err(Failure::usage(
            format!("a connector called {:?} already exists", a.name),
            "pick another name, or remove it first with `signet connectors remove`",
        ));
    }
    let (doc, _) = define::document(&a.definition, Some(&a.name), Mode::default(), app, None)?;
    define::check_complete(app, &doc)?;
    let view = app.connector_save(doc)?;
    let name = &view.document.connector.details.name;
    outln!("Saved {name:?}. Connect with: signet flow --connector {name:?}");
    outln!("{}", app.store().key_status().describe());
    Ok(())
}

fn set(app: &App, name: &str, instance: Option<&str>, values: &[(String, String)]) -> Outcome {
    let view = app::find(app, name, instance)?;
    let mut doc = view.document;
    for (k, v) in values {
        let Some(var) = doc.connector.variables.iter().find(|x| &x.name == k) else {
            let names: Vec<&str> = doc
                .connector
                .variables
                .iter()
                .map(|x| x.name.as_str())
                .collect();
            return Err(Failure::usage(
                format!("connector {name:?} has no variable {k:?}"),
                if names.is_empty() {
                    "it has no connector variables".to_owned()
                } else {
                    format!("its variables: {}", names.join(", "))
                },
            ));
        };
        if v.is_empty() && var.kind != VariableKind::Secret {
            doc.instance.values.remove(k);
        } else {
            define::set_value(&mut doc, k, v);
        }
    }
    let saved = app.connector_save(doc)?;
    outln!(
        "Set {} on {name:?} (instance {}).",
        values
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        saved.document.instance.name
    );
    Ok(())
}

fn export(app: &App, out: Option<&Path>, only: &[String], include_secrets: bool) -> Outcome {
    let only = if only.is_empty() {
        None
    } else {
        Some(
            only.iter()
                .map(|n| {
                    app::find(app, n, None).and_then(|v| {
                        v.id.parse().map_err(|_| Failure {
                            exit: Exit::Internal,
                            message: format!("connector {n:?} has a damaged id"),
                            hint: None,
                        })
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    let secrets = if include_secrets {
        ExportSecrets::EncryptWith(std::env::var("SIGNET_EXPORT_PASSPHRASE").map(Secret::new).map_err(
            |_| {
                Failure::usage(
                    "exporting secrets needs a passphrase",
                    "set SIGNET_EXPORT_PASSPHRASE (at least 8 characters); the file is useless without it",
                )
            },
        )?)
    } else {
        ExportSecrets::Exclude
    };
    let text = app
        .store()
        .export(&ExportOptions { only, secrets })
        .map_err(store_failure)?;
    match out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| Failure {
                exit: Exit::Internal,
                message: format!("cannot write {}: {e}", path.display()),
                hint: None,
            })?;
            errln!(
                "Wrote {}{}",
                path.display(),
                if include_secrets {
                    " (secrets encrypted under your passphrase)"
                } else {
                    " (no secrets)"
                }
            );
        }
        None => outln!("{text}"),
    }
    Ok(())
}

/// One endpoint as `signet endpoints list --json` prints it.
#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    name: &'a str,
    method: &'a str,
    url: &'a str,
    body: &'static str,
    auth: Option<&'a str>,
    variables: &'a [Variable],
}

/// Runs `signet endpoints ...`.
pub fn endpoints(data_dir: Option<&Path>, cmd: EndpointsCommand) -> Outcome {
    let cli = app::open(data_dir, None, signet_app::Settings::default())?;
    let EndpointsCommand::List { connector, json } = cmd;
    let view = app::find(&cli.app, &connector, None)?;
    let all: &[Endpoint] = &view.document.connector.endpoints;
    if json {
        let listed: Vec<Listed<'_>> = all
            .iter()
            .map(|e| Listed {
                id: &e.id,
                name: &e.name,
                method: &e.method,
                url: &e.url,
                body: e.body.type_name(),
                auth: e.auth.as_deref(),
                variables: &e.variables,
            })
            .collect();
        print_json(&listed);
        return Ok(());
    }
    if all.is_empty() {
        outln!(
            "{connector:?} has no endpoints yet. Add them in the desktop app's Endpoints step, or call any URL with `signet call {connector:?} --url URL`."
        );
        return Ok(());
    }
    for e in all {
        outln!("{:<16} {:<6} {}  — {}", e.id, e.method, e.url, e.name);
        for v in &e.variables {
            let default = v
                .default
                .as_deref()
                .map(|d| format!(" (default {d})"))
                .unwrap_or_default();
            outln!("    --var {}=…  {}{default}", v.name, v.label);
        }
    }
    outln!("\nSend one with: signet call {connector:?} ENDPOINT [--var NAME=VALUE]");
    Ok(())
}

/// Runs `signet tokens ...`.
pub fn tokens(data_dir: Option<&Path>, cmd: TokensCommand) -> Outcome {
    let cli = app::open(data_dir, None, signet_app::Settings::default())?;
    let app = &cli.app;
    match cmd {
        TokensCommand::List { json } => {
            let all = app.tokens_list()?;
            if json {
                print_json(&all);
            } else if all.is_empty() {
                outln!("No stored tokens. Run `signet flow --connector NAME` to get one.");
            } else {
                for t in &all {
                    outln!(
                        "{:<24} {:<10} {} (issued {}; secret stored encrypted)",
                        t.connector_name,
                        t.instance_name,
                        t.token,
                        signet_store::Timestamp(i64::try_from(t.issued_ms).unwrap_or(i64::MAX))
                    );
                }
            }
        }
        TokensCommand::Forget { name, instance } => {
            let view = app::find(app, &name, instance.as_deref())?;
            app.token_forget(&instance_id(&view)?)?;
            outln!(
                "Forgot the token of {name:?} (instance {}); its consumer credentials stay.",
                view.document.instance.name
            );
        }
    }
    Ok(())
}

/// `signet history ...`.
pub fn history(data_dir: Option<&Path>, cmd: crate::args::HistoryCommand) -> Outcome {
    use crate::args::HistoryCommand;
    let cli = app::open(data_dir, None, signet_app::Settings::default())?;
    let app = &cli.app;
    match cmd {
        HistoryCommand::Keep { runs: None } => {
            let s = app.history_settings()?;
            outln!(
                "History keeps the newest {} runs of each instance (default {}; set {} to {} with `signet history keep N`).",
                s.keep_runs,
                s.default_keep_runs,
                s.min_keep_runs,
                s.max_keep_runs
            );
        }
        HistoryCommand::Keep { runs: Some(n) } => {
            let done = app.history_settings_set(n)?;
            outln!(
                "History keeps the newest {} runs of each instance; {} older {} forgotten.",
                done.settings.keep_runs,
                done.removed,
                if done.removed == 1 {
                    "run was"
                } else {
                    "runs were"
                }
            );
        }
        HistoryCommand::Clear { connector } => {
            let id = match &connector {
                Some(name) => Some(app::find(app, name, None)?.id),
                None => None,
            };
            let done = app.history_clear(id.as_deref(), None)?;
            outln!(
                "Forgot {} {}{}.",
                done.removed,
                if done.removed == 1 { "run" } else { "runs" },
                connector.map(|n| format!(" of {n:?}")).unwrap_or_default()
            );
        }
    }
    Ok(())
}
