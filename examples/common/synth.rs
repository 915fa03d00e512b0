//! Shared by the benchmark examples: a bilingual vocabulary and a seeded random source, so
//! both generate the same kind of documents and runs are comparable.
#![allow(dead_code)]

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng};

pub const ZH: &[&str] = &[
    "派工",
    "原则",
    "轮流",
    "数据库",
    "备份",
    "客户",
    "需求",
    "方案",
    "部署",
    "网络",
    "安全",
    "存储",
    "防火墙",
    "负载均衡",
    "容灾",
    "监控",
    "告警",
    "迁移",
    "升级",
    "许可证",
    "报价",
    "售前",
    "演示",
    "测试",
    "集群",
    "虚拟化",
    "云平台",
    "接口",
    "对接",
    "性能",
    "优化",
    "日志",
];

pub const EN: &[&str] = &[
    "API",
    "Kubernetes",
    "VPN",
    "SLA",
    "IPsec",
    "PostgreSQL",
    "Redis",
    "HA",
    "SSO",
    "LDAP",
    "backup",
    "cluster",
    "latency",
    "throughput",
    "license",
    "upgrade",
    "demo",
    "proxy",
];

/// A seeded generator: the same seed gives the same documents on every run.
pub struct Rng(StdRng);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(StdRng::seed_from_u64(seed))
    }

    pub fn next(&mut self) -> usize {
        self.0.random::<u32>() as usize
    }

    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.0.random_range(0..xs.len())]
    }
}
