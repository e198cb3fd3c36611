/**
 * A loopback TCP proxy between the browser and the server, so a test can cut the network: `drop()` closes
 * every connection through it (the page's WebSocket included) and `refuse` turns new connections away.
 */
import { createConnection, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface Proxy {
  readonly url: string;
  refuse: boolean;
  drop(): number;
  close(): Promise<void>;
}

export const startProxy = async (upstream: string): Promise<Proxy> => {
  const target = new URL(upstream);
  const open = new Set<Socket>();
  const state = { refuse: false };
  const server = createServer((client) => {
    if (state.refuse) {
      client.destroy();
      return;
    }
    const up = createConnection({ host: target.hostname, port: Number(target.port) });
    open.add(client);
    open.add(up);
    const end = () => {
      client.destroy();
      up.destroy();
      open.delete(client);
      open.delete(up);
    };
    client.on("error", end).on("close", end);
    up.on("error", end).on("close", end);
    client.pipe(up);
    up.pipe(client);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get refuse() {
      return state.refuse;
    },
    set refuse(v: boolean) {
      state.refuse = v;
    },
    drop: () => {
      const n = open.size;
      for (const s of open) s.destroy();
      open.clear();
      return n;
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const s of open) s.destroy();
        server.close(() => ok());
      }),
  };
};
