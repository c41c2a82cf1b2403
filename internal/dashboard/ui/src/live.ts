// The live connection: one graphql-ws client per signed-in tab, the alert
// feed that never misses an alert, and the connection indicator's state.
import { createClient, type Client } from 'graphql-ws';
import { useEffect, useState } from 'preact/hooks';
import { gql, nodes } from './api';

export type Status = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface Alert {
  id: string;
  kind: string;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  learner: { id: string; firstName: string; lastName: string; upn: string };
  placement: { id: string; course: { provider: { name: string } } };
  // null for an alert no mark raised (a provider suspended).
  mark: AlertMark | null;
}

export interface MarkVersion {
  version: number;
  status: string;
  code: string;
  minutesLate: number;
  absenceReason: string | null;
  recordedAt: string;
}
export interface AlertMark extends MarkVersion {
  date: string;
  session: string;
  // Every version of the mark, oldest first: the alert describes the one that raised it.
  history: { edges: { node: MarkVersion }[] } | null;
}

export const ALERT_FIELDS = `id kind raisedAt acknowledgedAt acknowledgedBy
  learner { id firstName lastName upn }
  placement { id course { provider { name } } }
  mark { date session code status minutesLate absenceReason version recordedAt
    history(first: 20, orderBy: [{field: VERSION, direction: ASC}]) { edges { node { version status code minutesLate absenceReason recordedAt } } } }`;

interface State {
  status: Status;
  alerts: Alert[]; // newest first
  // The first load of the feed has finished (or failed, see feedError).
  loaded: boolean;
  feedError: unknown;
  sound: boolean;
  // Screen-reader announcement of the newest live alert.
  announcement: string;
}

type Listener = () => void;

class Store {
  state: State = { status: 'connecting', alerts: [], loaded: false, feedError: null, sound: sessionStorage.getItem('apnet.sound') === 'on', announcement: '' };
  private listeners = new Set<Listener>();
  set(patch: Partial<State>) {
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((l) => l());
  }
  listen(l: Listener) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

export const store = new Store();

export function useLive(): State {
  const [, force] = useState(0);
  useEffect(() => store.listen(() => force((n) => n + 1)), []);
  return store.state;
}

let client: Client | null = null;
// Whether the socket is up right now: a catch-up that finishes after the
// socket dropped again must not claim Live.
let connectedNow = false;
let stopFeed: (() => void) | null = null;
const reconnectListeners = new Set<Listener>();
let onUnauthorized: () => void = () => {};

// Views that show live data refetch after every reconnect, since events sent
// while the socket was down are not replayed.
export function onReconnect(l: Listener) {
  reconnectListeners.add(l);
  return () => reconnectListeners.delete(l);
}

function wsURL(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/query`;
}

// Backoff: quick first retries, then at most every 5 s, so a dashboard left
// open all day comes back soon after the network does.
function retryWait(retries: number): Promise<void> {
  const ms = Math.min(500 * 2 ** retries, 5000) + Math.random() * 300;
  return new Promise((r) => setTimeout(r, ms));
}

// While the socket is down and the client keeps retrying: Offline only when
// the browser itself has no network, otherwise (Re)connecting. The same
// answer on every retry, so the indicator stays put and is announced once.
function down(wasConnected: boolean): Status {
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return 'offline';
  return wasConnected ? 'reconnecting' : 'connecting';
}

export function connect(token: string, schoolID: string | null, unauthorized: () => void) {
  disconnect();
  onUnauthorized = unauthorized;
  let everConnected = false;
  store.set({ status: 'connecting', alerts: [], loaded: false, feedError: null });
  client = createClient({
    url: wsURL(),
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false, // stay connected without subscriptions, so the indicator means something
    keepAlive: 10_000, // a silently dead socket is noticed within seconds
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait,
    on: {
      connecting: (isRetry) => store.set({ status: down(isRetry || everConnected) }),
      connected: () => {
        connectedNow = true;
        const wasRetry = everConnected;
        everConnected = true;
        if (schoolID) {
          void catchUpThenLive(wasRetry);
        } else {
          store.set({ status: 'live', loaded: true });
        }
        if (wasRetry) reconnectListeners.forEach((l) => l());
      },
      closed: (e) => {
        connectedNow = false;
        if ((e as CloseEvent)?.code === 4401) onUnauthorized();
        // The client retries for ever: say so, steadily, rather than
        // flickering between Offline and Reconnecting on every attempt.
        else if (client) store.set({ status: down(everConnected) });
      },
    },
  });
  if (schoolID) stopFeed = subscribe<{ alertRaised: Alert }>(`subscription($s: ID!) { alertRaised(schoolID: $s) { ${ALERT_FIELDS} } }`, { s: schoolID }, (d) => onLiveAlert(d.alertRaised));
}

export function disconnect() {
  stopFeed?.();
  stopFeed = null;
  client?.dispose();
  client = null;
  connectedNow = false;
  if (refreshTimer) clearInterval(refreshTimer);
  refreshTimer = null;
  buffering = true;
  buffer = [];
}

// subscribe keeps a subscription going for as long as the caller wants it:
// graphql-ws resubscribes after a retried reconnect itself; after a
// completion or a fatal error (e.g. the server restarting) we start again.
export function subscribe<T>(query: string, variables: Record<string, unknown>, next: (data: T) => void): () => void {
  let stopped = false;
  let unsub: (() => void) | null = null;
  let attempt = 0;
  const start = () => {
    if (stopped || !client) return;
    unsub = client.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          attempt = 0;
          if (r.data) next(r.data as T);
        },
        error: (e) => {
          if ((e as CloseEvent)?.code === 4401) {
            onUnauthorized();
            return;
          }
          if (!stopped) setTimeout(start, Math.min(1000 * 2 ** attempt++, 5000));
        },
        complete: () => {
          if (!stopped) setTimeout(start, 1000);
        },
      },
    );
  };
  start();
  return () => {
    stopped = true;
    unsub?.();
  };
}

// While catching up, live alerts wait here so the feed never shows a live
// alert ahead of older ones it has not fetched yet.
let buffering = true;
let buffer: Alert[] = [];

function merge(incoming: Alert[]) {
  const byID = new Map(store.state.alerts.map((a) => [a.id, a]));
  for (const a of incoming) byID.set(a.id, a);
  const alerts = [...byID.values()].sort((a, b) => (a.raisedAt < b.raisedAt ? 1 : a.raisedAt > b.raisedAt ? -1 : 0));
  store.set({ alerts });
}

function onLiveAlert(a: Alert) {
  if (buffering) {
    buffer.push(a);
    return;
  }
  const isNew = !store.state.alerts.some((x) => x.id === a.id);
  merge([a]);
  if (isNew) announce(a);
}

function announce(a: Alert) {
  store.set({ announcement: `New alert: ${label(a.kind)} for ${a.learner.firstName} ${a.learner.lastName}` });
  if (store.state.sound) beep();
}

function label(kind: string) {
  return kind.replace(/_/g, ' ').toLowerCase();
}

// The first load: every alert not yet acknowledged (up to 100, for the
// unread count) and the latest 50 for context.
const LATEST = `query {
  unread: alerts(first: 100, orderBy: [{field: RAISED_AT, direction: DESC}], where: {acknowledgedAtIsNil: true}) { edges { node { ${ALERT_FIELDS} } } }
  latest: alerts(first: 50, orderBy: [{field: RAISED_AT, direction: DESC}]) { edges { node { ${ALERT_FIELDS} } } }
}`;
const SINCE = `query($since: Time!, $after: Cursor) {
  alerts(first: 100, after: $after, orderBy: [{field: RAISED_AT, direction: ASC}], where: {raisedAtGTE: $since}) {
    edges { node { ${ALERT_FIELDS} } } pageInfo { hasNextPage endCursor }
  }
}`;

type Conn = { edges: { node: Alert }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

// fetchMissed loads every alert raised since the newest one the feed has
// (GTE, deduplicated by id: alerts can share a timestamp).
async function fetchMissed() {
  const newest = store.state.alerts[0]?.raisedAt;
  if (!newest) {
    const d = await gql<{ unread: Conn; latest: Conn }>(LATEST);
    merge([...nodes(d.latest), ...nodes(d.unread)]);
    return;
  }
  let after: string | null = null;
  for (;;) {
    const d: { alerts: Conn } = await gql<{ alerts: Conn }>(SINCE, { since: newest, after });
    merge(nodes(d.alerts));
    if (!d.alerts.pageInfo.hasNextPage) return;
    after = d.alerts.pageInfo.endCursor;
  }
}

// Colleagues acknowledge alerts too, and no event says so: look again at the
// ones this tab still shows as unread, after each reconnect and every minute.
async function refreshUnread() {
  const ids = store.state.alerts.filter((a) => !a.acknowledgedAt).map((a) => a.id);
  if (ids.length === 0) return;
  const d = await gql<{ alerts: Conn }>(`query($ids: [ID!]) { alerts(first: 100, where: {idIn: $ids}) { edges { node { ${ALERT_FIELDS} } } } }`, { ids: ids.slice(0, 100) });
  merge(nodes(d.alerts));
}
let refreshTimer: ReturnType<typeof setInterval> | null = null;

async function catchUpThenLive(wasRetry: boolean) {
  buffering = true;
  store.set({ status: wasRetry ? 'reconnecting' : 'connecting' });
  for (;;) {
    try {
      await fetchMissed();
      if (wasRetry) await refreshUnread();
      break;
    } catch (e) {
      store.set({ feedError: e, loaded: true });
      if (!client) return;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  const held = buffer;
  buffer = [];
  buffering = false;
  const known = new Set(store.state.alerts.map((a) => a.id));
  merge(held);
  held.filter((a) => !known.has(a.id)).forEach(announce);
  store.set({ status: connectedNow ? 'live' : 'reconnecting', loaded: true, feedError: null });
  // The protocol does not acknowledge a subscribe, so an alert raised between
  // the fetch above and the server registering the subscription would be in
  // neither: look once more when the subscription is surely in place.
  setTimeout(() => {
    if (client) fetchMissed().catch(() => {});
  }, 2000);
  refreshTimer ??= setInterval(() => {
    if (client && connectedNow) refreshUnread().catch(() => {});
  }, 60_000);
}

export function setSound(on: boolean) {
  sessionStorage.setItem('apnet.sound', on ? 'on' : 'off');
  store.set({ sound: on });
}

export function markAcknowledged(a: Alert) {
  merge([a]);
}

let audio: AudioContext | null = null;
function beep() {
  try {
    audio ??= new AudioContext();
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.frequency.value = 880;
    g.gain.value = 0.1;
    o.connect(g).connect(audio.destination);
    o.start();
    o.stop(audio.currentTime + 0.2);
  } catch {
    // No audio available: the visual alert and count still show.
  }
}
