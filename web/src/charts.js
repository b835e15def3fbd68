// Chart.js (loaded as the global `Chart` from assets/chart.umd.min.js) with the dashboard's look.
// Every chart made through here is destroyed when the view changes.

const live = new Set();

function setDefaults() {
  const C = window.Chart;
  if (!C || setDefaults.done) return;
  setDefaults.done = true;
  C.defaults.font.family = getComputedStyle(document.body).fontFamily;
  C.defaults.font.size = 12;
  C.defaults.color = '#475569';
  C.defaults.borderColor = '#e2e8f0';
  C.defaults.animation = false;  // views redraw often; animations only delay what the user asked for
  C.defaults.maintainAspectRatio = false;
}

export function makeChart(canvas, config) {
  if (!window.Chart) throw new Error('The chart library did not load; rebuild the dashboard with `make`.');
  setDefaults();
  const chart = new window.Chart(canvas, config);
  live.add(chart);
  return chart;
}

export function destroyCharts() {
  for (const c of live) c.destroy();
  live.clear();
}

// A sparkline: a bare line without axes, for table cells.
export function sparkline(canvas, values, color = '#6366f1') {
  return makeChart(canvas, {
    type: 'line',
    data: {
      labels: values.map((_, i) => i),
      datasets: [{ data: values, borderColor: color, borderWidth: 1.5, pointRadius: 0, tension: 0.3,
                   fill: true, backgroundColor: `${color}22` }],
    },
    options: {
      responsive: false,
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
      scales: { x: { display: false }, y: { display: false, beginAtZero: true } },
      events: [],
    },
  });
}

// Every bucket start (ms) in the window for fixed-length buckets; otherwise the buckets the series have.
export function bucketStarts(series, range) {
  const step = { hour: 3600000, day: 86400000 }[range.bucket];
  if (step) {
    const out = [];
    for (let t = new Date(range.from).getTime(); t < new Date(range.to).getTime(); t += step) out.push(t);
    return out;
  }
  return [...new Set(series.flatMap((s) => s.points.map((p) => new Date(p.t).getTime())))].sort((a, b) => a - b);
}

// One count per bucket start, summed over every series of a report.
export function countsPerBucket(report, range) {
  const starts = bucketStarts(report.series, range);
  const index = new Map(starts.map((t, i) => [t, i]));
  const out = new Array(starts.length).fill(0);
  for (const s of report.series)
    for (const p of s.points) {
      const i = index.get(new Date(p.t).getTime());
      if (i !== undefined) out[i] += p.count;
    }
  return out;
}
