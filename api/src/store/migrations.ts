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
  {
    // Note templates as data: versions (an edit is a new version; a recording and its note keep
    // theirs), personal or clinic-wide, and the built-in ones as seed rows
    // (api/src/templates/builtin.ts holds the same values, tests/unit/templates.store.test.ts
    // compares them). Independent of 003_user_roles: who may manage clinic templates is decided
    // in code (api/src/templates/policy.ts), not by a column here.
    id: '004_templates',
    sql: `
CREATE TABLE note_templates (
  id uuid PRIMARY KEY,
  slug text UNIQUE,
  scope text NOT NULL CHECK (scope IN ('builtin','clinic','personal')),
  owner_id uuid REFERENCES users(id),
  current_version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((scope = 'personal') = (owner_id IS NOT NULL))
);
CREATE INDEX note_templates_owner ON note_templates (owner_id);

CREATE TABLE note_template_versions (
  template_id uuid NOT NULL REFERENCES note_templates(id),
  version integer NOT NULL,
  name text NOT NULL,
  instruction text NOT NULL,
  sections jsonb NOT NULL,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (template_id, version)
);

INSERT INTO note_templates (id, slug, scope) VALUES
  ('00000000-0000-4000-8000-00000000050a', 'soap', 'builtin'),
  ('00000000-0000-4000-8000-00000000050b', 'soap-brief', 'builtin'),
  ('00000000-0000-4000-8000-00000000050c', 'follow-up', 'builtin');
INSERT INTO note_template_versions (template_id, version, name, instruction, sections) VALUES
  ('00000000-0000-4000-8000-00000000050a', 1, 'SOAP', 'a complete SOAP note.',
   '[{"key":"subjective","title":"Subjective","instruction":"what the patient reports (complaints, history, symptoms, medications taken, concerns).","max_items":null},{"key":"objective","title":"Objective","instruction":"what was measured or observed (vital signs, examination findings, test results).","max_items":null},{"key":"assessment","title":"Assessment","instruction":"the clinician''s impressions or diagnoses as stated in the consultation.","max_items":null},{"key":"plan","title":"Plan","instruction":"prescriptions, tests, referrals, advice given and follow-up.","max_items":null}]'::jsonb),
  ('00000000-0000-4000-8000-00000000050b', 1, 'SOAP, brief', 'a brief SOAP note, at most three items per section, keeping only what matters most clinically.',
   '[{"key":"subjective","title":"Subjective","instruction":"what the patient reports (complaints, history, symptoms, medications taken, concerns).","max_items":3},{"key":"objective","title":"Objective","instruction":"what was measured or observed (vital signs, examination findings, test results).","max_items":3},{"key":"assessment","title":"Assessment","instruction":"the clinician''s impressions or diagnoses as stated in the consultation.","max_items":3},{"key":"plan","title":"Plan","instruction":"prescriptions, tests, referrals, advice given and follow-up.","max_items":3}]'::jsonb),
  ('00000000-0000-4000-8000-00000000050c', 1, 'Follow-up', 'a follow-up visit. Focus on changes since the last visit, response to treatment, and the next steps.',
   '[{"key":"subjective","title":"Subjective","instruction":"what the patient reports (complaints, history, symptoms, medications taken, concerns).","max_items":null},{"key":"objective","title":"Objective","instruction":"what was measured or observed (vital signs, examination findings, test results).","max_items":null},{"key":"assessment","title":"Assessment","instruction":"the clinician''s impressions or diagnoses as stated in the consultation.","max_items":null},{"key":"plan","title":"Plan","instruction":"prescriptions, tests, referrals, advice given and follow-up.","max_items":null}]'::jsonb);

-- A recording names the template version its note is written with (resolved at upload), and
-- the clinician's extra instruction for the writer (prompt_instruction of the older contract).
ALTER TABLE recordings ADD COLUMN template_id uuid REFERENCES note_templates(id);
ALTER TABLE recordings ADD COLUMN template_version integer;
ALTER TABLE recordings ADD COLUMN instruction text;
UPDATE recordings r SET template_id = t.id, template_version = 1
  FROM note_templates t WHERE t.slug = r.template;
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
