// The HTML view's behaviour: pan and zoom (the SVG's viewBox), search,
// collapsing module clusters and a details panel. Everything comes from
// Graphviz's SVG as modtrace's DOT makes it (lib/render/dot.cpp):
//  - nodes and clusters are <g class="node|cluster ..."> whose id is the DOT id;
//  - their classes carry the role ("functional", "module" …) and one
//    "in-<cluster id>" per enclosing cluster, innermost first;
//  - their tooltip (the xlink:title Graphviz puts on an <a>) holds the
//    details, one "key: value" per line;
//  - an edge's <title> is "from->to".
(function () {
  'use strict';
  const XLINK = 'http://www.w3.org/1999/xlink';
  const canvas = document.getElementById('canvas');
  const svg = canvas.querySelector('svg');
  const panel = document.getElementById('details');
  const searchBox = document.getElementById('search');
  const matchCount = document.getElementById('matches');
  if (!svg) return;

  // Graphviz sizes the picture in points; the page fits it to the window.
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  const whole = svg.viewBox.baseVal;
  const home = { x: whole.x, y: whole.y, w: whole.width, h: whole.height };
  let view = { ...home };

  // The picture's title is the graph's label (its first line in bold).
  const titleLines = [...svg.querySelectorAll('g.graph > text')].map((t) => t.textContent);
  if (titleLines.length) document.title = titleLines[0] + ' · modtrace';

  // ---- what the picture holds ----

  const items = [];  // nodes and clusters, the legend aside
  const byId = new Map();
  for (const g of svg.querySelectorAll('g.node, g.cluster')) {
    if (g.classList.contains('legend')) continue;
    const item = { g, id: g.id, cluster: g.classList.contains('cluster'), details: [], ancestors: [], hiddenBy: null };
    for (const c of g.classList) if (c.startsWith('in-')) item.ancestors.push(c.slice(3));
    // The details move from the tooltip into the panel (one place, not two).
    for (const link of g.querySelectorAll('a')) {
      const tip = link.getAttributeNS(XLINK, 'title') || link.getAttribute('xlink:title') || '';
      link.removeAttributeNS(XLINK, 'title');
      link.removeAttribute('xlink:title');
      for (const line of tip.split('\n')) {
        const colon = line.indexOf(': ');
        if (colon > 0) item.details.push([line.slice(0, colon), line.slice(colon + 2)]);
      }
    }
    const texts = [...g.querySelectorAll('text')].map((t) => t.textContent);
    item.title = texts[0] || item.id;
    item.text = (texts.join('\n') + '\n' + item.details.map((d) => d[1]).join('\n')).toLowerCase();
    items.push(item);
    byId.set(item.id, item);
  }
  const edges = [];
  for (const g of svg.querySelectorAll('g.edge')) {
    const title = g.querySelector('title');
    const ends = title ? title.textContent.split('->') : [];
    edges.push({ g, from: byId.get(ends[0]), to: byId.get(ends[1]) });
  }
  // Browsers show an SVG <title> as a tooltip: the ids would be noise.
  for (const t of svg.querySelectorAll('title')) t.remove();

  // ---- collapsing ----

  const collapsed = new Set();  // ids of collapsed clusters
  // What each cluster holds, and its box (measured now, while everything is shown).
  const SVG = 'http://www.w3.org/2000/svg';
  for (const item of items) {
    if (item.cluster) Object.assign(item, { nodes: 0, clusters: 0, box: item.g.getBBox() });
  }
  for (const item of items) {
    for (const id of item.ancestors) {
      const holder = byId.get(id);
      if (holder) holder[item.cluster ? 'clusters' : 'nodes']++;
    }
  }

  // A collapsed box keeps its place (the layout is Graphviz's) and says what it holds.
  function note(item) {
    const old = item.g.querySelector('text.collapsed-note');
    if (old) old.remove();
    if (!collapsed.has(item.id)) return;
    const text = document.createElementNS(SVG, 'text');
    text.setAttribute('class', 'collapsed-note');
    text.setAttribute('x', item.box.x + item.box.width / 2);
    text.setAttribute('y', item.box.y + Math.min(item.box.height / 2, 40));
    text.setAttribute('text-anchor', 'middle');
    const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
    const lines = [plural(item.nodes, 'node') + (item.clusters ? ', ' + plural(item.clusters, 'module') : ''), 'click to expand'];
    lines.forEach((line, i) => {
      const span = document.createElementNS(SVG, 'tspan');
      span.setAttribute('x', item.box.x + item.box.width / 2);
      if (i > 0) span.setAttribute('dy', '1.2em');
      span.textContent = line;
      text.append(span);
    });
    item.g.append(text);
  }

  function refresh() {
    for (const item of items) {
      // The outermost collapsed cluster around it, if any.
      item.hiddenBy = null;
      for (const id of item.ancestors) if (collapsed.has(id)) item.hiddenBy = id;
      item.g.classList.toggle('hidden', item.hiddenBy !== null);
      if (item.cluster) {
        item.g.classList.toggle('collapsed', collapsed.has(item.id));
        note(item);
      }
    }
    for (const e of edges) {
      // An edge inside one collapsed box goes; one crossing its border stays, pointing into the box.
      const a = e.from ? e.from.hiddenBy : null;
      const b = e.to ? e.to.hiddenBy : null;
      e.g.classList.toggle('hidden', a !== null && a === b);
    }
    markHits();
  }

  function toggle(item) {
    if (!item || !item.g.classList.contains('module')) return;
    if (collapsed.has(item.id)) collapsed.delete(item.id);
    else collapsed.add(item.id);
    refresh();
  }

  document.getElementById('collapse-all').addEventListener('click', () => {
    for (const item of items) if (item.cluster && item.g.classList.contains('module')) collapsed.add(item.id);
    refresh();
  });
  document.getElementById('expand-all').addEventListener('click', () => {
    collapsed.clear();
    refresh();
  });

  // ---- search ----

  let hits = [];
  let current = -1;

  function search(query) {
    const q = query.trim().toLowerCase();
    hits = q ? items.filter((item) => item.text.includes(q)) : [];
    const isHit = new Set(hits);
    for (const item of items) item.g.classList.toggle('hit', isHit.has(item));
    current = -1;
    markHits();
    matchCount.textContent = !q ? '' : hits.length === 0 ? 'no match' : hits.length + (hits.length === 1 ? ' match' : ' matches');
  }

  // A collapsed box holding a match is marked too: no match is out of sight.
  function markHits() {
    const holding = new Set(hits.map((h) => h.hiddenBy).filter((id) => id !== null));
    for (const item of items) if (item.cluster) item.g.classList.toggle('has-hit', holding.has(item.id));
  }

  // Enter / Shift+Enter: the next or previous match, its boxes opened, in view.
  function go(step) {
    if (!hits.length) return;
    current = (current + step + hits.length) % hits.length;
    const item = hits[current];
    if (item.hiddenBy !== null) {
      for (const id of item.ancestors) collapsed.delete(id);
      refresh();
    }
    select(item);
    reveal(item);
    matchCount.textContent = current + 1 + ' of ' + hits.length;
  }

  searchBox.addEventListener('input', () => search(searchBox.value));
  document.getElementById('next').addEventListener('click', () => go(1));
  document.getElementById('previous').addEventListener('click', () => go(-1));

  // ---- details ----

  let pinned = null;  // clicked: its details stay
  let shown = null;   // whose details the panel shows

  function show(item) {
    panel.replaceChildren();
    if (!item) {
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = 'Point at a node or module for its details; click to keep them here.';
      panel.append(p);
      return;
    }
    const h = document.createElement('h2');
    h.textContent = item.title;
    const dl = document.createElement('dl');
    for (const [key, value] of item.details) {
      const dt = document.createElement('dt');
      dt.textContent = key;
      const dd = document.createElement('dd');
      dd.textContent = value;
      dl.append(dt, dd);
    }
    panel.append(h, dl);
    if (item === pinned) {
      const p = document.createElement('p');
      p.className = 'pinned';
      p.textContent = item.cluster && item.g.classList.contains('module')
        ? 'Kept: click empty space or press Esc to let go. Click the title or double-click the box to collapse or expand.'
        : 'Kept: click empty space or press Esc to let go.';
      panel.append(p);
    }
  }

  function select(item) {
    if (pinned) pinned.g.classList.remove('selected');
    pinned = item;
    shown = item;
    if (item) item.g.classList.add('selected');
    show(item);
  }

  const itemAt = (target) => {
    const g = target.closest && target.closest('g.node, g.cluster');
    return g ? byId.get(g.id) || null : null;
  };

  // Pointing shows an item's details until something is clicked (mousemove,
  // not mouseover: after Escape the item already under the pointer counts).
  svg.addEventListener('mousemove', (e) => {
    const item = itemAt(e.target);
    if (pinned || !item || item === shown) return;
    shown = item;
    show(item);
  });
  svg.addEventListener('mouseleave', () => {
    if (pinned) return;
    shown = null;
    show(null);
  });

  // ---- pan and zoom ----

  function setView(v) {
    view = v;
    svg.setAttribute('viewBox', v.x + ' ' + v.y + ' ' + v.w + ' ' + v.h);
  }
  const toPicture = (x, y) => new DOMPoint(x, y).matrixTransform(svg.getScreenCTM().inverse());

  // Keeps point p where it is on screen: the view's corner moves with the scale.
  function zoomAt(p, factor) {
    const w = Math.min(Math.max(view.w * factor, 20), home.w * 8);
    const f = w / view.w;
    setView({ x: p.x - (p.x - view.x) * f, y: p.y - (p.y - view.y) * f, w, h: view.h * f });
  }
  const middle = () => {
    const r = canvas.getBoundingClientRect();
    return toPicture(r.left + r.width / 2, r.top + r.height / 2);
  };
  const fit = () => setView({ ...home });

  // At first: the whole picture when it is readable so (at least half
  // size), else its top, as wide as the window allows up to full size.
  function start() {
    const r = canvas.getBoundingClientRect();
    if (Math.min(r.width / home.w, r.height / home.h) >= 0.5 || r.width === 0 || r.height === 0) return fit();
    const s = Math.min(1, r.width / home.w);
    const w = r.width / s;
    setView({ x: home.x + home.w / 2 - w / 2, y: home.y, w, h: r.height / s });
  }

  // The item's box, in the picture's units.
  function boxOf(g) {
    const r = g.getBoundingClientRect();
    const a = toPicture(r.left, r.top);
    const b = toPicture(r.right, r.bottom);
    return { x: a.x, y: a.y, w: b.x - a.x, h: b.y - a.y };
  }

  // Centres an item, zoomed so that it fits with room around it, at most 2 px per unit.
  function reveal(item) {
    const box = boxOf(item.g);
    const r = canvas.getBoundingClientRect();
    const aspect = r.width / r.height;
    let w = Math.max(box.w * 1.5, r.width / 2);
    let h = Math.max(box.h * 1.5, r.height / 2);
    if (w / h < aspect) w = h * aspect;
    else h = w / aspect;
    setView({ x: box.x + box.w / 2 - w / 2, y: box.y + box.h / 2 - h / 2, w, h });
  }

  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const step = e.deltaMode === 1 ? 0.05 : e.deltaMode === 2 ? 1 : 0.0015;  // lines, pages, pixels
    zoomAt(toPicture(e.clientX, e.clientY), Math.exp(e.deltaY * step));
  }, { passive: false });

  let drag = null;     // where a press started
  let dragged = false; // the press moved: it was a pan, not a click
  canvas.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, view: { ...view }, scale: svg.getScreenCTM().a };
    dragged = false;
  });
  window.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!dragged && Math.hypot(dx, dy) < 4) return;
    dragged = true;
    canvas.classList.add('dragging');
    setView({ ...drag.view, x: drag.view.x - dx / drag.scale, y: drag.view.y - dy / drag.scale });
  });
  window.addEventListener('pointerup', () => {
    drag = null;
    canvas.classList.remove('dragging');
  });

  // A click picks what is under it; on a module's title it also collapses or expands it.
  svg.addEventListener('click', (e) => {
    if (dragged) return;
    const item = itemAt(e.target);
    if (item && item.cluster && e.target.closest('text')) toggle(item);
    select(item);
  });
  svg.addEventListener('dblclick', (e) => {
    const item = itemAt(e.target);
    if (item && item.cluster && !e.target.closest('text')) toggle(item);
  });

  document.getElementById('fit').addEventListener('click', fit);
  document.addEventListener('keydown', (e) => {
    if (e.target === searchBox) {
      if (e.key === 'Enter') {
        e.preventDefault();
        go(e.shiftKey ? -1 : 1);
      } else if (e.key === 'Escape') {
        searchBox.value = '';
        search('');
        searchBox.blur();
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '/') {
      e.preventDefault();
      searchBox.focus();
      searchBox.select();
    } else if (e.key === 'Escape') {
      select(null);
    } else if (e.key === '0') {
      fit();
    } else if (e.key === '+' || e.key === '=') {
      zoomAt(middle(), 1 / 1.25);
    } else if (e.key === '-') {
      zoomAt(middle(), 1.25);
    }
  });

  refresh();
  start();
})();
