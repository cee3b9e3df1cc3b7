-- The review queue at scale: duplicates are found once, when a submission is made, and kept
-- with it (NULL for submissions made before this step: the queue finds theirs when shown), by
-- indexed look-ups of the same registration address or the same provider and start.
ALTER TABLE submissions ADD COLUMN duplicates TEXT; -- JSON [[id, title], ...]
CREATE INDEX offerings_url ON offerings(url);
CREATE INDEX offerings_provider_start ON offerings(provider, start);
CREATE INDEX submissions_by_provider ON submissions(provider, status);
