//! What an offering costs, compared as a searcher can trust: within one currency only. Amounts
//! in other currencies are never converted (we hold no exchange rates), so "at most 50" means
//! 50 of the searcher's currency (US dollars unless they say otherwise), and "lowest cost" lists
//! the free first, then that currency from the lowest, then each other currency in turn, and the
//! offerings that state no cost last: 95 GBP is never ranked beside 95 USD as if equal.

use super::fields::Fields;
use std::ops::Bound;
use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;

/// The currency amounts are compared in when a search names none.
pub const DEFAULT_CURRENCY: &str = "USD";

/// A three-letter currency code as a number (base 26, `AAA` = 0), for a fast field: the index
/// compares numbers faster than strings, and the number keeps the codes' alphabetical order.
pub fn currency_number(code: &str) -> u64 {
    code.bytes()
        .take(3)
        .map(|byte| u64::from(byte.to_ascii_uppercase().saturating_sub(b'A')).min(25))
        .fold(0, |number, digit| number * 26 + digit)
}

/// Offerings that are free, or cost at most `max` in `currency`.
pub fn at_most(fields: &Fields, max: f64, currency: &str) -> Box<dyn Query> {
    let free = TermQuery::new(
        Term::from_field_bool(fields.free, true),
        IndexRecordOption::Basic,
    );
    let in_currency = TermQuery::new(
        Term::from_field_u64(fields.currency, currency_number(currency)),
        IndexRecordOption::Basic,
    );
    let cheap = RangeQuery::new(
        Bound::Unbounded,
        Bound::Included(Term::from_field_f64(fields.cost, max)),
    );
    let priced: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(in_currency) as Box<dyn Query>),
        (Occur::Must, Box::new(cheap)),
    ]));
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, Box::new(free) as Box<dyn Query>),
        (Occur::Should, priced),
    ]))
}

/// Offerings that cost more than `over` in `currency` (so none that is free).
pub fn more_than(fields: &Fields, over: f64, currency: &str) -> Box<dyn Query> {
    let in_currency = TermQuery::new(
        Term::from_field_u64(fields.currency, currency_number(currency)),
        IndexRecordOption::Basic,
    );
    let dear = RangeQuery::new(
        Bound::Excluded(Term::from_field_f64(fields.cost, over)),
        Bound::Unbounded,
    );
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(in_currency) as Box<dyn Query>),
        (Occur::Must, Box::new(dear)),
    ]))
}

/// Amounts within one currency are far below this, so a currency's group never mixes with the
/// next one's.
const GROUP: f64 = 1e9;

/// The "lowest cost" order as a key to maximise: free first, then `chosen` (a currency number)
/// from the lowest amount, then each other currency in code order, then no stated cost.
pub fn lowest_first(amount: Option<f64>, currency: Option<u64>, chosen: u64) -> f64 {
    let Some(amount) = amount else {
        return f64::MIN;
    };
    if amount == 0.0 {
        return 0.0;
    }
    let group = match currency {
        Some(currency) if currency == chosen => 1.0,
        Some(currency) => 2.0 + currency as f64,
        None => 2.0 + 26.0_f64.powi(3),
    };
    -(group * GROUP + amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_keep_their_order_as_numbers() {
        assert_eq!(currency_number("AAA"), 0);
        assert!(currency_number("CAD") < currency_number("GBP"));
        assert!(currency_number("GBP") < currency_number("USD"));
        assert_eq!(currency_number("usd"), currency_number("USD"));
    }

    #[test]
    fn the_lowest_cost_groups_by_currency_and_never_converts() {
        let usd = currency_number("USD");
        let gbp = currency_number("GBP");
        let mut costs = [
            (Some(95.0), Some(gbp)),
            (None, None),
            (Some(95.0), Some(usd)),
            (Some(0.0), Some(usd)),
            (Some(500.0), Some(usd)),
            (Some(10.0), Some(gbp)),
        ];
        costs.sort_by(|a, b| lowest_first(b.0, b.1, usd).total_cmp(&lowest_first(a.0, a.1, usd)));
        assert_eq!(
            costs,
            [
                (Some(0.0), Some(usd)),
                (Some(95.0), Some(usd)),
                (Some(500.0), Some(usd)),
                (Some(10.0), Some(gbp)),
                (Some(95.0), Some(gbp)),
                (None, None),
            ]
        );
    }
}
