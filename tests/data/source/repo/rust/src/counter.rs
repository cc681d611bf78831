//! A word counter.

use std::collections::HashMap;

/// Counts words.
pub struct Counter {
    counts: HashMap<String, u64>,
}

#[derive(Debug)]
pub enum CountError {
    Empty,
    Parse(String),
}

impl Counter {
    pub fn new() -> Self {
        Counter { counts: HashMap::new() }
    }

    pub fn add(&mut self, text: &str) -> Result<u64, CountError> {
        if text.trim().is_empty() {
            return Err(CountError::Empty);
        }
        let mut added = 0;
        for word in text.split_whitespace() {
            *self.counts.entry(word.to_lowercase()).or_insert(0) += 1;
            added += 1;
        }
        Ok(added)
    }

    pub fn add_number(&mut self, text: &str) -> Result<u64, CountError> {
        let n: u64 = text.parse().map_err(|_| CountError::Parse(text.to_string()))?;
        Ok(n)
    }

    pub fn get(&self, word: &str) -> u64 {
        match self.counts.get(word) {
            Some(n) if *n > 100 => 100,
            Some(n) => *n,
            None => 0,
        }
    }

    pub fn top(&self) -> String {
        let best = self.counts.iter().max_by_key(|(_, n)| **n).unwrap();
        best.0.clone()
    }
}

impl Default for Counter {
    fn default() -> Self {
        Self::new()
    }
}

pub fn must_be_positive(n: i64) {
    if n <= 0 {
        panic!("not positive: {n}");
    }
}
