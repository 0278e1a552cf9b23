//! Deterministic filler text for the bench's pages: English and Chinese product-catalogue words
//! in phrases and sentences, from a seeded generator so every run serves the same pages.

const WORDS: &[&str] = &[
    "original",
    "genuine",
    "stock",
    "authorized",
    "distributor",
    "quality",
    "guaranteed",
    "fast",
    "delivery",
    "worldwide",
    "shipping",
    "lead-free",
    "RoHS",
    "compliant",
    "package",
    "reel",
    "tape",
    "supply",
    "chain",
    "traceability",
    "certificate",
    "conformance",
    "manufacturer",
    "datasheet",
    "voltage",
    "current",
    "temperature",
    "range",
    "industrial",
    "automotive",
    "grade",
    "low",
    "power",
    "high",
    "speed",
    "precision",
    "reliable",
    "competitive",
    "price",
    "inventory",
    "warehouse",
    "Hong Kong",
    "Shenzhen",
    "franchised",
    "obsolete",
    "parts",
    "sourcing",
    "service",
    "inspection",
    "testing",
    "laboratory",
    "ISO 9001",
    "AS9120",
    "components",
    "semiconductors",
    "we",
    "offer",
    "the",
    "and",
    "for",
    "with",
    "our",
    "all",
    "are",
    "in",
    "of",
    "to",
];

const CHINESE: &[&str] = &[
    "原装正品",
    "现货供应",
    "授权代理商",
    "质量保证",
    "价格优势",
    "欢迎询价",
    "一站式采购服务",
    "集成电路",
    "电子元器件",
    "深圳华强北",
    "假一罚十",
    "全新原装",
    "支持验货",
    "工业级",
    "汽车级",
];

pub fn phrase(rng: &mut Rng, words: usize) -> String {
    let mut text = String::new();
    for i in 0..words {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(WORDS[rng.below(WORDS.len())]);
    }
    text
}

pub fn chinese(rng: &mut Rng, phrases: usize) -> String {
    let mut text = String::new();
    for i in 0..phrases {
        if i > 0 {
            text.push('，');
        }
        text.push_str(CHINESE[rng.below(CHINESE.len())]);
    }
    text
}

pub fn sentence(rng: &mut Rng) -> String {
    let words = 8 + rng.below(12);
    let mut text = phrase(rng, words);
    if rng.below(4) == 0 {
        text.push('，');
        text.push_str(&chinese(rng, 2));
    }
    if let Some(first) = text.get(..1) {
        let upper = first.to_ascii_uppercase();
        text.replace_range(..1, &upper);
    }
    text.push('.');
    text
}

/// xorshift64*: deterministic pages without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
