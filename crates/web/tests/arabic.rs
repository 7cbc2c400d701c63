//! The screens in Arabic: asked for with `?lang=ar` (then remembered), or by
//! the browser's `Accept-Language`; right to left; no English interface
//! words; digits typed in Arabic read as numbers.

use axum::http::{Method, StatusCode, header};
use corridor_domain::UserRole;

use crate::harness::apps_with_demo;

/// The Latin words a page shows, outside what is allowed to be Latin:
/// names (`<bdi>`), dates (`<time>`), ids and codes, the product's name,
/// and the link to the other language (marked `lang="en"`).
fn english_words(html: &str) -> Vec<String> {
    let mut text = html.to_string();
    for (open, close) in [
        ("<head>", "</head>"),
        ("<bdi>", "</bdi>"),
        ("<time>", "</time>"),
        ("<code>", "</code>"),
        (" lang=\"en\"", "</a>"),
    ] {
        while let Some(start) = text.find(open) {
            let Some(length) = text[start..].find(close) else {
                break;
            };
            text.replace_range(start..start + length + close.len(), " ");
        }
    }
    // The text between tags.
    let mut visible = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                visible.push(' ');
            }
            c if !in_tag => visible.push(c),
            _ => {}
        }
    }
    visible
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|word| word.chars().filter(char::is_ascii_alphabetic).count() >= 2)
        // Ids (P-7KQ2M9XA) and the product's name.
        .filter(|word| !word.contains('-') && *word != "corridor")
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_sign_in_page_and_the_waiting_list_read_in_arabic_right_to_left() {
    for app in apps_with_demo(60).await {
        let on = app.backend;
        let mut browser = app.anonymous();
        let sign_in = browser.get("/sign-in?lang=ar").await;
        assert_eq!(sign_in.status, StatusCode::OK, "{on}");
        assert!(
            sign_in.body.contains(r#"<html lang="ar" dir="rtl">"#),
            "{on}"
        );
        assert!(sign_in.body.contains("تسجيل الدخول"), "{on}");
        assert_eq!(english_words(&sign_in.body), Vec::<String>::new(), "{on}");
        // A wrong password is refused in Arabic.
        let refused = browser
            .post_form(
                "/sign-in",
                &[
                    ("username", "coordinator"),
                    ("password", "not the password at all"),
                ],
            )
            .await;
        assert!(
            refused
                .body
                .contains("اسم المستخدم أو كلمة المرور غير صحيحة"),
            "{on}: {}",
            refused.body
        );

        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let list = coordinator.get("/people?lang=ar").await;
        assert_eq!(list.status, StatusCode::OK, "{on}");
        assert!(list.body.contains(r#"dir="rtl""#), "{on}");
        assert!(list.body.contains("قائمة الانتظار"), "{on}");
        assert_eq!(english_words(&list.body), Vec::<String>::new(), "{on}");
        // The choice is remembered: the next page is Arabic without asking.
        let again = coordinator.get("/people?tier=critical").await;
        assert!(again.body.contains(r#"lang="ar""#), "{on}");
        assert!(again.body.contains("حرج"), "{on}");
        assert_eq!(english_words(&again.body), Vec::<String>::new(), "{on}");
        // Nobody matching says why, in Arabic.
        let nobody = coordinator.get("/people?q=zzzz-nobody").await;
        assert!(nobody.body.contains("لا أحد يطابق"), "{on}: {}", nobody.body);
        // Back to English.
        let english = coordinator.get("/people?lang=en").await;
        assert!(
            english.body.contains(r#"<html lang="en" dir="ltr">"#),
            "{on}"
        );
        assert!(english.body.contains("Waiting list"), "{on}");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_browser_that_prefers_arabic_gets_arabic_until_the_user_chooses() {
    for app in apps_with_demo(5).await {
        let on = app.backend;
        let mut browser = app.anonymous();
        let request = axum::http::Request::builder()
            .method(Method::GET)
            .uri("/sign-in")
            .header(header::ACCEPT_LANGUAGE, "ar-PS,ar;q=0.9,en;q=0.5");
        let page = browser
            .send_request(request, axum::body::Body::empty())
            .await;
        assert!(page.body.contains(r#"lang="ar""#), "{on}");
        let chosen = browser.get("/sign-in?lang=en").await;
        assert!(chosen.body.contains(r#"lang="en""#), "{on}");
        let request = axum::http::Request::builder()
            .method(Method::GET)
            .uri("/sign-in")
            .header(header::ACCEPT_LANGUAGE, "ar");
        let page = browser
            .send_request(request, axum::body::Body::empty())
            .await;
        assert!(page.body.contains(r#"lang="en""#), "{on}: the cookie wins");
        app.finish().await;
    }
}

#[tokio::test]
async fn days_typed_in_arabic_digits_filter_the_list() {
    for app in apps_with_demo(60).await {
        let on = app.backend;
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let latin = coordinator.get("/people?waited_more_than=300").await;
        let arabic = coordinator
            .get("/people?waited_more_than=%D9%A3%D9%A0%D9%A0")
            .await;
        assert_eq!(arabic.status, StatusCode::OK, "{on}: {}", arabic.body);
        let count = |body: &str| {
            body.split("<p>")
                .nth(1)
                .and_then(|rest| rest.split('.').next())
                .map(str::to_string)
        };
        assert_eq!(count(&arabic.body), count(&latin.body), "{on}");
        app.finish().await;
    }
}
