import { useState, type FormEvent } from 'react';
import { api, problemOf, type ApiProblem, type CreateJobBody, type OperationType } from '../api/client';
import { go } from '../router';
import { Field, ProblemLine } from '../ui';
import { OPERATIONS } from './jobs';

// PixVerse's choices; the gateway checks the combinations (e.g. 1080p allows 5 s on older models).
const MODELS = ['v3.5', 'v4', 'v4.5', 'v5', 'v5.5', 'v5.6', 'v6', 'c1'];
const QUALITIES = ['360p', '540p', '720p', '1080p'];
const ASPECTS = ['16:9', '4:3', '1:1', '3:4', '9:16'];
const DURATIONS = [5, 8, 10];
const MOTION = ['normal', 'fast'];

type Form = Record<string, string>;

/** The checks the API makes on the wire shape, so most mistakes show before a round trip. */
function localProblems(op: OperationType, f: Form): Record<string, string> {
  const out: Record<string, string> = {};
  if ((op === 'text_to_video' || op === 'image_to_video') && !f.prompt?.trim())
    out['params.prompt'] = `Required for ${op}`;
  if (op === 'image_to_video' && !f.image_url) out['params.image_url'] = `Required for ${op}`;
  for (const k of ['image_url', 'video_url'] as const)
    if (f[k] && !/^https:\/\//.test(f[k])) out[`params.${k}`] = 'must be an https URL';
  if (f.seed && !/^\d+$/.test(f.seed)) out['params.seed'] = 'a whole number from 0';
  if (f.priority && !/^(10|\d)$/.test(f.priority)) out.priority = 'a whole number from 0 to 10';
  return out;
}

export function SubmitPage() {
  const [op, setOp] = useState<OperationType>('text_to_video');
  const [form, setForm] = useState<Form>({
    model: 'v5',
    quality: '540p',
    duration: '5',
    aspect_ratio: '16:9',
    priority: '5',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<ApiProblem>();
  const [busy, setBusy] = useState(false);
  const set = (k: string) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(undefined);
    const local = localProblems(op, form);
    setErrors(local);
    if (Object.keys(local).length) return focusFirstError();
    const params: Record<string, string | number> = {};
    for (const k of [
      'prompt',
      'negative_prompt',
      'model',
      'quality',
      'aspect_ratio',
      'motion_mode',
      'style',
      'image_url',
      'video_url',
    ])
      if (form[k]?.trim()) params[k] = form[k].trim();
    if (form.duration) params.duration = Number(form.duration);
    if (form.seed) params.seed = Number(form.seed);
    const body: CreateJobBody = {
      operation_type: op,
      params,
      priority: Number(form.priority || 5),
      name: form.name?.trim() || null,
      ...(form.callback_url?.trim() ? { callback_url: form.callback_url.trim() } : {}),
    } as CreateJobBody;
    setBusy(true);
    const { data, error, response } = await api.POST('/api/v1/jobs', { body });
    setBusy(false);
    if (error || !data) {
      const p = problemOf(error, response);
      setProblem(p);
      setErrors(p.fields);
      return focusFirstError();
    }
    go(`jobs/${data.id}`);
  };

  const input = (
    key: string,
    label: string,
    props: React.InputHTMLAttributes<HTMLInputElement> = {},
    apiKey = `params.${key}`,
  ) => (
    <Field label={label} id={`f-${key}`} error={errors[apiKey]} hint={props.title}>
      <input
        id={`f-${key}`}
        value={form[key] ?? ''}
        onChange={set(key)}
        aria-invalid={Boolean(errors[apiKey])}
        aria-describedby={errors[apiKey] ? `f-${key}-error` : undefined}
        {...props}
      />
    </Field>
  );
  const select = (key: string, label: string, options: (string | number)[], apiKey = `params.${key}`) => (
    <Field label={label} id={`f-${key}`} error={errors[apiKey]}>
      <select id={`f-${key}`} value={form[key] ?? ''} onChange={set(key)} aria-invalid={Boolean(errors[apiKey])}>
        <option value="">(provider default)</option>
        {options.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    </Field>
  );

  return (
    <>
      <h1>Submit a job</h1>
      <ProblemLine problem={problem} />
      <form className="submit" onSubmit={submit} noValidate aria-label="New job">
        <Field label="Operation" id="f-op" error={errors.operation_type}>
          <select id="f-op" value={op} onChange={(e) => setOp(e.target.value as OperationType)}>
            {OPERATIONS.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </Field>
        <Field label="Prompt" id="f-prompt" error={errors['params.prompt']}>
          <textarea
            id="f-prompt"
            rows={3}
            maxLength={10000}
            value={form.prompt ?? ''}
            onChange={set('prompt')}
            aria-invalid={Boolean(errors['params.prompt'])}
            aria-describedby={errors['params.prompt'] ? 'f-prompt-error' : undefined}
          />
        </Field>
        <div className="row">
          {select('model', 'Model', MODELS)}
          {select('quality', 'Quality', QUALITIES)}
          {select('duration', 'Duration (s)', DURATIONS)}
          {select('aspect_ratio', 'Aspect ratio', ASPECTS)}
          {select('motion_mode', 'Motion', MOTION)}
        </div>
        {(op === 'image_to_video' || op === 'fusion' || op === 'video_transition') &&
          input('image_url', 'Image URL', { type: 'url', placeholder: 'https://…' })}
        {(op === 'video_extend' || op === 'video_transition') &&
          input('video_url', 'Video URL', { type: 'url', placeholder: 'https://…' })}
        <details>
          <summary>More settings</summary>
          {input('negative_prompt', 'Negative prompt')}
          <div className="row">
            {input('seed', 'Seed', { inputMode: 'numeric' })}
            {input('style', 'Style')}
            {input('priority', 'Priority (0–10)', { inputMode: 'numeric' }, 'priority')}
          </div>
          {input('name', 'Name', {}, 'name')}
          {input(
            'callback_url',
            'Callback URL',
            { type: 'url', title: 'the final view is POSTed here' },
            'callback_url',
          )}
        </details>
        <button type="submit" disabled={busy}>
          Submit job
        </button>
      </form>
    </>
  );
}

function focusFirstError() {
  requestAnimationFrame(() => (document.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus());
}
