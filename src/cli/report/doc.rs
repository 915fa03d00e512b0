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

pub struct FigureRow {
    pub args: Option<String>,
    pub cells: Vec<Cell>,
}

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
        /// The rows, already HTML ([`rows_html`]); empty when there are none.
        body: minijinja::Value,
        empty: &'a str,
    },
    Figure {
        id: &'a str,
        caption: &'a str,
        svg: minijinja::Value,
        headers: &'a [String],
        numeric: Vec<bool>,
        body: minijinja::Value,
        note: Option<&'a str>,
    },
}

/// A table's rows as HTML, each `\n<tr…>…</tr>`: what `doc.html` would make of them, cell
/// by cell, escaped by minijinja's own [`minijinja::HtmlEscape`]. A large report's tables
/// hold tens of thousands of rows (one per article), and the template engine's cost per
/// cell was a fifth of a whole dashboard's time; the rest of the page stays a template.
fn rows_html<'r, C>(numeric: &[bool], rows: impl Iterator<Item = (Option<&'r str>, C)>) -> String
where
    C: Iterator<Item = (&'r str, Option<&'r str>)>,
{
    use minijinja::HtmlEscape;
    use std::fmt::Write;
    let mut out = String::new();
    for (args, cells) in rows {
        out.push_str("\n<tr");
        if let Some(args) = args.filter(|a| !a.is_empty()) {
            let _ = write!(out, " data-args=\"{}\"", HtmlEscape(args));
        }
        out.push('>');
        for (i, (text, ptr)) in cells.enumerate() {
            out.push_str("<td");
            if numeric.get(i).copied().unwrap_or(false) {
                out.push_str(" class=\"num\"");
            }
            if let Some(ptr) = ptr.filter(|p| !p.is_empty()) {
                let _ = write!(out, " data-ptr=\"{}\"", HtmlEscape(ptr));
            }
            let _ = write!(out, ">{}</td>", HtmlEscape(text));
        }
        out.push_str("</tr>");
    }
    out
}

/// Which columns hold numbers (right-aligned): every filled cell starts with a digit, a
/// sign or `n/a`.
fn numeric<'a, R>(columns: usize, rows: impl Iterator<Item = R> + Clone) -> Vec<bool>
where
    R: Iterator<Item = &'a str>,
{
    (0..columns)
        .map(|i| {
            let mut cells = rows
                .clone()
                .filter_map(|mut r| r.nth(i))
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
                } => {
                    let numeric = numeric(
                        headers.len(),
                        rows.iter().map(|r| r.iter().map(String::as_str)),
                    );
                    let body = rows_html(
                        &numeric,
                        rows.iter()
                            .map(|r| (None, r.iter().map(|c| (c.as_str(), None)))),
                    );
                    HtmlBlock::Table {
                        headers,
                        numeric,
                        body: minijinja::Value::from_safe_string(body),
                        empty,
                    }
                }
                Block::Figure(f) => {
                    let numeric = numeric(
                        f.headers.len(),
                        f.rows
                            .iter()
                            .map(|r| r.cells.iter().map(|c| c.text.as_str())),
                    );
                    let body = rows_html(
                        &numeric,
                        f.rows.iter().map(|r| {
                            (
                                r.args.as_deref(),
                                r.cells.iter().map(|c| (c.text.as_str(), c.ptr.as_deref())),
                            )
                        }),
                    );
                    HtmlBlock::Figure {
                        id: &f.id,
                        caption: &f.caption,
                        svg: minijinja::Value::from_safe_string(f.svg.clone()),
                        headers: &f.headers,
                        numeric,
                        body: minijinja::Value::from_safe_string(body),
                        note: f.note.as_deref(),
                    }
                }
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

    /// The rows made in Rust are what the template made of them, cell by cell: the
    /// template's row loop (as `doc.html` had it) renders the same rows through minijinja,
    /// with its HTML auto-escaping, and the bodies must be the same bytes.
    #[test]
    fn rows_are_what_the_template_made_of_them() {
        const ROW_LOOP: &str = "{%- for r in rows %}\n<tr{% if r.args %} data-args=\"{{ r.args }}\"{% endif %}>{% for c in r.cells %}<td{% if numeric[loop.index0] %} class=\"num\"{% endif %}{% if c.ptr %} data-ptr=\"{{ c.ptr }}\"{% endif %}>{{ c.text }}</td>{% endfor %}</tr>\n{%- endfor %}";
        #[derive(Serialize)]
        struct C<'a> {
            text: &'a str,
            ptr: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct R<'a> {
            args: Option<&'a str>,
            cells: Vec<C<'a>>,
        }
        let tricky = "<b>华东 & \"智造\" 'x' /y/ {{ z }}</b>";
        let rows = vec![
            R {
                args: Some("report weekly --week 2026-W48 --as-of 2026-11-27T10:00:00+08:00"),
                cells: vec![
                    C {
                        text: "12",
                        ptr: Some("/summary/new"),
                    },
                    C {
                        text: tricky,
                        ptr: None,
                    },
                    C {
                        text: "",
                        ptr: Some(""),
                    },
                ],
            },
            R {
                args: Some(""),
                cells: vec![
                    C {
                        text: "n/a",
                        ptr: Some("/a~1b/0"),
                    },
                    C {
                        text: "-",
                        ptr: None,
                    },
                    C {
                        text: "3",
                        ptr: None,
                    },
                ],
            },
            R {
                args: None,
                cells: vec![C {
                    text: "only one cell",
                    ptr: None,
                }],
            },
        ];
        // More cells than flags: the flags end before the cells do.
        let numeric = [true, false];
        let mut env = minijinja::Environment::new();
        env.add_template("rows.html", ROW_LOOP).unwrap();
        let by_template = env
            .get_template("rows.html")
            .unwrap()
            .render(minijinja::context! { rows => &rows, numeric => &numeric })
            .unwrap();
        let by_rust = rows_html(
            &numeric,
            rows.iter()
                .map(|r| (r.args, r.cells.iter().map(|c| (c.text, c.ptr)))),
        );
        assert!(
            by_rust.contains("&lt;b&gt;华东 &amp; &quot;智造&quot;"),
            "{by_rust}"
        );
        assert_eq!(by_rust, by_template);
        assert_eq!(
            rows_html(
                &numeric,
                std::iter::empty::<(Option<&str>, std::iter::Empty<(&str, Option<&str>)>)>()
            ),
            ""
        );
    }
}
