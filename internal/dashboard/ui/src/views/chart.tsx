// A learner's attendance and punctuality week by week, as an inline SVG
// (no chart library), with the register codes of every session beneath it.
import { formatDate } from '../api';

export interface ChartMark {
  id: string;
  date: string;
  session: string;
  code: string;
  status: string;
  minutesLate: number;
  absenceReason: string | null;
}

// The codes a provider's mark becomes in the home school's register.
export const codeMeanings: [string, string][] = [
  ['B', 'Attending approved off-site educational activity'],
  ['K', 'Attending provision arranged by the local authority'],
  ['U', 'Arrived after the register closed (unauthorised absence)'],
  ['N', 'Absent, reason not yet provided'],
  ['I', 'Absent, illness (authorised)'],
  ['M', 'Absent, medical or dental appointment (authorised)'],
  ['C', 'Absent, exceptional circumstances (authorised)'],
  ['O', 'Absent, other or unknown (unauthorised)'],
];

const attends = (code: string) => code === 'B' || code === 'K';

interface Week {
  monday: string;
  possible: number;
  attended: number;
  arrived: number;
  onTime: number;
}

function mondayOf(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  t.setUTCDate(t.getUTCDate() - ((t.getUTCDay() + 6) % 7));
  return t.toISOString().slice(0, 10);
}

function weeks(marks: ChartMark[]): Week[] {
  const by = new Map<string, Week>();
  for (const m of marks) {
    if (!m.code) continue; // not a possible session
    const k = mondayOf(m.date);
    const w = by.get(k) ?? { monday: k, possible: 0, attended: 0, arrived: 0, onTime: 0 };
    w.possible++;
    if (attends(m.code)) w.attended++;
    if (m.status === 'PRESENT' || m.status === 'LATE') {
      w.arrived++;
      if (m.status === 'PRESENT') w.onTime++;
    }
    by.set(k, w);
  }
  return [...by.values()].sort((a, b) => (a.monday < b.monday ? -1 : 1));
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((100 * n) / d));

export function MarkChart({ marks }: { marks: ChartMark[] }) {
  if (marks.length === 0) return <p class="empty">No sessions have been marked for this learner yet.</p>;
  const ws = weeks(marks);
  const W = 640,
    H = 220,
    L = 44,
    R = 28, // room for half the last week's label ("30/11") beyond its point
    T = 12,
    B = 40;
  const x = (i: number) => L + (ws.length === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (ws.length - 1));
  // A label ("30/11") is about 32 units wide: with many weeks, label every
  // so many, counting back from the latest so that one is always labelled.
  const labelEvery = ws.length < 2 ? 1 : Math.ceil(40 / ((W - L - R) / (ws.length - 1)));
  const y = (p: number) => T + ((100 - p) * (H - T - B)) / 100;
  const line = (f: (w: Week) => number | null) =>
    ws
      .map((w, i) => [i, f(w)] as const)
      .filter(([, v]) => v !== null)
      .map(([i, v], j) => `${j === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v as number).toFixed(1)}`)
      .join(' ');
  const att = (w: Week) => pct(w.attended, w.possible);
  const pun = (w: Week) => pct(w.onTime, w.arrived);
  const total = ws.reduce((a, w) => ({ p: a.p + w.possible, at: a.at + w.attended, ar: a.ar + w.arrived, o: a.o + w.onTime }), { p: 0, at: 0, ar: 0, o: 0 });
  const summary = `Attendance ${pct(total.at, total.p) ?? '–'}% of ${total.p} sessions; punctuality ${pct(total.o, total.ar) ?? '–'}% of ${total.ar} arrivals.`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title chart-desc">
        <title id="chart-title">Weekly attendance and punctuality</title>
        <desc id="chart-desc">{summary}</desc>
        {[0, 25, 50, 75, 100].map((p) => (
          <g key={p}>
            <line x1={L} x2={W - R} y1={y(p)} y2={y(p)} class="grid" />
            <text x={L - 6} y={y(p) + 4} text-anchor="end" class="axis">
              {p}%
            </text>
          </g>
        ))}
        {ws.map((w, i) =>
          (ws.length - 1 - i) % labelEvery === 0 ? (
            <text key={w.monday} x={x(i)} y={H - B + 16} text-anchor="middle" class="axis">
              {w.monday.slice(8, 10)}/{w.monday.slice(5, 7)}
            </text>
          ) : null,
        )}
        <text x={(W + L) / 2} y={H - 4} text-anchor="middle" class="axis">
          Week beginning
        </text>
        <path d={line(att)} class="series-att" />
        <path d={line(pun)} class="series-pun" />
        {ws.map((w, i) => (
          <g key={w.monday}>
            {att(w) !== null && <circle cx={x(i)} cy={y(att(w)!)} r="4" class="dot-att" />}
            {pun(w) !== null && <rect x={x(i) - 4} y={y(pun(w)!) - 4} width="8" height="8" class="dot-pun" />}
          </g>
        ))}
      </svg>
      <figcaption>
        <span class="key-att">● Attendance</span> <span class="key-pun">■ Punctuality (on time, of sessions arrived)</span>. {summary}
      </figcaption>
      <div class="table-wrap">
        <table class="codes">
          <caption>Register codes by session, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Session</th>
              <th scope="col">Code</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {marks
              .slice()
              .reverse()
              .slice(0, 40)
              .map((m) => (
                <tr key={m.id}>
                  <td>{formatDate(m.date)}</td>
                  <td>{m.session}</td>
                  <td class={`mark mark-${m.status}`}>
                    <span class="code">{m.code || '–'}</span>
                  </td>
                  <td>{m.status === 'LATE' ? `Late ${m.minutesLate} min` : (codeMeanings.find(([c]) => c === m.code)?.[1] ?? 'Not a provider session')}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <CodeKey />
    </figure>
  );
}

export function CodeKey() {
  return (
    <details class="code-key">
      <summary>Register codes</summary>
      <dl>
        {codeMeanings.map(([c, m]) => (
          <div key={c}>
            <dt class="code">{c}</dt>
            <dd>{m}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
