//! What a Signet program does first: the files it creates are the user's alone (umask 077:
//! the database, exports, the link socket), and a release build leaves no core dump behind (a
//! dump would hold the secrets in memory).

/// Applies both to this process. Call it before anything creates a file.
pub fn harden() {
    #[cfg(unix)]
    {
        rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
        #[cfg(not(debug_assertions))]
        {
            let none = rustix::process::Rlimit {
                current: Some(0),
                maximum: Some(0),
            };
            // A limit the system refuses to lower leaves dumps as they were: not worth failing on.
            let _ = rustix::process::setrlimit(rustix::process::Resource::Core, none);
        }
    }
}

/// Whether the process at the other end of a local socket runs as this user (Linux:
/// `SO_PEERCRED`). `false` when it cannot be told.
#[cfg(unix)]
pub fn peer_is_this_user(stream: &std::os::unix::net::UnixStream) -> bool {
    rustix::net::sockopt::socket_peercred(stream)
        .is_ok_and(|cred| cred.uid == rustix::process::getuid())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn files_made_after_hardening_are_private_and_a_local_peer_is_this_user() {
        harden();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        assert!(peer_is_this_user(&a));
    }
}
