import { useState } from 'preact/hooks';
import { formatDate, formatTime, label, nodes } from '../api';
import { Async, Heading, isNotFound, Link, NotFound, useQuery, validID } from '../ui';
import { POSTCODE, SEARCH_TEXT } from '../limits';
import { categoryText, DOC_FIELDS, Download, type Doc } from './documents';
import { Grades, qaPage } from './qa';

const LEVELS = ['ENTRY_1', 'ENTRY_2', 'ENTRY_3', 'LEVEL_1', 'LEVEL_2', 'LEVEL_3'];

const SEARCH = `query($f: ProviderSearchFilter) {
  searchProviders(filter: $f, first: 50) {
    totalCount
    origin { postcode district precision message }
    edges { node { distanceMiles provider { id name postcode approvalStatus }
      courses { id qualification { number title level awardingBody { name acronym } } } } }
  }
}`;

interface Match {
  distanceMiles: number | null;
  provider: { id: string; name: string; postcode: string; approvalStatus: string };
  courses: { id: string; qualification: { number: string; title: string; level: string; awardingBody: { name: string; acronym: string } } }[];
}

interface Filter {
  qualification?: string;
  awardingBody?: string;
  levels?: string[];
  postcode?: string;
  withinMiles?: number;
}

// The server's limit on a radius search.
const MAX_MILES = 200;
const FULL_POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/i;
const DISTRICT = /^[A-Z]{1,2}[0-9][A-Z0-9]?$/i;

// The search's postcode and miles, checked in the browser with messages for
// people (the server's say withinMiles and print 1e+300).
function checkSearch(postcode: string, miles: string): { postcode?: string; miles?: string } {
  const out: { postcode?: string; miles?: string } = {};
  const pc = postcode.trim();
  if (pc && !FULL_POSTCODE.test(pc)) {
    out.postcode = DISTRICT.test(pc) ? 'Enter a full postcode, e.g. NG7 2QQ, not only its district.' : 'Enter a UK postcode, e.g. NG7 2QQ.';
  }
  if (miles.trim() !== '') {
    const n = Number(miles);
    // The postcode is what is missing: the message and the focus go there.
    if (!pc) out.postcode = 'Enter a postcode to search within a distance of it.';
    else if (!Number.isFinite(n) || n <= 0) out.miles = 'Enter a distance of more than 0 miles.';
    else if (n > MAX_MILES) out.miles = `Enter a distance of at most ${MAX_MILES} miles.`;
  }
  return out;
}

export function Directory() {
  const [form, setForm] = useState({ qualification: '', awardingBody: '', levels: [] as string[], postcode: '', withinMiles: '' });
  const [filter, setFilter] = useState<Filter>({});
  const [problems, setProblems] = useState<{ postcode?: string; miles?: string }>({});
  const q = useQuery<{ searchProviders: { totalCount: number; origin: { postcode: string; district: string; precision: string; message: string | null } | null; edges: { node: Match }[] } }>(SEARCH, { f: filter });
  const submit = (e: Event) => {
    e.preventDefault();
    const bad = checkSearch(form.postcode, form.withinMiles);
    setProblems(bad);
    if (bad.postcode || bad.miles) {
      document.getElementById(bad.postcode ? 's-pc' : 's-miles')?.focus();
      return;
    }
    const f: Filter = {};
    if (form.qualification.trim()) f.qualification = form.qualification.trim();
    if (form.awardingBody.trim()) f.awardingBody = form.awardingBody.trim();
    if (form.levels.length) f.levels = form.levels;
    if (form.postcode.trim()) f.postcode = form.postcode.trim();
    if (form.withinMiles.trim() && form.postcode.trim()) f.withinMiles = Number(form.withinMiles);
    setFilter(f);
  };
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <section>
      <Heading>Provider directory</Heading>
      <form class="search" noValidate onSubmit={submit} role="search" aria-label="Find providers">
        <div class="field">
          <label for="s-qual">Qualification</label>
          <input id="s-qual" maxLength={SEARCH_TEXT} value={form.qualification} onInput={set('qualification')} placeholder="e.g. hairdressing or 603/2476/0" />
        </div>
        <div class="field">
          <label for="s-body">Awarding body</label>
          <input id="s-body" maxLength={SEARCH_TEXT} value={form.awardingBody} onInput={set('awardingBody')} placeholder="e.g. City & Guilds" />
        </div>
        <fieldset class="field levels">
          <legend>Level</legend>
          {LEVELS.map((l) => (
            <label key={l} class="check">
              <input
                type="checkbox"
                checked={form.levels.includes(l)}
                onChange={(e) => setForm({ ...form, levels: e.currentTarget.checked ? [...form.levels, l] : form.levels.filter((x) => x !== l) })}
              />{' '}
              {label(l)}
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="s-pc">Postcode</label>
          <input id="s-pc" maxLength={POSTCODE} value={form.postcode} onInput={set('postcode')} autocomplete="postal-code" placeholder="e.g. NG7 6ND"
            aria-invalid={problems.postcode ? true : undefined} aria-describedby={problems.postcode ? 's-pc-error' : undefined} />
          {problems.postcode && (
            <p id="s-pc-error" class="error" role="alert">
              {problems.postcode}
            </p>
          )}
        </div>
        <div class="field">
          <label for="s-miles">Within (miles)</label>
          <input id="s-miles" type="number" min="0.5" max={MAX_MILES} step="0.5" inputMode="decimal" value={form.withinMiles} onInput={set('withinMiles')}
            aria-invalid={problems.miles ? true : undefined} aria-describedby={problems.miles ? 's-miles-error s-miles-hint' : 's-miles-hint'} />
          <p id="s-miles-hint" class="hint">
            Needs a postcode; results are nearest first.
          </p>
          {problems.miles && (
            <p id="s-miles-error" class="error" role="alert">
              {problems.miles}
            </p>
          )}
        </div>
        <button type="submit">Search</button>
      </form>
      <Async q={q} what="providers">
        {(d) => {
          const matches = nodes(d.searchProviders);
          const o = d.searchProviders.origin;
          return (
            <>
              {o?.message && (
                <p class="notice" role="status">
                  {o.message}
                </p>
              )}
              <p role="status">
                {d.searchProviders.totalCount} provider{d.searchProviders.totalCount === 1 ? '' : 's'} found{o ? ` near ${o.postcode || o.district}` : ''}.
              </p>
              <ul class="results">
                {matches.map((m) => (
                  <li key={m.provider.id}>
                    <h2>
                      <Link href={`/providers/${encodeURIComponent(m.provider.id)}`}>{m.provider.name}</Link>
                    </h2>
                    <p class="meta">
                      {m.provider.postcode}
                      {m.distanceMiles != null && ` · ${m.distanceMiles.toFixed(1)} miles`} · {label(m.provider.approvalStatus)}
                    </p>
                    <ul>
                      {m.courses.map((c) => (
                        <li key={c.id}>
                          {c.qualification.title} ({label(c.qualification.level)}, {c.qualification.awardingBody.acronym || c.qualification.awardingBody.name}, {c.qualification.number})
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            </>
          );
        }}
      </Async>
    </section>
  );
}

const PROVIDER = `query($id: ID!) { node(id: $id) { __typename ... on Provider {
  id name description contactName email phone website address postcode approvalStatus approvedUntil
  latestComplianceVisit { id visitedOn overall reportDocument { ${DOC_FIELDS} } }
  latestEvaluationVisit { id visitedOn teachingAndLearning behaviourAndAttitudes personalDevelopment leadershipAndManagement overallGrade reportDocument { ${DOC_FIELDS} } }
  documents { ${DOC_FIELDS} }
  courses(first: 50) { edges { node { id deliveryPostcode places startDates sessions { weekday start end }
    qualification { number title level awardingBody { name } } } } }
} } }`;

interface ProviderDetail {
  __typename: string;
  id: string;
  name: string;
  description: string;
  contactName: string;
  email: string;
  phone: string;
  website: string;
  address: string;
  postcode: string;
  approvalStatus: string;
  approvedUntil: string | null;
  documents: Doc[] | null;
  latestComplianceVisit: { id: string; visitedOn: string; overall: string; reportDocument: Doc | null } | null;
  latestEvaluationVisit: { id: string; visitedOn: string; teachingAndLearning: string; behaviourAndAttitudes: string; personalDevelopment: string; leadershipAndManagement: string; overallGrade: string; reportDocument: Doc | null } | null;
  courses: { edges: { node: { id: string; deliveryPostcode: string; places: number; startDates: string[]; sessions: { weekday: string; start: string; end: string }[]; qualification: { number: string; title: string; level: string; awardingBody: { name: string } } } }[] };
}

export function ProviderPage({ id, partnership }: { id: string; partnership?: boolean }) {
  const valid = validID(id);
  const q = useQuery<{ node: ProviderDetail | null }>(PROVIDER, { id }, !valid);
  return (
    <section>
      <p>
        <Link href="/directory">← Provider directory</Link>
      </p>
      {!valid || isNotFound(q.error) ? <NotFound what="Provider" /> : <Async q={q} what="the provider">
        {(d) => {
          const p = d.node;
          if (p?.__typename !== 'Provider') return <NotFound what="Provider" />;
          return (
            <>
              <Heading>{p.name}</Heading>
              <p class="meta">
                {label(p.approvalStatus)}
                {p.approvedUntil && ` until ${formatDate(p.approvedUntil)}`}
              </p>
              {partnership && (
                <p>
                  <Link href={qaPage(p.id)}>Quality assurance: visits, reports and decisions</Link>
                </p>
              )}
              {p.description && <p>{p.description}</p>}
              <h2>Contact</h2>
              <dl class="contact">
                {p.contactName && (
                  <>
                    <dt>Contact</dt>
                    <dd>{p.contactName}</dd>
                  </>
                )}
                {p.email && (
                  <>
                    <dt>Email</dt>
                    <dd>
                      <a href={`mailto:${p.email}`}>{p.email}</a>
                    </dd>
                  </>
                )}
                {p.phone && (
                  <>
                    <dt>Phone</dt>
                    <dd>
                      <a href={`tel:${p.phone.replace(/\s/g, '')}`}>{p.phone}</a>
                    </dd>
                  </>
                )}
                {p.website && /^https?:\/\//.test(p.website) && (
                  <>
                    <dt>Website</dt>
                    <dd>
                      <a href={p.website} rel="noopener noreferrer" target="_blank">
                        {p.website}
                      </a>
                    </dd>
                  </>
                )}
                <dt>Address</dt>
                <dd>
                  {p.address} {p.postcode}
                </dd>
              </dl>
              <h2>Courses</h2>
              {nodes(p.courses).length === 0 ? (
                <p class="empty">No courses listed.</p>
              ) : (
                <ul class="courses">
                  {nodes(p.courses).map((c) => (
                    <li key={c.id}>
                      <strong>{c.qualification.title}</strong> ({label(c.qualification.level)}, {c.qualification.awardingBody.name}, {c.qualification.number})
                      <br />
                      {c.places} places · {c.sessions.map((s) => `${label(s.weekday)} ${s.start}–${s.end}`).join(', ')} · at {c.deliveryPostcode}
                    </li>
                  ))}
                </ul>
              )}
              <h2 id="qa-files">QA files</h2>
              <QAFiles p={p} />
            </>
          );
        }}
      </Async>}
    </section>
  );
}

// The latest compliance and evaluation visits, with their reports.
function QAFiles({ p }: { p: ProviderDetail }) {
  const cv = p.latestComplianceVisit;
  const ev = p.latestEvaluationVisit;
  const linked = new Set([cv?.reportDocument?.id, ev?.reportDocument?.id]);
  const others = (p.documents ?? []).filter((d) => !linked.has(d.id)).sort((a, b) => (a.uploadedAt < b.uploadedAt ? 1 : -1));
  return (
    <>
      <div class="qa-files" data-testid="qa-files">
        <section aria-labelledby="qa-cv">
          <h3 id="qa-cv">Compliance visit</h3>
          {cv ? (
            <>
              <p>
                {formatDate(cv.visitedOn)} <span class={`tag tag-${cv.overall}`}>{label(cv.overall)}</span>
              </p>
              {cv.reportDocument ? <Download doc={cv.reportDocument} text="Download the report" /> : <p class="muted">No report file.</p>}
            </>
          ) : (
            <p class="empty">No compliance visit recorded.</p>
          )}
        </section>
        <section aria-labelledby="qa-ev">
          <h3 id="qa-ev">Evaluation visit</h3>
          {ev ? (
            <>
              <p>{formatDate(ev.visitedOn)}</p>
              <Grades v={ev} />
              {ev.reportDocument ? <Download doc={ev.reportDocument} text="Download the report" /> : <p class="muted">No report file.</p>}
            </>
          ) : (
            <p class="empty">No evaluation visit recorded.</p>
          )}
        </section>
      </div>
      {others.length > 0 && (
        <>
          <h3>Other QA reports</h3>
          <ul class="docs" data-testid="other-reports">
            {others.map((d) => (
              <li key={d.id}>
                <strong>{d.title}</strong> <span class="meta">{categoryText(d.category)}, {formatTime(d.uploadedAt)}</span>
                <br />
                <Download doc={d} />
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
