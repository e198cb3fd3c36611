/**
 * Fan-out of accepted events (ADR-0014). The ingest path publishes every newly stored valid or quarantined
 * event of a team once its transaction has committed; WebSocket connections subscribe per team. The
 * in-process notifier serves one server process; a database-backed one (PostgreSQL LISTEN/NOTIFY) lets
 * several processes on one database reach each other's subscribers.
 */

/** What subscribers receive: enough to push the event, fetch more by cursor, and refresh views. */
export interface Notice {
  readonly teamId: string;
  readonly projectUuid: string | null;
  readonly missionKey: string | null;
  readonly seq: number;
  readonly eventId: string;
  readonly eventType: string;
  /** The stored envelope (canonical when available, else raw), as JSON text. */
  readonly envelope: string;
}

export type Listener = (notices: ReadonlyArray<Notice>) => void;

export interface Notifier {
  /** Delivers notices (all of one team) to that team's subscribers, in every process sharing the notifier. */
  publish(teamId: string, notices: ReadonlyArray<Notice>): Promise<void>;
  /** Calls `listener` for every later publication for `teamId`; returns the unsubscribe function. */
  subscribe(teamId: string, listener: Listener): () => void;
  close(): Promise<void>;
}

/** Fan-out inside one process: publication calls the team's listeners synchronously, in subscription order. */
export class InProcessNotifier implements Notifier {
  private readonly listeners = new Map<string, Set<Listener>>();

  async publish(teamId: string, notices: ReadonlyArray<Notice>): Promise<void> {
    this.deliver(teamId, notices);
  }

  /** Hands notices to local listeners; a listener that throws does not stop the others. */
  deliver(teamId: string, notices: ReadonlyArray<Notice>): void {
    if (notices.length === 0) return;
    const set = this.listeners.get(teamId);
    if (set === undefined) return;
    for (const l of [...set]) {
      try {
        l(notices);
      } catch {
        // one broken subscriber must not starve the others
      }
    }
  }

  subscribe(teamId: string, listener: Listener): () => void {
    let set = this.listeners.get(teamId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(teamId, set);
    }
    set.add(listener);
    return () => {
      const s = this.listeners.get(teamId);
      if (s === undefined) return;
      s.delete(listener);
      if (s.size === 0) this.listeners.delete(teamId);
    };
  }

  /** Number of listeners of a team (for metrics and tests). */
  subscriberCount(teamId: string): number {
    return this.listeners.get(teamId)?.size ?? 0;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
