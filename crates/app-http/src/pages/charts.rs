//! Charts drawn on the server as SVG: no charting runtime in the browser. Each chart is an
//! image with a title and a description for assistive technology (`role="img"`, labelled by
//! its `<title>` and `<desc>`), labelled axes, and a `<title>` on every mark so a pointer shows
//! its figure; the page puts the same figures in a table beside it. Colours come from classes
//! the stylesheet sets (light and dark), never from inline styles, so the page's CSP holds.
//!
//! Every text drawn is escaped here: agent and category names reach the SVG as data.

use std::fmt::Write as _;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 48.0;

/// `text` escaped for SVG (XML) content and attribute values.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// How a chart's values read: counts, percentages or durations (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Percent,
    Seconds,
}

impl Unit {
    /// A value as the axis and the marks' titles show it.
    #[must_use]
    pub fn show(self, v: f64) -> String {
        match self {
            Self::Count => format!("{}", v.round() as i64),
            Self::Percent => format!("{v:.1} %"),
            Self::Seconds => duration(v),
        }
    }
}

/// Seconds as the shortest readable duration: "45 s", "12 min", "3.5 h", "2.1 d".
#[must_use]
pub fn duration(secs: f64) -> String {
    if secs < 60.0 {
        format!("{} s", secs.round() as i64)
    } else if secs < 3_600.0 {
        format!("{} min", (secs / 60.0).round() as i64)
    } else if secs < 172_800.0 {
        trim(secs / 3_600.0, "h")
    } else {
        trim(secs / 86_400.0, "d")
    }
}

fn trim(v: f64, unit: &str) -> String {
    let s = format!("{v:.1}");
    format!("{} {unit}", s.strip_suffix(".0").unwrap_or(&s))
}

/// A round step for about five gridlines up to `max`.
fn step(max: f64, unit: Unit) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    if unit == Unit::Seconds {
        // Steps people read as durations.
        const STEPS: [f64; 16] = [
            1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0, 1_800.0, 3_600.0, 7_200.0, 14_400.0,
            21_600.0, 43_200.0, 86_400.0, 172_800.0, 604_800.0,
        ];
        return STEPS
            .iter()
            .copied()
            .find(|s| max / s <= 6.0)
            .unwrap_or_else(|| (max / 5.0 / 604_800.0).ceil() * 604_800.0);
    }
    let raw = max / 5.0;
    let magnitude = 10_f64.powf(raw.log10().floor());
    let n = raw / magnitude;
    let nice = if n <= 1.0 {
        1.0
    } else if n <= 2.0 {
        2.0
    } else if n <= 5.0 {
        5.0
    } else {
        10.0
    };
    let s = nice * magnitude;
    if unit == Unit::Count { s.max(1.0) } else { s }
}

/// One line or set of bars.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    /// The stylesheet's class for its colour: `s1` … `s4`.
    pub class: &'static str,
    /// One value per label; `None` where there is nothing to show.
    pub values: Vec<Option<f64>>,
}

struct Frame {
    id: String,
    labels: Vec<String>,
    max: f64,
    unit: Unit,
}

impl Frame {
    fn plot_w(&self) -> f64 {
        WIDTH - LEFT - RIGHT
    }

    fn plot_h() -> f64 {
        HEIGHT - TOP - BOTTOM
    }

    fn y(&self, v: f64) -> f64 {
        TOP + Self::plot_h() * (1.0 - v / self.max)
    }

    fn slot(&self) -> f64 {
        self.plot_w() / self.labels.len().max(1) as f64
    }

    fn x_center(&self, i: usize) -> f64 {
        LEFT + self.slot() * (i as f64 + 0.5)
    }

    /// The opening tag, title, description, gridlines and both axes with their labels.
    fn open(&self, out: &mut String, title: &str, desc: &str, x_label: &str, y_label: &str) {
        let id = &self.id;
        let _ = write!(
            out,
            r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
            escape(title),
            escape(desc)
        );
        let step = step(self.max, self.unit);
        let mut v = 0.0;
        while v <= self.max + step * 1e-9 {
            let y = self.y(v);
            let _ = write!(
                out,
                r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                WIDTH - RIGHT,
                LEFT - 6.0,
                y + 4.0,
                escape(&self.unit.show(v))
            );
            v += step;
        }
        // At most about twelve labels under the axis.
        let every = self.labels.len().div_ceil(12).max(1);
        for (i, label) in self.labels.iter().enumerate() {
            if i % every == 0 {
                let _ = write!(
                    out,
                    r#"<text class="tick" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                    self.x_center(i),
                    HEIGHT - BOTTOM + 16.0,
                    escape(label)
                );
            }
        }
        let _ = write!(
            out,
            r#"<line class="axis" x1="{LEFT}" x2="{}" y1="{}" y2="{}"/><text class="axis-label" x="{}" y="{}" text-anchor="middle">{}</text><text class="axis-label" x="14" y="{}" text-anchor="middle" transform="rotate(-90 14 {})">{}</text>"#,
            WIDTH - RIGHT,
            HEIGHT - BOTTOM,
            HEIGHT - BOTTOM,
            LEFT + self.plot_w() / 2.0,
            HEIGHT - 8.0,
            escape(x_label),
            TOP + Self::plot_h() / 2.0,
            TOP + Self::plot_h() / 2.0,
            escape(y_label)
        );
    }
}

fn frame(id: &str, labels: &[String], series: &[Series], unit: Unit) -> Frame {
    let top = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0_f64, |m, v| m.max(*v));
    let max = if unit == Unit::Percent {
        100.0
    } else {
        let s = step(top, unit);
        ((top / s).ceil() * s).max(s)
    };
    Frame {
        id: id.to_owned(),
        labels: labels.to_vec(),
        max,
        unit,
    }
}

/// A legend under the title when there is more than one series.
fn legend(out: &mut String, series: &[Series]) {
    if series.len() < 2 {
        return;
    }
    let mut x = LEFT;
    for s in series {
        let _ = write!(
            out,
            r#"<rect class="key {}" x="{x:.1}" y="2" width="10" height="10"/><text class="tick" x="{:.1}" y="11">{}</text>"#,
            s.class,
            x + 14.0,
            escape(&s.name)
        );
        x += 24.0 + 7.0 * s.name.chars().count() as f64;
    }
}

/// Labels and series as a chart of vertical bars (the first series) with lines over them (the
/// rest), e.g. tickets opened per day with the backlog.
#[must_use]
pub fn bars(
    id: &str,
    texts: (&str, &str),
    axes: (&str, &str),
    labels: &[String],
    series: &[Series],
    unit: Unit,
) -> String {
    draw(id, (texts, axes), labels, series, unit, true)
}

/// Labels and series as lines with a point per value.
#[must_use]
pub fn lines(
    id: &str,
    texts: (&str, &str),
    axes: (&str, &str),
    labels: &[String],
    series: &[Series],
    unit: Unit,
) -> String {
    draw(id, (texts, axes), labels, series, unit, false)
}

/// A chart with axes: the first series as bars when `first_as_bars`, the others as lines.
fn draw(
    id: &str,
    ((title, desc), (x_label, y_label)): ((&str, &str), (&str, &str)),
    labels: &[String],
    series: &[Series],
    unit: Unit,
    first_as_bars: bool,
) -> String {
    let f = frame(id, labels, series, unit);
    let mut out = String::new();
    f.open(&mut out, title, desc, x_label, y_label);
    let mut rest = series.iter();
    if first_as_bars && let Some(first) = rest.next() {
        let width = (f.slot() * 0.7).max(1.0);
        for (i, v) in first.values.iter().enumerate() {
            let Some(v) = v else { continue };
            let y = f.y(*v);
            let _ = write!(
                out,
                r#"<rect class="{}" x="{:.1}" y="{y:.1}" width="{width:.1}" height="{:.1}"><title>{}: {}</title></rect>"#,
                first.class,
                f.x_center(i) - width / 2.0,
                (HEIGHT - BOTTOM - y).max(0.0),
                escape(labels.get(i).map_or("", String::as_str)),
                escape(&unit.show(*v))
            );
        }
    }
    for s in rest {
        polyline(&mut out, &f, s, labels);
    }
    legend(&mut out, series);
    out.push_str("</svg>");
    out
}

fn polyline(out: &mut String, f: &Frame, s: &Series, labels: &[String]) {
    // A gap where a value is missing: one polyline per run of values.
    let mut run: Vec<String> = Vec::new();
    let flush = |out: &mut String, run: &mut Vec<String>| {
        if run.len() > 1 {
            let _ = write!(
                out,
                r#"<polyline class="line {}" points="{}"/>"#,
                s.class,
                run.join(" ")
            );
        }
        run.clear();
    };
    for (i, v) in s.values.iter().enumerate() {
        match v {
            Some(v) => run.push(format!("{:.1},{:.1}", f.x_center(i), f.y(*v))),
            None => flush(out, &mut run),
        }
    }
    flush(out, &mut run);
    for (i, v) in s.values.iter().enumerate() {
        let Some(v) = v else { continue };
        let _ = write!(
            out,
            r#"<circle class="{}" cx="{:.1}" cy="{:.1}" r="3"><title>{}, {}: {}</title></circle>"#,
            s.class,
            f.x_center(i),
            f.y(*v),
            escape(&s.name),
            escape(labels.get(i).map_or("", String::as_str)),
            escape(&f.unit.show(*v))
        );
    }
}

/// Names and values as horizontal bars, longest first as given.
#[must_use]
pub fn hbars(id: &str, (title, desc): (&str, &str), rows: &[(String, f64)], unit: Unit) -> String {
    let row_h = 24.0;
    let height = TOP + row_h * rows.len().max(1) as f64 + 8.0;
    let label_w = 160.0;
    let max = rows.iter().fold(0.0_f64, |m, (_, v)| m.max(*v)).max(1.0);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    let span = WIDTH - label_w - 80.0;
    for (i, (name, v)) in rows.iter().enumerate() {
        let y = TOP + row_h * i as f64;
        let w = (span * v / max).max(if *v > 0.0 { 1.0 } else { 0.0 });
        let short: String = name.chars().take(24).collect();
        let _ = write!(
            out,
            r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="s1" x="{label_w}" y="{:.1}" width="{w:.1}" height="{:.1}"><title>{}: {}</title></rect><text class="tick" x="{:.1}" y="{:.1}">{}</text>"#,
            label_w - 8.0,
            y + 15.0,
            escape(&short),
            y + 4.0,
            row_h - 8.0,
            escape(name),
            escape(&unit.show(*v)),
            label_w + w + 6.0,
            y + 15.0,
            escape(&unit.show(*v))
        );
    }
    out.push_str("</svg>");
    out
}

/// The weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Tickets per weekday and hour as a grid of cells, darker for more (none, then five steps).
#[must_use]
pub fn heat_map(id: &str, (title, desc): (&str, &str), grid: &[[u64; 24]; 7]) -> String {
    let cell_w = (WIDTH - 96.0 - RIGHT) / 24.0;
    let cell_h = 24.0;
    let height = TOP + cell_h * 7.0 + 28.0;
    let max = grid.iter().flatten().copied().max().unwrap_or(0);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    for (d, day) in grid.iter().enumerate() {
        let y = TOP + cell_h * d as f64;
        let _ = write!(
            out,
            r#"<text class="tick" x="88" y="{:.1}" text-anchor="end">{}</text>"#,
            y + 16.0,
            &WEEKDAYS[d][..3]
        );
        for (h, n) in day.iter().enumerate() {
            let level = if max == 0 || *n == 0 {
                0
            } else {
                (*n * 5).div_ceil(max).clamp(1, 5)
            };
            let _ = write!(
                out,
                r#"<rect class="heat h{level}" x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}"><title>{} {h:02}:00–{:02}:00: {n}</title></rect>"#,
                96.0 + cell_w * h as f64,
                cell_w - 2.0,
                cell_h - 2.0,
                WEEKDAYS[d],
                (h + 1) % 24
            );
        }
    }
    for h in (0..24).step_by(3) {
        let _ = write!(
            out,
            r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="middle">{h:02}</text>"#,
            96.0 + cell_w * (h as f64 + 0.5),
            TOP + cell_h * 7.0 + 16.0
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_data_cannot_become_markup() {
        let svg = hbars(
            "c",
            ("By agent", "Tickets per agent"),
            &[("<script>alert(1)</script>\"".to_owned(), 3.0)],
            Unit::Count,
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(!svg.contains("\"\"") || !svg.contains("</script>\""));
    }

    #[test]
    fn steps_are_round_and_durations_read_as_durations() {
        assert_eq!(step(93.0, Unit::Count), 20.0);
        assert_eq!(step(3.0, Unit::Count), 1.0);
        assert_eq!(step(5.0 * 3_600.0, Unit::Seconds), 3_600.0);
        assert_eq!(duration(45.0), "45 s");
        assert_eq!(duration(720.0), "12 min");
        assert_eq!(duration(5_400.0), "1.5 h");
        assert_eq!(duration(7_200.0), "2 h");
        assert_eq!(duration(3.0 * 86_400.0), "3 d");
    }

    #[test]
    fn a_chart_is_a_labelled_image_with_a_mark_per_value() {
        let labels: Vec<String> = ["Mon", "Tue", "Wed"].map(String::from).to_vec();
        let svg = bars(
            "volume",
            ("Tickets opened", "Tickets opened per day"),
            ("Day", "Tickets"),
            &labels,
            &[
                Series {
                    name: "Opened".into(),
                    class: "s1",
                    values: vec![Some(3.0), None, Some(7.0)],
                },
                Series {
                    name: "Backlog".into(),
                    class: "s2",
                    values: vec![Some(10.0), Some(12.0), Some(9.0)],
                },
            ],
            Unit::Count,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img" aria-labelledby="volume-title volume-desc""#));
        assert_eq!(svg.matches("<rect class=\"s1\" x=").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("<title>Wed: 7</title>"));
    }
}
