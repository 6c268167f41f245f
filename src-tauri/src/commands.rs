//! The commands of the IPC contract (`signet_app::api::COMMANDS`), one line each over
//! `signet_app::App`. The invoke handler is built from the same list
//! (`signet_app::for_each_command!`), so a command missing here does not compile.

use signet_app::AppError;
use signet_app::api::*;
use tauri::{AppHandle, Runtime};

use crate::state::AppExt;

type Result<T> = std::result::Result<T, AppError>;

/// Runs a command in a task of its own: a bug that panics ends that task only and comes back
/// as an `internal` error naming the crash report, instead of leaving the window waiting for
/// an answer that never comes.
async fn guarded<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    match tauri::async_runtime::spawn(work).await {
        Ok(result) => result,
        Err(_) => Err(signet_app::process::crash_error()),
    }
}

/// Why the database could not be opened; `None` when it is open.
#[tauri::command]
pub async fn store_problem<R: Runtime>(app: AppHandle<R>) -> Result<Option<StoreProblem>> {
    guarded(async move { Ok(app.shell().recovery().as_ref().map(|r| r.problem().clone())) }).await
}

/// Tries to open the database again; `None` when it opened (Signet starts).
#[tauri::command]
pub async fn store_retry<R: Runtime>(app: AppHandle<R>) -> Result<Option<StoreProblem>> {
    guarded(async move {
        let Some(mut recovery) = app.shell().recovery().take() else {
            // Open already (or another Retry is opening it right now).
            return app.signet().map(|_| None);
        };
        match recovery.retry() {
            // Should Signet fail to start on it, the window stays, with Retry.
            Ok(store) => match crate::start(&app, store) {
                Ok(()) => Ok(None),
                Err(e) => {
                    app.shell().set_recovery(recovery);
                    Err(e)
                }
            },
            Err(problem) => {
                app.shell().set_recovery(recovery);
                Ok(Some(problem))
            }
        }
    })
    .await
}

/// Moves the damaged database aside (kept, not deleted) and opens a fresh one.
#[tauri::command]
pub async fn store_move_aside<R: Runtime>(app: AppHandle<R>) -> Result<MovedAside> {
    guarded(async move {
        let Some(mut recovery) = app.shell().recovery().take() else {
            return Err(AppError::new(
                signet_oauth1::ErrorKind::UnexpectedEvent,
                "the database is open: there is nothing to move aside",
            ));
        };
        let moved = recovery.move_aside();
        match moved {
            Ok((moved, Some(store))) => match crate::start(&app, store) {
                Ok(()) => Ok(moved),
                Err(e) => {
                    app.shell().set_recovery(recovery);
                    Err(e)
                }
            },
            Ok((moved, None)) => {
                app.shell().set_recovery(recovery);
                Ok(moved)
            }
            Err(e) => {
                app.shell().set_recovery(recovery);
                Err(e)
            }
        }
    })
    .await
}

/// Closes Signet.
#[tauri::command]
pub async fn app_quit<R: Runtime>(app: AppHandle<R>) -> Result<()> {
    app.exit(0);
    Ok(())
}

/// Version, data directory, and where the data key lives.
#[tauri::command]
pub async fn app_info<R: Runtime>(app: AppHandle<R>) -> Result<AppInfo> {
    guarded(async move { Ok(app.signet()?.app_info().await) }).await
}

/// The page drew and became usable: the start-up trace and the ready probe. Answered with the
/// database open or not (the recovery window reports too).
#[tauri::command]
pub async fn app_started<R: Runtime>(_app: AppHandle<R>, args: StartedArgs) -> Result<()> {
    signet_app::startup_trace::page_reported(&args);
    crate::ready_probe();
    Ok(())
}

/// Starts the demo provider and saves its connector.
#[tauri::command]
pub async fn demo_provider_start<R: Runtime>(app: AppHandle<R>) -> Result<DemoProvider> {
    guarded(async move { app.signet()?.demo_provider_start().await }).await
}

/// Saved connectors with their token status. The UI listens to events before its first list,
/// so links held until now can be shown.
#[tauri::command]
pub async fn connectors_list<R: Runtime>(app: AppHandle<R>) -> Result<Vec<ConnectorSummary>> {
    guarded(async move {
        crate::host::ui_listens(&app);
        app.signet()?.connectors_list()
    })
    .await
}

/// A new connector, blank or from a preset.
#[tauri::command]
pub async fn connector_new<R: Runtime>(
    app: AppHandle<R>,
    args: NewConnectorArgs,
) -> Result<NewConnector> {
    guarded(async move { app.signet()?.connector_new(args.preset_id.as_deref()) }).await
}

/// One saved connector with one of its instances.
#[tauri::command]
pub async fn connector_get<R: Runtime>(
    app: AppHandle<R>,
    args: ConnectorGetArgs,
) -> Result<ConnectorView> {
    guarded(async move {
        app.signet()?
            .connector_get(&args.id, args.instance_id.as_deref())
    })
    .await
}

/// Every problem with a connector and its instance.
#[tauri::command]
pub async fn connector_validate<R: Runtime>(
    app: AppHandle<R>,
    args: DocumentArgs,
) -> Result<Vec<FieldProblem>> {
    guarded(async move { app.signet()?.connector_validate(&args.document) }).await
}

/// What is likely to go wrong before Connect.
#[tauri::command]
pub async fn connector_lint<R: Runtime>(
    app: AppHandle<R>,
    args: DocumentArgs,
) -> Result<Vec<Lint>> {
    guarded(async move { app.signet()?.connector_lint(&args.document) }).await
}

/// Creates or updates a connector and its instance.
#[tauri::command]
pub async fn connector_save<R: Runtime>(
    app: AppHandle<R>,
    args: DocumentArgs,
) -> Result<ConnectorView> {
    guarded(async move { app.signet()?.connector_save(args.document) }).await
}

/// Deletes a connector with everything it owns.
#[tauri::command]
pub async fn connector_delete<R: Runtime>(app: AppHandle<R>, args: ConnectorArgs) -> Result<()> {
    guarded(async move { app.signet()?.connector_delete(&args.id) }).await
}

/// Adds an instance to a connector.
#[tauri::command]
pub async fn instance_create<R: Runtime>(
    app: AppHandle<R>,
    args: InstanceCreateArgs,
) -> Result<ConnectorView> {
    guarded(async move {
        app.signet()?
            .instance_create(&args.connector_id, &args.name, args.copy_from.as_deref())
    })
    .await
}

/// Deletes an instance.
#[tauri::command]
pub async fn instance_delete<R: Runtime>(app: AppHandle<R>, args: InstanceArgs) -> Result<()> {
    guarded(async move { app.signet()?.instance_delete(&args.instance_id) }).await
}

/// A stored secret's value, on the user's explicit request.
#[tauri::command]
pub async fn secret_reveal<R: Runtime>(
    app: AppHandle<R>,
    args: RevealSecretArgs,
) -> Result<String> {
    guarded(async move { app.signet()?.secret_reveal(&args.instance_id, &args.which) }).await
}

/// Starts the ten steps of an instance.
#[tauri::command]
pub async fn flow_start<R: Runtime>(app: AppHandle<R>, args: InstanceArgs) -> Result<FlowStarted> {
    guarded(async move { app.signet()?.flow_start(&args.instance_id).await }).await
}

/// Hands in the PIN of an oob run.
#[tauri::command]
pub async fn flow_submit_pin<R: Runtime>(app: AppHandle<R>, args: SubmitPinArgs) -> Result<()> {
    guarded(async move { app.signet()?.flow_submit_pin(&args.run_id, &args.pin) }).await
}

/// Hands in an address the user pasted.
#[tauri::command]
pub async fn flow_submit_callback<R: Runtime>(
    app: AppHandle<R>,
    args: SubmitCallbackArgs,
) -> Result<()> {
    guarded(async move { app.signet()?.flow_submit_callback(&args.run_id, &args.url) }).await
}

/// Retries the failed step.
#[tauri::command]
pub async fn flow_retry<R: Runtime>(app: AppHandle<R>, args: RunArgs) -> Result<()> {
    guarded(async move { app.signet()?.flow_retry(&args.run_id) }).await
}

/// Cancels a run.
#[tauri::command]
pub async fn flow_cancel<R: Runtime>(app: AppHandle<R>, args: RunArgs) -> Result<()> {
    guarded(async move { app.signet()?.flow_cancel(&args.run_id) }).await
}

/// Signs and sends one endpoint call.
#[tauri::command]
pub async fn endpoint_send<R: Runtime>(app: AppHandle<R>, args: SendArgs) -> Result<CallResult> {
    guarded(async move {
        app.signet()?
            .endpoint_send(&args.instance_id, &args.endpoint_id, &args.inputs)
            .await
    })
    .await
}

/// Walks an endpoint's pages.
#[tauri::command]
pub async fn endpoint_send_pages<R: Runtime>(
    app: AppHandle<R>,
    args: SendPagesArgs,
) -> Result<PagesResult> {
    guarded(async move {
        app.signet()?
            .endpoint_send_pages(
                &args.instance_id,
                &args.endpoint_id,
                &args.inputs,
                &args.job,
                signet_app::PagesOptions {
                    max_pages: args.max_pages,
                    items_in_events: args.items_in_events,
                },
            )
            .await
    })
    .await
}

/// Cancels a walk of pages.
#[tauri::command]
pub async fn endpoint_pages_cancel<R: Runtime>(app: AppHandle<R>, args: JobArgs) -> Result<()> {
    guarded(async move { app.signet()?.endpoint_pages_cancel(&args.job) }).await
}

/// The tags a schema's fields can carry.
#[tauri::command]
pub async fn schema_taxonomy<R: Runtime>(app: AppHandle<R>) -> Result<Vec<TagGroup>> {
    guarded(async move { Ok(app.signet()?.schema_taxonomy()) }).await
}

/// A schema as JSON Schema.
#[tauri::command]
pub async fn schema_export<R: Runtime>(
    app: AppHandle<R>,
    args: SchemaExportArgs,
) -> Result<String> {
    guarded(async move { app.signet()?.schema_export(&args.schema, &args.title) }).await
}

/// A page of past runs, newest first.
#[tauri::command]
pub async fn runs_list<R: Runtime>(app: AppHandle<R>, args: RunsListArgs) -> Result<RunsPage> {
    guarded(async move { app.signet()?.runs_list(&args) }).await
}

/// How much history is kept.
#[tauri::command]
pub async fn history_settings<R: Runtime>(app: AppHandle<R>) -> Result<HistorySettings> {
    guarded(async move { app.signet()?.history_settings() }).await
}

/// Keeps the newest runs of each instance.
#[tauri::command]
pub async fn history_settings_set<R: Runtime>(
    app: AppHandle<R>,
    args: HistorySettingsArgs,
) -> Result<HistoryCleared> {
    guarded(async move { app.signet()?.history_settings_set(args.keep_runs) }).await
}

/// Forgets past runs.
#[tauri::command]
pub async fn history_clear<R: Runtime>(
    app: AppHandle<R>,
    args: HistoryClearArgs,
) -> Result<HistoryCleared> {
    guarded(async move {
        app.signet()?
            .history_clear(args.connector_id.as_deref(), args.instance_id.as_deref())
    })
    .await
}

/// One run.
#[tauri::command]
pub async fn run_get<R: Runtime>(app: AppHandle<R>, args: RunArgs) -> Result<RunRecord> {
    guarded(async move { app.signet()?.run_get(&args.run_id) }).await
}

/// Stored access tokens.
#[tauri::command]
pub async fn tokens_list<R: Runtime>(app: AppHandle<R>) -> Result<Vec<TokenSummary>> {
    guarded(async move { app.signet()?.tokens_list() }).await
}

/// Forgets an instance's token.
#[tauri::command]
pub async fn token_forget<R: Runtime>(app: AppHandle<R>, args: InstanceArgs) -> Result<()> {
    guarded(async move { app.signet()?.token_forget(&args.instance_id) }).await
}

/// Every provider preset.
#[tauri::command]
pub async fn presets_list<R: Runtime>(app: AppHandle<R>) -> Result<Vec<PresetSummary>> {
    guarded(async move { Ok(app.signet()?.presets_list()) }).await
}

/// A new connector from a preset.
#[tauri::command]
pub async fn preset_apply<R: Runtime>(
    app: AppHandle<R>,
    args: PresetApplyArgs,
) -> Result<NewConnector> {
    guarded(async move { app.signet()?.connector_new(Some(&args.preset_id)) }).await
}

/// A failed run read in plain words.
#[tauri::command]
pub async fn run_diagnose<R: Runtime>(
    app: AppHandle<R>,
    args: RunArgs,
) -> Result<FailureDiagnosis> {
    guarded(async move { app.signet()?.run_diagnose(&args.run_id) }).await
}

/// The run's base string against a pasted one.
#[tauri::command]
pub async fn diagnose_paste<R: Runtime>(
    app: AppHandle<R>,
    args: DiagnosePasteArgs,
) -> Result<BaseStringDiff> {
    guarded(async move { app.signet()?.diagnose_paste(&args.run_id, &args.text) }).await
}

/// The offset added to every oauth_timestamp from now on.
#[tauri::command]
pub async fn clock_offset_set<R: Runtime>(app: AppHandle<R>, args: ClockOffsetArgs) -> Result<()> {
    guarded(async move {
        app.signet()?.clock_offset_set(args.offset_seconds);
        Ok(())
    })
    .await
}

/// Builds the invoke handler from the one command list.
#[macro_export]
#[doc(hidden)]
macro_rules! signet_handler_of {
    ($($name:ident),*) => {
        tauri::generate_handler![$($crate::commands::$name),*]
    };
}

/// Every request an audit of the instance's provider would send.
#[tauri::command]
pub async fn audit_plan<R: Runtime>(app: AppHandle<R>, args: InstanceArgs) -> Result<AuditPlan> {
    guarded(async move { app.signet()?.audit_plan(&args.instance_id).await }).await
}

/// Audits the provider of the instance's OAuth 1.0a method.
#[tauri::command]
pub async fn audit_run<R: Runtime>(app: AppHandle<R>, args: AuditArgs) -> Result<AuditDone> {
    guarded(async move {
        app.signet()?
            .audit_run(&args.instance_id, &args.job, args.rate_limit)
            .await
    })
    .await
}

/// Stops an audit: its dance, else before its next request.
#[tauri::command]
pub async fn audit_stop<R: Runtime>(app: AppHandle<R>, args: JobArgs) -> Result<()> {
    guarded(async move { app.signet()?.audit_stop(&args.job) }).await
}

/// Saves a run (a connection, a call, a walk of pages, an audit) as a report in Downloads.
#[tauri::command]
pub async fn run_export<R: Runtime>(app: AppHandle<R>, args: RunExportArgs) -> Result<SavedReport> {
    guarded(async move { app.signet()?.run_export(&args.run_id, args.format) }).await
}

/// Opens a report saved since start, or shows it in its folder.
#[tauri::command]
pub async fn report_show<R: Runtime>(app: AppHandle<R>, args: ReportShowArgs) -> Result<()> {
    guarded(async move { app.signet()?.report_show(&args.path, args.reveal) }).await
}

/// Signs one call of an endpoint afresh, sends nothing, and answers it as a curl command.
#[tauri::command]
pub async fn endpoint_curl<R: Runtime>(app: AppHandle<R>, args: CurlArgs) -> Result<CurlCommand> {
    guarded(async move {
        app.signet()?
            .endpoint_curl(
                &args.instance_id,
                None,
                &args.endpoint_id,
                &args.inputs,
                args.reveal,
            )
            .await
    })
    .await
}

/// A recorded request (a step's or a call's) as a curl command.
#[tauri::command]
pub async fn exchange_curl<R: Runtime>(
    app: AppHandle<R>,
    args: ExchangeCurlArgs,
) -> Result<CurlCommand> {
    guarded(async move { Ok(app.signet()?.exchange_curl(&args.request)) }).await
}

/// Puts text on the system clipboard (the Copy buttons).
#[tauri::command]
pub async fn clipboard_write<R: Runtime>(app: AppHandle<R>, args: ClipboardArgs) -> Result<()> {
    guarded(async move { app.signet()?.clipboard_write(&args.text) }).await
}

/// Reads a Postman collection (and environment) into a new connector.
#[tauri::command]
pub async fn postman_import<R: Runtime>(
    app: AppHandle<R>,
    args: PostmanImportArgs,
) -> Result<PostmanImported> {
    guarded(async move { app.signet()?.postman_import_files(&args.files) }).await
}

/// Saves a connector as a Postman v2.1 collection in the Downloads folder.
#[tauri::command]
pub async fn postman_export<R: Runtime>(
    app: AppHandle<R>,
    args: PostmanExportArgs,
) -> Result<SavedReport> {
    guarded(async move {
        app.signet()?.postman_export(
            &args.connector_id,
            args.instance_id.as_deref(),
            args.include_secrets,
        )
    })
    .await
}
