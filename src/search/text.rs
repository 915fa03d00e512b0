//! Owns what of a Markdown text is indexed and shown in snippets: the words people read,
//! not the link targets, image paths, HTML comments or markup around them.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The readable text of Markdown: paragraphs and headings on their own lines, link and image
/// texts kept and their targets dropped, HTML (comments included) and bare URLs left out,
/// code kept as written. A leading `---` front matter is dropped.
pub fn plain(markdown: &str) -> String {
    let body = strip_front_matter(markdown);
    let mut out = String::with_capacity(body.len());
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    for event in Parser::new_ext(body, options) {
        match event {
            Event::Text(t) | Event::Code(t) => push_text(&mut out, &t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::Start(Tag::Item) => newline(&mut out),
            Event::Start(Tag::TableCell) => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_),
            ) => newline(&mut out),
            Event::FootnoteReference(_) | Event::Html(_) | Event::InlineHtml(_) => {}
            _ => {}
        }
    }
    let lines: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

fn newline(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Text with bare URLs left out (a link's visible text that is itself a URL included).
fn push_text(out: &mut String, text: &str) {
    let mut first = true;
    for word in text.split(' ') {
        if !first {
            out.push(' ');
        }
        first = false;
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.")
        {
            continue;
        }
        out.push_str(word);
    }
}

fn strip_front_matter(text: &str) -> &str {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return text;
    };
    for end in ["\n---\n", "\n---\r\n"] {
        if let Some(i) = rest.find(end) {
            return &rest[i + end.len()..];
        }
    }
    if rest.ends_with("\n---") {
        return "";
    }
    text
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn links_images_comments_and_urls_are_left_out() {
        let md = "---\ntitle: x\nsummary: 一句话\n---\n# 备份到 S3\n\n先看[权限说明](https://example.com/perm.md)，再配置 ![架构图](img/arch.png)。\n\n<!-- 内部备注：不要索引 -->\n\n详见 https://docs.example.com/br 。\n\n- 第一步 `kubectl apply`\n- 第二步\n\n| 参数 | 含义 |\n|---|---|\n| s3 | 存储 |\n";
        let p = plain(md);
        assert!(p.starts_with("备份到 S3\n"), "{p}");
        assert!(p.contains("先看权限说明，再配置 架构图。"), "{p}");
        assert!(
            !p.contains("https") && !p.contains("perm.md") && !p.contains("img/"),
            "{p}"
        );
        assert!(!p.contains("内部备注") && !p.contains("summary"), "{p}");
        assert!(p.contains("第一步 kubectl apply"), "{p}");
        assert!(p.contains("参数") && p.contains("存储"), "{p}");
        assert!(
            !p.contains('|') && !p.contains('#') && !p.contains("**"),
            "{p}"
        );
    }

    #[test]
    fn plain_text_stays_as_it_is() {
        assert_eq!(plain("派工原则是轮流。"), "派工原则是轮流。");
        assert_eq!(plain(""), "");
    }
}
