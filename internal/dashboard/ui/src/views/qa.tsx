// Quality assurance for the partnership: the worklist, the applications
// queue and each provider's QA page (visits, reports, decisions).
import { useRef, useState } from 'preact/hooks';
import { formatDate, formatTime, gql, label, nodes, today } from '../api';
import { Async, FormError, Heading, invalid, isNotFound, Link, NotFound, useAction, useQuery, validID } from '../ui';
import { LONG, PERSON_NAME, REASON, REPORT } from '../limits';
import { categoryText, DOC_FIELDS, Download, FileField, UploadForm, uploadDocument, type Doc } from './documents';
import { settingTypeLabel } from './apply';

interface Training {
  attendedLast12Months: number;
  upcomingBookings: number;
  lastAttendedOn: string | null;
}
const TRAINING = 'trainingSummary { attendedLast12Months upcomingBookings lastAttendedOn }';

// Reasons the API may give; one it adds later still shows, by its name.
const REASONS: Record<string, string> = {
  COMPLIANCE_VISIT_DUE: 'Compliance visit due',
  EVALUATION_VISIT_DUE: 'Evaluation visit due',
  APPROVAL_ENDS: 'Approval ends',
  TRAINING_DUE: 'Training due',
};
export const reasonText = (r: string) => REASONS[r] ?? label(r);

export const qaPage = (id: string) => `/qa/providers/${encodeURIComponent(id)}`;

function TrainingCell({ t }: { t: Training }) {
  return (
    <>
      {t.attendedLast12Months} attended in 12 months, {t.upcomingBookings} booked
      {t.lastAttendedOn ? <span class="meta"> · last {formatDate(t.lastAttendedOn)}</span> : <span class="meta"> · none attended</span>}
    </>
  );
}

interface Worklist {
  due: { provider: { id: string; name: string; approvalStatus: string; trainingSummary: Training }; reason: string; dueOn: string; overdue: boolean }[];
  overdueActions: { id: string; description: string; ownerName: string; dueOn: string; item: { code: string; text: string }; visit: { visitedOn: string; provider: { id: string; name: string } } }[];
  applications: { id: string; kind: string; organisationName: string; postcode: string; submittedAt: string }[];
}

export function QAWorklist() {
  const q = useQuery<{ qaWorklist: Worklist }>(`query { qaWorklist {
    due { provider { id name approvalStatus ${TRAINING} } reason dueOn overdue }
    overdueActions { id description ownerName dueOn item { code text } visit { visitedOn provider { id name } } }
    applications { id kind organisationName postcode submittedAt }
  } }`);
  return (
    <section>
      <Heading>QA worklist</Heading>
      <p>Visits due within 30 days or overdue, approvals ending, overdue compliance actions and applications awaiting review.</p>
      <Async q={q} what="the QA worklist">
        {(d) => {
          const w = d.qaWorklist;
          return (
            <>
              <h2 id="wl-due">Due</h2>
              {w.due.length === 0 ? (
                <p class="empty">Nothing due in the next 30 days.</p>
              ) : (
                <div class="table-wrap">
                  <table aria-labelledby="wl-due" data-testid="worklist-due">
                    <thead>
                      <tr>
                        <th scope="col">Provider</th>
                        <th scope="col">What</th>
                        <th scope="col">Due</th>
                        <th scope="col">Training</th>
                      </tr>
                    </thead>
                    <tbody>
                      {w.due.map((e) => (
                        <tr key={`${e.provider.id}-${e.reason}`} class={e.overdue ? 'overdue' : undefined} data-reason={e.reason}>
                          <th scope="row">
                            <Link href={qaPage(e.provider.id)}>{e.provider.name}</Link> <span class={`tag tag-${e.provider.approvalStatus}`}>{label(e.provider.approvalStatus)}</span>
                          </th>
                          <td>{reasonText(e.reason)}</td>
                          <td>
                            {formatDate(e.dueOn)} {e.overdue && <span class="tag tag-OVERDUE">Overdue</span>}
                          </td>
                          <td>
                            <TrainingCell t={e.provider.trainingSummary} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <h2 id="wl-actions">Overdue compliance actions</h2>
              {w.overdueActions.length === 0 ? (
                <p class="empty">No overdue actions.</p>
              ) : (
                <div class="table-wrap">
                  <table aria-labelledby="wl-actions">
                    <thead>
                      <tr>
                        <th scope="col">Provider</th>
                        <th scope="col">Action</th>
                        <th scope="col">Owner</th>
                        <th scope="col">Was due</th>
                      </tr>
                    </thead>
                    <tbody>
                      {w.overdueActions.map((a) => (
                        <tr key={a.id} class="overdue">
                          <th scope="row">
                            <Link href={qaPage(a.visit.provider.id)}>{a.visit.provider.name}</Link>
                          </th>
                          <td>
                            {a.description} <span class="meta">({a.item.code}, visit {formatDate(a.visit.visitedOn)})</span>
                          </td>
                          <td>{a.ownerName}</td>
                          <td>{formatDate(a.dueOn)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <h2 id="wl-apps">Applications awaiting review</h2>
              {w.applications.length === 0 ? (
                <p class="empty">No applications waiting.</p>
              ) : (
                <ul class="plain">
                  {w.applications.map((a) => (
                    <li key={a.id}>
                      {a.organisationName} <span class="meta">({label(a.kind)}, {a.postcode}, submitted {formatTime(a.submittedAt)})</span>
                    </li>
                  ))}
                </ul>
              )}
              <p>
                <Link href="/applications">Review applications</Link>
              </p>
            </>
          );
        }}
      </Async>
    </section>
  );
}

interface Application {
  id: string;
  kind: string;
  status: string;
  organisationName: string;
  ukprn: string;
  urn: string;
  settingType: string | null;
  contactName: string;
  email: string;
  phone: string;
  website: string;
  address: string;
  postcode: string;
  description: string;
  courses: { qualificationNumber: string; places: number; deliveryPostcode: string; sessions: { weekday: string; start: string; end: string }[] }[] | null;
  submittedAt: string;
  reviewedAt: string | null;
  rejectionReason: string | null;
  provider: { id: string; name: string } | null;
  school: { id: string; name: string } | null;
}

const APP_FIELDS = `id kind status organisationName ukprn urn settingType contactName email phone website address postcode description
  courses { qualificationNumber places deliveryPostcode sessions { weekday start end } } submittedAt reviewedAt rejectionReason provider { id name } school { id name }`;

// A course's qualification as the catalogue has it (null: not in it, so
// accepting the application is refused until it is added).
interface CatalogueEntry {
  number: string;
  title: string;
  level: string;
  awardingBody: { acronym: string };
}
type Catalogue = Map<string, CatalogueEntry>;

const CATALOGUE = `query($n: [String!]) { qualifications(first: 100, where: {numberIn: $n}) { edges { node { number title level awardingBody { acronym } } } } }`;

function ApplicationItem({ a, done, catalogue }: { a: Application; done: (result: Accepted | null, rejected?: string) => void; catalogue: Catalogue | null }) {
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const act = useAction();
  const errID = `app-${a.id}-error`;
  return (
    <li class="queue-item" data-application-id={a.id}>
      <h2>
        {a.organisationName} <span class={`tag tag-${a.status}`}>{label(a.status)}</span>
      </h2>
      <p class="meta">
        {label(a.kind)}
        {a.settingType ? ` · ${settingTypeLabel(a.settingType)}` : ''} · {a.postcode} · submitted {formatTime(a.submittedAt)}
      </p>
      <dl class="contact">
        <dt>Contact</dt>
        <dd>
          {a.contactName}, <a href={`mailto:${a.email}`}>{a.email}</a>
          {a.phone && `, ${a.phone}`}
        </dd>
        {a.ukprn && (
          <>
            <dt>UKPRN</dt>
            <dd>{a.ukprn}</dd>
          </>
        )}
        {a.urn && (
          <>
            <dt>URN</dt>
            <dd>{a.urn}</dd>
          </>
        )}
        {a.address && (
          <>
            <dt>Premises</dt>
            <dd>{a.address}</dd>
          </>
        )}
      </dl>
      {a.description && <p>{a.description}</p>}
      {a.courses && a.courses.length > 0 && (
        <ul class="courses" aria-label={`Courses offered by ${a.organisationName}`}>
          {a.courses.map((c, i) => {
            const q = catalogue?.get(c.qualificationNumber);
            return (
              <li key={i} data-testid="offered-course">
                {q ? (
                  <>
                    <strong>{q.title}</strong> ({c.qualificationNumber}, {label(q.level)}, {q.awardingBody.acronym})
                  </>
                ) : (
                  <>
                    <strong>{c.qualificationNumber}</strong>
                    {catalogue && <span class="inline-error"> not in the qualification catalogue: add it before accepting</span>}
                  </>
                )}
                <br />
                {c.places} places at {c.deliveryPostcode}; {c.sessions.map((s) => `${label(s.weekday)} ${s.start}–${s.end}`).join(', ')}
              </li>
            );
          })}
        </ul>
      )}
      {a.rejectionReason && <p class="meta">Rejected: {a.rejectionReason}</p>}
      {a.provider && (
        <p>
          Provider created: <Link href={qaPage(a.provider.id)}>{a.provider.name} – QA page</Link>
        </p>
      )}
      {a.status === 'SUBMITTED' && (
        <div class="actions">
          <button
            type="button"
            disabled={act.busy}
            onClick={async () => {
              let out: Accepted | null = null;
              const ok = await act.run(async () => {
                const d = await gql<{ acceptApplication: Accepted }>(`mutation($id: ID!) { acceptApplication(id: $id) { organisationName provider { id name } school { id name } } }`, { id: a.id });
                out = d.acceptApplication;
              });
              if (ok) done(out);
            }}
          >
            Accept<span class="visually-hidden"> {a.organisationName}</span>
          </button>
          <button type="button" class="secondary" disabled={act.busy} aria-expanded={rejecting} onClick={() => setRejecting(!rejecting)}>
            Reject…<span class="visually-hidden"> {a.organisationName}</span>
          </button>
        </div>
      )}
      {rejecting && a.status === 'SUBMITTED' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act.run(() => gql(`mutation($id: ID!, $r: String!) { rejectApplication(id: $id, reason: $r) { id } }`, { id: a.id, r: reason.trim() })).then((ok) => ok && done(null, a.organisationName));
          }}
        >
          <label for={`rej-${a.id}`}>Why the application is rejected (sent to the applicant)</label>
          <textarea id={`rej-${a.id}`} required rows={3} maxLength={REASON} value={reason} onInput={(e) => setReason(e.currentTarget.value)} {...invalid(act.error, errID, 'reason')} />
          <button type="submit" disabled={act.busy || !reason.trim()}>
            Reject application
          </button>
        </form>
      )}
      <FormError id={errID} error={act.error} names={{ [a.id]: `the application from ${a.organisationName}` }} />
    </li>
  );
}

interface Accepted {
  organisationName: string;
  provider: { id: string; name: string } | null;
  school: { id: string; name: string } | null;
}

export function Applications() {
  const [status, setStatus] = useState('SUBMITTED');
  const [accepted, setAccepted] = useState<Accepted | null>(null);
  const [rejected, setRejected] = useState<string | null>(null);
  // The Accept and Reject buttons go away with the reload: the keyboard goes to the result.
  const resultRef = useRef<HTMLParagraphElement>(null);
  const q = useQuery<{ applications: { totalCount: number; edges: { node: Application }[] } }>(
    `query($s: ApplicationStatus) { applications(first: 100, where: {status: $s}, orderBy: [{field: SUBMITTED_AT, direction: ASC}]) { totalCount edges { node { ${APP_FIELDS} } } } }`,
    { s: status },
  );
  return (
    <section>
      <Heading>Applications</Heading>
      <p>Providers and schools applying to join. Accepting a provider creates it, pending approval, with its courses.</p>
      <div class="field inline">
        <label for="app-status">Show</label>
        <select id="app-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="SUBMITTED">Awaiting review</option>
          <option value="ACCEPTED">Accepted</option>
          <option value="REJECTED">Rejected</option>
        </select>
      </div>
      <p role="status" class="result" tabIndex={-1} ref={resultRef}>
        {rejected && <>The application from {rejected} is rejected.</>}
        {accepted && (
          <>
            {accepted.organisationName} accepted
            {accepted.provider ? (
              <>
                {' '}
                as a provider pending approval:{' '}
                <Link href={qaPage(accepted.provider.id)} class="accepted-link">
                  open its QA page
                </Link>
              </>
            ) : accepted.school ? (
              ' as a school'
            ) : (
              ''
            )}
            .
          </>
        )}
      </p>
      <Async q={q} what="applications">
        {(d) => {
          const apps = nodes(d.applications);
          if (apps.length === 0) return <p class="empty">No applications {status === 'SUBMITTED' ? 'awaiting review' : label(status).toLowerCase()}.</p>;
          return (
            <ApplicationList
              apps={apps}
              done={(r, rej) => {
                setAccepted(r);
                setRejected(rej ?? null);
                q.reload();
                if (r || rej) requestAnimationFrame(() => resultRef.current?.focus());
              }}
            />
          );
        }}
      </Async>
    </section>
  );
}

// The queue, with each offered course's qualification looked up in the catalogue.
function ApplicationList({ apps, done }: { apps: Application[]; done: (result: Accepted | null, rejected?: string) => void }) {
  const numbers = [...new Set(apps.flatMap((a) => (a.courses ?? []).map((c) => c.qualificationNumber)))].sort();
  const cat = useQuery<{ qualifications: { edges: { node: CatalogueEntry }[] } }>(CATALOGUE, { n: numbers }, numbers.length === 0);
  // While it loads, or if it fails, the numbers alone are shown.
  const catalogue: Catalogue | null = cat.data ? new Map(nodes(cat.data.qualifications).map((q) => [q.number, q])) : null;
  return (
    <ul class="queue">
      {apps.map((a) => (
        <ApplicationItem key={a.id} a={a} done={done} catalogue={catalogue} />
      ))}
    </ul>
  );
}

// The provider's QA page.

interface ChecklistItem {
  id: string;
  area: string;
  code: string;
  text: string;
  position: number;
  notApplicableAllowed: boolean;
}
interface Compliance {
  id: string;
  visitedOn: string;
  overall: string;
  summary: string;
  template: { version: number };
  actions: { id: string; description: string; ownerName: string; dueOn: string; completedAt: string | null; item: { code: string } }[] | null;
  reportDocument: Doc | null;
}
interface Evaluation {
  id: string;
  visitedOn: string;
  teachingAndLearning: string;
  behaviourAndAttitudes: string;
  personalDevelopment: string;
  leadershipAndManagement: string;
  overallGrade: string;
  report: string;
  reportDocument: Doc | null;
}
interface Decision {
  id: string;
  kind: string;
  decidedOn: string;
  reason: string;
  validUntil: string | null;
  recordedAt: string;
}
interface QAProvider {
  __typename: string;
  id: string;
  name: string;
  postcode: string;
  approvalStatus: string;
  approvedUntil: string | null;
  currentlyApproved: boolean;
  trainingSummary: Training;
  complianceVisits: { edges: { node: Compliance }[] };
  evaluationVisits: { edges: { node: Evaluation }[] };
  decisions: { edges: { node: Decision }[] };
  documents: Doc[] | null;
}

const CV_FIELDS = `id visitedOn overall summary template { version } actions { id description ownerName dueOn completedAt item { code } } reportDocument { ${DOC_FIELDS} }`;
const EV_FIELDS = `id visitedOn teachingAndLearning behaviourAndAttitudes personalDevelopment leadershipAndManagement overallGrade report reportDocument { ${DOC_FIELDS} }`;

const QA_PROVIDER = `query($id: ID!) {
  node(id: $id) { __typename ... on Provider { id name postcode approvalStatus approvedUntil currentlyApproved ${TRAINING}
    complianceVisits(first: 10, orderBy: [{field: VISITED_ON, direction: DESC}]) { edges { node { ${CV_FIELDS} } } }
    evaluationVisits(first: 10, orderBy: [{field: VISITED_ON, direction: DESC}]) { edges { node { ${EV_FIELDS} } } }
    decisions(first: 50, orderBy: [{field: DECIDED_ON, direction: DESC}]) { edges { node { id kind decidedOn reason validUntil recordedAt } } }
    documents { ${DOC_FIELDS} }
  } }
  currentChecklist { id version items { id area code text position notApplicableAllowed } }
}`;

const GRADES = ['OUTSTANDING', 'GOOD', 'REQUIRES_IMPROVEMENT', 'INADEQUATE'];
const DECISIONS: [string, string][] = [
  ['APPROVE', 'Approve (12 months)'],
  ['REFUSE', 'Refuse'],
  ['SUSPEND', 'Suspend'],
  ['REINSTATE', 'Reinstate'],
  ['WITHDRAW', 'Withdraw'],
];

// From which approval statuses each decision may be taken (the server's
// qa.Transitions): the form offers only these.
const FROM: Record<string, string[]> = {
  APPROVE: ['PENDING', 'APPROVED', 'LAPSED', 'REFUSED', 'WITHDRAWN'],
  REFUSE: ['PENDING'],
  SUSPEND: ['APPROVED'],
  REINSTATE: ['SUSPENDED'],
  WITHDRAW: ['PENDING', 'APPROVED', 'SUSPENDED', 'LAPSED', 'REFUSED'],
};

type Panel = '' | 'compliance' | 'evaluation' | 'decision' | 'upload';

export function ProviderQA({ id }: { id: string }) {
  const valid = validID(id);
  const q = useQuery<{ node: QAProvider | null; currentChecklist: { id: string; version: number; items: ChecklistItem[] | null } | null }>(QA_PROVIDER, { id }, !valid);
  const [panel, setPanel] = useState<Panel>('');
  const [result, setResult] = useState('');
  const toggle = (p: Panel) => {
    setResult('');
    setPanel(panel === p ? '' : p);
  };
  const saved = (msg: string) => {
    setPanel('');
    setResult(msg);
    q.reload();
  };
  return (
    <section>
      <p>
        <Link href="/providers">← Provider approvals</Link>
      </p>
      {!valid || isNotFound(q.error) ? <NotFound what="Provider" /> : <Async q={q} what="the provider's QA record">
        {(d) => {
          const p = d.node;
          if (p?.__typename !== 'Provider') return <NotFound what="Provider" />;
          const cvs = nodes(p.complianceVisits);
          const evs = nodes(p.evaluationVisits);
          const decisions = nodes(p.decisions);
          return (
            <>
              <Heading>{p.name}: quality assurance</Heading>
              <p class="meta" data-testid="approval">
                <span class={`tag tag-${p.approvalStatus}`}>{label(p.approvalStatus)}</span>
                {p.approvedUntil && (p.approvalStatus === 'APPROVED' || p.approvalStatus === 'SUSPENDED' ? ` until ${formatDate(p.approvedUntil)}` : ` (approval ran to ${formatDate(p.approvedUntil)})`)}
                {p.approvalStatus === 'APPROVED' && !p.currentlyApproved && ' (ended: lapsing)'} · {p.postcode} ·{' '}
                <Link href={`/providers/${encodeURIComponent(p.id)}`}>Directory page</Link>
              </p>
              <p>
                Training: <TrainingCell t={p.trainingSummary} />
              </p>
              <div class="actions" role="group" aria-label="Record">
                <button type="button" class="secondary" data-panel="compliance" aria-expanded={panel === 'compliance'} onClick={() => toggle('compliance')}>
                  Record a compliance visit…
                </button>
                <button type="button" class="secondary" data-panel="evaluation" aria-expanded={panel === 'evaluation'} onClick={() => toggle('evaluation')}>
                  Record an evaluation visit…
                </button>
                <button type="button" class="secondary" data-panel="upload" aria-expanded={panel === 'upload'} onClick={() => toggle('upload')}>
                  Upload a report…
                </button>
                <button type="button" class="secondary" data-panel="decision" aria-expanded={panel === 'decision'} onClick={() => toggle('decision')}>
                  Record a decision…
                </button>
              </div>
              <p role="status" class="result" data-testid="qa-result">
                {result}
              </p>
              {panel === 'compliance' &&
                (d.currentChecklist?.items?.length ? (
                  <ComplianceForm providerID={p.id} providerName={p.name} checklist={d.currentChecklist as { id: string; version: number; items: ChecklistItem[] }} saved={saved} />
                ) : (
                  <p class="error">No checklist has been published yet.</p>
                ))}
              {panel === 'evaluation' && <EvaluationForm providerID={p.id} providerName={p.name} saved={saved} />}
              {panel === 'upload' && (
                <div class="panel">
                  <h2>Upload a report</h2>
                  <UploadForm idPrefix="qa-up" categories={['COMPLIANCE_REPORT', 'EVALUATION_REPORT']} providerID={p.id} done={(doc) => saved(`Uploaded “${doc.title}”.`)} />
                </div>
              )}
              {panel === 'decision' && <DecisionForm p={p} saved={saved} />}

              <h2 id="qa-decisions">Decisions</h2>
              {decisions.length === 0 ? (
                <p class="empty">No decisions yet.</p>
              ) : (
                <div class="table-wrap">
                  <table aria-labelledby="qa-decisions" data-testid="decisions">
                    <thead>
                      <tr>
                        <th scope="col">Date</th>
                        <th scope="col">Decision</th>
                        <th scope="col">Valid until</th>
                        <th scope="col">Reason</th>
                      </tr>
                    </thead>
                    <tbody>
                      {decisions.map((x) => (
                        <tr key={x.id} data-kind={x.kind}>
                          <td>{formatDate(x.decidedOn)}</td>
                          <td>{label(x.kind)}</td>
                          <td>{x.validUntil ? formatDate(x.validUntil) : '–'}</td>
                          <td>{x.reason || '–'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <h2>Compliance visits</h2>
              {cvs.length === 0 ? (
                <p class="empty">No compliance visits yet.</p>
              ) : (
                <ul class="visits">
                  {cvs.map((v) => (
                    <li key={v.id} data-visit={v.id}>
                      <strong>{formatDate(v.visitedOn)}</strong> <span class={`tag tag-${v.overall}`}>{label(v.overall)}</span> <span class="meta">checklist v{v.template.version}</span>
                      {v.summary && <p>{v.summary}</p>}
                      {v.actions && v.actions.length > 0 && (
                        <ul>
                          {v.actions.map((a) => (
                            <li key={a.id}>
                              {a.item.code}: {a.description} – {a.ownerName}, due {formatDate(a.dueOn)}
                              {a.completedAt ? ` (done ${formatTime(a.completedAt)})` : <CompleteAction id={a.id} what={`the action on item ${a.item.code}`} done={q.reload} />}
                            </li>
                          ))}
                        </ul>
                      )}
                      {v.reportDocument && (
                        <p>
                          Report: <Download doc={v.reportDocument} />
                        </p>
                      )}
                    </li>
                  ))}
                </ul>
              )}
              <h2>Evaluation visits</h2>
              {evs.length === 0 ? (
                <p class="empty">No evaluation visits yet.</p>
              ) : (
                <ul class="visits">
                  {evs.map((v) => (
                    <li key={v.id}>
                      <strong>{formatDate(v.visitedOn)}</strong> overall <span class={`tag tag-${v.overallGrade}`}>{label(v.overallGrade)}</span>
                      <Grades v={v} />
                      <details>
                        <summary>Written report</summary>
                        <p class="prewrap">{v.report}</p>
                      </details>
                      {v.reportDocument && (
                        <p>
                          Report: <Download doc={v.reportDocument} />
                        </p>
                      )}
                    </li>
                  ))}
                </ul>
              )}
              <h2>Files</h2>
              {(p.documents ?? []).length === 0 ? (
                <p class="empty">No files uploaded.</p>
              ) : (
                <ul class="docs">
                  {(p.documents ?? []).map((x) => (
                    <li key={x.id}>
                      <strong>{x.title}</strong> <span class="meta">{categoryText(x.category)}, {formatTime(x.uploadedAt)}</span>
                      <br />
                      <Download doc={x} />
                    </li>
                  ))}
                </ul>
              )}
            </>
          );
        }}
      </Async>}
    </section>
  );
}

export function Grades({ v }: { v: Evaluation | Omit<Evaluation, 'report' | 'reportDocument' | 'id'> }) {
  return (
    <dl class="grades">
      <dt>Teaching and learning</dt>
      <dd>{label(v.teachingAndLearning)}</dd>
      <dt>Behaviour and attitudes</dt>
      <dd>{label(v.behaviourAndAttitudes)}</dd>
      <dt>Personal development</dt>
      <dd>{label(v.personalDevelopment)}</dd>
      <dt>Leadership and management</dt>
      <dd>{label(v.leadershipAndManagement)}</dd>
      <dt>Overall</dt>
      <dd>{label(v.overallGrade)}</dd>
    </dl>
  );
}

function CompleteAction({ id, what, done }: { id: string; what: string; done: () => void }) {
  const a = useAction();
  return (
    <>
      {' '}
      <button type="button" class="secondary small" disabled={a.busy} onClick={() => a.run(() => gql(`mutation($id: ID!) { completeComplianceAction(id: $id) { id } }`, { id })).then((ok) => ok && done())}>
        Mark done
      </button>
      <FormError id={`act-${id}-error`} error={a.error} names={{ [id]: what }} />
    </>
  );
}

interface Answer {
  outcome: string;
  evidence: string;
  description: string;
  ownerName: string;
  dueOn: string;
}

const OUTCOMES: [string, string][] = [
  ['MET', 'Met'],
  ['NOT_MET', 'Not met'],
  ['NOT_APPLICABLE', 'Not applicable'],
];

// Upload the optional report first, then record the visit with it; a report
// already uploaded is reused if recording has to be tried again.
function useReport(providerID: string, category: string) {
  const [file, setFile] = useState<File | null>(null);
  const [uploaded, setUploaded] = useState<{ file: File; doc: Doc } | null>(null);
  const reportID = async (title: string): Promise<string | undefined> => {
    if (!file) return undefined;
    if (uploaded && uploaded.file === file) return uploaded.doc.id;
    const doc = await uploadDocument(file, title, category, providerID);
    setUploaded({ file, doc });
    return doc.id;
  };
  return { file, setFile, reportID };
}

function ComplianceForm({ providerID, providerName, checklist, saved }: { providerID: string; providerName: string; checklist: { id: string; version: number; items: ChecklistItem[] }; saved: (msg: string) => void }) {
  const items = [...checklist.items].sort((a, b) => a.position - b.position);
  const [visitedOn, setVisitedOn] = useState(today());
  const [summary, setSummary] = useState('');
  const [answers, setAnswers] = useState<Record<string, Answer>>(() => Object.fromEntries(items.map((i) => [i.id, { outcome: '', evidence: '', description: '', ownerName: '', dueOn: '' }])));
  const report = useReport(providerID, 'COMPLIANCE_REPORT');
  const a = useAction();
  const errID = 'cv-error';
  const set = (id: string, patch: Partial<Answer>) => setAnswers((prev) => ({ ...prev, [id]: { ...prev[id], ...patch } }));
  const areas = [...new Set(items.map((i) => i.area))];
  const unanswered = items.filter((i) => !answers[i.id].outcome).length;
  const notMet = items.filter((i) => answers[i.id].outcome === 'NOT_MET').length;
  const submit = async (e: Event) => {
    e.preventDefault();
    let overall = '';
    const ok = await a.run(async () => {
      const reportID = await report.reportID(`Compliance visit report ${visitedOn}`);
      const results = items
        .filter((i) => answers[i.id].outcome)
        .map((i) => {
          const x = answers[i.id];
          return {
            itemID: i.id,
            outcome: x.outcome,
            evidence: x.evidence.trim() || undefined,
            action: x.outcome === 'NOT_MET' ? { description: x.description.trim(), ownerName: x.ownerName.trim(), dueOn: x.dueOn || undefined } : undefined,
          };
        });
      const d = await gql<{ recordComplianceVisit: { overall: string } }>(`mutation($in: RecordComplianceVisitInput!) { recordComplianceVisit(input: $in) { id overall } }`, {
        in: { providerID, visitedOn, templateID: checklist.id, summary: summary.trim() || undefined, results, reportID },
      });
      overall = d.recordComplianceVisit.overall;
    });
    if (ok) saved(`Compliance visit recorded: ${label(overall)}.`);
  };
  return (
    <form class="panel qa-form" onSubmit={submit} aria-labelledby="cv-h" aria-describedby={a.error ? errID : undefined} data-form="compliance">
      <h2 id="cv-h">Compliance visit (checklist version {checklist.version})</h2>
      <p class="hint">Answer every item: a visit with items unanswered is not recorded. Each item not met needs an action with an owner and a due date; items every provider must meet cannot be not applicable. The visit is compliant only if none is not met.</p>
      <div class="field">
        <label for="cv-date">Visited on</label>
        <input id="cv-date" type="date" required max={today()} value={visitedOn} onInput={(e) => setVisitedOn(e.currentTarget.value)} {...invalid(a.error, errID, 'visitedOn')} />
      </div>
      {areas.map((area) => (
        <fieldset key={area} class="area">
          <legend>{label(area)}</legend>
          {items
            .filter((i) => i.area === area)
            .map((i) => {
              const x = answers[i.id];
              const idx = items.indexOf(i);
              const base = `cv-${i.id}`;
              const bad = invalid(a.error, errID, `results[${idx}]`);
              return (
                <div key={i.id} class={`item item-${x.outcome || 'unanswered'}`} data-item={i.code}>
                  <fieldset class="outcome" aria-describedby={bad['aria-describedby']}>
                    <legend>
                      <span class="code-id">{i.code}</span> {i.text}
                    </legend>
                    {OUTCOMES.filter(([v]) => v !== 'NOT_APPLICABLE' || i.notApplicableAllowed).map(([v, t]) => (
                      <label key={v} class="check">
                        <input type="radio" name={base} value={v} checked={x.outcome === v} onChange={() => set(i.id, { outcome: v })} /> {t}
                      </label>
                    ))}
                  </fieldset>
                  <label for={`${base}-ev`}>
                    Evidence notes<span class="visually-hidden"> for {i.code}</span>
                  </label>
                  <input id={`${base}-ev`} type="text" maxLength={LONG} value={x.evidence} onInput={(e) => set(i.id, { evidence: e.currentTarget.value })} />
                  {x.outcome === 'NOT_MET' && (
                    <div class="action-fields">
                      <div class="field">
                        <label for={`${base}-ad`}>
                          Action needed<span class="visually-hidden"> for {i.code}</span>
                        </label>
                        <input id={`${base}-ad`} required maxLength={LONG} value={x.description} onInput={(e) => set(i.id, { description: e.currentTarget.value })} {...invalid(a.error, errID, `results[${idx}].action.description`)} />
                      </div>
                      <div class="field">
                        <label for={`${base}-ao`}>
                          Owner<span class="visually-hidden"> for {i.code}</span>
                        </label>
                        <input id={`${base}-ao`} required maxLength={PERSON_NAME} value={x.ownerName} onInput={(e) => set(i.id, { ownerName: e.currentTarget.value })} {...invalid(a.error, errID, `results[${idx}].action.ownerName`)} />
                      </div>
                      <div class="field">
                        <label for={`${base}-ad2`}>
                          Due on<span class="visually-hidden"> for {i.code}</span>
                        </label>
                        <input id={`${base}-ad2`} type="date" required value={x.dueOn} onInput={(e) => set(i.id, { dueOn: e.currentTarget.value })} {...invalid(a.error, errID, `results[${idx}].action.dueOn`)} />
                      </div>
                    </div>
                  )}
                </div>
              );
            })}
        </fieldset>
      ))}
      <label for="cv-summary">Summary</label>
      <textarea id="cv-summary" rows={3} maxLength={LONG} value={summary} onInput={(e) => setSummary(e.currentTarget.value)} />
      <FileField id="cv-file" label="Visit report (optional)" file={report.file} setFile={report.setFile} />
      <div class="actions">
        <button type="submit" disabled={a.busy || unanswered > 0}>
          {a.busy ? 'Saving…' : 'Record compliance visit'}
        </button>
        <span class="muted" role="status">
          {unanswered > 0 ? `${unanswered} of ${items.length} items not answered yet` : notMet > 0 ? `${notMet} not met: not compliant` : 'Every item answered, none unmet: compliant'}
        </span>
      </div>
      <FormError id={errID} error={a.error} names={{ [providerID]: providerName }} />
    </form>
  );
}

function EvaluationForm({ providerID, providerName, saved }: { providerID: string; providerName: string; saved: (msg: string) => void }) {
  const [f, setF] = useState({ visitedOn: today(), teachingAndLearning: '', behaviourAndAttitudes: '', personalDevelopment: '', leadershipAndManagement: '', overallGrade: '', report: '' });
  const report = useReport(providerID, 'EVALUATION_REPORT');
  const a = useAction();
  const errID = 'ev-error';
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await a.run(async () => {
      const reportID = await report.reportID(`Evaluation visit report ${f.visitedOn}`);
      await gql(`mutation($in: RecordEvaluationVisitInput!) { recordEvaluationVisit(input: $in) { id } }`, { in: { providerID, ...f, reportID } });
    });
    if (ok) saved('Evaluation visit recorded.');
  };
  const grades: [keyof typeof f, string][] = [
    ['teachingAndLearning', 'Teaching and learning'],
    ['behaviourAndAttitudes', 'Behaviour and attitudes'],
    ['personalDevelopment', 'Personal development'],
    ['leadershipAndManagement', 'Leadership and management'],
    ['overallGrade', 'Overall grade'],
  ];
  return (
    <form class="panel qa-form" onSubmit={submit} aria-labelledby="ev-h" aria-describedby={a.error ? errID : undefined} data-form="evaluation">
      <h2 id="ev-h">Evaluation visit</h2>
      <div class="field">
        <label for="ev-date">Visited on</label>
        <input id="ev-date" type="date" required max={today()} value={f.visitedOn} onInput={set('visitedOn')} {...invalid(a.error, errID, 'visitedOn')} />
      </div>
      <div class="grid">
        {grades.map(([k, t]) => (
          <div class="field" key={k}>
            <label for={`ev-${k}`}>{t}</label>
            <select id={`ev-${k}`} required value={f[k]} onChange={set(k)} {...invalid(a.error, errID, k)}>
              <option value="">Choose a grade…</option>
              {GRADES.map((g) => (
                <option key={g} value={g}>
                  {label(g)}
                </option>
              ))}
            </select>
          </div>
        ))}
      </div>
      <label for="ev-report">Written report</label>
      <textarea id="ev-report" required rows={5} maxLength={REPORT} value={f.report} onInput={set('report')} {...invalid(a.error, errID, 'report')} />
      <FileField id="ev-file" label="Report file (optional)" file={report.file} setFile={report.setFile} />
      <div class="actions">
        <button type="submit" disabled={a.busy}>
          {a.busy ? 'Saving…' : 'Record evaluation visit'}
        </button>
      </div>
      <FormError id={errID} error={a.error} names={{ [providerID]: providerName }} />
    </form>
  );
}

function DecisionForm({ p, saved }: { p: QAProvider; saved: (msg: string) => void }) {
  const [kind, setKind] = useState('');
  const [decidedOn, setDecidedOn] = useState(today());
  const [reason, setReason] = useState('');
  const a = useAction();
  const errID = 'dec-error';
  const reasonRequired = kind !== 'APPROVE' && kind !== 'REINSTATE';
  const submit = async (e: Event) => {
    e.preventDefault();
    let until: string | null = null;
    const ok = await a.run(async () => {
      const d = await gql<{ recordQADecision: { validUntil: string | null } }>(`mutation($in: RecordQADecisionInput!) { recordQADecision(input: $in) { id kind validUntil } }`, {
        in: { providerID: p.id, kind, decidedOn, reason: reason.trim() || undefined },
      });
      until = d.recordQADecision.validUntil;
    });
    if (ok) saved(`Decision recorded: ${label(kind)}${until ? `, valid until ${formatDate(until)}` : ''}.`);
  };
  return (
    <form class="panel qa-form" onSubmit={submit} aria-labelledby="dec-h" aria-describedby={a.error ? errID : undefined} data-form="decision">
      <h2 id="dec-h">QA Management Group decision</h2>
      <p class="hint">
        Now {label(p.approvalStatus)}
        {p.approvedUntil ? ` (approval to ${formatDate(p.approvedUntil)})` : ''}. Approval needs a compliant compliance visit and teaching and learning at least good, each the latest of its kind and within 12 months.
      </p>
      <div class="field">
        <label for="dec-kind">Decision</label>
        <select id="dec-kind" required value={kind} onChange={(e) => setKind(e.currentTarget.value)} {...invalid(a.error, errID, 'kind')}>
          <option value="">Choose…</option>
          {DECISIONS.filter(([v]) => FROM[v]?.includes(p.approvalStatus) ?? true).map(([v, t]) => (
            <option key={v} value={v}>
              {t}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="dec-date">Decided on</label>
        <input id="dec-date" type="date" required max={today()} value={decidedOn} onInput={(e) => setDecidedOn(e.currentTarget.value)} {...invalid(a.error, errID, 'decidedOn')} />
      </div>
      <label for="dec-reason">Reason or minutes{reasonRequired ? '' : ' (optional)'}</label>
      <textarea id="dec-reason" rows={3} maxLength={REASON} required={reasonRequired && kind !== ''} value={reason} onInput={(e) => setReason(e.currentTarget.value)} {...invalid(a.error, errID, 'reason')} />
      <div class="actions">
        <button type="submit" disabled={a.busy || !kind}>
          {a.busy ? 'Saving…' : 'Record decision'}
        </button>
      </div>
      <FormError id={errID} error={a.error} names={{ [p.id]: p.name }} />
    </form>
  );
}
