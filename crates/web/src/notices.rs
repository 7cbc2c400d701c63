//! The notices sender: takes due notices from the outbox and sends them
//! through the configured channel, then records what happened.
//!
//! Channels: `log` (a log line without personal data; the call list is the
//! real channel), `rapidpro` (a RapidPro-compatible broadcast) and `webhook`
//! (a JSON body signed with HMAC-SHA256). The HTTP channels speak plain
//! HTTP only: the gateway is expected on the local network.
//!
//! Every attempt carries the notice's idempotency key (`Idempotency-Key`),
//! so a gateway that received an attempt whose answer was lost can drop the
//! retry. A 2xx answer is sent; a timeout, a connection error, 408, 429 or a
//! 5xx is retried on the back-off schedule; any other 4xx gives the notice
//! up (the gateway refuses it; retrying cannot help).

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Request, StatusCode, Uri, header};
use corridor_domain::{NoticeChannel, NoticeState};
use corridor_store::{Notice, Store, StoreError};
use hmac::{KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jiff::Timestamp;

/// The header a signed body's signature travels in, both ways (webhook
/// requests and delivery reports).
pub const SIGNATURE_HEADER: &str = "x-corridor-signature";

/// How many notices one claim takes.
const BATCH: u32 = 50;

/// The actor the audit log names for the sender's changes.
const SENDER_ACTOR: &str = "notices-sender";

/// Where notices go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gateway {
    Log,
    RapidPro { base: String, token: String },
    Webhook { url: String, secret: String },
}

impl Gateway {
    pub fn channel(&self) -> NoticeChannel {
        match self {
            Gateway::Log => NoticeChannel::Log,
            Gateway::RapidPro { .. } => NoticeChannel::RapidPro,
            Gateway::Webhook { .. } => NoticeChannel::Webhook,
        }
    }

    /// The gateway from the settings of `corridor serve` (flags or
    /// `CORRIDOR_NOTICES_*`), every missing or wrong one named.
    pub fn from_settings(
        channel: &str,
        url: Option<&str>,
        token: Option<&str>,
        secret: Option<&str>,
    ) -> Result<Gateway, String> {
        let channel = NoticeChannel::parse(channel)
            .map_err(|_| format!("--notices-channel '{channel}': use log, rapidpro or webhook"))?;
        let given = |value: Option<&str>, name: &str, what: &str| {
            value
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .ok_or_else(|| format!("the {channel} channel needs {name}: {what}"))
        };
        let plain_http = |url: String| {
            if url
                .parse::<Uri>()
                .ok()
                .and_then(|u| u.scheme_str().map(str::to_string))
                == Some("http".to_string())
            {
                Ok(url.trim_end_matches('/').to_string())
            } else {
                Err(format!(
                    "--notices-url '{url}' is not an http:// address; the sender speaks plain \
                     HTTP to a gateway on the local network (put a TLS proxy beside it for https)"
                ))
            }
        };
        match channel {
            NoticeChannel::Log => Ok(Gateway::Log),
            NoticeChannel::RapidPro => Ok(Gateway::RapidPro {
                base: plain_http(given(
                    url,
                    "--notices-url (or CORRIDOR_NOTICES_URL)",
                    "the RapidPro address",
                )?)?,
                token: given(
                    token,
                    "--notices-token (or CORRIDOR_NOTICES_TOKEN)",
                    "the API token",
                )?,
            }),
            NoticeChannel::Webhook => Ok(Gateway::Webhook {
                url: plain_http(given(
                    url,
                    "--notices-url (or CORRIDOR_NOTICES_URL)",
                    "the webhook's address",
                )?)?,
                secret: given(
                    secret,
                    "--notices-secret (or CORRIDOR_NOTICES_SECRET)",
                    "the shared signing secret",
                )?,
            }),
        }
    }
}

/// What one round of sending did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    pub sent: u32,
    pub failed: u32,
    pub gave_up: u32,
}

/// The signature of a body: `sha256=` and the hex HMAC-SHA256 with the
/// shared secret.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = match hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes a key of any length; this cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether a signature header matches a body (in constant time).
pub fn signature_matches(secret: &str, body: &[u8], signature: &str) -> bool {
    let Some(hex_part) = signature.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(given) = hex::decode(hex_part) else {
        return false;
    };
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// What one attempt came to.
enum Attempt {
    Sent(Option<String>),
    Retry(String),
    Refused(String),
}

/// Sends due notices through one gateway.
#[derive(Clone)]
pub struct NoticeSender {
    gateway: Gateway,
    timeout: Duration,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl NoticeSender {
    pub fn new(gateway: Gateway, timeout: Duration) -> NoticeSender {
        NoticeSender {
            gateway,
            timeout,
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    /// Sends every notice due at `now`, a batch at a time, until none is
    /// due. Each notice is claimed, tried once, and settled.
    pub async fn send_due(&self, store: &Store, now: Timestamp) -> Result<SendReport, StoreError> {
        let mut report = SendReport::default();
        loop {
            let claimed = store
                .claim_due_notices(self.gateway.channel(), now, BATCH, SENDER_ACTOR)
                .await?;
            if claimed.is_empty() {
                return Ok(report);
            }
            for notice in &claimed {
                let settled = match self.attempt(notice).await {
                    Attempt::Sent(gateway_id) => {
                        report.sent += 1;
                        store
                            .mark_notice_sent(notice, gateway_id.as_deref(), now, SENDER_ACTOR)
                            .await
                    }
                    Attempt::Retry(error) => {
                        tracing::warn!(notice = %notice.key, %error, "a notice could not be sent; it will be retried");
                        match store
                            .mark_notice_failed(notice, &error, now, SENDER_ACTOR)
                            .await
                        {
                            Ok(NoticeState::GaveUp) => {
                                report.gave_up += 1;
                                Ok(())
                            }
                            Ok(_) => {
                                report.failed += 1;
                                Ok(())
                            }
                            Err(error) => Err(error),
                        }
                    }
                    Attempt::Refused(error) => {
                        tracing::warn!(notice = %notice.key, %error, "the gateway refused a notice; it is given up");
                        report.gave_up += 1;
                        store
                            .mark_notice_gave_up(notice, &error, now, SENDER_ACTOR)
                            .await
                    }
                };
                match settled {
                    Ok(()) => {}
                    // Another sender took the notice over after this claim
                    // timed out: it is that sender's now.
                    Err(StoreError::ChangedMeanwhile(what)) => {
                        tracing::warn!(%what, "a notice was taken over by another sender");
                    }
                    Err(error) => return Err(error),
                }
            }
        }
    }

    /// Sends due notices every `every` until the process stops.
    pub async fn run(self, store: Store, every: Duration) {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            if let Err(error) = self.send_due(&store, Timestamp::now()).await {
                tracing::warn!(%error, "the notices sender could not finish a round");
            }
        }
    }

    async fn attempt(&self, notice: &Notice) -> Attempt {
        let (url, body, authorization, signature) = match &self.gateway {
            Gateway::Log => {
                tracing::info!(
                    notice = %notice.key,
                    kind = %notice.kind,
                    language = %notice.language,
                    "notice written to the log channel (the call list reaches the party)"
                );
                return Attempt::Sent(None);
            }
            Gateway::RapidPro { base, token } => {
                let body = serde_json::json!({
                    "urns": [format!("tel:{}", notice.recipient)],
                    "text": notice.body,
                });
                (
                    format!("{base}/api/v2/broadcasts.json"),
                    body.to_string(),
                    Some(format!("Token {token}")),
                    None,
                )
            }
            Gateway::Webhook { url, secret } => {
                let body = serde_json::json!({
                    "key": notice.key,
                    "kind": notice.kind.as_str(),
                    "language": notice.language.as_str(),
                    "to": notice.recipient.as_str(),
                    "text": notice.body,
                })
                .to_string();
                let signature = sign(secret, body.as_bytes());
                (url.clone(), body, None, Some(signature))
            }
        };
        let mut request = Request::post(url.as_str())
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", notice.key.as_str());
        if let Some(authorization) = authorization {
            request = request.header(header::AUTHORIZATION, authorization);
        }
        if let Some(signature) = signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        let request = match request.body(Full::new(Bytes::from(body))) {
            Ok(request) => request,
            Err(error) => return Attempt::Refused(format!("the request cannot be made: {error}")),
        };
        let exchange = async {
            let response = self.client.request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((status, body))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Err(_) => Attempt::Retry(format!("no answer within {} ms", self.timeout.as_millis())),
            Ok(Err(error)) => Attempt::Retry(format!("the gateway cannot be reached: {error}")),
            Ok(Ok((status, body))) if status.is_success() => Attempt::Sent(gateway_id(&body)),
            Ok(Ok((status, _)))
                if status.is_server_error()
                    || status == StatusCode::REQUEST_TIMEOUT
                    || status == StatusCode::TOO_MANY_REQUESTS =>
            {
                Attempt::Retry(format!("the gateway answered {status}"))
            }
            Ok(Ok((status, _))) => Attempt::Refused(format!("the gateway answered {status}")),
        }
    }
}

/// The id a gateway gave the message (`id` or `uuid` in its JSON answer).
fn gateway_id(body: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    ["id", "uuid"]
        .iter()
        .find_map(|field| match json.get(field)? {
            serde_json::Value::String(text) => Some(text.clone()),
            serde_json::Value::Number(number) => Some(number.to_string()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_their_body_and_secret_only() {
        let signature = sign("secret", b"{\"a\":1}");
        assert!(signature.starts_with("sha256="));
        assert_eq!(signature.len(), "sha256=".len() + 64);
        assert!(signature_matches("secret", b"{\"a\":1}", &signature));
        assert!(!signature_matches("secret", b"{\"a\":2}", &signature));
        assert!(!signature_matches("other", b"{\"a\":1}", &signature));
        assert!(!signature_matches("secret", b"{\"a\":1}", "sha256=zz"));
    }

    #[test]
    fn settings_name_what_is_missing() {
        assert_eq!(
            Gateway::from_settings("log", None, None, None),
            Ok(Gateway::Log)
        );
        let missing =
            Gateway::from_settings("webhook", Some("http://10.0.0.5/sms"), None, None).unwrap_err();
        assert!(missing.contains("CORRIDOR_NOTICES_SECRET"), "{missing}");
        let tls = Gateway::from_settings("rapidpro", Some("https://rp.example"), Some("t"), None)
            .unwrap_err();
        assert!(tls.contains("plain"), "{tls}");
        assert_eq!(
            Gateway::from_settings("rapidpro", Some("http://10.0.0.5/"), Some("t"), None),
            Ok(Gateway::RapidPro {
                base: "http://10.0.0.5".to_string(),
                token: "t".to_string()
            })
        );
        assert!(Gateway::from_settings("sms", None, None, None).is_err());
    }

    #[test]
    fn gateway_ids_are_read_from_the_answer() {
        assert_eq!(gateway_id(b"{\"id\": 1234}"), Some("1234".to_string()));
        assert_eq!(gateway_id(b"{\"uuid\": \"ab\"}"), Some("ab".to_string()));
        assert_eq!(gateway_id(b"ok"), None);
    }
}
