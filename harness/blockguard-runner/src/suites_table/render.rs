//! The table as Markdown, and its place in `suites/README.md`.

use super::row::Row;

/// Marks the start of the generated table in `suites/README.md`.
pub const BEGIN: &str = "<!-- suites-table:begin (cargo xtask suites-table --write) -->";
/// Marks its end.
pub const END: &str = "<!-- suites-table:end -->";

/// The Markdown table, one row per suite.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| suite | version | passing under `cargo nextest run` | passing under `run-suite --mode audit` (farm suites: `farm`) \
         | tests with denied calls in the suite's mode (`check`), per class | top blocking sites (tests) \
         | run phase vs nextest |\n|---|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let sites: Vec<String> = row
            .sites()
            .iter()
            .map(|s| format!("`{}` at `{}` ({})", s.call, s.site, s.tests))
            .collect();
        let ratio = match row.ratio() {
            Some((r, ours, base)) => format!("{r:.2}× ({ours} / {base} ms)"),
            None => "—".to_owned(),
        };
        let cells = [
            row.suite.clone(),
            row.version.clone().unwrap_or_else(|| "—".to_owned()),
            row.nextest_cell(),
            row.audit_cell(),
            row.denied_cell(),
            if sites.is_empty() {
                "—".to_owned()
            } else {
                sites.join("<br>")
            },
            ratio,
        ];
        let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// A cell's text on one line, with the table's separator escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// `readme` with the text between the markers replaced by `table`; `None`
/// when the markers are missing or out of order.
pub fn splice(readme: &str, table: &str) -> Option<String> {
    crate::generated_text::splice(readme, BEGIN, END, table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_replaces_only_the_text_between_the_markers() {
        let readme = format!("# Suites\n{BEGIN}\nold\n{END}\nafter\n");
        let new = splice(&readme, "| new |\n").unwrap();
        assert_eq!(new, format!("# Suites\n{BEGIN}\n| new |\n{END}\nafter\n"));
        assert_eq!(splice("no markers", "x"), None);
    }

    #[test]
    fn cells_stay_on_one_line_and_keep_pipes_literal() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
