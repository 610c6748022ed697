//! A SARIF 2.1.0 log of the findings (`--sarif FILE`), for GitHub code
//! scanning and other SARIF viewers: one result per finding, a rule per
//! class (`blocking/sleep`, …), `error` for denied calls and `warning` in
//! audit mode, the site's file and line as the location (relative to the
//! root, `uriBaseId` `SRCROOT`), and the chain as a code flow.
//!
//! GitHub shows a result only at a file: a site without one is placed at
//! its package's `Cargo.toml`, and its message says so.

use super::explain;
use super::finding::{Finding, Severity, findings};
use super::site_name;
use super::source_line;
use super::sources::Sources;
use super::text;
use crate::schema::Report;
use blockguard_protocol::Class;
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, CodeFlow, Location, LogicalLocation, Message,
    MultiformatMessageString, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, ThreadFlow,
    ThreadFlowLocation, Tool, ToolComponent,
};
use std::collections::BTreeMap;
use std::path::Path;

/// The base id every relative `uri` is relative to: the root.
pub const SRCROOT: &str = "SRCROOT";

/// Where the schema is.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The log of `report`'s findings.
pub fn sarif(report: &Report, sources: &Sources) -> Sarif {
    let results: Vec<SarifResult> = findings(report)
        .iter()
        .map(|f| result(f, sources))
        .collect();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver()).build())
        .original_uri_base_ids(BTreeMap::from([(
            SRCROOT.to_owned(),
            ArtifactLocation::builder()
                .uri(format!("{}/", file_uri(sources.root())))
                .build(),
        )]))
        .column_kind("unicodeCodePoints")
        .results(results)
        .build();
    Sarif::builder()
        .schema(SCHEMA)
        .version("2.1.0")
        .runs(vec![run])
        .build()
}

/// blockguard, with a rule per class.
fn driver() -> ToolComponent {
    let rules = Class::ALL
        .iter()
        .map(|&class| {
            ReportingDescriptor::builder()
                .id(rule_id(class))
                .name(format!("Blocking{}", capitalised(class.as_str())))
                .short_description(message_string(explain::short(class)))
                .full_description(message_string(&explain::full(class)))
                .help(message_string(&explain::full(class)))
                .default_configuration(ReportingConfiguration::builder().level("error").build())
                .properties(
                    PropertyBag::builder()
                        .tags(vec!["blocking".to_owned(), class.as_str().to_owned()])
                        .build(),
                )
                .build()
        })
        .collect::<Vec<_>>();
    ToolComponent::builder()
        .name("blockguard")
        .full_name(format!("blockguard {}", env!("CARGO_PKG_VERSION")))
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/blockguard/blockguard")
        .rules(rules)
        .build()
}

fn result(f: &Finding<'_>, sources: &Sources) -> SarifResult {
    let class = f.event.class;
    let located = site_location(f, sources);
    let mut message = format!("{}: {}.", text::title(f), text::label(f));
    if located.is_none() {
        message.push_str(" (The site's file is not known: no line table in its debug info.)");
    }
    for note in text::notes(f) {
        message.push_str(&format!("\nnote: {note}"));
    }
    message.push_str(&format!("\nhelp: {}", text::help(f, sources).join("\n")));
    let physical = located
        .clone()
        .or_else(|| manifest_location(f, sources))
        .unwrap_or_else(|| {
            // Nothing is known of where the package is: its name stands in.
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(percent_encode(&f.test.key.package))
                        .uri_base_id(SRCROOT)
                        .build(),
                )
                .build()
        });
    let location = Location::builder()
        .physical_location(physical)
        .logical_locations(vec![logical(&f.event.site)])
        .build();
    SarifResult::builder()
        .rule_id(rule_id(class))
        .rule_index(Class::ALL.iter().position(|&c| c == class).unwrap_or(0) as i64)
        .level(match f.severity {
            Severity::Error => ResultLevel::Error,
            Severity::Warning => ResultLevel::Warning,
        })
        .message(Message::builder().text(message).build())
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([(
            "blockguardFinding/v1".to_owned(),
            fingerprint(f),
        )]))
        .code_flows(vec![code_flow(f, located)])
        .properties(
            PropertyBag::builder()
                .additional_properties(BTreeMap::from([
                    ("test".to_owned(), f.test.key.to_string().into()),
                    ("package".to_owned(), f.test.key.package.clone().into()),
                    ("call".to_owned(), f.event.call.clone().into()),
                    ("site".to_owned(), f.event.site.clone().into()),
                    ("calls".to_owned(), f.calls.into()),
                ]))
                .build(),
        )
        .build()
}

/// The site's file, line and column, with the source line when it reads.
fn site_location(f: &Finding<'_>, sources: &Sources) -> Option<PhysicalLocation> {
    let e = f.event;
    let path = sources.path_of(&f.test.key.package, e.file.as_deref()?)?;
    let line = e.line?;
    let source = source_line::read(&path, line, e.column);
    let mut region = Region::builder().start_line(i64::from(line)).build();
    match &source {
        Some(source) => {
            let (start, end) = source.columns();
            region.start_column = Some(start as i64);
            region.end_column = Some(end as i64);
            region.snippet = Some(ArtifactContent::builder().text(source.text.clone()).build());
        }
        None => region.start_column = e.column.map(i64::from),
    }
    Some(
        PhysicalLocation::builder()
            .artifact_location(artifact(&path, sources))
            .region(region)
            .build(),
    )
}

/// The package's `Cargo.toml`, where a site without a file is placed.
fn manifest_location(f: &Finding<'_>, sources: &Sources) -> Option<PhysicalLocation> {
    let package = sources.package(&f.test.key.package)?;
    Some(
        PhysicalLocation::builder()
            .artifact_location(artifact(&package.dir.join("Cargo.toml"), sources))
            .region(Region::builder().start_line(1).build())
            .build(),
    )
}

/// `path` relative to the root when inside it, else a `file:` URI.
fn artifact(path: &Path, sources: &Sources) -> ArtifactLocation {
    match sources.relative(path) {
        Some(relative) => ArtifactLocation::builder()
            .uri(percent_encode(&relative))
            .uri_base_id(SRCROOT)
            .build(),
        None => ArtifactLocation::builder().uri(file_uri(path)).build(),
    }
}

/// The way from the site to the call: the chain, else site, API and call;
/// the site's step carries its location.
fn code_flow(f: &Finding<'_>, located: Option<PhysicalLocation>) -> CodeFlow {
    let e = f.event;
    let steps: Vec<String> = match e.chain.is_empty() {
        false => e.chain.clone(),
        true => vec![e.site.clone(), f.vias[0].to_owned(), e.call.clone()],
    };
    let last = steps.len() - 1;
    let mut located = located;
    let locations: Vec<ThreadFlowLocation> = steps
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            let text = match i {
                0 => format!("{} (the site)", site_name::shown(e)),
                _ if i == last => format!("{frame} (the blocking call)"),
                _ => frame.clone(),
            };
            let mut location = Location::builder()
                .message(Message::builder().text(text).build())
                .logical_locations(vec![logical(frame)])
                .build();
            if i == 0 {
                location.physical_location = located.take();
            }
            ThreadFlowLocation::builder()
                .location(location)
                .nesting_level(i as i64)
                .execution_order(i as i64 + 1)
                .build()
        })
        .collect();
    CodeFlow::builder()
        .message(Message::builder().text(text::title(f)).build())
        .thread_flows(vec![ThreadFlow::builder().locations(locations).build()])
        .build()
}

fn logical(frame: &str) -> LogicalLocation {
    LogicalLocation::builder()
        .fully_qualified_name(frame)
        .kind("function")
        .build()
}

fn message_string(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text).build()
}

/// Which finding a result is, from run to run: its test and site, not
/// its line (a site without a file shares its line with every other), as
/// FNV-1a's 64 bits.
fn fingerprint(f: &Finding<'_>) -> String {
    let k = &f.test.key;
    let e = f.event;
    let identity = [
        &k.package,
        &k.binary,
        &k.name,
        &e.call,
        e.class.as_str(),
        &e.site,
    ];
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in identity {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// `blocking/sleep`.
fn rule_id(class: Class) -> String {
    format!("blocking/{class}")
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `file:///abs/path`, percent-encoded.
fn file_uri(path: &Path) -> String {
    format!("file://{}", percent_encode(&path.to_string_lossy()))
}

/// A path as a URI's path: every byte but the unreserved ones and `/`
/// percent-encoded.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::sample::{self, event, located, report, test};
    use blockguard_protocol::{Mode, Verdict};
    use serde_json::{Value, json};

    /// The log of one test's `events`, in a sample workspace of its own.
    fn log(name: &str, mode: Mode, events: Vec<blockguard_protocol::TraceEvent>) -> Value {
        let (root, sources) = sample::workspace(&format!("sarif-{name}"));
        let r = report(mode, vec![test("tests::naps", events)]);
        let log = serde_json::to_value(sarif(&r, &sources)).unwrap();
        sample::remove(&root);
        log
    }

    #[test]
    fn a_located_finding_is_a_result_at_its_line_with_the_chain_as_its_flow() {
        let mut allowed = event("sample::tests::allowed");
        allowed.verdict = Verdict::Allowed;
        let log = log("located", Mode::Check, vec![located(), allowed]);
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), Class::ALL.len());
        assert_eq!(rules[0]["id"], "blocking/sleep");
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 1, "allowed calls are not results");
        let r = &results[0];
        assert_eq!(
            (&r["ruleId"], &r["ruleIndex"], &r["level"]),
            (&json!("blocking/sleep"), &json!(0), &json!("error"))
        );
        let physical = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            physical["artifactLocation"],
            json!({"uri": "sample/src/lib.rs", "uriBaseId": "SRCROOT"})
        );
        assert_eq!(
            (
                &physical["region"]["startLine"],
                &physical["region"]["startColumn"],
                &physical["region"]["endColumn"]
            ),
            (&json!(5), &json!(9), &json!(27))
        );
        let root = run["originalUriBaseIds"]["SRCROOT"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            root.starts_with("file:///") && root.ends_with('/'),
            "{root}"
        );
        let message = r["message"]["text"].as_str().unwrap();
        assert!(
            message.starts_with("clock_nanosleep (sleep) in a microthread, in sample::tests::naps: blocks the thread in sample::tests::naps (2 calls)."),
            "{message}"
        );
        assert!(
            message.contains("within = \"sample::tests::naps\""),
            "{message}"
        );
        let flow = r["codeFlows"][0]["threadFlows"][0]["locations"]
            .as_array()
            .unwrap();
        let frames: Vec<&str> = flow
            .iter()
            .map(|l| {
                l["location"]["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert_eq!(
            frames,
            [
                "sample::tests::naps",
                "std::thread::functions::sleep",
                "clock_nanosleep"
            ]
        );
        assert_eq!(flow[0]["location"]["physicalLocation"], *physical);
    }

    #[test]
    fn audit_mode_warns_and_a_site_without_a_file_is_placed_at_its_manifest() {
        let log = log("audit", Mode::Audit, vec![event("a::b::{{closure}}")]);
        let r = &log["runs"][0]["results"][0];
        assert_eq!(r["level"], "warning");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "sample/Cargo.toml"
        );
        let flow = &r["codeFlows"][0]["threadFlows"][0]["locations"];
        assert_eq!(
            flow[0]["location"]["message"]["text"],
            "a::b::{closure} (the site)"
        );
        assert_eq!(flow.as_array().unwrap().len(), 3);
    }

    /// The SARIF SDK's validator, with GitHub's rules, finds no error in a
    /// log of located and unlocated findings (`.ci/run` installs it).
    #[test]
    fn the_log_passes_the_sarif_validator_with_githubs_rules() {
        let (root, sources) = sample::workspace("sarif-validator");
        let mut closure = located();
        closure.site = "sample::tests::naps::{{closure}}".into();
        closure.column = None;
        let mut outside = event("tokio::runtime::park");
        outside.class = Class::Sync;
        outside.call = "futex_wait".into();
        outside.outside = true;
        let r = report(
            Mode::Check,
            vec![
                test("tests::naps", vec![located(), closure]),
                test("tests::parks", vec![outside]),
            ],
        );
        let path = root.join("blockguard.sarif");
        let text = serde_json::to_string_pretty(&sarif(&r, &sources)).unwrap();
        std::fs::write(&path, text).unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let out = std::process::Command::new("node")
            .arg(repo.join(".ci/sarif/validate.mjs"))
            .arg(&path)
            .output()
            .expect("node runs (the SARIF validator needs it)");
        sample::remove(&root);
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn each_finding_has_a_fingerprint_of_its_own_that_its_line_does_not_change() {
        let mut moved = located();
        moved.line = Some(4);
        let log = log("fingerprints", Mode::Check, vec![located(), event("a::b")]);
        let fingerprints: Vec<&Value> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["partialFingerprints"]["blockguardFinding/v1"])
            .collect();
        assert_ne!(fingerprints[0], fingerprints[1]);
        let again = self::log("moved", Mode::Check, vec![moved]);
        assert_eq!(
            &again["runs"][0]["results"][0]["partialFingerprints"]["blockguardFinding/v1"],
            fingerprints[0]
        );
    }

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(percent_encode("a b/ü#.rs"), "a%20b/%C3%BC%23.rs");
        assert_eq!(file_uri(Path::new("/w s")), "file:///w%20s");
    }
}
