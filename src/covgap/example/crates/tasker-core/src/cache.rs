//! A small bounded cache of task templates, evicting the least recently used entry.

use std::collections::{HashMap, VecDeque};

use crate::error::{TaskerError, TaskerResult};

/// Least-recently-used cache with a fixed capacity.
#[derive(Debug)]
pub struct LruCache<V> {
    capacity: usize,
    entries: HashMap<String, V>,
    order: VecDeque<String>,
    hits: u64,
    misses: u64,
}

impl<V: Clone> LruCache<V> {
    pub fn new(capacity: usize) -> TaskerResult<Self> {
        if capacity == 0 {
            return Err(TaskerError::Config("cache capacity must be positive".into()));
        }
        Ok(LruCache { capacity, entries: HashMap::new(), order: VecDeque::new(), hits: 0, misses: 0 })
    }

    pub fn get(&mut self, key: &str) -> Option<V> {
        match self.entries.get(key) {
            Some(value) => {
                self.hits += 1;
                let value = value.clone();
                self.touch(key);
                Some(value)
            }
            None => {
                self.misses += 1;
                None
            }
        }
    }

    /// Insert or replace; returns the evicted key, if any.
    pub fn put(&mut self, key: &str, value: V) -> Option<String> {
        if self.entries.insert(key.to_string(), value).is_some() {
            self.touch(key);
            return None;
        }
        self.order.push_back(key.to_string());
        if self.entries.len() > self.capacity {
            let oldest = self.order.pop_front()?;
            self.entries.remove(&oldest);
            return Some(oldest);
        }
        None
    }

    pub fn invalidate(&mut self, key: &str) -> bool {
        self.order.retain(|k| k != key);
        self.entries.remove(key).is_some()
    }

    /// Fraction of lookups that hit, or `None` before the first lookup.
    pub fn hit_ratio(&self) -> Option<f64> {
        let total = self.hits + self.misses;
        if total == 0 {
            None
        } else {
            Some(self.hits as f64 / total as f64)
        }
    }

    fn touch(&mut self, key: &str) {
        if let Some(pos) = self.order.iter().position(|k| k == key) {
            if let Some(k) = self.order.remove(pos) {
                self.order.push_back(k);
            }
        }
    }
}
