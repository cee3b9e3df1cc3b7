-- Accounts, submissions awaiting review, and the audit log.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'provider')),
    provider      TEXT REFERENCES providers(id),
    password_hash TEXT,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    CHECK ((role = 'provider') = (provider IS NOT NULL))
) STRICT;

-- What a provider proposes: a new offering, or an edit of one (the published version stays
-- visible until an administrator approves). The idempotency key makes a resubmitted form one
-- submission, not two.
CREATE TABLE submissions (
    id              INTEGER PRIMARY KEY,
    offering_id     TEXT NOT NULL,
    provider        TEXT NOT NULL REFERENCES providers(id),
    payload         TEXT NOT NULL, -- the offering, JSON in the bundle format
    kind            TEXT NOT NULL CHECK (kind IN ('new', 'edit')),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'returned')),
    reason          TEXT,
    submitted_by    INTEGER REFERENCES users(id),
    submitted_at    TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      TEXT,
    idempotency_key TEXT UNIQUE
) STRICT;
CREATE INDEX submissions_by_status ON submissions(status, id);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT
) STRICT;
