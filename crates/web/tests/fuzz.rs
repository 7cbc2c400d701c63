//! Generated JSON bodies against every POST and PATCH route of the API, on
//! every database: wrong types, missing and extra fields, huge, negative
//! and fractional numbers, nulls, deep nesting, long strings, NUL and other
//! control characters, unpaired surrogates, right-to-left and combining
//! characters, and bodies of the right shape with bad values. None may get
//! a 5xx. The routes come from the OpenAPI document the server serves, so a
//! new route is covered without changing this test; the bodies come from a
//! fixed seed, so a failure repeats.

use axum::http::{Method, StatusCode};
use corridor_domain::UserRole;
use serde_json::{Map, Value, json};

use crate::harness::{Client, apps};
use crate::routes::{all_routes, same_template};

/// Bodies per route and database: a few hundred requests per database in all.
const BODIES_PER_ROUTE: usize = 16;
const SEED: u64 = 0x00c0_44d0_2026_0201;

/// SplitMix64: small, and the same numbers on every machine.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Strings that have broken servers: over every length limit, control
/// characters, bidirectional overrides, stacked combining marks, markup,
/// SQL, and non-Latin scripts.
fn bad_strings() -> Vec<String> {
    vec![
        "a NUL \u{0} inside a text long enough to pass a minimum".to_string(),
        "x".repeat(10_000),
        "line\nbreak\ttab\r".to_string(),
        "\u{0}".to_string(),
        "\u{7}\u{1b}[31mbell".to_string(),
        "\u{202e}gnp.exe\u{202c}".to_string(),
        format!("e{}", "\u{301}".repeat(500)),
        "\u{200b}\u{200d}\u{feff}".to_string(),
        "محمد عبد الله".to_string(),
        "👩‍👩‍👧‍👦".to_string(),
        "<script>alert(1)</script>".to_string(),
        "'; DROP TABLE persons; --".to_string(),
        " ".to_string(),
        String::new(),
        "P-000001".to_string(),
        "2026-02-30".to_string(),
        "-1".to_string(),
        "99999999999999999999".to_string(),
    ]
}

/// Values of every JSON type, and numbers no field can hold.
fn bad_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(-0.0),
        json!(1e300),
        json!(-1e300),
        json!(i64::MIN),
        json!(u64::MAX),
        json!([]),
        json!([1, "two", null]),
        json!({}),
        json!({"nested": {"deeper": [null]}}),
        json!("text"),
    ]
}

/// A number a JSON parser must refuse or clamp: beyond u64, written as text.
const HUGE_NUMBER: &str = "184467440737095516160000";

/// The body of a request as text: some bodies cannot be a `serde_json::Value`
/// (an unpaired surrogate escape, a number beyond any integer, deep nesting).
enum Body {
    Json(Value),
    Raw(String),
}

impl Body {
    fn text(&self) -> String {
        match self {
            Body::Json(value) => value.to_string(),
            Body::Raw(text) => text.clone(),
        }
    }
}

/// A property of a request body as the OpenAPI document declares it.
struct Property {
    name: String,
    /// `string`, `integer`, `number`, `boolean`, `array`, `object` or empty.
    kind: String,
}

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            &document["components"]["schemas"][name]
        }
        None => schema,
    }
}

fn properties(document: &Value, operation: &Value) -> Vec<Property> {
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    let schema = resolve(document, schema);
    let Some(properties) = schema["properties"].as_object() else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, property)| {
            let property = resolve(document, property);
            let kind = match &property["type"] {
                Value::String(kind) => kind.clone(),
                Value::Array(kinds) => kinds
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|kind| *kind != "null")
                    .unwrap_or_default()
                    .to_string(),
                _ => String::new(),
            };
            Property {
                name: name.clone(),
                kind,
            }
        })
        .collect()
}

/// The body `index` of a route: each kind of damage in turn, the details
/// (which field, which value) drawn from the generator.
fn body(index: usize, base: &Map<String, Value>, schema: &[Property], rng: &mut Generator) -> Body {
    let mut fields: Vec<String> = base.keys().cloned().collect();
    for property in schema {
        if !fields.contains(&property.name) {
            fields.push(property.name.clone());
        }
    }
    let some_field = |rng: &mut Generator| -> String {
        if fields.is_empty() {
            "reason".to_string()
        } else {
            rng.pick(&fields).clone()
        }
    };
    let kind_of = |name: &str| {
        schema
            .iter()
            .find(|p| p.name == name)
            .map_or("", |p| p.kind.as_str())
            .to_string()
    };
    let with = |name: String, value: Value| {
        let mut body = base.clone();
        body.insert(name, value);
        Body::Json(Value::Object(body))
    };
    match index % 8 {
        // Not an object at all, or one too deep to parse.
        0 => {
            let raw = [
                "null".to_string(),
                "0".to_string(),
                "\"text\"".to_string(),
                "[]".to_string(),
                "[{}]".to_string(),
                String::new(),
                "{".to_string(),
                "[".repeat(100_000),
                format!("{}1{}", "{\"a\":".repeat(1_000), "}".repeat(1_000)),
                HUGE_NUMBER.to_string(),
            ];
            Body::Raw(rng.pick(&raw).clone())
        }
        // A field missing.
        1 => {
            let mut body = base.clone();
            if !body.is_empty() {
                let name = body.keys().nth(rng.below(body.len())).unwrap().clone();
                body.remove(&name);
            }
            Body::Json(Value::Object(body))
        }
        // A field the route does not know.
        2 => {
            let value = rng.pick(&bad_values()).clone();
            with("unexpected_field".to_string(), value)
        }
        // A field of the wrong type.
        3 => {
            let name = some_field(rng);
            with(name, rng.pick(&bad_values()).clone())
        }
        // A string field with a bad string, in a body of the right shape.
        4 => {
            let strings: Vec<&Property> = schema.iter().filter(|p| p.kind == "string").collect();
            let name = if strings.is_empty() {
                some_field(rng)
            } else {
                rng.pick(&strings).name.clone()
            };
            with(name, Value::String(rng.pick(&bad_strings()).clone()))
        }
        // A number field with a number out of every range.
        5 => {
            let numbers: Vec<&Property> = schema
                .iter()
                .filter(|p| p.kind == "integer" || p.kind == "number")
                .collect();
            let name = if numbers.is_empty() {
                some_field(rng)
            } else {
                rng.pick(&numbers).name.clone()
            };
            let mut body = base.clone();
            body.insert(name.clone(), json!("__NUMBER__"));
            let number = rng
                .pick(&[
                    "-1",
                    "0",
                    "-9223372036854775809",
                    HUGE_NUMBER,
                    "1e999",
                    "2.5",
                    "-0",
                ])
                .to_string();
            Body::Raw(
                Value::Object(body)
                    .to_string()
                    .replace("\"__NUMBER__\"", &number),
            )
        }
        // An unpaired surrogate escape in a field's string.
        6 => {
            let name = some_field(rng);
            let escape = rng.pick(&[r"\ud800", r"\udfff", r"a\ud83d", r"\ud800\ud800"]);
            let mut body = base.clone();
            body.insert(name, json!("__SURROGATE__"));
            Body::Raw(
                Value::Object(body)
                    .to_string()
                    .replace("__SURROGATE__", escape),
            )
        }
        // Every string of the body bad at once, in the same way: a NUL,
        // then over every length limit, then control characters, so that
        // each route meets these whatever the generator draws.
        _ => {
            let attack = &bad_strings()[(index / 8) % 4];
            let mut body = base.clone();
            for name in &fields {
                let kind = kind_of(name);
                if kind == "string"
                    || (kind.is_empty() && base.get(name).is_some_and(Value::is_string))
                {
                    body.insert(name.clone(), Value::String(attack.clone()));
                }
            }
            Body::Json(Value::Object(body))
        }
    }
}

/// Bodies that the route takes, where the route matrix sends one it
/// refuses (its cases check roles, not bodies): damaging one field of a
/// good body reaches further into the handler.
fn good_body(path: &str) -> Option<Value> {
    Some(match path {
        "/api/v1/plan/overrides" => json!({
            "crossing": "rafah", "date": "2026-02-02", "person": "P-000001",
            "action": "remove", "reason": "a family asked for a later day"
        }),
        "/api/v1/plan/confirm" => {
            json!({"crossing": "rafah", "date": "2026-02-02", "direction": "inbound"})
        }
        "/api/v1/clearance/batches" => json!({
            "crossing": "rafah", "needed_by": "2026-02-05", "places": 2,
            "note": "submitted by the fuzz test"
        }),
        "/api/v1/clearance/decisions" => json!({
            "batch": "CB-0001",
            "decisions": [{"person": "P-000001", "outcome": "denied", "reason": "security objection"}]
        }),
        "/api/v1/people/P-000001/transitions" => {
            json!({"action": "withdraw", "reason": "the family withdrew the referral"})
        }
        _ => return None,
    })
}

/// The role whose token the fuzz sends to a route: one allowed to call it,
/// so that the bodies reach the handler.
fn role_for(permission: corridor_domain::Permission) -> UserRole {
    [UserRole::Admin, UserRole::Coordinator]
        .into_iter()
        .chain(UserRole::ALL.iter().copied())
        .find(|role| role.can(permission))
        .expect("some role has every permission")
}

#[tokio::test]
async fn generated_json_bodies_never_get_a_server_error() {
    for app in apps().await {
        let backend = app.backend;
        let document = app.anonymous().get("/api/openapi.json").await.json();
        let mut clients: Vec<(UserRole, Client)> = Vec::new();
        let mut rng = Generator(SEED);
        let mut sent = 0;
        let mut failures = Vec::new();
        for (template, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                if !matches!(method.as_str(), "post" | "patch" | "put") {
                    continue;
                }
                // A route without a user (a gateway's signed delivery
                // report) has its own malformed bodies in `notices`.
                if operation["security"] == json!([{}]) {
                    continue;
                }
                let case = all_routes()
                    .into_iter()
                    .find(|case| {
                        case.method.eq_ignore_ascii_case(method)
                            && same_template(template, case.path)
                    })
                    .unwrap_or_else(|| panic!("{method} {template} is not in the route matrix"));
                let path = case.path.split('?').next().unwrap();
                let base: Map<String, Value> = match good_body(path) {
                    Some(Value::Object(body)) => body,
                    _ => case
                        .body
                        .and_then(|body| serde_json::from_str(body).ok())
                        .unwrap_or_default(),
                };
                let schema = properties(&document, operation);
                let role = role_for(case.permission);
                let client = match clients.iter().find(|(r, _)| *r == role) {
                    Some((_, client)) => client.clone(),
                    None => {
                        let client = app.with_token(role).await;
                        clients.push((role, client.clone()));
                        client
                    }
                };
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                for index in 0..BODIES_PER_ROUTE {
                    let body = body(index, &base, &schema, &mut rng).text();
                    let reply = client
                        .clone()
                        .send(
                            method.clone(),
                            path,
                            Some(("application/json", body.clone())),
                            None,
                        )
                        .await;
                    sent += 1;
                    if reply.status.is_server_error() {
                        let shown: String = body.chars().take(300).collect();
                        failures.push(format!(
                            "{method} {path} as {role}: {} {}\n  body: {shown}",
                            reply.status, reply.body
                        ));
                    } else if reply.status != StatusCode::OK && reply.status.is_client_error() {
                        // A refusal is a problem document that says what to do.
                        reply.problem(reply.status);
                    }
                }
            }
        }
        assert!(sent >= 200, "{backend}: only {sent} bodies sent");
        assert!(
            failures.is_empty(),
            "{backend}: {} of {sent} bodies got a server error:\n{}",
            failures.len(),
            failures.join("\n")
        );
        app.finish().await;
    }
}

/// A form's fields, as the browser sends them.
fn form_fields(body: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(body).unwrap_or_default()
}

/// The pages' forms get the same treatment as the API's bodies: every
/// field of every form of the route matrix with a bad string (each in turn
/// of [`bad_strings`]), plus fields missing and fields unknown. A form may
/// refuse, or show itself again with a message; it may never fail.
#[tokio::test]
async fn generated_form_values_never_get_a_server_error() {
    for app in apps().await {
        let backend = app.backend;
        let mut browsers: Vec<(UserRole, Client)> = Vec::new();
        let mut sent = 0;
        let mut failures = Vec::new();
        let forms = all_routes()
            .into_iter()
            .filter(|case| case.method == "POST" && !case.path.starts_with("/api/"));
        for case in forms {
            let role = role_for(case.permission);
            let browser = match browsers.iter().find(|(r, _)| *r == role) {
                Some((_, browser)) => browser.clone(),
                None => {
                    let browser = app.signed_in(role).await;
                    browsers.push((role, browser.clone()));
                    browser
                }
            };
            let fields = form_fields(case.body.unwrap_or_default());
            let mut variants: Vec<Vec<(String, String)>> = bad_strings()
                .into_iter()
                .map(|bad| {
                    fields
                        .iter()
                        .map(|(name, _)| (name.clone(), bad.clone()))
                        .collect()
                })
                .collect();
            variants.push(Vec::new());
            let mut extra = fields.clone();
            extra.push(("unexpected_field".to_string(), "\u{0}".to_string()));
            extra.push(("reason".to_string(), "x".repeat(10_000)));
            extra.push(("note".to_string(), "a\u{0}b".to_string()));
            variants.push(extra);
            for variant in variants {
                let pairs: Vec<(&str, &str)> = variant
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_str()))
                    .collect();
                let reply = browser.clone().post_form(case.path, &pairs).await;
                sent += 1;
                if reply.status.is_server_error() {
                    let shown: String = format!("{variant:?}").chars().take(300).collect();
                    failures.push(format!(
                        "POST {} as {role}: {}\n  form: {shown}",
                        case.path, reply.status
                    ));
                }
            }
        }
        assert!(sent >= 100, "{backend}: only {sent} forms sent");
        assert!(
            failures.is_empty(),
            "{backend}: {} of {sent} forms got a server error:\n{}",
            failures.len(),
            failures.join("\n")
        );
        app.finish().await;
    }
}

/// Every path of the OpenAPI document, with each path parameter and each
/// query parameter it declares set to a bad value: refused, never failed.
#[tokio::test]
async fn generated_path_and_query_values_never_get_a_server_error() {
    let encoded = [
        "%00",
        "a%00b",
        "%FF%FE",
        "%E2%80%AE%D9%85",
        "..%2F..%2Fetc%2Fpasswd",
        "922337203685477580",
        "-1",
    ];
    let long = "x".repeat(5_000);
    for app in apps().await {
        let backend = app.backend;
        let document = app.anonymous().get("/api/openapi.json").await.json();
        let admin = app.with_token(UserRole::Admin).await;
        let coordinator = app.with_token(UserRole::Coordinator).await;
        let mut sent = 0;
        let mut failures = Vec::new();
        for (template, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                let http_method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let parameters = operation["parameters"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let query_names: Vec<&str> = parameters
                    .iter()
                    .filter(|p| p["in"] == "query")
                    .filter_map(|p| p["name"].as_str())
                    .collect();
                for bad in encoded.iter().copied().chain([long.as_str()]) {
                    // Every path parameter bad at once.
                    let path = template
                        .split('/')
                        .map(|segment| {
                            if segment.starts_with('{') {
                                bad
                            } else {
                                segment
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("/");
                    let query = query_names
                        .iter()
                        .map(|name| format!("{name}={bad}"))
                        .collect::<Vec<_>>()
                        .join("&");
                    let address = if query.is_empty() {
                        path
                    } else {
                        format!("{path}?{query}")
                    };
                    for client in [&admin, &coordinator] {
                        let body = (http_method != Method::GET)
                            .then(|| ("application/json", "{}".to_string()));
                        let reply = client
                            .clone()
                            .send(http_method.clone(), &address, body, None)
                            .await;
                        sent += 1;
                        if reply.status.is_server_error() {
                            let shown: String = address.chars().take(200).collect();
                            failures.push(format!(
                                "{http_method} {shown}: {} {}",
                                reply.status, reply.body
                            ));
                        }
                    }
                }
            }
        }
        assert!(sent >= 200, "{backend}: only {sent} requests sent");
        assert!(
            failures.is_empty(),
            "{backend}: {} of {sent} requests got a server error:\n{}",
            failures.len(),
            failures.join("\n")
        );
        app.finish().await;
    }
}
