//! What the provider remembers while it runs: temporary credentials (request tokens) with their
//! consent state, token credentials (access tokens), and the nonces it has seen. In memory; the
//! access tokens also in the configured token store (a provider started again accepts them).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use signet_oauth1::Secret;

use crate::config::ProviderConfig;
use crate::faults::Faults;

/// Where a request token is in its life.
#[derive(Debug, Clone)]
pub(crate) enum Grant {
    /// Issued; the user has not decided yet. `ticket` is set once the user signed in, and the
    /// consent form must send it back.
    Pending { login: Option<Login> },
    /// The user allowed access; the consumer may exchange the token with this verifier.
    Authorized { username: String, verifier: Secret },
    /// The user denied access.
    Denied,
    /// Exchanged for an access token: never again.
    Used,
}

/// A signed-in user waiting on the consent page.
#[derive(Debug, Clone)]
pub(crate) struct Login {
    pub username: String,
    pub ticket: Secret,
}

/// Temporary credentials.
#[derive(Debug, Clone)]
pub(crate) struct RequestToken {
    pub secret: Secret,
    pub consumer_key: String,
    pub callback: String,
    pub issued: Instant,
    pub grant: Grant,
    /// The authorize URL's query as the user's browser brought it (quirk profiles check it).
    pub authorize_params: Vec<(String, String)>,
}

/// Token credentials.
#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub secret: Secret,
    pub consumer_key: String,
    pub username: String,
}

/// An access token as the token store keeps it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct StoredToken {
    token: String,
    secret: String,
    consumer_key: String,
    username: String,
}

/// The most tokens a store keeps (the oldest go first): a demo's file stays small.
const MAX_STORED_TOKENS: usize = 1000;

/// The most request tokens kept (the oldest goes first).
pub(crate) const MAX_REQUEST_TOKENS: usize = 10_000;

/// The most nonces kept inside the timestamp window.
pub(crate) const MAX_NONCES: usize = 100_000;

/// The most clients the `flaky-once` route remembers having failed once.
pub(crate) const MAX_FAILED_ONCE: usize = 10_000;

/// Why a nonce was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NonceRefused {
    /// This consumer already used it inside the window.
    Used,
    /// Too many requests inside the window to remember another.
    Full,
}

/// Reads the token store; a missing, unreadable or damaged file is an empty store (the provider
/// is a demo: its tokens are throwaway, and a user simply connects again).
fn load_tokens(path: &std::path::Path) -> Vec<StoredToken> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    match serde_json::from_slice::<Vec<StoredToken>>(&bytes) {
        Ok(tokens) => tokens,
        Err(e) => {
            eprintln!(
                "signet demo provider: ignoring the damaged token store {}: {e}",
                path.display()
            );
            Vec::new()
        }
    }
}

/// Writes the token store: a temporary file beside it, readable by the user only, renamed over
/// the old one (a crash leaves the old file or the new one, never half of one).
fn save_tokens(path: &std::path::Path, tokens: &[StoredToken]) -> std::io::Result<()> {
    let text = serde_json::to_vec(tokens).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write as _;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(&text)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

#[derive(Debug, Default)]
pub(crate) struct Memory {
    pub request_tokens: HashMap<String, RequestToken>,
    pub access_tokens: HashMap<String, AccessToken>,
    /// The access tokens in the order they were issued (what the token store keeps).
    issued: Vec<String>,
    /// (consumer key, nonce) → the request's timestamp.
    nonces: HashMap<(String, String), i64>,
}

impl Memory {
    /// Records a nonce; refused when the consumer already used it inside the window, or when
    /// [`MAX_NONCES`] nonces inside the window are kept (a flood). Nonces whose timestamps fell
    /// out of the window are forgotten once the map fills: the window refuses them anyway.
    pub fn remember_nonce(
        &mut self,
        consumer_key: &str,
        nonce: &str,
        timestamp: i64,
        now: i64,
        window: i64,
    ) -> Result<(), NonceRefused> {
        let key = (consumer_key.to_owned(), nonce.to_owned());
        if self
            .nonces
            .get(&key)
            .is_some_and(|ts| ts.abs_diff(now) <= window.unsigned_abs())
        {
            return Err(NonceRefused::Used);
        }
        if self.nonces.len() >= MAX_NONCES {
            self.nonces
                .retain(|_, ts| ts.abs_diff(now) <= window.unsigned_abs());
            if self.nonces.len() >= MAX_NONCES {
                return Err(NonceRefused::Full);
            }
        }
        self.nonces.insert(key, timestamp);
        Ok(())
    }

    /// Keeps a request token, forgetting the oldest one when [`MAX_REQUEST_TOKENS`] are kept
    /// (a flood of request-token calls cannot grow the provider without end).
    pub fn add_request_token(&mut self, token: String, rt: RequestToken) {
        if self.request_tokens.len() >= MAX_REQUEST_TOKENS
            && let Some(oldest) = self
                .request_tokens
                .iter()
                .min_by_key(|(_, r)| r.issued)
                .map(|(k, _)| k.clone())
        {
            self.request_tokens.remove(&oldest);
        }
        self.request_tokens.insert(token, rt);
    }
}

/// The clients (access tokens, or one-legged consumers) the `flaky-once` route already failed,
/// at most [`MAX_FAILED_ONCE`] of them: past that the oldest is forgotten (and would see one
/// more failure), so a flood of tokens cannot grow the provider without end.
#[derive(Debug, Default)]
pub(crate) struct FailedOnce {
    order: VecDeque<String>,
    failed: HashSet<String>,
}

impl FailedOnce {
    /// Whether `client` fails now: true the first time it is asked about, false after.
    pub fn first_time(&mut self, client: &str) -> bool {
        if self.failed.contains(client) {
            return false;
        }
        if self.order.len() >= MAX_FAILED_ONCE
            && let Some(oldest) = self.order.pop_front()
        {
            self.failed.remove(&oldest);
        }
        self.order.push_back(client.to_owned());
        self.failed.insert(client.to_owned());
        true
    }
}

/// The provider's shared state.
#[derive(Debug)]
pub(crate) struct AppState {
    pub config: ProviderConfig,
    pub faults: Mutex<Faults>,
    pub memory: Mutex<Memory>,
    /// Pages the paged routes served successfully (each after its signature check passed).
    pub pages_served: AtomicU64,
    /// Who the `flaky-once` route already failed.
    pub failed_once: Mutex<FailedOnce>,
}

impl AppState {
    pub fn new(config: ProviderConfig) -> Self {
        let mut memory = Memory::default();
        if let Some(path) = &config.token_store {
            for t in load_tokens(path) {
                memory.issued.push(t.token.clone());
                memory.access_tokens.insert(
                    t.token,
                    AccessToken {
                        secret: t.secret.into(),
                        consumer_key: t.consumer_key,
                        username: t.username,
                    },
                );
            }
        }
        if config.profile.as_ref().is_some_and(|p| p.pre_issued_tokens) {
            memory.access_tokens.insert(
                crate::demo::PRE_ISSUED_TOKEN.to_owned(),
                AccessToken {
                    secret: crate::demo::PRE_ISSUED_TOKEN_SECRET.into(),
                    consumer_key: crate::demo::CONSUMER_KEY.to_owned(),
                    username: crate::demo::USERS[0].0.to_owned(),
                },
            );
        }
        Self {
            faults: Mutex::new(config.faults.clone()),
            memory: Mutex::new(memory),
            pages_served: AtomicU64::new(0),
            failed_once: Mutex::new(FailedOnce::default()),
            config,
        }
    }

    pub fn faults(&self) -> Faults {
        lock(&self.faults).clone()
    }

    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.faults) = faults;
    }

    pub fn memory(&self) -> MutexGuard<'_, Memory> {
        lock(&self.memory)
    }

    /// Whether the `flaky-once` route fails `client` now (the first time only).
    pub fn fails_once(&self, client: &str) -> bool {
        lock(&self.failed_once).first_time(client)
    }

    /// Keeps a newly issued access token (in memory, and in the token store when there is one).
    pub fn issue_access_token(&self, token: String, access: AccessToken) {
        let mut mem = self.memory();
        mem.access_tokens.insert(token.clone(), access);
        mem.issued.push(token);
        if mem.issued.len() > MAX_STORED_TOKENS {
            let gone = mem.issued.remove(0);
            mem.access_tokens.remove(&gone);
        }
        let Some(path) = &self.config.token_store else {
            return;
        };
        let stored: Vec<StoredToken> = mem
            .issued
            .iter()
            .filter_map(|t| {
                mem.access_tokens.get(t).map(|a| StoredToken {
                    token: t.clone(),
                    secret: a.secret.expose().to_owned(),
                    consumer_key: a.consumer_key.clone(),
                    username: a.username.clone(),
                })
            })
            .collect();
        drop(mem);
        if let Err(e) = save_tokens(path, &stored) {
            eprintln!(
                "signet demo provider: cannot keep its access tokens in {}: {e}",
                path.display()
            );
        }
    }

    /// The provider's clock in Unix seconds, skewed by the `clock_skew_secs` fault.
    pub fn now(&self) -> i64 {
        unix_now().saturating_add(self.skew())
    }

    /// The provider's clock as a `SystemTime` (for the `Date` header).
    pub fn now_system(&self) -> SystemTime {
        let skew = self.skew();
        let now = SystemTime::now();
        let by = Duration::from_secs(skew.unsigned_abs());
        let skewed = if skew >= 0 {
            now.checked_add(by)
        } else {
            now.checked_sub(by)
        };
        skewed.filter(|t| *t >= UNIX_EPOCH).unwrap_or(now)
    }

    /// The `clock_skew_secs` fault, limited to ±10 years so every clock reading stays a date
    /// an HTTP header can carry.
    fn skew(&self) -> i64 {
        self.faults()
            .clock_skew_secs
            .clamp(-MAX_SKEW_SECS, MAX_SKEW_SECS)
    }

    pub fn window(&self) -> i64 {
        i64::try_from(self.config.timestamp_window.as_secs()).unwrap_or(i64::MAX)
    }
}

/// The largest clock skew the provider applies (10 years of 365.25 days).
pub(crate) const MAX_SKEW_SECS: i64 = 315_576_000;

/// A poisoned lock only means a handler panicked mid-update; the maps stay usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A random token of `len` letters and digits (about 5.95 bits each).
pub(crate) fn random_token(len: usize) -> String {
    (0..len)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A PIN of `len` digits for out-of-band consent.
pub(crate) fn random_pin(len: usize) -> String {
    (0..len)
        .map(|_| char::from(b'0' + rand::random_range(0..10u8)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_single_use_per_consumer_within_the_window() {
        let mut m = Memory::default();
        assert_eq!(m.remember_nonce("a", "n1", 1000, 1000, 300), Ok(()));
        assert_eq!(
            m.remember_nonce("a", "n1", 1001, 1000, 300),
            Err(NonceRefused::Used)
        );
        assert_eq!(m.remember_nonce("b", "n1", 1000, 1000, 300), Ok(()));
        // Once the first use is outside the window, the memory lets it go.
        assert_eq!(m.remember_nonce("a", "n1", 1400, 1400, 300), Ok(()));
    }

    /// A flood cannot grow the provider without end: nonces stop at MAX_NONCES inside the
    /// window (older ones are let go first), request tokens at MAX_REQUEST_TOKENS (the oldest
    /// goes).
    #[test]
    fn nonces_and_request_tokens_are_bounded() {
        let mut m = Memory::default();
        for i in 0..MAX_NONCES {
            assert_eq!(
                m.remember_nonce("a", &i.to_string(), 1000, 1000, 300),
                Ok(())
            );
        }
        assert_eq!(
            m.remember_nonce("a", "one more", 1000, 1000, 300),
            Err(NonceRefused::Full)
        );
        // Later, the old ones are out of the window: room again.
        assert_eq!(m.remember_nonce("a", "one more", 2000, 2000, 300), Ok(()));
        assert_eq!(m.nonces.len(), 1);

        let start = Instant::now();
        for i in 0..=MAX_REQUEST_TOKENS {
            m.add_request_token(
                format!("t{i}"),
                RequestToken {
                    secret: "s".into(),
                    consumer_key: "a".into(),
                    callback: "oob".into(),
                    issued: start + std::time::Duration::from_millis(i as u64),
                    grant: Grant::Pending { login: None },
                    authorize_params: Vec::new(),
                },
            );
        }
        assert_eq!(m.request_tokens.len(), MAX_REQUEST_TOKENS);
        assert!(!m.request_tokens.contains_key("t0"), "the oldest went");
        assert!(
            m.request_tokens
                .contains_key(&format!("t{MAX_REQUEST_TOKENS}"))
        );
    }

    #[test]
    fn failed_once_fails_each_client_once_and_is_bounded() {
        let mut f = FailedOnce::default();
        assert!(f.first_time("token:a"));
        assert!(!f.first_time("token:a"));
        assert!(f.first_time("token:b"));
        for i in 0..MAX_FAILED_ONCE {
            f.first_time(&format!("flood{i}"));
        }
        assert_eq!(f.failed.len(), MAX_FAILED_ONCE);
        assert_eq!(f.order.len(), MAX_FAILED_ONCE);
        // The oldest were let go: they would fail once more.
        assert!(f.first_time("token:a"));
        assert!(!f.first_time(&format!("flood{}", MAX_FAILED_ONCE - 1)));
    }

    #[test]
    fn tokens_and_pins_have_the_asked_shape() {
        let t = random_token(32);
        assert_eq!(t.len(), 32);
        assert!(t.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(t, random_token(32));
        let p = random_pin(8);
        assert!(p.len() == 8 && p.bytes().all(|b| b.is_ascii_digit()));
    }
}
