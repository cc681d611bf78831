//! Result processing: the core of task completion.
//!
//! Workers report step results as wire messages; the [`MessageHandler`] parses and
//! validates them, the state transition handler applies them to the step, and the
//! [`TaskCoordinator`] decides what the task does next.

pub mod message_handler;
pub mod processing_context;
pub mod state_transition_handler;
pub mod task_coordinator;

pub use message_handler::{HandlerOutcome, MessageHandler, StepResultMessage, StepStatus};
pub use processing_context::{ProcessingContext, StepRecord};
pub use state_transition_handler::TransitionOutcome;
pub use task_coordinator::{NextAction, TaskCoordinator};
