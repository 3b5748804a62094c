// The baker's connection, as lean as a load generator's (wrk's): on a 2-core machine the
// client's CPU competes with the signer's, and node:http's client (a ClientRequest, an
// IncomingMessage and their streams per request) cost about 0.4 ms of it per request, which
// the figures charged to the signer. Here each request is one string written to a keep-alive
// socket, and its answer is read by its status line and content-length; anything but 200, or
// an answer this reader cannot delimit, stops the bench. Alone in its file: the load thread
// imports it without the signer's code.
import { connect, type Socket } from 'node:net';

const HEAD_END = '\r\n\r\n';
const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)\r\n/i;

/** An answer other than 200: the connection stays usable unless `closed`. */
export class HttpStatusError extends Error {
  readonly status: string;
  /** the server closed the connection with it: a new one is needed */
  readonly closed: boolean;

  constructor(status: string, body: string, closed = false) {
    super(`HTTP ${status}: ${body}`);
    this.status = status;
    this.closed = closed;
  }
}

export class LeanConnection {
  readonly #socket: Socket;
  readonly #host: string;
  #received = '';
  #waiting: { resolve: (body: string) => void; reject: (error: Error) => void } | undefined;

  private constructor(socket: Socket, host: string) {
    this.#socket = socket;
    this.#host = host;
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.#receive(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('the server closed the connection')));
  }

  /** A keep-alive connection to `url`'s host and port. */
  static open(url: URL): Promise<LeanConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.off('error', reject);
        resolve(new LeanConnection(socket, url.host));
      });
      socket.once('error', reject);
    });
  }

  /** POST `body` (JSON) to `path`; resolves with the answer's body on a 200, one request at a time per connection. */
  post(path: string, body: string): Promise<string> {
    if (this.#waiting !== undefined) return Promise.reject(new Error('one request at a time per connection'));
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(
        `POST ${path} HTTP/1.1\r\nhost: ${this.#host}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}${HEAD_END}${body}`,
        'latin1',
      );
    });
  }

  close(): void {
    this.#waiting = undefined;
    this.#socket.destroy();
  }

  #receive(chunk: string): void {
    this.#received += chunk;
    const headEnd = this.#received.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = this.#received.slice(0, headEnd + 2);
    const length = CONTENT_LENGTH.exec(head);
    if (length === null) {
      // node's own refusals of a request it gave up on (408 after its timeouts) close the connection
      const refused = /^HTTP\/1\.1 (\d{3}) [^\r]*\r\nconnection: close\r\n/i.exec(head)?.[1];
      this.#socket.destroy();
      return this.#fail(refused === undefined ? new Error(`an answer without content-length: ${head}`) : new HttpStatusError(refused, '', true));
    }
    const end = headEnd + HEAD_END.length + Number(length[1]);
    if (this.#received.length < end) return;
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1];
    const body = this.#received.slice(headEnd + HEAD_END.length, end);
    this.#received = this.#received.slice(end);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (status === '200') waiting?.resolve(body);
    else waiting?.reject(new HttpStatusError(status ?? head, body));
  }

  #fail(error: Error): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
  }
}
