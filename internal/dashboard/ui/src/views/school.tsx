import { useEffect, useState } from 'preact/hooks';
import { formatDate, label, nodes, today, validDate, weekdayOf, periodOf } from '../api';
import { onReconnect, subscribe } from '../live';
import type { Me } from '../main';
import { Async, Heading, isNotFound, Link, NotFound, useQuery, validID } from '../ui';
import { CodeKey, MarkChart, type ChartMark } from './chart';

interface Mark {
  id: string;
  placementID: string;
  date: string;
  session: string;
  code: string;
  status: string;
  minutesLate: number;
  absenceReason: string | null;
  recordedAt: string;
}
const MARK_FIELDS = 'id placementID date session code status minutesLate absenceReason recordedAt';

interface Placement {
  id: string;
  sessions: { weekday: string; start: string; end: string }[];
  learner: { id: string; firstName: string; lastName: string; upn: string };
  course: { qualification: { title: string }; provider: { name: string } };
  marks: { edges: { node: Mark }[] };
}

// Placements running on the day, as the provider's register lists them.
const TODAY = `query($d: Date!) {
  placements(first: 100, where: {status: ACTIVE, startDateLTE: $d, endDateGTE: $d}) { edges { node {
    id sessions { weekday start end }
    learner { id firstName lastName upn }
    course { qualification { title } provider { name } }
    marks(first: 2, where: {date: $d}) { edges { node { ${MARK_FIELDS} } } }
  } } }
}`;

function MarkCell({ mark, expected }: { mark?: Mark; expected: boolean }) {
  if (!expected) return <td class="muted">No session</td>;
  if (!mark) return <td class="muted">Not marked yet</td>;
  const detail = mark.status === 'LATE' ? `Late ${mark.minutesLate} min` : mark.status === 'ABSENT' ? `Absent${mark.absenceReason ? `: ${label(mark.absenceReason)}` : ''}` : label(mark.status);
  return (
    <td class={`mark mark-${mark.status}`} data-mark={mark.code}>
      <span class="code">{mark.code}</span> {detail}
    </td>
  );
}

export function Today({ me, date: fromURL }: { me: Me; date: string | null }) {
  const badDate = fromURL != null && fromURL !== '' && !validDate(fromURL);
  const [date, setDate] = useState(validDate(fromURL) ? fromURL : today());
  const q = useQuery<{ placements: { edges: { node: Placement }[] } }>(TODAY, { d: date });
  // Marks arriving live, keyed by placement and session, over the fetched ones.
  const [liveMarks, setLiveMarks] = useState<Record<string, Mark>>({});
  useEffect(() => setLiveMarks({}), [date, q.data]);
  useEffect(() => {
    if (!me.school) return;
    const stop = subscribe<{ attendanceRecorded: { mark: Mark } }>(`subscription($s: ID!) { attendanceRecorded(schoolID: $s) { outcome mark { ${MARK_FIELDS} } } }`, { s: me.school.id }, (d) => {
      const m = d.attendanceRecorded.mark;
      if (m.date === date) setLiveMarks((prev) => ({ ...prev, [`${m.placementID}/${m.session}`]: m }));
    });
    const off = onReconnect(q.reload);
    return () => {
      stop();
      off();
    };
  }, [me.school?.id, date, q.reload]);

  const weekday = weekdayOf(date);
  return (
    <section>
      <Heading>{date === today() ? "Today's placements" : `Placements · ${formatDate(date)}`}</Heading>
      <p>Marks appear here as providers record them.</p>
      {badDate && (
        <p class="error" role="alert">
          “{fromURL}” is not a date; showing today instead. Choose a date below.
        </p>
      )}
      <label for="today-date">Date</label>{' '}
      <input id="today-date" type="date" value={date} max={today()} onChange={(e) => e.currentTarget.value && setDate(e.currentTarget.value)} />
      <Async q={q} what="placements">
        {(d) => {
          const all = nodes(d.placements);
          const withSession = all.filter((p) => p.sessions.some((s) => s.weekday === weekday));
          if (withSession.length === 0) return <p class="empty">No placements have a session on {formatDate(date)}.</p>;
          return (
            <div class="table-wrap">
              <table>
                <caption>
                  {withSession.length} learners on placement, {formatDate(date)}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Learner</th>
                    <th scope="col">Provider and course</th>
                    <th scope="col">AM</th>
                    <th scope="col">PM</th>
                  </tr>
                </thead>
                <tbody>
                  {withSession.map((p) => {
                    const periods = new Set(p.sessions.filter((s) => s.weekday === weekday).map((s) => periodOf(s.start)));
                    const fetched = Object.fromEntries(nodes(p.marks).map((m) => [m.session, m]));
                    const mark = (s: string) => liveMarks[`${p.id}/${s}`] ?? fetched[s];
                    return (
                      <tr key={p.id} data-placement-id={p.id}>
                        <th scope="row">
                          <Link href={`/learners/${encodeURIComponent(p.learner.id)}`}>
                            {p.learner.firstName} {p.learner.lastName}
                          </Link>
                        </th>
                        <td>
                          {p.course.provider.name}
                          <br />
                          <span class="muted">{p.course.qualification.title}</span>
                        </td>
                        <MarkCell mark={mark('AM')} expected={periods.has('AM')} />
                        <MarkCell mark={mark('PM')} expected={periods.has('PM')} />
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          );
        }}
      </Async>
      <CodeKey />
    </section>
  );
}

const LEARNER = `query($id: ID!) {
  node(id: $id) { __typename ... on Learner { id firstName lastName upn yearGroup school { name } } }
  attendanceMarks(first: 100, orderBy: [{field: DATE, direction: DESC}], where: {hasPlacementWith: [{hasLearnerWith: [{id: $id}]}]}) {
    totalCount edges { node { id date session code status minutesLate absenceReason } }
  }
}`;

export function LearnerView({ id }: { id: string }) {
  const valid = validID(id);
  const q = useQuery<{ node: { __typename: string; id: string; firstName: string; lastName: string; upn: string; yearGroup: number; school: { name: string } } | null; attendanceMarks: { totalCount: number; edges: { node: ChartMark }[] } }>(LEARNER, { id }, !valid);
  const notFound = <NotFound what="Learner" />;
  if (!valid || isNotFound(q.error)) return <section>{notFound}</section>;
  return (
    <section>
      <Async q={q} what="the learner's attendance">
        {(d) =>
          d.node?.__typename !== 'Learner' ? (
            notFound
          ) : (
            <>
              <Heading>
                {d.node.firstName} {d.node.lastName}
              </Heading>
              <p class="meta">
                UPN {d.node.upn} · Year {d.node.yearGroup} · {d.node.school.name}
              </p>
              <h2>Attendance and punctuality over time</h2>
              <MarkChart marks={nodes(d.attendanceMarks).slice().reverse()} />
              {d.attendanceMarks.totalCount > 100 && <p class="muted">Showing the latest 100 of {d.attendanceMarks.totalCount} sessions.</p>}
            </>
          )
        }
      </Async>
    </section>
  );
}
