-- Follow-ups on impact (#15): a participant may leave an e-mail address with an answer for one
-- follow-up 60–90 days later ("did you apply it? what changed for your users?").
--
-- A row is queued with the answer, in its transaction. `email` is the only personal datum in the
-- evaluation tables, and it is kept only until the follow-up has gone out: sending it (SMTP) or
-- exporting it for a mail merge sets `sent_at` and `sent_by` and clears `email` in the same
-- transaction; so does its lapsing unsent past `last_day`. The follow-up's token is made when
-- the mail is made, and only its SHA-256 is kept; a retried mail gets a new token (the failed one
-- never reached anybody). The answer is stored against the original response, once.
CREATE TABLE evaluation_followups (
    id           INTEGER PRIMARY KEY,
    response_id  INTEGER NOT NULL UNIQUE REFERENCES evaluation_responses(id),
    email        TEXT,             -- NULL once sent, exported or lapsed
    site         TEXT NOT NULL,    -- the site's address as the participant reached it, for the link
    due_day      TEXT NOT NULL,    -- YYYY-MM-DD: not sent before
    last_day     TEXT NOT NULL,    -- YYYY-MM-DD: not sent after (the address is then deleted)
    token_hash   TEXT UNIQUE,      -- the follow-up link's token's SHA-256, once made
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,             -- the last failed sending, for the log and administrators
    retry_after  TEXT,             -- RFC 3339: not tried again before
    sent_at      TEXT,             -- RFC 3339: when it went out (or lapsed)
    sent_by      TEXT CHECK (sent_by IN ('smtp', 'export', 'lapsed')),
    applied      TEXT CHECK (applied IN ('yes', 'partly', 'no')),
    changed      TEXT,             -- "what changed for your users?"
    answered_day TEXT,             -- YYYY-MM-DD, UTC: when the follow-up was answered
    CHECK ((email IS NULL) = (sent_at IS NOT NULL))
) STRICT;
CREATE INDEX evaluation_followups_due ON evaluation_followups(due_day) WHERE email IS NOT NULL;
