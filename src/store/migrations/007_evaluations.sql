-- Participants' evaluations of offerings (#15).
--
-- Links: each offering has at most one live shared link (printed as a QR code for a room) and
-- any number of single-use links (made in batches for an attendee list). Only a token's SHA-256
-- is looked up, so the lookup's timing tells nothing of the token. A single-use token is never
-- stored (the provider gets it once, in a CSV); the shared token is kept too, because the
-- provider shows it again and again (it is printed on paper for a room anyway). Rotating the
-- shared link retires it: it answers no more.
CREATE TABLE evaluation_links (
    id           INTEGER PRIMARY KEY,
    offering_id  TEXT NOT NULL REFERENCES offerings(id),
    token_hash   TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('shared', 'single')),
    shared_token TEXT,             -- the shared link's token itself; NULL for single-use links
    batch        INTEGER,          -- single-use links made together
    created_at   TEXT NOT NULL,
    retired_at   TEXT              -- a rotated shared link
) STRICT;
CREATE INDEX evaluation_links_offering ON evaluation_links(offering_id);
CREATE UNIQUE INDEX evaluation_links_live_shared
    ON evaluation_links(offering_id) WHERE kind = 'shared' AND retired_at IS NULL;

-- Answers. `single_use_link` is the link when it is single-use (NULL through the shared link):
-- UNIQUE, so a single-use link answers once even if a check in code were wrong. No address,
-- account, cookie or time of day is kept: the day only.
CREATE TABLE evaluation_responses (
    id              INTEGER PRIMARY KEY,
    offering_id     TEXT NOT NULL REFERENCES offerings(id),
    link_id         INTEGER NOT NULL REFERENCES evaluation_links(id),
    single_use_link INTEGER UNIQUE REFERENCES evaluation_links(id),
    overall         INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
    relevance       INTEGER NOT NULL CHECK (relevance BETWEEN 1 AND 5),
    instructor      INTEGER CHECK (instructor BETWEEN 1 AND 5),
    recommend       INTEGER NOT NULL CHECK (recommend IN (0, 1)),
    role            TEXT NOT NULL,
    outcomes        TEXT NOT NULL,   -- JSON: [[outcome text, "not" | "partly" | "fully"], …]
    different       TEXT NOT NULL,   -- "what will you do differently?"
    hidden          INTEGER NOT NULL DEFAULT 0,  -- its text hidden by an administrator
    burst           INTEGER NOT NULL DEFAULT 0,  -- came through the shared link in a burst
    day             TEXT NOT NULL    -- YYYY-MM-DD, UTC
) STRICT;
CREATE INDEX evaluation_responses_offering ON evaluation_responses(offering_id);
CREATE INDEX evaluation_responses_burst ON evaluation_responses(offering_id) WHERE burst = 1;
