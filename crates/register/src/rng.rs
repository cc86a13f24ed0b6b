//! The deterministic generator behind every area's demo data (the demo counties must come out
//! the same on every start), and the names it draws.

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "沈",
];
const GIVEN: [&str; 32] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
    "秀英", "华", "平", "刚", "桂英", "建华", "海燕", "志强", "晓东", "丽华", "建国", "玉兰",
    "春梅", "国庆", "红霞", "文斌",
];

/// SplitMix64: a tiny, well-known deterministic generator; demo data needs repeatability, not
/// cryptographic quality.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn person_name(&mut self) -> String {
        format!(
            "{}{}",
            SURNAMES[self.below(SURNAMES.len())],
            GIVEN[self.below(GIVEN.len())]
        )
    }
}
