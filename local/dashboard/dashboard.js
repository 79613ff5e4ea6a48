// Polls /metrics.json and draws each group of metrics as a uPlot time
// series, with a table of the latest plotted values beside each chart.
// The tables carry data-metric and data-value attributes, and each chart
// section carries data-samples, so tests can read what the page shows.

const { uPlot } = globalThis;

const pollIntervalMs = 1000;
/** Ten minutes of one sample per second. */
const maxSamples = 600;
const plotHeight = 220;
const colors = ['#0969da', '#bc4c00', '#1a7f37', '#8250df'];
/** Dashes let a line show through another that has the same values. */
const dashes = [[], [8, 4], [2, 4], [12, 4, 2, 4]];

/** Chart groups, in the order of the CloudWatch dashboard. */
const chartGroups = [
  {
    id: 'files',
    title: 'Files ingested, processed and deleted',
    unit: 'files',
    metrics: ['RawDataCount', 'ProcessedDataCount', 'DeletedDataCount'],
  },
  {
    id: 'backlog',
    title: 'Age of the oldest file by status',
    unit: 'seconds',
    metrics: [
      'OldestRawAgeSeconds',
      'OldestQueuedAgeSeconds',
      'OldestProcessedAgeSeconds',
    ],
  },
  {
    id: 'dispatcher',
    title: 'Dispatcher',
    unit: 'files',
    metrics: ['FilesClaimed', 'FilesRedispatched', 'FilesReturnedToRaw'],
  },
  {
    id: 'at-risk',
    title: 'Files at risk',
    unit: 'files or messages',
    metrics: ['FilesStuck', 'FilesSentToDeadLetterQueue', 'MessagesFailed'],
  },
  {
    id: 'lock',
    title: 'Deleter lock',
    unit: 'deleter runs',
    metrics: ['LockAcquired', 'LockContended'],
  },
  {
    id: 'ingest',
    title: 'Rejected ingest requests',
    unit: 'requests',
    metrics: ['IngestRejected'],
  },
];

const history = { times: [], values: new Map() };
const charts = [];
const statusLine = document.getElementById('status');

/**
 * Builds the charts for the metrics of the first reading. Metrics that no
 * group names get a chart of their own, so none is left out.
 */
function createCharts(metrics) {
  const grouped = new Set(chartGroups.flatMap((group) => group.metrics));
  const others = metrics.filter((metric) => !grouped.has(metric.name));
  const groups = [...chartGroups];
  if (others.length > 0) {
    const names = others.map((metric) => metric.name);
    groups.push({ id: 'other', title: 'Other', unit: '', metrics: names });
  }
  const byName = new Map(metrics.map((metric) => [metric.name, metric]));
  for (const group of groups) {
    const members = group.metrics
      .map((name) => byName.get(name))
      .filter((metric) => metric !== undefined);
    if (members.length > 0) charts.push(createChart(group, members));
  }
}

function createChart(group, metrics) {
  const section = document.createElement('section');
  section.className = 'chart';
  section.dataset.chart = group.id;
  const heading = document.createElement('h2');
  heading.textContent = group.unit
    ? `${group.title} (${group.unit})`
    : group.title;
  const body = document.createElement('div');
  body.className = 'chart-body';
  const plotElement = document.createElement('div');
  plotElement.className = 'plot';
  const table = createSummaryTable(metrics);
  body.append(plotElement, table);
  section.append(heading, body);
  document.getElementById('charts').append(section);

  const plot = new uPlot(
    plotOptions(metrics, plotWidth(plotElement)),
    emptyData(metrics.length),
    plotElement,
  );
  // The grid sets the plot element's width, so the chart follows it.
  new ResizeObserver(() => {
    plot.setSize({ width: plotWidth(plotElement), height: plotHeight });
  }).observe(plotElement);

  return { section, table, plot, metrics };
}

function plotWidth(plotElement) {
  return Math.max(plotElement.clientWidth, 200);
}

function plotOptions(metrics, width) {
  return {
    width,
    height: plotHeight,
    legend: { show: false },
    scales: {
      x: { time: true },
      y: { range: (_plot, _min, max) => [0, Math.max(1, max ?? 0) * 1.1] },
    },
    series: [
      {},
      ...metrics.map((metric, index) => ({
        label: metric.prometheusName,
        stroke: colors[index % colors.length],
        dash: dashes[index % dashes.length],
        width: 2,
        spanGaps: false,
      })),
    ],
  };
}

function createSummaryTable(metrics) {
  const table = document.createElement('table');
  table.className = 'summary';
  const head = table.createTHead().insertRow();
  for (const title of ['Metric', 'Value']) {
    const cell = document.createElement('th');
    cell.textContent = title;
    head.append(cell);
  }
  const body = table.createTBody();
  metrics.forEach((metric, index) => {
    const row = body.insertRow();
    const label = row.insertCell();
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = colors[index % colors.length];
    const name = document.createElement('span');
    name.className = 'name';
    name.append(swatch, metric.prometheusName);
    const help = document.createElement('span');
    help.className = 'help';
    help.textContent = metric.help;
    label.append(name, help);
    const value = row.insertCell();
    value.className = 'value';
    value.dataset.metric = metric.name;
    value.dataset.kind = metric.kind;
    value.textContent = '–';
  });

  return table;
}

function emptyData(seriesCount) {
  return [[], ...Array.from({ length: seriesCount }, () => [])];
}

/**
 * Returns the value to plot. A gauge that has never been published has no
 * value yet, whereas a counter that has never been published is 0.
 */
function plottedValue(metric) {
  return metric.kind === 'gauge' && metric.updatedAt === null
    ? null
    : metric.value;
}

/**
 * Appends one reading. A counter below its last value means the pipeline
 * restarted, so the history starts again.
 */
function recordSnapshot(snapshot) {
  const restarted = snapshot.metrics.some((metric) => {
    const last = history.values.get(metric.name)?.at(-1);
    return metric.kind === 'counter' && last != null && metric.value < last;
  });
  if (restarted) {
    history.times.length = 0;
    history.values.clear();
  }
  history.times.push(Date.parse(snapshot.readAt) / 1000);
  for (const metric of snapshot.metrics) {
    const values = history.values.get(metric.name) ?? [];
    values.push(plottedValue(metric));
    history.values.set(metric.name, values);
  }
  if (history.times.length > maxSamples) {
    history.times.shift();
    for (const values of history.values.values()) values.shift();
  }
}

function renderChart(chart) {
  const series = chart.metrics.map(
    (metric) => history.values.get(metric.name) ?? [],
  );
  chart.plot.setData([history.times, ...series]);
  chart.section.dataset.samples = String(history.times.length);
  for (const metric of chart.metrics) {
    const cell = chart.table.querySelector(`[data-metric="${metric.name}"]`);
    const value = history.values.get(metric.name)?.at(-1);
    cell.dataset.value = value == null ? '' : String(value);
    cell.textContent = value == null ? '–' : value.toLocaleString('en');
  }
}

function setStatus(state, text) {
  document.body.dataset.state = state;
  statusLine.textContent = text;
}

async function poll() {
  try {
    const response = await fetch('/metrics.json', { cache: 'no-store' });
    if (!response.ok) {
      throw new Error(`GET /metrics.json returned ${response.status}`);
    }
    const snapshot = await response.json();
    if (charts.length === 0) createCharts(snapshot.metrics);
    recordSnapshot(snapshot);
    for (const chart of charts) renderChart(chart);
    const time = new Date(snapshot.readAt).toLocaleTimeString('en-GB');
    setStatus('live', `Updated at ${time}, every second`);
  } catch (error) {
    setStatus(
      'error',
      `Cannot read /metrics.json: ${error.message}. ` +
        'Is npm start still running? Retrying every second.',
    );
  } finally {
    setTimeout(poll, pollIntervalMs);
  }
}

poll();
