//! The index schema and how an offering becomes a document.
//!
//! Text fields are analysed with English stemming and ASCII folding and carry boosts (title
//! strongest). Filterable values are raw string fields that are also fast, so one pass over the
//! matching documents counts every facet exactly. The offering itself is stored as JSON in the
//! bundle format, so a search answers without a trip to the database.

use super::dimension::{DIMENSIONS, Dimension};
use super::folded_words::FoldedWords;
use crate::catalog::{CompetencyRef, Frameworks, Offering, Provider};
use crate::geo;
use crate::store::StoredOffering;
use std::collections::HashMap;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{TextAnalyzer, TextAnalyzerBuilder, Tokenizer};
use tantivy::{Index, TantivyDocument};

/// Analyzer of the text fields: words, lowercased, folded to ASCII, stemmed.
pub const STEMMED: &str = "catalog_stemmed";
/// Analyzer of the `text` field: the same, with the vocabulary's terms of several words.
pub const TEXT: &str = "catalog_text";
/// Analyzer of the `words` field: the same without stemming, for spelling suggestions.
pub const PLAIN: &str = "catalog_plain";

/// Words, lowercased and folded to ASCII.
pub fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(FoldedWords::default()).build()
}

/// The same, stemmed (English; each analyzer remembers its stems, `stemming.rs`).
pub fn stemmed_analyzer() -> TextAnalyzer {
    stemmed().build()
}

/// `text`'s analyzer: stemmed, with a token for each of the vocabulary's terms of several words
/// (`phrases.rs`). Queries are read with `stemmed_analyzer`.
pub fn text_analyzer() -> TextAnalyzer {
    stemmed().filter(super::phrases::PhraseFilter).build()
}

fn stemmed() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(FoldedWords::default()).filter(super::stemming::CachedEnglishStemmer)
}

/// The tokens an analyzer makes of a text.
pub fn analyse(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().text.clone());
    }
    tokens
}

/// Registers the analyzers; needed every time an index is opened (they are not persisted).
pub fn register_analyzers(index: &Index) {
    index.tokenizers().register(PLAIN, plain_analyzer());
    index.tokenizers().register(STEMMED, stemmed_analyzer());
    index.tokenizers().register(TEXT, text_analyzer());
}

/// The fields of the schema, resolved once.
#[derive(Debug, Clone)]
pub struct Fields {
    pub id: Field,
    /// Per-field text fields with their boosts (the baseline's), filled only in an index built
    /// for the evaluation (`Context::baseline_fields`).
    pub fields_apart: Vec<(Field, f32)>,
    /// The offering's own words, weighted by repetition (BM25F).
    pub text: Field,
    /// The words of what the offering is linked to: competencies, language, format, audiences,
    /// level, provider.
    pub concepts: Field,
    pub words: Field,
    pub source: Field,
    pub dimensions: HashMap<&'static str, Field>,
    pub starts_at: Field,
    pub ends_at: Field,
    pub start_sort: Field,
    pub added: Field,
    pub cost: Field,
    pub currency: Field,
    pub credits: Field,
    pub free: Field,
    /// Participants' mean overall rating and how many gave it, only once public (5 answers):
    /// `rated=true` and `sort=rating` read them.
    pub rating: Field,
    pub rating_count: Field,
    pub revision: Field,
    pub tiebreak: Field,
    /// Where an offering takes place, in degrees, when its city is in the gazetteer.
    pub lat: Field,
    pub lon: Field,
}

/// The parts of an offering's own words in the `text` field, and how many times each is written
/// there. Writing a part twice doubles its term frequencies and its share of the length, which is
/// BM25F's field weighting: the offering is scored as one document, each word saturating once, so
/// a word that is rare in short titles cannot outweigh the whole description.
pub const TEXT_WEIGHTS: TextWeights = TextWeights {
    title: 5,
    series: 2,
    outcomes: 1,
    description: 1,
    instructors: 1,
    provider: 0,
    place: 1,
};

/// How many times each part of an offering is written into the `text` field.
#[derive(Debug, Clone, Copy)]
pub struct TextWeights {
    pub title: usize,
    pub series: usize,
    pub outcomes: usize,
    pub description: usize,
    pub instructors: usize,
    pub provider: usize,
    /// Where it takes place: venue, city and the region's name ("chicago", "ontario").
    pub place: usize,
}

/// Per-field text fields and their boosts, for the plain BM25 baseline the evaluation compares
/// against; a word in the title counts most.
const TEXT_FIELDS: &[(&str, f32)] = &[
    ("title", 4.0),
    ("competency_names", 2.0),
    ("provider_name", 1.5),
    ("outcomes", 1.5),
    ("description", 1.0),
    ("instructors", 1.0),
];

pub fn schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_text_field("id", STRING | STORED | FAST);
    let stemmed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(STEMMED)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    for (name, _) in TEXT_FIELDS {
        builder.add_text_field(name, stemmed.clone());
    }
    // The offering as one document (`text`) and the words of what it is linked to (`concepts`).
    builder.add_text_field(
        "text",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TEXT)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    builder.add_text_field("concepts", stemmed.clone());
    let plain = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(PLAIN)
            .set_index_option(IndexRecordOption::Basic),
    );
    builder.add_text_field("words", plain);
    builder.add_text_field("source", STORED);
    for spec in &DIMENSIONS {
        builder.add_text_field(spec.name, STRING | FAST);
    }
    for name in ["starts_at", "ends_at", "start_sort", "added"] {
        builder.add_i64_field(name, INDEXED | FAST);
    }
    for name in ["cost", "credits"] {
        builder.add_f64_field(name, INDEXED | FAST);
    }
    // The cost's currency as a number (`cost::currency_number`).
    builder.add_u64_field("currency", INDEXED | FAST);
    // Indexed for the bounding box of a distance filter, fast for its exact distance and the
    // nearest-first order, stored for each hit's distance.
    for name in ["lat", "lon"] {
        builder.add_f64_field(name, INDEXED | FAST | STORED);
    }
    builder.add_bool_field("free", INDEXED | FAST);
    builder.add_f64_field("rating", INDEXED | FAST);
    builder.add_u64_field("rating_count", FAST);
    builder.add_u64_field("revision", FAST | STORED);
    builder.add_u64_field("tiebreak", FAST);
    builder.build()
}

impl Fields {
    pub fn resolve(schema: &Schema) -> tantivy::Result<Self> {
        let field = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: field("id")?,
            fields_apart: TEXT_FIELDS
                .iter()
                .map(|(name, boost)| Ok((field(name)?, *boost)))
                .collect::<tantivy::Result<_>>()?,
            text: field("text")?,
            concepts: field("concepts")?,
            words: field("words")?,
            source: field("source")?,
            dimensions: DIMENSIONS
                .iter()
                .map(|spec| Ok((spec.name, field(spec.name)?)))
                .collect::<tantivy::Result<_>>()?,
            starts_at: field("starts_at")?,
            ends_at: field("ends_at")?,
            start_sort: field("start_sort")?,
            added: field("added")?,
            cost: field("cost")?,
            currency: field("currency")?,
            credits: field("credits")?,
            free: field("free")?,
            rating: field("rating")?,
            rating_count: field("rating_count")?,
            revision: field("revision")?,
            tiebreak: field("tiebreak")?,
            lat: field("lat")?,
            lon: field("lon")?,
        })
    }
}

/// What an offering's document needs from the rest of the catalog.
#[derive(Debug, Default)]
pub struct Context {
    pub providers: HashMap<String, Provider>,
    /// `FRAMEWORK:CODE` → (title, parent code).
    pub competencies: HashMap<CompetencyRef, (String, Option<String>)>,
    /// `FRAMEWORK:CODE` → description.
    pub descriptions: HashMap<CompetencyRef, String>,
    /// Each known competency's lineage, made once: every offering's document asks for it.
    lineages: HashMap<CompetencyRef, Vec<CompetencyRef>>,
    /// Whether documents fill the per-field text fields, which only the evaluation's plain BM25
    /// baseline reads: with their positions they were a third of the postings written.
    pub baseline_fields: bool,
}

impl Context {
    pub fn new(providers: Vec<Provider>, frameworks: &Frameworks) -> Self {
        let mut competencies = HashMap::new();
        let mut descriptions = HashMap::new();
        for framework in &frameworks.frameworks {
            for flat in framework.flatten() {
                let reference = CompetencyRef {
                    framework: framework.id.clone(),
                    code: flat.competency.code.clone(),
                };
                if let Some(description) = &flat.competency.description {
                    descriptions.insert(reference.clone(), description.clone());
                }
                competencies.insert(
                    reference,
                    (
                        flat.competency.title.clone(),
                        flat.parent.map(str::to_owned),
                    ),
                );
            }
        }
        let lineages = competencies
            .keys()
            .map(|reference| (reference.clone(), lineage_of(reference, &competencies)))
            .collect();
        Context {
            providers: providers.into_iter().map(|p| (p.id.clone(), p)).collect(),
            competencies,
            descriptions,
            lineages,
            baseline_fields: false,
        }
    }

    /// A competency and its ancestors, nearest first, as references; an unknown one alone.
    pub fn lineage<'a>(&'a self, reference: &'a CompetencyRef) -> &'a [CompetencyRef] {
        self.lineages
            .get(reference)
            .map_or(std::slice::from_ref(reference), Vec::as_slice)
    }
}

/// A known competency and its ancestors, nearest first.
fn lineage_of(
    reference: &CompetencyRef,
    competencies: &HashMap<CompetencyRef, (String, Option<String>)>,
) -> Vec<CompetencyRef> {
    let mut lineage = vec![reference.clone()];
    let mut current = reference.clone();
    while let Some((_, Some(parent))) = competencies.get(&current) {
        current = CompetencyRef {
            framework: current.framework.clone(),
            code: parent.clone(),
        };
        if lineage.contains(&current) || lineage.len() > 16 {
            break;
        }
        lineage.push(current.clone());
    }
    lineage
}

/// FNV-1a: a stable hash of the id, so ties sort the same way on every build and reindex.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The seconds of an RFC 3339 time, or 0.
fn seconds(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

/// The offering a document was made from, as stored with it (`None` if it no longer reads).
pub fn stored_offering(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    address: tantivy::DocAddress,
) -> tantivy::Result<Option<Offering>> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let json = doc
        .get_first(fields.source)
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    Ok(serde_json::from_str(json).ok())
}

/// Builds the document of a published offering.
pub fn document(fields: &Fields, stored: &StoredOffering, context: &Context) -> TantivyDocument {
    let offering = &stored.offering;
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &offering.id);
    let provider = context.providers.get(&offering.provider);
    let mut competency_names = Vec::new();
    let mut competency_values = Vec::new();
    for text in &offering.competencies {
        let Ok(reference) = CompetencyRef::parse(text) else {
            continue;
        };
        for ancestor in context.lineage(&reference) {
            if let Some((title, _)) = context.competencies.get(ancestor)
                && *ancestor == reference
            {
                competency_names.push(title.clone());
            }
            competency_values.push(ancestor.to_string());
        }
        competency_values.push(reference.framework.clone());
    }
    competency_values.sort();
    competency_values.dedup();
    let texts = [
        offering.title.clone(),
        competency_names.join("\n"),
        provider.map(|p| p.name.clone()).unwrap_or_default(),
        offering.learning_outcomes.join("\n"),
        offering.description.clone(),
        offering.instructors.join("\n"),
    ];
    for ((field, _), text) in fields.fields_apart.iter().zip(&texts) {
        if context.baseline_fields {
            doc.add_text(*field, text);
        }
        doc.add_text(fields.words, text);
    }
    add_weighted_text(&mut doc, fields, offering, provider);
    for concept in concepts(offering, provider, context) {
        doc.add_text(fields.concepts, &concept);
        doc.add_text(fields.words, &concept);
    }
    doc.add_text(
        fields.source,
        serde_json::to_string(offering).unwrap_or_default(),
    );
    add_dimensions(&mut doc, fields, offering, provider, &competency_values);
    add_numbers(&mut doc, fields, stored);
    doc
}

/// The offering's own words into `text`, each part as many times as its weight.
fn add_weighted_text(
    doc: &mut TantivyDocument,
    fields: &Fields,
    offering: &Offering,
    provider: Option<&Provider>,
) {
    let weights = TEXT_WEIGHTS;
    let series = offering.series.as_ref().and_then(|s| s.title.clone());
    let parts = [
        (weights.title, Some(offering.title.clone())),
        (weights.series, series),
        (
            weights.outcomes,
            Some(offering.learning_outcomes.join("\n")),
        ),
        (weights.description, Some(offering.description.clone())),
        (weights.instructors, Some(offering.instructors.join("\n"))),
        (weights.provider, provider.map(|p| p.name.clone())),
        (weights.place, place_words(offering)),
    ];
    for (times, text) in parts {
        for _ in 0..times {
            if let Some(text) = &text {
                doc.add_text(fields.text, text);
            }
        }
    }
    if let Some(series) = offering.series.as_ref().and_then(|s| s.title.as_deref()) {
        doc.add_text(fields.words, series);
    }
    if let Some(place) = place_words(offering) {
        doc.add_text(fields.words, place);
    }
}

/// The words of where an offering takes place, so that "chicago" or "british columbia" finds
/// what is held there: venue, city, and the region's name (a record may give its code).
fn place_words(offering: &Offering) -> Option<String> {
    let location = offering.location.as_ref()?;
    let region = location
        .region
        .as_deref()
        .map(|region| geo::regions::label_in(region, &location.country));
    let parts = [location.venue.clone(), Some(location.city.clone()), region];
    Some(parts.into_iter().flatten().collect::<Vec<_>>().join("\n"))
}

/// The point of an offering's place, when it has one the gazetteer knows. Online offerings
/// have no location, so no point: they are near nothing.
fn point(offering: &Offering) -> Option<geo::Point> {
    let location = offering.location.as_ref()?;
    geo::locate(
        &location.city,
        location.region.as_deref(),
        &location.country,
    )
    .map(|place| place.point)
}

/// The words of what an offering is linked to, so that a searcher's words for a competency, a
/// language, a format, an audience, a level or a provider find it even where its own text says
/// it differently: "courses in French", "beginner", "trustees", "webjunction".
fn concepts(offering: &Offering, provider: Option<&Provider>, context: &Context) -> Vec<String> {
    let mut concepts = Vec::new();
    for text in &offering.competencies {
        let Ok(reference) = CompetencyRef::parse(text) else {
            continue;
        };
        if let Some(description) = context.descriptions.get(&reference) {
            concepts.push(description.clone());
        }
        for ancestor in context.lineage(&reference) {
            if let Some((title, _)) = context.competencies.get(ancestor) {
                concepts.push(title.clone());
            }
        }
    }
    concepts.push(super::labels::language_label(
        offering.language_or_default(),
    ));
    concepts.push(offering.format.label().to_owned());
    concepts.push(offering.level.label().to_owned());
    concepts.extend(offering.audiences.iter().map(|a| a.label().to_owned()));
    if let Some(provider) = provider {
        concepts.push(provider.name.clone());
        concepts.push(provider.kind.label().to_owned());
    }
    // Provider ids are the short names people use ("sjsu-ischool", "ala-yalsa").
    concepts.push(offering.provider.clone());
    // A certification's code, which is its abbreviation ("cpla"): with the thesaurus, its
    // name finds the code too. The whole name is left out: its words ("library", "public")
    // would lift every certified offering for queries about the topic itself.
    concepts.extend(offering.certifications.iter().cloned());
    concepts
}

fn add_dimensions(
    doc: &mut TantivyDocument,
    fields: &Fields,
    offering: &Offering,
    provider: Option<&Provider>,
    competencies: &[String],
) {
    let mut add = |dimension: Dimension, value: &str| {
        if let Some(field) = fields.dimensions.get(dimension.name()) {
            doc.add_text(*field, value);
        }
    };
    add(Dimension::Format, offering.format.as_str());
    for audience in &offering.audiences {
        add(Dimension::Audience, audience.as_str());
    }
    add(Dimension::Level, offering.level.as_str());
    for competency in competencies {
        add(Dimension::Competency, competency);
    }
    add(Dimension::Provider, &offering.provider);
    if let Some(provider) = provider {
        add(Dimension::ProviderKind, provider.kind.as_str());
    }
    // Where it takes place, and only that: an online offering is in no region, whatever its
    // provider's address. A US or Canadian region is indexed by its code, however the record
    // spells it ("Ontario" → ON), so one value counts them all.
    if let Some(location) = &offering.location {
        if let Some(region) = &location.region {
            add(
                Dimension::Region,
                &geo::regions::canonical(region, &location.country),
            );
        }
        add(Dimension::Country, &location.country);
    }
    for certification in &offering.certifications {
        add(Dimension::Certification, certification);
    }
    add(Dimension::Language, offering.language_or_default());
}

fn add_numbers(doc: &mut TantivyDocument, fields: &Fields, stored: &StoredOffering) {
    let offering = &stored.offering;
    let (starts_at, ends_at) = offering.instants();
    if let Some(starts_at) = starts_at {
        doc.add_i64(fields.starts_at, starts_at);
    }
    if let Some(ends_at) = ends_at {
        doc.add_i64(fields.ends_at, ends_at);
    }
    doc.add_i64(fields.start_sort, starts_at.unwrap_or(i64::MAX));
    doc.add_i64(fields.added, seconds(&stored.created_at));
    if let Some(cost) = &offering.cost {
        doc.add_f64(fields.cost, cost.amount);
        doc.add_u64(
            fields.currency,
            super::cost::currency_number(&cost.currency),
        );
    }
    if let Some(credits) = &offering.credits {
        doc.add_f64(fields.credits, credits.contact_hours());
    }
    doc.add_bool(fields.free, offering.is_free());
    if let Some(point) = point(offering) {
        doc.add_f64(fields.lat, point.lat);
        doc.add_f64(fields.lon, point.lon);
    }
    // Only a public rating (from 5 answers) is indexed: the others have no value, so they are
    // not "rated" and come after the rated ones when sorted by rating.
    if let Some(rating) = stored.rating {
        doc.add_f64(fields.rating, rating.mean);
        doc.add_u64(fields.rating_count, rating.count);
    }
    doc.add_u64(fields.revision, stored.revision.max(0) as u64);
    doc.add_u64(fields.tiebreak, stable_hash(&offering.id));
}
