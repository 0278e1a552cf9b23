//! The JSON API: `GET /api/flags` (the filters of `claimwatch flags`, and the list's) answers a
//! JSON array of flag records exactly as `claimwatch flags --format jsonl` prints them, and
//! `POST /api/flags/{id}/review` with `{"status": …, "note": …}` records a decision and answers
//! the flag as it now stands. Errors are `{"error": "…"}` with a 4xx or 5xx status.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;

use super::query::api_query;
use super::routes::{AppState, blocking};
use crate::flags::Flag;
use crate::store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/flags", get(list_flags))
        .route("/api/flags/{id}/review", post(review))
}

/// An API error: a status and a message, as JSON.
#[derive(Debug)]
pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.0.is_server_error() {
            tracing::error!("review desk API: {}", self.1);
        }
        (self.0, Json(serde_json::json!({ "error": self.1 }))).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, err.to_string())
    }
}

impl From<String> for ApiError {
    fn from(message: String) -> Self {
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

async fn list_flags(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<Flag>>, ApiError> {
    let query =
        api_query(raw.as_deref(), Utc::now()).map_err(|m| ApiError(StatusCode::BAD_REQUEST, m))?;
    blocking(move || {
        let store = &state.desk.store;
        let mut flags = Vec::new();
        for flag in state.desk.cases()?.iter().flat_map(|c| &c.flags) {
            if !query.filter.matches(flag) || (query.new && store.was_printed(&flag.flag_id)?) {
                continue;
            }
            flags.push(flag.clone());
        }
        // In the store's order, as `claimwatch flags` prints them.
        flags.sort_by(|a, b| (a.detected_at, &a.flag_id).cmp(&(b.detected_at, &b.flag_id)));
        if query.new {
            let ids: Vec<&str> = flags.iter().map(|f| f.flag_id.as_str()).collect();
            store.mark_printed(&ids)?;
            store.flush()?;
        }
        Ok(Json(flags))
    })
    .await
}

/// The body of `POST /api/flags/{id}/review`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    status: String,
    #[serde(default)]
    note: Option<String>,
}

async fn review(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<ReviewBody>, JsonRejection>,
) -> Result<Json<Flag>, ApiError> {
    let Json(body) = body.map_err(|e| ApiError(e.status(), e.body_text()))?;
    let bad = |m: String| ApiError(StatusCode::BAD_REQUEST, m);
    let status = body.status.parse().map_err(bad)?;
    let note = super::review_note(body.note.as_deref().unwrap_or_default()).map_err(bad)?;
    blocking(move || {
        let desk = &state.desk;
        if desk.review(std::slice::from_ref(&id), status, note)? == 0 {
            return Err(ApiError(StatusCode::NOT_FOUND, format!("no flag {id:?}")));
        }
        match desk.store.flag(&id)? {
            Some(flag) => Ok(Json(flag)),
            None => Err(ApiError(StatusCode::NOT_FOUND, format!("no flag {id:?}"))),
        }
    })
    .await
}
