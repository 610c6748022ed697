//! The routes: the page, the run, one test, and the event stream, each
//! behind the Host check.

use super::{host, sse};
use crate::live::hub::Hub;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::net::IpAddr;
use std::sync::Arc;

/// The page, one self-contained file.
const PAGE: &str = include_str!("../page/index.html");

/// The dashboard of `live`, served on `bound`.
pub(super) fn app(live: Arc<Hub>, bound: IpAddr) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/run", get(run))
        .route("/api/tests/{id}", get(test))
        .route("/events", get(sse::events))
        .with_state(live)
        // Last, so that it wraps every route and the fallback.
        .layer(middleware::from_fn_with_state(bound, host::check))
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
        .into_response()
}

async fn run(State(live): State<Arc<Hub>>) -> Response {
    axum::Json(live.run_view()).into_response()
}

async fn test(State(live): State<Arc<Hub>>, Path(id): Path<String>) -> Response {
    match id.parse::<usize>().ok().and_then(|id| live.detail(id)) {
        Some(detail) => axum::Json(detail).into_response(),
        None => (StatusCode::NOT_FOUND, format!("no test {id}\n")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::PAGE;
    use blockguard_protocol::Class;

    #[test]
    fn the_page_orders_every_class_as_the_protocol_declares_them() {
        let names: Vec<String> = Class::ALL.iter().map(|c| format!("'{c}'")).collect();
        let order = format!("const CLASS_ORDER = [{}];", names.join(", "));
        assert!(PAGE.contains(&order), "the page lacks {order}");
    }
}
