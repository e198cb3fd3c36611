import { normalizeUuid } from "@spec-kitty/events";
import type { Principal } from "../auth/service.ts";
import type { Store, StoredEvent, Team } from "../store/port.ts";
import type { ViewMaintainer } from "../views/maintainer.ts";
import { json, type HttpResponse } from "./types.ts";

/**
 * The read API (ADR-0014; documented in the package README): teams → projects → missions → views, a cursor-paged
 * event listing and a team's quarantine. Every answer is scoped to the caller's teams; anything outside them is
 * answered exactly like something that does not exist (404), so nothing leaks.
 */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

const notFound = (what: string): HttpResponse => json(404, { error: `${what} not found`, code: "not_found" });
const bad = (message: string): HttpResponse => json(400, { error: message, code: "invalid_request" });

const teamJson = (t: Team, role: string) => ({ id: t.id, slug: t.slug, name: t.name, is_private: t.isPrivate, role });

const findTeam = (principal: Principal, slugOrId: string): Team | undefined =>
  principal.memberships.find((m) => m.team.slug === slugOrId || m.team.id === slugOrId)?.team;

export const listTeams = (principal: Principal): HttpResponse => json(200, { teams: principal.memberships.map((m) => teamJson(m.team, m.role)) });

export const listProjects = async (store: Store, principal: Principal, teamRef: string): Promise<HttpResponse> => {
  const team = findTeam(principal, teamRef);
  if (team === undefined) return notFound("team");
  const projects = await store.projects(team.id);
  return json(200, {
    team: { id: team.id, slug: team.slug },
    projects: projects.map((p) => ({
      project_uuid: p.projectUuid,
      project_slug: p.projectSlug,
      first_seen_at: new Date(p.firstSeenAt).toISOString(),
      event_count: p.eventCount,
      last_seq: p.lastSeq,
    })),
  });
};

const projectOf = async (store: Store, principal: Principal, teamRef: string, projectRef: string): Promise<{ team: Team; projectUuid: string } | HttpResponse> => {
  const team = findTeam(principal, teamRef);
  if (team === undefined) return notFound("team");
  const projectUuid = normalizeUuid(projectRef);
  if (projectUuid === undefined) return notFound("project");
  if ((await store.projectOwner(projectUuid)) !== team.id) return notFound("project");
  return { team, projectUuid };
};

export const listMissions = async (store: Store, principal: Principal, teamRef: string, projectRef: string): Promise<HttpResponse> => {
  const p = await projectOf(store, principal, teamRef, projectRef);
  if ("status" in p) return p;
  const missions = await store.missions(p.team.id, p.projectUuid);
  return json(200, {
    team: { id: p.team.id, slug: p.team.slug },
    project_uuid: p.projectUuid,
    missions: missions.map((m) => ({ mission: m.missionKey, event_count: m.eventCount, last_seq: m.lastSeq })),
  });
};

export const missionViews = async (
  store: Store,
  views: ViewMaintainer,
  principal: Principal,
  teamRef: string,
  projectRef: string,
  mission: string,
  kind: string | undefined,
): Promise<HttpResponse> => {
  const p = await projectOf(store, principal, teamRef, projectRef);
  if ("status" in p) return p;
  await views.ensureFresh(p.team.id, p.projectUuid, mission);
  const rows = await store.views(p.team.id, p.projectUuid, mission);
  if (rows.length === 0) return notFound("mission");
  const selected = kind === undefined ? rows : rows.filter((r) => r.kind === kind);
  if (selected.length === 0) return notFound("view");
  const body: Record<string, unknown> = {};
  for (const r of selected) body[r.kind] = JSON.parse(r.body) as unknown;
  const lastSeq = Math.max(...selected.map((r) => r.lastSeq));
  return json(200, { team: { id: p.team.id, slug: p.team.slug }, project_uuid: p.projectUuid, mission, last_seq: lastSeq, views: body });
};

export interface PageQuery {
  readonly after: number;
  readonly limit: number;
}

export const pageQuery = (q: URLSearchParams): PageQuery | string => {
  const afterText = q.get("after") ?? "0";
  const limitText = q.get("limit") ?? String(DEFAULT_PAGE);
  if (!/^\d{1,15}$/.test(afterText)) return "'after' must be a non-negative integer cursor";
  if (!/^\d{1,6}$/.test(limitText) || Number(limitText) < 1) return `'limit' must be an integer from 1 to ${MAX_PAGE}`;
  return { after: Number(afterText), limit: Math.min(MAX_PAGE, Number(limitText)) };
};

export const eventJson = (e: StoredEvent) => ({
  seq: e.seq,
  event_id: e.rawEventId,
  event_type: e.eventType,
  project_uuid: e.projectUuid,
  mission: e.missionKey,
  lamport_clock: e.lamportClock,
  timestamp: e.timestamp,
  received_at: new Date(e.receivedAt).toISOString(),
  verdict: e.verdict,
  source: e.source,
  envelope: safeParse(e.raw),
  ...(e.verdict === "quarantined" ? { violations: e.violations === null ? [] : safeParse(e.violations) } : {}),
});

const safeParse = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
};

const page = (events: ReadonlyArray<StoredEvent>, q: PageQuery) => {
  const last = events.at(-1);
  return { events: events.map(eventJson), next_after: last === undefined ? q.after : last.seq, has_more: events.length === q.limit };
};

/** `GET /api/v1/events/?project_uuid=…&after=…&limit=…` (or `team=…` instead of a project). */
export const listEvents = async (store: Store, principal: Principal, q: URLSearchParams): Promise<HttpResponse> => {
  const pq = pageQuery(q);
  if (typeof pq === "string") return bad(pq);
  const projectRef = q.get("project_uuid");
  const teamRef = q.get("team");
  let teamId: string;
  let projectUuid: string | undefined;
  if (projectRef !== null) {
    const uuid = normalizeUuid(projectRef);
    if (uuid === undefined) return bad("'project_uuid' must be a UUID");
    const owner = await store.projectOwner(uuid);
    if (owner === undefined || !principal.memberships.some((m) => m.team.id === owner)) return notFound("project");
    if (teamRef !== null && findTeam(principal, teamRef)?.id !== owner) return notFound("project");
    teamId = owner;
    projectUuid = uuid;
  } else if (teamRef !== null) {
    const team = findTeam(principal, teamRef);
    if (team === undefined) return notFound("team");
    teamId = team.id;
  } else {
    teamId = principal.ingressTeam.id;
  }
  const mission = q.get("mission") ?? undefined;
  const events = await store.readEvents({ teamId, projectUuid, missionKey: mission, afterSeq: pq.after, limit: pq.limit });
  return json(200, page(events, pq));
};

/** `GET /api/v1/teams/{team}/quarantine/?after=…&limit=…`: quarantined events with their violations. */
export const listQuarantine = async (store: Store, principal: Principal, teamRef: string, q: URLSearchParams): Promise<HttpResponse> => {
  const pq = pageQuery(q);
  if (typeof pq === "string") return bad(pq);
  const team = findTeam(principal, teamRef);
  if (team === undefined) return notFound("team");
  const events = await store.readEvents({ teamId: team.id, verdict: "quarantined", afterSeq: pq.after, limit: pq.limit });
  return json(200, page(events, pq));
};
