//! The indicators in the service: who makes a request ([`Caller`], an extractor), who may
//! read the dashboard (everyone, or the holders of the admin token when the setting says
//! so), and the report of a period, which the API's exports and the web page both show.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use super::error::ApiError;
use super::state::current_client;
use super::AppState;
use crate::indicators::period::Period;
use crate::indicators::report::{Report, DEFAULT_OLDER_THAN};
use crate::indicators::{Caller, Day, Entry};
use crate::model::Date;

/// Oldest age, in years, a document may be asked to be older than.
pub const MAX_OLDER_THAN: u32 = 100;

/// What the dashboard is asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndicatorsQuery {
    /// First day; by default the first day of the month eleven months ago.
    pub from: Option<Date>,
    /// Last day; by default today.
    pub to: Option<Date>,
    /// Years past which a document counts as old.
    pub older_than: Option<u32>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Infallible;

    /// The entry from the path; the client, as the rate limiter sees it, only when the
    /// texts of searches without results are kept (it never goes further than their count).
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, Infallible> {
        let zero_results = state.indicators().options().zero_results;
        Ok(Caller {
            entry: Entry::of_path(parts.uri.path()),
            client: if zero_results { current_client() } else { None },
        })
    }
}

impl AppState {
    /// Lets the request through when the dashboard is public, or when it carries the admin
    /// token (`Authorization: Bearer <token>`, or as the password of HTTP Basic, which
    /// browsers ask for by themselves).
    pub fn check_dashboard_access(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        if !self.indicators().options().private {
            return Ok(());
        }
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok());
        match (&self.options().admin_token, presented) {
            (Some(token), Some(presented)) if token.verify_authorization(presented) => Ok(()),
            _ => Err(ApiError::Unauthorized),
        }
    }

    /// The dashboard for `query`: use over the period, and the coverage of the commit served.
    pub async fn indicators_report(&self, query: IndicatorsQuery) -> Result<Report, ApiError> {
        let period = Period::new(query.from, query.to, Day::today())
            .map_err(|error| ApiError::BadParameter(error.to_string()))?;
        let older_than = query.older_than.unwrap_or(DEFAULT_OLDER_THAN);
        if !(1..=MAX_OLDER_THAN).contains(&older_than) {
            return Err(ApiError::BadParameter(format!(
                "the age of old documents must be between 1 and {MAX_OLDER_THAN} years"
            )));
        }
        let indicators = self.indicators().clone();
        self.run(move |engine| {
            indicators
                .report(engine, period, older_than)
                .map_err(ApiError::internal)
        })
        .await
    }
}
