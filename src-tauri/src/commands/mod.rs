//! The commands of the IPC contract (`signet_ipc::COMMANDS`), thin: each maps its DTOs to the
//! engine, the store or the demo provider and back. Every command takes one `args` parameter
//! (when it has arguments) and fails with an `ErrorReport`.

pub mod app;
pub mod connectors;
pub mod flows;
pub mod presets;
pub mod runs;

/// The invoke handler for every command.
#[macro_export]
#[doc(hidden)]
macro_rules! signet_handler {
    () => {
        tauri::generate_handler![
            $crate::commands::app::app_info,
            $crate::commands::app::demo_provider_start,
            $crate::commands::connectors::connector_validate,
            $crate::commands::connectors::connectors_list,
            $crate::commands::connectors::connector_get,
            $crate::commands::connectors::connector_save,
            $crate::commands::connectors::connector_delete,
            $crate::commands::connectors::connector_reveal_secret,
            $crate::commands::flows::flow_start,
            $crate::commands::flows::flow_submit_pin,
            $crate::commands::flows::flow_submit_callback,
            $crate::commands::flows::flow_retry,
            $crate::commands::flows::flow_cancel,
            $crate::commands::runs::runs_list,
            $crate::commands::runs::run_get,
            $crate::commands::runs::tokens_list,
            $crate::commands::runs::token_forget,
            $crate::commands::presets::presets_list,
            $crate::commands::presets::preset_apply,
            $crate::commands::presets::connector_lint,
            $crate::commands::presets::run_diagnose,
            $crate::commands::presets::diagnose_paste,
            $crate::commands::presets::clock_offset_set,
        ]
    };
}
