//! cargo-binstall's templates from `cargo-blockguard`'s manifest, rendered
//! for one target: the archive's file name (the last segment of
//! `pkg-url`) and the binary's path inside it (`bin-dir`).

use std::path::Path;

/// The binary's crate, whose manifest declares the metadata.
pub const CRATE: &str = "cargo-blockguard";

/// Where binstall finds one target's binary.
#[derive(Debug, PartialEq, Eq)]
pub struct Layout {
    /// The archive's URL.
    pub url: String,
    /// The archive's file name.
    pub archive: String,
    /// The binary's path inside the archive.
    pub bin_path: String,
}

/// What the manifest says and what the templates are filled with.
#[derive(Debug)]
pub struct Package {
    /// The crate's version.
    pub version: String,
    /// Its `repository`.
    pub repo: String,
    /// `pkg-url`.
    pub pkg_url: String,
    /// `bin-dir`.
    pub bin_dir: String,
    /// `pkg-fmt`.
    pub pkg_fmt: String,
}

/// What cargo says of the crate: its version and repository (as the
/// workspace gives them) and its binstall templates.
pub fn read(root: &Path) -> Result<Package, String> {
    let manifest = root.join("harness").join(CRATE).join("Cargo.toml");
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(&manifest)
        .no_deps()
        .exec()
        .map_err(|e| format!("{}: {e}", manifest.display()))?;
    let package = metadata
        .packages
        .iter()
        .find(|p| p.name.as_str() == CRATE)
        .ok_or_else(|| format!("{}: no package {CRATE}", manifest.display()))?;
    let repo = package
        .repository
        .clone()
        .ok_or_else(|| format!("{}: package.repository is missing", manifest.display()))?;
    let template = |key: &str| -> Result<String, String> {
        package.metadata["binstall"][key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| {
                format!(
                    "{}: package.metadata.binstall.{key} is missing or not a string",
                    manifest.display()
                )
            })
    };
    Ok(Package {
        version: package.version.to_string(),
        repo,
        pkg_url: template("pkg-url")?,
        bin_dir: template("bin-dir")?,
        pkg_fmt: template("pkg-fmt")?,
    })
}

impl Package {
    /// The templates filled in for `target` (a Linux target: no `.exe`).
    pub fn layout(&self, target: &str) -> Result<Layout, String> {
        let suffix = match self.pkg_fmt.as_str() {
            "tgz" => ".tgz",
            "tar.gz" => ".tar.gz",
            other => return Err(format!("pkg-fmt {other:?}: only tgz is built")),
        };
        let vars = [
            ("name", CRATE),
            ("version", &self.version),
            ("target", target),
            ("repo", &self.repo),
            ("archive-suffix", suffix),
            ("archive-format", &self.pkg_fmt),
            ("bin", CRATE),
            ("binary-ext", ""),
        ];
        let url = render(&self.pkg_url, &vars)?;
        let archive = url.rsplit('/').next().unwrap_or(&url).to_owned();
        Ok(Layout {
            archive,
            bin_path: render(&self.bin_dir, &vars)?,
            url,
        })
    }
}

/// Fills `{ name }` placeholders (spaces inside the braces optional).
fn render(template: &str, vars: &[(&str, &str)]) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("{template:?}: an unclosed {{"))?;
        let name = rest[open + 1..open + close].trim();
        let value = vars
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| format!("{template:?}: no value for {{ {name} }}"))?;
        out.push_str(value.1);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_names_the_archive_and_the_binary_in_it() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let package = read(root).unwrap();
        let version = env!("CARGO_PKG_VERSION");
        let layout = package.layout("x86_64-unknown-linux-gnu").unwrap();
        let stem = format!("cargo-blockguard-x86_64-unknown-linux-gnu-v{version}");
        assert_eq!(layout.archive, format!("{stem}.tgz"));
        assert_eq!(layout.bin_path, format!("{stem}/cargo-blockguard"));
        assert_eq!(
            layout.url,
            format!(
                "https://github.com/blockguard/blockguard/releases/download/v{version}/{stem}.tgz"
            )
        );
    }

    #[test]
    fn an_unknown_placeholder_is_an_error() {
        let e = render("{ name }-{ nope }", &[("name", "x")]).unwrap_err();
        assert!(e.contains("no value for { nope }"), "{e}");
        assert_eq!(render("{name}/{ name }", &[("name", "x")]).unwrap(), "x/x");
    }
}
