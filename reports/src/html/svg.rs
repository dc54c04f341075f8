//! A small SVG writer: just the elements our charts draw (lines, polylines, rectangles, text),
//! with coordinates rounded to 0.1 px so the output is compact and byte-stable.
//!
//! Our own rather than a plotting crate: the charts need a log axis in 1/(1−p), min/max envelopes
//! and byte-identical output across rebuilds, and a crate would bring fonts or scripts we must not
//! ship; these ~100 lines do the job and are tested.

use super::escape;
use std::fmt::Write;

/// An SVG document being written; [`Svg::finish`] closes it.
pub struct Svg {
    out: String,
}

impl Svg {
    /// Starts an SVG of `width`×`height` px with an accessible name.
    pub fn new(width: u32, height: u32, label: &str) -> Self {
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
             viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
            escape(label)
        );
        Self { out }
    }

    /// A straight line in a CSS class.
    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), class: &str) {
        let _ = write!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"{class}\"/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    /// A polyline through `points` in a CSS class and stroke colour (nothing for fewer than one
    /// point; a single point is drawn as a dot).
    pub fn polyline(&mut self, points: &[(f64, f64)], class: &str, colour: &str) {
        match points {
            [] => {}
            [(x, y)] => {
                let _ = write!(
                    self.out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"2\" fill=\"{colour}\" class=\"{class}\"/>",
                    num(*x),
                    num(*y)
                );
            }
            _ => {
                self.out.push_str("<polyline points=\"");
                for (i, (x, y)) in points.iter().enumerate() {
                    if i > 0 {
                        self.out.push(' ');
                    }
                    let _ = write!(self.out, "{},{}", num(*x), num(*y));
                }
                let _ = write!(self.out, "\" class=\"{class}\" stroke=\"{colour}\"/>");
            }
        }
    }

    /// A polyline as [`Svg::polyline`], carrying `data-*` attributes (names without the prefix).
    pub fn polyline_with(
        &mut self,
        points: &[(f64, f64)],
        class: &str,
        colour: &str,
        data: &[(&str, String)],
    ) {
        let before = self.out.len();
        self.polyline(points, class, colour);
        if points.len() > 1 {
            // Insert the attributes before the closing `/>` of the element just written.
            let end = self.out.len() - 2;
            debug_assert!(self.out[before..].ends_with("/>"));
            self.out.insert_str(end, &data_attrs(data));
        }
    }

    /// A dot of radius `r` with `data-*` attributes and a tooltip (`<title>`).
    pub fn marker(
        &mut self,
        (x, y): (f64, f64),
        r: f64,
        colour: &str,
        data: &[(&str, String)],
        title: &str,
    ) {
        let _ = write!(
            self.out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{colour}\"{}><title>{}</title></circle>",
            num(x),
            num(y),
            num(r),
            data_attrs(data),
            escape(title)
        );
    }

    /// A vertical error bar at `x` from `y1` to `y2` with caps `cap` px wide either side.
    pub fn error_bar(&mut self, x: f64, (y1, y2): (f64, f64), cap: f64, colour: &str) {
        let (xs, a, b, l, r) = (num(x), num(y1), num(y2), num(x - cap), num(x + cap));
        let _ = write!(
            self.out,
            "<path d=\"M{xs} {a}V{b}M{l} {a}H{r}M{l} {b}H{r}\" class=\"ci\" stroke=\"{colour}\"/>"
        );
    }

    /// A rectangle in a CSS class.
    pub fn rect(&mut self, (x, y): (f64, f64), (w, h): (f64, f64), class: &str) {
        let _ = write!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"{class}\"/>",
            num(x),
            num(y),
            num(w),
            num(h)
        );
    }

    /// Text anchored at `(x, y)`: `anchor` is `start`, `middle` or `end`. The text is escaped.
    pub fn text(&mut self, (x, y): (f64, f64), anchor: &str, class: &str, text: &str) {
        let _ = write!(
            self.out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" class=\"{class}\">{}</text>",
            num(x),
            num(y),
            escape(text)
        );
    }

    /// Text rotated a quarter turn anticlockwise about `(x, y)` (a vertical axis title).
    pub fn vertical_text(&mut self, (x, y): (f64, f64), class: &str, text: &str) {
        let (x, y) = (num(x), num(y));
        let _ = write!(
            self.out,
            "<text x=\"{x}\" y=\"{y}\" transform=\"rotate(-90 {x} {y})\" text-anchor=\"middle\" \
             class=\"{class}\">{}</text>",
            escape(text)
        );
    }

    /// Closes the document and returns its text.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// ` data-NAME="value"` for each pair, values escaped.
fn data_attrs(data: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (name, value) in data {
        let _ = write!(out, " data-{name}=\"{}\"", escape(value));
    }
    out
}

/// A coordinate with one decimal, without a trailing `.0` and never `-0`.
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        return "0".to_string();
    }
    let s = format!("{r:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_compact_and_stable() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-3.96), "-4");
    }

    #[test]
    fn elements_and_escaping() {
        let mut s = Svg::new(200, 100, "a <b> & \"c\"");
        s.line((0.0, 1.0), (2.5, 3.0), "axis");
        s.polyline(&[(0.0, 0.0), (10.0, 5.25)], "data", "#123456");
        s.polyline(&[(4.0, 4.0)], "data", "#123456");
        s.polyline(&[], "data", "#123456");
        s.rect((1.0, 2.0), (3.0, 4.0), "bg");
        s.text((5.0, 6.0), "end", "tick", "1 < 2");
        s.vertical_text((7.0, 8.0), "title", "y");
        let t = s.finish();
        assert!(t.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"100\" \
             viewBox=\"0 0 200 100\" role=\"img\" aria-label=\"a &lt;b&gt; &amp; &quot;c&quot;\">"
        ));
        assert!(t.contains("<line x1=\"0\" y1=\"1\" x2=\"2.5\" y2=\"3\" class=\"axis\"/>"));
        assert!(t.contains("<polyline points=\"0,0 10,5.3\" class=\"data\" stroke=\"#123456\"/>"));
        assert!(t.contains("<circle cx=\"4\" cy=\"4\" r=\"2\""));
        assert_eq!(t.matches("<polyline").count(), 1);
        assert!(t.contains("<rect x=\"1\" y=\"2\" width=\"3\" height=\"4\" class=\"bg\"/>"));
        assert!(t.contains(">1 &lt; 2</text>"));
        assert!(t.contains("transform=\"rotate(-90 7 8)\""));
        assert!(t.ends_with("</svg>"));

        let mut s = Svg::new(10, 10, "d");
        let data = [("point", "3".to_string()), ("mean", "<1>".to_string())];
        s.polyline_with(&[(0.0, 0.0), (1.0, 1.0)], "data", "#000", &data[..1]);
        s.marker((1.0, 2.0), 3.0, "#000", &data, "a & b");
        s.error_bar(5.0, (8.0, 2.0), 3.0, "#000");
        let t = s.finish();
        assert!(t.contains("stroke=\"#000\" data-point=\"3\"/>"));
        assert!(t.contains(
            "<circle cx=\"1\" cy=\"2\" r=\"3\" fill=\"#000\" data-point=\"3\" \
             data-mean=\"&lt;1&gt;\"><title>a &amp; b</title></circle>"
        ));
        assert!(t.contains("<path d=\"M5 8V2M2 8H8M2 2H8\" class=\"ci\" stroke=\"#000\"/>"));
    }
}
