//! The web front end at `/`: the Vite build of `web/`, compiled into the binary (server/build.rs).
//!
//! Hashed files under `/assets/` are immutable for a year; every other path that is not the API
//! answers `index.html` (the app routes in the browser) with `no-store`, so a new release is
//! picked up on the next load. Each response carries a Content-Security-Policy that lets the page
//! load code only from this server: no CDN, no inline script, no eval.

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response, handler};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "$OUT_DIR/web"]
struct Assets;

/// Scripts, connections, fonts and images from this origin only. Styles also allow inline
/// `style` attributes: Element Plus positions popups and sizes table columns with them, and the
/// print documents (opened from a blob in a new tab, which inherits this policy) carry their own
/// `<style>`. Scripts never run inline.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; manifest-src 'self'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Whether the front end is in this build (the tests check the real one is).
pub fn index_html() -> Option<Vec<u8>> {
    Assets::get("index.html").map(|f| f.data.into_owned())
}

fn secure(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}

fn file(path: &str, cache: &'static str) -> Option<Response> {
    let f = Assets::get(path)?;
    let mime = match f.metadata.mimetype() {
        "text/html" => "text/html; charset=utf-8".to_owned(),
        m => m.to_owned(),
    };
    Some(
        Response::builder()
            .header(header::CONTENT_TYPE, mime)
            .header(header::CACHE_CONTROL, cache)
            .body(f.data.into_owned()),
    )
}

/// `GET /` and `GET /{path}` for everything the API and health routes do not take.
#[handler]
pub fn serve(req: &Request) -> Response {
    let path = req.uri().path().trim_start_matches('/');
    if path == "api" || path.starts_with("api/") {
        // An unknown API path is a problem+json 404, never the app's HTML.
        return shuanglian_http::api::problem_response(poem::Error::from_status(
            StatusCode::NOT_FOUND,
        ));
    }
    if let Some(asset) = path.strip_prefix("assets/") {
        return secure(
            file(&format!("assets/{asset}"), IMMUTABLE)
                .unwrap_or_else(|| StatusCode::NOT_FOUND.into_response()),
        );
    }
    // Files at the root of the build (favicon.ico); anything else is a route of the app.
    if !path.is_empty()
        && !path.contains('/')
        && path != "index.html"
        && let Some(r) = file(path, "public, max-age=86400")
    {
        return secure(r);
    }
    secure(match file("index.html", "no-store") {
        Some(r) => r,
        None => StatusCode::NOT_FOUND.into_response(),
    })
}

/// The front end's endpoint, with gzip/brotli for clients that ask (text assets shrink 3–4×).
pub fn endpoint() -> impl Endpoint<Output = Response> {
    use poem::EndpointExt;
    serve
        .with(poem::middleware::Compression::new())
        .map_to_response()
}

#[cfg(test)]
mod tests {
    use poem::test::TestClient;

    fn header(resp: &poem::test::TestResponse, name: &str) -> String {
        resp.0
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn the_app_is_served_with_its_policy_and_cache_rules() {
        let index = String::from_utf8(super::index_html().expect("the build embeds the app"))
            .expect("utf-8");
        let script = index
            .split('"')
            .find(|s| s.starts_with("/assets/") && s.ends_with(".js"))
            .expect("index.html loads a hashed script")
            .to_owned();
        let cli = TestClient::new(super::endpoint());

        for path in [
            "/",
            "/members/01a24c62-0000-7000-8000-000000000000",
            "/filings?period=2026Q3",
        ] {
            let resp = cli.get(path).send().await;
            resp.assert_status_is_ok();
            assert_eq!(header(&resp, "cache-control"), "no-store", "{path}");
            assert_eq!(header(&resp, "content-type"), "text/html; charset=utf-8");
            let csp = header(&resp, "content-security-policy");
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"),
                "{csp}"
            );
            assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
            assert_eq!(header(&resp, "x-content-type-options"), "nosniff");
            resp.assert_text(&index).await;
        }

        let resp = cli
            .get(&script)
            .header("accept-encoding", "gzip")
            .send()
            .await;
        resp.assert_status_is_ok();
        assert_eq!(header(&resp, "cache-control"), super::IMMUTABLE);
        assert_eq!(header(&resp, "content-encoding"), "gzip");
        assert!(header(&resp, "content-type").contains("javascript"));

        // A missing asset is a 404, not the app (a stale tab must not run HTML as a script).
        cli.get("/assets/index-00000000.js")
            .send()
            .await
            .assert_status(poem::http::StatusCode::NOT_FOUND);
        // An unknown API path is the API's problem+json, not the app.
        let resp = cli.get("/api/v2/members").send().await;
        resp.assert_status(poem::http::StatusCode::NOT_FOUND);
        assert!(header(&resp, "content-type").starts_with("application/problem+json"));
    }

    #[test]
    fn no_asset_comes_from_another_origin() {
        // The intranet has no internet: index.html and the scripts name no http(s) origin.
        let index = String::from_utf8(super::index_html().unwrap()).unwrap();
        assert!(
            !index.contains("http://") && !index.contains("https://"),
            "{index}"
        );
        for name in super::Assets::iter().filter(|n| n.ends_with(".css") || n.ends_with(".html")) {
            let text =
                String::from_utf8(super::Assets::get(&name).unwrap().data.into_owned()).unwrap();
            assert!(
                !text.contains("url(http"),
                "{name} loads from another origin"
            );
            assert!(
                !text.contains("@import url(\"http"),
                "{name} imports from another origin"
            );
        }
    }
}
