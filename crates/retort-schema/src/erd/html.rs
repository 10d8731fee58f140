//! The ERD in a standalone page: the SVG, and a box that highlights matching entities.

use crate::svg::{escape, html_page};

use super::model::Erd;
use super::svg::erd_svg;

const STYLE: &str = "\
body { font-family: system-ui, sans-serif; margin: 16px; color: #222; }
#search { font-size: 14px; padding: 4px 8px; width: 320px; margin-bottom: 12px; }
g.entity.hit rect.box { stroke: #cf222e; stroke-width: 3; }
g.entity.miss { opacity: 0.3; }
";

const SCRIPT: &str = "\
document.getElementById('search').addEventListener('input', function (e) {
  var q = e.target.value.trim().toLowerCase();
  document.querySelectorAll('g.entity').forEach(function (g) {
    var hit = q !== '' && g.textContent.toLowerCase().indexOf(q) >= 0;
    g.classList.toggle('hit', hit);
    g.classList.toggle('miss', q !== '' && !hit);
  });
});
";

/// The diagram as a standalone HTML page.
pub fn erd_html(erd: &Erd) -> String {
    let body = format!(
        "<h1>{}</h1>\n<p>{} entities, {} links</p>\n<input id=\"search\" type=\"search\" placeholder=\"Search tables and columns\">\n<div class=\"erd\">\n{}</div>\n",
        escape(&erd.title),
        erd.entities.len(),
        erd.links.len(),
        erd_svg(erd)
    );
    html_page(&erd.title, STYLE, &body, SCRIPT)
}
