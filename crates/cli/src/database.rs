//! `signet database`: whether the database opens (and why not), and moving a damaged one aside
//! (the recovery window's *Move it aside and start fresh*, from a terminal). Nothing is deleted.

use std::path::Path;

use signet_app::api::StoreProblem;
use signet_app::startup::{self, Recovery};
use signet_store::OpenOptions;

use crate::args::DatabaseCommand;
use crate::exit::{Exit, Failure, Outcome};

/// Runs `signet database ...`.
pub fn database(data_dir: Option<&Path>, command: DatabaseCommand) -> Outcome {
    let options = OpenOptions::from_env(data_dir).map_err(crate::app::store_failure)?;
    match command {
        DatabaseCommand::Status { json } => status(&options, json),
        DatabaseCommand::MoveAside => move_aside(&options),
    }
}

fn status(options: &OpenOptions, json: bool) -> Outcome {
    match startup::open_store(options) {
        Ok(store) => {
            let database = store.db_dir().display().to_string();
            let key = store.key_status().describe();
            if json {
                crate::output::print_json(&serde_json::json!({
                    "ok": true,
                    "data_dir": store.data_dir().display().to_string(),
                    "database": database,
                    "key": key,
                }));
            } else {
                outln!("The database at {database} opens and is in good order.");
                outln!("Secrets: {key}");
            }
            Ok(())
        }
        Err(recovery) => {
            if json {
                crate::output::print_json(recovery.problem());
            }
            Err(problem_failure(recovery.problem()))
        }
    }
}

fn move_aside(options: &OpenOptions) -> Outcome {
    let mut recovery: Recovery = match startup::open_store(options) {
        Ok(store) => {
            return Err(Failure::usage(
                format!(
                    "the database at {} opens and is in good order: nothing was moved",
                    store.db_dir().display()
                ),
                "to start with an empty database anyway, give Signet another folder (--data-dir DIR or SIGNET_DATA_DIR=DIR)",
            ));
        }
        Err(recovery) => recovery,
    };
    if !recovery.problem().can_move_aside {
        return Err(problem_failure(recovery.problem()));
    }
    let (moved, _store) = recovery.move_aside()?;
    outln!(
        "Moved the damaged database to {} (every file kept, nothing deleted).",
        moved.moved_to
    );
    match moved.problem {
        None => {
            outln!(
                "Signet starts with a fresh, empty database; import an export or connect again."
            );
            Ok(())
        }
        Some(problem) => Err(Failure {
            message: format!(
                "a fresh database could not be opened either: {}",
                problem.message
            ),
            ..problem_failure(&problem)
        }),
    }
}

/// A database that cannot be opened, said as the recovery window says it, with the command to
/// run.
pub fn problem_failure(problem: &StoreProblem) -> Failure {
    Failure {
        exit: Exit::for_kind(problem.kind),
        message: problem.message.clone(),
        hint: Some(startup::command_line_hint(problem)),
    }
}
