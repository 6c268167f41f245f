//! Runs in the app: starts them on the engine, drives them on tokio tasks, emits a
//! `flow-snapshot` after every change, records them in the store (their snapshots are free of
//! secrets) and saves the access token when one is issued.

use std::sync::{Arc, Mutex};

use signet_engine::{Engine, EngineSettings, RunOutcome, Stop};
use signet_ipc::{
    EVENT_FLOW_SNAPSHOT, FlowMode, FlowSnapshotEvent, Phase, RunId, RunSummary, Snapshot,
    StepStatus,
};
use signet_oauth1::flow::{Event, FlowConfig};
use signet_store::{ConnectorId, NewRun, RunOutcome as StoredOutcome, Timestamp};
use tauri::{AppHandle, Emitter, Runtime};

use crate::browser::AppBrowser;
use crate::error::{Error, Result};
use crate::state::{AppExt, FlowEntry, Latest};

/// Prepares a run of `config` and starts driving it; returns its entry.
pub async fn start<R: Runtime>(
    app: &AppHandle<R>,
    config: FlowConfig,
    connector_id: Option<ConnectorId>,
    name: String,
) -> Result<Arc<FlowEntry>> {
    let engine = Engine::new(EngineSettings::default())?.with_browser(AppBrowser(app.clone()));
    let inbox = engine.inbox();
    let mode = config.mode.mode();
    let run = engine.prepare(config).await?;
    let snapshot = run.snapshot();
    let now = Timestamp::now();
    let (id, record) = match connector_id {
        Some(cid) => {
            let record = app.store().record_run(NewRun {
                connector_id: cid,
                started_at: now,
                finished_at: None,
                outcome: StoredOutcome::InProgress,
                snapshot: serde_json::to_value(&snapshot).unwrap_or_default(),
            })?;
            (stored_run_id(cid, record.id), Some(record))
        }
        None => (app.flows().next_draft_id(), None),
    };
    let entry = Arc::new(FlowEntry {
        id,
        connector_id,
        record: Mutex::new(record),
        name,
        mode,
        started_ms: millis(now),
        inbox,
        latest: Mutex::new(Latest {
            snapshot,
            finished_ms: None,
        }),
        driver: tokio::sync::Mutex::new((engine, run)),
    });
    app.flows().insert(entry.clone());
    // The run starts at once: the UI keeps snapshots that arrive before `flow_start`'s answer.
    spawn_drive(app.clone(), entry.clone(), Event::Start);
    Ok(entry)
}

/// Drives `entry` with `event` on a task until the run stops.
pub fn spawn_drive<R: Runtime>(app: AppHandle<R>, entry: Arc<FlowEntry>, event: Event) {
    tauri::async_runtime::spawn(async move {
        let mut guard = entry.driver.lock().await;
        let (engine, run) = &mut *guard;
        // The offset the user chose after a refused timestamp applies to this drive, retries too.
        engine.set_clock_offset(crate::commands::presets::clock_offset());
        let result = engine
            .drive(run, event, None, |snap| progress(&app, &entry, snap))
            .await;
        match result {
            Ok(outcome) => finish(&app, &entry, &outcome),
            Err(e) => {
                // The engine itself failed (a loopback port taken, say): show it on the step.
                let mut snap = run.snapshot();
                let report = e.report();
                let step = snap
                    .current_step
                    .unwrap_or(signet_ipc::StepId::UserInitiation);
                snap.phase = Phase::Failed;
                snap.error = Some(signet_ipc::StepFailure {
                    step,
                    error: report,
                });
                entry.latest().snapshot = snap.clone();
                emit(&app, &entry.id, snap);
            }
        }
    });
}

/// After every event: keep the snapshot and show it. The last one of a run is shown by
/// [`finish`], after the token is saved, so the UI's refresh finds it.
fn progress<R: Runtime>(app: &AppHandle<R>, entry: &FlowEntry, snap: &Snapshot) {
    entry.latest().snapshot = snap.clone();
    if !matches!(
        snap.phase,
        Phase::Finished | Phase::Failed | Phase::Cancelled
    ) {
        emit(app, &entry.id, snap.clone());
    }
}

fn finish<R: Runtime>(app: &AppHandle<R>, entry: &FlowEntry, outcome: &RunOutcome) {
    let snap = outcome.snapshot.clone();
    let over = matches!(outcome.stop, Stop::Finished | Stop::Cancelled);
    let finished_ms = over.then(|| millis(Timestamp::now()));
    {
        let mut latest = entry.latest();
        latest.snapshot = snap.clone();
        latest.finished_ms = finished_ms;
    }
    if let (Some(cid), Some(creds), FlowMode::ThreeLegged) =
        (entry.connector_id, &outcome.credentials, entry.mode)
        && snap.access_token.is_some()
        && let Err(e) = app.store().save_issued_token(cid, creds)
    {
        eprintln!("signet: the access token could not be saved: {e}");
    }
    let record = entry
        .record
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    if let Some(mut record) = record {
        record.finished_at = finished_ms.map(|ms| Timestamp(ms as i64));
        record.outcome = StoredOutcome::of(&snap);
        record.snapshot = serde_json::to_value(&snap).unwrap_or_default();
        if let Err(e) = app.store().update_run(&record) {
            eprintln!("signet: the run could not be recorded: {e}");
        }
        *entry.record.lock().unwrap_or_else(|e| e.into_inner()) = Some(record);
    }
    for w in &outcome.warnings {
        eprintln!("signet: {w}");
    }
    emit(app, &entry.id, snap);
}

fn emit<R: Runtime>(app: &AppHandle<R>, run_id: &str, snapshot: Snapshot) {
    let event = FlowSnapshotEvent {
        run_id: run_id.to_owned(),
        snapshot,
    };
    if let Err(e) = app.emit(EVENT_FLOW_SNAPSHOT, event) {
        eprintln!("signet: cannot emit {EVENT_FLOW_SNAPSHOT}: {e}");
    }
}

/// The UI's id of a stored run: `<connector>-<run>`.
pub fn stored_run_id(cid: ConnectorId, rid: signet_store::RunId) -> RunId {
    format!("{cid}-{rid}")
}

/// The connector and run a stored run's UI id names.
pub fn parse_stored_run_id(id: &str) -> Option<(ConnectorId, signet_store::RunId)> {
    let (c, r) = id.split_once('-')?;
    Some((c.parse().ok()?, r.parse().ok()?))
}

fn millis(t: Timestamp) -> u64 {
    u64::try_from(t.millis()).unwrap_or(0)
}

/// A run as the history lists it.
pub fn summary(
    run_id: RunId,
    connector_id: Option<ConnectorId>,
    connector_name: String,
    started_ms: u64,
    finished_ms: Option<u64>,
    snap: &Snapshot,
) -> RunSummary {
    let failed = snap.error.as_ref().filter(|_| snap.phase == Phase::Failed);
    RunSummary {
        run_id,
        connector_id: connector_id.map(|c| c.to_string()),
        connector_name,
        mode: snap.mode,
        phase: snap.phase,
        started_ms,
        finished_ms,
        failed_step: failed.map(|f| f.step),
        error_kind: failed.map(|f| f.error.kind),
        steps_done: u8::try_from(
            snap.steps
                .iter()
                .filter(|s| s.status == StepStatus::Done)
                .count(),
        )
        .unwrap_or(u8::MAX),
    }
}

/// The summary of a run of this session.
pub fn entry_summary(entry: &FlowEntry) -> RunSummary {
    let latest = entry.latest();
    summary(
        entry.id.clone(),
        entry.connector_id,
        entry.name.clone(),
        entry.started_ms,
        latest.finished_ms,
        &latest.snapshot,
    )
}

/// The summary of a stored run, when its snapshot reads back.
pub fn stored_summary(
    record: &signet_store::RunRecord,
    connector_name: &str,
) -> Option<(RunSummary, Snapshot)> {
    let snap: Snapshot = serde_json::from_value(record.snapshot.clone()).ok()?;
    let s = summary(
        stored_run_id(record.connector_id, record.id),
        Some(record.connector_id),
        connector_name.to_owned(),
        millis(record.started_at),
        record.finished_at.map(millis),
        &snap,
    );
    Some((s, snap))
}

/// Fails unless the run exists in this session.
pub fn entry<R: Runtime>(app: &AppHandle<R>, run_id: &str) -> Result<Arc<FlowEntry>> {
    app.flows().get(run_id).ok_or_else(|| {
        Error::new("no_such_run", format!("no run {run_id} is in progress"))
            .hint("start the flow again from step 1")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_run_ids_round_trip() {
        let id = stored_run_id(ConnectorId(7), signet_store::RunId(42));
        assert_eq!(id, "7-42");
        assert_eq!(
            parse_stored_run_id(&id),
            Some((ConnectorId(7), signet_store::RunId(42)))
        );
        assert_eq!(parse_stored_run_id("draft-1"), None);
    }
}
