//! `signet import postman` and `signet export postman`: connectors in and out as Postman
//! collections, through the app's use cases (the desktop app's Import and Export).

use std::path::Path;

use signet_app::api::{NoteKind, PostmanImported};

use crate::app;
use crate::args::{ExportCommand, ImportCommand};
use crate::exit::{Exit, Failure, Outcome};
use crate::output::print_json;

/// Reads a file the user named, refusing one larger than any collection before reading it.
fn read_limited(file: &Path) -> Result<String, Failure> {
    let max = signet_interchange::postman::MAX_FILE_BYTES as u64;
    let len = std::fs::metadata(file)
        .map_err(|e| {
            Failure::usage(
                format!("cannot read {}: {e}", file.display()),
                "check the path",
            )
        })?
        .len();
    if len > max {
        return Err(Failure::usage(
            format!(
                "{} is {:.1} MB; Signet imports files of at most {} MB",
                file.display(),
                len as f64 / 1_048_576.0,
                max / 1_048_576
            ),
            "export the collection from Postman without saved responses",
        ));
    }
    let bytes = std::fs::read(file).map_err(|e| {
        Failure::usage(
            format!("cannot read {}: {e}", file.display()),
            "check the path",
        )
    })?;
    String::from_utf8(bytes).map_err(|_| {
        Failure::usage(
            format!("{} is not UTF-8 text", file.display()),
            "a Postman collection is a JSON file: export it again from Postman",
        )
    })
}

/// Runs `signet import ...`.
pub fn import(data_dir: Option<&Path>, cmd: ImportCommand) -> Outcome {
    let ImportCommand::Postman {
        file,
        environment,
        json,
    } = cmd;
    let collection = read_limited(&file)?;
    let environment = environment.as_deref().map(read_limited).transpose()?;
    let cli = app::open(data_dir, None, signet_app::Settings::default())?;
    let done = cli
        .app
        .postman_import(&collection, environment.as_deref())?;
    if json {
        print_json(&done);
        return Ok(());
    }
    print_report(&done);
    Ok(())
}

fn print_report(done: &PostmanImported) {
    let c = &done.view.document.connector;
    outln!(
        "Imported {:?}: {} endpoint{}, {} authentication method{}, {} variable{}.",
        c.details.name,
        c.endpoints.len(),
        if c.endpoints.len() == 1 { "" } else { "s" },
        c.auth_methods.len(),
        if c.auth_methods.len() == 1 { "" } else { "s" },
        c.variables.len(),
        if c.variables.len() == 1 { "" } else { "s" },
    );
    for (kind, heading) in [
        (NoteKind::Changed, "Done differently from Postman"),
        (NoteKind::Dropped, "Left out"),
        (NoteKind::NotRun, "Scripts (kept as text, not run)"),
        (NoteKind::Info, "Good to know"),
    ] {
        let notes: Vec<_> = done.notes.iter().filter(|n| n.kind == kind).collect();
        if notes.is_empty() {
            continue;
        }
        outln!("\n{heading}:");
        for n in notes {
            match &n.item {
                Some(item) => outln!("  - {item}: {}", n.message),
                None => outln!("  - {}", n.message),
            }
        }
    }
    outln!(
        "\nNext: `signet endpoints list {:?}`, then connect with `signet flow --connector {:?}` (or call with a pre-issued token).",
        c.details.name,
        c.details.name
    );
}

/// Runs `signet export ...`.
pub fn export(data_dir: Option<&Path>, cmd: ExportCommand) -> Outcome {
    let ExportCommand::Postman {
        connector,
        instance,
        out,
        include_secrets,
    } = cmd;
    let cli = app::open(data_dir, None, signet_app::Settings::default())?;
    let view = app::find(&cli.app, &connector, instance.as_deref())?;
    let (_, text) = cli.app.postman_collection(
        &view.id,
        view.document.instance.id.as_deref(),
        include_secrets,
    )?;
    match out {
        Some(path) => {
            std::fs::write(&path, &text).map_err(|e| Failure {
                exit: Exit::Internal,
                message: format!("cannot write {}: {e}", path.display()),
                hint: None,
            })?;
            errln!(
                "Wrote {} (a Postman v2.1 collection{})",
                path.display(),
                if include_secrets {
                    "; it holds the secrets in clear"
                } else {
                    "; secrets are empty {{variables}}"
                }
            );
        }
        None => outln!("{text}"),
    }
    Ok(())
}
