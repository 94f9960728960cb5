//! The caller of the signed service API (`/api/v1/service/…`): an app, not
//! a browser. The signature covers the exact bytes of the body, so the
//! extractor keeps them raw and nothing is parsed before
//! [`SignedCall::verify`] has checked them.

use crate::caller::Caller;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, OriginalUri, Query, Request};
use domain::service_apps::{Scope, SignedRequest, VerifiedApp};
use domain::{ClientInfo, UserCenter};
use http::{HeaderMap, Method};
use serde::de::DeserializeOwned;
use shared::{AppError, ErrorCode};

/// The signed parts of a service request, and where it came from.
pub struct SignedCall {
    method: Method,
    uri: http::Uri,
    headers: HeaderMap,
    body: Bytes,
    /// The calling server's address (the app's, not its end user's).
    pub client: ClientInfo,
}

impl<S: Send + Sync> FromRequest<S> for SignedCall {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        // Nested routers see a shortened path; the app signed the full one.
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
        let client = Caller::from_parts(&parts).client;
        let (method, headers) = (parts.method.clone(), parts.headers.clone());
        // `Bytes` keeps the route's body limit (`DefaultBodyLimit`).
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| {
                let code = if e.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
                    ErrorCode::PayloadTooLarge
                } else {
                    ErrorCode::InvalidInput
                };
                ApiError(AppError::new(code))
            })?;
        Ok(SignedCall {
            method,
            uri,
            headers,
            body,
            client,
        })
    }
}

impl SignedCall {
    /// Verifies the signature and the scope; `idempotent` for wallet calls,
    /// whose transaction id is the movement's idempotency key.
    pub async fn verify(
        &self,
        uc: &UserCenter,
        scope: Scope,
        idempotent: bool,
    ) -> Result<VerifiedApp, ApiError> {
        let path = self
            .uri
            .path_and_query()
            .map_or(self.uri.path(), |p| p.as_str());
        let app = uc
            .verify_service_request(
                SignedRequest {
                    app_id: self.header("x-app-id"),
                    req_time: self.header("x-req-time"),
                    transaction_id: self.header("x-transaction-id"),
                    sign: self.header("x-sign"),
                    method: self.method.as_str(),
                    path,
                    body: &self.body,
                },
                idempotent,
            )
            .await?;
        app.require(scope)?;
        Ok(app)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `X-Transaction-Id` (empty when missing; [`SignedCall::verify`]
    /// refuses such a call first).
    pub fn transaction_id(&self) -> &str {
        self.header("x-transaction-id").unwrap_or("")
    }

    /// The query string as `T`; call after [`SignedCall::verify`].
    pub fn query<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        Query::<T>::try_from_uri(&self.uri)
            .map(|Query(q)| q)
            .map_err(|e| {
                ApiError(AppError::with_message(
                    ErrorCode::InvalidInput,
                    e.body_text(),
                ))
            })
    }

    /// The body as JSON `T`; call after [`SignedCall::verify`].
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            ApiError(AppError::with_message(
                ErrorCode::InvalidInput,
                e.to_string(),
            ))
        })
    }
}
