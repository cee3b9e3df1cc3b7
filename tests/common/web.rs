//! Speaking to a server as a person does: an agent that keeps cookies and does not follow
//! redirects, signing in through the form with its CSRF token, forms and file uploads.

use super::{Catalog, Server};
use ureq::Agent;

pub const PASSWORD: &str = "a long enough password";

pub fn add_user(catalog: &Catalog, args: &[&str]) {
    let output = catalog.add_user(args, PASSWORD);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The provider account most tests use: an editor of the Public Library Association.
pub const PLA_EDITOR: &str = "editor@pla.example.org";

/// Adds `PLA_EDITOR`, a provider user of `ala-pla`.
pub fn add_pla_editor(catalog: &Catalog) {
    add_user(
        catalog,
        &[
            "--email",
            PLA_EDITOR,
            "--role",
            "provider",
            "--provider",
            "ala-pla",
        ],
    );
}

pub fn agent() -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

pub fn get(agent: &Agent, server: &Server, path: &str) -> (u16, String, String) {
    answer(agent.get(&server.url(path)).call().unwrap())
}

pub fn post(
    agent: &Agent,
    server: &Server,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    answer(
        agent
            .post(&server.url(path))
            .send_form(form.iter().copied())
            .unwrap(),
    )
}

/// Status, `Location` (empty when none) and body.
fn answer(mut response: ureq::http::Response<ureq::Body>) -> (u16, String, String) {
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        response.status().as_u16(),
        location,
        response.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// The value of a hidden input in a page.
pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in the page"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

pub fn sign_in(server: &Server, email: &str) -> Agent {
    let (agent, location) = sign_in_to(server, email);
    assert!(location == "/provider" || location == "/admin");
    agent
}

/// Signs in through `/login`: the agent and where the sign-in sent it.
pub fn sign_in_to(server: &Server, email: &str) -> (Agent, String) {
    let agent = agent();
    let (_, _, page) = get(&agent, server, "/login");
    let csrf = hidden(&page, "csrf");
    let (status, location, _) = post(
        &agent,
        server,
        "/login",
        &[("email", email), ("password", PASSWORD), ("csrf", &csrf)],
    );
    assert_eq!(status, 303, "signing in {email}");
    (agent, location)
}

/// Sends `content` as the upload form's file `name`.
pub fn upload(
    agent: &Agent,
    server: &Server,
    csrf: &str,
    name: &str,
    content: &str,
) -> (u16, String) {
    let parts = [
        Part::Field("csrf", csrf),
        Part::File("file", name, content.as_bytes()),
    ];
    let (status, _, body) = multipart(agent, server, "/provider/upload", &parts);
    (status, body)
}

/// Sends the same file again as the confirmation page does, its edits confirmed.
pub fn confirm_upload(
    agent: &Agent,
    server: &Server,
    csrf: &str,
    name: &str,
    content: &str,
) -> (u16, String) {
    let parts = [
        Part::Field("csrf", csrf),
        Part::Field("name", name),
        Part::Field("confirm_edits", "yes"),
        Part::Field("content", content),
    ];
    let (status, _, body) = multipart(agent, server, "/provider/upload", &parts);
    (status, body)
}

/// A part of a multipart form: a field, or a file with its name.
pub enum Part<'a> {
    Field(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

/// Posts `parts` as `multipart/form-data` to `path`: status, `Location` and body.
pub fn multipart(
    agent: &Agent,
    server: &Server,
    path: &str,
    parts: &[Part<'_>],
) -> (u16, String, String) {
    let boundary = "----clearinghouse-test-boundary";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Field(name, value) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            ),
            Part::File(name, file, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let response = agent
        .post(&server.url(path))
        .header(
            "Content-Type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .send(&body[..])
        .unwrap();
    answer(response)
}

/// What a browser would send for the form whose opening tag contains `marker`, untouched: its
/// inputs (checkboxes only when ticked), textareas and selected options, by name.
pub fn form_fields(page: &str, marker: &str) -> Vec<(String, String)> {
    let start = page.find(marker).expect("the form is in the page");
    let form = &page[start..start + page[start..].find("</form>").unwrap()];
    let mut fields = Vec::new();
    for (index, _) in form.match_indices('<') {
        let rest = &form[index + 1..];
        let tag = &rest[..rest.find('>').unwrap()];
        let name = attribute(tag, "name");
        if tag.starts_with("input ") {
            let kind = attribute(tag, "type").unwrap_or_default();
            let ticked = !matches!(kind.as_str(), "checkbox" | "radio") || has_flag(tag, "checked");
            if let (Some(name), true) = (name, ticked && kind != "submit") {
                fields.push((name, attribute(tag, "value").unwrap_or_default()));
            }
        } else if let (true, Some(name)) = (tag.starts_with("textarea "), name.clone()) {
            let text = &rest[tag.len() + 1..];
            fields.push((name, unescape(&text[..text.find("</textarea>").unwrap()])));
        } else if let (true, Some(name)) = (tag.starts_with("select "), name) {
            let options = &rest[..rest.find("</select>").unwrap()];
            let chosen = options
                .split("<option ")
                .find(|option| has_flag(&option[..option.find('>').unwrap_or(0)], "selected"))
                .and_then(|option| attribute(&format!(" {option}"), "value"))
                .unwrap_or_default();
            fields.push((name, chosen));
        }
    }
    fields
}

/// The value of an attribute in a tag's text, unescaped.
pub fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let value = &tag[start..];
    Some(unescape(&value[..value.find('"')?]))
}

fn has_flag(tag: &str, flag: &str) -> bool {
    tag.split_whitespace().any(|word| word == flag)
}

/// Text as askama escaped it, back as it was.
pub fn unescape(text: &str) -> String {
    text.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
}

/// The opening tag of the element with this `id`.
pub fn tag_with_id<'a>(page: &'a str, id: &str) -> &'a str {
    let at = page
        .find(&format!(" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element #{id}"));
    let start = page[..at].rfind('<').unwrap();
    &page[start..at + page[at..].find('>').unwrap() + 1]
}
