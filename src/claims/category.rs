//! What kind of claim a rule finds: one of the kinds the built-in packs know, or one a user
//! named for their own rules in targets.toml.
//!
//! A category is written as its plain name everywhere (pack files, targets.toml, the store,
//! flag records, CSV and FollowTheMoney output), so the type changes nothing on disk or on the
//! wire; it only lets the code ask "is this a partner claim?" without comparing strings.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A claim's category. Built with [`Category::from`], which reads the built-in names as their
/// variants, so a user rule of category "partner" is a partner rule and `User` never holds a
/// built-in name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Category {
    /// Military and defence language.
    Military,
    /// Partner and authorized-distributor claims; their rules need a manufacturer named.
    Partner,
    /// Flags about a whole site going dark or coming back, not about a claim.
    Health,
    /// A category of the user's own rules.
    User(String),
}

impl Category {
    const MILITARY: &'static str = "military";
    const PARTNER: &'static str = "partner";
    const HEALTH: &'static str = "health";

    /// The name as written in packs, targets.toml and every output.
    pub fn as_str(&self) -> &str {
        match self {
            Category::Military => Self::MILITARY,
            Category::Partner => Self::PARTNER,
            Category::Health => Self::HEALTH,
            Category::User(name) => name,
        }
    }

    /// Whether the built-in packs know this category (its site-wide removals weigh the most).
    pub fn is_built_in(&self) -> bool {
        matches!(self, Category::Military | Category::Partner)
    }
}

impl From<&str> for Category {
    fn from(name: &str) -> Self {
        match name {
            Self::MILITARY => Category::Military,
            Self::PARTNER => Category::Partner,
            Self::HEALTH => Category::Health,
            _ => Category::User(name.to_owned()),
        }
    }
}

impl From<String> for Category {
    fn from(name: String) -> Self {
        match name.as_str() {
            Self::MILITARY => Category::Military,
            Self::PARTNER => Category::Partner,
            Self::HEALTH => Category::Health,
            _ => Category::User(name),
        }
    }
}

/// Pads like a string, so the category lines up in columns (`{:<9}`).
impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Category {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Category::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_names_read_as_their_variants_and_others_as_user_categories() {
        assert_eq!(Category::from("military"), Category::Military);
        assert_eq!(Category::from(String::from("partner")), Category::Partner);
        assert_eq!(
            Category::from("export-control"),
            Category::User("export-control".into())
        );
        assert!(Category::Partner.is_built_in());
        assert!(!Category::from("export-control").is_built_in());
    }

    #[test]
    fn serialises_and_shows_as_the_plain_name() {
        for name in ["military", "partner", "export-control"] {
            let category = Category::from(name);
            let json = serde_json::to_string(&category).expect("a string serialises");
            assert_eq!(json, format!("\"{name}\""));
            let back: Category = serde_json::from_str(&json).expect("a JSON string reads back");
            assert_eq!(back, category);
            assert_eq!(category.to_string(), name);
        }
        assert_eq!(format!("[{:<9}]", Category::Military), "[military ]");
    }
}
