//! Drawings, as inline SVG written with the same escaping templates as the pages: a target's
//! claims on a time axis, and a run's captures as one stacked bar.
//!
//! Positions are percentages of the drawing's width, so one drawing fits a phone and a desktop
//! without distorting its marks: each mark is a small SVG placed at its percentage and drawn in
//! pixels around its own origin. Marks differ in shape as well as colour (▼ removed, ▲ added,
//! ◆ reworded, ● partner unverified, ✕ unreachable, ○ back).

use chrono::{DateTime, Duration, Utc};
use maud::{Markup, html};

use super::load::target::{Bar, Mark, RunRow};
use super::pages::{case_href, flag_type_label};
use crate::flags::FlagType;

/// Where `time` falls between `start` and `end`, in percent.
fn percent(time: DateTime<Utc>, start: DateTime<Utc>, end: DateTime<Utc>) -> f64 {
    let span = (end - start).num_milliseconds();
    if span <= 0 {
        // One moment (a single crawl): everything stands at its start.
        return 0.0;
    }
    let at = (time - start).num_milliseconds() as f64 / span as f64 * 100.0;
    at.clamp(0.0, 100.0)
}

fn pct(value: f64) -> String {
    format!("{value:.2}%")
}

/// The time axis above the bars: five ticks with their dates (and times, for a short span).
pub fn axis(start: DateTime<Utc>, end: DateTime<Utc>) -> Markup {
    let span = end - start;
    let format = if span < Duration::hours(1) {
        "%H:%M:%S"
    } else if span < Duration::days(2) {
        "%m-%d %H:%M"
    } else {
        "%Y-%m-%d"
    };
    let ticks: Vec<(f64, String)> = (0..=4)
        .map(|i| {
            let at = start + span * i / 4;
            let label = at.format(format).to_string();
            (f64::from(i) * 25.0, label)
        })
        .collect();
    html! {
        svg.axis width="100%" height="28" role="img"
            aria-label={ "time from " (ticks[0].1) " to " (ticks[4].1) " (UTC)" } {
            line x1="0" x2="100%" y1="22" y2="22" class="axis-line" {}
            @for (i, (at, label)) in ticks.iter().enumerate() {
                line x1=(pct(*at)) x2=(pct(*at)) y1="17" y2="27" class="tick" {}
                text x=(pct(*at)) y="12" class={ "tick-label" @if i % 2 == 1 { " minor" } }
                    text-anchor=(match i { 0 => "start", 4 => "end", _ => "middle" }) { (label) }
            }
        }
    }
}

/// One claim's bar from first seen to removed (or the end), its flags as marks linking to their
/// cases (`link` false in a report, which has no case pages).
pub fn bar(bar: &Bar, start: DateTime<Utc>, end: DateTime<Utc>, link: bool) -> Markup {
    let from = percent(bar.from, start, end);
    let to = if bar.current {
        100.0
    } else {
        percent(bar.to, start, end).max(from + 0.6).min(100.0)
    };
    let state = if bar.current { "current" } else { "gone" };
    let label = format!(
        "{} from {} to {}{}",
        if bar.current {
            "on the page"
        } else {
            "was on the page"
        },
        bar.from.format("%Y-%m-%d %H:%M"),
        if bar.current {
            "the last capture".to_string()
        } else {
            bar.to.format("%Y-%m-%d %H:%M").to_string()
        },
        match bar.marks.len() {
            0 => String::new(),
            1 => ", 1 flag".to_string(),
            n => format!(", {n} flags"),
        }
    );
    html! {
        svg.bar width="100%" height="24" role="img" aria-label=(label) {
            line x1="0" x2="100%" y1="12" y2="12" class="track" {}
            rect x=(pct(from)) width=(pct(to - from)) y="7" height="10" rx="2" class={ "span " (state) } {}
            @for mark in &bar.marks { (mark_at(mark, start, end, link)) }
        }
    }
}

/// A row of marks alone: flags about the whole site, or about a claim not drawn.
pub fn marks_row(marks: &[Mark], start: DateTime<Utc>, end: DateTime<Utc>, link: bool) -> Markup {
    html! {
        svg.bar width="100%" height="24" role="img" aria-label={ (marks.len()) " flags" } {
            line x1="0" x2="100%" y1="12" y2="12" class="track" {}
            @for mark in marks { (mark_at(mark, start, end, link)) }
        }
    }
}

fn mark_at(mark: &Mark, start: DateTime<Utc>, end: DateTime<Utc>, link: bool) -> Markup {
    let title = format!(
        "{} detected {}",
        flag_type_label(mark.flag_type),
        mark.at.format("%Y-%m-%d %H:%M UTC")
    );
    let shape = html! {
        svg x=(pct(percent(mark.at, start, end))) y="12" overflow="visible" class="mark" {
            title { (title) }
            (mark_shape(mark.flag_type))
        }
    };
    if link {
        html! { a href=(case_href(&mark.case_id)) { (shape) } }
    } else {
        shape
    }
}

/// A mark's shape around (0, 0), about 14 px across.
pub fn mark_shape(flag_type: FlagType) -> Markup {
    let class = format!("mk t-{}", flag_type.as_str());
    match flag_type {
        FlagType::ClaimRemoved => html! { path class=(class) d="M-7,-6 L7,-6 L0,7 Z" {} },
        FlagType::ClaimAdded => html! { path class=(class) d="M-7,6 L7,6 L0,-7 Z" {} },
        FlagType::ClaimChanged => html! { path class=(class) d="M0,-7 L7,0 L0,7 L-7,0 Z" {} },
        FlagType::PartnerUnverified => html! { circle class=(class) r="6" {} },
        FlagType::SiteUnreachable => {
            html! { path class=(class) d="M-6,-6 L6,6 M6,-6 L-6,6" {} }
        }
        FlagType::SiteBack => html! { circle class=(class) r="5.5" {} },
    }
}

/// The legend's sample of a mark.
pub fn mark_sample(flag_type: FlagType) -> Markup {
    html! {
        svg.sample width="16" height="16" viewBox="-8 -8 16 16" aria-hidden="true" {
            (mark_shape(flag_type))
        }
    }
}

/// A run's captures as one bar: good, gone, failed, blocked, in proportion.
pub fn run_strip(row: &RunRow) -> Markup {
    let total = (row.good + row.gone + row.failed + row.blocked).max(1) as f64;
    let parts = [
        ("good", row.good),
        ("gone", row.gone),
        ("failed", row.failed),
        ("blocked", row.blocked),
    ];
    let mut at = 0.0;
    let mut rects = Vec::new();
    for (class, n) in parts {
        if n == 0 {
            continue;
        }
        let width = n as f64 / total * 100.0;
        rects.push((class, at, width));
        at += width;
    }
    html! {
        svg.strip width="100%" height="12" aria-hidden="true" {
            @for (class, x, width) in rects {
                rect x=(pct(x)) width=(pct(width)) y="0" height="12" class={ "part " (class) } {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_map_onto_the_width_and_stay_inside_it() {
        let start: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().expect("a time");
        let end = start + Duration::days(10);
        assert_eq!(percent(start, start, end), 0.0);
        assert_eq!(percent(start + Duration::days(5), start, end), 50.0);
        assert_eq!(percent(end + Duration::days(5), start, end), 100.0);
        assert_eq!(percent(start, start, start), 0.0);
    }

    #[test]
    fn crawled_text_in_a_bar_is_escaped() {
        let at: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().expect("a time");
        let svg = bar(
            &Bar {
                url: "http://x.example/".into(),
                text: "<script>".into(),
                lang: "en".into(),
                category: "military".into(),
                maker: None,
                from: at,
                to: at,
                current: true,
                marks: vec![Mark {
                    at,
                    flag_type: FlagType::ClaimAdded,
                    case_id: "c\"><script>".into(),
                }],
            },
            at,
            at + Duration::days(1),
            true,
        )
        .into_string();
        assert!(!svg.contains("<script"), "{svg}");
    }
}
