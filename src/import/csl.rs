//! The US Consolidated Screening List as CSV: a header row (`_id,source,entity_number,type,
//! programs,name,…,remarks,…,alt_names,…,ids`), one listed party a row, lists inside a cell
//! joined with "; ". Websites and email addresses appear as "Website …" and "Email Address …"
//! entries in `ids` or in OFAC's `remarks`.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use super::web::{email_domains_in, is_company_mail_domain, websites_in};
use super::{ImportError, ListFile, ListedEntity};
use crate::config::{ListRef, is_partial_iso_date};

/// Splits a cell holding a list.
const LIST_SEPARATOR: &str = ";";

/// One row, by column name.
struct Row<'a> {
    columns: &'a HashMap<String, usize>,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    /// The cell of `column`, trimmed; "" when the file has no such column.
    fn cell(&self, column: &str) -> &str {
        self.columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .map_or("", str::trim)
    }

    fn optional(&self, column: &str) -> Option<String> {
        Some(self.cell(column).to_string()).filter(|c| !c.is_empty())
    }

    /// The items of a list cell.
    fn list(&self, column: &str) -> Vec<String> {
        let mut items: Vec<String> = Vec::new();
        for item in self.cell(column).split(LIST_SEPARATOR).map(str::trim) {
            if !item.is_empty() && !items.iter().any(|i| i == item) {
                items.push(item.to_string());
            }
        }
        items
    }
}

pub(super) fn read(input: impl Read, path: &Path) -> Result<ListFile, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::None)
        .from_reader(input);
    let record_error = |line: u64, e: csv::Error| ImportError::Record {
        path: path.to_path_buf(),
        line,
        message: e.to_string(),
    };
    let columns: HashMap<String, usize> = reader
        .headers()
        .map_err(|e| record_error(1, e))?
        .iter()
        .enumerate()
        // A file saved by a spreadsheet may start with a byte order mark.
        .map(|(i, h)| (h.trim_start_matches('\u{feff}').trim().to_lowercase(), i))
        .collect();
    if !columns.contains_key("name") {
        return Err(ImportError::MissingColumn {
            path: path.to_path_buf(),
            column: "name",
        });
    }
    let mut entities = Vec::new();
    let mut other_records = 0;
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(record_error(line, e)),
        }
        let row = Row {
            columns: &columns,
            record: &record,
        };
        match listed(&row, line) {
            Some(entity) => entities.push(entity),
            None => other_records += 1,
        }
    }
    Ok(ListFile {
        entities,
        other_records,
    })
}

/// A row as a listed entity; `None` for a row without a name. `line` stands in for an id in a
/// file without `_id` or `entity_number`.
fn listed(row: &Row<'_>, line: u64) -> Option<ListedEntity> {
    let name = row.optional("name")?;
    let source_id = row
        .optional("_id")
        .or_else(|| row.optional("id"))
        .or_else(|| row.optional("entity_number"))
        .unwrap_or_else(|| format!("line {line}"));
    let evidence = format!("{}; {}", row.cell("ids"), row.cell("remarks"));
    let mut websites = websites_in(row.cell("ids"));
    for url in websites_in(row.cell("remarks")) {
        if !websites.contains(&url) {
            websites.push(url);
        }
    }
    let email_domains = email_domains_in(&evidence)
        .into_iter()
        .filter(|d| is_company_mail_domain(d))
        .collect();
    let mut countries: Vec<String> = Vec::new();
    for code in address_countries(row.cell("addresses"))
        .into_iter()
        .chain(row.list("nationalities"))
        .chain(row.list("citizenships"))
        .map(|c| c.to_uppercase())
    {
        if code.len() == 2 && !countries.contains(&code) {
            countries.push(code);
        }
    }
    let list_ref = ListRef {
        dataset: None,
        entity_id: row
            .optional("_id")
            .or_else(|| row.optional("entity_number"))
            .or_else(|| row.optional("id")),
        list: Some(
            row.optional("source")
                .unwrap_or_else(|| "Consolidated Screening List".into()),
        ),
        programs: row.list("programs"),
        federal_register_notice: row.optional("federal_register_notice"),
        start_date: row
            .optional("start_date")
            .filter(|d| is_partial_iso_date(d)),
        url: row
            .optional("source_information_url")
            .or_else(|| row.optional("source_list_url")),
    };
    Some(ListedEntity {
        source_id,
        kind: row.optional("type").unwrap_or_default(),
        aliases: row
            .list("alt_names")
            .into_iter()
            .filter(|a| *a != name)
            .collect(),
        name,
        countries,
        websites,
        email_domains,
        topics: Vec::new(),
        list_refs: vec![list_ref],
        other_ids: Vec::new(),
    })
}

/// The country codes ending each address ("Room 5, Tower A, Shenzhen, Guangdong, 518000, CN;
/// …"): the CSV writes an address's parts with ", ", the country code last.
fn address_countries(addresses: &str) -> Vec<String> {
    addresses
        .split(LIST_SEPARATOR)
        .filter_map(|address| address.rsplit(',').next())
        .map(str::trim)
        .filter(|code| code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(str::to_string)
        .collect()
}
