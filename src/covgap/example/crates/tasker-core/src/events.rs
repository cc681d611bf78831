//! In-process event bus: lifecycle events published to subscribers (metrics, web hooks).

use std::collections::HashMap;

use crate::state_machine::TaskState;
use crate::{StepId, TaskId};

/// Something observers may want to know about.
#[derive(Debug, Clone, PartialEq)]
pub enum LifecycleEvent {
    TaskTransitioned { task: TaskId, from: TaskState, to: TaskState },
    StepCompleted { task: TaskId, step: StepId, duration_ms: u64 },
    StepFailed { task: TaskId, step: StepId, error: String, attempt: u32 },
    TaskFinalized { task: TaskId, state: TaskState },
}

impl LifecycleEvent {
    /// The topic subscribers register for.
    pub fn topic(&self) -> &'static str {
        match self {
            LifecycleEvent::TaskTransitioned { .. } => "task.transitioned",
            LifecycleEvent::StepCompleted { .. } => "step.completed",
            LifecycleEvent::StepFailed { .. } => "step.failed",
            LifecycleEvent::TaskFinalized { .. } => "task.finalized",
        }
    }
}

type Subscriber = Box<dyn Fn(&LifecycleEvent) + Send + Sync>;

/// Publishes events to the subscribers of their topic, and to `*` subscribers.
#[derive(Default)]
pub struct EventBus {
    subscribers: HashMap<String, Vec<Subscriber>>,
    published: u64,
}

impl EventBus {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn subscribe<F>(&mut self, topic: &str, callback: F)
    where
        F: Fn(&LifecycleEvent) + Send + Sync + 'static,
    {
        self.subscribers.entry(topic.to_string()).or_default().push(Box::new(callback));
    }

    /// Deliver `event`; returns how many subscribers received it.
    pub fn publish(&mut self, event: &LifecycleEvent) -> usize {
        self.published += 1;
        let mut delivered = 0;
        for topic in [event.topic(), "*"] {
            if let Some(list) = self.subscribers.get(topic) {
                for callback in list {
                    callback(event);
                    delivered += 1;
                }
            }
        }
        delivered
    }

    pub fn published(&self) -> u64 {
        self.published
    }
}
