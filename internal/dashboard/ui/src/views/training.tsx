// Training events: provider staff book colleagues and cancel; the
// partnership creates events and records who attended.
import { useState } from 'preact/hooks';
import { formatTime, gql, label, nodes, type Names } from '../api';
import type { Me } from '../main';
import { Async, FormError, Heading, invalid, useAction, useQuery } from '../ui';
import { EMAIL, LONG, PERSON_NAME, SHORT } from '../limits';

interface Booking {
  id: string;
  attendeeName: string;
  attendeeEmail: string;
  status: string;
  attended: boolean | null;
  provider: { id: string; name: string };
}
interface Event_ {
  id: string;
  title: string;
  description: string;
  topic: string;
  startsAt: string;
  endsAt: string;
  location: string;
  capacity: number;
  placesLeft: number;
  bookings: { edges: { node: Booking }[] };
}

const EVENTS = `query($w: TrainingEventWhereInput, $dir: OrderDirection!) {
  trainingEvents(first: 20, where: $w, orderBy: [{field: STARTS_AT, direction: $dir}]) { edges { node {
    id title description topic startsAt endsAt location capacity placesLeft
    bookings(first: 50, orderBy: [{field: BOOKED_AT, direction: ASC}]) { edges { node { id attendeeName attendeeEmail status attended provider { id name } } } }
  } } }
}`;

export function Training({ me }: { me: Me }) {
  const [past, setPast] = useState(false);
  // The boundary is fixed when the view opens, so the query stays the same between renders.
  const [now] = useState(() => new Date().toISOString());
  const q = useQuery<{ trainingEvents: { edges: { node: Event_ }[] } }>(EVENTS, past ? { w: { endsAtLT: now }, dir: 'DESC' } : { w: { endsAtGTE: now }, dir: 'ASC' });
  const partnership = me.role === 'PARTNERSHIP_ADMIN' || me.role === 'QA_OFFICER';
  const [creating, setCreating] = useState(false);
  return (
    <section>
      <Heading>Training</Heading>
      <p>{me.role === 'PROVIDER_STAFF' ? 'Book your colleagues onto the partnership’s training.' : 'The partnership’s training events for provider staff.'}</p>
      <div class="actions">
        <div class="field inline">
          <label for="tr-when">Show</label>
          <select id="tr-when" value={past ? 'past' : 'upcoming'} onChange={(e) => setPast(e.currentTarget.value === 'past')}>
            <option value="upcoming">Upcoming and running</option>
            <option value="past">Past</option>
          </select>
        </div>
        {partnership && (
          <button type="button" class="secondary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            New event…
          </button>
        )}
      </div>
      {creating && (
        <CreateEvent
          done={() => {
            setCreating(false);
            q.reload();
          }}
        />
      )}
      <Async q={q} what="training events">
        {(d) => {
          const events = nodes(d.trainingEvents);
          if (events.length === 0) return <p class="empty">No {past ? 'past' : 'upcoming'} events.</p>;
          return (
            <ul class="queue">
              {events.map((e) => (
                <EventItem key={e.id} e={e} me={me} partnership={partnership} done={q.reload} />
              ))}
            </ul>
          );
        }}
      </Async>
    </section>
  );
}

function EventItem({ e, me, partnership, done }: { e: Event_; me: Me; partnership: boolean; done: () => void }) {
  const started = new Date(e.startsAt).getTime() <= Date.now();
  const [booking, setBooking] = useState(false);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const a = useAction();
  const errID = `ev-${e.id}-error`;
  const bookings = nodes(e.bookings);
  const book = async (ev: Event) => {
    ev.preventDefault();
    const ok = await a.run(() => gql(`mutation($e: ID!, $n: String!, $m: String!) { bookTraining(eventID: $e, attendeeName: $n, attendeeEmail: $m) { id } }`, { e: e.id, n: name.trim(), m: email.trim() }));
    if (ok) {
      setName('');
      setEmail('');
      setBooking(false);
      done();
    }
  };
  const act = (query: string, vars: Record<string, unknown>) => a.run(() => gql(query, vars)).then((ok) => ok && done());
  // What an error naming a record by id calls it: never an attendee's name.
  const names: Names = { [e.id]: `“${e.title}”` };
  for (const b of bookings) {
    names[b.id] = `the booking for “${e.title}”`;
    names[b.provider.id] = b.provider.name;
  }
  return (
    <li class="queue-item" data-event-id={e.id}>
      <h2>{e.title}</h2>
      <p class="meta">
        {formatTime(e.startsAt)} – {formatTime(e.endsAt)}
        {e.location && ` · ${e.location}`}
        {e.topic && ` · ${e.topic}`}
      </p>
      {e.description && <p>{e.description}</p>}
      <p>
        <strong data-testid="places-left">
          {e.placesLeft} of {e.capacity} places left
        </strong>
      </p>
      {bookings.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption>{partnership ? 'Bookings' : 'Your provider’s bookings'}</caption>
            <thead>
              <tr>
                <th scope="col">Attendee</th>
                {partnership && <th scope="col">Provider</th>}
                <th scope="col">Booking</th>
                <th scope="col">{started ? 'Attendance' : 'Change'}</th>
              </tr>
            </thead>
            <tbody>
              {bookings.map((b) => (
                <tr key={b.id}>
                  <th scope="row">
                    {b.attendeeName} <span class="meta">{b.attendeeEmail}</span>
                  </th>
                  {partnership && <td>{b.provider.name}</td>}
                  <td>{label(b.status)}</td>
                  <td>
                    {b.status === 'BOOKED' && !started && (me.role === 'PROVIDER_STAFF' || partnership) && (
                      <button type="button" class="secondary small" disabled={a.busy} onClick={() => act(`mutation($id: ID!) { cancelTrainingBooking(id: $id) { id } }`, { id: b.id })}>
                        Cancel<span class="visually-hidden"> {b.attendeeName}'s place</span>
                      </button>
                    )}
                    {b.status === 'BOOKED' && started && (
                      <>
                        {b.attended == null ? <span class="muted">Not recorded </span> : <span>{b.attended ? 'Attended ' : 'Did not attend '}</span>}
                        {partnership && (
                          <span class="actions inline">
                            <button type="button" class="secondary small" disabled={a.busy || b.attended === true} onClick={() => act(`mutation($id: ID!) { recordTrainingAttendance(bookingID: $id, attended: true) { id } }`, { id: b.id })}>
                              Mark attended<span class="visually-hidden"> ({b.attendeeName})</span>
                            </button>
                            <button type="button" class="secondary small" disabled={a.busy || b.attended === false} onClick={() => act(`mutation($id: ID!) { recordTrainingAttendance(bookingID: $id, attended: false) { id } }`, { id: b.id })}>
                              Mark not attended<span class="visually-hidden"> ({b.attendeeName})</span>
                            </button>
                          </span>
                        )}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {me.role === 'PROVIDER_STAFF' && !started && (
        <>
          <button type="button" class="secondary" disabled={e.placesLeft === 0} aria-expanded={booking} onClick={() => setBooking(!booking)}>
            {e.placesLeft === 0 ? 'Full' : 'Book a colleague…'}
          </button>
          {booking && (
            <form class="qa-form" onSubmit={book} aria-describedby={a.error ? errID : undefined}>
              <div class="field">
                <label for={`bk-${e.id}-n`}>Name</label>
                <input id={`bk-${e.id}-n`} required maxLength={PERSON_NAME} autocomplete="off" value={name} onInput={(x) => setName(x.currentTarget.value)} {...invalid(a.error, errID, 'attendeeName')} />
              </div>
              <div class="field">
                <label for={`bk-${e.id}-m`}>Email</label>
                <input id={`bk-${e.id}-m`} type="email" required maxLength={EMAIL} autocomplete="off" value={email} onInput={(x) => setEmail(x.currentTarget.value)} {...invalid(a.error, errID, 'attendeeEmail')} />
              </div>
              <div class="actions">
                <button type="submit" disabled={a.busy}>
                  Book place
                </button>
              </div>
            </form>
          )}
        </>
      )}
      <FormError id={errID} error={a.error} names={names} />
    </li>
  );
}

// datetime-local gives local wall time; the API takes an instant.
const instant = (local: string) => (local ? new Date(local).toISOString() : '');

function CreateEvent({ done }: { done: () => void }) {
  const [f, setF] = useState({ title: '', topic: '', description: '', startsAt: '', endsAt: '', location: '', capacity: '20' });
  const a = useAction();
  const errID = 'ne-error';
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await a.run(() =>
      gql(`mutation($in: CreateTrainingEventInput!) { createTrainingEvent(input: $in) { id } }`, {
        in: { title: f.title.trim(), topic: f.topic.trim() || undefined, description: f.description.trim() || undefined, location: f.location.trim() || undefined, startsAt: instant(f.startsAt), endsAt: instant(f.endsAt), capacity: Number(f.capacity) },
      }),
    );
    if (ok) done();
  };
  return (
    <form class="panel qa-form" onSubmit={submit} aria-labelledby="ne-h" aria-describedby={a.error ? errID : undefined}>
      <h2 id="ne-h">New training event</h2>
      <div class="grid">
        <div class="field">
          <label for="ne-title">Title</label>
          <input id="ne-title" required maxLength={SHORT} value={f.title} onInput={set('title')} {...invalid(a.error, errID, 'title')} />
        </div>
        <div class="field">
          <label for="ne-topic">Topic</label>
          <input id="ne-topic" maxLength={SHORT} value={f.topic} onInput={set('topic')} placeholder="e.g. safeguarding" />
        </div>
        <div class="field">
          <label for="ne-start">Starts</label>
          <input id="ne-start" type="datetime-local" required value={f.startsAt} onInput={set('startsAt')} {...invalid(a.error, errID, 'startsAt')} />
        </div>
        <div class="field">
          <label for="ne-end">Ends</label>
          <input id="ne-end" type="datetime-local" required value={f.endsAt} onInput={set('endsAt')} {...invalid(a.error, errID, 'endsAt')} />
        </div>
        <div class="field">
          <label for="ne-loc">Location</label>
          <input id="ne-loc" maxLength={SHORT} value={f.location} onInput={set('location')} />
        </div>
        <div class="field">
          <label for="ne-cap">Places</label>
          <input id="ne-cap" type="number" min="1" required inputMode="numeric" value={f.capacity} onInput={set('capacity')} {...invalid(a.error, errID, 'capacity')} />
        </div>
      </div>
      <label for="ne-desc">Description</label>
      <textarea id="ne-desc" rows={3} maxLength={LONG} value={f.description} onInput={set('description')} />
      <div class="actions">
        <button type="submit" disabled={a.busy}>
          {a.busy ? 'Saving…' : 'Create event'}
        </button>
      </div>
      <FormError id={errID} error={a.error} />
    </form>
  );
}
