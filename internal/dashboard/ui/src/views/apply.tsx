// The public application page (/apply): a provider applies to join the
// partnership's approved list with no account (submitApplication). Checked
// in the browser first, with messages for people; the server's own refusals
// are shown beside the field they name (extensions.field).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, describeError, gql, sentence } from '../api';
import * as L from '../limits';
import { Heading, Link } from '../ui';

// The census setting types (DOMAIN.md, identifiers), in words.
export const SETTING_TYPES: [string, string][] = [
  ['NFE', 'Non-maintained further education'],
  ['OOT', 'One-to-one tuition'],
  ['OTH', 'Other unregistered provider'],
  ['WBP', 'Work-based placement'],
];
export function settingTypeLabel(code: string): string {
  return SETTING_TYPES.find(([c]) => c === code)?.[1] ?? code;
}

// The server's limits for SubmitApplicationInput, OfferedCourseInput and
// WeeklySessionInput, by field.
const MAX = {
  organisationName: L.SHORT,
  contactName: L.PERSON_NAME,
  email: L.EMAIL,
  phone: L.PHONE,
  website: L.URL,
  address: L.ADDRESS,
  postcode: L.POSTCODE,
  ukprn: L.REFERENCE,
  urn: L.REFERENCE,
  description: L.LONG,
  qualificationNumber: L.CODE,
  deliveryPostcode: L.POSTCODE,
  time: L.REFERENCE,
};
// internal/qa and internal/offer.
const MAX_COURSES = 50;
const MAX_PLACES = 500;

const WEEKDAYS: [string, string][] = [
  ['MONDAY', 'Monday'],
  ['TUESDAY', 'Tuesday'],
  ['WEDNESDAY', 'Wednesday'],
  ['THURSDAY', 'Thursday'],
  ['FRIDAY', 'Friday'],
];

const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]? *[0-9][A-Z]{2}$/i;
const UKPRN = /^1[0-9]{7}$/;
const URN = /^[0-9]{6}$/;
const QUALIFICATION = /^[0-9]{3}\/?[0-9]{4}\/?[0-9X]$/i;
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface Session {
  weekday: string;
  start: string;
  end: string;
}
interface Course {
  qualificationNumber: string;
  places: string;
  deliveryPostcode: string;
  sessions: Session[];
}
interface Form {
  organisationName: string;
  ukprn: string;
  urn: string;
  settingType: string;
  contactName: string;
  email: string;
  phone: string;
  website: string;
  address: string;
  postcode: string;
  description: string;
  courses: Course[];
}

const newSession = (): Session => ({ weekday: '', start: '', end: '' });
const newCourse = (): Course => ({ qualificationNumber: '', places: '', deliveryPostcode: '', sessions: [newSession()] });
const empty: Form = {
  organisationName: '',
  ukprn: '',
  urn: '',
  settingType: '',
  contactName: '',
  email: '',
  phone: '',
  website: '',
  address: '',
  postcode: '',
  description: '',
  courses: [newCourse()],
};

// Problems by field key, in the form's order. A key is the server's field
// path without "input.", with indexes as segments: courses-0-sessions-1-start.
type Problems = Record<string, string>;

// The key of a server field path, e.g. input.courses[0].places → courses-0-places.
export function fieldKey(field: string): string {
  return field
    .replace(/^input\./, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\./g, '-');
}
const inputID = (key: string) => `ap-${key}`;
const errorID = (key: string) => `ap-${key}-error`;

function check(f: Form): Problems {
  const p: Problems = {};
  const t = (s: string) => s.trim();
  if (!t(f.organisationName)) p.organisationName = 'Enter the name of your organisation.';
  if (t(f.ukprn) && !UKPRN.test(t(f.ukprn))) p.ukprn = 'A UKPRN is 8 digits starting with 1, e.g. 10012345.';
  if (t(f.urn) && !URN.test(t(f.urn))) p.urn = 'An Ofsted URN is 6 digits, e.g. 123456.';
  if (!t(f.ukprn) && !t(f.urn) && !f.settingType) p.settingType = 'Choose the type of setting: without a UKPRN or Ofsted URN, schools record your setting by its type.';
  if (!t(f.contactName)) p.contactName = 'Enter the name of the person we should contact.';
  if (!t(f.email)) p.email = 'Enter an email address, so the partnership can reply.';
  else if (!EMAIL.test(t(f.email))) p.email = 'Enter an email address in the form name@example.org.';
  if (t(f.website) && !/^https?:\/\/[^\s/]+\.[^\s]+$/i.test(t(f.website))) p.website = 'Enter the full web address, starting https://, e.g. https://example.org.';
  if (!t(f.postcode)) p.postcode = 'Enter the postcode of your premises.';
  else if (!POSTCODE.test(t(f.postcode))) p.postcode = 'Enter a UK postcode, e.g. NG7 2QQ.';
  f.courses.forEach((c, i) => {
    const k = `courses-${i}`;
    const n = `course ${i + 1}`;
    if (!t(c.qualificationNumber)) p[`${k}-qualificationNumber`] = `Enter the Ofqual qualification number of ${n}.`;
    else if (!QUALIFICATION.test(t(c.qualificationNumber)))
      p[`${k}-qualificationNumber`] = `Enter the qualification number of ${n} as Ofqual writes it, e.g. 603/2476/0 (the last character may be X).`;
    c.sessions.forEach((s, j) => {
      const sk = `${k}-sessions-${j}`;
      if (!s.weekday) p[`${sk}-weekday`] = `Choose the day of session ${j + 1} of ${n}.`;
      if (!TIME.test(t(s.start))) p[`${sk}-start`] = `Enter the start time of session ${j + 1} of ${n} as 24-hour HH:MM, e.g. 09:00.`;
      if (!TIME.test(t(s.end))) p[`${sk}-end`] = `Enter the end time of session ${j + 1} of ${n} as 24-hour HH:MM, e.g. 12:00.`;
      else if (TIME.test(t(s.start)) && t(s.end) <= t(s.start)) p[`${sk}-end`] = `Session ${j + 1} of ${n} must end after it starts.`;
      // One register mark per half day (internal/timetable): AM starts before noon.
      const half = (x: Session) => (t(x.start) < '12:00' ? 'morning' : 'afternoon');
      const twin = c.sessions.findIndex((o, m) => m < j && o.weekday && o.weekday === s.weekday && TIME.test(t(o.start)) && TIME.test(t(s.start)) && half(o) === half(s));
      if (twin >= 0 && !p[`${sk}-weekday`])
        p[`${sk}-weekday`] = `${n.charAt(0).toUpperCase() + n.slice(1)} already meets on ${WEEKDAYS.find(([d]) => d === s.weekday)?.[1]} ${half(s)}: a register has one mark per half day.`;
    });
    const places = Number(t(c.places));
    if (!t(c.places)) p[`${k}-places`] = `Enter how many places ${n} has.`;
    else if (!Number.isInteger(places) || places < 1 || places > MAX_PLACES) p[`${k}-places`] = `The places on ${n} must be a whole number from 1 to ${MAX_PLACES}.`;
    if (!t(c.deliveryPostcode)) p[`${k}-deliveryPostcode`] = `Enter the postcode where ${n} is taught.`;
    else if (!POSTCODE.test(t(c.deliveryPostcode))) p[`${k}-deliveryPostcode`] = `Enter the postcode where ${n} is taught as a UK postcode, e.g. NG7 2QQ.`;
  });
  return p;
}

function toInput(f: Form) {
  const t = (s: string) => s.trim();
  const opt = (s: string) => (t(s) ? t(s) : null);
  return {
    kind: 'PROVIDER',
    organisationName: t(f.organisationName),
    ukprn: opt(f.ukprn),
    urn: opt(f.urn),
    settingType: f.settingType || null,
    contactName: t(f.contactName),
    email: t(f.email),
    phone: opt(f.phone),
    website: opt(f.website),
    address: opt(f.address),
    postcode: t(f.postcode),
    description: opt(f.description),
    courses: f.courses.map((c) => ({
      qualificationNumber: t(c.qualificationNumber),
      places: Number(t(c.places)),
      deliveryPostcode: t(c.deliveryPostcode),
      sessions: c.sessions.map((s) => ({ weekday: s.weekday, start: t(s.start), end: t(s.end) })),
    })),
  };
}

interface Receipt {
  reference: string;
  status: string;
  submittedAt: string;
}

const SUBMIT = `mutation($in: SubmitApplicationInput!) { submitApplication(input: $in) { reference status submittedAt } }`;

export function Apply() {
  const [form, setForm] = useState<Form>(empty);
  const [problems, setProblems] = useState<Problems>({});
  // A refusal that names no field on the page (throttling, the network…).
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [focusNext, setFocusNext] = useState('');
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    document.title = receipt ? 'Application sent – apnet' : 'Apply to join the approved list – apnet';
  }, [receipt]);
  useEffect(() => {
    if (!focusNext) return;
    document.getElementById(focusNext)?.focus();
    setFocusNext('');
  }, [focusNext]);

  const set = (k: keyof Omit<Form, 'courses'>) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const setCourse = (i: number, c: Partial<Course>) => setForm({ ...form, courses: form.courses.map((x, n) => (n === i ? { ...x, ...c } : x)) });
  const setSession = (i: number, j: number, s: Partial<Session>) =>
    setCourse(i, { sessions: form.courses[i].sessions.map((x, m) => (m === j ? { ...x, ...s } : x)) });

  const showProblems = (p: Problems) => {
    setProblems(p);
    // The summary takes focus, so its list is read out and each entry leads to its field.
    setTimeout(() => summary.current?.focus(), 0);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFailure(null);
    const p = check(form);
    if (Object.keys(p).length > 0) {
      showProblems(p);
      return;
    }
    setProblems({});
    setBusy(true);
    try {
      const d = await gql<{ submitApplication: Receipt }>(SUBMIT, { in: toInput(form) });
      setReceipt(d.submitApplication);
    } catch (err) {
      const key = err instanceof ApiError && err.field ? fieldKey(err.field) : '';
      if (key && document.getElementById(inputID(key))) showProblems({ [key]: sentence(err instanceof ApiError ? err.message : '') });
      else setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  if (receipt)
    return (
      <main id="main" class="apply">
        <section data-testid="apply-success">
          <Heading>Thank you — the partnership will be in touch</Heading>
          <p class="result" role="status">
            Your application has been received. Your reference is <strong data-testid="apply-reference">{receipt.reference}</strong>.
          </p>
          <p>The partnership's quality-assurance officers review every application. They will reply to {form.email.trim()} about the next steps: a compliance visit and an evaluation visit before a provider is approved.</p>
          <p>
            <Link href="/">Back to sign in</Link>
          </p>
        </section>
      </main>
    );

  const keys = Object.keys(problems);
  // Props for a control: id, its error's id when it has one.
  const ctl = (key: string, hint?: string) => {
    const bad = problems[key];
    const describedBy = [bad ? errorID(key) : '', hint ?? ''].filter(Boolean).join(' ');
    return { id: inputID(key), 'aria-invalid': bad ? (true as const) : undefined, 'aria-describedby': describedBy || undefined };
  };
  const err = (key: string) =>
    problems[key] ? (
      <p id={errorID(key)} class="field-error">
        <span class="visually-hidden">Error: </span>
        {problems[key]}
      </p>
    ) : null;
  const text = (key: keyof Omit<Form, 'courses'>, labelText: string, opts: { optional?: boolean; hint?: string; type?: string; autocomplete?: string; inputMode?: string; wide?: boolean } = {}) => (
    <div class={opts.wide ? 'field wide' : 'field'}>
      <label for={inputID(key)}>
        {labelText}
        {opts.optional && <span class="optional"> (optional)</span>}
      </label>
      {opts.hint && (
        <p id={`${inputID(key)}-hint`} class="hint">
          {opts.hint}
        </p>
      )}
      {err(key)}
      <input
        {...ctl(key, opts.hint ? `${inputID(key)}-hint` : undefined)}
        type={(opts.type ?? 'text') as 'text'}
        autocomplete={opts.autocomplete}
        inputMode={opts.inputMode as 'numeric' | undefined}
        maxLength={MAX[key as keyof typeof MAX]}
        value={form[key]}
        onInput={set(key)}
      />
    </div>
  );

  return (
    <main id="main" class="apply">
      <p class="back">
        <Link href="/">Back to sign in</Link>
      </p>
      <Heading>Apply to join the approved list</Heading>
      <p>
        Alternative provision providers apply here to be checked by the partnership and, once approved, listed for its schools. You do not need an account. Fields are required unless marked
        optional.
      </p>
      {keys.length > 0 && (
        <div class="error-summary" role="alert" tabIndex={-1} ref={summary} aria-labelledby="ap-summary-title" data-testid="apply-problems">
          <h2 id="ap-summary-title">There is a problem</h2>
          <ul>
            {keys.map((k) => (
              <li key={k}>
                <a
                  href={`#${inputID(k)}`}
                  onClick={(e) => {
                    e.preventDefault();
                    document.getElementById(inputID(k))?.focus();
                  }}
                >
                  {problems[k]}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
      <form class="apply-form" noValidate onSubmit={submit} aria-busy={busy} aria-describedby={failure ? 'ap-failure' : undefined}>
        <fieldset>
          <legend>
            <h2>Your organisation</h2>
          </legend>
          <div class="grid">
            {text('organisationName', 'Organisation name', { autocomplete: 'organization', wide: true })}
            {text('ukprn', 'UKPRN', { optional: true, hint: 'UK provider reference number: 8 digits starting with 1.', inputMode: 'numeric' })}
            {text('urn', 'Ofsted URN', { optional: true, hint: 'If Ofsted has inspected you: 6 digits.', inputMode: 'numeric' })}
            <div class="field">
              <label for={inputID('settingType')}>
                Type of setting
                {(form.ukprn.trim() || form.urn.trim()) && <span class="optional"> (optional)</span>}
              </label>
              <p id="ap-settingType-hint" class="hint">
                Required without a UKPRN or Ofsted URN.
              </p>
              {err('settingType')}
              <select {...ctl('settingType', 'ap-settingType-hint')} value={form.settingType} onChange={set('settingType')}>
                <option value="">Choose a type</option>
                {SETTING_TYPES.map(([c, l]) => (
                  <option key={c} value={c}>
                    {l}
                  </option>
                ))}
              </select>
            </div>
          </div>
        </fieldset>

        <fieldset>
          <legend>
            <h2>Contact</h2>
          </legend>
          <div class="grid">
            {text('contactName', 'Contact name', { autocomplete: 'name' })}
            {text('email', 'Email', { type: 'email', autocomplete: 'email' })}
            {text('phone', 'Phone', { optional: true, type: 'tel', autocomplete: 'tel' })}
            {text('website', 'Website', { optional: true, type: 'url', autocomplete: 'url', hint: 'e.g. https://example.org' })}
          </div>
        </fieldset>

        <fieldset>
          <legend>
            <h2>Premises</h2>
          </legend>
          <div class="grid">
            <div class="field wide">
              <label for={inputID('address')}>
                Address<span class="optional"> (optional)</span>
              </label>
              {err('address')}
              <textarea {...ctl('address')} rows={3} autocomplete="street-address" maxLength={MAX.address} value={form.address} onInput={set('address')} />
            </div>
            {text('postcode', 'Postcode', { autocomplete: 'postal-code', hint: 'e.g. NG7 2QQ' })}
          </div>
        </fieldset>

        <fieldset>
          <legend>
            <h2>What you offer</h2>
          </legend>
          <div class="field wide">
            <label for={inputID('description')}>
              About your provision<span class="optional"> (optional)</span>
            </label>
            <p id="ap-description-hint" class="hint">
              What learners do with you, in your own words.
            </p>
            {err('description')}
            <textarea {...ctl('description', 'ap-description-hint')} rows={4} maxLength={MAX.description} value={form.description} onInput={set('description')} />
          </div>
          {form.courses.map((c, i) => {
            const k = `courses-${i}`;
            return (
              <fieldset class="course panel" key={i} data-course={i}>
                <legend>Course {i + 1}</legend>
                <div class="grid">
                  <div class="field">
                    <label for={inputID(`${k}-qualificationNumber`)}>Qualification number</label>
                    <p id={`${inputID(k)}-qn-hint`} class="hint">
                      Ofqual's number, e.g. 603/2476/0.
                    </p>
                    {err(`${k}-qualificationNumber`)}
                    <input
                      {...ctl(`${k}-qualificationNumber`, `${inputID(k)}-qn-hint`)}
                      maxLength={MAX.qualificationNumber}
                      value={c.qualificationNumber}
                      onInput={(e) => setCourse(i, { qualificationNumber: e.currentTarget.value })}
                    />
                  </div>
                  <div class="field">
                    <label for={inputID(`${k}-places`)}>Places</label>
                    <p id={`${inputID(k)}-places-hint`} class="hint">
                      Learners at a time, 1 to {MAX_PLACES}.
                    </p>
                    {err(`${k}-places`)}
                    <input {...ctl(`${k}-places`, `${inputID(k)}-places-hint`)} inputMode="numeric" maxLength={3} value={c.places} onInput={(e) => setCourse(i, { places: e.currentTarget.value })} />
                  </div>
                  <div class="field">
                    <label for={inputID(`${k}-deliveryPostcode`)}>Where it is taught (postcode)</label>
                    {err(`${k}-deliveryPostcode`)}
                    <input {...ctl(`${k}-deliveryPostcode`)} maxLength={MAX.deliveryPostcode} value={c.deliveryPostcode} onInput={(e) => setCourse(i, { deliveryPostcode: e.currentTarget.value })} />
                  </div>
                </div>
                <fieldset class="sessions">
                  <legend>When it meets each week</legend>
                  {c.sessions.map((s, j) => {
                    const sk = `${k}-sessions-${j}`;
                    return (
                      <div class="session" key={j} role="group" aria-label={`Session ${j + 1}`}>
                        <div class="field">
                          <label for={inputID(`${sk}-weekday`)}>Day</label>
                          {err(`${sk}-weekday`)}
                          <select {...ctl(`${sk}-weekday`)} value={s.weekday} onChange={(e) => setSession(i, j, { weekday: e.currentTarget.value })}>
                            <option value="">Choose a day</option>
                            {WEEKDAYS.map(([d, l]) => (
                              <option key={d} value={d}>
                                {l}
                              </option>
                            ))}
                          </select>
                        </div>
                        <div class="field">
                          <label for={inputID(`${sk}-start`)}>Starts (HH:MM)</label>
                          {err(`${sk}-start`)}
                          <input {...ctl(`${sk}-start`)} inputMode="numeric" placeholder="09:00" maxLength={MAX.time} value={s.start} onInput={(e) => setSession(i, j, { start: e.currentTarget.value })} />
                        </div>
                        <div class="field">
                          <label for={inputID(`${sk}-end`)}>Ends (HH:MM)</label>
                          {err(`${sk}-end`)}
                          <input {...ctl(`${sk}-end`)} inputMode="numeric" placeholder="12:00" maxLength={MAX.time} value={s.end} onInput={(e) => setSession(i, j, { end: e.currentTarget.value })} />
                        </div>
                        {c.sessions.length > 1 && (
                          <button
                            type="button"
                            class="secondary small"
                            onClick={() => {
                              setCourse(i, { sessions: c.sessions.filter((_, m) => m !== j) });
                              setProblems({});
                              setFocusNext(`${inputID(k)}-add-session`);
                            }}
                          >
                            Remove session {j + 1}
                            <span class="visually-hidden"> of course {i + 1}</span>
                          </button>
                        )}
                      </div>
                    );
                  })}
                  {c.sessions.length < 10 && (
                    <button
                      type="button"
                      class="secondary small"
                      id={`${inputID(k)}-add-session`}
                      onClick={() => {
                        setCourse(i, { sessions: [...c.sessions, newSession()] });
                        setFocusNext(inputID(`${k}-sessions-${c.sessions.length}-weekday`));
                      }}
                    >
                      Add a session<span class="visually-hidden"> to course {i + 1}</span>
                    </button>
                  )}
                </fieldset>
                {form.courses.length > 1 && (
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => {
                      setForm({ ...form, courses: form.courses.filter((_, n) => n !== i) });
                      setProblems({});
                      setFocusNext('ap-add-course');
                    }}
                  >
                    Remove course {i + 1}
                  </button>
                )}
              </fieldset>
            );
          })}
          {form.courses.length < MAX_COURSES && (
            <button
              type="button"
              class="secondary"
              id="ap-add-course"
              onClick={() => {
                setForm({ ...form, courses: [...form.courses, newCourse()] });
                setFocusNext(inputID(`courses-${form.courses.length}-qualificationNumber`));
              }}
            >
              Add another course
            </button>
          )}
        </fieldset>

        {failure ? (
          <p id="ap-failure" class="error" role="alert" data-code={failure instanceof ApiError ? failure.code : ''}>
            {failure instanceof ApiError && failure.code === 'FORBIDDEN' ? sentence(failure.message) : describeError(failure)}
          </p>
        ) : null}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Sending your application…' : 'Send application'}
          </button>
          {busy && (
            <p class="loading" role="status">
              Sending…
            </p>
          )}
        </div>
      </form>
    </main>
  );
}
