/**
 * The dependency graph of a mission's work packages: validation (unknown ids, self-dependencies, cycles), a
 * deterministic topological order (Kahn's algorithm, ties by id), and direct dependents. Pure.
 */
export type DependencyGraph = Readonly<Record<string, readonly string[]>>;

export const WP_ID = /^WP\d{2}$/;

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface GraphProblem {
  readonly wpId: string;
  readonly dependency: string;
  readonly kind: "invalid_id" | "self" | "unknown";
  readonly message: string;
}

/** Every reference problem of the graph, in id order. */
export const graphProblems = (graph: DependencyGraph): readonly GraphProblem[] => {
  const problems: GraphProblem[] = [];
  for (const wpId of Object.keys(graph).sort(byId)) {
    for (const dep of graph[wpId] ?? []) {
      if (!WP_ID.test(dep)) problems.push({ wpId, dependency: dep, kind: "invalid_id", message: `Invalid WP ID format: ${dep} (must be WP## like WP01)` });
      else if (dep === wpId) problems.push({ wpId, dependency: dep, kind: "self", message: `Cannot depend on self: ${wpId} → ${dep}` });
      else if (!Object.hasOwn(graph, dep)) problems.push({ wpId, dependency: dep, kind: "unknown", message: `Dependency ${dep} not found in graph` });
    }
  }
  return problems;
};

/** The cycles of the graph, each as a closed path `[A, B, A]`, found by DFS from ids in order. */
export const findCycles = (graph: DependencyGraph): readonly (readonly string[])[] => {
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const colour = new Map<string, number>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (node: string): void => {
    colour.set(node, GREY);
    stack.push(node);
    for (const dep of [...(graph[node] ?? [])].sort(byId)) {
      if (!Object.hasOwn(graph, dep)) continue;
      const c = colour.get(dep) ?? WHITE;
      if (c === GREY) cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (c === WHITE) visit(dep);
    }
    stack.pop();
    colour.set(node, BLACK);
  };
  for (const node of Object.keys(graph).sort(byId)) if ((colour.get(node) ?? WHITE) === WHITE) visit(node);
  return cycles;
};

/**
 * Every work package after its dependencies; among those ready at the same time, the lower id first. Throws when
 * the graph has a cycle (validate first). Unknown dependencies are ignored.
 */
export const topologicalOrder = (graph: DependencyGraph): readonly string[] => {
  const ids = Object.keys(graph).sort(byId);
  const remaining = new Map(ids.map((id) => [id, new Set((graph[id] ?? []).filter((d) => Object.hasOwn(graph, d) && d !== id))]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining.entries()].filter(([, deps]) => deps.size === 0).map(([id]) => id).sort(byId);
    const next = ready[0];
    if (next === undefined) throw new Error(`dependency cycle among ${[...remaining.keys()].join(", ")}`);
    order.push(next);
    remaining.delete(next);
    for (const deps of remaining.values()) deps.delete(next);
  }
  return order;
};

/** The work packages that declare `wpId` as a direct dependency, in id order. */
export const directDependents = (graph: DependencyGraph, wpId: string): readonly string[] =>
  Object.keys(graph)
    .filter((id) => (graph[id] ?? []).includes(wpId))
    .sort(byId);
