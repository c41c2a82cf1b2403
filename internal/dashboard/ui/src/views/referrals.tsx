import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError, formatTime, gql, label, nodes } from '../api';
import { subscribe } from '../live';
import type { Me } from '../main';
import { Async, Heading, useAction, useQuery } from '../ui';
import { REASON } from '../limits';

interface Referral {
  id: string;
  status: string;
  reason: string;
  returnReasons: string | null;
  updatedAt: string;
  submittedAt: string | null;
  learner: { firstName: string; lastName: string; yearGroup: number };
  school: { name: string };
  provider: { name: string } | null;
  course: { qualification: { title: string } } | null;
}

const FIELDS = `id status reason returnReasons updatedAt submittedAt
  learner { firstName lastName yearGroup } school { name } provider { name } course { qualification { title } }`;

function StatusTag({ s }: { s: string }) {
  return <span class={`tag tag-${s}`}>{label(s)}</span>;
}

export function SchoolReferrals({ me }: { me: Me }) {
  const q = useQuery<{ referrals: { edges: { node: Referral }[] } }>(`query { referrals(first: 100, orderBy: [{field: UPDATED_AT, direction: DESC}]) { edges { node { ${FIELDS} } } } }`);
  // A referral moving on (checked, forwarded, placed…) shows without a reload.
  useEffect(() => {
    if (!me.school) return;
    return subscribe(`subscription($s: ID!) { referralStatusChanged(schoolID: $s) { referral { id } } }`, { s: me.school.id }, () => q.reload());
  }, [me.school?.id, q.reload]);
  return (
    <section>
      <Heading>Referrals</Heading>
      <Async q={q} what="referrals">
        {(d) => {
          const rs = nodes(d.referrals);
          if (rs.length === 0) return <p class="empty">Your school has no referrals yet.</p>;
          return (
            <div class="table-wrap">
              <table>
                <caption>Your school's referrals, most recently changed first</caption>
                <thead>
                  <tr>
                    <th scope="col">Learner</th>
                    <th scope="col">State</th>
                    <th scope="col">Provider and course</th>
                    <th scope="col">Last change</th>
                  </tr>
                </thead>
                <tbody>
                  {rs.map((r) => (
                    <tr key={r.id}>
                      <th scope="row">
                        {r.learner.firstName} {r.learner.lastName}
                      </th>
                      <td>
                        <StatusTag s={r.status} />
                        {r.status === 'RETURNED' && r.returnReasons && <p class="meta">Returned: {r.returnReasons}</p>}
                      </td>
                      <td>{r.provider ? `${r.provider.name}${r.course ? ` – ${r.course.qualification.title}` : ''}` : '–'}</td>
                      <td>{formatTime(r.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Async>
    </section>
  );
}

interface Course {
  id: string;
  provider: { name: string };
  qualification: { title: string; level: string };
}

// The states each queue action may start from: internal/referral's Machine.
const FROM = {
  check: ['SUBMITTED'],
  return: ['SUBMITTED'],
  forward: ['CHECKED', 'DECLINED'],
};

// done: the action went through; msg says what happened.
function QueueItem({ r, courses, done }: { r: Referral; courses: Course[]; done: (msg: string) => void }) {
  const [mode, setMode] = useState<'' | 'return' | 'forward'>('');
  const [reasons, setReasons] = useState('');
  const [course, setCourse] = useState('');
  const { busy, error, run } = useAction();
  const name = `${r.learner.firstName} ${r.learner.lastName}`;
  const act = (query: string, vars: Record<string, unknown>, msg: string) => run(() => gql(query, vars)).then((ok) => ok && done(msg));
  return (
    <li class="queue-item" data-referral={r.id}>
      <h2>
        {name} <StatusTag s={r.status} />
      </h2>
      <p class="meta">
        {r.school.name} · Year {r.learner.yearGroup} · submitted {r.submittedAt ? formatTime(r.submittedAt) : '–'}
      </p>
      {r.reason && <p>{r.reason}</p>}
      <div class="actions">
        {FROM.check.includes(r.status) && (
          <button type="button" disabled={busy} onClick={() => act(`mutation($id: ID!) { checkReferral(id: $id) { id } }`, { id: r.id }, `Checked the referral for ${name}.`)}>
            Check
          </button>
        )}
        {FROM.return.includes(r.status) && (
          <button type="button" class="secondary" disabled={busy} aria-expanded={mode === 'return'} onClick={() => setMode(mode === 'return' ? '' : 'return')}>
            Return to school…
          </button>
        )}
        {FROM.forward.includes(r.status) && (
          <button type="button" class="secondary" disabled={busy} aria-expanded={mode === 'forward'} onClick={() => setMode(mode === 'forward' ? '' : 'forward')}>
            Forward to a provider…
          </button>
        )}
      </div>
      {mode === 'return' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const list = reasons.split('\n').map((s) => s.trim()).filter(Boolean);
            act(`mutation($id: ID!, $r: [String!]!) { returnReferral(id: $id, reasons: $r) { id } }`, { id: r.id, r: list }, `Returned the referral for ${name} to ${r.school.name}.`);
          }}
        >
          <label for={`ret-${r.id}`}>What the school must change (one reason a line)</label>
          <textarea id={`ret-${r.id}`} required maxLength={REASON} rows={3} value={reasons} onInput={(e) => setReasons(e.currentTarget.value)} />
          <button type="submit" disabled={busy}>
            Return referral
          </button>
        </form>
      )}
      {mode === 'forward' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const to = courses.find((c) => c.id === course)?.provider.name ?? 'the provider';
            act(`mutation($id: ID!, $c: ID!) { forwardReferral(id: $id, courseID: $c) { id } }`, { id: r.id, c: course }, `Forwarded the referral for ${name} to ${to}.`);
          }}
        >
          <label for={`fwd-${r.id}`}>Course</label>
          <select id={`fwd-${r.id}`} required value={course} onChange={(e) => setCourse(e.currentTarget.value)}>
            <option value="">Choose a course…</option>
            {courses.map((c) => (
              <option key={c.id} value={c.id}>
                {c.provider.name} – {c.qualification.title} ({label(c.qualification.level)})
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy || !course}>
            Forward referral
          </button>
        </form>
      )}
      {error ? (
        <p class="error" role="alert">
          {describeError(error)}
        </p>
      ) : null}
    </li>
  );
}

export function ReferralQueue() {
  // What the last action did. The acted-on button goes away with the reload:
  // the keyboard goes to this confirmation instead of to the page.
  const [result, setResult] = useState('');
  const resultRef = useRef<HTMLParagraphElement>(null);
  const q = useQuery<{ referrals: { edges: { node: Referral }[] }; courses: { edges: { node: Course }[] } }>(`query {
    referrals(first: 100, orderBy: [{field: SUBMITTED_AT, direction: ASC}], where: {statusIn: [SUBMITTED, CHECKED, DECLINED]}) { edges { node { ${FIELDS} } } }
    courses(first: 100, where: {hasProviderWith: [{approvalStatus: APPROVED}]}) { edges { node { id provider { name } qualification { title level } } } }
  }`);
  return (
    <section>
      <Heading>Referral queue</Heading>
      <p>Submitted referrals to check or return, checked ones to forward, oldest first; declined ones to forward elsewhere.</p>
      <p role="status" class="result" tabIndex={-1} ref={resultRef}>
        {result}
      </p>
      <Async q={q} what="the referral queue">
        {(d) => {
          const rs = nodes(d.referrals);
          if (rs.length === 0) return <p class="empty">The queue is empty.</p>;
          return (
            <ul class="queue">
              {rs.map((r) => (
                <QueueItem
                  key={r.id}
                  r={r}
                  courses={nodes(d.courses)}
                  done={(msg) => {
                    setResult(msg);
                    q.reload();
                    requestAnimationFrame(() => resultRef.current?.focus());
                  }}
                />
              ))}
            </ul>
          );
        }}
      </Async>
    </section>
  );
}
