//! Signet's desktop app: the Tauri v2 shell around the engine, the store and the wizard UI.
//!
//! - [`run`] is generic over the runtime, so a mock-runtime test builds the same app.
//! - The commands are the IPC contract's (`signet_app::api::COMMANDS`), one line each over
//!   `signet_app::App`, which the CLI and the tests use too; progress goes out as
//!   `flow-snapshot` events, refused links as `deep-link-refused`.
//! - `signet://callback?...` links reach the running window: the deep-link plugin reads the
//!   link the app was started with, and the single-instance plugin hands a second launch's
//!   link over the D-Bus session bus. Without a bus, the second launch finds the database
//!   locked and hands the link over the data directory's socket instead (or says plainly that
//!   Signet is already running).
#![warn(missing_docs)]

pub mod browser;
pub mod commands;
pub mod deep_link;
pub mod host;
pub mod state;

// The names build.rs read from crates/app/src/api.rs (checked against the contract in tests).
include!(concat!(env!("OUT_DIR"), "/commands.rs"));

use std::path::Path;

use signet_app::AppError;
use signet_app::startup::Recovery;
use signet_app::startup_trace as trace;
use signet_store::{OpenOptions, Store};
use tauri::{App, Builder, Context, Runtime};

pub use state::{AppExt, AppState};

/// The binary's entry point.
pub fn main() {
    trace::mark("main");
    signet_app::process::harden();
    let builder = || {
        tauri::Builder::default().on_page_load(|webview, payload| match payload.event() {
            tauri::webview::PageLoadEvent::Started => {
                trace::mark("page load started");
                render_without_compositing(webview);
            }
            tauri::webview::PageLoadEvent::Finished => trace::mark("page loaded"),
        })
    };
    let code = run(builder, || tauri::generate_context!());
    std::process::exit(code);
}

/// Turns WebKitGTK's accelerated compositing off for a webview: its pages are forms and text,
/// which it then paints straight into the window instead of into layer tiles. Without a GPU
/// (a virtual machine, a remote session) those tiles are drawn by software OpenGL and held in
/// the web process; turning them off takes the whole app from about 1.25x the memory of an
/// empty Tauri window to about 1.0x (`scripts/measure-desktop.sh`), and looks the same.
#[cfg(target_os = "linux")]
fn render_without_compositing(webview: &tauri::Webview) {
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
    let _ = webview.with_webview(|platform| {
        if let Some(settings) = platform.inner().settings()
            && settings.hardware_acceleration_policy() != HardwareAccelerationPolicy::Never
        {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
}

#[cfg(not(target_os = "linux"))]
fn render_without_compositing(_webview: &tauri::Webview) {}

/// How long a launch waits for a database another process holds before it opens the recovery
/// window.
const LOCK_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// Starts Signet (or hands the link to the Signet already running) and returns the exit code.
/// A database that cannot be opened (damaged, held by a `signet` command, a folder without
/// access) opens the recovery window instead, which says what happened and offers *Move it
/// aside and start fresh*, *Retry* and *Quit*.
pub fn run<R: Runtime>(builder: impl Fn() -> Builder<R>, context: impl Fn() -> Context<R>) -> i32 {
    trace::mark("run()");
    // args_os: an argument that is not UTF-8 is not a link (and must not end the app).
    let link = std::env::args_os()
        .skip(1)
        .filter_map(|a| a.into_string().ok())
        .find(|a| deep_link::is_signet_link(a));
    let options = match OpenOptions::from_env(None) {
        Ok(o) => o,
        Err(e) => return fail(&e.to_string()),
    };
    let data_dir = options.data_dir().to_owned();
    install_crash_reporter(&data_dir);
    let mut opened = signet_app::startup::open_store(&options);
    if let Ok(store) = &opened
        && trace::enabled()
    {
        let t = store.open_timings();
        trace::mark(&format!(
            "store open (database {:.1} ms, data key {:.1} ms)",
            t.database.as_secs_f64() * 1000.0,
            t.key.as_secs_f64() * 1000.0
        ));
    }
    if let Err(recovery) = &mut opened
        && recovery.problem().kind == signet_oauth1::ErrorKind::DatabaseLocked
    {
        if let Some(code) = hand_over(&data_dir, link.as_deref()) {
            return code;
        }
        // No window answers: the Signet holding it may be exiting (its lock goes with it in
        // a moment), or a `signet` command is running. Wait a little before saying so.
        if let Ok(store) = recovery.wait_for_lock(LOCK_GRACE) {
            opened = Ok(store);
        }
    }
    if let Err(recovery) = &opened {
        eprintln!("signet-desktop: {}", recovery.problem().message);
    }
    match build(with_plugins(builder()), context(), opened, true) {
        Ok(app) => {
            let handle = app.handle().clone();
            let _ = CRASH_NOTICE.set(Box::new(move |notice| {
                use tauri::Emitter;
                let report = std::path::Path::new(&notice.report);
                let notice = signet_app::api::CrashNotice {
                    report: signet_app::process::mark_crash_seen(report)
                        .display()
                        .to_string(),
                    ..notice.clone()
                };
                let _ = handle.emit(signet_app::api::EVENT_APP_CRASHED, notice);
            }));
            app.run(|_, _| {});
            0
        }
        Err(e) => fail(&format!("Signet could not start: {e}")),
    }
}

/// How a crash reaches the window, once there is one.
static CRASH_NOTICE: std::sync::OnceLock<signet_app::process::OnCrash> = std::sync::OnceLock::new();

/// A bug that panics writes a report to the data directory and tells the window (a panic in
/// a command or a run ends that task only: the command answers with an `internal` error, the
/// run fails on its step). A crash the window never heard of is shown at the next start.
fn install_crash_reporter(data_dir: &Path) {
    signet_app::process::install_crash_reporter(
        "desktop",
        signet_app::process::crash_report_dir(data_dir),
        Some(Box::new(|notice| {
            if let Some(tell) = CRASH_NOTICE.get() {
                tell(notice);
            }
        })),
    );
}

/// With `SIGNET_READY_PROBE` set, prints `signet: ready <ms since the epoch>` once, when the
/// page reports its first screen drawn with its data (`app_started`): the measurement script's
/// "cold start to interactive wizard".
pub fn ready_probe() {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if std::env::var_os("SIGNET_READY_PROBE").is_some()
        && !DONE.swap(true, std::sync::atomic::Ordering::SeqCst)
    {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        eprintln!("signet: ready {ms}");
    }
}

fn fail(message: &str) -> i32 {
    eprintln!("signet-desktop: {message}");
    1
}

/// Another process holds the database. When it is a Signet window, its link socket answers:
/// it gets the link (or is just brought forward) and this launch ends with 0. `None` when no
/// window answers (a `signet` command holds the database, say): the recovery window says so.
/// (A window whose socket is gone is still reached over D-Bus: the single-instance plugin of
/// the app built next hands it our arguments and exits.)
fn hand_over(data_dir: &Path, link: Option<&str>) -> Option<i32> {
    let answer = deep_link::forward(data_dir, link).ok()?;
    match (link, answer.split_once(' ')) {
        (None, _) => println!("Signet is already running; brought its window forward."),
        (Some(_), Some(("refused", why))) => {
            println!("Signet is already running; it was handed the link and refused it: {why}")
        }
        (Some(_), _) => println!("Signet is already running; handed it the link."),
    }
    Some(0)
}

/// The plugins of the real app: single instance first (its deep-link feature forwards a
/// second launch's link to the deep-link plugin), then deep links and the opener.
pub fn with_plugins<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    let builder = trace_point(builder, "signet-trace-runtime", "Tauri runtime (GTK) ready").plugin(
        tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            deep_link::focus_main(app);
        }),
    );
    let builder = trace_point(
        builder,
        "signet-trace-single-instance",
        "single instance (its D-Bus name taken)",
    )
    .plugin(tauri_plugin_deep_link::init())
    .plugin(tauri_plugin_opener::init());
    trace_point(
        builder,
        "signet-trace-plugins",
        "deep-link and opener plugins",
    )
}

/// With the start-up trace on, adds a plugin that only traces `phase` when Tauri sets it up:
/// plugins are set up in the order they were added, so one between two others times them.
fn trace_point<R: Runtime>(
    builder: Builder<R>,
    name: &'static str,
    phase: &'static str,
) -> Builder<R> {
    if !trace::enabled() {
        return builder;
    }
    builder.plugin(
        tauri::plugin::Builder::<R>::new(name)
            .setup(move |_, _| {
                trace::mark(phase);
                Ok(())
            })
            .build(),
    )
}

/// Builds the app around the store, or around the recovery window when the database could
/// not be opened: Signet's use cases (made as soon as the Tauri app exists, before any command
/// can run), the commands, deep links, and (with `link_socket`) the link socket second
/// launches hand their links to. Generic over the runtime: tests pass
/// `tauri::test::mock_builder()`.
pub fn build<R: Runtime>(
    builder: Builder<R>,
    context: Context<R>,
    opened: Result<Store, Recovery>,
    link_socket: bool,
) -> tauri::Result<App<R>> {
    let app = builder
        .manage(AppState::new(link_socket))
        .invoke_handler(signet_app::for_each_command!(signet_handler_of))
        .setup(move |app| {
            trace::mark("window and webview created");
            if app.config().plugins.0.contains_key("deep-link") {
                setup_deep_links(app);
            }
            trace::mark("deep links set up");
            Ok(())
        })
        .build(context)?;
    trace::mark("Tauri app built");
    match opened {
        Ok(store) => start(app.handle(), store)
            .map_err(|e| tauri::Error::Io(std::io::Error::other(e.to_string())))?,
        Err(recovery) => app.shell().set_recovery(recovery),
    }
    trace::mark("Signet's use cases ready");
    Ok(app)
}

/// Signet's use cases over an open database: made once, at start or when the recovery window
/// opened the database; then the link socket listens.
pub fn start<R: Runtime>(app: &tauri::AppHandle<R>, store: Store) -> Result<(), AppError> {
    let data_dir = store.data_dir().to_owned();
    let tauri::async_runtime::RuntimeHandle::Tokio(runtime) = tauri::async_runtime::handle();
    let signet = signet_app::App::new(
        store,
        std::sync::Arc::new(host::ShellHost(app.clone())),
        runtime,
        signet_app::Settings::default(),
    )?;
    app.shell().set(signet);
    if app.shell().link_socket
        && let Err(e) = deep_link::listen(app.clone(), &data_dir)
    {
        eprintln!("signet: cannot listen for links from second launches: {e}");
    }
    Ok(())
}

fn setup_deep_links<R: Runtime>(app: &mut App<R>) {
    use tauri_plugin_deep_link::DeepLinkExt;
    let dl = app.deep_link();
    // Registering writes a desktop entry and runs update-desktop-database and xdg-mime (tens
    // to hundreds of milliseconds): on a thread of its own, while the window opens. It only
    // matters to the browser's next redirect; a link this launch was given is read below.
    #[cfg(target_os = "linux")]
    if should_register_scheme() {
        let handle = app.handle().clone();
        let registering = std::thread::Builder::new()
            .name("signet-scheme".into())
            .spawn(move || match handle.deep_link().register_all() {
                Ok(()) => trace::mark("signet:// scheme registered (off the critical path)"),
                Err(e) => eprintln!("signet: cannot register the signet:// scheme: {e}"),
            });
        if let Err(e) = registering {
            eprintln!("signet: cannot register the signet:// scheme: {e}");
        }
    }
    let handle = app.handle().clone();
    dl.on_open_url(move |event| {
        for url in event.urls() {
            deep_link::handle(&handle, url.as_str());
        }
    });
    // A link the app was started with: kept (as a refusal, since no run can wait for it yet)
    // until the UI listens.
    if let Ok(Some(urls)) = dl.get_current() {
        for url in urls {
            deep_link::handle(app.handle(), url.as_str());
        }
    }
}

/// Installed packages declare the scheme in their desktop entry; a binary run from a build
/// tree registers itself (unless `SIGNET_NO_SCHEME_REGISTRATION` is set).
#[cfg(target_os = "linux")]
fn should_register_scheme() -> bool {
    if std::env::var_os("SIGNET_NO_SCHEME_REGISTRATION").is_some() {
        return false;
    }
    std::env::current_exe().is_ok_and(|p| !p.starts_with("/usr"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tauri::Manager;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder};
    use tauri::webview::InvokeRequest;

    fn app() -> (tempfile::TempDir, App<tauri::test::MockRuntime>) {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Store::open(&OpenOptions::new(dir.path()).keyring(signet_store::KeyringChoice::File))
                .unwrap();
        // The real context (capabilities included), on the mock runtime.
        let app = build(
            mock_builder(),
            tauri::generate_context!(test = true),
            Ok(store),
            false,
        )
        .unwrap();
        (dir, app)
    }

    #[track_caller]
    fn invoke(
        app: &App<tauri::test::MockRuntime>,
        cmd: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        let webview = tauri::WebviewWindowBuilder::new(app, "main", Default::default())
            .build()
            .or_else(|_| app.get_webview_window("main").ok_or(()))
            .unwrap();
        get_ipc_response(
            &webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(body),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<serde_json::Value>().unwrap())
    }

    #[test]
    fn the_app_builds_and_answers_commands() {
        let (_dir, app) = app();
        let info = invoke(&app, "app_info", serde_json::json!({})).unwrap();
        assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(info["demo_provider_url"], serde_json::Value::Null);
        let list = invoke(&app, "connectors_list", serde_json::json!({})).unwrap();
        assert_eq!(list, serde_json::json!([]));
    }

    #[test]
    fn a_missing_connector_fails_with_an_error_report() {
        let (_dir, app) = app();
        let err = invoke(
            &app,
            "connector_get",
            serde_json::json!({"args": {"id": "42", "instance_id": null}}),
        )
        .unwrap_err();
        assert_eq!(err["kind"], "not_found");
        assert!(err["message"].as_str().unwrap().contains("42"));
    }

    #[test]
    fn every_contract_command_is_registered_and_permitted() {
        // build.rs reads the same list the contract is written in.
        let contract: Vec<&str> = signet_app::api::COMMANDS.iter().map(|c| c.name).collect();
        assert_eq!(BUILD_COMMANDS.to_vec(), contract);
        let set = include_str!("../permissions/signet-commands.toml");
        for c in signet_app::api::COMMANDS {
            let permission = format!("\"allow-{}\"", c.name.replace('_', "-"));
            assert!(
                set.contains(&permission),
                "{permission} missing from the set"
            );
        }
        assert!(include_str!("../capabilities/main.json").contains("\"signet-commands\""));
        let (_dir, app) = app();
        // app_quit would end the test.
        for c in signet_app::api::COMMANDS
            .iter()
            .filter(|c| c.name != "app_quit")
        {
            let args = if c.args.is_some() {
                serde_json::json!({"args": {}})
            } else {
                serde_json::json!({})
            };
            if let Err(e) = invoke(&app, c.name, args) {
                let text = e.to_string();
                assert!(
                    !text.contains("not found"),
                    "{} is not registered: {text}",
                    c.name
                );
            }
        }
    }

    /// A damaged database: every command but the recovery window's says it is not open; Retry
    /// says the same problem again; Move aside keeps the files and Signet starts on a fresh
    /// database.
    #[test]
    fn a_damaged_database_opens_the_recovery_window_and_move_aside_starts_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let options = OpenOptions::new(dir.path()).keyring(signet_store::KeyringChoice::File);
        drop(Store::open(&options).unwrap());
        let db = dir.path().join("db");
        for entry in std::fs::read_dir(&db).unwrap().flatten() {
            if entry.path().is_file() && entry.file_name() != "signet-schema" {
                std::fs::write(entry.path(), vec![0xA5u8; 4096]).unwrap();
            }
        }
        let opened = signet_app::startup::open_store(&options);
        assert!(opened.is_err(), "garbage opened");
        let app = build(
            mock_builder(),
            tauri::generate_context!(test = true),
            opened,
            false,
        )
        .unwrap();
        let problem = invoke(&app, "store_problem", serde_json::json!({})).unwrap();
        assert_eq!(problem["kind"], "database_corrupt", "{problem}");
        assert_eq!(problem["title"], "Signet's database is damaged");
        assert_eq!(problem["can_move_aside"], true);
        let refused = invoke(&app, "connectors_list", serde_json::json!({})).unwrap_err();
        assert_eq!(refused["kind"], "database_unavailable", "{refused}");
        assert!(
            refused["message"].as_str().unwrap().contains("damaged"),
            "{refused}"
        );
        let again = invoke(&app, "store_retry", serde_json::json!({})).unwrap();
        assert_eq!(again["kind"], "database_corrupt", "{again}");

        let moved = invoke(&app, "store_move_aside", serde_json::json!({})).unwrap();
        assert_eq!(moved["problem"], serde_json::Value::Null, "{moved}");
        let moved_to = std::path::PathBuf::from(moved["moved_to"].as_str().unwrap());
        assert!(moved_to.starts_with(dir.path()), "{moved_to:?}");
        assert!(
            moved_to.join("signet-schema").exists(),
            "the damaged files are kept"
        );
        assert_eq!(
            invoke(&app, "store_problem", serde_json::json!({})).unwrap(),
            serde_json::Value::Null
        );
        let list = invoke(&app, "connectors_list", serde_json::json!({})).unwrap();
        assert_eq!(list, serde_json::json!([]));
        // Nothing left to move.
        let e = invoke(&app, "store_move_aside", serde_json::json!({})).unwrap_err();
        assert_eq!(e["kind"], "unexpected_event", "{e}");
    }
}
