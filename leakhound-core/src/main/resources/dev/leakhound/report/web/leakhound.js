// Leakhound's pages: the agent's live /debug/ page and the CLI's --html files (threads, heap, gc).
// Plain ES2020, no build step, no framework; charts by uPlot (vendored next to this file). Every text of the data
// goes into the page as text (textContent), never as markup; no inline handler, no eval: the pages' CSP allows none.
// The page says which view it is in the body's data-view (live, threads, heap or gc); a file embeds its data as JSON
// in the element #leakhound-data, a script element of type application/json (the same document as the command's
// --json).
//
// What a test can read (the contract):
//   document.documentElement.dataset.leakhound  "ready" after the first complete render (live: after the first
//                                               successful fetch of every source); "token" while the live page waits
//                                               for a token (at once when <body data-token="required"> and none is
//                                               in sessionStorage; after a 401 otherwise); "error" on failure, the
//                                               message in #error.
//   window.leakhound.charts   name -> uPlot instance: live page threads, sites, heap, gcPauses; gc file heap, gcPauses.
//   window.leakhound.sources  live page: chart name (and "groups") -> the URL path its points come from.
//   window.leakhound.data     files: the embedded JSON object.
//
// How each chart's points come from the JSON (chart.data[0] is x, chart.data[i] series i, chart.series[i].label):
//   threads  (live, /debug/history): x = samples[k].time (epoch seconds, as given). One series per kind and state,
//            labelled "platform STATE" then "virtual STATE", the states of a kind being the union of the keys of
//            samples[*].platform (resp. .virtual), sorted (JavaScript's default string sort); the value of sample k
//            is samples[k].platform[STATE] (resp. virtual), 0 when the key is absent.
//   sites    (live, /debug/history): x = samples[k].time. One series per site label, the union of the keys of
//            samples[*].sites, sorted; the value of sample k is samples[k].sites[label], 0 when absent (not a
//            suspect then, or not among the top sites). No site ever: x only.
//   heap     (live: /debug/history gc.cycles, x = cycle.time, epoch seconds; gc file: data.cycles, x =
//            cycle.startSeconds, the log's clock, seconds): the cycles whose heapAfter is a number, in the JSON's
//            order. Series 1 "heap after GC (bytes)" = heapAfter; series 2 "trend (bytes)" = the least-squares line
//            over those (x, heapAfter) points evaluated at each x (a + b*x, fitted with x centred on its mean);
//            null at every point when fewer than 2 points or all x equal.
//   gcPauses (same source and x as heap): the cycles whose pauseMillis is a number; series 1 "pause (ms)" =
//            pauseMillis.
// The grouped view (#groups): one <details class="group" data-count data-state> per group, in the JSON's order
// (live: /debug/threads/dump?format=json groups; threads file: groups, or suspects under --suspects-only; heap file:
// proof.leaked then proof.notProven, data-state = the wait kind, data-verdict leaked|not-proven). Its <summary>
// says the count, the state and the blocking line as "at Class.method(File.java:LINE)" (blockedAt: the first
// application frame, else the top frame); <pre class="stack"> holds the whole stack, one "at FRAME" a line.
// input#search hides (attribute hidden) the groups whose text (thread names, state, wait, blocking line, start site,
// stack, pattern id) lacks any of the words typed (split at white space, case-insensitive); it runs on each input
// event, and again after the live page redraws the groups.
'use strict';
(() => {
  const root = document.documentElement;
  const body = document.body;
  const view = body.dataset.view;
  const lh = window.leakhound = { charts: {}, sources: {}, data: null };
  const TOKEN_KEY = 'leakhound.token';
  const POLL_MS = 5000;

  // ------------------------------------------------------------------ helpers

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else if (k.startsWith('data-')) e.setAttribute(k, String(v));
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function fail(message) {
    const e = $('error');
    if (e) {
      e.textContent = String(message);
      e.hidden = false;
    }
    root.dataset.leakhound = 'error';
  }

  function mb(bytes) {
    return bytes === null || bytes === undefined ? '?' : (bytes / 1048576).toFixed(1) + ' MB';
  }

  function plural(n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's');
  }

  function sortedKeys(objects) {
    const keys = new Set();
    for (const o of objects) {
      for (const k of Object.keys(o || {})) keys.add(k);
    }
    return [...keys].sort();
  }

  // ------------------------------------------------------------------ charts

  // Least squares over (xs, ys) evaluated at each x; nulls when it cannot be fitted.
  function trendLine(xs, ys) {
    const n = xs.length;
    if (n < 2) return xs.map(() => null);
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const my = ys.reduce((a, b) => a + b, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (xs[i] - mx) * (ys[i] - my);
      sxx += (xs[i] - mx) * (xs[i] - mx);
    }
    if (sxx === 0) return xs.map(() => null);
    const b = sxy / sxx;
    return xs.map(x => my + b * (x - mx));
  }

  const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
    '#bcbd22', '#17becf', '#393b79', '#ad494a', '#637939', '#8c6d31'];

  function threadsSeries(samples) {
    const x = samples.map(s => s.time);
    const labels = [];
    const data = [x];
    for (const kind of ['platform', 'virtual']) {
      for (const state of sortedKeys(samples.map(s => s[kind]))) {
        labels.push(kind + ' ' + state);
        data.push(samples.map(s => (s[kind] && typeof s[kind][state] === 'number') ? s[kind][state] : 0));
      }
    }
    return { labels, data };
  }

  function sitesSeries(samples) {
    const x = samples.map(s => s.time);
    const labels = sortedKeys(samples.map(s => s.sites));
    const data = [x];
    for (const site of labels) {
      data.push(samples.map(s => (s.sites && typeof s.sites[site] === 'number') ? s.sites[site] : 0));
    }
    return { labels, data };
  }

  function heapSeries(cycles, xField) {
    const kept = cycles.filter(c => typeof c.heapAfter === 'number' && typeof c[xField] === 'number');
    const x = kept.map(c => c[xField]);
    const y = kept.map(c => c.heapAfter);
    return { labels: ['heap after GC (bytes)', 'trend (bytes)'], data: [x, y, trendLine(x, y)] };
  }

  function pauseSeries(cycles, xField) {
    const kept = cycles.filter(c => typeof c.pauseMillis === 'number' && typeof c[xField] === 'number');
    return { labels: ['pause (ms)'], data: [kept.map(c => c[xField]), kept.map(c => c.pauseMillis)] };
  }

  function chartWidth(box) {
    return Math.max(320, Math.min(1100, (box.clientWidth || 800) - 8));
  }

  // Makes the chart, or gives the existing one its new points (a new chart when the series changed).
  function plot(name, box, series, opts) {
    const old = lh.charts[name];
    const same = old && old.series.length === series.labels.length + 1
      && series.labels.every((l, i) => old.series[i + 1].label === l);
    if (same) {
      old.setData(series.data);
      return old;
    }
    if (old) old.destroy();
    box.textContent = '';
    const bytes = opts.bytes;
    const chart = new uPlot({
      title: opts.title,
      width: chartWidth(box),
      height: 260,
      scales: { x: { time: opts.time } },
      series: [{ label: opts.time ? 'time' : 'seconds' }].concat(series.labels.map((label, i) => ({
        label,
        stroke: opts.strokes ? opts.strokes[i] : PALETTE[i % PALETTE.length],
        width: 1.5,
        dash: opts.dashes ? opts.dashes[i] : undefined,
        points: { show: Array.isArray(opts.points) ? opts.points[i] === true : opts.points === true },
        value: bytes ? (u, v) => (v === null || v === undefined ? '--' : mb(v)) : undefined,
      }))),
      axes: [{}, bytes ? { size: 70, values: (u, vals) => vals.map(v => mb(v)) } : { size: 60 }],
    }, series.data, box);
    lh.charts[name] = chart;
    return chart;
  }

  function chartBox(parent, name, caption) {
    const box = el('div', { class: 'chart', id: 'chart-' + name });
    parent.append(el('figure', {}, box, el('figcaption', { text: caption })));
    return box;
  }

  function gcCharts(parent, cycles, xField, time) {
    const heapBox = chartBox(parent, 'heap', 'Heap left after each collection, with its least-squares trend line.');
    const pauseBox = chartBox(parent, 'gcPauses', 'Stop-the-world pauses.');
    return () => {
      plot('heap', heapBox, heapSeries(cycles(), xField),
        { title: 'Heap after GC', time, bytes: true, points: [true, false], strokes: ['#1f77b4', '#d62728'], dashes: [undefined, [6, 4]] });
      plot('gcPauses', pauseBox, pauseSeries(cycles(), xField),
        { title: 'GC pauses (ms)', time, points: true, strokes: ['#ff7f0e'] });
    };
  }

  window.addEventListener('resize', () => {
    for (const c of Object.values(lh.charts)) {
      const box = c.root.parentNode;
      if (box) c.setSize({ width: chartWidth(box), height: 260 });
    }
  });

  // ------------------------------------------------------------------ grouped threads

  function frames(stack) {
    return (stack || []).map(f => typeof f === 'string' ? f : String(f));
  }

  // A group of any of the JSONs, in one shape.
  function normalise(g, extra) {
    const stack = frames(g.stack);
    const blocked = g.blockedAt || stack[0] || null;
    let started = null;
    if (typeof g.startedAt === 'string') started = g.startedAt;
    else if (g.startedAt && g.startedAt.frames) started = g.startedAt.frames[0] || null;
    const names = (g.threads || []).map(t => t.name === '' ? '(unnamed)' : t.name).filter(n => n !== undefined);
    return Object.assign({
      count: g.count,
      state: g.state || g.wait || 'UNKNOWN',
      waitingIn: g.waitingIn || (typeof g.call === 'string' ? g.call : null),
      blockedAt: blocked,
      started,
      names,
      more: Math.max(0, (g.count || 0) - names.length),
      stack,
      pattern: g.pattern || null,
      blockedWithoutTimeout: g.blockedWithoutTimeout === true,
      virtual: g.virtualCount !== undefined ? g.virtualCount : (g.virtual ? g.count : null),
      blockedFor: g.blockedForSeconds,
    }, extra || {});
  }

  function groupKey(g) {
    return g.state + '|' + g.stack.join('|');
  }

  function renderGroups(container, groups) {
    const open = new Set();
    for (const d of container.querySelectorAll('details.group[open]')) open.add(d.dataset.key);
    container.textContent = '';
    if (groups.length === 0) {
      container.append(el('p', { class: 'none', text: 'no threads' }));
    }
    for (const g of groups) {
      const key = groupKey(g);
      const summary = el('summary', {},
        el('span', { class: 'count', text: String(g.count) }), ' ',
        el('span', { class: 'state', text: g.state }), ' ',
        g.verdict ? el('span', { class: 'verdict ' + g.verdict, text: g.verdict }) : null, g.verdict ? ' ' : null,
        g.waitingIn ? el('span', { class: 'wait', text: 'in ' + g.waitingIn }) : null, g.waitingIn ? ' ' : null,
        el('span', { class: 'site', text: g.blockedAt ? 'at ' + g.blockedAt : '(no stack)' }),
        g.blockedWithoutTimeout ? el('span', { class: 'flag', text: 'no timeout' }) : null,
        typeof g.retainedBytes === 'number' ? el('span', { class: 'retained', text: 'retains ' + mb(g.retainedBytes) }) : null);
      const details = el('details', { class: 'group', 'data-count': g.count, 'data-state': g.state, 'data-key': key,
        'data-verdict': g.verdict || null, open: open.has(key) }, summary);
      const facts = el('dl', { class: 'facts' });
      const fact = (name, value) => {
        if (value !== null && value !== undefined && value !== '') facts.append(el('dt', { text: name }), el('dd', { text: String(value) }));
      };
      fact('started at', g.started);
      if (g.virtual !== null && g.virtual !== undefined) fact('virtual', g.virtual + ' of ' + g.count);
      if (typeof g.blockedFor === 'number') fact('blocked for', 'up to ' + g.blockedFor + ' s');
      if (g.pattern) {
        fact('pattern', g.pattern.id + ' (' + g.pattern.certainty + ')');
        fact('evidence', g.pattern.evidence);
        fact('fix', g.pattern.fix);
      }
      if (typeof g.retainedBytes === 'number') fact('retained', mb(g.retainedBytes) + ' in ' + g.retainedObjects + ' objects');
      fact('why not proven', g.why);
      if (g.names.length) fact('threads', g.names.join(', ') + (g.more > 0 ? ' and ' + g.more + ' more' : ''));
      details.append(facts, el('pre', { class: 'stack', text: g.stack.map(f => 'at ' + f).join('\n') }));
      details.dataset.search = [g.state, g.waitingIn || '', g.blockedAt || '', g.started || '', g.names.join('\n'),
        g.stack.join('\n'), g.pattern ? g.pattern.id : ''].join('\n').toLowerCase();
      container.append(details);
    }
    applySearch();
  }

  function applySearch() {
    const input = $('search');
    const container = $('groups');
    if (!input || !container) return;
    const words = input.value.toLowerCase().split(/\s+/).filter(w => w);
    let shown = 0;
    for (const d of container.querySelectorAll('details.group')) {
      const hit = words.every(w => d.dataset.search.includes(w));
      d.hidden = !hit;
      if (hit) shown++;
    }
    const n = $('shown');
    if (n) n.textContent = words.length ? shown + ' groups match' : '';
  }

  function groupsSection(parent, title) {
    const section = el('section', { id: 'threads' }, el('h2', { text: title }),
      el('p', { class: 'search' }, el('label', { for: 'search', text: 'Search ' }),
        el('input', { id: 'search', type: 'search', placeholder: 'thread name, class, method, state...', autocomplete: 'off' }),
        ' ', el('span', { id: 'shown' })),
      el('div', { id: 'groups' }));
    parent.append(section);
    $('search').addEventListener('input', applySearch);
    return $('groups');
  }

  // Each cycle of threads waiting for each other's locks: who holds what and wants what, where; its pattern and fix.
  function renderDeadlocks(section, deadlocks) {
    section.textContent = '';
    section.append(el('h2', { text: 'Deadlocks: ' + (deadlocks.length || 'none') }));
    for (const cycle of deadlocks) {
      const lines = (cycle.threads || []).map(t => '"' + t.name + '"' + (t.tid !== null && t.tid !== undefined ? ' #' + t.tid : '')
        + (t.virtual ? ' (virtual)' : '') + '\n    holds ' + (t.holds || '?') + (t.heldAt ? ' (taken at ' + t.heldAt + ')' : '')
        + '\n    wants ' + (t.wants || '?') + (t.wantsAt ? ' at ' + t.wantsAt : ''));
      const p = cycle.pattern;
      section.append(el('div', { class: 'deadlock' },
        p ? el('p', { text: p.evidence + (p.fix ? '; fix: ' + p.fix : '') }) : null,
        el('pre', { class: 'deadlock', text: lines.join('\n') })));
    }
  }

  function table(rows) {
    const t = el('table', { class: 'summary' });
    for (const [k, v] of rows) {
      if (v !== null && v !== undefined) t.append(el('tr', {}, el('th', { text: k }), el('td', { text: String(v) })));
    }
    return t;
  }

  function statesText(states) {
    return Object.entries(states || {}).map(([s, n]) => s + ' ' + n).join(', ') || 'none';
  }

  // ------------------------------------------------------------------ the files

  function embedded() {
    const script = $('leakhound-data');
    if (!script) throw new Error('no embedded data');
    return JSON.parse(script.textContent);
  }

  function threadsFile(main, d) {
    const s = d.summary || {};
    main.append(el('section', {}, el('h2', { text: 'Summary' }), table([
      ['source', s.source], ['format', s.formatDescription], ['process', s.processId],
      ['JDK', s.runtimeVersion], ['taken', s.time],
      ['threads', s.threads + ' (' + s.platformThreads + ' platform, ' + s.virtualThreads + ' virtual)'],
      ['platform', statesText((s.states || {}).platform)], ['virtual', statesText((s.states || {}).virtual)],
      ['ignored', s.ignoredThreads], ['note', s.note],
      ['groups', s.groups], ['suspects', s.suspectGroups + ' groups, ' + s.suspectThreads + ' threads blocked with no timeout; '
        + s.suspectsMatchingPattern + ' match a leak pattern'],
      ['idle pools', s.idleGroups + ' groups, ' + s.idleThreads + ' threads'], ['deadlocks', s.deadlocks],
    ])));
    const dlSection = el('section', { id: 'deadlocks' });
    main.append(dlSection);
    renderDeadlocks(dlSection, d.deadlocks || []);
    const sus = d.suspects || [];
    const list = el('ol', { id: 'suspects' });
    for (const g of sus.map(x => normalise(x))) {
      list.append(el('li', {}, el('b', { text: plural(g.count, 'thread') + ' ' + g.state }),
        ' ', g.waitingIn ? 'in ' + g.waitingIn + ' ' : '', el('code', { text: g.blockedAt ? 'at ' + g.blockedAt : '' }),
        g.pattern ? el('div', { class: 'pattern', text: g.pattern.id + ' (' + g.pattern.certainty + '): ' + g.pattern.evidence }) : null));
    }
    main.append(el('section', {}, el('h2', { text: 'Suspects: ' + (sus.length ? plural(sus.length, 'group') + ', most telling first' : 'none') }), list));
    const groups = d.groups || sus;
    renderGroups(groupsSection(main, plural(groups.length, 'group') + ', largest first'), groups.map(g => normalise(g)));
  }

  function heapFile(main, d) {
    const dump = d.dump || {};
    const p = d.proof || {};
    main.append(el('section', {}, el('h2', { text: 'Summary' }), table([
      ['heap dump', dump.source], ['taken', dump.time], ['size', mb(dump.fileBytes)], ['objects', dump.objects],
      ['threads', p.threads], ['blocked with no timeout', p.blockedWithoutTimeout],
      ['leaked threads (proven)', p.leakedThreads], ['refused', p.refused],
    ])));
    const leaked = (p.leaked || []).map(g => normalise(g, { verdict: 'leaked', retainedBytes: g.retainedBytes, retainedObjects: g.retainedObjects }));
    const notProven = (p.notProven || []).map(g => normalise(g, { verdict: 'not-proven', why: g.why }));
    renderGroups(groupsSection(main, plural(leaked.length, 'leaked group') + ', ' + plural(notProven.length, 'group')
      + ' not proven'), leaked.concat(notProven));
    const top = d.top || [];
    const t = el('table', { class: 'histogram' }, el('tr', {}, el('th', { text: '#' }), el('th', { text: 'instances' }),
      el('th', { text: 'bytes' }), el('th', { text: 'class' })));
    for (const r of top) {
      t.append(el('tr', {}, el('td', { text: r.rank }), el('td', { text: r.instances }), el('td', { text: r.bytes }),
        el('td', { text: r.className })));
    }
    main.append(el('section', {}, el('h2', { text: 'Top classes by shallow size' }), t));
  }

  function gcFile(main, d) {
    const log = d.log || {};
    const tr = d.trend || {};
    main.append(el('section', {}, el('h2', { text: 'Summary' }), table([
      ['log', log.source], ['collector', log.collector], ['collections', log.cycles], ['heap max', log.heapMax === null ? 'unknown' : mb(log.heapMax)],
      ['clock', log.clock], ['verdict', tr.text],
    ])));
    const charts = el('section', { id: 'charts' }, el('h2', { text: 'Charts (x: seconds of the log\'s clock)' }));
    main.append(charts);
    gcCharts(charts, () => d.cycles || [], 'startSeconds', false)();
    const lines = el('pre', { class: 'trace', text: (d.cycles || []).map(c => c.trace).join('\n') });
    main.append(el('section', {}, el('h2', { text: 'Collections' }), lines));
  }

  // ------------------------------------------------------------------ the live page

  function live(main) {
    const sources = lh.sources;
    sources.threads = '/debug/history';
    sources.sites = '/debug/history';
    sources.heap = '/debug/history';
    sources.gcPauses = '/debug/history';
    sources.groups = '/debug/threads/dump?format=json';
    const form = $('token-form');
    const status = $('status');
    const charts = el('section', { id: 'charts' }, el('h2', { text: 'Over time' }));
    main.append(charts);
    const threadsBox = chartBox(charts, 'threads', 'Live threads by kind and state, one point per sample of the agent.');
    const sitesBox = chartBox(charts, 'sites', 'Threads blocked with no timeout at each leak-suspect site (the line that blocked).');
    let history = null;
    const drawGc = gcCharts(charts, () => (history && history.gc && history.gc.cycles) || [], 'time', true);
    const deadlocksBox = el('section', { id: 'deadlocks' });
    main.append(deadlocksBox);
    const groupsBox = groupsSection(main, 'Threads grouped by stack');
    let timer = null;

    async function get(path) {
      const headers = { Accept: 'application/json' };
      const token = sessionStorage.getItem(TOKEN_KEY);
      if (token) headers.Authorization = 'Bearer ' + token;
      const r = await fetch(path, { headers, cache: 'no-store', credentials: 'omit', redirect: 'error' });
      if (r.status === 401) {
        const e = new Error('the server wants a token');
        e.unauthorized = true;
        throw e;
      }
      if (!r.ok) throw new Error(path + ': ' + r.status + ' ' + (await r.text()).trim());
      return r.json();
    }

    async function refresh() {
      timer = null;
      if (document.hidden && root.dataset.leakhound === 'ready') {
        timer = setTimeout(refresh, POLL_MS);            // a tab nobody looks at asks the server for nothing
        return;
      }
      try {
        const h = await get(sources.threads);
        const dump = await get(sources.groups);
        history = h;
        const samples = h.samples || [];
        plot('threads', threadsBox, threadsSeries(samples), { title: 'Threads by kind and state', time: true });
        plot('sites', sitesBox, sitesSeries(samples), { title: 'Leak-suspect sites (threads)', time: true });
        drawGc();
        renderDeadlocks(deadlocksBox, dump.deadlocks || []);
        renderGroups(groupsBox, (dump.groups || []).map(g => normalise(g)));
        status.textContent = 'updated ' + new Date().toLocaleTimeString() + ': ' + plural(dump.total, 'thread') + ' ('
          + dump.platform + ' platform, ' + dump.virtual + ' virtual) in ' + plural(dump.groupCount, 'group')
          + (dump.groupsNotListed ? ' (' + dump.groupsNotListed + ' not listed)' : '')
          + '; ' + plural(samples.length, 'sample') + ' kept of ' + h.capacity;
        $('error').hidden = true;
        form.hidden = true;
        root.dataset.leakhound = 'ready';
        timer = setTimeout(refresh, POLL_MS);
      } catch (e) {
        if (e.unauthorized) {
          sessionStorage.removeItem(TOKEN_KEY);
          askToken();
        } else {
          fail(e.message || e);
          timer = setTimeout(refresh, POLL_MS);
        }
      }
    }

    function askToken() {
      form.hidden = false;
      root.dataset.leakhound = 'token';
      $('token').focus();
    }

    form.addEventListener('submit', ev => {
      ev.preventDefault();
      const v = $('token').value.trim();
      if (!v) return;
      sessionStorage.setItem(TOKEN_KEY, v);
      $('token').value = '';
      form.hidden = true;
      if (timer) clearTimeout(timer);
      refresh();
    });
    // A server that wants a token says so in the page: ask before the first request rather than after its 401.
    if (body.dataset.token === 'required' && !sessionStorage.getItem(TOKEN_KEY)) askToken();
    else refresh();
  }

  // ------------------------------------------------------------------ start

  try {
    const main = $('main');
    if (view === 'live') {
      live(main);
      return;
    }
    lh.data = embedded();
    if (view === 'threads') threadsFile(main, lh.data);
    else if (view === 'heap') heapFile(main, lh.data);
    else if (view === 'gc') gcFile(main, lh.data);
    else throw new Error('unknown view: ' + view);
    root.dataset.leakhound = 'ready';
  } catch (e) {
    fail(e && e.message ? e.message : e);
  }
})();
