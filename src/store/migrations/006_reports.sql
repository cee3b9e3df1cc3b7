-- What searchers asked, for the unmet-demand report: the words (normalised), the filters (as a
-- query string), how many offerings were found and the day. No address, account, cookie or time
-- of day is kept. Rows older than `SEARCH_LOG_DAYS` (store/reports.rs) are pruned as new ones
-- are written.
CREATE TABLE search_log (
    id      INTEGER PRIMARY KEY,
    day     TEXT NOT NULL,    -- YYYY-MM-DD, UTC
    words   TEXT NOT NULL,    -- '' for a search by filters only
    filters TEXT NOT NULL,    -- '' for none
    total   INTEGER NOT NULL
) STRICT;
CREATE INDEX search_log_day ON search_log(day);

-- Coverage figures as `report snapshot` found them on a day (monthly, from cron): offerings in
-- the window that followed, per competency (or whole framework).
CREATE TABLE coverage_snapshots (
    taken_on   TEXT NOT NULL,   -- YYYY-MM-DD
    competency TEXT NOT NULL,   -- FRAMEWORK or FRAMEWORK:CODE
    label      TEXT NOT NULL,
    offerings  INTEGER NOT NULL,
    PRIMARY KEY (taken_on, competency)
) STRICT;
