//! The commands of the IPC contract (`signet_app::api::COMMANDS`), one line each over
//! `signet_app::App`. The invoke handler is built from the same list
//! (`signet_app::for_each_command!`), so a command missing here does not compile.

use signet_app::AppError;
use signet_app::api::*;
use tauri::{AppHandle, Runtime};

use crate::state::AppExt;

type Result<T> = std::result::Result<T, AppError>;

/// Version, data directory, and where the data key lives.
#[tauri::command]
pub async fn app_info<R: Runtime>(app: AppHandle<R>) -> Result<AppInfo> {
    Ok(app.signet().app_info().await)
}

/// Starts the demo provider and saves its connector.
#[tauri::command]
pub async fn demo_provider_start<R: Runtime>(app: AppHandle<R>) -> Result<DemoProvider> {
    app.signet().demo_provider_start().await
}

/// Saved connectors with their token status. The UI listens to events before its first list,
/// so links held until now can be shown.
#[tauri::command]
pub async fn connectors_list<R: Runtime>(app: AppHandle<R>) -> Result<Vec<ConnectorSummary>> {
    crate::host::ui_listens(&app);
    crate::ready_probe();
    app.signet().connectors_list()
}

/// A new connector, blank or from a preset.
#[tauri::command]
pub async fn connector_new<R: Runtime>(
    app: AppHandle<R>,
    args: NewConnectorArgs,
) -> Result<NewConnector> {
    app.signet().connector_new(args.preset_id.as_deref())
}

/// One saved connector with one of its instances.
#[tauri::command]
pub async fn connector_get<R: Runtime>(
    app: AppHandle<R>,
    args: ConnectorGetArgs,
) -> Result<ConnectorView> {
    app.signet()
        .connector_get(&args.id, args.instance_id.as_deref())
}

/// Every problem with a connector and its instance.
#[tauri::command]
pub async fn connector_validate<R: Runtime>(
    app: AppHandle<R>,
    args: DocumentArgs,
) -> Result<Vec<FieldProblem>> {
    app.signet().connector_validate(&args.document)
}

/// What is likely to go wrong before Connect.
#[tauri::command]
pub async fn connector_lint<R: Runtime>(
    app: AppHandle<R>,
    args: DocumentArgs,
) -> Result<Vec<Lint>> {
    app.signet().connector_lint(&args.document)
}

/// Creates or updates a connector and its instance.
#[tauri::command]
pub async fn connector_save<R: Runtime>(
    app: AppHandle<R>,
    args: DocumentArgs,
) -> Result<ConnectorView> {
    app.signet().connector_save(args.document)
}

/// Deletes a connector with everything it owns.
#[tauri::command]
pub async fn connector_delete<R: Runtime>(app: AppHandle<R>, args: ConnectorArgs) -> Result<()> {
    app.signet().connector_delete(&args.id)
}

/// Adds an instance to a connector.
#[tauri::command]
pub async fn instance_create<R: Runtime>(
    app: AppHandle<R>,
    args: InstanceCreateArgs,
) -> Result<ConnectorView> {
    app.signet()
        .instance_create(&args.connector_id, &args.name, args.copy_from.as_deref())
}

/// Deletes an instance.
#[tauri::command]
pub async fn instance_delete<R: Runtime>(app: AppHandle<R>, args: InstanceArgs) -> Result<()> {
    app.signet().instance_delete(&args.instance_id)
}

/// A stored secret's value, on the user's explicit request.
#[tauri::command]
pub async fn secret_reveal<R: Runtime>(
    app: AppHandle<R>,
    args: RevealSecretArgs,
) -> Result<String> {
    app.signet().secret_reveal(&args.instance_id, &args.which)
}

/// Starts the ten steps of an instance.
#[tauri::command]
pub async fn flow_start<R: Runtime>(app: AppHandle<R>, args: InstanceArgs) -> Result<FlowStarted> {
    app.signet().flow_start(&args.instance_id).await
}

/// Hands in the PIN of an oob run.
#[tauri::command]
pub async fn flow_submit_pin<R: Runtime>(app: AppHandle<R>, args: SubmitPinArgs) -> Result<()> {
    app.signet().flow_submit_pin(&args.run_id, &args.pin)
}

/// Hands in an address the user pasted.
#[tauri::command]
pub async fn flow_submit_callback<R: Runtime>(
    app: AppHandle<R>,
    args: SubmitCallbackArgs,
) -> Result<()> {
    app.signet().flow_submit_callback(&args.run_id, &args.url)
}

/// Retries the failed step.
#[tauri::command]
pub async fn flow_retry<R: Runtime>(app: AppHandle<R>, args: RunArgs) -> Result<()> {
    app.signet().flow_retry(&args.run_id)
}

/// Cancels a run.
#[tauri::command]
pub async fn flow_cancel<R: Runtime>(app: AppHandle<R>, args: RunArgs) -> Result<()> {
    app.signet().flow_cancel(&args.run_id)
}

/// Signs and sends one endpoint call.
#[tauri::command]
pub async fn endpoint_send<R: Runtime>(app: AppHandle<R>, args: SendArgs) -> Result<CallResult> {
    app.signet()
        .endpoint_send(&args.instance_id, &args.endpoint_id, &args.inputs)
        .await
}

/// Past runs, newest first.
#[tauri::command]
pub async fn runs_list<R: Runtime>(
    app: AppHandle<R>,
    args: RunsListArgs,
) -> Result<Vec<RunSummary>> {
    app.signet()
        .runs_list(args.connector_id.as_deref(), args.instance_id.as_deref())
}

/// One run.
#[tauri::command]
pub async fn run_get<R: Runtime>(app: AppHandle<R>, args: RunArgs) -> Result<RunRecord> {
    app.signet().run_get(&args.run_id)
}

/// Stored access tokens.
#[tauri::command]
pub async fn tokens_list<R: Runtime>(app: AppHandle<R>) -> Result<Vec<TokenSummary>> {
    app.signet().tokens_list()
}

/// Forgets an instance's token.
#[tauri::command]
pub async fn token_forget<R: Runtime>(app: AppHandle<R>, args: InstanceArgs) -> Result<()> {
    app.signet().token_forget(&args.instance_id)
}

/// Every provider preset.
#[tauri::command]
pub async fn presets_list<R: Runtime>(app: AppHandle<R>) -> Result<Vec<PresetSummary>> {
    Ok(app.signet().presets_list())
}

/// A new connector from a preset.
#[tauri::command]
pub async fn preset_apply<R: Runtime>(
    app: AppHandle<R>,
    args: PresetApplyArgs,
) -> Result<NewConnector> {
    app.signet().connector_new(Some(&args.preset_id))
}

/// A failed run read in plain words.
#[tauri::command]
pub async fn run_diagnose<R: Runtime>(
    app: AppHandle<R>,
    args: RunArgs,
) -> Result<FailureDiagnosis> {
    app.signet().run_diagnose(&args.run_id)
}

/// The run's base string against a pasted one.
#[tauri::command]
pub async fn diagnose_paste<R: Runtime>(
    app: AppHandle<R>,
    args: DiagnosePasteArgs,
) -> Result<BaseStringDiff> {
    app.signet().diagnose_paste(&args.run_id, &args.text)
}

/// The offset added to every oauth_timestamp from now on.
#[tauri::command]
pub async fn clock_offset_set<R: Runtime>(app: AppHandle<R>, args: ClockOffsetArgs) -> Result<()> {
    app.signet().clock_offset_set(args.offset_seconds);
    Ok(())
}

/// Builds the invoke handler from the one command list.
#[macro_export]
#[doc(hidden)]
macro_rules! signet_handler_of {
    ($($name:ident),*) => {
        tauri::generate_handler![$($crate::commands::$name),*]
    };
}
