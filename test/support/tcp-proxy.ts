import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A loopback TCP proxy that can stop forwarding without closing anything — a network path that goes silent, as when
 * a link, a NAT or a failover stops passing packets.
 */
export interface TcpProxy {
  host: string;
  port: number;
  /**
   * Stops forwarding: every open connection, and every one opened from now on, is held open and silent. They stay
   * silent after `resume`, as a real connection does while TCP's retransmission timer has backed off to minutes.
   */
  pause(): void;
  /** Connections opened from now on are forwarded again. */
  resume(): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 to `upstream` (`host:port`). */
export async function startTcpProxy(upstream: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const live = new Set<{ client: Socket; server: Socket }>();
  let paused = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  };

  const proxy = createServer((client) => {
    track(client);
    if (paused) {
      client.pause(); // accepted by the kernel, never answered
      return;
    }
    const server = connect(upstream.port, upstream.host);
    track(server);
    const pair = { client, server };
    live.add(pair);
    client.pipe(server);
    server.pipe(client);
    const end = () => {
      live.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('close', end);
    server.on('close', end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (proxy.address() as AddressInfo).port,
    pause() {
      paused = true;
      for (const { client, server } of live) {
        client.unpipe(server);
        server.unpipe(client);
        client.pause();
        server.pause();
      }
      live.clear();
    },
    resume() {
      paused = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        proxy.close(() => resolve());
      }),
  };
}
