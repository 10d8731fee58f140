//! The API's contract: an OpenAPI 3.1 document generated from the handlers' `#[utoipa::path]`
//! attributes and the request and response types (`utoipa::ToSchema`), served at
//! `/openapi.json`, and as a reference page at `/docs` (rendered in the browser from the document
//! inlined in it: no CDN). Each authenticated operation's security requirement lists the roles that
//! may call it (OpenAPI 3.1 allows role names for non-OAuth schemes); `tests/openapi.rs` walks
//! every operation of the document and proves what it says.

use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{accounts, handlers, tokens};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "builtenv",
        description = "The BuiltEnvironment.ai backend. Sign up (`POST /signup`), log in (`POST /login`) for a bearer token, then call the tenant's routes with `Authorization: Bearer <token>`. A path naming another tenant is 404."
    ),
    paths(
        accounts::signup,
        accounts::login,
        accounts::logout,
        accounts::me,
        handlers::get_tenant,
        handlers::list_projects,
        handlers::create_project,
        handlers::get_project,
        handlers::update_project,
        handlers::list_documents,
        handlers::create_document,
        handlers::list_audit_events,
        accounts::list_users,
        accounts::create_user,
        tokens::list_api_tokens,
        tokens::create_api_token,
        tokens::revoke_api_token,
    ),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

/// The `bearer` security scheme the operations name.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The reference page: HTML with inline style and script and the document inlined (no CDN, no
/// other request), rendered by the browser.
const REFERENCE: &str = include_str!("reference.html");

/// `GET /docs`: the API reference page.
pub async fn reference() -> Response {
    let json = serde_json::to_string(&ApiDoc::openapi()).unwrap_or_default();
    // Inside <script>, `</` would end the element: JSON allows `<\/` for it.
    let page = REFERENCE.replace("__OPENAPI__", &json.replace("</", "<\\/"));
    axum::response::Html(page).into_response()
}

/// `GET /openapi.json`.
pub async fn openapi_json() -> Response {
    axum::Json(ApiDoc::openapi()).into_response()
}
