//! Walking an endpoint's pages: the endpoint filled in once, then each page's call signed
//! afresh (its own nonce and timestamp, its cursor or page parameters in the base string),
//! sent, read by the connector's pager, announced as a `pages-progress` event, until the pager
//! says stop, a page fails twice, or the user cancels. The pages fetched are always kept: in
//! the result, and (their calls, without the combined items) in the instance's history.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use signet_connector::pagination::{PageAnswer, Pager, Stop};
use signet_oauth1::ErrorKind;
use signet_store::{NewRun, RunKind, RunOutcome, Timestamp};

use crate::api::{CallRecord, Event, PageRecord, PagesProgressEvent, PagesResult};
use crate::error::{AppError, Result};
use crate::{App, ids};

/// How long to wait before sending a failed page again.
const RETRY_AFTER: Duration = Duration::from_millis(300);
/// How much of each page's body a walk keeps, in its result and in the history (the items are
/// in the result whole; a walk holds up to thousands of pages).
const MAX_PAGE_BODY: usize = 16 * 1024;

/// How a walk goes, besides the endpoint's own setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PagesOptions {
    /// Fewer pages than the endpoint's most pages.
    pub max_pages: Option<u32>,
    /// Deliver the items in the `pages-progress` events rather than in the result.
    pub items_in_events: bool,
}

/// A walk in progress.
#[derive(Default)]
pub(crate) struct Job {
    cancelled: AtomicBool,
    wake: tokio::sync::Notify,
}

/// Whether `job` can name a walk of pages or an audit (its events carry it): letters, digits,
/// `-` and `_`, at most 64.
pub(crate) fn valid_job(job: &str) -> bool {
    !job.is_empty()
        && job.len() <= 64
        && job
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether a failed attempt may pass when sent again: no answer, or the provider failed on
/// its side (5xx). A refusal (4xx) would only be refused again.
fn retryable(call: &CallRecord) -> Option<String> {
    match &call.response {
        None => call.error.as_ref().map(|e| e.message.clone()),
        Some(r) if (500..600).contains(&r.status) => Some(format!(
            "the provider answered http {} (it failed on its side)",
            r.status
        )),
        Some(_) => None,
    }
}

fn cut_body(call: &mut CallRecord, limit: usize) {
    if let Some(r) = &mut call.response
        && r.body.len() > limit
    {
        let mut cut = limit;
        while !r.body.is_char_boundary(cut) {
            cut -= 1;
        }
        r.body.truncate(cut);
        r.truncated = true;
    }
}

impl App {
    /// `endpoint_send_pages`: walks `endpoint`'s pages with the instance's values and token
    /// (see the module docs). Refused before anything is sent when the endpoint has no
    /// pagination or cannot be filled in; otherwise always a result, whose `stop` says why the
    /// walk ended and whose pages are every page fetched.
    pub async fn endpoint_send_pages(
        &self,
        instance: &str,
        endpoint: &str,
        inputs: &BTreeMap<String, String>,
        job: &str,
        options: PagesOptions,
    ) -> Result<PagesResult> {
        let PagesOptions {
            max_pages,
            items_in_events,
        } = options;
        if !valid_job(job) {
            return Err(AppError::new(
                ErrorKind::InvalidInputs,
                format!("{job:?} cannot name a walk: use letters, digits, - and _ (at most 64)"),
            ));
        }
        let (inst, c) = self.instance_and_connector(instance)?;
        self.ensure_demo(&inst, &c.definition).await?;
        let Some((index, e)) = c
            .definition
            .endpoints
            .iter()
            .enumerate()
            .find(|(_, e)| e.id == endpoint)
        else {
            // prepare names the endpoints the connector has.
            self.prepare(inst.id, &c.definition, endpoint, inputs)?;
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!("the connector has no endpoint {endpoint:?}"),
            ));
        };
        let Some(mut pagination) = e.pagination.clone() else {
            return Err(AppError::new(
                ErrorKind::NotPaginated,
                format!("the endpoint {:?} does not page through results", e.name),
            )
            .hint("set its pagination (the endpoint's Pagination section), or send it once"));
        };
        if let Some(m) = max_pages {
            if m == 0 {
                return Err(AppError::new(
                    ErrorKind::InvalidInputs,
                    "the most pages must be at least 1",
                ));
            }
            pagination.limits.max_pages = pagination.limits.max_pages.min(m);
        }
        let endpoint_name = e.name.clone();
        let saved_schema = e.schema.clone();
        let mut learnt = signet_connector::schema::SchemaBuilder::new();
        let base = self.prepare(inst.id, &c.definition, endpoint, inputs)?;
        let mut pager = Pager::new(&pagination, base, &format!("endpoints[{index}].pagination"))
            .map_err(AppError::invalid)?;

        let handle = Arc::new(Job::default());
        let Some(_registered) = self.inner.page_jobs.register(job, handle.clone()) else {
            return Err(AppError::new(
                ErrorKind::RunBusy,
                format!("a walk called {job:?} is already going"),
            )
            .hint("wait for it to end, or cancel it"));
        };

        let started_at = Timestamp::now();
        let started = Instant::now();
        let mut pages: Vec<PageRecord> = Vec::new();
        let mut items: Vec<serde_json::Value> = Vec::new();
        // Items handed out in the events already.
        let mut delivered = 0u64;
        let mut request = pager.first();
        let stop = loop {
            if handle.cancelled.load(Ordering::SeqCst) {
                break Stop::Cancelled;
            }
            let mut attempts = 0u8;
            let mut retried_because = None;
            let sent = loop {
                attempts += 1;
                let Some(sent) = self
                    .exchange(&request.call, endpoint_name.clone(), Some(&handle.wake))
                    .await?
                else {
                    break None;
                };
                match retryable(&sent.record) {
                    Some(why) if attempts == 1 && !handle.cancelled.load(Ordering::SeqCst) => {
                        retried_because = Some(why);
                        tokio::select! {
                            () = tokio::time::sleep(RETRY_AFTER) => {}
                            () = handle.wake.notified() => break None,
                        }
                    }
                    _ => break Some(sent),
                }
            };
            let Some(sent) = sent else {
                break Stop::Cancelled;
            };
            // Each page's body is kept bounded (its items are in the result whole): a hundred
            // pages of a large API would otherwise hold a hundred answers in memory.
            let mut call = sent.record;
            cut_body(&mut call, MAX_PAGE_BODY);
            let mut record = PageRecord {
                number: request.number,
                call,
                items: 0,
                items_at: String::new(),
                changes: std::mem::take(&mut request.changes),
                attempts,
                retried_because,
            };
            let ok = sent
                .response
                .as_ref()
                .filter(|r| (200..300).contains(&r.status));
            let Some(answer) = ok else {
                let message = match &record.call.error {
                    Some(err) => format!(
                        "page {} failed{}: {}",
                        record.number,
                        if attempts > 1 { " twice" } else { "" },
                        err.message
                    ),
                    None => format!("page {} failed", record.number),
                };
                self.page_arrived(job, &record, items.len() as u64, Vec::new());
                pages.push(record);
                break Stop::Failed { message };
            };
            let read = pager.read(&PageAnswer {
                status: answer.status,
                headers: &answer.headers,
                body: &answer.body,
            });
            record.items = read.items.len() as u64;
            record.items_at = read.items_at;
            for item in &read.items {
                learnt.add(item);
            }
            let total = (items.len() + read.items.len()) as u64;
            if items_in_events {
                delivered += read.items.len() as u64;
                self.page_arrived(job, &record, total, read.items);
            } else {
                items.extend(read.items);
                self.page_arrived(job, &record, total, Vec::new());
            }
            pages.push(record);
            match read.next {
                Ok(next) => request = next,
                Err(stop) => break stop,
            }
        };

        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (schema, drift) = crate::calls::learnt(learnt, saved_schema.as_ref());
        let mut result = PagesResult {
            run_id: String::new(),
            endpoint_id: endpoint.to_owned(),
            endpoint_name,
            method: pagination.method.type_name().to_owned(),
            pages,
            item_count: items.len() as u64 + delivered,
            items: Vec::new(),
            stop_message: stop.message(),
            stop_hint: stop.hint().map(str::to_owned),
            complete: stop.complete(),
            failed: stop.failed(),
            stop,
            started_ms: ids::millis(started_at),
            duration_ms,
            schema,
            drift,
        };
        // The history keeps every page's call (bodies bounded above), and not the items.
        let kept = result.clone();
        let run = self.store().record_run(NewRun {
            instance_id: inst.id,
            kind: RunKind::Pages,
            started_at,
            finished_at: Some(Timestamp::now()),
            outcome: if result.failed {
                RunOutcome::Failed {
                    step: None,
                    message: result.stop_message.clone(),
                }
            } else {
                RunOutcome::Completed
            },
            snapshot: serde_json::to_value(&kept).unwrap_or_default(),
            summary: crate::history::Listed::pages(&kept).value(),
        })?;
        result.run_id = ids::run_id(inst.id, run.id);
        result.items = items;
        Ok(result)
    }

    /// `endpoint_pages_cancel`: ends a walk after the page in flight (which is abandoned); the
    /// pages fetched so far are kept. Cancelling a walk that already ended does nothing.
    pub fn endpoint_pages_cancel(&self, job: &str) -> Result<()> {
        if let Some(j) = self.inner.page_jobs.get(job) {
            j.cancelled.store(true, Ordering::SeqCst);
            j.wake.notify_one();
        }
        Ok(())
    }

    fn page_arrived(
        &self,
        job: &str,
        page: &PageRecord,
        total_items: u64,
        page_items: Vec<serde_json::Value>,
    ) {
        self.inner
            .host
            .emit(Event::PagesProgress(PagesProgressEvent {
                job: job.to_owned(),
                number: page.number,
                status: page.call.response.as_ref().map(|r| r.status),
                duration_ms: page.call.duration_ms,
                items: page.items,
                total_items,
                attempts: page.attempts,
                page_items,
            }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_names_are_checked() {
        assert!(valid_job("orders-1_a"));
        assert!(!valid_job(""));
        assert!(!valid_job("a b"));
        assert!(!valid_job(&"x".repeat(65)));
    }
}
