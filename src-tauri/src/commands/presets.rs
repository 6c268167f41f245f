//! Presets and diagnosis: the picker's catalog, a preset applied to step 1, a draft's lints,
//! a failed run read in plain words, and the clock offset. Each is one call into
//! `signet_ipc::presets`, which the fixture recorder uses too.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, Ordering};

use signet_ipc::presets::{self, Catalog};
use signet_ipc::{
    BaseStringDiff, ClockOffsetArgs, ConnectorDraft, DiagnosePasteArgs, DraftArgs,
    FailureDiagnosis, Lint, PresetApplied, PresetApplyArgs, PresetSummary, RunArgs,
};
use tauri::{AppHandle, Runtime};

use super::runs::run_get;
use crate::draft;
use crate::error::{Error, Result};
use crate::runs;
use crate::state::AppExt;

/// Seconds added to every `oauth_timestamp` of runs started from now on (`clock_offset_set`).
static CLOCK_OFFSET: AtomicI64 = AtomicI64::new(0);

/// The offset `clock_offset_set` chose (0 until then).
pub fn clock_offset() -> i64 {
    CLOCK_OFFSET.load(Ordering::Relaxed)
}

pub(crate) fn catalog() -> Result<&'static Catalog> {
    static CATALOG: OnceLock<Option<Catalog>> = OnceLock::new();
    CATALOG
        .get_or_init(|| Catalog::load().ok())
        .as_ref()
        .ok_or_else(|| Error::new("presets_invalid", "the shipped presets do not load"))
}

/// The preset of the connector a run belongs to, from the draft saved beside it.
fn preset_of_run<R: Runtime>(app: &AppHandle<R>, run_id: &str) -> Option<String> {
    let cid = match app.flows().get(run_id) {
        Some(entry) => entry.connector_id?,
        None => runs::parse_stored_run_id(run_id)?.0,
    };
    let value = app
        .store()
        .setting(&draft::side_record_name(&cid.to_string()))
        .ok()??;
    serde_json::from_value::<ConnectorDraft>(value).ok()?.preset
}

/// Every provider preset, for step 1's picker.
#[tauri::command]
pub async fn presets_list() -> Result<Vec<PresetSummary>> {
    Ok(presets::list(catalog()?))
}

/// Step 1 filled from a preset and its placeholders' values, each field explained.
#[tauri::command]
pub async fn preset_apply(args: PresetApplyArgs) -> Result<PresetApplied> {
    Ok(presets::apply(catalog()?, &args)?)
}

/// What is likely to go wrong with a draft before Connect.
#[tauri::command]
pub async fn connector_lint(args: DraftArgs) -> Result<Vec<Lint>> {
    Ok(presets::lint(catalog()?, &args.draft))
}

/// A failed run read in plain words.
#[tauri::command]
pub async fn run_diagnose<R: Runtime>(
    app: AppHandle<R>,
    args: RunArgs,
) -> Result<FailureDiagnosis> {
    let preset = preset_of_run(&app, &args.run_id);
    let record = run_get(app, args).await?;
    Ok(presets::diagnose(
        catalog()?,
        &record.snapshot,
        preset.as_deref(),
    )?)
}

/// The run's base string against the one the user pasted.
#[tauri::command]
pub async fn diagnose_paste<R: Runtime>(
    app: AppHandle<R>,
    args: DiagnosePasteArgs,
) -> Result<BaseStringDiff> {
    let record = run_get(
        app,
        RunArgs {
            run_id: args.run_id,
        },
    )
    .await?;
    Ok(presets::paste(&record.snapshot, &args.text)?)
}

/// Sets the offset added to every `oauth_timestamp` from now on.
#[tauri::command]
pub async fn clock_offset_set(args: ClockOffsetArgs) -> Result<()> {
    CLOCK_OFFSET.store(args.offset_seconds, Ordering::Relaxed);
    Ok(())
}
