//! Reading a rules file: TOML with spans, then each table in turn.

use crate::allow::AllowRule;
use crate::error::{RulesError, RulesErrorKind};
use crate::executors::{ExecutorDecl, MachineryRule};
use crate::fields::Fields;
use crate::file::RulesFile;
use crate::locate::Source;
use crate::suite::Suite;
use crate::suppress::SuppressRule;
use crate::test_settings::TestSettings;
use std::ops::Range;
use std::path::Path;
use toml_edit::{ImDocument, Item, Table, TableLike, Value};

const TOP_KEYS: &[&str] = &[
    "suite",
    "allow",
    "suppress",
    "executor",
    "machinery",
    "test",
];

/// Who reads a rules file, and so which of its tables are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// A runner: every table, every pattern compiled and checked.
    Runner,
    /// The guard runtime: all but `[[suppress]]`, which matches failures,
    /// as only a runner does. Its regexes cost a test process 0.1-0.2 ms
    /// to check or compile, and the runner that started it has read the
    /// file whole.
    Guards,
}

/// Parses a rules file's text. `source` labels errors and the result;
/// rule ids are `"{id_prefix}:allow[N]"` and `"{id_prefix}:suppress[N]"`.
pub fn parse_str(text: &str, source: &str, id_prefix: &str) -> Result<RulesFile, RulesError> {
    parse(text, source, id_prefix, Reader::Runner)
}

fn parse(
    text: &str,
    source: &str,
    id_prefix: &str,
    reader: Reader,
) -> Result<RulesFile, RulesError> {
    let src = Source { text, file: source };
    let doc = ImDocument::parse(text).map_err(|e| {
        src.error(
            e.span(),
            None,
            RulesErrorKind::Syntax(e.message().trim().replace('\n', "; ")),
        )
    })?;
    let root = doc.as_table();
    Fields::new(&src, root, String::new(), Some(0..0)).only(TOP_KEYS)?;

    let suite = match root.get_key_value("suite") {
        None => None,
        Some((key, item)) => {
            let span = item.span().or_else(|| key.span());
            let table = item.as_table_like().ok_or_else(|| {
                wrong_type(&src, span.clone(), "suite", "a table", item.type_name())
            })?;
            Some(Suite::parse(&Fields::new(
                &src,
                table,
                "suite".to_owned(),
                span,
            ))?)
        }
    };

    let allow = tables(&src, root, "allow")?
        .into_iter()
        .enumerate()
        .map(|(i, (table, span))| {
            let path = format!("allow[{i}]");
            let line = src.line_of(span.clone());
            let id = format!("{id_prefix}:{path}");
            AllowRule::parse(&Fields::new(&src, table, path, span), id, line)
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut allow = allow;
    if let Some(Suite {
        contended: Some(_), ..
    }) = &suite
    {
        let line = root.get("suite").map_or(0, |t| src.line_of(t.span()));
        let id = format!("{id_prefix}:suite.contended");
        allow.push(AllowRule::suite_contended(id, line));
    }

    let suppress = match reader {
        Reader::Guards => Vec::new(),
        Reader::Runner => suppress_rules(&src, root, id_prefix)?,
    };

    let executors = tables(&src, root, "executor")?
        .into_iter()
        .enumerate()
        .map(|(i, (table, span))| {
            ExecutorDecl::parse(&Fields::new(&src, table, format!("executor[{i}]"), span))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let machinery = tables(&src, root, "machinery")?
        .into_iter()
        .enumerate()
        .map(|(i, (table, span))| {
            let path = format!("machinery[{i}]");
            let id = format!("{id_prefix}:{path}");
            MachineryRule::parse(&Fields::new(&src, table, path, span), id, &executors)
        })
        .collect::<Result<Vec<_>, _>>()?;

    let tests = tables(&src, root, "test")?
        .into_iter()
        .enumerate()
        .map(|(i, (table, span))| {
            let line = src.line_of(span.clone());
            TestSettings::parse(&Fields::new(&src, table, format!("test[{i}]"), span), line)
        })
        .collect::<Result<Vec<_>, _>>()?;

    Ok(RulesFile {
        source: source.to_owned(),
        suite,
        allow,
        suppress,
        executors,
        machinery,
        tests,
    })
}

/// The `[[suppress]]` rules, in file order.
fn suppress_rules(
    src: &Source<'_>,
    root: &Table,
    id_prefix: &str,
) -> Result<Vec<SuppressRule>, RulesError> {
    tables(src, root, "suppress")?
        .into_iter()
        .enumerate()
        .map(|(i, (table, span))| {
            let path = format!("suppress[{i}]");
            let line = src.line_of(span.clone());
            let id = format!("{id_prefix}:{path}");
            SuppressRule::parse(&Fields::new(src, table, path, span), id, line)
        })
        .collect()
}

/// Reads and parses a rules file; its ids are prefixed `rules`.
pub fn load(path: &Path) -> Result<RulesFile, RulesError> {
    read(path, Reader::Runner)
}

/// [`load`] as the guard runtime reads a file: every table but
/// `[[suppress]]`, which matches failures and is left to the runner that
/// started the guards (it has read the file with [`load`]).
pub fn load_for_guards(path: &Path) -> Result<RulesFile, RulesError> {
    read(path, Reader::Guards)
}

fn read(path: &Path, reader: Reader) -> Result<RulesFile, RulesError> {
    let source = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| RulesError {
        file: source.clone(),
        line: 0,
        column: 0,
        key: None,
        kind: RulesErrorKind::Io(e),
    })?;
    parse(&text, &source, "rules", reader)
}

type Located<'a> = (&'a dyn TableLike, Option<Range<usize>>);

/// The tables of `[[key]]` (or `key = [{...}, ...]`), each with its position.
fn tables<'a>(
    src: &Source<'_>,
    root: &'a Table,
    key: &str,
) -> Result<Vec<Located<'a>>, RulesError> {
    const EXPECTED: &str = "an array of tables";
    let Some((k, item)) = root.get_key_value(key) else {
        return Ok(Vec::new());
    };
    match item {
        Item::ArrayOfTables(array) => Ok(array
            .iter()
            .map(|t| (t as &dyn TableLike, t.span()))
            .collect()),
        Item::Value(Value::Array(array)) => array
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::InlineTable(t) => Ok((t as &dyn TableLike, t.span())),
                other => Err(wrong_type(
                    src,
                    other.span(),
                    &format!("{key}[{i}]"),
                    "a table",
                    other.type_name(),
                )),
            })
            .collect(),
        other => Err(wrong_type(
            src,
            other.span().or_else(|| k.span()),
            key,
            EXPECTED,
            other.type_name(),
        )),
    }
}

fn wrong_type(
    src: &Source<'_>,
    span: Option<Range<usize>>,
    key: &str,
    expected: &'static str,
    found: &'static str,
) -> RulesError {
    src.error(
        span,
        Some(key.to_owned()),
        RulesErrorKind::WrongType { expected, found },
    )
}
