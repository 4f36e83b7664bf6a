import type { ReactNode } from 'react';
import type { ApiProblem, JobStatus } from './api/client';

export function ProblemLine({ problem }: { problem: ApiProblem | undefined }) {
  if (!problem) return null;
  return (
    <p className="problem" role="alert">
      <strong>{problem.code}</strong> {problem.message}
    </p>
  );
}

export function StatusBadge({ status }: { status: JobStatus | string }) {
  return <span className={`badge status-${status.toLowerCase()}`}>{status}</span>;
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** A labelled form field: the label names the control, the API's error for it is read out with it. */
export function Field(props: { label: string; id: string; error?: string; hint?: string; children: ReactNode }) {
  return (
    <div className={`field${props.error ? ' has-error' : ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.hint && !props.error && (
        <small className="hint" id={`${props.id}-hint`}>
          {props.hint}
        </small>
      )}
      {props.error && (
        <small className="error" id={`${props.id}-error`} role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}

export async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false; // no clipboard (plain http, not localhost): the text is on screen to select
  }
}
