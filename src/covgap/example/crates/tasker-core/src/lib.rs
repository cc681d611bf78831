//! Core orchestration for tasker: task and step state machines, result processing and actors.
//!
//! The orchestration loop receives step results from workers (Rust, Ruby, Python and
//! TypeScript handlers), applies them to the step and task state machines, and decides
//! which steps to enqueue next and when a task is finished.

pub mod actors;
pub mod bootstrap;
pub mod cache;
pub mod config;
pub mod error;
pub mod events;
pub mod metrics;
pub mod result_processing;
pub mod state_machine;

pub use error::{TaskerError, TaskerResult};
pub use state_machine::{StepState, TaskEvent, TaskState};

/// Identifier of a task (a workflow instance).
pub type TaskId = u64;
/// Identifier of a step inside a task.
pub type StepId = u64;
