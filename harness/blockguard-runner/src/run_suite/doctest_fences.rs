//! Which doctests rustdoc only compiles, read from their fences. rustdoc's
//! `--list` names a `no_run` or `compile_fail` doctest as it names one it
//! runs; only its run says ` - compile`. The runner is handed the
//! doctests that run, one by one, so it must know beforehand which they
//! are: the fence on the line the name gives says.

use std::path::Path;

/// Whether doctest `name` (`src/lib.rs - f (line 9)`) is only compiled:
/// its fence, found under `package_dir` or a folder above it (cargo names
/// a workspace member's files from the workspace's root), says `no_run`
/// or `compile_fail`. Unreadable, it is taken to run.
pub fn only_compiled(package_dir: &Path, name: &str) -> bool {
    let Some((file, line)) = place(name) else {
        return false;
    };
    let Some(text) = package_dir
        .ancestors()
        .find_map(|dir| std::fs::read_to_string(dir.join(file)).ok())
    else {
        return false;
    };
    let lines: Vec<&str> = text.lines().collect();
    // rustdoc's line for a doc attribute's string (`#[doc = r#"…"#]`, as
    // macros write docs) can be a line off: the fence nearest it counts.
    [0, 1, -1, 2]
        .iter()
        .filter_map(|delta| lines.get((line as isize - 1 + delta).max(0) as usize))
        .find(|l| is_fence(l))
        .is_some_and(|l| fence_only_compiles(l))
}

/// A fence line: "```" or "~~~" opens it.
fn is_fence(line: &str) -> bool {
    let code = line
        .trim_start()
        .trim_start_matches(['/', '!'])
        .trim_start();
    code.starts_with("```") || code.starts_with("~~~")
}

/// The file and line of `FILE - ITEM (line N)`.
fn place(name: &str) -> Option<(&str, usize)> {
    let (file, _) = name.split_once(" - ")?;
    let (_, line) = name.rsplit_once("(line ")?;
    let line = line.split(')').next()?.parse().ok()?;
    Some((file, line))
}

/// A doc comment's fence line whose info string has `no_run` or
/// `compile_fail` (`compile_fail,E0308` too).
fn fence_only_compiles(line: &str) -> bool {
    let Some(at) = line.find("```").or_else(|| line.find("~~~")) else {
        return false;
    };
    line[at + 3..]
        .trim_start_matches(['`', '~'])
        .split(|c: char| c == ',' || c.is_whitespace() || c == '{' || c == '}')
        .any(|word| word == "no_run" || word.starts_with("compile_fail"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_that_only_compile_are_told_from_those_that_run() {
        assert!(fence_only_compiles("//! ```no_run"));
        assert!(fence_only_compiles("    /// ```compile_fail,E0308"));
        assert!(fence_only_compiles("/// ```rust, no_run"));
        assert!(fence_only_compiles("/// ~~~no_run"));
        assert!(!fence_only_compiles("/// ```"));
        assert!(!fence_only_compiles("/// ```should_panic"));
        assert!(!fence_only_compiles("/// ```ignore"));
        assert!(!fence_only_compiles("/// a no_run in prose"));
    }

    /// async-std 1.13.2 writes docs in macros' raw strings, where
    /// rustdoc names the blank line above the fence.
    #[test]
    fn a_fence_a_line_off_the_named_line_still_counts() {
        let dir = std::env::temp_dir().join(format!("bg-fences-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("src/lib.rs"),
            "ext! {\n    #[doc = r#\"\n    # Examples\n\n    ```no_run\n    x();\n    ```\n\n    ```\n    y();\n    ```\n    \"#]\n}\n",
        )
        .unwrap();
        assert!(only_compiled(&dir, "src/lib.rs - X::x (line 4)"));
        assert!(only_compiled(&dir, "src/lib.rs - X::x (line 5)"));
        assert!(!only_compiled(&dir, "src/lib.rs - X::y (line 8)"));
        assert!(!only_compiled(&dir, "src/lib.rs - X::y (line 9)"));
    }

    #[test]
    fn a_doctests_name_gives_its_file_and_line() {
        assert_eq!(place("src/lib.rs - f (line 9)"), Some(("src/lib.rs", 9)));
        assert_eq!(
            place("alpha/src/lib.rs - (line 27)"),
            Some(("alpha/src/lib.rs", 27))
        );
        assert_eq!(
            place("src/a - b.rs - X<'_> (line 3)"),
            Some(("src/a", 3)),
            "the first ` - ` ends the file; such a name reads no file"
        );
        assert_eq!(place("no line"), None);
    }

    #[test]
    fn a_member_file_named_from_the_workspace_root_is_found() {
        let root = std::env::temp_dir().join(format!("bg-fences-{}", std::process::id()));
        let member = root.join("alpha");
        std::fs::create_dir_all(member.join("src")).unwrap();
        std::fs::write(
            member.join("src/lib.rs"),
            "//! ```no_run\n//! x();\n//! ```\n\n/// ```\n/// y();\n/// ```\npub fn f() {}\n",
        )
        .unwrap();
        assert!(only_compiled(&member, "alpha/src/lib.rs - (line 1)"));
        assert!(only_compiled(&member, "src/lib.rs - (line 1)"));
        assert!(!only_compiled(&member, "alpha/src/lib.rs - f (line 5)"));
        assert!(!only_compiled(&member, "alpha/src/gone.rs - (line 1)"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
