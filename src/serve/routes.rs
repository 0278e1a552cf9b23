//! The desk's pages and forms: each handler reads its parameters, does its store work on a
//! blocking thread (sled is synchronous) and renders a page.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use maud::Markup;
use serde::Deserialize;

use super::Desk;
use super::load::case::case_view;
use super::load::target::target_view;
use super::load::{case_list, find_case, target_summaries};
use super::pages::capture::capture_page;
use super::pages::case::case_page;
use super::pages::list::list_page;
use super::pages::target::{target_page, targets_page};
use super::pages::{STYLESHEET, STYLESHEET_PATH, case_href, message_page};
use super::query::list_query;
use super::security::Guard;
use crate::flags::ReviewStatus;
use crate::store::StoreError;

/// What every handler reaches.
#[derive(Clone)]
pub struct AppState {
    pub desk: Arc<Desk>,
    pub guard: Arc<Guard>,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list))
        .route(STYLESHEET_PATH, get(stylesheet))
        .route("/cases/{id}", get(case))
        .route("/cases/{id}/review", post(review_case))
        .route("/flags/{id}/review", post(review_flag))
        .route("/targets", get(targets))
        .route("/targets/{id}", get(target))
        .route("/captures/{id}", get(capture))
        .fallback(not_found)
}

/// Why a page cannot be shown.
#[derive(Debug)]
pub enum PageError {
    NotFound(String),
    BadRequest(String),
    Forbidden(String),
    Internal(String),
}

impl From<StoreError> for PageError {
    fn from(err: StoreError) -> Self {
        PageError::Internal(err.to_string())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            PageError::NotFound(m) => (StatusCode::NOT_FOUND, "Not found", m),
            PageError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Bad request", m),
            PageError::Forbidden(m) => (StatusCode::FORBIDDEN, "Not allowed", m),
            PageError::Internal(m) => {
                tracing::error!("review desk: {m}");
                (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", m)
            }
        };
        (status, message_page(title, &message)).into_response()
    }
}

/// Runs store work off the async workers.
pub async fn blocking<T, E>(work: impl FnOnce() -> Result<T, E> + Send + 'static) -> Result<T, E>
where
    T: Send + 'static,
    E: Send + 'static + From<String>,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| E::from(format!("a desk task failed: {e}")))?
}

impl From<String> for PageError {
    fn from(message: String) -> Self {
        PageError::Internal(message)
    }
}

async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Markup, PageError> {
    let query = list_query(raw.as_deref(), Utc::now()).map_err(PageError::BadRequest)?;
    blocking(move || {
        let desk = &state.desk;
        let list = case_list(&desk.cases()?, &desk.config, &query);
        Ok(list_page(&list, &query))
    })
    .await
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        STYLESHEET,
    )
}

async fn case(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Markup, PageError> {
    let saved = raw
        .as_deref()
        .map(|q| url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "saved"))
        .unwrap_or(false);
    blocking(move || {
        let desk = &state.desk;
        let Some(found) = find_case(&desk.cases()?, &id) else {
            return Err(PageError::NotFound(format!("No case {id}.")));
        };
        let view = case_view(&desk.store, &desk.matcher, found)?;
        Ok(case_page(&view, state.guard.csrf(), saved))
    })
    .await
}

/// A review form's fields.
#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

impl ReviewForm {
    fn check(&self, guard: &Guard) -> Result<(ReviewStatus, Option<String>), PageError> {
        if !guard.csrf_ok(&self.csrf) {
            return Err(PageError::Forbidden(
                "This form is not from this desk (or the desk restarted since it was shown): \
                 reload the page and send it again."
                    .into(),
            ));
        }
        let status = self.status.parse().map_err(PageError::BadRequest)?;
        let note = super::review_note(&self.note).map_err(PageError::BadRequest)?;
        Ok((status, note))
    }
}

async fn review_case(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Result<Redirect, PageError> {
    review(state, Reviewed::Case(id), form).await
}

async fn review_flag(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Result<Redirect, PageError> {
    review(state, Reviewed::Flag(id), form).await
}

/// What a review form decides on.
enum Reviewed {
    /// Every flag of the case with this id.
    Case(String),
    /// The flag with this id.
    Flag(String),
}

/// Records the form's decision and goes back to the case, where it was made.
async fn review(state: AppState, what: Reviewed, form: ReviewForm) -> Result<Redirect, PageError> {
    let (status, note) = form.check(&state.guard)?;
    blocking(move || {
        let desk = &state.desk;
        let cases = desk.cases()?;
        let (case, ids, anchor) = match &what {
            Reviewed::Case(id) => {
                let case = cases.iter().find(|c| &c.id == id);
                let ids = case.map(|c| c.flags.iter().map(|f| f.flag_id.clone()).collect());
                (case, ids, "review".to_string())
            }
            Reviewed::Flag(id) => (
                cases
                    .iter()
                    .find(|c| c.flags.iter().any(|f| &f.flag_id == id)),
                Some(vec![id.clone()]),
                format!("flag-{id}"),
            ),
        };
        let (Some(case), Some(ids)) = (case, ids) else {
            return Err(PageError::NotFound(match what {
                Reviewed::Case(id) => format!("No case {id}."),
                Reviewed::Flag(id) => format!("No flag {id}."),
            }));
        };
        desk.review(&ids, status, note)?;
        Ok(Redirect::to(&format!(
            "{}?saved=1#{anchor}",
            case_href(&case.id)
        )))
    })
    .await
}

async fn targets(State(state): State<AppState>) -> Result<Markup, PageError> {
    blocking(move || {
        let desk = &state.desk;
        let cases = desk.cases()?;
        Ok(targets_page(&target_summaries(
            &desk.store,
            &desk.config,
            &cases,
        )?))
    })
    .await
}

async fn target(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    blocking(move || {
        let desk = &state.desk;
        let cases = desk.cases()?;
        match target_view(
            &desk.store,
            &desk.matcher,
            &desk.config,
            &cases,
            &id,
            Utc::now(),
        )? {
            Some(view) => Ok(target_page(&view)),
            None => Err(PageError::NotFound(format!("No target {id}."))),
        }
    })
    .await
}

async fn capture(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    let number: Option<u64> = id.parse().ok();
    let missing = move || PageError::NotFound(format!("No capture {id}."));
    let Some(number) = number else {
        return Err(missing());
    };
    blocking(move || {
        let desk = &state.desk;
        match crate::show::capture(&desk.store, &desk.matcher, number)? {
            Some(view) => Ok(capture_page(&view)),
            None => Err(missing()),
        }
    })
    .await
}

async fn not_found() -> PageError {
    PageError::NotFound("There is no such page on this desk.".into())
}
