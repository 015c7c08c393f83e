// The shell of an HTML report: one self-contained page (its style and script inline, nothing
// fetched when it is viewed), and the escaping every piece of it goes through.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values for HTML (and Graphviz's HTML-like labels). */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

const STYLE = `
:root { color-scheme: light; --error: #b00020; --warning: #8a5a00; --line: #d8dde3; --muted: #5b6470; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d2329; background: #f7f8fa; }
body > header, nav.filters, main { padding: 0 1.5rem; }
body > header { background: #fff; border-bottom: 1px solid var(--line); padding-top: .8rem; padding-bottom: .8rem; }
h1 { font-size: 1.3rem; margin: 0 0 .2rem; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .6rem; }
h3 { font-size: 1rem; margin: .6rem 0; }
code, pre, .place, .rule { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.meta { color: var(--muted); margin: 0; }
.summary { margin: .4rem 0 0; }
.count { font-weight: 600; margin-right: .8rem; }
.count.error, .severity.error { color: var(--error); }
.count.warning, .severity.warning { color: var(--warning); }
nav.filters { display: flex; flex-wrap: wrap; gap: .6rem 1.2rem; padding-top: .7rem; padding-bottom: .7rem; background: #fff; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 1; }
nav.filters fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .2rem .7rem; align-items: center; }
nav.filters legend { float: left; font-weight: 600; margin-right: .4rem; }
nav.filters label { white-space: nowrap; cursor: pointer; }
#shown { color: var(--muted); margin-left: auto; align-self: center; }
section.arch, section.patch { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 1rem 0; padding: 0 1rem 1rem; }
pre.ordering { background: #fbfbfc; border: 1px solid var(--line); border-radius: 4px; padding: .5rem .8rem; overflow-x: auto; }
section.arch > .body { display: grid; grid-template-columns: minmax(26rem, 1fr) minmax(0, auto); gap: 1rem; align-items: start; }
.none { color: var(--muted); }
article.finding { border-left: 4px solid var(--line); padding: .4rem .8rem; margin: 0 0 .8rem; background: #fbfbfc; }
article.finding.error { border-left-color: var(--error); }
article.finding.warning { border-left-color: var(--warning); }
article.finding > header { display: flex; flex-wrap: wrap; gap: .2rem .8rem; align-items: baseline; }
.severity { font-weight: 700; text-transform: uppercase; font-size: 11px; letter-spacing: .04em; }
.message { margin: .3rem 0; }
ul.places { margin: .2rem 0 0; padding-left: 1.2rem; color: var(--muted); }
ul.places li { margin: .15rem 0; }
a { color: #0b57b0; }
figure { margin: 0; }
figure.timeline { overflow: auto; max-height: 90vh; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
figure.timeline figcaption { font-size: 12px; color: var(--muted); padding: .3rem .5rem; border-bottom: 1px solid var(--line); }
figure.timeline svg { display: block; max-width: none; height: auto; }
svg.focusing g.node:not(.focus), svg.focusing g.edge:not(.focus) { opacity: .25; }
svg g.focus polygon, svg g.focus path { stroke-width: 3; }
.side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; align-items: start; }
.moved-legend span { padding: 0 .3rem; margin-right: .5rem; border-radius: 3px; }
.moved-legend .added { background: #e6f4e6; } .moved-legend .moved { background: #fff1d6; } .moved-legend .removed { background: #eee; text-decoration: line-through; }
details.excerpt { margin: .3rem 0 0; scroll-margin-top: 7rem; }
details.excerpt summary { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; color: var(--muted); cursor: pointer; }
details.excerpt:target summary { color: #0b57b0; font-weight: 600; }
details.excerpt pre { margin: .2rem 0 .4rem; padding: .3rem 0; overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 4px; }
details.excerpt pre span { display: block; padding: 0 .6rem; white-space: pre; }
details.excerpt pre span.here { background: #fff3b0; }
details.excerpt pre i { display: inline-block; width: 3.5em; color: var(--muted); font-style: normal; user-select: none; }
footer { color: var(--muted); padding: 1rem 1.5rem 2rem; }
`;

// Filters (arch, rule, severity), the count shown, a finding's path lit in its timeline, and a
// place's excerpt opened when its link is followed.
const SCRIPT = `
(() => {
  const findings = [...document.querySelectorAll('article.finding')];
  const boxes = [...document.querySelectorAll('nav.filters input[type=checkbox]')];
  const shown = document.getElementById('shown');
  const checked = (kind) => new Set(boxes.filter((b) => b.dataset.filter === kind && b.checked).map((b) => b.value));
  function apply() {
    const on = { arch: checked('arch'), rule: checked('rule'), severity: checked('severity') };
    let count = 0;
    for (const f of findings) {
      f.hidden = !(on.arch.has(f.dataset.arch) && on.rule.has(f.dataset.rule) && on.severity.has(f.dataset.severity));
      if (!f.hidden) count++;
    }
    for (const section of document.querySelectorAll('section.arch')) {
      const mine = section.querySelectorAll('article.finding');
      section.hidden = !on.arch.has(section.dataset.arch) || (mine.length > 0 && !section.querySelector('article.finding:not([hidden])'));
    }
    if (shown) shown.textContent = count === findings.length ? 'showing all ' + count : 'showing ' + count + ' of ' + findings.length;
  }
  for (const box of boxes) box.addEventListener('change', apply);
  function light(id, on) {
    for (const svg of document.querySelectorAll('figure.timeline svg')) {
      const parts = svg.querySelectorAll('.' + id);
      for (const part of parts) part.classList.toggle('focus', on);
      svg.classList.toggle('focusing', on && parts.length > 0);
    }
  }
  for (const f of findings) {
    f.addEventListener('mouseenter', () => light(f.id, true));
    f.addEventListener('mouseleave', () => light(f.id, false));
  }
  // A place's link opens its excerpt (closed until then) before the page scrolls to it.
  const openExcerpt = (id) => {
    const excerpt = id && document.getElementById(id);
    if (excerpt && excerpt.tagName === 'DETAILS') excerpt.open = true;
  };
  for (const link of document.querySelectorAll('a.place')) link.addEventListener('click', () => openExcerpt(link.getAttribute('href').slice(1)));
  window.addEventListener('hashchange', () => openExcerpt(location.hash.slice(1)));
  openExcerpt(location.hash.slice(1));
  apply();
})();
`;

/** The whole page: a title, and a body of HTML already escaped. */
export function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    body,
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
