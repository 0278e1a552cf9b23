//! Which listed entities become new targets: those with a website that no target watches yet,
//! under no list reference a target already has. The new targets are appended to the file's
//! text, and the whole is checked to parse before anyone sees it.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::render::target_block;
use super::slug::{name_for_id, slug, unique_id};
use super::web::site_host;
use super::{ImportError, ListFile, ListFormat, ListedEntity};
use crate::config::{Config, ListRef, Target};

/// A listed entity that becomes a target.
#[derive(Debug, Clone)]
pub struct Added {
    pub id: String,
    pub entity: ListedEntity,
}

/// A listed entity that a target (or an earlier entity of the same file) already covers.
#[derive(Debug, Clone)]
pub struct Present {
    pub entity: ListedEntity,
    pub target_id: String,
    /// "same website host example.com", "same list reference …".
    pub why: String,
}

/// What an import would do to a watch-list.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub added: Vec<Added>,
    pub present: Vec<Present>,
    pub without_website: Vec<ListedEntity>,
    /// Records of the file that were not parties.
    pub other_records: usize,
    /// The file as it was ("" when there was none).
    pub old_text: String,
    /// The file with the new targets appended; equal to `old_text` when there are none.
    pub new_text: String,
}

/// What the watch-list already covers: each key maps to the target covering it.
#[derive(Default)]
struct Covered {
    hosts: HashMap<String, String>,
    /// Wildcard `allow_hosts` (`*.example.com`), as the domain they cover.
    domains: Vec<(String, String)>,
    list_refs: HashMap<(String, String), String>,
    /// Entity ids of references that came from a data set: OpenSanctions ids are unique
    /// across its data sets, and an entity's `referents` name the ids it had before.
    entity_ids: HashMap<String, String>,
    ids: HashSet<String>,
}

impl Covered {
    fn of(targets: &[Target]) -> Covered {
        let mut covered = Covered::default();
        for target in targets {
            covered.ids.insert(target.id.clone());
            for host in target.scope_hosts() {
                match host.strip_prefix("*.") {
                    Some(domain) => covered.domains.push((site_host(domain), target.id.clone())),
                    None => {
                        covered.hosts.insert(site_host(&host), target.id.clone());
                    }
                }
            }
            covered.add_refs(&target.list_refs, &target.id);
        }
        covered
    }

    fn add_refs(&mut self, refs: &[ListRef], target_id: &str) {
        for r in refs {
            if let Some(key) = r.key() {
                self.list_refs.insert(key, target_id.to_string());
            }
            if let (Some(_), Some(id)) = (&r.dataset, &r.entity_id) {
                self.entity_ids
                    .insert(id.to_lowercase(), target_id.to_string());
            }
        }
    }

    fn add(&mut self, id: &str, entity: &ListedEntity) {
        self.ids.insert(id.to_string());
        for url in &entity.websites {
            if let Some(host) = url.host_str() {
                self.hosts.insert(site_host(host), id.to_string());
            }
        }
        self.add_refs(&entity.list_refs, id);
    }

    /// The target covering `entity`, and why.
    fn find(&self, entity: &ListedEntity) -> Option<(String, String)> {
        for url in &entity.websites {
            let host = site_host(url.host_str().unwrap_or_default());
            if let Some(target) = self.hosts.get(&host) {
                return Some((target.clone(), format!("same website host {host}")));
            }
            let under = |domain: &String| host == *domain || host.ends_with(&format!(".{domain}"));
            if let Some((domain, target)) = self.domains.iter().find(|(d, _)| under(d)) {
                return Some((target.clone(), format!("{host} is in scope of *.{domain}")));
            }
        }
        for r in &entity.list_refs {
            if let Some(target) = r.key().and_then(|key| self.list_refs.get(&key)) {
                return Some((
                    target.clone(),
                    format!("same list reference {}", r.describe()),
                ));
            }
        }
        let ids = std::iter::once(&entity.source_id).chain(&entity.other_ids);
        for id in ids {
            if let Some(target) = self.entity_ids.get(&id.to_lowercase()) {
                return Some((target.clone(), format!("same entity id {id}")));
            }
        }
        None
    }
}

/// Plans the import of `file` into the watch-list whose text is `old_text` (read from `path`,
/// named in messages).
pub fn plan(
    old_text: &str,
    path: &Path,
    file: ListFile,
    format: ListFormat,
) -> Result<ImportPlan, ImportError> {
    let existing = if old_text.trim().is_empty() {
        Vec::new()
    } else {
        Config::parse_draft(old_text, path)?.targets
    };
    let mut covered = Covered::of(&existing);
    let mut plan = ImportPlan {
        added: Vec::new(),
        present: Vec::new(),
        without_website: Vec::new(),
        other_records: file.other_records,
        old_text: old_text.to_string(),
        new_text: old_text.to_string(),
    };
    for entity in file.entities {
        if entity.websites.is_empty() {
            plan.without_website.push(entity);
        } else if let Some((target_id, why)) = covered.find(&entity) {
            plan.present.push(Present {
                entity,
                target_id,
                why,
            });
        } else {
            let base = slug(name_for_id(&entity.name, &entity.aliases));
            let identity = format!("{}:{}", format.label(), entity.source_id);
            let id = unique_id(&base, &identity, &covered.ids);
            covered.add(&id, &entity);
            plan.added.push(Added { id, entity });
        }
    }
    if !plan.added.is_empty() {
        plan.new_text = append(old_text, &plan.added, format);
        let parsed = Config::parse(&plan.new_text, path).map_err(ImportError::Rendered)?;
        debug_assert_eq!(parsed.targets.len(), existing.len() + plan.added.len());
    }
    Ok(plan)
}

/// `old_text` with a `[[target]]` table for each added entity after it, the old text untouched.
fn append(old_text: &str, added: &[Added], format: ListFormat) -> String {
    let mut text = old_text.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for a in added {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&target_block(&a.id, &a.entity, format));
    }
    text
}

/// A unified diff from `old` to `new`, both called `label`.
pub fn unified_diff(old: &str, new: &str, label: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(label, label)
        .to_string()
}
