//! The routes: the page, the run, one test, and the event stream.

use super::sse;
use crate::live::hub::Live;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;

/// The page, one self-contained file.
const PAGE: &str = include_str!("../page/index.html");

pub(super) fn app(live: Arc<Live>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/run", get(run))
        .route("/api/tests/{id}", get(test))
        .route("/events", get(sse::events))
        .with_state(live)
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

async fn run(State(live): State<Arc<Live>>) -> Response {
    axum::Json(live.run_view()).into_response()
}

async fn test(State(live): State<Arc<Live>>, Path(id): Path<String>) -> Response {
    match id.parse::<usize>().ok().and_then(|id| live.detail(id)) {
        Some(detail) => axum::Json(detail).into_response(),
        None => (StatusCode::NOT_FOUND, format!("no test {id}\n")).into_response(),
    }
}
