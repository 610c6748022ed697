//! The records a report is made of, as the run's events bring them.
//!
//! Order as the report has it: package by package in the order they ran,
//! each package's tests by binary and name, then its doctests in the order
//! rustdoc ran them.

use super::bus::RunListener;
use crate::schema::{RunEvent, TestRecord};
use std::sync::Mutex;

/// The finished tests of a run.
#[derive(Default)]
pub struct Collected {
    packages: Mutex<Vec<Package>>,
}

struct Package {
    name: String,
    tests: Vec<TestRecord>,
    doctests: Vec<TestRecord>,
}

impl Collected {
    /// Every record so far, in report order.
    pub fn records(&self) -> Vec<TestRecord> {
        let packages = self.packages.lock().unwrap_or_else(|e| e.into_inner());
        let mut records = Vec::new();
        for package in packages.iter() {
            let mut tests = package.tests.clone();
            tests.sort_by(|a, b| a.key.cmp(&b.key));
            records.extend(tests);
            records.extend(package.doctests.iter().cloned());
        }
        records
    }
}

impl RunListener for Collected {
    fn on(&self, event: &RunEvent) {
        let RunEvent::TestFinished { record, .. } = event else {
            return;
        };
        let mut packages = self.packages.lock().unwrap_or_else(|e| e.into_inner());
        let at = match packages.iter().position(|p| p.name == record.key.package) {
            Some(at) => at,
            None => {
                packages.push(Package {
                    name: record.key.package.clone(),
                    tests: Vec::new(),
                    doctests: Vec::new(),
                });
                packages.len() - 1
            }
        };
        let package = &mut packages[at];
        match record.key.is_doctest() {
            true => package.doctests.push((**record).clone()),
            false => package.tests.push((**record).clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::TestKey;

    fn finished(key: TestKey) -> RunEvent {
        RunEvent::TestFinished {
            record: Box::new(TestRecord::ignored(key)),
            stderr_tail: String::new(),
        }
    }

    #[test]
    fn records_come_out_by_package_then_binary_and_name_then_doctests() {
        let collected = Collected::default();
        for key in [
            TestKey::new("b", "t", "z"),
            TestKey::new("b", "t", "a"),
            TestKey::doctest("b", "src/lib.rs - (line 9)"),
            TestKey::doctest("b", "src/lib.rs - (line 2)"),
            TestKey::new("a", "t", "m"),
        ] {
            collected.on(&finished(key));
        }
        let names: Vec<String> = collected
            .records()
            .iter()
            .map(|r| format!("{}/{}", r.key.package, r.key))
            .collect();
        assert_eq!(
            names,
            [
                "b/t::a",
                "b/t::z",
                "b/doctests::src/lib.rs - (line 9)",
                "b/doctests::src/lib.rs - (line 2)",
                "a/t::m"
            ]
        );
    }
}
