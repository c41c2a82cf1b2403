import { useRef, useState } from 'preact/hooks';
import { describeError, formatDate, formatTime, gql, label, nodes } from '../api';
import { ALERT_FIELDS, markAcknowledged, useLive, type Alert, type MarkVersion } from '../live';
import type { Me } from '../main';
import { ErrorBox, Heading, Link, Loading } from '../ui';

// A mark in words, as the register code says it.
export function markText(m: MarkVersion): string {
  switch (m.status) {
    case 'LATE':
      return `${m.minutesLate} min late${m.code === 'U' ? ' (after register closed)' : ''}`;
    case 'ABSENT':
      return m.absenceReason && m.absenceReason !== 'NO_REASON_YET' ? `Absent: ${label(m.absenceReason)}` : 'Absent, no reason yet';
    default:
      return label(m.status);
  }
}

// Whether time a is after time b, to the nanosecond the API gives.
function after(a: string, b: string): boolean {
  const ms = Date.parse(a) - Date.parse(b);
  if (ms !== 0) return ms > 0;
  const frac = (t: string) => (t.match(/\.(\d+)/)?.[1] ?? '').padEnd(9, '0');
  return frac(a) > frac(b);
}

// The version of the mark that raised the alert: the latest recorded by the
// moment the alert was raised (they are saved together). The mark itself
// when its history is not available.
export function raisingVersion(a: Alert): MarkVersion | null {
  if (!a.mark) return null;
  let found: MarkVersion | null = null;
  for (const v of nodes(a.mark.history)) {
    if (!after(v.recordedAt, a.raisedAt) && (!found || v.version > found.version)) found = v;
  }
  return found ?? a.mark;
}

// What the alert is about, and, when the mark was changed after the alert
// was raised, what it says now.
export function describe(a: Alert): { text: string; code: string; amended: string } {
  const m = raisingVersion(a);
  if (!a.mark || !m) return { text: a.kind === 'PROVIDER_SUSPENDED' ? 'Provider suspended' : label(a.kind), code: '', amended: '' };
  const text = `${markText(m)} [${m.code || '–'}]`;
  // Only a mark that now says something else (not one changed and changed back).
  const amended = a.mark.version > m.version && (markText(a.mark) !== markText(m) || a.mark.code !== m.code) ? `mark since amended to ${markText(a.mark)} [${a.mark.code || '–'}]` : '';
  return { text, code: m.code, amended };
}

// Who acknowledged: the API gives an actor id (user:N); only the viewer's
// own id can be named from it.
function byWhom(actor: string | null, me: Me): string {
  if (!actor) return 'a colleague';
  return actor === `user:${me.id}` ? 'you' : 'a colleague';
}

function AlertItem({ a, me, onAcked }: { a: Alert; me: Me; onAcked?: (hadFocus: boolean) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const li = useRef<HTMLLIElement>(null);
  const ack = async () => {
    setBusy(true);
    setError(null);
    try {
      const d = await gql<{ acknowledgeAlert: Alert }>(`mutation($id: ID!) { acknowledgeAlert(id: $id) { ${ALERT_FIELDS} } }`, { id: a.id });
      // The button goes away with the acknowledgement: say where focus was first.
      const hadFocus = !!li.current?.contains(document.activeElement) || document.activeElement === document.body;
      markAcknowledged(d.acknowledgeAlert);
      onAcked?.(hadFocus);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const name = `${a.learner.firstName} ${a.learner.lastName}`;
  const d = describe(a);
  return (
    <li ref={li} class={`alert-item ${a.acknowledgedAt ? 'acked' : 'unread'}`} data-alert-id={a.id}>
      <div class="alert-main">
        <p class="alert-kind">
          <span class={`kind kind-${a.kind}`}>{label(a.kind)}</span>{' '}
          {d.code && (
            <span class="code" title="Register code">
              {d.code}
            </span>
          )}
        </p>
        <p>
          <Link href={`/learners/${encodeURIComponent(a.learner.id)}`}>{name}</Link> · {d.text} · {a.placement.course.provider.name}
        </p>
        {d.amended && <p class="amended">Note: {d.amended}.</p>}
        <p class="meta">
          {a.mark && `${formatDate(a.mark.date)} ${a.mark.session} · `}raised {formatTime(a.raisedAt)}
          {a.acknowledgedAt && ` · acknowledged by ${byWhom(a.acknowledgedBy, me)} ${formatTime(a.acknowledgedAt)}`}
        </p>
        {error ? (
          <p class="error" role="alert">
            {describeError(error)}
          </p>
        ) : null}
      </div>
      {!a.acknowledgedAt && (
        <button type="button" onClick={ack} disabled={busy} aria-label={`Acknowledge ${label(a.kind).toLowerCase()} for ${name}`}>
          {busy ? 'Acknowledging…' : 'Acknowledge'}
        </button>
      )}
    </li>
  );
}

export function Alerts({ me }: { me: Me }) {
  const live = useLive();
  const unread = live.alerts.filter((a) => !a.acknowledgedAt);
  const read = live.alerts.filter((a) => a.acknowledgedAt);
  // After an acknowledgement the keyboard goes to the next alert waiting
  // (the one that took its place, else the one before), else the heading.
  const acked = (index: number) => (hadFocus: boolean) => {
    if (!hadFocus) return;
    requestAnimationFrame(() => {
      const buttons = [...document.querySelectorAll<HTMLButtonElement>('ul[data-list=unread] li.alert-item.unread > button')];
      (buttons[index] ?? buttons[index - 1] ?? document.getElementById('alerts-unread-h'))?.focus();
    });
  };
  return (
    <section>
      <Heading>Alerts</Heading>
      <p>
        Absences and late arrivals at {me.school?.name ?? 'your school'}, as providers record them. <strong data-testid="unread-count">{unread.length}</strong> not yet acknowledged.
      </p>
      {live.feedError ? <ErrorBox error={live.feedError} /> : null}
      {live.loaded && live.status !== 'live' && (
        <p class="notice" role="status">
          Not connected: new alerts are not arriving. apnet keeps trying to reconnect, then shows every alert raised meanwhile.
        </p>
      )}
      {!live.loaded ? (
        <Loading what="alerts" />
      ) : (
        <>
          <h2 id="alerts-unread-h" tabIndex={-1}>
            Not acknowledged
          </h2>
          {unread.length === 0 ? (
            <p class="empty">No alerts waiting. New ones appear here as they are raised.</p>
          ) : (
            <ul class="alerts" aria-label="Alerts not acknowledged" data-list="unread">
              {unread.map((a, i) => (
                <AlertItem key={a.id} a={a} me={me} onAcked={acked(i)} />
              ))}
            </ul>
          )}
          <h2>Acknowledged</h2>
          {read.length === 0 ? (
            <p class="empty">None yet.</p>
          ) : (
            <ul class="alerts" aria-label="Acknowledged alerts">
              {read.slice(0, 30).map((a) => (
                <AlertItem key={a.id} a={a} me={me} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
