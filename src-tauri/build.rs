//! Embeds the UI and generates a permission per command (`allow-app-info`, ...), so the
//! capability in `capabilities/main.json` can grant exactly Signet's own commands.

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}

/// Every command of the IPC contract (`signet_ipc::COMMANDS`), spelled out because a build
/// script cannot depend on the crate it builds for; `tests` checks the two lists agree.
const COMMANDS: &[&str] = &[
    "app_info",
    "demo_provider_start",
    "connector_validate",
    "connectors_list",
    "connector_get",
    "connector_save",
    "connector_delete",
    "connector_reveal_secret",
    "flow_start",
    "flow_submit_pin",
    "flow_submit_callback",
    "flow_retry",
    "flow_cancel",
    "runs_list",
    "run_get",
    "tokens_list",
    "token_forget",
    "presets_list",
    "preset_apply",
    "connector_lint",
    "run_diagnose",
    "diagnose_paste",
    "clock_offset_set",
];
