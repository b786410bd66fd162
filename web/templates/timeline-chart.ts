// Counts per week, stacked by series (messages by verdict, findings by severity), drawn as inline SVG
// on the server (no script, no library). Each bar links to the queue for its dates. Forged dates can
// stretch the range over decades, so long ranges fall back to months, then years.
import { html, type Html } from './html.ts';
import { fmtCount } from './format.ts';

/** One week's count, split into the chart's series (Monday 'YYYY-MM-DD'; '' holds the undated). */
export interface WeekCount {
  key: string;
  total: number;
  parts: Partial<Record<string, number>>;
}

export interface ChartSpec {
  /** The series, bottom to top; each bar part gets the class `${cls}${series}`. */
  series: readonly string[];
  cls: string;
  /** What is counted, plural ("messages", "findings"). */
  noun: string;
  /** How the colours are chosen, for the caption ("coloured by machine verdict"). */
  colouredBy: string;
}

const WIDTH = 960;
const HEIGHT = 180;
const AXIS = 20;
/** Beyond this many bars a bar is under ~4 px: switch to a coarser unit. */
const MAX_BARS = 260;

type Unit = 'week' | 'month' | 'year';

interface Bucket {
  start: string;
  end: string;
  total: number;
  parts: Record<string, number>;
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function unitKey(week: string, unit: Unit): string {
  return unit === 'week' ? week : unit === 'month' ? week.slice(0, 7) : week.slice(0, 4);
}

function nextKey(key: string, unit: Unit): string {
  if (unit === 'week') return addDays(key, 7);
  if (unit === 'year') return String(Number(key) + 1).padStart(4, '0');
  const [y, m] = key.split('-').map(Number) as [number, number];
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}`;
}

function range(key: string, unit: Unit): [string, string] {
  if (unit === 'week') return [key, addDays(key, 6)];
  if (unit === 'year') return [`${key}-01-01`, `${key}-12-31`];
  return [`${key}-01`, addDays(`${nextKey(key, 'month')}-01`, -1)];
}

export function buildBuckets(weeks: WeekCount[]): { unit: Unit; buckets: Bucket[] } {
  const dated = weeks.filter((w) => w.key !== '');
  for (const unit of ['week', 'month', 'year'] as Unit[]) {
    const byKey = new Map<string, Bucket>();
    for (const w of dated) {
      const k = unitKey(w.key, unit);
      const [start, end] = range(k, unit);
      const b = byKey.get(k) ?? { start, end, total: 0, parts: {} };
      b.total += w.total;
      for (const [v, n] of Object.entries(w.parts)) b.parts[v] = (b.parts[v] ?? 0) + (n ?? 0);
      byKey.set(k, b);
    }
    const keys = [...byKey.keys()].sort();
    const first = keys[0];
    const last = keys.at(-1);
    if (first === undefined || last === undefined) return { unit, buckets: [] };
    const buckets: Bucket[] = [];
    let tooMany = false;
    for (let k = first; k <= last; k = nextKey(k, unit)) {
      const [start, end] = range(k, unit);
      buckets.push(byKey.get(k) ?? { start, end, total: 0, parts: {} });
      if (buckets.length > MAX_BARS && unit !== 'year') {
        tooMany = true;
        break;
      }
    }
    if (!tooMany) return { unit, buckets };
  }
  return { unit: 'year', buckets: [] };
}

export function timelineChart(weeks: WeekCount[], spec: ChartSpec): Html {
  const { unit, buckets } = buildBuckets(weeks);
  const undated = weeks.find((w) => w.key === '')?.total ?? 0;
  if (!buckets.length)
    return html`<p class="muted">No ${spec.noun} with a usable Date header${undated ? html` (${fmtCount(undated)} undated)` : ''}.</p>`;
  const max = Math.max(...buckets.map((b) => b.total), 1);
  const step = WIDTH / buckets.length;
  const barW = Math.max(1, step - (step > 4 ? 1 : 0));
  const plot = HEIGHT - AXIS;
  const bars = buckets.map((b, i) => {
    let y = plot;
    const x = (i * step).toFixed(1);
    const parts = spec.series
      .filter((v) => (b.parts[v] ?? 0) > 0)
      .map((v) => {
        const h = ((b.parts[v] ?? 0) / max) * (plot - 4);
        y -= h;
        return html`<rect class="bar ${spec.cls}${v}" x="${x}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(h, 0.5).toFixed(1)}"></rect>`;
      });
    const label = `${b.start} – ${b.end}: ${fmtCount(b.total)} ${spec.noun}${spec.series.map((v) => (b.parts[v] ? `, ${b.parts[v]} ${v}` : '')).join('')}`;
    return html`<a href="/messages?from=${b.start}&amp;to=${b.end}"><title>${label}</title><rect class="hit" x="${x}" y="0" width="${step.toFixed(1)}" height="${plot}"></rect>${parts}</a>`;
  });
  const ticks = buckets
    .map((b, i) => ({ b, i }))
    .filter(({ i }) => i === 0 || i === buckets.length - 1 || i % Math.ceil(buckets.length / 8) === 0)
    .map(
      ({ b, i }) =>
        html`<text x="${(i * step).toFixed(1)}" y="${HEIGHT - 5}">${unit === 'year' ? b.start.slice(0, 4) : unit === 'month' ? b.start.slice(0, 7) : b.start}</text>`,
    );
  return html`<figure class="timeline">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="${spec.noun} per ${unit}, ${spec.colouredBy}">
<line class="axis" x1="0" y1="${plot}" x2="${WIDTH}" y2="${plot}"></line>
${bars}
${ticks}
<text class="max" x="${WIDTH - 4}" y="12" text-anchor="end">max ${fmtCount(max)} / ${unit}</text>
</svg>
<figcaption>${spec.noun.charAt(0).toUpperCase()}${spec.noun.slice(1)} per ${unit} by the Date header, ${spec.colouredBy}${undated ? html`; ${fmtCount(undated)} without a usable date` : ''}. Click a bar for its messages.</figcaption>
</figure>`;
}
