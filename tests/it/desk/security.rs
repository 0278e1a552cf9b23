//! Who may use the desk: loopback names only without a token; the token on every request once
//! there is one; a non-loopback address only with a token; and no state change from another
//! site, by form or by API.

use super::*;

/// The value of the `csrf` field in a page's forms.
fn csrf_of(html: &str) -> String {
    let document = scraper::Html::parse_document(html);
    let field = scraper::Selector::parse("input[name=csrf]").expect("a selector");
    document
        .select(&field)
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("the page has a form with the desk's secret")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn forms_need_the_desks_secret_and_the_same_origin() {
    let desk = Desk::start(demo_workspace().await, &[]).await;
    let list = page_text(&desk, "/").await;
    let case = links_to(&list, "/cases/")
        .into_iter()
        .next()
        .expect("a case");
    let secret = csrf_of(&page_text(&desk, &case).await);
    let action = format!("{case}/review");
    let post = |body: String| {
        client()
            .post(desk.url(&action))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };

    let without = post("status=confirmed&note=x".into())
        .send()
        .await
        .expect("a response");
    assert_eq!(without.status(), 403);
    let wrong = post(format!("status=confirmed&note=x&csrf={}", "0".repeat(64)))
        .send()
        .await
        .expect("a response");
    assert_eq!(wrong.status(), 403);
    let good = format!("status=confirmed&note=checked&csrf={secret}");
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        let refused = post(good.clone())
            .header(header, value)
            .send()
            .await
            .expect("a response");
        assert_eq!(refused.status(), 403, "{header}: {value}");
    }
    let status_of_case = |html: String| {
        let document = scraper::Html::parse_document(&html);
        let badge = scraper::Selector::parse(".case-facts .badge.status").expect("a selector");
        document
            .select(&badge)
            .next()
            .map(|b| b.text().collect::<String>())
            .expect("the case's status")
    };
    let status = status_of_case(page_text(&desk, &case).await);
    assert!(
        status.contains("unreviewed"),
        "the refused requests recorded nothing: {status}"
    );

    // What the browser sends from the desk's own page.
    let accepted = post(good)
        .header("origin", desk.base.clone())
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("a response");
    assert_eq!(accepted.status(), 303);
    let location = accepted.headers()["location"].to_str().expect("a location");
    assert!(location.starts_with(&case), "{location}");
    let page = page_text(&desk, location).await;
    assert!(page.contains("Decision recorded"));
    assert!(status_of_case(page).contains("confirmed"));

    // The API refuses another site's request even in JSON.
    let json = client()
        .post(desk.url("/api/flags/x/review"))
        .header("content-type", "application/json")
        .header("sec-fetch-site", "cross-site")
        .body(r#"{"status":"confirmed"}"#)
        .send()
        .await
        .expect("a response");
    assert_eq!(json.status(), 403);
    let new = client()
        .get(desk.url("/api/flags?new=1"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("a response");
    assert_eq!(
        new.status(),
        403,
        "new marks flags printed: not from another site"
    );
    desk.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_token_the_desk_answers_only_to_loopback_names() {
    let desk = Desk::start(demo_workspace().await, &[]).await;
    let port = desk.base.rsplit(':').next().expect("a port").to_string();
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let response = client()
            .get(desk.url("/"))
            .header("host", host.clone())
            .send()
            .await
            .expect("a response");
        assert_eq!(response.status(), 200, "{host}");
    }
    // A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding).
    let rebound = client()
        .get(desk.url("/api/flags"))
        .header("host", format!("attacker.example:{port}"))
        .send()
        .await
        .expect("a response");
    assert_eq!(rebound.status(), 421);
    desk.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_token_every_request_carries_it_by_header_or_cookie() {
    let token = "s3cret token/with+odd=chars";
    let desk = Desk::start(demo_workspace().await, &["--token", token]).await;
    for path in [
        "/",
        "/style.css",
        "/api/flags",
        "/targets/sinno",
        "/no/such/page",
    ] {
        let refused = client()
            .get(desk.url(path))
            .send()
            .await
            .expect("a response");
        assert_eq!(refused.status(), 401, "{path}");
        assert!(refused.headers().contains_key("content-security-policy"));
    }
    let bearer = client()
        .get(desk.url("/api/flags"))
        .bearer_auth(token)
        .send()
        .await
        .expect("a response");
    assert_eq!(bearer.status(), 200);
    let wrong = client()
        .get(desk.url("/"))
        .bearer_auth("not it")
        .send()
        .await
        .expect("a response");
    assert_eq!(wrong.status(), 401);

    // Visiting once with ?token= sets a cookie and drops the token from the address.
    let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    let visit = client()
        .get(desk.url(&format!("/targets/sinno?token={encoded}")))
        .send()
        .await
        .expect("a response");
    assert_eq!(visit.status(), 303);
    assert_eq!(visit.headers()["location"], "/targets/sinno");
    let cookie = visit.headers()["set-cookie"]
        .to_str()
        .expect("a cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains(token) && !cookie.contains(&encoded),
        "the cookie holds a digest"
    );
    let pair = cookie.split(';').next().expect("name=value").to_string();
    let with_cookie = client()
        .get(desk.url("/targets/sinno"))
        .header("cookie", pair.clone())
        .send()
        .await
        .expect("a response");
    assert_eq!(with_cookie.status(), 200);
    let bad_visit = client()
        .get(desk.url("/?token=guess"))
        .send()
        .await
        .expect("a response");
    assert_eq!(bad_visit.status(), 401);
    // Any Host name will do with a token: the token, not the name, says who may come in.
    let named = client()
        .get(desk.url("/"))
        .header("host", "desk.example.org")
        .header("cookie", pair)
        .send()
        .await
        .expect("a response");
    assert_eq!(named.status(), 200);
    desk.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_non_loopback_address_needs_a_token() {
    let ws = demo_workspace().await;
    let refused = ws.run(&["serve", "--addr", "0.0.0.0:0"]).await;
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("is not a loopback address")
            && stderr(&refused).contains("--token"),
        "{}",
        stderr(&refused)
    );
    let desk = Desk::launch(
        ws,
        &["serve", "--addr", "0.0.0.0:0"],
        &[("CLAIMWATCH_TOKEN", "t0ken")],
    )
    .await;
    assert!(desk.base.starts_with("http://0.0.0.0:"), "{}", desk.base);
    let port = desk.base.rsplit(':').next().expect("a port");
    let url = format!("http://127.0.0.1:{port}/api/flags");
    let without = client().get(&url).send().await.expect("a response");
    assert_eq!(without.status(), 401);
    let with = client()
        .get(&url)
        .bearer_auth("t0ken")
        .send()
        .await
        .expect("a response");
    assert_eq!(with.status(), 200);
    desk.stop().await;
}
