//! Representative searches with facets, on the seed and on a generated catalog, beside the same
//! searches done with SQLite FTS5 over the same data: the baseline a team might pick instead.
//!
//! `cargo bench --bench search` (set `BENCH_OFFERINGS` to change the size of the generated catalog,
//! 100000 by default). Each tantivy search returns a page of 20, the total, every facet's counts
//! and snippets; each FTS5 search returns a page of 20 ranked by bm25, the total, and the counts of
//! four facets by GROUP BY: less work than ours, and no typo tolerance or synonyms.

use chrono::Utc;
use clearinghouse::search::{SearchIndex, SearchRequest};
use clearinghouse::store::Store;
use clearinghouse::{generate, seed};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

/// (name, query string of the API).
const SEARCHES: &[(&str, &str)] = &[
    ("browse", "per_page=20"),
    ("one_word", "q=budget"),
    ("two_words", "q=readers+advisory"),
    (
        "filtered",
        "q=cataloging&format=online_live&format=hybrid&audience=support_staff",
    ),
    ("typo", "q=grant+writting"),
    (
        "question",
        "q=what+training+is+there+for+new+board+members+on+budgets",
    ),
];

/// The FTS5 query for each search (no typo tolerance: the misspelling is searched as typed).
const FTS_QUERIES: &[&str] = &[
    "",
    "budget",
    "readers advisory",
    "cataloging",
    "grant writting",
    "what training is there for new board members on budgets",
];

struct Catalog {
    _dir: tempfile::TempDir,
    index: SearchIndex,
    fts: Connection,
}

fn build(bundle: &clearinghouse::bundle::Bundle) -> Catalog {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("catalog.db")).unwrap();
    store.import(bundle, &|| {}).unwrap();
    SearchIndex::reindex(&dir.path().join("index"), &store, &|_, _| {}).unwrap();
    let index = SearchIndex::open(&dir.path().join("index"), seed::vocabulary()).unwrap();
    index.catch_up(&store).unwrap();
    let fts = fts_baseline(&dir.path().join("catalog.db"));
    Catalog {
        _dir: dir,
        index,
        fts,
    }
}

/// An FTS5 table over the same offerings, in the same database file.
fn fts_baseline(db: &Path) -> Connection {
    let connection = Connection::open(db).unwrap();
    connection
        .execute_batch(
            "CREATE VIRTUAL TABLE offerings_fts USING fts5(
                 id UNINDEXED, title, description, outcomes, provider_name, tokenize = 'porter unicode61');
             INSERT INTO offerings_fts (rowid, id, title, description, outcomes, provider_name)
                 SELECT o.rowid, o.id, o.title, o.description, o.learning_outcomes, p.name
                 FROM offerings o JOIN providers p ON p.id = o.provider WHERE o.status = 'published';",
        )
        .unwrap();
    connection
}

fn fts_search(connection: &Connection, query: &str, filtered: bool) -> usize {
    let matching = if query.is_empty() {
        "SELECT rowid FROM offerings".to_owned()
    } else {
        let terms: Vec<String> = query
            .split_whitespace()
            .map(|w| format!("\"{w}\""))
            .collect();
        format!(
            "SELECT rowid FROM offerings_fts WHERE offerings_fts MATCH '{}'",
            terms.join(" AND ")
        )
    };
    let filter = if filtered {
        " AND o.format IN ('online_live', 'hybrid') AND EXISTS (SELECT 1 FROM offering_audiences a \
          WHERE a.offering_id = o.id AND a.audience = 'support_staff')"
    } else {
        ""
    };
    let base = format!(
        "FROM offerings o JOIN providers p ON p.id = o.provider WHERE o.status = 'published' \
         AND o.rowid IN ({matching}){filter}"
    );
    let mut found = 0;
    let page = if query.is_empty() {
        format!("SELECT o.id {base} ORDER BY o.starts_at LIMIT 20")
    } else {
        format!(
            "SELECT o.id FROM offerings_fts f JOIN offerings o ON o.rowid = f.rowid \
             JOIN providers p ON p.id = o.provider WHERE offerings_fts MATCH '{}'{filter} \
             ORDER BY bm25(offerings_fts, 0, 4.0, 1.0, 1.5, 1.5) LIMIT 20",
            query
                .split_whitespace()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" AND ")
        )
    };
    let mut statement = connection.prepare_cached(&page).unwrap();
    found += statement
        .query_map([], |row| row.get::<_, String>(0))
        .unwrap()
        .count();
    let total: i64 = connection
        .query_row(&format!("SELECT count(*) {base}"), [], |row| row.get(0))
        .unwrap();
    found += total as usize;
    for facet in [
        format!("SELECT o.format, count(*) {base} GROUP BY o.format"),
        format!("SELECT o.level, count(*) {base} GROUP BY o.level"),
        format!("SELECT p.kind, count(*) {base} GROUP BY p.kind"),
        format!(
            "SELECT a.audience, count(*) FROM offering_audiences a WHERE a.offering_id IN (SELECT o.id {base}) \
             GROUP BY a.audience"
        ),
    ] {
        let mut statement = connection.prepare_cached(&facet).unwrap();
        found += statement
            .query_map([], |row| row.get::<_, i64>(1))
            .unwrap()
            .count();
    }
    found
}

fn bench_catalog(c: &mut Criterion, name: &str, catalog: &Catalog) {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    for ((search, params), fts_query) in SEARCHES.iter().zip(FTS_QUERIES) {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(params.as_bytes())
            .into_owned()
            .collect();
        let request =
            SearchRequest::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        group.bench_with_input(
            BenchmarkId::new("tantivy", search),
            &request,
            |b, request| b.iter(|| catalog.index.search(request, Utc::now()).unwrap().total),
        );
        let filtered = *search == "filtered";
        group.bench_with_input(
            BenchmarkId::new("sqlite_fts5", search),
            fts_query,
            |b, query| b.iter(|| fts_search(&catalog.fts, query, filtered)),
        );
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let seed_bundle = seed::bundle().unwrap();
    let seed_catalog = build(&seed_bundle);
    bench_catalog(c, "seed", &seed_catalog);
    drop(seed_catalog);

    let size = std::env::var("BENCH_OFFERINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let generated = build(&generate::synthetic(&seed_bundle, size, 1));
    bench_catalog(c, &format!("generated_{size}"), &generated);
}

criterion_group!(search, benches);
criterion_main!(search);
