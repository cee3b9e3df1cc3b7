//! The provider's offering form over real HTTP: every problem reported in one round in the
//! page's own words and marked on its field; dates, times and a time zone stored with the
//! zone's offset on that date; competencies as trees of the frameworks and certifications as
//! choices.

mod common;

use common::web::{
    PLA_EDITOR, add_pla_editor, attribute, form_fields, get, hidden, post, sign_in, tag_with_id,
};
use common::{Catalog, Server};
use serde_json::Value;
use ureq::Agent;

const NEW: &str = "/provider/offerings/new";

/// The seed, served, with the PLA's editor signed in.
fn signed_in() -> (Catalog, Server, Agent) {
    let catalog = common::seeded_catalog();
    add_pla_editor(&catalog);
    let server = catalog.serve();
    let agent = sign_in(&server, PLA_EDITOR);
    (catalog, server, agent)
}

/// A complete new offering as the form sends it, with this title, start and zone.
fn complete<'a>(
    page: &'a str,
    title: &'a str,
    (date, time, zone): (&'a str, &'a str, &'a str),
) -> Vec<(String, String)> {
    [
        ("csrf", hidden(page, "csrf")),
        ("idempotency_key", hidden(page, "idempotency_key")),
        ("title", title.to_owned()),
        (
            "description",
            "A course long enough to describe, sent through the form.".into(),
        ),
        ("format", "online_live".into()),
        ("level", "introductory".into()),
        ("audiences", "librarians".into()),
        ("start_date", date.to_owned()),
        ("start_time", time.to_owned()),
        ("timezone", zone.to_owned()),
        ("confirm_distinct", "yes".into()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect()
}

fn send(agent: &Agent, server: &Server, path: &str, form: &[(String, String)]) -> (u16, String) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let (status, location, page) = post(agent, server, path, &pairs);
    (status, if status == 303 { location } else { page })
}

/// A fresh new-offering form.
fn new_form(agent: &Agent, server: &Server) -> String {
    let (status, _, page) = get(agent, server, NEW);
    assert_eq!(status, 200);
    page
}

/// Sets a field of a form to one value (or leaves it out when `value` is empty).
fn with(mut form: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    form.retain(|(n, _)| n != name);
    if !value.is_empty() {
        form.push((name.to_owned(), value.to_owned()));
    }
    form
}

/// Approves the one pending submission and returns the published offering as the API has it.
fn approve_and_read(catalog: &Catalog, server: &Server, id: &str) -> Value {
    let listed = catalog.run_ok(&["review", "list"]);
    let submission = listed.lines().next().unwrap().split('\t').next().unwrap();
    catalog.run_ok(&["review", "approve", submission]);
    let (status, body) = server.get(&format!("/api/v1/offerings/{id}"));
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// Asserts the control with this id is marked invalid and described by its problem.
fn marked_invalid(page: &str, id: &str, field: &str) {
    let tag = tag_with_id(page, id);
    assert!(tag.contains("aria-invalid=\"true\""), "{tag}");
    let described = attribute(tag, "aria-describedby").unwrap_or_default();
    assert!(
        described.split(' ').any(|d| d == format!("error-{field}")),
        "{tag}"
    );
    assert!(page.contains(&format!("id=\"error-{field}\"")), "{field}");
}

#[test]
fn an_empty_form_reports_every_missing_field_at_once_each_marked_on_its_field() {
    let (catalog, server, agent) = signed_in();
    let blank = new_form(&agent, &server);
    let form = vec![
        ("csrf".to_owned(), hidden(&blank, "csrf")),
        (
            "idempotency_key".to_owned(),
            hidden(&blank, "idempotency_key"),
        ),
    ];
    let (status, page) = send(&agent, &server, NEW, &form);
    assert_eq!(status, 422);
    for line in [
        "Title: enter a title",
        "Description: enter a description",
        "Format: choose how it is delivered",
        "Level: choose a level",
        "Audiences: choose at least one audience",
        "Start: enter the date it starts",
    ] {
        assert!(page.contains(line), "{line}");
    }
    for (id, field) in [
        ("input-title", "title"),
        ("input-description", "description"),
        ("input-format", "format"),
        ("input-level", "level"),
        ("input-start_date", "start"),
    ] {
        marked_invalid(&page, id, field);
    }
    let audience = page
        .split("<input ")
        .find(|tag| tag.contains("name=\"audiences\""))
        .unwrap();
    assert!(audience.contains("aria-invalid=\"true\""), "{audience}");
    assert!(
        page.contains("href=\"#field-title\""),
        "the summary links each field"
    );
    assert!(
        !page.contains("Id:"),
        "no problem with an id the provider did not enter"
    );
    assert!(
        catalog.run_ok(&["review", "list"]).is_empty(),
        "nothing stored"
    );
    for id in [
        "input-title",
        "input-description",
        "input-format",
        "input-level",
    ] {
        assert!(tag_with_id(&blank, id).contains(" required"), "{id}");
    }
}

#[test]
fn a_bad_cost_and_a_missing_title_are_both_reported_in_the_pages_words() {
    let (_catalog, server, agent) = signed_in();
    let page = new_form(&agent, &server);
    let form = complete(&page, "", ("2027-03-10", "14:00", "America/Chicago"));
    let form = with(with(form, "cost.amount", "abc"), "cost.currency", "USD");
    let (status, page) = send(&agent, &server, NEW, &form);
    assert_eq!(status, 422);
    assert!(page.contains("Cost: enter a number, such as 25 or 0 for free"));
    assert!(page.contains("Title: enter a title"));
    marked_invalid(&page, "input-cost.amount", "cost.amount");
    for parser_words in [
        "not a number",
        "invalid digit",
        "expected",
        "unknown variant",
    ] {
        assert!(!page.contains(parser_words), "{parser_words}");
    }
    assert!(
        tag_with_id(&page, "input-cost.amount").contains("value=\"abc\""),
        "what was typed is kept"
    );
}

#[test]
fn a_date_time_and_zone_are_stored_with_the_zones_offset_on_that_date() {
    let (catalog, server, agent) = signed_in();
    for (date, stored) in [
        ("2027-03-10", "2027-03-10T14:00:00-06:00"),
        ("2027-07-14", "2027-07-14T14:00:00-05:00"),
    ] {
        let title = format!("Zoned course starting {date}");
        let page = new_form(&agent, &server);
        let form = complete(&page, &title, (date, "14:00", "America/Chicago"));
        let form = with(with(form, "end_date", date), "end_time", "15:30");
        assert_eq!(
            send(&agent, &server, NEW, &form),
            (303, "/provider?done=submitted".to_owned())
        );
        let id = format!("zoned-course-starting-{date}");
        let offering = approve_and_read(&catalog, &server, &id);
        assert_eq!(offering["start"], stored);
        assert_eq!(offering["end"], stored.replace("14:00", "15:30"));
        assert_eq!(offering["timezone"], "America/Chicago");
    }
}

#[test]
fn a_time_needs_a_zone_and_a_time_the_clocks_skip_is_refused() {
    let (_catalog, server, agent) = signed_in();
    let page = new_form(&agent, &server);
    let form = complete(
        &page,
        "A course without a zone",
        ("2027-03-10", "14:00", ""),
    );
    let (status, page) = send(&agent, &server, NEW, &form);
    assert_eq!(status, 422);
    assert!(page.contains("Time zone: choose the time zone of the times entered"));
    marked_invalid(&page, "input-timezone", "timezone");

    let form = complete(
        &page,
        "A course in the lost hour",
        ("2027-03-14", "02:30", "America/Chicago"),
    );
    let (status, page) = send(&agent, &server, NEW, &form);
    assert_eq!(status, 422);
    assert!(page.contains("02:30 does not exist on 2027-03-14 in America/Chicago"));
    marked_invalid(&page, "input-start_time", "start");
}

#[test]
fn a_new_offering_may_not_start_in_the_past_but_an_edit_of_one_that_has_may_keep_its_start() {
    let (_catalog, server, agent) = signed_in();
    let page = new_form(&agent, &server);
    let form = complete(&page, "A course long gone", ("2020-01-10", "", ""));
    let (status, page) = send(&agent, &server, NEW, &form);
    assert_eq!(status, 422);
    assert!(page.contains("The start is in the past"));
    marked_invalid(&page, "input-start_date", "start");

    // Seeded as 2026-09-16, 14:00 in New York: past by now.
    let edit = "/provider/offerings/pla-summer-reading-outcomes-webinar-2026/edit";
    let (status, _, page) = get(&agent, &server, edit);
    assert_eq!(status, 200);
    let form = form_fields(&page, "class=\"offering-form\"");
    let (status, answer) = send(&agent, &server, edit, &form);
    assert_eq!(
        (status, answer.as_str()),
        (303, "/provider?done=submitted"),
        "{answer}"
    );
}

#[test]
fn the_edit_form_shows_the_stored_date_time_and_zone_in_its_inputs() {
    let (_catalog, server, agent) = signed_in();
    let edit = "/provider/offerings/pla-budgeting-for-branch-managers-2027/edit";
    let (status, _, page) = get(&agent, &server, edit);
    assert_eq!(status, 200);
    let fields = form_fields(&page, "class=\"offering-form\"");
    let value = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    // Stored as 2027-02-02T14:00:00-05:00 to 2027-02-23T15:30:00-05:00, America/New_York.
    assert_eq!(value("start_date"), "2027-02-02");
    assert_eq!(value("start_time"), "14:00");
    assert_eq!(value("end_date"), "2027-02-23");
    assert_eq!(value("end_time"), "15:30");
    assert_eq!(value("timezone"), "America/New_York");
    assert!(tag_with_id(&page, "input-start_date").contains("type=\"date\""));
    assert!(tag_with_id(&page, "input-start_time").contains("type=\"time\""));
}

#[test]
fn competencies_are_trees_by_framework_and_certifications_choices_that_are_stored() {
    let (catalog, server, agent) = signed_in();
    let page = new_form(&agent, &server);
    for framework in ["ala-core", "lssc", "cpla"] {
        let fieldset = tag_with_id(&page, &format!("framework-{framework}"));
        assert!(fieldset.starts_with("<fieldset"), "{fieldset}");
    }
    let ala = &page[page.find("id=\"framework-ala-core\"").unwrap()..];
    let ala = &ala[..ala.find("</fieldset>").unwrap()];
    assert!(ala.contains("<legend>ALA Core Competences of Librarianship</legend>"));
    assert!(ala.contains("<details>"), "folded while nothing is chosen");
    assert!(
        ala.contains("</label><ul><li>"),
        "finer competencies are listed inside their parent"
    );
    assert!(page.contains("value=\"cpla\"> Certified Public Library Administrator (CPLA)</label>"));
    assert!(page.contains("name=\"certifications\" value=\"lssc\""));

    let form = complete(
        &page,
        "A course toward two certifications",
        ("2027-05-04", "10:00", "America/Denver"),
    );
    let mut form = with(form, "competencies", "cpla:BF");
    form.push(("certifications".into(), "cpla".into()));
    form.push(("certifications".into(), "lssc".into()));
    assert_eq!(send(&agent, &server, NEW, &form).0, 303);
    let offering = approve_and_read(&catalog, &server, "a-course-toward-two-certifications");
    assert_eq!(
        offering["certifications"],
        serde_json::json!(["cpla", "lssc"])
    );
    assert_eq!(offering["competencies"], serde_json::json!(["cpla:BF"]));
}

#[test]
fn a_chosen_competency_opens_its_framework_when_the_form_comes_back() {
    let (_catalog, server, agent) = signed_in();
    let page = new_form(&agent, &server);
    let form = complete(&page, "", ("2027-05-04", "", ""));
    let form = with(form, "competencies", "lssc:FLS.3");
    let (status, page) = send(&agent, &server, NEW, &form);
    assert_eq!(status, 422);
    let lssc = &page[page.find("id=\"framework-lssc\"").unwrap()..];
    assert!(lssc[..lssc.find("</fieldset>").unwrap()].contains("<details open>"));
    assert!(page.contains("value=\"lssc:FLS.3\" checked"));
    let cpla = &page[page.find("id=\"framework-cpla\"").unwrap()..];
    assert!(cpla[..cpla.find("</fieldset>").unwrap()].contains("<details>"));
}
