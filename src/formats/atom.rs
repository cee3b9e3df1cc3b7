//! Atom (RFC 4287): the newest offerings matching a search, so anyone can follow a topic, a
//! competency or a provider in a feed reader. Entry ids are stable tag URIs of the offering ids.

use super::calendar::CalendarEntry;
use atom_syndication::{Category, Entry, Feed, FixedDateTime, Link, Person, Text};

fn time(text: &str) -> FixedDateTime {
    FixedDateTime::parse_from_rfc3339(text).unwrap_or_default()
}

fn link(href: &str, rel: &str, mime_type: &str) -> Link {
    Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: Some(mime_type.to_owned()),
        ..Link::default()
    }
}

/// A feed titled `title`, found at `self_url`, whose web page is `page_url`.
pub fn feed(title: &str, self_url: &str, page_url: &str, entries: &[CalendarEntry<'_>]) -> String {
    let mut feed = Feed::default();
    feed.set_title(Text::plain(title));
    feed.set_id(self_url);
    feed.set_links(vec![
        link(self_url, "self", "application/atom+xml"),
        link(page_url, "alternate", "text/html"),
    ]);
    let updated = entries.iter().map(|e| time(&e.stored.updated_at)).max();
    feed.set_updated(updated.unwrap_or_else(|| chrono::Utc::now().fixed_offset()));
    feed.set_authors(vec![Person {
        name: "CE Clearinghouse".to_owned(),
        ..Person::default()
    }]);
    feed.set_entries(entries.iter().map(entry).collect::<Vec<_>>());
    feed.to_string()
}

fn entry(item: &CalendarEntry<'_>) -> Entry {
    let offering = &item.stored.offering;
    let mut entry = Entry::default();
    entry.set_id(format!(
        "tag:ce-clearinghouse,2026:offering:{}",
        offering.id
    ));
    entry.set_title(Text::plain(offering.title.clone()));
    entry.set_updated(time(&item.stored.updated_at));
    entry.set_published(Some(time(&item.stored.created_at)));
    entry.set_links(vec![link(&item.page_url, "alternate", "text/html")]);
    entry.set_authors(vec![Person {
        name: item.provider_name.to_owned(),
        ..Person::default()
    }]);
    entry.set_categories(vec![Category {
        term: offering.format.as_str().to_owned(),
        label: Some(offering.format.label().to_owned()),
        ..Category::default()
    }]);
    let schedule = crate::formats::calendar::schedule_line(offering);
    entry.set_summary(Some(Text::plain(format!(
        "{schedule} · {} · {}\n\n{}",
        item.place,
        offering.format.label(),
        offering.description
    ))));
    entry
}
