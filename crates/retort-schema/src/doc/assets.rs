//! The site's style and search script, embedded in the binary.

pub(super) const STYLE: &str = "\
body { font-family: system-ui, -apple-system, sans-serif; margin: 0; color: #1f2328; }
header { background: #24292f; color: #fff; padding: 10px 20px; display: flex; gap: 20px; align-items: center; flex-wrap: wrap; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
header .title { font-size: 18px; }
main { padding: 16px 24px; }
#search { font-size: 14px; padding: 4px 8px; width: 280px; border-radius: 4px; border: 1px solid #888; }
#results { position: absolute; background: #fff; color: #1f2328; border: 1px solid #ccc; max-height: 60vh; overflow: auto; z-index: 10; min-width: 280px; }
#results a { display: block; padding: 3px 8px; color: #0969da; text-decoration: none; font-weight: normal; }
#results a:hover { background: #eef; }
table.grid { border-collapse: collapse; margin: 8px 0 20px; }
table.grid th, table.grid td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
table.grid th { background: #f6f8fa; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
pre { background: #f6f8fa; padding: 8px; overflow: auto; border: 1px solid #d0d7de; }
.muted { color: #57606a; }
.hazards .error b { color: #b3261e; }
.hazards .warning b { color: #9a6700; }
ol.ops { padding-left: 1.5em; }
.key { color: #9a6700; font-weight: bold; }
section.revision { border-top: 1px solid #d0d7de; padding-top: 8px; }
";

pub(super) const SEARCH: &str = "\
(function () {
  var box = document.getElementById('search');
  var results = document.getElementById('results');
  var root = document.body.getAttribute('data-root') || '';
  if (!box || !results || typeof RETORT_INDEX === 'undefined') { return; }
  box.addEventListener('input', function () {
    var q = box.value.trim().toLowerCase();
    results.innerHTML = '';
    if (q === '') { results.style.display = 'none'; return; }
    var shown = 0;
    for (var i = 0; i < RETORT_INDEX.length && shown < 50; i++) {
      var item = RETORT_INDEX[i];
      if (item.text.toLowerCase().indexOf(q) < 0) { continue; }
      var a = document.createElement('a');
      a.href = root + item.href;
      a.textContent = item.label;
      results.appendChild(a);
      shown++;
    }
    results.style.display = shown ? 'block' : 'none';
  });
})();
";
