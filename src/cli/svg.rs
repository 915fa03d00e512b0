//! Charts as inline SVG text: columns (grouped or stacked), horizontal bars and lines, with
//! a title, a description, axes and a legend. Pure: numbers in, markup out, fixed decimals,
//! so the same numbers give the same bytes. Readable in grey: the palette's grey levels are
//! far apart, every bar has a dark outline, and lines differ by dash and marker too.

use std::fmt::Write as _;

/// Fill colours, from dark to light; each differs from the next by at least 35 grey levels
/// (a unit test holds it), so a black-and-white print keeps the series apart.
pub const PALETTE: [&str; 5] = ["#0b2545", "#1b7f79", "#d9731a", "#86c5da", "#f6e8a6"];
/// Dash patterns of the line series, in palette order.
const DASHES: [&str; 5] = ["", "6 3", "2 3", "8 3 2 3", "1 2"];

/// One series of a chart: a name for the legend and one value per label (`None`: no data).
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// Text for SVG and HTML: `& < > " '` escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A round upper bound for the axis (1, 2 or 5 times a power of ten) and its tick step.
fn scale(max: f64) -> (f64, f64) {
    if max.is_nan() || max <= 0.0 || !max.is_finite() {
        return (1.0, 0.25);
    }
    let mag = 10f64.powf(max.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * mag >= max {
            let top = m * mag;
            return (top, top / if m == 1.0 || m == 10.0 { 5.0 } else { 4.0 });
        }
    }
    (10.0 * mag, 2.0 * mag)
}

/// A number as an axis or label shows it: no decimals when whole, else one.
fn num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

const W: f64 = 640.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;

fn open(out: &mut String, id: &str, title: &str, desc: &str, height: f64) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W:.0} {height:.0}\" \
         role=\"img\" aria-labelledby=\"{id}-t {id}-d\" class=\"chart\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc)
    );
}

/// The legend as a row of swatches under the plot.
fn legend(out: &mut String, series: &[Series], y: f64, lines: bool) {
    if series.len() < 2 {
        return;
    }
    let mut x = LEFT;
    for (i, s) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        if lines {
            let _ = write!(
                out,
                "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"2.5\" stroke-dasharray=\"{}\"/>",
                y - 4.0,
                x + 18.0,
                y - 4.0,
                DASHES[i % DASHES.len()]
            );
        } else {
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{colour}\" stroke=\"#222\" stroke-width=\"0.8\"/>",
                y - 10.0
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{y:.1}\" class=\"legend\">{}</text>",
            x + 22.0,
            escape(&s.name)
        );
        x += 30.0 + 7.0 * s.name.chars().count() as f64;
    }
}

/// The y axis: grid lines and tick labels from 0 to `top`.
fn y_axis(out: &mut String, top: f64, step: f64, plot_h: f64, unit: &str) {
    let mut v = 0.0;
    while v <= top + 1e-9 {
        let y = TOP + plot_h - v / top * plot_h;
        let _ = write!(
            out,
            "<line x1=\"{LEFT:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" class=\"grid\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"end\">{}{}</text>",
            W - RIGHT,
            LEFT - 4.0,
            y + 4.0,
            num(v),
            escape(unit)
        );
        v += step;
    }
}

/// Columns per label: side by side (grouped) or one on another (stacked).
pub fn columns(
    id: &str,
    title: &str,
    desc: &str,
    labels: &[String],
    series: &[Series],
    stacked: bool,
) -> String {
    let plot_h = 180.0;
    let height = TOP + plot_h + 24.0 + if series.len() > 1 { 24.0 } else { 0.0 };
    let max = (0..labels.len())
        .map(|i| {
            let vals = series
                .iter()
                .map(|s| s.values.get(i).copied().flatten().unwrap_or(0.0));
            if stacked {
                vals.sum()
            } else {
                vals.fold(0.0, f64::max)
            }
        })
        .fold(0.0, f64::max);
    let (top, step) = scale(max);
    let mut out = String::new();
    open(&mut out, id, title, desc, height);
    y_axis(&mut out, top, step, plot_h, "");
    let slot = (W - LEFT - RIGHT) / labels.len().max(1) as f64;
    let groups = if stacked { 1 } else { series.len().max(1) };
    let bar_w = (slot * 0.7 / groups as f64).min(40.0);
    for (i, label) in labels.iter().enumerate() {
        let x0 = LEFT + slot * i as f64 + (slot - bar_w * groups as f64) / 2.0;
        let mut base = 0.0;
        for (k, s) in series.iter().enumerate() {
            let Some(v) = s.values.get(i).copied().flatten() else {
                continue;
            };
            let h = v / top * plot_h;
            let (x, y) = if stacked {
                (x0, TOP + plot_h - (base + v) / top * plot_h)
            } else {
                (x0 + bar_w * k as f64, TOP + plot_h - h)
            };
            base += v;
            if v > 0.0 {
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\" fill=\"{}\" stroke=\"#222\" stroke-width=\"0.8\"><title>{}: {} {}</title></rect>",
                    PALETTE[k % PALETTE.len()],
                    escape(label),
                    escape(&s.name),
                    num(v)
                );
            }
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
            LEFT + slot * (i as f64 + 0.5),
            TOP + plot_h + 16.0,
            escape(label)
        );
    }
    legend(&mut out, series, TOP + plot_h + 42.0, false);
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one row per label (names, titles), series side by side.
pub fn bars(id: &str, title: &str, desc: &str, labels: &[String], series: &[Series]) -> String {
    let label_w = 170.0;
    let row_h = 10.0 + 12.0 * series.len().max(1) as f64;
    let plot_h = row_h * labels.len().max(1) as f64;
    let height = TOP + plot_h + 24.0 + if series.len() > 1 { 24.0 } else { 0.0 };
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0f64, |a, &b| a.max(b));
    let (top, step) = scale(max);
    let plot_w = W - RIGHT - label_w;
    let mut out = String::new();
    open(&mut out, id, title, desc, height);
    let mut v = 0.0;
    while v <= top + 1e-9 {
        let x = label_w + v / top * plot_w;
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{TOP:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" class=\"grid\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
            TOP + plot_h,
            TOP + plot_h + 16.0,
            num(v)
        );
        v += step;
    }
    for (i, label) in labels.iter().enumerate() {
        let y0 = TOP + row_h * i as f64 + 5.0;
        let shown: String = if label.chars().count() > 24 {
            label.chars().take(23).chain(['…']).collect()
        } else {
            label.clone()
        };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"end\">{}</text>",
            label_w - 6.0,
            y0 + 6.0 * series.len().max(1) as f64 + 4.0,
            escape(&shown)
        );
        for (k, s) in series.iter().enumerate() {
            let Some(v) = s.values.get(i).copied().flatten() else {
                continue;
            };
            let _ = write!(
                out,
                "<rect x=\"{label_w:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"11\" fill=\"{}\" stroke=\"#222\" stroke-width=\"0.8\"><title>{}: {} {}</title></rect>",
                y0 + 12.0 * k as f64,
                v / top * plot_w,
                PALETTE[k % PALETTE.len()],
                escape(label),
                escape(&s.name),
                num(v)
            );
        }
    }
    legend(&mut out, series, TOP + plot_h + 42.0, false);
    out.push_str("</svg>");
    out
}

/// Lines over the labels (weeks); a gap where a value is `None`. `max` fixes the top of
/// the axis (100 for percentages).
pub fn lines(
    id: &str,
    title: &str,
    desc: &str,
    labels: &[String],
    series: &[Series],
    max: Option<f64>,
    unit: &str,
) -> String {
    let plot_h = 180.0;
    let height = TOP + plot_h + 24.0 + if series.len() > 1 { 24.0 } else { 0.0 };
    let (top, step) = match max {
        Some(m) => (m, m / 4.0),
        None => scale(
            series
                .iter()
                .flat_map(|s| s.values.iter().flatten())
                .fold(0.0f64, |a, &b| a.max(b)),
        ),
    };
    let mut out = String::new();
    open(&mut out, id, title, desc, height);
    y_axis(&mut out, top, step, plot_h, unit);
    let slot = (W - LEFT - RIGHT) / labels.len().max(1) as f64;
    let x_of = |i: usize| LEFT + slot * (i as f64 + 0.5);
    let y_of = |v: f64| TOP + plot_h - v.clamp(0.0, top) / top * plot_h;
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
            x_of(i),
            TOP + plot_h + 16.0,
            escape(label)
        );
    }
    for (k, s) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        // One path per run of values without a gap.
        let mut d = String::new();
        let mut pen_down = false;
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1} {:.1} ",
                        if pen_down { "L" } else { "M" },
                        x_of(i),
                        y_of(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !d.is_empty() {
            let _ = write!(
                out,
                "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" stroke-dasharray=\"{}\"/>",
                d.trim_end(),
                DASHES[k % DASHES.len()]
            );
        }
        for (i, v) in s.values.iter().enumerate() {
            let Some(v) = v else { continue };
            let (x, y) = (x_of(i), y_of(*v));
            let tip = format!("{}: {} {}{}", labels[i], s.name, num(*v), unit);
            // Circles for the first series, squares for the second, and so on: apart
            // without colour.
            if k % 2 == 0 {
                let _ = write!(
                    out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{colour}\" stroke=\"#222\"><title>{}</title></circle>",
                    escape(&tip)
                );
            } else {
                let _ = write!(
                    out,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" fill=\"{colour}\" stroke=\"#222\"><title>{}</title></rect>",
                    x - 3.5,
                    y - 3.5,
                    escape(&tip)
                );
            }
        }
    }
    legend(&mut out, series, TOP + plot_h + 42.0, true);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grey(hex: &str) -> f64 {
        let c = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap());
        0.299 * c(1) + 0.587 * c(3) + 0.114 * c(5)
    }

    #[test]
    fn the_palette_stays_apart_in_grey() {
        for pair in PALETTE.windows(2) {
            assert!(grey(pair[1]) - grey(pair[0]) >= 35.0, "{pair:?}");
        }
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(scale(0.0), (1.0, 0.25));
        assert_eq!(scale(7.0), (10.0, 2.0));
        assert_eq!(scale(13.0), (20.0, 5.0));
        assert_eq!(scale(41.0), (50.0, 12.5));
        assert_eq!(scale(100.0), (100.0, 20.0));
        assert_eq!(scale(f64::NAN), (1.0, 0.25));
    }

    #[test]
    fn charts_are_labelled_images_with_escaped_text() {
        let labels = vec!["W45".to_string(), "<W46>".to_string()];
        let series = vec![
            Series {
                name: "方案 & RFP".into(),
                values: vec![Some(3.0), Some(1.0)],
            },
            Series {
                name: "demo".into(),
                values: vec![None, Some(2.0)],
            },
        ];
        for svg in [
            columns("c", "Intake <by type>", "d", &labels, &series, true),
            columns("c", "Intake <by type>", "d", &labels, &series, false),
            bars("c", "Intake <by type>", "d", &labels, &series),
            lines(
                "c",
                "Intake <by type>",
                "d",
                &labels,
                &series,
                Some(100.0),
                "%",
            ),
        ] {
            assert!(
                svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
                "{svg}"
            );
            assert!(svg.contains("role=\"img\""));
            assert!(svg.contains("<title id=\"c-t\">Intake &lt;by type&gt;</title>"));
            assert!(svg.contains("方案 &amp; RFP"));
            assert!(!svg.contains("<W46>"));
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
            assert!(svg.ends_with("</svg>"));
        }
        // Stacked: the second week's two values sit one on the other, up to 3 of 5.
        let stacked = columns("c", "t", "d", &labels, &series, true);
        assert_eq!(
            stacked.matches("<rect").count(),
            3 + 2,
            "3 bars, 2 legend swatches"
        );
        // A gap in a line series starts a new path segment.
        let gapped = lines(
            "l",
            "t",
            "d",
            &["a".into(), "b".into(), "c".into()],
            &[Series {
                name: "x".into(),
                values: vec![Some(1.0), None, Some(2.0)],
            }],
            None,
            "",
        );
        let path = gapped
            .split("<path d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(path.matches('M').count(), 2, "{path}");
        assert_eq!(path.matches('L').count(), 0, "{path}");
    }

    #[test]
    fn the_same_numbers_give_the_same_bytes() {
        let labels = vec!["a".to_string()];
        let s = || {
            vec![Series {
                name: "x".into(),
                values: vec![Some(1.0 / 3.0)],
            }]
        };
        assert_eq!(
            bars("b", "t", "d", &labels, &s()),
            bars("b", "t", "d", &labels, &s())
        );
        assert!(bars("b", "t", "d", &labels, &s()).contains("<title>a: x 0.3</title>"));
    }
}
