//! The dashboard's page in headless Chromium, driven through WebDriver
//! (chromedriver, with the fantoccini client) during a real nightly of two
//! suites, `fixtures/live` first: it loads without console errors, the
//! second suite's rows arrive without a reload (they cannot exist before
//! the first suite's gate opens), a site filters the tests, and a test's
//! detail shows the stack. Screenshots are kept in
//! `target/tmp/dashboard-artifacts/`.

use crate::live_client::dashboard_address;
use crate::support::root;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Where the screenshots go.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What the browser saw.
#[derive(Debug, Default)]
struct Seen {
    /// The second suite's rows when the first one's gate test ran, and
    /// once the run was done.
    second_suite_rows_before: usize,
    second_suite_rows_after: usize,
    /// The page was never reloaded meanwhile (a marker set at load stayed).
    same_document: bool,
    /// Tests shown after clicking `naps_ten_times`'s site.
    shown_for_site: Vec<String>,
    /// Tests shown after clearing that filter, and the run's tests.
    shown_after_clear: usize,
    tests_in_run: usize,
    /// The detail's stack frames for `naps_ten_times`.
    stack: Vec<String>,
    /// The browser's console: every entry at warning level or worse.
    console_problems: Vec<String>,
}

/// chromedriver on a free port, with its address.
fn chromedriver() -> (Child, String) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (Debian: chromium-driver)");
    let url = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver never listened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, url)
}

/// The browser log, through chromedriver's log endpoint.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

async fn shown_tests(client: &Client) -> Vec<String> {
    let mut names = Vec::new();
    for row in client.find_all(Locator::Css("tr.test")).await.unwrap() {
        if row.is_displayed().await.unwrap_or(false) {
            names.push(row.text().await.unwrap());
        }
    }
    names
}

/// Waits until the page has drawn what the last input changed: it draws
/// in an animation frame, so two frames later the DOM is up to date.
async fn after_next_frame(client: &Client) {
    client
        .execute_async(
            "const done = arguments[arguments.length - 1];\n\
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await
        .unwrap();
}

async fn wait_until<F, Fut>(what: &str, mut ready: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !ready().await {
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "the page never showed {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Rows of the second suite's tests (`compatible`'s).
async fn second_suite_rows(client: &Client) -> usize {
    let mut n = 0;
    for row in client.find_all(Locator::Css("tr.test")).await.unwrap() {
        if row.text().await.unwrap().contains("compatible") {
            n += 1;
        }
    }
    n
}

async fn drive(client: &Client, addr: &str, gate: &Path) -> Seen {
    let mut seen = Seen::default();
    client.goto(&format!("http://{addr}/")).await.unwrap();
    client
        .wait()
        .for_element(Locator::Css("#tests tbody"))
        .await
        .unwrap();
    client
        .execute("window.__blockguardMarker = 42;", vec![])
        .await
        .unwrap();
    wait_until("the gate test running", || async {
        let rows = client
            .find_all(Locator::Css("tr.test[data-state=\"running\"]"))
            .await
            .unwrap();
        for row in rows {
            if row.text().await.unwrap().contains("waits_for_the_gate") {
                return true;
            }
        }
        false
    })
    .await;
    seen.second_suite_rows_before = second_suite_rows(client).await;
    let running = client.screenshot().await.unwrap();
    std::fs::write(artifacts().join("dashboard-running.png"), running).unwrap();
    std::fs::write(gate, "open").unwrap();
    let run = crate::live_client::wait_for(addr, "the nightly done", |run| run["done"] == true);
    seen.tests_in_run = run["tests"].as_array().unwrap().len();
    let all = seen.tests_in_run;
    wait_until("every test finished", || async {
        let finished = client
            .find_all(Locator::Css("tr.test[data-state=\"finished\"]"))
            .await
            .unwrap();
        finished.len() == all
    })
    .await;
    seen.second_suite_rows_after = second_suite_rows(client).await;
    seen.same_document = client
        .execute("return window.__blockguardMarker;", vec![])
        .await
        .unwrap()
        == json!(42);

    // A site: the tests that made it, and only those.
    let sites = client.find_all(Locator::Css(".site")).await.unwrap();
    let mut naps_site = None;
    for site in sites {
        if site.text().await.unwrap().contains("naps_ten_times") {
            naps_site = Some(site);
            break;
        }
    }
    naps_site
        .expect("the naps' site is listed")
        .click()
        .await
        .unwrap();
    after_next_frame(client).await;
    seen.shown_for_site = shown_tests(client).await;
    client
        .find(Locator::Id("clear-site-filter"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    after_next_frame(client).await;
    seen.shown_after_clear = shown_tests(client).await.len();

    // A test's detail: its first-seen stack.
    for row in client.find_all(Locator::Css("tr.test")).await.unwrap() {
        if row.text().await.unwrap().contains("naps_ten_times") {
            row.click().await.unwrap();
            break;
        }
    }
    client
        .wait()
        .for_element(Locator::Css("#detail ol.stack li"))
        .await
        .unwrap();
    for frame in client
        .find_all(Locator::Css("#detail ol.stack li"))
        .await
        .unwrap()
    {
        seen.stack.push(frame.text().await.unwrap());
    }
    let detail = client.screenshot().await.unwrap();
    std::fs::write(artifacts().join("dashboard-detail.png"), detail).unwrap();

    let log = client.issue_cmd(BrowserLog).await.unwrap();
    seen.console_problems = log
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| matches!(e["level"].as_str(), Some("SEVERE" | "WARNING")))
        .map(Value::to_string)
        .collect();
    seen
}

fn seen() -> &'static Seen {
    static SEEN: OnceLock<Seen> = OnceLock::new();
    SEEN.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-browser");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let gate = dir.join("gate");
        // Two suites, run in name order: the live fixture, then another.
        let suites = dir.join("suites");
        std::fs::create_dir_all(&suites).unwrap();
        for (name, path) in [("a-live", "fixtures/live"), ("b-compatible", "fixtures/nightly/crates/compatible")] {
            let text = format!("[suite]\npath = {:?}\ntimeout = \"60s\"\n", root().join(path));
            std::fs::write(suites.join(format!("{name}.toml")), text).unwrap();
        }
        let (mut driver, webdriver) = chromedriver();
        let mut run = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["nightly", "--serve", "127.0.0.1:0", "-j", "2", "--date", "2026-01-02"])
            .arg("--suites-dir")
            .arg(&suites)
            .arg("--out")
            .arg(dir.join("report"))
            .current_dir(root())
            .env("BLOCKGUARD_SNAPSHOTS", dir.join("snapshots"))
            .env("LIVE_GATE", &gate)
            .env_remove("INSTA_UPDATE")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (addr, _) = dashboard_address(&mut run);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let seen = runtime.block_on(async {
            let mut caps = serde_json::Map::new();
            caps.insert(
                "goog:chromeOptions".into(),
                json!({
                    "binary": "/usr/bin/chromium",
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800"],
                }),
            );
            caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
            let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps)
                .connect(&webdriver)
                .await
                .expect("a browser session");
            let seen = drive(&client, &addr, &gate).await;
            let _ = client.close().await;
            seen
        });
        let _ = driver.kill();
        let _ = driver.wait();
        rustix::process::kill_process(rustix::process::Pid::from_child(&run), rustix::process::Signal::INT)
            .unwrap();
        let _ = wait_timeout::ChildExt::wait_timeout(&mut run, Duration::from_secs(20));
        seen
    })
}

#[test]
fn the_page_loads_with_no_console_errors() {
    assert_eq!(seen().console_problems, Vec::<String>::new());
}

#[test]
fn a_test_row_appears_while_the_run_goes_on_without_a_reload() {
    let seen = seen();
    assert_eq!(seen.second_suite_rows_before, 0);
    assert!(seen.second_suite_rows_after > 0);
    assert!(seen.same_document, "the page was reloaded");
}

#[test]
fn clicking_a_site_filters_the_tests_to_those_that_made_it() {
    let seen = seen();
    assert_eq!(seen.shown_for_site.len(), 1, "{:?}", seen.shown_for_site);
    assert!(seen.shown_for_site[0].contains("naps_ten_times"));
    assert_eq!(seen.shown_after_clear, seen.tests_in_run);
}

#[test]
fn the_test_detail_shows_the_first_seen_stack() {
    let stack = &seen().stack;
    assert!(
        stack.iter().any(|f| f == "live::tests::naps_ten_times"),
        "{stack:?}"
    );
    assert!(stack.iter().any(|f| f.contains("std::thread")), "{stack:?}");
}
