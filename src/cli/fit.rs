//! Fitting text to a terminal's width: which table columns shrink and by how much, cutting
//! a cell with `…` at a display-width boundary, and wrapping prose. Pure: the width comes in
//! as an argument (`output` decides it once per run).

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// What a table costs beside its cells: one space before each cell and two after each but
/// the last; the header rule spans it all (`sum(widths) + 3n - 1`).
pub fn overhead(columns: usize) -> usize {
    (3 * columns).saturating_sub(1)
}

/// Columns of free text (titles, names, details): the first to shrink.
fn is_free_text(header: &str) -> bool {
    matches!(
        header,
        "TITLE"
            | "NAME"
            | "CUSTOMER"
            | "DETAIL"
            | "SNIPPET"
            | "SUMMARY"
            | "NOTE"
            | "NOTES"
            | "REASON"
            | "DECISION"
            | "COMPETITOR"
            | "COMPETITORS"
            | "INDUSTRY"
            | "REGION"
            | "AVAILABILITY"
            | "SKILLS"
            | "COMMENTS"
            | "FEEDBACK"
            | "NEXT"
            | "OLDEST"
            | "PRODUCTS"
            | "CONTACTS"
    )
}

/// Columns that hold what a user types next (an ID): never cut, or it stops working.
fn is_key(header: &str) -> bool {
    matches!(
        header,
        "ID" | "REQUEST" | "ARTICLE" | "GAP" | "SOLUTION" | "CUSTOMER ID"
    )
}

/// The widths the columns get so the table fits in `width` display columns. `natural` are
/// the widest cells (header included). Free-text columns shrink first, the widest first,
/// down to a floor of 8 (or the header); if that is not enough, every column but the IDs
/// shrinks, down to its header's width; then down to 3 columns, headers cut too (a table
/// that overflows a terminal wraps every line, which is worse than a cut header). A table
/// whose IDs alone are too wide keeps those floors and overflows.
pub fn column_widths(headers: &[&str], natural: &[usize], width: usize) -> Vec<usize> {
    let mut widths = natural.to_vec();
    let budget = width.saturating_sub(overhead(headers.len()));
    let tiers: [Box<dyn Fn(usize) -> Option<usize>>; 3] = [
        Box::new(|i: usize| is_free_text(headers[i]).then(|| headers[i].width().max(8))),
        Box::new(|i: usize| (!is_key(headers[i])).then(|| headers[i].width().max(1))),
        Box::new(|i: usize| (!is_key(headers[i])).then_some(3)),
    ];
    for floor in tiers {
        let floors: Vec<Option<usize>> = (0..headers.len()).map(&floor).collect();
        // Take one column from the widest shrinkable column at a time: the widest end up
        // equal, which reads better than cutting one column to nothing.
        while widths.iter().sum::<usize>() > budget {
            let widest = (0..widths.len())
                .filter(|&i| floors[i].is_some_and(|f| widths[i] > f))
                .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
            match widest {
                Some(i) => widths[i] -= 1,
                None => break,
            }
        }
    }
    widths
}

/// `text` cut to at most `width` display columns, ending in `…` when cut. A wide (CJK)
/// character that would cross the boundary is left out whole, never split.
pub fn truncate(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width && !text.contains('\n') {
        return Cow::Borrowed(text);
    }
    if text.contains('\n') {
        let lines: Vec<String> = text
            .lines()
            .map(|l| truncate(l, width).into_owned())
            .collect();
        return Cow::Owned(lines.join("\n"));
    }
    if width == 0 {
        return Cow::Owned(String::new());
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

/// Cells of a row cut to the column widths.
pub fn fit_row(mut row: Vec<String>, widths: &[usize]) -> Vec<String> {
    row.truncate(widths.len());
    fit_cells(&mut row, widths);
    row
}

/// [`fit_row`] in place: each cell cut to its column's width, a new string only for a
/// cell that is cut.
pub fn fit_cells(cells: &mut [String], widths: &[usize]) {
    for (c, &w) in cells.iter_mut().zip(widths) {
        if let Cow::Owned(s) = truncate(c, w) {
            *c = s;
        }
    }
}

/// Prose wrapped at spaces to `width` display columns; a word longer than a line (Chinese
/// text has no spaces) is broken between characters. The continuation lines keep the first
/// line's indentation (`- ` of a bullet is indented by two).
pub fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        wrap_line(line, width.max(indent + 10), indent, &mut out);
    }
    out
}

fn wrap_line(line: &str, width: usize, indent: usize, out: &mut String) {
    if line.width() <= width {
        out.push_str(line);
        return;
    }
    let pad = " ".repeat(indent);
    let mut used = 0;
    let mut first = true;
    let newline = |out: &mut String, used: &mut usize| {
        let kept = out.trim_end_matches(' ').len();
        out.truncate(kept);
        out.push('\n');
        out.push_str(&pad);
        *used = indent;
    };
    for word in line.split(' ') {
        let w = word.width();
        if !first {
            if used + 1 + w <= width {
                out.push(' ');
                used += 1;
            } else {
                newline(out, &mut used);
            }
        }
        first = false;
        if used + w <= width {
            out.push_str(word);
            used += w;
            continue;
        }
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > width && used > indent {
                newline(out, &mut used);
            }
            out.push(c);
            used += cw;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_display_boundary_and_never_splits_a_wide_character() {
        assert_eq!(truncate("智慧园区网络改造", 16), "智慧园区网络改造");
        assert_eq!(truncate("智慧园区网络改造", 9), "智慧园区…");
        assert_eq!(truncate("智慧园区网络改造", 8), "智慧园…");
        assert_eq!(truncate("SD-WAN 组网", 8), "SD-WAN …");
        assert_eq!(truncate("abcdef", 3), "ab…");
        assert_eq!(truncate("abc", 1), "…");
        assert_eq!(truncate("abc", 0), "");
        for w in 1..20 {
            let t = truncate("ＡＰＩ 网关 and café 园区", w);
            assert!(t.width() <= w, "{w}: {t}");
        }
    }

    #[test]
    fn free_text_shrinks_first_and_ids_never() {
        let headers = ["ID", "STAGE", "TITLE", "CUSTOMER"];
        let natural = [20, 8, 40, 30];
        let w = column_widths(&headers, &natural, 80);
        assert_eq!(w.iter().sum::<usize>() + overhead(4), 80, "{w:?}");
        assert_eq!(&w[..2], &[20, 8]);
        // The widest shrink first, to equal widths.
        assert!(w[2].abs_diff(w[3]) <= 1, "{w:?}");
        // A table that fits is left alone.
        assert_eq!(
            column_widths(&headers, &[20, 8, 10, 10], 80),
            [20, 8, 10, 10]
        );
    }

    #[test]
    fn other_columns_shrink_when_free_text_is_not_enough() {
        let headers = ["WHAT", "ID", "STAGE", "DETAIL", "TITLE", "NEXT"];
        let natural = [8, 20, 8, 36, 36, 34];
        let w = column_widths(&headers, &natural, 80);
        assert!(w.iter().sum::<usize>() + overhead(6) <= 80, "{w:?}");
        assert_eq!(w[1], 20, "the ID stays whole");
        // Too narrow for anything: the floors, and an overflow rather than nothing.
        let w = column_widths(&headers, &natural, 10);
        assert_eq!(w, [3, 20, 3, 3, 3, 3]);
        // Headers are cut last, when nothing else is left.
        let headers = ["MEMBER", "FIRST RESPONSE", "RESOLUTION", "TITLE"];
        let w = column_widths(&headers, &[8, 18, 18, 30], 60);
        assert_eq!(w, [8, 16, 17, 8]);
    }

    #[test]
    fn prose_wraps_at_spaces_and_between_chinese_characters() {
        assert_eq!(wrap("one two three four", 10, 0), "one two\nthree four");
        assert_eq!(
            wrap("- one two three four", 12, 2),
            "- one two\n  three four"
        );
        let zh = "派工原则是轮流按顺序分配给具备所需技能且不在休假中的工程师";
        let wrapped = wrap(zh, 20, 0);
        for line in wrapped.lines() {
            assert!(line.width() <= 20, "{line}");
        }
        assert_eq!(wrapped.replace('\n', ""), zh);
        assert_eq!(wrap("short", 80, 0), "short");
    }
}
