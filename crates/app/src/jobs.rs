//! Work in progress named by its caller (a walk of pages, an audit), so a later command can
//! reach it by that name (to cancel or stop it) while it runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// What is going, by name.
pub(crate) struct Jobs<T> {
    jobs: Mutex<HashMap<String, Arc<T>>>,
}

impl<T> Default for Jobs<T> {
    fn default() -> Self {
        Self {
            jobs: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> Jobs<T> {
    fn map(&self) -> MutexGuard<'_, HashMap<String, Arc<T>>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers `job` as `name` until the guard is dropped (however the work ends); `None`
    /// when that name is going already.
    pub(crate) fn register(&self, name: &str, job: Arc<T>) -> Option<Registered<'_, T>> {
        let mut jobs = self.map();
        if jobs.contains_key(name) {
            return None;
        }
        jobs.insert(name.to_owned(), job);
        Some(Registered {
            jobs: self,
            name: name.to_owned(),
        })
    }

    /// The job going as `name`, if any.
    pub(crate) fn get(&self, name: &str) -> Option<Arc<T>> {
        self.map().get(name).cloned()
    }
}

/// Removes a job from its registry when dropped.
pub(crate) struct Registered<'a, T> {
    jobs: &'a Jobs<T>,
    name: String,
}

impl<T> Drop for Registered<'_, T> {
    fn drop(&mut self) {
        self.jobs.map().remove(&self.name);
    }
}
