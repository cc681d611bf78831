//! The error type shared by every tasker-core module.

use std::fmt;

/// Everything that can go wrong while orchestrating a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskerError {
    /// A state machine was asked for a transition it does not allow.
    InvalidTransition { from: String, to: String },
    /// A step result message could not be parsed or failed validation.
    MalformedMessage(String),
    /// A task or step id that the orchestrator does not know.
    NotFound(String),
    /// Invalid configuration.
    Config(String),
    /// An operation did not finish in time.
    Timeout { operation: String, millis: u64 },
    /// A bounded queue or pool is full.
    Capacity(usize),
    /// A bug: an invariant did not hold.
    Internal(String),
}

/// Result alias used throughout the crate.
pub type TaskerResult<T> = Result<T, TaskerError>;

impl fmt::Display for TaskerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskerError::InvalidTransition { from, to } => {
                write!(f, "invalid transition from {from} to {to}")
            }
            TaskerError::MalformedMessage(why) => write!(f, "malformed message: {why}"),
            TaskerError::NotFound(what) => write!(f, "not found: {what}"),
            TaskerError::Config(why) => write!(f, "configuration error: {why}"),
            TaskerError::Timeout { operation, millis } => {
                write!(f, "{operation} timed out after {millis} ms")
            }
            TaskerError::Capacity(limit) => write!(f, "capacity of {limit} exhausted"),
            TaskerError::Internal(why) => write!(f, "internal error: {why}"),
        }
    }
}

impl std::error::Error for TaskerError {}

impl TaskerError {
    /// Whether retrying the same operation later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, TaskerError::Timeout { .. } | TaskerError::Capacity(_))
    }

    /// A stable, machine-readable code for logs and API responses.
    pub fn code(&self) -> &'static str {
        match self {
            TaskerError::InvalidTransition { .. } => "invalid_transition",
            TaskerError::MalformedMessage(_) => "malformed_message",
            TaskerError::NotFound(_) => "not_found",
            TaskerError::Config(_) => "config",
            TaskerError::Timeout { .. } => "timeout",
            TaskerError::Capacity(_) => "capacity",
            TaskerError::Internal(_) => "internal",
        }
    }
}

impl From<std::num::ParseIntError> for TaskerError {
    fn from(err: std::num::ParseIntError) -> Self {
        TaskerError::MalformedMessage(format!("bad number: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_both_states() {
        let err = TaskerError::InvalidTransition { from: "pending".into(), to: "complete".into() };
        assert_eq!(err.to_string(), "invalid transition from pending to complete");
    }

    #[test]
    fn timeouts_and_capacity_are_retryable() {
        assert!(TaskerError::Timeout { operation: "enqueue".into(), millis: 50 }.is_retryable());
        assert!(TaskerError::Capacity(8).is_retryable());
        assert!(!TaskerError::NotFound("task 1".into()).is_retryable());
    }

    #[test]
    fn parse_errors_become_malformed_messages() {
        let err: TaskerError = "x1".parse::<u64>().unwrap_err().into();
        assert_eq!(err.code(), "malformed_message");
    }
}
