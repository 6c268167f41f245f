//! The ids the UI sees: numbers as text, and a stored run as `<instance>-<run>`.

use signet_oauth1::ErrorKind;
use signet_store::{ConnectorId, InstanceId, RunId};

use crate::error::{AppError, Result};

/// A connector id the UI sends.
pub(crate) fn connector(id: &str) -> Result<ConnectorId> {
    id.parse()
        .map_err(|_| AppError::new(ErrorKind::NotFound, format!("no connector {id:?}")))
}

/// An instance id the UI sends.
pub(crate) fn instance(id: &str) -> Result<InstanceId> {
    id.parse()
        .map_err(|_| AppError::new(ErrorKind::NotFound, format!("no instance {id:?}")))
}

/// The UI's id of a stored run.
pub(crate) fn run_id(instance: InstanceId, run: RunId) -> String {
    format!("{instance}-{run}")
}

/// The instance and run a run id names.
pub(crate) fn parse_run(id: &str) -> Option<(InstanceId, RunId)> {
    let (i, r) = id.split_once('-')?;
    Some((i.parse().ok()?, r.parse().ok()?))
}

/// Milliseconds since the epoch, for the UI.
pub(crate) fn millis(t: signet_store::Timestamp) -> u64 {
    u64::try_from(t.millis()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_run_ids_round_trip() {
        let id = run_id(InstanceId(7), RunId(42));
        assert_eq!(id, "7-42");
        assert_eq!(parse_run(&id), Some((InstanceId(7), RunId(42))));
        assert_eq!(parse_run("draft-1"), None);
        assert_eq!(connector("x").unwrap_err().kind(), ErrorKind::NotFound);
    }
}
