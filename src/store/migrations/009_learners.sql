-- step: 009_learners.sql
-- Learners (#16): accounts with the role `learner`, their records, and certification rules.
--
-- SQLite cannot change a CHECK constraint in place, so `users` is rebuilt with `learner` allowed,
-- as SQLite's "other kinds of table schema changes" has it: `Store::open` runs the migrations
-- with foreign keys off, and this step (marked above, see `REBUILDS`) is checked with
-- `PRAGMA foreign_key_check` before it commits. The copy keeps every id, so sessions and
-- submissions still point at the same accounts.
CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'provider', 'learner')),
    provider      TEXT REFERENCES providers(id),
    password_hash TEXT,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    CHECK ((role = 'provider') = (provider IS NOT NULL))
) STRICT;
INSERT INTO users_new SELECT id, email, role, provider, password_hash, active, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- Certifications and their rules, as the bundle's certifications.json has them: the body is
-- the certification's JSON in the bundle format (it is read and written whole, so a round trip
-- is exact); its id is the code offerings name in `certifications`.
CREATE TABLE certifications (
    id       TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    body     TEXT NOT NULL
) STRICT;

-- Offerings a learner saved to their plan.
CREATE TABLE learner_plans (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    offering_id TEXT NOT NULL REFERENCES offerings(id),
    added_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, offering_id)
) STRICT;
CREATE INDEX learner_plans_offering ON learner_plans(offering_id);

-- CE a learner completed: an offering of the catalog (offering_id) or one entered by hand
-- (offering_id NULL, title and provider typed). Credits as earned; competencies (JSON array of
-- FRAMEWORK:CODE) only for CE entered by hand: a catalog offering's come from the catalog.
CREATE TABLE learner_completions (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    offering_id    TEXT REFERENCES offerings(id),
    title          TEXT NOT NULL,
    provider       TEXT NOT NULL,
    completed_on   TEXT NOT NULL,   -- YYYY-MM-DD
    credits_amount REAL,
    credits_unit   TEXT,
    competencies   TEXT NOT NULL DEFAULT '[]',
    created_at     TEXT NOT NULL
) STRICT;
CREATE INDEX learner_completions_user ON learner_completions(user_id, completed_on);

-- Proof of a completion (a certificate as PDF, PNG or JPEG, 5 MB at most), kept in the database
-- so a backup holds it and deleting the account deletes it.
CREATE TABLE learner_proofs (
    completion_id INTEGER PRIMARY KEY REFERENCES learner_completions(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    content_type  TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    bytes         BLOB NOT NULL
) STRICT;

-- The private token of a learner's plan as a calendar feed (/me/plan.ics?token=…); only its
-- SHA-256 is looked up, the token is kept to show it again.
CREATE TABLE learner_calendar_tokens (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    token      TEXT NOT NULL
) STRICT;
