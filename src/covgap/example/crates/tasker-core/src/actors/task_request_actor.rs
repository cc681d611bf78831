//! TaskRequestActor: validates incoming task requests and initializes their task.

use std::collections::{HashMap, HashSet};

use super::Actor;
use crate::error::{TaskerError, TaskerResult};
use crate::state_machine::{TaskEvent, TaskStateMachine};
use crate::TaskId;

/// A request to run a named workflow.
#[derive(Debug, Clone)]
pub struct TaskRequest {
    pub namespace: String,
    pub name: String,
    pub version: String,
    pub steps: Vec<(String, Vec<String>)>,
    pub idempotency_key: Option<String>,
}

/// Accepts task requests, deduplicates them and starts their state machine.
pub struct TaskRequestActor {
    capacity: usize,
    next_id: TaskId,
    tasks: HashMap<TaskId, TaskStateMachine>,
    keys: HashMap<String, TaskId>,
    running: bool,
}

impl TaskRequestActor {
    pub fn new(capacity: usize) -> Self {
        TaskRequestActor { capacity, next_id: 1, tasks: HashMap::new(), keys: HashMap::new(), running: true }
    }

    /// Validate `request`, create its task and move it to `enqueuing_steps`.
    pub fn handle(&mut self, request: &TaskRequest) -> TaskerResult<TaskId> {
        if !self.running {
            return Err(TaskerError::Internal("task request actor is stopped".into()));
        }
        if let Some(key) = &request.idempotency_key {
            if let Some(existing) = self.keys.get(key) {
                return Ok(*existing);
            }
        }
        validate(request)?;
        if self.tasks.len() >= self.capacity {
            return Err(TaskerError::Capacity(self.capacity));
        }
        let id = self.next_id;
        self.next_id += 1;
        let mut machine = TaskStateMachine::new();
        machine.fire(TaskEvent::Start)?;
        machine.fire(TaskEvent::Initialized)?;
        self.tasks.insert(id, machine);
        if let Some(key) = &request.idempotency_key {
            self.keys.insert(key.clone(), id);
        }
        Ok(id)
    }

    pub fn task(&self, id: TaskId) -> Option<&TaskStateMachine> {
        self.tasks.get(&id)
    }
}

/// A request is valid when names are present and the step graph is acyclic and closed.
fn validate(request: &TaskRequest) -> TaskerResult<()> {
    if request.namespace.is_empty() || request.name.is_empty() {
        return Err(TaskerError::MalformedMessage("namespace and name are required".into()));
    }
    if request.steps.is_empty() {
        return Err(TaskerError::MalformedMessage(format!("task {} has no steps", request.name)));
    }
    let names: HashSet<&str> = request.steps.iter().map(|(n, _)| n.as_str()).collect();
    if names.len() != request.steps.len() {
        return Err(TaskerError::MalformedMessage("duplicate step names".into()));
    }
    for (step, deps) in &request.steps {
        for dep in deps {
            if !names.contains(dep.as_str()) {
                return Err(TaskerError::MalformedMessage(format!("step {step} depends on unknown {dep}")));
            }
            if dep == step {
                return Err(TaskerError::MalformedMessage(format!("step {step} depends on itself")));
            }
        }
    }
    // Kahn's algorithm: every step must become ready eventually.
    let mut remaining: Vec<&(String, Vec<String>)> = request.steps.iter().collect();
    let mut done: HashSet<&str> = HashSet::new();
    while !remaining.is_empty() {
        let before = remaining.len();
        remaining.retain(|(name, deps)| {
            if deps.iter().all(|d| done.contains(d.as_str())) {
                done.insert(name.as_str());
                false
            } else {
                true
            }
        });
        if remaining.len() == before {
            return Err(TaskerError::MalformedMessage("step dependencies contain a cycle".into()));
        }
    }
    Ok(())
}

impl Actor for TaskRequestActor {
    fn name(&self) -> &'static str {
        "task_request"
    }

    fn is_running(&self) -> bool {
        self.running
    }

    fn stop(&mut self) {
        self.running = false;
    }
}
