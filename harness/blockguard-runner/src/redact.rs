//! The runner's secrets kept out of every output: the value of each of our
//! variables whose name looks like a credential
//! ([`blockguard_rules::looks_like_credential`]) becomes `[redacted: NAME]`
//! in whatever a child says, as it is captured: before it reaches a
//! record, a message, the terminal, a report, a log or the dashboard.
//! Values shorter than [`MIN_SECRET_BYTES`] are left alone: redacting
//! `1` or `true` would garble output and hide nothing.

use blockguard_rules::looks_like_credential;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::sync::OnceLock;

/// The shortest value redacted.
pub const MIN_SECRET_BYTES: usize = 8;

/// One value to redact and what replaces it.
#[derive(Debug, Clone)]
struct Secret {
    value: Vec<u8>,
    marker: Vec<u8>,
}

/// The values to redact.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    /// Longest first, so a secret that starts another is not matched
    /// in its place.
    found: Vec<Secret>,
}

impl Secrets {
    /// The secrets among `vars`.
    pub fn of(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Secrets {
        let mut found: Vec<Secret> = vars
            .into_iter()
            .filter_map(|(name, value)| {
                let name = name.into_string().ok()?;
                let value = value.into_vec();
                (looks_like_credential(&name) && value.len() >= MIN_SECRET_BYTES).then(|| Secret {
                    value,
                    marker: format!("[redacted: {name}]").into_bytes(),
                })
            })
            .collect();
        found.sort_by(|a, b| {
            (b.value.len(), &a.value, &a.marker).cmp(&(a.value.len(), &b.value, &b.marker))
        });
        found.dedup_by(|a, b| a.value == b.value);
        Secrets { found }
    }

    /// The runner's own, read once.
    pub fn of_runner() -> &'static Secrets {
        static RUNNER: OnceLock<Secrets> = OnceLock::new();
        RUNNER.get_or_init(|| Secrets::of(std::env::vars_os()))
    }

    /// `bytes` with every secret replaced.
    pub fn redact(&self, bytes: &[u8]) -> Vec<u8> {
        self.scan(bytes, false).0
    }

    /// `text` with every secret replaced.
    pub fn redact_text(&self, text: &str) -> String {
        let out = self.redact(text.as_bytes());
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// A stream to redact as it comes, in pieces a secret may straddle.
    pub fn stream(&self) -> Redacting<'_> {
        Redacting {
            secrets: self,
            held: Vec::new(),
        }
    }

    /// `bytes` with every whole secret replaced, and how many of them that
    /// covers: with `more_to_come`, it stops where what is left may be the
    /// start of a secret.
    fn scan(&self, bytes: &[u8], more_to_come: bool) -> (Vec<u8>, usize) {
        if self.found.is_empty() {
            return (bytes.to_vec(), bytes.len());
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut at = 0;
        while at < bytes.len() {
            let rest = &bytes[at..];
            if let Some(secret) = self.found.iter().find(|s| rest.starts_with(&s.value)) {
                out.extend_from_slice(&secret.marker);
                at += secret.value.len();
            } else if more_to_come && self.found.iter().any(|s| s.value.starts_with(rest)) {
                break;
            } else {
                out.push(bytes[at]);
                at += 1;
            }
        }
        (out, at)
    }
}

/// A stream being redacted: what may be a secret's start is held back
/// until the rest comes or the stream ends.
pub struct Redacting<'a> {
    secrets: &'a Secrets,
    held: Vec<u8>,
}

impl Redacting<'_> {
    /// The next piece: what of it, and of what was held, can be passed on.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.held.extend_from_slice(bytes);
        let (out, done) = self.secrets.scan(&self.held, true);
        self.held.drain(..done);
        out
    }

    /// The stream ended: what was held, redacted.
    pub fn finish(self) -> Vec<u8> {
        self.secrets.redact(&self.held)
    }
}

/// `text` with the runner's secrets replaced.
pub fn redacted(text: &str) -> String {
    Secrets::of_runner().redact_text(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "bg-fake-secret-0123456789";

    fn secrets() -> Secrets {
        Secrets::of(
            [
                ("CARGO_REGISTRY_TOKEN", TOKEN),
                ("GITHUB_TOKEN", "ghp_abcdefgh"),
                // The same value under a second name is redacted once.
                ("GH_TOKEN", "ghp_abcdefgh"),
                // Too short to be worth hiding, and not a credential.
                ("CI_JOB_TOKEN", "true"),
                ("HOME", "/home/ci-user"),
            ]
            .map(|(k, v)| (k.into(), v.into())),
        )
    }

    #[test]
    fn credential_values_are_replaced_by_their_names() {
        let text = format!("token={TOKEN} gh=ghp_abcdefgh ci=true home=/home/ci-user");
        assert_eq!(
            secrets().redact_text(&text),
            "token=[redacted: CARGO_REGISTRY_TOKEN] gh=[redacted: GH_TOKEN] ci=true home=/home/ci-user"
        );
    }

    #[test]
    fn a_secret_split_across_reads_is_still_redacted() {
        let secrets = secrets();
        let text = format!("a {TOKEN} b {TOKEN}\n");
        // Every way of cutting the text in two.
        for cut in 0..text.len() {
            let mut stream = secrets.stream();
            let mut out = stream.push(&text.as_bytes()[..cut]);
            out.extend(stream.push(&text.as_bytes()[cut..]));
            out.extend(stream.finish());
            assert_eq!(
                String::from_utf8(out).unwrap(),
                "a [redacted: CARGO_REGISTRY_TOKEN] b [redacted: CARGO_REGISTRY_TOKEN]\n",
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn a_secrets_start_at_the_end_is_passed_on_when_the_stream_ends() {
        let secrets = secrets();
        let mut stream = secrets.stream();
        let mut out = stream.push(b"ends with bg-fake");
        assert_eq!(out, b"ends with ");
        out.extend(stream.finish());
        assert_eq!(out, b"ends with bg-fake");
    }

    #[test]
    fn without_secrets_output_is_untouched() {
        let none = Secrets::default();
        assert_eq!(none.redact_text("anything at all"), "anything at all");
        assert_eq!(none.stream().push(b"bg-fake"), b"bg-fake");
    }
}
