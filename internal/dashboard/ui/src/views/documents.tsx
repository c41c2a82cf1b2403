// Documents: downloading with the session's token, uploading by the GraphQL
// multipart request spec, and the partnership's resources library.
import { useState } from 'preact/hooks';
import { describeError, downloadFile, formatSize, formatTime, gqlUpload, label, nodes } from '../api';
import type { Me } from '../main';
import { Async, FormError, Heading, invalid, useAction, useQuery } from '../ui';
import { SHORT } from '../limits';

export interface Doc {
  id: string;
  title: string;
  filename: string;
  contentType: string;
  size: number;
  category: string;
  uploadedAt: string;
  downloadURL: string;
}

export const DOC_FIELDS = 'id title filename contentType size category uploadedAt downloadURL';

const CATEGORIES: Record<string, string> = {
  COMPLIANCE_REPORT: 'Compliance visit report',
  EVALUATION_REPORT: 'Evaluation visit report',
  QA_PROCESS: 'QA process',
  DATA_SYSTEM_GUIDE: 'Data system guide',
  PROGRESSION: 'Progression',
  QUALIFICATION_SUPPORT: 'Qualification support',
  TRAINING_EVENTS: 'Training events',
  TRAINING_RESOURCES: 'Training resources',
  OTHER: 'Other',
};
export const categoryText = (c: string) => CATEGORIES[c] ?? label(c);

export const LIBRARY = ['QA_PROCESS', 'DATA_SYSTEM_GUIDE', 'PROGRESSION', 'QUALIFICATION_SUPPORT', 'TRAINING_EVENTS', 'TRAINING_RESOURCES'];

// What the server accepts (internal/docstore); the server checks again.
const ACCEPT = '.pdf,.docx,.xlsx,.pptx,.odt,.png,.jpg,.jpeg,.txt,.csv';

const UPLOAD = `mutation($in: UploadDocumentInput!) { uploadDocument(input: $in) { ${DOC_FIELDS} } }`;

export async function uploadDocument(file: File, title: string, category: string, providerID?: string): Promise<Doc> {
  const d = await gqlUpload<{ uploadDocument: Doc }>(UPLOAD, { in: { file: null, title, category, providerID } }, 'in.file', file);
  return d.uploadDocument;
}

// A button that fetches the file with the session's token and saves it.
export function Download({ doc, text }: { doc: Doc; text?: string }) {
  const [state, setState] = useState<{ s: '' | 'busy' | 'done' | 'error'; error?: unknown; bytes?: number }>({ s: '' });
  const go = async () => {
    setState({ s: 'busy' });
    try {
      const bytes = await downloadFile(doc.downloadURL, doc.filename);
      setState({ s: 'done', bytes });
    } catch (error) {
      setState({ s: 'error', error });
    }
  };
  return (
    <span class="download" data-document-id={doc.id} data-state={state.s} data-bytes={state.bytes ?? ''}>
      <button type="button" class="secondary" onClick={go} disabled={state.s === 'busy'}>
        {state.s === 'busy' ? 'Downloading…' : (text ?? 'Download')}
        <span class="visually-hidden"> {doc.title}</span>
      </button>{' '}
      <span class="muted">
        {doc.filename} · {formatSize(doc.size)}
      </span>
      <span role="status" class={state.s === 'error' ? 'inline-error' : 'muted'}>
        {state.s === 'done' ? ' Saved.' : state.s === 'error' ? ` ${describeError(state.error)}` : ''}
      </span>
    </span>
  );
}

// A labelled file input.
export function FileField({ id, label: text, file, setFile, required, hint }: { id: string; label: string; file: File | null; setFile: (f: File | null) => void; required?: boolean; hint?: string }) {
  return (
    <div class="field">
      <label for={id}>{text}</label>
      <input id={id} type="file" accept={ACCEPT} required={required} aria-describedby={`${id}-hint`} onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      <p id={`${id}-hint`} class="hint">
        {hint ?? 'PDF, Word, Excel, PowerPoint, ODT, PNG, JPEG, text or CSV.'}
        {file ? ` Chosen: ${file.name} (${formatSize(file.size)}).` : ''}
      </p>
    </div>
  );
}

// Upload a file as a document: a provider's report (providerID set) or a library resource.
export function UploadForm({ idPrefix, categories, providerID, done }: { idPrefix: string; categories: string[]; providerID?: string; done: (d: Doc) => void }) {
  const [title, setTitle] = useState('');
  const [category, setCategory] = useState(categories[0]);
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState('');
  const a = useAction();
  const errID = `${idPrefix}-error`;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setResult('');
    let doc: Doc | null = null;
    const ok = await a.run(async () => {
      doc = await uploadDocument(file, title.trim(), category, providerID);
    });
    if (ok && doc) {
      setResult(`Uploaded “${(doc as Doc).title}”.`);
      setTitle('');
      (e.target as HTMLFormElement).reset();
      setFile(null);
      done(doc);
    }
  };
  return (
    <form class="qa-form" onSubmit={submit} aria-describedby={a.error ? errID : undefined} data-form={idPrefix}>
      <div class="field">
        <label for={`${idPrefix}-title`}>Title</label>
        <input id={`${idPrefix}-title`} required maxLength={SHORT} value={title} onInput={(e) => setTitle(e.currentTarget.value)} {...invalid(a.error, errID, 'title')} />
      </div>
      <div class="field">
        <label for={`${idPrefix}-cat`}>Category</label>
        <select id={`${idPrefix}-cat`} value={category} onChange={(e) => setCategory(e.currentTarget.value)} {...invalid(a.error, errID, 'category')}>
          {categories.map((c) => (
            <option key={c} value={c}>
              {categoryText(c)}
            </option>
          ))}
        </select>
      </div>
      <FileField id={`${idPrefix}-file`} label="File" file={file} setFile={setFile} required />
      <div class="actions">
        <button type="submit" disabled={a.busy || !file}>
          {a.busy ? 'Uploading…' : 'Upload'}
        </button>
      </div>
      <p role="status" class="result">
        {result}
      </p>
      <FormError id={errID} error={a.error} />
    </form>
  );
}

export function Resources({ me }: { me: Me }) {
  const [category, setCategory] = useState('');
  const q = useQuery<{ resources: { totalCount: number; edges: { node: Doc }[] } }>(
    `query($c: DocumentCategory) { resources(first: 100, category: $c) { totalCount edges { node { ${DOC_FIELDS} } } } }`,
    { c: category || null },
  );
  const partnership = me.role === 'PARTNERSHIP_ADMIN' || me.role === 'QA_OFFICER';
  const [open, setOpen] = useState(false);
  return (
    <section>
      <Heading>Resources</Heading>
      <p>The partnership's library: the QA process, guides, progression, qualification support and training.</p>
      <div class="field inline">
        <label for="res-cat">Show</label>
        <select id="res-cat" value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
          <option value="">Every category</option>
          {LIBRARY.map((c) => (
            <option key={c} value={c}>
              {categoryText(c)}
            </option>
          ))}
        </select>
      </div>
      {partnership && (
        <>
          <button type="button" class="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
            Upload a resource…
          </button>
          {open && <UploadForm idPrefix="res-up" categories={LIBRARY} done={() => q.reload()} />}
        </>
      )}
      <Async q={q} what="resources">
        {(d) => {
          const docs = nodes(d.resources);
          if (docs.length === 0) return <p class="empty">No resources{category ? ` in ${categoryText(category)}` : ''} yet.</p>;
          const groups = LIBRARY.map((c) => [c, docs.filter((x) => x.category === c)] as const).filter(([, xs]) => xs.length > 0);
          const other = docs.filter((x) => !LIBRARY.includes(x.category));
          return (
            <>
              {[...groups, ...(other.length ? [['OTHER', other] as const] : [])].map(([c, xs]) => (
                <section key={c} class="doc-group" aria-labelledby={`res-${c}`}>
                  <h2 id={`res-${c}`}>{categoryText(c)}</h2>
                  <ul class="docs">
                    {xs.map((x) => (
                      <li key={x.id}>
                        <strong>{x.title}</strong> <span class="meta">added {formatTime(x.uploadedAt)}</span>
                        <br />
                        <Download doc={x} />
                      </li>
                    ))}
                  </ul>
                </section>
              ))}
            </>
          );
        }}
      </Async>
    </section>
  );
}
