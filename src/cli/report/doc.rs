//! A report as a document of headings, paragraphs, lists and tables, rendered for the
//! terminal (aligned tables, CJK-aware) or as GitHub-flavoured Markdown.

use super::super::output;

enum Block {
    Title(String),
    Heading(String),
    Text(String),
    Strong(String),
    Bullets(Vec<String>),
    Table {
        headers: Vec<&'static str>,
        rows: Vec<Vec<String>>,
        empty: &'static str,
    },
}

#[derive(Default)]
pub struct Doc {
    blocks: Vec<Block>,
}

impl Doc {
    pub fn title(&mut self, s: impl Into<String>) {
        self.blocks.push(Block::Title(s.into()));
    }

    pub fn heading(&mut self, s: impl Into<String>) {
        self.blocks.push(Block::Heading(s.into()));
    }

    pub fn text(&mut self, s: impl Into<String>) {
        self.blocks.push(Block::Text(s.into()));
    }

    /// A headline: bold in Markdown.
    pub fn strong(&mut self, s: impl Into<String>) {
        self.blocks.push(Block::Strong(s.into()));
    }

    pub fn bullets(&mut self, items: Vec<String>) {
        if !items.is_empty() {
            self.blocks.push(Block::Bullets(items));
        }
    }

    /// A table; `empty` is printed instead when there are no rows.
    pub fn table(&mut self, headers: &[&'static str], rows: Vec<Vec<String>>, empty: &'static str) {
        self.blocks.push(Block::Table {
            headers: headers.to_vec(),
            rows,
            empty,
        });
    }

    /// The terminal rendering (prose wrapped to [`output::width`], tables fitted to it) or
    /// Markdown (never cut: it is text for a renderer).
    pub fn render(&self, markdown: bool) -> String {
        let width = output::width().filter(|_| !markdown);
        let wrap = |s: &str, indent: usize| match width {
            Some(w) => super::super::fit::wrap(s, w, indent),
            None => s.to_string(),
        };
        let mut parts: Vec<String> = Vec::new();
        for b in &self.blocks {
            parts.push(match b {
                Block::Title(s) if markdown => format!("# {s}\n"),
                Block::Title(s) => format!("{s}\n{}\n", "=".repeat(s.chars().count())),
                Block::Heading(s) if markdown => format!("## {s}\n"),
                Block::Heading(s) => format!("{s}\n{}\n", "-".repeat(s.chars().count())),
                Block::Text(s) if markdown => format!("{s}\n"),
                Block::Text(s) => format!("{}\n", wrap(s, 0)),
                Block::Strong(s) if markdown => format!("**{s}**\n"),
                Block::Strong(s) => format!("{}\n", wrap(s, 0)),
                Block::Bullets(items) => items
                    .iter()
                    .map(|i| format!("{}\n", wrap(&format!("- {i}"), 2)))
                    .collect(),
                Block::Table { rows, empty, .. } if rows.is_empty() && markdown => {
                    format!("_{empty}_\n")
                }
                Block::Table { rows, empty, .. } if rows.is_empty() => format!("({empty})\n"),
                Block::Table { headers, rows, .. } if markdown => {
                    output::markdown_table(headers, rows.clone())
                }
                Block::Table { headers, rows, .. } => output::table(headers, rows.clone()),
            });
        }
        parts.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_ways() {
        let mut d = Doc::default();
        d.title("Weekly report");
        d.strong("3 new");
        d.heading("Intake");
        d.table(
            &["TYPE", "N"],
            vec![vec!["方案".into(), "1".into()]],
            "none",
        );
        d.table(&["A"], vec![], "nothing closed");
        let md = d.render(true);
        assert_eq!(
            md,
            "# Weekly report\n\n**3 new**\n\n## Intake\n\n| TYPE | N |\n| --- | --- |\n| 方案 | 1 |\n\n_nothing closed_\n"
        );
        let text = d.render(false);
        assert!(
            text.starts_with("Weekly report\n=============\n\n3 new\n"),
            "{text}"
        );
        assert!(text.ends_with("(nothing closed)\n"), "{text}");
    }
}
