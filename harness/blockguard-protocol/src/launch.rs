//! The launch server: `blockguard-contain --serve-launches --parent PID`,
//! one per run, forks a launcher for each test instead of the runner
//! starting one with `exec` (about 1 ms a test here).
//!
//! Its stdin is a Unix datagram socket. Each datagram is one
//! [`LaunchRequest`] with three descriptors ([`SENT_FDS`]): a stream
//! socket for the answer, and the test's stdout and stderr. The forked
//! launcher writes its pid on the answer socket (4 bytes, little-endian),
//! then, when the test is over, the test's wait status as `waitpid` gives
//! it (4 bytes). An answer socket that ends without a status means the
//! launcher was killed (SIGKILL). The server ends with its stdin.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

/// The launch server's flag.
pub const SERVE_LAUNCHES_ARG: &str = "--serve-launches";

/// Descriptors sent with each request: answer socket, stdout, stderr.
pub const SENT_FDS: usize = 3;

/// One test to launch: the launcher's own arguments (as on its command
/// line), its working directory and its whole environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaunchRequest {
    /// The working directory.
    pub cwd: PathBuf,
    /// Every variable, in order.
    pub env: Vec<(OsString, OsString)>,
    /// `blockguard-contain`'s arguments, `-- EXE ARGS…` included.
    pub argv: Vec<OsString>,
}

impl LaunchRequest {
    /// NUL-terminated fields: the directory, the number of variables,
    /// each `NAME=VALUE`, then the arguments. None of them can hold a NUL.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut field = |bytes: &[u8]| {
            out.extend_from_slice(bytes);
            out.push(0);
        };
        field(self.cwd.as_os_str().as_bytes());
        field(self.env.len().to_string().as_bytes());
        for (name, value) in &self.env {
            field(&[name.as_bytes(), b"=", value.as_bytes()].concat());
        }
        for arg in &self.argv {
            field(arg.as_bytes());
        }
        out
    }

    /// Reads [`LaunchRequest::encode`] back; `None` if malformed.
    pub fn decode(bytes: &[u8]) -> Option<LaunchRequest> {
        let mut fields = bytes.strip_suffix(&[0])?.split(|&b| b == 0);
        let cwd = PathBuf::from(OsString::from_vec(fields.next()?.to_vec()));
        let count: usize = std::str::from_utf8(fields.next()?).ok()?.parse().ok()?;
        let mut env = Vec::with_capacity(count.min(4096));
        for _ in 0..count {
            let entry = fields.next()?;
            let eq = entry.iter().position(|&b| b == b'=')?;
            env.push((
                OsString::from_vec(entry[..eq].to_vec()),
                OsString::from_vec(entry[eq + 1..].to_vec()),
            ));
        }
        let argv = fields.map(|a| OsString::from_vec(a.to_vec())).collect();
        Some(LaunchRequest { cwd, env, argv })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_round_trips_with_empty_values_and_equals_signs() {
        let request = LaunchRequest {
            cwd: "/some dir".into(),
            env: vec![
                ("A".into(), "".into()),
                ("B".into(), "x=y".into()),
                ("PATH".into(), "/bin:/usr/bin".into()),
            ],
            argv: vec![
                "--parent".into(),
                "7".into(),
                "--".into(),
                "exe".into(),
                "".into(),
            ],
        };
        assert_eq!(LaunchRequest::decode(&request.encode()), Some(request));
    }

    #[test]
    fn a_malformed_request_is_none() {
        assert_eq!(LaunchRequest::decode(b""), None);
        assert_eq!(LaunchRequest::decode(b"/\0x\0"), None);
        assert_eq!(LaunchRequest::decode(b"/\x002\0A=1\0"), None);
        assert_eq!(LaunchRequest::decode(b"/\x001\0NOEQUALS\0"), None);
        assert_eq!(LaunchRequest::decode(b"/\x000"), None);
    }
}
