//! One robots.txt path pattern (RFC 9309 section 2.2.3), matched without regular expressions.
//!
//! A pattern is a literal prefix with `*` standing for any run of octets and a final `$`
//! anchoring it at the end of the path. Splitting it at the stars and finding each piece
//! leftmost in turn decides a match in time linear in the path, whatever the pattern: a
//! hostile robots.txt cannot make matching slow, and needs no compiled automaton per rule.

/// A compiled Allow or Disallow value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The literal pieces between stars, percent-escapes normalised. The first must start
    /// the path; the others follow in order.
    pieces: Vec<String>,
    /// Whether the value ended in `$`: the last piece must then end the path.
    anchored: bool,
    /// How specific the rule is: the length of the value in octets, as RFC 9309 ranks rules.
    specificity: usize,
}

impl Pattern {
    /// Compiles a rule value; `None` for an empty one, which matches nothing.
    pub fn new(value: &str) -> Option<Pattern> {
        if value.is_empty() {
            return None;
        }
        let encoded = normalize_path(value);
        let (body, anchored) = match encoded.strip_suffix('$') {
            Some(body) => (body, true),
            None => (encoded.as_str(), false),
        };
        // A `$` before the end is an ordinary octet (RFC 9309 gives it no meaning there).
        let pieces = body.split('*').map(str::to_owned).collect();
        Some(Pattern {
            pieces,
            anchored,
            specificity: encoded.len(),
        })
    }

    /// The rank of this rule among those that match: longer values win.
    pub fn specificity(&self) -> usize {
        self.specificity
    }

    /// Whether `path` (already [`normalize_path`]d) matches.
    pub fn matches(&self, path: &str) -> bool {
        let Some((first, rest)) = self.pieces.split_first() else {
            return false;
        };
        if !path.starts_with(first.as_str()) {
            return false;
        }
        let mut at = first.len();
        let Some((last, middle)) = rest.split_last() else {
            // No star: a prefix, or the whole path when anchored.
            return !self.anchored || at == path.len();
        };
        for piece in middle {
            // The leftmost place leaves the most room for the pieces after it.
            match path[at..].find(piece.as_str()) {
                Some(found) => at += found + piece.len(),
                None => return false,
            }
        }
        if self.anchored {
            path.len() - at >= last.len() && path.ends_with(last.as_str())
        } else {
            path[at..].contains(last.as_str())
        }
    }
}

/// A path or rule value with octets outside printable ASCII percent-encoded and the hex digits
/// of existing escapes in upper case, so that both sides of a comparison spell an octet alike.
pub fn normalize_path(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' if bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) =>
            {
                out.push('%');
                out.push(char::from(bytes[i + 1].to_ascii_uppercase()));
                out.push(char::from(bytes[i + 2].to_ascii_uppercase()));
                i += 3;
                continue;
            }
            b'!'..=b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, path: &str) -> bool {
        Pattern::new(pattern)
            .expect("a non-empty pattern")
            .matches(&normalize_path(path))
    }

    #[test]
    fn prefixes_stars_and_anchors_match_as_rfc_9309_reads_them() {
        assert!(matches("/", "/anything"));
        assert!(matches("/fish", "/fish.html"));
        assert!(!matches("/fish", "/Fish.asp"));
        assert!(matches("/fish*", "/fishheads/yummy.html"));
        assert!(matches("/*.php", "/folder/filename.php?parameters"));
        assert!(!matches("/*.php", "/windows.PHP"));
        assert!(matches("/*.php$", "/filename.php"));
        assert!(!matches("/*.php$", "/filename.php?parameters"));
        assert!(matches("/fish*.php", "/fish/salmon.php"));
        assert!(!matches("/fish*.php", "/Fish.php"));
        assert!(matches("/a$", "/a"));
        assert!(!matches("/a$", "/ab"));
        assert!(matches("/*/*/tree/master$", "/g/r/tree/master"));
        assert!(!matches("/*/*/tree/master$", "/g/r/tree/master/x"));
        assert!(matches("/a*$", "/abc"));
        assert!(matches("/a$b", "/a$b/c"), "a `$` before the end is literal");
        assert!(matches("*x", "/box"));
    }

    #[test]
    fn the_anchored_piece_may_not_overlap_an_earlier_one() {
        // "/ab*ba$" on "/aba": "ba" would end the path only by reusing the "b" of "/ab".
        assert!(!matches("/ab*ba$", "/aba"));
        assert!(matches("/ab*ba$", "/abba"));
    }

    #[test]
    fn non_ascii_and_escapes_compare_as_octets() {
        assert!(matches("/产品", "/%E4%BA%A7%E5%93%81/list"));
        assert!(matches("/%e4%ba%a7", "/%E4%BA%A7"));
        assert!(matches("/a b", "/a%20b"));
    }

    #[test]
    fn empty_values_match_nothing() {
        assert_eq!(Pattern::new(""), None);
    }

    #[test]
    fn star_runs_cost_no_more_than_one_star() {
        let pattern = format!("/{}a$", "*a".repeat(100_000));
        let pattern = Pattern::new(&pattern).expect("non-empty");
        let path = format!("/{}", "a".repeat(10_000));
        // Each piece is found leftmost once: linear, where backtracking would never finish.
        assert!(!pattern.matches(&path));
    }
}
