//! The free disk space where the tests build. A run that fills the disk
//! fails deep inside some compile with "No space left on device"; this says
//! so before the first build.

use std::io;
use std::path::Path;

/// What one full run writes from an empty target folder: the checkout with
/// its `target/` peaked at 10.8 GiB (8.4 GiB without incremental state, as
/// CI builds), and cargo's home took about 2 GiB more for the crates it
/// fetched.
pub const RUN_NEEDS: u64 = 13 << 30;

/// Bytes free to an unprivileged writer on the file system of `path`, or
/// of its nearest folder that exists (a fresh checkout has no `target/`).
pub fn free_bytes(path: &Path) -> io::Result<u64> {
    let existing = path
        .ancestors()
        .find(|p| p.exists())
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no folder of it exists"))?;
    let stat = rustix::fs::statvfs(existing)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// What to say about `free` bytes at `place`: a warning when it is less
/// than a full run needs.
pub fn said(free: u64, place: &Path) -> String {
    if free < RUN_NEEDS {
        format!(
            "warning: {} free on the disk of {}; a full run of the tests from an \
             empty target folder writes about {} (with cargo's home), and stops \
             with \"No space left on device\" when it runs out",
            gib(free),
            place.display(),
            gib(RUN_NEEDS),
        )
    } else {
        format!("{} free on the disk of {}", gib(free), place.display())
    }
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn less_than_a_run_needs_is_a_warning_that_names_the_place() {
        let place = Path::new("/repo/target");
        let line = said(3 << 30, place);
        assert!(line.starts_with("warning: 3.0 GiB free on the disk of /repo/target;"));
        assert!(line.contains("13.0 GiB"), "{line}");
        let line = said(40 << 30, place);
        assert_eq!(line, "40.0 GiB free on the disk of /repo/target");
    }

    #[test]
    fn a_folder_not_made_yet_is_measured_on_its_nearest_parent() {
        let here = std::env::temp_dir();
        let missing = here.join(format!("xtask-disk-{}/target", std::process::id()));
        assert!(!missing.exists());
        let (missing, here) = (free_bytes(&missing).unwrap(), free_bytes(&here).unwrap());
        // Others write to the same disk between the two reads.
        assert!(missing.abs_diff(here) < 1 << 30, "{missing} against {here}");
        assert!(missing > 0);
    }
}
