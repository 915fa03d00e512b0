//! HTML pages: the page shell and a report's blocks through minijinja templates (HTML
//! auto-escaping on: record text never becomes markup), with the inline stylesheet. No
//! script, no font, nothing fetched: a page works from `file://` and any static host.

use minijinja::{Environment, Value};
use serde::Serialize;

use crate::error::{Error, Result};

const PAGE: &str = include_str!("templates/page.html");
const DOC: &str = include_str!("templates/doc.html");
const CSS: &str = include_str!("templates/style.css");

/// An entry of the site's navigation.
#[derive(Serialize)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

fn env() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    // The names end in .html, so minijinja escapes every value for HTML.
    env.add_template("page.html", PAGE)
        .and_then(|()| env.add_template("doc.html", DOC))
        .map_err(|e| Error::internal_from("a page template does not parse", e))?;
    Ok(env)
}

fn render(name: &str, ctx: Value) -> Result<String> {
    env()?
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| Error::internal_from("cannot render the HTML page", e))
}

/// The body of a document: its blocks (see `report::doc`) through `doc.html`.
pub fn blocks<T: Serialize>(blocks: &[T]) -> Result<String> {
    render("doc.html", minijinja::context! { blocks => blocks })
}

/// A whole page around `body` (already HTML, from [`blocks`]), with the stylesheet inline.
pub fn page(title: &str, nav: &[NavItem], body: String, footer: &str) -> Result<String> {
    let mut text = render(
        "page.html",
        minijinja::context! {
            lang => "en",
            title => title,
            nav => nav,
            css => Value::from_safe_string(CSS.trim_end().to_string()),
            body => Value::from_safe_string(body),
            footer => footer,
        },
    )?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_text_is_escaped_and_nothing_is_fetched() {
        #[derive(Serialize)]
        struct B {
            kind: &'static str,
            text: &'static str,
        }
        let body = blocks(&[B {
            kind: "text",
            text: "<script>alert(1)</script> & \"华东\"",
        }])
        .unwrap();
        assert!(
            body.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; &quot;华东&quot;"),
            "{body}"
        );
        let page = page("<T>", &[], body, "f").unwrap();
        assert!(page.starts_with("<!DOCTYPE html>\n"));
        assert!(page.contains("<title>&lt;T&gt;</title>"));
        assert!(!page.contains("<script"));
        assert!(
            !page.contains("http://") && !page.contains("https://") && !page.contains("@import")
        );
        assert!(page.contains("font-family") || page.contains("font:"));
        assert!(
            page.contains("\"PingFang SC\""),
            "Chinese through the system's fonts"
        );
    }
}
