// Shared pieces: the query hook with its loading and error states, routing.
import { Component, type ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, describeError, gql, type Names } from './api';

export interface QueryState<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useQuery<T>(query: string, variables: Record<string, unknown> = {}, skip = false): QueryState<T> {
  // dataKey: the variables the data was fetched with. A failed reload keeps
  // the data it had; a failed new query (other variables) does not leave the
  // previous query's results on show under its error.
  const [state, setState] = useState<{ data: T | null; dataKey: string; error: unknown; loading: boolean }>({ data: null, dataKey: '', error: null, loading: !skip });
  const key = JSON.stringify(variables);
  const seq = useRef(0);
  const run = useCallback(() => {
    if (skip) return;
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    gql<T>(query, JSON.parse(key)).then(
      (data) => n === seq.current && setState({ data, dataKey: key, error: null, loading: false }),
      (error) => n === seq.current && setState((s) => (s.dataKey === key ? { ...s, error, loading: false } : { data: null, dataKey: '', error, loading: false })),
    );
  }, [query, key, skip]);
  useEffect(run, [run]);
  return { data: state.dataKey === key || state.loading ? state.data : null, error: state.error, loading: state.loading, reload: run };
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

// Only a failure that may go away by itself is worth trying again: the same
// bad input or a missing record gives the same answer.
export function retryable(error: unknown): boolean {
  return !(error instanceof ApiError) || ['NETWORK', 'INTERNAL_SERVER_ERROR'].includes(error.code);
}

export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div class="error" role="alert">
      <p>{describeError(error)}</p>
      {retry && retryable(error) && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

// Loading and error states, then the content.
export function Async<T>({ q, what, children }: { q: QueryState<T>; what: string; children: (d: T) => ComponentChildren }) {
  if (q.error && !q.data) return <ErrorBox error={q.error} retry={q.reload} />;
  if (!q.data) return <Loading what={what} />;
  return (
    <>
      {q.error ? <ErrorBox error={q.error} retry={q.reload} /> : null}
      {children(q.data)}
    </>
  );
}

// Routing: history API, the server answers index.html for every app path.
export function navigate(to: string) {
  history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(): URL {
  const [url, setURL] = useState(() => new URL(location.href));
  useEffect(() => {
    const f = () => setURL(new URL(location.href));
    addEventListener('popstate', f);
    return () => removeEventListener('popstate', f);
  }, []);
  return url;
}

export function Link({ href, children, class: cls, current }: { href: string; children: ComponentChildren; class?: string; current?: boolean }) {
  return (
    <a
      href={href}
      class={cls}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

// Moves focus to a view's heading when it opens, so screen-reader and
// keyboard users start at the new content.
export function Heading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus({ preventScroll: true }), []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

// A form's error, next to the form; the field the server blamed is named
// and marked invalid through invalid() below.
// names: what the form knows to call the records an error may name by id.
export function FormError({ id, error, names }: { id: string; error: unknown; names?: Names }) {
  if (!error) return null;
  const field = error instanceof ApiError && error.field ? error.field.replace(/^input\./, '') : '';
  return (
    <p id={id} class="error" role="alert" data-code={error instanceof ApiError ? error.code : ''} data-field={field}>
      {describeError(error, names)}
    </p>
  );
}

// aria-invalid and a pointer to the error for the control the server named
// (its field, e.g. input.visitedOn or input.results[2].action.dueOn).
export function invalid(error: unknown, errorID: string, ...fields: string[]) {
  if (!(error instanceof ApiError) || !error.field) return {};
  const f = error.field.replace(/^input\./, '');
  if (!fields.some((x) => f === x || f.startsWith(`${x}.`))) return {};
  return { 'aria-invalid': true as const, 'aria-describedby': errorID };
}

// A mutation's busy and error state.
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (f: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await f();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}

// Ids in addresses are the numbers apnet returns; anything else cannot be found.
export function validID(id: string): boolean {
  return /^[1-9][0-9]{0,18}$/.test(id);
}

// The server's answer for an id that names nothing this account may see.
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'NOT_FOUND' || (error.code === 'BAD_USER_INPUT' && error.field === 'id'));
}

export function NotFound({ what }: { what: string }) {
  return (
    <>
      <Heading>{what} not found</Heading>
      <p>This {what.toLowerCase()} does not exist or is not visible to your account.</p>
      <p>
        <Link href="/">Go to the start page</Link>
      </p>
    </>
  );
}

// One view's failure must not take the page down: the navigation stays, and
// the next navigation (the boundary is keyed by the path) starts afresh.
export class ErrorBoundary extends Component<{ children: ComponentChildren }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  componentDidCatch() {
    // Nothing is logged: the error may carry personal data from the page.
  }
  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <section>
        <Heading>Something went wrong</Heading>
        <p>This page could not be shown. The rest of apnet still works: use the menu, or reload the page.</p>
      </section>
    );
  }
}
