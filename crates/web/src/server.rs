//! The router and the HTTP server.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, header};
use axum::middleware;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::access_log::access_log;
use crate::auth::csrf::{MAX_FORM_BYTES, check_csrf};
use crate::auth::session_store::DatabaseSessionStore;
use crate::error::{not_found, uniform_errors};
use crate::notices::NoticeSender;
use crate::pages::PageRoutes;
use crate::state::AppState;

/// The session ends after this long without a request.
const SESSION_IDLE_HOURS: i64 = 8;

pub struct Config {
    /// Where to listen, e.g. `127.0.0.1:8080`; port 0 picks a free port.
    pub address: SocketAddr,
}

/// Every route that is not an operation of the OpenAPI document (the pages,
/// the stylesheet and the document itself), as method and path template.
pub fn routes_outside_the_api() -> Vec<(Method, &'static str)> {
    other_routes(std::sync::Arc::default()).listed().to_vec()
}

fn other_routes(openapi_json: std::sync::Arc<String>) -> PageRoutes {
    crate::pages::routes().get("/api/openapi.json", move || {
        let json = openapi_json.clone();
        async move {
            (
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::CACHE_CONTROL, "public, max-age=300"),
                ],
                (*json).clone(),
            )
        }
    })
}

/// The whole application: pages, API, OpenAPI document and assets.
pub fn router(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(DatabaseSessionStore::new(state.store.clone()))
        .with_name("corridor_session")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(state.secure_cookies)
        .with_expiry(Expiry::OnInactivity(Duration::hours(SESSION_IDLE_HOURS)));
    let (api, openapi) = crate::api::router().split_for_parts();
    let openapi_json = std::sync::Arc::new(openapi.to_pretty_json().unwrap_or_default());
    Router::new()
        .merge(other_routes(openapi_json).into_router())
        .merge(api)
        .fallback(not_found)
        .layer(middleware::from_fn(check_csrf))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_FORM_BYTES))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn_with_state(state.clone(), uniform_errors))
        // Outside `uniform_errors`, so that every error page, even one made
        // before a handler runs, shows the signed-in user's navigation.
        .layer(sessions)
        // Outside both, so that every page and error page has its words.
        .layer(middleware::from_fn(crate::i18n::choose_language))
        // Personal data must not stay in a browser's or a proxy's cache:
        // only the stylesheet and the OpenAPI document say otherwise.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(middleware::from_fn(access_log))
        .with_state(state)
}

/// A bound server; `run` serves until the process is interrupted.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: Router,
    state: AppState,
    notices: Option<NoticeSender>,
}

/// How often the sender looks for due notices.
const NOTICES_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

impl Server {
    pub async fn bind(config: &Config, state: AppState) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(config.address).await?;
        Ok(Server {
            listener,
            router: router(state.clone()),
            state,
            notices: None,
        })
    }

    /// Sends the outbox's due notices through `sender` while serving.
    pub fn with_notices(mut self, sender: NoticeSender) -> Server {
        self.notices = Some(sender);
        self
    }

    pub fn address(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn run(self) -> std::io::Result<()> {
        let store = self.state.store.clone();
        // Expired sessions are refused when loaded; this only keeps the
        // table from growing. Session expiry is in real time, whatever
        // day the server works as of.
        tokio::spawn(async move {
            let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                every_hour.tick().await;
                if let Err(error) = store
                    .delete_expired_web_sessions(jiff::Timestamp::now())
                    .await
                {
                    tracing::warn!(%error, "cannot delete expired sessions");
                }
            }
        });
        if let Some(sender) = self.notices {
            tokio::spawn(sender.run(self.state.store.clone(), NOTICES_EVERY));
        }
        // Made into a service once: served as a router, axum turns every
        // route into a service again for each connection, about 300 KB a
        // connection (bench/web/run.sh, 200 connections).
        axum::serve(self.listener, self.router.into_make_service())
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    }
}
