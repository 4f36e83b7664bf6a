import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Document } from 'bson';
import { dispatch } from './command-dispatcher.js';
import type { Cursors } from './cursors.js';
import type { Logger } from './logger.js';
import type { Store } from './store.js';
import { decode, encodeReply, MessageFramer } from './wire-codec.js';
import type { Request } from './wire-codec.js';

/** Accepts connections and answers each message in order; one bad client never affects another. */
export class WireServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private nextConnectionId = 1;
  private nextRequestId = 1;
  private readonly store: Store;
  private readonly cursors: Cursors;
  private readonly logger: Logger;

  constructor(store: Store, cursors: Cursors, logger: Logger) {
    this.store = store;
    this.cursors = cursors;
    this.logger = logger;
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    return closed;
  }

  private accept(socket: Socket): void {
    const connectionId = this.nextConnectionId++;
    const framer = new MessageFramer();
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy()); // resets by clients are normal
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const message of framer.push(chunk)) this.answer(socket, decode(message), connectionId);
      } catch (err) {
        this.logger.warn(`mongo-dev: closing connection ${connectionId}: ${(err as Error).message}`);
        socket.removeAllListeners('data');
        socket.destroy();
      }
    });
  }

  private answer(socket: Socket, req: Request, connectionId: number): void {
    const reply = dispatch(req.body, { store: this.store, cursors: this.cursors, db: req.db, connectionId });
    if (req.moreToCome) return;
    socket.write(this.encode(req, reply));
  }

  private encode(req: Request, reply: Document): Buffer {
    const requestId = this.nextRequestId++;
    try {
      return encodeReply(req, reply, requestId);
    } catch (err) {
      const errmsg = `reply could not be encoded: ${(err as Error).message}`;
      return encodeReply(req, { ok: 0, errmsg, code: 10334, codeName: 'BSONObjectTooLarge' }, requestId);
    }
  }
}
