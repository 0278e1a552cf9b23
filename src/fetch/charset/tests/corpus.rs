//! The chardet project's test files, decoded under every domain and under wrong and right
//! labels: the charset rules against real pages nobody here wrote.

use super::*;

/// The chardet test files (../shared/corpora/charsets, one folder per true encoding), decoded
/// without a declared charset as if served from hosts under seven top-level domains: every
/// file of an encoding the WHATWG standard knows must come out in that encoding, whatever the
/// domain. Skips, saying so, when the corpus is not beside the checkout.
/// `CHARSET_CORPUS=/path/to/chardet/tests` runs it on another copy of the chardet test files.
#[test]
fn chardet_corpus_is_read_right_under_every_domain() {
    assert_corpus_read_right(&DOMAINS, |_| "text/html".to_string());
}

/// The same files under a declared charset: a server's wrong default (iso-8859-1, windows-1251,
/// gb2312) loses to the evidence (obeying the label, 1169, 980 and 189 of 1386 decodes under
/// the seven domains were wrong), and a right label stays obeyed. One domain keeps it quick.
#[test]
fn chardet_corpus_is_read_right_under_a_wrong_declared_charset() {
    for label in ["iso-8859-1", "windows-1251", "gb2312"] {
        assert_corpus_read_right(&["shop.example.com"], |_| {
            format!("text/html; charset={label}")
        });
    }
    assert_corpus_read_right(&["shop.example.com"], |truth| {
        format!("text/html; charset={}", truth.name())
    });
}

/// Decodes every corpus file of a WHATWG encoding under each host, with the Content-Type
/// `content_type` gives for its true encoding, and fails listing every wrong decode.
fn assert_corpus_read_right(hosts: &[&str], content_type: impl Fn(&'static Encoding) -> String) {
    let root = std::env::var_os("CHARSET_CORPUS").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/charsets"),
        std::path::PathBuf::from,
    );
    let Ok(folders) = std::fs::read_dir(&root) else {
        eprintln!("SKIPPED: no corpus at {}", root.display());
        return;
    };
    // Folder name → the WHATWG encoding its files must decode as; folders of encodings outside
    // the standard (IBM855, EUC-TW, Johab) are left out.
    let expected = |folder: &str| -> Option<&'static Encoding> {
        use encoding_rs as e;
        // "windows-1251-russian", "iso-8859-2-czech": the language after the encoding.
        let base = match folder.rsplit_once('-') {
            Some((base, lang))
                if (base.starts_with("windows-") || base.starts_with("iso-8859-"))
                    && lang.chars().all(|c| c.is_ascii_lowercase()) =>
            {
                base
            }
            _ => folder,
        };
        Some(match base {
            "Big5" => BIG5,
            "GB2312" => GB18030,
            "IBM866" => e::IBM866,
            "KOI8-R" => e::KOI8_R,
            "MacCyrillic" => e::X_MAC_CYRILLIC,
            "MacRoman" => e::MACINTOSH,
            "iso-8859-1" | "windows-1252" | "ascii" => WINDOWS_1252,
            "utf-8" | "utf-8-sig" => e::UTF_8,
            "EUC-JP" => e::EUC_JP,
            "SHIFT_JIS" | "CP932" => e::SHIFT_JIS,
            "EUC-KR" | "CP949" => e::EUC_KR,
            "iso-2022-jp" => e::ISO_2022_JP,
            "TIS-620" => e::WINDOWS_874,
            "iso-8859-2" => e::ISO_8859_2,
            "iso-8859-5" => e::ISO_8859_5,
            "iso-8859-6" => e::ISO_8859_6,
            "iso-8859-7" => e::ISO_8859_7,
            "iso-8859-9" | "windows-1254" => e::WINDOWS_1254,
            "windows-1250" => e::WINDOWS_1250,
            "windows-1251" => WINDOWS_1251,
            "windows-1255" => e::WINDOWS_1255,
            "windows-1256" => e::WINDOWS_1256,
            _ => return None,
        })
    };
    let mut wrong = Vec::new();
    let mut read = 0;
    for folder in folders.flatten() {
        let name = folder.file_name().to_string_lossy().into_owned();
        let Some(want) = expected(&name) else {
            continue;
        };
        let content_type = content_type(want);
        for file in std::fs::read_dir(folder.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let Ok(bytes) = std::fs::read(file.path()) else {
                continue;
            };
            // Read right means the right text: encodings that agree on every byte of a file
            // (windows-1251 and -1252 on ASCII and curly quotes, KOI8-R and KOI8-U on Russian)
            // are equally right for it.
            let truth = want.decode(&bytes).0;
            for host in hosts {
                read += 1;
                let got = decode(&bytes, Some(&content_type), Some(host));
                if got.text.trim_start_matches('\u{FEFF}') != truth.trim_start_matches('\u{FEFF}') {
                    wrong.push(format!(
                        "{name}/{} under {host} as {content_type}: {}",
                        file.file_name().to_string_lossy(),
                        got.encoding
                    ));
                }
            }
        }
    }
    // As many files as the corpus beside the checkout has (198), give or take, under each host.
    assert!(
        read > 100 * hosts.len(),
        "the corpus looks incomplete: {read} decodes"
    );
    assert!(
        wrong.is_empty(),
        "{} of {read} decodes wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
