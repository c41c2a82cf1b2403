import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, describeError, formatDate, sentence, formatTime, gql, label, nodes, periodOf, today, validDate, weekdayOf } from '../api';
import type { Me } from '../main';
import { Async, FormError, Heading, invalid, navigate, useQuery } from '../ui';
import { AMENDMENT_REASON, FORM_LONG } from '../limits';

interface Mark {
  id: string;
  session: string;
  status: string;
  minutesLate: number;
  absenceReason: string | null;
  code: string;
  version: number;
}
interface Placement {
  id: string;
  sessions: { weekday: string; start: string; end: string }[];
  learner: { firstName: string; lastName: string };
  course: { id: string; qualification: { title: string } };
  marks: { edges: { node: Mark }[] };
}

const PLACEMENTS = `query($d: Date!) {
  placements(first: 100, where: {status: ACTIVE, startDateLTE: $d, endDateGTE: $d}) { edges { node {
    id sessions { weekday start end }
    learner { firstName lastName }
    course { id qualification { title } }
    marks(first: 2, where: {date: $d}) { edges { node { id session status minutesLate absenceReason code version } } }
  } } }
}`;

const STATUSES = [
  ['PRESENT', 'P', 'Present'],
  ['LATE', 'L', 'Late'],
  ['ABSENT', 'A', 'Absent'],
  ['NOT_REQUIRED', 'N', 'Not required'],
] as const;
const REASONS = ['NO_REASON_YET', 'ILLNESS', 'MEDICAL_APPOINTMENT', 'OTHER_AUTHORISED', 'UNAUTHORISED'];

interface Entry {
  status: string;
  minutesLate: string;
  absenceReason: string;
  amendmentReason: string;
}

interface Session {
  key: string;
  courseID: string;
  title: string;
  period: 'AM' | 'PM';
  start: string;
  end: string;
  rows: { placement: Placement; mark?: Mark }[];
}

function entryOf(m?: Mark): Entry {
  return {
    status: m?.status ?? '',
    minutesLate: m && m.status === 'LATE' ? String(m.minutesLate) : '',
    absenceReason: m?.absenceReason ?? 'NO_REASON_YET',
    amendmentReason: '',
  };
}

function changed(e: Entry, m?: Mark): boolean {
  if (!m) return e.status !== '';
  if (e.status !== m.status) return true;
  if (e.status === 'LATE' && Number(e.minutesLate) !== m.minutesLate) return true;
  if (e.status === 'ABSENT' && e.absenceReason !== (m.absenceReason ?? 'NO_REASON_YET')) return true;
  return false;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

const fieldWords: [RegExp, string][] = [
  [/\bminutesLate\b/g, 'minutes late'],
  [/\bamendmentReason\b/g, 'a reason for the change'],
  [/\babsenceReason\b/g, 'absence reason'],
  [/\bNO_REASON_YET\b/g, 'no reason yet'],
  [/\b(PRESENT|LATE|ABSENT|NOT_REQUIRED)\b/g, ''],
];

// A server message about the register in words for people: learners by
// name instead of "placement 25769804034", no API field names.
function humanise(message: string, names: Map<string, string>): { text: string; pid: string } {
  let pid = '';
  let text = message.replace(/placement (\d+)/g, (_, id: string) => {
    pid ||= id;
    return names.get(id) ?? 'a learner';
  });
  if (/already marked/.test(message) && pid) {
    text = `${names.get(pid) ?? 'A learner'} has been marked by someone else meanwhile. Reload the page to see the saved mark, then change it if you need to, saying why.`;
  } else if (/amended by someone else/.test(message) && pid) {
    text = `${names.get(pid) ?? 'A learner'}'s mark was changed by someone else meanwhile. Reload the page and try again.`;
  } else {
    for (const [re, w] of fieldWords) text = text.replace(re, (m) => (w === '' ? m.toLowerCase().replace(/_/g, ' ') : w));
  }
  return { text: sentence(text), pid };
}

function RegisterForm({ s, date, saved, first }: { s: Session; date: string; saved: () => void; first: boolean }) {
  const fresh = () => Object.fromEntries(s.rows.map((r) => [r.placement.id, entryOf(r.mark)]));
  const [entries, setEntries] = useState<Record<string, Entry>>(fresh);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [result, setResult] = useState('');
  // Problems found before sending (or named by the server), by placement.
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const form = useRef<HTMLFormElement>(null);
  const submitRef = useRef<HTMLButtonElement>(null);
  const resultRef = useRef<HTMLParagraphElement>(null);
  const set = (pid: string, patch: Partial<Entry>) => {
    setEntries((prev) => ({ ...prev, [pid]: { ...prev[pid], ...patch } }));
    setRowErrors((prev) => {
      if (!prev[pid]) return prev;
      const { [pid]: _, ...rest } = prev;
      return rest;
    });
  };
  // After a save the marks are fetched again: show what is now saved. The
  // form stays mounted, so focus and the result message stay where they are.
  const savedSig = s.rows.map((r) => `${r.placement.id}:${r.mark?.version ?? 0}:${r.mark?.status ?? ''}`).join(',');
  const firstSig = useRef(savedSig);
  useEffect(() => {
    if (savedSig === firstSig.current) return;
    firstSig.current = savedSig;
    setEntries(fresh());
  }, [savedSig]);
  const names = new Map(s.rows.map((r) => [r.placement.id, `${r.placement.learner.firstName} ${r.placement.learner.lastName}`]));
  const sessionMinutes = Math.max(1, minutesOf(s.end) - minutesOf(s.start));

  // Focus the next learner's status (or the save button after the last).
  const focusRow = (i: number) => {
    requestAnimationFrame(() => {
      if (i >= s.rows.length) {
        submitRef.current?.focus();
        return;
      }
      const pid = s.rows[i].placement.id;
      const row = form.current?.querySelector<HTMLElement>(`[data-row="${pid}"]`);
      const target = row?.querySelector<HTMLInputElement>('input[type=radio]:checked') ?? row?.querySelector<HTMLInputElement>('input[type=radio]');
      target?.focus();
    });
  };
  // The first register opens with its first unmarked learner focused: mark at once.
  useEffect(() => {
    if (!first) return;
    const i = s.rows.findIndex((r) => !r.mark);
    if (i >= 0) focusRow(i);
  }, []);
  const focusIn = (pid: string, sel: string) => requestAnimationFrame(() => form.current?.querySelector<HTMLElement>(`[data-row="${pid}"] ${sel}`)?.focus());

  // A key this form handled on keydown must not act again as a keypress on
  // the element focus moved to (some input paths deliver it separately).
  const handled = useRef(false);
  const onRowKey = (e: KeyboardEvent, i: number, pid: string) => {
    const t = e.target as HTMLElement;
    handled.current = false;
    if (e.ctrlKey || e.metaKey) return; // Ctrl+Enter: the form's handler
    const typing = t.tagName === 'SELECT' || (t instanceof HTMLInputElement && t.type !== 'radio') || t.tagName === 'TEXTAREA';
    if (typing) {
      if (e.key === 'Enter') {
        // Enter in late minutes / reason moves on instead of submitting early.
        e.preventDefault();
        handled.current = true;
        focusRow(i + 1);
      }
      return;
    }
    if (e.altKey) return;
    const st = STATUSES.find(([, k]) => k.toLowerCase() === e.key.toLowerCase());
    if (!st) return;
    e.preventDefault();
    handled.current = true;
    set(pid, { status: st[0] });
    if (st[0] === 'LATE') focusIn(pid, 'input[inputmode=numeric]');
    else if (st[0] === 'ABSENT') focusIn(pid, 'select');
    else focusRow(i + 1);
  };

  const unmarked = s.rows.filter((r) => !entries[r.placement.id].status).length;
  const toSend = s.rows.filter((r) => entries[r.placement.id].status);
  const changes = s.rows.filter((r) => changed(entries[r.placement.id], r.mark)).length;

  // What must be right before the register goes to the server, per learner.
  const check = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const r of toSend) {
      const pid = r.placement.id;
      const en = entries[pid];
      const name = names.get(pid)!;
      if (en.status === 'LATE') {
        const n = Number(en.minutesLate);
        if (en.minutesLate === '' || !Number.isInteger(n) || n < 1) out[pid] = `${name}: enter how many minutes late (1 to ${sessionMinutes}).`;
        else if (n > sessionMinutes) out[pid] = `${name}: ${n} minutes is longer than the session (${sessionMinutes} minutes); mark them absent instead.`;
      }
      if (!out[pid] && r.mark && changed(en, r.mark) && !en.amendmentReason.trim()) out[pid] = `${name}: say why you are changing the saved mark.`;
    }
    return out;
  };

  // Saving is the button's (or Ctrl+Enter's) job only: Enter in a text field
  // submits a form implicitly, which must not save a half-marked register.
  const submit = async () => {
    if (busy || changes === 0) return;
    setError('');
    setResult('');
    const problems = check();
    setRowErrors(problems);
    const bad = Object.keys(problems);
    if (bad.length > 0) {
      setError(bad.length === 1 ? 'One learner needs attention before the register can be saved.' : `${bad.length} learners need attention before the register can be saved.`);
      const pid = bad[0];
      const en = entries[pid];
      focusIn(pid, en.status === 'LATE' && problems[pid].includes('minutes') ? 'input[inputmode=numeric]' : 'input.amend-reason');
      return;
    }
    setBusy(true);
    try {
      const input = {
        courseID: s.courseID,
        date,
        session: s.period,
        entries: toSend.map((r) => {
          const en = entries[r.placement.id];
          const mark: Record<string, unknown> = { status: en.status };
          if (en.status === 'LATE') mark.minutesLate = Number(en.minutesLate);
          if (en.status === 'ABSENT') mark.absenceReason = en.absenceReason;
          if (r.mark && changed(en, r.mark)) mark.amendmentReason = en.amendmentReason.trim();
          return { placementID: r.placement.id, mark };
        }),
      };
      const d = await gql<{ recordRegister: { created: number; unchanged: number; amended: number; alerts: { id: string }[] } }>(
        `mutation($in: RecordRegisterInput!) { recordRegister(input: $in) { created unchanged amended alerts { id } } }`,
        { in: input },
      );
      const r = d.recordRegister;
      setResult(`Register saved: ${r.created} new, ${r.amended} amended, ${r.unchanged} unchanged${r.alerts.length ? `; ${r.alerts.length} alert${r.alerts.length === 1 ? '' : 's'} sent to schools` : ''}.`);
      saved();
      // The save button is about to be disabled (nothing left to save): keep
      // the keyboard at the result rather than losing it to the page.
      requestAnimationFrame(() => resultRef.current?.focus());
    } catch (err) {
      if (err instanceof ApiError && err.message && err.code !== 'NETWORK' && err.code !== 'INTERNAL_SERVER_ERROR' && err.code !== 'UNAUTHENTICATED') {
        const h = humanise(err.message, names);
        if (h.pid && names.has(h.pid)) setRowErrors({ [h.pid]: h.text });
        setError(h.pid ? 'The register was not saved.' + (names.has(h.pid) ? '' : ` ${h.text}`) : `The register was not saved. ${h.text}`);
      } else {
        setError(`The register was not saved. ${describeError(err)}`);
      }
    } finally {
      setBusy(false);
    }
  };

  const id = s.key;
  const errID = `${id}-error`;
  return (
    <form ref={form} class="register" onSubmit={(e) => e.preventDefault()}
      onKeyDown={(e) => {
        // Ctrl+Enter saves from anywhere in the register, the button included.
        if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
          e.preventDefault();
          void submit();
        }
      }}
      onKeyPressCapture={(e) => {
        if (handled.current) e.preventDefault();
      }}
      onKeyUpCapture={() => (handled.current = false)}
      aria-labelledby={`${id}-h`} data-register={id}>
      <h2 id={`${id}-h`}>
        {s.title} · {s.period} ({s.start}–{s.end})
      </h2>
      <p class="hint" id={`${id}-keys`}>
        Keys: <kbd>P</kbd> present, <kbd>L</kbd> late, <kbd>A</kbd> absent, <kbd>N</kbd> not required; each moves to the next learner. <kbd>Enter</kbd> after minutes or reason moves on; <kbd>Ctrl</kbd>+<kbd>Enter</kbd> saves.
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Learner</th>
              <th scope="col">Mark</th>
              <th scope="col">Details</th>
              <th scope="col">Already marked</th>
            </tr>
          </thead>
          <tbody>
            {s.rows.map((r, i) => {
              const pid = r.placement.id;
              const en = entries[pid];
              const name = names.get(pid)!;
              const amending = r.mark && changed(en, r.mark);
              const rowErr = rowErrors[pid];
              const rowErrID = `${id}-${pid}-error`;
              const lateBad = rowErr && en.status === 'LATE' && /minutes/.test(rowErr);
              const amendBad = rowErr && !lateBad && amending;
              return (
                <tr key={pid} data-row={pid} onKeyDown={(e) => onRowKey(e, i, pid)} class={`${en.status ? `row-${en.status}` : 'row-unmarked'}${rowErr ? ' row-error' : ''}`}>
                  <th scope="row" id={`${id}-${pid}-name`}>
                    {name}
                  </th>
                  <td>
                    <fieldset class="marks" aria-labelledby={`${id}-${pid}-name`} aria-describedby={`${id}-keys`}>
                      {STATUSES.map(([v, k, text]) => (
                        <label key={v} class="mark-choice" title={text}>
                          <input type="radio" name={`${id}-${pid}`} value={v} checked={en.status === v} onChange={() => set(pid, { status: v })} aria-label={`${text} (${k})`} />
                          <span aria-hidden="true">{k}</span>
                        </label>
                      ))}
                    </fieldset>
                  </td>
                  <td class="details">
                    {en.status === 'LATE' && (
                      <label>
                        Minutes late{' '}
                        <input type="text" inputMode="numeric" pattern="[0-9]*" maxLength={4} required size={4} value={en.minutesLate}
                          onInput={(e) => set(pid, { minutesLate: e.currentTarget.value.replace(/\D/g, '') })}
                          aria-invalid={lateBad ? true : undefined} aria-describedby={lateBad ? rowErrID : undefined} />
                      </label>
                    )}
                    {en.status === 'ABSENT' && (
                      <label>
                        Reason{' '}
                        <select value={en.absenceReason} onChange={(e) => set(pid, { absenceReason: e.currentTarget.value })}>
                          {REASONS.map((x) => (
                            <option key={x} value={x}>
                              {label(x)}
                            </option>
                          ))}
                        </select>
                      </label>
                    )}
                    {amending && (
                      <label class="amend">
                        Why change the saved mark?{' '}
                        <input type="text" class="amend-reason" required maxLength={AMENDMENT_REASON} value={en.amendmentReason} onInput={(e) => set(pid, { amendmentReason: e.currentTarget.value })}
                          aria-invalid={amendBad ? true : undefined} aria-describedby={amendBad ? rowErrID : undefined} />
                      </label>
                    )}
                    {rowErr && (
                      <p class="error row-message" id={rowErrID}>
                        {rowErr}
                      </p>
                    )}
                  </td>
                  <td data-saved={r.mark?.code ?? ''}>
                    {r.mark ? (
                      <>
                        <span class="code">{r.mark.code || '–'}</span> {label(r.mark.status)}
                        {r.mark.status === 'LATE' && ` ${r.mark.minutesLate} min`}
                        {r.mark.version > 1 && ` (v${r.mark.version})`}
                      </>
                    ) : (
                      <span class="muted">Not yet</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div class="actions">
        <button type="button" ref={submitRef} onClick={() => void submit()} disabled={busy || changes === 0} aria-describedby={error ? errID : undefined}>
          {busy ? 'Saving…' : changes === 0 ? (toSend.length > 0 ? 'Saved: nothing changed' : 'Save register') : `Save register (${toSend.length} of ${s.rows.length})`}
        </button>
        {unmarked > 0 && <span class="muted">{unmarked} not marked yet</span>}
      </div>
      <p role="status" class="result" tabIndex={-1} ref={resultRef}>
        {result}
      </p>
      {error ? (
        <p class="error" role="alert" id={errID}>
          {error}
        </p>
      ) : null}
    </form>
  );
}

export function Register({ me, date: fromURL }: { me: Me; date: string | null }) {
  const date = validDate(fromURL) ? fromURL : today();
  // The server refuses marks for a future date, in these words.
  const future = date > today() ? `${formatDate(date)} is in the future; marks record what happened. Choose today or an earlier date.` : '';
  const q = useQuery<{ placements: { edges: { node: Placement }[] } }>(PLACEMENTS, { d: date });
  const weekday = weekdayOf(date);
  const sessions = useMemo(() => {
    const by = new Map<string, Session>();
    for (const p of nodes(q.data?.placements)) {
      for (const ws of p.sessions.filter((x) => x.weekday === weekday)) {
        const period = periodOf(ws.start);
        const key = `${p.course.id}-${period}`;
        const s = by.get(key) ?? { key, courseID: p.course.id, title: p.course.qualification.title, period, start: ws.start, end: ws.end, rows: [] };
        s.rows.push({ placement: p, mark: nodes(p.marks).find((m) => m.session === period) });
        by.set(key, s);
      }
    }
    for (const s of by.values()) s.rows.sort((a, b) => `${a.placement.learner.lastName} ${a.placement.learner.firstName}`.localeCompare(`${b.placement.learner.lastName} ${b.placement.learner.firstName}`));
    return [...by.values()].sort((a, b) => (a.start < b.start ? -1 : 1));
  }, [q.data, weekday]);
  return (
    <section>
      <Heading>Register · {formatDate(date)}</Heading>
      <p>{me.provider?.name}: mark every learner for each session, then save the session's register in one go.</p>
      <label for="reg-date">Date</label>{' '}
      <input id="reg-date" type="date" value={date} max={today()} onChange={(e) => e.currentTarget.value && navigate(`/register?date=${e.currentTarget.value}`)} aria-invalid={future ? true : undefined} aria-describedby={future ? 'reg-date-error' : undefined} />
      {future ? (
        <p id="reg-date-error" class="error" role="alert">
          {future}
        </p>
      ) : null}
      <Async q={q} what="today's register">
        {() =>
          future ? null : sessions.length === 0 ? (
            <p class="empty">No sessions on {formatDate(date)}.</p>
          ) : (
            <>
              {sessions.map((s, i) => (
                // Keyed by the register (and date) only: a save refreshes its rows in place.
                <RegisterForm key={`${date}-${s.key}`} s={s} date={date} saved={q.reload} first={i === 0} />
              ))}
            </>
          )
        }
      </Async>
    </section>
  );
}

interface Update {
  id: string;
  periodStart: string;
  periodEnd: string;
  academicRating: string;
  personalRating: string;
  englishRating: string;
  mathsRating: string;
  academicNarrative: string;
  attendancePercent: number | null;
  punctualityPercent: number | null;
  postedAt: string;
}

const RATINGS = ['EXCELLENT', 'GOOD', 'SATISFACTORY', 'CONCERN'];

export function Progress() {
  const q = useQuery<{ placements: { edges: { node: { id: string; learner: { firstName: string; lastName: string }; course: { qualification: { title: string } }; progressUpdates: { edges: { node: Update }[] } } }[] } }>(`query {
    placements(first: 100, where: {status: ACTIVE}) { edges { node { id learner { firstName lastName } course { qualification { title } }
      progressUpdates(first: 5, orderBy: [{field: PERIOD_END, direction: DESC}]) { edges { node {
        id periodStart periodEnd academicRating personalRating englishRating mathsRating academicNarrative attendancePercent punctualityPercent postedAt } } } } } }
  }`);
  const [open, setOpen] = useState('');
  // The confirmation of the last post, next to the learner it was for.
  const [posted, setPosted] = useState<{ id: string; msg: string } | null>(null);
  return (
    <section>
      <Heading>Progress updates</Heading>
      <Async q={q} what="placements">
        {(d) => {
          const ps = nodes(d.placements);
          if (ps.length === 0) return <p class="empty">No active placements.</p>;
          return (
            <ul class="progress-list">
              {ps.map((p) => (
                <li key={p.id}>
                  <h2>
                    {p.learner.firstName} {p.learner.lastName} <span class="muted">· {p.course.qualification.title}</span>
                  </h2>
                  {nodes(p.progressUpdates).length === 0 ? (
                    <p class="muted">No updates posted yet.</p>
                  ) : (
                    <ul>
                      {nodes(p.progressUpdates).map((u) => (
                        <li key={u.id}>
                          {formatDate(u.periodStart)} – {formatDate(u.periodEnd)}: academic {label(u.academicRating)}, personal {label(u.personalRating)}, English {label(u.englishRating)}, maths {label(u.mathsRating)}
                          {u.attendancePercent != null && `; attendance ${Math.round(u.attendancePercent)}%`}
                          {u.punctualityPercent != null && `, punctuality ${Math.round(u.punctualityPercent)}%`} <span class="muted">(posted {formatTime(u.postedAt)})</span>
                        </li>
                      ))}
                    </ul>
                  )}
                  <button type="button" class="secondary" aria-expanded={open === p.id} data-post={p.id}
                    onClick={() => {
                      setOpen(open === p.id ? '' : p.id);
                      setPosted(null);
                    }}>
                    Post an update…
                  </button>
                  <p class="result" role="status" tabIndex={-1} data-posted={p.id}>
                    {posted?.id === p.id ? posted.msg : ''}
                  </p>
                  {open === p.id && (
                    <ProgressForm
                      placementID={p.id}
                      name={`${p.learner.firstName} ${p.learner.lastName}`}
                      done={(msg) => {
                        setOpen('');
                        setPosted({ id: p.id, msg });
                        q.reload();
                        // The form goes away: keep the keyboard at the confirmation.
                        requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-posted="${p.id}"]`)?.focus());
                      }}
                    />
                  )}
                </li>
              ))}
            </ul>
          );
        }}
      </Async>
    </section>
  );
}

function ProgressForm({ placementID, name, done }: { placementID: string; name: string; done: (msg: string) => void }) {
  const [f, setF] = useState<Record<string, string>>({ periodStart: '', periodEnd: today(), academicRating: 'GOOD', personalRating: 'GOOD', englishRating: 'GOOD', mathsRating: 'GOOD', academicNarrative: '', personalNarrative: '', englishNarrative: '', mathsNarrative: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const errID = `pu-${placementID}-error`;
  const id = (k: string) => `pu-${placementID}-${k}`;
  const set = (k: string) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  // The form posts in the page (never a browser form submission, which
  // would reload it and lose any error); Ctrl+Enter posts from any field.
  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (busy) return;
    if (f.periodStart && f.periodEnd && f.periodStart > f.periodEnd) {
      setError(new ApiError('The period must start on or before the day it ends.', 'BAD_USER_INPUT', 'input.periodStart'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await gql(`mutation($in: PostProgressUpdateInput!) { postProgressUpdate(input: $in) { id } }`, { in: { placementID, ...f } });
      done(`Progress update posted for ${name} (${formatDate(f.periodStart)} – ${formatDate(f.periodEnd)}).`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const onKey = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      const form = (e.currentTarget as HTMLFormElement);
      // The browser's own checks (required fields) first, as the button would.
      if (form.reportValidity()) void submit();
    }
  };
  return (
    <form class="progress-form" onSubmit={submit} onKeyDown={onKey} aria-describedby={error ? errID : undefined} data-form="progress">
      <p class="hint">
        <kbd>Ctrl</kbd>+<kbd>Enter</kbd> posts the update.
      </p>
      <div class="field">
        <label for={id('ps')}>Period from</label>
        <input id={id('ps')} type="date" required value={f.periodStart} onInput={set('periodStart')} {...invalid(error, errID, 'periodStart')} />
      </div>
      <div class="field">
        <label for={id('pe')}>to</label>
        <input id={id('pe')} type="date" required value={f.periodEnd} onInput={set('periodEnd')} {...invalid(error, errID, 'periodEnd')} />
      </div>
      {(['academic', 'personal', 'english', 'maths'] as const).map((k) => (
        <div class="field wide" key={k}>
          <label for={id(k)}>{label(k)} rating</label>
          <select id={id(k)} value={f[`${k}Rating`]} onChange={set(`${k}Rating`)}>
            {RATINGS.map((r) => (
              <option key={r} value={r}>
                {label(r)}
              </option>
            ))}
          </select>
          <label for={id(`${k}-n`)}>{label(k)} narrative</label>
          <textarea id={id(`${k}-n`)} rows={2} maxLength={FORM_LONG} required={k === 'academic' || k === 'personal'} value={f[`${k}Narrative`]} onInput={set(`${k}Narrative`)} {...invalid(error, errID, `${k}Narrative`)} />
        </div>
      ))}
      <button type="submit" disabled={busy}>
        {busy ? 'Posting…' : 'Post update'}
      </button>
      <FormError id={errID} error={error} />
    </form>
  );
}
