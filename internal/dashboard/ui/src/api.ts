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
  extensions?: { code?: string };
}

export class ApiError extends Error {
  code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
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
};

export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    const meaning = codeMeaning[e.code] ?? 'The request failed.';
    // The server's message says what exactly (e.g. which field); keep both.
    return e.message && e.message !== meaning ? `${meaning} ${e.message}` : meaning;
  }
  return codeMeaning.NETWORK;
}

let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(f: () => void) {
  onUnauthenticated = f;
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch('/query', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiError('', 'NETWORK');
  }
  let body: { data?: T; errors?: GqlError[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`HTTP ${res.status}`, res.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'NETWORK');
  }
  if (body.errors && body.errors.length > 0) {
    const first = body.errors[0];
    const code = first.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    if (code === 'UNAUTHENTICATED') onUnauthenticated();
    throw new ApiError(first.message, code);
  }
  return body.data as T;
}

// Connection edges to nodes.
export function nodes<T>(conn: { edges?: ({ node?: T | null } | null)[] | null } | null | undefined): T[] {
  return (conn?.edges ?? []).map((e) => e?.node).filter((n): n is T => n != null);
}

// Dates: the API's Date is YYYY-MM-DD in the school's (UK) calendar.
export function today(): string {
  const d = new Date();
  return isoDate(d);
}
export function isoDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
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
