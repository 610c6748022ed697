//! The launcher, `blockguard-contain`, driven as the runner drives it:
//! one holder per run makes the run's PID namespace (`--hold-pids`), and
//! each test's launcher joins it (`--join-pids`). Tests side by side get
//! pids of their own; nothing a test starts outlives it: what it leaves
//! is named and killed by its reaper, what a killed reaper leaves is
//! killed by the run's init, and everything goes with the holder. As the
//! current user and, for root, as an unprivileged one too (`setpriv`),
//! whose namespaces live in a user namespace of its own.

use blockguard_protocol::contain::{HOLD_PIDS_ARG, JOIN_PIDS_ARG, PARENT_ARG, STATUS_ARG, Status};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::time::{Duration, Instant};

const LAUNCHER: &str = env!("CARGO_BIN_EXE_blockguard-contain");

/// The unprivileged user root also runs each case as.
const NOBODY: u32 = 65534;

/// Who runs a case: us, or (when we are root) `nobody` through `setpriv`.
#[derive(Clone, Copy, Debug)]
enum User {
    Us,
    Nobody,
}

/// The users to run each case as: `nobody` too where we are root and
/// `setpriv` can start the launcher as it.
fn users() -> Vec<User> {
    // /proc/self belongs to our effective user.
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let nobody_can = root
        && Command::new("setpriv")
            .args(reuid(NOBODY))
            .args(["test", "-x", LAUNCHER])
            .status()
            .is_ok_and(|s| s.success());
    if root && !nobody_can {
        eprintln!("contain: setpriv cannot start the launcher as nobody; only as root");
    }
    let mut users = vec![User::Us];
    if nobody_can {
        users.push(User::Nobody);
    }
    users
}

fn reuid(uid: u32) -> [String; 3] {
    [
        format!("--reuid={uid}"),
        format!("--regid={uid}"),
        "--clear-groups".to_owned(),
    ]
}

/// `LAUNCHER ARGS…` as `user`.
fn launcher(user: User, args: &[&str]) -> Command {
    let mut cmd = match user {
        User::Us => Command::new(LAUNCHER),
        User::Nobody => {
            let mut cmd = Command::new("setpriv");
            cmd.args(reuid(NOBODY)).arg(LAUNCHER);
            cmd
        }
    };
    cmd.args(args);
    cmd
}

/// A folder anyone may write, for the launchers' status files.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("contain-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

/// A run's PID namespace, held until dropped (or [`Holder::end`]).
struct Holder {
    child: Child,
    stdin: Option<ChildStdin>,
    pid: String,
}

impl Holder {
    fn start(user: User) -> Holder {
        let mut child = launcher(user, &[HOLD_PIDS_ARG])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the holder starts");
        let mut pid = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut pid)
            .unwrap();
        let pid = pid.trim().to_owned();
        assert!(pid.parse::<u32>().is_ok(), "the holder said {pid:?}");
        Holder {
            stdin: child.stdin.take(),
            child,
            pid,
        }
    }

    /// Closes its stdin, as a runner that ends (or dies) does.
    fn end(&mut self) {
        drop(self.stdin.take());
        self.child.wait().unwrap();
    }

    /// `sh -c SCRIPT` under a launcher that joins the namespace, in a
    /// process group of its own as the runner starts it.
    fn launch(&self, user: User, status: &Path, script: &str) -> Command {
        let parent = std::process::id().to_string();
        let status = status.to_str().unwrap();
        let mut cmd = launcher(
            user,
            &[
                STATUS_ARG,
                status,
                JOIN_PIDS_ARG,
                &self.pid,
                PARENT_ARG,
                &parent,
                "--",
                "sh",
                "-c",
                script,
            ],
        );
        cmd.process_group(0);
        cmd
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        if self.stdin.is_some() {
            self.end();
        }
    }
}

/// Processes whose whole command line is `sleep SECONDS`.
fn sleeping(seconds: &str) -> usize {
    let want = format!("sleep\0{seconds}\0");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|c| c == want.as_bytes())
        .count()
}

/// Waits up to `limit` for `done`.
fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    done()
}

fn shown(out: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn status(path: &Path) -> Option<Status> {
    Status::parse(&std::fs::read_to_string(path).ok()?)
}

#[test]
fn tests_side_by_side_each_see_a_pid_of_their_own_that_their_proc_agrees_with() {
    for user in users() {
        let dir = scratch(&format!("pids-{user:?}"));
        let holder = Holder::start(user);
        // `cut` reads its own /proc/self/stat: its parent is the shell,
        // whose pid the shell knows as $$, only if /proc is the
        // namespace's.
        let script = "sleep 0.3; echo $$ $(cut -d' ' -f4 /proc/self/stat)";
        let tests: Vec<Child> = (0..3)
            .map(|i| {
                holder
                    .launch(user, &dir.join(format!("{i}.status")), script)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut pids: Vec<String> = tests
            .into_iter()
            .map(|t| {
                let out = t.wait_with_output().unwrap();
                assert!(out.status.success(), "{user:?}: {}", shown(&out));
                let text = String::from_utf8_lossy(&out.stdout).into_owned();
                let (pid, seen) = text.trim().split_once(' ').unwrap();
                assert_eq!(pid, seen, "{user:?}: getpid and /proc disagree");
                pid.to_owned()
            })
            .collect();
        pids.sort();
        pids.dedup();
        assert_eq!(pids.len(), 3, "{user:?}: {pids:?}");
    }
}

#[test]
fn what_a_test_leaves_behind_is_named_and_killed_when_it_exits() {
    for user in users() {
        let dir = scratch(&format!("leak-{user:?}"));
        let holder = Holder::start(user);
        let file = dir.join("leak.status");
        // A daemon in a session of its own, and an orphan of a subshell.
        let out = holder
            .launch(
                user,
                &file,
                "setsid sleep 1234.001 & (sleep 1234.002 &); echo started",
            )
            .output()
            .unwrap();
        assert!(out.status.success(), "{user:?}: {}", shown(&out));
        let leaked = status(&file).map(|s| s.leaked).unwrap_or_default();
        for mark in ["1234.001", "1234.002"] {
            assert!(
                leaked
                    .iter()
                    .any(|l| l.ends_with(&format!(": sleep {mark}"))),
                "{user:?}: {leaked:?}"
            );
            assert_eq!(
                sleeping(mark),
                0,
                "{user:?}: sleep {mark} outlived its test"
            );
        }
    }
}

#[test]
fn what_a_killed_reaper_leaves_the_runs_init_kills() {
    for user in users() {
        let dir = scratch(&format!("killed-{user:?}"));
        let holder = Holder::start(user);
        // A test that outlives its timeout and ignores SIGTERM: the runner
        // kills its launcher's group, the reaper with it.
        let mut test = holder
            .launch(
                user,
                &dir.join("killed.status"),
                "trap '' TERM; setsid sleep 1234.003 & sleep 1234.004",
            )
            .spawn()
            .unwrap();
        assert!(
            eventually(Duration::from_secs(10), || sleeping("1234.003") == 1
                && sleeping("1234.004") == 1),
            "{user:?}: the test never started"
        );
        let group = format!("-{}", test.id());
        let killed = Command::new("kill").args(["-KILL", "--", &group]).status();
        assert!(killed.is_ok_and(|s| s.success()), "{user:?}: kill {group}");
        test.wait().unwrap();
        assert!(
            eventually(Duration::from_secs(2), || sleeping("1234.003") == 0
                && sleeping("1234.004") == 0),
            "{user:?}: the test or its daemon outlived its reaper"
        );
        drop(holder);
    }
}

#[test]
fn when_the_holder_ends_so_does_everything_in_the_namespace() {
    for user in users() {
        let dir = scratch(&format!("end-{user:?}"));
        let mut holder = Holder::start(user);
        let mut test = holder
            .launch(
                user,
                &dir.join("end.status"),
                "setsid sleep 1234.005 & sleep 1234.006",
            )
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        assert!(
            eventually(Duration::from_secs(10), || sleeping("1234.005") == 1
                && sleeping("1234.006") == 1),
            "{user:?}: the test never started"
        );
        holder.end();
        assert!(
            eventually(Duration::from_secs(2), || sleeping("1234.005") == 0
                && sleeping("1234.006") == 0),
            "{user:?}: the test or its daemon outlived the run's namespace"
        );
        test.wait().unwrap();
    }
}

#[test]
fn a_launcher_with_no_namespace_to_join_makes_one_of_its_own() {
    for user in users() {
        let dir = scratch(&format!("alone-{user:?}"));
        let status = dir.join("alone.status");
        let parent = std::process::id().to_string();
        let out = launcher(
            user,
            &[
                STATUS_ARG,
                status.to_str().unwrap(),
                PARENT_ARG,
                &parent,
                "--",
                "sh",
                "-c",
                "echo $$ $PPID",
            ],
        )
        .output()
        .unwrap();
        assert!(out.status.success(), "{user:?}: {}", shown(&out));
        // Its reaper is PID 1 there.
        assert_eq!(String::from_utf8_lossy(&out.stdout), "2 1\n", "{user:?}");
    }
}

/// Where the kernel allows no namespace (here: a user namespace with no
/// capabilities that may hold no user namespace of its own), the holder
/// says why, and a launcher runs the test as it is, saying why in its
/// status.
#[test]
fn where_no_namespace_can_be_made_the_test_runs_uncontained_and_the_status_says_why() {
    let unshare = Command::new("unshare")
        .args(["--user", "--map-root-user", "true"])
        .status();
    if !unshare.is_ok_and(|s| s.success()) {
        eprintln!("contain: `unshare --user` is refused here");
        return;
    }
    let dir = scratch("refused");
    let refused = |args: &[&str]| {
        Command::new("unshare")
            .args(["--user", "--map-root-user", "--", "sh", "-c"])
            .arg(
                "echo 0 > /proc/sys/user/max_user_namespaces && \
                 exec setpriv --bounding-set=-all --inh-caps=-all \"$@\"",
            )
            .arg("sh")
            .arg(LAUNCHER)
            .args(args)
            .output()
            .unwrap()
    };
    let holder = refused(&[HOLD_PIDS_ARG]);
    assert_eq!(holder.status.code(), Some(1), "{}", shown(&holder));
    assert!(
        String::from_utf8_lossy(&holder.stderr)
            .contains("the run's PID namespace: no PID namespace"),
        "{}",
        shown(&holder)
    );
    let file = dir.join("refused.status");
    let parent = std::process::id().to_string();
    let out = refused(&[
        STATUS_ARG,
        file.to_str().unwrap(),
        PARENT_ARG,
        &parent,
        "--",
        "sh",
        "-c",
        "echo $$",
    ]);
    assert!(out.status.success(), "{}", shown(&out));
    let status = status(&file).expect("a status");
    assert!(!status.contained, "{status:?}");
    assert!(
        status
            .why
            .as_deref()
            .is_some_and(|w| w.contains("no PID namespace")),
        "{status:?}"
    );
    // Not PID 2 of a namespace: the pid it has on the host.
    assert_ne!(String::from_utf8_lossy(&out.stdout).trim(), "2");
}
