//! A corridor web application per test, with a small generated demo data
//! set, accounts for every role, and a client that keeps its session
//! cookie and sends the CSRF token like the browser does.

use std::io::Write as _;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use corridor_domain::{Scope, UserRole};
use corridor_store::{NewAuditEntry, NewUser, ReferenceData, Store};
use corridor_web::{AppState, Clock, generate_token, hash_password, router};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use sqlx::Executor;
use tower::ServiceExt;

/// The demo data set is generated as of this day; the server works as of it.
pub const TODAY: Date = date(2026, 2, 1);
pub const PASSWORD: &str = "a long test password";
/// The organisation of the referrer account: a referring facility of the demo.
pub const REFERRER_ORGANISATION: &str = "nasser-medical-complex";

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(PASSWORD).unwrap())
        .clone()
}

pub struct TestApp {
    pub backend: &'static str,
    pub state: AppState,
    router: Router,
    _directory: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

/// The apps every test runs against: SQLite always, PostgreSQL when
/// CORRIDOR_TEST_POSTGRES_URL is set (otherwise it says it was skipped).
pub async fn apps() -> Vec<TestApp> {
    apps_with_demo(SMALL_DEMO).await
}

/// The waiting patients of the demo most tests load.
const SMALL_DEMO: u32 = 300;

/// As [`apps`], with a demo of `waiting_patients` (`corridor serve --demo`
/// loads 20,000) for a test that needs the real demo's size.
pub async fn apps_with_demo(waiting_patients: u32) -> Vec<TestApp> {
    let mut all = vec![TestApp::sqlite_with_demo(waiting_patients).await];
    match TestApp::postgres_with_demo(waiting_patients).await {
        Some(app) => all.push(app),
        None => {
            let _ = writeln!(
                std::io::stderr(),
                "PostgreSQL half SKIPPED: set CORRIDOR_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres to run it"
            );
        }
    }
    all
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        TestApp::sqlite_with_demo(SMALL_DEMO).await
    }

    async fn sqlite_with_demo(waiting_patients: u32) -> TestApp {
        let directory = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", directory.path().join("web.db").display());
        TestApp::open(&url, "SQLite", Some(directory), None, waiting_patients).await
    }

    async fn postgres_with_demo(waiting_patients: u32) -> Option<TestApp> {
        let admin_url = std::env::var("CORRIDOR_TEST_POSTGRES_URL")
            .ok()
            .filter(|url| !url.is_empty())?;
        sqlx::any::install_default_drivers();
        let name = format!(
            "corridor_web_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            Timestamp::now().as_microsecond() % 1_000_000
        );
        let admin = sqlx::AnyPool::connect(&admin_url).await.unwrap();
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .unwrap();
        admin.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(base, _)| base)
            .to_string();
        let url = format!("{base}/{name}");
        Some(
            TestApp::open(
                &url,
                "PostgreSQL",
                None,
                Some((admin_url, name)),
                waiting_patients,
            )
            .await,
        )
    }

    async fn open(
        url: &str,
        backend: &'static str,
        directory: Option<tempfile::TempDir>,
        postgres: Option<(String, String)>,
        waiting_patients: u32,
    ) -> TestApp {
        let store = Store::open(url).await.unwrap();
        load_demo(&store, waiting_patients).await;
        let state = AppState {
            store,
            clock: Clock {
                fixed_today: Some(TODAY),
            },
            forecasts: Default::default(),
            notices_secret: None,
            secure_cookies: false,
        };
        let app = TestApp {
            backend,
            router: router(state.clone()),
            state,
            _directory: directory,
            postgres,
        };
        for role in UserRole::ALL {
            app.add_user(
                role.as_str(),
                *role,
                role.default_scope(),
                organisation_of(*role),
            )
            .await;
        }
        app
    }

    pub async fn add_user(
        &self,
        username: &str,
        role: UserRole,
        scope: Scope,
        organisation: Option<&str>,
    ) {
        self.state
            .store
            .create_user(
                &NewUser {
                    username: username.to_string(),
                    display_name: format!("Test {username}"),
                    role,
                    scope,
                    organisation: organisation.map(|id| {
                        corridor_domain::OrganisationId::parse("organisation", id).unwrap()
                    }),
                    password_hash: password_hash(),
                },
                now(),
                "test",
            )
            .await
            .unwrap();
    }

    /// Moves the app's clock to `today`, on the same database (sessions
    /// and tokens stay valid): clients made before keep the old clock until
    /// they [`Client::follow`] the app.
    pub fn set_today(&mut self, today: Date) {
        self.state.clock.fixed_today = Some(today);
        self.router = router(self.state.clone());
    }

    /// Takes delivery reports signed with `secret`, as `corridor serve
    /// --notices-secret` does.
    pub fn set_notices_secret(&mut self, secret: &str) {
        self.state.notices_secret = Some(secret.to_string());
        self.router = router(self.state.clone());
    }

    pub fn anonymous(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookie: None,
            csrf: None,
            bearer: None,
        }
    }

    /// A browser signed in as the account named after `role` (e.g. "coordinator").
    pub async fn signed_in(&self, role: UserRole) -> Client {
        self.signed_in_as(role.as_str()).await
    }

    pub async fn signed_in_as(&self, username: &str) -> Client {
        let mut client = self.anonymous();
        let form = client.get("/sign-in").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let reply = client
            .post_form(
                "/sign-in",
                &[("username", username), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "sign-in as {username}: {}",
            reply.body
        );
        // The token is renewed on sign-in; read it from the next page.
        let page = client.get("/").await;
        client.csrf = csrf_in(&page.body);
        client
    }

    /// An integration using an API token of the account named after `role`.
    pub async fn with_token(&self, role: UserRole) -> Client {
        let (token, hash) = generate_token();
        self.state
            .store
            .create_api_token(role.as_str(), "test", &hash, now(), "test")
            .await
            .unwrap();
        Client {
            router: self.router.clone(),
            cookie: None,
            csrf: None,
            bearer: Some(token),
        }
    }

    /// The audit entries, oldest first.
    pub async fn audit(&self) -> Vec<corridor_store::AuditEntry> {
        let mut entries = self.state.store.audit_tail(100_000).await.unwrap();
        entries.reverse();
        entries
    }

    pub async fn finish(self) {
        self.state.store.close().await;
        if let Some((admin_url, name)) = &self.postgres {
            let admin = sqlx::AnyPool::connect(admin_url).await.unwrap();
            admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .await
                .unwrap();
            admin.close().await;
        }
    }
}

pub fn organisation_of(role: UserRole) -> Option<&'static str> {
    (role == UserRole::Referrer).then_some(REFERRER_ORGANISATION)
}

pub fn now() -> Timestamp {
    "2026-02-01T10:00:00Z".parse().unwrap()
}

async fn load_demo(store: &Store, waiting_patients: u32) {
    let data = corridor_demo::generate(&corridor_demo::DemoConfig {
        seed: 7,
        today: TODAY,
        now: now(),
        waiting_patients,
    });
    let reference = ReferenceData {
        organisations: data.organisations,
        crossings: data.crossings,
        quotas: data.quotas,
        countries: data.countries,
        facilities: data.facilities,
        figures: data.figures,
        crossing_rules: data.crossing_rules,
        luggage_rules: data.luggage_rules,
    };
    let audit = NewAuditEntry {
        at: now(),
        actor: "test".to_string(),
        action: "dataset.load-demo".to_string(),
        subject: "demo".to_string(),
        detail: serde_json::json!({}),
    };
    store
        .load_dataset(
            &reference,
            &data.cases,
            &data.luggage,
            &data.contacts,
            &data.consignments,
            &audit,
            &mut |_| {},
        )
        .await
        .unwrap();
}

/// The CSRF token in a page's forms.
pub fn csrf_in(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

#[derive(Clone)]
pub struct Client {
    router: Router,
    cookie: Option<String>,
    pub csrf: Option<String>,
    bearer: Option<String>,
}

impl Client {
    /// Talks to the app as it is now (after [`TestApp::set_today`]).
    pub fn follow(&mut self, app: &TestApp) {
        self.router = app.router.clone();
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an RFC 9457 problem document with this status; returns it.
    pub fn problem(&self, status: StatusCode) -> serde_json::Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "{}",
            self.body
        );
        let problem = self.json();
        assert_eq!(problem["status"], status.as_u16());
        assert!(
            problem["detail"].as_str().is_some_and(|d| d.len() > 10),
            "a problem says what to do: {problem}"
        );
        problem
    }
}

impl Client {
    pub async fn get(&mut self, path: &str) -> Reply {
        self.send(Method::GET, path, None, None).await
    }

    /// A form post as the browser sends it, with the page's CSRF token.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone();
        if let Some(token) = csrf.as_deref() {
            all.push(("csrf", token));
        }
        let body = serde_urlencoded::to_string(&all).unwrap();
        self.send(
            Method::POST,
            path,
            Some(("application/x-www-form-urlencoded", body)),
            None,
        )
        .await
    }

    /// A JSON request; with a session, the CSRF token goes in its header.
    pub async fn send_json(
        &mut self,
        method: Method,
        path: &str,
        body: &serde_json::Value,
    ) -> Reply {
        let csrf = self.csrf.clone();
        self.send(
            method,
            path,
            Some(("application/json", body.to_string())),
            csrf.as_deref(),
        )
        .await
    }

    /// A request with an API token, whatever this client otherwise uses.
    pub async fn send_bearer(mut self, method: Method, path: &str, token: &str) -> Reply {
        self.bearer = Some(token.to_string());
        self.send(method, path, None, None).await
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<(&str, String)>,
        csrf_header: Option<&str>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = csrf_header {
            request = request.header("x-csrf-token", token);
        }
        match body {
            Some((content_type, body)) => {
                request = request.header(header::CONTENT_TYPE, content_type);
                self.send_request(request, Body::from(body)).await
            }
            None => self.send_request(request, Body::empty()).await,
        }
    }

    /// A file sent with a form (`multipart/form-data`, field `file`), as a
    /// browser sends it: the session's CSRF token in the action's query.
    pub async fn upload(&mut self, path: &str, name: &str, file: &[u8]) -> Reply {
        let boundary = "corridor-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let csrf = self.csrf.clone().unwrap_or_default();
        let request = Request::builder()
            .method(Method::POST)
            .uri(format!("{path}?csrf={csrf}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
        self.send_request(request, Body::from(body)).await
    }

    /// Any request, with this client's cookie or token added.
    pub async fn send_request(
        &mut self,
        mut request: axum::http::request::Builder,
        body: Body,
    ) -> Reply {
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        if let Some(token) = &self.bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = request.body(body).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        // A small cookie jar: each cookie set replaces the one of its name.
        for set_cookie in response.headers().get_all(header::SET_COOKIE) {
            let pair = set_cookie
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string();
            let name = pair.split('=').next().unwrap_or_default().to_string();
            let mut jar: Vec<String> = self
                .cookie
                .iter()
                .flat_map(|cookies| cookies.split("; "))
                .filter(|cookie| cookie.split('=').next() != Some(name.as_str()))
                .map(str::to_string)
                .collect();
            jar.push(pair);
            self.cookie = Some(jar.join("; "));
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
            .await
            .unwrap();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if self.csrf.is_none()
            && let Some(token) = csrf_in(&body)
        {
            self.csrf = Some(token);
        }
        Reply {
            status,
            headers,
            body,
        }
    }
}

/// One route of the application and the permission it needs: the route ×
/// role matrix in `routes.rs` runs every case for every role.
pub struct RouteCase {
    pub method: &'static str,
    /// With a real id of the small demo where the route takes one.
    pub path: &'static str,
    /// JSON body for API routes, form body (`a=1&b=2`, CSRF added) for pages.
    pub body: Option<&'static str>,
    pub permission: corridor_domain::Permission,
    /// What a role with the permission may get, in the order the matrix
    /// runs: a comment says why for anything but a success (200, 201, 303).
    /// Never a 5xx.
    pub answers: &'static [StatusCode],
}
