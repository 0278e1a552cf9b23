//! Bodies that are not what their headers say: lying charsets, binary content under a text
//! label, an empty 200.

use super::{Case, Recorded, bound, hostile_site, noise, one_page, report, status_column};
use crate::support::hostile::Plan;
use claimwatch::store::{CaptureRecord, Outcome};

#[tokio::test(flavor = "multi_thread")]
async fn invalid_utf8_under_a_utf8_label_keeps_the_valid_text() {
    let mut body = "<html><body><p>深圳市军工电子有限公司，军用元器件授权代理商。</p><p>bad: "
        .as_bytes()
        .to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28, 0xe4, 0xb8]);
    body.extend_from_slice("</p><p>我们为国防工业提供可靠的产品。</p></body></html>".as_bytes());
    let plan = Plan::bytes("text/html; charset=utf-8", body);
    let Recorded { case, capture, row } =
        one_page("invalid UTF-8 under charset=utf-8", "/broken", plan, 1).await;
    assert_eq!(capture.outcome, Outcome::Ok, "{capture:?}");
    assert_eq!(capture.encoding.as_deref(), Some("UTF-8"), "{capture:?}");
    assert_eq!(status_column(&row), "200", "{row}");
    let document = case.document(&capture);
    let texts: Vec<&str> = document.blocks.iter().map(|b| b.text.as_str()).collect();
    assert!(
        texts.contains(&"深圳市军工电子有限公司，军用元器件授权代理商。"),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"我们为国防工业提供可靠的产品。"),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("bad:") && t.contains('\u{FFFD}')),
        "{texts:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn gbk_bytes_labelled_utf8_are_detected_as_gb18030() {
    let text = "深圳市军工电子有限公司，军用元器件授权代理商。我们为国防工业提供可靠的产品和服务。";
    let html = format!("<html><body><p>{text}</p><p>{text}</p></body></html>");
    let gbk = encoding_rs::GBK.encode(&html).0.into_owned();
    let plan = Plan::bytes("text/html; charset=utf-8", gbk);
    let case = Case::new(hostile_site("/gbk", plan).await, "").await;
    let crawl = case.crawl(&[], bound(1)).await;
    let (capture, _) = case.recorded("/gbk").await;
    report("GBK labelled utf-8", &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::Ok, "{capture:?}");
    assert_eq!(capture.encoding.as_deref(), Some("gb18030"), "{capture:?}");
    let document = case.document(&capture);
    assert!(
        document.blocks.iter().any(|b| b.text == text),
        "{:?}",
        document.blocks
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn latin1_label_on_cyrillic_bytes_loses_to_the_evidence() {
    // A server's default iso-8859-1 decodes any bytes without an error; obeyed, as a browser
    // would, it turned every Russian claim into mojibake ("Îôèöèàëüíûé"). The text decides,
    // and the capture says the declaration was overruled.
    let text = "Официальный дистрибьютор для предприятий оборонной промышленности.";
    let html = format!("<html><body><p>{text}</p></body></html>");
    let cp1251 = encoding_rs::WINDOWS_1251.encode(&html).0.into_owned();
    let plan = Plan::bytes("text/html; charset=iso-8859-1", cp1251);
    let case = Case::new(hostile_site("/ru", plan).await, "").await;
    let crawl = case.crawl(&[], bound(1)).await;
    let (capture, _) = case.recorded("/ru").await;
    report("windows-1251 labelled iso-8859-1", &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::Ok, "{capture:?}");
    assert_eq!(
        capture.encoding.as_deref(),
        Some("windows-1251"),
        "{capture:?}"
    );
    assert_eq!(
        capture.encoding_source,
        Some(claimwatch::store::EncodingSource::DeclarationContradicted),
        "{capture:?}"
    );
    let document = case.document(&capture);
    assert!(
        document.blocks.iter().any(|b| b.text == text),
        "{:?}",
        document.blocks
    );
}

/// Binary content under a text label: failed with that reason, and no document extracted.
fn assert_refused_as_binary(capture: &CaptureRecord, row: &str) {
    assert_eq!(capture.outcome, Outcome::Failed, "{capture:?}");
    assert_eq!(
        capture.error.as_deref(),
        Some("binary content served as text"),
        "{capture:?}"
    );
    assert!(!capture.has_document, "{capture:?}");
    assert_eq!(status_column(row), "failed", "{row}");
}

#[tokio::test(flavor = "multi_thread")]
async fn random_bytes_served_as_html_are_refused_as_binary() {
    let plan = Plan::bytes("text/html; charset=utf-8", noise(64 * 1024, 0x9e37_79b9));
    let Recorded { case, capture, row } =
        one_page("random bytes as text/html", "/noise", plan, 1).await;
    assert_refused_as_binary(&capture, &row);
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn png_served_as_html_is_refused_as_binary() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0".to_vec();
    png.extend(noise(4096, 7));
    let plan = Plan::bytes("text/html", png);
    let Recorded { case, capture, row } = one_page("PNG as text/html", "/logo", plan, 1).await;
    assert_refused_as_binary(&capture, &row);
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_200_body_is_a_failed_capture() {
    let plan = Plan::reply(200, &[("Content-Type", "text/html")], Vec::new());
    let Recorded { case, capture, row } =
        one_page("200 with an empty body", "/empty", plan, 1).await;
    assert_eq!(capture.outcome, Outcome::Failed, "{capture:?}");
    assert_eq!(capture.error.as_deref(), Some("empty body"), "{capture:?}");
    assert_eq!(status_column(&row), "failed", "{row}");
    assert!(row.contains("(empty body)"), "{row}");
    case.assert_went_on();
}
