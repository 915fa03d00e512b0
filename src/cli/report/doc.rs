//! A report as a document of headings, paragraphs, lists, tables and charts, rendered for
//! the terminal (aligned tables, CJK-aware), as GitHub-flavoured Markdown or as HTML (a
//! chart there is an SVG beside its table; elsewhere just the table).

use serde::Serialize;

use super::super::{Format, html, output};

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
    Figure(Figure),
}

/// A chart and the numbers it draws, as a table beside it (readable without the picture
/// and by screen readers). Rows and cells may say where their numbers come from: `args`,
/// the command whose `--format json` holds them, and `ptr`, the JSON pointer of each.
pub struct Figure {
    pub id: String,
    pub caption: String,
    /// Inline SVG from `cli::svg`, which escapes what it is given.
    pub svg: String,
    pub headers: Vec<String>,
    pub rows: Vec<FigureRow>,
    pub note: Option<String>,
}

#[derive(Serialize)]
pub struct FigureRow {
    pub args: Option<String>,
    pub cells: Vec<Cell>,
}

#[derive(Serialize)]
pub struct Cell {
    pub text: String,
    pub ptr: Option<String>,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            ptr: None,
        }
    }
}

/// A block as the HTML template reads it.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum HtmlBlock<'a> {
    Title {
        text: &'a str,
    },
    Heading {
        text: &'a str,
        anchor: String,
    },
    Text {
        text: &'a str,
    },
    Strong {
        text: &'a str,
    },
    Bullets {
        items: &'a [String],
    },
    Table {
        headers: &'a [&'static str],
        numeric: Vec<bool>,
        rows: Vec<FigureRow>,
        empty: &'a str,
    },
    Figure {
        id: &'a str,
        caption: &'a str,
        svg: minijinja::Value,
        headers: &'a [String],
        numeric: Vec<bool>,
        rows: &'a [FigureRow],
        note: Option<&'a str>,
    },
}

/// Which columns hold numbers (right-aligned): every filled cell starts with a digit, a
/// sign or `n/a`.
fn numeric<'a>(columns: usize, rows: impl Iterator<Item = &'a [String]> + Clone) -> Vec<bool> {
    (0..columns)
        .map(|i| {
            let mut cells = rows
                .clone()
                .filter_map(|r| r.get(i))
                .filter(|c| !c.is_empty());
            let mut any = false;
            let all = cells.all(|c| {
                any = true;
                c.starts_with(|ch: char| ch.is_ascii_digit() || ch == '-' || ch == '+') && c != "-"
                    || c.starts_with("n/a")
            });
            any && all
        })
        .collect()
}

/// A heading's `id`: its words in lower case joined by `-` (ASCII only; other characters
/// are kept as they are, which HTML allows).
fn anchor(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_ascii_punctuation())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("-")
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

    /// A chart with its table.
    pub fn figure(&mut self, f: Figure) {
        self.blocks.push(Block::Figure(f));
    }

    /// The title, for a page's `<title>`.
    pub fn title_text(&self) -> Option<&str> {
        self.blocks.iter().find_map(|b| match b {
            Block::Title(s) => Some(s.as_str()),
            _ => None,
        })
    }

    /// Renders for a `--format`: HTML as a whole page, Markdown, else for the terminal.
    pub fn render_as(&self, format: Format) -> crate::error::Result<String> {
        match format {
            Format::Html => {
                let title = self.title_text().unwrap_or("presales report");
                html::page(title, &[], self.html_body()?, "presales")
            }
            f => Ok(self.render(f == Format::Markdown)),
        }
    }

    /// The blocks as HTML, for a page of its own or of the dashboard.
    pub fn html_body(&self) -> crate::error::Result<String> {
        let blocks: Vec<HtmlBlock> = self
            .blocks
            .iter()
            .map(|b| match b {
                Block::Title(s) => HtmlBlock::Title { text: s },
                Block::Heading(s) => HtmlBlock::Heading {
                    text: s,
                    anchor: anchor(s),
                },
                Block::Text(s) => HtmlBlock::Text { text: s },
                Block::Strong(s) => HtmlBlock::Strong { text: s },
                Block::Bullets(items) => HtmlBlock::Bullets { items },
                Block::Table {
                    headers,
                    rows,
                    empty,
                } => HtmlBlock::Table {
                    headers,
                    numeric: numeric(headers.len(), rows.iter().map(|r| r.as_slice())),
                    rows: rows
                        .iter()
                        .map(|r| FigureRow {
                            args: None,
                            cells: r.iter().map(Cell::text).collect(),
                        })
                        .collect(),
                    empty,
                },
                Block::Figure(f) => HtmlBlock::Figure {
                    id: &f.id,
                    caption: &f.caption,
                    svg: minijinja::Value::from_safe_string(f.svg.clone()),
                    headers: &f.headers,
                    numeric: {
                        let texts: Vec<Vec<String>> = f
                            .rows
                            .iter()
                            .map(|r| r.cells.iter().map(|c| c.text.clone()).collect())
                            .collect();
                        numeric(f.headers.len(), texts.iter().map(|r| r.as_slice()))
                    },
                    rows: &f.rows,
                    note: f.note.as_deref(),
                },
            })
            .collect();
        html::blocks(&blocks)
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
                // Outside HTML a chart is its table, under its caption.
                Block::Figure(f) => {
                    let headers: Vec<&str> = f.headers.iter().map(|h| h.as_str()).collect();
                    let rows: Vec<Vec<String>> = f
                        .rows
                        .iter()
                        .map(|r| r.cells.iter().map(|c| c.text.clone()).collect())
                        .collect();
                    let table = if markdown {
                        output::markdown_table(&headers, rows)
                    } else {
                        output::table(&headers, rows)
                    };
                    format!("{}\n\n{table}", wrap(&f.caption, 0))
                }
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
