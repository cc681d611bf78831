//! Orchestrator configuration: parsed from `key = value` text and validated.

use std::collections::HashMap;
use std::time::Duration;

use crate::error::{TaskerError, TaskerResult};

/// Settings the orchestration loop needs.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskerConfig {
    pub max_concurrent_steps: usize,
    pub max_retries: u32,
    pub retry_backoff: Duration,
    pub step_timeout: Duration,
    pub queue_capacity: usize,
    pub environment: String,
    pub circuit_breaker_threshold: u32,
}

impl Default for TaskerConfig {
    fn default() -> Self {
        TaskerConfig {
            max_concurrent_steps: 16,
            max_retries: 3,
            retry_backoff: Duration::from_millis(250),
            step_timeout: Duration::from_secs(30),
            queue_capacity: 1024,
            environment: "development".to_string(),
            circuit_breaker_threshold: 5,
        }
    }
}

impl TaskerConfig {
    /// Parse `key = value` lines; `#` starts a comment; unknown keys are errors.
    pub fn parse(text: &str) -> TaskerResult<TaskerConfig> {
        let mut config = TaskerConfig::default();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (index, raw) in text.lines().enumerate() {
            let lineno = index + 1;
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| TaskerError::Config(format!("line {lineno}: expected key = value")))?;
            if let Some(first) = seen.insert(key.to_string(), lineno) {
                return Err(TaskerError::Config(format!(
                    "line {lineno}: {key} already set on line {first}"
                )));
            }
            config.set(key, value).map_err(|e| match e {
                TaskerError::Config(why) => TaskerError::Config(format!("line {lineno}: {why}")),
                other => other,
            })?;
        }
        config.validate()?;
        Ok(config)
    }

    fn set(&mut self, key: &str, value: &str) -> TaskerResult<()> {
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| TaskerError::Config(format!("{key}: expected a number, got {value:?}")))
        };
        match key {
            "max_concurrent_steps" => self.max_concurrent_steps = number()? as usize,
            "max_retries" => self.max_retries = number()? as u32,
            "retry_backoff_ms" => self.retry_backoff = Duration::from_millis(number()?),
            "step_timeout_ms" => self.step_timeout = Duration::from_millis(number()?),
            "queue_capacity" => self.queue_capacity = number()? as usize,
            "circuit_breaker_threshold" => self.circuit_breaker_threshold = number()? as u32,
            "environment" => self.environment = value.trim_matches('"').to_string(),
            _ => return Err(TaskerError::Config(format!("unknown key {key}"))),
        }
        Ok(())
    }

    /// Check the relations between settings.
    pub fn validate(&self) -> TaskerResult<()> {
        if self.max_concurrent_steps == 0 {
            return Err(TaskerError::Config("max_concurrent_steps must be positive".into()));
        }
        if self.queue_capacity < self.max_concurrent_steps {
            return Err(TaskerError::Config(format!(
                "queue_capacity ({}) is smaller than max_concurrent_steps ({})",
                self.queue_capacity, self.max_concurrent_steps
            )));
        }
        if self.step_timeout < self.retry_backoff {
            return Err(TaskerError::Config("step_timeout must exceed retry_backoff".into()));
        }
        match self.environment.as_str() {
            "development" | "test" | "production" => Ok(()),
            other => Err(TaskerError::Config(format!("unknown environment {other:?}"))),
        }
    }

    /// Backoff before retry number `attempt` (1-based): exponential, capped at the step timeout.
    pub fn backoff_for(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.retry_backoff.saturating_mul(factor).min(self.step_timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_keys_and_comments() {
        let config = TaskerConfig::parse("max_retries = 5 # more\n\nenvironment = \"test\"\n").unwrap();
        assert_eq!(config.max_retries, 5);
        assert_eq!(config.environment, "test");
    }

    #[test]
    fn rejects_unknown_keys_with_line_number() {
        let err = TaskerConfig::parse("max_retries = 1\nbogus = 2\n").unwrap_err();
        assert_eq!(err, TaskerError::Config("line 2: unknown key bogus".into()));
    }

    #[test]
    fn backoff_doubles() {
        let config = TaskerConfig::default();
        assert_eq!(config.backoff_for(3), Duration::from_millis(1000));
    }
}
