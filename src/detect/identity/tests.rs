use super::*;

fn w(text: &str) -> Wording {
    Wording::new(&normalize(text), &[])
}

fn with_terms(text: &str, terms: &[&str]) -> Wording {
    let terms: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
    Wording::new(&normalize(text), &terms)
}

fn same(a: &str, b: &str) -> bool {
    same_claim(&w(a), &w(b))
}

#[test]
fn framing_around_a_claim_keeps_it_the_same_claim() {
    let cases = [
        // A part number before the catalogue line.
        (
            "XC7Z020-1CLG400I MIL-PRF-38535 qualified, military temperature range",
            "MIL-PRF-38535 qualified, military temperature range",
        ),
        // A date before a headline, in every script's way of writing dates.
        (
            "2026-11-02 Meet us at the defence electronics exhibition",
            "Meet us at the defence electronics exhibition",
        ),
        ("2026年11月2日 欢迎参观国防电子展", "欢迎参观国防电子展"),
        ("2026年11月2日 歡迎參觀國防電子展", "歡迎參觀國防電子展"),
        (
            "02.11.2026 Приглашаем на форум оборонных технологий",
            "Приглашаем на форум оборонных технологий",
        ),
        // A label or bullet.
        (
            "News: Meet us at the defence electronics exhibition",
            "Meet us at the defence electronics exhibition",
        ),
        ("新闻：欢迎参观国防电子展", "欢迎参观国防电子展"),
        (
            "• Новости: Приглашаем на форум оборонных технологий",
            "Приглашаем на форум оборонных технологий",
        ),
        // A link text inside a longer list item.
        (
            "Meet us at the defence electronics exhibition, Nov 3, 2026, read more",
            "Meet us at the defence electronics exhibition",
        ),
    ];
    for (long, short) in cases {
        assert!(same(long, short), "{long:?} ⊇ {short:?}");
        assert!(same(short, long), "symmetric: {short:?} ⊆ {long:?}");
    }
}

#[test]
fn nearly_identical_wording_is_the_same_claim() {
    let cases = [
        (
            "We supply components to the defence industry worldwide",
            "We supply components to the defense industry worldwide",
        ),
        // Inflection: one case ending changed.
        (
            "Мы поставляем компоненты для предприятий оборонной промышленности",
            "Мы поставляем компоненты для предприятиям оборонной промышленности",
        ),
        (
            "专业军工级元器件供应商服务军工航天客户",
            "专业军工级元器件供应商，服务军工、航天客户们",
        ),
    ];
    for (a, b) in cases {
        assert!(same(a, b), "{a:?} ~ {b:?}");
    }
}

#[test]
fn a_short_claim_does_not_swallow_long_ones() {
    let cases = [
        (
            "Defense",
            "We make defense electronics for the armed forces of many nations.",
        ),
        ("国防", "我们为国防工业提供高可靠元器件。"),
        (
            "Военная продукция",
            "Военная продукция нашего завода поставляется по всей стране.",
        ),
        // Three words inside a long sentence that says much more.
        (
            "military grade components",
            "We sell military grade components to customers across the world from our warehouse",
        ),
    ];
    for (short, long) in cases {
        assert!(!same(short, long), "{short:?} must not swallow {long:?}");
    }
}

#[test]
fn unrelated_claims_of_one_rule_are_different_claims() {
    let cases = [
        (
            "Winninc is a top distributor for industrial, military, aerospace, and consumer electronics manufacturers.",
            "Meet us at the defence electronics exhibition",
        ),
        ("我们是GJB军工级元器件的专业供应商。", "欢迎参观国防电子展"),
        ("我們是軍工級元器件的專業供應商。", "歡迎參觀國防電子展"),
        (
            "Мы поставляем компоненты для предприятий оборонной промышленности.",
            "Приглашаем на форум оборонных технологий",
        ),
        (
            "XC7Z020 MIL-PRF-38535 qualified, military temperature range",
            "XC7Z020 radiation hardened for space",
        ),
    ];
    for (a, b) in cases {
        assert!(!same(a, b), "{a:?} vs {b:?}");
        assert!(
            rewording_similarity(&w(a), &w(b)) < REWORDING,
            "{a:?} vs {b:?}: {}",
            rewording_similarity(&w(a), &w(b))
        );
    }
}

#[test]
fn rewordings_share_most_of_their_wording_in_every_script() {
    let cases = [
        (
            "Winninc is a top distributor for industrial, military, aerospace, and consumer electronics manufacturers.",
            "Winninc is a leading distributor for industrial, military and aerospace manufacturers.",
            &["military", "aerospace"][..],
        ),
        (
            "我们是GJB军工级元器件的专业供应商。",
            "我们是军工级元器件的专业供应商和代理商。",
            &["军工", "GJB"][..],
        ),
        (
            "我們是軍工級元器件的專業供應商。",
            "我們是軍工級元器件和模組的專業供應商。",
            &["軍工"][..],
        ),
        (
            "Мы поставляем компоненты для предприятий оборонной промышленности.",
            "Мы поставляем электронные компоненты предприятиям оборонной промышленности России.",
            &["оборонн* промышленност*"][..],
        ),
    ];
    for (old, new, terms) in cases {
        let similarity = rewording_similarity(&with_terms(old, terms), &with_terms(new, terms));
        assert!(similarity >= REWORDING, "{old:?} → {new:?}: {similarity}");
        assert!(
            !same(old, new),
            "a rewording is not the same claim: {old:?}"
        );
    }
}

#[test]
fn unrelated_sentences_sharing_only_the_term_are_no_rewording() {
    let cases = [
        (
            "We supply the defence electronics industry.",
            "Meet us at the defence electronics exhibition.",
            &["defence electronics"][..],
        ),
        (
            "Winninc is a top distributor for industrial, military, aerospace, and consumer electronics manufacturers.",
            "Military temperature range parts in stock.",
            &["military"][..],
        ),
        (
            "公司产品广泛应用于军工领域。",
            "军工级芯片现货供应。",
            &["军工"][..],
        ),
        (
            "Продукция для оборонной промышленности.",
            "Форум оборонной промышленности пройдет в Москве.",
            &["оборонн* промышленност*"][..],
        ),
    ];
    for (a, b, terms) in cases {
        let similarity = rewording_similarity(&with_terms(a, terms), &with_terms(b, terms));
        assert!(similarity < REWORDING, "{a:?} vs {b:?}: {similarity}");
    }
}

#[test]
fn weights_count_words_double_and_cjk_characters_single() {
    assert_eq!(w("military grade parts").weight(), 6);
    assert_eq!(w("军工级元器件").weight(), 6);
    assert_eq!(w("военная приёмка").weight(), 4);
    assert_eq!(w("").weight(), 0);
}
