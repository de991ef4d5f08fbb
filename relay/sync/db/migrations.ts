import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'

// Versioned migrations, in code so that they travel inside the bundle (no folder to scan), applied
// at start by Kysely's Migrator: it takes a Postgres advisory lock, so instances starting together
// apply each migration once. Names sort in the order they run. SQL that Postgres 15 runs (the
// oldest server the tests use); PGlite is newer. The schema is documented in docs/sync-schema.md.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the database as it is, untyped.
type AnyDb = Kysely<any>

const MIGRATIONS: Record<string, Migration> = {
  '0001_sync': {
    async up(db: AnyDb) {
      for (const statement of SCHEMA_0001) await sql.raw(statement).execute(db)
    },
  },
  '0002_events': {
    async up(db: AnyDb) {
      for (const statement of SCHEMA_0002) await sql.raw(statement).execute(db)
    },
  },
}

const SCHEMA_0001 = [
  // The token vault: one row per connected person, tokens sealed (never in clear).
  `create table withings_connection (
    userid bigint primary key,
    scope text not null,
    sealed_tokens text not null,
    status text not null default 'active' check (status in ('active', 'needs_reauth')),
    refresh_lease_until timestamptz,
    refresh_lease_by text,
    connected_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  // How far each source of each person is synced.
  `create table sync_source (
    userid bigint not null,
    source text not null,
    state text not null default 'pending' check (state in ('pending', 'importing', 'done', 'failed')),
    synced_until bigint,
    cursor jsonb,
    error text,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    updated_at timestamptz not null default now(),
    primary key (userid, source)
  )`,
  `create table job (
    id bigserial primary key,
    queue text not null,
    payload jsonb not null default '{}'::jsonb,
    dedupe_key text,
    state text not null default 'ready' check (state in ('ready', 'running', 'done', 'failed')),
    attempts integer not null default 0,
    max_attempts integer not null default 10,
    run_at timestamptz not null default now(),
    locked_by text,
    locked_until timestamptz,
    last_error text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index job_ready on job (run_at, id) where state = 'ready'`,
  `create index job_running on job (locked_until) where state = 'running'`,
  `create unique index job_dedupe on job (queue, dedupe_key)
    where dedupe_key is not null and state = 'ready'`,
  `create table measure (
    grpid bigint not null,
    type integer not null,
    seq integer not null,
    userid bigint not null,
    type_name text,
    unit text,
    value double precision not null,
    raw_value bigint not null,
    raw_unit integer not null,
    position integer,
    measured_at timestamptz not null,
    attrib integer not null,
    attribution text not null,
    is_own boolean not null,
    category integer not null,
    deviceid text,
    hash_deviceid text,
    model text,
    modelid integer,
    timezone text,
    comment text,
    created_at timestamptz,
    modified_at timestamptz,
    primary key (grpid, type, seq)
  )`,
  `create index measure_by_person on measure (userid, type, measured_at)`,
  `create table activity_day (
    userid bigint not null,
    date date not null,
    timezone text,
    deviceid text,
    hash_deviceid text,
    brand integer,
    is_tracker boolean,
    model text,
    modelid integer,
    steps double precision,
    distance double precision,
    elevation double precision,
    soft double precision,
    moderate double precision,
    intense double precision,
    active double precision,
    calories double precision,
    totalcalories double precision,
    hr_average double precision,
    hr_min double precision,
    hr_max double precision,
    hr_zone_0 double precision,
    hr_zone_1 double precision,
    hr_zone_2 double precision,
    hr_zone_3 double precision,
    modified_at timestamptz,
    raw jsonb not null,
    primary key (userid, date)
  )`,
  `create table workout (
    id bigint primary key,
    userid bigint not null,
    category integer not null,
    attrib integer,
    startdate timestamptz not null,
    enddate timestamptz not null,
    date date,
    timezone text,
    model integer,
    deviceid text,
    calories double precision,
    steps double precision,
    distance double precision,
    elevation double precision,
    hr_average double precision,
    hr_min double precision,
    hr_max double precision,
    modified_at timestamptz,
    data jsonb not null,
    raw jsonb not null
  )`,
  `create index workout_by_person on workout (userid, startdate)`,
  `create table sleep_summary (
    id bigint primary key,
    userid bigint not null,
    date date not null,
    startdate timestamptz not null,
    enddate timestamptz not null,
    timezone text,
    model integer,
    model_id integer,
    hash_deviceid text,
    starts_after_midday boolean not null,
    is_nap boolean not null default false,
    total_timeinbed double precision,
    total_sleep_time double precision,
    lightsleepduration double precision,
    deepsleepduration double precision,
    remsleepduration double precision,
    sleep_efficiency double precision,
    sleep_score double precision,
    hr_average double precision,
    rr_average double precision,
    wakeupcount double precision,
    created_at timestamptz,
    modified_at timestamptz,
    data jsonb not null,
    raw jsonb not null
  )`,
  `create index sleep_summary_by_person on sleep_summary (userid, date)`,
  `create table sleep_segment (
    userid bigint not null,
    startdate timestamptz not null,
    enddate timestamptz not null,
    state integer not null,
    model text,
    model_id integer,
    signals jsonb,
    primary key (userid, startdate)
  )`,
  `create table intraday_activity (
    userid bigint not null,
    at timestamptz not null,
    steps double precision,
    elevation double precision,
    calories double precision,
    distance double precision,
    duration double precision,
    heart_rate double precision,
    spo2_auto double precision,
    deviceid text,
    model text,
    model_id integer,
    raw jsonb not null,
    primary key (userid, at)
  )`,
  `create table heart_record (
    signalid bigint primary key,
    userid bigint not null,
    at timestamptz not null,
    deviceid text,
    model integer,
    afib integer,
    diastole double precision,
    systole double precision,
    heart_rate double precision,
    timezone text,
    modified_at timestamptz,
    raw jsonb not null
  )`,
  `create index heart_record_by_person on heart_record (userid, at)`,
  `create table device (
    userid bigint not null,
    deviceid text not null,
    hash_deviceid text,
    type text,
    model text,
    model_id integer,
    battery text,
    timezone text,
    first_session_date timestamptz,
    last_session_date timestamptz,
    raw jsonb not null,
    primary key (userid, deviceid)
  )`,
  `create table bed_event (
    userid bigint not null,
    appli integer not null,
    kind text not null,
    at timestamptz not null,
    deviceid text,
    received_at timestamptz not null default now(),
    primary key (userid, appli, at)
  )`,
]

const SCHEMA_0002 = [
  // The outbox: each stored change, written in the transaction that stored it, then delivered
  // (webhooks, onEvent) by jobs written in that same transaction.
  `create table sync_event (
    id bigserial primary key,
    webhook_id text not null unique default 'msg_' || replace(gen_random_uuid()::text, '-', ''),
    type text not null,
    userid bigint not null,
    data jsonb not null,
    dedupe_key text unique,
    created_at timestamptz not null default now()
  )`,
  `create index sync_event_created on sync_event (created_at)`,
]

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS }

/** Applies every migration not applied yet; throws the first failure. */
export async function migrate(db: AnyDb): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateToLatest()
  if (error) throw error instanceof Error ? error : new Error(String(error))
}
