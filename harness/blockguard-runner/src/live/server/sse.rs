//! `GET /events`: the run's changes as Server-Sent Events, in order, each
//! with its id. A client starts after `?after=N` (the `event_id` of the
//! `/api/run` it read) or after its `Last-Event-ID` when it reconnects.

use crate::live::hub::{Hub, LoggedEvent};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Deserialize)]
pub(super) struct After {
    after: Option<u64>,
}

struct Cursor {
    live: Arc<Hub>,
    logged: watch::Receiver<u64>,
    next_after: u64,
    pending: VecDeque<LoggedEvent>,
}

pub(super) async fn events(
    State(live): State<Arc<Hub>>,
    Query(query): Query<After>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let resumed = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let cursor = Cursor {
        logged: live.subscribe(),
        live,
        next_after: resumed.or(query.after).unwrap_or(0),
        pending: VecDeque::new(),
    };
    let stream = stream::unfold(cursor, |mut cursor| async move {
        loop {
            if let Some(event) = cursor.pending.pop_front() {
                let sse = Event::default()
                    .id(event.id.to_string())
                    .event(event.event)
                    .data(event.data.to_string());
                return Some((Ok(sse), cursor));
            }
            let fresh = cursor.live.events_after(cursor.next_after);
            if let Some(last) = fresh.last() {
                cursor.next_after = last.id;
                cursor.pending.extend(fresh);
                continue;
            }
            // Nothing new: wait for the log to grow.
            cursor.logged.borrow_and_update();
            if cursor.live.events_after(cursor.next_after).is_empty()
                && cursor.logged.changed().await.is_err()
            {
                return None;
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
