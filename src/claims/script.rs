//! Telling Simplified from Traditional Chinese, to pick one of a pack's two Chinese rules.
//!
//! Both scripts share many characters: "代理", "航天" and "合作品牌" are in both the zh-Hans and
//! the zh-Hant rules. A sentence matching both would otherwise make two claims of the same words;
//! instead it is attributed to the script its characters say it is written in.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Common characters that differ between the scripts, simplified and traditional at the same
/// position. Characters that also exist unchanged in the other script (后, 准, 云, 伙 …) are
/// left out: they say nothing about the script.
const SIMPLIFIED: &str = "军国达弹机无权级规标专与装备辐导仪亚诺赛灵尔飞萨业产电这们来时会说对发经现过还进动\
种样关长开门间问题实点学体应将个为东车书见认让设证识话语读调贵买卖钱银铁频领头风马鸟鱼龙优传两严务员\
质价线战联络销库统气厂网页报资许护际层营术号单热压储费货华韩罗欧汉乐蓝绿红组织测试检验细节简处办该态\
总协议响项额顾环创计类别难剂医疗药卫载运输双场区县园图团围圆声购册陆湾广边获";
const TRADITIONAL: &str = "軍國達彈機無權級規標專與裝備輻導儀亞諾賽靈爾飛薩業產電這們來時會說對發經現過還進動\
種樣關長開門間問題實點學體應將個為東車書見認讓設證識話語讀調貴買賣錢銀鐵頻領頭風馬鳥魚龍優傳兩嚴務員\
質價線戰聯絡銷庫統氣廠網頁報資許護際層營術號單熱壓儲費貨華韓羅歐漢樂藍綠紅組織測試檢驗細節簡處辦該態\
總協議響項額顧環創計類別難劑醫療藥衛載運輸雙場區縣園圖團圍圓聲購冊陸灣廣邊獲";

fn markers() -> &'static HashMap<char, bool> {
    static MARKERS: OnceLock<HashMap<char, bool>> = OnceLock::new();
    MARKERS.get_or_init(|| {
        SIMPLIFIED
            .chars()
            .map(|c| (c, false))
            .chain(TRADITIONAL.chars().map(|c| (c, true)))
            .collect()
    })
}

/// Whether a sentence is Traditional rather than Simplified Chinese. A sentence with as many
/// markers of each (often none: "代理TI") follows the page's `lang`.
pub(crate) fn is_traditional(sentence: &str, page_lang: Option<&str>) -> bool {
    let markers = markers();
    let (mut hant, mut hans) = (0usize, 0usize);
    for c in sentence.chars() {
        match markers.get(&c) {
            Some(true) => hant += 1,
            Some(false) => hans += 1,
            None => {}
        }
    }
    if hant != hans {
        return hant > hans;
    }
    page_lang.is_some_and(|lang| {
        let lang = lang.to_ascii_lowercase();
        lang.contains("hant")
            || ["zh-tw", "zh-hk", "zh-mo"]
                .iter()
                .any(|region| lang.starts_with(region))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pair_up() {
        let s: Vec<char> = SIMPLIFIED.chars().collect();
        let t: Vec<char> = TRADITIONAL.chars().collect();
        assert_eq!(s.len(), t.len());
        let mut seen = std::collections::HashSet::new();
        for (a, b) in s.iter().zip(&t) {
            assert_ne!(a, b);
            assert!(seen.insert(*a), "{a} twice");
            assert!(seen.insert(*b), "{b} twice");
        }
    }

    #[test]
    fn detects_script() {
        assert!(is_traditional("我們是德州儀器授權代理商", None));
        assert!(!is_traditional("我们是德州仪器授权代理商", None));
        assert!(!is_traditional("代理TI", None));
        assert!(is_traditional("代理TI", Some("zh-HK")));
        assert!(is_traditional("代理TI", Some("zh-Hant-TW")));
        assert!(!is_traditional("代理TI", Some("zh-CN")));
        assert!(!is_traditional("我们是军工企业", Some("zh-TW")));
    }
}
