//! A regex compiled the first time it is run.
//!
//! The built-in packs hold a few hundred patterns whose compilation is most of what building a
//! matcher costs (about 10 ms). A run whose pages all read as before matches nothing, so it
//! should not pay for them; a run that does match pays once, on the first sentence that needs
//! each. User regexes come from targets.toml and are compiled up front, so a bad one is an
//! error when the config is read, not in the middle of a crawl.

use std::sync::OnceLock;

use regex::Regex;

#[derive(Debug)]
pub(super) struct LazyRegex {
    pattern: String,
    compiled: OnceLock<Regex>,
}

impl LazyRegex {
    /// A pattern of the built-in packs, compiled on first use. Every one of them is compiled
    /// by the claims tests (`every_built_in_pattern_compiles`), so first use cannot fail.
    pub(super) fn built_in(pattern: String) -> LazyRegex {
        LazyRegex {
            pattern,
            compiled: OnceLock::new(),
        }
    }

    /// A pattern from outside (targets.toml), compiled now so that its error is reported
    /// where the config is read.
    pub(super) fn compiled_now(pattern: &str) -> Result<LazyRegex, regex::Error> {
        let regex = Regex::new(pattern)?;
        Ok(LazyRegex {
            pattern: pattern.to_string(),
            compiled: OnceLock::from(regex),
        })
    }

    /// The compiled regex.
    pub(super) fn get(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            Regex::new(&self.pattern).expect(
                "a built-in pattern compiles: every one is compiled by \
                 claims::tests::every_built_in_pattern_compiles",
            )
        })
    }

    /// Compiles it now, for tests that every built-in pattern compiles.
    #[cfg(test)]
    pub(super) fn try_compile(&self) -> Result<(), regex::Error> {
        if self.compiled.get().is_none() {
            let regex = Regex::new(&self.pattern)?;
            let _ = self.compiled.set(regex);
        }
        Ok(())
    }
}
