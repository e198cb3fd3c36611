import { useContext, useEffect, useRef, useState } from "preact/hooks";
import { BOARD_LANES, laneLabel } from "../api/lanes.ts";
import { ApiError, enrichBoard } from "../api/client.ts";
import type { Me, MissionBoard, ProjectSummary, StoredEvent, TeamRef } from "../api/types.ts";
import { Board } from "./board.tsx";
import { CollaborationPanel } from "./collaboration.tsx";
import { timestamp } from "./format.ts";
import { HealthPanel } from "./health.tsx";
import { hrefs, navigate, onLinkClick } from "./router.ts";
import { Timeline } from "./timeline.tsx";
import { LiveContext, useApi, useDebounced, useLiveEvents, useLoad, useNow, useResync, type Loaded } from "./data.ts";

/** How long a burst of live events is gathered before the view is refetched once. */
const RELOAD_DEBOUNCE_MS = 60;

export const Link = ({ href, children, ...rest }: { href: string; children: preact.ComponentChildren; class?: string; "aria-current"?: "page" }) => (
  <a href={href} onClick={onLinkClick} {...rest}>
    {children}
  </a>
);

export const Status = <T,>({ state, what }: { state: Loaded<T>; what: string }) =>
  state.status === "loading" ? (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  ) : state.status === "error" ? (
    <p class="error" role="alert">
      Could not load {what}: {state.error.message}
    </p>
  ) : null;

// --- sign in ----------------------------------------------------------------------------------------------

export const SignInPage = ({ next, onSignedIn }: { next: string | null; onSignedIn: (me: Me) => void }) => {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const me = await api.login(String(form.get("email") ?? ""), String(form.get("password") ?? ""));
      onSignedIn(me);
      navigate(next !== null && next.startsWith("/") && !next.startsWith("//") ? next : "/", true);
    } catch (e) {
      setError(e instanceof ApiError && e.code === "unauthorized" ? "Wrong email or password." : e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="narrow">
      <h1>Sign in</h1>
      <form class="signin" onSubmit={submit}>
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
};

// --- teams, projects, missions ---------------------------------------------------------------------------

const Progress = ({ lanes, total }: { lanes: ProjectSummary["missions"][number]["lanes"]; total: number }) => {
  const done = lanes.done ?? 0;
  return (
    <div class="progress">
      <div class="progress-bar" role="img" aria-label={`${done} of ${total} work packages done`}>
        {BOARD_LANES.map((lane) => {
          const n = lanes[lane] ?? 0;
          return n === 0 ? null : (
            <span key={lane} class={`seg lane-${lane}`} style={{ flexGrow: n }} title={`${laneLabel(lane)}: ${n}`} />
          );
        })}
      </div>
      <span class="progress-text">
        {BOARD_LANES.filter((lane) => (lanes[lane] ?? 0) > 0)
          .map((lane) => `${laneLabel(lane)} ${lanes[lane]}`)
          .join(" · ") || "no work packages"}
      </span>
    </div>
  );
};

export const HomePage = ({ me, team }: { me: Me; team: TeamRef }) => {
  const api = useApi();
  const [projects, reload] = useLoad(`projects:${team.id}`, () => api.projects(team.id));
  const debounced = useDebounced(reload, RELOAD_DEBOUNCE_MS * 5);
  useLiveEvents(() => true, debounced, []);
  useResync(reload);
  return (
    <main id="main">
      <h1>{team.name}</h1>
      {me.teams.length > 1 && (
        <nav aria-label="Teams" class="teams">
          {me.teams.map((t) => (
            <Link href={hrefs.home(t.id)} key={t.id} {...(t.id === team.id ? { "aria-current": "page" as const } : {})}>
              {t.name}
            </Link>
          ))}
        </nav>
      )}
      <Status state={projects} what="projects" />
      {projects.status === "ready" && projects.value.length === 0 && <p class="empty">This team has no projects yet.</p>}
      {projects.status === "ready" &&
        projects.value.map((p) => (
          <section class="project" key={p.project_uuid} data-project={p.project_uuid} aria-labelledby={`p-${p.project_uuid}`}>
            <h2 id={`p-${p.project_uuid}`}>
              {p.project_slug ?? p.project_uuid}{" "}
              <Link href={hrefs.health(team.id, p.project_uuid)} class="small">
                Sync health
              </Link>
            </h2>
            <p class="muted">Last event {timestamp(p.last_event_at)}</p>
            <ul class="missions">
              {p.missions.map((m) => (
                <li key={m.mission_id} class="mission" data-mission={m.mission_id}>
                  <Link href={hrefs.mission(team.id, p.project_uuid, m.mission_id)}>{m.friendly_name ?? m.mission_slug}</Link>
                  <Progress lanes={m.lanes} total={m.wp_count} />
                  <span class="muted">Last activity {timestamp(m.last_activity_at)}</span>
                </li>
              ))}
            </ul>
          </section>
        ))}
    </main>
  );
};

// --- a mission: board and collaboration, timeline ----------------------------------------------------------

const MissionNav = ({ team, project, mission, board, current }: { team: string; project: string; mission: string; board: MissionBoard | null; current: "board" | "timeline" }) => (
  <nav aria-label="Mission" class="crumbs">
    <Link href={hrefs.home(team)}>Projects</Link>
    <span aria-hidden="true"> / </span>
    <span>{board?.friendly_name ?? board?.mission_slug ?? mission}</span>
    <span class="tabs">
      <Link href={hrefs.mission(team, project, mission)} {...(current === "board" ? { "aria-current": "page" as const } : {})}>
        Board
      </Link>
      <Link href={hrefs.timeline(team, project, mission)} {...(current === "timeline" ? { "aria-current": "page" as const } : {})}>
        Timeline
      </Link>
      <Link href={hrefs.health(team, project)}>Sync health</Link>
    </span>
  </nav>
);

export const MissionPage = ({ team, project, mission }: { team: string; project: string; mission: string }) => {
  const api = useApi();
  const now = useNow();
  const [views, reloadBoard] = useLoad(`board:${project}:${mission}`, () => api.board(team, project, mission));
  const [notes, reloadNotes] = useLoad(`notes:${project}:${mission}`, () => api.missionNotes(project, mission));
  const [collab, reloadCollab] = useLoad(`collab:${project}:${mission}`, () => api.collaboration(team, project, mission));
  const reloadBoth = () => {
    reloadBoard();
    reloadNotes();
    reloadCollab();
  };
  // the board shows as soon as the views arrive; the mission's events add names, review references and reasons
  const board: typeof views = views.status === "ready" && notes.status === "ready" ? { status: "ready", value: enrichBoard(views.value, notes.value) } : views;
  const debounced = useDebounced(reloadBoth, RELOAD_DEBOUNCE_MS);
  useLiveEvents((e) => e.project_uuid === project, debounced, [project]);
  useResync(reloadBoth);
  return (
    <main id="main" class="wide">
      <MissionNav team={team} project={project} mission={mission} board={board.status === "ready" ? board.value : null} current="board" />
      <h1>{board.status === "ready" ? (board.value.friendly_name ?? board.value.mission_slug) : "Mission"}</h1>
      <Status state={board} what="the board" />
      {board.status === "ready" && <Board board={board.value} now={now} />}
      <Status state={collab} what="the collaboration state" />
      {collab.status === "ready" && <CollaborationPanel view={collab.value} />}
    </main>
  );
};

/** True when an event belongs to the mission (by id or slug, in the envelope or the payload). */
export const belongsToMission = (event: StoredEvent, ids: ReadonlyArray<string>): boolean => {
  const env = event.envelope;
  const p = env.payload;
  return [env.aggregate_id, p["mission_id"], p["mission_slug"], p["feature_slug"]].some(
    (v) => typeof v === "string" && ids.includes(v),
  );
};

export const TimelinePage = ({ team, project, mission }: { team: string; project: string; mission: string }) => {
  const api = useApi();
  const live = useContext(LiveContext);
  const [board] = useLoad(`board:${project}:${mission}`, () => api.board(team, project, mission));
  const [notes] = useLoad(`notes:${project}:${mission}`, () => api.missionNotes(project, mission));
  const name = notes.status === "ready" ? notes.value.friendlyName : null;
  const [events, setEvents] = useState<ReadonlyArray<StoredEvent> | null>(null);
  // live events that arrive while the listing is still loading; merged in when it is done
  const early = useRef<Array<StoredEvent>>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    setEvents(null);
    (async () => {
      const all: Array<StoredEvent> = [];
      let after: string | null = null;
      let last: string | null = null;
      for (let page = 0; page < 1_000; page += 1) {
        const result = await api.events(project, after);
        all.push(...result.events);
        if (result.events.length > 0) last = result.events[result.events.length - 1]!.cursor;
        if (result.next_cursor === null || result.events.length === 0) break;
        after = result.next_cursor;
      }
      if (cancelled) return;
      if (last !== null) live?.noteCursor(project, last);
      const seen = new Set(all.map((e) => e.envelope.event_id));
      setEvents([...all, ...early.current.filter((e) => !seen.has(e.envelope.event_id))]);
      early.current = [];
    })().catch((e: unknown) => {
      if (!cancelled) setError(e instanceof Error ? e.message : String(e));
    });
    return () => {
      cancelled = true;
    };
  }, [api, live, project]);
  useLiveEvents(
    (e) => e.project_uuid === project,
    (e) =>
      setEvents((prev) => {
        if (prev === null) {
          early.current.push(e);
          return prev;
        }
        return prev.some((x) => x.envelope.event_id === e.envelope.event_id) ? prev : [...prev, e];
      }),
    [project],
  );
  const ids = board.status === "ready" ? [board.value.mission_id, board.value.mission_slug] : [mission];
  const mine = events === null ? null : events.filter((e) => belongsToMission(e, ids));
  return (
    <main id="main" class="wide">
      <MissionNav team={team} project={project} mission={mission} board={board.status === "ready" ? board.value : null} current="timeline" />
      <h1>{name ?? (board.status === "ready" ? board.value.mission_slug : "Mission")}: timeline</h1>
      {error !== null && (
        <p class="error" role="alert">
          Could not load the events: {error}
        </p>
      )}
      {mine === null && error === null && (
        <p class="loading" role="status">
          Loading events…
        </p>
      )}
      {mine !== null && <Timeline events={mine} />}
    </main>
  );
};

export const HealthPage = ({ team, project }: { team: string; project: string }) => {
  const api = useApi();
  const [health, reload] = useLoad(`health:${project}`, () => api.syncHealth(team, project));
  const debounced = useDebounced(reload, RELOAD_DEBOUNCE_MS * 5);
  useLiveEvents((e) => e.project_uuid === project, debounced, [project]);
  useResync(reload);
  return (
    <main id="main" class="wide">
      <nav aria-label="Project" class="crumbs">
        <Link href={hrefs.home(team)}>Projects</Link>
      </nav>
      <h1>Sync health</h1>
      <p class="muted">
        Project <code>{project}</code>
      </p>
      <Status state={health} what="sync health" />
      {health.status === "ready" && <HealthPanel health={health.value} />}
    </main>
  );
};
