use super::*;

fn down(cause: DownCause) -> SiteHealth {
    SiteHealth::Down {
        cause,
        detail: String::new(),
    }
}

fn history(states: &[SiteHealth]) -> Vec<RunHealth<u64>> {
    states
        .iter()
        .enumerate()
        .map(|(i, health)| RunHealth {
            run: i as u64 + 1,
            at: i as u64 * 100,
            health: health.clone(),
        })
        .collect()
}

fn blocked() -> SiteHealth {
    SiteHealth::Blocked {
        detail: "403 on every page".into(),
    }
}

#[test]
fn a_site_that_answered_goes_dark_after_n_runs_and_once() {
    let conn = down(DownCause::Connection);
    let up = SiteHealth::Up;
    assert_eq!(change(&history(&[up.clone(), conn.clone()]), 2), None);
    assert_eq!(
        change(&history(&[up.clone(), conn.clone(), conn.clone()]), 2),
        Some(HealthChange::WentDark {
            since_run: 2,
            since: 100,
            runs: 2
        })
    );
    assert_eq!(
        change(
            &history(&[up.clone(), conn.clone(), conn.clone(), conn.clone()]),
            2
        ),
        None,
        "raised once per streak"
    );
    assert_eq!(
        change(&history(&[up.clone(), conn.clone()]), 1),
        Some(HealthChange::WentDark {
            since_run: 2,
            since: 100,
            runs: 1
        })
    );
}

#[test]
fn a_site_that_never_answered_raises_nothing() {
    let dns = down(DownCause::Dns);
    assert_eq!(
        change(&history(&[dns.clone(), dns.clone(), dns.clone()]), 2),
        None
    );
    assert_eq!(
        change(&history(&[dns.clone(), dns.clone(), SiteHealth::Up]), 2),
        None
    );
}

#[test]
fn a_site_comes_back_only_after_a_streak_that_went_dark() {
    let t = down(DownCause::Timeout);
    let up = SiteHealth::Up;
    assert_eq!(
        change(&history(&[up.clone(), t.clone(), t.clone(), up.clone()]), 2),
        Some(HealthChange::CameBack {
            down_since: 100,
            runs: 2
        })
    );
    assert_eq!(
        change(&history(&[up.clone(), t.clone(), up.clone()]), 2),
        None,
        "one bad run raised nothing, so its end raises nothing"
    );
}

#[test]
fn blocked_runs_neither_break_nor_extend_a_streak() {
    let conn = down(DownCause::Connection);
    let up = SiteHealth::Up;
    assert_eq!(
        change(&history(&[up.clone(), blocked(), blocked()]), 2),
        None
    );
    assert_eq!(
        change(
            &history(&[up.clone(), conn.clone(), blocked(), conn.clone()]),
            2
        ),
        Some(HealthChange::WentDark {
            since_run: 2,
            since: 100,
            runs: 2
        })
    );
}

#[test]
fn health_of_a_run_prefers_an_answer_then_the_most_telling_failure() {
    use Attempt::*;
    assert_eq!(health_of(&[]), None);
    assert_eq!(
        health_of(&[Failed(DownCause::Timeout, "t".into()), Answered]),
        Some(SiteHealth::Up)
    );
    assert_eq!(
        health_of(&[
            Failed(DownCause::Timeout, "timed out".into()),
            Failed(DownCause::Dns, "dns error".into())
        ]),
        Some(SiteHealth::Down {
            cause: DownCause::Dns,
            detail: "dns error".into()
        })
    );
    assert_eq!(
        health_of(&[ServerError(503), ServerError(500), ServerError(503)]),
        Some(SiteHealth::Down {
            cause: DownCause::ServerError,
            detail: "HTTP 500, 503".into()
        })
    );
    assert_eq!(
        health_of(&[Refused("403 on every page".into())]),
        Some(blocked())
    );
}

#[test]
fn causes_are_read_from_transport_messages() {
    let cases = [
        (
            "error sending request: client error (Connect): dns error: failed to lookup address information: Name or service not known",
            DownCause::Dns,
        ),
        (
            "client error (Connect): tcp connect error: Connection refused (os error 111)",
            DownCause::Connection,
        ),
        (
            "client error (Connect): invalid peer certificate: Expired",
            DownCause::Tls,
        ),
        ("timed out after 5s", DownCause::Timeout),
        ("something odd", DownCause::Other),
    ];
    for (message, cause) in cases {
        assert_eq!(cause_of(message), cause, "{message}");
    }
}

#[test]
fn transport_errors_are_cut_to_what_happened() {
    assert_eq!(
        concise(
            "not crawled: http://127.0.0.1:9/robots.txt unreachable: error sending request for url (http://127.0.0.1:9/robots.txt): client error (Connect): tcp connect error: Connection refused (os error 111)"
        ),
        "tcp connect error: Connection refused"
    );
    assert_eq!(concise("timed out after 5s"), "timed out after 5s");
}
