-- The catalog: frameworks and competencies, providers, offerings and their links.

CREATE TABLE frameworks (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    publisher TEXT,
    url       TEXT,
    position  INTEGER NOT NULL
) STRICT;

CREATE TABLE competencies (
    framework   TEXT NOT NULL REFERENCES frameworks(id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    parent_code TEXT,
    title       TEXT NOT NULL,
    description TEXT,
    position    INTEGER NOT NULL,
    PRIMARY KEY (framework, code)
) STRICT;

CREATE TABLE providers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    description TEXT,
    website     TEXT,
    email       TEXT,
    region      TEXT,
    country     TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

-- One row per catalog: every write to an offering takes the next value, in the same transaction,
-- so the search index can catch up on exactly what changed.
CREATE TABLE catalog_revision (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
) STRICT;
INSERT INTO catalog_revision (id, value) VALUES (1, 0);

CREATE TABLE offerings (
    id                    TEXT PRIMARY KEY,
    provider              TEXT NOT NULL REFERENCES providers(id),
    title                 TEXT NOT NULL,
    description           TEXT NOT NULL,
    format                TEXT NOT NULL,
    level                 TEXT NOT NULL,
    start                 TEXT,
    "end"                 TEXT,
    timezone              TEXT,
    registration_deadline TEXT,
    venue                 TEXT,
    city                  TEXT,
    region                TEXT,
    country               TEXT,
    cost_amount           REAL,
    cost_currency         TEXT,
    credits_amount        REAL,
    credits_unit          TEXT,
    learning_outcomes     TEXT NOT NULL DEFAULT '[]', -- JSON array of strings, in order
    instructors           TEXT NOT NULL DEFAULT '[]', -- JSON array of strings, in order
    url                   TEXT,
    language              TEXT,
    series_id             TEXT,
    series_title          TEXT,
    series_position       INTEGER,
    accessibility         TEXT,
    -- Instants (Unix seconds, UTC) derived from start and end, for sorting and filtering.
    starts_at             INTEGER,
    ends_at               INTEGER,
    status                TEXT NOT NULL CHECK (status IN ('pending', 'published', 'rejected', 'withdrawn')),
    revision              INTEGER NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
) STRICT;
CREATE INDEX offerings_revision ON offerings(revision);
CREATE INDEX offerings_provider ON offerings(provider);
CREATE INDEX offerings_series ON offerings(series_id, series_position);

CREATE TABLE offering_audiences (
    offering_id TEXT NOT NULL REFERENCES offerings(id) ON DELETE CASCADE,
    audience    TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (offering_id, audience)
) STRICT;

CREATE TABLE offering_competencies (
    offering_id TEXT NOT NULL REFERENCES offerings(id) ON DELETE CASCADE,
    framework   TEXT NOT NULL,
    code        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (offering_id, framework, code),
    FOREIGN KEY (framework, code) REFERENCES competencies(framework, code)
) STRICT;
CREATE INDEX offering_competencies_by_competency ON offering_competencies(framework, code);

-- Deferred: a bundle may name a prerequisite that arrives later in the same transaction.
CREATE TABLE offering_prerequisites (
    offering_id     TEXT NOT NULL REFERENCES offerings(id) ON DELETE CASCADE,
    prerequisite_id TEXT NOT NULL REFERENCES offerings(id) DEFERRABLE INITIALLY DEFERRED,
    position        INTEGER NOT NULL,
    PRIMARY KEY (offering_id, prerequisite_id)
) STRICT;

CREATE TABLE offering_certifications (
    offering_id   TEXT NOT NULL REFERENCES offerings(id) ON DELETE CASCADE,
    certification TEXT NOT NULL,
    position      INTEGER NOT NULL,
    PRIMARY KEY (offering_id, certification)
) STRICT;
