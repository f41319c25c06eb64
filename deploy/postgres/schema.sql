-- MCP Cluster schema for Cluster:Mode=Postgres: silo membership, grain state, reminders and the data-access audit log.
--
-- Idempotent: every statement creates only what is missing or replaces a stored query with its current text, so
-- running this file again (after an upgrade, or by two operators at once) is safe. Apply it with
-- deploy/postgres/apply.sh or `psql -v ON_ERROR_STOP=1 -f schema.sql`; silos refuse to start until it has been applied.
--
-- Orleans' ADO.NET providers read their SQL from a table named OrleansQuery (QueryKey, QueryText) and run it with
-- named parameters (@DeploymentId, @GrainIdHash, ...). The tables those queries use are ours; only the query keys,
-- parameter names and result column names are Orleans' contract. Parameters are cast explicitly because Orleans
-- sends NULL for some of them (a grain's first write has no version) and PostgreSQL cannot infer a NULL's type.

SET client_min_messages = warning;

BEGIN;

-- Serializes concurrent runs of this script; released at COMMIT.
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7212026); END $$;

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) PRIMARY KEY,
    querytext text NOT NULL
);

CREATE TABLE IF NOT EXISTS mcp_schema
(
    component  text PRIMARY KEY,
    version    integer NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

------------------------------------------------------------------------------------------------------------------------
-- Membership: one version row per cluster (Orleans' optimistic-concurrency "table version") and one row per silo
-- incarnation (address, port, generation).

CREATE TABLE IF NOT EXISTS mcp_cluster_version
(
    deployment_id varchar(150) PRIMARY KEY,
    version       integer NOT NULL DEFAULT 0,
    changed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS mcp_cluster_member
(
    deployment_id   varchar(150) NOT NULL REFERENCES mcp_cluster_version (deployment_id) ON DELETE CASCADE,
    address         varchar(45)  NOT NULL,
    port            integer      NOT NULL,
    generation      integer      NOT NULL,
    silo_name       varchar(150) NOT NULL,
    host_name       varchar(150) NOT NULL,
    status          integer      NOT NULL,
    proxy_port      integer,
    suspect_times   text,
    start_time      timestamptz  NOT NULL,
    i_am_alive_time timestamptz  NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

------------------------------------------------------------------------------------------------------------------------
-- Grain state: one row per (service, grain type, grain id). The two hashes make the lookup index narrow; the exact
-- identity columns rule out hash collisions. A NULL key extension is a value of its own (NULLS NOT DISTINCT).

CREATE TABLE IF NOT EXISTS mcp_grain_state
(
    service_id      varchar(150) NOT NULL,
    grain_type      varchar(512) NOT NULL,
    grain_type_hash integer      NOT NULL,
    grain_id_hash   integer      NOT NULL,
    grain_id_n0     bigint       NOT NULL,
    grain_id_n1     bigint       NOT NULL,
    grain_id_ext    varchar(512),
    payload         bytea,
    version         integer      NOT NULL,
    modified_at     timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT mcp_grain_state_identity UNIQUE NULLS NOT DISTINCT
        (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type, grain_id_ext)
);

------------------------------------------------------------------------------------------------------------------------
-- Reminders: one row per (service, grain, reminder name); grain_hash places the row on the silo owning that range.

CREATE TABLE IF NOT EXISTS mcp_reminder
(
    service_id    varchar(150) NOT NULL,
    grain_id      varchar(512) NOT NULL,
    reminder_name varchar(150) NOT NULL,
    start_time    timestamptz  NOT NULL,
    period_ms     bigint       NOT NULL,
    grain_hash    integer      NOT NULL,
    version       integer      NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS mcp_reminder_by_hash ON mcp_reminder (service_id, grain_hash);

------------------------------------------------------------------------------------------------------------------------
-- Data-access audit: one row per read of a data source, allowed or not. Rows are only ever inserted; admins read
-- them newest first (GET /api/audit), optionally by source or key.

CREATE TABLE IF NOT EXISTS mcp_data_audit
(
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz      NOT NULL,
    key_id      text             NOT NULL,
    owner       text             NOT NULL,
    model_id    text,
    source      text             NOT NULL,
    table_name  text,
    fields      jsonb            NOT NULL,
    operation   text             NOT NULL,
    decision    text             NOT NULL,
    reason      text,
    row_count   integer          NOT NULL,
    latency_ms  double precision NOT NULL,
    cached      boolean          NOT NULL,
    statement   text
);

CREATE INDEX IF NOT EXISTS mcp_data_audit_by_source ON mcp_data_audit (source, id);
CREATE INDEX IF NOT EXISTS mcp_data_audit_by_key ON mcp_data_audit (key_id, id);
CREATE INDEX IF NOT EXISTS mcp_data_audit_by_time ON mcp_data_audit (occurred_at);

------------------------------------------------------------------------------------------------------------------------
-- The queries Orleans runs, by key.

CREATE TEMP TABLE mcp_queries (querykey varchar(64) PRIMARY KEY, querytext text NOT NULL) ON COMMIT DROP;

INSERT INTO mcp_queries (querykey, querytext) VALUES

-- Membership ---------------------------------------------------------------------------------------------------------

('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO mcp_cluster_version (deployment_id) VALUES (@DeploymentId::varchar)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM created)
$q$),

-- A silo joins only if the cluster version is still the one it read; the version row is locked first so two silos
-- joining at once cannot both succeed against the same version.
('InsertMembershipKey', $q$
WITH expected AS (
    SELECT deployment_id FROM mcp_cluster_version
    WHERE deployment_id = @DeploymentId::varchar AND version = @Version::integer
    FOR UPDATE),
joined AS (
    INSERT INTO mcp_cluster_member
        (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
    SELECT deployment_id, @Address::varchar, @Port::integer, @Generation::integer, @SiloName::varchar, @HostName::varchar,
           @Status::integer, @ProxyPort::integer, @StartTime::timestamptz, @IAmAliveTime::timestamptz
    FROM expected
    ON CONFLICT (deployment_id, address, port, generation) DO NOTHING
    RETURNING 1),
bumped AS (
    UPDATE mcp_cluster_version SET version = version + 1, changed_at = now()
    WHERE deployment_id = @DeploymentId::varchar AND EXISTS (SELECT 1 FROM joined)
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM bumped)
$q$),

('UpdateMembershipKey', $q$
WITH expected AS (
    SELECT deployment_id FROM mcp_cluster_version
    WHERE deployment_id = @DeploymentId::varchar AND version = @Version::integer
    FOR UPDATE),
changed AS (
    UPDATE mcp_cluster_member m
    SET status = @Status::integer, suspect_times = @SuspectTimes::text, i_am_alive_time = @IAmAliveTime::timestamptz
    FROM expected
    WHERE m.deployment_id = expected.deployment_id
      AND m.address = @Address::varchar AND m.port = @Port::integer AND m.generation = @Generation::integer
    RETURNING 1),
bumped AS (
    UPDATE mcp_cluster_version SET version = version + 1, changed_at = now()
    WHERE deployment_id = @DeploymentId::varchar AND EXISTS (SELECT 1 FROM changed)
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM bumped)
$q$),

-- Heartbeats do not change the table version (Orleans reads them as hints, not as membership changes).
('UpdateIAmAlivetimeKey', $q$
UPDATE mcp_cluster_member SET i_am_alive_time = @IAmAliveTime::timestamptz
WHERE deployment_id = @DeploymentId::varchar
  AND address = @Address::varchar AND port = @Port::integer AND generation = @Generation::integer
$q$),

-- The version row comes back even when no silo matches (Orleans needs the version either way).
('MembershipReadRowKey', $q$
SELECT v.version AS "Version", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
FROM mcp_cluster_version v
LEFT JOIN mcp_cluster_member m
       ON m.deployment_id = v.deployment_id
      AND m.address = @Address::varchar AND m.port = @Port::integer AND m.generation = @Generation::integer
WHERE v.deployment_id = @DeploymentId::varchar
$q$),

('MembershipReadAllKey', $q$
SELECT v.version AS "Version", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
FROM mcp_cluster_version v
LEFT JOIN mcp_cluster_member m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId::varchar
$q$),

('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM mcp_cluster_member
WHERE deployment_id = @DeploymentId::varchar AND status = @Status::integer AND proxy_port > 0
$q$),

('DeleteMembershipTableEntriesKey', $q$
DELETE FROM mcp_cluster_version WHERE deployment_id = @DeploymentId::varchar
$q$),

-- Only rows of silos that are Dead (status 6) and silent since the cutoff; a live or joining silo is never removed.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM mcp_cluster_member
WHERE deployment_id = @DeploymentId::varchar AND status = 6 AND i_am_alive_time < @IAmAliveTime::timestamptz
$q$),

-- Grain state --------------------------------------------------------------------------------------------------------

('ReadFromStorageKey', $q$
SELECT payload AS "PayloadBinary", version AS "Version"
FROM mcp_grain_state
WHERE grain_id_hash = @GrainIdHash::integer AND grain_type_hash = @GrainTypeHash::integer
  AND service_id = @ServiceId::varchar AND grain_type = @GrainTypeString::varchar
  AND grain_id_n0 = @GrainIdN0::bigint AND grain_id_n1 = @GrainIdN1::bigint
  AND grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString::varchar
$q$),

-- Always one row: the new version, or NULL when the grain's version is stale (another activation wrote first),
-- which Orleans turns into an InconsistentStateException.
('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE mcp_grain_state SET payload = @PayloadBinary::bytea, version = version + 1, modified_at = now()
    WHERE @GrainStateVersion::integer IS NOT NULL
      AND grain_id_hash = @GrainIdHash::integer AND grain_type_hash = @GrainTypeHash::integer
      AND service_id = @ServiceId::varchar AND grain_type = @GrainTypeString::varchar
      AND grain_id_n0 = @GrainIdN0::bigint AND grain_id_n1 = @GrainIdN1::bigint
      AND grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString::varchar
      AND version = @GrainStateVersion::integer
    RETURNING version),
inserted AS (
    INSERT INTO mcp_grain_state
        (service_id, grain_type, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_ext, payload, version)
    SELECT @ServiceId::varchar, @GrainTypeString::varchar, @GrainTypeHash::integer, @GrainIdHash::integer,
           @GrainIdN0::bigint, @GrainIdN1::bigint, @GrainIdExtensionString::varchar, @PayloadBinary::bytea, 1
    WHERE @GrainStateVersion::integer IS NULL
    ON CONFLICT ON CONSTRAINT mcp_grain_state_identity DO NOTHING
    RETURNING version)
SELECT (SELECT version FROM updated UNION ALL SELECT version FROM inserted LIMIT 1) AS "NewGrainStateVersion"
$q$),

-- Clearing keeps the row (and bumps its version) so a stale activation still conflicts afterwards.
('ClearStorageKey', $q$
WITH cleared AS (
    UPDATE mcp_grain_state SET payload = NULL, version = version + 1, modified_at = now()
    WHERE grain_id_hash = @GrainIdHash::integer AND grain_type_hash = @GrainTypeHash::integer
      AND service_id = @ServiceId::varchar AND grain_type = @GrainTypeString::varchar
      AND grain_id_n0 = @GrainIdN0::bigint AND grain_id_n1 = @GrainIdN1::bigint
      AND grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString::varchar
      AND version = @GrainStateVersion::integer
    RETURNING version)
SELECT (SELECT version FROM cleared) AS "NewGrainStateVersion"
$q$),

('DeleteStorageKey', $q$
WITH deleted AS (
    DELETE FROM mcp_grain_state
    WHERE grain_id_hash = @GrainIdHash::integer AND grain_type_hash = @GrainTypeHash::integer
      AND service_id = @ServiceId::varchar AND grain_type = @GrainTypeString::varchar
      AND grain_id_n0 = @GrainIdN0::bigint AND grain_id_n1 = @GrainIdN1::bigint
      AND grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString::varchar
      AND version = @GrainStateVersion::integer
    RETURNING version + 1 AS version)
SELECT (SELECT version FROM deleted) AS "NewGrainStateVersion"
$q$),

-- Reminders ----------------------------------------------------------------------------------------------------------

('ReadReminderRowsKey', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period",
       version AS "Version"
FROM mcp_reminder
WHERE service_id = @ServiceId::varchar AND grain_id = @GrainId::varchar
$q$),

('ReadReminderRowKey', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period",
       version AS "Version"
FROM mcp_reminder
WHERE service_id = @ServiceId::varchar AND grain_id = @GrainId::varchar AND reminder_name = @ReminderName::varchar
$q$),

-- A silo's range of the hash ring: (begin, end] when it does not wrap around ...
('ReadRangeRows1Key', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period",
       version AS "Version"
FROM mcp_reminder
WHERE service_id = @ServiceId::varchar AND grain_hash > @BeginHash::integer AND grain_hash <= @EndHash::integer
$q$),

-- ... and (begin, max] plus [min, end] when it does.
('ReadRangeRows2Key', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period",
       version AS "Version"
FROM mcp_reminder
WHERE service_id = @ServiceId::varchar AND (grain_hash > @BeginHash::integer OR grain_hash <= @EndHash::integer)
$q$),

('UpsertReminderRowKey', $q$
INSERT INTO mcp_reminder (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
VALUES (@ServiceId::varchar, @GrainId::varchar, @ReminderName::varchar, @StartTime::timestamptz, @Period::bigint,
        @GrainHash::integer, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET start_time = EXCLUDED.start_time, period_ms = EXCLUDED.period_ms, grain_hash = EXCLUDED.grain_hash,
    version = mcp_reminder.version + 1
RETURNING version AS "Version"
$q$),

('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM mcp_reminder
    WHERE service_id = @ServiceId::varchar AND grain_id = @GrainId::varchar AND reminder_name = @ReminderName::varchar
      AND version = @Version::integer
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM deleted)
$q$),

('DeleteReminderRowsKey', $q$
DELETE FROM mcp_reminder WHERE service_id = @ServiceId::varchar
$q$);

INSERT INTO orleansquery (querykey, querytext)
SELECT querykey, querytext FROM mcp_queries
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;

INSERT INTO mcp_schema (component, version) VALUES ('orleans', 2)
ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version, applied_at = now();

COMMIT;
