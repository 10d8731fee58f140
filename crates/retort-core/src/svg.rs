//! Writing SVG and standalone HTML pages by hand: escaping, text widths, a small element
//! writer. Knows no stage; the pictures (`lanes`, `erd`, `doc`) use it.
//!
//! Output is deterministic: coordinates are integers, attributes in a fixed order, and text
//! is measured as monospace (so a width never depends on the fonts of the machine that draws).

use std::fmt::Write as _;

/// Width in pixels of one character of [`FONT`] at [`FONT_SIZE`], rounded up (monospace fonts
/// advance 7.2 px at 12 px; 8 leaves room for a wider fallback font).
pub const CHAR_WIDTH: i64 = 8;
/// Font size in pixels.
pub const FONT_SIZE: i64 = 12;
/// The font family of every text: monospace, so [`text_width`] is right everywhere.
pub const FONT: &str =
    "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace";

/// `&`, `<`, `>`, `"` and `'` as entities (text and attribute values alike).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not allowed in XML 1.0.
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The drawn width of `text` in pixels.
pub fn text_width(text: &str) -> i64 {
    i64::try_from(text.chars().count()).unwrap_or(i64::MAX / 2) * CHAR_WIDTH
}

/// `text` cut to at most `max` characters, with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// An SVG document being written.
pub struct Svg {
    body: String,
    width: i64,
    height: i64,
}

impl Svg {
    pub fn new(width: i64, height: i64) -> Self {
        Self {
            body: String::new(),
            width,
            height,
        }
    }

    /// Append raw markup (already escaped).
    pub fn raw(&mut self, markup: &str) {
        self.body.push_str(markup);
    }

    /// A text element; `class` styles it, `attrs` are extra raw attributes.
    pub fn text(&mut self, x: i64, y: i64, class: &str, text: &str) {
        let _ = writeln!(
            self.body,
            r#"<text x="{x}" y="{y}" class="{class}">{}</text>"#,
            escape(text)
        );
    }

    pub fn rect(&mut self, x: i64, y: i64, w: i64, h: i64, class: &str) {
        let _ = writeln!(
            self.body,
            r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" class="{class}"/>"#
        );
    }

    pub fn line(&mut self, (x1, y1): (i64, i64), (x2, y2): (i64, i64), class: &str) {
        let _ = writeln!(
            self.body,
            r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" class="{class}"/>"#
        );
    }

    pub fn path(&mut self, d: &str, class: &str) {
        let _ = writeln!(self.body, r#"<path d="{d}" class="{class}"/>"#);
    }

    pub fn circle(&mut self, (cx, cy): (i64, i64), r: i64, class: &str) {
        let _ = writeln!(
            self.body,
            r#"<circle cx="{cx}" cy="{cy}" r="{r}" class="{class}"/>"#
        );
    }

    /// Open a group (`<g>`) with an id, a class and a tooltip; close it with [`Svg::end_group`].
    pub fn group(&mut self, id: &str, class: &str, tooltip: &str) {
        let _ = writeln!(
            self.body,
            r#"<g id="{}" class="{class}"><title>{}</title>"#,
            escape(id),
            escape(tooltip)
        );
    }

    pub fn end_group(&mut self) {
        self.body.push_str("</g>\n");
    }

    /// The finished document, with `style` (CSS) embedded.
    pub fn finish(self, title: &str, style: &str) -> String {
        format!(
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{font}" font-size="{size}">"#,
                "\n<title>{title}</title>\n<style>\n{style}</style>\n",
                r##"<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>"##,
                "\n{body}</svg>\n"
            ),
            w = self.width,
            h = self.height,
            font = escape(FONT),
            size = FONT_SIZE,
            title = escape(title),
            style = style,
            body = self.body,
        )
    }
}

/// A standalone HTML page (no external resource) holding `body` (markup), `style` and `script`.
pub fn html_page(title: &str, style: &str, body: &str, script: &str) -> String {
    format!(
        concat!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
            "<title>{title}</title>\n<style>\n{style}</style>\n</head>\n<body>\n{body}",
            "<script>\n{script}</script>\n</body>\n</html>\n"
        ),
        title = escape(title),
        style = style,
        body = body,
        script = script,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape(r#"a<b & "c" 'd'>"#),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
        assert_eq!(escape("x\u{1}y\nz"), "x y\nz");
    }

    #[test]
    fn truncates_by_characters() {
        assert_eq!(truncate("héllo wörld", 5), "héll…");
        assert_eq!(truncate("short", 5), "short");
        assert_eq!(text_width("héllo"), 5 * CHAR_WIDTH);
    }
}
