//! The JSON API: `GET /api/flags` gives exactly the records `claimwatch flags --format jsonl`
//! prints, under the same filters; `POST /api/flags/{id}/review` records a decision.

use serde_json::{Value, json};

use super::*;

async fn api_flags(desk: &Desk, query: &str) -> Vec<Value> {
    let response = get_ok(desk, &format!("/api/flags{query}")).await;
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("application/json")
    );
    serde_json::from_str(&response.text().await.expect("a body")).expect("a JSON array of flags")
}

#[tokio::test(flavor = "multi_thread")]
async fn get_flags_answers_the_jsonl_records_under_the_same_filters() {
    let ws = demo_workspace().await;
    let all = flags_json(&ws).await;
    let sinno_and_huaqiang: Vec<Value> = {
        let output = ws
            .run(&[
                "flags", "--format", "jsonl", "--target", "sinno", "--target", "huaqiang",
            ])
            .await;
        stdout(&output)
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON"))
            .collect()
    };
    let desk = Desk::start(ws, &[]).await;
    assert_eq!(api_flags(&desk, "").await, all);
    assert_eq!(
        api_flags(&desk, "?target=sinno&target=huaqiang").await,
        sinno_and_huaqiang
    );
    assert!(!sinno_and_huaqiang.is_empty());
    let removed = api_flags(&desk, "?flag_type=claim_removed&category=partner").await;
    assert!(!removed.is_empty());
    assert!(
        removed
            .iter()
            .all(|f| f["flag_type"] == "claim_removed" && f["category"] == "partner")
    );
    assert!(api_flags(&desk, "?since=2999-01-01").await.is_empty());
    assert_eq!(api_flags(&desk, "?since=7d").await, all);
    assert!(api_flags(&desk, "?status=confirmed").await.is_empty());

    // `new` returns each flag once, as `flags --new` prints it once.
    assert_eq!(api_flags(&desk, "?new=1").await, all);
    assert!(api_flags(&desk, "?new=1").await.is_empty());

    let bad = client()
        .get(desk.url("/api/flags?flag_type=nonsense"))
        .send()
        .await
        .expect("a response");
    assert_eq!(bad.status(), 400);
    let body: Value =
        serde_json::from_str(&bad.text().await.expect("a body")).expect("a JSON error");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("not a flag type")
    );
    let (ws, _) = desk.stop().await;
    let output = ws.run(&["flags", "--new", "--format", "jsonl"]).await;
    assert_eq!(stdout(&output), "", "the API's new marked them printed");
}

#[tokio::test(flavor = "multi_thread")]
async fn post_review_records_a_decision_and_refuses_what_it_cannot_take() {
    let ws = demo_workspace().await;
    let id = flags_json(&ws).await[0]["flag_id"]
        .as_str()
        .expect("an id")
        .to_string();
    let desk = Desk::start(ws, &[]).await;
    let post = |path: String, body: Value| {
        client()
            .post(desk.url(&path))
            .header("content-type", "application/json")
            .body(body.to_string())
    };
    let path = format!("/api/flags/{id}/review");
    let response = post(
        path.clone(),
        json!({"status": "dismissed", "note": "A reseller's page, not a claim."}),
    )
    .send()
    .await
    .expect("a response");
    assert_eq!(response.status(), 200);
    let flag: Value =
        serde_json::from_str(&response.text().await.expect("a body")).expect("the flag");
    assert_eq!(flag["flag_id"], id.as_str());
    assert_eq!(flag["review"]["status"], "dismissed");
    assert_eq!(flag["review"]["note"], "A reseller's page, not a claim.");

    let status = |r: reqwest::Response| r.status().as_u16();
    let bad_status = post(path.clone(), json!({"status": "maybe"}))
        .send()
        .await
        .expect("a response");
    assert_eq!(status(bad_status), 400);
    let unknown_field = post(
        path.clone(),
        json!({"status": "confirmed", "colour": "red"}),
    )
    .send()
    .await
    .expect("a response");
    assert_eq!(status(unknown_field), 422);
    let missing = post(
        "/api/flags/nosuchflag/review".into(),
        json!({"status": "confirmed"}),
    )
    .send()
    .await
    .expect("a response");
    assert_eq!(status(missing), 404);
    let form = client()
        .post(desk.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("status=confirmed")
        .send()
        .await
        .expect("a response");
    assert_eq!(
        status(form),
        415,
        "only JSON, which no cross-site form can send"
    );
    let listed = api_flags(&desk, "?status=dismissed").await;
    assert_eq!(listed.len(), 1);

    let (ws, exit) = desk.stop().await;
    assert!(exit.success());
    let stored = flags_json(&ws).await;
    let flag = stored
        .iter()
        .find(|f| f["flag_id"] == id.as_str())
        .expect("the flag");
    assert_eq!(flag["review"]["status"], "dismissed");
    assert!(flag["review"]["reviewed_at"].is_string());
}
