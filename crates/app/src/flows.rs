//! The ten steps of an instance's OAuth 1.0a method: start, hand in a PIN or a pasted address,
//! retry, cancel, and deliver the provider's redirect when it comes back as a deep link. Runs
//! are driven on the app's runtime; every change goes out as a `flow-snapshot` event, and the
//! run is kept in the instance's history from its first step.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use signet_connector::VariableUse;
use signet_engine::{Engine, EngineSettings, Inbox, Run, RunOutcome, Stop};
use signet_oauth1::callback::{Callback, attempt_code, link_excerpt};
use signet_oauth1::flow::{
    Event as FlowEvent, FlowMode, Phase, Snapshot, StepFailure, StepId, Waiting,
};
use signet_oauth1::{CallbackMode, ErrorKind, ErrorReport};
use signet_store::{
    ConnectorId, InstanceId, NewRun, RunKind, RunOutcome as StoredOutcome, RunRecord, Timestamp,
};

use crate::api::{DeepLinkRefusedEvent, Event, FlowSnapshotEvent, FlowStarted};
use crate::error::{AppError, Result};
use crate::{App, ids};

/// How a drive of a run stopped.
/// Why a run's drive stopped: the engine's own answer (`flow_retry` tries a failed step again,
/// or waits again after a callback timeout).
pub type FlowStop = signet_engine::Stop;

/// A run at rest: how its drive stopped and how it stands.
#[derive(Debug, Clone)]
pub struct FlowEnd {
    /// Why it stopped.
    pub stop: FlowStop,
    /// Its last snapshot.
    pub snapshot: Snapshot,
    /// What went wrong without stopping it (the browser did not open, say).
    pub warnings: Vec<String>,
}

/// One run started in this session.
pub(crate) struct FlowEntry {
    pub(crate) id: String,
    pub(crate) connector_id: ConnectorId,
    pub(crate) instance_id: InstanceId,
    pub(crate) mode: FlowMode,
    pub(crate) record: Mutex<RunRecord>,
    pub(crate) variables: Vec<VariableUse>,
    inbox: Inbox,
    latest: Mutex<Latest>,
    pub(crate) driver: tokio::sync::Mutex<(Engine, Run)>,
    /// Set each time a drive stops.
    stopped: tokio::sync::watch::Sender<Option<FlowStop>>,
    /// Stop the first drive once this step is done.
    until: Option<StepId>,
    /// The last drive's warnings.
    warnings: Mutex<Vec<String>>,
}

/// What the UI last saw of a run.
#[derive(Debug, Clone)]
pub(crate) struct Latest {
    pub(crate) snapshot: Snapshot,
    pub(crate) finished_ms: Option<u64>,
}

impl FlowEntry {
    pub(crate) fn latest(&self) -> MutexGuard<'_, Latest> {
        self.latest.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_driving(&self) -> bool {
        self.driver.try_lock().is_err()
    }

    pub(crate) fn started_ms(&self) -> u64 {
        let r = self.record.lock().unwrap_or_else(|e| e.into_inner());
        ids::millis(r.started_at)
    }
}

/// The runs of this session, by id.
#[derive(Default)]
pub(crate) struct Flows {
    runs: Mutex<HashMap<String, Arc<FlowEntry>>>,
}

impl Flows {
    fn map(&self) -> MutexGuard<'_, HashMap<String, Arc<FlowEntry>>> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<FlowEntry>> {
        self.map().get(id).cloned()
    }

    pub(crate) fn all(&self) -> Vec<Arc<FlowEntry>> {
        self.map().values().cloned().collect()
    }

    /// Forgets the runs of this session that are over (finished, failed or cancelled) and
    /// that `which` picks: how many.
    pub(crate) fn forget_ended(&self, which: impl Fn(&FlowEntry) -> bool) -> usize {
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, e| {
            let ended = matches!(
                e.latest().snapshot.phase,
                Phase::Finished | Phase::Failed | Phase::Cancelled
            );
            !(ended && which(e))
        });
        before - map.len()
    }
}

/// Where a `signet://` link went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routed {
    /// Handed to the run with this id.
    Delivered(String),
    /// Refused, and why (in plain words).
    Refused(String),
}

impl App {
    /// Forgets a run of this session entirely: from the session's runs and from the history
    /// (an audit's dance, whose snapshot the audit's run keeps).
    pub(crate) fn forget_flow(&self, entry: &FlowEntry) {
        self.inner.flows.map().remove(&entry.id);
        let id = entry.record.lock().unwrap_or_else(|e| e.into_inner()).id;
        if let Err(e) = self.store().forget_run(entry.instance_id, id) {
            eprintln!("signet: a dance of the audit could not be forgotten: {e}");
        }
    }

    pub(crate) fn entry(&self, run_id: &str) -> Result<Arc<FlowEntry>> {
        self.inner.flows.get(run_id).ok_or_else(|| {
            AppError::new(
                ErrorKind::NoSuchRun,
                format!("no run {run_id} is in progress"),
            )
            .hint("start the connection again")
        })
    }

    /// `flow_start`: the ten steps of an instance's OAuth 1.0a method, resolved from the saved
    /// connector and the instance's values and credentials.
    pub async fn flow_start(&self, instance: &str) -> Result<FlowStarted> {
        self.flow_start_until(instance, None).await
    }

    /// [`App::flow_start`], stopping once step `until` is done (the CLI's `--until`).
    pub async fn flow_start_until(
        &self,
        instance: &str,
        until: Option<StepId>,
    ) -> Result<FlowStarted> {
        let (inst, c, _, resolved) = self.resolved_flow(instance).await?;
        self.start_resolved(&inst, c.id, resolved, until, |_| {})
            .await
    }

    /// An instance, its connector, what it has installed, and its OAuth 1.0a method resolved
    /// to what the flow signs (the demo provider started first when the connector is its).
    pub(crate) async fn resolved_flow(
        &self,
        instance: &str,
    ) -> Result<(
        signet_store::Instance,
        signet_store::StoredConnector,
        signet_connector::Installed,
        signet_connector::ResolvedFlow,
    )> {
        let (inst, c) = self.instance_and_connector(instance)?;
        self.ensure_demo(&inst, &c.definition).await?;
        let installed = self.store().installed(inst.id)?;
        let resolved =
            signet_connector::resolve_flow(&c.definition, &installed, self.builtins_now())
                .map_err(AppError::invalid)?;
        Ok((inst, c, installed, resolved))
    }

    /// Starts a flow already resolved for `inst` (the audit changes what it resolved to).
    pub(crate) async fn start_resolved(
        &self,
        inst: &signet_store::Instance,
        connector_id: ConnectorId,
        resolved: signet_connector::ResolvedFlow,
        until: Option<StepId>,
        announce: impl FnOnce(&str),
    ) -> Result<FlowStarted> {
        let settings = &self.inner.settings;
        let engine = Engine::new(EngineSettings {
            http: settings.flow_http,
            clock: self.clock(),
            callback_timeout: settings.callback_timeout,
        })?
        .with_browser(self.inner.host.browser());
        let inbox = engine.inbox();
        let mode = resolved.config.flow_mode();
        let run = engine.prepare(resolved.config).await?;
        let snapshot = run.snapshot();
        let record = self.store().record_run(NewRun {
            instance_id: inst.id,
            kind: RunKind::Flow,
            started_at: Timestamp::now(),
            finished_at: None,
            outcome: StoredOutcome::InProgress,
            snapshot: stored_flow(&snapshot, &resolved.variables),
            summary: crate::history::Listed::flow(&snapshot).value(),
        })?;
        let id = ids::run_id(inst.id, record.id);
        let entry = Arc::new(FlowEntry {
            id: id.clone(),
            connector_id,
            instance_id: inst.id,
            mode,
            record: Mutex::new(record),
            variables: resolved.variables.clone(),
            inbox,
            latest: Mutex::new(Latest {
                snapshot: snapshot.clone(),
                finished_ms: None,
            }),
            driver: tokio::sync::Mutex::new((engine, run)),
            stopped: tokio::sync::watch::channel(None).0,
            until,
            warnings: Mutex::new(Vec::new()),
        });
        self.inner.flows.map().insert(id.clone(), entry.clone());
        announce(&id);
        // The run starts at once: the UI keeps snapshots that arrive before this answer.
        self.spawn_drive(entry, FlowEvent::Start);
        Ok(FlowStarted {
            run_id: id,
            snapshot,
            variables: resolved.variables,
        })
    }

    /// Drives `entry` with `event` on the app's runtime until the run stops. A bug that panics
    /// while driving (the panic hook has written a crash report by then) fails the run on its
    /// step with an `internal` error naming the report, instead of leaving it running forever.
    fn spawn_drive(&self, entry: Arc<FlowEntry>, event: FlowEvent) {
        let app = self.clone();
        let runtime = self.inner.runtime.clone();
        self.inner.runtime.spawn(async move {
            let drive = runtime.spawn(app.clone().drive(entry.clone(), event));
            if drive.await.is_err() {
                let mut guard = entry.driver.lock().await;
                let (_, run) = &mut *guard;
                app.fail_run(&entry, run, crate::process::crash_error().report().clone());
            }
        });
    }

    async fn drive(self, entry: Arc<FlowEntry>, event: FlowEvent) {
        let mut guard = entry.driver.lock().await;
        let (engine, run) = &mut *guard;
        // The offset the user chose after a refused timestamp applies to this drive.
        engine.set_clock_offset(self.clock().offset_seconds);
        let until = matches!(event, FlowEvent::Start)
            .then_some(entry.until)
            .flatten();
        let result = engine
            .drive(run, event, until, |snap| self.progress(&entry, snap))
            .await;
        match result {
            Ok(outcome) => {
                self.finish(&entry, &outcome);
                entry.stopped.send_replace(Some(outcome.stop));
            }
            // The engine itself failed (a loopback port taken, say): show it on the step.
            Err(e) => self.fail_run(&entry, run, e.report()),
        }
    }

    /// Fails `run` on its current step with `error`, keeps and shows that.
    fn fail_run(&self, entry: &FlowEntry, run: &Run, error: ErrorReport) {
        let mut snap = run.snapshot();
        let step = snap.current_step.unwrap_or(StepId::UserInitiation);
        snap.phase = Phase::Failed;
        snap.error = Some(StepFailure { step, error });
        entry.latest().snapshot = snap.clone();
        self.record(entry, &snap, None);
        self.emit_snapshot(&entry.id, snap);
        entry.stopped.send_replace(Some(FlowStop::Failed(step)));
    }

    /// After every event: keep the snapshot and show it. The last one of a run is shown by
    /// [`Self::finish`], after the token is saved, so the UI's refresh finds it.
    fn progress(&self, entry: &FlowEntry, snap: &Snapshot) {
        entry.latest().snapshot = snap.clone();
        if !matches!(
            snap.phase,
            Phase::Finished | Phase::Failed | Phase::Cancelled
        ) {
            self.emit_snapshot(&entry.id, snap.clone());
        }
    }

    fn finish(&self, entry: &FlowEntry, outcome: &RunOutcome) {
        let snap = outcome.snapshot.clone();
        let over = matches!(outcome.stop, Stop::Finished | Stop::Cancelled);
        let finished_ms = over.then(|| ids::millis(Timestamp::now()));
        {
            let mut latest = entry.latest();
            latest.snapshot = snap.clone();
            latest.finished_ms = finished_ms;
        }
        if let (Some(creds), FlowMode::ThreeLegged) = (&outcome.credentials, entry.mode)
            && snap.access_token.is_some()
            && let Err(e) = self.store().save_issued_token(entry.instance_id, creds)
        {
            eprintln!("signet: the access token could not be saved: {e}");
        }
        self.record(entry, &snap, finished_ms);
        *entry.warnings.lock().unwrap_or_else(|e| e.into_inner()) = outcome.warnings.clone();
        self.emit_snapshot(&entry.id, snap);
    }

    fn record(&self, entry: &FlowEntry, snap: &Snapshot, finished_ms: Option<u64>) {
        let mut record = entry.record.lock().unwrap_or_else(|e| e.into_inner());
        record.finished_at = finished_ms.map(|ms| Timestamp(i64::try_from(ms).unwrap_or(i64::MAX)));
        record.outcome = StoredOutcome::of(snap);
        record.snapshot = stored_flow(snap, &entry.variables);
        record.summary = crate::history::Listed::flow(snap).value();
        if let Err(e) = self.store().update_run(&record) {
            eprintln!("signet: the run could not be recorded: {e}");
        }
    }

    fn emit_snapshot(&self, run_id: &str, snapshot: Snapshot) {
        self.emit(Event::FlowSnapshot(Box::new(FlowSnapshotEvent {
            run_id: run_id.to_owned(),
            snapshot,
        })));
    }

    /// Waits until the run's current drive stops (the CLI waits this way; the UI follows the
    /// events).
    pub async fn flow_wait(&self, run_id: &str) -> Result<FlowEnd> {
        let entry = self.entry(run_id)?;
        let mut rx = entry.stopped.subscribe();
        let stop = loop {
            if let Some(stop) = *rx.borrow_and_update() {
                break stop;
            }
            if rx.changed().await.is_err() {
                break FlowStop::Cancelled;
            }
        };
        entry.stopped.send_replace(None);
        let snapshot = entry.latest().snapshot.clone();
        let warnings =
            std::mem::take(&mut *entry.warnings.lock().unwrap_or_else(|e| e.into_inner()));
        Ok(FlowEnd {
            stop,
            snapshot,
            warnings,
        })
    }

    /// `flow_submit_pin`.
    pub fn flow_submit_pin(&self, run_id: &str, pin: &str) -> Result<()> {
        let entry = self.entry(run_id)?;
        if !matches!(entry.latest().snapshot.waiting_for, Some(Waiting::Pin)) {
            return Err(AppError::new(
                ErrorKind::NotWaitingForPin,
                "this run is not waiting for a PIN",
            ));
        }
        let pin = pin.trim();
        if pin.is_empty() {
            return Err(AppError::new(ErrorKind::PinEmpty, "the PIN is empty")
                .hint("type the code the provider showed after you allowed access"));
        }
        if entry.is_driving() {
            entry.inbox.pin(pin);
        } else {
            self.spawn_drive(entry, FlowEvent::Pin(pin.to_owned()));
        }
        Ok(())
    }

    /// `flow_submit_callback`: an address the user pasted.
    pub fn flow_submit_callback(&self, run_id: &str, url: &str) -> Result<()> {
        let entry = self.entry(run_id)?;
        if !matches!(
            entry.latest().snapshot.waiting_for,
            Some(Waiting::Callback { .. } | Waiting::Pin)
        ) {
            return Err(AppError::new(
                ErrorKind::NotWaitingForCallback,
                "this run is not waiting for the provider's redirect",
            ));
        }
        let url = url.trim();
        if url.is_empty() {
            return Err(
                AppError::new(ErrorKind::CallbackEmpty, "the address is empty")
                    .hint("paste the whole address the browser shows after you allowed access"),
            );
        }
        if entry.is_driving() {
            entry.inbox.deep_link(url);
        } else {
            self.spawn_drive(entry, FlowEvent::Callback(url.to_owned()));
        }
        Ok(())
    }

    /// `flow_retry`.
    pub fn flow_retry(&self, run_id: &str) -> Result<()> {
        let entry = self.entry(run_id)?;
        if entry.is_driving() {
            return Err(AppError::new(
                ErrorKind::RunBusy,
                "this run is still going; wait for it to stop or cancel it",
            ));
        }
        if entry.latest().snapshot.phase.is_over() {
            return Err(AppError::new(
                ErrorKind::NothingToRetry,
                "the run is over; start a new one",
            ));
        }
        self.spawn_drive(entry, FlowEvent::Retry);
        Ok(())
    }

    /// `flow_cancel`.
    pub fn flow_cancel(&self, run_id: &str) -> Result<()> {
        let entry = self.entry(run_id)?;
        if entry.latest().snapshot.phase.is_over() {
            return Ok(());
        }
        if entry.is_driving() {
            entry.inbox.cancel();
        } else {
            self.spawn_drive(entry, FlowEvent::Cancel);
        }
        Ok(())
    }

    /// A `signet://` link the operating system handed over: delivered to the run waiting for it
    /// (matched by its request token), or refused with the reason — and a `deep-link-refused`
    /// event — when none is.
    pub fn route_link(&self, url: &str) -> Routed {
        let routed = self.route(url);
        if let Routed::Refused(reason) = &routed {
            self.emit(Event::DeepLinkRefused(DeepLinkRefusedEvent {
                url_excerpt: link_excerpt(url),
                reason: reason.clone(),
            }));
        }
        routed
    }

    fn route(&self, url: &str) -> Routed {
        if !url
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("signet:"))
        {
            return Routed::Refused("this is not a signet:// link".into());
        }
        let cb = match Callback::parse(url) {
            Ok(cb) => cb,
            Err(e) => {
                return Routed::Refused(format!(
                    "Signet cannot read this link ({e}); nothing was changed"
                ));
            }
        };
        let named = cb.token.clone().or_else(|| cb.denied.clone());
        let waiting: Vec<_> = self
            .inner
            .flows
            .all()
            .into_iter()
            .filter(|e| {
                matches!(
                    e.latest().snapshot.waiting_for,
                    Some(Waiting::Callback {
                        mode: CallbackMode::DeepLink,
                        ..
                    })
                )
            })
            .collect();
        if waiting.is_empty() {
            return Routed::Refused(
                "no connection is waiting for a provider's answer right now (the attempt it belongs to was finished, cancelled, or started before Signet was restarted); start the flow again in Signet".into(),
            );
        }
        // The attempt's code in the link's path names its run; else its request token does.
        let found = match (attempt_code(url), &named) {
            (Some(code), _) => waiting.into_iter().find(|e| {
                matches!(
                    &e.latest().snapshot.waiting_for,
                    Some(Waiting::Callback { callback_url, .. })
                        if attempt_code(callback_url) == Some(code)
                )
            }),
            (None, Some(token)) => waiting.into_iter().find(|e| {
                e.latest()
                    .snapshot
                    .request_token
                    .as_ref()
                    .is_some_and(|t| &t.token == token)
            }),
            (None, None) => {
                return Routed::Refused(
                    "this link names no request token and carries no attempt's code, so nothing says which connection it answers; finish the authorisation in the browser window Signet opened".into(),
                );
            }
        };
        let Some(entry) = found else {
            return Routed::Refused(
                "this link belongs to another attempt: it does not match the one Signet is waiting for (an old browser tab, or a second Connect); finish the newest attempt in the browser, or start again".into(),
            );
        };
        if entry.is_driving() {
            entry.inbox.deep_link(url);
        } else {
            self.spawn_drive(entry.clone(), FlowEvent::Callback(url.to_owned()));
        }
        Routed::Delivered(entry.id.clone())
    }
}

/// A flow run as the store keeps it: the snapshot, and the variables that went into it beside.
pub(crate) fn stored_flow(snap: &Snapshot, variables: &[VariableUse]) -> serde_json::Value {
    let mut value = serde_json::to_value(snap).unwrap_or_default();
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "variables".into(),
            serde_json::to_value(variables).unwrap_or_default(),
        );
    }
    value
}
