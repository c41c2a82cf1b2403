import { useState } from 'preact/hooks';
import { describeError, formatDate, formatTime, gql, label } from '../api';
import { ALERT_FIELDS, markAcknowledged, useLive, type Alert } from '../live';
import type { Me } from '../main';
import { ErrorBox, Heading, Link, Loading } from '../ui';

function describe(a: Alert): string {
  if (a.kind === 'LATE_ARRIVAL') return `${a.mark.minutesLate} minutes late`;
  if (a.mark.absenceReason) return `Absent: ${label(a.mark.absenceReason)}`;
  return 'Absent';
}

function AlertItem({ a }: { a: Alert }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ack = async () => {
    setBusy(true);
    setError(null);
    try {
      const d = await gql<{ acknowledgeAlert: Alert }>(`mutation($id: ID!) { acknowledgeAlert(id: $id) { ${ALERT_FIELDS} } }`, { id: a.id });
      markAcknowledged(d.acknowledgeAlert);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const name = `${a.learner.firstName} ${a.learner.lastName}`;
  return (
    <li class={`alert-item ${a.acknowledgedAt ? 'acked' : 'unread'}`} data-alert-id={a.id}>
      <div class="alert-main">
        <p class="alert-kind">
          <span class={`kind kind-${a.kind}`}>{label(a.kind)}</span> <span class="code" title="Register code">{a.mark.code}</span>
        </p>
        <p>
          <Link href={`/learners/${encodeURIComponent(a.learner.id)}`}>{name}</Link> · {describe(a)} · {a.placement.course.provider.name}
        </p>
        <p class="meta">
          {formatDate(a.mark.date)} {a.mark.session} · raised {formatTime(a.raisedAt)}
          {a.acknowledgedAt && ` · acknowledged by ${a.acknowledgedBy ?? 'staff'} ${formatTime(a.acknowledgedAt)}`}
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
          <h2>Not acknowledged</h2>
          {unread.length === 0 ? (
            <p class="empty">No alerts waiting. New ones appear here as they are raised.</p>
          ) : (
            <ul class="alerts" aria-label="Alerts not acknowledged">
              {unread.map((a) => (
                <AlertItem key={a.id} a={a} />
              ))}
            </ul>
          )}
          <h2>Acknowledged</h2>
          {read.length === 0 ? (
            <p class="empty">None yet.</p>
          ) : (
            <ul class="alerts" aria-label="Acknowledged alerts">
              {read.slice(0, 30).map((a) => (
                <AlertItem key={a.id} a={a} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
