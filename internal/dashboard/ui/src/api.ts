// Queries and mutations go over fetch POST to /query; subscriptions over the
// graphql-ws client (graphql-transport-ws protocol), see live.ts.

const TOKEN_KEY = 'apnet.token';

// sessionStorage: the token dies with the tab, and is not shared between tabs.
export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(t: string | null) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export interface GqlError {
  message: string;
  extensions?: { code?: string; field?: string };
}

export class ApiError extends Error {
  code: string;
  // The input field the server blames (BAD_USER_INPUT), e.g. input.visitedOn.
  field: string;
  constructor(message: string, code: string, field = '') {
    super(message);
    this.code = code;
    this.field = field;
  }
}

// What each stable error code means to the person using the dashboard.
const codeMeaning: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  FORBIDDEN: 'Your account may not do this.',
  NOT_FOUND: 'Not found, or not visible to your account.',
  CONFLICT: 'This was changed or is not possible in its current state.',
  BAD_USER_INPUT: 'Please check what you entered.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on the server. Try again.',
  NETWORK: 'The server could not be reached. Check the connection and try again.',
  NOT_AVAILABLE: 'This file is not available to you.',
};

// Names by id: what a view knows to call the records it shows, e.g.
// { [provider.id]: provider.name }.
export type Names = Record<string, string>;

// The kinds of record a server message may name by id ("provider 34359738392").
const KINDS = 'training booking|training event|compliance visit|evaluation visit|compliance action|checklist item|provider|document|booking|event|placement|learner|course|application|school|referral|agreement|visit|action|user|alert';
const KIND_ID = new RegExp(`\\b(${KINDS}) ([1-9][0-9]{4,18})\\b`, 'gi');

// A server message with its database ids put in words: the name the view
// knows for the id, else "this provider", "this learner" and so on.
export function nameIDs(m: string, names: Names = {}): string {
  let out = m.replace(KIND_ID, (_, kind: string, id: string) => names[id] ?? `this ${kind.toLowerCase()}`);
  for (const [id, name] of Object.entries(names)) {
    if (/^[0-9]+$/.test(id)) out = out.replace(new RegExp(`\\b${id}\\b`, 'g'), name);
  }
  return out;
}

export function describeError(e: unknown, names?: Names): string {
  if (e instanceof ApiError) {
    const meaning = codeMeaning[e.code] ?? 'The request failed.';
    // The server's message says what exactly (e.g. which field); keep both,
    // unless it only repeats the code ("not found"). Ids are put in words.
    if (!e.message || e.message === meaning || e.code === 'NOT_FOUND' || e.code === 'UNAUTHENTICATED') return meaning;
    return `${meaning} ${sentence(nameIDs(e.message, names))}`;
  }
  return codeMeaning.NETWORK;
}

// What a failed sign-in says: the server's reason as a sentence, never the
// ended-session text.
export function describeSignInError(e: unknown): string {
  if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') {
    if (/too many/i.test(e.message)) return sentence(e.message);
    return 'Incorrect email or password.';
  }
  return describeError(e);
}

// A server message as a sentence: capital first letter, full stop.
export function sentence(m: string): string {
  const t = m.trim();
  if (!t) return t;
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(f: () => void) {
  onUnauthenticated = f;
}

function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function post<T>(body: BodyInit, headers: Record<string, string>): Promise<T> {
  let res: Response;
  // Without a token (signing in) an UNAUTHENTICATED answer is about the
  // credentials, not an ended session.
  const hadToken = getToken() != null;
  try {
    res = await fetch('/query', { method: 'POST', headers: { ...headers, ...authHeaders() }, body });
  } catch {
    throw new ApiError('', 'NETWORK');
  }
  if (res.status === 413) throw new ApiError('The file is larger than the server accepts.', 'BAD_USER_INPUT');
  let out: { data?: T; errors?: GqlError[] };
  try {
    out = await res.json();
  } catch {
    throw new ApiError(`HTTP ${res.status}`, res.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'NETWORK');
  }
  if (out.errors && out.errors.length > 0) {
    const first = out.errors[0];
    const code = first.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    if (code === 'UNAUTHENTICATED' && hadToken) onUnauthenticated();
    throw new ApiError(first.message, code, first.extensions?.field ?? '');
  }
  return out.data as T;
}

export function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return post<T>(JSON.stringify({ query, variables }), { 'Content-Type': 'application/json' });
}

// A mutation with one file, by the GraphQL multipart request spec: the
// variable at path (e.g. in.file) is null in operations and map names the part.
export function gqlUpload<T>(query: string, variables: Record<string, unknown>, path: string, file: File): Promise<T> {
  const fd = new FormData();
  fd.append('operations', JSON.stringify({ query, variables }));
  fd.append('map', JSON.stringify({ '0': [`variables.${path}`] }));
  fd.append('0', file, file.name);
  // No Content-Type: the browser sets multipart/form-data with its boundary.
  return post<T>(fd, {});
}

// Downloads need the bearer token, so a plain link will not do: fetch the
// file and hand the browser the blob to save. 404 is what the server answers
// for a document this account may not see.
export async function downloadFile(url: string, filename: string): Promise<number> {
  let res: Response;
  try {
    res = await fetch(url, { headers: authHeaders() });
  } catch {
    throw new ApiError('', 'NETWORK');
  }
  if (res.status === 404) throw new ApiError('', 'NOT_AVAILABLE');
  if (res.status === 401) {
    onUnauthenticated();
    throw new ApiError('', 'UNAUTHENTICATED');
  }
  if (!res.ok) throw new ApiError(`HTTP ${res.status}`, res.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'NETWORK');
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return blob.size;
}

// Connection edges to nodes.
export function nodes<T>(conn: { edges?: ({ node?: T | null } | null)[] | null } | null | undefined): T[] {
  return (conn?.edges ?? []).map((e) => e?.node).filter((n): n is T => n != null);
}

// Dates: the API's Date is YYYY-MM-DD in the school's (UK) calendar.
const ukDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
// Today in the UK, whatever the browser's own time zone: the register's
// "future" and Today's placements follow the server's UK date.
export function today(): string {
  return ukDate.format(new Date());
}
export function isoDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
// A real calendar date written YYYY-MM-DD (2026-13-45 is not one).
export function validDate(s: string | null): s is string {
  if (!s || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export const weekdays = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
export function weekdayOf(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return weekdays[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
}
// A weekly session's register period: AM when it starts before noon (as the server decides).
export function periodOf(start: string): 'AM' | 'PM' {
  return start < '12:00' ? 'AM' : 'PM';
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
export function formatDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}
export function label(e: string): string {
  const s = e.replace(/_/g, ' ').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
