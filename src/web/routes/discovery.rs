//! How browsers and crawlers find the catalog: an OpenSearch description (so a browser can add
//! the catalog as a search engine), a sitemap of every published page, and robots.txt.

use crate::web::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, route, web};

fn base(request: &HttpRequest) -> String {
    let info = request.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[route("/opensearch.xml", method = "GET", method = "HEAD")]
pub async fn opensearch(request: HttpRequest) -> HttpResponse {
    let base = xml_escape(&base(&request));
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>CE Clearinghouse</ShortName>
  <Description>Continuing education for library staff</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Url type="text/html" method="get" template="{base}/search?q={{searchTerms}}"/>
  <Url type="application/json" method="get" template="{base}/api/v1/search?q={{searchTerms}}"/>
  <Url type="application/atom+xml" method="get" template="{base}/search.atom?q={{searchTerms}}"/>
</OpenSearchDescription>
"#
    );
    HttpResponse::Ok()
        .content_type("application/opensearchdescription+xml; charset=utf-8")
        .body(body)
}

#[route("/robots.txt", method = "GET", method = "HEAD")]
pub async fn robots(request: HttpRequest) -> HttpResponse {
    let body = format!(
        "User-agent: *\nDisallow: /provider\nDisallow: /admin\nDisallow: /search.csv\nDisallow: /api/v1/export\n\nSitemap: {}/sitemap.xml\n",
        base(&request)
    );
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(body)
}

#[route("/sitemap.xml", method = "GET", method = "HEAD")]
pub async fn sitemap(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let (published, providers, frameworks) = web::block(move || -> Result<_, ApiError> {
        let published = store.published_revisions()?;
        let providers = store.providers()?;
        let frameworks = store.frameworks()?;
        Ok((published, providers, frameworks))
    })
    .await??;
    let base = base(&request);
    let mut paths = vec![
        "/".to_owned(),
        "/search".to_owned(),
        "/providers".to_owned(),
        "/competencies".to_owned(),
    ];
    paths.extend(published.keys().map(|id| format!("/offerings/{id}")));
    paths.extend(providers.iter().map(|p| format!("/providers/{}", p.id)));
    for framework in &frameworks.frameworks {
        paths.push(format!("/competencies/{}", framework.id));
        paths.extend(
            framework
                .flatten()
                .iter()
                .map(|f| format!("/competencies/{}/{}", framework.id, f.competency.code)),
        );
    }
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths {
        body.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            xml_escape(&format!("{base}{path}"))
        ));
    }
    body.push_str("</urlset>\n");
    Ok(HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .body(body))
}

/// `GET /api/openapi.json`: the API's OpenAPI 3.1 document.
#[route("/api/openapi.json", method = "GET", method = "HEAD")]
pub async fn openapi_document() -> HttpResponse {
    HttpResponse::Ok().json(crate::web::openapi::document())
}

#[derive(askama::Template)]
#[template(path = "api.html")]
struct ApiPage {
    asset_version: &'static str,
    routes: Vec<crate::web::openapi::RouteView>,
}

/// `GET /api`: the API described for people, from the same document.
#[route("/api", method = "GET", method = "HEAD")]
pub async fn api_page() -> HttpResponse {
    let page = ApiPage {
        asset_version: crate::web::pages::asset_version(),
        routes: crate::web::openapi::routes(),
    };
    crate::web::pages::render(actix_web::http::StatusCode::OK, &page)
}
