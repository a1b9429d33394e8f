import type { Database } from './database.ts'

// Forward-only SQL migrations, shared by PostgreSQL and PGlite. Each runs once; all in one transaction.
// Kept as strings so the same code loads on Node, Deno and in the bundled image.
export const MIGRATIONS: { id: string; sql: string }[] = [
  {
    id: '001_initial',
    sql: `
CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL UNIQUE,
  password_hash text,
  source text NOT NULL DEFAULT 'local',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recordings (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  status text NOT NULL CHECK (status IN ('queued','transcribing','summarizing','done','failed')),
  reason text,
  template text NOT NULL,
  language text NOT NULL,
  patient_ref text,
  filename text,
  media_type text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL,
  audio_path text NOT NULL,
  idempotency_key text,
  note_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, idempotency_key)
);
CREATE INDEX recordings_user_created ON recordings (user_id, created_at DESC);

CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  recording_id uuid NOT NULL UNIQUE REFERENCES recordings(id),
  state text NOT NULL CHECK (state IN ('pending','done','failed')),
  stage text NOT NULL CHECK (stage IN ('transcribe','summarize')),
  attempts integer NOT NULL DEFAULT 0,
  permanent_failures integer NOT NULL DEFAULT 0,
  run_at timestamptz NOT NULL DEFAULT now(),
  lease_owner text,
  lease_until timestamptz,
  last_error text,
  transcript jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_claimable ON jobs (run_at) WHERE state = 'pending';

CREATE TABLE notes (
  id uuid PRIMARY KEY,
  recording_id uuid NOT NULL UNIQUE REFERENCES recordings(id),
  user_id uuid NOT NULL REFERENCES users(id),
  version integer NOT NULL,
  status text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notes_user_created ON notes (user_id, created_at DESC, id DESC);

CREATE TABLE note_versions (
  note_id uuid NOT NULL REFERENCES notes(id),
  version integer NOT NULL,
  content jsonb NOT NULL,
  json_path text NOT NULL,
  markdown_path text NOT NULL,
  sha256 text NOT NULL,
  edited_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (note_id, version)
);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  user_id uuid,
  action text NOT NULL,
  note_id uuid,
  recording_id uuid,
  ip text,
  user_agent text,
  request_id text,
  detail jsonb
);
CREATE INDEX audit_log_note ON audit_log (note_id, at);
`,
  },
  {
    // Workers say they are alive; a job leased by a worker that stopped saying so is released
    // at once instead of after its lease (jobs.lease_worker names the worker holding it).
    id: '002_workers',
    sql: `
CREATE TABLE workers (
  id text PRIMARY KEY,
  instance text NOT NULL,
  host text,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE jobs ADD COLUMN lease_worker text;
CREATE INDEX jobs_lease_worker ON jobs (lease_worker) WHERE state = 'pending';
`,
  },
  {
    // Who may see the operator's Status screen. Read from this row on every admin request (never
    // from the token), so a revocation takes effect at once; Supabase users get theirs here too.
    id: '003_user_roles',
    sql: `
ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'clinician'
  CHECK (role IN ('clinician','admin'));
`,
  },
]

export async function migrate(db: Database): Promise<string[]> {
  // Several replicas may start at once: the advisory lock serialises them, from the creation of
  // the bookkeeping table on.
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(726354)')
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())'
    )
    const done = new Set(
      (await tx.query<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id)
    )
    const applied: string[] = []
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue
      await tx.query(m.sql)
      await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [m.id])
      applied.push(m.id)
    }
    return applied
  })
}
