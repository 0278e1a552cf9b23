use super::*;
use encoding_rs::{BIG5, SHIFT_JIS, WINDOWS_1251};

mod corpus;

const ZH: &str =
    "深圳市军工电子有限公司，军用元器件授权代理商。我们为国防工业提供可靠的产品和服务。";
const TW: &str = "台灣軍工電子 國防 授權代理。我們為國防工業提供可靠的產品與服務。";
const RU: &str =
    "Официальный дистрибьютор, оборонной промышленности. Мы поставляем надёжные компоненты.";
const JA: &str = "防衛産業向けの電子部品の正規代理店です。高品質な製品を提供します。";
const KO: &str =
    "우리 회사는 방위 산업을 위한 전자 부품의 공식 대리점입니다. 고품질 제품을 제공합니다.";
const HE: &str = "אנחנו מפיצים רשמיים של רכיבים אלקטרוניים לתעשייה הביטחונית ולתעופה.";
const TH: &str = "เราเป็นตัวแทนจำหน่ายอย่างเป็นทางการของชิ้นส่วนอิเล็กทรอนิกส์สำหรับอุตสาหกรรมป้องกันประเทศ";
/// Hosts under the top-level domains whose priors pull detection towards one script.
const DOMAINS: [&str; 7] = [
    "example.com",
    "example.ru",
    "example.cn",
    "example.tw",
    "example.hk",
    "example.jp",
    "example.kr",
];

fn page(meta: &str, sentence: &str) -> String {
    let body = format!("<p>{sentence}</p>\n").repeat(6);
    format!("<!DOCTYPE html><html><head>{meta}<title>t</title></head><body>{body}</body></html>")
}

fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(
        !unmappable,
        "test text must be representable in {}",
        encoding.name()
    );
    bytes.into_owned()
}

#[test]
fn gbk_labelled_in_header() {
    let html = page("", ZH);
    let d = decode(
        &encode(GB18030, &html),
        Some("text/html; charset=gbk"),
        None,
    );
    assert_eq!(d.text, html);
    assert_eq!(
        (d.encoding, d.source, d.had_errors),
        ("gb18030", EncodingSource::Header, false)
    );
}

#[test]
fn header_charset_quoted_and_case_insensitive() {
    let html = page("", ZH);
    let bytes = encode(GB18030, &html);
    for ct in [
        "text/html;charset=\"GB2312\"",
        "text/html; CHARSET = 'gbk' ",
        "text/html; foo=bar; Charset=GB_2312-80",
    ] {
        let d = decode(&bytes, Some(ct), None);
        assert_eq!(d.text, html, "{ct}");
        assert_eq!(
            (d.encoding, d.source),
            ("gb18030", EncodingSource::Header),
            "{ct}"
        );
    }
}

#[test]
fn gbk_with_only_meta() {
    let html = page(r#"<meta charset="gb2312">"#, ZH);
    let d = decode(
        &encode(GB18030, &html),
        Some("text/html"),
        Some("example.com"),
    );
    assert_eq!(d.text, html);
    assert_eq!((d.encoding, d.source), ("gb18030", EncodingSource::Meta));
}

#[test]
fn http_equiv_meta() {
    let html = page(
        r#"<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=GBK">"#,
        ZH,
    );
    let d = decode(&encode(GB18030, &html), None, None);
    assert_eq!(d.text, html);
    assert_eq!((d.encoding, d.source), ("gb18030", EncodingSource::Meta));
}

#[test]
fn gbk_detected_without_label() {
    let html = page("", ZH);
    let d = decode(&encode(GB18030, &html), None, Some("example.cn"));
    assert_eq!(d.text, html);
    assert_eq!(
        (d.encoding, d.source, d.had_errors),
        ("gb18030", EncodingSource::Detected, false)
    );
}

#[test]
fn big5_meta_and_detected() {
    let html = page(r#"<meta charset="big5">"#, TW);
    let d = decode(&encode(BIG5, &html), None, None);
    assert_eq!(d.text, html);
    assert_eq!((d.encoding, d.source), ("Big5", EncodingSource::Meta));

    let html = page("", TW);
    let d = decode(&encode(BIG5, &html), None, Some("example.tw"));
    assert_eq!(d.text, html);
    assert_eq!((d.encoding, d.source), ("Big5", EncodingSource::Detected));
}

#[test]
fn windows_1251_header_and_detected() {
    let html = page("", RU);
    let bytes = encode(WINDOWS_1251, &html);
    let d = decode(&bytes, Some("text/html; charset=windows-1251"), None);
    assert_eq!(d.text, html);
    assert_eq!(
        (d.encoding, d.source),
        ("windows-1251", EncodingSource::Header)
    );

    let d = decode(&bytes, None, Some("example.ru"));
    assert_eq!(d.text, html);
    assert_eq!(
        (d.encoding, d.source),
        ("windows-1251", EncodingSource::Detected)
    );
}

#[test]
fn shift_jis_meta() {
    let html = page(
        r#"<meta http-equiv="content-type" content="text/html;charset=Shift_JIS">"#,
        JA,
    );
    let d = decode(&encode(SHIFT_JIS, &html), None, None);
    assert_eq!(d.text, html);
    assert_eq!((d.encoding, d.source), ("Shift_JIS", EncodingSource::Meta));
}

#[test]
fn utf8_bom_overrides_wrong_header() {
    let html = page("", RU);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(html.as_bytes());
    let d = decode(&bytes, Some("text/html; charset=windows-1251"), None);
    assert_eq!(d.text, html);
    assert_eq!((d.encoding, d.source), ("UTF-8", EncodingSource::Bom));
}

#[test]
fn utf16le_bom() {
    let html = page("", ZH);
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(html.encode_utf16().flat_map(u16::to_le_bytes));
    let d = decode(&bytes, Some("text/html; charset=utf-8"), None);
    assert_eq!(d.text, html);
    assert_eq!(
        (d.encoding, d.source, d.had_errors),
        ("UTF-16LE", EncodingSource::Bom, false)
    );
}

#[test]
fn utf16be_bom() {
    let html = page("", RU);
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(html.encode_utf16().flat_map(u16::to_be_bytes));
    let d = decode(&bytes, None, None);
    assert_eq!(d.text, html);
    assert_eq!((d.encoding, d.source), ("UTF-16BE", EncodingSource::Bom));
}

#[test]
fn meta_utf16_means_utf8() {
    let html = page(r#"<meta charset="utf-16">"#, ZH);
    let d = decode(html.as_bytes(), None, None);
    assert_eq!(d.text, html);
    assert_eq!((d.encoding, d.source), ("UTF-8", EncodingSource::Meta));
}

#[test]
fn unknown_labels_fall_through() {
    let html = page(
        r#"<meta charset="no-such-thing"><meta charset="windows-1251">"#,
        RU,
    );
    let bytes = encode(WINDOWS_1251, &html);
    let d = decode(&bytes, Some("text/html; charset=bogus"), None);
    assert_eq!(d.text, html);
    assert_eq!(
        (d.encoding, d.source),
        ("windows-1251", EncodingSource::Meta)
    );

    // "replacement" labels would decode to a single U+FFFD.
    let d = decode(
        &bytes,
        Some("text/html; charset=iso-2022-kr"),
        Some("example.ru"),
    );
    assert_eq!(d.text, html);
    assert_eq!(d.source, EncodingSource::Meta);
}

#[test]
fn commented_out_meta_is_ignored() {
    let html = page(r#"<!-- <meta charset="big5"> --><meta charset="gbk">"#, ZH);
    let d = decode(&encode(GB18030, &html), None, None);
    assert_eq!(d.text, html);
    assert_eq!((d.encoding, d.source), ("gb18030", EncodingSource::Meta));
}

#[test]
fn meta_beyond_first_kib_is_not_seen() {
    let filler = format!("<!-- {} -->", "x".repeat(1100));
    let html = page(&format!("{filler}<meta charset=\"windows-1251\">"), RU);
    let d = decode(&encode(WINDOWS_1251, &html), None, Some("example.ru"));
    assert_eq!(d.source, EncodingSource::Detected);
    assert_eq!(d.text, html);
}

#[test]
fn gbk_under_utf8_header_falls_back_to_detection() {
    let html = page("", ZH);
    let d = decode(
        &encode(GB18030, &html),
        Some("text/html; charset=utf-8"),
        Some("example.cn"),
    );
    assert_eq!(d.text, html);
    assert_eq!(
        (d.encoding, d.source, d.had_errors),
        ("gb18030", EncodingSource::DeclarationContradicted, false)
    );
}

#[test]
fn windows_1251_under_utf8_meta_falls_back_to_detection() {
    let html = page(r#"<meta charset="utf-8">"#, RU);
    let d = decode(&encode(WINDOWS_1251, &html), None, Some("example.ru"));
    assert_eq!(d.text, html);
    assert_eq!(
        (d.encoding, d.source),
        ("windows-1251", EncodingSource::DeclarationContradicted)
    );
}

#[test]
fn damaged_utf8_stays_utf8() {
    let html = page("", ZH);
    let mut bytes = html.clone().into_bytes();
    bytes.splice(10..10, [0xFF, 0xC3]);
    let d = decode(
        &bytes,
        Some("text/html; charset=utf-8"),
        Some("example.com"),
    );
    assert_eq!(
        (d.encoding, d.source, d.had_errors),
        ("UTF-8", EncodingSource::Header, true)
    );
    assert!(d.text.contains(ZH));
}

#[test]
fn invalid_utf8_under_utf8_header_does_not_panic() {
    let bytes: Vec<u8> = (0u8..=255).cycle().take(5000).collect();
    let d = decode(
        &bytes,
        Some("text/html; charset=utf-8"),
        Some("example.com"),
    );
    assert!(d.had_errors || d.source == EncodingSource::DeclarationContradicted);
    for garbage in [
        &b"\xFF\xFE"[..],
        b"\xFE",
        b"",
        b"\xEF\xBB",
        b"<meta charset=",
        b"<meta charset=\"\xFF\">",
    ] {
        let _ = decode(garbage, Some("text/html; charset=utf-8"), None);
        let _ = decode(garbage, Some(";;charset"), Some(""));
        let _ = decode(garbage, None, None);
    }
}

#[test]
fn odd_hosts_do_not_panic() {
    let html = page("", ZH);
    let bytes = encode(GB18030, &html);
    for host in [
        "EXAMPLE.CN",
        "127.0.0.1",
        "xn--fiqs8s",
        "",
        ".",
        "example.cn.",
        "[::1]",
        "::1",
        "例子.中国",
        "exa_mple.c_n",
        "EXAMPLE.Cn",
    ] {
        let d = decode(&bytes, None, Some(host));
        assert_eq!(d.source, EncodingSource::Detected, "{host}");
    }
    let d = decode(&bytes, None, Some("EXAMPLE.CN"));
    assert_eq!(d.text, html);
}

#[test]
fn tld_hints() {
    assert_eq!(tld_hint("EXAMPLE.CN").as_deref(), Some("cn"));
    assert_eq!(tld_hint("example.cn.").as_deref(), Some("cn"));
    assert_eq!(tld_hint("shop.xn--fiqs8s").as_deref(), Some("xn--fiqs8s"));
    assert_eq!(tld_hint("127.0.0.1"), None);
    assert_eq!(tld_hint("[::1]"), None);
    assert_eq!(tld_hint(""), None);
    assert_eq!(tld_hint("例子.中国"), None);
}

#[test]
fn ascii_only_body_decodes() {
    let d = decode(
        b"<html><body>Hello</body></html>",
        None,
        Some("example.com"),
    );
    assert_eq!(d.text, "<html><body>Hello</body></html>");
    assert!(!d.had_errors);
    assert_eq!(d.source, EncodingSource::Detected);
}

#[test]
fn valid_utf8_wins_over_a_leftover_legacy_meta() {
    let html = page(r#"<meta charset="gb2312">"#, ZH);
    let d = decode(html.as_bytes(), Some("text/html"), Some("example.cn"));
    assert_eq!(d.text, html);
    assert_eq!((d.encoding, d.source), ("UTF-8", EncodingSource::ValidUtf8));
}

#[test]
fn a_declared_charset_that_breaks_the_text_loses_to_detection() {
    // Big5 bytes declared as Shift_JIS: decoding as declared leaves replacement characters.
    let html = page(r#"<meta charset="shift_jis">"#, TW);
    let d = decode(&encode(BIG5, &html), None, Some("example.tw"));
    assert_eq!(d.text, html);
    assert_eq!(
        (d.encoding, d.source),
        ("Big5", EncodingSource::DeclarationContradicted)
    );
}

#[test]
fn a_server_default_charset_loses_to_the_text_it_garbles() {
    // A server's default label (iso-8859-1, windows-1251) decodes any bytes without an error,
    // so only the text can say it is wrong; gb2312 decodes Big5 without an error too, as rare
    // ideographs, and only a CJK rival can say it is wrong.
    for (label, encoding, text, host) in [
        ("iso-8859-1", WINDOWS_1251, RU, "shop.example.com"),
        ("iso-8859-1", GB18030, ZH, "shop.example.com"),
        ("windows-1251", encoding_rs::KOI8_R, RU, "shop.example.ru"),
        (
            "windows-1251",
            encoding_rs::X_MAC_CYRILLIC,
            RU,
            "shop.example.ru",
        ),
        ("gb2312", BIG5, TW, "shop.example.cn"),
        ("big5", GB18030, ZH, "shop.example.tw"),
        (
            "iso-8859-1",
            encoding_rs::ISO_2022_JP,
            JA,
            "shop.example.jp",
        ),
    ] {
        let html = page("", text);
        let content_type = format!("text/html; charset={label}");
        let d = decode(&encode(encoding, &html), Some(&content_type), Some(host));
        // The text, not the name: KOI8-U reads Russian exactly as KOI8-R does.
        assert_eq!(d.text, html, "{} labelled {label}", encoding.name());
        assert_eq!(
            d.source,
            EncodingSource::DeclarationContradicted,
            "{} labelled {label}",
            encoding.name()
        );
    }
}

#[test]
fn a_right_declared_charset_is_obeyed() {
    let fr = "Nous sommes distributeur agréé de composants pour l’aéronautique et la défense.";
    for (encoding, text, host) in [
        (WINDOWS_1252, fr, "shop.example.fr"),
        (WINDOWS_1252, fr, "shop.example.ru"),
        (WINDOWS_1251, RU, "shop.example.cn"),
        (GB18030, ZH, "shop.example.tw"),
        (BIG5, TW, "shop.example.cn"),
        (encoding_rs::EUC_JP, "会社概要", "shop.example.ru"),
    ] {
        let html = page("", text);
        let content_type = format!("text/html; charset={}", encoding.name());
        let d = decode(&encode(encoding, &html), Some(&content_type), Some(host));
        assert_eq!(d.text, html, "{} under {host}", encoding.name());
        assert_eq!(
            (d.encoding, d.source),
            (encoding.name(), EncodingSource::Header)
        );
    }
}

#[test]
fn the_domain_is_a_prior_not_a_verdict() {
    for (encoding, text, host) in [
        (GB18030, ZH, "example.ru"),
        (BIG5, TW, "example.ru"),
        (BIG5, TW, "example.cn"),
        (GB18030, ZH, "example.tw"),
    ] {
        let html = page("", text);
        let d = decode(&encode(encoding, &html), None, Some(host));
        assert_eq!(d.text, html, "{} under {host}", encoding.name());
        assert_eq!(d.source, EncodingSource::EvidenceOverDomain);
    }
}

#[test]
fn mac_cyrillic_keeps_its_capitals() {
    let html = page("", RU);
    let d = decode(
        &encode(encoding_rs::X_MAC_CYRILLIC, &html),
        None,
        Some("example.ru"),
    );
    assert_eq!(d.text, html);
    assert_eq!(d.encoding, "x-mac-cyrillic");
}

/// A page of `text` in `encoding`, served undeclared from `host`, must read back as itself.
fn assert_read_right(encoding: &'static Encoding, text: &str, host: &str) {
    let html = page("", text);
    let d = decode(&encode(encoding, &html), Some("text/html"), Some(host));
    assert_eq!(
        d.encoding,
        encoding.name(),
        "{} under {host}",
        encoding.name()
    );
    assert_eq!(d.text, html);
}

#[test]
fn cjk_and_cyrillic_pages_are_read_right_under_every_domain() {
    // A .cn, .tw, .hk or .kr prior made chardetng say GBK, Big5 or EUC-KR for Shift_JIS and
    // EUC-JP pages, and GBK for EUC-KR ones: the wrong decode is all valid, if rare, ideographs,
    // so plausibility could not object (72 of these 196 decodes were wrong). Titles of a few
    // characters count: a company's name or a menu may be all the text a page has.
    let cases: &[(&'static Encoding, &str)] = &[
        (encoding_rs::SHIFT_JIS, "会社概要"),
        (encoding_rs::SHIFT_JIS, "防衛産業向け電子部品"),
        (encoding_rs::EUC_JP, "会社概要"),
        (encoding_rs::EUC_JP, "防衛産業向け電子部品"),
        (encoding_rs::EUC_KR, "회사 소개"),
        (encoding_rs::EUC_KR, "방위 산업 부품"),
        (GB18030, "公司简介"),
        (GB18030, "军工电子元器件"),
        (BIG5, "公司簡介"),
        (BIG5, "軍工電子元件"),
        (WINDOWS_1251, "Контакты"),
        (encoding_rs::KOI8_R, "Контакты о компании"),
        (encoding_rs::SHIFT_JIS, JA),
        (encoding_rs::EUC_KR, KO),
    ];
    let mut wrong = Vec::new();
    for (encoding, text) in cases {
        for host in DOMAINS {
            for html in [
                format!("<html><title>{text}</title><body>Company</body></html>"),
                page("", text),
            ] {
                let d = decode(&encode(encoding, &html), Some("text/html"), Some(host));
                if d.text != html {
                    wrong.push(format!(
                        "{} {text} under {host}: {}",
                        encoding.name(),
                        d.encoding
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_hebrew_page_is_not_read_as_cyrillic_under_a_russian_domain() {
    // windows-1255 letters sit where windows-1251 has lower-case Cyrillic: both decodes are
    // clean words, and the tie went to the .ru prior.
    assert_read_right(encoding_rs::WINDOWS_1255, HE, "example.ru");
}

const HU: &str = "Hivatalos forgalmazó vagyunk: műszaki alkatrészek a védelmi ipar és a \
                  repülőgépipar számára, megbízható minőségben, gyors szállítással.";
const TR: &str = "Savunma sanayii ve havacılık için elektronik bileşenlerin resmi \
                  distribütörüyüz. Güvenilir ürünler, hızlı teslimat ve şeffaf fiyatlar.";

#[test]
fn a_hungarian_page_is_not_read_as_windows_1252() {
    // Only ő and ű tell Hungarian in windows-1250 or ISO-8859-2 from windows-1252 (õ, û), and
    // chardetng said windows-1252; both decodes are clean words, so the alphabet decides.
    for host in DOMAINS {
        for encoding in [encoding_rs::WINDOWS_1250, encoding_rs::ISO_8859_2] {
            let html = page("", HU);
            let d = decode(&encode(encoding, &html), Some("text/html"), Some(host));
            assert_eq!(d.text, html, "{} under {host}", encoding.name());
        }
    }
}

#[test]
fn a_bilingual_french_and_german_page_stays_windows_1252() {
    // No one alphabet fits both languages' letters, and windows-1250 makes some of them
    // Slovak ("Genčve"): trying windows-1250 for Hungarian must not take such a page.
    let text = "Wir sind ein zugelassener Händler für Bauteile in Zürich, Größe und Qualität, \
                mit Vertretung à Genève. Äußerst schnelle Lieferung, Übersicht über Änderungen, \
                Rückgabe möglich. Distributeur agréé, très rapide, où il faut, déjà là.";
    let html = page("", text);
    let bytes = encode(WINDOWS_1252, &html);
    for host in ["example.com", "example.ch", "example.de", "example.fr"] {
        let d = decode(&bytes, Some("text/html"), Some(host));
        assert_eq!(
            (d.encoding, d.text == html),
            ("windows-1252", true),
            "{host}"
        );
    }
    let d = decode(
        &bytes,
        Some("text/html; charset=iso-8859-1"),
        Some("example.ch"),
    );
    assert_eq!((d.text, d.source), (html, EncodingSource::Header));
}

#[test]
fn pages_under_a_wrong_single_byte_label_are_read_in_their_language() {
    // A server's default label decodes any single-byte page without an error, and the words
    // it makes were as plausible as the truth's: Turkish as Latin-1 ("havacýlýk"), Hebrew as
    // Cyrillic ("щмен"), Hungarian as Latin-1 ("repülõgépipar").
    for (label, encoding, text) in [
        ("iso-8859-1", encoding_rs::WINDOWS_1254, TR),
        ("iso-8859-1", encoding_rs::ISO_8859_2, HU),
        ("windows-1251", encoding_rs::WINDOWS_1255, HE),
    ] {
        let html = page("", text);
        let content_type = format!("text/html; charset={label}");
        let d = decode(
            &encode(encoding, &html),
            Some(&content_type),
            Some("shop.example.com"),
        );
        assert_eq!(d.text, html, "{} labelled {label}", encoding.name());
        assert_eq!(d.source, EncodingSource::DeclarationContradicted);
    }
    // The label stays obeyed for pages in its own languages.
    for (label, text) in [
        (
            "iso-8859-1",
            "Grüße aus München, São Paulo e Besançon; Þórshöfn.",
        ),
        ("windows-1251", RU),
    ] {
        let html = page("", text);
        let content_type = format!("text/html; charset={label}");
        let encoding = header_charset(&content_type).expect("a known label");
        let d = decode(
            &encode(encoding, &html),
            Some(&content_type),
            Some("shop.example.com"),
        );
        assert_eq!(
            (d.text, d.source),
            (html, EncodingSource::Header),
            "{label}"
        );
    }
}

#[test]
fn eight_bytes_of_japanese_are_not_read_as_mac_cyrillic_under_a_russian_domain() {
    // Katakana in EUC-JP read as Mac Cyrillic alternate letters with symbols ("•н•∞•§•у"),
    // which passed while no symbol stood right next to a letter.
    let html = "<html>\n<body>\nログイン\n</body>\n</html>\n";
    let d = decode(
        &encode(encoding_rs::EUC_JP, html),
        Some("text/html"),
        Some("example.ru"),
    );
    assert_eq!((d.encoding, d.text.as_str()), ("EUC-JP", html));
}

#[test]
fn a_thai_page_is_not_read_as_mac_cyrillic() {
    // Thai tone marks are combining marks, not letters: they made every Thai word look broken.
    assert_read_right(encoding_rs::WINDOWS_874, TH, "example.com");
}

#[test]
fn a_seven_bit_iso_2022_jp_page_is_read_as_japanese() {
    let html = page("", JA);
    let bytes = encode(encoding_rs::ISO_2022_JP, &html);
    assert!(bytes.is_ascii(), "ISO-2022-JP is seven-bit");
    let d = decode(&bytes, Some("text/html"), Some("example.jp"));
    assert_eq!(d.encoding, "ISO-2022-JP");
    assert_eq!(d.text, html);
}

#[test]
fn ansi_escapes_in_an_ascii_page_do_not_make_it_japanese() {
    let html = page("", "build \u{1b}[32mok\u{1b}[0m in 3s");
    let d = decode(html.as_bytes(), Some("text/html"), Some("example.com"));
    assert_eq!(d.text, html);
    assert_ne!(d.encoding, "ISO-2022-JP");
    let d = decode(
        html.as_bytes(),
        Some("text/html; charset=windows-1252"),
        Some("example.jp"),
    );
    assert_eq!(
        (d.text.as_str(), d.encoding),
        (html.as_str(), "windows-1252")
    );
}

#[test]
fn short_titles_under_a_wrong_label_are_read_right() {
    // A company's name or a menu may be all the text a page has. (KOI8-R "О компании" under
    // windows-1251 reads as "п ЙНЛОЮМХХ", as plausible word for word: a tie keeps the label.)
    let wrong: &[(&str, &'static Encoding, &str)] = &[
        ("iso-8859-1", WINDOWS_1251, "Контакты"),
        ("iso-8859-1", WINDOWS_1251, "Военная продукция"),
        ("iso-8859-1", GB18030, "军工"),
        ("iso-8859-1", BIG5, "公司簡介"),
        ("windows-1251", encoding_rs::KOI8_R, "Контакты"),
        ("gb2312", BIG5, "公司簡介"),
    ];
    let right: &[(&str, &'static Encoding, &str)] = &[
        ("windows-1252", WINDOWS_1252, "© 2024 Société Générale"),
        ("windows-1251", WINDOWS_1251, "Контакты"),
        ("koi8-r", encoding_rs::KOI8_R, "Контакты"),
        ("gb2312", GB18030, "军工"),
        ("big5", BIG5, "軍工"),
    ];
    let mut misread = Vec::new();
    for (cases, want) in [
        (wrong, EncodingSource::DeclarationContradicted),
        (right, EncodingSource::Header),
    ] {
        for (label, encoding, text) in cases {
            for host in ["shop.example.com", "shop.example.ru", "shop.example.cn"] {
                let html =
                    format!("<html><head><title>{text}</title></head><body>Ltd</body></html>");
                let content_type = format!("text/html; charset={label}");
                let d = decode(&encode(encoding, &html), Some(&content_type), Some(host));
                if d.text != html || d.source != want {
                    misread.push(format!(
                        "{} {text} labelled {label} under {host}: {} {:?}",
                        encoding.name(),
                        d.encoding,
                        d.source
                    ));
                }
            }
        }
    }
    assert!(misread.is_empty(), "{}", misread.join("\n"));
}
