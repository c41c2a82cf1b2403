import { useState } from 'preact/hooks';
import { formatDate, formatTime, label, nodes } from '../api';
import { Async, Heading, Link, useQuery } from '../ui';
import { qaPage } from './qa';

export function Providers() {
  const q = useQuery<{ providers: { totalCount: number; edges: { node: { id: string; name: string; postcode: string; approvalStatus: string; approvedUntil: string | null } }[] } }>(
    `query { providers(first: 100, orderBy: [{field: APPROVAL_STATUS, direction: ASC}, {field: NAME, direction: ASC}]) { totalCount edges { node { id name postcode approvalStatus approvedUntil } } } }`,
  );
  return (
    <section>
      <Heading>Provider approvals</Heading>
      <p>Every provider and its approval; open one to record visits, upload reports and record the QA Management Group's decisions.</p>
      <Async q={q} what="providers">
        {(d) => (
          <div class="table-wrap">
            <table>
              <caption>{d.providers.totalCount} providers</caption>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Postcode</th>
                  <th scope="col">Approval</th>
                  <th scope="col">Approved until</th>
                </tr>
              </thead>
              <tbody>
                {nodes(d.providers).map((p) => (
                  <tr key={p.id}>
                    <th scope="row">
                      <Link href={qaPage(p.id)}>{p.name}</Link>
                    </th>
                    <td>{p.postcode}</td>
                    <td>
                      <span class={`tag tag-${p.approvalStatus}`}>{label(p.approvalStatus)}</span>
                    </td>
                    <td>{p.approvedUntil ? formatDate(p.approvedUntil) : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </section>
  );
}

interface Event_ {
  id: string;
  at: string;
  actorID: number | null;
  actorRole: string;
  action: string;
  entity: string;
  entityID: number | null;
  fields: string[] | null;
  clientAddress: string;
}

export function Audit() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const q = useQuery<{ auditEvents: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Event_ }[] } }>(
    `query($after: Cursor) { auditEvents(first: 50, after: $after, orderBy: [{field: AT, direction: DESC}]) { totalCount pageInfo { hasNextPage endCursor }
      edges { node { id at actorID actorRole action entity entityID fields clientAddress } } } }`,
    { after },
  );
  return (
    <section>
      <Heading>Audit trail</Heading>
      <p>Every write by a person, and every read of special-category fields, newest first.</p>
      <Async q={q} what="the audit trail">
        {(d) => (
          <>
            <div class="table-wrap">
              <table>
                <caption>
                  Page {cursors.length} of {Math.max(1, Math.ceil(d.auditEvents.totalCount / 50))} ({d.auditEvents.totalCount} events)
                </caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Record</th>
                    <th scope="col">Fields</th>
                    <th scope="col">Address</th>
                  </tr>
                </thead>
                <tbody>
                  {nodes(d.auditEvents).map((e) => (
                    <tr key={e.id}>
                      <td>{formatTime(e.at)}</td>
                      <td>
                        {e.actorID ?? 'system'} <span class="muted">{label(e.actorRole || 'system')}</span>
                      </td>
                      <td>{e.action}</td>
                      <td>
                        {e.entity} {e.entityID ?? ''}
                      </td>
                      <td>{(e.fields ?? []).join(', ')}</td>
                      <td>{e.clientAddress}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div class="actions">
              <button type="button" class="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                Newer
              </button>
              <button type="button" class="secondary" disabled={!d.auditEvents.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, d.auditEvents.pageInfo.endCursor])}>
                Older
              </button>
            </div>
          </>
        )}
      </Async>
    </section>
  );
}
