/** Register step handlers by name and version and resolve them for the dispatcher. */

import { HandlerNotFoundError, TaskerError } from "./errors.js";

export interface StepContext {
  taskId: number;
  stepId: number;
  stepName: string;
  attempt: number;
  inputs: Record<string, unknown>;
  dependencyResults: Record<string, unknown>;
}

export interface StepHandler {
  readonly name: string;
  readonly version?: string;
  call(context: StepContext): Promise<unknown>;
}

const NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export class HandlerRegistry {
  private readonly handlers = new Map<string, Map<string, StepHandler>>();

  register(handler: StepHandler): void {
    if (!NAME.test(handler.name)) {
      throw new TaskerError(`invalid handler name ${JSON.stringify(handler.name)}`);
    }
    const version = handler.version ?? "1.0.0";
    if (version.split(".").some((part) => Number.isNaN(Number(part)))) {
      throw new TaskerError(`invalid version ${version}`);
    }
    let versions = this.handlers.get(handler.name);
    if (!versions) {
      versions = new Map();
      this.handlers.set(handler.name, versions);
    }
    const existing = versions.get(version);
    if (existing && existing !== handler) {
      throw new TaskerError(`handler ${handler.name} ${version} registered twice`);
    }
    versions.set(version, handler);
  }

  resolve(name: string, version?: string): StepHandler {
    const versions = this.handlers.get(name);
    if (!versions || versions.size === 0) {
      throw new HandlerNotFoundError(`no handler named ${name}`);
    }
    const wanted = version ?? [...versions.keys()].sort(compareVersions).at(-1)!;
    const handler = versions.get(wanted);
    if (!handler) {
      const known = [...versions.keys()].sort(compareVersions).join(", ");
      throw new HandlerNotFoundError(`${name} has no version ${wanted} (known: ${known})`);
    }
    return handler;
  }

  get size(): number {
    let total = 0;
    for (const versions of this.handlers.values()) total += versions.size;
    return total;
  }
}
