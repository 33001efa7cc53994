//! Inline SVG plots for the HTML report: no script, no external resource. Every label is
//! escaped; numbers are written with fixed decimals so the page is the same bytes on every run.

use std::fmt::Write;

use super::html::esc;

const W: f64 = 560.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 42.0;
const SAMPLE: &str = "#c0392b";
const OTHERS: &str = "#7f8c8d";
const BAR: &str = "#2c7fb8";

fn open(h: f64, title: &str, class: &str) -> String {
    format!(
        r##"<svg class="plot {class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W:.0} {h:.0}" width="{W:.0}" height="{h:.0}" role="img" aria-label="{t}"><title>{t}</title><rect x="0" y="0" width="{W:.0}" height="{h:.0}" fill="#ffffff"/><text x="{x:.1}" y="16" class="ptitle">{t}</text>"##,
        t = esc(title),
        x = LEFT,
    )
}

/// "Nice" tick values covering [lo, hi].
fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let raw = span / n as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut v = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while v <= hi + step * 1e-9 {
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        v += step;
    }
    out
}

fn label(v: f64) -> String {
    crate::io::output::fmt_num(v, 3)
}

fn x_axis(s: &mut String, y: f64, lo: f64, hi: f64, x: impl Fn(f64) -> f64, text: &str) {
    let _ = write!(
        s,
        r#"<line x1="{LEFT:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="axis"/>"#,
        W - RIGHT
    );
    for t in ticks(lo, hi, 5) {
        let _ = write!(
            s,
            r#"<line x1="{0:.1}" y1="{y:.1}" x2="{0:.1}" y2="{1:.1}" class="axis"/><text x="{0:.1}" y="{2:.1}" class="tick" text-anchor="middle">{3}</text>"#,
            x(t),
            y + 4.0,
            y + 16.0,
            label(t)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" class="alabel" text-anchor="middle">{}</text>"#,
        (LEFT + W - RIGHT) / 2.0,
        y + 34.0,
        esc(text)
    );
}

fn empty_note(s: &mut String, h: f64, note: &str) {
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" class="note" text-anchor="middle">{}</text>"#,
        W / 2.0,
        h / 2.0,
        esc(note)
    );
}

/// Histogram of `values` over [lo, hi] in `bins` bins.
pub fn histogram(
    values: &[f64],
    lo: f64,
    hi: f64,
    bins: usize,
    title: &str,
    xlabel: &str,
) -> String {
    let h = 240.0;
    let mut s = open(h, title, "histogram");
    let mut counts = vec![0u64; bins];
    for v in values.iter().filter(|v| v.is_finite()) {
        let i = (((v - lo) / (hi - lo)) * bins as f64).floor();
        counts[(i.max(0.0) as usize).min(bins - 1)] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let plot_h = h - TOP - BOTTOM;
    let x = |v: f64| LEFT + (v - lo) / (hi - lo) * (W - LEFT - RIGHT);
    let bw = (W - LEFT - RIGHT) / bins as f64;
    for (i, c) in counts.iter().enumerate() {
        if *c == 0 {
            continue;
        }
        let bh = *c as f64 / max * plot_h;
        let _ = write!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}" fill="{BAR}"><title>{}</title></rect>"#,
            LEFT + i as f64 * bw + 0.5,
            TOP + plot_h - bh,
            (bw - 1.0).max(0.5),
            c
        );
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">0</text>"#,
        LEFT - 6.0,
        TOP + 4.0,
        max as u64,
        LEFT - 6.0,
        TOP + plot_h
    );
    if values.is_empty() {
        empty_note(&mut s, h, "no counted variant with a VAF");
    }
    let _ = write!(
        s,
        r#"<text x="14" y="{:.1}" class="alabel" text-anchor="middle" transform="rotate(-90 14 {0:.1})">variants</text>"#,
        TOP + plot_h / 2.0
    );
    x_axis(&mut s, TOP + plot_h, lo, hi, x, xlabel);
    s.push_str("</svg>");
    s
}

/// One horizontal bar per sample, sorted by value, `highlight` in red, an optional dashed
/// reference line (value, label), optional interval whiskers per sample.
pub fn cohort_bars(
    points: &[(String, f64, Option<[f64; 2]>)],
    highlight: &str,
    reference: Option<(f64, &str)>,
    title: &str,
    xlabel: &str,
) -> String {
    let row = 18.0;
    let top = TOP + 14.0; // room for the reference line's label under the title
    let h = top + BOTTOM + row * points.len().max(1) as f64 + 8.0;
    let mut s = open(h, title, "cohort-bars");
    let mut sorted: Vec<&(String, f64, Option<[f64; 2]>)> = points.iter().collect();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let hi = points
        .iter()
        .map(|p| p.2.map_or(p.1, |ci| ci[1].max(p.1)))
        .chain(reference.map(|r| r.0))
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.05;
    let left = 120.0;
    let x = |v: f64| left + v / hi * (W - left - RIGHT);
    for (i, (name, v, ci)) in sorted.iter().enumerate() {
        let y = top + 4.0 + i as f64 * row;
        let colour = if name == highlight { SAMPLE } else { OTHERS };
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text><rect x="{left:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>{}: {}</title></rect>"#,
            left - 6.0,
            y + row * 0.7,
            esc(name),
            (x(*v) - left).max(0.5),
            row - 4.0,
            esc(name),
            label(*v)
        );
        if let Some([lo, up]) = ci {
            let cy = y + (row - 4.0) / 2.0;
            let _ = write!(
                s,
                r#"<line x1="{:.1}" y1="{cy:.1}" x2="{:.1}" y2="{cy:.1}" class="whisker"/>"#,
                x(*lo),
                x(*up)
            );
        }
    }
    let bottom = top + 4.0 + row * points.len().max(1) as f64;
    if let Some((v, text)) = reference {
        let _ = write!(
            s,
            r#"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" class="refline"/><text x="{0:.1}" y="{3:.1}" class="reflabel" text-anchor="middle">{4}</text>"#,
            x(v),
            top - 2.0,
            bottom,
            top - 5.0,
            esc(text)
        );
    }
    x_axis_custom(&mut s, bottom, hi, &x, left, xlabel);
    let _ = write!(
        s,
        r#"<text x="12" y="{0:.1}" class="alabel" text-anchor="middle" transform="rotate(-90 12 {0:.1})">sample</text>"#,
        (top + bottom) / 2.0
    );
    s.push_str("</svg>");
    s
}

fn x_axis_custom(s: &mut String, y: f64, hi: f64, x: &dyn Fn(f64) -> f64, left: f64, text: &str) {
    let _ = write!(
        s,
        r#"<line x1="{left:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="axis"/>"#,
        W - RIGHT
    );
    for t in ticks(0.0, hi, 5) {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
            x(t),
            y + 16.0,
            label(t)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" class="alabel" text-anchor="middle">{}</text>"#,
        (left + W - RIGHT) / 2.0,
        y + 34.0,
        esc(text)
    );
}

/// Log-log scatter of (mutant IC50, wild-type IC50) in nM, with the 500 nM binder lines and the
/// diagonal (points above it bind better as mutants).
pub fn ic50_scatter(points: &[(f64, f64)], title: &str) -> String {
    let h = 320.0;
    let mut s = open(h, title, "scatter");
    let (lo, hi) = (0.0f64, 5.0f64); // log10 nM: 1 nM .. 100,000 nM
    let plot_w = W - LEFT - RIGHT;
    let plot_h = h - TOP - BOTTOM;
    let x = |v: f64| LEFT + (v.max(1.0).log10().clamp(lo, hi) - lo) / (hi - lo) * plot_w;
    let y = |v: f64| TOP + plot_h - (v.max(1.0).log10().clamp(lo, hi) - lo) / (hi - lo) * plot_h;
    let _ = write!(
        s,
        r#"<line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" class="diag"/><line x1="{xb:.1}" y1="{y1:.1}" x2="{xb:.1}" y2="{y0:.1}" class="refline"/><line x1="{x0:.1}" y1="{yb:.1}" x2="{x1:.1}" y2="{yb:.1}" class="refline"/>"#,
        x0 = x(1.0),
        y0 = y(1.0),
        x1 = x(1e5),
        y1 = y(1e5),
        xb = x(500.0),
        yb = y(500.0),
    );
    for (mt, wt) in points {
        let _ = write!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{SAMPLE}" fill-opacity="0.7"><title>MT {} nM, WT {} nM</title></circle>"#,
            x(*mt),
            y(*wt),
            label(*mt),
            label(*wt)
        );
    }
    if points.is_empty() {
        empty_note(&mut s, h, "no candidate with both IC50 values");
    }
    let axis_y = TOP + plot_h;
    let _ = write!(
        s,
        r#"<line x1="{LEFT:.1}" y1="{axis_y:.1}" x2="{:.1}" y2="{axis_y:.1}" class="axis"/><line x1="{LEFT:.1}" y1="{TOP:.1}" x2="{LEFT:.1}" y2="{axis_y:.1}" class="axis"/>"#,
        W - RIGHT
    );
    for e in 0..=5 {
        let v = 10f64.powi(e);
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"#,
            x(v),
            axis_y + 16.0,
            label(v),
            LEFT - 6.0,
            y(v) + 4.0,
            label(v)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" class="alabel" text-anchor="middle">mutant IC50 (nM)</text><text x="14" y="{:.1}" class="alabel" text-anchor="middle" transform="rotate(-90 14 {2:.1})">wild-type IC50 (nM)</text>"#,
        (LEFT + W - RIGHT) / 2.0,
        axis_y + 34.0,
        TOP + plot_h / 2.0
    );
    s.push_str("</svg>");
    s
}

/// One row per signature: the cohort's scores as grey dots, this sample's as a red diamond.
/// Each row has its own scale (signatures are on different scales).
/// Long names would run off the left edge: keep the end (the cell type after
/// `Collection:`), marking the cut with an ellipsis; the full name is in the `<title>`.
fn short_label(name: &str, max: usize) -> String {
    let n = name.chars().count();
    if n <= max {
        return name.to_string();
    }
    let tail: String = name.chars().skip(n - (max - 1)).collect();
    format!("…{tail}")
}

pub fn signature_rows(rows: &[(String, Vec<f64>, Option<f64>)], title: &str) -> String {
    let row = 26.0;
    let h = TOP + 52.0 + row * rows.len().max(1) as f64;
    let mut s = open(h, title, "signature-rows");
    let left = 170.0;
    let span = W - left - RIGHT - 60.0;
    for (i, (name, cohort, value)) in rows.iter().enumerate() {
        let y = TOP + 12.0 + i as f64 * row;
        let all: Vec<f64> = cohort.iter().copied().chain(*value).collect();
        let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo.is_finite() && hi > lo {
            (lo, hi)
        } else {
            (lo - 1.0, lo + 1.0)
        };
        let x = |v: f64| left + (v - lo) / (hi - lo) * span;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="end"><title>{}</title>{}</text><line x1="{left:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="axis"/>"#,
            left - 6.0,
            y + 4.0,
            esc(name),
            esc(&short_label(name, 26)),
            left + span
        );
        for v in cohort {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{y:.1}" r="4" fill="{OTHERS}" fill-opacity="0.6"/>"#,
                x(*v)
            );
        }
        if let Some(v) = value {
            let cx = x(*v);
            let _ = write!(
                s,
                r#"<path d="M{cx:.1} {:.1} L{:.1} {y:.1} L{cx:.1} {:.1} L{:.1} {y:.1} Z" fill="{SAMPLE}"><title>{}: {}</title></path><text x="{:.1}" y="{:.1}" class="tick">{}</text>"#,
                y - 6.0,
                cx + 6.0,
                y + 6.0,
                cx - 6.0,
                esc(name),
                label(*v),
                left + span + 8.0,
                y + 4.0,
                label(*v)
            );
        }
    }
    if rows.is_empty() {
        empty_note(&mut s, h, "no signature scores");
    }
    // Each signature has its own unit (method): a row's axis runs from the lowest to the
    // highest score in the cohort and this sample; the sample's score is printed at the right.
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" class="alabel" text-anchor="middle">score in the signature's own unit; each row spans the cohort's lowest to highest</text><text x="12" y="{2:.1}" class="alabel" text-anchor="middle" transform="rotate(-90 12 {2:.1})">signature</text>"#,
        left + span / 2.0,
        h - 12.0,
        TOP + 12.0 + row * rows.len().max(1) as f64 / 2.0
    );
    s.push_str("</svg>");
    s
}

/// The training cross-validation's reliability curve (observed response rate against mean
/// predicted probability, per bin; dot area by count) with the diagonal of perfect calibration
/// and this sample's probability as a vertical line.
pub fn reliability(bins: &[(f64, f64, usize)], sample: Option<f64>, title: &str) -> String {
    let h = 320.0;
    let mut s = open(h, title, "reliability");
    let plot_w = W - LEFT - RIGHT;
    let plot_h = h - TOP - BOTTOM;
    let x = |v: f64| LEFT + v.clamp(0.0, 1.0) * plot_w;
    let y = |v: f64| TOP + plot_h - v.clamp(0.0, 1.0) * plot_h;
    let _ = write!(
        s,
        r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" class="diag"/>"#,
        x(0.0),
        y(0.0),
        x(1.0),
        y(1.0)
    );
    let max_n = bins.iter().map(|b| b.2).max().unwrap_or(1).max(1) as f64;
    for (pred, obs, n) in bins {
        let _ = write!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="{:.1}" fill="{OTHERS}" fill-opacity="0.8"><title>predicted {}, observed {} ({n} held-out predictions)</title></circle>"#,
            x(*pred),
            y(*obs),
            2.5 + 6.0 * (*n as f64 / max_n).sqrt(),
            fmt2(*pred),
            fmt2(*obs),
        );
    }
    if let Some(p) = sample {
        let _ = write!(
            s,
            r#"<line x1="{xp:.1}" y1="{:.1}" x2="{xp:.1}" y2="{:.1}" stroke="{SAMPLE}" stroke-width="2"><title>this sample: {}</title></line>"#,
            y(0.0),
            y(1.0),
            fmt2(p),
            xp = x(p),
        );
    }
    let axis_y = TOP + plot_h;
    let _ = write!(
        s,
        r#"<line x1="{LEFT:.1}" y1="{axis_y:.1}" x2="{:.1}" y2="{axis_y:.1}" class="axis"/><line x1="{LEFT:.1}" y1="{TOP:.1}" x2="{LEFT:.1}" y2="{axis_y:.1}" class="axis"/>"#,
        W - RIGHT
    );
    for i in 0..=5 {
        let v = i as f64 / 5.0;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"#,
            x(v),
            axis_y + 16.0,
            fmt2(v),
            LEFT - 6.0,
            y(v) + 4.0,
            fmt2(v)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" class="alabel" text-anchor="middle">predicted probability of response</text><text x="14" y="{:.1}" class="alabel" text-anchor="middle" transform="rotate(-90 14 {2:.1})">observed response rate</text>"#,
        (LEFT + W - RIGHT) / 2.0,
        axis_y + 34.0,
        TOP + plot_h / 2.0
    );
    s.push_str("</svg>");
    s
}

fn fmt2(v: f64) -> String {
    format!("{v:.2}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every plot has an x and a y axis title, and each rotated (y) title turns about its own
    /// anchor, so it stays inside the plot (the regression: the reliability plot's y title
    /// turned about the x title's height and left the picture).
    #[test]
    fn every_plot_has_both_axis_titles_in_view() {
        let plots = [
            histogram(&[0.2, 0.3, 0.35], 0.0, 1.0, 20, "t", "x title"),
            cohort_bars(
                &[
                    ("a".into(), 5.0, Some([2.0, 9.0])),
                    ("b".into(), 12.0, None),
                ],
                "a",
                Some((10.0, "10 /Mb")),
                "t",
                "mutations per Mb",
            ),
            ic50_scatter(&[(50.0, 800.0)], "t"),
            signature_rows(&[("CYT".into(), vec![1.0, 3.0], Some(2.0))], "t"),
            reliability(&[(0.2, 0.25, 40), (0.6, 0.55, 30)], Some(0.4), "t"),
        ];
        for svg in &plots {
            let titles: Vec<&str> = svg.split("class=\"alabel\"").skip(1).collect();
            assert!(titles.len() >= 2, "{svg}");
            let mut rotated = 0;
            for text in svg.split("<text ").skip(1) {
                let Some(r) = text.find("rotate(-90 ") else {
                    continue;
                };
                let end = text.find('>').unwrap();
                if r > end {
                    continue;
                }
                rotated += 1;
                let attr = |name: &str| -> f64 {
                    let i = text.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                    text[i..i + text[i..].find('"').unwrap()].parse().unwrap()
                };
                let centre: Vec<f64> = text[r + 11..r + text[r..].find(')').unwrap()]
                    .split(' ')
                    .map(|v| v.parse().unwrap())
                    .collect();
                assert_eq!(centre, vec![attr("x"), attr("y")], "{text}");
                let (_, h) = (W, svg_height(svg));
                assert!(attr("y") > 0.0 && attr("y") < h, "{text}");
            }
            assert_eq!(rotated, 1, "one y-axis title: {svg}");
        }
    }

    fn svg_height(svg: &str) -> f64 {
        let i = svg.find(" height=\"").unwrap() + 9;
        svg[i..i + svg[i..].find('"').unwrap()].parse().unwrap()
    }

    #[test]
    fn long_signature_names_keep_their_end() {
        assert_eq!(short_label("CYT_Rooney2015", 26), "CYT_Rooney2015");
        let s = short_label("MCPcounter_Becht2016:Monocytic lineage", 26);
        assert_eq!(s.chars().count(), 26);
        assert!(
            s.starts_with('…') && s.ends_with("Monocytic lineage"),
            "{s}"
        );
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            ticks(0.0, 1.0, 5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(ticks(0.0, 50.0, 5), vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
    }

    #[test]
    fn histogram_puts_values_in_bins() {
        // 0.25 and 0.3 fall in bin 5 of 20 (0.25-0.30); 1.0 in the last bin.
        let svg = histogram(&[0.25, 0.26, 1.0], 0.0, 1.0, 20, "VAF", "VAF");
        assert_eq!(svg.matches("<rect x=").count(), 2 + 1, "{svg}");
        assert!(svg.contains("<title>2</title>"));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = cohort_bars(
            &[("<b>x</b>".into(), 3.0, None)],
            "<b>x</b>",
            Some((10.0, "10/Mb")),
            "t",
            "x",
        );
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("&lt;b&gt;x&lt;/b&gt;"));
    }
}
