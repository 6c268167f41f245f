//! Running a connector: start, hand in a PIN or a pasted address, retry, cancel. Progress
//! reaches the UI as `flow-snapshot` events (see `crate::runs`).

use signet_ipc::{
    FlowStartArgs, FlowStarted, FlowTarget, RunArgs, SubmitCallbackArgs, SubmitPinArgs, Waiting,
};
use signet_oauth1::flow::Event;
use tauri::{AppHandle, Runtime};

use super::connectors::connector_id;
use crate::draft;
use crate::error::{Error, Result};
use crate::runs;
use crate::state::AppExt;

fn invalid(problems: &[signet_ipc::FieldProblem]) -> Error {
    Error::new(
        "invalid_config",
        problems.first().map_or_else(
            || "the connector is not complete".into(),
            |p| p.message.clone(),
        ),
    )
    .hint("fix the highlighted fields in step 1")
}

/// Starts a run of a draft or a saved connector.
#[tauri::command]
pub async fn flow_start<R: Runtime>(app: AppHandle<R>, args: FlowStartArgs) -> Result<FlowStarted> {
    let (config, connector, name) = match args.target {
        FlowTarget::Draft { mut draft } => {
            draft::resolve_secrets(&mut draft);
            let config = draft::flow_config(&draft, None).map_err(|p| invalid(&p))?;
            let name = if draft.name.trim().is_empty() {
                "Unsaved connector".to_owned()
            } else {
                draft.name.trim().to_owned()
            };
            (config, None, name)
        }
        FlowTarget::Connector { id } => {
            let cid = connector_id(&id)?;
            let connector = super::connectors::connector_get(
                app.clone(),
                signet_ipc::ConnectorArgs { id: id.clone() },
            )
            .await?;
            let creds = app.store().credentials(cid)?;
            let config =
                draft::flow_config(&connector.draft, creds.as_ref()).map_err(|p| invalid(&p))?;
            (config, Some(cid), connector.draft.name)
        }
    };
    let entry = runs::start(&app, config, connector, name).await?;
    let snapshot = entry.latest().snapshot.clone();
    Ok(FlowStarted {
        run_id: entry.id.clone(),
        snapshot,
    })
}

/// Hands in the PIN of an oob run.
#[tauri::command]
pub async fn flow_submit_pin<R: Runtime>(app: AppHandle<R>, args: SubmitPinArgs) -> Result<()> {
    let entry = runs::entry(&app, &args.run_id)?;
    if !matches!(entry.latest().snapshot.waiting_for, Some(Waiting::Pin)) {
        return Err(Error::new(
            "not_waiting_for_pin",
            "this run is not waiting for a PIN",
        ));
    }
    let pin = args.pin.trim();
    if pin.is_empty() {
        return Err(Error::new("pin_empty", "the PIN is empty")
            .hint("type the code the provider showed after you allowed access"));
    }
    if entry.is_driving() {
        entry.inbox.pin(pin);
    } else {
        runs::spawn_drive(app.clone(), entry, Event::Pin(pin.to_owned()));
    }
    Ok(())
}

/// Hands in an address the user pasted (the final redirect).
#[tauri::command]
pub async fn flow_submit_callback<R: Runtime>(
    app: AppHandle<R>,
    args: SubmitCallbackArgs,
) -> Result<()> {
    let entry = runs::entry(&app, &args.run_id)?;
    if !matches!(
        entry.latest().snapshot.waiting_for,
        Some(Waiting::Callback { .. } | Waiting::Pin)
    ) {
        return Err(Error::new(
            "not_waiting_for_callback",
            "this run is not waiting for the provider's redirect",
        ));
    }
    let url = args.url.trim();
    if url.is_empty() {
        return Err(Error::new("callback_empty", "the address is empty")
            .hint("paste the whole address the browser shows after you allowed access"));
    }
    if entry.is_driving() {
        entry.inbox.deep_link(url);
    } else {
        runs::spawn_drive(app.clone(), entry, Event::Callback(url.to_owned()));
    }
    Ok(())
}

/// Retries the failed step (or waits again for the redirect).
#[tauri::command]
pub async fn flow_retry<R: Runtime>(app: AppHandle<R>, args: RunArgs) -> Result<()> {
    let entry = runs::entry(&app, &args.run_id)?;
    if entry.is_driving() {
        return Err(Error::new(
            "run_busy",
            "this run is still going; wait for it to stop or cancel it",
        ));
    }
    let snap = entry.latest().snapshot.clone();
    if snap.phase.is_over() {
        return Err(Error::new(
            "nothing_to_retry",
            "the run is over; start a new one",
        ));
    }
    runs::spawn_drive(app.clone(), entry, Event::Retry);
    Ok(())
}

/// Cancels a run.
#[tauri::command]
pub async fn flow_cancel<R: Runtime>(app: AppHandle<R>, args: RunArgs) -> Result<()> {
    let entry = runs::entry(&app, &args.run_id)?;
    if entry.latest().snapshot.phase.is_over() {
        return Ok(());
    }
    if entry.is_driving() {
        entry.inbox.cancel();
    } else {
        runs::spawn_drive(app.clone(), entry, Event::Cancel);
    }
    Ok(())
}
