import { createContext } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type ApiClient } from "../api/client.ts";
import type { StoredEvent } from "../api/types.ts";
import type { LiveConnection, LiveState } from "../live/connection.ts";

export const ApiContext = createContext<ApiClient | null>(null);
export const LiveContext = createContext<LiveConnection | null>(null);

export const useApi = (): ApiClient => {
  const api = useContext(ApiContext);
  if (api === null) throw new Error("useApi outside <ApiContext.Provider>");
  return api;
};

export type Loaded<T> =
  | { readonly status: "loading" }
  | { readonly status: "error"; readonly error: ApiError | Error }
  | { readonly status: "ready"; readonly value: T };

/**
 * Loads `load()` when `key` changes; `reload()` refetches keeping the current value on screen.
 * A late answer to an older request never overwrites a newer one.
 */
export const useLoad = <T>(key: string, load: () => Promise<T>): [Loaded<T>, () => void] => {
  const [state, setState] = useState<Loaded<T>>({ status: "loading" });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    load().then(
      (value) => {
        if (generation.current === mine) setState({ status: "ready", value });
      },
      (error: unknown) => {
        if (generation.current === mine) setState({ status: "error", error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  useEffect(() => {
    setState({ status: "loading" });
    run();
  }, [run]);
  return [state, run];
};

/**
 * Calls `onEvent` for each live event that `matches`, and `onResync` after a reconnect caught up.
 * `reload` is debounced so a burst of events costs one refetch.
 */
export const useLiveEvents = (
  matches: (event: StoredEvent) => boolean,
  onEvent: (event: StoredEvent) => void,
  deps: ReadonlyArray<unknown>,
): void => {
  const live = useContext(LiveContext);
  const latest = useRef({ matches, onEvent });
  latest.current = { matches, onEvent };
  useEffect(() => {
    if (live === null) return;
    return live.subscribe({
      onEvent: (event) => {
        if (latest.current.matches(event)) latest.current.onEvent(event);
      },
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live, ...deps]);
};

/** Runs `fn` once after the last call within `ms`. */
export const useDebounced = (fn: () => void, ms: number): (() => void) => {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => () => {
    if (timer.current !== null) clearTimeout(timer.current);
  }, []);
  return useCallback(() => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, ms);
  }, [ms]);
};

/** Calls `fn` after every reconnect that caught up. */
export const useResync = (fn: () => void): void => {
  const live = useContext(LiveContext);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => (live === null ? undefined : live.subscribe({ onResync: () => latest.current() })), [live]);
};

export const useLiveState = (): LiveState | null => {
  const live = useContext(LiveContext);
  const [state, setState] = useState<LiveState | null>(live?.currentState ?? null);
  useEffect(() => (live === null ? undefined : live.subscribe({ onState: setState })), [live]);
  return state;
};

/** The current time, refreshed every `ms` (durations on cards). */
export const useNow = (ms = 30_000): number => {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
};
