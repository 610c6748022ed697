//! Which environment variables hold credentials, judged by their names
//! alone. A sandboxed suite is never given one (a suite file that asks
//! for one is refused), and the runner redacts their values from every
//! output. The judgement errs towards "credential": wrongly calling a
//! variable one only keeps it from a sandboxed test.

/// Fragments that make a name a credential's wherever they appear
/// (`GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `NPM_APIKEY`).
const ANYWHERE: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "CREDENTIAL",
    "COOKIE",
    "SESSION",
    "PRIVATE",
    "APIKEY",
    "API_KEY",
    "ACCESS_KEY",
    // A Slack or Discord webhook's URL is its own credential.
    "WEBHOOK",
];

/// Words (between `_`s) that make a name a credential's: `AUTH` only as a
/// word's start, so `AUTHORIZATION` counts but `GIT_AUTHOR_NAME` and
/// `XAUTHORITY` do not; `PASS` only whole (`SMTP_PASS`, not `PASSENGER`).
fn credential_word(word: &str) -> bool {
    (word.starts_with("AUTH") && !matches!(word, "AUTHOR" | "AUTHORS")) || word == "PASS"
}

/// Whether the variable `name` looks like it holds a credential
/// (case-insensitively): see [`ANYWHERE`], [`credential_word`], and a
/// name that is or ends in `KEY` (`SIGNING_KEY`).
pub fn looks_like_credential(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    ANYWHERE.iter().any(|fragment| name.contains(fragment))
        || name.split('_').any(credential_word)
        || name == "KEY"
        || name.ends_with("_KEY")
}

#[cfg(test)]
mod tests {
    use super::looks_like_credential;

    #[test]
    fn credentials_are_known_by_their_names() {
        for name in [
            "CARGO_REGISTRY_TOKEN",
            "CARGO_REGISTRIES_MY_REGISTRY_TOKEN",
            "CARGO_REGISTRY_CREDENTIAL_PROVIDER",
            "GITHUB_TOKEN",
            "GH_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "AWS_SESSION_TOKEN",
            "OPENAI_API_KEY",
            "NPM_APIKEY",
            "DOCKER_PASSWORD",
            "PGPASSWD",
            "GPG_PASSPHRASE",
            "GPG_PRIVATE_KEY",
            "SIGNING_KEY",
            "KEY",
            "SMTP_PASS",
            "NPM_CONFIG__AUTH",
            "PROXY_AUTHORIZATION",
            "SSH_AUTH_SOCK",
            "SESSION_COOKIE",
            "SLACK_WEBHOOK_URL",
            "github_token",
        ] {
            assert!(looks_like_credential(name), "{name}");
        }
    }

    #[test]
    fn settings_are_not_credentials() {
        for name in [
            "PATH",
            "HOME",
            "PWD",
            "RUST_BACKTRACE",
            "CARGO_HOME",
            "CARGO_TERM_COLOR",
            "CARGO_BUILD_JOBS",
            "GIT_AUTHOR_NAME",
            "CARGO_PKG_AUTHORS",
            "XAUTHORITY",
            "KEYBOARD_LAYOUT",
            "MONKEY",
            "PASSENGER_COUNT",
        ] {
            assert!(!looks_like_credential(name), "{name}");
        }
    }
}
