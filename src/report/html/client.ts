// The page's own script, inline: sorting, filtering and paging of the tables and lists, and the
// drill-down tables and charts, drawn from the page's data block when a drill-down is first
// opened. Plain ES2017 and the browser's DecompressionStream, for any current browser; it
// reaches nothing outside the page.
import { WATCH_HEALTH } from './status.js';

export const CLIENT_SCRIPT = `(function () {
'use strict';
var WATCH = ${WATCH_HEALTH};
var cents = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
function amt(v) { var s = cents.format(v); return s === '-0.00' ? '0.00' : s; }
function rat(v) { return v === null ? '–' : cents.format(v); }
function pct(v, signed) {
  if (v === null) return '–';
  var s = (v * 100).toFixed(1);
  if (Number(s) === 0) return '0.0%';
  return (signed && v > 0 ? '+' : '') + s.replace('-', '−') + '%';
}
function dist(v) { return v === 0 ? 'below MM' : pct(v, 1); }
function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; }); }
function status(health, call) { return call > 0 ? 'call' : health === null ? 'none' : health < WATCH ? 'watch' : 'ok'; }
var LABEL = { call: '▼ call', watch: '! watch', ok: '✓ ok', none: '– no margin' };
function badge(health, call) { var s = status(health, call); return '<span class="badge ' + s + '">' + rat(health) + ' <small>' + LABEL[s] + '</small></span>'; }

// Paged lists: a table's rows or a list of drill-downs, filtered by id and by calls, a page at a time.
var lists = {};
function itemsOf(box) { var body = box.querySelector('tbody'); return Array.prototype.slice.call(body ? body.rows : box.children); }
function setUp(box) {
  var state = { box: box, page: 0, size: Number(box.getAttribute('data-page-size')) || 50, filter: '', calls: false, all: false };
  var nav = document.createElement('nav');
  nav.className = 'pager';
  box.parentNode.insertBefore(nav, box.nextSibling);
  state.nav = nav;
  nav.addEventListener('click', function (e) {
    var b = e.target.closest('button');
    if (!b) return;
    var step = b.getAttribute('data-step');
    if (step === 'all') state.all = !state.all; else state.page += Number(step);
    apply(state);
  });
  if (box.id) lists[box.id] = state;
  apply(state);
}
function apply(state) {
  var shown = itemsOf(state.box).filter(function (el) {
    var ok = (!state.filter || (el.getAttribute('data-key') || '').indexOf(state.filter) >= 0) &&
      (!state.calls || el.getAttribute('data-status') === 'call');
    el.classList.toggle('filtered-out', !ok);
    return ok;
  });
  var pages = Math.max(1, Math.ceil(shown.length / state.size));
  state.page = Math.min(Math.max(state.page, 0), pages - 1);
  shown.forEach(function (el, i) { el.classList.toggle('paged-out', !state.all && Math.floor(i / state.size) !== state.page); });
  state.nav.hidden = shown.length <= state.size;
  state.nav.innerHTML = '<button type="button" data-step="-1"' + (state.page === 0 || state.all ? ' disabled' : '') + '>◀ previous</button> ' +
    '<span>' + (state.all ? 'all ' + shown.length : 'page ' + (state.page + 1) + ' of ' + pages + ' (' + shown.length + ')') + '</span> ' +
    '<button type="button" data-step="1"' + (state.page >= pages - 1 || state.all ? ' disabled' : '') + '>next ▶</button> ' +
    '<button type="button" data-step="all">' + (state.all ? 'show pages' : 'show all') + '</button>';
}
document.querySelectorAll('.paged').forEach(setUp);
document.querySelectorAll('[data-filter]').forEach(function (input) {
  input.addEventListener('input', function () {
    var s = lists[input.getAttribute('data-filter')]; s.filter = input.value.trim().toLowerCase(); s.page = 0; apply(s);
  });
});
document.querySelectorAll('[data-calls]').forEach(function (box) {
  box.addEventListener('change', function () { var s = lists[box.getAttribute('data-calls')]; s.calls = box.checked; s.page = 0; apply(s); });
});

// Sorting: a heading's button sorts by its column's data-v, numbers as numbers (a dash last), again to reverse.
document.querySelectorAll('table.sortable').forEach(function (table) {
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, col) {
    th.querySelector('button').addEventListener('click', function () {
      var desc = th.getAttribute('aria-sort') !== 'descending' && (th.getAttribute('aria-sort') === 'ascending' || th.getAttribute('data-sort') === 'num');
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
      var numeric = th.getAttribute('data-sort') === 'num';
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows).map(function (r, i) { return { r: r, i: i, v: r.cells[col].getAttribute('data-v') }; });
      rows.sort(function (a, b) {
        if (numeric) {
          if (a.v === '' || b.v === '') return a.v === b.v ? a.i - b.i : a.v === '' ? 1 : -1;
          return (desc ? Number(b.v) - Number(a.v) : Number(a.v) - Number(b.v)) || a.i - b.i;
        }
        return (desc ? b.v.localeCompare(a.v) : a.v.localeCompare(b.v)) || a.i - b.i;
      });
      rows.forEach(function (x) { body.appendChild(x.r); });
      var s = lists[table.closest('.paged').id]; s.page = 0; apply(s);
    });
  });
});

// Drill-downs: tables drawn from the data block on first opening. The block is gzipped JSON in
// base64 (drill-down.ts packData), inflated here; data-ready on the page says it is.
var DATA = null;
var loaded = (function () {
  var el = document.getElementById('xm-data');
  if (!el) return Promise.resolve({ p: [], sets: [], u: [], charts: {} });
  var bin = atob(el.textContent.trim());
  var bytes = new Uint8Array(bin.length);
  for (var k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).json();
})().then(function (d) { DATA = d; });
var whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
function num0(v) { var s = whole.format(v); return s === '-0' ? '0' : s; }
function ref(x, list) { return esc(typeof x === 'number' ? list[x] : x); }
function table(heads, rows) {
  return '<div class="scroll"><table><thead><tr>' + heads.map(function (h) { return '<th' + (h[1] ? ' class="num"' : '') + '>' + h[0] + '</th>'; }).join('') +
    '</tr></thead><tbody>' + rows.map(function (r) { return '<tr>' + r.map(function (c, i) { return '<td' + (heads[i][1] ? ' class="num"' : '') + '>' + c + '</td>'; }).join('') + '</tr>'; }).join('') +
    '</tbody></table></div>';
}
function draw(d) {
  if (DATA === null) { loaded.then(function () { draw(d); }); return; }
  if (d.getAttribute('data-drawn')) return;
  d.setAttribute('data-drawn', '1');
  var i = Number(d.getAttribute('data-i'));
  var p = DATA.p[i];
  var body = d.querySelector('.dd-body');
  ((DATA.charts || {})[i] || []).forEach(function (c) {
    var fig = document.createElement('figure');
    fig.className = 'chart dd-chart';
    fig.setAttribute('data-part', c[0]);
    fig.innerHTML = c[1];
    body.appendChild(fig);
  });
  function part(key, title, note, html) {
    var sec = document.createElement('section');
    sec.className = 'dd-part';
    sec.setAttribute('data-part', key);
    sec.innerHTML = '<h4>' + title + '</h4>' + (note ? '<p class="note">' + note + '</p>' : '') + '<div class="dd-row"></div>';
    var row = sec.lastChild;
    var chart = body.querySelector('.dd-chart[data-part="' + key + '"]');
    if (chart) row.appendChild(chart);
    row.insertAdjacentHTML('beforeend', html);
    body.appendChild(sec);
  }
  part('accounts', 'Accounts', 'Each account margined alone (segregated); its call is the one it would get on its own.',
    table([['account'], ['collateral', 1], ['IM', 1], ['MM', 1], ['health', 1], ['call alone', 1], ['binding set'], ['fall to liquidation', 1], ['rise to liquidation', 1]],
      p.acc.map(function (a) { return [esc(a[0]), amt(a[1]), amt(a[2]), amt(a[3]), badge(a[4], a[5]), amt(a[5]), ref(a[6], DATA.sets), dist(a[7]), dist(a[8])]; })));
  if (p.comp) {
    var c = p.comp;
    part('components', 'Add-on components', 'What sets the cross IM: <strong>' + esc(c[5]) + '</strong>.',
      table([['core', 1], ['liquidity', 1], ['credit', 1], ['short option minimum', 1], ['diversification floor', 1], ['binding']],
        [[amt(c[0]), amt(c[1]), amt(c[2]), amt(c[3]), c[4] === null ? '–' : amt(c[4]), esc(c[5])]]));
  }
  if (p.attr) {
    var a = p.attr;
    var accIds = p.acc.map(function (x) { return x[0]; });
    var note = 'Euler attribution of the ES in ' + ref(a.set, DATA.sets) + ' (' + amt(a.es) + '): each part\\'s mean loss over the tail scenarios; a negative contribution is a hedge.';
    if (a.acc.length) part('attribution-accounts', 'Attribution by account', note,
      table([['account'], ['contribution', 1], ['standalone IM', 1], ['diversification', 1]],
        a.acc.map(function (x, i) { return [esc(p.acc[i][0]), amt(x[0]), amt(p.acc[i][2]), amt(x[1])]; })));
    if (a.und.length) part('attribution-underlyings', 'Attribution by underlying', a.acc.length ? '' : note,
      table([['underlying'], ['contribution', 1]], a.und.map(function (x) { return [ref(x[0], DATA.u), amt(x[1])]; })));
    if (a.top.length) part('attribution-positions', 'Largest contributions', '',
      table([['account'], ['position'], ['contribution', 1]], a.top.map(function (x) { return [ref(x[0], accIds), esc(x[1]), amt(x[2])]; })));
  }
  var e = p.exp;
  part('exposure', 'Exposure by underlying', 'Today\\'s market, in whole ' + esc(DATA.currency) + ': gross notional ' + num0(e.gross) + ', net delta ' + num0(e.net) +
    ', leverage ' + rat(e.lev) + ', concentration ' + rat(e.conc) + (e.largest ? ', largest ' + ref(e.largest[0], DATA.u) + ' ' + pct(e.largest[1]) : '') + '.',
    e.und.length ? table([['underlying'], ['delta', 1], ['gamma (1%)', 1], ['vega (1 vol pt)', 1], ['theta (1 day)', 1], ['gross notional', 1]],
      e.und.map(function (u) { return [ref(u[0], DATA.u), num0(u[1]), num0(u[2]), num0(u[3]), num0(u[4]), num0(u[5])]; })) : '<p>No positions.</p>');
  part('distance', 'Distance to liquidation', 'The instant move of every underlying at once that takes equity below the cross MM: fall ' +
    (p.dist[0] === null ? 'none down to −99%' : dist(p.dist[0])) + ', rise ' + (p.dist[1] === null ? 'none up to +400%' : dist(p.dist[1])) + '.', '');
  part('tails', 'Tail measures per set', 'Cross, the portfolio\\'s net P&L.',
    table([['set'], ['VaR', 1], ['ES', 1], ['worst', 1]],
      DATA.sets.map(function (s, i) { var t = p.tails[i]; return t ? [esc(s), amt(t[0]), amt(t[1]), amt(t[2])] : null; }).filter(Boolean)));
}
document.querySelectorAll('details.drill').forEach(function (d) {
  d.addEventListener('toggle', function () { if (d.open) draw(d); });
});
document.querySelectorAll('[data-expand]').forEach(function (b) {
  b.addEventListener('click', function () {
    itemsOf(lists[b.getAttribute('data-expand')].box).forEach(function (d) {
      if (!d.classList.contains('filtered-out') && !d.classList.contains('paged-out')) { draw(d); d.open = true; }
    });
  });
});
document.addEventListener('click', function (e) {
  var a = e.target.closest('a[data-open]');
  if (!a) return;
  var d = document.getElementById(a.getAttribute('data-open'));
  var s = lists['drill-list'];
  if (!d || !s) return;
  e.preventDefault();
  s.filter = ''; s.calls = false;
  document.querySelectorAll('[data-filter="drill-list"]').forEach(function (i) { i.value = ''; });
  document.querySelectorAll('[data-calls="drill-list"]').forEach(function (i) { i.checked = false; });
  s.page = Math.floor(itemsOf(s.box).indexOf(d) / s.size);
  apply(s);
  draw(d); d.open = true;
  d.scrollIntoView();
});
// Printing: the drill-downs of the page in view are drawn and opened, so that paper has them.
window.addEventListener('beforeprint', function () {
  document.querySelectorAll('details.drill').forEach(function (d) {
    if (!d.classList.contains('filtered-out') && !d.classList.contains('paged-out')) { draw(d); d.open = true; }
  });
});
loaded.then(function () { document.documentElement.setAttribute('data-ready', '1'); }, function (err) {
  console.error('report.html: its data block could not be read: ' + err);
});
})();`;
