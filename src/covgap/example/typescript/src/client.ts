/** Client of the orchestrator's HTTP API, using the global fetch. */

import { PermanentError, RetryableError, TaskerError } from "./errors.js";

export interface TaskSummary {
  taskId: number;
  state: string;
}

export class OrchestratorClient {
  constructor(
    private readonly baseUrl = process.env.TASKER_URL ?? "http://localhost:8080",
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    if (!/^https?:\/\//.test(baseUrl)) throw new TaskerError(`TASKER_URL must be http(s): ${baseUrl}`);
  }

  async createTask(namespace: string, name: string, context: Record<string, unknown> = {}): Promise<number> {
    const reply = await this.request<{ task_id?: number }>("POST", "/v1/tasks", { namespace, name, context });
    if (typeof reply.task_id !== "number") throw new TaskerError("createTask: reply without task_id");
    return reply.task_id;
  }

  async taskStatus(taskId: number): Promise<TaskSummary> {
    const reply = await this.request<{ state: string }>("GET", `/v1/tasks/${taskId}`);
    return { taskId, state: reply.state };
  }

  async cancelTask(taskId: number): Promise<void> {
    await this.request("DELETE", `/v1/tasks/${taskId}`);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new RetryableError(`${method} ${path}: ${(error as Error).message}`);
    }
    if (response.status === 404) throw new PermanentError(`${method} ${path}: not found`);
    if (response.status === 429 || response.status >= 500) {
      throw new RetryableError(`${method} ${path}: HTTP ${response.status}`);
    }
    if (!response.ok) throw new PermanentError(`${method} ${path}: HTTP ${response.status}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : {}) as T;
  }
}

/** Poll until the task reaches a terminal state. */
export async function waitForTask(client: OrchestratorClient, taskId: number, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { state } = await client.taskStatus(taskId).catch((error: unknown) => {
      if (error instanceof RetryableError) return { state: "unknown" };
      throw error;
    });
    if (["complete", "cancelled", "error", "resolved_manually"].includes(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new RetryableError(`task ${taskId} did not finish within ${timeoutMs} ms`);
}
