//! Metrics collection: counters and latency histograms, rendered in Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;

const BUCKETS_MS: [u64; 8] = [5, 10, 25, 50, 100, 250, 1000, 5000];

/// A latency histogram with fixed buckets.
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    counts: [u64; 9],
    sum_ms: u64,
}

impl Histogram {
    pub fn observe(&mut self, millis: u64) {
        let index = BUCKETS_MS.iter().position(|&b| millis <= b).unwrap_or(BUCKETS_MS.len());
        self.counts[index] += 1;
        self.sum_ms += millis;
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The bucket bound under which `quantile` of the observations fall.
    pub fn quantile(&self, quantile: f64) -> Option<u64> {
        let total = self.count();
        if total == 0 || !(0.0..=1.0).contains(&quantile) {
            return None;
        }
        let wanted = (quantile * total as f64).ceil() as u64;
        let mut seen = 0;
        for (i, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= wanted {
                return Some(BUCKETS_MS.get(i).copied().unwrap_or(u64::MAX));
            }
        }
        None
    }
}

/// All metrics of one orchestrator process.
#[derive(Debug, Default)]
pub struct Metrics {
    counters: BTreeMap<String, u64>,
    histograms: BTreeMap<String, Histogram>,
}

impl Metrics {
    pub fn increment(&mut self, name: &str) {
        *self.counters.entry(name.to_string()).or_insert(0) += 1;
    }

    pub fn observe(&mut self, name: &str, millis: u64) {
        self.histograms.entry(name.to_string()).or_default().observe(millis);
    }

    /// Prometheus exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, value) in &self.counters {
            let _ = writeln!(out, "# TYPE tasker_{name} counter");
            let _ = writeln!(out, "tasker_{name} {value}");
        }
        for (name, histogram) in &self.histograms {
            let _ = writeln!(out, "# TYPE tasker_{name}_ms histogram");
            let mut cumulative = 0;
            for (i, bound) in BUCKETS_MS.iter().enumerate() {
                cumulative += histogram.counts[i];
                let _ = writeln!(out, "tasker_{name}_ms_bucket{{le=\"{bound}\"}} {cumulative}");
            }
            let _ = writeln!(out, "tasker_{name}_ms_bucket{{le=\"+Inf\"}} {}", histogram.count());
            let _ = writeln!(out, "tasker_{name}_ms_sum {}", histogram.sum_ms);
        }
        out
    }
}
