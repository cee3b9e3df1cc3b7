//! The plain BM25 baseline the relevance evaluation compares against: the query's words, stemmed,
//! ORed over each text field with equal weight and no vocabulary, typo or function-word handling,
//! as SQLite FTS5, Xapian or bm25s rank by default. Filters apply as in a real search.

use super::fields::{analyse, stemmed_analyzer};
use super::filters::filters;
use super::request::SearchRequest;
use super::{SearchError, SearchIndex};
use chrono::{DateTime, Utc};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

impl SearchIndex {
    /// The ids of the first `limit` offerings the baseline ranks for a request.
    pub fn baseline_ids(
        &self,
        request: &SearchRequest,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<String>, SearchError> {
        let generation = self.live.load_full();
        let searcher = generation.reader.searcher();
        let fields = &generation.fields;
        let stems = analyse(&mut stemmed_analyzer(), &request.query);
        let mut words: Vec<Box<dyn Query>> = Vec::new();
        for stem in &stems {
            for (field, _) in &fields.fields_apart {
                words.push(Box::new(TermQuery::new(
                    Term::from_field_text(*field, stem),
                    IndexRecordOption::WithFreqs,
                )));
            }
        }
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(BooleanQuery::new(
                words.into_iter().map(|q| (Occur::Should, q)).collect(),
            )),
        )];
        clauses.extend(
            filters(fields, &generation.facets, request, now)
                .into_iter()
                .map(|(_, query)| (Occur::Must, query)),
        );
        let query = BooleanQuery::new(clauses);
        let found = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut ids = Vec::new();
        for (_, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(fields.id).and_then(|v| v.as_str()) {
                ids.push(id.to_owned());
            }
        }
        Ok(ids)
    }
}
