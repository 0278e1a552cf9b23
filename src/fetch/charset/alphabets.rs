//! Which language's alphabet a Latin text's accented letters fit: the evidence between Latin
//! single-byte encodings, whose wrong decodes are still letters. Hungarian in windows-1252 has
//! "õ" and "û" where it means "ő" and "ű", beside "á", "é" and "ö": letters of no one language
//! (Portuguese has õ but no ö, Estonian õ and ö but no á). Turkish in windows-1252 has "ý",
//! "þ" and "ð" beside "ç" and "ü", which neither Turkish nor Icelandic write together.

use std::sync::LazyLock;

/// The accented letters of the Latin-script languages written in the single-byte encodings
/// (lower case; upper case is added when the table is built).
const ALPHABETS: &[&str] = &[
    "áéíóöőúüű",              // Hungarian
    "çğıöşüâîû",              // Turkish
    "áčďéěíňóřšťúůýž",        // Czech
    "áäčďéíĺľňóôŕšťúýž",      // Slovak
    "ąćęłńóśźż",              // Polish
    "čćđšž",                  // Croatian, Slovene, Bosnian
    "ăâîșşțţ",                // Romanian
    "äöüß",                   // German
    "àâæçéèêëîïôœùûüÿ",       // French
    "áéíñóúü",                // Spanish
    "áâãàçéêíóôõú",           // Portuguese
    "àèéìíîòóùú",             // Italian
    "àçèéíïòóúü",             // Catalan
    "áéèëïóöü",               // Dutch
    "æøåé",                   // Danish, Norwegian
    "åäöé",                   // Swedish, Finnish
    "äõöüšž",                 // Estonian
    "áðéíóúýþæö",             // Icelandic
    "āčēģīķļņšūž",            // Latvian
    "ąčęėįšųūž",              // Lithuanian
    "çë",                     // Albanian
    "àáâãèéêìíòóôõùúýăđĩũơư", // Vietnamese (its other letters lie beyond the table)
    "àċèġħìòùż",              // Maltese
    "ĉĝĥĵŝŭ",                 // Esperanto
    "âêîôûŵŷäëïöüáéíóúàèìòù", // Welsh
];

/// The first code point the table covers; accented Latin letters of the single-byte
/// encodings all lie between it and [`LAST`].
const FIRST: u32 = 0xC0;
const LAST: u32 = 0x24F;

/// For each letter from [`FIRST`] to [`LAST`], the languages (bits, in [`ALPHABETS`] order) that
/// write it.
static LANGUAGES_OF: LazyLock<Vec<u32>> = LazyLock::new(|| {
    let mut table = vec![0u32; (LAST - FIRST + 1) as usize];
    for (language, alphabet) in ALPHABETS.iter().enumerate() {
        for lower in alphabet.chars() {
            // İ is the capital of Turkish i, which is ASCII; ı's capital is ASCII I.
            let capitals = lower.to_uppercase().chain((lower == 'ı').then_some('İ'));
            for c in std::iter::once(lower).chain(capitals) {
                if let Some(slot) = (c as u32)
                    .checked_sub(FIRST)
                    .and_then(|i| table.get_mut(i as usize))
                {
                    *slot |= 1 << language;
                }
            }
        }
    }
    table
});

/// How many of the text's accented Latin letters the alphabet that fits it best leaves out:
/// none for text in one language, the wrongly decoded letters for a wrong Latin decode.
pub fn misfits(text: &str) -> i64 {
    let mut counts = [0i64; (LAST - FIRST + 1) as usize];
    let mut total = 0i64;
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        if let Some(count) = (c as u32)
            .checked_sub(FIRST)
            .and_then(|i| counts.get_mut(i as usize))
        {
            *count += 1;
            total += 1;
        }
    }
    if total == 0 {
        return 0;
    }
    let table = &*LANGUAGES_OF;
    let best = (0..ALPHABETS.len())
        .map(|language| {
            counts
                .iter()
                .zip(table)
                .filter(|(_, languages)| *languages & (1 << language) != 0)
                .map(|(count, _)| count)
                .sum::<i64>()
        })
        .max()
        .unwrap_or(0);
    total - best
}

#[cfg(test)]
mod tests {
    use super::misfits;

    #[test]
    fn text_in_one_language_fits_its_alphabet() {
        for text in [
            "Az előadás győri műszaki egyetemen",
            "Türkçe ağaç ışık İstanbul şehir",
            "Ein Grüßen aus München",
            "São Paulo não tem lições",
            "Jõulud ja õunad Tõnu külas",
            "Þetta er íslenskur texti með ð og ý",
            "Tiếng Việt có dấu: người, được, điện",
            "Il-Malti għandu ċ, ġ, ħ u ż",
            "Plain ASCII",
        ] {
            assert_eq!(misfits(text), 0, "{text}");
        }
    }

    #[test]
    fn a_wrong_latin_decode_leaves_letters_out() {
        // Hungarian and Turkish read as windows-1252.
        assert!(misfits("Az elõadás gyõri mûszaki egyetemen") > 0);
        assert!(misfits("Türkçe aðaç ýþýk Ýstanbul þehir") > 0);
    }
}
